"""The review page with a real pile, on a desktop and on a 390 px phone, in a real headless
Chromium: search and filters, merging two contacts, delete and undo, uploading cards (read by
the real engines), sign-in on a network address, the phone layout and dark mode. Screenshots
are kept in build/test-artifacts (CARDSCAN_ARTIFACTS)."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from cardscan.config import Pipeline
from cardscan.errors import ConfigError
from cardscan.intake.upload import Uploads
from cardscan.review import actions, make_review_server
from cardscan.review.app import ReviewServer
from cardscan.review.auth import ATTEMPTS
from cardscan.store import Database
from tests.conftest import clean_env
from tests.databases import database_url
from tests.e2e.browser import (
    PHONE,
    ROOT,
    add_card,
    launch,
    new_tab,
    require_browser,
    screenshot,
)
from tests.factories import contacts

require_browser()

pytestmark = [pytest.mark.slow]

TODAY = dt.date(2026, 11, 13)
IMAGES = ROOT / "samples" / "images"
PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Database:
    """GIVEN a small pile: two people at two events, and one person on two cards that were
    not merged (another name on the same e-mail)."""
    tmp = tmp_path_factory.mktemp("pile")
    db = Database(database_url(tmp), store=tmp / "store")
    add_card(db, ["Dana Lee", "Head of Sales", "Lumen Labs", "dana@lumen.example",
                  "+1 512 555 0199"], met_on=dt.date(2026, 11, 10), event="CES 2026")
    add_card(db, ["Bo Berg", "Buyer", "Granite GmbH", "bo@granite.example"],
             met_on=dt.date(2026, 11, 11))
    add_card(db, ["Ida Ito", "CTO", "Helix Systems", "ida@helix.example"],
             met_on=dt.date(2026, 11, 11))
    add_card(db, ["Ida Morgan", "Chief Technology Officer", "Helix Systems", "ida@helix.example"],
             met_on=dt.date(2026, 11, 12))
    return db


def _serve(db: Database, **options: Any) -> Iterator[ReviewServer]:
    server = make_review_server(db, port=0, today=lambda: TODAY, **options)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="module")
def app_url(db: Database) -> Iterator[str]:
    settings = Pipeline()
    for server in _serve(db, ingest=Uploads(db, settings).ingest):
        yield server.url


browser = pytest.fixture(scope="module")(launch)


@pytest.fixture
def page(browser: Any, app_url: str) -> Iterator[Any]:
    tab = new_tab(browser, app_url, viewport={"width": 1280, "height": 900})
    yield tab
    tab.context.close()


@pytest.fixture
def phone(browser: Any, app_url: str) -> Iterator[Any]:
    tab = new_tab(browser, app_url, color_scheme="dark", **PHONE)
    yield tab
    tab.context.close()


def _names(page: Any) -> list[str]:
    return page.eval_on_selector_all("#queue a.card-link", "links => links.map(a => a.textContent)")


def _id(db: Database, name: str) -> int:
    return int(next(c["id"] for c in contacts(db) if c["name"] == name))


def test_search_and_filters_find_a_contact(page: Any, db: Database) -> None:
    page.goto("/?status=all")
    assert set(_names(page)) == {"Dana Lee", "Bo Berg", "Ida Ito", "Ida Morgan"}
    screenshot(page, "desktop-queue")
    # WHEN the reviewer searches a company, then a phone number as people write it
    page.fill("#search", "lumen")
    with page.expect_navigation():
        page.press("#search", "Enter")
    assert _names(page) == ["Dana Lee"]
    assert "1 contact matches" in page.inner_text("#matching")
    page.fill("#search", "(512) 555-0199")
    with page.expect_navigation():
        page.click("#filters button[type=submit]")
    assert _names(page) == ["Dana Lee"]
    # AND filters by event, sorted by name
    page.goto("/?status=all")
    page.select_option("#filters select[name=event]", "Web Summit")
    page.select_option("#filters select[name=sort]", "name")
    with page.expect_navigation():
        page.click("#filters button[type=submit]")
    assert _names(page) == ["Bo Berg", "Ida Ito", "Ida Morgan"]
    page.fill("#search", "nobody-like-this")
    with page.expect_navigation():
        page.press("#search", "Enter")
    assert page.inner_text("#none-found") == "No contact matches."
    assert page.dialogs == [] and page.errors == []


def test_merge_two_contacts_into_one_with_both_scans(page: Any, db: Database) -> None:
    ida, other = _id(db, "Ida Ito"), _id(db, "Ida Morgan")
    page.goto(f"/card/{ida}")
    assert "same e-mail" in page.inner_text("#merge-notice")
    with page.expect_navigation():
        page.click("#merge-notice a.merge-link")
    assert page.url.endswith(f"/merge?keep={ida}&other={other}")
    screenshot(page, "desktop-merge")
    page.check("#choose-title-other")  # the other card's title, the kept card's name
    with page.expect_navigation():
        page.click("#merge")
    assert page.url.endswith(f"/card/{ida}")
    assert f"Contact {other} merged into contact {ida}" in page.inner_text(".flashes")
    page.wait_for_function("[...document.images].every(i => i.complete)")
    widths = page.eval_on_selector_all("img.scan", "imgs => imgs.map(i => i.naturalWidth)")
    assert len(widths) == 2 and all(w > 0 for w in widths)  # both cards' scans
    assert page.input_value("#f-title") == "Chief Technology Officer"
    assert page.input_value("#f-name") == "Ida Ito"
    itos = [c for c in contacts(db) if (c["name"] or "").startswith("Ida")]
    assert [c["id"] for c in itos] == [ida] and len(itos[0]["meetings"]) == 2
    assert itos[0]["alternatives"]["name"] == ["Ida Morgan"]
    assert page.dialogs == [] and page.errors == []


def test_delete_then_undo(page: Any, db: Database) -> None:
    bo = _id(db, "Bo Berg")
    page.goto(f"/card/{bo}")
    with page.expect_navigation():
        page.click("#delete")
    assert "moved to the trash" in page.inner_text("#undo")
    assert bo not in [c["id"] for c in contacts(db)]
    assert "Bo Berg" not in _names(page)
    with page.expect_navigation():
        page.click("#undo-button")
    assert page.url.endswith(f"/card/{bo}") and "is back" in page.inner_text(".flashes")
    assert bo in [c["id"] for c in contacts(db)]
    # AND deleted again, it waits in the trash, its page says so, and it is restored there
    with page.expect_navigation():
        page.click("#delete")
    page.goto(f"/card/{bo}")
    assert "In the trash" in page.inner_text("#trashed-notice")
    page.goto("/trash")
    assert "Bo Berg" in page.inner_text("#trash")
    with page.expect_navigation():
        page.click("#trash button")
    assert bo in [c["id"] for c in contacts(db)]
    assert page.dialogs == [] and page.errors == []


def test_upload_two_cards_and_see_them_in_the_queue(page: Any, db: Database) -> None:
    page.goto("/upload")
    page.set_input_files("#files", [IMAGES / "us-left-two-phones_front.png",
                                    IMAGES / "de-band-gmbh_front.png"])
    assert "2 file(s)" in page.inner_text("#chosen")
    page.click("#upload")
    page.wait_for_selector("#to-queue", timeout=120_000)
    results = page.inner_text("#upload-results")
    assert results.count("created") == 2, results
    with page.expect_navigation():
        page.click("#to-queue")
    names = " ".join(_names(page))
    assert "Jordan Ellis" in names, names
    stored = {Path(p).parent.parent.name for p in [str(x) for x in (db.store / "uploads").rglob(
        "*.png")]}
    assert stored == {"uploads"}  # kept under the scan store's uploads/
    # AND the same files again are duplicates, not new contacts
    before = len(contacts(db))
    page.goto("/upload")
    page.set_input_files("#files", [IMAGES / "us-left-two-phones_front.png"])
    page.click("#upload")
    page.wait_for_selector("#to-queue", timeout=120_000)
    assert "duplicate" in page.inner_text("#upload-results")
    assert len(contacts(db)) == before
    assert page.dialogs == [] and page.errors == []


def test_sign_in_is_required_on_a_network_address(browser: Any, tmp_path: Path) -> None:
    url = database_url(tmp_path)
    db = Database(url, store=tmp_path / "store")
    add_card(db, ["Dana Lee", "Lumen Labs", "dana@lumen.example"], met_on=TODAY)
    # WHEN it is asked to listen on every address without a password: it refuses
    with pytest.raises(ConfigError, match="--set-password"):
        make_review_server(db, host="0.0.0.0", port=0)
    # WHEN the password is set with the CLI (one line on standard input)
    done = subprocess.run([sys.executable, "-m", "cardscan", "review", "--set-password",
                           "--db", url], input=PASSWORD + "\n", capture_output=True, text=True,
                          env=clean_env(tmp_path, recorded=True), cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    for server in _serve(db, host="0.0.0.0"):
        origin = server.url.replace("0.0.0.0", "127.0.0.1")
        tab = new_tab(browser, origin)
        # THEN every page asks to sign in first, and a wrong password is refused
        tab.goto("/followups")
        assert "/login" in tab.url
        tab.fill("#password", "not it")
        with tab.expect_navigation():
            tab.click("#sign-in")
        assert tab.inner_text("#login-error") == "Wrong password."
        token = tab.get_attribute("meta[name=csrf-token]", "content")
        assert tab.request.get("/", max_redirects=0).status == 302
        assert tab.request.post("/bulk", form={"csrf_token": token}).status == 401
        # AND the right one opens the page it asked for, with a strict, script-proof cookie
        tab.fill("#password", PASSWORD)
        with tab.expect_navigation():
            tab.click("#sign-in")
        assert tab.url.endswith("/followups")
        [cookie] = tab.context.cookies()
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
        # AND guessing is throttled per address
        for _ in range(ATTEMPTS):
            tab.request.post("/login", form={"csrf_token": token, "password": "guess"})
        assert tab.request.post("/login", form={"csrf_token": token,
                                                "password": PASSWORD}).status == 429
        tab.context.close()


def test_phone_layout_and_dark_mode(phone: Any, db: Database) -> None:
    phone.goto("/?status=all")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the queue spills sideways: {width} px"
    background = phone.evaluate("getComputedStyle(document.body).backgroundColor")
    assert _luminance(background) < 0.2, background  # dark mode
    screenshot(phone, "phone-queue")
    dana = _id(db, "Dana Lee")
    phone.goto(f"/card/{dana}")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    form = phone.locator("#card-form").bounding_box()
    images = phone.locator("#images").bounding_box()
    assert form["y"] < images["y"], "the fields come before the images on a phone"
    assert phone.evaluate("document.getElementById('images').open") is False
    clipped = phone.eval_on_selector_all(
        ".conf", "els => els.filter(e => e.getBoundingClientRect().right > 390).length")
    assert clipped == 0, "confidence labels run off the screen"
    assert phone.get_attribute("input[name=phone_number] >> nth=-1", "placeholder") == (
        "+1 201-555-0123")  # a US card: a US example
    screenshot(phone, "phone-card")
    phone.click("#images > summary")
    assert phone.evaluate("document.getElementById('images').open") is True
    phone.goto("/followups?due=all")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "phone-followups")
    assert phone.dialogs == [] and phone.errors == []


def test_follow_up_shortcuts(page: Any, db: Database) -> None:
    page.goto("/followups?due=all")
    first = page.locator("article.task").first
    task_id = int(first.get_attribute("data-task"))
    page.keyboard.press("j")
    assert "current" in (first.get_attribute("class") or "")
    with page.expect_navigation():
        page.keyboard.press("d")
    assert f"Task {task_id} done" in page.inner_text(".flashes")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "search"
    assert page.dialogs == [] and page.errors == []


def _luminance(css: str) -> float:
    r, g, b = (int(x) for x in css[css.index("(") + 1:css.index(")")].split(",")[:3])
    return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255


def test_a_multi_card_capture_shows_its_own_card(tmp_path: Path) -> None:
    """The card page shows the card cut out of a photo holding two (not the whole photo)."""
    sheet = IMAGES / "table-2up_photo.jpg"
    url = database_url(tmp_path)
    done = subprocess.run([sys.executable, "-m", "cardscan", "batch", str(sheet), "--db", url,
                           "--workers", "1"], capture_output=True, text=True,
                          env=clean_env(tmp_path, recorded=True), cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    db = Database(url, store=tmp_path / "store")
    shown = [actions.image_path(db, s.id) for c in contacts(db)
             for s in actions.card_view(db, int(c["id"])).scans if s.side == "front"]
    with Image.open(sheet) as whole:
        photo = whole.size
    sizes = []
    for path in shown:
        with Image.open(path) as card:
            sizes.append(card.size)
    assert len(shown) == 2 and shown[0] != shown[1]
    assert all(size != photo for size in sizes), (sizes, photo)
