"""Tesseract in-process through tesserocr (its wheel bundles libtesseract 5.5): one API
object per worker process and language set, created once and reused, so no process is
spawned and no model reloaded per image.

Measured here on the sample fronts: 0.09-0.10 s per clean card against 0.22 s for a bare
`tesseract IMG stdout -l eng+deu` process, the same words (tests/ocr/test_engines.py).
"""

from __future__ import annotations

import os
import time
from functools import lru_cache
from pathlib import Path
from typing import Any

# One OpenMP thread (if the library uses OpenMP at all), read when the library loads: set
# before importing it (ocr_bakeoff.md, section 1).
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

import numpy as np
import tesserocr
from PIL import Image

from ..errors import MissingDependencyError, OcrError
from ..model import OcrResult, TextLine, Word
from .layout import SPARSE_MODES, lines_by_position

_OSD_MIN_CONFIDENCE = 2.0  # as for the Tesseract CLI (tesseract.py)
# Where Debian, Fedora, Homebrew and source builds put the language models.
_TESSDATA_GLOBS = ("/usr/share/tesseract-ocr/*/tessdata", "/usr/share/tesseract/tessdata",
                   "/usr/share/tessdata", "/usr/local/share/tessdata",
                   "/usr/local/share/tesseract-ocr/*/tessdata",
                   "/opt/homebrew/share/tessdata", "/usr/lib/tesseract-ocr/tessdata")


class InProcessTesseract:
    """Tesseract's library in this process: image -> words with boxes and confidences, the
    same output as the CLI engine (tesseract.py)."""

    name = "tesseract"

    def __init__(self, languages: str = "eng", *, timeout: int = 60) -> None:
        self.languages = languages
        self.timeout = timeout
        self.tessdata = tessdata_dir(languages)
        self.version = f"{tesserocr.tesseract_version().split()[1]} (in-process)"
        self._api = tesserocr.PyTessBaseAPI(path=self.tessdata, lang=languages,
                                            oem=tesserocr.OEM.DEFAULT)
        self._osd_api: Any = None

    def read(self, image: np.ndarray, *, page_mode: int = 3) -> OcrResult:
        started = time.perf_counter()
        api = self._api
        api.SetPageSegMode(page_mode)
        api.SetImage(Image.fromarray(image))
        api.SetSourceResolution(300)  # as `--dpi 300`: card crops are scaled to about 300 dpi
        if not api.Recognize(self.timeout * 1000):
            raise OcrError(f"Tesseract gave up after {self.timeout} s or failed on the image")
        lines = _lines(api)
        api.Clear()
        if page_mode in SPARSE_MODES:
            lines = lines_by_position(lines)
        return OcrResult(lines=lines, engine=self.name, engine_version=self.version,
                         seconds=time.perf_counter() - started)

    def orientation(self, image: np.ndarray) -> int | None:
        """Degrees to turn the image clockwise so its text is upright (Tesseract OSD), or None
        when OSD abstains or is unsure."""
        osd = self._osd(image)
        if not osd or float(osd.get("orient_conf", 0)) < _OSD_MIN_CONFIDENCE:
            return None
        return (360 - int(osd.get("orient_deg", 0))) % 360

    def script(self, image: np.ndarray) -> str | None:
        """The script OSD names ("Latin", "Han", "Hangul", "Japanese"), or None."""
        osd = self._osd(image)
        if not osd or float(osd.get("script_conf", 0)) < _OSD_MIN_CONFIDENCE:
            return None
        return str(osd.get("script_name") or "") or None

    def _osd(self, image: np.ndarray) -> dict[str, Any]:
        if self._osd_api is None:
            self._osd_api = tesserocr.PyTessBaseAPI(path=self.tessdata, lang="osd",
                                                    psm=tesserocr.PSM.OSD_ONLY)
        api = self._osd_api
        api.SetImage(Image.fromarray(image))
        api.SetSourceResolution(300)
        try:
            return dict(api.DetectOrientationScript() or {})
        except RuntimeError:  # too few characters to tell
            return {}
        finally:
            api.Clear()


def _lines(api: Any) -> tuple[TextLine, ...]:
    """The recognised words grouped by block, paragraph and line, numbered as the CLI's TSV
    output numbers them (from 1, paragraphs within blocks, lines within paragraphs)."""
    iterator = api.GetIterator()
    if iterator is None:
        return ()
    level, ril = tesserocr.RIL.WORD, tesserocr.RIL
    block = par = line = 0
    lines: list[list[Word]] = []
    for word in tesserocr.iterate_level(iterator, level):
        if word.IsAtBeginningOf(ril.BLOCK):
            block, par, line = block + 1, 0, 0
        if word.IsAtBeginningOf(ril.PARA):
            par, line = par + 1, 0
        starts_line = word.IsAtBeginningOf(ril.TEXTLINE)
        if starts_line:
            line += 1
        try:
            text = (word.GetUTF8Text(level) or "").strip()
        except RuntimeError:  # an empty word
            continue
        box = word.BoundingBox(level)
        conf = float(word.Confidence(level))
        if not text or box is None or conf < 0:
            continue
        left, top, right, bottom = box
        found = Word(text=text, conf=conf, left=left, top=top, width=right - left,
                     height=bottom - top, block=block, par=par, line=line)
        if lines and (lines[-1][0].block, lines[-1][0].par, lines[-1][0].line) == (
                block, par, line):
            lines[-1].append(found)
        else:
            lines.append([found])
    return tuple(TextLine(words=tuple(words)) for words in lines)


@lru_cache(maxsize=8)
def tessdata_dir(languages: str = "eng") -> str:
    """The folder holding every model in ``languages`` ("eng+deu"): $TESSDATA_PREFIX, the
    library's own default, then where the system packages put them."""
    wanted = set(languages.split("+"))
    prefix = os.environ.get("TESSDATA_PREFIX")
    candidates = [prefix, str(Path(prefix) / "tessdata")] if prefix else []
    candidates.append(tesserocr.get_languages()[0])
    for pattern in _TESSDATA_GLOBS:
        found = Path("/").glob(pattern.lstrip("/"))
        candidates += sorted((str(f) for f in found), reverse=True)  # newest version first
    missing = wanted
    for folder in candidates:
        if not folder:
            continue
        lacking = wanted - set(tesserocr.get_languages(folder)[1])
        if not lacking:
            return folder.rstrip("/") + "/"
        missing = min(missing, lacking, key=len)
    raise MissingDependencyError(
        f"Tesseract language {', '.join(sorted(missing))} is not installed (looked in "
        f"$TESSDATA_PREFIX and {', '.join(_TESSDATA_GLOBS[:2])}): apt-get install "
        + " ".join(f"tesseract-ocr-{lang}" for lang in sorted(missing)))


@lru_cache(maxsize=1)
def installed_languages() -> frozenset[str]:
    """The models in the first language-data folder found (empty when there is none)."""
    try:
        return frozenset(tesserocr.get_languages(tessdata_dir("eng"))[1])
    except MissingDependencyError:
        return frozenset()
