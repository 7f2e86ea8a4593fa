"""The front parser on text and on word boxes (no OCR): exact results."""

from __future__ import annotations

import pytest

from cardscan.model import OcrResult, TextLine, Word
from cardscan.parse import parse_front
from cardscan.parse.emails import find_emails
from cardscan.parse.phones import find_phones


def parse(text: str, region: str = "US"):  # type: ignore[no-untyped-def]
    return parse_front(OcrResult.from_text(text), default_region=region)


def test_a_plain_us_card_fills_every_field() -> None:
    card = parse("ASYMMETRIK LTD\nMike Smith\nSenior Software Engineer\n"
                 "(410)555-1234\nmsmith@asymmetrik.com\nwww.asymmetrik.com\n"
                 "1234 Sentry Road\nColumbia, MD 21045")
    assert (card.name, card.given_name, card.family_name) == ("Mike Smith", "Mike", "Smith")
    assert card.title == "Senior Software Engineer"
    assert card.company == "ASYMMETRIK LTD"
    assert [(p.number, p.type) for p in card.phones] == [("+14105551234", "work")]
    assert card.emails == ("msmith@asymmetrik.com",)
    assert card.website == "www.asymmetrik.com"
    assert card.address == "1234 Sentry Road, Columbia, MD 21045"


def test_phone_types_come_from_labels_in_several_languages() -> None:
    phones = find_phones(["Tel. +49 (0)89 1234567-0", "Handy 0151 23456789",
                          "Fax +49 89 2225402-5", "Celular +55 11 93352-8771"], "DE")
    assert [(p.number, p.type) for p in phones] == [
        ("+498912345670", "work"), ("+4915123456789", "mobile"),
        ("+498922254025", "fax"), ("+5511933528771", "mobile")]


def test_two_numbers_on_one_line_each_take_their_own_label() -> None:
    phones = find_phones(["T +44 (0)20 7946 0958 | M +44 (0)7911 123456"], "US")
    assert [(p.number, p.type) for p in phones] == [
        ("+442079460958", "work"), ("+447911123456", "mobile")]


def test_a_label_alone_on_its_line_names_the_next_number() -> None:
    phones = find_phones(["Fax", "(212) 624-6030"], "US")
    assert [(p.number, p.type) for p in phones] == [("+12126246030", "fax")]


def test_a_postal_code_is_not_a_phone() -> None:
    assert find_phones(["10117 Berlin", "Austin, TX 78701", "CEP 01310-200"], "DE") == []


def test_region_comes_from_the_international_prefix_elsewhere_on_the_card() -> None:
    card = parse("Office 030 3131 7017\nDirect +49 30 4365 4723\nd.chen@kestrel.com")
    assert [p.number for p in card.phones] == ["+493031317017", "+493043654723"]


@pytest.mark.parametrize(("line", "expected"), [
    ("oliver @cedarlogistics.de", "oliver@cedarlogistics.de"),
    ("Email: anna@kestrel.de", "anna@kestrel.de"),
    ("E: anna@kestrel.de", "anna@kestrel.de"),
    ("e.reyes@silverleaf.com", "e.reyes@silverleaf.com"),
    ("emily@ironbridge.eu", "emily@ironbridge.eu"),
    ("j.doe@acme,com", "j.doe@acme.com"),
    ("|.thompson@aurora.com", "l.thompson@aurora.com"),
    ("zoe@lumiere-energie. fr", "zoe@lumiere-energie.fr"),
    ("JOHN@ACME.COM", "john@acme.com"),
    ("jhnoh@stanford edu", "jhnoh@stanford.edu"),  # the last dot read as a space
])
def test_emails_survive_common_ocr_slips(line: str, expected: str) -> None:
    from cardscan.parse.lines import clean

    assert find_emails([clean(line)]) == [expected]


def test_not_an_email() -> None:
    assert find_emails(["john at acme", "@handle", "a@b"]) == []


def test_all_caps_name_gets_sensible_case_and_credentials_are_set_apart() -> None:
    card = parse("DR. PRIYA RAMAN, PHD\nChief Scientific Officer\nHelix Therapeutics, Inc.")
    assert (card.name, card.given_name, card.family_name) == ("Priya Raman", "Priya", "Raman")
    assert card.company == "Helix Therapeutics, Inc."


def test_name_with_particles() -> None:
    card = parse("Priya van der Berg\nFounder & CEO\nRedwood Analytics AG\np.vanderberg@redwood.de")
    assert card.name == "Priya van der Berg"
    assert card.family_name == "van der Berg"
    assert card.title == "Founder & CEO"


