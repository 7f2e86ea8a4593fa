"""Plain-text helpers shared by the parsers: cleaning OCR lines and recognising line kinds."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# OCR confuses these with quotes and dashes; fold them before matching.
# The dotless i is an OCR slip on cards read in the supported (non-Turkish) languages
# ("J\\u0131m Kent" for "Jim Kent").
_FOLD = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
                       "\u201e": '"', "\u0131": "i",
                       "\u2013": "-", "\u2014": "-", "\u2212": "-"})

# "kenney @ animalservice.com": spaces around the at sign.
_AT_SPACES_RE = re.compile(r"(?<=\w)\s*@\s*(?=\w)")
# Top-level domains seen on cards; a dot that OCR lost before one of these is put back.
_TLDS = ("com|net|org|edu|gov|mil|int|info|biz|io|co|ai|app|dev|tech|eu|us|uk|de|fr|es|it|nl|"
         "be|at|ch|br|in|ca|au|ie|pt|mx|se|no|dk|fi|pl|cz|jp|cn|kr|tw|hk|sg|nz|za|ar|cl|ru|"
         "tr|gr|hu|ro|il|ae|lu|sk|si|hr|ua|vn|ac")
# "name@host. com", "www.host. fr": OCR puts a space after the last dot of a domain.
_SPLIT_TLD_RE = re.compile(r"((?:@|www\.)[\w.-]*\w)\.\s+([a-z]{2,6})\b")
# "name@host de", "host,de", "www host de": the dot read as a space or a comma.
_LOST_DOT_RE = re.compile(rf"((?:@|\bwww[ ,.])[\w-]+(?:\.[\w-]+)*)[ ,]({_TLDS})\b")
_COMMA_DOT_RE = re.compile(rf"\b([a-z0-9-]{{3,}}),({_TLDS})\b")
_WWW_SPACE_RE = re.compile(r"\b\w?www[ ,](?=[a-z0-9-]{3,}\.)", re.IGNORECASE)
_WWW_GLUED_RE = re.compile(r"\b\w?www(?=[a-z0-9-]{3,}\.[a-z])")
_WWW_EXTRA_RE = re.compile(r"\b(?:[a-z]www|wwww)\.(?=[a-z0-9-]{3,}\.)")
# "daniel okafor@": a space where the local part has a dot.
_SPLIT_LOCAL_RE = re.compile(r"(?<![\w.])([a-z]{2,20}) ([a-z][\w.+-]*@)")
# "Ithompson@", "I|.nakamura@", "|.smith@": an l read as I or a bar at the start of an
# otherwise lower-case address.
_L_AS_I_RE = re.compile(r"(?<![\w|])(?:I\||\|I|\||I)(?=[a-z0-9._-]*@[a-z0-9.-]+$|"
                        r"[a-z0-9._-]*@[a-z0-9.-]+[\s,;])")


def _words(text: str) -> list[str]:
    return text.split()


# A label such as "T:", "Email:" or "W." glued to the front of a value.
LABEL_RE = re.compile(
    r"^\s*(?:e-?mail|mail|email|e|web(?:site)?|w|www:|url|address|addr|a)\s*[:.]\s*",
    re.IGNORECASE)

TITLE_WORDS = frozenset(_words("""
    accountant adviser advisor agent analyst architect assistant associate attorney ceo cfo
    chair chairman chief cio clerk cmo coach consultant coo coordinator counsel cpo cso cto
    designer developer director editor engineer executive founder co-founder head intern
    lawyer lead leader manager marketing officer owner partner physician president principal
    producer professor recruiter representative researcher scientist secretary specialist
    strategist supervisor technician treasurer vp svp evp avp advocate broker buyer dentist
    doctor sales operations success account business development gerente diretor diretora
    vendas geschäftsführer leiter leiterin vertrieb responsable directeur directrice
    photographer hairdresser stylist librarian surgeon nurse teacher realtor chef pilot artist
    writer journalist pharmacist veterinarian therapist optician mechanic electrician plumber
    auditor notary escrevente consultor consultora vendedor vendedora técnico técnica
    proprietário proprietária sócio sócia
