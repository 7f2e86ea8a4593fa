"""Two readings of one card front, fused line by line: Tesseract's and RapidOCR's.

RapidOCR's detector finds lines Tesseract misses (logos, light, small, letter-spaced or
textured print) and its recogniser reads real cards better; Tesseract keeps the spaces between
Latin words that RapidOCR sometimes drops. For each line RapidOCR detected, the Tesseract words
inside its box are its counterpart, and one reading is chosen:

1. much the same text, where only Tesseract's holds a valid e-mail, web address or phone
   number: Tesseract's;
2. else RapidOCR's text, with Tesseract's spaces between words put back where both read the
   same letters: never inside an e-mail or web address, never between single letters (a
   letter-spaced logo, "D E L P H I", stays one word), and between East Asian characters only
   when asked (Tesseract's jpn model spaces Japanese names right; its Chinese and Korean
   spacing is noise).

Tesseract lines of two or more confident words that no RapidOCR line covers are kept. A
RapidOCR line in a script it cannot read on this card (``trusted`` says; its models know no
hangul, so a Korean line comes out as Chinese characters) gives way to Tesseract's words, or
when Tesseract has none there, is left for ``stack`` to have Tesseract read it on its own.
Both readings must be in the same pixel frame (``scaled`` moves one there).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from difflib import SequenceMatcher
from itertools import pairwise

import numpy as np

from ..model import OcrResult, TextLine, Word
from .layout import rows, split_columns

_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}\b", re.IGNORECASE)
_URL_RE = re.compile(r"\b(?:www\.|https?://)[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}\b", re.IGNORECASE)
_PHONE_RE = re.compile(r"\+?\(?\d[\d ()./-]{6,}\d")
EAST_ASIAN = re.compile("[\u4e00-\u9fff\u3400-\u4dbf\u3040-\u30ff\uac00-\ud7af]")
_KEEP_ALONE = 80.0  # a Tesseract word only it read is kept at this confidence or more
_SAME_LETTERS = 0.85  # letters this alike (spaces aside): the readings are of the same text


def scaled(ocr: OcrResult, sx: float, sy: float) -> OcrResult:
    """A reading moved to another pixel frame (the same image at another size)."""
    lines = tuple(TextLine(words=tuple(
        Word(w.text, w.conf, round(w.left * sx), round(w.top * sy), round(w.width * sx),
             round(w.height * sy), w.block, w.par, w.line) for w in line.words))
        for line in ocr.lines)
    return OcrResult(lines=lines, engine=ocr.engine, engine_version=ocr.engine_version,
                     seconds=ocr.seconds)


def _everything(text: str) -> bool:
    return True


def fuse(primary: OcrResult, second: OcrResult,
         trusted: Callable[[str], bool] = _everything, *,
         east_asian_spaces: bool = True) -> OcrResult:
    """``primary`` (Tesseract) and ``second`` (RapidOCR) as one reading (see the module).
    Every fused line has the second engine's box, so that line heights (the parser's sense
    of type size) are measured one way."""
    lines, owner, alone = _assign(primary, second)
    fused = []
    for i, line in enumerate(lines):
        words = sorted(owner.get(i, []), key=lambda w: w.left)
        if trusted(line.text):
            fused.append(_choose(line, words, east_asian_spaces))
        elif words:
            fused.append(TextLine(words=tuple(words)))
    for group in _by_line(alone):
        if len(group) >= 2:  # a single stray word is more often a logo's shard than text
            fused.append(TextLine(words=tuple(group)))
    return OcrResult(lines=rows(fused), engine=f"{primary.engine}+{second.engine}",
                     engine_version=f"{primary.engine_version}+{second.engine_version}",
                     seconds=primary.seconds + second.seconds)


def unread(primary: OcrResult, second: OcrResult,
           trusted: Callable[[str], bool]) -> list[TextLine]:
    """The second engine's lines it cannot be trusted on where Tesseract read nothing."""
    lines, owner, _ = _assign(primary, second)
    return [line for i, line in enumerate(lines) if i not in owner and not trusted(line.text)]


def _assign(primary: OcrResult, second: OcrResult
            ) -> tuple[list[TextLine], dict[int, list[Word]], list[Word]]:
    """Each Tesseract word goes to the nearest RapidOCR line around it; confident words no
    line covers are ``alone``."""
    words = [w for line in primary.lines for seg in split_columns(line) for w in seg.words]
    lines = list(second.lines)
    owner: dict[int, list[Word]] = {}
    alone: list[Word] = []
    for word in words:
        around = [i for i, line in enumerate(lines) if _within(word, line)]
        if around:
            middle = word.top + word.height / 2
            best = min(around, key=lambda i: abs(lines[i].top + lines[i].height / 2 - middle))
            owner.setdefault(best, []).append(word)
        elif word.conf >= _KEEP_ALONE and sum(c.isalnum() for c in word.text) >= 2:
            alone.append(word)
    return lines, owner, alone


_STACK_GAP = 0.6  # blank between stacked lines, in line heights: Tesseract keeps them apart


