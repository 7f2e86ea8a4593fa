"""The follow-up planner: the table of due dates by weekday, the three-touch cadence, drafts."""

from __future__ import annotations

import datetime as dt

import pytest

from cardscan.config import Followup
from cardscan.followup import Meeting, after_done, first_touch_due, plan

POLICY = Followup()
D = dt.date
# The week of Monday 2026-11-16.
MON, TUE, WED, THU, FRI, SAT, SUN = (D(2026, 11, 16) + dt.timedelta(days=n) for n in range(7))
NEXT_TUE = D(2026, 11, 24)


@pytest.mark.parametrize(("met", "normal", "high"), [
    (MON, WED, TUE),
    (TUE, THU, WED),
    (WED, FRI, THU),
    (THU, FRI, FRI),
    (FRI, NEXT_TUE, NEXT_TUE),
    (SAT, NEXT_TUE, NEXT_TUE),
    (SUN, NEXT_TUE, NEXT_TUE),
], ids=["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"])
def test_first_touch_by_weekday_met(met: dt.date, normal: dt.date, high: dt.date) -> None:
    assert first_touch_due(met, POLICY) == normal
    assert first_touch_due(met, POLICY, priority="high") == high
    assert (normal - met).days <= 4 and (high - met).days <= 4


@pytest.mark.parametrize("met", [MON, TUE, WED, THU, FRI, SAT, SUN],
                         ids=["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"])
@pytest.mark.parametrize("priority", ["normal", "high"])
def test_the_whole_cadence(met: dt.date, priority: str) -> None:
    tasks = plan(Meeting(met_on=met, name="Dana Lee", event="CES", topics=("fleet tracking",),
                         priority=priority), POLICY)
    assert [(t.touch, t.channel) for t in tasks] == [(1, "email"), (2, "call"), (3, "note")]
    first, second, third = (t.due_on for t in tasks)
    assert first == first_touch_due(met, POLICY, priority=priority)
    assert (second - first).days == 7 and (third - second).days == 14  # due Tue-Fri already
    for task in tasks:
        assert task.due_on.weekday() in (1, 2, 3, 4)  # Tuesday to Friday, never Mon/Sat/Sun
        assert "Monday" not in task.draft and "CES" in task.draft


@pytest.mark.parametrize(("done", "on", "due"), [
    (1, TUE, D(2026, 11, 24)),  # a week later, a Tuesday
    (1, MON, D(2026, 11, 24)),  # a week later is a Monday -> Tuesday
    (1, SAT, D(2026, 12, 1)),  # a week later is a Saturday -> Tuesday
    (1, FRI, D(2026, 11, 27)),
    (2, WED, D(2026, 12, 2)),  # the last note two weeks after the call
    (2, SUN, D(2026, 12, 8)),  # Sunday + 14 -> Sunday -> Tuesday
])
def test_the_next_touch_is_planned_from_the_day_the_last_was_done(
        done: int, on: dt.date, due: dt.date) -> None:
    meeting = Meeting(met_on=D(2026, 11, 10), name="Dana Lee")
    following = after_done(done, on, meeting, POLICY)
    assert following is not None
    assert (following.touch, following.due_on) == (done + 1, due)
    assert following.channel == ("call" if done == 1 else "note")


def test_after_the_third_touch_the_sequence_stops() -> None:
    assert after_done(3, WED, Meeting(met_on=MON), POLICY) is None


def test_the_policy_is_configurable() -> None:
    policy = Followup(first_touch_days=1, avoid_weekdays=(), touches=("email", "email"),
                      touch_gaps=(3,))
    tasks = plan(Meeting(met_on=FRI), policy)
    assert [(t.due_on, t.channel) for t in tasks] == [(SAT, "email"), (D(2026, 11, 24), "email")]


def test_drafts_cite_event_date_topic_and_promise() -> None:
    meeting = Meeting(met_on=D(2026, 11, 12), name="Anna-Lena Kruger", event="Web Summit",
                      topics=("EU grants", "API pricing"), actions=("send pricing deck",))
    email, call, note = (t.draft for t in plan(meeting, POLICY))
    assert email.startswith("Hi Anna-Lena, great to meet you at Web Summit on November 12.")
    assert "EU grants and API pricing" in email and "send pricing deck" in email
    assert call.startswith("Call Anna-Lena: we met at Web Summit on November 12.")
    assert "EU grants" in call and "send pricing deck" in call
    assert note.startswith("Hi Anna-Lena, a last note after we met at Web Summit on November 12")
    assert "EU grants" in note
    assert len({email, call, note}) == 3


def test_drafts_degrade_gracefully() -> None:
    for task in plan(Meeting(met_on=D(2026, 11, 12)), POLICY):
        assert "November 12" in task.draft
        assert "None" not in task.draft and " at " not in task.draft
        assert "about ." not in task.draft and "promised: ." not in task.draft
