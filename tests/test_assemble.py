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
    assert event.actor1 == "Protesters (Kenya)" and event.actor2.startswith("Police Forces of Kenya")
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


# --- one event per actor pair, place and day ------------------------------------------------------------------


def test_assemble_sentences_of_one_event_merge_without_double_counting(pipeline):
    text = ("Soldiers clashed with rebels in Beni on Monday, killing five. Five people died in the fighting in Beni "
            "on Monday, a local official said.")
    events = events_of(pipeline, text)
    assert len(events) == 1
    event = events[0]
    assert event.sub_event_type == "Armed clash" and event.fatalities == 5
    sentences = [e.text for e in event.evidence if e.field == "event"]
    assert len(sentences) == 2 and sentences[1].startswith("Five people died")
    assert {e.text for e in event.evidence if e.field == "trigger"} >= {"clashed", "died"}


def test_assemble_protest_met_with_live_fire_is_excessive_force(pipeline):
    events = events_of(pipeline, "Hundreds of teachers marched in Kisumu on Tuesday. Police opened fire on the "
                                 "marchers, killing two.")
    assert len(events) == 1
    event = events[0]
    assert event.sub_event_type == "Excessive force against protesters"
    assert event.fatalities == 2 and event.tags == "crowd size=hundreds"
    assert len([e for e in event.evidence if e.field == "event"]) == 2


def test_assemble_shelling_that_killed_civilians_is_one_shelling(pipeline):
    events = events_of(pipeline, "Rebels fired mortar shells into Beni on Monday. Three civilians were killed in "
                                 "the shelling in Beni on Monday, residents said.")
    assert len(events) == 1
    event = events[0]
    assert event.sub_event_type == "Shelling/artillery/missile attack"
    assert event.fatalities == 3


def test_assemble_distinct_acts_by_different_actor_pairs_stay_separate(pipeline):
    events = events_of(pipeline, "On Monday gunmen killed three farmers in Beni, and soldiers clashed with rebels "
                                 "in Beni.")
    assert sorted(e.sub_event_type for e in events) == ["Armed clash", "Attack"]
    attack = next(e for e in events if e.sub_event_type == "Attack")
    assert attack.fatalities == 3 and attack.actor2.startswith("Civilians")
    assert len({e.event_id_cnty for e in events}) == 2


def test_assemble_riot_and_police_response_are_one_violent_demonstration(pipeline):
    events = events_of(pipeline, "In Valparaiso, hooded youths threw stones at the Congress building on Thursday "
                                 "after a student march. Police responded with tear gas and arrested eight people.",
                       published=dt.date(2025, 4, 25))
    assert len(events) == 1
    event = events[0]
    assert event.sub_event_type == "Violent demonstration"
    assert event.actor1 == "Rioters (Chile)" and event.actor2.startswith("Police Forces of Chile")


def test_assemble_arrests_at_a_demonstration_are_an_intervention(pipeline):
    events = events_of(pipeline, "Hundreds of traders marched peacefully in Nakuru on Monday. Police arrested 12 "
                                 "people in Nakuru on Monday.")
    assert len(events) == 1
    event = events[0]
    assert event.sub_event_type == "Protest with intervention"
    assert event.actor1 == "Protesters (Kenya)" and event.actor2.startswith("Police Forces of Kenya")


def test_assemble_arrests_elsewhere_stay_arrests(pipeline):
    events = events_of(pipeline, "Hundreds of traders marched in Nakuru on Monday. Police arrested 12 people in "
                                 "Kisumu on Monday.")
    assert sorted((e.location, e.sub_event_type) for e in events) == [("Kisumu", "Arrests"),
                                                                      ("Nakuru", "Peaceful protest")]


# --- multi-day reports ------------------------------------------------------------------------------------------


