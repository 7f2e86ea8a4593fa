"""The driver: the one place that knows the stage order, from files to stored contacts."""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import cv2
import numpy as np

from .config import Pipeline
from .errors import CardscanError, InputFileError, StorageConflict, StorageError, shown
from .intake.pairing import Job, is_back_only
from .model import (
    CardImage,
    ContactFields,
    IngestResult,
    Note,
    OcrResult,
    ParsedCard,
    Status,
    TextLine,
    contact_record,
)
from .parse import parse_front, parse_note
from .parse.language import (
    CJK,
    LANGUAGE_SCRIPTS,
    TESSERACT_MODELS,
    in_scripts,
    language_of,
    load_language_model,
    needs_script,
)
from .parse.note import read_back
from .parse.qrcodes import fields_from_qr, merge
from .read import imaging, loading, rapid
from .read.engines import (
    EngineFactory,
    LineReader,
    OcrEngine,
    default_engines,
    engine_name,
    tesseract_languages,
)
from .read.fusion import fuse, scaled, stack, unread, unstack
from .read.layout import rows, split_columns
from .read.orient import Reading, quality, read_upright, read_upright_by_lines
from .read.qr import read_qr_codes
from .read.spacing import respaced
from .workers import Finished, WorkerDied

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

    def engine(self, role: str = "front") -> OcrEngine:
        """The engine for a role: "front", "back" or "second" (the front's second reading)."""
        return self.engines(self.pipeline.ocr, role)


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
    view: np.ndarray | None = None  # the card in colour, as cut from the page (not turned)


def read_sides(image: CardImage, *, back: bool, ctx: Context) -> list[Side]:
    """Every card in a file (pages, then cards on each page in reading order), read upright.
    Pages are decoded one at a time (a long PDF never sits in memory whole), after the file
    passed the ``[limits]``."""
    sides: list[Side] = []
    decoded = loading.pages(image, ctx.pipeline.limits)
    for number in itertools.count(1):
        started = time.perf_counter()
        page = next(decoded, None)
        if page is None:
            return sides
        decode = time.perf_counter() - started
        found = read_page(image, number, page, back=back, ctx=ctx, first=len(sides) + 1)
        sides += [replace(side, timing=(*side.timing, ("decode", decode / len(found))))
                  for side in found]
    return sides


def read_page(image: CardImage, page_number: int, page: np.ndarray, *, back: bool,
              ctx: Context, first: int = 1) -> list[Side]:
    """The cards on one page, each read upright (``first``: the number of its first card in
    the file, for --debug-images names)."""
    settings = ctx.pipeline
    page_mode = settings.ocr.back_page_mode if back else settings.ocr.page_mode
    # Rule removal takes the long strokes of handwriting for lines (measured on the real pen
    # notes: line CER 0.49 -> 0.88), so backs keep their strokes.
    preprocess = (replace(settings.preprocess, remove_rules=False) if back
                  else replace(settings.preprocess, separate_ink=False))
    engine = ctx.engine("back" if back else "front")
    if back and engine.name == "rapidocr":
        # RapidOCR boxes each tilted line itself; one angle for the whole note made it worse
        # (handwriting-font backs: character accuracy 0.914 without deskew, 0.911 with).
        preprocess = replace(preprocess, deskew=False)
    sides = []
    started = time.perf_counter()
    crops = imaging.prepare_page(page, preprocess)
    prep_seconds = (time.perf_counter() - started) / len(crops)
    for crop in crops:
        # A handwritten back is not turned by OSD (unreliable on handwriting); RapidOCR's
        # own lines tell a turned back (and its front's turn, below, when they cannot).
        if back and engine.name == "rapidocr" and settings.preprocess.orient:
            reading = read_upright_by_lines(crop.image, engine, page_mode=page_mode)
        else:
            reading = read_upright(crop.image, engine, page_mode=page_mode,
                                   orient=settings.preprocess.orient and not back)
        if reading.turned:
            crop.step(f"turned{reading.turned}", reading.image)
        steps = dict(crop.steps)
        card = steps.get("card", steps["input"])
        ocr, spent = reading.ocr, dict[str, float]()
        if not back:
            ocr, spent = _read_front(reading, imaging.rotate(card, -reading.turned), crop.photo,
                                     ctx)
        started = time.perf_counter()
        codes = tuple(read_qr_codes(card))
        timing = (("preprocess", prep_seconds), ("ocr", reading.seconds),
                  ("ocr_calls", reading.calls), ("qr", time.perf_counter() - started),
                  *spent.items())
        sides.append(Side(ocr, reading.image,
                          tuple(f"{shown(image.path)}: {w}" for w in crop.warnings), timing,
                          codes, reading.turned, imaging.shrink(card, _VIEW_SIDE)))
        log.debug("%s page %d: %s side read by %s in %.2f s (%d calls, turned %d), "
                  "%d lines", image.path, page_number, "back" if back else "front",
                  reading.ocr.engine, reading.seconds, reading.calls, reading.turned,
                  len(reading.ocr.lines))
        if ctx.debug_dir is not None:
            _save_steps(ctx.debug_dir, image.path, first + len(sides) - 1, page_number,
                        crop.steps)
    return sides


