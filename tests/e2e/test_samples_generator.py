"""samples/generate.py renders the committed samples again (fonts from Debian packages)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
from PIL import Image

from tests.conftest import SAMPLES


def test_generator_reproduces_the_committed_samples(tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(SAMPLES / "generate.py"), "--out", str(tmp_path)],
                   check=True, capture_output=True, timeout=300)
    committed = json.loads((SAMPLES / "labels.json").read_text(encoding="utf-8"))
    assert json.loads((tmp_path / "labels.json").read_text(encoding="utf-8")) == committed
    assert len(committed["cards"]) >= 12
    for card in committed["cards"]:
        for side in ("front", "back"):
            if not card.get(side):
                continue
            new = np.asarray(Image.open(tmp_path / card[side]).convert("L"), dtype=np.int16)
            old = np.asarray(Image.open(SAMPLES / card[side]).convert("L"), dtype=np.int16)
            assert new.shape == old.shape == (600, 1050)
            # Identical with the same fonts and Pillow; a font-rendering update may move a
            # few anti-aliased pixels, a different card would move many.
            assert np.abs(new - old).mean() < 2.0, card[side]
