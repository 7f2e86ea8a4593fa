"""The front of a card: OCR lines -> name, title, company, phones, e-mails, website, address."""

from __future__ import annotations

import functools
import itertools
import re
from dataclasses import dataclass, replace

from rapidfuzz import fuzz

from ..model import ContactFields, OcrResult, Phone
from ..read.layout import SEPARATORS, split_columns
from . import lines as L
from .addresses import before_phone, continues_address, is_address_line
from .domains import company_hints
from .emails import domain, find_emails
from .language import LANGUAGE_REGIONS, card_region, language_of
from .lexicon import (
    DEPARTMENT_RE,
    organisation_word,
    sentence_like,
    title_word,
    without_prefix,
)
from .names import east_asian_piece, looks_like_name, split_name
from .persons import is_organisation, is_person
from .phones import find_phones
from .regions import region_language
from .web import find_social, host_of, social_profile

# OCR slips: "wvww." for "www."; "straBe", "stra&e", "strae" for the German "straße".
_WWW_RE = re.compile(r"^(?:https?://)?[wv]{3,5}\.")
_STRASSE_RE = re.compile(r"(?<=[Ss]tra)(?:B|&|8|ß|)e\b")

_GUESSED = 0.6  # confidence factor for a field placed by size alone
_UNCONFIRMED = 0.85  # ...by its shape, with nothing else on the card agreeing


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
    joined: tuple[int, ...] = ()  # other lines this one was joined with (a two-line company)
    source: int = -1  # the OCR line it was cut from at a "|" or a bullet (-1: none)


def parse_front(ocr: OcrResult, *, default_region: str = "US") -> ContactFields:
    """Turn what Tesseract read from a card's front into contact fields."""
    texts = [L.clean(tl.text) for tl in ocr.lines if L.clean(tl.text)]
    segments = [(n, seg) for n, tl in enumerate(ocr.lines) for seg in split_columns(tl)]
    # Lines cut at a "|" or a bullet (not across a column gap): their pieces belong together.
    pieced = {n for n, tl in enumerate(ocr.lines) if any(w.text in SEPARATORS for w in tl.words)}
    lines = [_Line(i, L.without_copyright(L.clean(seg.text)), seg.height, seg.conf / 100,
                   (seg.words[0].block, seg.words[0].par), seg.left, seg.top,
                   max(w.left + w.width for w in seg.words), source=n if n in pieced else -1)
             for i, (n, seg) in enumerate(segments) if L.clean(seg.text)]
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
    domains = company_hints(emails, website)
    rest = _east_asian_names_together(_name_and_title_apart(rest))
    name_line = _name(rest, emails)
    others = [ln for ln in rest if name_line is None or ln.index != name_line.index]
    company = _company(others, lines, domains, name_line)
    if name_line is not None and company is not None and name_line.index in company.joined:
        # What looked like a name is the first half of the company's ("La Jolie" / "NAIL
        # SPA" at lajolienailspa.com): the name, if any, is another line.
        rest = [ln for ln in rest if ln.index not in company.joined
                and ln.index != company.index]
        name_line = _name(rest, emails)
    used = {ln.index for ln in (company, name_line) if ln is not None}
    used |= set(company.joined) if company else set()
    department = next((ln for ln in rest if DEPARTMENT_RE.search(ln.text)
                       and ln.index not in used), None)
    title = _title(rest, used | ({department.index} if department else set()), name_line)
    fields = _fields(name_line, title, company, phones, emails, website, web_line,
                     address_lines, lines, region)
    return replace(fields, social=tuple(social), region=region,
                   department=_strip_edges(department.text) if department else None,
                   confidence={**fields.confidence,
                               "department": department.conf if department else 0.0})


def _fields(name_line: _Line | None, title: _Line | None, company: _Line | None,
            phones: list[Phone], emails: list[str], website: str | None,
            web_line: _Line | None, address_lines: list[_Line],
            lines: list[_Line], region: str) -> ContactFields:
    two_surnames = region_language(region) == "es"
    name = split_name(_named(name_line.text), two_surnames=two_surnames) if name_line else None
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
        # A piece read twice (by both engines, or cut from a phone's line) is said once.
        address=", ".join(dict.fromkeys(
            _unglued(_STRASSE_RE.sub("ße", _strip_edges(L.strip_label(ln.text))))
            for ln in address_lines)) or None,
        confidence={k: round(v, 3) for k, v in confidence.items()})


