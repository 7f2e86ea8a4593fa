"""Exports: stored contacts -> CSV for Google, Outlook, HubSpot, Salesforce or any spreadsheet.

Every function here is pure: contacts in the public JSON shape (``ContactView.json()``) in,
text out. The text is UTF-8-ready with CRLF rows (RFC 4180); write it with ``newline=""``.

Every format carries the meeting (event, date, topics, promised actions) and the contact's
marketing consent, in the column the CRM imports without a custom mapping where one exists:

=========== ===================================== ========================= ====================
format      meeting                               event                     marketing consent
=========== ===================================== ========================= ====================
google      Notes; first date in Event 1 "Met"    Labels (``:::``-joined)   Custom Field 1, Notes
outlook     Notes                                 Categories (``;``-joined) User 1, Notes
hubspot     Message                               Message                   Notes only (set in
                                                                            HubSpot's import)
salesforce  Description                           Lead Source (first        Email Opt Out (1: said
                                                  event)                    no; empty: not asked)
generic     met_on, event, topics, actions,       event                     marketing_consent
            meetings (all of them)
=========== ===================================== ========================= ====================

Values that have no column of their own in a format (a second mobile number, a third e-mail, a
social profile) go to the notes on an "Also:" line, so an export never drops data.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from ..errors import ConfigError

Contact = Mapping[str, Any]

FORMATS = ("google", "outlook", "hubspot", "salesforce", "generic")
NOT_PROVIDED = "[not provided]"  # what Salesforce itself writes when a required lead field is empty


def _blocks(kind: str, count: int, *fields: str) -> tuple[str, ...]:
    return tuple(f"{kind} {i} - {field}" for i in range(1, count + 1) for field in fields)


# Google's current ("- Label") export header; repeatable blocks are numbered as Google numbers them.
GOOGLE_EMAILS, GOOGLE_PHONES, GOOGLE_WEBSITES = 2, 4, 3
GOOGLE_COLUMNS = (
    "First Name", "Middle Name", "Last Name", "Phonetic First Name", "Phonetic Middle Name",
    "Phonetic Last Name", "Name Prefix", "Name Suffix", "Nickname", "File As",
    "Organization Name", "Organization Title", "Organization Department", "Birthday", "Notes",
    "Photo", "Labels",
    *_blocks("E-mail", GOOGLE_EMAILS, "Label", "Value"),
    *_blocks("Phone", GOOGLE_PHONES, "Label", "Value"),
    *_blocks("Address", 1, "Label", "Formatted", "Street", "City", "PO Box", "Region",
             "Postal Code", "Country", "Extended Address"),
    *_blocks("Website", GOOGLE_WEBSITES, "Label", "Value"),
    *_blocks("Event", 1, "Label", "Value"),
    *_blocks("Custom Field", 1, "Label", "Value"),
)
# Desktop Outlook's own export (File > Open & Export > Import/Export > Comma Separated Values),
# all 92 columns in its order: the sample file of Microsoft's "Create or edit .csv files to
# import into Outlook". Outlook maps a column automatically only when its name matches exactly.
OUTLOOK_COLUMNS = (
    "Title", "First Name", "Middle Name", "Last Name", "Suffix", "Company", "Department",
    "Job Title", "Business Street", "Business Street 2", "Business Street 3", "Business City",
    "Business State", "Business Postal Code", "Business Country/Region", "Home Street",
    "Home Street 2", "Home Street 3", "Home City", "Home State", "Home Postal Code",
    "Home Country/Region", "Other Street", "Other Street 2", "Other Street 3", "Other City",
    "Other State", "Other Postal Code", "Other Country/Region", "Assistant's Phone",
    "Business Fax", "Business Phone", "Business Phone 2", "Callback", "Car Phone",
    "Company Main Phone", "Home Fax", "Home Phone", "Home Phone 2", "ISDN", "Mobile Phone",
    "Other Fax", "Other Phone", "Pager", "Primary Phone", "Radio Phone", "TTY/TDD Phone",
    "Telex", "Account", "Anniversary", "Assistant's Name", "Billing Information", "Birthday",
    "Business Address PO Box", "Categories", "Children", "Directory Server",
    *(f"E-mail{n} {part}" for n in ("", " 2", " 3") for part in ("Address", "Type",
                                                                  "Display Name")),
    "Gender", "Government ID Number", "Hobby", "Home Address PO Box", "Initials",
    "Internet Free Busy", "Keywords", "Language", "Location", "Manager's Name", "Mileage",
    "Notes", "Office Location", "Organizational ID Number", "Other Address PO Box", "Priority",
    "Private", "Profession", "Referred By", "Sensitivity", "Spouse", "User 1", "User 2",
    "User 3", "User 4", "Web Page",
)
# How to say the name: Outlook's phonetic ("Yomi") fields, by the names Outlook.com's own export
# gives them; written after the 92 (desktop Outlook offers them to map by hand).
OUTLOOK_YOMI = ("Given Yomi", "Surname Yomi")
# HubSpot's default contact properties, by label (its import maps a column to the property of
# the same label by itself; knowledge base "HubSpot's default contact properties"). The
# meeting goes to "Message", a default multi-line property. Marketing consent is left out:
# HubSpot sets it in the import itself ("Set contacts as marketing contacts").
HUBSPOT_COLUMNS = (
    "First Name", "Last Name", "Email", "Phone Number", "Mobile Phone Number", "Fax Number",
    "Job Title", "Company Name", "Website URL", "Street Address", "City", "State/Region",
    "Postal Code", "Country/Region", "Message",
)
# Salesforce's Data Import Wizard maps lead columns by the fields' labels (Object Reference,
# Lead): "Email Opt Out" is 1 only for a contact who said no, empty when nobody asked.
SALESFORCE_COLUMNS = (
    "First Name", "Last Name", "Company", "Title", "Email", "Phone", "Mobile", "Fax", "Street",
    "City", "State/Province", "Zip/Postal Code", "Country", "Website", "Description",
    "Lead Source", "Email Opt Out",
)
GENERIC_COLUMNS = (
    "id", "name", "given_name", "family_name", "middle_name", "name_prefix", "name_suffix",
    "title", "department", "company", "work_phone", "mobile_phone", "fax", "other_phones",
    "emails", "website", "social", "address", "street", "city", "region", "postal_code",
    "country", "met_on", "event", "topics", "actions", "meetings", "priority",
    "next_follow_up_due", "next_follow_up_channel", "marketing_consent", "reviewed", "review",
)

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_E164 = r"\+\d{1,15}"
_E164_LIST = re.compile(rf"{_E164}(?:;{_E164})*")
_GOOGLE_PHONE = {"work": "Work", "mobile": "Mobile", "fax": "Work Fax", "other": "Other"}
_OUTLOOK_PHONES = {"work": ("Business Phone", "Business Phone 2"), "mobile": ("Mobile Phone",),
                   "fax": ("Business Fax", "Other Fax"), "other": ("Other Phone",)}
_OUTLOOK_EMAILS = ("", " 2", " 3")  # E-mail{n} Address / Type / Display Name
_HUBSPOT_PHONES = {"work": ("Phone Number",), "mobile": ("Mobile Phone Number",),
                   "fax": ("Fax Number",), "other": ("Phone Number",)}
_SALESFORCE_PHONES = {"work": ("Phone",), "mobile": ("Mobile",), "fax": ("Fax",),
                      "other": ("Phone",)}


# --- addresses ------------------------------------------------------------------------------

class Address(NamedTuple):
    street: str = ""
    city: str = ""
    region: str = ""
    postal_code: str = ""
    country: str = ""


_COUNTRIES = frozenset(name.casefold() for name in (
    "Germany", "Deutschland", "Austria", "Österreich", "Switzerland", "Schweiz", "Suisse",
    "France", "Spain", "España", "Italy", "Italia", "Portugal", "Netherlands", "Nederland",
    "Belgium", "Belgique", "België", "Ireland", "United Kingdom", "UK", "Great Britain",
    "England", "Scotland", "USA", "U.S.A.", "US", "United States", "United States of America",
    "Canada", "Mexico", "México", "Brazil", "Brasil", "Argentina", "Poland", "Polska", "Sweden",
    "Denmark", "Norway", "Finland", "Australia", "Japan", "India", "China", "Singapore",
))
_UK_CODE = r"[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}"
_REGION = r"(?:\s*-\s*|\s+\(|\s+)(?P<region>[A-Z]{2})\)?"  # "São Paulo - SP", "Roma (RM)"
_POSTAL_PARTS = (
    # US: "New York NY 10118", or "NY 10118" after a "New York" part
    re.compile(r"(?:(?P<city>[^\d]+?)\s+)?(?P<region>[A-Z]{2})\s+(?P<code>\d{5}(?:-\d{4})?)"),
    # DE FR ES IT AT CH BR...: "10117 Berlin", "01310-100 São Paulo - SP"
    re.compile(rf"(?P<code>\d{{5}}-\d{{3}}|\d{{4,5}})\s+(?P<city>[^\d]+?)(?:{_REGION})?"),
    # UK: "London EC1V 2NX"
    re.compile(rf"(?P<city>[^\d]+?)\s+(?P<code>{_UK_CODE})"),
    # a code on its own after a "City" or "City - ST" part: "São Paulo - SP, 01310-200"
    re.compile(rf"(?:CEP:?\s*)?(?P<code>\d{{5}}-\d{{3}}|\d{{5}}(?:-\d{{4}})?|{_UK_CODE})"),
)
_CITY_REGION = re.compile(rf"(?P<city>.+?){_REGION}")


def split_address(text: str | None) -> Address:
    """Split one printed address ("Friedrichstraße 123, 10117 Berlin, Germany") into parts.

    The part with a postal code (US ZIP after a state, a European or Brazilian code before the
    city, a UK postcode after it, or a code on its own after the city) ends the street; a known
    country name at the end is the country. When no part looks like one, everything but the
    country stays in ``street``: a wrong split is worse than none.
    """
    parts = [p.strip() for p in (text or "").split(",") if p.strip()]
    country = parts.pop() if len(parts) > 1 and parts[-1].casefold() in _COUNTRIES else ""
    first = 1 if len(parts) > 1 else 0  # the first part of several is the street
    for i in reversed(range(first, len(parts))):
        match = next((m for p in _POSTAL_PARTS if (m := p.fullmatch(parts[i]))), None)
        if match:
            found = match.groupdict()
            street, city, region = parts[:i], found.get("city"), found.get("region")
            if not city and street:
                city, region = _city_region(street.pop(), region)
            return Address(", ".join(street), city or "", region or "", found["code"], country)
    return Address(", ".join(parts), country=country)


def _city_region(part: str, region: str | None) -> tuple[str, str | None]:
    match = _CITY_REGION.fullmatch(part)
    if match and not region:
        return match["city"], match["region"]
    return part, region


# --- what every format shares ---------------------------------------------------------------

def meetings(contact: Contact) -> list[dict[str, Any]]:
    """The contact's meetings, oldest first; the top-level fields are the one meeting if the
    contact has no ``meetings`` list."""
    found = contact.get("meetings") or [{k: contact.get(k) for k in
                                          ("met_on", "event", "topics", "actions")}]
    return [m for m in found if any(m.get(k) for k in ("met_on", "event", "topics", "actions"))]


def events(contact: Contact) -> list[str]:
    """Every event the contact was met at, oldest first, each once."""
    return list(dict.fromkeys(m["event"] for m in meetings(contact) if m.get("event")))


def consent(contact: Contact) -> bool:
    """Did the contact agree to marketing? Absent means no."""
    return bool(contact.get("marketing_consent", False))


def contact_notes(contact: Contact, *, also: str | None = None) -> str:
    """The notes text: how to say the name, one line per meeting, priority, marketing consent,
    then ``also``."""
    lines = [f"Pronunciation: {contact['pronunciation']}"] if contact.get("pronunciation") else []
    lines += [_meeting_line(m) for m in meetings(contact)]
    if contact.get("priority") == "high":
        lines.append("Priority: high")
    lines.append(f"Marketing consent: {_yes_no(consent(contact))}")
    return "\n".join([*lines, *([also] if also else [])])


def _meeting_line(m: Mapping[str, Any]) -> str:
    head = "Met" + (f" on {m['met_on']}" if m.get("met_on") else "") + (
        f" at {m['event']}" if m.get("event") else "")
    parts = [head if head != "Met" else "", _listed("Topics", m.get("topics")),
             _listed("Promised", m.get("actions"))]
    return ". ".join(p for p in parts if p)


def _listed(label: str, items: Sequence[str] | None) -> str:
    return f"{label}: {'; '.join(items)}" if items else ""


def _also(phones: Sequence[Mapping[str, str]], emails: Sequence[str], urls: Sequence[str]
          ) -> str | None:
    """The values a format had no column left for, as one notes line."""
    items = ([f"{p['type']} phone {p['number']}" for p in phones]
             + [f"e-mail {e}" for e in emails] + [f"web {u}" for u in urls])
    return "Also: " + "; ".join(items) if items else None


def _names(contact: Contact) -> tuple[str | None, str | None]:
    """(given, family); a name that was not split goes to given."""
    given, family = contact.get("given_name"), contact.get("family_name")
    return (given, family) if given or family else (contact.get("name"), None)


def phonetic(contact: Contact) -> tuple[str | None, str | None]:
    """The pronunciation hint as (given, family) when it splits as the name does: as many
    words as the name ("zo-AY leh-FEV" for "Zoé Lefèvre"), the family name's share last;
    else (None, None) (the hint is then only in the notes)."""
    hint = (contact.get("pronunciation") or "").split()
    given, family = contact.get("given_name"), contact.get("family_name")
    if not hint or not given or not family:
        return None, None
    tail = len(family.split())
    if len(hint) != len(given.split()) + tail:
        return None, None
    return " ".join(hint[:-tail]), " ".join(hint[-tail:])


def _typed_phones(phones: Sequence[Mapping[str, str]], columns: Mapping[str, Sequence[str]]
                  ) -> tuple[dict[str, str], list[Mapping[str, str]]]:
    """Each phone in the first free column for its type; the ones that do not fit come back."""
    row: dict[str, str] = {}
    rest = []
    for phone in phones:
        column = next((c for c in columns.get(phone["type"], ()) if c not in row), None)
        if column:
            row[column] = phone["number"]
        else:
            rest.append(phone)
    return row, rest


def _numbered(kind: str, pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    row = {}
    for i, (label, value) in enumerate(pairs, 1):
        row[f"{kind} {i} - Label"], row[f"{kind} {i} - Value"] = label, value
    return row


def _yes_no(flag: bool) -> str:
    return "yes" if flag else "no"


# --- one row per format ---------------------------------------------------------------------

def _google_row(c: Contact) -> dict[str, Any]:
    """Google Contacts. Labels joined with " ::: " as Google writes them; the first meeting's
    date is a dated "Met" event; consent is a custom field."""
    given, family = _names(c)
    phones, emails = c["phones"], c["emails"]
    sites = ([("Work", c["website"])] if c.get("website") else []) + [
        ("Profile", s) for s in c.get("social") or []]
    first_met = next((m["met_on"] for m in meetings(c) if m.get("met_on")), None)
    also = _also(phones[GOOGLE_PHONES:], emails[GOOGLE_EMAILS:],
                 [u for _, u in sites[GOOGLE_WEBSITES:]])
    say_given, say_family = phonetic(c)
    return {
        "First Name": given, "Middle Name": c.get("middle_name"), "Last Name": family,
        "Phonetic First Name": say_given, "Phonetic Last Name": say_family,
        "Name Prefix": c.get("name_prefix"), "Name Suffix": c.get("name_suffix"),
        "Organization Name": c.get("company"), "Organization Title": c.get("title"),
        "Organization Department": c.get("department"), "Notes": contact_notes(c, also=also),
        "Labels": " ::: ".join(["* myContacts", *events(c)]),
        **_numbered("E-mail", [("Work", e) for e in emails[:GOOGLE_EMAILS]]),
        **_numbered("Phone", [(_GOOGLE_PHONE.get(p["type"], "Other"), p["number"])
                              for p in phones[:GOOGLE_PHONES]]),
        **_google_address(c.get("address")),
        **_numbered("Website", sites[:GOOGLE_WEBSITES]),
        **_numbered("Event", [("Met", first_met)] if first_met else []),
        **_numbered("Custom Field", [("Marketing consent", _yes_no(consent(c)))]),
    }


def _google_address(text: str | None) -> dict[str, str]:
    if not text:
        return {}
    a = split_address(text)
    return {"Address 1 - Label": "Work", "Address 1 - Formatted": text,
            "Address 1 - Street": a.street, "Address 1 - City": a.city,
            "Address 1 - Region": a.region, "Address 1 - Postal Code": a.postal_code,
            "Address 1 - Country": a.country}


def _outlook_row(c: Contact) -> dict[str, Any]:
    """Desktop Outlook. Events are Categories; consent is in User 1 and the notes."""
    given, family = _names(c)
    phones, more_phones = _typed_phones(c["phones"], _OUTLOOK_PHONES)
    a = split_address(c.get("address"))
    emails = c["emails"]
    shown = c.get("name") or c.get("company")
    mail: dict[str, Any] = {}
    for n, address in zip(_OUTLOOK_EMAILS, emails[:3], strict=False):
        mail |= {f"E-mail{n} Address": address, f"E-mail{n} Type": "SMTP",
                 f"E-mail{n} Display Name": f"{shown} ({address})" if shown else address}
    return {
        "First Name": given, "Middle Name": c.get("middle_name"), "Last Name": family,
        "Title": c.get("name_prefix"), "Suffix": c.get("name_suffix"),
        "Web Page": c.get("website"),
        "Notes": contact_notes(c, also=_also(more_phones, emails[3:], c.get("social") or [])),
        **mail, **phones, "Company": c.get("company"), "Job Title": c.get("title"),
        "Department": c.get("department"), "Business Street": a.street,
        "Business City": a.city, "Business State": a.region,
        "Business Postal Code": a.postal_code, "Business Country/Region": a.country,
        "User 1": f"Marketing consent: {_yes_no(consent(c))}",
        "Categories": ";".join(events(c)),
        **dict(zip(OUTLOOK_YOMI, phonetic(c), strict=True)),
    }


def _hubspot_row(c: Contact) -> dict[str, Any]:
    """HubSpot. Email is HubSpot's dedupe key; a contact without one is always created anew."""
    given, family = _names(c)
    phones, more_phones = _typed_phones(c["phones"], _HUBSPOT_PHONES)
    a = split_address(c.get("address"))
    emails = c["emails"]
    return {
        "First Name": _with_middle(given, c), "Last Name": family,
        "Email": emails[0] if emails else None, **phones, "Job Title": c.get("title"),
        "Company Name": c.get("company"), "Website URL": c.get("website"),
        "Street Address": a.street, "City": a.city, "State/Region": a.region,
        "Postal Code": a.postal_code, "Country/Region": a.country,
        "Message": contact_notes(c, also=_also(more_phones, emails[1:],
                                               c.get("social") or [])),
    }


