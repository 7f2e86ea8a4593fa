"""Property tests that keep running: any text through the parsers gives a contact (never an
exception), any bytes through the loaders give pages or an InputFileError.

CI runs the ``ci`` profile (a few hundred examples each); `make fuzz` runs the ``fuzz`` profile
(tens of thousands) and prints hypothesis' statistics.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from pathlib import Path

import numpy as np
from hypothesis import example, given
from hypothesis import strategies as st
from PIL import Image

from cardscan.config import Limits
from cardscan.errors import InputFileError
from cardscan.model import CardImage, Note, OcrResult, contact_record
from cardscan.parse import parse_front, parse_note
from cardscan.read.loading import pages
from tests.nasty_files import _pdf

# Text that looks like cards: letters, digits, the punctuation of phones, e-mails and web
# addresses, accents, scripts other than Latin, line breaks, and anything else.
CARDISH = st.text(alphabet=st.sampled_from(
    list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ")
    + list("@.+-()/:,;&#'\"_|\n\t[]{}<>=*!?%") + list("éüßñçØ€£¥°²ªºöÄЖж中文日本語한국")),
    max_size=400)


@given(st.one_of(CARDISH, st.text(max_size=400)))
@example("Jane Doe\nCTO\nAcme Inc.\n+1 (212) 555-0100\njane@acme.com")
@example("@\n@@.@\n+\n+0\n(\n)\nwww.\nhttp://\n" * 3)
@example("\x00\ufeff\u202e" * 20)
def test_any_text_parses_to_a_contact(text: str) -> None:
    contact = parse_front(OcrResult.from_text(text), default_region="US")
    record = contact_record(contact, Note(), met_on=None, event=None)
    json.dumps(record)  # always the public JSON shape
    for phone in contact.phones:
        assert phone.number.startswith("+") and phone.number[1:].isdigit()


@given(st.lists(st.one_of(CARDISH, st.text(max_size=80)), max_size=12),
       st.sampled_from(["MDY", "DMY"]))
@example(["Met 2/30 @ CES", "31/31/31", "f/u:", "Topics:"], "MDY")
def test_any_note_parses(lines: list[str], order: str) -> None:
    reference = dt.date(2026, 11, 10)
    note = parse_note(lines, reference=reference, date_order=order, not_after=reference)
    assert note.met_on is None or note.met_on <= reference
    assert note.priority in ("high", "normal")


def _seed(fmt: str) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", (120, 80), "white")
    image.paste((20, 40, 160), (10, 10, 60, 40))
    if fmt == "TIFF":
        image.save(out, format="TIFF", save_all=True, append_images=[image],
                   compression="tiff_deflate")
    else:
        image.save(out, format=fmt)
    return out.getvalue()


SEEDS = [_seed(fmt) for fmt in ("PNG", "JPEG", "TIFF", "WEBP", "BMP")] + [_pdf(2, 200, 120)]
SMALL = Limits(max_page_megapixels=4, max_file_megapixels=8, max_pages=4)


def _pages_or_error(data: bytes) -> None:
    card = CardImage(Path("fuzz.img"), hashlib.sha256(data).hexdigest(), data)
    try:
        decoded = list(pages(card, SMALL))
    except InputFileError as e:
        assert str(e).startswith("fuzz.img: ")
        return
    assert 1 <= len(decoded) <= SMALL.max_pages
    for page in decoded:
        assert isinstance(page, np.ndarray) and page.ndim == 3 and page.shape[2] == 3
        assert min(page.shape[:2]) >= SMALL.min_side


@given(st.binary(max_size=2048))
def test_any_bytes_load_as_pages_or_an_input_error(data: bytes) -> None:
    _pages_or_error(data)


@given(st.sampled_from(range(len(SEEDS))), st.data())
def test_damaged_images_load_as_pages_or_an_input_error(seed: int, data: st.DataObject
                                                        ) -> None:
    """Real images of every format (by index in SEEDS) with bytes changed, cut short or with
    bytes added."""
    damaged = bytearray(SEEDS[seed])
    for _ in range(data.draw(st.integers(0, 8))):
        where = data.draw(st.integers(0, len(damaged) - 1))
        damaged[where] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(8, len(damaged)))
    tail = data.draw(st.binary(max_size=64))
    _pages_or_error(bytes(damaged[:cut]) + tail)
