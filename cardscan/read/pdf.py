"""PDF pages rendered to images with pypdfium2 (PDFium: no external programs needed), one page
at a time, after every page's size was checked."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pypdfium2 as pdfium

from ..config import Limits
from ..errors import InputFileError
from ..model import CardImage
from .limits import check_pages

RENDER_DPI = 300


def render_pages(card: CardImage, limits: Limits, *, first: int = 0) -> Iterator[np.ndarray]:
    """Every page (from ``first``, or the last when there are fewer) as an RGB array at
    300 dpi, rendered when it is asked for."""
    try:
        document = pdfium.PdfDocument(card.data)
    except pdfium.PdfiumError as e:
        raise InputFileError(card.path, f"cannot open PDF ({e})") from e
    try:
        count = len(document)
        if count == 0:
            raise InputFileError(card.path, "PDF has no pages")
        if count > limits.max_pages:  # before asking each page its size
            raise InputFileError(card.path, f"PDF has {count} pages; cardscan reads at most "
                                            f"{limits.max_pages} ([limits] max_pages)")
        points = [_page_size(card, document, i) for i in range(count)]
        for number, (width, height) in enumerate(points, start=1):
            if max(width, height) > limits.max_pdf_page_points:
                raise InputFileError(card.path, (
                    f"PDF page {number} is {width:.0f}x{height:.0f} pt "
                    f"({width / 72:.0f}x{height / 72:.0f} in); cardscan reads pages up to "
                    f"{limits.max_pdf_page_points} pt ([limits] max_pdf_page_points)"))
        scale = RENDER_DPI / 72
        check_pages(card.path, [(round(w * scale), round(h * scale)) for w, h in points], limits)
        for index in range(min(first, count - 1), count):
            yield _render(card, document, index, scale)
    finally:
        document.close()


def _page_size(card: CardImage, document: pdfium.PdfDocument, index: int
               ) -> tuple[float, float]:
    try:
        width, height = document.get_page_size(index)
    except pdfium.PdfiumError as e:  # found by fuzzing: a damaged page tree
        raise InputFileError(card.path, f"damaged PDF: page {index + 1} ({e})") from e
    return float(width), float(height)


def _render(card: CardImage, document: pdfium.PdfDocument, index: int,
            scale: float) -> np.ndarray:
    try:
        page = document[index]
    except pdfium.PdfiumError as e:
        raise InputFileError(card.path, f"damaged PDF: page {index + 1} ({e})") from e
    try:
        bitmap = page.render(scale=scale)
        return np.asarray(bitmap.to_pil().convert("RGB"))
    except pdfium.PdfiumError as e:
        raise InputFileError(card.path, f"cannot render PDF page {index + 1} ({e})") from e
    finally:
        page.close()
