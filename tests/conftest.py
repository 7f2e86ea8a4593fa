"""Shared fixtures: the repository's samples, and the real CLI run as a subprocess, reading
with recorded OCR (``cli``) or with the real engines (``real_cli``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from tests.recorded import ocr_env

# Property tests (tests/unit/test_fuzz.py): a few hundred examples each in every run, tens of
# thousands with `make fuzz` (pytest --hypothesis-profile=fuzz).
settings.register_profile("ci", max_examples=300, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("fuzz", max_examples=20_000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ci")

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"

Cli = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture(scope="session")
def sample_labels() -> dict[str, Any]:
    return json.loads((SAMPLES / "labels.json").read_text(encoding="utf-8"))


def clean_env(tmp_path: Path, *, recorded: bool) -> dict[str, str]:
    """A clean environment: no CARDSCAN_* of the caller's, the scan store and home under
    ``tmp_path`` (never the real user data directory), recorded OCR unless told otherwise."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CARDSCAN_")}
    env["CARDSCAN_STORE"] = str(tmp_path / "store")
    env["HOME"] = str(tmp_path / "home")
    env["XDG_DATA_HOME"] = str(tmp_path / "home" / "data")
    env["XDG_STATE_HOME"] = str(tmp_path / "home" / "state")
    return {**env, **(ocr_env() if recorded else {})}


def _runner(tmp_path: Path, *, recorded: bool) -> Cli:
    env = clean_env(tmp_path, recorded=recorded)

    def run(*args: str | Path, check: bool = False, extra_env: dict[str, str] | None = None,
            stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([sys.executable, "-m", "cardscan", *map(str, args)],
                              capture_output=True, text=True, env={**env, **(extra_env or {})},
                              cwd=ROOT, timeout=600, input=stdin)
        if check and done.returncode != 0:
            raise AssertionError(f"cardscan {args} exited {done.returncode}:\n{done.stderr}")
        return done

    return run


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    """``python -m cardscan ARGS`` reading with recorded OCR; returns CompletedProcess."""
    return _runner(tmp_path, recorded=True)


@pytest.fixture
def real_cli(tmp_path: Path) -> Cli:
    """``python -m cardscan ARGS`` with the real OCR engines."""
    return _runner(tmp_path, recorded=False)


def pytest_sessionfinish(session: pytest.Session) -> None:
    from tests.databases import drop_test_databases

    drop_test_databases()
