"""Phone numbers with python-phonenumbers: find, type from the printed label, E.164."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace

import phonenumbers
from phonenumbers import Leniency, PhoneNumberFormat, PhoneNumberMatcher, PhoneNumberType

from ..model import Phone

_LABELS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("fax", re.compile(r"(?:\b|^)(?:f|fax|telefax|télécopie|telecopie)\b\.?", re.IGNORECASE)),
    ("mobile", re.compile(
        r"(?:\b|^)(?:m|mob|mobile|mobil|cell|cellular|cel|celular|handy|portable|port|"
        r"cell-phone|cell phone|cellphone|mobile phone|mobile-phone|"
        r"whatsapp|wa|gsm)\b\.?", re.IGNORECASE)),
    ("work", re.compile(
        r"(?:\b|^)(?:t|tel|tél|tele|telefon|telephone|téléphone|telefone|fone|"
        r"(?<!cell-)(?<!cell )(?<!mobile-)(?<!mobile )phone|ph|p|"
        r"office|off|o|direct|dir|d|work|w|main|b|business|fixo)\b\.?", re.IGNORECASE)),
)
# OCR reads these letters where a phone number has digits.
_DIGIT_LOOKALIKES = str.maketrans({"O": "0", "o": "0", "l": "1", "I": "1", "|": "1"})
_PHONEISH = re.compile(r"[+(]?\d[\dOolI|()\s./-]{6,}\d")
_GLUED_LOOKALIKE = re.compile(r"(?<=\d)[OolI|]+|[OolI|]+(?=\d)")
_NINE_DOT = re.compile(r"(?<![\d.])(9)\.(\d{4}-\d{4})\b")
_MIN_DIGITS_UNLABELLED = 10
# A local number written in two groups: 2294-9484, 99679-9468, 9.9679-9468 (not 01310-200).
_LOCAL_SHAPE = re.compile(r"(?:9[ .]?)?\d{4,5}[-. ]\d{4}")


def find_phones(lines: Iterable[str], region: str) -> list[Phone]:
    """Every phone number on the card, in reading order, typed by its label.

    A local number printed without its area code ("2646-6123" after "11 2082-2399") takes the
    area code of the number before it, as a reader would.
    """
    found: list[Phone] = []
    pending_label = ""
    area_code = ""
    unlabelled: list[int] = []  # where in ``found`` the numbers no label named are
    orphans: list[str] = []  # labels alone on their line that named no number
    for line in lines:
        if _type_from_label(line) and not any(c.isdigit() for c in line) and len(line) <= 12:
            if pending_label:
                orphans.append(pending_label)
            pending_label = line  # a label alone on its line ("Phone") names the next number
            continue
        text, label, pending_label = f"{pending_label} {line}".strip(), pending_label, ""
        here = _named_country(text) or region
        phones, area_code = _phones_in_line(_apart(_repair_digits(text), here), here,
                                            area_code)
        if not phones and (squeezed := _squeezed(text)) != text:
            phones, area_code = _phones_in_line(_repair_digits(squeezed), region, area_code)
        if label and not phones:
            orphans.append(label)
        new = [p for p in phones if all(p.number != q.number for q in found)]
        if _type_from_label(text) is None:
            unlabelled += range(len(found), len(found) + len(new))
        found += new
    if pending_label:
        orphans.append(pending_label)
    if orphans and len(orphans) == len(unlabelled):
        # A column of labels read apart from its column of numbers (the numbers, then
        # "Phone" and "Fax" further down): paired in order, as a reader pairs them.
        for i, label in zip(unlabelled, orphans, strict=True):
            found[i] = replace(found[i], type=_type_from_label(label) or found[i].type)
    return found


_SPACED_DIGITS = re.compile(r"(?<=[:.\s])(\d{1,4}(?:\s+\d{1,4}){3,})\s*$")


_COUNTRY_AFTER = re.compile(r"\(([^()\d]{2,24})\)\s*$")


def _named_country(line: str) -> str | None:
    """The country a number's line names after it ("650-468-7208 (U.S.A.)", "(JAPAN)"): its
    numbers are read as that country's, whatever the card's country."""
    from .addresses import country_code

    match = _COUNTRY_AFTER.search(line)
    return country_code(match.group(1)) if match else None


def _squeezed(line: str) -> str:
    """A labelled number whose digits OCR broke into odd groups ("fax: 1  12 3 5665  322"):
    the groups closed up. Only after a label, only when nothing else read as a phone."""
    if _type_from_label(line) is None:
        return line
    return _SPACED_DIGITS.sub(lambda m: re.sub(r"\s+", "", m.group(1)), line)


# A word OCR glued to the number after it ("TIM119.8697-6934": the carrier, then the number):
# phonenumbers takes no number that starts inside a word.
_GLUED_TO_WORD = re.compile(r"(?<=[^\W\d_]{2})(?=\+?\d)")


def _repair_digits(line: str) -> str:
    """Turn O/l/I inside digit runs into 0/1 (never touching words), and the "9." a Brazilian
    mobile number is often printed with ("9.4000-4561") into the digit it is; set a word
    glued to a number apart from it. A lone "I" or "|" between two numbers is a separator,
    not a one."""
    if "@" not in line and "www" not in line.lower():
        line = _GLUED_TO_WORD.sub(" ", line)
    line = _NINE_DOT.sub(r"\1\2", line)
    return _PHONEISH.sub(lambda m: _GLUED_LOOKALIKE.sub(
        lambda c: c.group(0).translate(_DIGIT_LOOKALIKES), m.group(0)), line)


# Numbers printed side by side with only spaces between ("650 321 3900 408 390 7771"): a
# run of digit groups that phonenumbers takes as one invalid number.
_DIGIT_RUN = re.compile(r"\+?\(?\d[\d().-]*(?: \(?\d[\d().-]*)+")


def _apart(line: str, region: str) -> str:
    """Runs of digit groups that are no valid number as a whole but are two or more valid
    numbers side by side, or a postal code and a valid number ("CA 94306 650 321 3900"), set
    apart by " / " so each is found with its own label."""
    def split(run: str) -> str:
        groups = run.split(" ")
        if _valid(run, region) or len(groups) < 2:
            return run
        for i in range(1, len(groups)):
            left, right = " ".join(groups[:i]), " ".join(groups[i:])
            if _valid(left, region) and _valid(rest := split(right), region,
                                               first_only=True):
                return f"{left} / {rest}"
        if re.fullmatch(r"\d{4,5}", groups[0]) and _valid(rest := split(" ".join(groups[1:])),
                                                          region, first_only=True):
            return f"{groups[0]} / {rest}"
        return run

    return _DIGIT_RUN.sub(lambda m: split(m.group(0)), line)


def _valid(text: str, region: str, *, first_only: bool = False) -> bool:
    """Whether ``text`` is one valid number (``first_only``: up to its first " / ")."""
    if first_only:
        text = text.split(" / ")[0]
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(text, region))
    except phonenumbers.NumberParseException:
        return False


def _phones_in_line(line: str, region: str, area_code: str) -> tuple[list[Phone], str]:
    """The phones on one line, and the area code in force after it. Labels stand before
    their numbers ("T 650 321 3900"), or after them when the line ends with one ("650 321
    3900 Cell 650 321 3902 Fax")."""
    phones = []
    matches = _matches(line, region)
    after = bool(matches) and _ends_with_label(line[matches[-1].end:])
    previous_end = 0
    for i, match in enumerate(matches):
        label = line[previous_end:match.start]
        if after:
            label = line[match.end:matches[i + 1].start if i + 1 < len(matches) else len(line)]
        number = _with_area_code(match.number, area_code, region)
        area_code = _area_code(number) or area_code
        phones.append(Phone(number=phonenumbers.format_number(number, PhoneNumberFormat.E164),
                            type=_type_from_label(label) or _type_from_number(number),
                            raw=match.raw_string, extension=number.extension or None))
        previous_end = match.end
    return phones, area_code


def _matches(line: str, region: str) -> list[phonenumbers.PhoneNumberMatch]:
    """Valid numbers, and merely possible ones that a label, a "+" or the shape of a local
    number ("2294-9484", "99679-9468") marks as phones; never postal codes."""
    valid = list(PhoneNumberMatcher(line, region, leniency=Leniency.VALID))
    taken = [(m.start, m.end) for m in valid]
    possible = []
    for match in PhoneNumberMatcher(line, region, leniency=Leniency.POSSIBLE):
        if any(start < match.end and match.start < end for start, end in taken):
            continue
        digits = re.sub(r"\D", "", match.raw_string)
        labelled = _type_from_label(line[:match.start]) is not None
        long_enough = len(digits) >= _MIN_DIGITS_UNLABELLED
        international = long_enough and match.raw_string[0] in "+("
        alone = long_enough and line.strip(" .:;,") == match.raw_string.strip()
        if labelled or international or alone or _LOCAL_SHAPE.fullmatch(match.raw_string.strip()):
            possible.append(match)
    return sorted(valid + possible, key=lambda m: m.start)


def _ends_with_label(tail: str) -> bool:
    """Whether the text after a line's last number is a phone label alone ("Fax", "(cell)")."""
    words = re.sub(r"[^\w\s]", " ", tail).split()
    return len(words) == 1 and _type_from_label(words[0]) is not None and len(words[0]) > 1


def _area_code(number: phonenumbers.PhoneNumber) -> str:
    if not phonenumbers.is_valid_number(number):
        return ""
    length = phonenumbers.length_of_geographical_area_code(number)
    return str(number.national_number)[:length] if length else ""


def _with_area_code(number: phonenumbers.PhoneNumber, area_code: str,
                    region: str) -> phonenumbers.PhoneNumber:
    """A number too short to be valid, completed with the area code seen before it."""
    if phonenumbers.is_valid_number(number) or not area_code:
        return number
    try:
        completed = phonenumbers.parse(area_code + str(number.national_number), region)
    except phonenumbers.NumberParseException:
        return number
    return completed if phonenumbers.is_valid_number(completed) else number


def _type_from_label(text: str) -> str | None:
    """The type named by the label nearest the number (the last one in the text before it)."""
    best: tuple[int, str] | None = None
    for kind, pattern in _LABELS:
        for m in pattern.finditer(text):
            if best is None or m.start() > best[0]:
                best = (m.start(), kind)
    return best[1] if best else None


def _type_from_number(number: phonenumbers.PhoneNumber) -> str:
    kind = phonenumbers.number_type(number)
    if kind == PhoneNumberType.MOBILE:
        return "mobile"
    return "work"


def international_region(lines: Iterable[str]) -> str | None:
    """The country of the first number written with its +country code, if any."""
    for line in lines:
        for match in PhoneNumberMatcher(_repair_digits(line), "ZZ", leniency=Leniency.VALID):
            region = phonenumbers.region_code_for_number(match.number)
            if region and region != "001":
                return str(region)
    return None


def region_of(e164: str) -> str | None:
    try:
        return phonenumbers.region_code_for_number(phonenumbers.parse(e164))
    except phonenumbers.NumberParseException:
        return None


def normalise_phone(text: str, region: str) -> tuple[str, str | None]:
    """E.164 and the extension of a number a person typed; ValueError when it is none."""
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise ValueError(f"{text!r} is not a phone number") from None
    if not phonenumbers.is_possible_number(number):
        raise ValueError(f"{text!r} is not a possible phone number in {region}; "
                         "write it with its country code, e.g. +44 20 7946 0958")
    e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    return e164, number.extension or None


def display_phone(number: str) -> str:
    """An E.164 number as people write it (+33 1 21 29 65 78); anything else as it is."""
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return number
    return phonenumbers.format_number(parsed, PhoneNumberFormat.INTERNATIONAL)


def example_phone(region: str) -> str:
    """A number as the country writes it, for a form's placeholder ("FR" -> +33 1 23 45 67 89);
    the US one for a region phonenumbers has no example for."""
    for code in (region.upper(), "US"):
        example = phonenumbers.example_number_for_type(code, PhoneNumberType.FIXED_LINE)
        if example is not None:
            return phonenumbers.format_number(example, PhoneNumberFormat.INTERNATIONAL)
    return "+1 201-555-0123"
