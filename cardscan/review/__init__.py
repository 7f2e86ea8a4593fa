"""``cardscan review``: a local web app to check and correct cards and work the follow-ups.

``store`` holds every database read and write the app needs (usable without the web);
``app`` is the thin Flask layer: :func:`create_app` for tests and embedding, :func:`serve` for
the command line.
"""

from __future__ import annotations

from .app import ReviewServer, create_app, make_review_server, serve

__all__ = ["ReviewServer", "create_app", "make_review_server", "serve"]
