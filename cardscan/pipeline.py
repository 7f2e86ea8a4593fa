"""The driver: the one place that knows the stage order, from files to stored contacts."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import cv2
import numpy as np

from .config import Pipeline
from .errors import CardscanError
from .intake.pairing import Job, is_back_only
from .model import CardImage, IngestResult, Note, OcrResult, ParsedCard, Status, contact_record
from .parse import parse_front, parse_note
from .parse.qrcodes import fields_from_qr, merge
from .read import imaging, loading
from .read.engines import EngineFactory, OcrEngine, default_engines
from .read.orient import quality, read_upright
from .read.qr import read_qr_codes

if TYPE_CHECKING:  # storage (SQLAlchemy) is imported only by the functions that store
    from .store import Database

log = logging.getLogger(__name__)

@dataclass(frozen=True)
class Context:
    """What a run knows beyond the images: settings, the batch's meeting, today, and which
    OCR engines read (a factory that crosses into worker processes; by default one engine
    per process as the settings say)."""

    pipeline: Pipeline
    today: dt.date
    met: dt.date | None = None
    event: str | None = None
    debug_dir: Path | None = None  # save every intermediate image here
    engines: EngineFactory = default_engines

    def engine(self, *, back: bool = False) -> OcrEngine:
        return self.engines(self.pipeline.ocr, back=back)


# --- reading one card (runs in worker processes) -------------------------------------------


@dataclass(frozen=True)
class Side:
    """One side of one card, cut from a page and read."""

    ocr: OcrResult
    image: np.ndarray
    warnings: tuple[str, ...] = ()
    timing: tuple[tuple[str, float], ...] = ()  # seconds spent: preprocess, ocr, ocr_calls
    qr: tuple[str, ...] = ()  # payloads of the QR codes on this side
    turned: int = 0  # degrees it was turned clockwise to read it upright


def read_sides(image: CardImage, *, back: bool, ctx: Context,
               pages: list[tuple[int, np.ndarray]] | None = None) -> list[Side]:
    """Every card in a file (pages, then cards on each page in reading order), read upright;
    ``pages`` (numbered from 1, already decoded) limits it to some of the file's pages."""
    settings = ctx.pipeline
    page_mode = settings.ocr.back_page_mode if back else settings.ocr.page_mode
    # Rule removal takes the long strokes of handwriting for lines (measured on the real pen
    # notes: line CER 0.49 -> 0.88), so backs keep their strokes.
    preprocess = (replace(settings.preprocess, remove_rules=False) if back
                  else replace(settings.preprocess, separate_ink=False))
    engine = ctx.engine(back=back)
    if back and engine.name == "rapidocr":
        # RapidOCR boxes each tilted line itself; one angle for the whole note made it worse
        # (handwriting-font backs: character accuracy 0.914 without deskew, 0.911 with).
        preprocess = replace(preprocess, deskew=False)
    sides = []
    if pages is None:
        pages = list(enumerate(loading.decode_pages(image), start=1))
    for page_number, page in pages:
        started = time.perf_counter()
        crops = imaging.prepare_page(page, preprocess)
        prep_seconds = (time.perf_counter() - started) / len(crops)
        for crop in crops:
            # A handwritten back is not turned by OSD (unreliable on handwriting).
            reading = read_upright(crop.image, engine, page_mode=page_mode,
                                   orient=settings.preprocess.orient and not back)
            if reading.turned:
                crop.step(f"turned{reading.turned}", reading.image)
            started = time.perf_counter()
            steps = dict(crop.steps)
            codes = tuple(read_qr_codes(steps.get("card", steps["input"])))
            timing = (("preprocess", prep_seconds), ("ocr", reading.seconds),
                      ("ocr_calls", reading.calls), ("qr", time.perf_counter() - started))
            sides.append(Side(reading.ocr, reading.image,
                              tuple(f"{image.path}: {w}" for w in crop.warnings), timing,
                              codes, reading.turned))
            log.debug("%s page %d: %s side read by %s in %.2f s (%d calls, turned %d), "
                      "%d lines", image.path, page_number, "back" if back else "front",
                      reading.ocr.engine, reading.seconds, reading.calls, reading.turned,
                      len(reading.ocr.lines))
            if ctx.debug_dir is not None:
                _save_steps(ctx.debug_dir, image.path, len(sides), page_number, crop.steps)
    return sides


