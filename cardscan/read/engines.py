"""Which OCR engine reads a side, as a parameter: the protocol every engine follows, and the
default factory that the pipeline uses unless it is handed another one.

The default keeps one engine per process and setting (loading Tesseract's models or RapidOCR's
networks once per worker, not once per card). A caller can pass any factory instead: the tests
pass a recorded engine, and a library user can pass an engine of their own.
"""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Callable
from typing import Protocol, runtime_checkable

import numpy as np

from ..config import Ocr
from ..errors import MissingDependencyError
from ..model import OcrResult


class OcrEngine(Protocol):
    name: str
    version: str

    def read(self, image: np.ndarray, *, page_mode: int) -> OcrResult: ...

    def orientation(self, image: np.ndarray) -> int | None: ...

    def script(self, image: np.ndarray) -> str | None: ...


@runtime_checkable
class LineReader(Protocol):
    """An engine that can also read given lines without finding them (RapidOCR's recogniser
    alone): ``boxes`` are (left, top, width, height) in ``image``; one line per box read,
    with that box."""

    def read_lines(self, image: np.ndarray, boxes: list[tuple[int, int, int, int]]
                   ) -> OcrResult: ...


# (the [ocr] settings, the role: "front", "back" or "second") -> the engine that reads it.
# "second" is the front's second engine, fused with the first (fusion.py). A factory crosses
# into worker processes, so it must pickle: a module-level function or an instance of a
# module-level class.
EngineFactory = Callable[..., OcrEngine]
ROLES = ("front", "back", "second")

# Per thread: a Tesseract API object or an ONNX session must not serve two threads at once
# (a Dask worker started with several threads runs one card per thread).
_LOCAL = threading.local()


def _engines() -> dict[tuple[str, ...], OcrEngine]:
    if not hasattr(_LOCAL, "engines"):
        _LOCAL.engines = {}
    return _LOCAL.engines


def back_engine_name(ocr: Ocr) -> str:
    """The engine for handwritten backs: the setting, with "auto" meaning RapidOCR when it is
    installed (it reads handwriting better; see pipelines/default.toml), else Tesseract."""
    from . import rapid

    if ocr.back_engine == "rapidocr" or (ocr.back_engine == "auto" and rapid.AVAILABLE):
        return "rapidocr"
    return "tesseract"


def engine_name(ocr: Ocr, role: str) -> str:
    if role not in ROLES:
        raise ValueError(f"no engine role {role!r}")
    return {"front": "tesseract", "second": "rapidocr"}.get(role) or back_engine_name(ocr)


def default_engines(ocr: Ocr, role: str = "front") -> OcrEngine:
    """One engine per process and setting, loaded and checked once (one RapidOCR serves the
    front's second reading and the backs): Tesseract for fronts, RapidOCR as the front's
    second engine, the back engine for handwritten backs; a recorded engine when
    ``ocr.engine`` says so; a recording one (real engine, every call kept) when
    ``ocr.recording`` is set."""
    kind = engine_name(ocr, role)
    key = (ocr.engine, kind, ocr.languages, str(ocr.timeout), ocr.recording,
           str(ocr.rapid_side))
    engines = _engines()
    if key not in engines:
        engines[key] = _load(ocr, kind)
    return engines[key]


# Tesseract in-process (tesserocr's wheel) unless the settings ask for the CLI through
# pytesseract ("pytesseract") or the wheel is not installed: measured 0.09-0.10 s per clean
# card against 0.19-0.25 s through the CLI, the same words.
TESSEROCR = importlib.util.find_spec("tesserocr") is not None


def in_process(ocr: Ocr) -> bool:
    return TESSEROCR and ocr.engine == "tesseract"


def tesseract_languages() -> frozenset[str]:
    """The language models the Tesseract engine in use has (empty when none is found)."""
    if TESSEROCR:
        from .tessapi import installed_languages

        if found := installed_languages():
            return found
    from .tesseract import installed_languages as cli_languages

    return cli_languages()


def _load(ocr: Ocr, kind: str) -> OcrEngine:
    if ocr.engine == "recorded":
        from .recorded import RecordedEngine

        return RecordedEngine.load(ocr.recording, kind, ocr.languages)
    engine: OcrEngine
    if kind == "rapidocr":
        from .rapid import RapidEngine

        engine = RapidEngine(side=ocr.rapid_side)
    elif in_process(ocr):
        from .tessapi import InProcessTesseract

        engine = InProcessTesseract(ocr.languages, timeout=ocr.timeout)
    else:
        from .tesseract import TesseractEngine

        engine = TesseractEngine(ocr.languages, timeout=ocr.timeout)
    if ocr.recording:
        from .recorded import RecordingEngine

        engine = RecordingEngine(engine, ocr.recording)
    return engine


def check_engines(ocr: Ocr, *, orient: bool = True) -> None:
    """Fail before a batch or watch starts (not on every file) when an engine it needs is
    missing: one MissingDependencyError naming what to install. Loads no model."""
    if ocr.engine == "recorded":
        from .recorded import RecordedEngine

        RecordedEngine.load(ocr.recording, "tesseract")
        return
    languages = ocr.languages + ("+osd" if orient else "")
    if in_process(ocr):
        from .tessapi import tessdata_dir

        tessdata_dir(languages)
    else:
        from .tesseract import check_tesseract

        check_tesseract(languages)
    if ocr.back_engine == "rapidocr" or ocr.front_engine == "fused":
        from . import rapid

        if not rapid.AVAILABLE:
            raise MissingDependencyError(rapid.MISSING)