_GLUE_RE = re.compile(r",(?=[A-Za-zÀ-ÿ0-9])|\.(?=[A-Za-zÀ-ÿ])|(?<=[a-zà-ÿ])(?=[A-ZÀ-Ý][a-zà-ÿ])")


def _unglued(text: str) -> str:
    """An address line whose spaces a reading dropped ("Av.Itaquera,2365-Jd.Fernandes-
    SãoPaulo-SP"): a space after its commas and dots and between a word and the capital
    that starts the next. Only a line glued in several places is touched."""
    if len(_GLUE_RE.findall(text)) < 3:
        return text
    return re.sub(r"\s+", " ", _GLUE_RE.sub(lambda m: m.group(0) + " " if m.group(0) else " ",
                                            text)).strip()


def _conf_of(lines: list[_Line], needles: list[str]) -> float:
    """Lowest confidence among the lines that hold the given values."""
    confs = [ln.conf for ln in lines for n in needles if n and n.lower() in ln.text.lower()]
    return min(confs, default=0.0)


def infer_region(texts: list[str], emails: list[str], website: str | None, default: str) -> str:
    """The card's country: the one it names (a printed country, a +country code, a postcode
    shape, words only that country's cards use, the e-mail/web domain), else the language of
    its words (Portuguese: Brazil) unless the default region speaks it."""
    hosts = [domain(e) for e in emails] + ([host_of(website)] if website else [])
    if region := card_region(texts, hosts):
        return region
    language = language_of(texts)
    if language and language != "en" and region_language(default) != language:
        return LANGUAGE_REGIONS.get(language, default)
    return default


def _is_contact_line(text: str, phones: list[Phone]) -> bool:
    if L.EMAIL_HINT_RE.search(text):
        return True
    digits = re.sub(r"\D", "", text)
    return any(re.sub(r"\D", "", p.raw) and re.sub(r"\D", "", p.raw) in digits for p in phones)


