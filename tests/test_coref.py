"""Event coreference inside one article (``midan.coref``): which records report one event."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from midan import coref

MONDAY = dt.date(2016, 8, 15)
STRIKE = coref.Sketch("Air/drone strike", "SY", "Idlib", "Binnish", 1, MONDAY, True, False,
                      "Military Forces of Russia (2000-)")


def test_coref_same_act_place_and_day_is_one_event():
    assert coref.same_event(STRIKE, replace(STRIKE))


def test_coref_a_town_and_the_province_that_holds_it_are_one_place():
    province = replace(STRIKE, location="Idlib", geo_precision=3)
    assert coref.same_event(STRIKE, province)
    elsewhere = replace(STRIKE, admin1="Aleppo", location="Aleppo", geo_precision=3)
    assert not coref.same_event(STRIKE, elsewhere)
    assert not coref.same_event(STRIKE, replace(STRIKE, location="Saraqib"))


def test_coref_days_must_agree_unless_one_report_gives_none():
    later = replace(STRIKE, day=MONDAY + dt.timedelta(days=2))
    assert not coref.same_event(STRIKE, later)
    assert coref.same_event(STRIKE, replace(later, dated=False))
    assert not coref.same_event(STRIKE, replace(later, dated=False, day=MONDAY + dt.timedelta(days=5)))


def test_coref_a_reference_back_is_dated_by_the_sentence_that_makes_it():
    reaction = replace(STRIKE, day=MONDAY + dt.timedelta(days=3), restated=True)
    assert coref.same_event(STRIKE, reaction)
    before = replace(STRIKE, day=MONDAY - dt.timedelta(days=3), restated=True)
    assert not coref.same_event(STRIKE, before)  # a reference back is never dated before the event


def test_coref_an_outcome_of_violence_joins_the_act_of_another_kind():
    killing = replace(STRIKE, sub_event_type="Attack", outcome=True, actor1="")
    assert coref.same_event(STRIKE, killing)
    clash = replace(STRIKE, sub_event_type="Armed clash", actor1="")
    assert not coref.same_event(STRIKE, clash)  # two acts of two kinds stay two events


def test_coref_named_perpetrators_that_differ_are_two_events_unless_the_same_act():
    other = replace(STRIKE, sub_event_type="Shelling/artillery/missile attack", actor1="Opposition Rebels (Syria)")
    assert not coref.same_event(replace(STRIKE, sub_event_type="Shelling/artillery/missile attack"), replace(
        other, location="Saraqib"))
    assert coref.same_event(STRIKE, replace(STRIKE, actor1="Military Forces of Syria (2000-)"))
    assert not coref.same_event(replace(STRIKE, day=MONDAY), replace(
        STRIKE, actor1="Military Forces of Syria (2000-)", dated=False, day=MONDAY + dt.timedelta(days=1)))


def test_coref_demonstrations_of_different_crowds_stay_apart():
    march = coref.Sketch("Peaceful protest", "SD", "Khartoum", "Khartoum", 1, MONDAY, True, False, "",
                         "Protesters (Sudan)")
    assert coref.same_event(march, replace(march, sub_event_type="Protest with intervention"))
    assert not coref.same_event(march, replace(march, crowd="Protesters (Sudan) [pro-government]"))
    assert coref.family("Arrests") == coref.family("Abduction/forced disappearance") == "detention"


def test_coref_clusters_never_chain_two_events_through_a_loose_third():
    town = STRIKE
    province = replace(STRIKE, location="Idlib", geo_precision=3, dated=False)
    other_town = replace(STRIKE, location="Saraqib")
    found = coref.clusters([town, province, other_town])
    assert found == [[0, 1], [2]]
