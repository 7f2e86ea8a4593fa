"""The CLI end to end: real files, a real SQLite file, recorded OCR (``cli``) or the real
Tesseract (``real_cli``)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from cardscan import cli as cardscan_cli
from tests.conftest import SAMPLES
from tests.databases import database_url
from tests.recorded import ocr_env

CONTRACT = {"name", "given_name", "family_name", "title", "company", "phones", "emails",
            "website", "address", "met_on", "event", "topics", "actions", "priority",
            "front_text", "back_text", "confidence"}


@pytest.fixture(scope="module")
def cards() -> list[dict[str, Any]]:
    return json.loads((SAMPLES / "labels.json").read_text(encoding="utf-8"))["cards"]


def test_scan_json_has_the_public_keys_on_every_sample(  # type: ignore[no-untyped-def]
        cards, capsys, monkeypatch) -> None:
    """``cardscan scan --json`` (its ``main``, in this process: 41 process starts cost more
    than the test) on every sample, read with recorded OCR."""
    for key, value in ocr_env().items():
        monkeypatch.setenv(key, value)
    for card in cards:
        args = ["scan", str(SAMPLES / card["front"]), "--json", "--met", "2026-11-10",
                "--card", str(card.get("card_index", 1))]
        if card.get("back"):
            args += ["--back", str(SAMPLES / card["back"])]
        assert cardscan_cli.main(args) == 0, card["id"]
        record = json.loads(capsys.readouterr().out)
        assert record.keys() >= CONTRACT, card["id"]
        assert all(set(p) == {"number", "type"} and p["number"].startswith("+")
                   and p["type"] in ("work", "mobile", "fax", "other") for p in record["phones"])
        assert record["priority"] in ("high", "normal")
        dt.date.fromisoformat(record["met_on"])


@pytest.mark.ocr
def test_scan_stores_nothing(real_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    done = real_cli("scan", SAMPLES / "images" / "us-left-two-phones_front.png", "--json",
                    check=True)
    assert json.loads(done.stdout)["name"] == "Jordan Ellis"  # the real Tesseract read it
    assert not (tmp_path / "store").exists()
    assert not (tmp_path / "home").exists()


def _db(tmp_path: Path) -> str:
    return database_url(tmp_path)


@pytest.mark.backends
def test_batch_twice_stores_each_card_once(cli, tmp_path: Path, cards) -> None:  # type: ignore[no-untyped-def]
    first = cli("batch", SAMPLES, "--db", _db(tmp_path), "--met", "2026-11-10", check=True)
    # Sheets and PDFs hold several cards; other captures of a card are the same person.
    people = {(c["expected"]["name"], c["expected"].get("company")) for c in cards}
    assert f"{len(people)} created" in first.stderr
    assert f"{len(cards) - len(people)} merged" in first.stderr
    second = cli("batch", SAMPLES, "--db", _db(tmp_path), check=True)
    files = len({card["front"] for card in cards})
    assert f"0 created, {files} duplicate" in second.stderr

    contacts = json.loads(cli("contacts", "--db", _db(tmp_path), "--json", check=True).stdout)
    assert len(contacts) == len(people)
    assert all(CONTRACT - {"front_text", "back_text"} | {"id"} <= c.keys() for c in contacts)
    names = {c["name"] for c in contacts}
    assert "Jordan Ellis" in names and "Maria Santos" in names

    tasks = json.loads(cli("tasks", "--db", _db(tmp_path), "--json", check=True).stdout)
    assert len(tasks) == len(people)  # one first touch per contact
    for task in tasks:
        due = dt.date.fromisoformat(task["due_on"])
        assert due.weekday() in (1, 2, 3, 4), task
        assert due > dt.date.fromisoformat(task["met_on"])
    assert [t["due_on"] for t in tasks] == sorted(t["due_on"] for t in tasks)

    # The images and the raw OCR are kept for review.
    stored = [p for p in (tmp_path / "store").rglob("*.*") if "views" not in p.parts]
    assert len(stored) == len(list((SAMPLES / "images").iterdir()))
    # and each card as a person is shown it: cut out, upright, one per stored side
    views = list((tmp_path / "store" / "views").rglob("*.jpg"))
    assert len(views) == len(cards) + sum(1 for c in cards if c.get("back"))

    out = tmp_path / "contacts.csv"
    cli("export", "csv", "--db", _db(tmp_path), "-o", out, check=True)
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("id,name,given_name,family_name")
    assert len(lines) == len(people) + 1


def _bad_files(folder: Path) -> dict[str, Path]:
    folder.mkdir()
    good = (SAMPLES / "images" / "us-left-two-phones_front.png").read_bytes()
    files = {
        "empty": folder / "empty.png",
        "text": folder / "notes.jpg",
        "truncated": folder / "truncated.jpg",
        "gif": folder / "anim.gif",
    }
    files["empty"].write_bytes(b"")
    files["text"].write_text("this is not an image\n", encoding="utf-8")
    from PIL import Image

    Image.new("RGB", (400, 300), "white").save(files["truncated"], quality=90)
    files["truncated"].write_bytes(files["truncated"].read_bytes()[:400])
    Image.new("RGB", (40, 30), "white").save(files["gif"])
    (folder / "good.png").write_bytes(good)
    return files


@pytest.mark.backends
def test_bad_input_is_reported_set_aside_and_never_touches_stored_cards(  # type: ignore[no-untyped-def]
        cli, tmp_path: Path) -> None:
    db = _db(tmp_path)
    cli("batch", SAMPLES / "images" / "uk-centered-intl_front.png", "--db", db, check=True)
    before = json.loads(cli("contacts", "--db", db, "--json", check=True).stdout)

    files = _bad_files(tmp_path / "in")
    missing = tmp_path / "in" / "missing.png"
    done = cli("batch", *files.values(), missing, tmp_path / "in" / "good.png", "--db", db)
    assert done.returncode == 3
    errors = [ln for ln in done.stderr.splitlines() if ln.startswith("error:")]
    assert len(errors) == 5
    reasons = {"empty": "empty file", "text": "not an image", "truncated": "truncated",
               "gif": "unsupported format GIF"}
    for key, reason in reasons.items():
        assert any(str(files[key]) in ln and reason in ln for ln in errors), (key, errors)
    assert any(str(missing) in ln and "no such file" in ln for ln in errors)

    after = json.loads(cli("contacts", "--db", db, "--json", check=True).stdout)
    assert after[0] == before[0]
    assert len(after) == 2  # the one good file was still ingested
    assert all(p.exists() for p in files.values())  # nothing the user gave is deleted


def test_scan_of_a_bad_file_is_one_clear_line(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "card.jpg"
    bad.write_text("hello", encoding="utf-8")
    done = cli("scan", bad)
    assert done.returncode == 3
    [line] = done.stderr.strip().splitlines()
    assert line.startswith(f"error: {bad}: not an image (looks like text); "
                           "cardscan reads JPEG, PNG, TIFF, BMP, WebP, PDF")


@pytest.mark.backends
def test_a_back_without_its_front_is_kept_and_can_be_attached(  # type: ignore[no-untyped-def]
        cli, tmp_path: Path) -> None:
    db = _db(tmp_path)
    cli("batch", SAMPLES / "images" / "us-left-two-phones_front.png", "--db", db, check=True)
    back = tmp_path / "lonely_back.png"
    shutil.copy(SAMPLES / "images" / "us-left-two-phones_back.png", back)
    done = cli("batch", back, "--db", db, "--met", "2026-11-10")
    assert done.returncode == 3  # the user has something to do
    assert "no matching front; kept as scan" in done.stderr
    assert f"cardscan attach {back} --to CONTACT_ID" in done.stderr
    [before] = json.loads(cli("contacts", "--db", db, "--json", check=True).stdout)
    assert before["event"] is None  # a back is never a contact of its own
    cli("attach", back, "--to", str(before["id"]), "--db", db, "--met", "2026-11-10",
        check=True)
    [after] = json.loads(cli("contacts", "--db", db, "--json", check=True).stdout)
    assert (after["event"], after["met_on"]) == ("Web Summit", "2026-11-12")
    again = cli("batch", back, "--db", db)
    assert "1 duplicate" in again.stderr


@pytest.mark.ocr
def test_pipeline_by_name_and_unknown_pipeline(real_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    front = SAMPLES / "images" / "us-left-two-phones_front.png"
    assert real_cli("scan", front, "--pipeline", "default", "--json").returncode == 0
    done = real_cli("scan", front, "--pipeline", "nope")
    assert done.returncode == 2 and "pipeline 'nope' not found" in done.stderr


def test_where_the_database_lives(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    front = SAMPLES / "images" / "uk-centered-intl_front.png"
    # Default: a SQLite file in the user's data directory.
    cli("batch", front, check=True)
    assert (tmp_path / "home" / "data" / "cardscan" / "cardscan.db").is_file()
    # $CARDSCAN_DB, or --db, takes any SQLAlchemy URL.
    env_db = tmp_path / "env.db"
    cli("batch", front, check=True, extra_env={"CARDSCAN_DB": f"sqlite:///{env_db}"})
    listed = cli("contacts", "--json", check=True, extra_env={"CARDSCAN_DB": f"sqlite:///{env_db}"})
    assert len(json.loads(listed.stdout)) == 1
    bad = cli("contacts", "--db", "not a url")
    assert bad.returncode == 5 and "is not a database URL" in bad.stderr


def test_parse_reads_text_from_stdin(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    text = tmp_path / "card.txt"
    text.write_text("Jane Doe\nCTO\nAcme Inc.\n+1 (212) 555-0100\njane@acme.com\n", "utf-8")
    record = json.loads(cli("parse", text, "--json", check=True).stdout)
    assert (record["name"], record["title"], record["company"], record["emails"]) == (
        "Jane Doe", "CTO", "Acme Inc.", ["jane@acme.com"])


@pytest.mark.ocr
def test_bench_runs_on_any_labelled_folder(real_cli, tmp_path: Path, cards) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "set"
    (folder / "images").mkdir(parents=True)
    # An English card and a Korean one (a language the pipeline lacks: read again with its
    # own model).
    subset = [cards[0], next(c for c in cards if c["front"].endswith("ko-seoul-corp_front.png"))]
    for card in subset:
        for side in ("front", "back"):
            if card.get(side):
                shutil.copy(SAMPLES / card[side], folder / card[side])
    labels = {"reference_date": "2026-11-10", "cards": subset}
    (folder / "labels.json").write_text(json.dumps(labels), encoding="utf-8")
    done = real_cli("bench", folder, "--json", tmp_path / "b.json", check=True)
    assert "| field | cards | recall | precision |" in done.stdout
    assert "bare `tesseract IMG stdout`" in done.stdout
    summary = json.loads((tmp_path / "b.json").read_text(encoding="utf-8"))["set"]
    assert 0.5 <= summary["accuracy"] <= 1.0
    assert summary["seconds_per_card"] > 0
    assert "reading only (nothing stored)" in done.stdout  # the machine's own ceiling
    assert summary["throughput"]["reading_only_speedup_2"] > 0
    assert "| clean scans, front only |" in done.stdout  # the two clean scans, apart
    by_language = summary["fronts_by_language"]
    assert by_language["in the pipeline's languages"]["cards"] == 1
    own = by_language["in a language the pipeline lacks"]
    assert own["cards"] == 1 and own["bare_with_own_language_seconds"] > 0
    every = by_language["all, with the languages read"]  # against eng+deu, and eng+deu+kor
    assert every["cards"] == 2 and every["bare_with_own_language_seconds"] > 0


def test_scan_picks_one_card_of_a_sheet(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pdf = SAMPLES / "images" / "two-cards.pdf"
    done = cli("scan", pdf, "--card", "2", "--json", "--debug-images", tmp_path / "dbg",
               check=True)
    assert json.loads(done.stdout)["name"] == "Jan-Hendrik Vogt"
    assert "holds 2 cards; showing card 2" in done.stderr
    assert any((tmp_path / "dbg").glob("two-cards-p2-c2-*-gray.png"))
    wrong = cli("scan", pdf, "--card", "3")
    assert wrong.returncode == 2 and "holds 2 card(s)" in wrong.stderr


def test_a_database_from_an_older_cardscan_is_upgraded_in_place(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import sqlite3

    path = tmp_path / "old.db"
    with sqlite3.connect(path) as db:  # the contacts table as the first release made it
        db.execute("CREATE TABLE contacts (id INTEGER PRIMARY KEY, name TEXT, given_name TEXT,"
                   " family_name TEXT, title TEXT, company TEXT, website TEXT, address TEXT,"
                   " confidence JSON, reviewed BOOLEAN, created_at DATETIME)")
        db.execute("INSERT INTO contacts (name, confidence, reviewed, created_at) VALUES "
                   "('Old Friend', '{}', 0, '2026-11-01 10:00:00')")
    done = cli("contacts", "--db", f"sqlite:///{path}", "--json", check=True)
    [contact] = json.loads(done.stdout)
    assert contact["name"] == "Old Friend"
    assert contact["department"] is None and contact["social"] == []


TEXT_CASES = [
    ("Priya van der Berg\nFounder & CEO\nRedwood Analytics AG\nF: +49 30 6829 8430\n"
     "Cell: +49 157 94281092\np.vanderberg@redwoodanalytics.de\nredwoodanalytics.de\n"
     "Friedrichstraße 68\n10117 Berlin",
     {"name": "Priya van der Berg", "company": "Redwood Analytics AG", "title": "Founder & CEO",
      "phones": [{"number": "+493068298430", "type": "fax"},
                 {"number": "+4915794281092", "type": "mobile"}],
      "address": "Friedrichstraße 68, 10117 Berlin"}),
    ("JOSÉ NÚÑEZ\nDiretor Comercial\nVerde Vale Agroindústria S.A.\nTel +55 11 3659-0183\n"
     "jose.nunez@verdevale.com.br\nAv. Paulista, 1578 - Bela Vista\nSão Paulo - SP, 01310-200",
     {"name": "José Núñez", "given_name": "José", "family_name": "Núñez",
      "company": "Verde Vale Agroindústria S.A.", "emails": ["jose.nunez@verdevale.com.br"],
      "phones": [{"number": "+551136590183", "type": "work"}]}),
    ("Oliver Whitcombe\nSenior Associate\nHarrow & Finch LLP\n"
     "T +44 (0)20 7744 1598 | M +44 (0)7728 426453\no.whitcombe @harrowfinch,co.uk\n"
     "28 City Road, London EC1V 2NX",
     {"company": "Harrow & Finch LLP", "emails": ["o.whitcombe@harrowfinch.co.uk"],
      "phones": [{"number": "+442077441598", "type": "work"},
                 {"number": "+447728426453", "type": "mobile"}]}),
]


@pytest.mark.parametrize(("text", "expected"), TEXT_CASES)
def test_parse_text_from_elsewhere(cli, text: str, expected: dict) -> None:  # type: ignore[no-untyped-def]
    record = json.loads(cli("parse", "-", "--json", stdin=text, check=True).stdout)
    assert {key: record[key] for key in expected} == expected


@pytest.mark.backends
def test_duplex_scans_alternate_front_and_back(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from PIL import Image

    front = Image.open(SAMPLES / "images" / "us-left-two-phones_front.png").convert("RGB")
    back = Image.open(SAMPLES / "images" / "us-left-two-phones_back.png").convert("RGB")
    pdf = tmp_path / "duplex.pdf"
    front.save(pdf, save_all=True, append_images=[back], resolution=300)
    record = json.loads(cli("scan", pdf, "--duplex", "--json", "--met", "2026-11-10",
                            check=True).stdout)
    assert record["name"] == "Jordan Ellis"
    assert record["event"] == "Web Summit" and record["met_on"] == "2026-11-12"

    folder = tmp_path / "feeder"
    folder.mkdir()
    front.save(folder / "scan0001.png")
    back.save(folder / "scan0002.png")
    done = cli("batch", folder, "--duplex", "--db", _db(tmp_path), check=True)
    assert "1 created" in done.stderr and "scan0002.png" in done.stderr  # shown as the back
    [contact] = json.loads(cli("contacts", "--db", _db(tmp_path), "--json", check=True).stdout)
    assert contact["event"] == "Web Summit"


@pytest.mark.backends
def test_a_back_is_recognised_by_its_content_and_joins_the_card_before_it(  # type: ignore[no-untyped-def]
        cli, tmp_path: Path) -> None:
    folder = tmp_path / "show"
    folder.mkdir()
    shutil.copy(SAMPLES / "images" / "us-left-two-phones_front.png", folder / "img_0001.png")
    shutil.copy(SAMPLES / "images" / "us-left-two-phones_back.png", folder / "img_0002.png")
    done = cli("batch", folder, "--db", _db(tmp_path), "--met", "2026-11-10", "--workers", "1",
               check=True)
    assert "1 created" in done.stderr and "1 attached back" in done.stderr
    assert "img_0002.png: read as the back of img_0001.png" in done.stderr
    [contact] = json.loads(cli("contacts", "--db", _db(tmp_path), "--json", check=True).stdout)
    assert (contact["event"], contact["met_on"]) == ("Web Summit", "2026-11-12")
    [task] = json.loads(cli("tasks", "--db", _db(tmp_path), "--json", check=True).stdout)
    assert task["due_on"] == "2026-11-13"  # met Thu 12th -> Fri 13th
    assert "Web Summit" in task["draft"]
