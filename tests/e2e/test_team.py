"""A team on one database: two batches, a watcher and the review page writing at the same
moment lose nothing and double nothing (on SQLite and, with CARDSCAN_TEST_DB, PostgreSQL)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import text

from cardscan.review import actions
from cardscan.store import Database
from tests.conftest import ROOT, SAMPLES, clean_env
from tests.databases import database_url

pytestmark = pytest.mark.backends

# Eight people, one card each (fronts only: each file one contact).
FRONTS = sorted((SAMPLES / "images").glob("*_front.png"))[:8]


def _start(tmp_path: Path, *args: str | Path) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "cardscan", *map(str, args)], cwd=ROOT,
                            text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=clean_env(tmp_path, recorded=True))


def test_two_batches_a_watcher_and_the_review_page_at_once(tmp_path: Path) -> None:
    url = database_url(tmp_path)
    folders = {"a": FRONTS[:6], "b": FRONTS[2:], "inbox": FRONTS[4:]}  # overlapping
    for name, files in folders.items():
        (tmp_path / name).mkdir()
        for f in files:
            shutil.copy(f, tmp_path / name / f.name)
    db = Database(url, store=tmp_path / "store")  # made before, as a team's would be

    corrected: set[int] = set()
    writers_done = threading.Event()

    def reviewer() -> None:
        """A person confirming each card as it appears, while the others write."""
        while not writers_done.is_set() or len(corrected) < len(db.contacts()):
            for contact in db.contacts():
                if contact.id not in corrected:
                    actions.correct(db, contact.id, {"title": f"Checked {contact.id}"},
                                    confirm=True)
                    corrected.add(contact.id)
            writers_done.wait(0.05)

    review = threading.Thread(target=reviewer)
    review.start()
    common = ("--db", url, "--met", "2026-11-10", "--workers", "1")
    running = [_start(tmp_path, "batch", tmp_path / "a", *common),
               _start(tmp_path, "batch", tmp_path / "b", *common),
               _start(tmp_path, "watch", tmp_path / "inbox", "--once", "--settle", "0",
                      "--back-wait", "0", *common[:4])]
    outputs = [p.communicate(timeout=300) for p in running]
    writers_done.set()
    review.join(60)
    for p, (_, err) in zip(running, outputs, strict=True):
        assert p.returncode == 0, err
        assert not re.search(r"^(failed|not stored|error|warning)", err, re.MULTILINE), err

    with db.engine.connect() as con:
        scans = con.execute(text("SELECT sha256, count(*) FROM scans GROUP BY sha256")).all()
        assert len(scans) == 8 and all(n == 1 for _, n in scans)  # each file stored once
        assert con.execute(text("SELECT count(*) FROM cards")).scalar() == 8
        assert con.execute(text("SELECT count(*) FROM notes")).scalar() == 8
        tasks = con.execute(text("SELECT contact_id, count(*) FROM tasks "
                                 "WHERE state = 'open' GROUP BY contact_id")).all()
    contacts = db.contacts()
    assert len(contacts) == 8 and len({c.name for c in contacts}) == 8
    assert len(tasks) == 8 and all(n == 1 for _, n in tasks)  # one first touch each
    assert corrected == {c.id for c in contacts}  # every review write stood
    assert all(c.reviewed and c.fields.title == f"Checked {c.id}" for c in contacts)
    assert sorted(p.name for p in (tmp_path / "processed").iterdir()) == \
        sorted(f.name for f in folders["inbox"])
    assert not (tmp_path / "failed").exists() or not any((tmp_path / "failed").iterdir())
