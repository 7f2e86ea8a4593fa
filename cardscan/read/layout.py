"""Words regrouped into lines by where they sit on the card (for engines that give words or
segments, not lines: Tesseract's sparse modes, RapidOCR)."""

from __future__ import annotations

from ..model import TextLine, Word

SPARSE_MODES = (11, 12)  # Tesseract's "sparse text": scattered words, not lines


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
