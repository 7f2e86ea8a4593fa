"""Words regrouped into lines by where they sit on the card (for engines that give words or
segments, not lines: Tesseract's sparse modes, RapidOCR)."""

from __future__ import annotations

from itertools import pairwise

from ..model import TextLine, Word

SPARSE_MODES = (11, 12)  # Tesseract's "sparse text": scattered words, not lines
SEPARATORS = frozenset({"|", "¦", "•", "·"})
# A gap wider than the line's height and twice its narrowest word space, or wider than three
# heights, separates two columns (a word space is about a third of the height).
_GAP_RATIO = 2.0
_WIDE_GAP = 3.0


def lines_by_position(lines: tuple[TextLine, ...]) -> tuple[TextLine, ...]:
    """Regroup words into lines by where they sit: words whose vertical middles lie within
    half a word height of each other share a line, read left to right."""
    rows: list[list[Word]] = []
    for word in sorted((w for line in lines for w in line.words), key=lambda w: w.top):
        middle = word.top + word.height / 2
        for row in rows:
            last = row[-1]
            if abs(last.top + last.height / 2 - middle) < 0.5 * max(last.height, word.height):
                row.append(word)
                break
        else:
            rows.append([word])
    return tuple(TextLine(words=tuple(sorted(row, key=lambda w: w.left))) for row in rows)


def rows(segments: list[TextLine]) -> tuple[TextLine, ...]:
    """Text lines (each kept whole: two columns never merge) in reading order: rows top to
    bottom (segments whose middles lie within half a height share a row), left to right."""
    grouped: list[list[TextLine]] = []
    for segment in sorted(segments, key=lambda s: s.top):
        middle = segment.top + segment.height / 2
        for row in grouped:
            first = row[0]
            if abs(first.top + first.height / 2 - middle) < 0.5 * max(first.height,
                                                                     segment.height):
                row.append(segment)
                break
        else:
            grouped.append([segment])
    return tuple(s for row in grouped for s in sorted(row, key=lambda s: s.left))


def split_columns(line: TextLine) -> list[TextLine]:
    """Split a line where a gap much wider than its word spaces shows two columns that
    Tesseract read as one line; a lone "|" or bullet between words splits it too."""
    words = [w for w in line.words if w.text not in SEPARATORS]
    gaps = [b.left - (a.left + a.width) for a, b in pairwise(words)]
    space = min(gaps, default=0)
    height = max(line.height, 1)
    groups: list[list[Word]] = [[]]
    previous: Word | None = None
    for word in line.words:
        gap = word.left - (previous.left + previous.width) if previous else 0
        if word.text in SEPARATORS:
            groups.append([])
            continue
        if gap > _WIDE_GAP * height or (gap > height and gap > _GAP_RATIO * space):
            groups.append([])
        groups[-1].append(word)
        previous = word
    return [TextLine(words=tuple(g)) for g in groups if g]
