"""What the review app does, over the storage package and the follow-up lifecycle: the queue, a
card page, a person's corrections, images, follow-ups and exports. No SQL here and no OCR.

A person's correction never overwrites the machine's reading without trace: each changed field
is stored with the value it replaced. What a person may type, and how it is cleaned, is
``fields``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import export
from ..config import Followup, Limits
from ..followup import lifecycle
from ..model import REVIEW_BELOW, CardImage, PlannedTask
from ..parse.phones import example_phone, region_of
from ..parse.regions import tld_region
from ..read import loading
from ..store import (
    CardPage,
    ContactView,
    Database,
    FieldChange,
    QueuePage,
    QueueQuery,
    TaskPage,
    Trashed,
)

if TYPE_CHECKING:
    from ..export.sheet import SheetCard
from .fields import FIELDS, NOTE_FIELDS, InvalidChanges, clean, iso_date, one_line, public

DUE_CHOICES = ("today", "week", "overdue", "all")
WEAK = REVIEW_BELOW  # a field read with less confidence than this is highlighted
# Formats a browser shows as they are; any other stored scan (PDF, TIFF, HEIC) is sent as PNG.
WEB_IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
                   ".webp": "image/webp"}


# --- the queue and one card -------------------------------------------------------------------

def queue_page(db: Database, query: QueueQuery) -> QueuePage:
    """A page of the queue (the weakest reading first unless sorted otherwise)."""
    with db.transaction() as tx:
        return tx.queue_page(query)


def next_card(db: Database, after: int) -> int | None:
    with db.transaction() as tx:
        return tx.next_unreviewed(after)


def card_view(db: Database, contact_id: int) -> CardPage:
    with db.transaction() as tx:
        return tx.card_page(contact_id)


def field_confidence(contact: Mapping[str, Any], field: str) -> float | None:
    """How sure the machine was of a field (0..1); None when it gave no figure."""
    confidence = contact["confidence"]
    if field in ("given_name", "family_name"):
        field = field if field in confidence else "name"
    value = confidence.get(field)
    return None if value is None else float(value)


def phone_placeholder(contact: ContactView, default_region: str) -> str:
    """An example number of the card's country (its first phone's, else its web or e-mail
    domain's, else the settings' region) for the empty phone field."""
    f = contact.fields
    region = next(filter(None, (region_of(p.number) for p in f.phones)), None)
    for address in (f.website or "", *f.emails):
        if region is None and address:
            region = tld_region(address.rstrip("/").split("@")[-1].split("/")[0].rsplit(".")[-1])
    return example_phone(region or default_region)


# --- corrections ------------------------------------------------------------------------------

def correct(db: Database, contact_id: int, changes: Mapping[str, Any], *, confirm: bool = False,
            policy: Followup | None = None, default_region: str = "US",
            now: dt.datetime | None = None) -> list[str]:
    """Store a person's values for a contact; returns the fields that changed.

    Each changed field keeps the value it replaced, and gets confidence 1.0 (a person has
    checked it); values other cards gave for it (``alternatives``) are settled. ``confirm``
    marks the contact reviewed and settles every field. Phones are normalised to E.164 (in
    the region of the contact's first phone, else ``default_region``) and e-mails as the
    parser normalises them; values that cannot be stored raise InvalidChanges and nothing is
    saved. Open follow-up drafts are rewritten when the name or the meeting changed (their
    due dates stay)."""
    unknown = set(changes) - set(FIELDS)
    if unknown:
        raise InvalidChanges({f: "not a field a person can correct" for f in sorted(unknown)})
    with db.transaction() as tx:
        contact = tx.contact(contact_id)
        before = contact.json()
        region = next(filter(None, (region_of(p.number) for p in contact.fields.phones)),
                      default_region)
        after = clean(changes, region=region, has_note=contact.latest is not None)
        changed = [f for f in FIELDS
                   if f in after and public(f, after[f]) != public(f, before[f])]
        tx.correct(contact_id, [FieldChange(f, after[f], public(f, before[f]), public(f, after[f]))
                                for f in changed],
                   settle=FIELDS if confirm else changed, confirm=confirm,
                   now=now or dt.datetime.now())
        if {"name", "pronunciation", *NOTE_FIELDS} & set(changed):
            lifecycle.redraft(tx, contact_id, policy or Followup())
    return changed


def confirm_many(db: Database, contact_ids: Iterable[int], *,
                 policy: Followup | None = None) -> int:
    """Bulk confirm: each contact marked reviewed as its page's Confirm does (every field
    settled, nothing changed). Returns how many."""
    ids = list(dict.fromkeys(contact_ids))
    for contact_id in ids:
        correct(db, contact_id, {}, confirm=True, policy=policy)
    return len(ids)


# --- the trash and merges ---------------------------------------------------------------------

def delete(db: Database, contact_id: int, *, now: dt.datetime | None = None) -> None:
    """Into the trash (undo with ``restore``): the contact leaves every list, export and
    follow-up list; its scans, images and history stay."""
    with db.transaction() as tx:
        tx.delete_contact(contact_id, now=now or dt.datetime.now())


def restore(db: Database, contact_id: int) -> None:
    with db.transaction() as tx:
        tx.restore_contact(contact_id)


def trash(db: Database) -> list[Trashed]:
    with db.transaction() as tx:
        return tx.trash()


MERGE_FIELDS = ("name", "given_name", "family_name", "title", "department", "company",
                "website", "address", "pronunciation")


def merge_pair(db: Database, keep: int, other: int) -> tuple[ContactView, ContactView]:
    """The two contacts a merge page compares."""
    if keep == other:
        raise InvalidChanges({"other": "choose two different contacts to merge"})
    with db.transaction() as tx:
        return tx.contact(keep), tx.contact(other)


def merge(db: Database, keep: int, other: int, choices: Mapping[str, str], *,
          policy: Followup | None = None, now: dt.datetime | None = None) -> None:
    """Merge ``other`` into ``keep``. ``choices``: field -> "keep" or "other", whose value
    the merged contact takes (a field not chosen keeps ``keep``'s, or ``other``'s when
    ``keep`` has none)."""
    bad = {f: "choose keep or other" for f, c in choices.items()
           if f not in MERGE_FIELDS or c not in ("keep", "other")}
    if bad:
        raise InvalidChanges(bad)
    a, b = merge_pair(db, keep, other)
    chosen = {f: (a if c == "keep" else b).value(f) for f, c in choices.items()}
    lifecycle.merge(db, keep, other, chosen, policy=policy or Followup(),
                    now=now or dt.datetime.now())


# --- scan images ------------------------------------------------------------------------------

def image_path(db: Database, scan_id: int, limits: Limits | None = None) -> Path:
    """The image the card page shows for a scan, only from inside the scan store: the card
    as cut out and turned upright when ingest kept it; else the stored file when a browser
    shows it as it is; else (PDF, TIFF, HEIC) the card's own page rendered once to PNG and
    kept in the store, so a long document is never rendered per request."""
    with db.transaction() as tx:
        scan = tx.scan_file(scan_id)
    what = f"scan {scan_id}"
    if scan.view_path:
        return db.scans.file(scan.view_path, what)
    original = db.scans.file(scan.stored_path, what)
    if original.suffix.lower() in WEB_IMAGE_TYPES:
        return original
    cached = db.scans.view(scan.sha256, scan.part, scan.side, ".png")
    if not cached.is_file():
        page = loading.decode(CardImage(original, scan.sha256, original.read_bytes()),
                              limits or Limits(), page=scan.part)
        db.scans.keep_view(loading.png_bytes(page), scan.sha256, scan.part, scan.side, ".png")
    return db.scans.file(str(cached), what)


# --- an event's cards on paper ----------------------------------------------------------------

def sheet_cards(db: Database, event: str) -> list[SheetCard]:
    """Every card met at ``event`` (any case), in the order met: its name, company, the day,
    and its sides' images (front first) as the card page shows them."""
    from ..export.sheet import SheetCard  # reportlab: only for a sheet

    with db.transaction() as tx:
        found = tx.event_cards(event)
    return [SheetCard(name, company, met_on, [image_path(db, scan_id) for scan_id in scans])
            for name, company, met_on, scans in found]


