"""The language of a card's text, among those cardscan reads: it tells the card's country
when nothing else does, and which Tesseract language model to read the card with.

East Asian cards are told apart by their script (kana is Japanese, hangul Korean); Chinese
characters alone are Japanese, Korean or Chinese by the country of the card's e-mail or web
domain, else by Tesseract's script detection (OSD), else Chinese. Latin text: the language of
the country the card names (printed, a +country code, a postcode, its domain), else langid.py
(BSD licence, its model inside the package; among the country's languages when it has several),
else letters only one language uses (ã: Portuguese)."""

from __future__ import annotations

import copy
import re
from functools import lru_cache
from typing import Any

from . import lines as L
from .addresses import trailing_country
from .names import looks_like_name
from .persons import is_person
from .phones import international_region
from .regions import region_language, region_languages, tld_region

# langid code -> Tesseract language model
TESSERACT_MODELS = {"en": "eng", "de": "deu", "fr": "fra", "es": "spa", "pt": "por",
                    "it": "ita", "nl": "nld", "ja": "jpn", "zh": "chi_sim", "ko": "kor"}
# The country a language's cards most often come from, when the card itself does not say.
LANGUAGE_REGIONS = {"de": "DE", "fr": "FR", "es": "ES", "pt": "BR", "it": "IT", "nl": "NL",
                    "ja": "JP", "zh": "CN", "ko": "KR"}
CJK = frozenset({"ja", "zh", "ko"})
# Tesseract OSD's script names -> the language cardscan reads that script with.
OSD_SCRIPTS = {"Japanese": "ja", "Katakana": "ja", "Hiragana": "ja", "Hangul": "ko",
               "Han": "zh"}
_MIN_LETTERS = 20  # less Latin text than this says nothing reliable about its language
_MIN_SIGNS = 2  # East Asian characters that make a card East Asian (a stray logo glyph: 1)
_SURE = 0.9  # langid's probability, normalised over the languages above
_KANA = re.compile("[\u3040-\u30ff\u31f0-\u31ff]")
_HANGUL = re.compile("[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]")
_HAN = re.compile("[\u4e00-\u9fff\u3400-\u4dbf]")
_HOST = re.compile(r"(?:@|www\.|https?://)([\w-]+(?:\.[\w-]+)+)", re.IGNORECASE)


def scripts(text: str) -> dict[str, int]:
    """How many kana, hangul and Chinese characters a text holds."""
    return {"kana": len(_KANA.findall(text)), "hangul": len(_HANGUL.findall(text)),
            "han": len(_HAN.findall(text))}


def _domain_language(text: str, languages: frozenset[str] = CJK) -> str | None:
    """The language (among ``languages``) of the country the card's e-mail and web domains
    name ("verdevale.com.br": Portuguese)."""
    for host in _HOST.findall(text):
        region = tld_region(host.rsplit(".", 1)[-1])
        language = region_language(region) if region else None
        if language in languages:
            return language
    return "ja" if "〒" in text and "ja" in languages else None  # the Japanese postal mark


def card_region(texts: list[str], hosts: list[str] | None = None) -> str | None:
    """The country a card names itself: a printed country, a +country code, an unambiguous
    postcode shape, two words only that country's cards use, the country of its e-mail or
    web domain (``hosts``, else those found in the text)."""
    for text in texts:
        if region := L.country_in(text) or trailing_country(text):
            return region
    if region := international_region(texts):
        return region
    for text in texts:
        if region := L.postcode_region(text):
            return region
    for region, words in L.REGION_WORDS.items():
        if sum(bool(words.search(text)) for text in texts) >= 2:
            return region
    for host in hosts if hosts is not None else _HOST.findall("\n".join(texts)):
        if region := tld_region(host.rsplit(".", 1)[-1]):
            return region
    return None


