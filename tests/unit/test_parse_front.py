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
