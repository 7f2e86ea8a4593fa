"""Frozen values that flow through the pipeline: OCR words, parsed fields, notes, results."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path


@dataclass(frozen=True)
class Word:
    """One word read by the OCR engine, with its box in image pixels."""

    text: str
    conf: float  # 0..100, Tesseract's word confidence
    left: int
    top: int
    width: int
    height: int
    block: int = 0
    par: int = 0
    line: int = 0


@dataclass(frozen=True)
class TextLine:
    """Words that Tesseract put on one line, in reading order."""

    words: tuple[Word, ...]

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def conf(self) -> float:
        return min((w.conf for w in self.words), default=0.0)

    @property
    def height(self) -> int:
        """Median word height: a stable proxy for the font size."""
        heights = sorted(w.height for w in self.words)
        return heights[len(heights) // 2] if heights else 0

    @property
    def top(self) -> int:
        return min((w.top for w in self.words), default=0)

    @property
    def left(self) -> int:
        return min((w.left for w in self.words), default=0)


@dataclass(frozen=True)
class OcrResult:
    """What the engine read from one side of a card."""

    lines: tuple[TextLine, ...]
    engine: str
    engine_version: str
    seconds: float = 0.0

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)

    @property
    def words(self) -> tuple[Word, ...]:
        return tuple(w for line in self.lines for w in line.words)

    @classmethod
    def from_text(cls, text: str) -> OcrResult:
        """Plain text as if OCR had read it: one line per text line, all the same height."""
        lines = []
        for i, line in enumerate(t for t in text.splitlines() if t.strip()):
            words = tuple(Word(text=w, conf=96.0, left=10 + 60 * j, top=40 * i, width=50,
                               height=30, block=1, par=1, line=i + 1)
                          for j, w in enumerate(line.split()))
            lines.append(TextLine(words=words))
        return cls(lines=tuple(lines), engine="text", engine_version="-")

    @property
    def mean_conf(self) -> float:
        words = self.words
        return sum(w.conf for w in words) / len(words) if words else 0.0


@dataclass(frozen=True)
class Phone:
    number: str  # E.164
    type: str  # work | mobile | fax | other
    raw: str = ""
    extension: str | None = None


@dataclass(frozen=True)
class ContactFields:
    """What the front of a card says."""

    name: str | None = None
    given_name: str | None = None
    family_name: str | None = None
    title: str | None = None
    department: str | None = None
    company: str | None = None
    phones: tuple[Phone, ...] = ()
    emails: tuple[str, ...] = ()
    website: str | None = None
    social: tuple[str, ...] = ()  # profile URLs without scheme: linkedin.com/in/jane
    address: str | None = None
    confidence: dict[str, float] = field(default_factory=dict)
    # The card's country as the parser inferred it (phones, the note's dates and language).
    region: str | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Note:
    """What the handwritten back of a card says about the meeting."""

    met_on: dt.date | None = None
    event: str | None = None
    topics: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    priority: str = "normal"  # high | normal
    confidence: dict[str, float] = field(default_factory=dict)
    # How to say the name, as written on the back ("zo-AY leh-FEV"); the call script starts
    # with it and the exports carry it as phonetic names.
    pronunciation: str | None = None


@dataclass(frozen=True)
class CardImage:
    """One side of a card as given by the user."""

    path: Path
    sha256: str
    data: bytes


@dataclass(frozen=True)
class ParsedCard:
    """A card read and parsed, before anything is stored."""

    front: CardImage
    back: CardImage | None
    front_ocr: OcrResult
    back_ocr: OcrResult | None
    contact: ContactFields
    note: Note
    met_on: dt.date  # from the note, else the batch's --met, else the scan date
    event: str | None
    # Something says when or where you met (a note, --met, --event); otherwise met_on is only
    # the scan date, and another capture of a stored card adds no meeting.
    met_known: bool = True
    warnings: tuple[str, ...] = ()
    part: int = 0  # which card in the file: pages, then cards on a page in reading order
    timing: dict[str, float] = field(default_factory=dict)  # seconds by stage, OCR calls
    qr: tuple[str, ...] = ()  # payloads of QR codes found on either side
    front_view: bytes | None = None  # JPEG of the card as cut out, upright (review page)
    back_view: bytes | None = None


class Status(str, Enum):
    CREATED = "created"
    DUPLICATE = "duplicate"
    NO_TEXT = "no_text"
    UNPAIRED = "unpaired_back"  # a back with no front: kept, to be attached later
    ATTACHED = "attached_back"  # a back recognised by its content, joined to the card before
    FAILED = "failed"
    MERGED = "merged"  # the card of someone already stored: joined to that contact
    NOT_STORED = "not_stored"  # read, but storage failed (disk full, database locked): retry


@dataclass(frozen=True)
class IngestResult:
    """The outcome of ingesting one card (one front, maybe a back)."""

    path: Path
    status: Status
    contact_id: int | None = None
    message: str = ""
    back: Path | None = None
    part: int = 0


@dataclass(frozen=True)
class PlannedTask:
    """A follow-up the planner proposes; stored as a task row."""

    due_on: dt.date
    channel: str  # email | call | note
    touch: int
    draft: str


REVIEW_BELOW = 0.6

TASK_STATES = ("open", "done", "snoozed", "skipped", "stopped")
ACTIVE = ("open", "snoozed")  # still to do


def contact_record(contact: ContactFields, note: Note, *, met_on: dt.date | None,
                   event: str | None) -> dict[str, object]:
    """The public JSON shape of a contact (``scan --json``, ``contacts --json``): never rename."""
    return {
        "name": contact.name,
        "given_name": contact.given_name,
        "family_name": contact.family_name,
        "title": contact.title,
        "department": contact.department,
        "company": contact.company,
        "phones": [{"number": p.number, "type": p.type} for p in contact.phones],
        "emails": list(contact.emails),
        "website": contact.website,
        "social": list(contact.social),
        "address": contact.address,
        "met_on": met_on.isoformat() if met_on else None,
        "event": event,
        "topics": list(note.topics),
        "actions": list(note.actions),
        "priority": note.priority,
        "pronunciation": note.pronunciation,
        "confidence": (confidence := {**contact.confidence, **note.confidence}),
        # Fields found but read or placed with little confidence: a person should check them.
        "review": sorted(k for k, v in confidence.items() if 0 < v < REVIEW_BELOW),
    }
