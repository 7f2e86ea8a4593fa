"""Fusing Tesseract's and RapidOCR's readings of a front.

Goldens: for every sample front both engines read, tests/data/fusion holds both readings (word
boxes and confidences, in one pixel frame) as `make goldens` recorded them, and the fused text.
The fused text must stay as recorded, and must hold at least as many of the card's labelled
values as either reading alone. The rules are also tested one by one on small readings.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from cardscan.model import OcrResult, TextLine, Word
from cardscan.parse.lines import fold
from cardscan.pipeline import fused_reading
from cardscan.read.fusion import fuse, stack, unread, unstack
from tests.conftest import SAMPLES
from tests.recorded import DATA, ocr_from_json

RECORDED = sorted((DATA / "fusion").glob("*.json"))
LABELS = {c["id"]: c for c in json.loads(
    (SAMPLES / "labels.json").read_text(encoding="utf-8"))["cards"]}


def _load(path: Path) -> tuple[OcrResult, OcrResult, str | None, str]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return (ocr_from_json(data["primary"]), ocr_from_json(data["second"]), data["language"],
            data["fused"])


def _found(text: str, expected: dict) -> int:
    """How many labelled values a reading holds: name, company, e-mails, website, phones."""
    flat = fold(text)
    digits = re.sub(r"\D", "", text)
    values = [expected.get("name"), expected.get("company"), expected.get("website"),
              *expected.get("emails", [])]
    hits = sum(bool(v) and fold(v) in flat for v in values)
    national = [re.sub(r"\D", "", p["number"])[-8:] for p in expected.get("phones", [])]
    return hits + sum(n in digits for n in national)


def test_fronts_read_by_both_engines_are_recorded() -> None:
    assert len(RECORDED) >= 10  # photos, and cards in languages the pipeline lacks
    languages = {json.loads(p.read_text(encoding="utf-8"))["language"] for p in RECORDED}
    assert {"ja", "zh", "ko", "es"} <= languages


@pytest.mark.parametrize("path", RECORDED, ids=[p.stem for p in RECORDED])
def test_fusion_of_recorded_readings_matches_the_golden(path: Path) -> None:
    primary, second, language, golden = _load(path)
    fused, _ = fused_reading(primary, second, language)
    assert fused.text == golden


@pytest.mark.parametrize("path", RECORDED, ids=[p.stem for p in RECORDED])
def test_fusion_holds_what_either_engine_read(path: Path) -> None:
    primary, second, language, _ = _load(path)
    fused, _ = fused_reading(primary, second, language)
    expected = LABELS[path.stem]["expected"]
    assert _found(fused.text, expected) >= max(_found(primary.text, expected),
                                               _found(second.text, expected))


def test_fusion_finds_more_than_tesseract_alone_on_the_recorded_fronts() -> None:
    gained = total = 0
    for path in RECORDED:
        primary, second, language, _ = _load(path)
        expected = LABELS[path.stem]["expected"]
        fused, _ = fused_reading(primary, second, language)
        gained += _found(fused.text, expected) - _found(primary.text, expected)
        total += _found(fused.text, expected)
    assert gained > 0 and total > 0


# --- the rules, one by one -------------------------------------------------------------------

def _line(words: list[tuple[str, int]], top: int = 100, height: int = 30,
          conf: float = 95.0) -> TextLine:
    """Words at the given left edges, each 14 px a letter."""
    return TextLine(words=tuple(Word(t, conf, left, top, 14 * len(t), height)
                                for t, left in words))


def _ocr(*lines: TextLine, engine: str = "tesseract") -> OcrResult:
    return OcrResult(lines=lines, engine=engine, engine_version="1")


def test_the_same_letters_keep_tesseracts_spaces_and_rapidocrs_box() -> None:
    tesseract = _ocr(_line([("Jordan", 100), ("Ellis", 200)]))
    rapid = _ocr(_line([("JordanEllis", 98)], height=34), engine="rapidocr")
    fused = fuse(tesseract, rapid)
    assert fused.text == "Jordan Ellis"
    assert fused.lines[0].height == 34


def test_a_letter_spaced_logo_is_one_word() -> None:
    tesseract = _ocr(_line([(c, 100 + 40 * i) for i, c in enumerate("DELPHI")]))
    rapid = _ocr(_line([("DELPHI", 100)]), engine="rapidocr")
    assert fuse(tesseract, rapid).text == "DELPHI"


def test_rapidocrs_letters_win_with_tesseracts_spaces_put_back() -> None:
    tesseract = _ocr(_line([("Lumiere", 100), ("Energie", 220), ("S.A.", 340)]))
    rapid = _ocr(_line([("LumièreÉnergie", 100), ("S.A.", 340)]), engine="rapidocr")
    assert fuse(tesseract, rapid).text == "Lumière Énergie S.A."


def test_only_tesseracts_reading_holds_a_valid_email() -> None:
    tesseract = _ocr(_line([("jordan@bluebonnet.com", 100)]))
    rapid = _ocr(_line([("jordan@bluebonnet,c0m", 100)]), engine="rapidocr")
    assert fuse(tesseract, rapid).text == "jordan@bluebonnet.com"


def test_lines_only_rapidocr_detects_are_kept_and_lone_tesseract_words_dropped() -> None:
    tesseract = _ocr(_line([("Office", 100), ("(512)", 220)], top=300),
                     _line([("~", 600)], top=40, conf=99.0))
    rapid = _ocr(_line([("NIGHTJAR", 100)], top=40), engine="rapidocr")
    assert fuse(tesseract, rapid).text == "NIGHTJAR\nOffice (512)"


def test_a_script_rapidocr_cannot_read_gives_way_to_tesseract() -> None:
    tesseract = _ocr(_line([("김민준", 100)], top=40))
    rapid = _ocr(_line([("召叫圣", 100)], top=40), _line([("仝三", 100)], top=200),
                 _line([("minjun@hanbit.co.kr", 100)], top=300), engine="rapidocr")
    fused, missing = fused_reading(tesseract, rapid, "ko")
    assert fused.text == "김민준"  # Tesseract's reading stands on a Korean card
    assert [ln.text for ln in missing] == ["仝三", "minjun@hanbit.co.kr"]
    name = TextLine(words=(Word("佐藤花子", 97.0, 100, 100, 120, 30),))
    japanese, _ = fused_reading(_ocr(_line([("佐藤", 100), ("花子", 160)])),
                                _ocr(name, engine="rapidocr"), "ja")
    assert japanese.text == "佐藤 花子"
    latin = _ocr(_line([("Acme", 100), ("Robotics", 180)]))
    logo = _ocr(_line([("AcmeRobotics", 100)]), _line([("口", 400)], top=300),
                engine="rapidocr")
    assert fuse(latin, logo, lambda t: "口" not in t).text == "Acme Robotics"
    assert [ln.text for ln in unread(latin, logo, lambda t: "口" not in t)] == ["口"]


def test_stacked_lines_come_back_to_their_place() -> None:
    image = np.full((400, 800), 255, dtype=np.uint8)
    lines = [_line([("one", 100)], top=50), _line([("two", 300)], top=250, height=40)]
    stacked, places = stack(image, lines)
    assert stacked.shape[0] > 70 and stacked.shape[1] <= 800
    # A reading of the stack: each line where the stack put it.
    read = _ocr(*[_line([(ln.words[0].text, 10)], top=top + 5, height=ln.height)
                  for ln, (top, _, _) in zip(lines, places, strict=True)])
    back = unstack(read, places)
    assert [(ln.text, ln.top) for ln in back] == [("one", 50 - 7 + 5), ("two", 250 - 10 + 5)]