# --- follow-ups -------------------------------------------------------------------------------

def followups(db: Database, *, today: dt.date, due: str = "today", search: str = "",
              event: str | None = None, page: int = 1,
              per_page: int = 50) -> tuple[TaskPage, list[dict[str, Any]]]:
    """A page of the open and snoozed tasks of a due group, soonest first, each in the public
    JSON shape (``cardscan tasks --json``) with ``days_late`` (0 when not late)."""
    if due not in DUE_CHOICES:
        raise InvalidChanges({"due": f"one of {', '.join(DUE_CHOICES)}"})
    with db.transaction() as tx:
        found = tx.task_page(due=due, today=today, search=search, event=event, page=page,
                             per_page=per_page)
    return found, [{**t.json(), "days_late": max(0, (today - t.due).days)} for t in found.tasks]


def finish_task(db: Database, task_id: int, *, on: dt.date, policy: Followup,
                state: str = "done", outcome: str | None = None) -> PlannedTask | None:
    """Done or skipped: the task closes and the next touch is planned; returns that touch."""
    if state not in ("done", "skipped"):
        raise InvalidChanges({"state": "done or skipped"})
    return lifecycle.close_task(db, task_id, state=state, on=on, policy=policy,
                                outcome=one_line(outcome))


def snooze(db: Database, task_id: int, until: str | dt.date, *, today: dt.date) -> dt.date:
    """Move a task to a later day; returns the day."""
    try:
        day = dt.date.fromisoformat(iso_date(until)) if isinstance(until, str) else until
    except ValueError as e:
        raise InvalidChanges({"until": str(e)}) from None
    if day <= today:
        raise InvalidChanges({"until": f"snooze to a day after today ({today.isoformat()})"})
    with db.transaction() as tx:
        tx.snooze_task(task_id, day)
    return day


# --- exports ----------------------------------------------------------------------------------

def export_contacts(db: Database, *, reviewed_only: bool = False,
                    ids: Iterable[int] | None = None) -> list[Mapping[str, Any]]:
    """The contacts an export link writes (each with its next follow-up): all of them (or
    those of ``ids``, a selection), or only those a person confirmed. As ``cardscan export
    --reviewed-only`` chooses them."""
    return export.select([c.json() for c in db.contacts(ids)], reviewed_only=reviewed_only)
