"""Spaces in Chinese and Korean lines, measured in the ink.

Both engines space them badly: Tesseract's models put a space between most characters
("上 海星 河 科技", "서 울 특별시"), RapidOCR drops the spaces between Korean words. The printed
line says where its spaces are: a blank column run wider than a third of the line's height
(Chinese characters and hangul syllables are square blocks, the gaps inside and between them
far narrower). Latin spacing is left as read. Not for Japanese (see the pipeline).
"""

from __future__ import annotations

import numpy as np

from ..model import OcrResult, TextLine
from .fusion import EAST_ASIAN as _EAST_ASIAN
from .fusion import spread

_SPACE = 0.33  # a blank run this many line heights wide is a space between words
_NARROW = 0.55  # width of a Latin letter or digit, in line heights (a CJK character: 1)


def east_asian(text: str) -> bool:
    return len(_EAST_ASIAN.findall(text)) >= 2


def respaced(image: np.ndarray, ocr: OcrResult) -> OcrResult:
    """``ocr`` with the spaces between East Asian characters of each line set by ``gaps``."""
    lines = tuple(_line(image, line) if east_asian(line.text) else line for line in ocr.lines)
    return OcrResult(lines=lines, engine=ocr.engine, engine_version=ocr.engine_version,
                     seconds=ocr.seconds)


def gaps(image: np.ndarray, left: int, top: int, right: int, bottom: int) -> list[float]:
    """Centres (x, in the image) of the blank column runs wider than a space in a box."""
    box = image[max(0, top):bottom, max(0, left):right]
    if box.size == 0:
        return []
    grey = box if box.ndim == 2 else box.mean(axis=2)
    # Ink is whatever is far from the box's background (its median), dark or light.
    ink = np.abs(grey.astype(np.float32) - np.median(grey)) > 60
    blank = ~ink.any(axis=0)
    height, out, start = bottom - top, [], None
    for x, empty in enumerate([*blank, False]):
        if empty and start is None:
            start = x
        elif not empty and start is not None:
            if start > 0 and x < len(blank) and x - start >= _SPACE * height:
                out.append(left + (start + x) / 2)
            start = None
    return out


def _line(image: np.ndarray, line: TextLine) -> TextLine:
    right = max(w.left + w.width for w in line.words)
    spaces = gaps(image, line.left, line.top, right, line.top + line.height)
    text = line.text
    chars = [c for i, c in enumerate(text)
             if not (c == " " and _between_east_asian(text, i))]
    # Where each character boundary lies if the line's width is shared by character widths.
    widths = [0.3 if c == " " else 1.0 if _EAST_ASIAN.match(c) else _NARROW for c in chars]
    scale = (right - line.left) / max(sum(widths), 1e-6)
    edges, x = [], float(line.left)
    for w in widths:
        x += w * scale
        edges.append(x)
    cut = set()
    for gap in spaces:
        i = min(range(len(edges) - 1), key=lambda k: abs(edges[k] - gap), default=None)
        if i is not None and _EAST_ASIAN.match(chars[i]) and _EAST_ASIAN.match(chars[i + 1]):
            cut.add(i)
    words = "".join(c + (" " if i in cut else "") for i, c in enumerate(chars)).split()
    if words == text.split():
        return line
    return spread(line, words)


def _between_east_asian(text: str, i: int) -> bool:
    return (0 < i < len(text) - 1 and bool(_EAST_ASIAN.match(text[i - 1]))
            and bool(_EAST_ASIAN.match(text[i + 1])))
