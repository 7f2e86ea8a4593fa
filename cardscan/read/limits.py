"""The per-file limits of ``[limits]``, checked on page sizes before any pixel is decoded."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..config import Limits
from ..errors import InputFileError


def check_pages(path: Path, sizes: Sequence[tuple[int, int]], limits: Limits, *,
                unit: str = "page") -> None:
    """Raise InputFileError naming the limit when the pages (width, height in pixels) are too
    many, too large together or one by one, or too small to hold a card."""
    if len(sizes) > limits.max_pages:
        raise InputFileError(path, f"has {len(sizes)} {unit}s; cardscan reads at most "
                                   f"{limits.max_pages} ([limits] max_pages)")
    for number, (width, height) in enumerate(sizes, start=1):
        which = f"{unit} {number} " if len(sizes) > 1 else ""
        if min(width, height) < limits.min_side:
            raise InputFileError(path, f"{which}is {width}x{height} px, too small to hold a card "
                                       f"(at least {limits.min_side} px a side)")
        if width * height > limits.max_page_megapixels * 1_000_000:
            raise InputFileError(path, f"{which}is {width}x{height} px "
                                       f"({width * height / 1e6:.0f} MP); cardscan reads up to "
                                       f"{limits.max_page_megapixels} MP a {unit} ([limits] "
                                       "max_page_megapixels)")
    total = sum(w * h for w, h in sizes)
    if total > limits.max_file_megapixels * 1_000_000:
        raise InputFileError(path, f"its {len(sizes)} {unit}s hold {total / 1e6:.0f} MP; "
                                   f"cardscan reads up to {limits.max_file_megapixels} MP a file "
                                   "([limits] max_file_megapixels)")
