"""Dependable intake with real files and real processes: the watched folder, a batch killed
with SIGKILL and run again, and one contact per person."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tests.conftest import SAMPLES, clean_env

IMAGES = SAMPLES / "images"
# Twelve different people (clean scans of different cards).
FRONTS = sorted(p for p in IMAGES.glob("*_front.png"))[:12]


def _env(tmp_path: Path) -> dict[str, str]:
    return clean_env(tmp_path, recorded=True)


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.endswith(".txt"))


def test_two_hundred_files_into_a_running_watcher(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    (inbox / "CES 2027").mkdir(parents=True)
    db = tmp_path / "cards.db"
    watcher = subprocess.Popen(
        [sys.executable, "-m", "cardscan", "watch", inbox, "--db", f"sqlite:///{db}",
         "--settle", "0.5", "--back-wait", "1"],
        env=_env(tmp_path), stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(1.5)  # let it start watching
        written: list[str] = []
        # 12 cards, written slowly in chunks (slower than the settle time between chunks).
        for n, front in enumerate(FRONTS):
            target = inbox / ("CES 2027" if n % 2 else ".") / f"card{n:03d}.png"
            data = front.read_bytes()
            with target.open("wb") as f:
                for start in range(0, len(data), len(data) // 3 + 1):
                    f.write(data[start:start + len(data) // 3 + 1])
                    f.flush()
                    time.sleep(0.2 if n < 4 else 0)
            written.append(target.name)
        # 178 copies of the same cards under other names (duplicates), a few via a .part
        # file renamed when complete, as browsers and sync tools do.
        for n in range(178):
            data = FRONTS[n % len(FRONTS)].read_bytes()
            name = f"copy{n:03d}.png"
            if n % 20 == 0:
                part = inbox / (name + ".part")
                part.write_bytes(data)
                part.rename(inbox / name)
            else:
                (inbox / name).write_bytes(data)
            written.append(name)
        # 10 bad files: truncated images, text named .jpg, an empty file.
        for n in range(10):
            bad = inbox / f"bad{n}.jpg"
            bad.write_bytes(FRONTS[0].read_bytes()[:500] if n % 3 else b"not an image" * n)
            written.append(bad.name)
        (inbox / "~$lock.tmp").write_bytes(b"junk")  # ignored, left alone
        assert len(written) == 200

        deadline = time.monotonic() + 300
        while _files(inbox) != [inbox / "~$lock.tmp"] and time.monotonic() < deadline:
            time.sleep(0.5)
    finally:
        watcher.send_signal(signal.SIGTERM)
        _, log = watcher.communicate(timeout=60)
    assert watcher.returncode == 0, log
    assert _files(inbox) == [inbox / "~$lock.tmp"], log

    ended = {name: _files(tmp_path / name) for name in ("processed", "failed", "duplicates")}
    names = sorted(p.name for files in ended.values() for p in files)
    assert names == sorted(written), "every file ends in exactly one place; none lost"
    assert len(ended["failed"]) == 10
    for bad in ended["failed"]:
        reason = bad.with_name(bad.name + ".error.txt").read_text()
        assert bad.name in reason and ("truncated" in reason or "not an image" in reason
                                       or "empty" in reason), reason
    assert len(ended["processed"]) == 12 and len(ended["duplicates"]) == 178
    with sqlite3.connect(db) as con:
        hashes = [row[0] for row in con.execute("SELECT sha256 FROM scans")]
        contacts = con.execute("SELECT count(*) FROM contacts").fetchone()[0]
        events = {row[0] for row in con.execute("SELECT event FROM notes")}
    assert len(hashes) == len(set(hashes)) == 12, "nothing stored twice"
    assert contacts == 12
    assert "CES 2027" in events  # the sub-folder's name tags the meeting


def _snapshot(db: Path) -> dict[str, Any]:
    """The database's content without ids and clock times."""
    with sqlite3.connect(db) as con:
        scans = sorted(con.execute("SELECT sha256, part, side, raw_text FROM scans"))
        notes = sorted(con.execute("SELECT met_on, event, topics, actions, priority FROM notes"))
        tasks = sorted(con.execute("SELECT touch, channel, due_on, state, draft FROM tasks"))
        contacts = sorted(con.execute(
            "SELECT name, title, company, website, address, alternatives FROM contacts"))
        phones = sorted(con.execute("SELECT number, type FROM phones"))
    return {"scans": scans, "notes": notes, "tasks": tasks, "contacts": contacts,
            "phones": phones}


