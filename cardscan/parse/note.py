"""The handwritten back: note lines -> date met, event, topics, promised actions, priority,
in English, German, French, Spanish, Portuguese, Italian and Dutch."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from rapidfuzz.distance import Levenshtein

from ..model import ContactFields, Note
from . import regions
from .dates import NUMERIC_RE, date_spans, find_date, fold, languages_for
from .language import language_of
from .lines import clean

# Words that open a line about the meeting: "Met 6/12", "Getroffen am 3. Dez", "Rencontré à",
# "Conocí en", "Conheci na", "Incontrato", "Ontmoet op" (folded: no accents, lower case).
_MET_WORDS = ("met", "meeting", "mtg", "getroffen", "kennengelernt", "treffen", "rencontre",
              "rencontree", "conoci", "conheci", "incontrato", "incontrata", "ontmoet")
# How handwriting OCR reads "Met" at the start of a line: Het, Mot, Mct, rnet.
_MET_SLIPS_RE = re.compile(r"^(?:het|mot|mct|rnet|me\+)(?=\s|$)", re.IGNORECASE)
# Lines that say when we met without naming an event: "Coffee 10/3 w/ Dana".
_MEAL_WORDS = ("coffee", "lunch", "dinner", "breakfast", "drinks", "kaffee", "mittagessen",
               "abendessen", "cafe", "dejeuner", "diner", "almuerzo", "cena", "desayuno",
               "almoco", "jantar", "pranzo", "lunchen")
_TOPIC_WORDS = ("topics", "topic", "re", "talked about", "discussed", "spoke about",
                "interested in", "interest", "thema", "themen", "besprochen",
                "interessiert an", "sujets", "sujet", "interesse par", "interessee par",
                "discute", "temas", "tema", "interesado en", "interesada en", "hablamos de",
                "assuntos", "assunto", "interessado em", "interessada em", "falamos de",
                "argomenti", "argomento", "interessato a", "onderwerp", "onderwerpen",
                "interesse in")
_ACTION_WORDS = ("f/u", "fu", "f/up", "todo", "to do", "action", "next", "follow up",
                 "follow-up", "followup", "aufgabe", "nachfassen", "a faire", "suivi",
                 "pendiente", "seguimiento", "tarea", "pendente", "fazer", "da fare",
                 "actie")
# How to say the name ("pron: zo-AY leh-FEV", "Aussprache: SHIG-eh-roo", "se prononce ...",
# "se pronuncia ...", "pronúncia ..."), folded. "say" and "sounds like" open a hint only when
# what follows looks like one (syllables joined by hyphens, or in slashes or quotes): "say hi
# to Tom" is an action.
_PRON_WORDS = ("pronounced", "pronounce", "pronunciation", "pron", "phonetic", "aussprache",
               "ausgesprochen", "se prononce", "prononciation", "prononce", "se pronuncia",
               "pronunciacion", "pronuncia-se", "pronuncia", "pronuncie", "uitspraak",
               "spreek uit", "si pronuncia")
_SAY_WORDS = ("sounds like", "say", "sprich", "klingt wie", "se dit", "dites", "suena como",
              "se dice", "soa como", "diga", "si dice")
_SYLLABLES_RE = re.compile(r"[^\W\d_]+-[^\W\d_]+")
# A hint alone in slashes, as dictionaries write it: "/zo-AY/" (never a date: no digits).
_SLASHED_RE = re.compile(r"(?:^|(?<=\s))/([^\s/\d][^/\d]{0,40}[^\s/\d])/(?=$|[\s.,;])")
_ACTION_MARK_RE = re.compile(r"^\s*(?:->|=>|→|⇒|>)\s*")
_ACTION_VERB_RE = re.compile(
    r"^(?:send|call|email|e-mail|mail|intro|introduce|demo|ping|schedule|book|share|set up|"
    r"setup|follow up|connect|invite|quote|ship|forward|text|meet|visit|reply|check|"
    r"schicken|senden|anrufen|mailen|vorstellen|einladen|envoyer|appeler|rappeler|"
    r"presenter|inviter|enviar|llamar|mandar|presentar|invitar|ligar|apresentar|convidar|"
    r"inviare|chiamare|sturen|bellen)\b", re.IGNORECASE)
# Printed copy on a card's back speaks to the reader ("Call us today for a quote", "Follow
# us on LinkedIn", "Book your free consultation", "Visit www.acme.com"); a note written to
# oneself never does, so such a line is no promised action. The reader: "you" in any of the
# note languages (formal and plural), or "us" as the object of the line's first verb. Not
# "our"/"we": a note-to-self says "send our deck"; not a capital "US" in a written line (the
# country: "intro to US team").
_READER_RE = re.compile(r"\b(?:you|your|yours|yourself|vous|votre|vos|usted|ustedes|"
                        r"você|vocês|voce|voces|jullie)\b", re.IGNORECASE)
_OBJECT_US_RE = re.compile(r"^\S+\s+(?:with\s+)?(us)\b", re.IGNORECASE)
# Nothing after the verb but a site's address ("Visit www.acme.com"): the card's own,
# printed. A page ("check acme.com/pricing"), a phone number or an e-mail address after the
# verb may be a note ("Call back 415-555-0142").
_ONLY_WEB_RE = re.compile(r"^\S+\s+(?:us\s+(?:at|on)\s+)?(?:https?://)?(?:www\.)?"
                          r"[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}/?\s*[.!]?$")
_HIGH_RE = re.compile(r"!!|\b(?:hot|urgent|asap|priority|important|vip|dringend|wichtig|eilig|"
                      r"urgente|importante|prioritaire|prioritario|prioridade|prioritaria|"
                      r"belangrijk|spoed)\b|[★☆*]", re.IGNORECASE)
# The place after a date or "met": "@ CES", "at Web Summit", "auf der Medica", "au salon".
_EVENT_RE = re.compile(
    r"(?:@|\b[Aa][Tt]\b)\s*(?P<event>[A-Z0-9][\w&+'.:-]*(?:\s+[\w&+'.:-]+){0,4})")
_LEADING_RE = re.compile(
    r"^(?:(?:at|on|in|during|auf der|auf dem|auf|bei der|bei|beim|am|im|an der|au salon|au|"
    r"aux|a la|a l'|à la|à l'|à|a|lors de|le|la|en el|en la|en|el|na|no|em|durante|al|alla|"
    r"op|tijdens|w/|with)\s+)+", re.IGNORECASE)

# Digits that handwriting OCR reads as letters, mended only inside a date-shaped token.
_DATE_TOKEN_RE = re.compile(
    r"(?<![\w/])([\dOoIl|SZBGgq]{1,2})([/.])([\dOoIl|SZBGgq]{1,2})(?![\w])")
_DIGITS = str.maketrans({"O": "0", "o": "0", "I": "1", "l": "1", "|": "1", "S": "5", "Z": "2",
                         "B": "8", "G": "9", "g": "9", "q": "9"})
# A date written but not read: "MET L/12" (an open 6 read as an L), "Met 1?/4".
_UNREAD_DATE_RE = re.compile(r"(?<![\w/])[^\s/.]{1,2}[/.][^\s/.]{1,2}(?:[/.]\d{2,4})?(?![\w/])")
_UNREAD_DATE_CONF = 0.3  # under REVIEW_BELOW: on the contact's review list
# Letters that handwriting OCR reads as digits, mended in a line's first word ("DEM0").
_LETTERS = str.maketrans({"0": "o", "1": "l", "5": "s"})
# "Met 218", "Coffee 1013": the slash of 2/8 or 10/3 read as a 1 (only on a line about the
# meeting with no other date).
_SLASH_AS_ONE_RE = re.compile(r"(?<![\d/])(1[0-2]|[1-9])1([1-9]|[12]\d|3[01])(?![\d/])")
# Shouted notes: in a line mostly in capitals, these stay in capitals (acronyms, "Q3").
_KEEP_CAPS_RE = re.compile(r"^(?:[A-Z]{2,3}\d?|[A-Z]\d+|\d+[A-Z]+|[A-Z]+\d+[A-Z]*)$")
_SMALL_WORDS = frozenset((
    "a", "an", "the", "to", "in", "on", "at", "by", "of", "for", "and", "or", "w/", "re",
    "is", "it", "we", "my", "our", "via", "per",
    "der", "die", "das", "und", "mit", "am", "im", "zu", "von", "den", "dem", "des", "ein",
    "le", "la", "les", "et", "de", "du", "au", "en", "un", "une", "pour", "par", "avec",
    "el", "los", "las", "y", "con", "del", "por", "para", "una",
    "o", "os", "as", "e", "com", "do", "da", "dos", "das", "em", "no", "na", "um", "uma",
    "il", "lo", "gli", "di", "het", "een", "van", "op", "met", "voor"))


def parse_note(lines: Sequence[str], *, reference: dt.date, date_order: str = "MDY",
               language: str | None = None, line_conf: Sequence[float] | None = None,
               not_after: dt.date | None = None) -> Note:
    """Read the meeting note; dates without a year land nearest ``reference`` (and, given
    ``not_after``, the scan date when the user gave no date, not after it: a meeting
    written on a card is in the past). ``language``: the card's, for month names and
    relative dates ("gestern"); English is always understood."""
    languages = languages_for(language)
    texts = [_mend(clean(t, addresses=False).lstrip("\"'")) for t in lines]
    confs = list(line_conf) if line_conf else [1.0] * len(texts)
    used: dict[str, list[float]] = {}
    met_on = _met_on(texts, reference, date_order, languages, confs, used, not_after)
    event = _event(texts, languages, confs, used)
    topics: list[str] = []
    actions: list[str] = []
    pronunciation = None
    for text, conf in zip(texts, confs, strict=False):
        if pronunciation is None and (hint := _pronunciation(text)):
            pronunciation = hint
            used["pronunciation"] = [conf]
        elif (rest := _after_keyword(text, _TOPIC_WORDS)) is not None:
            topics += _split_items(rest)
            used.setdefault("topics", []).append(conf)
        elif action := _action(text):
            actions.append(action)
            used.setdefault("actions", []).append(conf)
    high = any(_HIGH_RE.search(t) for t in lines)  # raw lines: cleaning drops a leading star
    return Note(met_on=met_on, event=sentence_case(event, title=True) if event else None,
                topics=tuple(map(sentence_case, topics)),
                actions=tuple(map(sentence_case, actions)),
                priority="high" if high else "normal", pronunciation=pronunciation,
                confidence={k: round(min(v), 3) for k, v in used.items()})


def read_back(lines: Sequence[str], front: ContactFields, *, reference: dt.date,
              default_region: str = "US", date_order: str = "MDY",
              line_conf: Sequence[float] | None = None, not_after: dt.date | None = None
              ) -> Note:
    """The note on the back of the card whose front gave ``front``: read in the language of
    the note (else the card's country's), with dates in the card's country's order (the
    pipeline's ``date_order`` for cards of its default region)."""
    region = front.region or default_region
    order = date_order if region == default_region else (regions.date_order(region)
                                                         or date_order)
    language = language_of(list(lines)) or regions.region_language(region)
    return parse_note(lines, reference=reference, date_order=order, language=language,
                      line_conf=line_conf, not_after=not_after)


def sentence_case(text: str, *, title: bool = False) -> str:
    """A value OCR read in capitals ("SEND SOC2 REPORT") as a person would write it ("Send
    SOC2 report"; with ``title``, a name: "Hannover Messe"); acronyms and codes keep their
    capitals, text in mixed case is left as it is. Handwriting fonts with a small "i"
    ("PiLOT iN Q3") count as capitals."""
    letters = [c for c in text if c.isalpha()]
    if len(letters) < 4 or sum(c.isupper() or c == "i" for c in letters) < 0.8 * len(letters):
        return text
    words = []
    for n, word in enumerate(text.split()):
        bare = word.strip(".,;:!?()")
        if _KEEP_CAPS_RE.match(bare) and bare.lower() not in _SMALL_WORDS:
            words.append(word)
        else:
            lower = word.lower()
            upper = n == 0 or (title and lower not in _SMALL_WORDS)
            words.append(lower[:1].upper() + lower[1:] if upper else lower)
    return " ".join(words)


def _keyword_at(text: str, keywords: Sequence[str]) -> int | None:
    """Where the line's text starts after a keyword it opens with ("Topics:", "Themen -",
    "f/u", and OCR slips of one letter in words of five or more: "Intorested in",
    "Topigs"), or None."""
    folded = fold(text)
    if len(folded) != len(text):  # a character that folds to two ("ﬁ"): compare as written
        folded = text.lower()
    for keyword in sorted(keywords, key=len, reverse=True):
        end = len(keyword)
        head = folded[:end]
        if head != keyword and (end < 5 or Levenshtein.distance(head, keyword) > 1):
            continue
        if end < len(folded) and not (folded[end].isspace() or folded[end] in ":-=."):
            continue  # "metro", "RE+ expo", "interesting": not the keyword
        rest = re.match(r"\s*[:\-=.]*\s*", folded[end:])
        return end + (rest.end() if rest else 0)
    return None


def _after_keyword(text: str, keywords: Sequence[str]) -> str | None:
    at = _keyword_at(text, keywords)
    if at is None or at >= len(text):
        return None
    return text[at:]


def _pronunciation(text: str) -> str | None:
    """How to say the name, when the line gives it: after a pronunciation keyword, after
    "say"/"sounds like" when it looks like syllables, or alone in slashes."""
    rest = _after_keyword(text, _PRON_WORDS)
    if rest is None and (said := _after_keyword(text, _SAY_WORDS)) is not None:
        quoted = said.strip().startswith(("/", '"', "'", "“", "„", "«"))
        rest = said if quoted or _SYLLABLES_RE.search(said) else None
    if rest is None:
        slashed = _SLASHED_RE.search(text)
        rest = slashed.group(1) if slashed else None
    if rest is None:
        return None
    hint = " ".join(rest.strip().strip("/\"'“”„«»").split())
    return hint.rstrip(".,;") or None


def _is_met(text: str) -> bool:
    return _keyword_at(text, _MET_WORDS) is not None or bool(_MET_SLIPS_RE.match(text))


def _mend(text: str) -> str:
    """OCR slips in handwriting: "©" for "@", letters for digits inside a date, and on a
    line about the meeting without a date, a slash read as 1 ("Met 218" is "Met 2/8")."""
    text = text.replace("©", "@")
    text = re.sub(r"^[\[|](?=[a-z])", "I", text)  # "[nterested": a capital I read as a bracket

    def digits(m: re.Match[str]) -> str:
        day, sep, month = m[1].translate(_DIGITS), m[2], m[3].translate(_DIGITS)
        return f"{day}{sep}{month}" if (day + month).isdigit() else m[0]

    text = _DATE_TOKEN_RE.sub(digits, text)
    about_meeting = _is_met(text) or _keyword_at(text, _MEAL_WORDS) is not None
    if about_meeting and not NUMERIC_RE.search(text) and not re.search(r"\d{4}-\d", text):
        text = _SLASH_AS_ONE_RE.sub(r"\1/\2", text, count=1)
    return text


def _met_on(texts: list[str], reference: dt.date, order: str, languages: tuple[str, ...],
            confs: list[float], used: dict[str, list[float]],
            not_after: dt.date | None) -> dt.date | None:
    """The meeting date: on a "met"/"@" line first, else the first date not in an action."""
    ranked = sorted(range(len(texts)), key=lambda i: (
        not (_is_met(texts[i]) or "@" in texts[i]), _action(texts[i]) is not None, i))
    for i in ranked:
        found = find_date(texts[i], reference=reference, order=order, languages=languages,
                          not_after=not_after)
        if found is not None:
            if _action(texts[i]) is not None and not _is_met(texts[i]):
                return None
            used["met_on"] = [confs[i]]
            return found
    for i in ranked:
        if _is_met(texts[i]) and any(any(c.isdigit() for c in m.group(0))
                                     for m in _UNREAD_DATE_RE.finditer(texts[i])):
            # The line says when, and no date could be read from it: the meeting's date is
            # put on the review list rather than taken from the scan date unseen.
            used["met_on"] = [min(confs[i], _UNREAD_DATE_CONF)]
            break
    return None


def _event(texts: list[str], languages: tuple[str, ...], confs: list[float],
           used: dict[str, list[float]]) -> str | None:
    """Where we met: "@ CES", "at Web Summit", or what follows the date on a "Met" line."""
    for text, conf in zip(texts, confs, strict=False):
        if _action(text) or _after_keyword(text, _TOPIC_WORDS) is not None:
            continue
        if m := _EVENT_RE.search(_strip_dates(text, languages)):
            event = _strip_dates(m.group("event"), languages)
        elif (at := _keyword_at(text, _MET_WORDS)) is not None or _MET_SLIPS_RE.match(text):
            rest = text[at:] if at is not None else _MET_SLIPS_RE.sub("", text)
            event = _LEADING_RE.sub("", _strip_dates(rest, languages)).strip("@ ")
        else:
            continue
        if event and len(event.split()) <= 5:
            used["event"] = [conf]
            return event
    return None


def _strip_dates(text: str, languages: tuple[str, ...]) -> str:
    for start, end in reversed(date_spans(text, languages)):
        text = text[:start] + " " + text[end:]
    text = re.sub(r"\b(?:on|in|at|am|le|el|em)\s*$", "", text.strip(), flags=re.IGNORECASE)
    return clean(re.sub(r"[!]+|\s-\s", " ", text), addresses=False)


def _action(text: str) -> str | None:
    """A promised action: "f/u: send deck", "TODO intro", "→ call", or a line that starts
    with a verb like "Send" (not printed copy addressed to the reader)."""
    if m := _ACTION_MARK_RE.match(text):
        return clean(text[m.end():].rstrip("!")) or None
    if printed_copy(text):
        return None
    if (rest := _after_keyword(text, _ACTION_WORDS)) is not None:
        if fold(text).startswith("next") and not re.match(r"next\s*[:\-]", fold(text)):
            return None  # "next week" is not an action heading
        return clean(rest.rstrip("!")) or None
    if re.match(r"^flu\s*:", text, re.IGNORECASE):  # "f/u:" with the slash read as an l
        return clean(text[text.index(":") + 1:].rstrip("!")) or None
    first, _, _ = text.partition(" ")
    mended = first.translate(_LETTERS) + text[len(first):]
    if _ACTION_VERB_RE.match(mended):
        # The verb apart: OCR's mending of split e-mail addresses would join "email jane@x".
        verb, _, rest = clean(mended.rstrip("!"), addresses=False).partition(" ")
        return f"{verb} {clean(rest)}".strip()
    return None


def printed_copy(text: str) -> bool:
    """A line of print addressed to whoever holds the card: "Call us today", "Book your
    visit", "Contactez-nous" (see _READER_RE), or a verb with nothing but a web address."""
    if _READER_RE.search(text) or _ONLY_WEB_RE.match(text):
        return True
    us = _OBJECT_US_RE.match(text)
    return us is not None and (us.group(1) == "us" or not any(c.islower() for c in text))


def _split_items(text: str) -> list[str]:
    return [clean(p) for p in re.split(r"[,;•]", text) if clean(p)]
