"""Driving the review page in a real headless Chromium (Playwright over Debian's ``chromium``;
no browser is downloaded): the browser, fresh tabs that record script errors and dialogs,
screenshots kept as test artefacts, and contacts with real card images to show.

Without Playwright or Chromium a browser test module is skipped, or fails when
CARDSCAN_REQUIRE_BROWSER=1 (CI). CARDSCAN_CHROMIUM names another Chromium binary;
CARDSCAN_ARTIFACTS the folder for screenshots (default: build/test-artifacts).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw

from cardscan.model import CardImage, Note, OcrResult, ParsedCard
from cardscan.parse import parse_front
from cardscan.store import Database
from tests.factories import store_card

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("CARDSCAN_ARTIFACTS") or ROOT / "build" / "test-artifacts")
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2,
         "is_mobile": True, "has_touch": True}


def missing(reason: str) -> None:
    """Skip, unless CARDSCAN_REQUIRE_BROWSER=1 (CI) says a missing browser is a failure."""
    if os.environ.get("CARDSCAN_REQUIRE_BROWSER") == "1":
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason, allow_module_level=True)


def chromium() -> str:
    """The Chromium binary (the calling module is skipped when there is none)."""
    path = os.environ.get("CARDSCAN_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).is_file():
        missing(f"no Chromium at {path}: apt-get install chromium")
    return path


def require_browser() -> None:
    """Skip the calling module (or fail, in CI) without Playwright or Chromium."""
    try:
        import playwright  # noqa: F401
    except ImportError:
        missing("Playwright for Python is not installed: pip install playwright (it drives "
                "Debian's chromium; no browser download)")
    chromium()


def launch() -> Iterator[Any]:
    """Headless Chromium for a module's tests (``browser = pytest.fixture(...)(launch)``)."""
    from playwright import sync_api

    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(), headless=True)
        yield browser
        browser.close()


def new_tab(browser: Any, origin: str, **options: Any) -> Any:
    """A tab in a fresh context; the dialogs it opens (dismissed) and the errors it logs (a
    script error, a Content-Security-Policy violation, a broken image) are recorded."""
    context = browser.new_context(accept_downloads=True, base_url=origin.rstrip("/"), **options)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=origin.rstrip("/"))
    tab = context.new_page()
    tab.dialogs, tab.errors = [], []
    tab.on("dialog", lambda d: (tab.dialogs.append(d.message), d.dismiss()))
    tab.on("console", lambda m: tab.errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda e: tab.errors.append(str(e)))
    return tab


def screenshot(tab: Any, name: str) -> Path:
    """A full-page screenshot kept as a test artefact."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    tab.screenshot(path=str(path), full_page=True)
    return path


def png(lines: list[str]) -> bytes:
    """A plain card image, so a hand-made contact has a real scan to show."""
    image = Image.new("RGB", (700, 400), "white")
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        draw.text((40, 40 + 40 * i), line, fill="black")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def add_card(db: Database, lines: list[str], *, met_on: dt.date, event: str = "Web Summit",
             now: dt.datetime = dt.datetime(2026, 11, 12, 18)) -> int:
    """A contact from text (no OCR), with a real PNG as its front scan."""
    data = png(lines)
    text = "\n".join(lines)
    ocr = OcrResult.from_text(text)
    card = ParsedCard(front=CardImage(Path("typed.png"), hashlib.sha256(data).hexdigest(), data),
                      back=None, front_ocr=ocr, back_ocr=None,
                      contact=parse_front(ocr, default_region="US"), note=Note(met_on=met_on),
                      met_on=met_on, event=event)
    contact_id, merged = store_card(db, card, now=now)
    assert not merged
    return contact_id
