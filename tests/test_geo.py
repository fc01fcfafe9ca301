"""Geoparsing and event location, on sentences written for these tests."""

from __future__ import annotations

import re

import pytest

from midan import detect, geo


def locate(parse, gazetteer, text: str):
    doc = parse(text)
    toponyms = geo.geoparse(doc, gazetteer)
    found = detect.coded(detect.mentions(doc))
    assert found, f"nothing coded in {text!r}"
    return [geo.event_location(m.trigger, toponyms, gazetteer) for m in found], toponyms


def test_geo_finds_places_the_ner_mislabels(parse, gazetteer):
    doc = parse("Fighters stormed a sit-in in Omdurman.")
    names = {(t.text, t.place.country) for t in geo.geoparse(doc, gazetteer)}
    assert ("Omdurman", "Sudan") in names


def test_geo_to_dict_has_the_spec_fields(parse, gazetteer):
    doc = parse("Gunmen attacked a village near Kassala.")
    item = geo.geoparse(doc, gazetteer)[0].to_dict()
    assert set(item) == {"start", "end", "text", "name", "geonames_id", "latitude", "longitude", "country",
                         "admin1", "admin2", "feature_code", "point", "population", "confidence", "label", "locative"}


def test_geo_containment_resolves_ambiguous_names(parse, gazetteer):
    doc = parse("A tornado hit Paris, Texas, and protesters later marched in Paris.")
    toponyms = [t for t in geo.geoparse(doc, gazetteer) if t.text == "Paris"]
    assert toponyms[0].place.admin1 == "Texas"


def test_geo_event_place_is_the_attached_place_not_the_victims_home_town(parse, gazetteer):
    (location,), _ = locate(parse, gazetteer, "Gunmen shot dead a union leader, a native of Atbara, in Kassala.")
    assert location.place.name == "Kassala" and location.geo_precision == 1 and location.how == "dependency"


def test_geo_chant_capital_is_not_the_event_place(parse, gazetteer):
    locations, _ = locate(parse, gazetteer, "Students marched in Kassala on Monday, chanting 'Freedom for Khartoum!'")
    assert [loc.place.name for loc in locations if loc] == ["Kassala"]


def test_geo_near_gives_precision_2(parse, gazetteer):
    (location,), _ = locate(parse, gazetteer, "A roadside bomb killed four soldiers near Mosul.")
    assert location.place.name == "Mosul" and location.geo_precision == 2


def test_geo_province_only_gives_precision_3_and_its_capital(parse, gazetteer):
    (location,), _ = locate(parse, gazetteer, "Bandits abducted twelve farmers in Zamfara state.")
    assert location.geo_precision == 3
    assert location.place.admin1 == "Zamfara" and location.place.feature_class == "P"


def test_geo_country_only_is_not_an_event_place(parse, gazetteer):
    (location,), _ = locate(parse, gazetteer, "Soldiers clashed with rebels in Sudan.")
    assert location is None


def test_geo_inherits_the_previous_sentence(parse, gazetteer):
    text = "Police dispersed a march in Kisumu on Monday. Officers arrested nine people."
    locations, _ = locate(parse, gazetteer, text)
    assert locations[-1].place.name == "Kisumu" and locations[-1].how == "previous sentence"


def test_geo_dateline(parse, gazetteer):
    locations, _ = locate(parse, gazetteer, "MAIDUGURI, Nigeria — Gunmen abducted twelve farmers.")
    assert locations[0].place.name == "Maiduguri" and locations[0].how == "dateline"


def test_geo_metonymy_is_not_locative(parse, gazetteer):
    doc = parse("Washington said the sanctions would stay.")
    assert not any(t.locative for t in geo.geoparse(doc, gazetteer) if t.text == "Washington")


def test_geo_event_without_a_place_takes_the_articles_place(parse, gazetteer):
    text = ("Activists say the crackdown is widening.\n\nOfficers arrested nine people on Monday.\n\n"
            "The detainees were taken to a prison in Kisumu, and lawyers in Kisumu asked for their release.")
    locations, _ = locate(parse, gazetteer, text)
    assert locations[0] is not None and locations[0].place.name == "Kisumu" and locations[0].how == "article"


