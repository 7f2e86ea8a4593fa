"""``cardscan review``: a local web app to check and correct cards and work the follow-ups.

``actions`` is what the app does (usable without the web), over the storage package;
``app`` is the thin Flask layer: :func:`create_app` for tests and embedding, :func:`serve` for
the command line.
"""

from __future__ import annotations

from .app import ReviewServer, create_app, make_review_server, serve

__all__ = ["ReviewServer", "create_app", "make_review_server", "serve"]
