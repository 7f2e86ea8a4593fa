"""Real captures end to end (real Tesseract): sheets, PDFs, photos, rotations, debug images."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from cardscan.bench import score_fields
from cardscan.config import load_pipeline
from cardscan.pipeline import Context, Job, card_json, scan
from tests.conftest import SAMPLES

pytestmark = pytest.mark.ocr
LABELS = json.loads((SAMPLES / "labels.json").read_text(encoding="utf-8"))["cards"]
CTX = Context(pipeline=load_pipeline("default"), today=dt.date(2026, 11, 10),
              met=dt.date(2026, 11, 10))


def _expected_names(front: str) -> list[str]:
    cards = sorted((c for c in LABELS if c["front"] == front),
                   key=lambda c: c.get("card_index", 1))
    return [c["expected"]["name"] for c in cards]


@pytest.mark.parametrize("front", ["images/flatbed-4up.jpg", "images/two-cards.pdf",
                                   "images/table-2up_photo.jpg"])
def test_files_with_several_cards_give_each_card_in_reading_order(front: str) -> None:
    cards = scan(Job(SAMPLES / front), CTX)
    assert [c.contact.name for c in cards] == _expected_names(front)
    assert [c.part for c in cards] == list(range(len(cards)))


def test_every_capture_condition_reads_well() -> None:
    hits: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    outputs: dict[str, list[Any]] = {}
    for card in LABELS:
        if card["condition"] == "scan":
            continue
        if card["front"] not in outputs:
            back = SAMPLES / card["back"] if card.get("back") else None
            outputs[card["front"]] = scan(Job(SAMPLES / card["front"], back), CTX)
        output = card_json(outputs[card["front"]][card.get("card_index", 1) - 1])
        for _, (_, _, _, hit) in score_fields(card["expected"], output).items():
            hits[card["condition"]][0] += hit
            hits[card["condition"]][1] += 1
    assert {"photo", "rot90", "rot180", "rot270", "scan200", "dark", "sheet", "pdf"} <= set(hits)
    for condition, (hit, total) in hits.items():
        assert hit / total >= 0.85, f"{condition}: {hit}/{total}"


def test_a_card_scanned_upside_down_is_turned_before_reading() -> None:
    [card] = scan(Job(SAMPLES / "images" / "uk-band-three-phones_rot180.png"), CTX)
    assert card.contact.name == "Sarah Lloyd-Jones"
    assert card.timing["ocr_calls"] >= 2  # read, asked OSD, read again


def test_an_upright_clean_scan_costs_one_ocr_call() -> None:
    [card] = scan(Job(SAMPLES / "images" / "uk-centered-intl_front.png"), CTX)
    assert card.timing["ocr_calls"] == 1


def test_a_photo_without_a_card_outline_is_read_whole_with_a_warning(tmp_path: Path) -> None:
    page = np.full((900, 900, 3), 250, np.uint8)
    for row, text in enumerate(["Anna Kruger", "anna@kestrel.de", "+49 30 12345678"]):
        cv2.putText(page, text, (60, 200 + 120 * row), cv2.FONT_HERSHEY_SIMPLEX, 1.6,
                    (10, 10, 10), 3)
    path = tmp_path / "note.png"
    cv2.imwrite(str(path), page)
    [card] = scan(Job(path), CTX)
    assert card.contact.emails == ("anna@kestrel.de",)
    assert any("no card outline found" in w for w in card.warnings)


def test_debug_images_show_every_step(tmp_path: Path) -> None:
    ctx = Context(pipeline=CTX.pipeline, today=CTX.today, debug_dir=tmp_path / "debug")
    scan(Job(SAMPLES / "images" / "uk-centered-intl_photo.jpg"), ctx)
    files = sorted(p.name for p in (tmp_path / "debug").iterdir())
    assert files[0] == "uk-centered-intl_photo-p1-c1-00-input.png"
    steps = [re.search(r"-\d\d-(\w+?)[-+.]", f)[1] for f in files]  # type: ignore[index]
    assert steps[:4] == ["input", "card", "gray", "deskew"] or steps[:3] == [
        "input", "card", "gray"]
    assert "light" in steps and "upscale" in steps