def _website(lines: list[_Line], emails: list[str]) -> tuple[str | None, _Line | None]:
    """The card's web address: prefer one with www./http, or on the e-mail's domain."""
    candidates: list[tuple[int, str, _Line]] = []
    domains = [domain(e) for e in emails]
    for ln in lines:
        without_emails = " ".join(_slash_put_back(w, domains) for w in ln.text.split()
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
    # A bare address needs a known ending to its host ("cargocollective.com/nogdesign").
    if score == 0 and not re.search(r"\.(com|net|org|io|co|[a-z]{2})$", host_of(url)):
        return None, None
    return url, line


def _slash_put_back(url: str, domains: list[str]) -> str:
    """The slash OCR lost between a host and its path: "media.polito.itmasala" on a card
    whose e-mail is at polito.it is media.polito.it/masala (the host ends with the e-mail's
    domain and the letters glued to it have no dot)."""
    scheme, host, path = re.match(r"(https?://)?([^/]*)(.*)", url).groups()  # type: ignore[union-attr]
    for name in domains:
        if name and not host.lower().endswith(name) and (cut := re.search(
                rf"(?:^|\.){re.escape(name)}(?=[a-z0-9]+$)", host, re.IGNORECASE)):
            rest = host[cut.end():]
            return f"{scheme or ''}{host[:cut.end()]}/{rest}{path}"
    return url


def _address(lines: list[_Line], taken: set[int]) -> list[_Line]:
    """Postal lines top to bottom: every address-shaped line (a street, a postal code, a
    state, a block, a country), the address printed before a phone on a contact line, the
    other pieces of a line cut at a "|", the lines under them that carry on with the place,
    a line between two of them, and the line with a house number or street name just above
    the first of them."""
    found = [ln for ln in lines if ln.index not in taken and is_address_line(ln.text)
             and not _offer(ln.text)]
    found += [replace(ln, index=ln.index + _BEFORE_PHONE, text=head) for ln in lines
              if ln.index in taken and (head := before_phone(ln.text))]
    if not found:
        return []
    for line in list(found):  # the pieces after it on a line cut at a "|" ("Cep ... | Centro")
        found += [ln for ln in lines if line.source >= 0 and ln.source == line.source
                  and ln.left > line.left and ln.index not in taken and ln not in found
                  and L.letters_ratio(ln.text) > 0.3]
    for line in sorted(found, key=lambda ln: ln.top):
        below = _neighbour(line, lines, 1)
        if below is None or below in found:
            continue
        if below.index not in taken and continues_address(below.text):
            found.append(below)
        elif below.index in taken and (head := before_phone(below.text, loose=True)):
            found.append(replace(below, index=below.index + _BEFORE_PHONE, text=head))
    # A line between two address lines is the address's too: the district or city line of a
    # street / city / country address ("Quận 1, TP. Hồ Chí Minh", "Bengaluru 560001").
    for line in lines:
        if line.index in taken or line in found or len(line.text.split()) > 8:
            continue
        up, down = _neighbour(line, lines, -1), _neighbour(line, lines, 1)
        if (up in found and down in found and L.letters_ratio(line.text) > 0.3
                and not _title_like(line.text) and not L.legal_form(line.text)):
            found.append(line)
    first = min(found, key=lambda ln: ln.top)
    above = _line_above(first, lines)
    if (above is not None and above.index not in taken and above not in found
            and not L.is_title(above.text) and not DEPARTMENT_RE.search(above.text)
            and not _offer(above.text)
            and (L.STREET_WORDS.search(above.text) or L.digit_count(above.text))
            and L.letters_ratio(above.text) > 0.4):
        found.append(above)
    return sorted(found, key=lambda ln: (ln.top, ln.left))


_BEFORE_PHONE = 20_000  # index of an address cut from the front of a phone's line


def _offer(text: str) -> bool:
    """An offer or a tagline with a number in it, not a postal line: "10 % Discount with
    this card", "Call now, ask for Rocio 721-1234." (a sentence without a street word)."""
    return "%" in text or (sentence_like(text) and not L.STREET_WORDS.search(text))


def _line_above(line: _Line, lines: list[_Line]) -> _Line | None:
    """The nearest line above ``line`` that overlaps it horizontally, if it is close."""
    above = [ln for ln in lines if ln.top < line.top - 0.5 * line.height
             and ln.left < line.right and line.left < ln.right]
    if not above:
        return None
    nearest = max(above, key=lambda ln: ln.top)
    return nearest if line.top - nearest.top < 2.5 * max(line.height, nearest.height) else None


def _named(text: str) -> str:
    """The name without "Dipl.-Ing." or "Dr." before it, unless that leaves one word ("Dr.
    Carson" is how the card names him)."""
    bare = without_prefix(text)
    return bare if len(bare.split()) >= 2 else text


def _name_and_title_apart(lines: list[_Line]) -> list[_Line]:
    """"Yu-Chieh Huang, Graduate student": a name and a title on one line become two."""
    out = []
    for ln in lines:
        head, comma, tail = ln.text.partition(", ")
        if (comma and looks_like_name(without_prefix(head)) and _title_like(tail)
                and not _title_like(head)):
            width = max(ln.right - ln.left, 1) / max(len(ln.text), 1)
            out.append(replace(ln, text=head, right=ln.left + round(width * len(head))))
            out.append(replace(ln, index=ln.index + _SPLIT, text=tail,
                               left=ln.left + round(width * (len(head) + 2))))
        else:
            out.append(ln)
    return out


_SPLIT = 10_000  # index of the second half of a split line (after every real line)


def _east_asian_names_together(lines: list[_Line]) -> list[_Line]:
    """"田村" | "大輝": a Japanese card prints the family and the given name with a wide gap
    between, which OCR reads as two pieces on one row; side by side, of one size, they are
    one name again ("田村 大輝")."""
    out, taken = [], set()
    for ln in lines:
        if ln.index in taken:
            continue
        right = _beside(ln, lines, 1) if east_asian_piece(ln.text) else None
        if (right is not None and right.index not in taken and east_asian_piece(right.text)
                and abs(right.height - ln.height) <= 0.25 * max(ln.height, right.height)):
            taken.add(right.index)
            ln = replace(ln, text=f"{ln.text} {right.text}", right=right.right,
                         conf=min(ln.conf, right.conf), joined=(right.index,))
        out.append(ln)
    return out


def _title_like(text: str) -> bool:
    return L.is_title(text) or title_word(text)


def _name(lines: list[_Line], emails: list[str]) -> _Line | None:
    """The person's name: a name-shaped line that is neither a title, an organisation, a
    department nor a sentence; the one the e-mail agrees with, else one the name model takes
    for a person, larger and higher first."""
    lines = [replace(ln, text=mended) if (mended := L.mend_fragments(ln.text)) != ln.text
             and looks_like_name(mended) else ln for ln in lines]
    candidates = [ln for ln in lines if (looks_like_name(ln.text)
                                         or looks_like_name(without_prefix(ln.text)))
                  and not _title_like(ln.text) and not L.legal_form(ln.text)
                  and not organisation_word(ln.text) and not DEPARTMENT_RE.search(ln.text)
                  and not sentence_like(ln.text)]
    if not candidates:
        return None
    locals_ = [L.fold(e.partition("@")[0]) for e in emails]
    tallest = max(ln.height for ln in candidates) or 1

    def in_email(ln: _Line) -> bool:
        return any(part in loc for part in L.fold(ln.text).split() if len(part) > 2
                   for loc in locals_)

    def score(ln: _Line) -> float:
        return (10 * in_email(ln) + 3 * is_person(without_prefix(ln.text))
                + 2 * ln.height / tallest - 0.02 * ln.index)

    best = max(candidates, key=score)
    # The parser is surer of a name the e-mail address agrees with.
    return best if in_email(best) else replace(best, conf=best.conf * _UNCONFIRMED)


def _company(lines: list[_Line], everything: list[_Line], domains: list[str],
             name: _Line | None = None) -> _Line | None:
    """The organisation: the line with the most evidence for it (a legal form, agreement
    with the e-mail or web domain, an organisation word, the name model, being the card's
    largest or topmost text) and none against (a title, a department, a sentence, a person's
    name, digits). A company printed over two lines ("STANFORD" / "UNIVERSITY") is joined."""
    if not lines:
        return None
    lines = [replace(ln, text=head) if (head := L.legal_head(ln.text)) else ln for ln in lines]
    tallest = max(ln.height for ln in lines)
    top = min(ln.top for ln in everything)
    bottom = max(ln.top for ln in everything)
    scored = [(_company_score(ln, domains, tallest, top, bottom), ln) for ln in lines]
    score, best = max(scored, key=lambda pair: (pair[0], -pair[1].index))
    if score < _COMPANY_EVIDENCE:
        return None
    joined = _joined(best, lines, domains, name)
    sure = L.legal_form(joined.text) or any(_domain_similarity(joined.text, d) >= 70
                                            for d in domains)
    factor = 1.0 if L.legal_form(joined.text) else _UNCONFIRMED if sure else _GUESSED
    return replace(joined, conf=joined.conf * factor)


_COMPANY_EVIDENCE = 2.0


def _company_score(ln: _Line, domains: list[str], tallest: int, top: int,
                   bottom: int) -> float:
    text = ln.text
    letters = sum(c.isalpha() for c in text)
    if letters < 2 or L.letters_ratio(text) < 0.5:
        return -10.0
    score = 0.0
    if L.registered_form(text):
        # The legal name ("Deutsche Thomson OHG", "Beyond the Network Limited") over the
        # logo word the domain spells ("THOMSON", "btnaccess"), however large and high that
        # is (5 + 2 + 1 + 0.5): real-cards company 25 -> 27 of 40, no other set changed.
        score += 8
    if any(_domain_similarity(text, d) >= 70 for d in domains):
        score += 5
    if organisation_word(text):
        score += 3
    if is_organisation(text):
        score += 1
    if ln.height >= 0.95 * tallest:
        score += 2
    if bottom > top and (ln.top - top) / (bottom - top) < 0.34:
        score += 1
    words = text.split()
    if text.isupper() and len(words) <= 4:
        score += 0.5
    if _title_like(text) and not L.legal_form(text):
        score -= 4
    if DEPARTMENT_RE.search(text):
        score -= 4
    if sentence_like(text) or len(words) >= 7:
        score -= 5
    if looks_like_name(text) and is_person(text) and not organisation_word(text):
        score -= 3
    if L.digit_count(text) > 1:
        score -= 2
    return score


def _joined(company: _Line, lines: list[_Line], domains: list[str],
            name: _Line | None = None) -> _Line:
    """A company printed over two or three lines, or in pieces on one row: the pieces beside
    it, then the lines just above or below it (left-aligned or centred) that continue it (see
    ``_same_logo``), top to bottom; then a line (even the one taken for the ``name``) that
    the card's domain spells together with it."""
    parts = [company]
    for direction in (-1, 1):  # on the same row first: "Senhora de" | "Fatima"
        edge = company
        while (nxt := _beside(edge, lines, direction)) is not None and len(parts) < 3:
            # Pieces of one name on one row are set in one size: a small line beside a
            # large logo is another column ("Electrical Engineering" by "STANFORD").
            if (nxt in parts or not _same_logo(nxt, company, domains)
                    or min(nxt.height, company.height) < 0.5 * max(nxt.height, company.height)):
                break
            parts.append(nxt)
            edge = nxt
    # A legal form ends the name: nothing under "Hitachi, Ltd." carries it on.
    for direction in (-1,) if L.legal_form(company.text) else (-1, 1):
        edge = company
        while (nxt := _neighbour(edge, lines, direction)) is not None and len(parts) < 4:
            if nxt in parts or not (_same_logo(nxt, company, domains)
                                    or (direction < 0 and _wrapped(nxt, company))):
                break
            parts.append(nxt)
            edge = nxt
    parts += _spelled_with(parts, [*lines, name] if name else lines, domains)
    if len(parts) == 1:
        return company
    return _Line(company.index, _reading_order(parts), company.height, min(p.conf for p in parts),
                 company.para, min(p.left for p in parts), min(p.top for p in parts),
                 max(p.right for p in parts),
                 tuple(p.index for p in parts if p.index != company.index))


def _spelled_with(parts: list[_Line], lines: list[_Line], domains: list[str]) -> list[_Line]:
    """Lines near the company that, read with it, spell the card's domain ("La Jolie" over
    a small "NAIL SPA" for lajolienailspa.com; "CAFE" and "BRIOCHE" set diagonally for
    cafebriochepaloalto.com; "Flores Nossa" / "Senhora de" / "Fatima" for floresnsfatima@):
    part of the name, whatever their size, case or place. One line, else two."""
    if not domains or _spells(_reading_order(parts), domains):
        return []
    top = min(p.top for p in parts)
    bottom = max(p.top + p.height for p in parts)
    near = [ln for ln in lines if ln not in parts and not L.digit_count(ln.text)
            and len(ln.text.split()) <= 3
            and top - 2 * ln.height <= ln.top <= bottom + ln.height]
    for size in (1, 2):
        for extra in itertools.combinations(near, size):
            if _spells(_reading_order([*parts, *extra]), domains):
                return list(extra)
    return []


def _reading_order(pieces: list[_Line]) -> str:
    """The pieces' text in rows top to bottom, each row left to right."""
    rows: list[list[_Line]] = []
    for ln in sorted(pieces, key=lambda ln: ln.top):
        if rows and abs(ln.top - rows[-1][0].top) < 0.4 * max(ln.height, rows[-1][0].height):
            rows[-1].append(ln)
        else:
            rows.append([ln])
    return " ".join(p.text for row in rows for p in sorted(row, key=lambda ln: ln.left))


def _spells(text: str, domains: list[str]) -> bool:
    """Whether ``text`` is what a domain label says, or most of its beginning (the rest a
    place or a descriptor: "cafebrioche" of cafebriochepaloalto), OCR slips allowed; or
    its words spell the label each whole or by its initial, a short one maybe left out
    ("Flores Nossa Senhora de Fatima": floresnsfatima), whole words most of it."""
    squashed = re.sub(r"[^a-z0-9]", "", L.fold(text))
    # Folded, but a particle keeps its lower case: only "de", not "CTO" or "Inc", may be left
    # out ("CTO / Acme Inc." does not spell acme).
    words = [L.fold(w) if w.islower() else L.fold(w).upper()
             for w in re.findall(r"[^\W_]+", text)]
    return len(squashed) >= 4 and any(
        (0.55 * len(d) <= len(squashed) <= len(d) + 1
         and fuzz.ratio(squashed, d[:len(squashed)]) >= 90)
        or (len(words) >= 3 and _whole_letters(tuple(words), d) >= 0.6 * len(d))
        for d in domains)


@functools.lru_cache(maxsize=1024)
def _whole_letters(words: tuple[str, ...], label: str) -> int:
    """How many letters of ``label`` whole words spell when ``words`` spell it all, each
    whole, by its initial, or (a particle: up to three lower-case letters) not at all; -1:
    they do not. ``words`` are folded, a particle in lower case, any other in capitals."""
    @functools.cache
    def best(i: int, j: int) -> int:
        if i == len(words):
            return 0 if j == len(label) else -1
        word, found = words[i].lower(), [-1]
        if label.startswith(word, j) and (rest := best(i + 1, j + len(word))) >= 0:
            found.append(rest + len(word))
        if label.startswith(word[0], j):
            found.append(best(i + 1, j + 1))
        if len(word) <= 3 and words[i].islower():
            found.append(best(i + 1, j))
        return max(found)

    return best(0, 0)


def _beside(line: _Line, lines: list[_Line], direction: int) -> _Line | None:
    """The nearest piece on the same row to the left (-1) or right (1), close to it."""
    near = [ln for ln in lines if ln.index != line.index
            and abs((ln.top + ln.height / 2) - (line.top + line.height / 2))
            < 0.4 * max(ln.height, line.height)
            and (ln.left - line.left) * direction > 0]
    if not near:
        return None
    nearest = min(near, key=lambda ln: abs(ln.left - line.left))
    gap = nearest.left - line.right if direction > 0 else line.left - nearest.right
    return nearest if gap < 1.2 * max(line.height, nearest.height) else None


def _neighbour(line: _Line, lines: list[_Line], direction: int) -> _Line | None:
    """The nearest line straight above (-1) or below (1), close and overlapping it."""
    near = [ln for ln in lines if ln.index != line.index
            and (ln.top - line.top) * direction > 0.5 * min(ln.height, line.height)
            and min(ln.right, line.right) - max(ln.left, line.left)
            >= 0.2 * min(ln.right - ln.left, line.right - line.left)]
    if not near:
        return None
    nearest = min(near, key=lambda ln: abs(ln.top - line.top))
    gap = abs(nearest.top - line.top) - (line.height if direction > 0 else nearest.height)
    return nearest if gap < 1.3 * max(line.height, nearest.height) else None


def _wrapped(above: _Line, company: _Line) -> bool:
    """A long company name wraps before its legal form ("Helix Harbor / Therapeutics, Inc."):
    the line above, left-aligned, of about the same size, with no digits or title."""
    return bool(L.legal_form(company.text)) and (
        abs(above.left - company.left) <= company.height
        and abs(above.height - company.height) <= 0.3 * company.height
        and not L.digit_count(above.text) and not _title_like(above.text)
        and not DEPARTMENT_RE.search(above.text))


def _same_logo(line: _Line, company: _Line, domains: list[str]) -> bool:
    """Whether ``line`` continues the company's name: set alike (all capitals like it, or
    about its size), or naming the kind of business ("BELTIS" / "IT Solutions"), or the
    company line is only such a word and ``line`` its proper name ("Brunau" / "Buffet"), or
    the e-mail or web domain spells it too ("Flores Nossa" for floresnsfatima.com). Never
    digits, titles, departments, sentences, more than three words, a lower-case descriptor,
    the same text again, or a person."""
    text = line.text
    if (L.digit_count(text) or len(text.split()) > 3 or _title_like(text)
            or DEPARTMENT_RE.search(text) or sentence_like(text) or L.letters_ratio(text) < 0.8
            or text.islower() or L.fold(text) == L.fold(company.text)):
        return False
    in_domain = any(_domain_similarity(text, d) >= 80 for d in domains)
    capitals = text.isupper() and company.text.isupper()
    if not (capitals or in_domain) and looks_like_name(text) and is_person(text):
        return False
    business_word = organisation_word(text) or (len(company.text.split()) == 1
                                                and organisation_word(company.text))
    return (capitals or business_word or in_domain
            or abs(line.height - company.height) <= 0.25 * company.height)


def _domain_similarity(text: str, label: str) -> float:
    """How well a line agrees with a company hint of the card's addresses (0-100)."""
    squashed = re.sub(r"[^a-z0-9]", "", L.fold(text))
    if not label or not squashed:
        return 0.0
    return float(fuzz.partial_ratio(label, squashed)) if len(squashed) >= 4 else 0.0


def _title(lines: list[_Line], taken: set[int], name: _Line | None) -> _Line | None:
    """A job-title line, the one nearest the name; failing one, the short line set just under
    the name in type no larger, where cards print the title."""
    free = [ln for ln in lines if ln.index not in taken and (name is None
                                                             or ln.index != name.index)]
    titles = [ln for ln in free if _title_like(ln.text) and L.letters_ratio(ln.text) > 0.7]
    if titles:
        anchor = name.index if name else 0
        return min(titles, key=lambda ln: abs(ln.index - anchor))
    if name is None:
        return None
    below = _neighbour(name, free, 1)
    if (below is not None and below.height <= name.height and 1 <= len(below.text.split()) <= 6
            and L.letters_ratio(below.text) > 0.7 and not L.digit_count(below.text)
            and not organisation_word(below.text) and not DEPARTMENT_RE.search(below.text)
            and not sentence_like(below.text) and not L.legal_form(below.text)):
        return replace(below, conf=below.conf * _UNCONFIRMED)
    return None


def _strip_edges(text: str) -> str:
    return text.strip(" ,;:|-")