def _salesforce_row(c: Contact) -> dict[str, Any]:
    """Salesforce lead (Data Import Wizard labels). Last Name and Company are required, so an
    empty one is "[not provided]"; Lead Source is the event of the first meeting (a picklist:
    a restricted one needs the event added as a value first); Email Opt Out is 1 only when
    the contact said no to marketing (never asked is not a refusal: left empty)."""
    given, family = _names(c)
    if not family:  # Salesforce needs a last name: put the whole name there
        given, family = None, c.get("name") or given
    phones, more_phones = _typed_phones(c["phones"], _SALESFORCE_PHONES)
    a = split_address(c.get("address"))
    emails = c["emails"]
    refused = c.get("marketing_consent_asked") and not consent(c)
    return {
        "First Name": _with_middle(given, c), "Last Name": family or NOT_PROVIDED,
        "Company": c.get("company") or NOT_PROVIDED, "Title": c.get("title"),
        "Email": emails[0] if emails else None, **phones, "Street": a.street, "City": a.city,
        "State/Province": a.region, "Zip/Postal Code": a.postal_code, "Country": a.country,
        "Website": c.get("website"),
        "Description": contact_notes(c, also=_also(more_phones, emails[1:],
                                                   c.get("social") or [])),
        "Lead Source": next(iter(events(c)), "Business card"),
        "Email Opt Out": "1" if refused else ("0" if consent(c) else ""),
    }


