"""Personal names with nameparser: given/family split, honorifics and credentials set apart."""

from __future__ import annotations

from dataclasses import dataclass

from nameparser import HumanName


@dataclass(frozen=True)
class Name:
    full: str  # given + middle + family, as a person would write it
    given: str | None
    family: str | None


def split_name(text: str) -> Name:
    """Split a printed name; ALL-CAPS names get sensible case (the raw text is kept elsewhere)."""
    human = HumanName(text)
    if text.isupper() or text.islower():
        human.capitalize(force=True)
    parts = [human.first, human.middle, human.last]
    full = " ".join(p for p in parts if p) or text
    return Name(full=full, given=human.first or None, family=human.last or None)


_PARTICLES = frozenset({"van", "von", "der", "den", "de", "da", "das", "dos", "do", "du", "di",
                        "del", "della", "la", "le", "ter", "ten", "bin", "al", "el", "y", "e"})


def looks_like_name(text: str) -> bool:
    """Two to five alphabetic words, each capitalised (or all caps) but for particles (van, de)."""
    human = HumanName(text)
    core = [p for p in (human.first, human.middle, human.last) if p]
    words = " ".join(core).replace("-", " ").replace("'", "").split()
    fewest = 1 if human.title else 2  # "Dr. Carson" is a name; "Carson" alone is not
    if not fewest <= len(words) <= 5:
        return False
    return all((w[0].isupper() or w in _PARTICLES) and w.rstrip(".").isalpha() for w in words)
