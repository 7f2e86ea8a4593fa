"""The reliability and security sweep, every case a test with real files, real processes, a
real SQLite file: nothing outside the inbox is touched, no file can exhaust the machine, no card
text can crash the CLI, storage conditions leave files to be read again."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from PIL import Image

from cardscan.model import CardImage, ContactFields, Note, OcrResult, ParsedCard, Phone
from cardscan.store import Database
from tests.conftest import ROOT, SAMPLES, clean_env
from tests.factories import store_card
from tests.nasty_files import CASES, write_all

IMAGES = SAMPLES / "images"
FRONTS = sorted(IMAGES.glob("*_front.png"))
MARKUP = "[bold red]ACME[/] [/] Industries [link=x]"


def _run(tmp_path: Path, *args: str | Path, extra: dict[str, str] | None = None,
         timeout: float = 120, prefix: list[str] | None = None, stdin: str | None = None
         ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*(prefix or []), sys.executable, "-m", "cardscan", *map(str, args)],
                          capture_output=True, text=True, cwd=ROOT, timeout=timeout,
                          input=stdin,
                          env={**clean_env(tmp_path, recorded=True), **(extra or {})})


def _scans(db: Path) -> int:
    with sqlite3.connect(db) as con:
        return int(con.execute("SELECT count(*) FROM scans").fetchone()[0])


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")
                  if p.is_file() and not p.name.endswith(".error.txt"))


# --- 1. nothing outside the inbox is touched -----------------------------------------------------

def _hostile_inbox(tmp_path: Path) -> tuple[Path, Path]:
    """An inbox holding a good card, a link to a folder outside with a card in it, a link to
    a file outside, a symlink loop and a FIFO."""
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    shutil.copy(FRONTS[1], outside / "secret.png")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(FRONTS[0], inbox / "good.png")
    (inbox / "linked").symlink_to(outside, target_is_directory=True)
    (inbox / "single.png").symlink_to(outside / "secret.png")
    (inbox / "loop.png").symlink_to(inbox / "loop.png")
    os.mkfifo(inbox / "pipe.jpg")
    return inbox, outside


@pytest.mark.parametrize("mode", ["--once", "--polling"])
def test_the_watcher_never_leaves_its_folder(tmp_path: Path, mode: str) -> None:
    inbox, outside = _hostile_inbox(tmp_path)
    db = tmp_path / "cards.db"
    args = ["watch", inbox, "--db", f"sqlite:///{db}", "--settle", "0.3", "--back-wait", "0"]
    if mode == "--once":
        done = _run(tmp_path, *args, "--once", timeout=60)
        log, code = done.stderr, done.returncode
    else:
        watcher = subprocess.Popen([sys.executable, "-m", "cardscan", *map(str, args),
                                    "--polling"], cwd=ROOT, text=True, stderr=subprocess.PIPE,
                                   env=clean_env(tmp_path, recorded=True))
        deadline = time.monotonic() + 60
        while (inbox / "good.png").exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(3)  # several polls of the linked folder
        watcher.send_signal(2)
        _, log = watcher.communicate(timeout=60)
        code = watcher.returncode
    assert code == 0, log
    assert _files(outside) == ["secret.png"]  # the linked folder's file stays where it is
    assert _scans(db) == 1  # only good.png was read
    assert _files(tmp_path / "processed") == ["good.png"]
    assert _files(tmp_path / "failed") == ["single.png"]  # the link itself, not its target
    assert (outside / "secret.png").read_bytes() == FRONTS[1].read_bytes()
    assert os.path.lexists(inbox / "linked") and os.path.lexists(inbox / "loop.png")
    assert (inbox / "pipe.jpg").exists()  # the FIFO is skipped, left in place, never opened
    for said in ("linked is a link to a folder", "loop.png is a link that leads nowhere",
                 "pipe.jpg is not a regular file"):
        assert log.count(said) == 1, (said, log)


def test_an_outcome_folder_that_is_a_link_is_refused(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(FRONTS[0], inbox / "good.png")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "processed").symlink_to(tmp_path / "elsewhere")
    done = _run(tmp_path, "watch", inbox, "--once", "--db", f"sqlite:///{tmp_path / 'c.db'}")
    assert done.returncode == 2 and "processed is not a folder (a link?)" in done.stderr
    assert _files(tmp_path / "elsewhere") == [] and (inbox / "good.png").exists()


# --- 2. card text and paths are printed as they are ------------------------------------------

def test_rich_markup_in_card_text_and_file_names_prints_literally(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cards.db'}"
    db = Database(url, store=tmp_path / "store")
    fields = ContactFields(name=f"Jane {MARKUP}", given_name="[b]Jane", family_name="[/]",
                           title=MARKUP, department=MARKUP, company=MARKUP,
                           phones=(Phone("+15125550100", "work", MARKUP),),
                           emails=("jane@acme.example",), website=f"acme.example/{MARKUP}",
                           address=MARKUP)
    data = MARKUP.encode()
    card = ParsedCard(front=CardImage(Path("x.png"), hashlib.sha256(data).hexdigest(), data),
                      back=None, front_ocr=OcrResult.from_text(MARKUP), back_ocr=None,
                      contact=fields, note=Note(met_on=dt.date(2026, 11, 12),
                                                topics=(MARKUP,), actions=(MARKUP,)),
                      met_on=dt.date(2026, 11, 12), event=MARKUP)
    store_card(db, card)
    for args in (("contacts",), ("tasks",), ("contacts", "--json"), ("tasks", "--json")):
        done = _run(tmp_path, *args, "--db", url, extra={"COLUMNS": "1000"})
        assert done.returncode == 0, done.stderr
        assert "[bold red]ACME[/] [/] Industries [link=x]" in done.stdout, done.stdout
    parsed = _run(tmp_path, "parse", "-", stdin="Jane Doe\nACME [/] Industries GmbH\n",
                  extra={"COLUMNS": "1000"})
    assert parsed.returncode == 0 and "ACME [/] Industries GmbH" in parsed.stdout
    folder = tmp_path / "odd names"
    folder.mkdir()
    (folder / "a[").mkdir()  # so that the path reads ".../a[/]b.png"
    shutil.copy(FRONTS[0], folder / "a[" / "]b.png")
    shutil.copy(FRONTS[1], folder / "[bold]x.png")
    batch = _run(tmp_path, "batch", folder, "--db", url)
    assert batch.returncode == 0, batch.stderr
    assert "a[/]b.png" in batch.stderr and "[bold]x.png" in batch.stderr
    scan = _run(tmp_path, "scan", folder / "[bold]x.png")
    assert scan.returncode == 0, scan.stderr


# --- 3. no file can exhaust the machine ---------------------------------------------------------

def test_every_nasty_file_ends_in_a_clear_error_with_a_bounded_page_count(tmp_path: Path
                                                                           ) -> None:
    files = write_all(tmp_path / "nasty")
    db = tmp_path / "cards.db"
    done = _run(tmp_path, "batch", *files.values(), "--db", f"sqlite:///{db}",
                "--workers", "2", timeout=120)
    assert done.returncode == 3, done.stderr
    errors = [ln for ln in done.stderr.splitlines() if ln.startswith("error:")]
    expected = {
        "huge.png": "is 10870x10870 px (118 MP); cardscan reads up to 60 MP",
        "pages50.tif": "its 50 pages hold 435 MP; cardscan reads up to 300 MP a file",
        "pages200.pdf": "PDF has 200 pages; cardscan reads at most 100 ([limits] max_pages)",
        "giant-page.pdf": "PDF page 1 is 5000x5000 pt (69x69 in); cardscan reads pages up to "
                          "1440 pt",
        "big.jpg": "is 2,147 MB; cardscan reads files up to 100 MB ([limits] max_file_mb)",
        "one-pixel.png": "is 1x1 px, too small to hold a card",
        "strip.png": "is 60000x2 px, too small to hold a card",
        "fifo.jpg": "not a regular file (a FIFO)",
    }
    for name, reason in expected.items():
        assert any(name in ln and reason in ln for ln in errors), (name, errors)
    # The animated WebP is one image (its first frame), not one card per frame.
    assert not [ln for ln in errors if "animated.webp" in ln and "frame" in ln]
    assert _scans(db) <= 1
    assert set(CASES) == set(files)


def test_a_batch_with_a_fifo_named_on_the_command_line_does_not_hang(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "card.jpg")
    done = _run(tmp_path, "batch", tmp_path / "card.jpg", FRONTS[0], "--db",
                f"sqlite:///{tmp_path / 'c.db'}", timeout=60)
    assert done.returncode == 3 and "not a regular file (a FIFO)" in done.stderr
    assert "1 created" in done.stderr


# --- 4. the review page renders a stored document once --------------------------------------

def test_the_review_page_renders_a_stored_pdf_page_once(tmp_path: Path) -> None:
    from cardscan.review import create_app

    url = f"sqlite:///{tmp_path / 'cards.db'}"
    pdf = tmp_path / "deck.pdf"
    pages = [Image.open(p).convert("RGB") for p in FRONTS[:3]]
    pages[0].save(pdf, save_all=True, append_images=pages[1:], resolution=300)
    done = _run(tmp_path, "batch", pdf, "--db", url)
    assert done.returncode == 0, done.stderr
    db = Database(url, store=tmp_path / "store")
    client = create_app(db).test_client()
    with sqlite3.connect(tmp_path / "cards.db") as con:
        con.execute("UPDATE scans SET view_path = NULL")  # as a scan stored before views
        ids = [row[0] for row in con.execute("SELECT id FROM scans ORDER BY part")]
    assert len(ids) == 3
    first = client.get(f"/scan/{ids[2]}")
    assert first.status_code == 200 and first.mimetype == "image/png"
    [cached] = (tmp_path / "store" / "views").rglob("*-2-front.png")
    stamp = cached.stat().st_mtime_ns
    again = client.get(f"/scan/{ids[2]}")
    assert again.data == first.data and cached.stat().st_mtime_ns == stamp  # not rendered again
    assert client.get("/scan/9223372036854775808").status_code == 404  # past 2^63: not found
    assert client.get("/card/99999999999999999999").status_code == 404


# --- 5. storage conditions leave files to be read again --------------------------------------

def _small_disk(folder: Path, fill: bool) -> list[str]:
    """A command prefix that runs the command with a 1 MB tmpfs mounted on ``folder`` (in a
    private mount namespace), filled up first when ``fill``."""
    folder.mkdir(parents=True, exist_ok=True)
    fill_it = 'cat /dev/zero > "$0/filler" 2>/dev/null; ' if fill else ""
    return ["unshare", "-rm", "sh", "-c",
            f'mount -t tmpfs -o size=1m tmpfs "$0" && {fill_it}exec "$@"', str(folder)]


def test_a_full_disk_leaves_the_card_in_the_inbox_and_says_so(tmp_path: Path) -> None:
    if shutil.which("unshare") is None:
        pytest.fail("unshare (util-linux) is needed to make a full disk")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(FRONTS[0], inbox / "good.png")
    disk = tmp_path / "disk"
    db = tmp_path / "cards.db"
    done = _run(tmp_path, "watch", inbox, "--once", "--db", f"sqlite:///{db}",
                extra={"CARDSCAN_STORE": str(disk / "store")},
                prefix=_small_disk(disk, fill=True), timeout=60)
    assert done.returncode == 5, done.stderr
    [line] = [ln for ln in done.stderr.splitlines() if ln.startswith("not stored:")]
    assert "good.png: not stored:" in line and "No space left on device" in line
    assert (inbox / "good.png").exists() and not (tmp_path / "failed").exists()
    assert _scans(db) == 0
    batch = _run(tmp_path, "batch", inbox, "--db", f"sqlite:///{db}",
                 extra={"CARDSCAN_STORE": str(disk / "store")},
                 prefix=_small_disk(disk, fill=True), timeout=60)
    assert batch.returncode == 5 and "No space left on device" in batch.stderr
    again = _run(tmp_path, "watch", inbox, "--once", "--db", f"sqlite:///{db}")
    assert again.returncode == 0 and _files(tmp_path / "processed") == ["good.png"]


def test_a_locked_database_is_a_storage_condition_naming_the_file(tmp_path: Path) -> None:
    db = tmp_path / "cards.db"
    _run(tmp_path, "batch", FRONTS[0], "--db", f"sqlite:///{db}")
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        done = _run(tmp_path, "batch", FRONTS[1], "--db", f"sqlite:///{db}",
                    extra={"CARDSCAN_STORAGE_BUSY_SECONDS": "0.5"})
    finally:
        holder.rollback()
        holder.close()
    assert done.returncode == 5, done.stderr
    assert "database is locked" in done.stderr and FRONTS[1].name in done.stderr
    assert "Traceback" not in done.stderr and "sqlalche.me" not in done.stderr


def test_a_read_only_database_still_lists_and_exports(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    url = f"sqlite:///{folder / 'cards.db'}"
    assert _run(tmp_path, "batch", FRONTS[0], "--db", url).returncode == 0
    read_only = ["unshare", "-rm", "sh", "-c",
                 'mount --bind "$0" "$0" && mount -o remount,ro,bind "$0" && exec "$@"',
                 str(folder)]
    listed = _run(tmp_path, "contacts", "--json", "--db", url, prefix=read_only)
    assert listed.returncode == 0, listed.stderr
    assert len(json.loads(listed.stdout)) == 1
    tasks = _run(tmp_path, "tasks", "--db", url, prefix=read_only)
    assert tasks.returncode == 0, tasks.stderr
    export = _run(tmp_path, "export", "csv", "--db", url, prefix=read_only)
    assert export.returncode == 0 and len(export.stdout.splitlines()) == 2
    new = _run(tmp_path, "export", "csv", "--new", "--db", url, prefix=read_only)
    assert new.returncode == 5 and "is read-only: --new cannot record" in new.stderr


def test_two_batches_and_a_watcher_at_once_store_each_card_once(tmp_path: Path) -> None:
    files = FRONTS[:8]
    folder = tmp_path / "pile"
    folder.mkdir()
    for f in files:
        shutil.copy(f, folder / f.name)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    url = f"sqlite:///{tmp_path / 'cards.db'}"
    results: dict[str, subprocess.CompletedProcess[str]] = {}

    def run(name: str, *args: str | Path) -> None:
        results[name] = _run(tmp_path, *args, timeout=180)

    threads = [threading.Thread(target=run, args=(f"batch{n}", "batch", folder, "--db", url,
                                                  "--workers", "1")) for n in (1, 2)]
    for f in files:  # the same bytes under other names, into a watcher's inbox
        shutil.copy(f, inbox / f"copy-{f.name}")
    threads.append(threading.Thread(target=run, args=("watch", "watch", inbox, "--once",
                                                      "--settle", "0", "--db", url)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for name, done in results.items():
        assert done.returncode == 0, (name, done.stderr)
        failures = [ln for ln in done.stderr.splitlines()
                    if ln.lstrip().startswith(("error:", "failed:")) or "-> failed/" in ln]
        assert not failures, (name, done.stderr)
    assert _scans(tmp_path / "cards.db") == len(files)
    assert not (tmp_path / "failed").exists()
    assert len(_files(tmp_path / "processed") + _files(tmp_path / "duplicates")) == len(files)


# --- 6. odd names -------------------------------------------------------------------------------

def test_a_file_name_that_is_not_utf8_is_read_and_reported(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    good = Path(os.fsdecode(bytes(inbox) + b"/caf\xe9.png"))
    bad = Path(os.fsdecode(bytes(inbox) + b"/men\xfc.jpg"))
    shutil.copy(FRONTS[0], good)
    bad.write_bytes(b"not an image at all")
    done = _run(tmp_path, "watch", inbox, "--once", "--db", f"sqlite:///{tmp_path / 'c.db'}")
    assert done.returncode == 0, done.stderr
    assert "caf\\xe9.png -> processed/" in done.stderr
    notes = list((tmp_path / "failed").glob("*.error.txt"))
    assert len(notes) == 1 and "men\\xfc.jpg: not an image" in notes[0].read_text("utf-8")
    assert "internal error" not in done.stderr


def test_an_id_past_what_a_database_holds_is_a_usage_error(tmp_path: Path) -> None:
    done = _run(tmp_path, "draft", "9223372036854775808")
    assert done.returncode == 2 and "is not an id" in done.stderr


def test_scan_of_a_file_whose_name_is_not_utf8_prints_its_json(tmp_path: Path) -> None:
    odd = Path(os.fsdecode(bytes(tmp_path) + b"/visite-\xe9t\xe9.png"))
    shutil.copy(FRONTS[0], odd)
    done = _run(tmp_path, "scan", odd, "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["source"]["front"].endswith("visite-\\xe9t\\xe9.png")
