"""A card's language (which Tesseract model reads it, which country it is from) and the
countries of web domains: on the recorded OCR of the sample cards, printed in ten languages,
and on the rules one by one."""

from __future__ import annotations

import json

import pytest

from cardscan.parse.language import in_scripts, language_of, needs_script
from cardscan.parse.regions import region_language, region_languages, tld_region
from tests.conftest import SAMPLES
from tests.recorded import DATA, ocr_from_json

CARDS = [c for c in json.loads((SAMPLES / "labels.json").read_text(encoding="utf-8"))["cards"]
         if "language" in c]


def _front_texts(card_id: str) -> list[str]:
    recorded = json.loads((DATA / "ocr" / f"{card_id}.json").read_text(encoding="utf-8"))
    return [ln.text for ln in ocr_from_json(recorded["front"]).lines]


def test_the_samples_are_printed_in_at_least_eight_languages() -> None:
    assert len({c["language"] for c in CARDS}) >= 8


@pytest.mark.parametrize("card", CARDS, ids=[c["id"] for c in CARDS])
def test_the_language_of_each_sample_card(card: dict) -> None:
    found = language_of(_front_texts(card["id"]))
    if card["language"] == "en":
        assert found in ("en", None)  # an English card may be too short to be sure of
    else:
        assert found == card["language"]


def test_east_asian_scripts() -> None:
    assert language_of(["株式会社ミナト精機", "佐藤 花子"]) == "ja"  # kana
    assert language_of(["김민준", "영업팀장"]) == "ko"  # hangul
    assert language_of(["上海星河科技有限公司", "李明"]) == "zh"
    # Chinese characters alone: the domain's country, then Tesseract's script detection.
    assert language_of(["東京電力", "山田太郎", "yamada@tepco.co.jp"]) == "ja"
    assert language_of(["〒100-0011 東京都千代田区", "山田太郎"]) == "ja"
    assert language_of(["召叫圣", "仝三", "minjun.kim@hanbitsoft.co.kr"]) == "ko"
    assert needs_script(["召叫圣", "仝三"]) and not needs_script(["召叫圣", "x@a.co.kr"])
    assert language_of(["召叫圣", "仝三"], script="Hangul") == "ko"
    assert language_of(["召叫圣", "仝三"], script="Latin") == "zh"
    assert language_of(["口", "Acme Robotics"]) is None  # one stray glyph is not a script


def test_latin_languages_and_letters_only_one_uses() -> None:
    assert language_of(["Directora de Operaciones", "Almendra Logística S.L.",
                        "Calle de Alcalá 120", "28009 Madrid", "España"]) == "es"
    assert language_of(["Responsabile Commerciale", "Società Meccanica Ferraresi S.r.l.",
                        "Via Tortona 27", "Milano"]) == "it"
    assert language_of(["Ação"]) is None  # too little text to say
    # The country the card names decides; langid would take the name for French (0.99999).
    assert language_of(["José Montgomery", "Customer Success Manager",
                        "Office +1 (645) 511-7039"]) == "en"
    assert language_of(["Jose Nunez", "Diretor Comercial", "jose@verdevale.com.br"]) == "pt"
    # A country of several languages: langid among them.
    assert language_of(["Marie Dubois", "Conseillère principale", "Rue de la Loi 16",
                        "1000 Bruxelles", "Belgique"]) == "fr"
    # No country: the words that are not a person's name decide.
    assert language_of(["Granite Dynamics Inc.", "José Montgomery", "Customer Success Manager",
                        "jose@granitedynamics.com"]) == "en"


def test_scripts_an_engine_can_read_on_a_card() -> None:
    readable = frozenset({"han", "kana"})
    assert in_scripts("株式会社ミナト精機", "ja", readable)
    assert not in_scripts("召叫圣", "ko", readable)  # hangul read as Chinese characters
    assert not in_scripts("口 Acme", "en", readable)
    assert in_scripts("minjun@hanbit.co.kr", "ko", readable)


def test_countries_of_domains_and_their_languages() -> None:
    assert [tld_region(t) for t in ("jp", "uk", "de", "kr", "com", "io", "co", "eu")] == [
        "JP", "GB", "DE", "KR", None, None, None, None]
    assert region_language("MX") == "es" and region_language("TW") == "zh"
    assert region_languages("BE") == ("nl", "fr", "de")
