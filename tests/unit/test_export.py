"""CRM and generic CSV exports: exact bytes (goldens), published headers, safe cells.

Goldens live in tests/data/export/; after an intended change, re-record them with
``UPDATE_GOLDENS=1 pytest tests/unit/test_export.py tests/unit/test_vcard.py`` and review the diff.
"""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path
from typing import Any

import pytest

from cardscan.errors import ConfigError
from cardscan.export import FORMATS, Address, split_address, to_csv
from cardscan.export import crm as export

DATA = Path(__file__).resolve().parent.parent / "data" / "export"
CONTACTS: list[dict[str, Any]] = json.loads((DATA / "contacts.json").read_text(encoding="utf-8"))
GERMAN, HOSTILE, BRAZILIAN, BARE = CONTACTS

# The headers as published (research anchors, section 3), repeatable Google blocks numbered 1..N.
GOOGLE = [
    "First Name", "Middle Name", "Last Name", "Phonetic First Name", "Phonetic Middle Name",
    "Phonetic Last Name", "Name Prefix", "Name Suffix", "Nickname", "File As",
    "Organization Name", "Organization Title", "Organization Department", "Birthday", "Notes",
    "Photo", "Labels", "E-mail 1 - Label", "E-mail 1 - Value", "E-mail 2 - Label",
    "E-mail 2 - Value", "Phone 1 - Label", "Phone 1 - Value", "Phone 2 - Label",
    "Phone 2 - Value", "Phone 3 - Label", "Phone 3 - Value", "Phone 4 - Label",
    "Phone 4 - Value", "Address 1 - Label", "Address 1 - Formatted", "Address 1 - Street",
    "Address 1 - City", "Address 1 - PO Box", "Address 1 - Region", "Address 1 - Postal Code",
    "Address 1 - Country", "Address 1 - Extended Address", "Website 1 - Label",
    "Website 1 - Value", "Website 2 - Label", "Website 2 - Value", "Website 3 - Label",
    "Website 3 - Value", "Event 1 - Label", "Event 1 - Value", "Custom Field 1 - Label",
    "Custom Field 1 - Value",
]
# Desktop Outlook's own export header, as Microsoft publishes it in the sample file of "Create
# or edit .csv files to import into Outlook" (support.microsoft.com); the same 92 names in
# the same order as an export of Outlook 2016-2021 writes.
OUTLOOK = """Title,First Name,Middle Name,Last Name,Suffix,Company,Department,Job Title,Business
Street,Business Street 2,Business Street 3,Business City,Business State,Business Postal
Code,Business Country/Region,Home Street,Home Street 2,Home Street 3,Home City,Home State,Home
Postal Code,Home Country/Region,Other Street,Other Street 2,Other Street 3,Other City,Other
State,Other Postal Code,Other Country/Region,Assistant's Phone,Business Fax,Business
Phone,Business Phone 2,Callback,Car Phone,Company Main Phone,Home Fax,Home Phone,Home Phone
2,ISDN,Mobile Phone,Other Fax,Other Phone,Pager,Primary Phone,Radio Phone,TTY/TDD
Phone,Telex,Account,Anniversary,Assistant's Name,Billing Information,Birthday,Business Address
PO Box,Categories,Children,Directory Server,E-mail Address,E-mail Type,E-mail Display
Name,E-mail 2 Address,E-mail 2 Type,E-mail 2 Display Name,E-mail 3 Address,E-mail 3
Type,E-mail 3 Display Name,Gender,Government ID Number,Hobby,Home Address PO
Box,Initials,Internet Free Busy,Keywords,Language,Location,Manager's Name,Mileage,Notes,Office
Location,Organizational ID Number,Other Address PO Box,Priority,Private,Profession,Referred
By,Sensitivity,Spouse,User 1,User 2,User 3,User 4,Web Page"""
# HubSpot's default contact properties by label (knowledge base: "HubSpot's default contact
# properties"); the import maps a column whose name is a property's label without asking.
HUBSPOT = ["First Name", "Last Name", "Email", "Phone Number", "Mobile Phone Number",
           "Fax Number", "Job Title", "Company Name", "Website URL", "Street Address", "City",
           "State/Region", "Postal Code", "Country/Region", "Message"]
# Salesforce Lead field labels (Object Reference for Salesforce, Lead: FirstName "First Name",
# MobilePhone "Mobile", State "State/Province", PostalCode "Zip/Postal Code", LeadSource "Lead
# Source", HasOptedOutOfEmail "Email Opt Out"): what the Data Import Wizard matches columns to.
SALESFORCE = ["First Name", "Last Name", "Company", "Title", "Email", "Phone", "Mobile", "Fax",
              "Street", "City", "State/Province", "Zip/Postal Code", "Country", "Website",
              "Description", "Lead Source", "Email Opt Out"]


