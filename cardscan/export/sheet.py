"""An event's cards on paper: a printable PDF (reportlab) with every card of the event, front
and back side by side, name, company and the day you met under them, several cards a page,
to file with the event as the advice says ("a colour copy of all the cards, front and back").

Each side is its own image in the PDF (the card as cut out and turned upright), so a printer,
a reader or a test sees one image per side.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

log = logging.getLogger(__name__)
MARGIN, GAP, ROWS = 12 * mm, 6 * mm, 4  # four cards (front + back) a page: card size
CAPTION = 11  # points
# A font with accents and most scripts' Latin letters where the system has one (DejaVu
# ships with most Linux systems); else reportlab's Helvetica (Latin-1 only).
_FONTS = ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
          "/usr/share/fonts/dejavu/DejaVuSans.ttf")


@dataclass(frozen=True)
class SheetCard:
    name: str | None
    company: str | None
    met_on: dt.date | None
    sides: Sequence[Path]  # the card's images: front first, then the back when there is one


def event_sheet(cards: Iterable[SheetCard], path: Path, *, event: str) -> int:
    """Write the PDF; returns how many pages it has."""
    font = _font()
    canvas = Canvas(str(path), pagesize=A4, pageCompression=1)
    canvas.setTitle(f"{event}: business cards")
    canvas.setCreator("cardscan")
    width, height = A4
    row_height = (height - 2 * MARGIN - 10 * mm) / ROWS
    side_width = (width - 2 * MARGIN - GAP) / 2
    pages, row = 1, 0
    cards = list(cards)
    _heading(canvas, font, event, len(cards), width, height)
    for card in cards:
        if row == ROWS:
            canvas.showPage()
            pages, row = pages + 1, 0
            _heading(canvas, font, event, len(cards), width, height)
        top = height - MARGIN - 10 * mm - row * row_height
        image_height = row_height - CAPTION * 2.2
        for i, side in enumerate(card.sides[:2]):
            x = MARGIN + i * (side_width + GAP)
            try:
                reader = ImageReader(str(side))
                w, h = reader.getSize()
            except Exception as e:
                log.warning("%s: not drawn on the sheet (%s)", side, str(e).splitlines()[-1])
                _missing(canvas, font, x, top, side_width, image_height)
                continue
            scale = min(side_width / w, image_height / h)
            canvas.drawImage(reader, x, top - h * scale, w * scale, h * scale)
        canvas.setFont(font, CAPTION)
        caption = " · ".join(filter(None, [card.name or "(no name)", card.company,
                                           f"met {card.met_on.isoformat()}"
                                           if card.met_on else None]))
        canvas.drawString(MARGIN, top - row_height + CAPTION * 0.8, caption)
        row += 1
    canvas.showPage()
    canvas.save()
    return pages


def _missing(canvas: Canvas, font: str, x: float, top: float, width: float,
             height: float) -> None:
    """A stored image that cannot be read: a framed gap saying so (the rest still prints)."""
    canvas.setStrokeGray(0.6)
    canvas.rect(x, top - height / 2, width, height / 2)
    canvas.setFont(font, CAPTION)
    canvas.drawString(x + 4 * mm, top - height / 4, "(image not readable)")


def _heading(canvas: Canvas, font: str, event: str, count: int, width: float,
             height: float) -> None:
    canvas.setFont(font, 14)
    canvas.drawString(MARGIN, height - MARGIN - 4 * mm, f"{event} · {count} card"
                      + ("s" if count != 1 else ""))


def _font() -> str:
    for path in _FONTS:
        if Path(path).is_file():
            if "DejaVu" not in pdfmetrics.getRegisteredFontNames():
                pdfmetrics.registerFont(TTFont("DejaVu", path))
            return "DejaVu"
    return "Helvetica"
