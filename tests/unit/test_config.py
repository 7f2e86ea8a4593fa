"""Pipeline files: the shipped default matches the built-in defaults; mistakes are caught."""

from __future__ import annotations

from pathlib import Path

import pytest

from cardscan.config import Pipeline, load_pipeline, pipeline_from_dict
from cardscan.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]


def test_default_toml_is_the_builtin_default() -> None:
    loaded = load_pipeline(str(ROOT / "pipelines" / "default.toml"))
    builtin = Pipeline()
    assert (loaded.preprocess, loaded.ocr, loaded.parse, loaded.followup) == (
        builtin.preprocess, builtin.ocr, builtin.parse, builtin.followup)


def test_every_shipped_pipeline_loads() -> None:
    for path in (ROOT / "pipelines").glob("*.toml"):
        assert load_pipeline(str(path)).name


def test_a_copied_and_edited_pipeline_changes_behaviour(tmp_path: Path) -> None:
    path = tmp_path / "uk-show.toml"
    path.write_text('[parse]\ndefault_region = "GB"\ndate_order = "DMY"\n', encoding="utf-8")
    pipeline = load_pipeline(str(path))
    assert (pipeline.name, pipeline.parse.default_region, pipeline.parse.date_order) == (
        "uk-show", "GB", "DMY")
    assert pipeline.ocr.page_mode == 3  # untouched keys keep their defaults


@pytest.mark.parametrize(("data", "message"), [
    ({"ocr": {"page_mod": 3}}, "unknown setting"),
    ({"ocr": {"page_mode": "3"}}, "must be int"),
    ({"followup": {"avoid_weekdays": ["Caturday"]}}, "avoid_weekdays"),
    ({"parse": {"date_order": "YMD"}}, "date_order"),
    ({"colour": "blue"}, "unknown setting"),
])
def test_mistakes_in_a_pipeline_file_are_reported(data: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        pipeline_from_dict(data, source="x.toml")


def test_an_unknown_pipeline_name_says_where_it_looked() -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_pipeline("no-such-pipeline")
