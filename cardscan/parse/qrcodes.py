"""What a QR code on the card says: a vCard (vobject), a MeCard or a URL -> contact fields."""

from __future__ import annotations

import re
from dataclasses import replace

import vobject

from ..model import ContactFields, Phone
from .emails import normalise as normalise_email
from .names import split_name
from .phones import find_phones
from .web import social_profile

_MECARD_FIELD = re.compile(r"([A-Z-]+):((?:\\.|[^;])*);")


def fields_from_qr(payload: str, *, region: str) -> ContactFields | None:
    """Contact fields from one QR payload, with certainty 1.0; None when it holds none."""
    text = payload.strip()
    if text.upper().startswith("BEGIN:VCARD"):
        return _from_vcard(text, region)
    if text.upper().startswith("MECARD:"):
        return _from_mecard(text[7:], region)
    if re.match(r"^(https?://|www\.)\S+$", text, re.IGNORECASE):
        if profile := social_profile(text):
            return ContactFields(social=(profile,), confidence={"social": 1.0})
        return ContactFields(website=text, confidence={"website": 1.0})
    return None


def _from_vcard(text: str, region: str) -> ContactFields | None:
    try:
        card = vobject.readOne(text)
    except Exception:  # vobject raises many kinds on malformed cards; a bad QR is no QR
        return None
    values: dict[str, list] = {}
    for child in card.getChildren():
        values.setdefault(child.name.upper(), []).append(child)
    name = split_name(str(values["FN"][0].value)) if "FN" in values else None
    org = values.get("ORG", [None])[0]
    phones = [_typed_phone(str(t.value), t.params.get("TYPE", []), region)
              for t in values.get("TEL", [])]
    adr = values.get("ADR", [None])[0]
    return _certain(ContactFields(
        name=name.full if name else None, given_name=name.given if name else None,
        family_name=name.family if name else None,
        title=str(values["TITLE"][0].value) if "TITLE" in values else None,
        company=" ".join(org.value) if org is not None and isinstance(org.value, list)
        else (str(org.value) if org is not None else None),
        phones=tuple(p for p in phones if p),
        emails=tuple(e for e in (normalise_email(str(m.value)) for m in values.get("EMAIL", []))
                     if e),
        website=str(values["URL"][0].value) if "URL" in values else None,
        address=_vcard_address(adr.value) if adr is not None else None))


def _vcard_address(adr: object) -> str | None:
    parts = [getattr(adr, key, "") for key in ("street", "city", "region", "code", "country")]
    flat = [" ".join(p) if isinstance(p, list) else str(p) for p in parts]
    return ", ".join(p for p in flat if p) or None


def _from_mecard(body: str, region: str) -> ContactFields | None:
    fields: dict[str, list[str]] = {}
    for key, value in _MECARD_FIELD.findall(body + ";"):
        fields.setdefault(key, []).append(value.replace("\\;", ";").replace("\\:", ":"))
    if not fields:
        return None
    raw_name = fields.get("N", [""])[0]
    family, _, given = raw_name.partition(",")
    name = split_name(f"{given} {family}".strip()) if raw_name else None
    phones = [_typed_phone(t, [], region) for t in fields.get("TEL", [])]
    return _certain(ContactFields(
        name=name.full if name else None, given_name=name.given if name else None,
        family_name=name.family if name else None,
        company=fields.get("ORG", [None])[0], title=fields.get("TITLE", [None])[0],
        phones=tuple(p for p in phones if p),
        emails=tuple(e for e in (normalise_email(m) for m in fields.get("EMAIL", [])) if e),
        website=fields.get("URL", [None])[0], address=fields.get("ADR", [None])[0]))


def _typed_phone(number: str, types: list[str], region: str) -> Phone | None:
    found = find_phones([number], region)
    if not found:
        return None
    kinds = {t.lower() for t in types}
    kind = ("fax" if "fax" in kinds else "mobile" if kinds & {"cell", "mobile"}
            else "work" if kinds & {"work", "voice"} else found[0].type)
    return replace(found[0], type=kind)


def _certain(fields: ContactFields) -> ContactFields:
    """A QR code is read without OCR errors: every field it fills is certain."""
    filled = {k: 1.0 for k, v in vars(fields).items() if v and k != "confidence"}
    return replace(fields, confidence=filled)


def merge(ocr: ContactFields, qr: ContactFields) -> ContactFields:
    """The QR's fields win; phones, e-mails and profiles from both, the QR's first."""
    values = {}
    for key in ("name", "given_name", "family_name", "title", "department", "company",
                "website", "address"):
        values[key] = getattr(qr, key) or getattr(ocr, key)
    phones = list(qr.phones) + [p for p in ocr.phones
                                if all(p.number != q.number for q in qr.phones)]
    emails = list(dict.fromkeys(qr.emails + ocr.emails))
    social = list(dict.fromkeys(qr.social + ocr.social))
    return ContactFields(**values, phones=tuple(phones), emails=tuple(emails),
                         social=tuple(social), confidence={**ocr.confidence, **qr.confidence})
