"""Storage: the only package that speaks SQLAlchemy.

``Database`` opens a database (SQLite by default, any SQLAlchemy URL) and its scan store;
``with db.transaction() as tx`` gives the repository functions (``Transaction``), which take
parsed values and hand back frozen read models (``views``). ``people`` holds the one
same-person rule; ``schema`` the tables.
"""

from __future__ import annotations

from .database import Database
from .review import FieldChange
from .transaction import Transaction
from .views import (
    CardPage,
    ContactView,
    CorrectionRef,
    Counts,
    MeetingView,
    NewMeeting,
    NextTouch,
    Queue,
    QueueItem,
    ScanRef,
    Similar,
    TaskView,
)

__all__ = ["CardPage", "ContactView", "CorrectionRef", "Counts", "Database", "FieldChange",
           "MeetingView", "NewMeeting", "NextTouch", "Queue", "QueueItem", "ScanRef", "Similar",
           "TaskView", "Transaction"]
