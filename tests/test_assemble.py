"""Assembly: one record per actor pair, place and day; the type hierarchy; ids, notes, evidence."""

from __future__ import annotations

import datetime as dt

from midan.schema import Article


def events_of(pipeline, text: str, published: dt.date = dt.date(2025, 3, 12)):
    return pipeline(Article(id="t", text=text, published=published)).events


def test_assemble_protest_and_police_response_are_one_event(pipeline):
    events = events_of(pipeline, "Hundreds of teachers marched in Kisumu on Tuesday. Police fired tear gas to "
                                 "disperse the marchers.")
    assert len(events) == 1
    event = events[0]
    assert event.sub_event_type == "Protest with intervention"
    assert (event.actor1, event.actor2) == ("Protesters (Kenya)", "Police Forces of Kenya")
    assert event.tags == "crowd size=hundreds"
    assert event.interaction == "State forces-Protesters"


def test_assemble_separate_places_make_separate_events(pipeline):
    events = events_of(pipeline, "On Tuesday students marched in Kisumu, and traders marched in Nakuru.")
    assert sorted(e.location for e in events) == ["Kisumu", "Nakuru"]


def test_assemble_higher_ranked_type_wins(pipeline):
    events = events_of(pipeline, "On Monday soldiers clashed with rebels in Beni. The soldiers also shelled "
                                 "rebel positions in Beni on Monday.")
    assert [e.event_type for e in events] == ["Battles"]


def test_assemble_ids_are_stable_and_notes_generated(pipeline):
    text = "Gunmen shot dead a village chief in Kaduna on Monday."
    first, second = events_of(pipeline, text), events_of(pipeline, text)
    assert [e.event_id_cnty for e in first] == [e.event_id_cnty for e in second]
    event = first[0]
    assert event.event_id_cnty.startswith("NGA-")
    assert event.notes.startswith("On 10 March 2025, in Kaduna")
    assert event.civilian_targeting == "Civilians targeted"
    assert event.plover_type == "ASSAULT" and event.disorder_type == "Political violence"


def test_assemble_evidence_offsets(pipeline):
    text = "Gunmen shot dead a village chief in Kaduna on Monday."
    event = events_of(pipeline, text)[0]
    fields = {e.field: e.text for e in event.evidence}
    assert fields["trigger"] == "shot" and fields["location"] == "Kaduna" and fields["event_date"] == "Monday"
    assert fields["actor1"] == "Gunmen"
    for item in event.evidence:
        assert text[item.start:item.end] == item.text
