"""Pairing a card's back with its front by file name."""

from __future__ import annotations

from pathlib import Path

from cardscan.pipeline import Job, collect_jobs, pair_sides


def test_front_and_back_pair_by_name() -> None:
    files = [Path("a_front.png"), Path("a_back.png"), Path("b.jpg"), Path("b-back.jpg"),
             Path("c.png"), Path("orphan_back.png")]
    assert pair_sides(files) == [
        Job(Path("a_front.png"), Path("a_back.png")), Job(Path("b.jpg"), Path("b-back.jpg")),
        Job(Path("c.png")), Job(Path("orphan_back.png"))]


def test_folders_are_walked_for_images_only(tmp_path: Path) -> None:
    (tmp_path / "show").mkdir()
    for name in ("show/x_front.png", "show/x_back.png", "notes.txt", ".hidden.png", "y.JPG"):
        (tmp_path / name).write_bytes(b"-")
    jobs = collect_jobs([tmp_path])
    assert jobs == [Job(tmp_path / "show/x_front.png", tmp_path / "show/x_back.png"),
                    Job(tmp_path / "y.JPG")]
