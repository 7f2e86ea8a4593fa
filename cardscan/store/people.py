"""The one same-person rule: which stored contacts a card (or another contact) may belong to.

A card is merged into a stored contact (``same_person``) when they share an e-mail or a phone
and their names agree, or share name and company. The review page shows every look-alike
(``matches``), names agreeing or not, so a person can decide about a shared ``info@``.
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher

from sqlalchemy import func, or_, select
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
    reasons: dict[int, list[str]] = {}
    if c.emails:
        for contact_id, address in s.execute(select(EmailRow.contact_id, EmailRow.address).where(
                func.lower(EmailRow.address).in_([e.lower() for e in c.emails]))):
            reasons.setdefault(contact_id, []).append(f"same e-mail {address.casefold()}")
    if c.phones:
        for contact_id, number in s.execute(select(PhoneRow.contact_id, PhoneRow.number).where(
                PhoneRow.number.in_([p.number for p in c.phones]))):
            reasons.setdefault(contact_id, []).append(f"same phone {number}")
    if c.name and c.company:
        # Narrowed in SQL (the same family name, name or company, any case), compared folded
        # (accents, punctuation, spacing) here.
        narrow = [func.lower(ContactRow.name) == c.name.lower(),
                  func.lower(ContactRow.company) == c.company.lower()]
        if c.family_name:
            narrow.append(func.lower(ContactRow.family_name) == c.family_name.lower())
        for row in s.scalars(select(ContactRow).where(or_(*narrow))):
            if folded(row.name) == folded(c.name) and folded(row.company) == folded(c.company):
                reasons.setdefault(row.id, []).append("same name and company")
    reasons.pop(exclude, None)  # type: ignore[arg-type]
    found = []
    for contact_id, why in reasons.items():
        other = s.get(ContactRow, contact_id)
        if other is not None and other.deleted_at is None:  # the trash is left out
            found.append(Match(contact_id, other.name, other.company,
                               tuple(dict.fromkeys(why)), same_name(c.name, other.name)))
    return found


def same_person(s: Session, c: ContactFields) -> ContactRow | None:
    """The stored contact this card belongs to, if any (see the module's rule)."""
    for match in matches(s, c):
        if match.is_same_person:
            return s.get(ContactRow, match.contact_id)
    return None