def test_geo_fallback_place_lies_in_the_country_the_sentence_names(parse, gazetteer):
    text = "Lawyers met in Nairobi.\n\nPolice in Uganda arrested nine activists on Monday."
    locations, _ = locate(parse, gazetteer, text)
    assert locations[-1] is None or locations[-1].place.country_code == "UG"


def test_geo_city_state_named_as_a_country_is_its_city(parse, gazetteer):
    locations, _ = locate(parse, gazetteer, "Police in Singapore arrested nine activists on Monday.")
    assert locations[0] is not None and locations[0].place.name == "Singapore"
    assert locations[0].place.feature_class == "P" and locations[0].geo_precision == 1


def test_geo_colon_dateline_of_a_lower_cased_article(parse, gazetteer):
    text = ("This story is from March 10, 2002\n\nahmedabad: two persons were killed in police firing on monday "
            "as mobs went on the rampage and the curfew continued in the walled city, officials said, while the "
            "situation remained tense but under control in most places of the state.")
    toponyms = geo.geoparse(parse(text), gazetteer)
    assert any(t.text == "ahmedabad" and t.place is not None and t.place.country_code == "IN" for t in toponyms)


def test_geo_region_that_only_locates_a_town_is_not_the_event_place(parse, gazetteer):
    doc = parse("Somali army troops recaptured the town of Buulobarde in the Hiiraan region after a day of "
                "fighting that killed at least seven militants.")
    toponyms = geo.geoparse(doc, gazetteer)
    killed = next(t for t in doc if t.text == "killed")
    assert geo.event_location(killed, toponyms, gazetteer).place.name == "Buulobarde"


def test_geo_a_persons_surname_is_not_an_event_place(parse, gazetteer):
    doc = parse("Assange worked with whistleblower Chelsea Manning to reveal the files. Because of Manning, Assange "
                "and WikiLeaks, we learned of civilian casualties.")
    assert not any(t.text == "Manning" and t.locative for t in geo.geoparse(doc, gazetteer))


# --- the event's place in its sentence (geo.event_places) and how it is coded ---------------------------------


def places_of(parse, gazetteer, text: str, word: str) -> tuple[list[str], object]:
    """The names event_places chooses for the event word ``word`` and the location event_location codes."""
    doc = parse(text)
    toponyms = geo.geoparse(doc, gazetteer)
    trigger = next(t for t in doc if t.text == word)
    return [p.text for p in geo.event_places(trigger, toponyms)], geo.event_location(trigger, toponyms, gazetteer)


def test_geo_quarter_unknown_to_the_gazetteer_is_coded_town_dash_quarter(parse, gazetteer):
    names, location = places_of(parse, gazetteer, "Three traders were killed when militiamen stormed a market in "
                                "the Hay al-Sawra neighbourhood of Omdurman.", "stormed")
    assert names == ["Hay al-Sawra"]  # the name, without "the" and "neighbourhood"
    assert location.location == "Omdurman - Hay al-Sawra" and location.geo_precision == 1


def test_geo_village_unknown_to_the_gazetteer_is_coded_near_the_known_place(parse, gazetteer):
    names, location = places_of(parse, gazetteer, "Raiders burned the village of Um Sidra in the countryside of "
                                "Geneina on Friday.", "burned")
    assert names == ["Um Sidra"]
    assert location.geo_precision == 2 and location.place.country_code == "SD"


def test_geo_home_town_is_not_chosen_as_the_event_place(parse, gazetteer):
    names, _ = places_of(parse, gazetteer, "A shopkeeper from Omdurman was shot dead by police on Monday.", "shot")
    assert names == []


def test_geo_country_is_chosen_but_not_coded_on_its_own(parse, gazetteer):
    names, location = places_of(parse, gazetteer, "Protesters rallied in Uganda on Sunday.", "rallied")
    assert names == ["Uganda"] and location is None


