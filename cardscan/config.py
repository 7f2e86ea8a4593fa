"""Settings, resolved once per run in four layers, each overriding the one before:

1. built-in defaults (the dataclasses below; ``pipelines/default.toml`` shows them all);
2. a pipeline file (``--pipeline NAME|FILE``, else ``$CARDSCAN_PIPELINE``, else ``default``);
3. ``CARDSCAN_*`` environment variables: ``CARDSCAN_<SECTION>_<KEY>`` for any setting
   (``CARDSCAN_OCR_LANGUAGES=eng+fra``, ``CARDSCAN_FOLLOWUP_TOUCHES=email,call``), and the
   short names ``CARDSCAN_DB`` (storage.database) and ``CARDSCAN_STORE`` (storage.store);
4. command-line flags (``--db``).

:func:`resolve` does this once, in the CLI; everything below it is handed the result.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from platformdirs import user_data_path

from .errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

# email; call (a script); note (a last short e-mail); linkedin (a connection note, at most 300
# characters); letter (a handwritten card by post: the text to write, the address from the card).
CHANNELS = ("email", "call", "note", "linkedin", "letter")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class Preprocess:
    find_cards: bool = True
    remove_rules: bool = True
    rule_min_fraction: float = 0.25
    separate_ink: bool = True
    deskew: bool = True
    min_skew: float = 0.4
    max_skew: float = 20.0
    even_light: bool = True
    min_long_side: int = 1050
    max_upscale: float = 3.0
    binarise: bool = False
    binarise_min_long_side: int = 1000
    orient: bool = True


@dataclass(frozen=True)
class Ocr:
    languages: str = "eng+deu"
    page_mode: int = 3
    back_page_mode: int = 11
    back_engine: str = "auto"
    timeout: int = 60
    # "tesseract" (in-process through tesserocr when its wheel is installed, else the CLI),
    # "pytesseract" (always the CLI, a process per call), or "recorded": replay the engine
    # calls kept in ``recording`` (tests, bug reports) instead of running an engine.
    engine: str = "tesseract"
    # Fronts: "auto" reads with RapidOCR too, fused with Tesseract, where it pays (a photo, a
    # weak Tesseract reading, fields missing); "fused" always; "tesseract" never.
    front_engine: str = "auto"
    # RapidOCR's detector works on the image shrunk to this many pixels on its long side.
    rapid_side: int = 960
    # A file of engine calls: replayed with engine = "recorded", else every call is added to it.
    recording: str = ""


@dataclass(frozen=True)
class Parse:
    default_region: str = "US"
    date_order: str = "MDY"


@dataclass(frozen=True)
class Followup:
    first_touch_days: int = 2
    high_priority_days: int = 1
    avoid_weekdays: tuple[str, ...] = ("Sat", "Sun", "Mon")
    touches: tuple[str, ...] = ("email", "call", "note")
    touch_gaps: tuple[int, ...] = (7, 14)
    calendar_time: str = "09:30"
    calendar_minutes: int = 15
    # The calendar's time zone: an IANA name, "local" (this machine's), "" (floating times).
    calendar_timezone: str = "local"
    # A reminder this many minutes before each follow-up; 0: none.
    calendar_alarm_minutes: int = 15
    # Nothing is due on a public holiday of this country (or "US-CA": a subdivision's), as
    # the holidays package knows them; "region": the pipeline's [parse] default_region
    # (Pipeline.policy); "": weekends and avoided weekdays only.
    holidays: str = "region"
    # The drafts' language: "auto" (the card's, when drafts exist in it; else English) or a
    # code of a folder under pipelines/drafts/ ("en", "de", "fr", "es", "pt" are shipped).
    draft_language: str = "auto"
    # A "linkedin" touch when the contact has no LinkedIn profile: "email" (an e-mail instead)
    # or "linkedin" (a note anyway: you will look them up).
    linkedin_without_profile: str = "email"
    # Follow-up time on the calendar after each recorded event (cardscan event add): this
    # long, at this time ("" : calendar_time), on each of the two days after it (moved off
    # avoided weekdays and holidays as touches are); 0 minutes: none.
    event_block_minutes: int = 15
    event_block_time: str = ""


@dataclass(frozen=True)
class Limits:
    """Bounds on the work one file may cause, checked before anything is decoded, so a bad or
    hostile file fails alone, at once, with a clear error (see README "Limits and safety")."""

    max_file_mb: int = 100  # bytes on disk
    max_page_megapixels: int = 60  # each page or frame (a 50 MP phone photo passes)
    max_file_megapixels: int = 300  # all pages of a file together
    max_pages: int = 100  # PDF and TIFF pages (50 cards scanned duplex)
    max_pdf_page_points: int = 1440  # 20 in; A3 is 842 x 1191 pt
    all_frames: bool = False  # animated images (GIF, WebP, APNG, MPO): first frame only
    min_side: int = 32  # pixels: a smaller image holds no readable card
    worker_memory_mb: int = 3072  # address space of a worker process; 0: no cap


@dataclass(frozen=True)
class Storage:
    # SQLAlchemy URL; "" is a SQLite file in the user's data directory (default_database()).
    database: str = ""
    # Folder for the copies of scanned images; "" is ``scans/`` beside a SQLite file, else the
    # user's data directory.
    store: str = ""
    # How long a writer waits for another's transaction (a watcher and a batch at once)
    # before the file is reported "not stored: database is locked".
    busy_seconds: float = 30.0


@dataclass(frozen=True)
class Sync:
    # A CardDAV address book and a CalDAV calendar (collection URLs) for `cardscan sync` and
    # the review page's "Sync now"; "": none. Credentials: CARDSCAN_DAV_USER/_PASSWORD or
    # ~/.netrc, never here.
    contacts: str = ""
    followups: str = ""
    followups_as: str = "todo"  # todo (VTODO, task lists) | event (VEVENT)


@dataclass(frozen=True)
class Pipeline:
    """Everything one kind of run needs; loaded from a pipelines/*.toml file."""

    name: str = "default"
    description: str = ""
    source: str = "built-in defaults"
    preprocess: Preprocess = field(default_factory=Preprocess)
    ocr: Ocr = field(default_factory=Ocr)
    parse: Parse = field(default_factory=Parse)
    followup: Followup = field(default_factory=Followup)
    limits: Limits = field(default_factory=Limits)
    storage: Storage = field(default_factory=Storage)
    sync: Sync = field(default_factory=Sync)

    @property
    def policy(self) -> Followup:
        """The follow-up rules with ``holidays = "region"`` made the default region."""
        if self.followup.holidays != "region":
            return self.followup
        return replace(self.followup, holidays=self.parse.default_region)


_SECTIONS: dict[str, type] = {
    "preprocess": Preprocess,
    "ocr": Ocr,
    "parse": Parse,
    "followup": Followup,
    "limits": Limits,
    "storage": Storage,
    "sync": Sync,
}
# Environment variables older than the CARDSCAN_<SECTION>_<KEY> scheme, kept as short names.
_SHORT_NAMES = {"CARDSCAN_DB": ("storage", "database"), "CARDSCAN_STORE": ("storage", "store")}


def default_database() -> str:
    """A SQLite file in the user's data directory (``~/.local/share/cardscan`` on Linux)."""
    return f"sqlite:///{user_data_path('cardscan') / 'cardscan.db'}"


def resolve(pipeline: str | None = None, *, env: Mapping[str, str] | None = None,
            flags: Mapping[str, Any] | None = None) -> Pipeline:
    """The settings of one run: defaults < pipeline file < ``CARDSCAN_*`` < ``flags``.

    ``pipeline`` is a name or path (None: ``$CARDSCAN_PIPELINE``, else ``default``); ``flags``
    maps ``"section.key"`` to a command-line value (None: not given). An empty
    ``storage.database`` becomes :func:`default_database`.
    """
    env = os.environ if env is None else env
    settings = load_pipeline(pipeline or env.get("CARDSCAN_PIPELINE") or None, env=env)
    values = _from_env(env)
    values.update({k: v for k, v in (flags or {}).items() if v is not None})
    settings = with_values(settings, values, source="the environment and the command line")
    if not settings.storage.database:
        settings = replace(settings, storage=replace(settings.storage,
                                                     database=default_database()))
    return settings


def with_values(settings: Pipeline, values: Mapping[str, Any], *, source: str) -> Pipeline:
    """``settings`` with ``{"section.key": value}`` set (strings converted and checked)."""
    sections: dict[str, dict[str, Any]] = {}
    for dotted, value in values.items():
        section, _, key = dotted.partition(".")
        sections.setdefault(section, {})[key] = value
    changed = {}
    for name, given in sections.items():
        if name not in _SECTIONS:
            raise ConfigError(f"{source}: no settings section {name!r}")
        changed[name] = _section(_SECTIONS[name], given, f"{source} [{name}]",
                                 base=getattr(settings, name), typed=False)
    result = replace(settings, **changed)
    _validate(result, source)
    return result


def _from_env(env: Mapping[str, str]) -> dict[str, str]:
    """``CARDSCAN_OCR_LANGUAGES=eng+fra`` -> ``{"ocr.languages": "eng+fra"}``. Variables that
    name no section (``CARDSCAN_PIPELINE``, a test's own) are not settings and are left alone."""
    values = {}
    for name, value in env.items():
        if name in _SHORT_NAMES:
            section, key = _SHORT_NAMES[name]
            values[f"{section}.{key}"] = value
            continue
        for section in _SECTIONS:
            prefix = f"CARDSCAN_{section.upper()}_"
            if name.startswith(prefix):
                values[f"{section}.{name[len(prefix):].lower()}"] = value
    return values


def pipeline_dirs(env: Mapping[str, str] | None = None) -> list[Path]:
    """Where pipeline names are looked up, first match wins: $CARDSCAN_PIPELINES, ./pipelines,
    then the pipelines shipped inside the package."""
    env = os.environ if env is None else env
    dirs = [Path.cwd() / "pipelines"]
    if folder := env.get("CARDSCAN_PIPELINES"):
        dirs.insert(0, Path(folder))
    dirs.append(_shipped_pipelines())
    return dirs


@functools.cache
def _shipped_pipelines() -> Path:
    """``pipelines/`` of the source tree, which a wheel installs as ``cardscan/pipelines``."""
    here = Path(__file__).resolve().parent
    installed = here / "pipelines"
    return installed if installed.is_dir() else here.parent / "pipelines"


def find_pipeline(name_or_path: str, env: Mapping[str, str] | None = None) -> Path | None:
    """Resolve a pipeline name (``default``) or a path (``./show.toml``) to a file."""
    candidate = Path(name_or_path).expanduser()
    if candidate.suffix == ".toml" or os.sep in name_or_path:
        return candidate if candidate.is_file() else None
    for folder in pipeline_dirs(env):
        path = folder / f"{name_or_path}.toml"
        if path.is_file():
            return path
    return None


def load_pipeline(name_or_path: str | None = None, *,
                  env: Mapping[str, str] | None = None) -> Pipeline:
    """Built-in defaults < a pipeline file, by name or path (``None``: ``default``). No
    environment variables: :func:`resolve` adds those."""
    wanted = name_or_path or "default"
    path = find_pipeline(wanted, env)
    if path is None:
        if wanted == "default":
            return Pipeline()
        searched = ", ".join(str(d) for d in pipeline_dirs(env))
        raise ConfigError(f"pipeline {wanted!r} not found (looked in {searched}); "
                          "give a name from pipelines/ or a path to a .toml file")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise ConfigError(f"{path}: cannot read pipeline: {e}") from e
    return pipeline_from_dict(data, source=str(path))


def pipeline_from_dict(data: dict[str, Any], *, source: str = "dict") -> Pipeline:
    """Build a Pipeline from parsed TOML, rejecting unknown keys so typos are not silent."""
    top = {k: v for k, v in data.items() if k not in _SECTIONS}
    unknown = set(top) - {"name", "description"}
    if unknown:
        raise ConfigError(f"{source}: unknown setting(s): {', '.join(sorted(unknown))}")
    sections = {name: _section(cls, data.get(name, {}), f"{source} [{name}]")
                for name, cls in _SECTIONS.items()}
    pipeline = Pipeline(name=str(top.get("name", Path(source).stem)),
                        description=str(top.get("description", "")), source=source, **sections)
    _validate(pipeline, source)
    return pipeline


def _section(cls: type, values: Mapping[str, Any], where: str, *, base: Any = None,
             typed: bool = True) -> Any:
    """``values`` checked against the section's settings; ``typed=False``: values may be text
    (the environment) and are converted to each setting's type."""
    known = {f.name: f for f in fields(cls)}
    unknown = set(values) - set(known)
    if unknown:
        raise ConfigError(f"{where}: unknown setting(s): {', '.join(sorted(unknown))}")
    default = cls() if base is None else base
    converted = {}
    for key, value in values.items():
        expected = type(getattr(default, key))
        if not typed and isinstance(value, str) and expected is not str:
            value = _from_text(value, expected, f"{where}: {key}")
        if expected is tuple and isinstance(value, list):
            value = tuple(value)
        elif expected is float and isinstance(value, int):
            value = float(value)
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            raise ConfigError(f"{where}: {key} must be {expected.__name__}, got {value!r}")
        converted[key] = value
    return replace(default, **converted)


def _from_text(text: str, expected: type, where: str) -> Any:
    """A value typed as text (an environment variable) as the setting's type."""
    try:
        if expected is bool:
            if text.strip().lower() not in ("1", "0", "true", "false", "yes", "no", "on", "off"):
                raise ValueError(text)
            return text.strip().lower() in ("1", "true", "yes", "on")
        if expected is tuple:
            return tuple(_from_text(item, int, where) if item.strip().isdigit() else item.strip()
                         for item in text.split(",") if item.strip())
        return expected(text)
    except ValueError:
        raise ConfigError(f"{where} must be {expected.__name__}, got {text!r}") from None


def _validate(pipeline: Pipeline, source: str) -> None:
    bad_days = set(pipeline.followup.avoid_weekdays) - set(WEEKDAYS)
    if bad_days:
        raise ConfigError(f"{source}: avoid_weekdays takes {', '.join(WEEKDAYS)}, "
                          f"not {', '.join(sorted(bad_days))}")
    if len(set(pipeline.followup.avoid_weekdays)) >= 7:
        raise ConfigError(f"{source}: avoid_weekdays cannot exclude every day")
    policy = pipeline.followup
    if not 1 <= len(policy.touches) <= 6 or set(policy.touches) - set(CHANNELS):
        raise ConfigError(f"{source}: touches is a list of 1 to 6 of {', '.join(CHANNELS)}")
    if len(policy.touch_gaps) != len(policy.touches) - 1 or not all(
            isinstance(g, int) and g >= 1 for g in policy.touch_gaps):
        raise ConfigError(f"{source}: touch_gaps needs one positive number of days per touch "
                          f"after the first ({len(policy.touches) - 1})")
    for key in ("calendar_time", "event_block_time"):
        value = getattr(policy, key)
        if value and not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
            raise ConfigError(f"{source}: {key} is HH:MM (24 h), or \"\" (calendar_time: "
                              "all-day; event_block_time: calendar_time's)")
    if policy.linkedin_without_profile not in ("email", "linkedin"):
        raise ConfigError(f"{source}: linkedin_without_profile is \"email\" or \"linkedin\"")
    if policy.event_block_minutes < 0:
        raise ConfigError(f"{source}: event_block_minutes is 0 (no blocks) or more")
    if policy.holidays not in ("", "region"):  # an explicit country: checked now
        from .followup.holidays import is_holiday

        try:
            is_holiday(dt.date(2026, 1, 1), policy.holidays)
        except ConfigError as e:
            raise ConfigError(f"{source}: {e}") from None
    if pipeline.ocr.back_engine not in ("auto", "tesseract", "rapidocr"):
        raise ConfigError(f"{source}: back_engine is \"auto\", \"tesseract\" or \"rapidocr\"")
    if pipeline.ocr.front_engine not in ("auto", "tesseract", "fused"):
        raise ConfigError(f"{source}: front_engine is \"auto\", \"tesseract\" or \"fused\"")
    if pipeline.ocr.engine not in ("tesseract", "pytesseract", "recorded"):
        raise ConfigError(f"{source}: engine is \"tesseract\", \"pytesseract\" or "
                          "\"recorded\"")
    if pipeline.ocr.engine == "recorded" and not pipeline.ocr.recording:
        raise ConfigError(f"{source}: engine = \"recorded\" needs recording = FILE")
    if pipeline.parse.date_order not in ("MDY", "DMY"):
        raise ConfigError(f"{source}: date_order must be \"MDY\" or \"DMY\"")
    limits = pipeline.limits
    if min(limits.max_file_mb, limits.max_page_megapixels, limits.max_file_megapixels,
           limits.max_pages, limits.max_pdf_page_points, limits.min_side) < 1 or (
            limits.worker_memory_mb < 0):
        raise ConfigError(f"{source}: [limits] are positive numbers (worker_memory_mb 0: none)")
    if pipeline.ocr.page_mode not in range(14) or pipeline.ocr.back_page_mode not in range(14):
        raise ConfigError(f"{source}: page modes are Tesseract --psm values 0-13")
