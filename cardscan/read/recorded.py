"""Engine calls kept in a file and played back: the pipeline, watcher, storage and review tests
run on recorded OCR instead of Tesseract, and a bug report can carry the engine's reading.

A recording is JSON Lines, one engine call per line: which engine, which call (``read`` with
its page mode, or ``orientation``), a fingerprint of the image it was given (its size and a
32x32 grey thumbnail), and what the engine answered. ``ocr.recording = FILE`` with a real
engine appends every call to FILE; ``ocr.engine = "recorded"`` answers each call with the
recorded call whose image looks the same.

Images are matched by fingerprint, not by exact bytes, so that a newer OpenCV that moves a
pixel or two in preprocessing still finds its recording; a different card (or the same card
turned) is far away and is never taken for another.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from ..config import Ocr
from ..errors import OcrError
from ..model import OcrResult, TextLine, Word
from .engines import LineReader, OcrEngine, default_engines, engine_name

_THUMB = 32  # thumbnail side: enough to tell cards and their turns apart
_MAX_DISTANCE = 4.0  # mean grey-level difference of two thumbnails of one image (0-255)
_SIZE_SLACK = 0.02  # a recorded image may differ in size by 2% (2 px at least)


def fingerprint(image: np.ndarray) -> tuple[tuple[int, int], np.ndarray]:
    """(height, width) and a 32x32 grey thumbnail (block means) of an image."""
    gray = image.astype(np.float32)
    if gray.ndim == 3:
        gray = gray.mean(axis=2)
    height, width = gray.shape
    rows = np.linspace(0, height, _THUMB + 1).astype(int)[:-1]
    cols = np.linspace(0, width, _THUMB + 1).astype(int)[:-1]
    sums = np.add.reduceat(np.add.reduceat(gray, rows, axis=0), cols, axis=1)
    counts = np.outer(np.diff(np.append(rows, height)), np.diff(np.append(cols, width)))
    return (height, width), (sums / np.maximum(counts, 1)).astype(np.uint8)


@dataclass(frozen=True)
class _Call:
    shape: tuple[int, int]
    thumb: np.ndarray
    result: Any
    languages: str = ""  # Tesseract's language models for the call ("" when not recorded)


def ocr_to_json(ocr: OcrResult) -> dict[str, Any]:
    return {"engine": f"{ocr.engine} {ocr.engine_version}",
            "lines": [[[w.text, w.conf, w.left, w.top, w.width, w.height, w.block, w.par, w.line]
                       for w in line.words] for line in ocr.lines]}


def ocr_from_json(data: dict[str, Any]) -> OcrResult:
    lines = tuple(TextLine(words=tuple(Word(w[0], w[1], *w[2:]) for w in line))
                  for line in data["lines"])
    engine, _, version = data["engine"].partition(" ")
    return OcrResult(lines=lines, engine=engine, engine_version=version)


class RecordedEngine:
    """Answers ``read``, ``orientation`` and ``script`` from a recording, as the recorded
    engine did."""

    _loaded: ClassVar[dict[str, dict[tuple[str, str, int], list[_Call]]]] = {}

    def __init__(self, path: str, calls: dict[tuple[str, str, int], list[_Call]],
                 name: str, languages: str = "") -> None:
        self.path, self._calls, self.name, self.languages = path, calls, name, languages
        self.version = "recorded"

    @classmethod
    def load(cls, path: str, name: str, languages: str = "") -> RecordedEngine:
        """The recorded ``name`` engine ("tesseract" or "rapidocr") of a recording (read once
        per process), with ``languages``: calls recorded with other language models are not
        its. A back asked of an engine the recording lacks is read by the other."""
        if path not in cls._loaded:
            cls._loaded[path] = _read_recording(path)
        calls = cls._loaded[path]
        engines = {key[0] for key in calls}
        if name not in engines and engines:
            name = "rapidocr" if "rapidocr" in engines else "tesseract"
        return cls(path, calls, name, languages if name == "tesseract" else "")

    def read(self, image: np.ndarray, *, page_mode: int = 3) -> OcrResult:
        result = self._answer("read", page_mode, image)
        return ocr_from_json(result)

    def read_lines(self, image: np.ndarray, boxes: list[tuple[int, int, int, int]]
                   ) -> OcrResult:
        # The boxes come from the recorded reading of the same image: the image tells.
        return ocr_from_json(self._answer("read_lines", 0, image))

    def orientation(self, image: np.ndarray) -> int | None:
        result = self._answer("orientation", 0, image)
        return None if result is None else int(result)

    def script(self, image: np.ndarray) -> str | None:
        result = self._answer("script", 0, image)
        return None if result is None else str(result)

    def _answer(self, call: str, page_mode: int, image: np.ndarray) -> Any:
        shape, thumb = fingerprint(image)
        best, distance = None, _MAX_DISTANCE
        for recorded in self._calls.get((self.name, call, page_mode), []):
            if recorded.languages and self.languages and recorded.languages != self.languages:
                continue
            if not all(abs(a - b) <= max(2, _SIZE_SLACK * a)
                       for a, b in zip(shape, recorded.shape, strict=True)):
                continue
            d = float(np.abs(thumb.astype(np.int16) - recorded.thumb).mean())
            if d <= distance:
                best, distance = recorded, d
        if best is None:
            raise OcrError(f"no recorded {self.name} {call} for this {shape[1]}x{shape[0]} "
                           f"image in {self.path}; record it again (make goldens)")
        return best.result


def _read_recording(path: str) -> dict[tuple[str, str, int], list[_Call]]:
    calls: dict[tuple[str, str, int], list[_Call]] = {}
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as e:
        raise OcrError(f"cannot read the OCR recording {path}: {e.strerror or e}") from e
    for line in text.splitlines():
        if not line.strip():
            continue
        entry = json.loads(line)
        thumb = np.frombuffer(base64.b64decode(entry["thumb"]), dtype=np.uint8)
        calls.setdefault((entry["engine"], entry["call"], entry["page_mode"]), []).append(
            _Call((int(entry["shape"][0]), int(entry["shape"][1])),
                  thumb.reshape(_THUMB, _THUMB), entry["result"], entry.get("languages", "")))
    return calls


class RecordingEngine:
    """A real engine whose every call is also appended to a recording."""

    def __init__(self, engine: OcrEngine, path: str) -> None:
        self._engine, self.path = engine, path
        self.name, self.version = engine.name, engine.version

    def read(self, image: np.ndarray, *, page_mode: int = 3) -> OcrResult:
        ocr = self._engine.read(image, page_mode=page_mode)
        self._keep("read", page_mode, image, ocr_to_json(ocr))
        return ocr

    def read_lines(self, image: np.ndarray, boxes: list[tuple[int, int, int, int]]
                   ) -> OcrResult:
        if not isinstance(self._engine, LineReader):
            raise OcrError(f"the {self.name} engine cannot read given lines")
        ocr = self._engine.read_lines(image, boxes)
        self._keep("read_lines", 0, image, ocr_to_json(ocr))
        return ocr

    def orientation(self, image: np.ndarray) -> int | None:
        turn = self._engine.orientation(image)
        self._keep("orientation", 0, image, turn)
        return turn

    def script(self, image: np.ndarray) -> str | None:
        name = self._engine.script(image)
        self._keep("script", 0, image, name)
        return name

    def _keep(self, call: str, page_mode: int, image: np.ndarray, result: Any) -> None:
        shape, thumb = fingerprint(image)
        line = json.dumps({"engine": self.name, "call": call, "page_mode": page_mode,
                           "languages": getattr(self._engine, "languages", ""),
                           "shape": list(shape),
                           "thumb": base64.b64encode(thumb.tobytes()).decode(),
                           "result": result}, ensure_ascii=False) + "\n"
        # One write on an O_APPEND descriptor: lines from several worker processes never mix.
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line.encode("utf-8"))
        finally:
            os.close(fd)


@dataclass(frozen=True)
class Replay:
    """An engine factory (``Context.engines``) that answers from a recording; it pickles into
    worker processes as its path alone."""

    path: str

    def __call__(self, ocr: Ocr, role: str = "front") -> OcrEngine:
        return RecordedEngine.load(self.path, engine_name(ocr, role), ocr.languages)


@dataclass(frozen=True)
class Record:
    """An engine factory that reads with the real engines and appends every call to a
    recording (how tests/data/recorded-ocr.jsonl is made)."""

    path: str

    def __call__(self, ocr: Ocr, role: str = "front") -> OcrEngine:
        return default_engines(replace(ocr, recording=self.path), role)