def needs_script(texts: list[str]) -> bool:
    """Whether only Tesseract's script detection can tell the card's language: Chinese
    characters, no kana or hangul, and no East Asian domain."""
    text = "\n".join(texts)
    found = scripts(text)
    return (found["han"] >= _MIN_SIGNS and not found["kana"] and not found["hangul"]
            and _domain_language(text) is None)


def language_of(texts: list[str], script: str | None = None) -> str | None:
    """The language code ("pt") of the card's words, or None when unsure. ``script`` is
    Tesseract OSD's name for the card's script, when it was asked (see needs_script)."""
    text = "\n".join(texts)
    found = scripts(text)
    if found["kana"] >= _MIN_SIGNS:
        return "ja"
    if found["hangul"] >= _MIN_SIGNS:
        return "ko"
    if found["han"] >= _MIN_SIGNS:
        return _domain_language(text) or OSD_SCRIPTS.get(script or "", "zh")
    # The country the card names says most: langid takes a Brazilian card's few words for
    # Italian (0.78) and an English card's names for French ("José Montgomery": 0.99999).
    region = card_region(texts)
    # (No East Asian characters here: a Japanese company's card in English is English.)
    spoken = [c for c in region_languages(region or "") if c in TESSERACT_MODELS
              and c not in CJK]
    if len(spoken) == 1:
        return spoken[0]
    # Lines that are addresses for e-mail, the web or the phone are not language, and nor
    # are people's names (the name model's persons: "Katrin van der Berg" is Dutch to langid)
    # unless that leaves too little to judge.
    lines = [t for t in texts if "@" not in t and "www" not in t.lower()
             and sum(c.isdigit() for c in t) < 0.3 * max(len(t), 1)]
    words = "\n".join(t for t in lines if not (looks_like_name(t) and is_person(t)))
    if sum(c.isalpha() for c in words) < _MIN_LETTERS:
        words = "\n".join(lines)
    if sum(c.isalpha() for c in words) < _MIN_LETTERS:
        return spoken[0] if spoken else None
    code, probability = _identifier(tuple(spoken)).classify(words)
    if probability >= _SURE or spoken:
        return str(code)
    # Too little text for the model: letters only one of the languages uses decide.
    return next((language for pattern, language in _OWN_LETTERS if pattern.search(words)),
                None)


def load_language_model() -> None:
    """Unpack langid's model now (workers do before their first card)."""
    _full_identifier()


@lru_cache(maxsize=1)
def _full_identifier() -> Any:
    """langid's model, unpacked once per process: decompressing and unpickling it costs 1.2 s
    (measured), which each language set paid again before and a batch of 24 clean scans
    paid as 0.05 s a card."""
    from langid.langid import LanguageIdentifier, model

    return LanguageIdentifier.from_modelstring(model, norm_probs=True)


@lru_cache(maxsize=8)
def _identifier(among: tuple[str, ...] = ()) -> Any:
    """langid's identifier over ``among`` (a multilingual country's languages), or over every
    Latin-script language cardscan reads; each shares the one unpacked model."""
    full = _full_identifier()
    identifier = copy.copy(full)
    identifier.set_languages(list(among) or [c for c in TESSERACT_MODELS if c not in CJK])
    return identifier


_OWN_LETTERS = ((re.compile("[ãõ]"), "pt"), (re.compile("ñ"), "es"), (re.compile("ß"), "de"))


# The East Asian scripts each language is printed in.
LANGUAGE_SCRIPTS = {"ja": frozenset({"han", "kana"}), "zh": frozenset({"han"}),
                    "ko": frozenset({"hangul"})}


def in_scripts(text: str, language: str | None, readable: frozenset[str]) -> bool:
    """Whether every East Asian character of ``text`` is of a script the card's language is
    printed in and an engine that reads ``readable`` scripts can read: Chinese characters on
    a Korean card, or on a Latin one, are another engine's misreading."""
    own = LANGUAGE_SCRIPTS.get(language or "", frozenset()) & readable
    return all(not count or script in own for script, count in scripts(text).items())
