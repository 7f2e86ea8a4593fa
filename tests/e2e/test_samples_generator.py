"""samples/generate.py renders the committed samples again (fonts from Debian packages)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np

from cardscan.read.loading import decode_pages, read_card_image
from tests.conftest import SAMPLES


def _pages(path: Path) -> list[np.ndarray]:
    return [np.asarray(page, dtype=np.int16) for page in decode_pages(read_card_image(path))]


def test_generator_reproduces_the_committed_samples(tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(SAMPLES / "generate.py"), "--out", str(tmp_path)],
                   check=True, capture_output=True, timeout=300)
    committed = json.loads((SAMPLES / "labels.json").read_text(encoding="utf-8"))
    assert json.loads((tmp_path / "labels.json").read_text(encoding="utf-8")) == committed
    assert len(committed["cards"]) >= 12
    files = {card[side] for card in committed["cards"] for side in ("front", "back")
             if card.get(side)}
    for name in sorted(files):
        new, old = _pages(tmp_path / name), _pages(SAMPLES / name)
        assert [p.shape for p in new] == [p.shape for p in old], name
        for a, b in zip(new, old, strict=True):
            # Identical with the same fonts and Pillow; a font-rendering update may move a
            # few anti-aliased pixels, a different card would move many.
            assert np.abs(a - b).mean() < 2.0, name