def _save_steps(folder: Path, source: Path, card: int, page: int,
                steps: list[tuple[str, np.ndarray]]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for number, (name, image) in enumerate(steps):
        path = folder / f"{source.stem}-p{page}-c{card}-{number:02d}-{name}.png"
        cv2.imwrite(str(path), image if image.ndim == 2 else cv2.cvtColor(image,
                                                                          cv2.COLOR_RGB2BGR))


def read_card(front: CardImage, back: CardImage | None, ctx: Context, *,
              duplex: bool = False) -> list[ParsedCard]:
    """OCR and parse every card in a front file (and its back); nothing is stored. With
    ``duplex`` and no back file, the file's pages alternate front, back."""
    if duplex and back is None:
        pages = list(enumerate(loading.decode_pages(front), start=1))  # decoded once
        fronts = read_sides(front, back=False, ctx=ctx, pages=pages[0::2])
        backs = read_sides(front, back=True, ctx=ctx, pages=pages[1::2])
        back = front
    else:
        fronts = read_sides(front, back=False, ctx=ctx)
        backs = read_sides(back, back=True, ctx=ctx) if back else []
    backs = [_turn_like_front(b, f, ctx) for f, b in zip(fronts, backs, strict=False)]
    log.info("%s: %d card(s), %d back(s) read", front.path, len(fronts), len(backs))
    return [_parse(front, back if i < len(backs) else None, side,
                   backs[i] if i < len(backs) else None, i, ctx)
            for i, side in enumerate(fronts)]


def _turn_like_front(back: Side, front: Side, ctx: Context) -> Side:
    """A back is oriented from its front (OSD is unreliable on handwriting): when the front
    had to be turned, the back is read turned the same way too, and the better reading kept.
    """
    if not front.turned:
        return back
    engine = ctx.engine(back=True)
    image = imaging.rotate(back.image, -front.turned)
    ocr = engine.read(image, page_mode=ctx.pipeline.ocr.back_page_mode)
    if quality(ocr) <= quality(back.ocr):
        return back
    return replace(back, ocr=ocr, image=image, turned=front.turned)


def _parse(front: CardImage, back: CardImage | None, front_side: Side,
           back_side: Side | None, part: int, ctx: Context) -> ParsedCard:
    settings = ctx.pipeline
    contact = parse_front(front_side.ocr, default_region=settings.parse.default_region)
    for payload in front_side.qr + (back_side.qr if back_side else ()):
        if qr_fields := fields_from_qr(payload, region=settings.parse.default_region):
            contact = merge(contact, qr_fields)
    reference = ctx.met or ctx.today
    note = Note()
    if back_side is not None:
        lines = back_side.ocr.lines
        note = read_note([ln.text for ln in lines], ctx,
                         line_conf=[ln.conf / 100 for ln in lines])
    warnings = list(front_side.warnings) + list(back_side.warnings if back_side else ())
    if not front_side.ocr.lines:
        warnings.append(f"{front.path}: no text found on the front")
    if back_side is not None and not back_side.ocr.lines:
        warnings.append(f"{back.path if back else ''}: no text found on the back")
    met_on = _prefer_user(note.met_on, ctx.met, note.confidence.get("met_on", 1.0), "date",
                          warnings) or reference
    event = _prefer_user(note.event, ctx.event, note.confidence.get("event", 1.0), "event",
                         warnings)
    return ParsedCard(front=front, back=back, front_ocr=front_side.ocr,
                      back_ocr=back_side.ocr if back_side else None, contact=contact,
                      note=note, met_on=met_on, event=event,
                      met_known=bool(note.met_on or ctx.met or event or note.topics
                                     or note.actions),
                      warnings=tuple(warnings), part=part,
                      timing=_add_timing(front_side.timing, back_side.timing if back_side else ()),
                      qr=front_side.qr + (back_side.qr if back_side else ()))


_SURE = 0.6  # note values read with less OCR confidence never override the command line


def _prefer_user(from_note: Any, from_user: Any, confidence: float, what: str,
                 warnings: list[str]) -> Any:
    """The note's value, unless it was read poorly and the user gave one (then a warning)."""
    if from_note is None:
        return from_user
    if from_user is not None and from_note != from_user and confidence < _SURE:
        warnings.append(f"the note's {what} {from_note} was read with low confidence "
                        f"({confidence:.2f}); kept {from_user} from the command line; review it")
        return from_user
    return from_note


def _add_timing(*timings: tuple[tuple[str, float], ...]) -> dict[str, float]:
    total: dict[str, float] = {}
    for timing in timings:
        for key, value in timing:
            total[key] = round(total.get(key, 0.0) + value, 4)
    return total


def scan(job: Job, ctx: Context) -> list[ParsedCard]:
    """Read the card(s) in a file, with the back when given (``cardscan scan``)."""
    front = loading.read_card_image(job.front, decode=False)
    back = loading.read_card_image(job.back, decode=False) if job.back else None
    return read_card(front, back, ctx, duplex=job.duplex)


def card_json(card: ParsedCard) -> dict[str, Any]:
    """The public JSON of ``cardscan scan --json``: contact keys plus raw text and sources."""
    record = contact_record(card.contact, card.note, met_on=card.met_on, event=card.event)
    return {
        **record,
        "front_text": card.front_ocr.text,
        "back_text": card.back_ocr.text if card.back_ocr else None,
        "qr": list(card.qr),
        "ocr_confidence": {"front": round(card.front_ocr.mean_conf / 100, 3),
                           "back": round(card.back_ocr.mean_conf / 100, 3)
                           if card.back_ocr else None},
        "source": {"front": str(card.front.path), "back": str(card.back.path)
                   if card.back else None, "front_sha256": card.front.sha256},
        "engine": f"{card.front_ocr.engine} {card.front_ocr.engine_version}",
        "timing": card.timing,
        "warnings": list(card.warnings),
    }


# --- ingesting many cards ------------------------------------------------------------------

def ingest_many(jobs: list[Job], db: Database, ctx: Context, *, executor: Executor | None = None,
                now: Callable[[], dt.datetime] = dt.datetime.now
                ) -> Iterator[IngestResult]:
    """Read every new file (in ``executor`` when given) and store each in its own transaction.

    Cheap checks first: a file that is not an image, or whose bytes are already stored, never
    reaches OCR. One bad file never stops the batch.
    """
    pending: list[tuple[Job, Future[list[ParsedCard]]]] = []
    previous: dict[Path, IngestResult] = {}
    for job in jobs:
        try:
            # Bytes and checksum only: the worker decodes (a broken image fails there).
            front = loading.read_card_image(job.front, decode=False)
            back = loading.read_card_image(job.back, decode=False) if job.back else None
        except CardscanError as e:
            yield IngestResult(job.front, Status.FAILED, message=str(e), back=job.back)
            continue
        if db.has_scan(front.sha256):
            yield IngestResult(job.front, Status.DUPLICATE, message="already stored", back=job.back)
            continue
        if is_back_only(job):
            try:
                yield keep_unpaired_back(front, db, ctx, now=now())
            except CardscanError as e:
                yield IngestResult(job.front, Status.FAILED, message=str(e))
            continue
        pending.append((job, (executor or _Inline()).submit(read_card, front, back, ctx,
                                                            duplex=job.duplex)))
        if executor is None:
            yield from _store_ready(pending, db, ctx, now, previous)
    yield from _store_ready(pending, db, ctx, now, previous)


class _Inline:
    """Runs work at once in this process: the executor when none is given."""

    def submit(self, fn: Callable[..., list[ParsedCard]], *args: Any,
               **kwargs: Any) -> Future[list[ParsedCard]]:
        future: Future[list[ParsedCard]] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as e:  # handed to the caller through the future, as a pool would
            future.set_exception(e)
        return future


def _looks_like_a_back(cards: list[ParsedCard], job: Job) -> bool:
    """One side with no way to reach anyone on it, but a note (an event, a topic or an
    action): the back of a card, whatever its file is called."""
    if len(cards) != 1 or job.back is not None or job.duplex:
        return False
    card = cards[0]
    if card.contact.emails or card.contact.phones or card.contact.website:
        return False
    note = parse_note([ln.text for ln in card.front_ocr.lines], reference=card.met_on)
    # A date alone is no evidence: a shop's card says "Mon-Fri 9-5".
    return bool(note.event or note.topics or note.actions)


def read_note(lines: list[str], ctx: Context, *, line_conf: list[float] | None = None) -> Note:
    """The note on a back; a date without a year is the one nearest --met, else the latest
    one up to the scan date."""
    return parse_note(lines, reference=ctx.met or ctx.today,
                      date_order=ctx.pipeline.parse.date_order, line_conf=line_conf,
                      not_after=None if ctx.met else ctx.today)


def _attach_to(before: IngestResult, side: CardImage, db: Database, ctx: Context, *,
               now: dt.datetime) -> IngestResult:
    """Read ``side`` again as a handwritten back and add its note to the card before it."""
    readings = [s.ocr for s in read_sides(side, back=True, ctx=ctx)]
    with db.transaction() as tx:
        tx.save_unpaired_back(side, readings, now=now)
    text = "\n".join(r.text for r in readings)
    note = read_note(text.splitlines(), ctx)
    _attach_note(side.sha256, before.contact_id or 0, note, text, db, ctx, now=now)
    return IngestResult(side.path, Status.ATTACHED, contact_id=before.contact_id,
                        message=f"{side.path}: read as the back of {before.path.name}")


def keep_unpaired_back(back: CardImage, db: Database, ctx: Context, *,
                       now: dt.datetime) -> IngestResult:
    """Read and store a back whose front is not here, so it can be attached later."""
    sides = read_sides(back, back=True, ctx=ctx)
    with db.transaction() as tx:
        scan_id = tx.save_unpaired_back(back, [s.ocr for s in sides], now=now)
    return IngestResult(back.path, Status.UNPAIRED, message=(
        f"{back.path}: back of a card with no matching front; kept as scan {scan_id}. "
        f"Attach it with: cardscan attach {back.path} --to CONTACT_ID"))


def attach_back(path: Path, contact_id: int, db: Database, ctx: Context) -> int:
    """Attach a stored back (by its file) to a contact: its note becomes the newest meeting.
    Returns the note id. The stored OCR text is parsed again; no OCR is run."""
    image = loading.read_card_image(path, decode=False)
    with db.transaction() as tx:
        text = tx.unpaired_back_text(image.sha256)
    note = read_note(text.splitlines(), ctx)
    return _attach_note(image.sha256, contact_id, note, text, db, ctx, now=dt.datetime.now())


def _attach_note(sha256: str, contact_id: int, note: Note, text: str, db: Database,
                 ctx: Context, *, now: dt.datetime) -> int:
    from .followup import lifecycle

    return lifecycle.attach_note(db, sha256, contact_id, note, text=text,
                                 met_on=note.met_on or ctx.met or ctx.today,
                                 event=note.event or ctx.event, policy=ctx.pipeline.followup,
                                 now=now)


def _store_ready(pending: list[tuple[Job, Future[list[ParsedCard]]]], db: Database,
                 ctx: Context, now: Callable[[], dt.datetime],
                 previous: dict[Path, IngestResult] | None = None) -> Iterator[IngestResult]:
    """Store finished work in order. ``previous`` remembers the last card stored per folder,
    so that a back recognised by its content joins the card scanned just before it."""
    previous = {} if previous is None else previous
    while pending:
        job, work = pending.pop(0)
        try:
            cards = work.result()
            before = previous.get(job.front.parent)
            if before is not None and before.back is None and _looks_like_a_back(cards, job):
                result = _attach_to(before, cards[0].front, db, ctx, now=now())
                previous.pop(job.front.parent)
                yield result
                continue
            for result in store(cards, db, ctx, now=now()):
                if result.status in (Status.CREATED, Status.MERGED):
                    previous[job.front.parent] = result
                yield result
        except CardscanError as e:
            yield IngestResult(job.front, Status.FAILED, message=str(e), back=job.back)
        except Exception as e:  # a bug on one odd image must not end the batch
            log.debug("unexpected error on %s", job.front, exc_info=True)
            yield IngestResult(job.front, Status.FAILED, back=job.back, message=(
                f"{job.front}: internal error {type(e).__name__}: {e} (please report it)"))


def store(cards: list[ParsedCard], db: Database, ctx: Context, *, now: dt.datetime
          ) -> list[IngestResult]:
    """Save the cards read from one file with their follow-up plans (one transaction).

    A card with no text at all is reported, not stored as a contact.
    """
    from .followup import lifecycle

    if cards and db.has_scan(cards[0].front.sha256):  # the same image twice in one batch
        return [IngestResult(cards[0].front.path, Status.DUPLICATE, message="already stored")]
    results: list[IngestResult] = []
    keep: list[ParsedCard] = []
    for card in cards:
        if not card.front_ocr.lines:
            results.append(IngestResult(card.front.path, Status.NO_TEXT, part=card.part,
                                        message=f"{card.front.path}: no text found; "
                                                "is this a card?"))
            continue
        keep.append(card)
    saved = lifecycle.store_cards(db, keep, ctx.pipeline.followup, now=now) if keep else []
    results += [IngestResult(card.front.path, Status.MERGED if merged else Status.CREATED,
                             contact_id=contact_id, back=card.back.path if card.back else None,
                             part=card.part)
                for card, (contact_id, merged) in zip(keep, saved, strict=True)]
    return results
