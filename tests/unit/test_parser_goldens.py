"""The parser on recorded OCR of every sample card: exact, against tests/data/parsed.

The goldens are what the parser produced when they were recorded (`make goldens`); a change in
them must be reviewed. test_goldens_are_mostly_right keeps them honest against the ground truth.
"""

from __future__ import annotations

import json

import pytest

from cardscan.bench import score_fields
from tests.conftest import SAMPLES
from tests.recorded import DATA, ocr_from_json, parse_recorded

LABELS = json.loads((SAMPLES / "labels.json").read_text(encoding="utf-8"))["cards"]


def _parsed(card_id: str) -> dict:
    recorded = json.loads((DATA / "ocr" / f"{card_id}.json").read_text(encoding="utf-8"))
    back = ocr_from_json(recorded["back"]) if recorded["back"] else None
    return parse_recorded(ocr_from_json(recorded["front"]), back)


@pytest.mark.parametrize("card", LABELS, ids=[c["id"] for c in LABELS])
def test_parse_of_recorded_ocr_matches_the_golden(card: dict) -> None:
    golden = json.loads((DATA / "parsed" / f"{card['id']}.json").read_text(encoding="utf-8"))
    assert _parsed(card["id"]) == golden


def test_goldens_are_mostly_right() -> None:
    hits = total = 0
    for card in LABELS:
        for _, (_, _, _, hit) in score_fields(card["expected"], _parsed(card["id"])).items():
            hits += hit
            total += 1
    assert total > 150
    assert hits / total >= 0.85, f"parser field accuracy on recorded samples {hits / total:.3f}"