def test_geo_the_country_holding_a_region_is_not_the_event_place(parse, gazetteer):
    names, _ = places_of(parse, gazetteer, "Protesters rallied in Ethiopia's Amhara region on Sunday.", "rallied")
    assert names == ["Amhara"]


def test_geo_a_town_measured_from_is_not_the_event_place(parse, gazetteer):
    names, location = places_of(parse, gazetteer, "Gunmen killed two traders in Kadugli, 40 km south of Dilling.",
                                "killed")
    assert names == ["Kadugli"] and location.place.name == "Kadugli"


def test_geo_places_listed_together_are_all_chosen(parse, gazetteer):
    names, _ = places_of(parse, gazetteer, "Demonstrators marched through central Khartoum and Bahri on Thursday.",
                         "marched")
    assert names == ["Khartoum", "Bahri"]


def test_geo_province_name_without_its_kind_noun(parse, gazetteer):
    names, location = places_of(parse, gazetteer, "Bandits abducted twelve farmers in the restive Zamfara state "
                                "on Monday.", "abducted")
    assert names == ["Zamfara"] and location.geo_precision == 3


def test_geo_nationality_is_not_a_place(parse, gazetteer):
    names, _ = places_of(parse, gazetteer, "Gunmen ambushed a US convoy in Samarra.", "ambushed")
    assert names == ["Samarra"]


def test_geo_place_of_the_clause_telling_how_it_happened(parse, gazetteer):
    names, _ = places_of(parse, gazetteer, "Four villagers were killed when jets bombed the village of Tabra.",
                         "killed")
    assert names == ["Tabra"]


def test_geo_earlier_clause_keeps_its_own_place(parse, gazetteer):
    names, _ = places_of(parse, gazetteer, "Students marched in Khartoum, and smaller protests were held in the "
                         "states of Gezira and Kassala.", "held")
    assert "Khartoum" not in names and names[0] == "Gezira"


def test_geo_part_of_a_town_stands_for_the_town(parse, gazetteer):
    names, location = places_of(parse, gazetteer, "A trader was shot dead on the outskirts of Kassala on Monday.",
                                "shot")
    assert names == ["Kassala"] and location.geo_precision == 2  # "outskirts": near the town


def test_geo_hyphenated_name_is_taken_whole(parse, gazetteer):
    names, _ = places_of(parse, gazetteer, "Rebels captured Mazar-e-Sharif after a week of fighting.", "captured")
    assert names == ["Mazar-e-Sharif"]


@pytest.mark.parametrize(
    ("text", "name", "expected"),
    [
        ("The Lamar County commissioners met in Paris on Tuesday. Reno and Blossom officials also attended.", "Paris",
         ("US", "Texas", "PPL")),
        ("Georgia accused Russia of shelling villages near Tbilisi.", "Georgia", ("GE", "", "PCLI")),
        ("The governor of Georgia said Atlanta and Savannah would receive more troopers.", "Georgia",
         ("US", "Georgia", "ADM1")),
        ("Protesters gathered in Athens, Ga., outside the courthouse.", "Athens", ("US", "Georgia", "PPL")),
        ("Protesters gathered in Athens outside the parliament.", "Athens", ("GR", None, "PPLC")),
        ("A bus struck a mine near Bandiagara on the road to Mopti.", "Mopti", ("ML", "Mopti", "PPL")),
    ],
)
def test_geo_ranker_reads_the_article_context(parse, gazetteer, text, name, expected):
    toponym = next(t for t in geo.geoparse(parse(text), gazetteer) if t.text == name)
    place = toponym.place
    assert (place.country_code, place.admin1 if expected[1] is not None else None, place.feature_code) == expected


def test_geo_resolve_given_spans_resolves_every_one(parse, gazetteer):
    doc = parse("Talks in Khartum ended as Baqouba and Springfield sent delegates.")
    spans = [doc.char_span(m.start(), m.end()) for m in re.finditer(r"Khartum|Baqouba", doc.text)]
    resolved = geo.resolve(doc, spans, gazetteer, given=True)
    assert [(t.text, t.place.country_code) for t in resolved] == [("Khartum", "SD"), ("Baqouba", "IQ")]


