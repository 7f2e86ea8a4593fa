"""Re-record tests/data: the OCR of every sample card and what the parser makes of it.

Run through `make goldens` after an intended change to OCR settings or the parser, then review
the diff of tests/data/ before committing it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cardscan.config import load_pipeline
from cardscan.pipeline import Context, read_sides
from cardscan.read.loading import read_card_image
from tests.recorded import DATA, REFERENCE, ocr_to_json, parse_recorded

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def main() -> None:
    pipeline = load_pipeline("default")
    ctx = Context(pipeline=pipeline, today=REFERENCE, met=REFERENCE)
    labels = json.loads((SAMPLES / "labels.json").read_text(encoding="utf-8"))
    (DATA / "ocr").mkdir(parents=True, exist_ok=True)
    (DATA / "parsed").mkdir(parents=True, exist_ok=True)
    for card in labels["cards"]:
        index = int(card.get("card_index", 1)) - 1
        front = read_sides(read_card_image(SAMPLES / card["front"]), back=False, ctx=ctx)[index].ocr
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
