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


def test_gazetteer_us_state_abbreviations_and_continents(gazetteer):
    assert gazetteer.lookup("W.Va.")[0].name == "West Virginia"
    assert gazetteer.lookup("Calif.")[0].feature_code == "ADM1"
    europe = gazetteer.lookup("European")[0]
    assert europe.feature_code == "CONT" and europe.name == "Europe"
    assert "Europe" in [p.name for p in gazetteer.lookup("EU")]


def test_gazetteer_unit_point_is_inside_its_towns_extent(gazetteer):
    texas = next(p for p in gazetteer.lookup("Texas") if p.feature_code == "ADM1")
    assert 27 < texas.latitude < 35 and -104 < texas.longitude < -95


def test_gazetteer_fuzzy_finds_transliterations(gazetteer):
    assert gazetteer.lookup("Baqouba") == []
    assert gazetteer.fuzzy("Baqouba")[0].country_code == "IQ"
    assert gazetteer.fuzzy("Maiduguiri")[0].name == "Maiduguri"
    assert gazetteer.fuzzy("Xq") == []


def _dump_row(gid: int, name: str, alternates: str, lat: float, lon: float, fcode: str, admin1: str) -> str:
    cols = [str(gid), name, name, alternates, str(lat), str(lon), "P", fcode, "HT", "", admin1, "", "", "", "0", "",
            "40", "America/Port-au-Prince", "2024-01-01"]
    return "\t".join(cols)


@pytest.fixture
def scratch_gazetteer(gazetteer, tmp_path):
    import shutil

    path = tmp_path / "gazetteer.sqlite"
    shutil.copyfile(gazetteer.path, path)
    return Gazetteer(path, build=False)


def test_gazetteer_import_adds_places_below_cities500(scratch_gazetteer, tmp_path):
    dump = tmp_path / "HT.txt"
    dump.write_text("\n".join([
        _dump_row(99000001, "Solino", "Solino Quarter,Solinó", 18.5560, -72.3250, "PPLX", "11"),
        _dump_row(99000002, "Bel Air", "", 18.5480, -72.3380, "PPLX", "11"),
        "not a geonames row",
        _dump_row(int(scratch_gazetteer.lookup("Port-au-Prince")[0].geonames_id), "Port-au-Prince", "", 18.5, -72.3,
                  "PPLC", "11"),
    ]) + "\n", encoding="utf-8")
    assert scratch_gazetteer.lookup("Solino") == []
    counts = scratch_gazetteer.import_geonames(dump)
    assert counts == {"read": 4, "added": 2, "known": 1, "skipped": 1}
    solino = scratch_gazetteer.lookup("Solino")[0]
    assert solino.feature_code == "PPLX" and solino.country == "Haiti" and solino.admin1 == "Ouest"
    assert scratch_gazetteer.lookup("Solino Quarter")[0].geonames_id == 99000001
    info = scratch_gazetteer.info()
    assert info["imported"] == 2 and info["imported_from"] == "HT.txt"


def test_gazetteer_import_of_a_missing_or_broken_file_changes_nothing(scratch_gazetteer, tmp_path):
    from midan.errors import GazetteerError

    before = scratch_gazetteer.info()
    with pytest.raises(GazetteerError, match="no GeoNames file"):
        scratch_gazetteer.import_geonames(tmp_path / "absent.txt")
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(GazetteerError, match="cannot import"):
        scratch_gazetteer.import_geonames(broken)
    assert scratch_gazetteer.info() == before
    assert not list(tmp_path.glob(".gazetteer-*"))
