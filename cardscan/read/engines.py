"""Which OCR engine reads a side, as a parameter: the protocol every engine follows, and the
default factory that the pipeline uses unless it is handed another one.

The default keeps one engine per process and setting (loading Tesseract's models or RapidOCR's
networks once per worker, not once per card). A caller can pass any factory instead: the tests
pass a recorded engine, and a library user can pass an engine of their own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import numpy as np

from ..config import Ocr
from ..errors import MissingDependencyError
from ..model import OcrResult


class OcrEngine(Protocol):
    name: str
    version: str

    def read(self, image: np.ndarray, *, page_mode: int) -> OcrResult: ...

    def orientation(self, image: np.ndarray) -> int | None: ...


# (the [ocr] settings, whether the side is a handwritten back) -> the engine that reads it.
# A factory crosses into worker processes, so it must pickle: a module-level function or an
# instance of a module-level class.
EngineFactory = Callable[..., OcrEngine]

_ENGINES: dict[tuple[str, ...], OcrEngine] = {}


def back_engine_name(ocr: Ocr) -> str:
    """The engine for handwritten backs: the setting, with "auto" meaning RapidOCR when it is
    installed (it reads handwriting better; see pipelines/default.toml), else Tesseract."""
    from . import rapid

    if ocr.back_engine == "rapidocr" or (ocr.back_engine == "auto" and rapid.AVAILABLE):
        return "rapidocr"
    return "tesseract"


def default_engines(ocr: Ocr, *, back: bool = False) -> OcrEngine:
    """One engine per process and setting, loaded and checked once: Tesseract for fronts,
    the back engine for handwritten backs; a recorded engine when ``ocr.engine`` says so; a
    recording one (real engine, every call kept) when ``ocr.recording`` is set."""
    kind = back_engine_name(ocr) if back else "tesseract"
    key = (ocr.engine, kind, ocr.languages, str(ocr.timeout), ocr.recording)
    if key not in _ENGINES:
        _ENGINES[key] = _load(ocr, kind)
    return _ENGINES[key]


def _load(ocr: Ocr, kind: str) -> OcrEngine:
    if ocr.engine == "recorded":
        from .recorded import RecordedEngine

        return RecordedEngine.load(ocr.recording, kind)
    engine: OcrEngine
    if kind == "rapidocr":
        from .rapid import RapidEngine

        engine = RapidEngine()
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
    from .tesseract import check_tesseract

    check_tesseract(ocr.languages + ("+osd" if orient else ""))
    if ocr.back_engine == "rapidocr":
        from . import rapid

        if not rapid.AVAILABLE:
            raise MissingDependencyError(rapid.MISSING)
