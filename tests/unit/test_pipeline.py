"""The driver with the OCR engine passed in: the samples read through recorded engine calls (no
Tesseract), in this process and in worker processes, stored in a real SQLite file."""

from __future__ import annotations

import datetime as dt
import json
import pickle
import threading
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from cardscan.config import Ocr, Pipeline
from cardscan.errors import OcrError
from cardscan.intake.pairing import Job, collect_jobs
from cardscan.model import Note, Status
from cardscan.pipeline import Context, card_json, ingest_many, scan
from cardscan.read.imaging import prepare_page
from cardscan.read.loading import decode, read_card_image
from cardscan.read.recorded import RecordedEngine, RecordingEngine, Replay, fingerprint
from cardscan.store import Database
from tests.conftest import SAMPLES
from tests.databases import database_url
from tests.recorded import DATA, RECORDING, REFERENCE, engines

FRONT_FIELDS = ("name", "title", "company", "phones", "emails", "website", "address")


def _ctx() -> Context:
    return Context(pipeline=Pipeline(), today=REFERENCE, met=REFERENCE, engines=engines())


def test_recorded_engines_give_what_tesseract_read_on_every_sample(sample_labels) -> None:  # type: ignore[no-untyped-def]
    """Every sample read through the whole pipeline (images, crops, turns) with the recorded
    engine parses to the goldens made from Tesseract's own reading (tests/data/parsed)."""
    ctx = _ctx()
    for card in sample_labels["cards"]:
        job = Job(SAMPLES / card["front"], SAMPLES / card["back"] if card.get("back") else None)
        cards = scan(job, ctx)
        got = card_json(cards[int(card.get("card_index", 1)) - 1])
        golden = json.loads((DATA / "parsed" / f"{card['id']}.json").read_text("utf-8"))
        assert {k: got[k] for k in FRONT_FIELDS} == {k: golden[k] for k in FRONT_FIELDS}, \
            card["id"]
        assert got["engine"].startswith(("tesseract ", "tesseract+rapidocr "))


@pytest.mark.backends
def test_a_batch_in_worker_processes_with_the_engine_passed_in(tmp_path: Path) -> None:
    jobs = collect_jobs(sorted((SAMPLES / "images").glob("*_front.png"))[:6])
    db = Database(database_url(tmp_path), store=tmp_path / "store")
    ctx = _ctx()
    assert pickle.loads(pickle.dumps(ctx)) == ctx  # the factory crosses into workers
    with ProcessPoolExecutor(max_workers=2) as pool:
        first = list(ingest_many(jobs, db, ctx, executor=pool,
                                 now=lambda: dt.datetime(2026, 11, 10, 18)))
    assert [r.status for r in first] == [Status.CREATED] * 6
    again = list(ingest_many(jobs, db, ctx))
    assert [r.status for r in again] == [Status.DUPLICATE] * 6
    contacts = db.contacts()
    assert len(contacts) == 6 and all(c.name for c in contacts)
    assert len(db.tasks()) == 6


class _SlowFirst(ThreadPoolExecutor):
    """Two workers, the first file read slowly: it is let go once every file was handed out,
    or after 20 s."""

    def __init__(self, files: int) -> None:
        super().__init__(max_workers=2)
        self.files, self.handed_out, self.let_go = files, 0, threading.Event()
        self.handed_out_first_done = 0

    def submit(self, fn, /, *args, **kwargs):  # type: ignore[no-untyped-def,override]
        self.handed_out += 1
        if self.handed_out == self.files:
            self.let_go.set()
        if self.handed_out > 1:
            return super().submit(fn, *args, **kwargs)

        def slow(*args, **kwargs):  # type: ignore[no-untyped-def]
            self.let_go.wait(20)
            self.handed_out_first_done = self.handed_out
            return fn(*args, **kwargs)

        return super().submit(slow, *args, **kwargs)


@pytest.mark.backends
def test_a_slow_file_does_not_keep_workers_from_the_files_after_it(tmp_path: Path) -> None:
    """Workers go on reading while the oldest file is still being read (a card re-read in its
    own language takes nine plain ones' time); results are still stored in file order."""
    jobs = collect_jobs(sorted((SAMPLES / "images").glob("*_front.png"))[:12])
    db = Database(database_url(tmp_path), store=tmp_path / "store")
    with _SlowFirst(len(jobs)) as pool:
        results = list(ingest_many(jobs, db, _ctx(), executor=pool))
    assert pool.handed_out_first_done == len(jobs)
    assert [r.status for r in results] == [Status.CREATED] * len(jobs)
    assert [r.path for r in results] == [j.front for j in jobs]


