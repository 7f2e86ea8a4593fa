"""Follow-ups never fall on a public holiday of the configured country, and drafts come from
templates in five languages with the meeting's date as that language writes it."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest

from cardscan.config import Followup, Parse, Pipeline, resolve
from cardscan.errors import ConfigError
from cardscan.followup import drafts
from cardscan.followup.planner import Meeting, first_touch_due, plan

US, DE = replace(Followup(), holidays="US"), replace(Followup(), holidays="DE")


def test_christmas_and_new_year_are_skipped() -> None:
    # Met Wed 23 Dec: Fri 25 Dec is Christmas, so the e-mail is due Thu 24 Dec; the call a
    # week later would be Thu 31 Dec, the note two weeks after it (14 Jan) stands.
    tasks = plan(Meeting(dt.date(2026, 12, 23)), US)
    assert [t.due_on for t in tasks] == [dt.date(2026, 12, 24), dt.date(2026, 12, 31),
                                         dt.date(2027, 1, 14)]
    # Met Tue 29 Dec: Thu 31 Dec is the latest day in the window; a call done on Thu 24 Dec
    # is planned a week on, Thu 31 Dec; from Fri 25 Dec, a week on is Fri 1 Jan: New Year's
    # Day, then the weekend and Monday: Tue 5 Jan.
    assert first_touch_due(dt.date(2026, 12, 29), US) == dt.date(2026, 12, 31)
    from cardscan.followup.planner import later_touch_due
    assert later_touch_due(2, dt.date(2026, 12, 25), US) == dt.date(2027, 1, 5)
    # No calendar: Christmas Day is an ordinary Friday.
    assert first_touch_due(dt.date(2026, 12, 23), replace(US, holidays="")) == \
        dt.date(2026, 12, 25)


@pytest.mark.parametrize(("policy", "met", "due"), [
    # US: Thanksgiving, Thu 26 Nov 2026 -> Wed 25 Nov is the latest allowed day in the window.
    (US, dt.date(2026, 11, 24), dt.date(2026, 11, 25)),
    # Germany: Day of German Unity, Sat 3 Oct 2026 is a weekend anyway; Good Friday 3 Apr 2026
    # and Easter Monday 6 Apr: met Wed 1 Apr -> Thu 2 Apr (the latest allowed in the window).
    (DE, dt.date(2026, 4, 1), dt.date(2026, 4, 2)),
    # Germany, met Thu 2 Apr: Fri 3 Apr (Good Friday), the weekend, Mon 6 Apr (Easter Monday,
    # and a Monday) -> Tue 7 Apr.
    (DE, dt.date(2026, 4, 2), dt.date(2026, 4, 7)),
])
def test_national_holidays_of_two_countries(policy: Followup, met: dt.date, due: dt.date) -> None:
    assert first_touch_due(met, policy) == due


def test_the_same_meeting_in_two_countries() -> None:
    # Thu 2 Apr 2026: Good Friday is a holiday in Germany, not a US federal one.
    assert first_touch_due(dt.date(2026, 4, 2), US) == dt.date(2026, 4, 3)
    assert first_touch_due(dt.date(2026, 4, 2), DE) == dt.date(2026, 4, 7)


def test_the_pipeline_takes_its_default_region_and_refuses_an_unknown_country() -> None:
    assert Pipeline(parse=replace(Parse(), default_region="DE")).policy.holidays == "DE"
    assert Pipeline(followup=replace(Followup(), holidays="")).policy.holidays == ""
    with pytest.raises(ConfigError, match="holidays = 'XX'"):
        resolve(None, env={"CARDSCAN_FOLLOWUP_HOLIDAYS": "XX"})


MEETING = Meeting(dt.date(2026, 11, 3), name="Priya Raman", event="BIO-Europe",
                  topics=("assay licensing", "Pricing"), actions=("Send NDA",))
# Per language: the meeting's date as it writes it, and its word for "and" in a list.
LOCAL = {"en": ("November 3", " and "), "de": ("3. November", " und "),
         "fr": ("3 novembre", " et "), "es": ("3 de noviembre", " y "),
         "pt": ("3 de novembro", " e ")}


@pytest.mark.parametrize("language", drafts.SHIPPED)
def test_drafts_in_five_languages(language: str) -> None:
    when, conjunction = LOCAL[language]
    texts = [t.draft for t in plan(replace(MEETING, language=language), Followup())]
    assert len(texts) == 3 and len(set(texts)) == 3  # e-mail, call, last note differ
    for text in texts:
        assert "Priya" in text and "BIO-Europe" in text and when in text
        assert f"assay licensing{conjunction}pricing" in text
        assert "{" not in text and "  " not in text
    if language != "en":
        assert not any(w in " ".join(texts) for w in ("Hi ", "great to meet", "Call "))


def test_a_card_in_another_language_gets_english_and_the_pipeline_can_choose() -> None:
    english = plan(replace(MEETING, language="ja"), Followup())[0].draft
    assert english.startswith("Hi Priya, great to meet you at BIO-Europe on November 3.")
    forced = plan(MEETING, replace(Followup(), draft_language="fr"))[0].draft
    assert forced.startswith("Bonjour Priya")


def test_a_users_own_template_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    own = tmp_path / "drafts" / "en"
    own.mkdir(parents=True)
    (own / "email-1.txt").write_text("Hey {{ first }} - {{ when }}, {{ event }}!\n",
                                     encoding="utf-8")
    monkeypatch.setenv("CARDSCAN_PIPELINES", str(tmp_path))
    [first, second, *_] = plan(MEETING, Followup())
    assert first.draft == "Hey Priya - November 3, BIO-Europe!"
    assert second.draft.startswith("Call Priya:")  # the shipped call template still serves
