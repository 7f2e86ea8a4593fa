"""The driver: the one place that knows the stage order, from files to stored contacts."""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import followup, imaging, loading
from .config import Pipeline
from .db import Database
from .errors import CardscanError
from .model import CardImage, IngestResult, Note, OcrResult, ParsedCard, Status, contact_record
from .ocr import OcrEngine, TesseractEngine
from .parse import parse_front, parse_note

log = logging.getLogger(__name__)

_BACK_RE = re.compile(r"^(?P<stem>.*?)[ _.-]?back$", re.IGNORECASE)
_FRONT_RE = re.compile(r"^(?P<stem>.*?)[ _.-]?front$", re.IGNORECASE)


@dataclass(frozen=True)
class Job:
    """One card to read: a front and, when there is one, its back."""

    front: Path
    back: Path | None = None


@dataclass(frozen=True)
class Context:
    """What a run knows beyond the images: settings, the batch's meeting, and today."""

    pipeline: Pipeline
    today: dt.date
    met: dt.date | None = None
    event: str | None = None


# --- reading one card (runs in worker processes) -------------------------------------------

_ENGINES: dict[tuple[str, int], OcrEngine] = {}


def engine_for(pipeline: Pipeline) -> OcrEngine:
    """One Tesseract engine per process and language set, checked once."""
    key = (pipeline.ocr.languages, pipeline.ocr.timeout)
    if key not in _ENGINES:
        _ENGINES[key] = TesseractEngine(pipeline.ocr.languages, timeout=pipeline.ocr.timeout)
    return _ENGINES[key]


def ocr_side(image: CardImage, *, page_mode: int, ctx: Context) -> OcrResult:
    prepared = imaging.prepare(loading.decode(image), ctx.pipeline.preprocess)
    return engine_for(ctx.pipeline).read(prepared, page_mode=page_mode)


def read_card(front: CardImage, back: CardImage | None, ctx: Context) -> ParsedCard:
    """OCR and parse one card; nothing is stored."""
    settings = ctx.pipeline
    front_ocr = ocr_side(front, page_mode=settings.ocr.page_mode, ctx=ctx)
    back_ocr = (ocr_side(back, page_mode=settings.ocr.back_page_mode, ctx=ctx)
                if back else None)
    contact = parse_front(front_ocr, default_region=settings.parse.default_region)
    reference = ctx.met or ctx.today
    note = parse_note([ln.text for ln in back_ocr.lines], reference=reference,
                      date_order=settings.parse.date_order,
                      line_conf=[ln.conf / 100 for ln in back_ocr.lines]) if back_ocr else None
    warnings = []
    if not front_ocr.lines:
        warnings.append(f"{front.path}: no text found on the front")
    if back is not None and back_ocr is not None and not back_ocr.lines:
        warnings.append(f"{back.path}: no text found on the back")
    note = note or Note()
    return ParsedCard(front=front, back=back, front_ocr=front_ocr, back_ocr=back_ocr,
                      contact=contact, note=note, met_on=note.met_on or reference,
                      event=note.event or ctx.event, warnings=tuple(warnings))


def scan(job: Job, ctx: Context) -> ParsedCard:
    """Read a card from files (``cardscan scan``)."""
    front = loading.read_card_image(job.front)
    back = loading.read_card_image(job.back) if job.back else None
    return read_card(front, back, ctx)


def card_json(card: ParsedCard) -> dict[str, Any]:
    """The public JSON of ``cardscan scan --json``: contact keys plus raw text and sources."""
    record = contact_record(card.contact, card.note, met_on=card.met_on, event=card.event)
    return {
        **record,
        "front_text": card.front_ocr.text,
        "back_text": card.back_ocr.text if card.back_ocr else None,
        "ocr_confidence": {"front": round(card.front_ocr.mean_conf / 100, 3),
                           "back": round(card.back_ocr.mean_conf / 100, 3)
                           if card.back_ocr else None},
        "source": {"front": str(card.front.path), "back": str(card.back.path)
                   if card.back else None, "front_sha256": card.front.sha256},
        "engine": f"{card.front_ocr.engine} {card.front_ocr.engine_version}",
        "warnings": list(card.warnings),
    }


# --- finding the cards in what the user gave -------------------------------------------------

