"""The follow-up list read from a SQLite file with the standard library's ``sqlite3``.

`cardscan tasks` is the command a user runs most, and on its own it is mostly start-up:
importing SQLAlchemy costs 0.21 s on this machine and its ORM with our schema 0.17 s more, of
a 0.45-0.52 s command (0.61 s in one bench run). Read here, the command takes about 0.1 s.

Only what is certain is read here: a plain ``sqlite:///FILE`` URL and a file at this
cardscan's schema revision. Anything else (another database, a URL with options, an older
file to upgrade, a file SQLite cannot open for reading) answers None and the caller opens the
database the usual way, which upgrades it or says what is wrong. The rows become the same
read models as the ORM's (``convert.task_view``); a test compares the two on every filter.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from ..model import ACTIVE
from .convert import task_view
from .revisions import HEAD
from .views import TaskView, soonest_first

# SQLAlchemy's own forms in SQLite: dates and times as ISO text, JSON as text, booleans 0/1.
_DATE, _TIME, _JSON = dt.date.fromisoformat, dt.datetime.fromisoformat, json.loads
Decode = Callable[[Any], Any] | None
_TASK: dict[str, Decode] = {
    "id": None, "contact_id": None, "note_id": None, "touch": None, "channel": None,
    "due_on": _DATE, "state": None, "draft": None, "created_at": _TIME, "closed_on": _DATE,
    "outcome": None, "sequence": None, "updated_at": _TIME}
_CONTACT: dict[str, Decode] = {"name": None, "company": None, "social": _JSON,
                               "pronunciation": None, "address": None}
_NOTE: dict[str, Decode] = {
    "id": None, "card_id": None, "met_on": _DATE, "event": None, "topics": _JSON,
    "actions": _JSON, "priority": None, "confidence": _JSON, "text": None, "met_known": bool,
    "language": None}
_COLUMNS = [("t", _TASK), ("c", _CONTACT), ("n", _NOTE)]
_SELECT = ("SELECT " + ", ".join(f"{alias}.{name}" for alias, cols in _COLUMNS for name in cols)
           + " FROM tasks t JOIN contacts c ON c.id = t.contact_id"
           " LEFT JOIN notes n ON n.id = t.note_id WHERE c.deleted_at IS NULL")

# sqlite:///relative/path or sqlite:////absolute/path, nothing escaped and no options.
_PLAIN_URL = re.compile(r"sqlite:///([^?#%]+)")


def sqlite_file(url: str) -> Path | None:
    """The file a plain SQLite URL names (None for any other URL)."""
    match = _PLAIN_URL.fullmatch(url)
    return Path(match[1]).expanduser() if match and match[1] != ":memory:" else None


def read_tasks(url: str, *, due_by: dt.date | None = None, due_before: dt.date | None = None,
               states: Sequence[str] | None = ACTIVE, event: str | None = None,
               busy_seconds: float = 30.0) -> list[TaskView] | None:
    """The follow-ups as ``Database.tasks`` gives them, or None when this cannot read them
    (see the module's note). A SQLite file that is not there holds none."""
    path = sqlite_file(url)
    if path is None:
        return None
    if not path.exists():
        return []
    sql, params = _SELECT, list[Any]()
    if due_by is not None:
        sql, params = sql + " AND t.due_on <= ?", [*params, due_by.isoformat()]
    if due_before is not None:
        sql, params = sql + " AND t.due_on < ?", [*params, due_before.isoformat()]
    if states is not None:
        sql, params = sql + f" AND t.state IN ({', '.join('?' * len(states))})", [*params,
                                                                                 *states]
    try:
        # mode=rw never creates the file; a write-protected one is opened for reading.
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True,
                                     timeout=busy_seconds)
    except sqlite3.Error:
        return None
    try:
        if connection.execute("SELECT version_num FROM alembic_version").fetchall() != [(HEAD,)]:
            return None
        rows = connection.execute(sql, params).fetchall()
    except sqlite3.Error:
        return None
    finally:
        connection.close()
    return soonest_first((task_view(_task(row)) for row in rows), event)


def _task(row: Sequence[Any]) -> Any:
    """One result row as the attributes ``task_view`` reads off an ORM row."""
    values = iter(row)
    task, contact, note = ({name: value if (value := next(values)) is None or decode is None
                            else decode(value) for name, decode in cols.items()}
                           for _, cols in _COLUMNS)
    return SimpleNamespace(**task, contact=SimpleNamespace(**contact),
                           note=SimpleNamespace(**note) if note["id"] is not None else None)
