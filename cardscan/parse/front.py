"""The front of a card: OCR lines -> name, title, company, phones, e-mails, website, address."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from itertools import pairwise

from rapidfuzz import fuzz

from ..model import ContactFields, OcrResult, Phone, TextLine, Word
from . import lines as L
from .emails import domain, find_emails
from .names import looks_like_name, split_name
from .phones import find_phones, international_region
from .web import find_social, host_of, social_profile

# OCR slips: "wvww." for "www."; "straBe", "stra&e", "strae" for the German "straße".
_WWW_RE = re.compile(r"^(?:https?://)?[wv]{3,5}\.")
_STRASSE_RE = re.compile(r"(?<=[Ss]tra)(?:B|&|8|ß|)e\b")

_DEPARTMENT_RE = re.compile(
    r"\b(?:department|dept\.?|division|abteilung|departamento|d[ée]partement|bereich)\b",
    re.IGNORECASE)
_GUESSED = 0.6  # confidence factor for a field placed by size alone
_UNCONFIRMED = 0.85  # ...by its shape, with nothing else on the card agreeing
_SEPARATORS = frozenset({"|", "¦", "•", "·"})

# A gap wider than the line's height and twice its narrowest word space, or wider than three
# heights, separates two columns (a word space is about a third of the height).
_GAP_RATIO = 2.0
_WIDE_GAP = 3.0


@dataclass(frozen=True)
class _Line:
    index: int
    text: str
    height: int
    conf: float  # 0..1
    para: tuple[int, int] = (0, 0)  # Tesseract's (block, paragraph)
    left: int = 0
    top: int = 0
    right: int = 0


def parse_front(ocr: OcrResult, *, default_region: str = "US") -> ContactFields:
    """Turn what Tesseract read from a card's front into contact fields."""
    texts = [L.clean(tl.text) for tl in ocr.lines if L.clean(tl.text)]
    lines = [_Line(i, L.clean(seg.text), seg.height, seg.conf / 100,
                   (seg.words[0].block, seg.words[0].par), seg.left, seg.top,
                   max(w.left + w.width for w in seg.words))
             for i, seg in enumerate(s for tl in ocr.lines for s in _segments(tl))
             if L.clean(seg.text)]
    emails = find_emails(texts)
    social = find_social(texts)
    website, web_line = _website(lines, emails)
    region = infer_region(texts, emails, website, default_region)
    phones = find_phones(texts, region)
    contact_lines = {ln.index for ln in lines if _is_contact_line(ln.text, phones)
                     or social_profile(ln.text)}
    if web_line is not None:
        contact_lines.add(web_line.index)
    address_lines = _address(lines, contact_lines)
    rest = [ln for ln in lines
            if ln.index not in contact_lines and ln not in address_lines]
    domains = [domain(e) for e in emails] + ([host_of(website)] if website else [])
    company = _company_by_form(rest)
    name_line = _name(rest, company, emails)
    others = [ln for ln in rest if name_line is None or ln.index != name_line.index]
    company = company or _company_by_domain(others, domains) or _company_by_size(others, lines)
    used = {ln.index for ln in (company, name_line) if ln is not None}
    department = next((ln for ln in rest if _DEPARTMENT_RE.search(ln.text)
                       and ln.index not in used), None)
    title = _title(rest, used | ({department.index} if department else set()), name_line)
    fields = _fields(name_line, title, company, phones, emails, website, web_line,
                     address_lines, lines)
    return replace(fields, social=tuple(social),
                   department=_strip_edges(department.text) if department else None,
                   confidence={**fields.confidence,
                               "department": department.conf if department else 0.0})


def _fields(name_line: _Line | None, title: _Line | None, company: _Line | None,
            phones: list[Phone], emails: list[str], website: str | None,
            web_line: _Line | None, address_lines: list[_Line],
            lines: list[_Line]) -> ContactFields:
    name = split_name(name_line.text) if name_line else None
    confidence = {
        "name": name_line.conf if name_line else 0.0,
        "title": title.conf if title else 0.0,
        "company": company.conf if company else 0.0,
        "website": web_line.conf if web_line else 0.0,
        "address": min((ln.conf for ln in address_lines), default=0.0),
        "phones": _conf_of(lines, [p.raw for p in phones]),
        "emails": _conf_of(lines, [e.partition("@")[0] for e in emails]),
    }
    return ContactFields(
        name=name.full if name else None,
        given_name=name.given if name else None,
        family_name=name.family if name else None,
        title=_strip_edges(title.text) if title else None,
        company=_strip_edges(company.text) if company else None,
        phones=tuple(phones), emails=tuple(emails), website=website,
        address=", ".join(_STRASSE_RE.sub("ße", _strip_edges(L.strip_label(ln.text)))
                          for ln in address_lines) or None,
        confidence={k: round(v, 3) for k, v in confidence.items()})