def _with_middle(given: str | None, c: Contact) -> str | None:
    return " ".join(filter(None, (given, c.get("middle_name")))) or None


def _generic_row(c: Contact) -> dict[str, Any]:
    """Every field cardscan has, one physical line per contact; several values in one cell are
    joined with "; " (phones with ";", so the cell stays a list of E.164 numbers), meetings with
    " | "."""
    by_type: dict[str, list[str]] = {}
    for phone in c["phones"]:
        by_type.setdefault(phone["type"], []).append(phone["number"])
    a = split_address(c.get("address"))
    follow_up = c.get("next_follow_up") or {}
    return {
        **{k: c.get(k) for k in ("id", "name", "name_prefix", "given_name", "middle_name",
                                  "family_name", "name_suffix", "title", "department",
                                  "company", "website", "address", "met_on", "event",
                                  "priority")},
        "work_phone": ";".join(by_type.get("work", [])),
        "mobile_phone": ";".join(by_type.get("mobile", [])),
        "fax": ";".join(by_type.get("fax", [])),
        "other_phones": ";".join(by_type.get("other", [])),
        "emails": "; ".join(c["emails"]), "social": "; ".join(c.get("social") or []),
        **a._asdict(), "topics": "; ".join(c.get("topics") or []),
        "actions": "; ".join(c.get("actions") or []),
        "meetings": " | ".join(_meeting_line(m) for m in meetings(c)),
        "next_follow_up_due": follow_up.get("due"),
        "next_follow_up_channel": follow_up.get("channel"),
        "marketing_consent": _yes_no(consent(c)), "reviewed": _yes_no(bool(c.get("reviewed"))),
        "review": "; ".join(c.get("review") or []),
    }


