"""The wheel carries everything a user needs: installed into a scratch virtualenv (away from
the source tree), ``cardscan scan --pipeline europe`` finds the shipped pipeline."""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.conftest import ROOT, SAMPLES, clean_env

pytestmark = [pytest.mark.slow, pytest.mark.ocr]


def test_the_installed_wheel_finds_its_named_pipelines(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", wheels,
                    ROOT], check=True, capture_output=True)
    [wheel] = wheels.glob("cardscan-*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True)
    python = venv / "bin" / "python"
    # The dependencies come from this environment's site-packages (no download); cardscan
    # itself only from the wheel.
    site = Path(subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()"
                                "['purelib'])"], capture_output=True, text=True,
                               check=True).stdout.strip())
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    subprocess.run([sys.executable, "-m", "pip", "--python", python, "install", "-q",
                    "--no-deps", wheel], check=True, capture_output=True)
    where = subprocess.run([python, "-c", "import cardscan; print(cardscan.__file__)"],
                           capture_output=True, text=True, check=True, cwd=tmp_path)
    assert where.stdout.startswith(str(venv))
    done = subprocess.run([venv / "bin" / "cardscan", "scan",
                           SAMPLES / "images" / "de-band-gmbh_front.png", "--pipeline", "europe",
                           "--json"], capture_output=True, text=True, cwd=tmp_path,
                          env=clean_env(tmp_path, recorded=False))
    assert done.returncode == 0, done.stderr
    record = json.loads(done.stdout)
    assert record["phones"] and record["phones"][0]["number"].startswith("+49")
