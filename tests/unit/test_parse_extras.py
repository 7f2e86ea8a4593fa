"""QR payloads, social profiles, departments, Brazilian numbers, region from words."""

from __future__ import annotations

from cardscan.model import ContactFields, OcrResult, Phone
from cardscan.parse import parse_front
from cardscan.parse.phones import find_phones
from cardscan.parse.qrcodes import fields_from_qr, merge
from cardscan.parse.web import find_social, social_profile

VCARD = ("BEGIN:VCARD\nVERSION:3.0\nN:Kruger;Anna-Lena;;;\nFN:Anna-Lena Kruger\n"
         "ORG:Kestrel Analytics GmbH\nTITLE:Head of Partnerships\n"
         "TEL;TYPE=WORK,VOICE:+49 30 12345678\nTEL;TYPE=CELL:+49 151 12345678\n"
         "EMAIL:Anna@Kestrel.de\nURL:https://kestrel.de\n"
         "ADR;TYPE=WORK:;;Friedrichstrasse 123;Berlin;;10117;Germany\nEND:VCARD")


def test_a_vcard_qr_fills_every_field_with_certainty() -> None:
    fields = fields_from_qr(VCARD, region="US")
    assert fields is not None
    assert (fields.name, fields.given_name, fields.family_name) == (
        "Anna-Lena Kruger", "Anna-Lena", "Kruger")
    assert (fields.company, fields.title) == ("Kestrel Analytics GmbH", "Head of Partnerships")
    assert [(p.number, p.type) for p in fields.phones] == [
        ("+493012345678", "work"), ("+4915112345678", "mobile")]
    assert fields.emails == ("anna@kestrel.de",)
    assert fields.address == "Friedrichstrasse 123, Berlin, 10117, Germany"
    assert fields.confidence["name"] == fields.confidence["phones"] == 1.0


def test_a_mecard_and_a_url() -> None:
    mecard = fields_from_qr("MECARD:N:Doe,Jane;TEL:+14155550100;EMAIL:jane@acme.com;;",
                            region="US")
    assert mecard is not None
    assert (mecard.name, mecard.emails) == ("Jane Doe", ("jane@acme.com",))
    assert [p.number for p in mecard.phones] == ["+14155550100"]
    profile = fields_from_qr("https://www.linkedin.com/in/jane-doe/", region="US")
    assert profile is not None and profile.social == ("linkedin.com/in/jane-doe",)
    site = fields_from_qr("https://acme.com", region="US")
    assert site is not None and site.website == "https://acme.com"
    assert fields_from_qr("just some text", region="US") is None
    assert fields_from_qr("BEGIN:VCARD\ngarbage", region="US") is None


def test_qr_fields_win_and_lists_are_joined() -> None:
    ocr = ContactFields(name="Anna Kruqer", company="Kestrel", emails=("a@k.de",),
                        phones=(Phone("+493099999999", "fax"),), confidence={"name": 0.7})
    qr = fields_from_qr(VCARD, region="US")
    assert qr is not None
    merged = merge(ocr, qr)
    assert merged.name == "Anna-Lena Kruger" and merged.company == "Kestrel Analytics GmbH"
    assert merged.emails == ("anna@kestrel.de", "a@k.de")
    assert [p.number for p in merged.phones][-1] == "+493099999999"
    assert merged.confidence["name"] == 1.0


def test_social_profiles_are_normalised_and_kept_apart_from_the_website() -> None:
    assert social_profile("https://twitter.com/acme") == "x.com/acme"
    assert social_profile("linkedin.com/in/jane") == "linkedin.com/in/jane"
    assert social_profile("www.acme.com") is None
    assert find_social(["in: linkedin.com/in/jane", "IG instagram.com/acme.shop"]) == [
        "linkedin.com/in/jane", "instagram.com/acme.shop"]
    card = parse_front(OcrResult.from_text(
        "Jane Doe\nCTO\nAcme Inc.\nwww.acme.com\nlinkedin.com/in/jane-doe"))
    assert card.website == "www.acme.com"
    assert card.social == ("linkedin.com/in/jane-doe",)


def test_department_is_told_apart_from_title_and_company() -> None:
    card = parse_front(OcrResult.from_text(
        "Arthur Wilson\nSoftware Engineer\nDepartment of Security Technologies\n"
        "ABC Technologies Inc.\nawilson@abctech.com"))
    assert card.title == "Software Engineer"
    assert card.department == "Department of Security Technologies"
    assert card.company == "ABC Technologies Inc."


def test_brazilian_local_numbers_take_the_area_code_printed_before_them() -> None:
    phones = find_phones(["Fones 11 2082-2399 / 2646-6123", "CEP: 03637-000"], "BR")
    assert [p.number for p in phones] == ["+551120822399", "+551126466123"]


def test_region_from_words_on_the_card() -> None:
    card = parse_front(OcrResult.from_text(
        "Eletrônica Adachi Ltda.\nRua Itaquera, 3006 - SP\nFone (11) 2294-9484"))
    assert [p.number for p in card.phones] == ["+551122949484"]
    assert card.company == "Eletrônica Adachi Ltda."


def test_a_shop_name_set_large_is_the_company_when_nothing_else_says() -> None:
    from cardscan.model import TextLine, Word

    def line(text: str, height: int, top: int) -> TextLine:
        return TextLine(words=tuple(Word(w, 90.0, 20 + 80 * i, top, 70, height)
                                    for i, w in enumerate(text.split())))

    ocr = OcrResult(lines=(line("CHEVROLESTE", 60, 10), line("Peças originais", 20, 90),
                           line("www.xyzq.com.br", 20, 130),
                           line("(11) 2741-0000", 20, 170)), engine="t", engine_version="0")
    card = parse_front(ocr, default_region="BR")
    assert card.company == "CHEVROLESTE"
    assert card.confidence["company"] < 0.7  # placed by size alone: review it
