"""Exports: stored contacts -> CSV for CRMs and spreadsheets (``crm``), vCard (``vcard``),
follow-ups as iCalendar (``ics``). Pure functions over the public JSON shapes."""

from __future__ import annotations

from .crm import (
    FORMATS,
    GOOGLE_COLUMNS,
    OUTLOOK_COLUMNS,
    Address,
    Contact,
    select,
    split_address,
    to_csv,
)

__all__ = ["FORMATS", "GOOGLE_COLUMNS", "OUTLOOK_COLUMNS", "Address", "Contact", "select",
           "split_address", "to_csv"]