def _segments(line: TextLine) -> list[TextLine]:
    """Split a line where a gap much wider than its word spaces shows two columns that
    Tesseract read as one line; a lone "|" or bullet between words splits it too."""
    words = [w for w in line.words if w.text not in _SEPARATORS]
    gaps = [b.left - (a.left + a.width) for a, b in pairwise(words)]
    space = min(gaps, default=0)
    height = max(line.height, 1)
    groups: list[list[Word]] = [[]]
    previous: Word | None = None
    for word in line.words:
        gap = word.left - (previous.left + previous.width) if previous else 0
        if word.text in _SEPARATORS:
            groups.append([])
            continue
        if gap > _WIDE_GAP * height or (gap > height and gap > _GAP_RATIO * space):
            groups.append([])
        groups[-1].append(word)
        previous = word
    return [TextLine(words=tuple(g)) for g in groups if g]


def _conf_of(lines: list[_Line], needles: list[str]) -> float:
    """Lowest confidence among the lines that hold the given values."""
    confs = [ln.conf for ln in lines for n in needles if n and n.lower() in ln.text.lower()]
    return min(confs, default=0.0)


def infer_region(texts: list[str], emails: list[str], website: str | None, default: str) -> str:
    """The card's country: printed country, a +country code, postal-code shape, words only
    that country's cards use (two of them), the e-mail/web top-level domain."""
    for text in texts:
        if region := L.country_in(text):
            return region
    if region := international_region(texts):
        return region
    for text in texts:
        if region := L.postcode_region(text):
            return region
    for region, words in L.REGION_WORDS.items():
        if sum(bool(words.search(text)) for text in texts) >= 2:
            return region
    for host in [domain(e) for e in emails] + ([host_of(website)] if website else []):
        if region := L.TLD_REGIONS.get(host.rsplit(".", 1)[-1]):
            return region
    return default


def _is_contact_line(text: str, phones: list[Phone]) -> bool:
    if L.EMAIL_HINT_RE.search(text):
        return True
    digits = re.sub(r"\D", "", text)
    return any(re.sub(r"\D", "", p.raw) and re.sub(r"\D", "", p.raw) in digits for p in phones)


def _website(lines: list[_Line], emails: list[str]) -> tuple[str | None, _Line | None]:
    """The card's web address: prefer one with www./http, or on the e-mail's domain."""
    candidates: list[tuple[int, str, _Line]] = []
    for ln in lines:
        without_emails = " ".join(w for w in ln.text.split()
                                  if "@" not in w and not social_profile(w))
        for match in L.URL_RE.finditer(L.strip_label(without_emails)):
            url = _WWW_RE.sub("www.", match.group(1).rstrip("./").lower())
            score = 2 * url.startswith(("http", "www.")) + any(
                host_of(url).endswith(domain(e)) for e in emails)
            if "." in url and not url.replace(".", "").isdigit():
                candidates.append((score, url, ln))
    if not candidates:
        return None, None
    score, url, line = max(candidates, key=lambda c: c[0])
    if score == 0 and not re.search(r"\.(com|net|org|io|co|[a-z]{2})$", url):
        return None, None
    return url, line


def _address(lines: list[_Line], taken: set[int]) -> list[_Line]:
    """Postal lines top to bottom: a street, a postal code or a country, and the line with
    a house number or street name just above the first of them."""
    found = [ln for ln in lines if ln.index not in taken and _is_address_line(ln.text)]
    if found:
        above = _line_above(found[0], lines)
        if (above is not None and above.index not in taken and not L.is_title(above.text)
                and (L.STREET_WORDS.search(above.text) or L.digit_count(above.text))
                and L.letters_ratio(above.text) > 0.4):
            found.insert(0, above)
    return sorted(found, key=lambda ln: ln.top)


def _line_above(line: _Line, lines: list[_Line]) -> _Line | None:
    """The nearest line above ``line`` that overlaps it horizontally, if it is close."""
    above = [ln for ln in lines if ln.top < line.top - 0.5 * line.height
             and ln.left < line.right and line.left < ln.right]
    if not above:
        return None
    nearest = max(above, key=lambda ln: ln.top)
    return nearest if line.top - nearest.top < 2.5 * max(line.height, nearest.height) else None


