"""The offline gazetteer: keys, lookups, countries and demonyms."""

from __future__ import annotations

import pytest

from midan.gazetteer import Gazetteer, admin_key, key


@pytest.mark.parametrize(
    ("a", "b"),
    [("Daraa", "Dar'a"), ("Sanaa", "Sana’a"), ("al-Fashir", "Fashir"), ("El-Obeid", "Obeid"),
     ("São Paulo", "Sao Paulo"), ("Port-au-Prince", "Port au Prince")],
)
def test_gazetteer_key_normalises_spellings(a, b):
    assert key(a) == key(b)


def test_gazetteer_admin_key_drops_unit_words():
    assert admin_key("Zamfara State") == admin_key("Zamfara") == "zamfara"
    assert admin_key("Nineveh Governorate") == "nineveh"


@pytest.mark.parametrize(
    ("name", "country", "admin1"),
    [("Omdurman", "Sudan", "Khartoum"), ("Kassala", "Sudan", "Kassala"), ("El Fasher", "Sudan", "North Darfur"),
     ("Mosul", "Iraq", None), ("Maiduguri", "Nigeria", "Borno")],
)
def test_gazetteer_lookup_finds_places(gazetteer, name, country, admin1):
    best = gazetteer.lookup(name)[0]
    assert best.country == country
    if admin1:
        assert best.admin1 == admin1
    assert best.iso and best.iso3 and best.region


def test_gazetteer_prefers_the_town_over_its_province(gazetteer):
    assert gazetteer.lookup("Kassala")[0].feature_class == "P"


def test_gazetteer_country_restriction(gazetteer):
    assert gazetteer.lookup("Paris", country_code="US")[0].admin1 == "Texas"
    assert gazetteer.lookup("Paris")[0].country == "France"


@pytest.mark.parametrize(
    ("text", "country"),
    [("Sudanese", "Sudan"), ("Nigeria", "Nigeria"), ("DRC", "Democratic Republic of the Congo"),
     ("United States of America", "United States"), ("the Philippines", "Philippines"), ("SDN", "Sudan")],
)
def test_gazetteer_country_names_demonyms_codes(gazetteer, text, country):
    found = gazetteer.country(text)
    assert found is not None and found.country == country and found.is_country


def test_gazetteer_acled_regions(gazetteer):
    assert gazetteer.country("Sudan").region == "Northern Africa"
    assert gazetteer.country("Iraq").region == "Middle East"
    assert gazetteer.country("Georgia").region == "Caucasus and Central Asia"
    assert gazetteer.country("Mexico").region == "Central America"


def test_gazetteer_admin1_capital(gazetteer):
    capital = gazetteer.admin1_capital("NG", "Borno")
    assert capital is not None and capital.name == "Maiduguri"


def test_gazetteer_info_and_reopen(gazetteer):
    info = gazetteer.info()
    assert info["places"] > 200_000 and info["countries"] > 200
    again = Gazetteer(gazetteer.path, build=False)
    assert again.lookup("Omdurman")[0].geonames_id == gazetteer.lookup("Omdurman")[0].geonames_id


def test_gazetteer_missing_file_without_build(tmp_path):
    from midan.errors import GazetteerError

    with pytest.raises(GazetteerError):
        Gazetteer(tmp_path / "none.sqlite", build=False)