def check_golden(name: str, text: str) -> None:
    """Compare with tests/data/export/NAME byte for byte, or re-record it with UPDATE_GOLDENS=1."""
    path = DATA / name
    if os.environ.get("UPDATE_GOLDENS") == "1":
        path.write_bytes(text.encode("utf-8"))
    assert path.read_bytes().decode("utf-8") == text, f"{name} differs from the golden"


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_matches_golden(fmt: str) -> None:
    check_golden(f"{fmt}.csv", to_csv(CONTACTS, fmt))


def test_headers_are_the_published_ones() -> None:
    assert list(export.GOOGLE_COLUMNS) == GOOGLE
    outlook = OUTLOOK.replace("\n", " ").split(",")
    assert list(export.OUTLOOK_COLUMNS) == outlook
    assert len(outlook) == 92
    assert list(export.HUBSPOT_COLUMNS) == HUBSPOT
    assert list(export.SALESFORCE_COLUMNS) == SALESFORCE


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_row_has_every_column_and_crlf(fmt: str) -> None:
    text = to_csv(CONTACTS, fmt)
    parsed = list(csv.reader(io.StringIO(text, newline="")))
    assert len(parsed) == len(CONTACTS) + 1
    assert {len(r) for r in parsed} == {len(parsed[0])}
    assert text.endswith("\r\n")
    # each record ends with CRLF; newlines inside notes are quoted, never bare record breaks
    assert text.count("\r\n") == len(CONTACTS) + 1


@pytest.mark.parametrize("fmt", FORMATS)
def test_excel_gets_a_bom_and_the_default_does_not(fmt: str) -> None:
    assert to_csv(CONTACTS, fmt, excel=True) == "\ufeff" + to_csv(CONTACTS, fmt)
    assert not to_csv(CONTACTS, fmt).startswith("\ufeff")


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_cell_can_run_as_a_formula_but_phone_numbers_stay_intact(fmt: str) -> None:
    for row in rows(to_csv(CONTACTS, fmt)):
        for column, cell in row.items():
            if cell.startswith(("=", "+", "-", "@", "\t", "\r")):
                assert all(p[0] == "+" and p[1:].isdigit() for p in cell.split(";")), (
                    f"{fmt} {column}: {cell!r}")
    text = to_csv([HOSTILE], fmt)
    assert "'=HYPERLINK(" in text and "'@SUM(1)" in text and "'-2+3 VP Sales" in text
    assert "+12125550100" in text and "'+1212" not in text


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_phone_or_email_is_dropped(fmt: str) -> None:
    for contact, row in zip(CONTACTS, rows(to_csv(CONTACTS, fmt)), strict=True):
        text = " ".join(row.values())
        for value in [p["number"] for p in contact["phones"]] + contact["emails"]:
            assert value in text, f"{fmt} dropped {value}"


def test_google_puts_events_in_labels_and_consent_in_a_custom_field() -> None:
    german, _, brazilian, bare = rows(to_csv(CONTACTS, "google"))
    assert german["Labels"] == "* myContacts ::: Hannover Messe ::: Web Summit"
    assert (german["Custom Field 1 - Label"], german["Custom Field 1 - Value"]) == (
        "Marketing consent", "yes")
    assert bare["Custom Field 1 - Value"] == "no"  # marketing_consent absent means no
    assert (german["Event 1 - Label"], german["Event 1 - Value"]) == ("Met", "2025-04-01")
    assert [german[f"Phone {i} - Label"] for i in (1, 2, 3, 4)] == [
        "Work", "Mobile", "Work Fax", ""]
    assert german["Notes"].splitlines() == [
        "Met on 2025-04-01 at Hannover Messe. Topics: sensors",
        "Met on 2026-11-12 at Web Summit. Topics: EU grants; API pricing. "
        "Promised: send pricing deck",
        "Priority: high", "Marketing consent: yes", "Also: e-mail press@kestrel.de"]
    assert brazilian["Address 1 - Formatted"] == BRAZILIAN["address"]
    assert bare["First Name"] == "Mononym"


def test_outlook_types_phones_and_puts_events_in_categories() -> None:
    german, hostile, _, _ = rows(to_csv(CONTACTS, "outlook"))
    assert (german["Business Phone"], german["Mobile Phone"], german["Business Fax"]) == (
        "+493012345678", "+4915112345678", "+493012345679")
    assert german["Categories"] == "Hannover Messe;Web Summit"
    assert german["User 1"] == "Marketing consent: yes"
    assert german["Title"] == "Dr." and german["Job Title"] == "Head of Partnerships"
    assert hostile["Other Phone"] == "+12125550199"
    assert "Also: mobile phone +12125550102" in hostile["Notes"]
    assert (hostile["Business City"], hostile["Business State"],
            hostile["Business Postal Code"], hostile["Business Country/Region"]) == (
        "New York", "NY", "10118", "USA")
    assert (german["E-mail Type"], german["E-mail 3 Address"]) == ("SMTP", "press@kestrel.de")
    assert german["E-mail Display Name"].endswith(f"({german['E-mail Address']})")