_VIEW_SIDE = 1600  # pixels on the long side of the card image kept for the review page


def _second_pays(mode: str, ocr: OcrResult, photo: bool, settings: Pipeline) -> bool:
    """Whether to read a front again with the second engine and fuse: always ("fused"),
    never ("tesseract"), or ("auto") for a photo, a weak Tesseract reading, or one where the
    parser misses a name, a company, a phone or a way to write (e-mail or web). A clean scan
    that Tesseract reads well keeps its speed."""
    if mode != "auto":
        return mode == "fused"
    if not rapid.AVAILABLE:
        return False
    if photo or weak(ocr):
        return True
    fields = _parsed_front(ocr, settings.parse.default_region)
    # A clean scan read well has all of these (synthetic-dev scans: 37 of 40); real cards
    # that Tesseract reads with confidence but wrongly ("hoichi Shiono") seldom do.
    return not (fields.name and fields.company and fields.phones
                and (fields.emails or fields.website))


_LAST_PARSE: list[tuple[OcrResult, str, ContactFields]] = []


def _parsed_front(ocr: OcrResult, region: str) -> ContactFields:
    """``parse_front``, once per reading: the check for a second engine and the card's
    parse see the same reading when the second engine does not run (8 ms a card)."""
    if _LAST_PARSE and _LAST_PARSE[0][0] is ocr and _LAST_PARSE[0][1] == region:
        return _LAST_PARSE[0][2]
    fields = parse_front(ocr, default_region=region)
    _LAST_PARSE[:] = [(ocr, region, fields)]
    return fields


# A reading worth checking with RapidOCR: mean word confidence under 86, or 15% of its words
# under 80 (clean synthetic scans: means 88-97, at most 12% under 80; real scans that
# Tesseract half-misread, 82-88 and 13-25%).
_WEAK_MEAN, _DOUBTFUL, _DOUBTFUL_SHARE = 86.0, 80.0, 0.15


def weak(ocr: OcrResult) -> bool:
    """Few words, or words read with little confidence."""
    words = [w for w in ocr.words if sum(c.isalnum() for c in w.text) >= 2]
    if len(words) < 6:
        return True
    doubtful = sum(w.conf < _DOUBTFUL for w in words) / len(words)
    return sum(w.conf for w in words) / len(words) < _WEAK_MEAN or doubtful >= _DOUBTFUL_SHARE


