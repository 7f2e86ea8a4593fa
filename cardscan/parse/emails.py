"""E-mail addresses with email-validator: repair common OCR slips, validate syntax, normalise."""

from __future__ import annotations

import re
from collections.abc import Iterable

from email_validator import EmailNotValidError, validate_email

# "name @ host", "name@ host.com", "name@host,com", "name(at)host.com"
_AT_RE = re.compile(r"\s*(?:@|\(at\)|\[at\])\s*", re.IGNORECASE)
_CANDIDATE_RE = re.compile(r"[\w.+'-]+@[\w-]+(?:[.,][\w-]+)+", re.UNICODE)
# "Email:", "mail." glued to the address; a lone "E" only with ":" (or "." and a space), since
# "e.reyes@" is a real address.
_LABEL_RE = re.compile(r"^(?:(?:e-?mail|mail)\s*[:.]?\s*|e\s*:\s*|e\.\s+)(?=[\w.+-]+@)",
                       re.IGNORECASE)
# OCR reads a lower-case "l" at the start of a local part as a bar: "|.thompson@".
_BAR_AS_L_RE = re.compile(r"(?<![\w|])[|¦](?=[\w.]+\s*@)")
_SPACED_PIECES = 6  # more pieces than this around an "@" are more than one address's shards


def find_emails(lines: Iterable[str]) -> list[str]:
    """Normalised e-mail addresses found on the card, in reading order, without repeats."""
    found: list[str] = []
    for line in lines:
        for candidate in _candidates(line):
            email = normalise(candidate)
            if email and email not in found:
                found.append(email)
    return found


def _candidates(line: str) -> list[str]:
    joined = _AT_RE.sub("@", _BAR_AS_L_RE.sub("l", line))
    tokens = _CANDIDATE_RE.findall(joined)
    if not tokens and joined.count("@") == 1 and len(joined.split()) <= _SPACED_PIECES:
        # A line that is only an address, broken by OCR spaces ("r-s amuels @rei chel. com").
        tokens = _CANDIDATE_RE.findall("".join(joined.split()))
    out = []
    for token in tokens:
        token = _LABEL_RE.sub("", token)
        local, _, domain = token.partition("@")
        out.append(f"{local}@{domain.replace(',', '.')}")
    return out


def normalise(text: str) -> str | None:
    """The normalised address, or None when it is not a syntactically valid e-mail."""
    try:
        result = validate_email(text.strip(".,;:"), check_deliverability=False)
    except EmailNotValidError:
        return None
    return result.normalized.lower()


def domain(email: str) -> str:
    return email.rpartition("@")[2]
