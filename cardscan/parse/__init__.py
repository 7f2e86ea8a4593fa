"""Parsing: OCR output -> contact fields (front) and meeting note (back). Pure functions."""

from __future__ import annotations

from .front import infer_region, parse_front
from .note import find_date, parse_note

__all__ = ["find_date", "infer_region", "parse_front", "parse_note"]
