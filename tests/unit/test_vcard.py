"""vCard 4.0 and 3.0: exact bytes (goldens), read back field for field, stable UIDs."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import vobject

from cardscan.errors import ConfigError
from cardscan.export.vcard import VERSIONS, contact_uid, to_vcard
from tests.unit.test_export import CONTACTS, GERMAN, HOSTILE, check_golden


def cards(version: str) -> list[Any]:
    return list(vobject.readComponents(to_vcard(CONTACTS, version=version)))


def values(card: Any, name: str) -> list[Any]:
    return [line.value for line in card.contents.get(name, [])]


@pytest.mark.parametrize("version", VERSIONS)
def test_vcard_matches_golden(version: str) -> None:
    check_golden(f"contacts-{version}.vcf", to_vcard(CONTACTS, version=version))


@pytest.mark.parametrize("version", VERSIONS)
def test_vcard_reads_back_field_for_field(version: str) -> None:
    german, hostile, brazilian, bare = cards(version)
    assert [c.version.value for c in (german, bare)] == [version, version]
    assert german.fn.value == "Dr. Anna-Lena Krüger"
    n = german.n.value
    assert (n.family, n.given, n.additional, n.prefix) == ("Krüger", "Anna-Lena", "Sophie", "Dr.")
    assert german.org.value == ['Kestrel, "Analytics" GmbH', "Business Development"]
    assert german.title.value == "Head of Partnerships"
    tel = "tel:" if version == "4.0" else ""
    assert [(t.value, t.params["TYPE"]) for t in german.contents["tel"]] == [
        (f"{tel}+493012345678", ["work", "voice"]), (f"{tel}+4915112345678", ["cell"]),
        (f"{tel}+493012345679", ["work", "fax"])]
    assert values(german, "email") == GERMAN["emails"]
    assert values(german, "url") == ["https://kestrel.de",
                                     "https://linkedin.com/in/annalena-krueger"]
    adr = brazilian.adr.value
    assert (adr.street, adr.city, adr.region, adr.code, adr.country) == (
        "Av. Paulista, 1578 - Bela Vista", "São Paulo", "SP", "01310-200", "Brasil")
    assert german.note.value.splitlines()[:2] == [
        "Met on 2025-04-01 at Hannover Messe. Topics: sensors",
        "Met on 2026-11-12 at Web Summit. Topics: EU grants; API pricing. "
        "Promised: send pricing deck"]
    assert german.categories.value == ["Hannover Messe", "Web Summit"]
    assert [values(c, "x-cardscan-marketing-consent") for c in (german, hostile, bare)] == [
        ["true"], ["false"], ["false"]]
    assert hostile.fn.value == HOSTILE["name"]  # a vCard is no spreadsheet: kept verbatim
    assert values(brazilian, "email") == [] and values(bare, "adr") == []
    assert bare.fn.value == "Mononym"


def test_vcard_4_marks_kind_and_keeps_the_printed_address() -> None:
    german = cards("4.0")[0]
    assert german.kind.value == "individual"
    assert german.adr.params["LABEL"] == ["Friedrichstraße 123, 10117 Berlin, Germany"]
    assert german.tel.params["VALUE"] == ["uri"]
    german3 = cards("3.0")[0]
    assert german3.label.value == "Friedrichstraße 123, 10117 Berlin, Germany"
    assert "kind" not in german3.contents


def test_uid_is_stable_across_exports_and_distinct_per_contact() -> None:
    first = [c.uid.value for c in cards("4.0")]
    again = [c.uid.value for c in cards("4.0")]
    assert first == again == [c.uid.value for c in cards("3.0")]
    assert len(set(first)) == len(CONTACTS)
    edited = {**GERMAN, "name": "Anna-Lena Krueger", "emails": []}  # a corrected card
    assert contact_uid(edited) == first[0]
    assert contact_uid(GERMAN, namespace=uuid.uuid4()) != first[0]


def test_unknown_version_is_a_clear_error() -> None:
    with pytest.raises(ConfigError, match=r"choose one of 4\.0, 3\.0"):
        to_vcard(CONTACTS, version="2.1")