def test_company_without_legal_form_is_found_from_the_email_domain() -> None:
    card = parse("Foobar Technologies\nAnalytic Developer\nLisa Haung\n"
                 "lisa.haung@foobartech.com")
    assert card.company == "Foobar Technologies"
    assert card.name == "Lisa Haung"


def test_german_address_with_ocr_mangled_strasse() -> None:
    card = parse("Aisha Becker\nOrbital GmbH\nFriedrichstraBe 68\n10117 Berlin\nGermany")
    assert card.address == "Friedrichstraße 68, 10117 Berlin, Germany"


def _line(*words: tuple[str, int, int], height: int = 30, top: int = 0) -> TextLine:
    return TextLine(words=tuple(Word(text, 95.0, left, top, width, height)
                                for text, left, width in words))


def test_two_columns_read_as_one_line_are_split_by_the_gap() -> None:
    ocr = OcrResult(lines=(
        _line(("Sophie", 60, 200), ("Brandt", 290, 200), ("s.brandt@hk.de", 580, 360),
              height=50, top=200),
        _line(("Key", 60, 56), ("Account", 124, 128), ("Manager", 264, 140),
              ("hk.de", 576, 200), height=25, top=290),
    ), engine="test", engine_version="0")
    card = parse_front(ocr)
    assert card.name == "Sophie Brandt"
    assert card.title == "Key Account Manager"
    assert card.website == "hk.de"


def test_an_empty_card_gives_empty_fields() -> None:
    card = parse_front(OcrResult(lines=(), engine="t", engine_version="0"))
    assert card.name is None and card.phones == () and card.emails == ()


def test_numbers_side_by_side_are_set_apart_and_labels_may_follow_them() -> None:
    """Printed on one row with only spaces between, phonenumbers sees one invalid number;
    a row that ends with a label has its labels after the numbers."""
    phones = find_phones(["650 321 3900 408 390 7771 Cell 650 321 3902 Fax"], "US")
    assert [(p.number, p.type) for p in phones] == [
        ("+16503213900", "work"), ("+14083907771", "mobile"), ("+16503213902", "fax")]
    assert [(p.number, p.type) for p in find_phones(["(650) 321-3900 Fax"], "US")] == [
        ("+16503213900", "fax")]
    # A postal code run into the number after it (one address and phone row).
    assert [p.number for p in find_phones(["Palo Alto CA 94306 650 321 3900"], "US")] == [
        "+16503213900"]
    assert find_phones(["2111 El Camino Real", "Austin, TX 78701"], "US") == []


@pytest.mark.parametrize(("line", "name", "given", "family"), [
    ("Diana Monica Rios, B.S.B.A.", "Diana Monica Rios", "Diana", "Rios"),
    ("Anna Berg, R.N., B.S.N.", "Anna Berg", "Anna", "Berg"),
    ("Jeonghun Noh, Ph.D.", "Jeonghun Noh", "Jeonghun", "Noh"),
])
def test_dotted_credentials_after_a_name_are_set_apart(line: str, name: str, given: str,
                                                       family: str) -> None:
    """Not read as a "Family, Given" name whose given name is "B.S.B.A."."""
    card = parse(f"BAY TECH INSURANCE\n{line}\nInsurance Agent\nTel 650.260.2218")
    assert (card.name, card.given_name, card.family_name) == (name, given, family)


def test_the_legal_name_is_the_company_over_the_logo_word() -> None:
    """The logo spells the e-mail's domain and stands on top, largest; the line with the
    legal form names the company outright."""
    card = parse("THOMSON\nRalf Ostermann\nSenior R&D Engineer\nDeutsche Thomson OHG\n"
                 "Karl-Wiechert-Allee 74\n30625 Hannover, Germany\n"
                 "ralf.ostermann@thomson.net", "DE")
    assert card.company == "Deutsche Thomson OHG"
    ocr = OcrResult(lines=(
        _line(("btnaccess", 60, 400), height=90, top=40),
        _line(("Beyond", 60, 120), ("the", 190, 60), ("Network", 260, 150),
              ("Limited", 420, 130), height=40, top=170),
        _line(("Jimit", 60, 90), ("Gandhi", 160, 120), height=30, top=260),
        _line(("38", 60, 40), ("Leighton", 110, 150), ("Road", 270, 90), height=25, top=320),
        _line(("jgandhi@btnaccess.com", 60, 400), height=25, top=360),
    ), engine="test", engine_version="0")
    assert parse_front(ocr).company == "Beyond the Network Limited"


