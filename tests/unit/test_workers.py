"""Worker processes: a worker that dies fails only its own file, a worker over its memory cap
fails alone, and workers do not outlive a killed batch."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cardscan.workers import WorkerDied, WorkerPool


def _read_or_die(name: str) -> str:
    """A stand-in for reading a file: the 'poison' one kills its worker outright, as the
    kernel's OOM killer or a crash in a native library would."""
    if name == "poison":
        os.kill(os.getpid(), signal.SIGKILL)
    time.sleep(0.05)
    return name.upper()


def _allocate(megabytes: int) -> int:
    return len(bytearray(megabytes * 1024 * 1024))


def test_a_worker_that_dies_fails_only_its_own_work() -> None:
    names = ["a", "b", "poison", "c", "d", "e", "f"]
    with WorkerPool(2) as pool:
        works = [pool.submit(_read_or_die, n) for n in names]
        results = []
        for work in works:
            try:
                results.append(work.result())
            except WorkerDied as e:
                results.append(str(e))
        assert pool.submit(_read_or_die, "after").result() == "AFTER"  # the new pool serves
    assert results[:2] + results[3:] == ["A", "B", "C", "D", "E", "F"]
    assert results[2].startswith("the worker process reading it died")


def _read_and_count(name: str, folder: str) -> str:
    """Reads ``name`` and leaves a mark for each time it was read."""
    Path(folder, f"{name}-{time.monotonic_ns()}").touch()
    return _read_or_die(name)


def test_work_done_before_a_worker_died_is_not_read_again(tmp_path: Path) -> None:
    """A batch keeps read files waiting for their turn to be stored: one that was read when a
    worker died keeps its value (reading it again alone cost a whole card each)."""
    with WorkerPool(2) as pool:
        read = [pool.submit(_read_and_count, n, str(tmp_path)) for n in ("a", "b")]
        while not all(w.future.done() for w in read):
            time.sleep(0.01)
        poison = pool.submit(_read_and_count, "poison", str(tmp_path))
        with pytest.raises(WorkerDied):
            poison.result()
        assert [w.result() for w in read] == ["A", "B"]
    assert sorted(p.name.split("-")[0] for p in tmp_path.iterdir()) == [
        "a", "b", "poison", "poison"]  # the poison read again alone, nothing else


def _address_space_mb() -> int:
    status = Path("/proc/self/status").read_text(encoding="utf-8")
    return int(next(ln for ln in status.splitlines() if ln.startswith("VmSize")).split()[1]) // 1024


def test_a_worker_over_its_memory_cap_fails_alone() -> None:
    # A worker starts with what it inherits (this test process has loaded a great deal).
    cap = _address_space_mb() + 512
    with WorkerPool(1, memory_mb=cap) as pool:
        with pytest.raises(MemoryError):
            pool.submit(_allocate, 2048).result()
        assert pool.submit(_allocate, 64).result() == 64 * 1024 * 1024


def test_workers_do_not_outlive_a_killed_batch() -> None:
    script = ("import time, os\n"
              "from cardscan.workers import WorkerPool\n"
              "pool = WorkerPool(2)\n"
              "works = [pool.submit(time.sleep, 60) for _ in range(2)]\n"
              "time.sleep(1.5)\n"
              "print(' '.join(str(p) for p in pool._pool._processes), flush=True)\n"
              "time.sleep(60)\n")
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    workers = [int(p) for p in parent.stdout.readline().split()]
    assert len(workers) == 2 and all(_alive(p) for p in workers)
    parent.kill()  # SIGKILL to the batch alone, not to its process group
    parent.wait(timeout=10)
    deadline = time.monotonic() + 10
    while any(_alive(p) for p in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(p) for p in workers)


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8")
        return stat.split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False
