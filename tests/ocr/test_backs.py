"""Handwritten backs with both engines (real OCR): RapidOCR when installed, Tesseract always."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from cardscan.config import load_pipeline
from cardscan.pipeline import Context, Job, scan
from cardscan.read import rapid
from cardscan.read.engines import default_engines
from tests.conftest import SAMPLES

pytestmark = pytest.mark.ocr
FRONT = SAMPLES / "images" / "us-left-two-phones_front.png"
BACK = SAMPLES / "images" / "us-left-two-phones_back.png"


def _context(back_engine: str) -> Context:
    pipeline = load_pipeline("default")
    pipeline = replace(pipeline, ocr=replace(pipeline.ocr, back_engine=back_engine))
    return Context(pipeline=pipeline, today=dt.date(2026, 11, 10), met=dt.date(2026, 11, 10))


@pytest.mark.parametrize("engine", ["tesseract", "rapidocr"])
def test_a_handwritten_back_gives_the_meeting(engine: str) -> None:
    if engine == "rapidocr" and not rapid.AVAILABLE:
        pytest.skip("rapidocr is not installed")
    ctx = _context(engine)
    assert default_engines(ctx.pipeline.ocr, "back").name == engine
    assert default_engines(ctx.pipeline.ocr).name == "tesseract"  # fronts always
    [card] = scan(Job(FRONT, BACK), ctx)
    assert card.back_ocr is not None and card.back_ocr.engine == engine
    assert card.met_on == dt.date(2026, 11, 12)
    assert card.event == "Web Summit"
    assert card.note.topics == ("solar financing",)


def test_auto_picks_rapidocr_when_it_is_installed() -> None:
    expected = "rapidocr" if rapid.AVAILABLE else "tesseract"
    assert default_engines(_context("auto").pipeline.ocr, "back").name == expected


def test_a_back_scanned_sideways_is_turned_like_its_front(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from PIL import Image

    for side, path in (("front", FRONT), ("back", BACK)):
        Image.open(path).rotate(90, expand=True).save(tmp_path / f"card_{side}.png")
    ctx = _context("auto")
    [card] = scan(Job(tmp_path / "card_front.png", tmp_path / "card_back.png"), ctx)
    assert card.contact.name == "Jordan Ellis"
    assert (card.met_on, card.event) == (dt.date(2026, 11, 12), "Web Summit")
