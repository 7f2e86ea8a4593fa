"""Storage: the only package that speaks SQLAlchemy.

``Database`` opens a database (SQLite by default, any SQLAlchemy URL) and its scan store;
``with db.transaction() as tx`` gives the repository functions (``Transaction``), which take
parsed values and hand back frozen read models (``views``). ``people`` holds the one
same-person rule; ``schema`` the tables; ``migrate`` and ``migrations/`` the schema's
revisions (Alembic).
"""

from __future__ import annotations

from .database import Database, schema_state, shown_url
from .migrate import HEAD as SCHEMA_REVISION
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