def collect_jobs(paths: Iterable[Path]) -> list[Job]:
    """Files and folders -> cards, backs paired with fronts by file name (x_front / x_back)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if _is_card_file(p, path))
        else:
            files.append(path)  # named explicitly: always tried, so errors are reported
    return pair_sides(files)


def _is_card_file(path: Path, root: Path) -> bool:
    parts = path.relative_to(root).parts
    return (path.is_file() and path.suffix.lower() in loading.IMAGE_SUFFIXES
            and not any(p.startswith(".") for p in parts))


def pair_sides(files: list[Path]) -> list[Job]:
    """Pair ``x_back`` with ``x_front`` or ``x`` in the same folder; keep input order."""
    fronts: dict[tuple[Path, str], Path] = {}
    for f in files:
        if not _BACK_RE.match(f.stem):
            m = _FRONT_RE.match(f.stem)
            fronts[(f.parent, (m["stem"] if m else f.stem).lower())] = f
    backs: dict[Path, Path] = {}
    orphans: list[Path] = []
    for f in files:
        if m := _BACK_RE.match(f.stem):
            front = fronts.get((f.parent, m["stem"].lower()))
            if front is None:
                orphans.append(f)
            else:
                backs[front] = f
    jobs = [Job(f, backs.get(f)) for f in files if not _BACK_RE.match(f.stem)]
    return jobs + [Job(f, None) for f in orphans]


# --- ingesting many cards ------------------------------------------------------------------

def ingest_many(jobs: list[Job], db: Database, ctx: Context, *, executor: Executor | None = None,
                now: Callable[[], dt.datetime] = dt.datetime.now
                ) -> Iterator[IngestResult]:
    """Read every new card (in ``executor`` when given) and store each in its own transaction.

    Cheap checks first: a file that is not an image, or whose bytes are already stored, never
    reaches OCR. One bad file never stops the batch.
    """
    pending: list[tuple[Job, Future[ParsedCard] | ParsedCard]] = []
    for job in jobs:
        try:
            front = loading.read_card_image(job.front)
            back = loading.read_card_image(job.back) if job.back else None
        except CardscanError as e:
            yield IngestResult(job.front, Status.FAILED, message=str(e), back=job.back)
            continue
        if _is_back_only(job):
            yield IngestResult(job.front, Status.FAILED, message=(
                f"{job.front}: back of a card with no matching front (name the front "
                f"{job.front.stem[:-4].rstrip(' _.-')}_front{job.front.suffix})"))
            continue
        if db.has_scan(front.sha256):
            yield IngestResult(job.front, Status.DUPLICATE, message="already stored", back=job.back)
            continue
        work = (executor.submit(read_card, front, back, ctx) if executor
                else read_card(front, back, ctx))
        pending.append((job, work))
        if executor is None:
            yield from _store_ready(pending, db, ctx, now)
    yield from _store_ready(pending, db, ctx, now)


def _is_back_only(job: Job) -> bool:
    return job.back is None and _BACK_RE.match(job.front.stem) is not None


def _store_ready(pending: list[tuple[Job, Future[ParsedCard] | ParsedCard]], db: Database,
                 ctx: Context, now: Callable[[], dt.datetime]) -> Iterator[IngestResult]:
    while pending:
        job, work = pending.pop(0)
        try:
            card = work.result() if isinstance(work, Future) else work
            yield store(card, db, ctx, now=now())
        except CardscanError as e:
            yield IngestResult(job.front, Status.FAILED, message=str(e), back=job.back)


def store(card: ParsedCard, db: Database, ctx: Context, *, now: dt.datetime) -> IngestResult:
    """Save a parsed card with its follow-up plan; a card with no text at all is not a contact."""
    if not card.front_ocr.lines:
        return IngestResult(card.front.path, Status.NO_TEXT,
                            message=f"{card.front.path}: no text found; is this a card?")
    if db.has_scan(card.front.sha256):  # the same image twice in one batch
        return IngestResult(card.front.path, Status.DUPLICATE, message="already stored")
    tasks = followup.plan(met_on=card.met_on, name=card.contact.name, event=card.event,
                          topics=card.note.topics, actions=card.note.actions,
                          policy=ctx.pipeline.followup)
    contact_id = db.save_card(card, tasks, now=now)
    return IngestResult(card.front.path, Status.CREATED, contact_id=contact_id,
                        back=card.back.path if card.back else None)
