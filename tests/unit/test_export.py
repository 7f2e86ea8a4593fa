"""The generic CSV: exact bytes, and cells that cannot run as spreadsheet formulas."""

from __future__ import annotations

import csv
import io

from cardscan.export import GENERIC_COLUMNS, generic_csv

CONTACT = {
    "id": 1, "name": "Anna-Lena Kruger", "given_name": "Anna-Lena", "family_name": "Kruger",
    "title": "Head of Partnerships", "company": "Kestrel, Analytics GmbH",
    "phones": [{"number": "+493012345678", "type": "work"},
               {"number": "+4915112345678", "type": "mobile"}],
    "emails": ["anna@kestrel.de"], "website": "kestrel.de",
    "address": "Friedrichstraße 123, 10117 Berlin", "met_on": "2026-11-12",
    "event": "Web Summit", "topics": ["EU grants", "API pricing"],
    "actions": ["send pricing deck"], "priority": "high", "reviewed": False,
}


def test_generic_csv_bytes() -> None:
    text = generic_csv([CONTACT], [{"contact_id": 1, "due_on": "2026-11-17"}])
    assert text == (
        ",".join(GENERIC_COLUMNS) + "\r\n"
        '1,Anna-Lena Kruger,Anna-Lena,Kruger,Head of Partnerships,"Kestrel, Analytics GmbH",'
        "+493012345678,+4915112345678,,,anna@kestrel.de,kestrel.de,"
        '"Friedrichstraße 123, 10117 Berlin",2026-11-12,Web Summit,EU grants; API pricing,'
        "send pricing deck,high,2026-11-17,no\r\n")


def test_formula_like_text_is_neutralised_but_phone_numbers_are_kept() -> None:
    hostile = {**CONTACT, "name": "=HYPERLINK(\"http://x\")", "title": "+1 trick",
               "company": "@SUM(A1)", "event": "-2+3", "topics": ["\tTab"]}
    row = next(csv.DictReader(io.StringIO(generic_csv([hostile], []))))
    assert row["name"].startswith("'=")
    assert row["title"] == "'+1 trick"
    assert row["company"] == "'@SUM(A1)"
    assert row["event"] == "'-2+3"
    assert row["topics"] == "'\tTab"
    assert row["work_phone"] == "+493012345678"


def test_every_row_has_the_same_columns() -> None:
    sparse = {**CONTACT, "id": 2, "phones": [], "emails": [], "title": None, "topics": []}
    rows = list(csv.reader(io.StringIO(generic_csv([CONTACT, sparse], []))))
    assert {len(r) for r in rows} == {len(GENERIC_COLUMNS)}
