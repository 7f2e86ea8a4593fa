"""Render the synthetic business cards in ``samples/`` with their ``labels.json``.

Usage: ``python samples/generate.py [--out DIR]`` (default: the folder holding this script).
Besides the clean scans it writes degraded captures of some fronts (phone photos, turned scans,
200 dpi, dark re-themes, a flatbed sheet, a PDF); the pixel work for those is in ``degrade.py``.
The output is deterministic: the same bytes (PNG, JPEG, PDF) and labels on every run.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import zlib
from dataclasses import dataclass, replace
from datetime import date
from functools import cache
from pathlib import Path

import numpy as np
import phonenumbers
from PIL import Image, ImageDraw, ImageFont, ImageOps

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # run from any cwd, or imported by path
    sys.path.insert(0, str(HERE))
from degrade import (  # noqa: E402
    PHOTOS,
    Capture,
    capture_glare,
    capture_pdf,
    capture_photos,
    capture_rescans,
    capture_sheet,
    capture_table,
)

SEED = 20261110
REFERENCE = date(2026, 11, 10)
W, H = 1050, 600
MARGIN = 56
SAFE = 30  # no text pixel may come closer than this to the card edge
RGB = tuple[int, int, int]
Box = tuple[int, int, int, int]
Spec = tuple[str, bool, int, RGB]  # text, bold, size, colour; "" text = vertical space

FONT_DIR = Path("/usr/share/fonts")
FAMILIES: dict[str, tuple[str, str, str, str]] = {  # file pattern, regular, bold, package
    "dejavu-sans": ("truetype/dejavu/DejaVuSans{}.ttf", "", "-Bold", "fonts-dejavu-core"),
    "dejavu-serif": ("truetype/dejavu/DejaVuSerif{}.ttf", "", "-Bold", "fonts-dejavu-core"),
    "liberation-sans": ("truetype/liberation2/LiberationSans-{}.ttf", "Regular", "Bold",
                        "fonts-liberation2"),
    "liberation-serif": ("truetype/liberation2/LiberationSerif-{}.ttf", "Regular", "Bold",
                         "fonts-liberation2"),
    "open-sans": ("truetype/open-sans/OpenSans-{}.ttf", "Regular", "Bold", "fonts-open-sans"),
    "roboto": ("truetype/roboto/unhinted/RobotoTTF/Roboto-{}.ttf", "Regular", "Bold",
               "fonts-roboto-unhinted"),
    "lato": ("truetype/lato/Lato-{}.ttf", "Regular", "Bold", "fonts-lato"),
    "carlito": ("truetype/crosextra/Carlito-{}.ttf", "Regular", "Bold", "fonts-crosextra-carlito"),
    # Pan-CJK: one file holds Japanese kana, Chinese hanzi, Korean hangul and Latin.
    "noto-cjk": ("opentype/noto/NotoSansCJK-{}.ttc", "Regular", "Bold", "fonts-noto-cjk"),
    "noto-serif-cjk": ("opentype/noto/NotoSerifCJK-{}.ttc", "Regular", "Bold", "fonts-noto-cjk"),
}
HANDS: dict[str, tuple[str, str]] = {
    "comic": ("opentype/comic-neue/ComicNeue-Regular.otf", "fonts-comic-neue"),
    "humor": ("truetype/humor-sans/Humor-Sans.ttf", "fonts-humor-sans"),
    "klee": ("truetype/klee/KleeOne-SemiBold.ttf", "fonts-klee"),
    "dancing": ("opentype/dancingscript/DancingScript-Bold.otf", "fonts-dancingscript"),
    "femke": ("truetype/femkeklaver/femkeklaver.ttf", "fonts-femkeklaver"),
}
# theme: background, main text, accent (company, band, logo), secondary text (title)
THEMES: dict[str, tuple[RGB, RGB, RGB, RGB]] = {
    "navy": ((252, 252, 250), (28, 30, 36), (24, 54, 110), (88, 92, 102)),
    "burgundy": ((249, 246, 238), (40, 34, 32), (122, 30, 48), (96, 84, 80)),
    "teal": ((253, 253, 253), (30, 34, 36), (0, 112, 120), (84, 94, 98)),
    "orange": ((246, 247, 248), (34, 36, 40), (214, 96, 24), (90, 94, 100)),
    "green": ((252, 252, 248), (30, 36, 30), (36, 110, 60), (86, 96, 88)),
    "night": ((22, 32, 54), (240, 240, 235), (244, 186, 66), (186, 196, 212)),
    "forest": ((24, 58, 46), (238, 242, 232), (214, 226, 168), (190, 210, 196)),
    "charcoal": ((26, 26, 28), (244, 240, 228), (214, 178, 98), (192, 188, 178)),  # dark re-themes
    "midnight": ((16, 30, 68), (255, 255, 255), (150, 204, 255), (186, 200, 224)),
}
INKS: dict[str, RGB] = {"blue": (26, 48, 150), "black": (28, 28, 34)}
FIXED = {phonenumbers.PhoneNumberType.FIXED_LINE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}
MOBILE = {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}
BACK_KEYS = frozenset({"met_on", "event", "topics", "actions", "priority"})

DARK: tuple[tuple[str, str], ...] = (("us-left-two-phones", "charcoal"),  # card, dark theme
                                     ("uk-scotland-labels", "midnight"))


@dataclass(frozen=True)
class Phone:
    """A printed phone: label, type, region, national-number prefix and length, print style.

    ``tail`` holds fixed trailing digits, e.g. a German switchboard "-0" or fax "-99".
    """

    label: str
    kind: str
    region: str
    prefix: str
    length: int
    style: str
    tail: str = ""


@dataclass(frozen=True)
class Note:
    """A handwritten back: its lines, pen ("<hand font> <ink>") and the fields it states."""

    lines: tuple[str, ...]
    pen: str
    met: tuple[int, int] | None = None
    event: str | None = None
    topics: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    hot: bool = False


@dataclass(frozen=True)
class Card:
    """One card: what it exercises, its look, printed content and optional handwritten back.

    ``look`` is "layout family theme logo texture [joined] [labelled]" ("-" = no logo);
    ``joined`` puts phones (and e-mail + website) on one line, ``labelled`` adds E/W labels.
    ``phone_spec`` is "label kind region prefix length style [tail]; ...".
    """

    id: str
    exercises: str
    look: str
    given: str
    surname: str
    title: str
    company: str
    phone_spec: str
    email: str
    website: str | None
    address: tuple[str, ...]
    note: Note | None = None
    printed_name: str | None = None
    language: str = "en"  # ISO 639-1 of the printed words (labels.json "language")
    family_first: bool = False  # East Asian order: family name, then given name

    @property
    def name(self) -> str:
        """The name as a contact holds it: Chinese and Korean names are written unspaced."""
        if not self.family_first:
            return f"{self.given} {self.surname}"
        return self.surname + ("" if self.language in ("zh", "ko") else " ") + self.given

    @property
    def phones(self) -> tuple[Phone, ...]:
        """The phones parsed from ``phone_spec``."""
        items = [item.split() for item in self.phone_spec.split(";")]
        return tuple(Phone(*f[:4], int(f[4]), f[5], "".join(f[6:])) for f in items)


CARDS: tuple[Card, ...] = (
    Card("us-left-two-phones", "US, left-aligned; Office + Mobile as (512) 555-0132; www. site;"
         " 2-line address; back: date, event, 'talked about' topic, f/u action",
         "left liberation-sans navy triangle noise", "Jordan", "Ellis", "VP, Business Development",
         "Bluebonnet Solar LLC", "Office work US 512 10 us_paren; Mobile mobile US 512 10 us_paren",
         "jordan.ellis@bluebonnetsolar.com", "www.bluebonnetsolar.com",
         ("401 Congress Ave, Suite 1500", "Austin, TX 78701"),
         Note(("Met 11/12 @ Web Summit", "talked about solar financing", "f/u: send pricing deck"),
              "comic blue", (11, 12), "Web Summit", ("solar financing",), ("send pricing deck",))),
    Card("uk-centered-intl", "UK, centered serif; T/M as +44 (0)20 / +44 (0)7 on one line;"
         " e-mail | https:// site on one line; address + country",
         "centered dejavu-serif burgundy - paper joined", "Oliver", "Whitcombe",
         "Senior Associate", "Harrow & Finch LLP",
         "T work GB 207 10 intl0; M mobile GB 77 10 intl0",
         "o.whitcombe@harrowfinch.co.uk", "https://harrowfinch.co.uk",
         ("28 City Road, London EC1V 2NX", "United Kingdom")),
    Card("de-band-gmbh", "DE, colour band + logo with wrapped company; hyphenated given name;"
         " +49 (0)89 ...-0 switchboard, 0151 mobile; umlaut/ß address; back in Klee One",
         "band open-sans teal circle none", "Jan-Hendrik", "Vogt", "Head of Sales",
         "Nordlicht Robotik GmbH", "Tel. work DE 89 10 de_ext 0; Mob. mobile DE 151 11 de_mobile",
         "jh.vogt@nordlicht-robotik.de", "www.nordlicht-robotik.de",
         ("Leopoldstraße 42", "80802 München", "Germany"),
         Note(("Met 11/11 @ electronica", "Topics: cobots, EU grants", "call re pilot"),
              "klee black", (11, 11), "electronica", ("cobots", "EU grants"), ("call re pilot",)),
         language="de"),
    Card("two-column-fax", "US, two columns; Phone/Cell/Fax in 212.555.0132 style; Inc.;"
         " back: all-caps Humor Sans, HOT lead (priority), a date in December",
         "two_column lato orange bars noise", "Marcus", "Delgado", "Managing Director",
         "Granite Ledger Inc.", "Phone work US 212 10 us_dots; Cell mobile US 917 10 us_dots;"
         " Fax fax US 212 10 us_dots", "mdelgado@graniteledger.com", "graniteledger.com",
         ("350 Fifth Avenue, 41st Floor", "New York, NY 10118"),
         Note(("Met at re:Invent 12/2", "HOT lead!!", "f/u: send SOC2 report"), "humor blue",
              (12, 2), "re:Invent", (), ("send SOC2 report",), hot=True)),
    Card("accented-name-fr", "FR; accented name and company (Zoë Lefèvre, Énergie); +33 numbers;"
         " S.A.; Roboto; back: Dancing Script", "left roboto burgundy diamond none", "Zoë",
         "Lefèvre", "Marketing Director", "Lumière Énergie S.A.",
         "T work FR 1 9 intl; M mobile FR 6 9 intl", "zoe.lefevre@lumiere-energie.fr",
         "www.lumiere-energie.fr", ("12 rue de la Paix", "75002 Paris", "France"),
         Note(("Rencontré le 17 nov. à Slush", "Sujets : contrats PPA", "f/u: intro to CFO"),
              "dancing blue", (11, 17), "Slush", ("contrats PPA",), ("intro to CFO",)),
         language="fr"),
    Card("br-accented-sa", "BR; José Núñez; Portuguese title; S.A.; +55 11 fixed and 9-digit"
         " mobile; CEP postcode; centered Carlito", "centered carlito green - paper", "José",
         "Núñez", "Diretor Comercial", "Verde Vale Agroindústria S.A.",
         "Tel work BR 11 10 intl; Cell mobile BR 119 11 intl", "jose.nunez@verdevale.com.br",
         "www.verdevale.com.br",
         ("Av. Paulista, 1578 - Bela Vista", "São Paulo - SP, 01310-200", "Brasil"),
         language="pt"),
    Card("dark-light-on-dark", "US, light text on dark navy; T/M as +1 415-555-0132; E/W labels;"
         " https:// site; back: femkeklaver, 'urgent!!' (priority)",
         "left dejavu-sans night circle none labelled", "Ethan", "Brooks", "Founder & CEO",
         "Nightjar Labs Inc.", "T work US 415 10 us_intl; M mobile US 415 10 us_intl",
         "ethan@nightjarlabs.io", "https://nightjarlabs.io",
         ("548 Market St #4120", "San Francisco, CA 94104"),
         Note(("Met 11/9 @ Web Summit", "Topics: API pricing, SSO", "urgent!!"), "femke black",
              (11, 9), "Web Summit", ("API pricing", "SSO"), hot=True)),
    Card("honorific-credential", "US; printed 'Dr. Priya Raman, PhD' (expected Priya Raman);"
         " one phone; ', Inc.'; 3-line address; two columns, Liberation Serif",
         "two_column liberation-serif navy square paper", "Priya", "Raman",
         "Chief Scientific Officer", "Helix Harbor Therapeutics, Inc.",
         "Office work US 617 10 us_paren", "praman@helixharbor.com", "helixharbor.com",
         ("One Marina Park Drive", "Suite 900", "Boston, MA 02210"),
         Note(("Met 11/3 @ BIO-Europe", "Topics: assay licensing", "f/u: send NDA"), "comic black",
              (11, 3), "BIO-Europe", ("assay licensing",), ("send NDA",)),
         printed_name="Dr. Priya Raman, PhD"),
    Card("all-caps-name", "UK; name printed MARIA SANTOS (expected Maria Santos); national"
         " 020 / 07 formats; Ltd; back: Klee One, 'Met at EVENT date'",
         "left carlito teal - none", "Maria", "Santos", "Operations Manager", "Santos & Reid Ltd",
         "Tel work GB 203 10 national; Mobile mobile GB 77 10 national", "maria@santosreid.co.uk",
         "www.santosreid.co.uk", ("Unit 4, 19 Brick Lane", "London E1 6PU"),
         Note(("Met at Slush 11/19", "talked about retail analytics", "call re pilot"),
              "klee blue", (11, 19), "Slush", ("retail analytics",), ("call re pilot",)),
         printed_name="MARIA SANTOS"),
    Card("de-gmbh-co-kg-fax", "DE; GmbH & Co. KG; T/F/M with switchboard -0 and fax -99"
         " extensions, 0170 mobile; two columns, Roboto", "two_column roboto teal bars noise",
         "Matthias", "Becker", "Technical Director", "Becker Antriebstechnik GmbH & Co. KG",
         "T work DE 711 10 de_ext 0; F fax DE 711 11 de_ext 99; M mobile DE 170 11 de_mobile",
         "m.becker@becker-antriebe.de", "www.becker-antriebe.de",
         ("Heilbronner Straße 150", "70191 Stuttgart"), language="de"),
    Card("us-one-phone-https", "US, minimal: a single Cell number, https:// site, one-line"
         " address; back: Dancing Script, capitalised action without 'f/u'",
         "left lato green triangle none", "Chloe", "Park", "Product Designer",
         "Fernwood Studio LLC", "Cell mobile US 206 10 us_paren", "chloe@fernwood.studio",
         "https://fernwood.studio", ("1201 2nd Ave, Seattle, WA 98101",),
         Note(("Met 10/28 @ TC Disrupt", "Send case study"), "dancing black", (10, 28),
              "TC Disrupt", (), ("Send case study",))),
    Card("uk-band-three-phones", "UK, colour band; hyphenated family name; 0161 office, mobile"
         " and fax in national format; long e-mail", "band dejavu-sans burgundy diamond paper",
         "Sarah", "Lloyd-Jones", "Client Services Lead", "Pennine Freight Ltd",
         "T work GB 161 10 national; M mobile GB 78 10 national; F fax GB 161 10 national",
         "sarah.lloyd-jones@penninefreight.co.uk", "penninefreight.co.uk",
         ("Piccadilly Place", "Manchester M1 3BN", "UK")),
    Card("us-centered-dots-llc", "US, centered Lato; Office | Mobile on one line (dotted);"
         " e-mail | www. site on one line; LLC; back: Humor Sans, HOT lead",
         "centered lato navy - none joined", "Daniel", "Okafor", "Partner",
         "Summit Ridge Capital LLC",
         "Office work US 303 10 us_dots; Mobile mobile US 720 10 us_dots",
         "dokafor@summitridgecap.com", "www.summitridgecap.com",
         ("1801 California St, Suite 2400", "Denver, CO 80202"),
         Note(("Met 11/6 @ Slush", "Topics: seed round", "HOT lead!!"), "humor blue", (11, 6),
              "Slush", ("seed round",), hot=True)),
    Card("de-dark-serif", "DE, light text on dark green, DejaVu Serif, two columns;"
         " +49 (0)40 and 0160 mobile; back: femkeklaver in blue ink",
         "two_column dejavu-serif forest circle none", "Sophie", "Brandt", "Key Account Manager",
         "Hansekühl Logistik GmbH", "Tel. work DE 40 10 intl0; Mobile mobile DE 160 11 de_mobile",
         "s.brandt@hansekuehl.de", "hansekuehl.de",
         ("Am Sandtorkai 50", "20457 Hamburg", "Germany"),
         Note(("Getroffen 10.11. auf der Medica", "Thema: Kaltlogistik",
               "TODO Preisliste senden"), "femke blue", (11, 10), "Medica", ("Kaltlogistik",),
              ("Preisliste senden",)), language="de"),
    Card("long-title-shrink", "US; long title and company that must shrink to fit; apostrophe"
         " + hyphen in family name; 3-line address with USA; back: two topics",
         "left open-sans navy - noise", "Claire", "O'Connor-Fitzgerald",
         "Director of Strategic Partnerships & Alliances",
         "Fitzgerald Renewable Infrastructure Holdings LLC",
         "Phone work US 312 10 us_paren; Mobile mobile US 312 10 us_paren",
         "claire.oconnor@fitzgeraldrenewables.com", "www.fitzgeraldrenewables.com",
         ("233 S Wacker Dr, Suite 8400", "Chicago, IL 60606", "USA"),
         Note(("Met 11/4 @ Greenbuild", "Topics: tax equity, storage", "f/u: send term sheet"),
              "comic blue", (11, 4), "Greenbuild", ("tax equity", "storage"),
              ("send term sheet",))),
    Card("uk-scotland-labels", "UK, two columns; E/W labels; +44 (0)131 office, national 07"
         " mobile; Edinburgh postcode; back: lower-case 'met ... at', 'urgent'",
         "two_column carlito green square none labelled", "Fiona", "MacLeod", "Head of Growth",
         "Thistle Data Ltd", "T work GB 131 10 intl0; M mobile GB 74 10 national",
         "fiona@thistledata.co.uk", "thistledata.co.uk", ("15 Rose Street", "Edinburgh EH2 2PR"),
         Note(("met 11/13 at Web Summit", "Topics: data residency", "urgent"), "klee black",
              (11, 13), "Web Summit", ("data residency",), hot=True)),
    Card("es-madrid-sl", "ES; Spanish title and labels (Tel./Móvil), S.L.; accents (Lucía,"
         " Fernández, Alcalá); floor mark 3º; +34 numbers; España", "left dejavu-sans teal"
         " triangle none", "Lucía", "Fernández Ortega", "Directora de Operaciones",
         "Almendra Logística S.L.", "Tel. work ES 91 9 intl; Móvil mobile ES 6 9 intl",
         "lucia.fernandez@almendralogistica.es", "www.almendralogistica.es",
         ("Calle de Alcalá 120, 3º", "28009 Madrid", "España"), language="es"),
    Card("it-milano-srl", "IT; Italian title, S.r.l., Tel./Cell. labels; +39 02 with the"
         " trunk zero kept; 'Via', CAP + province (MI); two columns, Open Sans",
         "two_column open-sans navy square none", "Giulia", "Bianchi",
         "Responsabile Commerciale", "Ferraresi Meccanica S.r.l.",
         "Tel. work IT 02 10 intl; Cell. mobile IT 3 10 intl",
         "g.bianchi@ferraresimeccanica.it", "www.ferraresimeccanica.it",
         ("Via Tortona 27", "20144 Milano (MI)", "Italia"), language="it"),
    Card("nl-amsterdam-bv", "NL; name particle 'de' (Sanne de Vries), B.V., T/M labels; +31"
         " numbers; Dutch postcode '1016 GD'; colour band, Lato", "band lato green circle none",
         "Sanne", "de Vries", "Accountmanager", "Grachtwerk Advies B.V.",
         "T work NL 20 9 intl; M mobile NL 6 9 intl", "sanne.devries@grachtwerk.nl",
         "www.grachtwerk.nl", ("Keizersgracht 452", "1016 GD Amsterdam", "Nederland"),
         language="nl"),
    Card("ja-tokyo-kk", "JP, Japanese: family name first, 株式会社 company, department + title,"
         " 〒 postcode and block address (1-2-3), 03- and 090- numbers; Latin e-mail and site;"
         " Noto Sans CJK", "centered noto-cjk navy - none", "花子", "佐藤", "営業部 課長",
         "株式会社ミナト精機", "TEL work JP 3 9 national; 携帯 mobile JP 90 10 national",
         "h.sato@minato-seiki.co.jp", "www.minato-seiki.co.jp",
         ("〒105-0011 東京都港区芝公園 1-2-3",), language="ja", family_first=True),
    Card("jp-osaka-block", "JP card in English: block address '2-5-8 Kitahama, Chuo-ku',"
         " 'Osaka 541-0041', Japan; Co., Ltd.; +81 6 office and 080 mobile",
         "left liberation-sans burgundy diamond none", "Kenji", "Watanabe", "Export Manager",
         "Naniwa Precision Co., Ltd.", "Tel work JP 6 9 intl; Mobile mobile JP 80 10 intl",
         "k.watanabe@naniwa-precision.co.jp", "www.naniwa-precision.co.jp",
         ("2-5-8 Kitahama, Chuo-ku", "Osaka 541-0041", "Japan")),
    Card("zh-shanghai-ltd", "CN, Simplified Chinese: unspaced name, 有限公司 company, 电话/手机"
         " labels, 021 and 138 numbers, 号 street address; Latin e-mail and site; two columns",
         "two_column noto-cjk orange bars none", "明", "李", "销售经理", "上海星河科技有限公司",
         "电话 work CN 21 10 national; 手机 mobile CN 138 11 national",
         "liming@xinghe-tech.cn", "www.xinghe-tech.cn", ("上海市浦东新区世纪大道100号",),
         language="zh", family_first=True),
    Card("ko-seoul-corp", "KR, Korean: unspaced hangul name, 주식회사 company, 02- and 010-"
         " numbers, road address; Latin e-mail and site; Noto Serif CJK",
         "left noto-serif-cjk teal circle none", "민준", "김", "영업팀장", "한빛소프트 주식회사",
         "전화 work KR 2 9 national; 휴대폰 mobile KR 10 10 national",
         "minjun.kim@hanbitsoft.co.kr", "www.hanbitsoft.co.kr",
         ("서울특별시 강남구 테헤란로 152",), language="ko", family_first=True),
)


def font_path(rel: str, package: str) -> Path:
    """Return the installed font file or exit with a one-line hint about the package."""
    path = FONT_DIR / rel
    if not path.is_file():
        sys.exit(f"generate.py: missing font {path}; install the Debian package {package}")
    return path


@cache
def load(path: Path, size: int) -> ImageFont.FreeTypeFont:
    """Load a font at a pixel size (cached)."""
    return ImageFont.truetype(str(path), size)


def make_number(rng: random.Random, phone: Phone) -> phonenumbers.PhoneNumber:
    """Draw random digits until the number is valid and of the labelled type."""
    code = phonenumbers.country_code_for_region(phone.region)
    allowed = MOBILE if phone.kind == "mobile" else FIXED
    free = phone.length - len(phone.prefix) - len(phone.tail)
    for _ in range(100_000):
        digits = str(rng.randint(2, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(free - 1))
        num = phonenumbers.parse(f"+{code}{phone.prefix}{digits}{phone.tail}")
        if phonenumbers.is_valid_number(num) and phonenumbers.number_type(num) in allowed:
            return num
    raise RuntimeError(f"no valid number for {phone}")


def format_phone(num: phonenumbers.PhoneNumber, phone: Phone) -> str:
    """Print a number in one of the national or international styles."""
    nsn = phonenumbers.national_significant_number(num)
    national = phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.NATIONAL)
    area = nsn[: phonenumbers.length_of_geographical_area_code(num)]
    styles = {
        "us_paren": f"({nsn[:3]}) {nsn[3:6]}-{nsn[6:]}",
        "us_intl": f"+1 {nsn[:3]}-{nsn[3:6]}-{nsn[6:]}",
        "us_dots": f"{nsn[:3]}.{nsn[3:6]}.{nsn[6:]}",
        "intl": phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.INTERNATIONAL),
        "national": national,
        "intl0": f"+{num.country_code} (0){national[1:]}",  # +44 (0)20 7946 0123
        "de_ext": f"+49 (0){area} {nsn[len(area):len(nsn) - len(phone.tail)]}-{phone.tail}",
        "de_mobile": f"0{nsn[:3]} {nsn[3:]}",
    }
    return styles[phone.style]


def nearest_date(month: int, day: int) -> date:
    """Resolve a year-less month/day to the date nearest the reference date."""
    options = [date(REFERENCE.year + d, month, day) for d in (-1, 0, 1)]
    return min(options, key=lambda d: abs((d - REFERENCE).days))


@cache
def cap_ratio(path: Path) -> float:
    """Cap height of a font as a fraction of its pixel size."""
    top, bottom = load(path, 100).getbbox("H")[1::2]
    return (bottom - top) / 100


def fit(draw: ImageDraw.ImageDraw, text: str, path: Path, size: int, width: int
        ) -> ImageFont.FreeTypeFont:
    """Largest font not above ``size`` whose rendering of ``text`` fits ``width``."""
    while size > 12 and draw.textbbox((0, 0), text, font=load(path, size))[2] > width:
        size -= 1
    return load(path, size)


def family_paths(family: str) -> tuple[Path, Path]:
    """Regular and bold font files of a family."""
    pattern, regular, bold, package = FAMILIES[family]
    return (font_path(pattern.format(regular), package),
            font_path(pattern.format(bold), package))


def draw_block(draw: ImageDraw.ImageDraw, family: str, specs: list[Spec], box: Box,
               align: str = "left", valign: str = "top") -> list[Box]:
    """Stack lines in a box, shrinking them to fit; return the drawn text boxes."""
    x0, y0, x1, y1 = box
    paths, scale = family_paths(family), 1.0
    while True:
        fonts = [fit(draw, t, paths[b], round(s * scale * 0.72 / cap_ratio(paths[b])), x1 - x0)
                 for t, b, s, _ in specs]
        heights = [sum(f.getmetrics()) + round(0.16 * s * scale) if t else round(s * scale)
                   for f, (t, _, s, _) in zip(fonts, specs, strict=True)]
        if sum(heights) <= y1 - y0 or scale < 0.5:
            break
        scale *= 0.96
    y = {"top": y0, "bottom": y1 - sum(heights), "center": (y0 + y1 - sum(heights)) // 2}[valign]
    x, anchor = {"left": (x0, "la"), "center": ((x0 + x1) // 2, "ma")}[align]
    boxes = []
    for font, height, (text, _, _, colour) in zip(fonts, heights, specs, strict=True):
        if text:
            draw.text((x, y), text, font=font, fill=colour, anchor=anchor)
            boxes.append(draw.textbbox((x, y), text, font=font, anchor=anchor))
        y += height
    return boxes


def draw_logo(draw: ImageDraw.ImageDraw, shape: str, centre: tuple[int, int], r: int,
              colour: RGB, bg: RGB) -> None:
    """Draw a simple geometric logo mark."""
    cx, cy = centre
    if shape == "circle":
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=colour)
        draw.ellipse((cx - r // 2, cy - r // 2, cx + r // 2, cy + r // 2), fill=bg)
    elif shape == "square":
        draw.rounded_rectangle((cx - r, cy - r, cx + r, cy + r), radius=r // 3, fill=colour)
    elif shape == "triangle":
        draw.polygon([(cx - r, cy + r), (cx, cy - r), (cx + r, cy + r)], fill=colour)
    elif shape == "diamond":
        draw.polygon([(cx, cy - r), (cx + r, cy), (cx, cy + r), (cx - r, cy)], fill=colour)
    else:  # three rising bars
        step = 2 * r // 3
        for i in range(3):
            draw.rectangle((cx - r + i * step, cy + r - (i + 1) * step, cx - r + i * step + r // 2,
                            cy + r), fill=colour)


def wrap(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, width: int
         ) -> list[str]:
    """Greedy word wrap to a pixel width."""
    lines: list[str] = []
    for word in text.split():
        if lines and draw.textlength(f"{lines[-1]} {word}", font=font) <= width:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return lines


def contact_lines(card: Card, numbers: list[str]) -> list[str]:
    """Printed contact lines: phones, e-mail, website, address."""
    phones = [f"{p.label} {n}" for p, n in zip(card.phones, numbers, strict=True)]
    flags = card.look.split()[5:]
    email = f"E {card.email}" if "labelled" in flags else card.email
    web = [f"W {card.website}" if "labelled" in flags else card.website] if card.website else []
    if "joined" in flags:
        return ["  |  ".join(phones), "  |  ".join([email, *web]), *card.address]
    return [*phones, email, *web, *card.address]


def render_front(card: Card, numbers: list[str]) -> tuple[Image.Image, list[Box]]:
    """Render the printed side according to the card's layout."""
    layout, family, theme, logo = card.look.split()[:4]
    bg, fg, accent, muted = THEMES[theme]
    img = Image.new("RGB", (W, H), bg)
    draw = ImageDraw.Draw(img)
    name = card.printed_name or card.name
    bold = load(family_paths(family)[1], 42)  # wrap the company only in the narrow column
    company = wrap(draw, card.company, bold, 460) if layout == "two_column" else [card.company]
    head: list[Spec] = [(name, True, 58, fg), (card.title, False, 31, muted), ("", False, 16, fg),
                        *[(t, True, 42, accent) for t in company]]
    contacts: list[Spec] = [(t, False, 29, fg) for t in contact_lines(card, numbers)]
    boxes: list[Box] = []
    if layout == "centered":
        specs = [*head[3:], ("", False, 24, fg), *head[:2], ("", False, 28, fg), *contacts]
        boxes += draw_block(draw, family, specs, (MARGIN, 40, W - MARGIN, H - 40),
                            "center", "center")
    elif layout == "two_column":
        if logo != "-":
            draw_logo(draw, logo, (MARGIN + 34, MARGIN + 34), 32, accent, bg)
        boxes += draw_block(draw, family, head, (MARGIN, 124, 515, H - MARGIN),
                            valign="center")
        draw.line((545, MARGIN + 10, 545, H - MARGIN - 10), fill=accent, width=3)
        boxes += draw_block(draw, family, contacts, (575, MARGIN, W - 40, H - MARGIN),
                            valign="center")
    elif layout == "band":
        band = 330
        draw.rectangle((0, 0, band, H), fill=accent)
        draw_logo(draw, logo, (band // 2, 150), 62, bg, accent)
        lines = wrap(draw, card.company, load(family_paths(family)[1], 38), band - 72)
        boxes += draw_block(draw, family, [(t, True, 38, bg) for t in lines],
                            (36, 250, band - 36, H - MARGIN), "center")
        boxes += draw_block(draw, family, head[:2], (band + 48, MARGIN, W - MARGIN, 200))
        boxes += draw_block(draw, family, contacts, (band + 48, 215, W - MARGIN, H - MARGIN),
                            valign="bottom")
    else:  # left
        reserve = 0 if logo == "-" else 110
        if logo != "-":
            draw_logo(draw, logo, (W - MARGIN - 44, MARGIN + 44), 42, accent, bg)
        boxes += draw_block(draw, family, head, (MARGIN, MARGIN, W - MARGIN - reserve, 300))
        top = max(b[3] for b in boxes) + 28
        boxes += draw_block(draw, family, contacts, (MARGIN, top, W - MARGIN, H - MARGIN),
                            valign="bottom")
    return img, boxes


def render_back(note: Note, rng: random.Random) -> tuple[Image.Image, list[Box]]:
    """Render a handwritten note: one slightly tilted line at a time."""
    img = Image.new("RGB", (W, H), rng.choice([(255, 255, 255), (250, 248, 241), (246, 242, 231)]))
    hand, ink = note.pen.split()
    path = font_path(*HANDS[hand])
    cap = rng.uniform(46, 54)  # target cap height in px
    while True:
        layers = []
        for line in note.lines:
            size = round(cap / cap_ratio(path))
            while load(path, size).getbbox(line)[2] > W - 2 * 90:
                size -= 1
            left, top, right, bottom = load(path, size).getbbox(line)
            mask = Image.new("L", (right - left + 16, bottom - top + 16), 0)
            ImageDraw.Draw(mask).text((8 - left, 8 - top), line, font=load(path, size), fill=255)
            layers.append(mask.rotate(rng.uniform(-3, 3), Image.Resampling.BICUBIC, expand=True))
        gaps = [rng.randint(14, 34) for _ in layers[1:]]
        total = sum(m.height for m in layers) + sum(gaps)
        if total <= H - 2 * 50:
            break
        cap *= 0.94
    y = max(50, (H - total) // 2 + rng.randint(-25, 25))
    boxes = []
    for mask, gap in zip(layers, [*gaps, 0], strict=True):
        x = min(rng.randint(60, 120), W - 40 - mask.width)
        img.paste(Image.new("RGB", mask.size, INKS[ink]), (x, y), mask)
        boxes.append((x, y, x + mask.width, y + mask.height))
        y += mask.height + gap
    return img, boxes


def add_texture(img: Image.Image, kind: str, seed: int) -> Image.Image:
    """Add faint scanner noise and/or low-frequency paper shading."""
    if kind == "none":
        return img
    gen = np.random.default_rng(seed)
    arr = np.asarray(img, dtype=np.float32)
    arr += gen.normal(0.0, 2.5 if kind == "noise" else 1.8, arr.shape[:2])[..., None]
    if kind == "paper":
        shade = Image.fromarray(gen.normal(0.0, 1.0, (6, 10)).astype(np.float32), mode="F")
        arr += 3.0 * np.asarray(shade.resize((W, H), Image.Resampling.BICUBIC))[..., None]
    return Image.fromarray(np.clip(np.rint(arr), 0, 255).astype(np.uint8), mode="RGB")


def check_inside(card_id: str, boxes: list[Box]) -> None:
    """Fail loudly if any text box comes too close to the card edge."""
    for x0, y0, x1, y1 in boxes:
        if x0 < SAFE or y0 < SAFE or x1 > W - SAFE or y1 > H - SAFE:
            raise RuntimeError(f"{card_id}: text box {(x0, y0, x1, y1)} outside the safe area")


def expected(card: Card, numbers: list[phonenumbers.PhoneNumber]) -> dict[str, object]:
    """The labels.json ``expected`` object for a card."""
    e164 = phonenumbers.PhoneNumberFormat.E164
    out: dict[str, object] = {
        "name": card.name, "given_name": card.given,
        "family_name": card.surname, "title": card.title, "company": card.company,
        "phones": [{"number": phonenumbers.format_number(n, e164), "type": p.kind}
                   for p, n in zip(card.phones, numbers, strict=True)],
        "emails": [card.email],
    }
    if card.website:  # compared as a host name: no scheme, no www.
        out["website"] = card.website.split("://")[-1].removeprefix("www.").rstrip("/")
    out["address"] = ", ".join(card.address)
    note = card.note or Note((), "")
    back = {"met_on": note.met and nearest_date(*note.met).isoformat(), "event": note.event,
            "topics": list(note.topics), "actions": list(note.actions),
            "priority": "high" if note.hot else None}
    return out | {key: value for key, value in back.items() if value}


@dataclass(frozen=True)
class Built:
    """A rendered card: its labels.json entry, clean front and printed phone numbers."""

    card: Card
    entry: dict[str, object]
    front: Image.Image
    printed: tuple[str, ...]
    back: Image.Image | None = None

    @property
    def front_expected(self) -> dict[str, object]:
        """The expected fields a capture of the front alone can give (no back-of-card keys)."""
        fields = self.entry["expected"]
        assert isinstance(fields, dict)
        return {key: value for key, value in fields.items() if key not in BACK_KEYS}


def build_card(card: Card, images: Path) -> Built:
    """Render one card's image(s); return its labels.json entry and clean front."""
    rng = random.Random(f"{SEED}:{card.id}")
    seed = SEED ^ zlib.crc32(card.id.encode())
    numbers = [make_number(rng, p) for p in card.phones]
    printed = [format_phone(n, p) for n, p in zip(numbers, card.phones, strict=True)]
    front, boxes = render_front(card, printed)
    check_inside(card.id, boxes)
    front = add_texture(front, card.look.split()[4], seed)
    front.save(images / f"{card.id}_front.png", dpi=(300, 300))
    entry: dict[str, object] = {"id": card.id, "condition": "scan",
                                "front": f"images/{card.id}_front.png",
                                "language": card.language, "country": card.phones[0].region}
    if card.note:
        back, boxes = render_back(card.note, rng)
        check_inside(card.id, boxes)
        texture = "none" if back.getpixel((0, 0)) == (255, 255, 255) else "paper"  # off-white
        add_texture(back, texture, seed + 1).save(images / f"{card.id}_back.png", dpi=(300, 300))
        entry["back"] = f"images/{card.id}_back.png"
    entry["expected"] = expected(card, numbers)
    return Built(card, entry, front, tuple(printed),
                 Image.open(images / f"{card.id}_back.png") if card.note else None)


def entry(capture: Capture, built: Built) -> dict[str, object]:
    """The labels.json entry of a front-only capture (``card_index``: which card in the file)."""
    out: dict[str, object] = {"id": capture.id, "condition": capture.condition,
                              "front": f"images/{capture.file}"}
    if capture.index is not None:
        out["card_index"] = capture.index
    if capture.back:  # the back captured the same way: the note's fields are expected too
        return out | {"back": f"images/{capture.back}", "expected": built.entry["expected"]}
    return out | {"expected": built.front_expected}


def build_dark(built: dict[str, Built], images: Path) -> list[Capture]:
    """Fronts re-rendered with a dark theme (light text on a dark card), same numbers."""
    out = []
    for card_id, theme in DARK:
        variant, file = f"{card_id}-dark", f"{card_id}_dark.png"
        look = built[card_id].card.look.split()
        card = replace(built[card_id].card, look=" ".join([*look[:2], theme, *look[3:]]))
        front, boxes = render_front(card, list(built[card_id].printed))
        check_inside(variant, boxes)
        front = add_texture(front, look[4], SEED ^ zlib.crc32(variant.encode()))
        front.save(images / file, dpi=(300, 300))
        bg, fg, _, _ = THEMES[theme]
        note = f"light-on-dark binarisation: re-themed {theme}, text RGB {fg} on RGB {bg}"
        back = None
        if built[card_id].back is not None:  # a note in light ink on the dark card's back
            back = f"{card_id}_dark_back.png"
            ImageOps.invert(built[card_id].back.convert("RGB")).save(images / back,
                                                                     dpi=(300, 300))
            note += "; its back in light ink on dark"
        out.append(Capture(variant, "dark", file, card_id, note, back=back))
    return out


def readme(extra: list[Capture]) -> str:
    """The samples README: what each card and capture exercises and how to regenerate them."""
    rows = [f"| `{c.id}` | {', '.join(c.look.split()[:3])} | {'yes' if c.note else '-'} | "
            + c.exercises.replace("|", "\\|") + " |" for c in CARDS]
    looks = {c.id: ", ".join(c.look.split()[:2]) for c in CARDS}
    derived_rows = [f"| `{c.id}` | {c.condition} | `images/{c.file}` | {c.index or '-'} | "
                    f"`{c.card}` ({looks[c.card]}) | {c.exercises} |" for c in extra]
    exif = [f"`images/{card_id}_photo.jpg` (Orientation={orientation})"
            for card_id, _, _, orientation, _ in PHOTOS if orientation]
    return f"""# Sample cards

{len(CARDS)} synthetic business cards (1050x600 px PNG at 300 dpi, condition `scan`), {len(extra)}
degraded captures of their fronts, and `labels.json` for all of them, in the format of the shared
eval sets (reference date {REFERENCE}). All of it is written by `generate.py`, which renders the
cards (and the dark re-themes, `DARK`), and `degrade.py`, which says which fronts go into which
capture and makes them; edit the lists there rather than the files here.

Regenerate (deterministic: identical PNG, JPEG and PDF bytes and labels on every run):

```sh
.venv/bin/python samples/generate.py            # into samples/
.venv/bin/python samples/generate.py --out DIR  # or into DIR
```

Phone numbers are random digits from a fixed seed, kept only when `phonenumbers` says they are
valid and of the labelled type (fax and office numbers fixed-line, mobiles mobile). Note dates
have no year and resolve to the date nearest the reference date. Backs are handwriting fonts
(Comic Neue, Humor Sans, Klee One, Dancing Script, femkeklaver) with a slight tilt per line.

| id | layout, font, theme | back | exercises |
| --- | --- | --- | --- |
""" + "\n".join(rows) + f"""

## Degraded captures

Each capture is made from a clean front above (the dark ones re-render it with a dark theme)
with its own seeded random generator, and is labelled with that card's `expected` minus the
back-of-card keys (`met_on`, `event`, `topics`, `actions`, `priority`): captures have no back.

- `photo`: the card on a textured desk, perspective tilt, rotation, soft drop shadow, uneven
  light (gradient and radial falloff), a colour cast, Gaussian blur, sensor noise, JPEG. `large`
  frames are 1600x1200, `small` 1200x900. Keystone is how much shorter the card's far edge is.
- `rot90` / `rot180` / `rot270`: the clean front turned that many degrees counter-clockwise.
- `scan200`: the front resampled to 200 dpi; `dark`: light text on a dark card.
- `glare`: a glossy card photographed under a lamp, both sides: a highlight that washes the
  print out towards white and a greasy smear, then a phone photo as above.
- `sheet`: four cards on one A4 flatbed scan; `pdf`: one card per page of a PDF.

**`card_index`** (optional, 1-based, absent means 1) picks one card in a file that holds
several: the page of a PDF, or the card in reading order (left to right, then top to bottom) on
a sheet or a photo of several cards. Entries sharing a `front` are the cards of that one file.

**EXIF orientation:** {", ".join(exif)}
stores its pixels turned 90° (portrait); a viewer that applies EXIF shows it upright, one that
ignores the tag shows the card on its side. The other photos carry no EXIF orientation.

| id | condition | file | card_index | from (layout, font) | exercises |
| --- | --- | --- | --- | --- | --- |
""" + "\n".join(derived_rows) + "\n"


def check_fonts() -> None:
    """Exit early (one line naming font and package) if any font file is missing."""
    for pattern, regular, bold, package in FAMILIES.values():
        for weight in (regular, bold):
            font_path(pattern.format(weight), package)
    for rel, package in HANDS.values():
        font_path(rel, package)


def main() -> None:
    """Parse arguments and write images, labels.json and README.md."""
    check_fonts()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    args = parser.parse_args()
    images = args.out / "images"
    images.mkdir(parents=True, exist_ok=True)
    built = {card.id: build_card(card, images) for card in CARDS}
    fronts = {card_id: b.front for card_id, b in built.items()}
    backs = {card_id: b.back for card_id, b in built.items() if b.back is not None}
    extra = [*capture_photos(fronts, images, SEED, backs),
             *capture_glare(fronts, images, SEED, backs), *capture_rescans(fronts, images, backs),
             *build_dark(built, images), *capture_sheet(fronts, images, SEED),
             *capture_pdf(fronts, images, REFERENCE), *capture_table(fronts, images, SEED)]
    cards = [b.entry for b in built.values()] + [entry(c, built[c.card]) for c in extra]
    if len({c["id"] for c in cards}) != len(cards):
        raise RuntimeError("duplicate ids in labels.json")
    labels = {"reference_date": REFERENCE.isoformat(), "cards": cards}
    text = json.dumps(labels, indent=2, ensure_ascii=False) + "\n"
    (args.out / "labels.json").write_text(text, encoding="utf-8")
    (args.out / "README.md").write_text(readme(extra), encoding="utf-8")
    print(f"wrote {len(CARDS)} cards and {len(extra)} derived captures to {args.out}")


if __name__ == "__main__":
    main()