def test_a_japanese_name_read_in_two_pieces_on_one_row_is_one_name() -> None:
    ocr = OcrResult(lines=(
        _line(("営業部部長", 183, 203), height=43, top=342),
        _line(("田村", 154, 169), height=89, top=402),
        _line(("大輝", 383, 172), height=91, top=395),
        _line(("株式会社コントーソ", 146, 244), height=48, top=551),
        _line(("daiki.tamura@contoso.com", 145, 343), height=43, top=647),
    ), engine="test", engine_version="0")
    card = parse_front(ocr, default_region="JP")
    assert (card.name, card.family_name, card.given_name) == ("田村 大輝", "田村", "大輝")
    assert card.company == "株式会社コントーソ"


def test_the_slash_ocr_lost_between_a_host_and_its_path_is_put_back() -> None:
    card = parse("Enrico Masala\nPolitecnico di Torino\nE-mail: masala@polito.it\n"
                 "http://media.polito.itmasala", "IT")
    assert card.website == "http://media.polito.it/masala"
    # A longer host that only begins like the e-mail's domain is left as it is.
    assert parse("Jane Doe\njane@acme.com\nwww.acme.community.org").website == (
        "www.acme.community.org")


@pytest.mark.parametrize(("text", "address"), [
    ("KNOW KNEW BOOKS\n10 % Discount with this card\n415 California Avenue\n"
     "Palo Alto CA 94306\n650 326 9355", "415 California Avenue, Palo Alto CA 94306"),
    ("COHO Catering\nGreat catering with prices you can afford!\n"
     "Call now, ask for Rocio or Nelly 721-1234.\n"
     "459 Lagunita No. 1, Tresidder Union, Stanford, CA",
     "459 Lagunita No. 1, Tresidder Union, Stanford, CA"),
    ("Jeonghun Noh\nPh. D. candidate\nDepartment of Electrical Engineering\n"
     "Packard 240, 350 Serra Mall\nStanford, CA 94305\n650-723-3476",
     "Packard 240, 350 Serra Mall, Stanford, CA 94305"),
])
def test_offers_taglines_and_departments_are_not_the_address(text: str, address: str) -> None:
    assert parse(text).address == address


def test_german_ring_streets_are_streets_and_english_ing_words_are_not() -> None:
    from cardscan.parse.lines import STREET_WORDS

    assert all(STREET_WORDS.search(s) for s in ("Kaiserring 12", "Theodor-Heuss-Ring 3"))
    assert not any(STREET_WORDS.search(s) for s in ("Engineering", "Catering", "Monitoring"))


@pytest.mark.parametrize(("text", "company"), [
    # The copyright sign, read as "@", and a legal form with the laboratory after it.
    ("Hideaki Kido\nThe Second Department of Systems Research\n@ hitachi, Ltd.\n"
     "Hitachi Research Laboratory\nE-mail:hideaki.kido.fx@hitachi.com", "hitachi, Ltd."),
    ("HITACHI\nTomokazu Murakami\nResearcher\n"
     "© Hitachi, Ltd., Central Research Laboratory\nE-mail: t.murakami.xr@hitachi.com",
     "Hitachi, Ltd."),
])
def test_a_legal_form_ends_the_company_name(text: str, company: str) -> None:
    assert parse(text, "JP").company == company


def test_a_handle_or_an_address_after_an_at_sign_is_no_company() -> None:
    from cardscan.parse.lines import without_copyright

    assert without_copyright("@acme_inc") == "@acme_inc"
    assert without_copyright("@ acme.com sales") == "@ acme.com sales"
    assert without_copyright("© Acme Corp. 2026") == "Acme Corp. 2026"


def test_a_bare_web_address_with_a_path_is_the_website() -> None:
    card = parse("Ricardo Nogueira\nConsultor de marketing\ncargocollective.com/nogdesign\n"
                 "Tel.: 11 6909-6968\nricknog39@gmail.com", "BR")
    assert card.website == "cargocollective.com/nogdesign"


def test_a_country_named_after_a_number_is_its_country_and_cell_phone_is_mobile() -> None:
    phones = find_phones(["CELL-PHONE : 650-468-7208 (U.S.A.)", "+81-80-3450-4412 (JAPAN)"],
                         "JP")
    assert [(p.number, p.type) for p in phones] == [
        ("+16504687208", "mobile"), ("+818034504412", "mobile")]
    assert [(p.number, p.type) for p in find_phones(["Phone 650 321 3900"], "US")] == [
        ("+16503213900", "work")]


