"""Benchmark scoring rules (shared/eval/README.md), so the numbers mean what they say."""

from __future__ import annotations

from cardscan.bench import score_fields


def test_names_compare_after_case_and_accent_folding() -> None:
    assert score_fields({"name": "Zoë Lefèvre"}, {"name": "ZOE LEFEVRE"})["name"][3] == 1
    assert score_fields({"name": "Zoë Lefèvre"}, {"name": "Zoe Lefevr"})["name"][3] == 0


def test_title_and_company_by_close_similarity() -> None:
    assert score_fields({"company": "Falcon Logistics Inc."},
                        {"company": "Falcon Logistics Inc"})["company"][3] == 1
    assert score_fields({"company": "Falcon Logistics Inc."},
                        {"company": "Inc."})["company"][3] == 0


def test_phones_as_sets_with_type_and_real_set_suffix_match() -> None:
    want = [{"number": "+14155550132", "type": "work"}, {"number": "+14155550199",
                                                           "type": "mobile"}]
    got = [{"number": "+14155550199", "type": "mobile"}, {"number": "+14155550132",
                                                           "type": "fax"}]
    assert score_fields({"phones": want}, {"phones": got})["phones"] == (2, 2, 1, 0)
    real = score_fields({"phones": [{"number": "22949484"}]},
                        {"phones": [{"number": "+551122949484", "type": "work"}]})
    assert real["phones"] == (1, 1, 1, 1)


def test_website_as_host_and_address_by_word_overlap() -> None:
    assert score_fields({"website": "https://www.acme.com/"},
                        {"website": "acme.com"})["website"][3] == 1
    assert score_fields({"address": "7 Hanover Square, Manchester M1 3BE"},
                        {"address": "7 Hanover Square, Manchester M1 3BE, UK"})["address"][3] == 1
    assert score_fields({"address": "7 Hanover Square, Manchester M1 3BE"},
                        {"address": "Manchester"})["address"][3] == 0


def test_missing_output_counts_as_a_miss_not_a_false_positive() -> None:
    assert score_fields({"title": "CEO", "emails": ["a@b.com"]}, {}) == {
        "title": (1, 0, 0, 0), "emails": (1, 0, 0, 0)}
