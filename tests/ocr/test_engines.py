"""Tesseract in-process (tesserocr) and through its CLI (pytesseract): both supported, both
read every sample front to the same words when they run the same libtesseract (as `make`
builds them), and the settings choose between them."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest

from cardscan.config import load_pipeline
from cardscan.pipeline import Context, Job, scan
from cardscan.read import imaging
from cardscan.read.engines import TESSEROCR, default_engines
from cardscan.read.loading import pages, read_card_image
from cardscan.read.tesseract import TesseractEngine
from tests.conftest import SAMPLES

pytestmark = pytest.mark.ocr
FRONTS = sorted((SAMPLES / "images").glob("*_front.png"))


def _ocr(engine: str):  # type: ignore[no-untyped-def]
    pipeline = load_pipeline("default")
    return replace(pipeline.ocr, engine=engine)


def test_the_settings_choose_the_engine() -> None:
    cli = default_engines(_ocr("pytesseract"))
    assert isinstance(cli, TesseractEngine)
    default = default_engines(_ocr("tesseract"))
    assert default.name == cli.name == "tesseract"  # recordings and JSON name the same engine
    assert ("in-process" in default.version) == TESSEROCR


@pytest.mark.skipif(not TESSEROCR, reason="tesserocr is not installed")
def test_both_engines_read_the_same_words_on_every_sample_front() -> None:
    import tesserocr

    inside, cli = default_engines(_ocr("tesseract")), default_engines(_ocr("pytesseract"))
    library = tesserocr.tesseract_version().split()[1]
    if not cli.version.startswith(library):
        pytest.skip(f"tesserocr runs libtesseract {library}, the CLI {cli.version}: "
                    "`make` builds tesserocr against the system library")
    settings = load_pipeline("default").preprocess
    assert len(FRONTS) >= 20
    for path in FRONTS:
        page = next(iter(pages(read_card_image(Path(path)), load_pipeline("default").limits)))
        for crop in imaging.prepare_page(page, settings):
            for mode in (3, 11):
                one, two = inside.read(crop.image, page_mode=mode), cli.read(crop.image,
                                                                             page_mode=mode)
                assert [(w.text, w.block, w.par, w.line, w.left, w.top) for w in one.words] == [
                    (w.text, w.block, w.par, w.line, w.left, w.top) for w in two.words], path
        assert inside.orientation(crop.image) == cli.orientation(crop.image)


def test_a_card_reads_the_same_through_either_engine() -> None:
    front = SAMPLES / "images" / "de-band-gmbh_front.png"
    results = []
    for engine in ("tesseract", "pytesseract"):
        pipeline = load_pipeline("default")
        pipeline = replace(pipeline, ocr=replace(pipeline.ocr, engine=engine))
        [card] = scan(Job(front), Context(pipeline=pipeline, today=dt.date(2026, 11, 10)))
        results.append((card.contact.name, card.contact.company, card.contact.emails,
                        [p.number for p in card.contact.phones]))
    assert results[0] == results[1]
    assert results[0][0] == "Jan-Hendrik Vogt"


def test_a_worker_loads_every_engine_it_may_read_with_before_its_first_card() -> None:
    """With ``every_engine`` (a long batch, the bench), RapidOCR (the front's second engine
    and the backs') loads in ``warm``, not on the first card that needs it (1.2 s there)."""
    import threading

    from cardscan.pipeline import warm
    from cardscan.read import engines, rapid

    if not rapid.AVAILABLE:
        pytest.skip("RapidOCR is not installed")
    loaded: list[str] = []

    def worker() -> None:  # engines are per thread: a new one starts with none
        warm(load_pipeline("default"), every_engine=True)
        loaded.extend(e.name for e in engines._engines().values())

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert sorted(loaded) == ["rapidocr", "tesseract"]


def test_the_warm_up_card_has_text_for_both_engines_to_read() -> None:
    """``warm`` reads ``imaging.specimen()``: a blank image warmed RapidOCR's detector alone,
    and its recogniser's first card-sized run then fell on the first real card."""
    from cardscan.read import rapid

    card = imaging.specimen()
    tesseract = default_engines(_ocr("tesseract")).read(card, page_mode=3)
    assert "Jane Doe" in [line.text for line in tesseract.lines]
    if rapid.AVAILABLE:
        second = default_engines(_ocr("tesseract"), "second").read(card, page_mode=3)
        assert "Jane Doe" in [line.text for line in second.lines]


def test_rapidocr_reads_lines_it_is_given_and_a_recording_replays_them(tmp_path: Path) -> None:
    """The recogniser alone on lines Tesseract found (a clean Latin-script card in a language
    the pipeline lacks): the accents Tesseract's eng+deu drops, one line per box, in the
    box; recorded like any other call."""
    from cardscan.read import rapid
    from cardscan.read.recorded import RecordedEngine, RecordingEngine

    if not rapid.AVAILABLE:
        pytest.skip("RapidOCR is not installed")
    image = imaging.to_gray(next(pages(read_card_image(SAMPLES / "images"
                                                       / "es-madrid-sl_front.png"))))
    tesseract = default_engines(_ocr("tesseract")).read(image, page_mode=3)
    lines = [line for line in tesseract.lines if "Lucia" in line.text or "Logistica" in line.text]
    assert len(lines) == 2  # Tesseract's eng+deu drops the accents
    boxes = [(line.left, line.top, max(w.left + w.width for w in line.words) - line.left,
              line.height) for line in lines]
    path = tmp_path / "rec.jsonl"
    engine = RecordingEngine(default_engines(_ocr("tesseract"), "second"), str(path))
    read = engine.read_lines(image, boxes)
    texts = [line.text for line in read.lines]
    assert any("Lucía" in t for t in texts) and any("Logística" in t for t in texts), texts
    for line, (left, top, _, _) in zip(read.lines, boxes, strict=True):
        assert (line.left, line.top) == (left, top)
    replayed = RecordedEngine.load(str(path), "rapidocr").read_lines(image, boxes)
    assert replayed.lines == read.lines
