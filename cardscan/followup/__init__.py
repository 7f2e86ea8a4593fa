"""Follow-ups: ``planner`` is the networking advice as pure date arithmetic and drafts;
``lifecycle`` records meetings and moves a contact's plan along in the database (a first
touch when a card is stored, the next touch when one is done)."""

from __future__ import annotations

from .planner import (
    Meeting,
    after_done,
    allowed,
    draft,
    first_touch_due,
    later_touch_due,
    next_allowed_day,
    plan,
    touch,
)

__all__ = ["Meeting", "after_done", "allowed", "draft", "first_touch_due", "later_touch_due",
           "next_allowed_day", "plan", "touch"]