def test_salesforce_opts_out_only_who_said_no_and_hubspot_gets_the_meeting() -> None:
    asked = [dict(c, marketing_consent_asked=True) for c in CONTACTS]
    sf = rows(to_csv([*CONTACTS, asked[1]], "salesforce"))
    # yes -> 0; never asked -> empty (not a refusal); asked and said no -> 1
    assert [r["Email Opt Out"] for r in sf] == ["0", "", "", "", "1"]
    assert [r["Lead Source"] for r in sf[:4]] == ["Hannover Messe", "'+CES", "Rio Info",
                                                  "Business card"]
    assert (sf[3]["Last Name"], sf[3]["Company"], sf[3]["First Name"]) == (
        "Mononym", "[not provided]", "")
    assert sf[2]["Email"] == "" and sf[2]["Mobile"] == "+5511987654321"
    hub = rows(to_csv(CONTACTS, "hubspot"))
    assert "Hannover Messe" in hub[0]["Message"] and "Marketing Consent" not in hub[0]


def test_generic_has_every_field_and_the_next_follow_up() -> None:
    german = rows(to_csv(CONTACTS, "generic"))[0]
    assert (german["next_follow_up_due"], german["next_follow_up_channel"]) == (
        "2026-11-17", "email")
    assert (german["marketing_consent"], german["reviewed"], german["priority"]) == (
        "yes", "yes", "high")
    assert german["meetings"] == (
        "Met on 2025-04-01 at Hannover Messe. Topics: sensors | Met on 2026-11-12 at Web Summit. "
        "Topics: EU grants; API pricing. Promised: send pricing deck")
    assert to_csv(CONTACTS, "generic").count("\n") == len(CONTACTS) + 1  # one line per row


def test_generic_csv_reads_the_next_follow_up_from_tasks_when_contacts_lack_it() -> None:
    tasks = [{"contact_id": 3, "due_on": "2026-03-25", "channel": "call"},
             {"contact_id": 3, "due_on": "2026-04-20", "channel": "email"}]
    row = rows(export.generic_csv(CONTACTS, tasks))[2]
    assert (row["next_follow_up_due"], row["next_follow_up_channel"]) == ("2026-03-25", "call")


def test_unknown_format_is_a_clear_error() -> None:
    with pytest.raises(ConfigError, match="choose one of google, outlook"):
        to_csv(CONTACTS, "excel")


@pytest.mark.parametrize(("text", "expected"), [
    ("Friedrichstraße 123, 10117 Berlin, Germany",
     Address("Friedrichstraße 123", "Berlin", "", "10117", "Germany")),
    ("Heilbronner Straße 150, 70191 Stuttgart",
     Address("Heilbronner Straße 150", "Stuttgart", "", "70191", "")),
    ("12 rue de la Paix, 75002 Paris, France",
     Address("12 rue de la Paix", "Paris", "", "75002", "France")),
    ("Via del Corso 10, 00186 Roma (RM), Italy",
     Address("Via del Corso 10", "Roma", "RM", "00186", "Italy")),
    ("350 Fifth Avenue, 41st Floor, New York, NY 10118",
     Address("350 Fifth Avenue, 41st Floor", "New York", "NY", "10118", "")),
    ("233 S Wacker Dr, Chicago IL 60606-1234, USA",
     Address("233 S Wacker Dr", "Chicago", "IL", "60606-1234", "USA")),
    ("Av. Paulista, 1578 - Bela Vista, São Paulo - SP, 01310-200, Brasil",
     Address("Av. Paulista, 1578 - Bela Vista", "São Paulo", "SP", "01310-200", "Brasil")),
    ("Rua Augusta 100, 01305-000 São Paulo - SP, Brazil",
     Address("Rua Augusta 100", "São Paulo", "SP", "01305-000", "Brazil")),
    ("28 City Road, London EC1V 2NX, United Kingdom",
     Address("28 City Road", "London", "", "EC1V 2NX", "United Kingdom")),
    ("10117 Berlin", Address("", "Berlin", "", "10117", "")),
    # unsure: everything stays in the street (a street number is not a postal code)
    ("1201 2nd Ave, Seattle", Address("1201 2nd Ave, Seattle")),
    ("Somewhere 5, Nowhere, Germany", Address("Somewhere 5, Nowhere", country="Germany")),
    ("Germany", Address("Germany")),
    (None, Address()),
])
def test_split_address(text: str | None, expected: Address) -> None:
    assert split_address(text) == expected