_FORMATS: dict[str, tuple[tuple[str, ...], Callable[[Contact], dict[str, Any]]]] = {
    "google": (GOOGLE_COLUMNS, _google_row),
    "outlook": (OUTLOOK_COLUMNS + OUTLOOK_YOMI, _outlook_row),
    "hubspot": (HUBSPOT_COLUMNS, _hubspot_row),
    "salesforce": (SALESFORCE_COLUMNS, _salesforce_row),
    "generic": (GENERIC_COLUMNS, _generic_row),
}


# --- which contacts ---------------------------------------------------------------------------

def select(contacts: Iterable[Contact], *, event: str | None = None,
           since: dt.date | None = None, reviewed_only: bool = False,
           leave_out: Collection[int] = ()) -> list[Contact]:
    """The contacts met at ``event`` (any of their meetings), stored or met on or after
    ``since``, confirmed by a person (``reviewed_only``), and not in ``leave_out``."""
    chosen = []
    for c in contacts:
        if c["id"] in leave_out or (reviewed_only and not c.get("reviewed")):
            continue
        if event is not None and event.casefold() not in {e.casefold() for e in events(c)}:
            continue
        if since is not None:
            dates = [m["met_on"] for m in meetings(c) if m.get("met_on")]
            dates += [c["created_at"][:10]] if c.get("created_at") else []
            if not any(d >= since.isoformat() for d in dates):
                continue
        chosen.append(c)
    return chosen