def test_assemble_range_of_weekdays_gives_one_record_per_day(pipeline):
    text = "Soldiers clashed with rebels in Beni from Monday to Wednesday."
    events = events_of(pipeline, text)
    assert [e.event_date for e in events] == ["2025-03-10", "2025-03-11", "2025-03-12"]
    assert all(e.time_precision == 1 and e.date_start == e.date_end == e.event_date for e in events)
    assert all(e.sub_event_type == "Armed clash" and e.location == "Beni" for e in events)
    assert len({e.event_id_cnty for e in events}) == 3
    assert [e.event_id_cnty for e in events] == [e.event_id_cnty for e in events_of(pipeline, text)]
    dates = [e for e in events[0].evidence if e.field == "event_date"]
    assert dates and dates[0].text == "from Monday to Wednesday"
    assert "One of 3 daily records" in events[0].notes


def test_assemble_range_of_day_numbers(pipeline):
    events = events_of(pipeline, "Protesters marched in Kisumu between 3 and 5 March.")
    assert [e.event_date for e in events] == ["2025-03-03", "2025-03-04", "2025-03-05"]
    events = events_of(pipeline, "Students marched in Nakuru on March 3-5.")
    assert [e.event_date for e in events] == ["2025-03-03", "2025-03-04", "2025-03-05"]


def test_assemble_listed_days_are_the_days_named(pipeline):
    events = events_of(pipeline, "Traders protested in Eldoret on 3, 4 and 6 March.")
    assert [e.event_date for e in events] == ["2025-03-03", "2025-03-04", "2025-03-06"]
    events = events_of(pipeline, "Thousands of students marched through Santiago on Wednesday and again on Thursday.",
                       published=dt.date(2025, 4, 25))
    assert [e.event_date for e in events] == ["2025-04-23", "2025-04-24"]
    assert all(e.time_precision == 1 for e in events)


def test_assemble_counted_days_end_or_begin_on_the_named_day(pipeline):
    ended = events_of(pipeline, "Three days of protests in Nairobi ended on Wednesday.")
    assert [e.event_date for e in ended] == ["2025-03-10", "2025-03-11", "2025-03-12"]
    began = events_of(pipeline, "Protesters began a three-day sit-in in Kisumu on Monday.")
    assert [e.event_date for e in began] == ["2025-03-10", "2025-03-11", "2025-03-12"]
    # the days after publication have not happened yet
    cut = events_of(pipeline, "Protesters began a three-day sit-in in Kisumu on Tuesday.")
    assert [e.event_date for e in cut] == ["2025-03-11", "2025-03-12"]


def test_assemble_days_of_other_clauses_and_offsets_do_not_spread(pipeline):
    events = events_of(pipeline, "Protesters marched in Kisumu on Monday and on Tuesday police arrested 20 people "
                                 "in Kisumu.")
    assert sorted((e.event_date, e.sub_event_type) for e in events) == [("2025-03-10", "Peaceful protest"),
                                                                        ("2025-03-11", "Arrests")]
    events = events_of(pipeline, "Rebels seized the town of Indaw on Monday after a 10-day siege.")
    assert [e.event_date for e in events] == ["2025-03-10"]


# --- split figures -----------------------------------------------------------------------------------------------


def test_split_share_is_even_with_the_remainder_first():
    from midan.assemble import split_share

    assert [split_share(12, 4, i) for i in range(4)] == [3, 3, 3, 3]
    assert [split_share(11, 2, i) for i in range(2)] == [6, 5]
    assert [split_share(2, 3, i) for i in range(3)] == [2, 0, 0]
    assert split_share(7, 1, 0) == 7


def test_assemble_summary_toll_is_split_across_places_and_days(pipeline):
    events = events_of(pipeline, "12 people were killed in clashes between soldiers and rebels in Beni and Butembo "
                                 "on Monday and Tuesday.")
    assert sorted((e.event_date, e.location) for e in events) == [
        ("2025-03-10", "Beni"), ("2025-03-10", "Butembo"), ("2025-03-11", "Beni"), ("2025-03-11", "Butembo")]
    assert [e.fatalities for e in events] == [3, 3, 3, 3]
    assert all("fatalities split across 4 events" in e.notes for e in events)
    assert len({e.event_id_cnty for e in events}) == 4


def test_assemble_split_remainder_goes_to_the_first_record(pipeline):
    events = events_of(pipeline, "Eleven people were killed in clashes between soldiers and rebels in Beni and "
                                 "Butembo on Monday.")
    assert {e.location: e.fatalities for e in events} == {"Beni": 6, "Butembo": 5}
    assert all(e.fatalities_low <= e.fatalities <= e.fatalities_high for e in events)