"""))

LEGAL_FORMS = (
    "inc", "inc.", "llc", "l.l.c.", "ltd", "ltd.", "limited", "gmbh", "ag", "kg", "co. kg",
    "s.a.", "sa", "s.a.s.", "sas", "sarl", "s.r.l.", "srl", "b.v.", "bv", "n.v.", "as", "a/s",
    "ab", "oy", "llp", "lp", "plc", "pty", "pty ltd", "ltda", "ltda.", "me", "eireli", "corp",
    "corp.", "corporation", "co.", "company", "group", "holdings", "partners", "s.p.a.", "spa",
    "kk", "pvt", "pvt.", "e.k.", "ug", "ohg", "gbr", "kgaa", "se", "s.l.", "sl", "s.l.u.",
)
_LEGAL_RE = re.compile(
    r"(?:^|[\s,&])(" + "|".join(re.escape(f) for f in sorted(LEGAL_FORMS, key=len, reverse=True))
    + r")\.?\s*$", re.IGNORECASE)

EMAIL_HINT_RE = re.compile(r"@|\be-?mail\b", re.IGNORECASE)
URL_RE = re.compile(
    r"\b((?:https?://)?(?:www\.)?[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.[a-z]{2,6}(?:/[^\s,;]*)?)",
    re.IGNORECASE)
DIGIT_RUN_RE = re.compile(r"\d")

STREET_WORDS = re.compile(
    r"\b(?:st|street|ave|avenue|av|rd|road|blvd|boulevard|dr|drive|ln|lane|way|ct|court|pl|"
    r"place|sq|square|hwy|highway|pkwy|parkway|suite|ste|floor|fl|unit|building|bldg|po box|"
    # German compounds ("Kaiserring", "Südring"; not "Engineering" or "Catering": a vowel
    # before "ring" is English "-ing").
    r"\w*stra(?:ße|sse|be|&e|e)|str|\w+(?:weg|platz|allee|gasse|damm)|\w*[^\Waeiouyäöü]ring|"
    r"weg|platz|allee|gasse|ring|damm|rue|avenue|bd|calle|rua|avenida|"
    r"alameda|travessa|sala|andar|conj|bairro|cep)\b\.?", re.IGNORECASE)
POSTCODE_RES = {
    "US": re.compile(r"\b[A-Z]{2}\s+\d{5}(?:-\d{4})?\b"),
    "GB": re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b"),
    "DE": re.compile(r"\b\d{5}\s+[A-ZÄÖÜ][a-zäöüß]+"),
    "FR": re.compile(r"\b\d{5}\s+[A-Z][A-Za-zéèàç' -]+"),
    "ES": re.compile(r"\b\d{5}\s+[A-Z][a-záéíóúñ]+"),
    "BR": re.compile(r"\b\d{5}-\d{3}\b"),
    "IN": re.compile(r"\b\d{3}\s?\d{3}\b"),
}
COUNTRIES = {
    "united states": "US", "usa": "US", "u.s.a.": "US", "united kingdom": "GB", "uk": "GB",
    "england": "GB", "scotland": "GB", "germany": "DE", "deutschland": "DE", "france": "FR",
    "spain": "ES", "españa": "ES", "brazil": "BR", "brasil": "BR", "india": "IN",
    "netherlands": "NL", "austria": "AT", "österreich": "AT", "switzerland": "CH",
    "schweiz": "CH", "italy": "IT", "italia": "IT", "ireland": "IE", "canada": "CA",
    "australia": "AU", "portugal": "PT", "mexico": "MX", "méxico": "MX",
}
# Words that only one country's cards use (address and label words).
REGION_WORDS = {
    "BR": re.compile(r"\b(?:cep|ltda|fone|fones|celular|rua|avenida|bairro|s[aã]o paulo|"
                     r"rio de janeiro|cnpj)\b|\s-\s?(?:sp|rj|mg|pr|rs|sc|ba)\b", re.IGNORECASE),
    "DE": re.compile(r"\b(?:stra(?:ße|sse)|telefon|handy|gmbh|deutschland)\b", re.IGNORECASE),
    "FR": re.compile(r"\b(?:rue|cedex|t[ée]l[ée]phone|portable|sarl)\b", re.IGNORECASE),
    "ES": re.compile(r"\b(?:calle|m[óo]vil|tel[ée]fono|s\.l\.)\b", re.IGNORECASE),
}


def clean(text: str, *, addresses: bool = True) -> str:
    """Fold typographic quotes/dashes, normalise Unicode and collapse white space; with
    ``addresses``, also mend what OCR breaks in e-mail and web addresses."""
    text = unicodedata.normalize("NFC", text).translate(_FOLD)
    text = re.sub(r"(?:^|\s)[|¦](?=\s|$)", " ", text)  # a lone bar is a separator, not a letter
    # Trailing dots stay: they belong to "Inc." and "Co.".
    text = re.sub(r"\s+", " ", text).strip(" \t,;:·•*_~").lstrip(".")
    return repair_addresses(text) if addresses else text


def repair_addresses(text: str) -> str:
    """Put back what OCR commonly loses in e-mail and web addresses (see the patterns)."""
    text = _AT_SPACES_RE.sub("@", text)
    text = _SPLIT_TLD_RE.sub(r"\1.\2", text)
    text = _LOST_DOT_RE.sub(r"\1.\2", text)
    text = _COMMA_DOT_RE.sub(r"\1.\2", text)
    text = _WWW_SPACE_RE.sub("www.", text)
    text = _WWW_GLUED_RE.sub("www.", text)
    text = _WWW_EXTRA_RE.sub("www.", text)
    if "@" in text:
        text = _SPLIT_LOCAL_RE.sub(r"\1.\2", text)
        text = _L_AS_I_RE.sub("l", text)
    return text


# Little words that stand lower-case in names and addresses: never a fragment of a word.
_LOWER_WORDS = frozenset(_words("van von der den de da das dos do du di del della la le ter ten "
                                "bin al el y e of and the und et"))


def mend_fragments(text: str) -> str:
    """A word OCR broke apart at wide letter spacing ("Car   rie Max Well", "Re   ichel S."):
    a lower-case piece is joined to the short piece before it (three letters at most, or
    itself mended). Little words (van, de, of) are never pieces."""
    out: list[str] = []
    mended = False
    for token in text.split():
        glue = (out and token[:1].islower() and token.isalpha()
                and token.lower() not in _LOWER_WORDS and out[-1].isalpha()
                and (len(out[-1]) <= 3 or mended) and out[-1].lower() not in _LOWER_WORDS)
        if glue:
            out[-1] += token
            mended = True
        else:
            out.append(token)
            mended = False
    return " ".join(out)


@lru_cache(maxsize=8192)
def fold(text: str) -> str:
    """Lower-case, accent-free form for comparisons (cached: a card's lines are folded
    hundreds of times while its fields are placed)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def strip_label(text: str) -> str:
    return LABEL_RE.sub("", text).strip()


