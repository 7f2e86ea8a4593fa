"""Tesseract through pytesseract: image -> words with boxes and confidences."""

from __future__ import annotations

import os
import time
from functools import lru_cache
from itertools import groupby
from typing import Any

import numpy as np
import pytesseract

from ..errors import MissingDependencyError, OcrError
from ..model import OcrResult, TextLine, Word
from .layout import SPARSE_MODES, lines_by_position

# One OpenMP thread per Tesseract process is 3-6x faster on cards (ocr_bakeoff.md, section 1);
# parallelism comes from running one process per core instead.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")


class TesseractEngine:
    """Tesseract through pytesseract: image -> words with boxes and confidences."""

    name = "tesseract"

    def __init__(self, languages: str = "eng", *, timeout: int = 60) -> None:
        self.languages = languages
        self.timeout = timeout
        self.version = check_tesseract(languages)

    def read(self, image: np.ndarray, *, page_mode: int = 3) -> OcrResult:
        started = time.perf_counter()
        try:
            data = pytesseract.image_to_data(
                image, lang=self.languages, config=f"--psm {page_mode} --dpi 300",
                output_type=pytesseract.Output.DICT, timeout=self.timeout)
        except RuntimeError as e:  # pytesseract raises RuntimeError on its timeout
            raise OcrError(f"Tesseract gave up after {self.timeout} s: {e}") from e
        except pytesseract.TesseractError as e:
            raise OcrError(f"Tesseract failed: {e.message}") from e
        lines = lines_from_data(data)
        if page_mode in SPARSE_MODES:
            lines = lines_by_position(lines)
        return OcrResult(lines=lines, engine=self.name,
                         engine_version=self.version, seconds=time.perf_counter() - started)

    def orientation(self, image: np.ndarray) -> int | None:
        """Degrees to turn the image clockwise so its text is upright (Tesseract OSD), or None
        when OSD abstains ("Too few characters") or is unsure."""
        osd = self._osd(image)
        # Wrong answers measured below 1.9; right ones mostly far above (ocr_bakeoff.md s.5).
        if float(osd.get("orientation_conf", 0)) < _OSD_MIN_CONFIDENCE:
            return None
        return int(osd.get("rotate", 0)) % 360

    def script(self, image: np.ndarray) -> str | None:
        """The script of the image's text as OSD names it ("Latin", "Han", "Hangul",
        "Japanese"), or None when OSD abstains."""
        osd = self._osd(image)
        if float(osd.get("script_conf", 0)) < _OSD_MIN_CONFIDENCE:
            return None
        return str(osd.get("script") or "") or None

    def _osd(self, image: np.ndarray) -> dict[str, Any]:
        try:
            return dict(pytesseract.image_to_osd(image, config="--psm 0 --dpi 300",
                                                 output_type=pytesseract.Output.DICT,
                                                 timeout=self.timeout))
        except (pytesseract.TesseractError, RuntimeError):
            return {}


_OSD_MIN_CONFIDENCE = 2.0
def lines_from_data(data: dict[str, list]) -> tuple[TextLine, ...]:
    """Group image_to_data rows into lines of words, skipping empty and structural rows."""
    words = [
        Word(text=text.strip(), conf=float(conf), left=int(data["left"][i]),
             top=int(data["top"][i]), width=int(data["width"][i]), height=int(data["height"][i]),
             block=int(data["block_num"][i]), par=int(data["par_num"][i]),
             line=int(data["line_num"][i]))
        for i, (text, conf) in enumerate(zip(data["text"], data["conf"], strict=True))
        if str(text).strip() and float(conf) >= 0
    ]
    return tuple(TextLine(words=tuple(group))
                 for _, group in groupby(words, key=lambda w: (w.block, w.par, w.line)))


@lru_cache(maxsize=1)
def installed_languages() -> frozenset[str]:
    """The language models Tesseract has (empty when Tesseract is not installed)."""
    try:
        return frozenset(pytesseract.get_languages(config=""))
    except (pytesseract.TesseractNotFoundError, pytesseract.TesseractError, OSError):
        return frozenset()


def check_tesseract(languages: str) -> str:
    """Return Tesseract's version, or say exactly what to install."""
    try:
        version = str(pytesseract.get_tesseract_version())
        installed = set(pytesseract.get_languages(config=""))
    except pytesseract.TesseractNotFoundError as e:
        raise MissingDependencyError(
            "Tesseract is not installed: apt-get install tesseract-ocr tesseract-ocr-eng") from e
    missing = [lang for lang in languages.split("+") if lang not in installed]
    if missing:
        packs = " ".join(f"tesseract-ocr-{lang}" for lang in missing)
        raise MissingDependencyError(
            f"Tesseract language {', '.join(missing)} is not installed: apt-get install {packs}")
    return version
