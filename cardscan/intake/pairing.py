"""Which files are the sides of one card: pairing by name, duplex order, folders."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..read import loading

_BACK_RE = re.compile(r"^(?P<stem>.*?)[ _.-]?back$", re.IGNORECASE)


@dataclass(frozen=True)
class Job:
    """One card to read: a front and, when there is one, its back."""

    front: Path
    back: Path | None = None
    duplex: bool = False  # the front file's pages alternate front, back (a duplex scan)


def collect_jobs(paths: Iterable[Path], *, duplex: bool = False) -> list[Job]:
    """Files and folders -> cards, backs paired with fronts by file name (x_front / x_back).

    With ``duplex`` (a sheet-fed scanner's output), a folder's files in name order and a
    multi-page file's pages alternate front, back.
    """
    jobs: list[Job] = []
    for path in paths:
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if _is_card_file(p, path))
            jobs += ([Job(f, b) for f, b in zip(files[::2], files[1::2], strict=False)]
                     + ([Job(files[-1])] if len(files) % 2 else [])
                     if duplex else pair_sides(files))
        else:  # named explicitly: always tried, so errors are reported
            jobs += [Job(path, duplex=True)] if duplex else pair_sides([path])
    return _pair_named_files(jobs) if not duplex else jobs


def _pair_named_files(jobs: list[Job]) -> list[Job]:
    """Files named one by one on the command line pair by name too."""
    singles = [j.front for j in jobs if j.back is None]
    paired = {j.front: j for j in pair_sides(singles)}
    return [job if job.back is not None else paired[job.front] for job in jobs
            if job.back is not None or job.front in paired]


def _is_card_file(path: Path, root: Path) -> bool:
    parts = path.relative_to(root).parts
    return (path.is_file() and path.suffix.lower() in loading.IMAGE_SUFFIXES
            and not any(p.startswith(".") for p in parts))


# Name pairs that mark the two sides of one card: x_front + x_back, x-a + x-b, x_1 + x_2.
_SIDE_SUFFIXES = (("front", "back"), ("a", "b"), ("1", "2"))


def pair_sides(files: list[Path]) -> list[Job]:
    """Pair each back with its front by file name, in the same folder; keep input order.

    Recognised: ``x_front``/``x_back`` (also ``-``, ``.`` or space, any case), ``x``/``x_back``,
    ``x-a``/``x-b``, ``x_1``/``x_2``, and a scanner's ``x``/``x (2)``.
    """
    by_stem = {(f.parent, f.stem.lower()): f for f in files}
    backs: dict[Path, Path] = {}
    for f in files:
        if f in backs.values():
            continue
        back = next((b for stem in _back_stems(f.stem)
                     if (b := by_stem.get((f.parent, stem.lower()))) and b != f), None)
        if back is not None:
            backs[f] = back
    taken = set(backs.values())
    return [Job(f, backs.get(f)) for f in files if f not in taken]


def _back_stems(stem: str) -> list[str]:
    """The names the back of the card called ``stem`` would have."""
    names = [f"{stem}{sep}back" for sep in ("_", "-", " ", ".", "")] + [f"{stem} (2)"]
    lower = stem.lower()
    for front, back in _SIDE_SUFFIXES:
        for sep in ("_", "-", " ", "."):
            if lower.endswith(sep + front):
                names.append(stem[: -len(front)] + (back.upper() if stem[-1].isupper() else back))
    return names


def names_one_side(path: Path) -> bool:
    """x_front, x-a, x_1, x_back ...: the name says the card's other side should exist."""
    lower = path.stem.lower()
    return _BACK_RE.match(path.stem) is not None or any(
        lower.endswith(sep + word) for sep in ("_", "-", " ", ".")
        for pair in _SIDE_SUFFIXES for word in pair)


def is_back_only(job: Job) -> bool:
    return job.back is None and _BACK_RE.match(job.front.stem) is not None