def test_an_image_with_no_recording_is_a_clear_error() -> None:
    engine = Replay(str(RECORDING))(Ocr())
    noise = np.random.default_rng(7).integers(0, 255, (400, 700), dtype=np.uint8)
    with pytest.raises(OcrError, match="no recorded tesseract read for this 700x400 image"):
        engine.read(noise, page_mode=3)


def test_a_recording_replays_what_was_recorded_despite_small_pixel_changes(
        tmp_path: Path) -> None:
    """Recorded from the samples' recording into a new one, then played back from it."""
    settings = Pipeline().preprocess
    page = decode(read_card_image(SAMPLES / "images" / "us-left-two-phones_front.png"))
    [crop] = prepare_page(page, replace(settings, separate_ink=False))  # as fronts are
    recorded = Replay(str(RECORDING))(Ocr())
    path = tmp_path / "rec.jsonl"
    first = RecordingEngine(recorded, str(path)).read(crop.image, page_mode=3)
    assert "Jordan Ellis" in first.text
    replay = RecordedEngine.load(str(path), "tesseract")
    # A newer OpenCV may move a pixel or two: still the same image.
    nudged = np.clip(crop.image.astype(np.int16) + np.random.default_rng(1).integers(
        -3, 4, crop.image.shape), 0, 255).astype(np.uint8)
    assert replay.read(nudged, page_mode=3) == first
    with pytest.raises(OcrError):  # turned upside down it is another image
        replay.read(crop.image[::-1, ::-1], page_mode=3)
    with pytest.raises(OcrError):  # and another page mode is another call
        replay.read(crop.image, page_mode=11)
    assert fingerprint(crop.image)[0] == crop.image.shape[:2]


@pytest.mark.backends
def test_two_writers_storing_the_same_file_at_once_give_one_card_and_a_duplicate(
        tmp_path: Path) -> None:
    """B checks while A's transaction holds the card uncommitted (B sees nothing stored),
    then B's insert waits for A and meets A's unique key: a duplicate, not a failure."""
    import threading
    import time

    from cardscan.followup import lifecycle
    from cardscan.pipeline import store
    from tests.factories import text_card

    url = database_url(tmp_path)
    first, second = (Database(url, store=tmp_path / "store") for _ in range(2))
    card = text_card("Dana Lee\nHead of Sales\nAcme Corp\ndana@acme.com", Note())
    holding, outcome = threading.Event(), []

    def writer_a() -> None:
        with first.transaction() as tx:
            lifecycle._store_card(tx, card, Pipeline().followup, dt.datetime(2026, 11, 13))
            holding.set()
            time.sleep(1.0)  # B checks, finds nothing committed, and waits on its insert

    thread = threading.Thread(target=writer_a)
    thread.start()
    holding.wait(10)
    outcome = store([card], second, _ctx(), now=dt.datetime(2026, 11, 13))
    thread.join()
    assert [r.status for r in outcome] == [Status.DUPLICATE]
    assert "another cardscan" in outcome[0].message
    assert len(second.contacts()) == 1


@pytest.mark.backends
def test_each_card_of_a_sheet_keeps_its_own_upright_view(tmp_path: Path) -> None:
    """The review page shows the card, not the whole sheet: each card of a 4-card flatbed
    sheet is kept cut out, as a JPEG, beside the stored file."""
    from PIL import Image

    from cardscan.review.actions import image_path

    db = Database(database_url(tmp_path), store=tmp_path / "store")
    [*results] = ingest_many([Job(SAMPLES / "images" / "flatbed-4up.jpg")], db, _ctx())
    assert len(results) == 4
    with db.transaction() as tx:
        scans = [tx.scan_file(i) for i in range(1, 5)]
    assert all(s.view_path for s in scans) and len({s.view_path for s in scans}) == 4
    sheet = Image.open(SAMPLES / "images" / "flatbed-4up.jpg").size
    for scan_id in range(1, 5):
        with Image.open(image_path(db, scan_id)) as view:
            width, height = view.size
        assert 1.3 < width / height < 2.0 and width < sheet[0] / 1.5  # one card, upright
