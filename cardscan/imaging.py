"""Image clean-up with OpenCV before OCR: grayscale and bring text to about 300 dpi."""

from __future__ import annotations

import cv2
import numpy as np

from .config import Preprocess


def to_gray(image: np.ndarray) -> np.ndarray:
    """RGB (or already gray) -> 8-bit gray."""
    if image.ndim == 2:
        return image
    return cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)


def upscale(image: np.ndarray, *, min_width: int, max_factor: float) -> np.ndarray:
    """Enlarge a narrow image so small text reaches ~300 dpi; never shrink."""
    width = image.shape[1]
    if width >= min_width or width == 0:
        return image
    factor = min(min_width / width, max_factor)
    return cv2.resize(image, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC)


def prepare(image: np.ndarray, settings: Preprocess) -> np.ndarray:
    """The preprocessing chain for one side, as the pipeline settings ask."""
    if settings.grayscale:
        image = to_gray(image)
    return upscale(image, min_width=settings.min_width, max_factor=settings.max_upscale)