# --- CSV --------------------------------------------------------------------------------------

def to_csv(contacts: Iterable[Contact], fmt: str, *, excel: bool = False) -> str:
    """One header row and one row per contact in ``fmt`` (one of FORMATS), every row with every
    column. ``excel=True`` starts the text with a BOM so Excel reads it as UTF-8."""
    if fmt not in _FORMATS:
        raise ConfigError(f"unknown export format {fmt!r}: choose one of {', '.join(FORMATS)}")
    columns, make_row = _FORMATS[fmt]
    return _csv(columns, map(make_row, contacts), excel=excel)


def _csv(columns: Sequence[str], rows: Iterable[Mapping[str, Any]], *, excel: bool) -> str:
    out = io.StringIO()
    if excel:
        out.write("\ufeff")
    # extrasaction="raise": a row key that is not a column is a bug here, never silently dropped
    writer = csv.DictWriter(out, columns, lineterminator="\r\n", extrasaction="raise")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(v) for k, v in row.items()})
    return out.getvalue()


def generic_csv(contacts: Iterable[Contact], tasks: Iterable[Mapping[str, Any]] = ()) -> str:
    """The generic CSV; ``tasks`` (sorted by due date) fill in ``next_follow_up`` for contacts
    that lack it. Kept for callers written before contacts carried their next follow-up."""
    first: dict[int, dict[str, Any]] = {}
    for task in tasks:
        first.setdefault(task["contact_id"], {"due": task["due_on"],
                                              "channel": task.get("channel")})
    return to_csv([c if c.get("next_follow_up") else {**c, "next_follow_up": first.get(c["id"])}
                   for c in contacts], "generic")


