"""Did the follow-ups happen? Per event: cards met there, how many a person reviewed, how many
first touches went out within the 48 hours the advice asks for (as the planner counts them:
by the day the first touch was due, so a Friday meeting's Tuesday e-mail is on time), later
touches done, replies and sequences stopped. Pure: stored rows in, figures out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..config import Followup
from ..store import MeetingHistory
from .planner import first_touch_due

NO_EVENT = "(no event)"
REPLIED = "replied"  # lifecycle.REPLIED: the outcome of a touch they replied to
# Sequences that ended for another reason than a person stopping them: a reply, a newer
# meeting (a fresh plan), a merge (one plan kept).
NOT_STOPPED = (REPLIED, "met again", "merged")


@dataclass(frozen=True)
class EventFigures:
    event: str
    cards: int
    reviewed: int
    first_touch_done: int  # first touches done at all
    within_48h: int  # ... by the day the planner gave them (48 h, weekends and Mondays off)
    later_touches_done: int
    replied: int  # contacts who replied (cardscan done --replied)
    stopped: int  # contacts whose sequence was stopped otherwise

    @property
    def share_48h(self) -> float:
        """Cards whose first touch went out within 48 hours, of all cards (0..1)."""
        return self.within_48h / self.cards if self.cards else 0.0

    def json(self) -> dict[str, object]:
        return {"event": self.event, "cards": self.cards, "reviewed": self.reviewed,
                "first_touch_done": self.first_touch_done, "within_48h": self.within_48h,
                "share_48h": round(self.share_48h, 3),
                "later_touches_done": self.later_touches_done, "replied": self.replied,
                "stopped": self.stopped}


def figures(meetings: Iterable[MeetingHistory], policy: Followup, *,
            events: Sequence[str] = ()) -> list[EventFigures]:
    """Figures per event (``events``: recorded ones, listed even before a card), events in
    the order first met, cards without an event last."""
    grouped: dict[str, list[MeetingHistory]] = {name.casefold(): [] for name in events}
    names = {name.casefold(): name for name in events}
    for m in sorted(meetings, key=lambda m: (m.met_on, m.contact_id)):
        key = (m.event or NO_EVENT).casefold()
        grouped.setdefault(key, []).append(m)
        names.setdefault(key, m.event or NO_EVENT)
    order = sorted(grouped, key=lambda k: (k == NO_EVENT.casefold(),
                                           min((m.met_on for m in grouped[k]),
                                               default=dt.date.max), names[k].casefold()))
    return [_event(names[k], grouped[k], policy) for k in order]


def _event(name: str, meetings: list[MeetingHistory], policy: Followup) -> EventFigures:
    first_done = within = later = 0
    replied: set[int] = set()
    stopped: set[int] = set()
    for m in meetings:
        due = first_touch_due(m.met_on, policy, priority=m.priority)
        for t in m.touches:
            if t.state == "done" and t.touch == 1:
                first_done += 1
                within += bool(t.closed_on and t.closed_on <= due)
            elif t.state == "done":
                later += 1
            if t.state == "done" and (t.outcome or "").startswith(REPLIED):
                replied.add(m.contact_id)
            elif t.state == "stopped" and not (t.outcome or "").startswith(NOT_STOPPED):
                stopped.add(m.contact_id)
    return EventFigures(name, len(meetings), sum(m.reviewed for m in meetings), first_done,
                        within, later, len(replied), len(stopped - replied))
