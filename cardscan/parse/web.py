"""Web addresses and social profiles (LinkedIn, X/Twitter, Instagram, Facebook...)."""

from __future__ import annotations

import re
from collections.abc import Iterable

_SOCIAL_HOSTS = {
    "linkedin.com": "linkedin.com", "twitter.com": "x.com", "x.com": "x.com",
    "instagram.com": "instagram.com", "facebook.com": "facebook.com", "fb.com": "facebook.com",
    "github.com": "github.com", "youtube.com": "youtube.com", "tiktok.com": "tiktok.com",
    "xing.com": "xing.com",
}
_URL_RE = re.compile(r"(?:https?://)?(?:www\.)?([a-z0-9.-]+\.[a-z]{2,6})(/[^\s,;]*)?",
                     re.IGNORECASE)


def host_of(url: str) -> str:
    """The host without scheme or "www.": https://www.acme.com/x -> acme.com."""
    host = re.sub(r"^https?://", "", url.strip().lower()).split("/")[0]
    return host.removeprefix("www.")


def social_profile(text: str) -> str | None:
    """A profile URL normalised to host/path (linkedin.com/in/jane), or None."""
    match = _URL_RE.search(text.strip())
    if not match or not match.group(2) or len(match.group(2).strip("/")) < 2:
        return None
    host = match.group(1).lower()
    for known, canonical in _SOCIAL_HOSTS.items():
        if host == known or host.endswith("." + known):
            return canonical + match.group(2).rstrip("/.")
    return None


def find_social(lines: Iterable[str]) -> list[str]:
    """Every social profile written on the card, normalised, without repeats."""
    found: list[str] = []
    for line in lines:
        for word in line.split():
            if (profile := social_profile(word)) and profile not in found:
                found.append(profile)
    return found
