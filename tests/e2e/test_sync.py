"""`cardscan sync` against a real DAV server: Radicale (PyPI) on 127.0.0.1 with a temporary
folder and an htpasswd user, an address book and a calendar."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from icalendar import Calendar

from tests.conftest import SAMPLES, Cli
from tests.databases import database_url
from tests.postgres import free_port

pytestmark = pytest.mark.backends

USER, PASSWORD = "alice", "s3cret"
FRONTS = sorted((SAMPLES / "images").glob("*_front.png"))[:3]



@pytest.fixture
def radicale(tmp_path: Path) -> Iterator[str]:
    """A Radicale server with alice's address book and calendar; yields the server's URL."""
    pytest.importorskip("radicale")
    root = tmp_path / "radicale"
    for name, props in (("contacts", '{"tag": "VADDRESSBOOK"}'),
                        ("calendar", '{"tag": "VCALENDAR", '
                                     '"C:supported-calendar-component-set": "VEVENT,VTODO"}')):
        folder = root / "collection-root" / USER / name
        folder.mkdir(parents=True)
        (folder / ".Radicale.props").write_text(props, encoding="utf-8")
    users = tmp_path / "users"
    users.write_text(f"{USER}:{PASSWORD}\n", encoding="utf-8")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "radicale", "--config", "", "--server-hosts", f"127.0.0.1:{port}",
         "--storage-filesystem-folder", str(root), "--auth-type", "htpasswd",
         "--auth-htpasswd-filename", str(users), "--auth-htpasswd-encryption", "plain",
         "--rights-type", "owner_only", "--logging-level", "warning"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=1)
            break
        except requests.ConnectionError:
            time.sleep(0.1)
    try:
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def _env(password: str = PASSWORD) -> dict[str, str]:
    return {"CARDSCAN_DAV_USER": USER, "CARDSCAN_DAV_PASSWORD": password}


def _items(url: str, suffix: str) -> dict[str, str]:
    """href -> body of every item in a collection (as another client would see them)."""
    response = requests.request("PROPFIND", url, auth=(USER, PASSWORD),
                                headers={"Depth": "1"}, timeout=10)
    found = {}
    for href in re.findall(r"<(?:\w+:)?href>([^<]+)</(?:\w+:)?href>", response.text):
        if href.endswith(suffix):
            item = requests.get(url.split("/alice/")[0] + href, auth=(USER, PASSWORD), timeout=10)
            found[href] = item.text
    return found


def test_contacts_sync_creates_updates_and_never_overwrites_a_server_change(
        cli: Cli, tmp_path: Path, radicale: str) -> None:
    book = f"{radicale}/{USER}/contacts/"
    db = database_url(tmp_path)
    cli("batch", *FRONTS, "--db", db, "--met", "2026-11-10", check=True)
    dry = cli("sync", "contacts", book, "--dry-run", "--db", db, extra_env=_env(), check=True)
    assert "3 created" in dry.stderr and _items(book, ".vcf") == {}
    first = cli("sync", "contacts", book, "--db", db, extra_env=_env(), check=True)
    assert "3 created, 0 updated, 0 unchanged" in first.stderr
    cards = _items(book, ".vcf")
    assert len(cards) == 3 and all("BEGIN:VCARD" in c for c in cards.values())
    again = cli("sync", "contacts", book, "--db", db, extra_env=_env(), check=True)
    assert "0 created, 0 updated, 3 unchanged" in again.stderr  # nothing sent

    contacts = json.loads(cli("contacts", "--json", "--db", db, check=True).stdout)
    from cardscan.review import actions
    from cardscan.review.app import create_app
    from cardscan.store import Database

    store = Database(db, store=tmp_path / "store")
    actions.correct(store, contacts[0]["id"], {"title": "Chief Synchronisation Officer"})
    # Meanwhile someone edits the second contact on the server (another device).
    [(href, body)] = [(h, b) for h, b in cards.items() if contacts[1]["name"] in b]
    edited = body.replace("END:VCARD", "NOTE:edited on the phone\r\nEND:VCARD")
    requests.put(radicale + href, data=edited.encode(), auth=(USER, PASSWORD),
                 headers={"Content-Type": "text/vcard"}, timeout=10).raise_for_status()
    actions.correct(store, contacts[1]["id"], {"title": "Changed in cardscan"})

    third = cli("sync", "contacts", book, "--db", db, extra_env=_env(), check=True)
    assert "0 created, 1 updated, 1 unchanged, 1 conflict(s)" in third.stderr
    assert f"conflict: {contacts[1]['name']}" in third.stderr
    now = _items(book, ".vcf")
    assert any("Chief Synchronisation Officer" in b for b in now.values())
    assert now[href] == requests.get(radicale + href, auth=(USER, PASSWORD), timeout=10).text
    assert "edited on the phone" in now[href] and "Changed in cardscan" not in now[href]
    with store.transaction() as tx:  # both versions kept: the server's beside cardscan's
        [server_version] = tx.sync_conflicts(contacts[1]["id"])
        assert "edited on the phone" in server_version
        assert tx.contact(contacts[1]["id"]).fields.title == "Changed in cardscan"
    page = create_app(store).test_client().get(f"/card/{contacts[1]['id']}").data.decode()
    assert "another version of this contact" in page and "edited on the phone" in page
    again = cli("sync", "contacts", book, "--db", db, extra_env=_env(), check=True)
    assert "1 conflict(s)" in again.stderr  # reported until a person decides
    ours = cli("sync", "contacts", book, "--keep-ours", "--db", db, extra_env=_env(),
               check=True)
    assert "1 updated" in ours.stderr and "0 conflict(s)" in ours.stderr
    assert "Changed in cardscan" in requests.get(radicale + href, auth=(USER, PASSWORD),
                                                 timeout=10).text
    with store.transaction() as tx:
        assert tx.sync_conflicts(contacts[1]["id"]) == []


def test_followups_sync_and_a_task_completed_in_the_calendar_comes_back_done(
        cli: Cli, tmp_path: Path, radicale: str) -> None:
    calendar = f"{radicale}/{USER}/calendar/"
    db = database_url(tmp_path)
    cli("batch", FRONTS[0], "--db", db, "--met", "2026-11-10", check=True)
    [task] = json.loads(cli("tasks", "--json", "--db", db, check=True).stdout)
    first = cli("sync", "followups", calendar, "--db", db, extra_env=_env(), check=True)
    assert "1 created" in first.stderr
    [(href, body)] = _items(calendar, ".ics").items()
    assert "BEGIN:VTODO" in body and "STATUS:NEEDS-ACTION" in body
    again = cli("sync", "followups", calendar, "--db", db, extra_env=_env(), check=True)
    assert "0 created, 0 updated, 1 unchanged" in again.stderr

    # Completed in the calendar app.
    done = body.replace("STATUS:NEEDS-ACTION", "STATUS:COMPLETED\r\nCOMPLETED:20261112T100000Z")
    requests.put(radicale + href, data=done.encode(), auth=(USER, PASSWORD),
                 headers={"Content-Type": "text/calendar"}, timeout=10).raise_for_status()
    third = cli("sync", "followups", calendar, "--db", db, extra_env=_env(), check=True)
    assert f"done in the calendar: task {task['id']}" in third.stderr
    [call] = json.loads(cli("tasks", "--json", "--db", db, check=True).stdout)
    assert (call["touch"], call["channel"], call["due"]) == (2, "call", "2026-11-19")
    todos = {}
    for text in _items(calendar, ".ics").values():
        for todo in Calendar.from_ical(text).walk("VTODO"):
            todos[str(todo["uid"])] = str(todo["status"])
    assert sorted(todos.values()) == ["COMPLETED", "NEEDS-ACTION"]  # touch 2 pushed too


def test_a_wrong_password_or_a_server_down_is_one_line_and_changes_nothing(
        cli: Cli, tmp_path: Path, radicale: str) -> None:
    book = f"{radicale}/{USER}/contacts/"
    db = database_url(tmp_path)
    cli("batch", FRONTS[0], "--db", db, check=True)
    wrong = cli("sync", "contacts", book, "--db", db, extra_env=_env("nope"))
    assert wrong.returncode == 2 and len(wrong.stderr.strip().splitlines()) == 1
    assert "wrong user or password (401)" in wrong.stderr
    down = cli("sync", "contacts", f"http://127.0.0.1:{free_port()}/x/", "--db", db,
               extra_env=_env())
    assert down.returncode == 5 and "cannot reach" in down.stderr
    assert len(down.stderr.strip().splitlines()) == 1
    assert _items(book, ".vcf") == {}
    ok = cli("sync", "contacts", book, "--db", db, extra_env=_env(), check=True)
    assert "1 created" in ok.stderr  # nothing was recorded by the failed runs


def test_sync_now_on_the_review_page(cli: Cli, tmp_path: Path, radicale: str,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from dataclasses import replace

    from cardscan.config import Pipeline, Sync
    from cardscan.review.app import CSRF_FIELD, create_app
    from cardscan.store import Database

    book = f"{radicale}/{USER}/contacts/"
    db = database_url(tmp_path)
    cli("batch", *FRONTS[:2], "--db", db, check=True)
    for name, value in _env().items():
        monkeypatch.setenv(name, value)
    plain = create_app(Database(db, store=tmp_path / "store")).test_client()
    assert b"Sync now" not in plain.get("/").data  # no target configured: no button
    app = create_app(Database(db, store=tmp_path / "store"),
                     replace(Pipeline(), sync=replace(Sync(), contacts=book)))
    client = app.test_client()
    page = client.get("/").data.decode()
    assert "Sync now" in page and book in page
    done = client.post("/sync", data={CSRF_FIELD: app.config["CARDSCAN_CSRF"]},
                       follow_redirects=True)
    assert "Synced. contacts: 2 created" in done.data.decode()
    assert len(_items(book, ".vcf")) == 2
