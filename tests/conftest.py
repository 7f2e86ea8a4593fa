"""Shared fixtures: the repository's samples, and the real CLI run as a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"


@pytest.fixture(scope="session")
def sample_labels() -> dict[str, Any]:
    return json.loads((SAMPLES / "labels.json").read_text(encoding="utf-8"))


@pytest.fixture
def cli(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Run ``python -m cardscan ARGS`` in a clean environment; returns CompletedProcess."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CARDSCAN_")}
    env["CARDSCAN_STORE"] = str(tmp_path / "store")
    env["HOME"] = str(tmp_path / "home")  # never touch the real user data directory
    env["XDG_DATA_HOME"] = str(tmp_path / "home" / "data")

    def run(*args: str | Path, check: bool = False, extra_env: dict[str, str] | None = None,
            stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([sys.executable, "-m", "cardscan", *map(str, args)],
                              capture_output=True, text=True, env={**env, **(extra_env or {})},
                              cwd=ROOT, timeout=600, input=stdin)
        if check and done.returncode != 0:
            raise AssertionError(f"cardscan {args} exited {done.returncode}:\n{done.stderr}")
        return done

    return run