def test_assemble_places_listed_together_are_separate_events(pipeline):
    events = events_of(pipeline, "Protests were held in Kisumu, Nakuru and Eldoret on Monday.")
    assert sorted(e.location for e in events) == ["Eldoret", "Kisumu", "Nakuru"]
    assert all(e.fatalities == 0 and "split" not in e.notes for e in events)
    # a road between two towns is one place
    events = events_of(pipeline, "Militiamen clashed with soldiers on the road between Beni and Butembo on Monday.")
    assert len(events) == 1


def test_assemble_called_directly_tags_time_itself(pipeline):
    from midan.assemble import assemble

    analysis = pipeline(Article(id="t", text="Soldiers clashed with rebels in Beni and Butembo from Monday to "
                                             "Tuesday.", published=dt.date(2025, 3, 12)))
    assert len(analysis.events) == 4
    direct = assemble(analysis.article, analysis.mentions, "test", now=0)
    # without the article's toponyms only the days are spread, not the places
    assert [(e.event_date, e.location) for e in direct] == [("2025-03-10", "Beni"), ("2025-03-11", "Beni")]
    assert all(e.timestamp == 0 and e.extractor_version == "test" for e in direct)


def test_assemble_ids_stay_unique_when_identities_repeat():
    from midan.assemble import _unique_ids
    from midan.schema import Event, Evidence

    def made(start: int) -> Event:
        return Event(event_id_cnty="KEN-0123456789", event_date="2025-03-10", year=2025, time_precision=1,
                     disorder_type="Demonstrations", event_type="Protests", sub_event_type="Peaceful protest",
                     actor1="Protesters (Kenya)",
                     evidence=[Evidence("t", "", "trigger", "marched", start, start + 7)])

    first, second = made(10), made(50)
    _unique_ids([first, second])
    assert first.event_id_cnty == "KEN-0123456789"
    assert second.event_id_cnty.startswith("KEN-") and second.event_id_cnty != first.event_id_cnty
    again = [made(10), made(50)]
    _unique_ids(again)
    assert [e.event_id_cnty for e in again] == [first.event_id_cnty, second.event_id_cnty]


def test_assemble_hong_kong_is_a_region_of_china(pipeline):
    (event,) = events_of(pipeline, "Police arrested twelve pro-democracy activists in Hong Kong on Monday.")
    assert (event.country, event.admin1, event.iso) == ("China", "Hong Kong", 156)


def test_assemble_violence_naming_no_side_joins_the_event_of_its_place_and_day(pipeline):
    events = events_of(pipeline, "Police officers and gang members fought for hours in Port-au-Prince on Tuesday, "
                                 "leaving six gang members dead. Residents said that shooting continued until the "
                                 "afternoon.")
    assert [e.sub_event_type for e in events] == ["Armed clash"]
    assert events[0].actor1.startswith("Police Forces of Haiti")


def test_assemble_dateline_is_never_the_first_actor(pipeline):
    (event,) = events_of(pipeline, "GUSAU, Nigeria — Gunmen abducted 23 villagers from a settlement outside Tsafe "
                                   "on Monday, residents said.")
    actor1 = next(ev for ev in event.evidence if ev.field == "actor1")
    assert actor1.text == "Gunmen" and event.actor1 == "Unidentified Armed Group (Nigeria)"


def test_assemble_headline_is_not_coded_apart_from_the_body(pipeline):
    title = "Army retakes Marte base"
    text = f"{title}\n\nOn Tuesday, troops backed by air force jets recaptured Marte, an army spokesman said."
    events = pipeline(Article(id="t", text=text, title=title, published=dt.date(2025, 3, 12))).events
    assert [(e.sub_event_type, e.location) for e in events] == [("Government regains territory", "Marte")]


def test_assemble_a_sentence_without_a_place_goes_on_with_the_story(pipeline):
    events = events_of(pipeline, "Fighters overran a military base in Marte on Sunday, forcing soldiers to flee "
                                 "towards the neighbouring town of Dikwa. At least four soldiers were killed.")
    assert {e.location for e in events} == {"Marte"}
