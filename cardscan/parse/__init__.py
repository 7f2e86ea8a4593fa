"""Parsing: OCR output -> contact fields (front) and meeting note (back). Pure functions.

The names below load on first use: importing one small module of this package (the store
needs ``lines``) must not load the name, language and date models (0.2 s of a CLI start).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .dates import find_date
    from .front import infer_region, parse_front
    from .note import parse_note

__all__ = ["find_date", "infer_region", "parse_front", "parse_note"]
_HOMES = {"find_date": ".dates", "infer_region": ".front", "parse_front": ".front",
          "parse_note": ".note"}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(import_module(_HOMES[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
