"""Recorded OCR: what the engines read from the samples, kept in tests/data so the parser and
everything downstream of the engine are tested exactly, without Tesseract.

- ``tests/data/ocr/*.json``: each sample card's front and back reading (parser goldens);
- ``tests/data/recorded-ocr.jsonl``: every engine call the recorded tests make, replayed by
  ``ocr.engine = "recorded"`` (cardscan/read/recorded.py).

Re-record both with `make goldens` after an intended change to preprocessing, OCR settings or
the parser, then review the diff.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

from cardscan.model import Note, OcrResult, contact_record
from cardscan.parse import parse_front
from cardscan.parse.note import read_back
from cardscan.read.engines import EngineFactory
from cardscan.read.recorded import Record, Replay, ocr_from_json, ocr_to_json

DATA = Path(__file__).parent / "data"
RECORDING = DATA / "recorded-ocr.jsonl"
REFERENCE = dt.date(2026, 11, 10)  # samples/labels.json reference_date

__all__ = ["DATA", "RECORDING", "REFERENCE", "engines", "ocr_env", "ocr_from_json",
           "ocr_to_json", "parse_recorded", "recording"]


def recording() -> bool:
    """Under `make goldens` (CARDSCAN_RECORD_OCR=1) the recorded tests run the real engines
    and add every call to the recording instead of replaying it."""
    return os.environ.get("CARDSCAN_RECORD_OCR") == "1"


def ocr_env() -> dict[str, str]:
    """Environment that makes a ``cardscan`` process read with recorded OCR."""
    if recording():
        return {"CARDSCAN_OCR_RECORDING": str(RECORDING)}
    return {"CARDSCAN_OCR_ENGINE": "recorded", "CARDSCAN_OCR_RECORDING": str(RECORDING)}


def engines() -> EngineFactory:
    """The engine factory for in-process tests (``Context(engines=...)``)."""
    return Record(str(RECORDING)) if recording() else Replay(str(RECORDING))


def parse_recorded(front: OcrResult, back: OcrResult | None) -> dict[str, Any]:
    """What the parser makes of recorded OCR (the pipeline's parse stage, no images)."""
    contact = parse_front(front, default_region="US")
    note = (read_back([ln.text for ln in back.lines], contact, reference=REFERENCE,
                      line_conf=[ln.conf / 100 for ln in back.lines]) if back else Note())
    return contact_record(contact, note, met_on=note.met_on, event=note.event)
