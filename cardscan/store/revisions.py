"""The schema's revisions (Alembic's, under migrations/versions; a test checks that Alembic
agrees), apart from ``migrate`` so that ``quick`` can check a database's revision without
importing SQLAlchemy."""

HEAD = "0007"  # the newest
ORDER = ("0001", "0002", "0003", "0004", "0005", "0006", "0007")  # every revision, oldest first
