"""A batch on a Dask cluster: the same database as a local batch, and a worker killed mid-batch
loses nothing and doubles nothing. Real schedulers and workers: the `dask scheduler` and `dask
worker` commands once, a LocalCluster of worker processes otherwise."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from cardscan.config import resolve
from cardscan.model import Status
from cardscan.pipeline import Context, Job, ingest_many
from cardscan.store import Database
from tests.conftest import SAMPLES, Cli
from tests.databases import database_url
from tests.postgres import free_port

# Not in the PostgreSQL pass: what a cluster changes is who reads, not how cards are stored
# (the team test runs concurrent writers on both backends); 50 s saved there.
distributed = pytest.importorskip("distributed")

DASK = str(Path(sys.executable).with_name("dask"))



@pytest.fixture
def dask_commands(tmp_path: Path) -> Iterator[str]:
    """`dask scheduler` and `dask worker --nworkers 2 --nthreads 1` on localhost."""
    address = f"tcp://127.0.0.1:{free_port()}"
    env = {**os.environ, "DASK_DISTRIBUTED__WORKER__DAEMON": "False"}
    scheduler = subprocess.Popen([DASK, "scheduler", "--host", "127.0.0.1", "--port",
                                  address.rsplit(":", 1)[1], "--no-dashboard"], env=env,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    worker = subprocess.Popen([DASK, "worker", address, "--nworkers", "2", "--nthreads", "1",
                               "--no-dashboard", "--local-directory", str(tmp_path / "dask")],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        with distributed.Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=60)
        yield address
    finally:
        for process in (worker, scheduler):
            process.send_signal(signal.SIGINT)
        for process in (worker, scheduler):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def _content(cli: Cli, url: str) -> dict[str, Any]:
    """Contacts, tasks and scans of a database, without the clock's values."""
    def without_times(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: without_times(v) for k, v in value.items()
                    if k not in ("created_at", "updated_at")}
        if isinstance(value, list):
            return [without_times(v) for v in value]
        return value

    db = Database(url, store=Path("/nonexistent"), readonly=False)
    with db.engine.connect() as con:
        scans = [tuple(row) for row in con.execute(text(
            "SELECT sha256, part, side, card_id, raw_text, status FROM scans ORDER BY id"))]
    return {"contacts": without_times(json.loads(cli("contacts", "--json", "--db", url,
                                                     check=True).stdout)),
            "tasks": without_times(json.loads(cli("tasks", "--json", "--db", url,
                                                  check=True).stdout)),
            "scans": scans}


def test_a_cluster_batch_of_the_samples_equals_a_local_batch(
        cli: Cli, tmp_path: Path, dask_commands: str) -> None:
    local, cluster = database_url(tmp_path, "local"), database_url(tmp_path, "cluster")
    common = (SAMPLES, "--met", "2026-11-10", "--event", "Web Summit")
    cli("batch", *common, "--db", local, "--workers", "2", check=True)
    done = cli("batch", *common, "--db", cluster, "--cluster", dask_commands, check=True)
    assert "reading on the Dask cluster" in done.stderr and "2 worker thread(s)" in done.stderr
    first, second = _content(cli, local), _content(cli, cluster)
    assert len(first["scans"]) > 40 and len(first["contacts"]) > 20
    assert second == first
    again = cli("batch", *common, "--db", cluster, "--cluster", dask_commands, check=True)
    assert "0 created" in again.stderr  # idempotent, as a local batch
    assert _content(cli, cluster) == first


def _busy_worker(client: Any) -> str:
    """A worker in the middle of a card (waits for one, at most 10 s)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        busy = [w for w, keys in client.processing().items() if keys]
        if busy:
            return busy[0]
        time.sleep(0.01)
    raise AssertionError("no worker was reading a card")


def test_a_worker_killed_mid_batch_loses_and_doubles_nothing(tmp_path: Path) -> None:
    from cardscan.cluster import ClusterPool

    # The real engines: a card takes long enough (0.1-0.8 s) to be killed in the middle.
    fronts = sorted((SAMPLES / "images").glob("*_front.png"))[:12]
    settings = resolve(None, env={})
    ctx = Context(pipeline=settings, today=dt.date(2026, 11, 13), met=dt.date(2026, 11, 10))
    url = database_url(tmp_path)
    db = Database(url, store=tmp_path / "store")
    with (distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                   dashboard_address=None) as cluster,
          ClusterPool(cluster.scheduler_address, settings) as pool):
        killed: list[str] = []
        results = []
        for result in ingest_many([Job(f) for f in fronts], db, ctx, executor=pool):
            results.append(result)
            if not killed:
                victim = _busy_worker(pool.client)
                pid = pool.client.run(os.getpid, workers=[victim])[victim]
                os.kill(pid, signal.SIGKILL)  # mid-card: it holds calls not yet returned
                killed.append(victim)
        assert killed
        deadline = time.monotonic() + 30
        while len(pool.client.nthreads()) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)  # the nanny restarts it
    assert [r.status for r in results] == [Status.CREATED] * len(fronts)
    with db.engine.connect() as con:
        stored = con.execute(text("SELECT sha256, count(*) FROM scans GROUP BY sha256")).all()
    assert len(stored) == len(fronts) and all(n == 1 for _, n in stored)
    assert len(db.contacts()) == len(fronts)


def test_workers_get_their_heap_back_from_the_nanny(monkeypatch: pytest.MonkeyPatch) -> None:
    """A Dask nanny starts workers with MALLOC_TRIM_THRESHOLD_=65536 (every image mapped and
    unmapped afresh: a card 25 % slower, measured); cardscan's worker setup undoes it."""
    import cardscan.cluster
    from cardscan.cluster import ClusterPool, heap_for_images

    settings = resolve(None, env={})
    with (distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                   dashboard_address=None) as cluster,
          ClusterPool(cluster.scheduler_address, settings) as pool):
        ran = pool.client.run(lambda: (os.environ.get("MALLOC_TRIM_THRESHOLD_"),
                                       cardscan.cluster.heap_restored))
    assert list(ran.values()) == [("65536", True)]  # done as the worker joined
    monkeypatch.delenv("MALLOC_TRIM_THRESHOLD_", raising=False)
    assert heap_for_images() is False  # a process no nanny started is left as it is
