"""PDF pages rendered to images with pypdfium2 (PDFium: no external programs needed)."""

from __future__ import annotations

import numpy as np
import pypdfium2 as pdfium

from ..errors import InputFileError
from ..model import CardImage

RENDER_DPI = 300
MAX_PAGES = 200  # a card scan is never a book; refuse rather than render for minutes


def render_pages(card: CardImage) -> list[np.ndarray]:
    """Every page as an RGB array at 300 dpi."""
    try:
        document = pdfium.PdfDocument(card.data)
    except pdfium.PdfiumError as e:
        raise InputFileError(card.path, f"cannot open PDF ({e})") from e
    try:
        if len(document) == 0:
            raise InputFileError(card.path, "PDF has no pages")
        if len(document) > MAX_PAGES:
            raise InputFileError(card.path, f"PDF has {len(document)} pages; "
                                            f"cardscan reads at most {MAX_PAGES}")
        pages = []
        for page in document:
            bitmap = page.render(scale=RENDER_DPI / 72)
            pages.append(np.asarray(bitmap.to_pil().convert("RGB")))
        return pages
    finally:
        document.close()
