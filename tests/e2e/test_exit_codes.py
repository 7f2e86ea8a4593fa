"""Every documented exit code, produced by the real command (README "Exit codes", and
``cardscan --help``), plus the promises around them: read-only commands never create a
database, a closed stdout ends quietly and marks nothing exported, error text is printed as
it is."""

from __future__ import annotations

import json
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from cardscan import cli as cardscan_cli
from cardscan.errors import EXIT_MEANINGS, ExitCode
from cardscan.model import Note
from cardscan.store import Database
from tests.conftest import ROOT, SAMPLES, clean_env
from tests.factories import MET, store_person

FRONT = SAMPLES / "images" / "us-left-two-phones_front.png"


def _stored(tmp_path: Path, people: int = 3) -> str:
    """GIVEN a database holding a few contacts (stored without OCR)."""
    url = f"sqlite:///{tmp_path / 'cards.db'}"
    db = Database(url, store=tmp_path / "store")
    for name in ("Dana Lee", "Omar Haddad", "Mia Wong", "Ann Sure")[:people]:
        store_person(db, name, Note(met_on=MET))
    return url


def test_help_and_readme_list_every_exit_code(cli) -> None:  # type: ignore[no-untyped-def]
    shown = cli("--help", check=True).stdout
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for code in ExitCode:
        assert re.search(rf"^\s+{int(code)}\s+{re.escape(EXIT_MEANINGS[code])}", shown, re.M)
        assert re.search(rf"^\| `{int(code)}` \| `{code.name}` \|", readme, re.M), code.name


def test_0_ok_and_the_version_starts_without_the_heavy_libraries(cli) -> None:  # type: ignore[no-untyped-def]
    done = cli("--version", check=True)
    assert done.stdout.startswith("cardscan ")
    probe = subprocess.run(
        [sys.executable, "-c", "import sys; from cardscan import cli; "
         "print(sorted(m for m in ('cv2', 'sqlalchemy', 'flask', 'numpy', 'rich') "
         "if m in sys.modules))"], capture_output=True, text=True, check=True, cwd=ROOT)
    assert probe.stdout.strip() == "[]"


def test_1_unexpected_prints_one_line_and_keeps_the_traceback(  # type: ignore[no-untyped-def]
        tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))

    def broken(args: object) -> int:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(cardscan_cli, "cmd_contacts", broken)
    assert cardscan_cli.main(["contacts"]) == ExitCode.UNEXPECTED == 1
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("error: internal error ZeroDivisionError: a bug. The traceback is in")
    [log] = (tmp_path / "state").rglob("cardscan.log")
    assert "Traceback" in log.read_text(encoding="utf-8") and str(log) in line


