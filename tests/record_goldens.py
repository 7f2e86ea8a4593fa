"""Re-record tests/data: the OCR of every sample card, what the parser makes of it, and for
each front read by both engines, both readings as the fusion got them (tests/data/fusion).

Run through `make goldens` after an intended change to OCR settings or the parser, then review
the diff of tests/data/ before committing it. `python -m tests.record_goldens ID...` records
only those sample cards; `--parsed-only` re-parses the recorded OCR (no OCR runs).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from cardscan.config import Ocr, load_pipeline
from cardscan.model import OcrResult
from cardscan.parse.language import language_of
from cardscan.pipeline import Context, fused_reading, read_sides
from cardscan.read.engines import OcrEngine, default_engines
from cardscan.read.fusion import scaled
from cardscan.read.loading import read_card_image
from tests.recorded import DATA, REFERENCE, ocr_from_json, ocr_to_json, parse_recorded


@dataclass
class _Call:
    role: str
    page_mode: int
    shape: tuple[int, ...]
    result: OcrResult


@dataclass
class Spy:
    """An engine factory that keeps every reading it gives, with its role and image size."""

    calls: list[_Call] = field(default_factory=list)

    def __call__(self, ocr: Ocr, role: str = "front") -> OcrEngine:
        return _SpyEngine(default_engines(ocr, role), role, self.calls)


@dataclass
class _SpyEngine:
    engine: OcrEngine
    role: str
    calls: list[_Call]

    @property
    def name(self) -> str:
        return self.engine.name

    @property
    def version(self) -> str:
        return self.engine.version

    def read(self, image: np.ndarray, *, page_mode: int = 3) -> OcrResult:
        result = self.engine.read(image, page_mode=page_mode)
        self.calls.append(_Call(self.role, page_mode, image.shape, result))
        return result

    def orientation(self, image: np.ndarray) -> int | None:
        return self.engine.orientation(image)

    def script(self, image: np.ndarray) -> str | None:
        return self.engine.script(image)


def fusion_inputs(calls: list[_Call]) -> dict[str, Any] | None:
    """Tesseract's reading and RapidOCR's (in Tesseract's pixel frame) of one front, as the
    pipeline fused them: the last whole-card Tesseract reading and the RapidOCR one."""
    second = [c for c in calls if c.role == "second"]
    primary = [c for c in calls if c.role == "front" and c.page_mode != 6]
    if not second or not primary:
        return None
    one, two = primary[-1], second[-1]
    moved = scaled(two.result, one.shape[1] / two.shape[1], one.shape[0] / two.shape[0])
    texts = [ln.text for ln in one.result.lines] + [ln.text for ln in moved.lines]
    language = language_of(texts)
    fused, _ = fused_reading(one.result, moved, language)
    return {"language": language, "primary": ocr_to_json(one.result),
            "second": ocr_to_json(moved), "fused": fused.text}

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def reparse() -> None:
    """Parser goldens only, from the recorded OCR (after a parser change; no OCR runs)."""
    for path in sorted((DATA / "ocr").glob("*.json")):
        recorded = json.loads(path.read_text(encoding="utf-8"))
        back = ocr_from_json(recorded["back"]) if recorded["back"] else None
        _write(DATA / "parsed" / path.name, parse_recorded(ocr_from_json(recorded["front"]),
                                                           back))


def main() -> None:
    if "--parsed-only" in sys.argv[1:]:
        reparse()
        return
    pipeline = load_pipeline("default")
    ctx = Context(pipeline=pipeline, today=REFERENCE, met=REFERENCE)
    labels = json.loads((SAMPLES / "labels.json").read_text(encoding="utf-8"))
    (DATA / "ocr").mkdir(parents=True, exist_ok=True)
    (DATA / "parsed").mkdir(parents=True, exist_ok=True)
    (DATA / "fusion").mkdir(parents=True, exist_ok=True)
    shared = {c["front"] for c in labels["cards"] if "card_index" in c}
    only = {a for a in sys.argv[1:] if not a.startswith("-")}  # card ids, else every card
    for card in labels["cards"]:
        if only and card["id"] not in only:
            continue
        index = int(card.get("card_index", 1)) - 1
        spy = Spy()
        sides = read_sides(read_card_image(SAMPLES / card["front"]), back=False,
                           ctx=Context(pipeline=pipeline, today=REFERENCE, met=REFERENCE,
                                       engines=spy))
        front = sides[index].ocr
        if card["front"] not in shared and (inputs := fusion_inputs(spy.calls)):
            _write(DATA / "fusion" / f"{card['id']}.json", inputs)
        back = (read_sides(read_card_image(SAMPLES / card["back"]), back=True, ctx=ctx)[0].ocr
                if card.get("back") else None)
        recorded = {"front": ocr_to_json(front), "back": ocr_to_json(back) if back else None}
        _write(DATA / "ocr" / f"{card['id']}.json", recorded)
        _write(DATA / "parsed" / f"{card['id']}.json", parse_recorded(front, back))
        print(f"recorded {card['id']}")


def _write(path: Path, data: object) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
