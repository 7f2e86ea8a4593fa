"""Public holidays (the ``holidays`` package, MIT): a follow-up is never due on one.

Loaded on first use, per country: the import and one country's calendar cost about 0.1 s
(measured), which commands that plan nothing never pay.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

from ..errors import ConfigError


def is_holiday(day: dt.date, country: str) -> bool:
    """``day`` is a public holiday of ``country`` ("US", "DE", "US-CA": a subdivision's);
    "" or "region" (unresolved, a bare Followup()) is no calendar."""
    if country in ("", "region"):
        return False
    return day in _calendar(country)


def holiday_name(day: dt.date, country: str) -> str | None:
    if country in ("", "region"):
        return None
    found = _calendar(country).get(day)
    return str(found) if found else None


@lru_cache(maxsize=16)
def _calendar(country: str) -> Any:
    import holidays

    code, _, subdivision = country.upper().partition("-")
    try:
        return holidays.country_holidays(code, subdiv=subdivision or None)
    except NotImplementedError:
        raise ConfigError(f"[followup] holidays = {country!r}: not a country the holidays "
                          "package knows (an ISO code such as US, DE, GB or FR, optionally "
                          "with a subdivision: US-CA; \"\" for none)") from None
