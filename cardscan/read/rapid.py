"""RapidOCR 3 (PP-OCRv6 small detection and recognition models, shipped inside its wheel;
ONNX Runtime on the CPU): the second engine for printed fronts and the engine for handwritten
backs.

Measured here: on real card photos and scans it reads the company, name, address and contact
lines Tesseract misses (logos, light, small or letter-spaced type, textured stock); its
e-mails and web addresses are right far more often; it may drop the space between Latin words,
which Tesseract's reading restores (``fusion``). About 0.4 s per card side on one thread with
the detector at 960 px (``Det.limit_type = max``).
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import logging
import time
from types import SimpleNamespace
from typing import Any

import numpy as np

from ..errors import MissingDependencyError
from ..model import OcrResult, TextLine, Word
from .imaging import stretch
from .layout import SPARSE_MODES, lines_by_position, rows

HANDWRITING_STRETCH = 1.2  # see RapidEngine._handwriting

# Imported only when used: onnxruntime writes a device id under ~/.cache on import.
AVAILABLE = importlib.util.find_spec("rapidocr") is not None
# East Asian scripts its bundled recogniser reads (Latin aside): no hangul (a Korean line
# comes out as Chinese characters).
SCRIPTS = frozenset({"han", "kana"})
MISSING = "RapidOCR is not installed: pip install 'rapidocr>=3.10,<4' onnxruntime (make does this)"


class RapidEngine:
    """RapidOCR's detector and recogniser. Fronts (page modes other than sparse): each detected
    text line is a line of its own, with its words' boxes, so two columns never merge; sparse
    page modes (handwritten backs): the segments regrouped into lines by position."""

    name = "rapidocr"

    def __init__(self, *, side: int = 960, limit: str = "max") -> None:
        if not AVAILABLE:
            raise MissingDependencyError(MISSING)
        from rapidocr import RapidOCR

        # Errors only: an empty card is a normal reading here, not a warning for the user.
        logging.getLogger("RapidOCR").setLevel(logging.ERROR)
        params: dict[str, Any] = {
            "Global.log_level": "error", "Global.use_cls": False,  # cardscan turns cards
            "Global.return_word_box": True,
            "Det.limit_type": limit, "Det.limit_side_len": side,
            # Each line recognised on its own: in a batch every line is padded to the widest,
            # which costs time and letters. Measured against batches of six (the default):
            # 24 sample sides 1.02 -> 0.88 s each, field accuracy real-cards 0.916 -> 0.921,
            # real-photos-br 0.804 -> 0.814 ("München" for "Munchen"), the rest unchanged.
            "Rec.rec_batch_num": 1,
            # One thread per process: a batch runs one process per core.
            "EngineConfig.onnxruntime.intra_op_num_threads": 1,
            "EngineConfig.onnxruntime.inter_op_num_threads": 1}
        self._ocr = RapidOCR(params=params)
        self.version = importlib.metadata.version("rapidocr")

    def read(self, image: np.ndarray, *, page_mode: int = 3) -> OcrResult:
        started = time.perf_counter()
        bgr = np.dstack([image] * 3) if image.ndim == 2 else image[:, :, ::-1]
        bgr = np.ascontiguousarray(bgr)
        if page_mode in SPARSE_MODES:
            found = self._handwriting(bgr)
            lines = lines_by_position(tuple(_segments(found, whole=True)))
        else:
            # Every flag named on every call: RapidOCR keeps a call's flags for the next.
            found = self._ocr(bgr, use_det=True, use_cls=False, use_rec=True)
            lines = rows(_segments(found, whole=False))
        return OcrResult(lines=lines, engine=self.name, engine_version=self.version,
                         seconds=time.perf_counter() - started)

    def read_lines(self, image: np.ndarray, boxes: list[tuple[int, int, int, int]]
                   ) -> OcrResult:
        """The recogniser alone, on lines another engine found: each (left, top, width,
        height) box of ``image`` read as one line, its words spread over the box. Half the
        cost of ``read`` on a clean card: no detector (0.45 s of 0.8 s here)."""
        started = time.perf_counter()
        bgr = np.dstack([image] * 3) if image.ndim == 2 else image[:, :, ::-1]
        read: Any = self._ocr.recognize_txt([_crop(bgr, box) for box in boxes]) if boxes else None
        found = zip(boxes, read.txts, read.scores, strict=True) if read else ()
        lines = [TextLine(words=tuple(_apportioned(tokens, float(score), box, block)))
                 for block, (box, text, score) in enumerate(found, start=1)
                 if (tokens := str(text).split())]
        return OcrResult(lines=tuple(lines), engine=self.name, engine_version=self.version,
                         seconds=time.perf_counter() - started)

    def _handwriting(self, bgr: np.ndarray) -> Any:
        """Handwriting: the detected lines, each recognised stretched sideways. The
        recogniser (CTC) needs a blank frame between two equal letters, or around a thin
        slash or comma, and narrow handwriting leaves too few: "2/8" read "218", a comma
        dropped. Measured at 1.0/1.2/1.3/1.5 on the handwriting-font backs and the real pen
        notes: 1.2 raised real pen lines 0.922 -> 0.935 and fields 0.965 -> 0.981 (character
        accuracy) and note topics 0.83 -> 1.00, with nothing lost on the sample backs."""
        from rapidocr.main import get_rotate_crop_image

        found: Any = self._ocr(bgr, use_det=True, use_cls=False, use_rec=False)
        boxes = found.boxes if found.boxes is not None else []
        if not len(boxes):
            return SimpleNamespace(boxes=[], txts=(), scores=(), word_results=None)
        crops = [stretch(get_rotate_crop_image(bgr, np.array(box, dtype=np.float32)),
                         HANDWRITING_STRETCH) for box in boxes]
        read = self._ocr.recognize_txt(crops)
        return SimpleNamespace(boxes=boxes, txts=read.txts, scores=read.scores,
                               word_results=None)

    def orientation(self, image: np.ndarray) -> int | None:
        return None  # cardscan turns a card from Tesseract's reading (see orient.py)

    def script(self, image: np.ndarray) -> str | None:
        return None  # Tesseract's OSD tells scripts apart


def _crop(bgr: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    """A line's box with a margin, as the detector's boxes have (it widens its own)."""
    left, top, width, height = box
    pad_x, pad_y = round(0.5 * height), round(0.25 * height)
    return np.ascontiguousarray(bgr[max(0, top - pad_y):top + height + pad_y,
                                    max(0, left - pad_x):left + width + pad_x])


def _box(points: Any) -> tuple[int, int, int, int]:
    xs, ys = [float(p[0]) for p in points], [float(p[1]) for p in points]
    return (round(min(xs)), round(min(ys)), round(max(xs) - min(xs)),
            round(max(ys) - min(ys)))


def _apportioned(tokens: list[str], score: float, box: tuple[int, int, int, int],
                 block: int) -> list[Word]:
    """The line's words over its box, each as wide as its share of the letters."""
    left, top, width, height = box
    unit = width / max(sum(len(t) for t in tokens) + len(tokens) - 1, 1)
    out, x = [], float(left)
    for token in tokens:
        out.append(Word(token, 100 * score, round(x), top, max(1, round(len(token) * unit)),
                        height, block=block, par=1, line=1))
        x += (len(token) + 1) * unit
    return out


def _segments(found: Any, *, whole: bool) -> list[TextLine]:
    """One TextLine per detected text line: its words with their own boxes, or (``whole``:
    handwriting, where the detector's segment is the unit) the segment as one word."""
    boxes = found.boxes if found.boxes is not None else []
    words_of = found.word_results or [()] * len(boxes)
    segments = []
    for index, (box, text, score, words) in enumerate(zip(boxes, found.txts or (),
                                                          found.scores or (), words_of,
                                                          strict=False), start=1):
        tokens = str(text).split()
        parsed = [Word(str(t), 100 * float(s), *_box(b), block=index, par=1, line=1)
                  for t, s, b in words if str(t).strip()]
        if [w.text for w in parsed] != tokens:  # letter-spaced "DELPHI" comes letter by letter
            parsed = _apportioned(tokens, float(score), _box(box), index)
        if whole and tokens:
            parsed = [Word(str(text), 100 * float(score), *_box(box), block=index, par=1,
                           line=1)]
        if parsed:
            segments.append(TextLine(words=tuple(parsed)))
    return segments
