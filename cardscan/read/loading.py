"""Reading card images from disk with Pillow: checks, EXIF orientation, pages, clear errors."""

from __future__ import annotations

import hashlib
import io
import logging
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

from ..errors import InputFileError
from ..model import CardImage
from . import pdf

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
MAX_PIXELS = 120_000_000  # a 600 dpi A3 scan; larger is a mistake or an attack


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def read_card_image(path: Path, *, decode: bool = True) -> CardImage:
    """Read a file's bytes and checksum; raise InputFileError when it is no readable image.
    ``decode=False`` leaves the full decode (and its errors) to whoever reads the pages, so
    a batch decodes each file once, in the worker, instead of also in the parent."""
    if not path.exists():
        raise InputFileError(path, "no such file")
    if path.is_dir():
        raise InputFileError(path, "is a folder, not an image")
    try:
        data = path.read_bytes()
    except OSError as e:
        raise InputFileError(path, f"cannot read: {e.strerror or e}") from e
    if not data:
        raise InputFileError(path, "empty file (0 bytes)")
    card = CardImage(path=path, sha256=hashlib.sha256(data).hexdigest(), data=data)
    if decode:
        decode_pages(card)  # fail early, before anything is stored
    return card


def png_bytes(rgb: np.ndarray) -> bytes:
    """One decoded page as PNG (for a browser that cannot show PDF, TIFF or HEIC)."""
    out = io.BytesIO()
    Image.fromarray(rgb).save(out, format="PNG")
    return out.getvalue()


def decode_pages(card: CardImage) -> list[np.ndarray]:
    """Every page (PDF, multi-page TIFF) or the one image, as upright RGB arrays."""
    if card.data.startswith(b"%PDF"):
        return pdf.render_pages(card)
    try:
        with Image.open(io.BytesIO(card.data)) as im:
            fmt = im.format or "unknown"
            if fmt not in _READABLE_FORMATS:
                raise InputFileError(card.path, f"unsupported format {fmt}; use {_SUPPORTED}")
            if im.width * im.height > MAX_PIXELS:
                raise InputFileError(card.path, f"image too large ({im.width}x{im.height})")
            return [_upright_rgb(frame) for frame in ImageSequence.Iterator(im)]
    except UnidentifiedImageError as e:
        if kind := _magic(card.data):
            raise InputFileError(card.path, f"truncated or corrupt {kind} file") from e
        raise InputFileError(card.path, f"not an image ({_sniff(card.data)}); "
                                        f"cardscan reads {_SUPPORTED}") from e
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as e:
        raise InputFileError(card.path, f"truncated or corrupt image ({e})") from e


def decode(card: CardImage) -> np.ndarray:
    """The first page as an upright RGB array."""
    return decode_pages(card)[0]


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
