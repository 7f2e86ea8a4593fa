"""Countries and their languages (babel's CLDR data, BSD licence): the country a web or
e-mail address's country-code domain names, and the languages a country's cards are
printed in."""

from __future__ import annotations

from functools import lru_cache

from babel import Locale
from babel.languages import get_official_languages

# Country-code domains sold worldwide as words (".io", ".co", ".ai", ".me", ".tv"): they say
# nothing about where the company is.
_VANITY = frozenset({
    "io", "co", "ai", "me", "tv", "ly", "fm", "am", "cc", "ws", "to", "gg", "is", "la", "nu",
    "sh", "ac", "vc", "gl", "so", "ms", "bz", "tk", "ml", "ga", "cf", "gq", "cd", "st"})
_DOMAIN_REGIONS = {"uk": "GB", "eu": ""}  # domains that are not the region's ISO code


@lru_cache(maxsize=1)
def _regions() -> frozenset[str]:
    return frozenset(str(code) for code in Locale("en").territories if str(code).isalpha())


def tld_region(tld: str) -> str | None:
    """The country of a country-code top-level domain ("jp" -> "JP", "uk" -> "GB"), or None
    for generic and vanity domains."""
    tld = tld.lower().strip(".")
    if tld in _DOMAIN_REGIONS:
        return _DOMAIN_REGIONS[tld] or None
    if len(tld) != 2 or tld in _VANITY:
        return None
    region = tld.upper()
    return region if region in _regions() else None


@lru_cache(maxsize=256)
def region_languages(region: str) -> tuple[str, ...]:
    """The languages of a country, official first ("BE" -> nl, fr, de; "TW" -> zh), as
    two-letter codes."""
    try:
        codes = get_official_languages(region, de_facto=True)
    except (ValueError, KeyError):
        return ()
    bare = (code.split("_")[0] for code in codes)
    return tuple(dict.fromkeys(code for code in bare if len(code) == 2))


def region_language(region: str) -> str | None:
    """The main language of a country ("MX" -> "es"), or None when CLDR has none."""
    languages = region_languages(region)
    return languages[0] if languages else None


@lru_cache(maxsize=256)
def date_order(region: str) -> str | None:
    """How a country writes a short date, "MDY" (US) or "DMY" (most others), from its main
    language's CLDR short date pattern ("M/d/yy" for en_US, "dd.MM.yy" for de_DE); None for
    year-first countries and unknown ones (the pipeline's order stands)."""
    language = region_language(region)
    if not language:
        return None
    try:
        pattern = str(Locale.parse(f"{language}_{region}").date_formats["short"].pattern)
    except (ValueError, KeyError, TypeError):
        return None
    letters = "".join(c for c in pattern.lower() if c in "dmy")
    order = "".join(dict.fromkeys(letters)).upper()
    return order if order in ("MDY", "DMY") else None
