"""Pipeline files: the shipped default matches the built-in defaults; mistakes are caught."""

from __future__ import annotations

from pathlib import Path

import pytest

from cardscan.config import (
    Pipeline,
    default_database,
    load_pipeline,
    pipeline_from_dict,
    resolve,
)
from cardscan.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]


def test_default_toml_is_the_builtin_default() -> None:
    loaded = load_pipeline(str(ROOT / "pipelines" / "default.toml"))
    builtin = Pipeline()
    assert (loaded.preprocess, loaded.ocr, loaded.parse, loaded.followup, loaded.storage) == (
        builtin.preprocess, builtin.ocr, builtin.parse, builtin.followup, builtin.storage)


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


# --- settings in layers: defaults < pipeline file < CARDSCAN_* < flags ---------------------------

def test_each_layer_overrides_the_one_before(tmp_path: Path) -> None:
    show = tmp_path / "show.toml"
    show.write_text('[ocr]\nlanguages = "eng+fra"\ntimeout = 30\n[parse]\ndefault_region = "FR"\n'
                    '[storage]\ndatabase = "sqlite:///from-file.db"\n', encoding="utf-8")
    env = {"CARDSCAN_OCR_TIMEOUT": "45", "CARDSCAN_DB": "sqlite:///from-env.db",
           "CARDSCAN_FOLLOWUP_TOUCH_GAPS": "3", "CARDSCAN_FOLLOWUP_TOUCHES": "email, call",
           "CARDSCAN_PREPROCESS_DESKEW": "no", "CARDSCAN_REQUIRE_BROWSER": "1"}
    settings = resolve(str(show), env=env, flags={"storage.database": "sqlite:///flag.db"})
    assert settings.ocr.languages == "eng+fra"  # the file over the default
    assert settings.ocr.timeout == 45  # the environment over the file
    assert settings.parse.default_region == "FR" and settings.ocr.page_mode == 3
    assert settings.storage.database == "sqlite:///flag.db"  # the flag over everything
    assert settings.followup.touches == ("email", "call")
    assert settings.followup.touch_gaps == (3,) and settings.preprocess.deskew is False
    no_flag = resolve(str(show), env=env, flags={"storage.database": None})
    assert no_flag.storage.database == "sqlite:///from-env.db"
    assert resolve(str(show), env={}).storage.database == "sqlite:///from-file.db"


def test_the_pipeline_and_the_database_default_from_the_environment() -> None:
    settings = resolve(None, env={"CARDSCAN_PIPELINE": "europe"})
    assert (settings.name, settings.parse.default_region) == ("europe", "DE")
    assert settings.storage.database == default_database()


@pytest.mark.parametrize(("env", "message"), [
    ({"CARDSCAN_OCR_PAGE_MODE": "three"}, "page_mode must be int, got 'three'"),
    ({"CARDSCAN_OCR_LANGAUGES": "eng"}, "unknown setting"),
    ({"CARDSCAN_PREPROCESS_DESKEW": "maybe"}, "deskew must be bool"),
    ({"CARDSCAN_FOLLOWUP_AVOID_WEEKDAYS": "Caturday"}, "avoid_weekdays"),
    ({"CARDSCAN_OCR_ENGINE": "recorded"}, "needs recording"),
])
def test_mistakes_in_the_environment_are_reported(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        resolve(None, env=env)
