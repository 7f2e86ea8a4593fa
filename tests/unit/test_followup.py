"""Follow-up dates: two days after the meeting, never on a Saturday, Sunday or Monday."""

from __future__ import annotations

import datetime as dt

import pytest

from cardscan.config import Followup
from cardscan.followup import first_touch_due, plan

POLICY = Followup()


@pytest.mark.parametrize(("met", "due"), [
    (dt.date(2026, 11, 9), dt.date(2026, 11, 11)),  # Mon -> Wed
    (dt.date(2026, 11, 10), dt.date(2026, 11, 12)),  # Tue -> Thu
    (dt.date(2026, 11, 11), dt.date(2026, 11, 13)),  # Wed -> Fri
    (dt.date(2026, 11, 12), dt.date(2026, 11, 17)),  # Thu -> Sat -> Tue
    (dt.date(2026, 11, 13), dt.date(2026, 11, 17)),  # Fri -> Sun -> Tue
    (dt.date(2026, 11, 14), dt.date(2026, 11, 17)),  # Sat -> Mon -> Tue
    (dt.date(2026, 11, 15), dt.date(2026, 11, 17)),  # Sun -> Tue
])
def test_first_touch_is_two_days_later_but_never_sat_sun_mon(met: dt.date, due: dt.date) -> None:
    assert first_touch_due(met, POLICY) == due
    assert due.weekday() in (1, 2, 3, 4)


def test_the_policy_is_configurable() -> None:
    assert first_touch_due(dt.date(2026, 11, 12),
                           Followup(first_touch_days=1, avoid_weekdays=())) == dt.date(2026, 11, 13)


def test_the_draft_is_personal_and_degrades_gracefully() -> None:
    [task] = plan(met_on=dt.date(2026, 11, 12), name="Anna-Lena Kruger", event="Web Summit",
                  topics=("EU grants",), actions=("send pricing deck",), policy=POLICY)
    assert task.channel == "email" and task.touch == 1
    assert task.draft.startswith("Hi Anna-Lena, great to meet you at Web Summit on November 12.")
    assert "EU grants" in task.draft and "send pricing deck" in task.draft
    [bare] = plan(met_on=dt.date(2026, 11, 12), name=None, event=None, topics=(), actions=(),
                  policy=POLICY)
    assert bare.draft.startswith("Hi, great to meet you on November 12.")
    assert "None" not in bare.draft
