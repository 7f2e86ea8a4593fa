"""Small JPEGs of card fronts for vCard PHOTO (Pillow): the card as the review page shows it
(cut out, upright), shrunk so that an address book keeps it (a few kilobytes, not the scan)."""

from __future__ import annotations

import io

from PIL import Image

from ..errors import CardscanError
from ..store import Database

PHOTO_SIDE = 320  # pixels on the long side: about 15-25 KB as JPEG


def card_photos(db: Database) -> dict[int, bytes]:
    """Contact id -> a small JPEG of its newest card's front (contacts without a kept card
    view are left out)."""
    with db.transaction() as tx:
        views = tx.front_views()
    photos = {}
    for contact_id, stored in views.items():
        try:
            path = db.scans.file(stored, f"the card of contact {contact_id}")
            with Image.open(path) as image:
                image.thumbnail((PHOTO_SIDE, PHOTO_SIDE))
                out = io.BytesIO()
                image.convert("RGB").save(out, "JPEG", quality=80)
        except (OSError, ValueError, CardscanError):  # a view gone from the store
            continue
        photos[contact_id] = out.getvalue()
    return photos
