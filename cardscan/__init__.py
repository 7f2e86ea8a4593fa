"""cardscan: business-card images in, contacts and follow-up tasks out."""

from __future__ import annotations

__version__ = "0.1.0"