def _read_front(reading: Reading, card: np.ndarray, photo: bool, ctx: Context
                ) -> tuple[OcrResult, dict[str, float]]:
    """A front's reading: Tesseract's, fused with RapidOCR's where that pays, and read again
    with the model of the card's own language when the pipeline's languages lack it (a
    Portuguese card: por+eng keeps its ã and ç; a Japanese one is read with jpn)."""
    settings = ctx.pipeline
    mode = settings.ocr.front_engine
    ocr, second, spent = reading.ocr, None, dict[str, float]()
    if _second_pays(mode, ocr, photo, settings):
        second = _second_reading(reading, card, ctx, spent)
    # RapidOCR's reading when there is one: Tesseract's misreadings of a photo sway langid
    # ("FLAVIOJE\\VALDEQUE": English).
    texts = [ln.text for ln in (second or ocr).lines]
    script = None
    if needs_script(texts) or (second is None and weak(ocr)):
        started = time.perf_counter()
        script = ctx.engine("front").script(reading.image)
        spent.update(ocr_script=time.perf_counter() - started, script_reads=1.0)
    language = language_of(texts, script)
    if model := language_model(language, settings.ocr.languages):
        spent["own_language"] = 1.0
        if second is None and mode == "auto" and rapid.AVAILABLE:
            # RapidOCR keeps the accents Tesseract's fast models drop ("Logistica") and finds
            # East Asian lines; it costs about 0.75 s, paid only by cards in such a language.
            # A Latin-script card read well (no second reading yet) needs only its letters.
            latin = not LANGUAGE_SCRIPTS.get(language or "")
            second = (_letters_reading(reading, card, ocr, ctx, spent) if latin else None
                      ) or _second_reading(reading, card, ctx, spent)
        if second is None or own_model_pays(language):
            started = time.perf_counter()
            # The card's language first: eng first drops accents ("Lucia" for "Lucía"). East
            # Asian cards are read sparse: Tesseract's page layout drops big CJK lines (a
            # Korean card: 5 of 8 lines with psm 3, 8 of 8 with psm 11).
            local = replace(settings.ocr, languages=f"{model}+eng")
            page_mode = 11 if language in CJK else settings.ocr.page_mode
            ocr = ctx.engines(local, "front").read(reading.image, page_mode=page_mode)
            spent.update(ocr_language=time.perf_counter() - started, language_reads=1.0)
    if second is not None:
        languages = f"{model}+eng" if model else settings.ocr.languages
        ocr = _with_second(ocr, second, language, languages, reading.image, ctx, spent)
    if language in ("zh", "ko"):
        # Not Japanese: its narrow kana leave gaps as wide as the space between a family and
        # a given name (0.30 and 0.21 line heights measured); Tesseract's jpn spacing stands.
        ocr = respaced(reading.image, ocr)
    return ocr, spent


def own_model_pays(language: str | None) -> bool:
    """Whether a card in ``language`` that RapidOCR reads is also worth Tesseract's reading
    with the language's own model: where RapidOCR cannot read the script (hangul), and for
    Japanese, whose names Tesseract's jpn model spaces (RapidOCR runs them together). A
    Latin-script or Chinese card takes its letters from RapidOCR's reading and its spaces
    from the pipeline languages' (fusion.py). Measured without the second Tesseract call on
    samples, real-cards, real-photos-br and synthetic-dev: 0.5-0.7 s less per such card, the
    same 1657 of 1708 field values right, 3 values changed (two spaces at a dash, one "São"
    read "Sao"); without it Japanese cards lost fields (samples 0.995 -> 0.993)."""
    scripts = LANGUAGE_SCRIPTS.get(language or "", frozenset())
    return language == "ja" or not scripts <= rapid.SCRIPTS


def _with_second(ocr: OcrResult, second: OcrResult, language: str | None, languages: str,
                 image: np.ndarray, ctx: Context, spent: dict[str, float]) -> OcrResult:
    """Tesseract's and RapidOCR's readings as one. On a card in a script RapidOCR cannot read
    (hangul), Tesseract's reading stands and RapidOCR only points at lines it missed; those
    lines, and lines RapidOCR read in a script foreign to the card, are read by Tesseract on
    their own (one call for all of them)."""
    fused, missing = fused_reading(ocr, second, language)
    if not missing:
        return fused
    started = time.perf_counter()
    stacked, places = stack(image, missing)
    engine = ctx.engines(replace(ctx.pipeline.ocr, languages=languages), "front")
    lines = unstack(engine.read(stacked, page_mode=6), places)
    spent.update(ocr_lines=time.perf_counter() - started, line_reads=1.0)
    return replace(fused, lines=rows([*fused.lines, *lines]))


def fused_reading(ocr: OcrResult, second: OcrResult, language: str | None
                  ) -> tuple[OcrResult, list[TextLine]]:
    """Tesseract's reading fused with RapidOCR's for a card in ``language``, and the lines
    only RapidOCR found that it cannot be trusted to have read (see _with_second)."""
    def trusted(text: str) -> bool:
        return in_scripts(text, language, rapid.SCRIPTS)

    if LANGUAGE_SCRIPTS.get(language or "", rapid.SCRIPTS) <= rapid.SCRIPTS:
        fused = fuse(ocr, second, trusted, east_asian_spaces=language == "ja")
        return fused, unread(ocr, second, trusted)
    return ocr, unread(ocr, second, lambda text: False)


