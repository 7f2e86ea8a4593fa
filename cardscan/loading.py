"""Reading card images from disk with Pillow: checks, EXIF orientation, clear errors."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from .errors import InputFileError
from .model import CardImage

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".tif", ".tiff", ".bmp", ".webp"})
_READABLE_FORMATS = frozenset({"JPEG", "PNG", "TIFF", "BMP", "WEBP", "MPO"})
_SUPPORTED = "JPEG, PNG, TIFF, BMP or WebP"


def read_card_image(path: Path) -> CardImage:
    """Read a file's bytes and checksum; raise InputFileError when it is no readable image."""
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
    decode(card)  # fail early, before anything is stored
    return card


def decode(card: CardImage) -> np.ndarray:
    """Decode to an upright RGB array (EXIF orientation applied)."""
    try:
        with Image.open(io.BytesIO(card.data)) as im:
            fmt = im.format or "unknown"
            if fmt not in _READABLE_FORMATS:
                raise InputFileError(card.path, f"unsupported format {fmt}; use {_SUPPORTED}")
            im.load()
            upright = ImageOps.exif_transpose(im) or im
            return np.asarray(upright.convert("RGB"))
    except UnidentifiedImageError as e:
        raise InputFileError(card.path, f"not an image ({_sniff(card.data)}); "
                                        f"cardscan reads {_SUPPORTED}") from e
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as e:
        raise InputFileError(card.path, f"truncated or corrupt image ({e})") from e


def _sniff(data: bytes) -> str:
    head = data[:512]
    if head.startswith(b"%PDF"):
        return "a PDF"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return "unrecognised binary data"
    return "looks like text"
