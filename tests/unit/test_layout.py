"""One room per concern, checked: SQLAlchemy only in the storage package; the review app
without the OCR driver or OpenCV; one same-person rule."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "cardscan"


def _importing(pattern: str) -> set[str]:
    found = set()
    for path in PACKAGE.rglob("*.py"):
        if re.search(pattern, path.read_text(encoding="utf-8"), re.M):
            found.add(str(path.relative_to(PACKAGE)))
    return found


def test_only_the_storage_package_speaks_sqlalchemy() -> None:
    users = _importing(r"^\s*(import sqlalchemy|from sqlalchemy)")
    assert users and all(p.startswith("store/") for p in users), users


def test_the_review_app_loads_neither_the_ocr_driver_nor_opencv() -> None:
    probe = subprocess.run(
        [sys.executable, "-c", "import sys, cardscan.review.app, cardscan.review.actions; "
         "print(sorted(m for m in ('cv2', 'pytesseract', 'cardscan.pipeline', "
         "'cardscan.read.imaging', 'rapidocr') if m in sys.modules))"],
        capture_output=True, text=True, check=True)
    assert probe.stdout.strip() == "[]"
    assert not _importing(r"^\s*from \.\.(pipeline|read\.imaging) import|^import cv2") & {
        f"review/{p.name}" for p in (PACKAGE / "review").glob("*.py")}


def test_one_same_person_rule() -> None:
    defined = _importing(r"^def (same_person|_same_person|similar_contacts)\b")
    assert defined == {"store/people.py"}