def _second_reading(reading: Reading, card: np.ndarray, ctx: Context,
                    spent: dict[str, float]) -> OcrResult:
    """RapidOCR's reading of the front, in the frame of Tesseract's image."""
    started = time.perf_counter()
    second = ctx.engine("second").read(card, page_mode=ctx.pipeline.ocr.page_mode)
    # RapidOCR reads colour better than the cleaned grey image (0.65 against 0.40 field
    # accuracy on real-cards); its boxes are moved into the frame of Tesseract's image.
    second = scaled(second, reading.image.shape[1] / card.shape[1],
                    reading.image.shape[0] / card.shape[0])
    spent.update(ocr_second=time.perf_counter() - started, second_engine_runs=1.0)
    return second


def _letters_reading(reading: Reading, card: np.ndarray, ocr: OcrResult, ctx: Context,
                     spent: dict[str, float]) -> OcrResult | None:
    """RapidOCR's letters for the lines Tesseract found, by its recogniser alone (None when
    the second engine cannot read given lines). For a clean Latin-script card Tesseract read
    well: its lines are all there, only its accents are missing. Lines without a word (phone
    numbers, e-mail and web addresses) keep Tesseract's reading. Measured on the clean es,
    it, nl and pt sample fronts: RapidOCR 0.95-1.15 s -> 0.3-0.6 s a card, and on samples,
    real-cards, real-photos-br and synthetic-dev every field value the same as with
    RapidOCR's detector."""
    engine = ctx.engine("second")
    if not isinstance(engine, LineReader):
        return None
    started = time.perf_counter()
    # RapidOCR reads the colour card (see _second_reading); Tesseract's boxes are moved there.
    sx, sy = card.shape[1] / reading.image.shape[1], card.shape[0] / reading.image.shape[0]
    segments = [seg for line in ocr.lines for seg in split_columns(line)]
    worded = [seg for seg in segments if _has_words(seg)]
    boxes = [(round(left * sx), round(top * sy), max(1, round(width * sx)),
              max(1, round(height * sy))) for left, top, width, height in map(_extent, worded)]
    read = scaled(engine.read_lines(card, boxes), 1 / sx, 1 / sy)
    kept = [seg for seg in segments if not _has_words(seg)]
    spent.update(ocr_second=time.perf_counter() - started, second_engine_runs=1.0,
                 second_lines_only=1.0)
    return replace(read, lines=rows([*read.lines, *kept]))


def _extent(line: TextLine) -> tuple[int, int, int, int]:
    right = max(w.left + w.width for w in line.words)
    bottom = max(w.top + w.height for w in line.words)
    return line.left, line.top, right - line.left, bottom - line.top


def _has_words(line: TextLine) -> bool:
    """A word of two letters or more that is not an e-mail or web address."""
    return any(sum(c.isalpha() for c in w.text) >= 2 and "@" not in w.text
               and not w.text.casefold().startswith(("www.", "http")) for w in line.words)


def language_model(language: str | None, languages: str) -> str | None:
    """The installed Tesseract model of the card's language when the pipeline's languages
    lack it, else None."""
    model = TESSERACT_MODELS.get(language or "")
    if model is None or model in languages.split("+"):
        return None
    return model if model in tesseract_languages() else None


