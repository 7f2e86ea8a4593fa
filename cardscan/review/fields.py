"""What a person may type into a card: which fields, and each value cleaned as cardscan stores
it (E.164 phones, normalised e-mails, ISO dates) or refused with the reason. Pure functions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ..errors import CardscanError, ExitCode
from ..parse.emails import normalise as normalise_email
from ..parse.phones import normalise_phone

TEXT_FIELDS = ("name", "given_name", "family_name", "title", "department", "company",
               "website", "address", "pronunciation")
LIST_FIELDS = ("phones", "emails")
NOTE_FIELDS = ("met_on", "event", "topics", "actions", "priority")
FIELDS = TEXT_FIELDS + LIST_FIELDS + NOTE_FIELDS
PHONE_TYPES = ("work", "mobile", "fax", "other")
PRIORITIES = ("normal", "high")


class InvalidChanges(CardscanError):
    """Values a person typed that cannot be stored; ``errors`` maps each field to the reason.
    Nothing is saved when this is raised."""

    exit_code = ExitCode.USAGE

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.errors.items()))


def clean(changes: Mapping[str, Any], *, region: str, has_note: bool) -> dict[str, Any]:
    """The values as they would be stored, or InvalidChanges naming every bad one."""
    cleaners: dict[str, Callable[[Any], Any]] = {
        **dict.fromkeys(TEXT_FIELDS, one_line), "event": one_line,
        "phones": lambda v: _phones(v, region), "emails": _emails,
        "topics": _items, "actions": _items, "met_on": iso_date, "priority": _priority}
    out, errors = {}, {}
    for field, value in changes.items():
        if field in NOTE_FIELDS and not has_note:
            errors[field] = "this contact has no meeting to correct"
            continue
        try:
            out[field] = cleaners[field](value)
        except ValueError as e:
            errors[field] = str(e)
    if errors:
        raise InvalidChanges(errors)
    return out


def one_line(value: Any) -> str | None:
    """Text with its whitespace collapsed; None when nothing is left."""
    text = " ".join(str(value or "").split())
    return text or None


def _items(value: Iterable[str] | str) -> list[str]:
    items = value.splitlines() if isinstance(value, str) else list(value)
    return [text for item in items if (text := one_line(item))]


def iso_date(value: Any) -> str:
    """A YYYY-MM-DD date as the date input sends it; ValueError otherwise."""
    text = str(value or "").strip()
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise ValueError(f"{text!r} is not a date like 2026-11-14") from None


def _priority(value: Any) -> str:
    if value not in PRIORITIES:
        raise ValueError(f"priority is one of {', '.join(PRIORITIES)}")
    return str(value)


def _emails(values: Iterable[str]) -> list[str]:
    out = []
    for text in _items(values):
        email = normalise_email(text)
        if email is None:
            raise ValueError(f"{text!r} is not an e-mail address")
        if email not in out:
            out.append(email)
    return out


def _phones(values: Iterable[Mapping[str, str]], region: str) -> list[dict[str, Any]]:
    """Each phone as stored: E.164 number, type, what the person typed, extension."""
    out: list[dict[str, Any]] = []
    for phone in values:
        raw = one_line(phone.get("number"))
        if raw is None:
            continue
        kind = phone.get("type") or "work"
        if kind not in PHONE_TYPES:
            raise ValueError(f"phone type is one of {', '.join(PHONE_TYPES)}")
        number, extension = normalise_phone(raw, region)
        if all(p["number"] != number for p in out):
            out.append({"number": number, "type": kind, "raw": raw, "extension": extension})
    return out


def public(field: str, value: Any) -> Any:
    """A value in the public JSON shape (phones as number and type), as corrections keep it."""
    if field == "phones":
        return [{"number": p["number"], "type": p["type"]} for p in value]
    return value
