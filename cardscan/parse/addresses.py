"""Which printed lines are postal address, in the shapes of many countries: US (usaddress, the
datamade parser with its model inside the package: MIT), European street-and-number, Brazilian
(CEP, "- SP"), Japanese block addresses ("1-2-3 Somecho, Chuo-ku, Osaka 540-0001", 〒),
Vietnamese, Indian, Latin American and Nordic postcodes, and country names in the languages
cardscan reads (Babel's territory names)."""

from __future__ import annotations

import re
from functools import lru_cache

import usaddress
from babel import Locale

from . import lines as L

# US states by name (an address line may spell the state out: "Palo Alto, California 94306").
US_STATES = ("alabama|alaska|arizona|arkansas|california|colorado|connecticut|delaware|"
             "florida|georgia|hawaii|idaho|illinois|indiana|iowa|kansas|kentucky|louisiana|"
             "maine|maryland|massachusetts|michigan|minnesota|mississippi|missouri|montana|"
             "nebraska|nevada|new hampshire|new jersey|new mexico|new york|north carolina|"
             "north dakota|ohio|oklahoma|oregon|pennsylvania|rhode island|south carolina|"
             "south dakota|tennessee|texas|utah|vermont|virginia|washington|west virginia|"
             "wisconsin|wyoming")
_STATE_ZIP_RE = re.compile(rf"\b(?:{US_STATES})\s*,?\s+\d{{5}}(?:-\d{{4}})?\b", re.IGNORECASE)
# "Stanford, CA", "Austin, TX 78701": a two-letter state after a comma.
_STATE_CODE_RE = re.compile(r",\s*[A-Z]{2}(?:\s+\d{5}(?:-\d{4})?)?\s*$")
# Brazil: "- SP", "/SP" after a city; CEP.
_BR_STATE_RE = re.compile(r"(?:^|[\s,-])(?:AC|AL|AP|AM|BA|CE|DF|ES|GO|MA|MT|MS|MG|PA|PB|PR|PE|"
                          r"PI|RJ|RN|RS|RO|RR|SC|SP|SE|TO)\.?\s*(?:$|[\s,-])")
_CEP_RE = re.compile(r"\b(?:cep[:.]?\s*)?\d{5}-?\d{3}\b", re.IGNORECASE)
# Japan: 〒, NNN-NNNN, and the ward/city/prefecture/district endings of romanised addresses.
_JP_MARKS_RE = re.compile(
    r"〒|\b\w+-(?:ku|shi|ken|cho|machi|gun|fu|to)\b|\bchome\b|丁目|[都道府県市区町村]",
    re.IGNORECASE)
_JP_POSTCODE_RE = re.compile(r"\b\d{3}-\d{4}\b")
# Korea: metropolitan city, province, city, district, town and road endings ("서울특별시
# 강남구 테헤란로 152").
_KR_MARKS_RE = re.compile(r"[가-힣]+(?:특별시|광역시|시|도|구|군|읍|면|동|로|길)(?=\s|\d|$)")
# Block and building: "1-2-3 Somecho", "20th Floor", "Room 615", "First Floor".
_BLOCK_RE = re.compile(r"\b\d{1,4}-\d{1,4}(?:-\d{1,4})?\b")
_FLOOR_RE = re.compile(r"\b(?:\d+(?:st|nd|rd|th|º|°)|first|second|third|ground|fourth|fifth)"
                       r"\s+(?:floor|fl\.?|andar|piso|etage|stock)\b", re.IGNORECASE)
# Postcodes of other shapes, with the place after or before: Nordic "114 55 Stockholm",
# Benelux "1012 AB Amsterdam" / "1000 Bruxelles", Vietnam/India 6 digits "700000", "560 001".
_POSTCODE_PLACE_RE = re.compile(
    r"\b(?:\d{3}\s\d{2}|\d{4}\s?[A-Z]{2}|\d{4,6}|\d{3}\s\d{3})\s+[A-ZÀ-Ý][\w'À-ÿ-]+")
_PLACE_POSTCODE_RE = re.compile(r"[A-Za-zÀ-ÿ]{3,}[,\s]+(?:\d{3}\s?\d{3}|\d{5,6})\s*$")
_USADDRESS_STREET = {"AddressNumber", "StreetName"}
_HOUSE_NUMBER_RE = re.compile(r"\d+[A-Za-z]?(?:[-/]\d+[A-Za-z]?)?|One|Two|Three", re.IGNORECASE)
_USADDRESS_PLACE = {"PlaceName", "StateName", "ZipCode"}


@lru_cache(maxsize=1)
def _countries() -> dict[str, str]:
    """Country names (English, German, French, Spanish, Portuguese, Italian, Dutch) -> code."""
    names = {}
    for language in ("en", "de", "fr", "es", "pt", "it", "nl"):
        for code, name in Locale(language).territories.items():
            if len(code) == 2 and code.isalpha():
                names[L.fold(name)] = code
    for name, code in L.COUNTRIES.items():
        names[L.fold(name)] = code
    names.update({"hong kong": "HK", "republic of china": "TW", "roc": "TW", "prc": "CN",
                  "korea": "KR", "south korea": "KR", "uae": "AE", "u.k.": "GB"})
    return names


