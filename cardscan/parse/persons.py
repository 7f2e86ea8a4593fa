"""Is this line a person's name or an organisation's? probablepeople (MIT; a conditional
random field trained on names and company names, its model inside the package) tells them
apart better than capitalisation alone ("Cornelius Hellge" / "Image Processing Department")."""

from __future__ import annotations

from functools import lru_cache

import probablepeople


@lru_cache(maxsize=4096)
def kind(text: str) -> str | None:
    """"Person", "Corporation", or None when the model cannot say."""
    try:
        _, found = probablepeople.tag(text)
    except (probablepeople.RepeatedLabelError, ValueError, IndexError):
        return None
    return str(found) if found in ("Person", "Corporation") else None


def is_person(text: str) -> bool:
    return kind(text) == "Person"


def is_organisation(text: str) -> bool:
    return kind(text) == "Corporation"
