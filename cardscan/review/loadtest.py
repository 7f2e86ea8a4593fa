"""How fast the review pages are with a real pile: seed a database with N generated contacts
through the normal storing path (cards, meetings, follow-up plans, some of one person twice),
then time the queue, a card page and the follow-ups page in the app itself, and weigh them.

``cardscan review --bench 10000`` runs it on a throwaway database; ``make bench`` calls it.
The names are generated, never read from anywhere.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..config import Followup, Pipeline
from ..followup import lifecycle
from ..model import CardImage, ContactFields, Note, OcrResult, ParsedCard, Phone
from ..store import Database

GIVEN = ("Ana", "Ben", "Chloé", "Dana", "Emil", "Farah", "Goro", "Hana", "Ivan", "Jonas",
         "Kemal", "Lena", "Marta", "Nils", "Olga", "Priya", "Quentin", "Rosa", "Sven", "Tomás")
FAMILY = ("Alves", "Berg", "Costa", "Dubois", "Eriksen", "Fischer", "García", "Huber", "Ito",
          "Jansen", "Kowalski", "Lefèvre", "Moreau", "Novak", "Okafor", "Petrov", "Rossi",
          "Schmidt", "Tanaka", "Weber")
COMPANY = ("Acme", "Borealis", "Cobalt", "Delta", "Ember", "Fjord", "Granite", "Helix", "Iris",
           "Juniper", "Kestrel", "Lumen", "Meridian", "Nimbus", "Orbit")
SUFFIX = ("Labs", "GmbH", "Systems", "S.A.", "Inc.", "Group")
EVENTS = tuple(f"{place} {year}" for year in (2025, 2026)
               for place in ("Web Summit", "CES", "Hannover Messe", "MWC", "SaaStr",
                             "Collision", "VivaTech", "Slush", "dmexco", "IFA"))
TOPICS = ("pricing", "pilot", "API access", "SOC2", "hiring", "partnership", "roadmap")
TITLES = ("CTO", "Head of Sales", "Product Manager", "Founder", "Engineer", "Buyer")
# A tiny valid PNG: every generated card shows it (each under its own checksum).
_PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                     "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201e2220e6a"
                     "0000000049454e44ae426082")


def _card(i: int, rng: random.Random, today: dt.date) -> ParsedCard:
    """The i-th generated card; one in twenty is another card of an earlier person (the
    same e-mail), so merges happen as in a real pile."""
    person = rng.randrange(i) if i > 20 and rng.random() < 0.05 else i
    prng = random.Random(person)
    given, family = prng.choice(GIVEN), prng.choice(FAMILY)
    company = f"{prng.choice(COMPANY)} {prng.choice(SUFFIX)}"
    domain = company.split()[0].lower() + ".example"
    weak = rng.random()
    confidence = {"name": 0.95 if weak > 0.2 else 0.45, "company": 0.9,
                  "title": 0.8 if weak > 0.4 else 0.55, "phones": 0.9, "emails": 0.97}
    contact = ContactFields(
        name=f"{given} {family}", given_name=given, family_name=family,
        title=prng.choice(TITLES), company=company,
        phones=(Phone(f"+1512555{person % 10000:04d}", "work"),),
        emails=(f"{given.lower()}.{family.lower()}{person}@{domain}",),
        website=domain, address=f"{person % 900 + 100} Main St, Austin, TX 78701",
        confidence=confidence)
    met_on = today - dt.timedelta(days=rng.randrange(400))
    note = Note(met_on=met_on, event=rng.choice(EVENTS),
                topics=tuple(rng.sample(TOPICS, 2)), actions=("send deck",),
                priority="high" if rng.random() < 0.1 else "normal",
                confidence={"met_on": 0.9, "event": 0.8, "topics": 0.7})
    digest = hashlib.sha256(f"cardscan-loadtest-{i}".encode()).hexdigest()
    image = CardImage(Path(f"generated/card-{i:05d}.png"), digest, _PNG)
    text = f"{contact.name}\n{contact.title}\n{company}"
    return ParsedCard(front=image, back=None, front_ocr=OcrResult.from_text(text), back_ocr=None,
                      contact=contact, note=note, met_on=met_on, event=note.event)


def seed(db: Database, count: int, *, policy: Followup, today: dt.date,
         chunk: int = 500, rng_seed: int = 0) -> None:
    """Store ``count`` generated cards (``chunk`` per transaction)."""
    rng = random.Random(rng_seed)
    now = dt.datetime.combine(today, dt.time(9))
    for start in range(0, count, chunk):
        cards = [_card(i, rng, today) for i in range(start, min(count, start + chunk))]
        lifecycle.store_cards(db, cards, policy, now=now)


@dataclass(frozen=True)
class PageTiming:
    page: str
    path: str
    median_ms: float
    worst_ms: float
    size_bytes: int


def time_pages(db: Database, settings: Pipeline, *, today: dt.date,
               paths: dict[str, str] | None = None, repeat: int = 7) -> list[PageTiming]:
    """Server time (the app's own, through Flask's test client: no network, no browser) and
    size of each page; the median of ``repeat`` requests after one warm-up."""
    from .app import create_app

    app = create_app(db, settings, today=lambda: today)
    client = app.test_client()
    if paths is None:
        first = client.get("/").get_data(as_text=True)
        card = first.split('href="/card/', 1)[1].split('"', 1)[0] if "/card/" in first else "1"
        paths = {"queue": "/", "queue, searched": "/?q=berg",
                 "card page": f"/card/{card}", "follow-ups": "/followups?due=all"}
    out = []
    for page, path in paths.items():
        times, size = [], 0
        for n in range(repeat + 1):
            start = time.perf_counter()
            response = client.get(path)
            elapsed = time.perf_counter() - start
            if response.status_code != 200:
                raise RuntimeError(f"{path}: HTTP {response.status_code}")
            size = len(response.get_data())
            if n:  # the first request warms caches (templates, statements)
                times.append(elapsed * 1000)
        out.append(PageTiming(page, path, statistics.median(times), max(times), size))
    return out


def run(count: int, *, say: Callable[[str], None] = print,
        workdir: Path | None = None) -> list[PageTiming]:
    """Seed ``count`` contacts into a throwaway SQLite database and time the pages."""
    today = dt.date.today()
    settings = Pipeline()
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        db = Database(f"sqlite:///{Path(tmp) / 'loadtest.db'}")
        start = time.perf_counter()
        seed(db, count, policy=settings.policy, today=today)
        say(f"seeded {count} cards in {time.perf_counter() - start:.1f} s")
        timings = time_pages(db, settings, today=today)
        db.close()
    for t in timings:
        say(f"{t.page:<18} {t.median_ms:7.1f} ms median  {t.worst_ms:7.1f} ms worst  "
            f"{t.size_bytes / 1000:7.1f} KB  {t.path}")
    return timings