def test_geo_doubtful_readings_are_left_unresolved(parse, gazetteer):
    # "PORT-AU-PRINCE" is one dateline name, not "PORT" (a French village the ranker doubts)
    toponyms = geo.geoparse(parse("PORT-AU-PRINCE, July 10 — Police and gangs fought in Solino on Tuesday."),
                            gazetteer)
    assert toponyms[0].place.name == "Port-au-Prince"
    assert "Solin" not in [t.place.name for t in toponyms]


def test_geo_chant_capital_sponsor_and_home_town_are_not_event_places(pipeline):
    import datetime as dt

    from midan.schema import Article

    text = ("KASSALA, Sudan — Hundreds of students marched through Kassala on Tuesday, chanting \"Khartoum belongs to "
            "the people!\" and demanding civilian rule.\n\n"
            "In Omdurman, paramilitary fighters backed by the United Arab Emirates stormed a sit-in on Tuesday, "
            "wounding 12 protesters, witnesses said.\n\n"
            "On Monday, gunmen shot dead Osman Idris, a union leader from Atbara, outside his office in Gedaref, his "
            "colleagues said.")
    analysis = next(pipeline.pipe([Article(id="s", text=text, title="", published=dt.date(2025, 3, 5))]))
    places = sorted((e.event_date, e.location, e.geo_precision) for e in analysis.events)
    assert places == [("2025-03-03", "Al Qadarif", 1), ("2025-03-04", "Kassala", 1), ("2025-03-04", "Omdurman", 1)]
    assert {e.country for e in analysis.events} == {"Sudan"}


def test_georank_tree_export_gives_scikit_learns_scores():
    import numpy as np

    from midan import georank

    rng = np.random.default_rng(0)
    x = rng.normal(size=(600, len(georank.FEATURES) + len(georank.STAGE2)))
    y = x[:, 0] + 0.5 * x[:, -1] * x[:, 2] > 0
    exported = georank.boosted_trees(x, y, trees=8, depth=3)  # checks itself against decision_function
    scores = georank._scores(exported, x)
    assert scores.shape == (600,) and np.corrcoef(scores, x[:, 0])[0, 1] > 0.5


def test_georank_weights_for_other_features_are_refused(tmp_path):
    import json

    from midan import georank
    from midan.errors import MidanError

    path = tmp_path / "georank.json"
    path.write_text(json.dumps({"features": ["log_population"], "stage2_features": [], "stage1": {}, "stage2": {}}))
    with pytest.raises(MidanError, match="trained on other features"):
        georank._weights.__wrapped__(path)
    path.write_text("{not json")
    with pytest.raises(MidanError, match="cannot read the toponym ranker"):
        georank._weights.__wrapped__(path)


def test_geo_location_candidates_are_one_ranked_list(parse, gazetteer):
    doc = parse("Gunmen stormed a market in Kassala on Monday. Four traders were killed.")
    toponyms = geo.geoparse(doc, gazetteer)
    stormed, killed = (next(t for t in doc if t.text == word) for word in ("stormed", "killed"))
    candidates = geo.location_candidates(stormed, toponyms, gazetteer)
    assert [(c.rank, c.how, c.toponym.text) for c in candidates] == [((geo.Rule.ATTACHED, 0), "dependency", "Kassala")]
    story = geo.event_location(stormed, toponyms, gazetteer)
    assert story == candidates[0].location and story.location == "Kassala"
    # a sentence without a place of its own: earlier places and the article's place, by rank
    later = geo.location_candidates(killed, toponyms, gazetteer)
    assert [(c.rank, c.how) for c in later] == [((geo.Rule.EARLIER, 0), "previous sentence"),
                                                ((geo.Rule.ARTICLE, 0), "article")]
    # the story's place ends the list
    assert [(c.rank, c.how) for c in geo.location_candidates(killed, toponyms, gazetteer, story)] == [
        ((geo.Rule.STORY, 0), "previous sentence")]
    assert geo.event_location(killed, toponyms, gazetteer, story).how == "previous sentence"
