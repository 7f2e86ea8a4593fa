"""Dates written by hand on a card's back, in the card's language: "10/3", "3. Dez",
"5 de dezembro", "Nov 14", "last Tuesday", "gestern", "il y a 2 jours".

Month and weekday names and the relative phrases come from dateparser's locale data (CLDR,
BSD licence), and dateparser itself reads the relative phrases against the scan date. The
year of a date written without one is cardscan's rule (the year that puts it nearest the
reference date, never after the scan date), and so is the day-month order (the card's
country), because a note is about a meeting that has happened.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

import dateparser
from dateparser.languages.loader import default_loader

# The languages whose notes cardscan reads (and whose month names it knows); English is
# always among them: "f/u", "Nov 3" and "TODO" are written on cards in any country.
LANGUAGES = ("en", "de", "fr", "es", "pt", "it", "nl")
_MONTH_KEYS = ("january", "february", "march", "april", "may", "june", "july", "august",
               "september", "october", "november", "december")
_WEEKDAY_KEYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                 "sunday")
# "last Tuesday", "letzten Dienstag", "mardi dernier", "el martes pasado", "terça passada":
# the one before the reference day, never the reference day itself.
_LAST_RE = re.compile(r"\b(?:last|past|letzte[nmrs]?|vergangene[nmrs]?|vorige[nmrs]?|"
                      r"derni[eè]re?|pasad[oa]|passad[oa]|scors[oa]|afgelopen)\b",
                      re.IGNORECASE)

_ISO_RE = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
NUMERIC_RE = re.compile(
    r"(?<![\d/.-])(\d{1,2})([/.])(\d{1,2})(?:\2(\d{2}|\d{4}))?\.?(?![\d/-])")
_YEAR = r"(?:,?\s+(?:de\s+)?(\d{4}|'\d{2}))?"


def fold(text: str) -> str:
    """Lower case without accents: OCR drops and swaps accents ("Dez", "déc", "dec")."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=32)
def _names(languages: tuple[str, ...]) -> tuple[dict[str, int], dict[str, int]]:
    """Month and weekday names of ``languages`` (folded) -> month 1-12 / weekday 0-6. Names
    shorter than three letters ("di", "ma") are left out: they are words in other languages."""
    months: dict[str, int] = {}
    weekdays: dict[str, int] = {}
    for language in languages:
        info = default_loader.get_locale(language).info
        for number, key in enumerate(_MONTH_KEYS, start=1):
            for name in info.get(key, ()):
                if len(name := fold(name).rstrip(".")) >= 3:
                    months.setdefault(name, number)
        for number, key in enumerate(_WEEKDAY_KEYS):
            for name in info.get(key, ()):
                if len(name := fold(name).rstrip(".")) >= 3 and name not in months:
                    weekdays.setdefault(name, number)
    return months, weekdays


