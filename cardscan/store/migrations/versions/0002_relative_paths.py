"""Image paths relative to the scan store's root, so that a database moved with its store
(or a team store mounted elsewhere) serves every image.

The store's layout is fixed (``ab/<sha256>.<ext>``, ``views/ab/<sha256>-<part>-<side>.jpg``),
so the relative path is the tail of the absolute one, whatever root it was written under.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from pathlib import PurePath

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

scans = sa.table("scans", sa.column("id", sa.Integer), sa.column("stored_path", sa.Text),
                 sa.column("view_path", sa.Text))


def relative(stored: str | None) -> str | None:
    """``/old/root/ab/abcd.png`` -> ``ab/abcd.png``; ``/old/root/views/ab/x.jpg`` ->
    ``views/ab/x.jpg``; a relative path stays."""
    if not stored or not PurePath(stored).is_absolute():
        return stored
    parts = PurePath(stored).parts
    keep = 3 if len(parts) >= 3 and parts[-3] == "views" else 2
    return PurePath(*parts[-keep:]).as_posix()


def upgrade() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.select(scans.c.id, scans.c.stored_path, scans.c.view_path)).all()
    for row in rows:
        stored, view = relative(row.stored_path), relative(row.view_path)
        if (stored, view) != (row.stored_path, row.view_path):
            bind.execute(scans.update().where(scans.c.id == row.id)
                         .values(stored_path=stored, view_path=view))


def downgrade() -> None:
    raise NotImplementedError("cardscan databases are moved forward only")
