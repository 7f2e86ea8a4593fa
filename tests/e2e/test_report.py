"""The networking advice through the real CLI and the review page: an event recorded before its
cards gets follow-up time in the calendar export, LinkedIn and handwritten drafts on demand,
the event sheet as a PDF, and the 48-hour report, the same in the browser (headless Chromium)
and in ``cardscan report --json``."""

from __future__ import annotations

import datetime as dt
import json
import threading
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
from icalendar import Calendar

from cardscan.review import make_review_server
from cardscan.store import Database
from tests.conftest import Cli
from tests.databases import database_url
from tests.e2e.browser import add_card, launch, new_tab, require_browser, screenshot
from tests.factories import known_followups, tasks

require_browser()

pytestmark = [pytest.mark.slow]

THURSDAY = dt.date(2026, 11, 12)
browser = pytest.fixture(scope="module")(launch)


def test_the_dashboard_and_the_report_agree(browser: Any, tmp_path: Path, cli: Cli) -> None:
    url = database_url(tmp_path)
    db = Database(url, store=tmp_path / "store")
    known_followups(db)
    report = json.loads(cli("report", "--json", "--db", url, check=True).stdout)
    summit = next(r for r in report if r["event"] == "Web Summit")
    assert (summit["cards"], summit["first_touch_done"], summit["within_48h"],
            summit["share_48h"], summit["replied"]) == (4, 3, 2, 0.5, 1)
    server = make_review_server(db, port=0, today=lambda: dt.date(2026, 11, 20))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        tab = new_tab(browser, server.url)
        tab.goto("/")
        with tab.expect_navigation():
            tab.click("#nav-report")
        row = tab.locator("article.event-row[data-event='Web Summit']")
        assert row.locator(".share").inner_text() == "50%"
        assert row.locator(".share").get_attribute("data-within") == str(summit["within_48h"])
        assert row.locator(".share").get_attribute("data-cards") == str(summit["cards"])
        meta = row.locator(".meta").inner_text()
        assert f"{summit['cards']} cards" in meta and f"{summit['replied']} replied" in meta
        ces = tab.locator("article.event-row[data-event='CES'] .share").inner_text()
        assert ces == "0%"
        assert tab.locator("svg.bars").count() == 2
        screenshot(tab, "desktop-report")
        assert tab.errors == [] and tab.dialogs == []
        tab.context.close()
    finally:
        server.shutdown()
        thread.join(timeout=5)


def test_event_calendar_drafts_sheet_and_labels_from_the_cli(tmp_path: Path, cli: Cli) -> None:
    url = database_url(tmp_path)
    # WHEN an event is recorded before any card (Thu 12 - Fri 13 November)
    said = cli("event", "add", "Web Summit", "--on", "2026-11-12", "--until", "2026-11-13",
               "--db", url, check=True)
    assert "Tue 2026-11-17" in said.stderr + said.stdout
    ics = tmp_path / "followups.ics"
    cli("export", "ics", "--db", url, "-o", ics, check=True)
    blocks = [e for e in Calendar.from_ical(ics.read_bytes()).walk("VEVENT")
              if str(e["summary"]) == "Follow up: Web Summit"]
    # THEN the calendar holds follow-up time after it, off the weekend and the Monday
    assert [b["dtstart"].dt.date() for b in blocks] == [dt.date(2026, 11, 17)]
    assert (blocks[0]["dtend"].dt - blocks[0]["dtstart"].dt) == dt.timedelta(minutes=15)
    listed = json.loads(cli("event", "list", "--json", "--db", url, check=True).stdout)
    assert [(e["name"], e["cards"]) for e in listed] == [("Web Summit", 0)]
    # WHEN a card from that event is stored, THEN the block names it
    db = Database(url, store=tmp_path / "store")
    add_card(db, ["Dana Lee", "Head of Sales", "Acme Corp", "dana@acme.example",
                  "linkedin.com/in/danalee"], met_on=THURSDAY, event="Web Summit")
    cli("export", "ics", "--db", url, "-o", ics, check=True)
    [block] = [e for e in Calendar.from_ical(ics.read_bytes()).walk("VEVENT")
               if str(e["summary"]) == "Follow up: Web Summit"]
    assert "Dana Lee (Acme Corp): email" in str(block["description"])
    assert int(block["sequence"]) == 1
    # AND a LinkedIn note for that follow-up, on demand, within 300 characters
    [task] = tasks(db)
    note = cli("draft", str(task["id"]), "--channel", "linkedin", "--db", url,
               check=True).stdout.strip()
    assert "Web Summit" in note and len(note) <= 300
    # AND the event's cards on paper
    pdf_path = tmp_path / "summit.pdf"
    cli("export", "sheet", "--event", "web summit", "-o", pdf_path, "--db", url, check=True)
    assert len(pdfium.PdfDocument(pdf_path)) == 1
    missing = cli("export", "sheet", "--event", "Nowhere", "-o", tmp_path / "x.pdf",
                  "--db", url)
    assert missing.returncode != 0 and "no cards met at 'Nowhere'" in missing.stderr
    assert not (tmp_path / "x.pdf").exists()
    # AND the labels CSV is there (no handwritten-note touch yet: a header only)
    labels = cli("export", "labels", "--db", url, check=True).stdout
    assert labels.splitlines() == [
        "Name,Company,Street,City,Region,Postal Code,Country,Address,Message,Due,Task"]
