"""``cardscan review`` end to end: the real app over a real SQLite file (a sample card ingested
with the real CLI, reading recorded OCR), driven in a real headless Chromium with Playwright.

Needs Debian's ``chromium`` (apt-get install chromium) and Playwright for Python (pip install
playwright); no browser is downloaded. Without them the module is skipped, or fails when
CARDSCAN_REQUIRE_BROWSER=1 (for CI). CARDSCAN_CHROMIUM names another Chromium binary.
"""

from __future__ import annotations

import csv
import datetime as dt
import http.client
import io
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from sqlalchemy import select

from cardscan.review import actions, make_review_server
from cardscan.store import Database
from cardscan.store.schema import CorrectionRow
from tests.conftest import clean_env
from tests.databases import database_url
from tests.e2e.browser import add_card, launch, new_tab, require_browser
from tests.factories import contacts, tasks

require_browser()

pytestmark = [pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
IMAGES = ROOT / "samples" / "images"
TODAY = dt.date(2026, 11, 13)  # the sample card's first follow-up is due today
HOSTILE = "<script>alert(1)</script>"
CORRECTED_TITLE = "Chief Solar Officer"


def _run_cli(tmp: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    """``python -m cardscan`` as tests/conftest.py's ``cli`` runs it: a clean environment, the
    scan store and home under ``tmp``, recorded OCR."""
    env = clean_env(tmp, recorded=True)
    return subprocess.run([sys.executable, "-m", "cardscan", *map(str, args)],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)


def _add_card(db: Database, lines: list[str], *, met_on: dt.date) -> int:
    return add_card(db, lines, met_on=met_on)


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Database:
    """GIVEN a sample card ingested with the real CLI, a look-alike of it (another name on the
    same e-mail: ingestion does not merge it, a person should decide), and a contact whose
    company is a script tag."""
    tmp = tmp_path_factory.mktemp("review")
    url = database_url(tmp)
    done = _run_cli(tmp, "batch", IMAGES / "us-left-two-phones_front.png",
                    IMAGES / "us-left-two-phones_back.png", "--db", url, "--met", "2026-11-10",
                    "--workers", "1")
    assert done.returncode == 0, done.stderr
    db = Database(url, store=tmp / "store")
    [jordan] = contacts(db)
    assert jordan["name"] == "Jordan Ellis", jordan
    _add_card(db, ["Casey Brooks", "Bluebonnet Solar", jordan["emails"][0]],
              met_on=dt.date(2026, 11, 11))
    mallory = _add_card(db, ["Mallory Quinn", "Buyer", "Quinn Trading", "mallory@quinn.example"],
                        met_on=dt.date(2026, 11, 11))
    actions.correct(db, mallory, {"company": HOSTILE})
    return db


@pytest.fixture(scope="module")
def app_url(db: Database) -> Iterator[str]:
    server = make_review_server(db, host="127.0.0.1", port=0, today=lambda: TODAY)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.url
    server.shutdown()
    thread.join(timeout=5)


browser = pytest.fixture(scope="module")(launch)


@pytest.fixture
def page(browser: Any, app_url: str) -> Iterator[Any]:
    tab = new_tab(browser, app_url)
    yield tab
    tab.context.close()


def _contact(db: Database, name: str) -> dict[str, Any]:
    return next(c for c in contacts(db) if c["name"] == name)


def _task(db: Database, task_id: int) -> dict[str, Any]:
    return next(t for t in tasks(db, states=None) if t["id"] == task_id)


def _images_loaded(page: Any) -> list[int]:
    page.wait_for_function("[...document.images].every(i => i.complete)")
    return page.eval_on_selector_all("img.scan", "imgs => imgs.map(i => i.naturalWidth)")


@pytest.mark.backends
def test_correct_a_field_confirm_and_find_it_in_the_export(page: Any, db: Database) -> None:
    jordan = _contact(db, "Jordan Ellis")
    # WHEN the reviewer opens the queue and the sample card
    page.goto("/")
    assert page.inner_text("#count-unreviewed") == "3 unreviewed"
    assert page.inner_text("#count-total") == "3 total"
    page.click("a.card-link:text('Jordan Ellis')")
    page.wait_for_url(f"**/card/{jordan['id']}")
    # THEN both scans show, the fields are there, and the look-alike is suggested
    widths = _images_loaded(page)
    assert len(widths) == 2 and all(w > 0 for w in widths)
    assert page.input_value("#f-title") == jordan["title"]
    assert "same e-mail" in page.inner_text("#merge-notice")
    assert "Casey Brooks" in page.inner_text("#merge-notice")
    assert "Ctrl+Enter" in page.inner_text("#shortcuts")
    # WHEN they correct the title and confirm with Ctrl+Enter
    page.fill("#f-title", CORRECTED_TITLE)
    with page.expect_navigation():
        page.keyboard.press("Control+Enter")
    # THEN the next card opens, and the contact is reviewed with the machine's title kept
    assert f"Contact {jordan['id']} confirmed (corrected title)" in page.inner_text(".flashes")
    assert not page.url.endswith(f"/card/{jordan['id']}")
    # AND J (outside a field) skips to the next card unchanged
    shown = page.url
    with page.expect_navigation():
        page.keyboard.press("j")
    assert page.url != shown and re.search(r"/card/\d+$", page.url)
    stored = _contact(db, "Jordan Ellis")
    assert stored["reviewed"] is True and stored["title"] == CORRECTED_TITLE
    with db.transaction() as tx:
        kept = tx.session.scalars(select(CorrectionRow).where(
            CorrectionRow.contact_id == jordan["id"])).all()
        assert [(r.field, r.machine_value, r.value) for r in kept] == [
            ("title", jordan["title"], CORRECTED_TITLE)]
    page.goto("/")
    assert page.inner_text("#count-reviewed") == "1 reviewed"
    # WHEN they download the reviewed-only generic CSV and the Google CSV
    with page.expect_download() as generic:
        page.click("a.export[href='/export/generic.csv?reviewed_only=1']")
    rows = list(csv.DictReader(io.StringIO(Path(generic.value.path()).read_text("utf-8"))))
    assert [(r["name"], r["title"]) for r in rows] == [("Jordan Ellis", CORRECTED_TITLE)]
    with page.expect_download() as google:
        page.click("a.export[href='/export/google.csv']")
    rows = list(csv.DictReader(io.StringIO(Path(google.value.path()).read_text("utf-8"))))
    assert len(rows) == 3
    assert CORRECTED_TITLE in [r["Organization Title"] for r in rows]
    vcard = page.request.get("/export/contacts.vcf?reviewed_only=1")
    assert vcard.ok and f"TITLE:{CORRECTED_TITLE}" in vcard.text()
    assert page.dialogs == [] and page.errors == []


@pytest.mark.backends
def test_a_follow_up_done_in_the_browser_plans_the_next_touch(page: Any, db: Database) -> None:
    jordan = _contact(db, "Jordan Ellis")
    [task] = tasks(db, contact_id=jordan["id"])
    # WHEN the reviewer opens today's follow-ups
    page.goto("/followups")
    card = page.locator(f"#task-{task['id']}")
    draft = card.locator("pre.draft").inner_text()
    assert draft.startswith("Hi Jordan") and "solar financing" in draft
    assert "Due today" in page.inner_text("#tab-today")
    # THEN the draft copies to the clipboard
    card.locator("button.copy").click()
    page.wait_for_function("document.querySelector('button.copy').textContent === 'Copied'")
    assert page.evaluate("navigator.clipboard.readText()") == draft
    # WHEN they mark it done
    card.locator("input[name=outcome]").fill("sent the pricing deck")
    with page.expect_navigation():
        card.locator("button[value=done]").click()
    # THEN it is done and touch 2 is planned
    assert f"Task {task['id']} done. Next: touch 2 (call)" in page.inner_text(".flashes")
    done = _task(db, task["id"])
    assert (done["status"], done["closed_on"], done["outcome"]) == (
        "done", TODAY.isoformat(), "sent the pricing deck")
    [second] = tasks(db, contact_id=jordan["id"])
    assert (second["touch"], second["channel"], second["status"]) == (2, "call", "open")
    # WHEN they snooze another follow-up to a date
    other = tasks(db, due_by=TODAY)[0]
    page.goto("/followups?due=all")
    snooze = page.locator(f"#task-{other['id']} form.snooze-form")
    snooze.locator("input[name=until]").fill("2026-11-20")
    with page.expect_navigation():
        snooze.locator("button").click()
    assert (_task(db, other["id"])["status"], _task(db, other["id"])["due"]) == (
        "snoozed", "2026-11-20")
    assert page.dialogs == []


@pytest.mark.backends
def test_a_hostile_value_shows_as_text(page: Any, db: Database) -> None:
    mallory = _contact(db, "Mallory Quinn")
    assert mallory["company"] == HOSTILE
    for path in ("/", f"/card/{mallory['id']}", "/followups?due=all"):
        page.goto(path)
        assert HOSTILE in page.inner_text("body"), path
        scripts = page.eval_on_selector_all("script", "s => s.map(e => [e.src, e.text])")
        assert scripts == [[urljoin(page.url, "/static/review.js"), ""]], path  # ours only
    page.goto(f"/card/{mallory['id']}")
    assert page.input_value("#f-company") == HOSTILE
    assert all(w > 0 for w in _images_loaded(page))
    page.wait_for_timeout(200)  # a script that had slipped through would have run by now
    assert page.dialogs == [] and page.errors == []


@pytest.mark.backends
def test_posts_need_the_csrf_token_and_images_need_a_scan_id(page: Any, db: Database,
                                                            app_url: str) -> None:
    mallory = _contact(db, "Mallory Quinn")
    page.goto(f"/card/{mallory['id']}")
    token = page.get_attribute("meta[name=csrf-token]", "content")
    form = {"title": "pwned", "action": "confirm"}
    assert page.request.post(f"/card/{mallory['id']}", form=form).status == 403
    assert page.request.post(f"/card/{mallory['id']}",
                             form={**form, "csrf_token": "guess"}).status == 403
    [task] = tasks(db, contact_id=mallory["id"])
    assert page.request.post(f"/tasks/{task['id']}/done", form={}).status == 403
    unchanged = _contact(db, "Mallory Quinn")
    assert (unchanged["title"], unchanged["reviewed"]) == (mallory["title"], False)
    assert _task(db, task["id"])["status"] == "open"
    # the token in a header works (and proves the rejections above were about the token)
    ok = page.request.post(f"/card/{mallory['id']}", form={"action": "save"},
                           headers={"X-CSRF-Token": token}, max_redirects=0)
    assert ok.status == 302
    # images only by scan id, from the scan store
    assert page.request.get("/scan/9999").status == 404
    assert page.request.get("/scan/..%2F..%2Fetc%2Fpasswd").status == 404
    # another host name (DNS rebinding) gets nothing
    netloc = urlsplit(app_url).netloc
    connection = http.client.HTTPConnection(netloc, timeout=5)
    connection.request("GET", "/", headers={"Host": "evil.example"})
    assert connection.getresponse().status == 400
    connection.close()


def test_the_cli_starts_the_app_and_prints_its_address(tmp_path: Path) -> None:
    if _run_cli(tmp_path, "review", "--help").returncode != 0:
        pytest.skip("`cardscan review` is not wired into cardscan/cli.py yet")
    env = clean_env(tmp_path, recorded=True)
    url = f"sqlite:///{tmp_path / 'cards.db'}"
    process = subprocess.Popen([sys.executable, "-m", "cardscan", "review", "--db", url,
                                "--port", "0"], cwd=ROOT, env=env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        assert process.stdout is not None
        seen, found = "", None
        for line in process.stdout:  # ends if the command dies
            seen += line
            if found := re.search(r"http://127\.0\.0\.1:(\d+)/", line):
                break
        assert found, seen
        connection = http.client.HTTPConnection("127.0.0.1", int(found.group(1)), timeout=5)
        connection.request("GET", "/")
        assert connection.getresponse().status == 200
        connection.close()
    finally:
        process.terminate()
        process.wait(timeout=10)