# East Asian legal forms, before or after the name and unspaced: 株式会社ミナト精機,
# 上海星河科技有限公司, 한빛소프트 주식회사, (株).
_CJK_LEGAL_RE = re.compile(
    r"^\s*(株式会社|有限会社|合同会社|合資会社|[(\uff08]株[)\uff09]|주식회사|유한회사|[(\uff08]주[)\uff09])|"
    r"(株式会社|有限会社|合同会社|合資会社|[(\uff08]株[)\uff09]|股份有限公司|有限公司|有限責任公司|公司|"
    r"集团|集團|주식회사|유한회사|[(\uff08]주[)\uff09])\s*$")


# Words that end company names without being a registered form: "Internet Media Group" may
# be a research group inside the university the card is from.
LOOSE_FORMS = frozenset({"group", "company", "partners", "holdings", "co."})
# A legal form with more after it on its line: "Hitachi, Ltd., Central Research Laboratory",
# "Acme GmbH, Niederlassung Berlin" (not the looser "Group", "Company", "Partners").
_LEGAL_HEAD_RE = re.compile(
    r"(?:^|[\s,&])(" + "|".join(re.escape(f) for f in sorted(
        set(LEGAL_FORMS) - LOOSE_FORMS,
        key=len, reverse=True)) + r")\.?(?=,\s*\w)", re.IGNORECASE)
# "© Hitachi, Ltd.": a copyright sign before a company's name, which OCR may read as "@"
# (then never an e-mail address or a handle: more than one word, no other "@", no host).
_COPYRIGHT_RE = re.compile(r"^\s*(?:©|\(c\)|@)\s*(?=[^\W\d_])", re.IGNORECASE)


def legal_head(text: str) -> str | None:
    """The company's legal name at the head of a line that goes on after it, or None."""
    match = _LEGAL_HEAD_RE.search(text)
    return text[:match.end()].strip() if match and len(text[:match.end()].split()) >= 2 else None


def without_copyright(text: str) -> str:
    match = _COPYRIGHT_RE.match(text)
    rest = text[match.end():] if match else ""
    if match and len(rest.split()) >= 2 and "@" not in rest and not re.search(r"\w\.\w", rest):
        return rest
    return text


def legal_form(text: str) -> str | None:
    match = _LEGAL_RE.search(text) or _CJK_LEGAL_RE.search(text)
    return next((g for g in match.groups() if g), None) if match else None


def registered_form(text: str) -> str | None:
    """A legal form that is one ("GmbH", "Ltd.", "株式会社"), not a loose word like "Group"."""
    form = legal_form(text)
    return form if form and form.lower() not in LOOSE_FORMS else None


def is_title(text: str) -> bool:
    words = {w.strip(".,&/()").lower() for w in text.replace("-", " ").split()}
    words |= {w.strip(".,&/()").lower() for w in text.split()}
    return bool(words & TITLE_WORDS) or "vice president" in text.lower()


def letters_ratio(text: str) -> float:
    chars = [c for c in text if not c.isspace()]
    return sum(c.isalpha() for c in chars) / len(chars) if chars else 0.0


def digit_count(text: str) -> int:
    return len(DIGIT_RUN_RE.findall(text))


def postcode_region(text: str) -> str | None:
    """The region whose postal-code shape the line has (the unambiguous ones only)."""
    for region in ("US", "GB", "BR"):
        if POSTCODE_RES[region].search(text):
            return region
    return None


def country_in(text: str) -> str | None:
    low = f" {fold(text)} "
    for name, region in COUNTRIES.items():
        if re.search(rf"(?<![a-z]){re.escape(fold(name))}(?![a-z])", low):
            return region
    return None