def stack(image: np.ndarray, lines: list[TextLine]) -> tuple[np.ndarray, list[tuple[int, int,
                                                                                    int]]]:
    """The lines' boxes cut from ``image`` and stacked one under another on white, so that
    one Tesseract call reads them all; with (top in the stack, left, top in the image) of
    each, for ``unstack``."""
    pieces, places, y = [], [], 0
    for line in lines:
        pad = max(2, line.height // 4)
        x0, y0 = max(0, line.left - pad), max(0, line.top - pad)
        x1 = min(image.shape[1], max(w.left + w.width for w in line.words) + pad)
        y1 = min(image.shape[0], line.top + line.height + pad)
        pieces.append(image[y0:y1, x0:x1])
        places.append((y, x0, y0))
        y += (y1 - y0) + round(_STACK_GAP * line.height) + pad
    width = max((p.shape[1] for p in pieces), default=1)
    out = np.full((max(y, 1), width, *image.shape[2:]), 255, dtype=image.dtype)
    for piece, (top, _, _) in zip(pieces, places, strict=True):
        out[top:top + piece.shape[0], :piece.shape[1]] = piece
    return out, places


def unstack(ocr: OcrResult, places: list[tuple[int, int, int]]) -> list[TextLine]:
    """A reading of a ``stack``, as lines in the frame of the image the lines came from."""
    out = []
    for line in ocr.lines:
        middle = line.top + line.height / 2
        top, left, original = max((p for p in places if p[0] <= middle), default=places[0])
        out.append(TextLine(words=tuple(
            Word(w.text, w.conf, w.left + left, w.top - top + original, w.width, w.height,
                 w.block, w.par, w.line) for w in line.words)))
    return out


def _within(word: Word, line: TextLine) -> bool:
    """The word's middle lies in the line's box (widened by a little of its height)."""
    height = max(line.height, 1)
    left = line.left - 0.5 * height
    right = max(w.left + w.width for w in line.words) + 0.5 * height
    top = line.top - 0.35 * height
    bottom = max(w.top + w.height for w in line.words) + 0.35 * height
    x, y = word.left + word.width / 2, word.top + word.height / 2
    return left <= x <= right and top <= y <= bottom


def _by_line(words: list[Word]) -> list[list[Word]]:
    groups: dict[tuple[int, int, int], list[Word]] = {}
    for word in words:
        groups.setdefault((word.block, word.par, word.line), []).append(word)
    return list(groups.values())


def _squash(text: str) -> str:
    return "".join(text.split())


def _valid(text: str) -> int:
    """How many well-formed e-mails, web addresses and phone numbers a text holds."""
    phones = [m for m in _PHONE_RE.findall(text) if 7 <= sum(c.isdigit() for c in m) <= 15]
    return len(_EMAIL_RE.findall(text)) + len(_URL_RE.findall(text)) + len(phones)


def _choose(second: TextLine, primary: list[Word], east_asian_spaces: bool) -> TextLine:
    if not primary:
        return second
    primary_text = " ".join(w.text for w in primary)
    same = SequenceMatcher(None, _squash(primary_text).casefold(),
                           _squash(second.text).casefold(), autojunk=False).ratio()
    if same >= 0.6 and _valid(primary_text) > _valid(second.text):
        return spread(second, primary_text.split())
    return _respaced(second, primary_text, east_asian_spaces)


def _respaced(second: TextLine, primary_text: str, east_asian_spaces: bool) -> TextLine:
    """RapidOCR's line with a space wherever Tesseract has one between letters both read the
    same ("SãoPaulo-SP" and "São Paulo - SP" give "São Paulo-SP"). Never inside an e-mail or
    web address, and never between single letters (a letter-spaced logo)."""
    text = " ".join(w.text for w in second.words)
    squashed, reference = _squash(text), _squash(primary_text)
    matcher = SequenceMatcher(None, squashed.casefold(), reference.casefold(), autojunk=False)
    if matcher.ratio() < _SAME_LETTERS:
        return second
    breaks = _breaks(matcher, _spaces(primary_text, east_asian_spaces))
    out: list[str] = []
    count = 0
    for token in text.split():
        if out:
            out.append(" ")
        keep = "@" in token or _URL_RE.search(token) or "://" in token
        for char in token:
            if count in breaks and not keep and out and out[-1] != " ":
                out.append(" ")
            out.append(char)
            count += 1
    respaced = "".join(out).split()
    if respaced == text.split():
        return second
    return spread(second, respaced)


def _spaces(text: str, east_asian: bool) -> set[int]:
    """Where ``text`` has a space between words of two letters or more (with ``east_asian``
    false, not next to an East Asian character): before which of its non-space characters
    (counted without spaces)."""
    tokens = text.split()
    positions, count = set(), 0
    for before, after in pairwise(tokens):
        count += len(before)
        if len(before) >= 2 and len(after) >= 2 and (
                east_asian or not (EAST_ASIAN.match(before[-1]) or EAST_ASIAN.match(after[0]))):
            positions.add(count)
    return positions


def _breaks(matcher: SequenceMatcher[str], spaces: set[int]) -> set[int]:
    """The same places in the other text, where both read the same letters on at least one
    side of them ("Lumiere Energie" puts its space into "LumièreÉnergie")."""
    breaks: set[int] = set()
    for a, b, size in matcher.get_matching_blocks():
        if size:
            breaks.update(a + k for k in range(size + 1) if b + k in spaces)
    return breaks


def spread(line: TextLine, words: list[str]) -> TextLine:
    """``words`` laid over the line's box, each as wide as its share of the letters (the
    line's confidence: the second engine's)."""
    left = line.left
    right = max(w.left + w.width for w in line.words)
    top, height = line.top, line.height
    conf = min(w.conf for w in line.words)
    total = sum(len(w) for w in words) + len(words) - 1
    unit = (right - left) / max(total, 1)
    out, x = [], float(left)
    first = line.words[0]
    for text in words:
        width = len(text) * unit
        out.append(Word(text, conf, round(x), top, max(1, round(width)), height, first.block,
                        first.par, first.line))
        x += width + unit
    return TextLine(words=tuple(out))
