"""Exports: stored contacts -> CSV a spreadsheet or CRM can import."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

GENERIC_COLUMNS = (
    "id", "name", "given_name", "family_name", "title", "company", "work_phone", "mobile_phone",
    "fax", "other_phones", "emails", "website", "address", "met_on", "event", "topics",
    "actions", "priority", "next_follow_up", "reviewed",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def generic_csv(contacts: Iterable[dict[str, Any]], tasks: Iterable[dict[str, Any]]) -> str:
    """Every field cardscan has, one row per contact, ready for any spreadsheet."""
    next_due: dict[int, str] = {}
    for task in tasks:  # tasks come sorted by due date: the first one per contact is the next
        next_due.setdefault(task["contact_id"], task["due_on"])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(GENERIC_COLUMNS)
    for c in contacts:
        writer.writerow([_cell(v) for v in _generic_row(c, next_due.get(c["id"]))])
    return out.getvalue()


def _generic_row(c: dict[str, Any], next_due: str | None) -> list[Any]:
    by_type: dict[str, list[str]] = {}
    for phone in c["phones"]:
        by_type.setdefault(phone["type"], []).append(phone["number"])
    return [
        c["id"], c["name"], c["given_name"], c["family_name"], c["title"], c["company"],
        _phone(by_type.get("work")), _phone(by_type.get("mobile")), _phone(by_type.get("fax")),
        _phone(by_type.get("other")),
        "; ".join(c["emails"]), c["website"], c["address"], c["met_on"], c["event"],
        "; ".join(c["topics"]), "; ".join(c["actions"]), c["priority"], next_due,
        "yes" if c.get("reviewed") else "no",
    ]


def _phone(numbers: list[str] | None) -> str:
    # E.164 numbers we validated ("+" and digits only) cannot carry a formula: keep them as is.
    return ";".join(numbers or [])


def _cell(value: Any) -> str:
    """Text for one cell; text that a spreadsheet would run as a formula is neutralised."""
    if value is None:
        return ""
    text = str(value)
    if text.startswith(_FORMULA_START) and not _is_e164_list(text):
        return "'" + text
    return text


def _is_e164_list(text: str) -> bool:
    return all(p.startswith("+") and p[1:].isdigit() for p in text.split(";"))
