"""Schema versions: a database the previous release wrote is upgraded and keeps every scan,
contact, meeting and task; PostgreSQL waits for `cardscan db upgrade`; a database moved with its
scan store serves every image."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from pathlib import Path, PurePath
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from cardscan.errors import StorageError
from cardscan.review.app import create_app
from cardscan.store import SCHEMA_REVISION, Database, QueueQuery
from cardscan.store.migrate import script_head
from tests.conftest import SAMPLES
from tests.databases import database_url, on_postgres

PREVIOUS = Path(__file__).parent.parent / "data" / "previous-release"


def test_the_schema_revision_is_the_newest_migration() -> None:
    assert script_head() == SCHEMA_REVISION


def _previous_release(tmp_path: Path) -> tuple[str, Path]:
    """The previous release's database and its scan store: the originals are the sample
    images it read (found by checksum), the card views are kept beside the database."""
    db = tmp_path / "cards.db"
    shutil.copy(PREVIOUS / "cards.db", db)
    store = tmp_path / "store"
    shutil.copytree(PREVIOUS / "views", store / "views")
    by_sha = {hashlib.sha256(p.read_bytes()).hexdigest(): p
              for p in (SAMPLES / "images").iterdir()}
    with sqlite3.connect(db) as con:
        stored = [PurePath(p) for (p,) in con.execute("SELECT stored_path FROM scans")]
    for path in stored:
        assert path.is_absolute()  # as that release wrote them
        (store / path.parent.name).mkdir(parents=True, exist_ok=True)
        shutil.copy(by_sha[path.stem], store / path.parent.name / path.name)
    return f"sqlite:///{db}", store


def _same(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> None:
    """Every key the previous release printed has the same value now (keys may be added)."""
    assert len(new) == len(old)
    for before, after in zip(old, new, strict=True):
        assert {k: after.get(k) for k in before} == before


def test_a_database_of_the_previous_release_is_upgraded_with_everything_in_it(
        cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url, store = _previous_release(tmp_path)
    env = {"CARDSCAN_STORE": str(store)}
    check = cli("db", "check", "--db", url, extra_env=env)
    assert check.returncode == 5 and "before schema versions" in check.stderr

    # Opening it (any command) upgrades a SQLite file in place.
    contacts = json.loads(cli("contacts", "--json", "--db", url, check=True,
                              extra_env=env).stdout)
    _same(json.loads((PREVIOUS / "contacts.json").read_text(encoding="utf-8")), contacts)
    tasks = json.loads(cli("tasks", "--json", "--db", url, check=True, extra_env=env).stdout)
    _same(json.loads((PREVIOUS / "tasks.json").read_text(encoding="utf-8")), tasks)
    assert sum(len(c["meetings"]) for c in contacts) == 4
    check = cli("db", "check", "--db", url, check=True, extra_env=env)
    assert f"current (schema revision {SCHEMA_REVISION})" in check.stderr

    db = Database(url, store=store)
    with db.engine.connect() as con:
        scans = con.execute(text("SELECT id, sha256, stored_path, view_path FROM scans")).all()
        assert con.execute(text("SELECT count(*) FROM tasks WHERE state = 'done'")).scalar() == 1
    assert len(scans) == 7  # 4 fronts, 3 backs
    client = create_app(db).test_client()
    # The queue places and search texts of the old contacts were filled in by the upgrade.
    with db.transaction() as tx:
        for contact in contacts:
            for word in filter(None, [contact["name"], contact["company"], *contact["emails"]]):
                found = tx.queue_page(QueueQuery(search=word.split()[0], status="all"))
                assert contact["id"] in [i.id for i in found.items], (word, contact["name"])
        assert {i.id for i in tx.queue_page(QueueQuery(status="all")).items} == {
            c["id"] for c in contacts}
    for scan_id, sha256, stored_path, view_path in scans:
        assert not PurePath(stored_path).is_absolute() and view_path.startswith("views/")
        original = db.scans.file(stored_path, "scan")
        assert hashlib.sha256(original.read_bytes()).hexdigest() == sha256
        shown = client.get(f"/scan/{scan_id}")
        assert shown.status_code == 200 and shown.data == (store / view_path).read_bytes()


@pytest.mark.backends
def test_a_database_and_its_store_moved_elsewhere_serve_every_image(
        cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    first = tmp_path / "laptop"
    url = database_url(first) if on_postgres() else f"sqlite:///{first / 'cards.db'}"
    fronts = sorted((SAMPLES / "images").glob("*_front.png"))[:3]
    cli("batch", *fronts, fronts[0].with_name(fronts[0].name.replace("front", "back")),
        "--db", url, check=True, extra_env={"CARDSCAN_STORE": str(first / "scans")})
    moved = tmp_path / "shared" / "cardscan"
    moved.parent.mkdir()
    shutil.move(first, moved)
    if not on_postgres():
        url = f"sqlite:///{moved / 'cards.db'}"
    db = Database(url, store=moved / "scans")
    with db.engine.connect() as con:
        ids = con.execute(text("SELECT id FROM scans")).scalars().all()
    assert len(ids) == 4
    client = create_app(db).test_client()
    for scan_id in ids:
        shown = client.get(f"/scan/{scan_id}")
        assert shown.status_code == 200 and shown.data[:3] == b"\xff\xd8\xff"  # the JPEG view


@pytest.mark.skipif(not on_postgres(), reason="PostgreSQL only (CARDSCAN_TEST_DB)")
@pytest.mark.backends
def test_postgresql_waits_for_db_upgrade(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A shared database is never changed behind the team's back: an older one is refused
    with the command to run, `cardscan db upgrade` moves it."""
    from alembic import command
    from alembic.config import Config

    url = database_url(tmp_path)
    engine = create_engine(url)
    config = Config()
    config.set_main_option("script_location", "cardscan.store:migrations")
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        connection.execute(text(
            "INSERT INTO contacts (name, confidence, reviewed, created_at) "
            "VALUES ('Dana Lee', '{}', false, now())"))
    engine.dispose()
    with pytest.raises(StorageError, match="run `cardscan db upgrade"):
        Database(url, store=tmp_path / "store")
    refused = cli("contacts", "--db", url)
    assert refused.returncode == 5 and "cardscan db upgrade" in refused.stderr
    assert cli("db", "check", "--db", url).returncode == 5
    done = cli("db", "upgrade", "--db", url, check=True)
    assert f"revision 0001 -> schema revision {SCHEMA_REVISION}" in done.stderr
    [dana] = json.loads(cli("contacts", "--json", "--db", url, check=True).stdout)
    assert dana["name"] == "Dana Lee"
    assert cli("db", "check", "--db", url).returncode == 0
