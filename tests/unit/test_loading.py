"""Reading every supported file kind, with EXIF orientation and pages; clear errors."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from cardscan.errors import InputFileError
from cardscan.read.loading import HEIC, decode_pages, read_card_image


def _card(colour: str = "white") -> Image.Image:
    image = Image.new("RGB", (210, 120), colour)
    image.paste((0, 0, 0), (10, 10, 60, 30))  # a dark mark at the top left
    return image


@pytest.mark.parametrize("suffix", [".jpg", ".png", ".bmp", ".webp", ".tif"])
def test_single_images_in_every_format(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"card{suffix}"
    _card().save(path)
    [page] = decode_pages(read_card_image(path))
    assert page.shape == (120, 210, 3)


def test_multi_page_tiff_and_pdf_are_sequences_of_sides(tmp_path: Path) -> None:
    for suffix in (".tif", ".pdf"):
        path = tmp_path / f"duplex{suffix}"
        _card().save(path, save_all=True, append_images=[_card("yellow")], resolution=100)
        pages = decode_pages(read_card_image(path))
        assert len(pages) == 2, suffix
        assert pages[1][60, 150].tolist() != pages[0][60, 150].tolist()


def test_exif_orientation_is_applied(tmp_path: Path) -> None:
    path = tmp_path / "phone.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6  # stored turned: a viewer turns it 90 degrees clockwise
    _card().rotate(90, expand=True).save(path, exif=exif)
    [page] = decode_pages(read_card_image(path))
    assert page.shape == (120, 210, 3)
    assert page[20, 30].max() < 60  # the dark mark is back at the top left


@pytest.mark.skipif(not HEIC, reason="pillow-heif is not installed on this platform")
def test_heic_photos(tmp_path: Path) -> None:
    path = tmp_path / "iphone.heic"
    _card().save(path, format="HEIF")
    [page] = decode_pages(read_card_image(path))
    assert page.shape == (120, 210, 3)


@pytest.mark.parametrize(("content", "reason"), [
    (b"", "empty file"),
    (b"hello, not an image", "not an image (looks like text)"),
    (b"%PDF-1.4 broken", "cannot open PDF"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "truncated or corrupt PNG file"),
    (b"\xff\xd8\xff\xe0" + b"\x00" * 40, "truncated or corrupt"),
])
def test_bad_files_say_why(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "bad.png"
    path.write_bytes(content)
    with pytest.raises(InputFileError, match=re.escape(reason)) as caught:
        read_card_image(path)
    assert str(path) in str(caught.value)


def test_16_bit_scans_become_8_bit(tmp_path: Path) -> None:
    path = tmp_path / "scan16.png"
    Image.fromarray((np.arange(120 * 210).reshape(120, 210) * 2).astype(np.uint16)).save(path)
    [page] = decode_pages(read_card_image(path))
    assert page.dtype == np.uint8 and page.max() == 255


def test_an_input_error_survives_the_trip_back_from_a_worker_process() -> None:
    import pickle

    from cardscan.errors import InputFileError

    error = pickle.loads(pickle.dumps(InputFileError("/x/card.jpg", "truncated")))
    assert (str(error), error.reason, error.path.name) == ("/x/card.jpg: truncated",
                                                            "truncated", "card.jpg")