def _view(side: Side) -> bytes | None:
    """The card as a person sees it (colour, upright, at most 1600 px) for the review page."""
    if side.view is None:
        return None
    return loading.jpeg_bytes(imaging.rotate(side.view, -side.turned))


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
        fronts: list[Side] = []
        backs: list[Side] = []
        for number, page in enumerate(loading.pages(front, ctx.pipeline.limits), start=1):
            if number % 2:  # decoded once, one page at a time
                fronts += read_page(front, number, page, back=False, ctx=ctx,
                                    first=len(fronts) + 1)
            else:
                backs += read_page(front, number, page, back=True, ctx=ctx,
                                   first=len(backs) + 1)
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
    had to be turned, the back is read turned the same way too, and the better reading kept
    (unless the back's own lines already turned it).
    """
    if not front.turned or back.turned:
        return back
    engine = ctx.engine("back")
    image = imaging.rotate(back.image, -front.turned)
    ocr = engine.read(image, page_mode=ctx.pipeline.ocr.back_page_mode)
    if quality(ocr) <= quality(back.ocr):
        return back
    return replace(back, ocr=ocr, image=image, turned=(back.turned + front.turned) % 360)


def _parse(front: CardImage, back: CardImage | None, front_side: Side,
           back_side: Side | None, part: int, ctx: Context) -> ParsedCard:
    settings = ctx.pipeline
    started = time.perf_counter()
    contact = _parsed_front(front_side.ocr, settings.parse.default_region)
    for payload in front_side.qr + (back_side.qr if back_side else ()):
        if qr_fields := fields_from_qr(payload, region=settings.parse.default_region):
            contact = merge(contact, qr_fields)
    reference = ctx.met or ctx.today
    note = Note()
    if back_side is not None:
        lines = back_side.ocr.lines
        note = read_note([ln.text for ln in lines], ctx, front=contact,
                         line_conf=[ln.conf / 100 for ln in lines])
    parse_seconds = time.perf_counter() - started
    warnings = list(front_side.warnings) + list(back_side.warnings if back_side else ())
    if not front_side.ocr.lines:
        warnings.append(f"{shown(front.path)}: no text found on the front")
    if back_side is not None and not back_side.ocr.lines:
        warnings.append(f"{shown(back.path) if back else ''}: no text found on the back")
    met_on = _prefer_user(note.met_on, ctx.met, note.confidence.get("met_on", 1.0), "date",
                          warnings) or reference
    if note.met_on is None and "met_on" in note.confidence:  # a date there, not readable
        warnings.append(f"{shown((back or front).path)}: the note's date could not be read; "
                        f"met on {met_on} assumed; check it when you review the card")
    event = _prefer_user(note.event, ctx.event, note.confidence.get("event", 1.0), "event",
                         warnings)
    return ParsedCard(front=front, back=back, front_ocr=front_side.ocr,
                      back_ocr=back_side.ocr if back_side else None, contact=contact,
                      note=note, met_on=met_on, event=event,
                      met_known=bool(note.met_on or ctx.met or event or note.topics
                                     or note.actions),
                      warnings=tuple(warnings), part=part,
                      timing=_add_timing(front_side.timing, back_side.timing if back_side else (),
                                         _back_seconds(back_side), (("parse", parse_seconds),)),
                      qr=front_side.qr + (back_side.qr if back_side else ()),
                      front_view=_view(front_side),
                      back_view=_view(back_side) if back_side else None)


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


def _back_seconds(back: Side | None) -> tuple[tuple[str, float], ...]:
    """The time the back cost (finding, cleaning, reading it), reported apart as "back"."""
    if back is None:
        return ()
    return (("back", sum(v for k, v in back.timing
                         if k in ("decode", "preprocess", "ocr", "qr"))),)


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
        "source": {"front": shown(card.front.path),
                   "back": shown(card.back.path) if card.back else None,
                   "front_sha256": card.front.sha256},
        "engine": f"{card.front_ocr.engine} {card.front_ocr.engine_version}",
        "timing": card.timing,
        "warnings": list(card.warnings),
    }


# --- ingesting many cards ------------------------------------------------------------------

def ingest_many(jobs: list[Job], db: Database, ctx: Context, *, executor: Any = None,
                now: Callable[[], dt.datetime] = dt.datetime.now) -> Iterator[IngestResult]:
    """Read every new file (in ``executor`` when given: a WorkerPool or any Executor) and
    store each in its own transaction, in order.

    Cheap checks first: a file that is not an image, or whose bytes are already stored, never
    reaches OCR. Two files per worker are being read at any time, so workers never wait for
    the parent, and a worker's death concerns few files. Files read while an earlier, slower
    one is still being read wait for their turn to be stored (up to sixteen per worker): a
    card re-read in its own language takes 1.8 s, a plain one 0.2 s, and when the parent
    waited for the oldest before handing out more, a mixed batch kept one of two workers idle
    (samples: 1.46x with two workers, 1.64x reading only). One bad file never stops the
    batch; a storage condition (disk full, a locked or read-only database) is reported per
    file, which is left to be read again.
    """
    workers: int = getattr(executor, "workers", 0) or getattr(executor, "_max_workers", 1)
    reading = 2 * workers if executor is not None else 0
    held = 16 * workers
    pending: deque[tuple[Job, Any]] = deque()
    finished = Finished()
    previous: dict[Path, IngestResult] = {}
    for job in jobs:
        try:
            # Bytes and checksum only: the worker decodes (a broken image fails there).
            front = loading.read_card_image(job.front, decode=False, limits=ctx.pipeline.limits)
            back = (loading.read_card_image(job.back, decode=False, limits=ctx.pipeline.limits)
                    if job.back else None)
            if db.has_scan(front.sha256):
                yield IngestResult(job.front, Status.DUPLICATE, message="already stored",
                                   back=job.back)
                continue
            if is_back_only(job):
                yield keep_unpaired_back(front, db, ctx, now=now())
                continue
        except CardscanError as e:
            yield _failed(job, e)
            continue
        work = (executor or _Inline()).submit(read_job, front, back, ctx, duplex=job.duplex)
        finished.watch(work)
        pending.append((job, work))
        while pending and finished.done(pending[0][1]):
            yield from _store_next(pending, db, ctx, now, previous)
        while len(pending) > held or finished.running(w for _, w in pending) > reading:
            if len(pending) > held:
                yield from _store_next(pending, db, ctx, now, previous)
            else:
                finished.wait()
            while pending and finished.done(pending[0][1]):
                yield from _store_next(pending, db, ctx, now, previous)
    while pending:
        yield from _store_next(pending, db, ctx, now, previous)


def warm(pipeline: Pipeline, *, every_engine: bool = False) -> None:
    """Load what a worker reads cards with, once, before the first card: the front's
    Tesseract and the parser's models (names, addresses, languages: 0.9 s, measured). With
    ``every_engine``, RapidOCR too, when a front or a back may be read with it; else the first
    card that needs it loads it. The bench calls it before its clock starts, as a bare
    `tesseract` call has no such start."""
    imaging.one_thread()
    ocr = pipeline.ocr
    card = imaging.specimen()  # what the first card would otherwise pay for (0.1-0.2 s)
    imaging.prepare_page(card, pipeline.preprocess)
    front = default_engines(ocr)
    if ocr.engine != "recorded" and not ocr.recording:
        front.read(card, page_mode=ocr.page_mode)
    if every_engine and rapid.AVAILABLE and ocr.engine != "recorded" and (
            ocr.front_engine != "tesseract" or engine_name(ocr, "back") == "rapidocr"):
        # 0.9 s to load and 0.35 s more on its first reading (measured): a card that pays
        # it inside a batch makes the progress ETA jump, and a bench of 23 mixed cards on two
        # workers scaled 1.46x for it (each worker paying it inside the clock).
        second = default_engines(ocr, "second")
        if not ocr.recording:
            second.read(card, page_mode=ocr.page_mode)
    load_language_model()
    read_back(["Met 11/3 @ Web Summit"], parse_front(OcrResult.from_text(
        "Jane Doe\nHead of Sales\nACME GmbH\nHauptstr. 1, 10115 Berlin\njane@acme.de")),
        reference=dt.date(2026, 1, 1))


def read_job(front: CardImage, back: CardImage | None, ctx: Context, *,
             duplex: bool = False) -> list[ParsedCard]:
    """``read_card`` as a worker runs it: running out of the worker's memory cap is this
    file's fault, said as such."""
    try:
        return read_card(front, back, ctx, duplex=duplex)
    except MemoryError:
        raise InputFileError(front.path, "needs more memory than a worker may use "
                                         f"({ctx.pipeline.limits.worker_memory_mb} MB, "
                                         "[limits] worker_memory_mb)") from None


def _failed(job: Job, error: Exception) -> IngestResult:
    status = Status.NOT_STORED if isinstance(error, StorageError) else Status.FAILED
    message = str(error)
    if status is Status.NOT_STORED:
        message = f"{shown(job.front)}: not stored: {message}; left to be read again"
    return IngestResult(job.front, status, message=message, back=job.back)


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


def read_note(lines: list[str], ctx: Context, *, line_conf: list[float] | None = None,
              front: ContactFields | None = None) -> Note:
    """The note on a back (in the language and date order of its front's country); a date
    without a year is the one nearest --met, else the latest one up to the scan date."""
    settings = ctx.pipeline.parse
    return read_back(lines, front or ContactFields(), reference=ctx.met or ctx.today,
                     default_region=settings.default_region, date_order=settings.date_order,
                     line_conf=line_conf, not_after=None if ctx.met else ctx.today)


def _attach_to(before: IngestResult, side: CardImage, db: Database, ctx: Context, *,
               now: dt.datetime) -> IngestResult:
    """Read ``side`` again as a handwritten back and add its note to the card before it."""
    sides = read_sides(side, back=True, ctx=ctx)
    readings = [s.ocr for s in sides]
    with db.transaction() as tx:
        tx.save_unpaired_back(side, readings, now=now, views=[_view(s) for s in sides])
    text = "\n".join(r.text for r in readings)
    note = read_note(text.splitlines(), ctx)
    _attach_note(side.sha256, before.contact_id or 0, note, text, db, ctx, now=now)
    return IngestResult(side.path, Status.ATTACHED, contact_id=before.contact_id,
                        message=f"{shown(side.path)}: read as the back of "
                                f"{shown(before.path.name)}")


def keep_unpaired_back(back: CardImage, db: Database, ctx: Context, *,
                       now: dt.datetime) -> IngestResult:
    """Read and store a back whose front is not here, so it can be attached later."""
    sides = read_sides(back, back=True, ctx=ctx)
    with db.transaction() as tx:
        scan_id = tx.save_unpaired_back(back, [s.ocr for s in sides], now=now,
                                        views=[_view(s) for s in sides])
    return IngestResult(back.path, Status.UNPAIRED, message=(
        f"{shown(back.path)}: back of a card with no matching front; kept as scan {scan_id}. "
        f"Attach it with: cardscan attach {shown(back.path)} --to CONTACT_ID"))


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
                                 event=note.event or ctx.event, policy=ctx.pipeline.policy,
                                 now=now)


