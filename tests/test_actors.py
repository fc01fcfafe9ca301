"""ACLED actor naming and roles, on sentences written for these tests."""

from __future__ import annotations

import pytest

from midan import actors, detect

DEMONYMS = {"Nigerian": "Nigeria", "Sudanese": "Sudan", "Kenyan": "Kenya"}


def coded_actors(parse, text: str, country: str):
    found = detect.coded(detect.mentions(parse(text)))
    assert found, f"nothing coded in {text!r}"
    mention = found[0]
    actors.assign(mention, country, DEMONYMS.get)
    return mention


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("police", "state"), ("Soldiers", "state"), ("rebels", "rebel"), ("gunmen", "armed"),
        ("protesters", "protester"), ("rioters", "rioter"), ("villagers", "civilian"),
        ("Boko Haram", "rebel"), ("a checkpoint", "state"), ("thousands of students", "civilian"),
    ],
)
def test_actors_noun_kind(parse, text, kind):
    doc = parse(f"They saw {text}.")
    head = next(t for t in doc if t.dep_ in {"dobj", "pobj"} and t.head.lemma_ == "see")
    assert actors.noun_kind(head) == kind


def test_actors_victim_is_actor2_in_violence_against_civilians(parse):
    mention = coded_actors(parse, "Gunmen shot dead a union leader in Kassala.", "Sudan")
    assert mention.sub_event_type == "Attack"
    assert mention.actor1.name == "Unidentified Armed Group (Sudan)"
    assert mention.actor1.inter == "Political militia"
    assert mention.actor2.name == "Civilians (Sudan)"
    assert mention.actor2.inter_code == 7
    assert "Labor Group (Sudan)" in mention.assoc2


def test_actors_protest_names_protesters_and_associated_students(parse):
    mention = coded_actors(parse, "Thousands of students marched in Khartoum.", "Sudan")
    assert mention.actor1.name == "Protesters (Sudan)"
    assert mention.actor2 is None
    assert mention.assoc1 == ["Students (Sudan)"]


def test_actors_intervention_puts_police_second(parse):
    mention = coded_actors(parse, "Police fired tear gas to disperse students rallying in Nairobi.", "Kenya")
    assert mention.sub_event_type == "Protest with intervention"
    assert mention.actor1.name == "Protesters (Kenya)"
    assert mention.actor2.name == "Police Forces of Kenya"


def test_actors_excessive_force_puts_the_force_first(parse):
    mention = coded_actors(parse, "Soldiers opened fire on protesters in Mandalay, killing three.", "Myanmar")
    assert mention.sub_event_type == "Excessive force against protesters"
    assert mention.actor1.name == "Military Forces of Myanmar"
    assert mention.actor2.name == "Protesters (Myanmar)"


def test_actors_demonym_sets_the_force_country(parse):
    mention = coded_actors(parse, "Nigerian troops clashed with Boko Haram fighters near Bama.", "Nigeria")
    names = {mention.actor1.name, mention.actor2.name}
    assert "Military Forces of Nigeria" in names
    assert "Boko Haram - Jamaatu Ahli is-Sunnah lid-Dawati wal-Jihad" in names


def test_actors_evidence_span_names_the_actor(parse):
    text = "Gunmen shot dead a union leader in Kassala."
    mention = coded_actors(parse, text, "Sudan")
    assert text[mention.actor1.start:mention.actor1.end] == "Gunmen"
    assert "leader" in text[mention.actor2.start:mention.actor2.end]


def test_actors_arrests_default_to_police(parse):
    mention = coded_actors(parse, "A journalist was arrested in Karachi.", "Pakistan")
    assert mention.sub_event_type == "Arrests"
    assert mention.actor1.name == "Police Forces of Pakistan"
    assert mention.actor2.name == "Civilians (Pakistan)"
    assert "Journalists (Pakistan)" in mention.assoc2


def test_actors_identity_militia(parse):
    mention = coded_actors(parse, "Fulani militiamen attacked farmers in Benue, killing seven.", "Nigeria")
    assert mention.actor1.name == "Fulani Ethnic Militia (Nigeria)"
    assert mention.actor1.inter == "Identity militia"
