"""The one same-person rule: which stored contacts a card (or another contact) may belong to.

A card is merged into a stored contact (``same_person``) when they share an e-mail or a phone
and their names agree, or share name and company. The review page shows every look-alike
(``matches``), names agreeing or not, so a person can decide about a shared ``info@``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from sqlalchemy import bindparam, func, literal_column, or_, select, union_all
from sqlalchemy.orm import Session

from ..model import ContactFields
from ..parse.lines import fold
from .schema import ContactRow, EmailRow, PhoneRow


def folded(text: str | None) -> str:
    """Case-, accent- and punctuation-free: OCR of two captures of a card differs there."""
    return " ".join(fold(text or "").replace(",", " ").replace(".", " ").split())


def same_name(a: str | None, b: str | None) -> bool:
    """Two readings of one name (or an unknown one): "Zoé Lefévre" / "Zoe Lefevre"."""
    return not a or not b or SequenceMatcher(None, folded(a), folded(b)).ratio() >= 0.8


@dataclass(frozen=True)
class Match:
    contact_id: int
    name: str | None
    company: str | None
    reasons: tuple[str, ...]  # "same e-mail x", "same phone +1...", "same name and company"
    names_agree: bool

    @property
    def is_same_person(self) -> bool:
        """Enough to merge: a shared address or number under the same name, or the same name
        at the same company. A switchboard or info@ shared by two names is not."""
        return self.names_agree or "same name and company" in self.reasons


def matches(s: Session, c: ContactFields, *, exclude: int | None = None) -> list[Match]:
    """Stored contacts sharing an e-mail, a phone, or the name and company with ``c``: those
    found by e-mail first, then by phone, then by name and company."""
    both = bool(c.name and c.company)
    if not (c.emails or c.phones or both):
        return []
    query = _lookup(bool(c.emails), bool(c.phones), both, both and bool(c.family_name))
    reasons: dict[int, list[str]] = {}
    people: dict[int, tuple[str | None, str | None]] = {}
    s.flush()  # on the connection, not through the ORM: what the session holds goes first
    for way, value, contact_id, name, company in s.connection().execute(query, {
            "emails": [e.lower() for e in c.emails], "phones": [p.number for p in c.phones],
            "name": (c.name or "").lower(), "company": (c.company or "").lower(),
            "family": (c.family_name or "").lower()}):
        if way == 0:
            reasons.setdefault(contact_id, []).append(f"same e-mail {value.casefold()}")
        elif way == 1:
            reasons.setdefault(contact_id, []).append(f"same phone {value}")
        elif folded(name) == folded(c.name) and folded(company) == folded(c.company):
            reasons.setdefault(contact_id, []).append("same name and company")
        people[contact_id] = name, company
    reasons.pop(exclude, None)  # type: ignore[arg-type]
    return [Match(contact_id, *people[contact_id], tuple(dict.fromkeys(why)),
                  same_name(c.name, people[contact_id][0]))
            for contact_id, why in reasons.items()]


@functools.cache
def _lookup(emails: bool, phones: bool, name_and_company: bool, family: bool) -> Any:
    """One query for the ways a card may be found (each by its own index), built once per
    kind of card: the batch parent asks it of every card, and building the statement each
    time cost more than running it (0.44 ms a card; the time 2 workers wait on)."""
    ways: list[Any] = []
    if emails:
        ways.append(_found_by(0, EmailRow.address, EmailRow.contact_id).where(
            func.lower(EmailRow.address).in_(bindparam("emails", expanding=True))))
    if phones:
        ways.append(_found_by(1, PhoneRow.number, PhoneRow.contact_id).where(
            PhoneRow.number.in_(bindparam("phones", expanding=True))))
    if name_and_company:
        # Narrowed in SQL (the same family name, name or company, any case), compared folded
        # (accents, punctuation, spacing) here.
        narrow = [func.lower(ContactRow.name) == bindparam("name"),
                  func.lower(ContactRow.company) == bindparam("company")]
        if family:
            narrow.append(func.lower(ContactRow.family_name) == bindparam("family"))
        ways.append(_found_by(2, ContactRow.name, ContactRow.id).where(or_(*narrow)))
    found: Any = union_all(*ways) if len(ways) > 1 else ways[0]
    return found.order_by("way", "contact_id")


def _found_by(way: int, value: Any, contact_id: Any) -> Any:
    """A select of (way, the value found, contact id, name, company) of the contacts not in
    the trash."""
    query = select(literal_column(str(way)).label("way"), value.label("value"),
                   ContactRow.id.label("contact_id"), ContactRow.name, ContactRow.company)
    if contact_id is not ContactRow.id:
        query = query.join(ContactRow, ContactRow.id == contact_id)
    return query.where(ContactRow.deleted_at.is_(None))


def same_person(s: Session, c: ContactFields) -> ContactRow | None:
    """The stored contact this card belongs to, if any (see the module's rule)."""
    for match in matches(s, c):
        if match.is_same_person:
            return s.get(ContactRow, match.contact_id)
    return None