def _is_address_line(text: str) -> bool:
    has_digit = L.digit_count(text) > 0
    if L.STREET_WORDS.search(text) and has_digit:
        return True
    if any(p.search(text) for r, p in L.POSTCODE_RES.items() if r in ("US", "GB", "BR", "DE")):
        return L.letters_ratio(text) > 0.3
    return L.country_in(text) is not None and len(text.split()) <= 3


def _company_by_form(lines: list[_Line]) -> _Line | None:
    """The largest line that ends in a legal form (Inc., GmbH, Ltda...)."""
    with_form = [ln for ln in lines if L.legal_form(ln.text) and not L.is_title(ln.text)]
    if with_form:
        return _join_broken_company(max(with_form, key=lambda ln: ln.height), lines)
    return None


def _company_by_domain(lines: list[_Line], domains: list[str]) -> _Line | None:
    """The line that agrees best with the e-mail or web domain ("Foobar Technologies" and
    foobartech.com); the person's name was taken out before."""
    best: tuple[float, _Line] | None = None
    for ln in lines:
        score = max((_domain_similarity(ln.text, d) for d in domains), default=0.0)
        if score >= 70 and (best is None or score > best[0]):
            best = (score, ln)
    return replace(best[1], conf=best[1].conf * _UNCONFIRMED) if best else None


def _company_by_size(lines: list[_Line], everything: list[_Line]) -> _Line | None:
    """Failing all else, the line set clearly larger than the card's ordinary text, as a
    shop's name is; never a title, a tagline with many words, or something without letters."""
    ordinary = sorted(ln.height for ln in everything)[len(everything) // 2] if everything else 0
    candidates = [ln for ln in lines if ln.height >= 1.4 * ordinary and not L.is_title(ln.text)
                  and L.letters_ratio(ln.text) > 0.7 and len(ln.text.split()) <= 6
                  and sum(c.isalpha() for c in ln.text) >= 4]
    if not candidates:
        return None
    best = max(candidates, key=lambda ln: ln.height)
    return replace(_join_broken_company(best, lines), conf=best.conf * _GUESSED)


def _join_broken_company(company: _Line, lines: list[_Line]) -> _Line:
    """A long company name wraps ("Helix Harbor / Therapeutics, Inc."): prepend the lines
    just above it that are left-aligned with it, of about the same size, with no digits."""
    while (above := _line_above(company, lines)) is not None:
        if (abs(above.left - company.left) > company.height
                or abs(above.height - company.height) > 0.3 * company.height
                or L.digit_count(above.text) or L.is_title(above.text)
                or _DEPARTMENT_RE.search(above.text)):
            break
        company = _Line(above.index, f"{above.text} {company.text}", company.height,
                        min(above.conf, company.conf), company.para, above.left, above.top,
                        max(above.right, company.right))
    return company


def _domain_similarity(text: str, host: str) -> float:
    label = host.split(".")[0].replace("-", "")
    squashed = re.sub(r"[^a-z0-9]", "", L.fold(text))
    if not label or not squashed:
        return 0.0
    return float(fuzz.partial_ratio(label, squashed)) if len(squashed) >= 4 else 0.0


def _name(lines: list[_Line], company: _Line | None, emails: list[str]) -> _Line | None:
    """The person's name: a name-shaped line, largest and highest, that agrees with the e-mail."""
    candidates = [ln for ln in lines if (company is None or ln.index != company.index)
                  and looks_like_name(ln.text)
                  and not L.is_title(ln.text) and not L.legal_form(ln.text)]
    if not candidates:
        return None
    locals_ = [L.fold(e.partition("@")[0]) for e in emails]

    def in_email(ln: _Line) -> bool:
        return any(part in loc for part in L.fold(ln.text).split() if len(part) > 2
                   for loc in locals_)

    best = max(candidates, key=lambda ln: ln.height + 15 * in_email(ln) - 0.1 * ln.index)
    # The parser is surer of a name the e-mail address agrees with.
    return best if in_email(best) else replace(best, conf=best.conf * _UNCONFIRMED)


def _title(lines: list[_Line], taken: set[int], name: _Line | None) -> _Line | None:
    """A job-title line, the one nearest the name."""
    titles = [ln for ln in lines if ln.index not in taken and L.is_title(ln.text)
              and L.letters_ratio(ln.text) > 0.7]
    if not titles:
        return None
    anchor = name.index if name else 0
    return min(titles, key=lambda ln: abs(ln.index - anchor))


def _strip_edges(text: str) -> str:
    return text.strip(" ,;:|-")