def test_a_batch_killed_with_sigkill_resumes_to_the_same_database(tmp_path: Path) -> None:
    files = [*FRONTS[:8], IMAGES / "accented-name-fr_back.png",
             IMAGES / "uk-centered-intl_photo.jpg", IMAGES / "two-cards.pdf"]
    folder = tmp_path / "show"
    folder.mkdir()
    for f in files:
        (folder / f.name).write_bytes(f.read_bytes())

    def batch(db: Path, **kw: Any) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-m", "cardscan", "batch", folder, "--db", f"sqlite:///{db}",
             "--met", "2026-11-10", "--workers", "2"],
            env=_env(tmp_path), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
            **kw)

    # The killed run's stderr is never read: little is written before the kill.

    clean = tmp_path / "clean.db"
    first = batch(clean)
    _, log = first.communicate(timeout=300)
    assert first.returncode == 0, log
    killed = tmp_path / "killed.db"
    run = batch(killed, start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # kill it once some, not all, cards are stored
        try:
            with sqlite3.connect(killed, timeout=5) as con:
                if con.execute("SELECT count(*) FROM cards").fetchone()[0] >= 2:
                    break
        except sqlite3.OperationalError:
            pass
        time.sleep(0.05)
    os.killpg(run.pid, signal.SIGKILL)  # the batch and its workers and Tesseracts
    run.wait(timeout=30)
    stored = _snapshot(killed)
    assert 0 < len(stored["scans"]) < len(_snapshot(clean)["scans"]), "killed mid-batch"
    again = batch(killed)
    _, log = again.communicate(timeout=300)
    assert again.returncode == 0, log
    assert "duplicate" in log
    assert _snapshot(killed) == _snapshot(clean)


def test_the_same_card_at_two_events_is_one_contact_with_two_meetings(cli, tmp_path: Path  # type: ignore[no-untyped-def]
                                                                     ) -> None:
    db = f"sqlite:///{tmp_path / 'cards.db'}"
    first = cli("batch", IMAGES / "uk-centered-intl_front.png", "--db", db, "--event",
                "Web Summit", "--met", "2026-11-10", check=True)
    assert "1 created" in first.stderr
    second = cli("batch", IMAGES / "uk-centered-intl_photo.jpg", "--db", db, "--event",
                 "CES 2027", "--met", "2027-01-07", check=True)
    assert "0 created" in second.stderr and "1 merged" in second.stderr
    [contact] = json.loads(cli("contacts", "--db", db, "--json", check=True).stdout)
    assert [(m["met_on"], m["event"]) for m in contact["meetings"]] == [
        ("2026-11-10", "Web Summit"), ("2027-01-07", "CES 2027")]
    assert contact["event"] == "CES 2027"
    [task] = json.loads(cli("tasks", "--db", db, "--json", check=True).stdout)
    assert (task["touch"], task["event"], task["due"]) == (1, "CES 2027", "2027-01-08")
    assert "CES 2027" in task["draft"]
    with sqlite3.connect(tmp_path / "cards.db") as con:
        cards = con.execute("SELECT count(*) FROM cards").fetchone()[0]
        old = con.execute("SELECT state FROM tasks WHERE id != ?", (task["id"],)).fetchall()
    assert cards == 2 and old == [("stopped",)]


def test_polling_mode_and_ctrl_c(tmp_path: Path) -> None:
    """--polling (network shares send no file events) reads new files; SIGINT exits 0."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    watcher = subprocess.Popen(
        [sys.executable, "-m", "cardscan", "watch", inbox, "--polling", "--settle", "0.3",
         "--db", f"sqlite:///{tmp_path / 'cards.db'}"],
        env=_env(tmp_path), stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(1.5)
        (inbox / "a.png").write_bytes(FRONTS[0].read_bytes())
        (inbox / "b.png").write_bytes(FRONTS[0].read_bytes())
        (inbox / "c.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
        deadline = time.monotonic() + 60
        while _files(inbox) and time.monotonic() < deadline:
            time.sleep(0.3)
    finally:
        watcher.send_signal(signal.SIGINT)
        _, log = watcher.communicate(timeout=60)
    assert watcher.returncode == 0, log
    assert _files(inbox) == []
    assert [p.name for p in _files(tmp_path / "failed")] == ["c.jpg"]
    assert len(_files(tmp_path / "processed")) == 1 and len(_files(tmp_path / "duplicates")) == 1
