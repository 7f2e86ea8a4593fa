"""Storage: the only package that speaks SQLAlchemy.

``Database`` opens a database (SQLite by default, any SQLAlchemy URL) and its scan store;
``with db.transaction() as tx`` gives the repository functions (``Transaction``), which take
parsed values and hand back frozen read models (``views``). ``people`` holds the one
same-person rule; ``schema`` the tables; ``migrate`` and ``migrations/`` the schema's
revisions (Alembic); ``quick`` reads a SQLite file's follow-ups for `cardscan tasks` without
importing SQLAlchemy, which is why the names here are imported on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .revisions import HEAD as SCHEMA_REVISION

if TYPE_CHECKING:
    from .database import Database, schema_state, shown_url
    from .review import FieldChange
    from .transaction import Transaction
    from .views import (
        CardPage,
        ContactView,
        CorrectionRef,
        Counts,
        EventView,
        MeetingHistory,
        MeetingView,
        NewMeeting,
        NextTouch,
        QueueItem,
        QueuePage,
        QueueQuery,
        ScanRef,
        Similar,
        SyncState,
        TaskPage,
        TaskView,
        Trashed,
    )

# Where each name lives, imported on first use: SQLAlchemy's import alone is 0.21 s here, and
# `cardscan tasks` on a SQLite file reads it without SQLAlchemy (``quick``).
_HOME = {"Database": "database", "schema_state": "database", "shown_url": "database",
         "FieldChange": "review", "Transaction": "transaction"}


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_HOME.get(name, 'views')}", __name__), name)
    globals()[name] = value
    return value


__all__ = [
    "SCHEMA_REVISION",
    "CardPage",
    "ContactView",
    "CorrectionRef",
    "Counts",
    "Database",
    "EventView",
    "FieldChange",
    "MeetingHistory",
    "MeetingView",
    "NewMeeting",
    "NextTouch",
    "QueueItem",
    "QueuePage",
    "QueueQuery",
    "ScanRef",
    "Similar",
    "SyncState",
    "TaskPage",
    "TaskView",
    "Transaction",
    "Trashed",
    "schema_state",
    "shown_url",
]
