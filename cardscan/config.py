"""Settings: built-in defaults < pipeline file < CARDSCAN_* environment < command-line flags."""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from .errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

CHANNELS = ("email", "call", "note")
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


_SECTIONS: dict[str, type] = {
    "preprocess": Preprocess,
    "ocr": Ocr,
    "parse": Parse,
    "followup": Followup,
}


def pipeline_dirs() -> list[Path]:
    """Where pipeline names are looked up, first match wins."""
    dirs = [Path.cwd() / "pipelines"]
    if env := os.environ.get("CARDSCAN_PIPELINES"):
        dirs.insert(0, Path(env))
    dirs.append(Path(__file__).resolve().parent.parent / "pipelines")
    return dirs


def find_pipeline(name_or_path: str) -> Path | None:
    """Resolve a pipeline name (``default``) or a path (``./show.toml``) to a file."""
    candidate = Path(name_or_path).expanduser()
    if candidate.suffix == ".toml" or os.sep in name_or_path:
        return candidate if candidate.is_file() else None
    for folder in pipeline_dirs():
        path = folder / f"{name_or_path}.toml"
        if path.is_file():
            return path
    return None


def load_pipeline(name_or_path: str | None = None) -> Pipeline:
    """Load a pipeline by name or path; ``None`` means $CARDSCAN_PIPELINE or ``default``."""
    wanted = name_or_path or os.environ.get("CARDSCAN_PIPELINE") or "default"
    path = find_pipeline(wanted)
    if path is None:
        if wanted == "default":
            return Pipeline()
        searched = ", ".join(str(d) for d in pipeline_dirs())
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


def _section(cls: type, values: dict[str, Any], where: str) -> Any:
    known = {f.name: f for f in fields(cls)}
    unknown = set(values) - set(known)
    if unknown:
        raise ConfigError(f"{where}: unknown setting(s): {', '.join(sorted(unknown))}")
    default = cls()
    converted = {}
    for key, value in values.items():
        expected = type(getattr(default, key))
        if expected is tuple and isinstance(value, list):
            value = tuple(value)
        elif expected is float and isinstance(value, int):
            value = float(value)
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            raise ConfigError(f"{where}: {key} must be {expected.__name__}, got {value!r}")
        converted[key] = value
    return replace(default, **converted)


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
    if policy.calendar_time and not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d",
                                                 policy.calendar_time):
        raise ConfigError(f"{source}: calendar_time is HH:MM (24 h), or \"\" for all-day")
    if pipeline.ocr.back_engine not in ("auto", "tesseract", "rapidocr"):
        raise ConfigError(f"{source}: back_engine is \"auto\", \"tesseract\" or \"rapidocr\"")
    if pipeline.parse.date_order not in ("MDY", "DMY"):
        raise ConfigError(f"{source}: date_order must be \"MDY\" or \"DMY\"")
    if pipeline.ocr.page_mode not in range(14) or pipeline.ocr.back_page_mode not in range(14):
        raise ConfigError(f"{source}: page modes are Tesseract --psm values 0-13")
