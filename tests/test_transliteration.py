"""Names transliterated from other scripts: the gazetteer's consonant skeleton (``gazetteer.skeleton``)."""

from __future__ import annotations

import pytest

from midan.gazetteer import MIN_SKELETON, TRANSLITERATED, skeleton


@pytest.mark.parametrize(("news", "geonames"), [
    ("Jisr al-Shaghour", "Jisr ash Shughūr"),
    ("Maaret al-Nouman", "Ma‘arrat an Nu‘mān"),
    ("Housh Salhiya", "Hawsh as Salihiyah"),
    ("Kafarbatna", "Kafr Baţnā"),
    ("Jeb al-Jarrah", "Jubb al Jarrāḩ"),
    ("Qamishli", "Al Qāmishlī"),
    ("Deir Ezzor", "Dayr az Zawr"),
])
def test_skeleton_one_key_for_the_spellings_of_a_name(news, geonames):
    assert skeleton(news) == skeleton(geonames)
    assert len(skeleton(news)) >= MIN_SKELETON


def test_skeleton_tells_different_names_apart():
    assert skeleton("Aleppo") != skeleton("Idlib")
    assert skeleton("Homs") != skeleton("Hama")


def test_skeleton_lookup_finds_a_spelling_geonames_does_not_list(gazetteer):
    assert not gazetteer.lookup("Jisr al-Shaghour")
    places = gazetteer.by_skeleton("Jisr al-Shaghour", "SY")
    assert places and places[0].name.startswith("Jisr")
    # a skeleton shared by another name spelled too differently is not a match ("Claiborne" / "Cleebronn")
    assert not any(p.name == "Cleebronn" for p in gazetteer.by_skeleton("Claiborne", "DE"))


def test_skeleton_matching_is_for_countries_whose_names_are_transliterated():
    assert {"SY", "IQ", "RU", "MM", "IR", "AF"} <= TRANSLITERATED
    assert not {"NG", "US", "FR", "DE", "GB", "BR"} & TRANSLITERATED
