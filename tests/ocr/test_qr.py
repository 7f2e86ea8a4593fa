"""A QR code on a real card image is read and fills the contact (real Tesseract + OpenCV)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import cv2
import numpy as np
import pytest

from cardscan.config import load_pipeline
from cardscan.pipeline import Context, Job, scan
from tests.unit.test_parse_extras import VCARD

pytestmark = pytest.mark.ocr


def test_a_vcard_qr_on_the_card_fills_the_fields(tmp_path: Path) -> None:
    code = cv2.resize(cv2.QRCodeEncoder.create().encode(VCARD), None, fx=4, fy=4,
                      interpolation=cv2.INTER_NEAREST)
    card = np.full((600, 1050), 255, np.uint8)
    card[300:300 + code.shape[0], 700:700 + code.shape[1]] = code  # with a quiet zone
    cv2.putText(card, "Anna-Lena Krueger", (40, 100), cv2.FONT_HERSHEY_SIMPLEX, 1.4, 0, 3)
    path = tmp_path / "qr-card.png"
    cv2.imwrite(str(path), card)
    ctx = Context(pipeline=load_pipeline("default"), today=dt.date(2026, 11, 10))
    [read] = scan(Job(path), ctx)
    assert read.qr and read.qr[0].startswith("BEGIN:VCARD")
    assert read.contact.name == "Anna-Lena Kruger"  # the QR's spelling, not the print's
    assert read.contact.company == "Kestrel Analytics GmbH"
    assert [p.type for p in read.contact.phones] == ["work", "mobile"]
    assert read.contact.confidence["company"] == 1.0
