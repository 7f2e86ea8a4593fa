"""Follow-up drafts from editable templates (Jinja2), one per channel and touch, in the card's
language (or the pipeline's), with dates and lists as that language writes them (Babel).

Templates live in ``drafts/<language>/`` beside the pipeline files: ``email-1.txt`` (the first
e-mail), ``email.txt`` (later ones), ``call.txt``; ``<channel>-<touch>.txt`` is looked up
first, then ``<channel>.txt``, then (for a written channel such as ``note``) ``email.txt``.
A folder of the same name in ``$CARDSCAN_PIPELINES`` or ``./pipelines`` overrides the
shipped one, file by file. Each renders to one paragraph
(whitespace is folded), with these values:

- ``first`` (first name or None), ``name``, ``event`` (or None), ``when`` (the meeting's day
  and month: "November 3", "3. November"; "" while the note's date is unread or in doubt:
  write ``{% if when %} on {{ when }}{% endif %}``), ``met_on`` (a date, or None then);
- ``topics``, ``actions``: the note's items as one phrase ("pricing and a demo"), or "";
- ``touch`` (1, 2, ...), ``last`` (the last touch of the sequence);
- ``pronunciation``: how to say the name, from the back of the card (or None).

Channels: ``email``, ``call``, ``note`` (a last short e-mail), ``linkedin`` (a connection
note; the planner keeps it within LinkedIn's 300 characters), ``letter`` (a handwritten card:
the few lines to write).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.dates import format_skeleton
from babel.lists import format_list
from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateNotFound

from ..config import pipeline_dirs
from ..errors import ConfigError

SHIPPED = ("en", "de", "fr", "es", "pt")  # the languages cardscan ships drafts in


def available(language: str) -> bool:
    """Templates exist for ``language`` (shipped or the user's own)."""
    return any((folder / "drafts" / language).is_dir() for folder in _folders())


def render(channel: str, *, touch: int, last: bool, language: str, first: str | None,
           name: str | None, event: str | None, met_on: dt.date | None, topics: list[str],
           actions: list[str], pronunciation: str | None = None) -> str:
    env = _environment(tuple(str(f) for f in _folders()))
    template = None
    for candidate in (f"{language}/{channel}-{touch}.txt", f"{language}/{channel}.txt",
                      *([f"{language}/email.txt"] if channel in ("email", "note") else []),
                      *([f"en/{channel}.txt"] if channel in ("linkedin", "letter") else [])):
        try:
            template = env.get_template(candidate)
            break
        except TemplateNotFound:
            continue
    if template is None:
        raise ConfigError(f"no draft template for {channel} (touch {touch}) in "
                          f"drafts/{language}/; add {channel}.txt there")
    values: dict[str, Any] = {
        "first": first, "name": name, "event": event, "met_on": met_on, "touch": touch,
        "last": last, "when": format_skeleton("MMMMd", met_on, locale=language) if met_on else "",
        "topics": format_list(topics, locale=language) if topics else "",
        "actions": format_list(actions, locale=language) if actions else "",
        "pronunciation": pronunciation}
    return " ".join(template.render(values).split())


def _folders() -> list[Path]:
    return [folder for folder in pipeline_dirs() if (folder / "drafts").is_dir()]


@lru_cache(maxsize=4)
def _environment(folders: tuple[str, ...]) -> Environment:
    # Plain text, not HTML: nothing is escaped; a name is written as it is.
    return Environment(loader=FileSystemLoader([str(Path(f) / "drafts") for f in folders]),
                       undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False)