def test_lines_the_domain_spells_together_are_the_company_whatever_their_size_or_place() -> None:
    """A logo set diagonally ("GREEN" high left, "LEAF" lower right: no line above the
    other), and a name-like first half over a small second one: the web address spells them
    together, so they are one company (and the person is the other name on the card)."""
    diagonal = OcrResult(lines=(
        _line(("GREEN", 100, 210), height=100, top=60),
        _line(("LEAF", 330, 200), height=100, top=150),
        _line(("(707)", 300, 110), ("938-4410", 420, 200), height=60, top=320),
        _line(("www.greenleafsonoma.com", 500, 430), height=55, top=480),
    ), engine="test", engine_version="0")
    assert parse_front(diagonal).company == "GREEN LEAF"
    first_half = OcrResult(lines=(
        _line(("Bella", 260, 200), ("Rosa", 480, 200), height=160, top=10),
        _line(("FLOWER", 480, 110), ("SHOP", 600, 90), height=45, top=165),
        _line(("Maria", 60, 100), ("Costa", 170, 110), height=40, top=300),
        _line(("Phone:", 560, 120), ("650.555.0142", 690, 260), height=50, top=360),
        _line(("www.BellaRosaFlowerShop.com", 180, 620), height=55, top=500),
    ), engine="test", engine_version="0")
    card = parse_front(first_half)
    assert (card.company, card.name) == ("Bella Rosa FLOWER SHOP", "Maria Costa")


def test_a_site_on_a_hosting_service_names_its_owner_not_the_service() -> None:
    from cardscan.parse.domains import company_hints

    assert company_hints([], "https://acmelabs.github.io") == ["acmelabs"]
    assert company_hints([], "www.acmelabs.com") == ["acmelabs"]


def test_a_group_inside_an_institute_is_not_its_company() -> None:
    """"Group" ends company names but is no registered form: a research group does not
    outrank the institute the domain names, whose name ("Politecnico di Milano") is no
    person's for having an organisation word."""
    card = parse("Image Analysis Group\nLaura Bianchi, Ph.D.\nResearch Fellow\n"
                 "Politecnico di Milano\nVia Ponzio 34/5, 20133 Milano\n"
                 "Phone: +39 02 2399 3400\nE-mail: laura.bianchi@polimi.it", "IT")
    assert card.company == "Politecnico di Milano"


def test_a_shop_named_over_three_lines_is_found_by_the_address_that_abbreviates_it() -> None:
    """A shop's free-mail address spells its name with some words whole and some by their
    initial ("autopecasnsaparecida": Auto Peças, N. S., Aparecida): the three lines are the
    company, none of them the person's name."""
    ocr = OcrResult(lines=(
        _line(("Auto", 120, 190), ("Peças", 330, 230), height=150, top=40),
        _line(("Nossa", 100, 200), ("Senhora", 320, 260), height=110, top=210),
        _line(("Aparecida", 600, 330), height=110, top=212),
        _line(("Carlos", 140, 160), ("Souza", 320, 150), height=60, top=360),
        _line(("Tel:", 120, 90), ("(11)", 220, 90), ("2684-7988", 320, 220), height=60,
              top=440),
        _line(("autopecasnsaparecida@gmail.com", 100, 600), height=50, top=520),
    ), engine="test", engine_version="0")
    card = parse_front(ocr, default_region="BR")
    assert (card.company, card.name) == ("Auto Peças Nossa Senhora Aparecida", "Carlos Souza")
    # Only a particle in lower case may be left out: a title in capitals over the company
    # does not join it ("CTO" + "Acme Inc." does not abbreviate acme).
    card = parse("Jane Doe\nCTO\nAcme Inc.\n+1 (212) 555-0100\njane@acme.com")
    assert (card.title, card.company) == ("CTO", "Acme Inc.")


def test_a_word_glued_to_a_number_is_set_apart_from_it() -> None:
    """OCR lost the space after a carrier's name ("TIM 11 9.8697-6934"): the number is found;
    digits in an e-mail address stay the address's."""
    phones = find_phones(["Claro219.4471-2630", "TIM119.8697-6934", "ana.lima77@gmail.com"],
                         "BR")
    assert [(p.number, p.type) for p in phones] == [
        ("+5521944712630", "mobile"), ("+5511986976934", "mobile")]


def test_a_column_of_labels_read_after_its_numbers_names_them_in_order() -> None:
    """Labels printed in a column left of the numbers, read by OCR after them (each label
    then runs into an e-mail or a web line): the first label names the first number."""
    lines = ["+41 (0)44 632 1100", "+41 (0)44 632 1190", "Telefon", "m.keller@inf.ethz.ch",
             "Fax", "www.inf.ethz.ch", "E-Mail"]
    assert [(p.number, p.type) for p in find_phones(lines, "CH")] == [
        ("+41446321100", "work"), ("+41446321190", "fax")]
    # A label with a number after it still names that number only.
    assert [p.type for p in find_phones(["+41 44 632 1100", "Fax", "+41 44 632 1190"],
                                        "CH")] == ["work", "fax"]
