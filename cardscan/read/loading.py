"""Reading card images from disk with Pillow: checks, EXIF orientation, pages, clear errors."""

from __future__ import annotations

import hashlib
import io
import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from ..config import Limits
from ..errors import InputFileError
from ..model import CardImage
from . import pdf
from .limits import check_pages

log = logging.getLogger(__name__)

try:  # HEIC/HEIF (iPhone photos) where the pillow-heif wheel is installed
    from pillow_heif import register_heif_opener

    register_heif_opener()
    HEIC = True
except ImportError:  # pragma: no cover - depends on the platform
    HEIC = False

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".tif", ".tiff", ".bmp", ".webp", ".pdf"}
                           | ({".heic", ".heif"} if HEIC else set()))
_READABLE_FORMATS = frozenset({"JPEG", "PNG", "TIFF", "BMP", "WEBP", "MPO", "HEIF"})
_SUPPORTED = "JPEG, PNG, TIFF, BMP, WebP, PDF" + (" or HEIC" if HEIC else "")
DEFAULT_LIMITS = Limits()
_PAGED_FORMATS = frozenset({"TIFF"})  # pages of a document; other formats' frames are not
# cardscan checks every page's size itself ([limits]) before decoding, more strictly than
# Pillow's own bomb check, which would refuse some files before saying which limit applies.
Image.MAX_IMAGE_PIXELS = None


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def read_card_image(path: Path, *, decode: bool = True,
                    limits: Limits = DEFAULT_LIMITS) -> CardImage:
    """Read a file's bytes and checksum; raise InputFileError when it is no readable image.
    Only regular files are read (a FIFO or a device named .jpg would block or never end), and
    only up to ``limits.max_file_mb``. ``decode=False`` leaves the decode (and its errors) to
    whoever reads the pages, so a batch decodes each file once, in the worker."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise InputFileError(path, "no such file") from None
    except IsADirectoryError:
        raise InputFileError(path, "is a folder, not an image") from None
    except OSError as e:
        raise InputFileError(path, f"cannot read: {e.strerror or e}") from e
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(f.fileno())
        if stat.S_ISDIR(info.st_mode):
            raise InputFileError(path, "is a folder, not an image")
        if not stat.S_ISREG(info.st_mode):
            raise InputFileError(path, f"not a regular file (a {_kind(info.st_mode)}); "
                                       "cardscan reads image files only")
        if info.st_size > limits.max_file_mb * 1_000_000:
            raise InputFileError(path, f"is {info.st_size / 1e6:,.0f} MB; cardscan reads files "
                                       f"up to {limits.max_file_mb} MB ([limits] max_file_mb)")
        try:
            data = f.read(limits.max_file_mb * 1_000_000 + 1)
        except OSError as e:
            raise InputFileError(path, f"cannot read: {e.strerror or e}") from e
    if not data:
        raise InputFileError(path, "empty file (0 bytes)")
    card = CardImage(path=path, sha256=hashlib.sha256(data).hexdigest(), data=data)
    if decode:
        for _ in pages(card, limits):  # fail early, before anything is stored
            pass
    return card


def _kind(mode: int) -> str:
    return ("FIFO" if stat.S_ISFIFO(mode) else "socket" if stat.S_ISSOCK(mode)
            else "device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "special file")


def png_bytes(rgb: np.ndarray) -> bytes:
    """One decoded page as PNG (for a browser that cannot show PDF, TIFF or HEIC)."""
    out = io.BytesIO()
    Image.fromarray(rgb).save(out, format="PNG")
    return out.getvalue()


def jpeg_bytes(rgb: np.ndarray, *, quality: int = 85) -> bytes:
    """A card image as JPEG (what the review page shows)."""
    out = io.BytesIO()
    Image.fromarray(rgb).save(out, format="JPEG", quality=quality)
    return out.getvalue()


def pages(card: CardImage, limits: Limits = DEFAULT_LIMITS, *,
          first: int = 0) -> Iterator[np.ndarray]:
    """Every page (PDF, multi-page TIFF) or the one image, as upright RGB arrays, decoded one
    at a time when asked for, after the sizes of all of them were checked against
    ``limits``; ``first`` skips the pages before it without decoding them."""
    if card.data.startswith(b"%PDF"):
        return pdf.render_pages(card, limits, first=first)
    return _image_pages(card, limits, first)


def _image_pages(card: CardImage, limits: Limits, first: int) -> Iterator[np.ndarray]:
    try:
        with Image.open(io.BytesIO(card.data)) as im:
            fmt = im.format or "unknown"
            if fmt not in _READABLE_FORMATS:
                raise InputFileError(card.path, f"unsupported format {fmt}; use {_SUPPORTED}")
            paged = fmt in _PAGED_FORMATS or limits.all_frames
            sizes = _frame_sizes(im, limits.max_pages + 1 if paged else 1)
            check_pages(card.path, sizes, limits)
            for index in range(min(first, len(sizes) - 1), len(sizes)):
                im.seek(index)
                yield _upright_rgb(im)
    except InputFileError:
        raise
    except UnidentifiedImageError as e:
        if kind := _magic(card.data):
            raise InputFileError(card.path, f"truncated or corrupt {kind} file") from e
        raise InputFileError(card.path, f"not an image ({_sniff(card.data)}); "
                                        f"cardscan reads {_SUPPORTED}") from e
    except MemoryError:
        raise  # the worker's memory cap: said by the caller
    except Exception as e:  # Pillow parses untrusted bytes: any error there means a bad file
        # (fuzzing found TypeError, KeyError, struct.error, ZeroDivisionError ... on
        # damaged TIFFs, JPEGs and WebPs; tests/unit/test_fuzz.py).
        raise InputFileError(card.path, f"truncated or corrupt image "
                                        f"({type(e).__name__}: {e})") from e


def _frame_sizes(im: Image.Image, most: int) -> list[tuple[int, int]]:
    """The size of each frame, up to ``most`` of them, from the headers alone."""
    sizes = []
    for index in range(most):
        try:
            im.seek(index)
        except EOFError:
            break
        sizes.append(im.size)
    im.seek(0)
    return sizes


def decode_pages(card: CardImage, limits: Limits = DEFAULT_LIMITS) -> list[np.ndarray]:
    """Every page at once (small files: tests, a single page to show)."""
    return list(pages(card, limits))


def decode(card: CardImage, limits: Limits = DEFAULT_LIMITS, *, page: int = 0) -> np.ndarray:
    """One page (the first, or ``page``; the last when there are fewer) as an upright RGB
    array; no other page is decoded."""
    return next(iter(pages(card, limits, first=page)))


def _upright_rgb(frame: Image.Image) -> np.ndarray:
    frame.load()
    upright = ImageOps.exif_transpose(frame) or frame
    if upright.mode in ("I;16", "I;16B", "I"):  # 16-bit scans: scale to 8 bits
        array = np.asarray(upright, dtype=np.float64)
        upright = Image.fromarray((255 * array / max(array.max(), 1)).astype(np.uint8))
    return np.asarray(upright.convert("RGB"))


_MAGIC = ((b"\x89PNG", "PNG"), (b"\xff\xd8", "JPEG"), (b"II*\x00", "TIFF"),
          (b"MM\x00*", "TIFF"), (b"BM", "BMP"), (b"GIF8", "GIF"))


def _magic(data: bytes) -> str | None:
    """The format a file's first bytes claim, so a damaged image is not called 'not an image'."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WebP"
    return next((kind for magic, kind in _MAGIC if data.startswith(magic)), None)


def _sniff(data: bytes) -> str:
    head = data[:512]
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return "unrecognised binary data"
    return "looks like text"