def country_code(name: str) -> str | None:
    """The country a name stands for ("Japan", "U.S.A.", "Deutschland"), or None."""
    folded = L.fold(name).strip(" ,;")
    return _countries().get(folded) or _countries().get(folded.strip("."))


def trailing_country(text: str) -> str | None:
    """The country a line ends with ("..., 10117 Berlin, Germany", "JAPAN"), or None: only
    at the end of a line, after a comma, a postcode or alone, so that "Jordan Ellis" is a
    name and not a country."""
    folded = L.fold(text).strip(" .,;")
    names = _countries()
    if folded in names:
        return names[folded]
    # The postcode may follow the country ("Queretaro, Qro. Mexico 76230").
    postcode = _COUNTRY_POSTCODE_RE.fullmatch(folded)
    if postcode:
        folded = postcode.group(1)
    for sep in (",", " "):
        head, _, tail = folded.rpartition(sep)
        for size in (3, 2, 1):
            candidate = " ".join(f"{head} {tail}".split()[-size:]) if sep == " " else tail
            if candidate.strip() in names and (sep == "," or postcode
                                               or any(c.isdigit() for c in head)):
                return names[candidate.strip()]
    return None


_COUNTRY_POSTCODE_RE = re.compile(r"(.*\S)[\s,]+\d{5,6}")  # not a year


def _us_shape(text: str) -> bool:
    if not re.search(r"[A-Za-z]", text):
        return False
    try:
        tags, kind = usaddress.tag(text)
    except (usaddress.RepeatedLabelError, ValueError, IndexError):
        return False
    labels = set(tags)
    # A house number is digits (with a letter or a range), never a time ("11:30 às 15:00").
    street = (labels >= _USADDRESS_STREET and kind == "Street Address"
              and _HOUSE_NUMBER_RE.fullmatch(tags["AddressNumber"]) is not None
              and re.search(r"[^\W\d_]{3}", tags["StreetName"]) is not None)
    place = {"PlaceName", "ZipCode"} <= labels or ({"PlaceName", "StateName"} <= labels and (
        _STATE_CODE_RE.search(text) is not None))
    return street or (place and L.letters_ratio(text) > 0.3)


def is_address_line(text: str) -> bool:
    """A line of a postal address: a street with a number, a postal code with a place, a
    state or prefecture, a floor or block, or a country on its own."""
    has_digit = L.digit_count(text) > 0
    if L.STREET_WORDS.search(text) and has_digit:
        return True
    if any(p.search(text) for r, p in L.POSTCODE_RES.items() if r in ("US", "GB", "BR", "DE")):
        return L.letters_ratio(text) > 0.3
    if _STATE_ZIP_RE.search(text) or _FLOOR_RE.search(text) or (_CEP_RE.search(text) and (
            L.letters_ratio(text) > 0.3)):
        return True
    for marks in (_JP_MARKS_RE, _KR_MARKS_RE):
        if marks.search(text) and (has_digit or len(marks.findall(text)) >= 2):
            return True
    if _BLOCK_RE.search(text) and L.letters_ratio(text) > 0.4 and "@" not in text:
        return len(text.split()) >= 2
    if _us_shape(text):
        return True
    return trailing_country(text) is not None and len(text.split()) <= (
        6 if _COUNTRY_POSTCODE_RE.fullmatch(text.strip()) else 3)


def continues_address(text: str) -> bool:
    """A line under an address line that carries on with it: the place with its state,
    postcode or country ("Palo Alto, California 94306", "Jd. Samara - SP", "Causeway Bay,
    Hong Kong", "Chiyoda-ku Tokyo 100-8915"), or a short line that goes on in lower case
    ("próximo ao Extra", near a landmark)."""
    if "@" in text or L.letters_ratio(text) < 0.3:
        return False
    words = text.split()
    carries_on = words[0][:1].islower() and len(words) <= 6 and not L.digit_count(text)
    return bool(is_address_line(text) or _STATE_CODE_RE.search(text) or _BR_STATE_RE.search(text)
                or _POSTCODE_PLACE_RE.search(text) or _PLACE_POSTCODE_RE.search(text)
                or _JP_POSTCODE_RE.search(text) or trailing_country(text) or carries_on)


_PHONE_LABEL_RE = re.compile(r"[\s,;|-]*\b(?:tel|fone|phone|fax|tel/fax|cel|celular|mobile|"
                             r"cell|telefon|telefone|t|f|p)\b\.?\s*[:.]?\s*[+(]?\d", re.IGNORECASE)


def before_phone(text: str, *, loose: bool = False) -> str | None:
    """The address printed before a phone on one line ("Av. Sapopemba, 2449 - Tel/Fax:
    2966-2550"), or None; ``loose``: also a place that carries on an address line above it
    ("São Paulo - SP - Tel: ...")."""
    match = _PHONE_LABEL_RE.search(text)
    if match is None or match.start() < 6:
        return None
    head = text[:match.start()].strip(" -,;|•·")
    head = re.sub(r"^\w+:\s*", "", head)  # "Lojas: ..." (a label before the address)
    if not head:
        return None
    return head if is_address_line(head) or (loose and continues_address(head)) else None