def _store_next(pending: deque[tuple[Job, Any]], db: Database, ctx: Context,
                now: Callable[[], dt.datetime],
                previous: dict[Path, IngestResult]) -> Iterator[IngestResult]:
    """Store the oldest work once it is read. ``previous`` remembers the last card stored per
    folder, so that a back recognised by its content joins the card scanned just before it."""
    job, work = pending.popleft()
    try:
        cards = work.result()
        before = previous.get(job.front.parent)
        if before is not None and before.back is None and _looks_like_a_back(cards, job):
            result = _attach_to(before, cards[0].front, db, ctx, now=now())
            previous.pop(job.front.parent)
            yield result
            return
        for result in store(cards, db, ctx, now=now()):
            if result.status in (Status.CREATED, Status.MERGED):
                previous[job.front.parent] = result
            yield result
    except CardscanError as e:
        yield _failed(job, e)
    except WorkerDied as e:
        yield _failed(job, InputFileError(job.front, str(e)))
    except Exception as e:  # a bug on one odd image must not end the batch
        log.debug("unexpected error on %s", job.front, exc_info=True)
        yield IngestResult(job.front, Status.FAILED, back=job.back, message=(
            f"{shown(job.front)}: internal error {type(e).__name__}: {e} (please report it)"))


def store(cards: list[ParsedCard], db: Database, ctx: Context, *, now: dt.datetime
          ) -> list[IngestResult]:
    """Save the cards read from one file with their follow-up plans (one transaction).

    A card with no text at all is reported, not stored as a contact.
    """
    from .followup.lifecycle import AlreadyStored

    try:
        return _store(cards, db, ctx, now=now)
    except AlreadyStored:  # the same image twice in one batch
        return [IngestResult(cards[0].front.path, Status.DUPLICATE, message="already stored")]
    except StorageConflict:
        if cards and db.has_scan(cards[0].front.sha256):  # another batch stored it just now
            return [IngestResult(cards[0].front.path, Status.DUPLICATE,
                                 message="already stored (by another cardscan at once)")]
        raise


def _store(cards: list[ParsedCard], db: Database, ctx: Context, *, now: dt.datetime
           ) -> list[IngestResult]:
    from .followup import lifecycle

    results: list[IngestResult] = []
    keep: list[ParsedCard] = []
    for card in cards:
        if not card.front_ocr.lines:
            results.append(IngestResult(card.front.path, Status.NO_TEXT, part=card.part,
                                        message=f"{shown(card.front.path)}: no text found; "
                                                "is this a card?"))
            continue
        keep.append(card)
    saved = lifecycle.store_cards(db, keep, ctx.pipeline.policy, now=now) if keep else []
    results += [IngestResult(card.front.path, Status.MERGED if merged else Status.CREATED,
                             contact_id=contact_id, back=card.back.path if card.back else None,
                             part=card.part)
                for card, (contact_id, merged) in zip(keep, saved, strict=True)]
    return results
