"""vCard export (4.0 or 3.0) of stored contacts, built with vobject.

vobject implements vCard 3.0 only. A 4.0 card is built the same way with ``VERSION:4.0`` and only
forms RFC 6350 allows (``TEL;VALUE=uri:tel:+...``, ``ADR;LABEL=...``, ``KIND``); vobject reads
such a card back with its 3.0 rules, which parse every property written here.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

import vobject
from vobject.vcard import Address as VAddress
from vobject.vcard import Name

from ..errors import ConfigError
from .crm import Contact, consent, contact_notes, events, is_e164, phonetic, split_address

VERSIONS = ("4.0", "3.0")
# The namespace of the releases before database identities (store migration 0003), kept by
# databases that exported with it; a library caller without a database may use it.
NAMESPACE = uuid.UUID("5c0e1d2a-8f4b-4c1e-9a57-3b6d2f1e0c48")
PRODID = "-//cardscan//cardscan//EN"
CONSENT = "X-CARDSCAN-MARKETING-CONSENT"
_TEL_TYPES = {"work": ["work", "voice"], "mobile": ["cell"], "fax": ["work", "fax"],
              "other": ["voice"]}


def to_vcard(contacts: Iterable[Contact], *, version: str = "4.0",
             namespace: uuid.UUID = NAMESPACE,
             photos: Mapping[int, bytes] | None = None) -> str:
    """One vCard per contact, CRLF lines. ``namespace`` seeds the UIDs: the database's
    identity (``Database.identity``), so two databases never give the same UID; ``photos``
    maps a contact id to a small JPEG of its card (PHOTO)."""
    if version not in VERSIONS:
        raise ConfigError(f"unknown vCard version {version!r}: choose one of {', '.join(VERSIONS)}")
    return "".join(_card(c, version, namespace, (photos or {}).get(c["id"])).serialize()
                   for c in contacts)


def contact_uid(contact: Contact, *, namespace: uuid.UUID = NAMESPACE) -> str:
    """A UID that stays the same for the contact across exports, so a re-import updates it."""
    return "urn:uuid:" + str(uuid.uuid5(namespace, f"cardscan-contact:{contact['id']}"))


def _card(c: Contact, version: str, namespace: uuid.UUID, photo: bytes | None = None) -> Any:
    card = vobject.vCard()
    _add(card, "version", version)
    _add(card, "prodid", PRODID)
    _add(card, "uid", contact_uid(c, namespace=namespace))
    if version == "4.0":
        _add(card, "kind", "individual")
    _add(card, "fn", c.get("name") or c.get("company") or next(iter(c["emails"]), ""))
    _add(card, "n", Name(family=c.get("family_name") or "", given=c.get("given_name") or "",
                         additional=c.get("middle_name") or "", prefix=c.get("name_prefix") or "",
                         suffix=c.get("name_suffix") or ""))
    if c.get("company") or c.get("department"):
        _add(card, "org", [c.get("company") or "", *filter(None, [c.get("department")])])
    _add(card, "title", c.get("title"))
    say_given, say_family = phonetic(c)  # as Apple Contacts and Google read them
    _add(card, "x-phonetic-first-name", say_given)
    _add(card, "x-phonetic-last-name", say_family)
    for phone in c["phones"]:
        _add_tel(card, phone, version)
    for email in c["emails"]:
        _add(card, "email", email, TYPE=["work"] if version == "4.0" else ["internet", "work"])
    for url in filter(None, [c.get("website"), *(c.get("social") or [])]):
        _add(card, "url", url if "://" in url else f"https://{url}")
    _add_address(card, c.get("address"), version)
    _add(card, "note", contact_notes(c))
    if found := events(c):
        _add(card, "categories", found)
    _add(card, CONSENT, str(consent(c)).lower())
    if photo:
        _add_photo(card, photo, version)
    return card


def _add_photo(card: Any, jpeg: bytes, version: str) -> None:
    """4.0: a data: URI; 3.0: inline base64 with ENCODING=b (each as its RFC says)."""
    if version == "4.0":
        data = base64.b64encode(jpeg).decode("ascii")
        _add(card, "photo", f"data:image/jpeg;base64,{data}")
    else:
        _add(card, "photo", jpeg, ENCODING=["b"], TYPE=["JPEG"])


def _add(card: Any, name: str, value: Any, **params: list[str]) -> None:
    if value:
        line = card.add(name)
        line.value = value
        line.params.update(params)


def _add_tel(card: Any, phone: Mapping[str, str], version: str) -> None:
    types = _TEL_TYPES.get(phone["type"], ["voice"])
    number = phone["number"]
    if version == "4.0" and is_e164(number):  # 4.0 SHOULD use a tel: URI
        _add(card, "tel", f"tel:{number}", VALUE=["uri"], TYPE=types)
    else:
        _add(card, "tel", number, TYPE=types)


def _add_address(card: Any, text: str | None, version: str) -> None:
    if not text:
        return
    a = split_address(text)
    value = VAddress(street=a.street, city=a.city, region=a.region, code=a.postal_code,
                     country=a.country)
    # The printed form rides along: as ADR's LABEL parameter in 4.0, as a LABEL property in 3.0.
    if version == "4.0":
        _add(card, "adr", value, TYPE=["work"], LABEL=[text.replace('"', "'")])
    else:
        _add(card, "adr", value, TYPE=["work"])
        _add(card, "label", text, TYPE=["work"])
