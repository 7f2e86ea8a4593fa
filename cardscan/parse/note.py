"""The handwritten back: note lines -> date met, event, topics, promised actions, priority."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from ..model import Note
from .lines import clean

_MONTHS = {m: i for i, names in enumerate(
    ["jan january", "feb february", "mar march", "apr april", "may", "jun june",
     "jul july", "aug august", "sep sept september", "oct october", "nov november",
     "dec december"], start=1) for m in names.split()}
_MONTH_RE = "|".join(sorted(_MONTHS, key=len, reverse=True))
_WEEKDAYS = {d: i for i, names in enumerate(
    ["mon monday", "tue tues tuesday", "wed weds wednesday", "thu thur thurs thursday",
     "fri friday", "sat saturday", "sun sunday"]) for d in names.split()}

_ISO_RE = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_NUMERIC_RE = re.compile(
    r"(?<![\d/.-])(\d{1,2})([/.])(\d{1,2})(?:\2(\d{2}|\d{4}))?\.?(?![\d/-])")
_YEAR = r"(\d{4}|\d{2})"
_MONTH_DAY_RE = re.compile(
    rf"\b({_MONTH_RE})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+{_YEAR})?\b", re.IGNORECASE)
_DAY_MONTH_RE = re.compile(
    rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\.?\s+({_MONTH_RE})\.?(?:\s+{_YEAR})?\b", re.IGNORECASE)
_WEEKDAY_RE = re.compile(rf"\b({'|'.join(sorted(_WEEKDAYS, key=len, reverse=True))})\b\.?",
                         re.IGNORECASE)

# "Met", and how handwriting OCR reads it at the start of a line: Het, Mot, Mct.
_MET_RE = re.compile(r"\b(?:met|meeting|mtg)\b|^(?:het|mot|mct|rnet|me\+)(?=\s|$)",
                     re.IGNORECASE)
# Digits that handwriting OCR reads as letters, mended only inside a date-shaped token.
_DATE_TOKEN_RE = re.compile(
    r"(?<![\w/])([\dOoIl|SZBGgq]{1,2})([/.])([\dOoIl|SZBGgq]{1,2})(?![\w])")
_DIGITS = str.maketrans({"O": "0", "o": "0", "I": "1", "l": "1", "|": "1", "S": "5", "Z": "2",
                         "B": "8", "G": "9", "g": "9", "q": "9"})
# "Met 218": the slash of 2/8 read as a 1 (only on a "met" line with no other date).
_SLASH_AS_ONE_RE = re.compile(r"(?<![\d/])([1-9])1([1-9]|[12]\d|3[01])(?![\d/])")
_EVENT_RE = re.compile(
    r"(?:@|\b[Aa][Tt]\b)\s*(?P<event>[A-Z0-9][\w&+'.:-]*(?:\s+[\w&+'.:-]+){0,4})")
_TOPIC_RE = re.compile(
    r"^(?:topi[cg]s?|re|talked about|discussed|spoke about|interested in|interest)\s*[:\-]?\s+"
    r"(?P<rest>.+)$", re.IGNORECASE)
_ACTION_PREFIX_RE = re.compile(
    r"^(?:(?:f/?u|todo)\b\s*[:\-]?\s*|(?:follow[ -]?up|to do|action|next)\s*[:\-]\s*)",
    re.IGNORECASE)
_ACTION_VERB_RE = re.compile(
    r"^(?:send|call|email|e-mail|mail|intro|introduce|demo|ping|schedule|book|share|set up|"
    r"setup|follow up|connect|invite|quote|ship|forward|text|meet|visit|reply|check)\b",
    re.IGNORECASE)
_HIGH_RE = re.compile(r"!!|\b(?:hot|urgent|asap|priority|important|vip)\b|[★☆*]", re.IGNORECASE)


def parse_note(lines: Sequence[str], *, reference: dt.date, date_order: str = "MDY",
               line_conf: Sequence[float] | None = None, not_after: dt.date | None = None
               ) -> Note:
    """Read the meeting note; dates without a year land nearest ``reference`` (and, given
    ``not_after``, the scan date when the user gave no date, not after it: a meeting
    written on a card is in the past)."""
    texts = [_mend(clean(t, addresses=False).lstrip('"\'')) for t in lines]
    confs = list(line_conf) if line_conf else [1.0] * len(texts)
    used: dict[str, list[float]] = {}
    met_on = _met_on(texts, reference, date_order, confs, used, not_after)
    event = _event(texts, confs, used)
    topics: list[str] = []
    actions: list[str] = []
    for text, conf in zip(texts, confs, strict=False):
        if topic_match := _TOPIC_RE.match(text):
            topics += _split_items(topic_match.group("rest"))
            used.setdefault("topics", []).append(conf)
        elif action := _action(text):
            actions.append(action)
            used.setdefault("actions", []).append(conf)
    high = any(_HIGH_RE.search(t) for t in lines)  # raw lines: cleaning drops a leading star
    return Note(met_on=met_on, event=event, topics=tuple(topics), actions=tuple(actions),
                priority="high" if high else "normal",
                confidence={k: round(min(v), 3) for k, v in used.items()})


def _mend(text: str) -> str:
    """OCR slips in handwriting: "©" for "@", letters for digits inside a date, and on a
    "met" line without a date, a slash read as 1 ("Met 218" is "Met 2/8")."""
    text = text.replace("©", "@")
    text = re.sub(r"^[\[|](?=[a-z])", "I", text)  # "[nterested": a capital I read as a bracket

    def digits(m: re.Match[str]) -> str:
        day, sep, month = m[1].translate(_DIGITS), m[2], m[3].translate(_DIGITS)
        return f"{day}{sep}{month}" if (day + month).isdigit() else m[0]

    text = _DATE_TOKEN_RE.sub(digits, text)
    if _MET_RE.search(text) and not _NUMERIC_RE.search(text) and not _ISO_RE.search(text):
        text = _SLASH_AS_ONE_RE.sub(r"\1/\2", text, count=1)
    return text


def _met_on(texts: list[str], reference: dt.date, order: str, confs: list[float],
            used: dict[str, list[float]], not_after: dt.date | None) -> dt.date | None:
    """The meeting date: on a "met"/"@" line first, else the first date not in an action."""
    ranked = sorted(range(len(texts)), key=lambda i: (
        not (_MET_RE.search(texts[i]) or "@" in texts[i]), _action(texts[i]) is not None, i))
    for i in ranked:
        if (found := find_date(texts[i], reference=reference, order=order,
                               not_after=not_after)) is not None:
            if _action(texts[i]) is not None and not _MET_RE.search(texts[i]):
                return None
            used["met_on"] = [confs[i]]
            return found
    return None


def find_date(text: str, *, reference: dt.date, order: str = "MDY",
              not_after: dt.date | None = None) -> dt.date | None:
    """The first date written in ``text`` (many shapes), the year nearest ``reference``."""
    if m := _ISO_RE.search(text):
        return _safe_date(int(m[1]), int(m[2]), int(m[3]))
    if m := _NUMERIC_RE.search(text):
        a, b = int(m[1]), int(m[3])
        month, day = (a, b) if order == "MDY" else (b, a)
        if month > 12 >= day:
            month, day = day, month
        return _with_year(month, day, m[4], reference, not_after)
    month_day, day_month = _MONTH_DAY_RE.search(text), _DAY_MONTH_RE.search(text)
    if day_month and (not month_day or day_month.start() < month_day.start()):
        return _with_year(_MONTHS[day_month[2].lower()], int(day_month[1]), day_month[3],
                          reference, not_after)
    if month_day:
        return _with_year(_MONTHS[month_day[1].lower()], int(month_day[2]), month_day[3],
                          reference, not_after)
    if m := _WEEKDAY_RE.search(text):
        back = (reference.weekday() - _WEEKDAYS[m[1].lower()]) % 7
        return reference - dt.timedelta(days=back)
    return None


def _with_year(month: int, day: int, year: str | None, reference: dt.date,
               not_after: dt.date | None = None) -> dt.date | None:
    if year:
        full = int(year) + (2000 if len(year) == 2 else 0)
        return _safe_date(full, month, day)
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


def _event(texts: list[str], confs: list[float], used: dict[str, list[float]]) -> str | None:
    """Where we met: "@ CES", "at Web Summit", or what follows the date on a "Met" line."""
    for text, conf in zip(texts, confs, strict=False):
        if _action(text) or _TOPIC_RE.match(text):
            continue
        if m := _EVENT_RE.search(_strip_dates(text)):
            event = _strip_dates(m.group("event"))
        elif _MET_RE.search(text):
            event = _strip_dates(_MET_RE.sub("", text)).strip("@ ")
        else:
            continue
        if event and len(event.split()) <= 5:
            used["event"] = [conf]
            return event
    return None


def _strip_dates(text: str) -> str:
    for pattern in (_ISO_RE, _NUMERIC_RE, _DAY_MONTH_RE, _MONTH_DAY_RE, _WEEKDAY_RE):
        text = pattern.sub(" ", text)
    text = re.sub(r"\b(?:on|in|at)\s*$", "", text.strip(), flags=re.IGNORECASE)
    return clean(re.sub(r"[!]+|\s-\s", " ", text), addresses=False)


def _action(text: str) -> str | None:
    """A promised action: "f/u: send deck", or a line that starts with a verb like "Send"."""
    if m := _ACTION_PREFIX_RE.match(text):
        return clean(text[m.end():].rstrip("!")) or None
    if _ACTION_VERB_RE.match(text):
        return clean(text.rstrip("!"))
    return None


def _split_items(text: str) -> list[str]:
    return [clean(p) for p in re.split(r"[,;•]", text) if clean(p)]
