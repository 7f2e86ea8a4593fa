"""Finding contacts: each contact keeps one search text, folded (any case, no accents, so
"lefevre" finds "Lefèvre" and "zoe" finds "Zoé" on SQLite and PostgreSQL alike) from its
name, company, title, department, website, address, pronunciation, e-mails, phone digits and
its meetings' events, topics, actions and note text. It is written with the contact
(``Transaction.rerank``), so a search is one LIKE per word on one column."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from sqlalchemy import exists

from ..parse.lines import fold
from .schema import ContactRow, PhoneRow

_PHONE_LIKE = re.compile(r"^[\d\s()+\-./]+$")


def search_text(values: Iterable[str | None], phones: Iterable[str] = ()) -> str:
    """The folded search text of a contact's values (phones as their digits)."""
    words = [fold(v) for v in values if v]
    words += [re.sub(r"\D", "", p) for p in phones]
    return " ".join(" ".join(words).split())


def contact_values(contact: Any, emails: Iterable[str],
                   meetings: Iterable[tuple[Any, ...]]) -> list[str | None]:
    """What a contact is found by (phones aside): a ContactRow (or anything with its
    columns), its e-mails, its meetings as (event, text, topics, actions)."""
    values: list[str | None] = [contact.name, contact.company, contact.title,
                                contact.department, contact.website, contact.address,
                                contact.pronunciation, *emails]
    for event, text, topics, actions in meetings:
        values += [event, text, *(topics or ()), *(actions or ())]
    return values


def _like(word: str) -> str:
    """A LIKE pattern that finds ``word`` anywhere, its own % and _ taken literally."""
    return "%" + re.sub(r"([\\%_])", r"\\\1", word) + "%"


def search_conditions(text: str) -> list[Any]:
    """Each word must be found in the contact's search text; a query that is a phone number
    (digits, spaces, + - ( ) . /) finds it by its digits."""
    text = text.strip()
    digits = re.sub(r"\D", "", text)
    if _PHONE_LIKE.match(text) and len(digits) >= 3:
        return [exists().where(PhoneRow.contact_id == ContactRow.id,
                               PhoneRow.number.like(f"%{digits}%"))]
    return [ContactRow.search.like(_like(fold(word)), escape="\\") for word in text.split()]
