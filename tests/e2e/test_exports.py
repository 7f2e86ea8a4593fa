"""`cardscan export` over a real SQLite file: formats, filters, --new, vCard, consent."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
import vobject

from cardscan.export import FORMATS, GOOGLE_COLUMNS, OUTLOOK_COLUMNS
from cardscan.export.crm import OUTLOOK_YOMI
from cardscan.model import Note
from cardscan.store import Database
from tests.databases import database_url
from tests.factories import MET, store_person

pytestmark = pytest.mark.backends


def _db(tmp_path: Path) -> str:
    url = database_url(tmp_path)
    db = Database(url, store=tmp_path / "store")
    store_person(db, "Dana Lee", Note(met_on=MET, topics=("fleet tracking",),
                                      actions=("send pricing deck",)))
    store_person(db, "Omar Haddad", Note(met_on=dt.date(2026, 12, 3)), event="CES")
    hostile = store_person(db, "Mia Wong", Note(met_on=MET), event="=cmd|' /C calc'!A0")
    with db.transaction() as tx:
        tx.set_consent(hostile, True)
    return url


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_every_format_and_new_exports_each_contact_once(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db = _db(tmp_path)
    for fmt in FORMATS:
        first = cli("export", "csv", "--format", fmt, "--new", "--db", db, check=True).stdout
        assert len(_rows(first)) == 3, fmt
        again = cli("export", "csv", "--format", fmt, "--new", "--db", db, check=True).stdout
        assert _rows(again) == [] and again.count("\n") == 1, fmt  # the header only
    google = _rows(cli("export", "csv", "--format", "google", "--db", db, check=True).stdout)
    assert list(google[0]) == list(GOOGLE_COLUMNS)
    dana = next(r for r in google if r["First Name"] == "Dana")
    assert (dana["Last Name"], dana["Organization Name"]) == ("Lee", "Acme Corp")
    assert "Web Summit" in dana["Labels"] and "fleet tracking" in dana["Notes"]
    assert "send pricing deck" in dana["Notes"]
    for fmt in FORMATS:  # the hostile event cannot run as a formula anywhere
        text = cli("export", "csv", "--format", fmt, "--db", db, check=True).stdout
        for row in _rows(text):
            for value in row.values():
                assert not value.startswith(("=", "@", "-", "\t", "\r")), (fmt, value)
                assert not value.startswith("+") or value[1:].replace(";+", "").isdigit()
        assert "=cmd|" in text, fmt  # kept, as text

    out = tmp_path / "outlook.csv"
    cli("export", "csv", "--format", "outlook", "--excel", "--event", "CES", "-o", out,
        "--db", db, check=True)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    [omar] = _rows(raw.decode("utf-8-sig"))
    assert list(omar) == [*OUTLOOK_COLUMNS, *OUTLOOK_YOMI]  # the 92, then the phonetic names
    assert (omar["First Name"], omar["Categories"]) == ("Omar", "CES")

    since = _rows(cli("export", "csv", "--since", "2026-12-01", "--db", db, check=True).stdout)
    assert [r["name"] for r in since] == ["Omar Haddad"]
    assert _rows(cli("export", "csv", "--reviewed-only", "--db", db, check=True).stdout) == []
    generic = _rows(cli("export", "csv", "--db", db, check=True).stdout)
    assert {r["name"]: r["marketing_consent"] for r in generic} == {
        "Dana Lee": "no", "Omar Haddad": "no", "Mia Wong": "yes"}


def test_vcard_parses_back_and_keeps_its_uid(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db = _db(tmp_path)
    for version in ("4", "3"):
        text = cli("export", "vcard", "--version", version, "--db", db, check=True).stdout
        cards = list(vobject.readComponents(text))
        assert [c.fn.value for c in cards] == ["Dana Lee", "Omar Haddad", "Mia Wong"]
        assert cards[0].version.value == f"{version}.0"
        assert cards[0].email.value == "dana@acme.com" and cards[0].org.value == ["Acme Corp"]
        assert "Web Summit" in cards[0].categories.value
        again = cli("export", "vcard", "--version", version, "--db", db, check=True).stdout
        assert [c.uid.value for c in vobject.readComponents(again)] == [
            c.uid.value for c in cards]