def test_2_usage(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert cli("scan").returncode == ExitCode.USAGE  # argparse: FRONT missing
    bad = tmp_path / "typo.toml"
    bad.write_text("[ocr]\npage_mod = 3\n", encoding="utf-8")
    done = cli("scan", FRONT, "--pipeline", bad)
    assert done.returncode == 2
    # Printed literally: the section in brackets is not taken for Rich markup.
    assert f"{bad} [ocr]: unknown setting(s): page_mod" in done.stderr
    env = cli("tasks", extra_env={"CARDSCAN_OCR_PAGE_MODE": "three"})
    assert env.returncode == 2 and "page_mode must be int, got 'three'" in env.stderr
    url = _stored(tmp_path)
    assert cli("done", "1", "--db", url).returncode == 0
    again = cli("done", "1", "--db", url)
    assert again.returncode == 2 and "task 1 is already done" in again.stderr


def test_3_bad_input_and_a_missing_path_creates_no_database(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    text = tmp_path / "card.jpg"
    text.write_text("not an image", encoding="utf-8")
    assert cli("scan", text).returncode == ExitCode.BAD_INPUT
    db = tmp_path / "new" / "cards.db"
    done = cli("batch", tmp_path / "missing", "--db", f"sqlite:///{db}")
    assert done.returncode == 3 and "missing: no such file or folder" in done.stderr
    assert not db.exists() and not db.parent.exists()


def test_4_missing_tesseract_or_language_stops_before_any_file(  # type: ignore[no-untyped-def]
        real_cli, tmp_path: Path) -> None:
    db = tmp_path / "cards.db"
    # The CLI engine without a `tesseract` program (the in-process one needs none).
    gone = real_cli("batch", FRONT, "--db", f"sqlite:///{db}",
                    extra_env={"PATH": str(tmp_path / "nothing-here"),
                               "CARDSCAN_OCR_ENGINE": "pytesseract"})
    assert gone.returncode == ExitCode.MISSING_DEPENDENCY
    assert "Tesseract is not installed: apt-get install tesseract-ocr" in gone.stderr
    assert "failed" not in gone.stderr and not db.exists()
    pack = real_cli("watch", tmp_path, "--db", f"sqlite:///{db}", "--once",
                    extra_env={"CARDSCAN_OCR_LANGUAGES": "eng+xyz"})
    assert pack.returncode == 4 and "apt-get install tesseract-ocr-xyz" in pack.stderr


def test_5_storage(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = cli("contacts", "--db", "not a url")
    assert bad.returncode == ExitCode.STORAGE and "is not a database URL" in bad.stderr
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not a database" * 100)
    done = cli("contacts", "--db", f"sqlite:///{garbage}")
    assert done.returncode == 5 and "garbage.db" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_6_not_found(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url = _stored(tmp_path)
    for args in (("draft", "9999"), ("done", "9999"), ("snooze", "9999", "--until",
                                                        "2030-01-01"), ("stop", "9999")):
        done = cli(*args, "--db", url)
        assert done.returncode == ExitCode.NOT_FOUND, args
        assert re.search(r"no (task|contact) 9999", done.stderr), done.stderr
    missing = tmp_path / "nowhere.db"
    done = cli("done", "1", "--db", f"sqlite:///{missing}")
    assert done.returncode == 6 and "no database at" in done.stderr and not missing.exists()


def test_read_only_commands_never_create_a_database(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "later" / "cards.db"
    url = f"sqlite:///{db}"
    assert json.loads(cli("contacts", "--db", url, "--json", check=True).stdout) == []
    assert json.loads(cli("tasks", "--db", url, "--json", check=True).stdout) == []
    assert cli("export", "csv", "--db", url, check=True).stdout.startswith("id,name")
    assert "BEGIN:VCALENDAR" in cli("export", "ics", "--db", url, check=True).stdout
    assert not db.exists() and not db.parent.exists()


def test_130_interrupted(tmp_path: Path) -> None:
    folder = tmp_path / "pile"
    folder.mkdir()
    for image in sorted((SAMPLES / "images").glob("*.png")):
        shutil.copy(image, folder / image.name)
    db = tmp_path / "cards.db"
    run = subprocess.Popen([sys.executable, "-m", "cardscan", "batch", folder, "--db",
                            f"sqlite:///{db}", "--workers", "1"], cwd=ROOT, text=True,
                           env=clean_env(tmp_path, recorded=True), stderr=subprocess.PIPE)
    assert run.stderr is not None
    for line in run.stderr:  # the first card is stored: interrupt the rest
        if line.startswith(("created:", "merged:")):
            run.send_signal(signal.SIGINT)
            break
    rest = run.stderr.read()
    assert run.wait(timeout=60) == ExitCode.INTERRUPTED == 130, rest
    assert "interrupted" in rest and "Traceback" not in rest


def _closed_stdout(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run with stdout a pipe whose reader has already gone (as `| head` leaves it)."""
    run = subprocess.Popen([sys.executable, "-m", "cardscan", *args], cwd=ROOT, text=True,
                           env=clean_env(tmp_path, recorded=True), stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE)
    assert run.stdout is not None and run.stderr is not None
    run.stdout.close()
    err = run.stderr.read()
    return subprocess.CompletedProcess(args, run.wait(timeout=60), "", err)


def test_141_a_closed_stdout_ends_quietly_and_exports_nothing(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url = _stored(tmp_path)
    listed = _closed_stdout(tmp_path, "contacts", "--db", url, "--json")
    assert listed.returncode == ExitCode.OUTPUT_CLOSED == 141 and listed.stderr == ""
    cut = _closed_stdout(tmp_path, "export", "csv", "--new", "--db", url)
    assert cut.returncode == 141 and cut.stderr == ""
    out = tmp_path / "all.csv"
    cli("export", "csv", "--new", "--db", url, "-o", out, check=True)
    assert len(out.read_text(encoding="utf-8").splitlines()) == 1 + 3  # nothing was marked
    cli("export", "csv", "--new", "--db", url, "-o", out, check=True)
    assert len(out.read_text(encoding="utf-8").splitlines()) == 1  # now they were


def test_an_unwritable_output_file_is_one_line(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url = _stored(tmp_path)
    done = cli("export", "csv", "--new", "--db", url, "-o", tmp_path / "no" / "dir" / "x.csv")
    assert done.returncode == 2 and "cannot write" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    fine = tmp_path / "x.csv"
    cli("export", "csv", "--new", "--db", url, "-o", fine, check=True)
    assert len(fine.read_text(encoding="utf-8").splitlines()) == 4  # the failed one marked none


@pytest.mark.ocr
def test_verbose_shows_cardscans_own_lines_not_library_debug(real_cli) -> None:  # type: ignore[no-untyped-def]
    done = real_cli("-vv", "scan", FRONT, "--json", check=True)
    lines = done.stderr.splitlines()
    assert any(ln.startswith("DEBUG cardscan.pipeline:") for ln in lines)
    assert any(ln.startswith("INFO cardscan.pipeline:") for ln in lines)
    assert not [ln for ln in lines if ln.startswith("DEBUG") and " cardscan." not in ln]
    quiet = real_cli("scan", FRONT, "--json", check=True)
    assert "cardscan.pipeline" not in quiet.stderr