def _cell(value: Any) -> str:
    """Text for one cell; text a spreadsheet would run as a formula gets a leading apostrophe.

    Validated E.164 numbers ("+" and digits, several joined by ";") are kept as they are: they
    hold no letters, so no function name or cell reference, and cannot run as a formula, while an
    apostrophe would break the number in every CRM that imports it.
    """
    if value is None:
        return ""
    text = str(value)
    if text.startswith(_FORMULA_START) and not _E164_LIST.fullmatch(text):
        return "'" + text
    return text


def is_e164(number: str) -> bool:
    """Is this one E.164 number as cardscan stores it ("+" and up to 15 digits)?"""
    return re.fullmatch(_E164, number) is not None


# Address labels for handwritten notes: one row per "letter" touch (a mail merge or a label
# printer reads the columns by name).
LABEL_COLUMNS = ("Name", "Company", "Street", "City", "Region", "Postal Code", "Country",
                 "Address", "Message", "Due", "Task")


def labels_csv(tasks: Iterable[Mapping[str, Any]], *, excel: bool = False) -> str:
    """One label per handwritten-note touch (``TaskView.json()`` of channel "letter"): the
    postal address from the card, split for a label, and the few lines to write."""
    rows = []
    for task in tasks:
        if task["channel"] != "letter":
            continue
        a = split_address(task.get("address"))
        rows.append({
            "Name": task.get("contact_name"), "Company": task.get("company"),
            "Street": a.street, "City": a.city, "Region": a.region,
            "Postal Code": a.postal_code, "Country": a.country,
            "Address": task.get("address"), "Message": task.get("draft"),
            "Due": task.get("due"), "Task": task.get("id")})
    return _csv(LABEL_COLUMNS, rows, excel=excel)
