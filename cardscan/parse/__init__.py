"""Parsing: OCR output -> contact fields (front) and meeting note (back). Pure functions."""

from __future__ import annotations

from .dates import find_date
from .front import infer_region, parse_front
from .note import parse_note

__all__ = ["find_date", "infer_region", "parse_front", "parse_note"]
