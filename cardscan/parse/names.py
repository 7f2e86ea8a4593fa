"""Personal names with nameparser: given/family split, honorifics and credentials set apart.
East Asian names (family name first, Chinese characters or hangul) are split here."""

from __future__ import annotations

import re
from dataclasses import dataclass

from nameparser import HumanName


@dataclass(frozen=True)
class Name:
    full: str  # given + middle + family, as a person would write it
    given: str | None
    family: str | None


def split_name(text: str, *, two_surnames: bool = False) -> Name:
    """Split a printed name; ALL-CAPS names get sensible case (the raw text is kept elsewhere).
    ``two_surnames``: the Spanish custom, where a three-word name is a given name and the
    father's and mother's surnames ("Lucía Fernández Ortega")."""
    if _EAST_ASIAN_RE.fullmatch(text.strip()):
        return _east_asian(text.strip())
    text = without_credentials(text)
    human = HumanName(text)
    if text.isupper() or text.islower():
        human.capitalize(force=True)
    generational = [s for s in human.suffix_list if s.lower().strip(".") in _GENERATIONAL]
    parts = [human.first, human.middle, human.last, *generational]
    full = " ".join(p for p in parts if p) or text
    if human.title and len(full.split()) == 1:
        full = f"{human.title} {full}"  # "Dr. Carson" is how the card names him
    family = human.last
    if two_surnames and len(human.middle.split()) == 1 and human.middle.lower() not in _PARTICLES:
        family = f"{human.middle} {human.last}"
    return Name(full=full, given=human.first or None, family=family or None)


# Degrees and licences written as dotted initials after the name (", B.S.B.A.", ", R.N.,
# B.S.N.", ", Ph.D."): nameparser knows the common ones (PhD, MBA) and reads the rest as the
# first name of a "Family, Given" name.
_CREDENTIALS_RE = re.compile(r"(?:\s*,\s*(?:[A-Z][A-Za-z]{0,3}\.){2,})+\s*$")


def without_credentials(text: str) -> str:
    """The name without dotted credentials after it, when a name of two words or more is
    left."""
    bare = _CREDENTIALS_RE.sub("", text)
    return bare if len(bare.split()) >= 2 else text


# Suffixes that are part of the name (not a degree or an honour): kept in the full name.
_GENERATIONAL = frozenset({"jr", "sr", "ii", "iii", "iv", "junior", "senior", "filho", "neto"})

_PARTICLES = frozenset({"van", "von", "der", "den", "de", "da", "das", "dos", "do", "du", "di",
                        "del", "della", "la", "le", "ter", "ten", "bin", "al", "el", "y", "e"})


# Chinese characters, kana or hangul: two to five of them, at most one space (between the
# family and the given name, as Japanese cards print it).
_EAST_ASIAN_RE = re.compile(r"[\u4e00-\u9fff\u3040-\u30ff\uac00-\ud7af]{1,3}"
                            r"(?:[ \u3000]?[\u4e00-\u9fff\u3040-\u30ff\uac00-\ud7af]{1,3})")


def east_asian_piece(text: str) -> bool:
    """One to three Chinese characters, kana or hangul: a family or a given name alone."""
    return bool(_EAST_ASIAN_PIECE_RE.fullmatch(text.strip()))


_EAST_ASIAN_PIECE_RE = re.compile(r"[\u4e00-\u9fff\u3040-\u30ff\uac00-\ud7af]{1,3}")


def _east_asian(text: str) -> Name:
    """Family name first. Printed with a space, the space divides them; unspaced, the family
    name is one character (nearly all Chinese and Korean surnames), or two when the name is
    four characters long (most Japanese names; Chinese compound surnames)."""
    if len(parts := text.split()) == 2:
        return Name(full=text, given=parts[1], family=parts[0])
    cut = 2 if len(text) == 4 else 1
    return Name(full=text, given=text[cut:], family=text[:cut])


def looks_like_name(text: str) -> bool:
    """Two to five alphabetic words, each capitalised (or all caps) but for particles (van, de);
    or two to five East Asian characters."""
    stripped = text.strip()
    if _EAST_ASIAN_RE.fullmatch(stripped):
        return len(stripped.replace(" ", "").replace("\u3000", "")) >= 2
    human = HumanName(without_credentials(text))
    core = [p for p in (human.first, human.middle, human.last) if p]
    words = " ".join(core).replace("-", " ").replace("'", "").split()
    fewest = 1 if human.title else 2  # "Dr. Carson" is a name; "Carson" alone is not
    if not fewest <= len(words) <= 5:
        return False
    return all((w[0].isupper() or w in _PARTICLES) and w.rstrip(".").isalpha() for w in words)
