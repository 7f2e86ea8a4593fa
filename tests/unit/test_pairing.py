"""Pairing a card's back with its front by file name."""

from __future__ import annotations

from pathlib import Path

from cardscan.intake.pairing import Job, collect_jobs, pair_sides


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


def test_scanner_and_numbered_names_pair_too() -> None:
    files = [Path(n) for n in ("d-a.png", "d-b.png", "e_1.jpg", "e_2.jpg", "scan.png",
                               "scan (2).png", "f_1.png", "G_FRONT.png", "G_BACK.png")]
    assert pair_sides(files) == [
        Job(Path("d-a.png"), Path("d-b.png")), Job(Path("e_1.jpg"), Path("e_2.jpg")),
        Job(Path("scan.png"), Path("scan (2).png")), Job(Path("f_1.png")),
        Job(Path("G_FRONT.png"), Path("G_BACK.png"))]


def test_a_poorly_read_note_never_overrides_the_command_line() -> None:
    import datetime as dt

    from cardscan.pipeline import _prefer_user

    warnings: list[str] = []
    typed, read = dt.date(2026, 11, 12), dt.date(2026, 11, 21)
    assert _prefer_user(read, typed, 0.45, "date", warnings) == typed
    assert "low confidence" in warnings[0] and "review" in warnings[0]
    assert _prefer_user(read, typed, 0.93, "date", []) == read  # read well: the note wins
    assert _prefer_user(None, typed, 0.0, "date", []) == typed
    assert _prefer_user("CES", None, 0.2, "event", []) == "CES"  # nothing typed to prefer