@lru_cache(maxsize=32)
def _patterns(languages: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    months, weekdays = _names(languages)
    month = "|".join(sorted(map(re.escape, months), key=len, reverse=True))
    weekday = "|".join(sorted(map(re.escape, weekdays), key=len, reverse=True))
    day = r"(\d{1,2})(?:st|nd|rd|th|er|o|º|°)?"
    return (
        # "3. Dez", "12 mars", "5 de dezembro", "14th of November 2026"
        re.compile(rf"(?<![\d/])\b{day}\.?\s*(?:de\s+|of\s+)?({month})\b\.?{_YEAR}"),
        # "Nov 14", "Nov. 14th, 2026"
        re.compile(rf"\b({month})\b\.?\s*{day}\b{_YEAR}"),
        re.compile(rf"\b({weekday})\b\.?"),
    )


@lru_cache(maxsize=32)
def _relative(languages: tuple[str, ...]) -> re.Pattern[str]:
    """Phrases for a day before the reference: "yesterday", "vorgestern", "il y a 3 jours",
    "2 days ago", "hace 2 días" (dateparser's tables of each language)."""
    phrases: list[str] = []
    for language in languages:
        info = default_loader.get_locale(language).info
        for key, names in info.get("relative-type", {}).items():
            if re.fullmatch(r"[12] day ago", key):
                phrases += [re.escape(fold(n)) for n in names]
        for key, patterns in info.get("relative-type-regex", {}).items():
            if key in (r"\1 day ago", r"\1 week ago"):
                phrases += [fold(p).replace("(\\d++[.,]?\\d*+)", r"\d{1,2}") for p in patterns]
    ordered = sorted(set(phrases), key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(ordered) + r")(?!\w)")


def languages_for(language: str | None) -> tuple[str, ...]:
    """The card's language (when cardscan reads notes in it) and English."""
    return tuple(dict.fromkeys(x for x in (language, "en") if x in LANGUAGES))


def find_date(text: str, *, reference: dt.date, order: str = "MDY",
              languages: Iterable[str] = ("en",), not_after: dt.date | None = None
              ) -> dt.date | None:
    """The first date written in ``text``: ISO, numeric (``order`` "MDY" or "DMY" unless the
    numbers say otherwise), with a month name, a weekday or a day before the reference."""
    langs = tuple(languages)
    if m := _ISO_RE.search(text):
        return _safe_date(int(m[1]), int(m[2]), int(m[3]))
    if m := NUMERIC_RE.search(text):
        a, b = int(m[1]), int(m[3])
        month, day = (a, b) if order == "MDY" else (b, a)
        if month > 12 >= day:
            month, day = day, month
        return with_year(month, day, m[4], reference, not_after)
    folded = fold(text)
    day_month, month_day, weekday = _patterns(langs)
    months, weekdays = _names(langs)
    found = [m for m in (day_month.search(folded), month_day.search(folded)) if m]
    if found:
        m = min(found, key=lambda m: m.start())
        digits, name = (m[1], m[2]) if m.re is day_month else (m[2], m[1])
        return with_year(months[name], int(digits), m[3], reference, not_after)
    if m := _relative(langs).search(folded):
        return _relative_date(m[0], langs, reference)
    if m := weekday.search(folded):
        back = (reference.weekday() - weekdays[m[1]]) % 7
        if back == 0 and _LAST_RE.search(folded):
            back = 7
        return reference - dt.timedelta(days=back)
    return None


def date_spans(text: str, languages: Iterable[str] = ("en",)) -> list[tuple[int, int]]:
    """Where dates are written in ``text`` (to take them out of an event's name)."""
    langs = tuple(languages)
    folded = fold(text)
    if len(folded) != len(text):  # a character that folds to two: fall back to no spans
        folded = text.lower()
    spans = [m.span() for p in (_ISO_RE, NUMERIC_RE, *_patterns(langs), _relative(langs))
             for m in p.finditer(folded)]
    return sorted(spans)


def _relative_date(phrase: str, languages: tuple[str, ...], reference: dt.date
                   ) -> dt.date | None:
    base = dt.datetime.combine(reference, dt.time(12))
    parsed = dateparser.parse(phrase, languages=list(languages),
                              settings={"RELATIVE_BASE": base, "PREFER_DATES_FROM": "past"})
    if parsed is None or parsed.date() > reference:
        return None
    return parsed.date()


def with_year(month: int, day: int, year: str | None, reference: dt.date,
              not_after: dt.date | None = None) -> dt.date | None:
    """The date; without a year, the one nearest ``reference`` and not after ``not_after``."""
    if year:
        year = year.lstrip("'")
        return _safe_date(int(year) + (2000 if len(year) == 2 else 0), month, day)
    options = [d for y in (reference.year - 1, reference.year, reference.year + 1)
               if (d := _safe_date(y, month, day))]
    if not_after is not None:
        options = [d for d in options if d <= not_after] or options
    return min(options, key=lambda d: abs((d - reference).days), default=None)


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None
