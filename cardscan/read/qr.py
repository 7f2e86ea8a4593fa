"""QR codes on a card (OpenCV's detector): the text they hold, decoded, nothing more."""

from __future__ import annotations

import cv2
import numpy as np


def read_qr_codes(image: np.ndarray) -> list[str]:
    """The payload of every QR code in the image (a vCard, a MeCard, a URL...), or []."""
    gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    # The ArUco-based detector finds codes the classic one misses, and costs ~2 ms on a card
    # without one (the classic one ~12 ms).
    detector = cv2.QRCodeDetectorAruco()
    try:
        found, texts, _, _ = detector.detectAndDecodeMulti(gray)
    except cv2.error:  # OpenCV rejects some degenerate detections; treat as no code
        return []
    return [t for t in texts if t] if found else []
