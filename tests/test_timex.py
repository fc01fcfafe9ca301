"""Time expressions and event dating, on sentences written for these tests (publication date: Wednesday
2020-11-04 unless said otherwise)."""

from __future__ import annotations

import datetime as dt

import pytest

from midan import dating, timex

DCT = dt.date(2020, 11, 4)  # a Wednesday


def values(parse, text: str, dct: dt.date | None = DCT) -> dict[str, tuple[str, str]]:
    return {t.text: (t.type, t.value) for t in timex.tag(text, dct, parse(text))}


CASES = [
        ("Students marched on Tuesday.", "Tuesday", "DATE", "2020-11-03"),
        ("Unions will strike on Friday.", "Friday", "DATE", "2020-11-06"),
        ("Police raided the camp last Thursday.", "last Thursday", "DATE", "2020-10-29"),
        ("The clashes began yesterday.", "yesterday", "DATE", "2020-11-03"),
        ("Talks resume today.", "today", "DATE", "2020-11-04"),
        ("Shots were heard last night.", "last night", "TIME", "2020-11-03TNI"),
        ("A curfew was imposed last week.", "last week", "DATE", "2020-W44"),
        ("Protests spread earlier this month.", "earlier this month", "DATE", "2020-11"),
        ("Fighting intensified late last month.", "late last month", "DATE", "2020-10"),
        ("The election is next year.", "next year", "DATE", "2021"),
        ("Troops arrived on November 3.", "November 3", "DATE", "2020-11-03"),
        ("The vote was held on 3 November 2020.", "3 November 2020", "DATE", "2020-11-03"),
        ("The decree is dated 2020-10-30.", "2020-10-30", "DATE", "2020-10-30"),
        ("The court sat on 15/10/2020.", "15/10/2020", "DATE", "2020-10-15"),
        ("He was detained in March 2019.", "March 2019", "DATE", "2019-03"),
        ("Three days ago a bomb exploded.", "Three days ago", "DATE", "2020-11-01"),
        ("Violence has risen in recent weeks.", "recent weeks", "DURATION", "PXW"),
        ("Violence has risen in recent days.", "recent days", "DATE", "PAST_REF"),
        ("The group has been active since 2019.", "2019", "DATE", "2019"),
        ("Exports fell in the third quarter.", "the third quarter", "DATE", "2020-Q3"),
        ("Drought struck last summer.", "last summer", "DATE", "2020-SU"),
        ("The war of the 1990s left scars.", "the 1990s", "DATE", "199"),
        ("The siege lasted for three days.", "three days", "DURATION", "P3D"),
        ("Talks went on for 48 hours.", "48 hours", "DURATION", "PT48H"),
        ("Vigils are held every Friday.", "every Friday", "SET", "XXXX-WXX-5"),
        ("Patrols run daily.", "daily", "SET", "P1D"),
        ("The blast happened at 3 p.m.", "3 p.m.", "TIME", "2020-11-04T15:00"),
        # clauses about what is to come, and dates of the coming month
        ("The committee is expected to meet on Tuesday.", "Tuesday", "DATE", "2020-11-10"),
        ("Officials postponed the vote until Friday.", "Friday", "DATE", "2020-11-06"),
        ("The council said the mayor would resign on Monday.", "Monday", "DATE", "2020-11-09"),
        ("A summit set for December will discuss the truce.", "December", "DATE", "2020-12"),
        ("The militia must hand over its weapons by November 12.", "November 12", "DATE", "2020-11-12"),
        ("Rebels attacked the town on October 30.", "October 30", "DATE", "2020-10-30"),
        ("Rebels attacked the town on December 20.", "December 20", "DATE", "2019-12-20"),
        # quarters, counted pasts, bare months and years after a date word, uncounted durations, a company's year
        ("Third-quarter profit rose 8%.", "Third-quarter", "DATE", "2020-Q3"),
        ("Profit fell in the latest quarter.", "the latest quarter", "DATE", "2020-Q3"),
        ("Sales should recover in the current quarter.", "the current quarter", "DATE", "2020-Q4"),
        ("Prices doubled over the past two months.", "the past two months", "DURATION", "P2M"),
        ("The ceasefire has held since March.", "March", "DATE", "2020-03"),
        ("The trial opened in May.", "May", "DATE", "2020-05"),
        ("Scars of its 1990 invasion remain.", "1990", "DATE", "1990"),
        ("Earnings should grow through 2021.", "2021", "DATE", "2021"),
        ("The siege went on for weeks.", "weeks", "DURATION", "PXW"),
        ("Net income rose for the year ended June 30.", "the year", "DURATION", "P1Y"),
        ("Shares hit a high for the year in June.", "the year", "DATE", "2020"),
        # the clause's tense picks the year of a month or day written without one
        ("The dividend is payable Dec. 15.", "Dec. 15", "DATE", "2020-12-15"),
        ("The measure takes effect in January.", "January", "DATE", "2021-01"),
        ("Crowds gathered in February.", "February", "DATE", "2020-02"),
        ("The crew will fly a mission in December.", "December", "DATE", "2020-12"),
        # a clock and its day, a weekday and its date, noon and midnight
        ("The bomb went off at 10 p.m. Monday.", "10 p.m. Monday", "TIME", "2020-11-02T22:00"),
        ("The curfew starts at noon Thursday.", "noon Thursday", "TIME", "2020-11-05T12:00"),
        ("The paper said in an editorial on Monday, Nov. 2: enough.", "Monday, Nov. 2", "DATE", "2020-11-02"),
        # years said aloud, bare years, years of a quarter, holidays, centuries, year-end, seasons with "the"
        ("The bombing of nineteen ninety-six shocked the city.", "nineteen ninety-six", "DATE", "1996"),
        ("The promise was to halve it by the year two thousand.", "the year two thousand", "DATE", "2000"),
        ("Doctors were shot between 1994 and 1997.", "1997", "DATE", "1997"),
        ("Some 2000 protesters marched.", "2000", None, None),
        ("Sales in the 2019 second quarter fell.", "the 2019 second quarter", "DATE", "2019-Q2"),
        ("Net for this year's third quarter rose.", "this year's third quarter", "DATE", "2020-Q3"),
        ("The boy was found on Thanksgiving Day last year.", "Thanksgiving Day", "DATE", "2019-11-28"),
        ("Pilgrims gathered at Easter.", "Easter", "DATE", "2020-04-12"),
        ("Voters go to the polls on Election Day.", "Election Day", "DATE", "2020-11-03"),
        ("The fabled 11th century temple survived.", "11th century", "DATE", "10"),
        ("The deal should close by year-end.", "year-end", "DATE", "2020"),
        ("Sales slowed over the summer.", "the summer", "DATE", "2020-SU"),
        ("Markets crashed on Black Monday.", "Monday", None, None),
        # reference words, rates, names
        ("Current conditions are harsh.", "Current", "DATE", "PRESENT_REF"),
        ("A recent survey found support.", "recent", "DATE", "PAST_REF"),
        ("The plan saves $2 million a year.", "a year", None, None),
        ("Foreign Minister Jan Kavan signed the treaty.", "Jan", None, None),
        ("The truce will hold for two more weeks.", "two more weeks", "DURATION", "P2W"),
        ("It has been disputed for nearly forty years.", "nearly forty years", None, None),
        ("It has been disputed for forty years.", "forty years", "DURATION", "P40Y"),
        # halves and compound numbers, sets of a month, a plan of the past perfect
        ("The talks lasted 5 1/2 hours.", "5 1/2 hours", "DURATION", "PT5H30M"),
        ("They lived in the camps for 2 1/2 years.", "2 1/2 years", "DURATION", "P2Y6M"),
        ("The curfew will last twenty-four hours.", "twenty-four hours", "DURATION", "PT24H"),
        ("Orangemen march each July.", "each July", "SET", "XXXX-07"),
        ("The offer had been due to expire Friday.", "Friday", "DATE", "2020-10-30"),
        # a company's periods of a given year; a week named by its day; a month with a spoken year
        ("Net in the 2019 period rose. Third-quarter sales fell.", "the 2019 period", "DATE", "2019-Q3"),
        ("Third-quarter sales rose from last year's quarter.", "last year's quarter", "DATE", "2019-Q3"),
        ("A hearing is set for the week of March 6, 2021.", "the week of March 6, 2021", "DATE", "2021-W09"),
        ("January nineteen ninety-seven. A bomb went off.", "January nineteen ninety-seven", "DATE", "1997-01"),
        # a period counted from the story's last date
        ("He fled in June 2018 and returned later that year.", "later that year", "DATE", "2018"),
        ("Troops left in May 2018; the following month the rebels returned.", "the following month", "DATE",
         "2018-06"),
        ("The rebels returned the following year.", "the following year", None, None),
        # ordinal days, "coming" weekdays, a weekday that fixes a date's year, calendar months back
        ("Protests began on the 3rd and spread.", "the 3rd", "DATE", "2020-11-03"),
        ("Unions will strike on the 2nd.", "the 2nd", "DATE", "2020-12-02"),
        ("The vote on the third of May went ahead.", "the third of May", "DATE", "2020-05-03"),
        ("Elections are due this coming Sunday.", "this coming Sunday", "DATE", "2020-11-08"),
        ("The strike ended on Sunday, March 8.", "Sunday, March 8", "DATE", "2020-03-08"),
        ("The ministry acted five months ago.", "five months ago", "DATE", "2020-06"),
        ("Islam will one day be the largest religion there.", "one day", "DATE", "FUTURE_REF"),
        ("Sales in the current fiscal year rose.", "the current fiscal year", "DATE", "2020"),
        # the tense of the clause a plan or participle is told in
        ("A vigil planned for Saturday was cancelled.", "Saturday", "DATE", "2020-10-31"),
        ("The case is heard in January.", "January", "DATE", "2021-01"),
        ("Shares fell, rising to $40 in June from $29 in March.", "March", "DATE", "2020-03"),
        # years in a range, a quoted sentence's "Today", coming weeks, hourly and quarterly sets
        ("He was jailed from 2011 to 2014.", "2014", "DATE", "2014"),
        ("Turnout rose by up to 2000 voters.", "2000", None, None),
        ("``Today, we have our suspect,'' the chief said.", "Today", "DATE", "2020-11-04"),
        ("The poster showed Gary Cooper in High Noon at the rally.", "Noon", None, None),
        ("Police Kill Three Protesters This Week", "This Week", "DATE", "2020-W45"),
        ("Talks may resume in the coming weeks.", "the coming weeks", "DATE", "FUTURE_REF"),
        ("Interest is paid every quarter.", "every quarter", "SET", "P1Q"),
        ("Average hourly earnings rose.", "hourly", "SET", "PT1H"),
        ("Vigils are held on Fridays.", "Fridays", "SET", "XXXX-WXX-5"),
        ("Flights leave on Tuesday nights.", "Tuesday nights", "SET", "XXXX-WXX-2TNI"),
        # half years; "is to" plans; a participle of a noun parsed as an adverbial clause
        ("Earnings will be lower for the last half of 2020.", "the last half of 2020", "DATE", "2020-H2"),
        ("Output grew through the first two quarters of 2021.", "the first two quarters of 2021", "DATE",
         "2021-H1"),
        ("The exchange is to resume trading in the shares Tuesday.", "Tuesday", "DATE", "2020-11-10"),
        ("Under the agreement, announced Friday, holders would receive $42.", "Friday", "DATE", "2020-10-30"),
        ("A few days later, the strike ended.", "A few days later", "DURATION", "PXD"),
        ("He was seen 30 days before the attack.", "30 days", "DURATION", "P30D"),
        ("Gunmen attacked on Monday. Two days before, police had warned them.", "Two days before", "DATE",
         "2020-10-31"),
        ("Sales grew through the '80s.", "the '80s", "DATE", "198"),
]


@pytest.mark.parametrize(("text", "expression", "type_", "value"), CASES)
def test_timex_normalises(parse, text, expression, type_, value):
    found = values(parse, text)
    assert found.get(expression) == ((type_, value) if type_ else None), found


def test_timex_year_of_a_date_without_year_crosses_new_year(parse):
    found = values(parse, "Rebels attacked the town on December 28.", dt.date(2021, 1, 2))
    assert found["December 28"] == ("DATE", "2020-12-28")


def test_timex_may_the_modal_is_not_a_month(parse):
    assert values(parse, "Police may march protesters away.") == {}


def test_timex_since_is_marked(parse):
    found = timex.tag("Hundreds have died since 2019.", DCT)
    assert found and found[0].since


def test_timex_offsets_are_exact(parse):
    text = "On Tuesday, police fired tear gas."
    for t in timex.tag(text, DCT, parse(text)):
        assert text[t.start:t.end] == t.text


def test_timex_without_publication_date_keeps_relative_values_unresolved(parse):
    found = values(parse, "Students marched on Tuesday.", None)
    assert found["Tuesday"][1].startswith("XXXX")


def _anchor(parse, text: str, trigger: str, dct: dt.date | None = DCT, rules: bool = True):
    doc = parse(text)
    token = next(t for t in doc if t.text == trigger)
    return dating.anchor(token, timex.tag(text, dct, doc), dct, rules=rules)


def test_timex_anchor_day_precision_1(parse):
    dated = _anchor(parse, "Students marched in Khartoum on Tuesday.", "marched")
    assert isinstance(dated, dating.EventDate)
    assert (dated.event_date, dated.time_precision, dated.how) == (dt.date(2020, 11, 3), 1, "dependency")


def test_timex_anchor_week_precision_2_midpoint(parse):
    dated = _anchor(parse, "Police raided the camp last week.", "raided")
    assert isinstance(dated, dating.EventDate)
    assert dated.time_precision == 2
    assert dated.date_start == dt.date(2020, 10, 26) and dated.date_end == dt.date(2020, 11, 1)
    assert dated.event_date == dt.date(2020, 10, 29)


def test_timex_anchor_month_precision_3_mid_month(parse):
    dated = _anchor(parse, "Clashes broke out earlier this month in Goma.", "Clashes")
    assert isinstance(dated, dating.EventDate)
    assert dated.time_precision == 3 and dated.event_date == dt.date(2020, 11, 4)


def test_timex_anchor_rejects_since(parse):
    dated = _anchor(parse, "More than 300 protesters have been killed since 2019.", "killed")
    assert isinstance(dated, dating.Undated) and dated.reason.startswith("background")


def test_timex_anchor_rejects_history_outside_the_window(parse):
    dated = _anchor(parse, "Soldiers massacred villagers in Tumba in 2017.", "massacred")
    assert isinstance(dated, dating.Undated) and dated.reason.startswith("background")


def test_timex_anchor_rejects_vague_dates(parse):
    dated = _anchor(parse, "Militias torched villages in the 1990s.", "torched")
    assert isinstance(dated, dating.Undated)


def test_timex_anchor_inherits_the_previous_sentence(parse):
    dated = _anchor(parse, "On Monday gunmen stormed a village. They abducted twelve people.", "abducted")
    assert isinstance(dated, dating.EventDate)
    assert dated.event_date == dt.date(2020, 11, 2) and dated.how == "previous sentence"


def test_timex_anchor_defaults_to_the_publication_week(parse):
    dated = _anchor(parse, "Gunmen abducted twelve people.", "abducted")
    assert isinstance(dated, dating.EventDate)
    assert dated.time_precision == 2 and dated.how == "publication date"
    assert dated.date_start <= dated.event_date <= dated.date_end == DCT


def test_timex_anchor_ignores_the_dateline_date(parse):
    dated = _anchor(parse, "KHARTOUM, Nov. 4 (Wire) — Students marched on Tuesday.", "marched")
    assert isinstance(dated, dating.EventDate) and dated.event_date == dt.date(2020, 11, 3)


def test_timex_following_day_counts_from_the_story_date(parse):
    found = values(parse, "Gunmen attacked a village on Monday. The following day, jets struck a camp. Two days "
                          "later, a mob rioted.")
    assert found["The following day"] == ("DATE", "2020-11-03")
    # TimeML's value is the anchored duration; the day it points to dates the event
    assert found["Two days later"] == ("DURATION", "P2D")
    text = "Gunmen attacked a village on Monday. Two days later, a mob rioted."
    later = next(t for t in timex.tag(text, DCT, parse(text)) if t.text == "Two days later")
    assert later.begin == later.last == dt.date(2020, 11, 4)
    dated = _anchor(parse, text, "rioted")
    assert isinstance(dated, dating.EventDate) and dated.event_date == dt.date(2020, 11, 4)
    assert dated.time_precision == 1


def test_timex_recent_weeks_keep_an_event_out(parse):
    dated = _anchor(parse, "Militias have attacked villages in recent weeks.", "attacked")
    assert isinstance(dated, dating.Undated) and dated.reason.startswith("vaguer"), dated


def test_timex_following_day_without_a_story_date_says_nothing(parse):
    assert "The next day" not in values(parse, "The next day, a mob rioted.")


def test_timex_clock_time_does_not_date_an_event(parse):
    dated = _anchor(parse, "Gunmen abducted ten villagers on Monday. The attackers arrived at 11 p.m. and "
                           "torched the houses.", "torched")
    assert isinstance(dated, dating.EventDate) and dated.event_date == dt.date(2020, 11, 2)


def test_timex_following_day_does_not_count_from_a_since_span(parse):
    assert "The following day" not in values(parse, "Fighting has raged since November 1. The following day, a "
                                                    "mob rioted.")


def test_timex_ages_and_previously_are_not_time_expressions(parse):
    found = values(parse, "A 6-year-old boy, previously held in a camp, was freed.")
    assert found == {}


def test_timex_weekends_and_the_future(parse):
    found = values(parse, "Crowds gathered over the weekend and vowed to return in the future.")
    assert found["the weekend"] == ("DATE", "2020-W44-WE")
    assert found["in the future"] == ("DATE", "FUTURE_REF")
    assert values(parse, "Talks will resume at the weekend.")["the weekend"] == ("DATE", "2020-W45-WE")


def test_timex_march_the_verb_and_may_the_modal_stay_untagged(parse):
    assert values(parse, "Students may march to the palace.") == {}


def test_timex_anchor_follows_the_dependency_path_not_the_nearest_date(parse):
    # "Monday" is nearer to "marched" but dates the gathering
    dated = _anchor(parse, "Students who had gathered on Monday marched to the palace on Tuesday.", "marched")
    assert isinstance(dated, dating.EventDate)
    assert (dated.event_date, dated.how) == (dt.date(2020, 11, 3), "dependency")


def test_timex_anchor_reported_speech_dates_the_saying(parse):
    dated = _anchor(parse, "Police said on Monday that gunmen had stormed a village.", "said")
    assert isinstance(dated, dating.EventDate) and dated.event_date == dt.date(2020, 11, 2)
    # the account's past perfect is the sequence of tenses of reported speech: the storming is told as of the
    # saying, not as an unknown stretch before the story
    told = _anchor(parse, "Police said on Monday that gunmen had stormed a village.", "stormed")
    assert isinstance(told, dating.EventDate) and told.event_date == dt.date(2020, 11, 2)
    # a past perfect no source tells is still before the story's time
    assert isinstance(_anchor(parse, "The town was quiet. Gunmen had stormed a village.", "stormed"), dating.Undated)


def test_timex_anchor_falls_back_to_a_date_in_the_sentence(parse):
    dated = _anchor(parse, "Hundreds of students marched in Khartoum, and the police fired tear gas on Monday.",
                    "marched")
    assert isinstance(dated, dating.EventDate)
    assert (dated.event_date, dated.how) == (dt.date(2020, 11, 2), "sentence")


def test_timex_anchor_carries_the_story_date_past_a_paragraph(parse):
    dated = _anchor(parse, "Gunmen stormed a village on Monday.\n\nThey abducted twelve people.", "abducted")
    assert isinstance(dated, dating.EventDate)
    assert (dated.event_date, dated.how) == (dt.date(2020, 11, 2), "paragraph")


def test_timex_anchor_past_perfect_is_before_the_story_date(parse):
    dated = _anchor(parse, "On Monday gunmen stormed a village. They had abducted twelve people.", "abducted")
    assert isinstance(dated, dating.Undated)


def test_timex_anchor_future_is_undated(parse):
    for text, trigger in (("Students will march in Khartoum.", "march"),
                          ("Students will march in Khartoum on Friday.", "march"),
                          ("The union plans to strike in the capital.", "strike")):
        dated = _anchor(parse, text, trigger)
        assert isinstance(dated, dating.Undated) and dated.reason.startswith("threat/plan/future"), text


def test_timex_anchor_without_rules_dates_history_and_plans(parse):
    doc_text = "Students will march in Khartoum on Friday."
    doc = parse(doc_text)
    token = next(t for t in doc if t.text == "march")
    dated = dating.anchor(token, timex.tag(doc_text, DCT, doc), DCT, rules=False)
    assert isinstance(dated, dating.EventDate) and dated.event_date == dt.date(2020, 11, 6)
    text = "Soldiers massacred villagers in Tumba on 12 March 2017."
    doc = parse(text)
    token = next(t for t in doc if t.text == "massacred")
    dated = dating.anchor(token, timex.tag(text, DCT, doc), DCT, rules=False)
    assert isinstance(dated, dating.EventDate) and dated.event_date == dt.date(2017, 3, 12)


def test_timex_anchor_present_perfect_is_the_publication_day(parse):
    dated = _anchor(parse, "Gunmen have abducted twelve people.", "abducted", rules=False)
    assert isinstance(dated, dating.EventDate)
    assert (dated.event_date, dated.time_precision, dated.how) == (DCT, 1, "publication date")
    # ACLED's coding does not claim the day the text does not give: the publication week, precision 2
    coded = _anchor(parse, "Gunmen have abducted twelve people.", "abducted")
    assert isinstance(coded, dating.EventDate)
    assert (coded.date_start, coded.date_end, coded.time_precision) == (DCT - dt.timedelta(days=6), DCT, 2)


def test_timex_anchor_vague_expression_in_the_sentence(parse):
    text = "Gunmen attacked the village, as they did in 2009."
    assert isinstance(_anchor(parse, text, "attacked"), dating.Undated)
    dated = _anchor(parse, text, "attacked", rules=False)
    assert isinstance(dated, dating.EventDate) and dated.how == "publication date"


def test_timex_anchor_headline_is_dated_by_its_lead(parse):
    text = "Gunmen storm village in Darfur\n\nGunmen stormed a village in Darfur on Monday, witnesses said."
    dated = _anchor(parse, text, "storm")
    assert isinstance(dated, dating.EventDate)
    assert (dated.event_date, dated.how) == (dt.date(2020, 11, 2), "lead")


def test_timex_anchor_week_and_month_without_rules(parse):
    doc_text = "Police raided the camp last week and clashes broke out in Goma in October."
    doc = parse(doc_text)
    found = timex.tag(doc_text, DCT, doc)
    raided = dating.anchor(next(t for t in doc if t.text == "raided"), found, DCT, rules=False)
    assert isinstance(raided, dating.EventDate)
    assert (raided.event_date, raided.time_precision) == (dt.date(2020, 10, 29), 2)
    clashes = dating.anchor(next(t for t in doc if t.text == "broke"), found, DCT, rules=False)
    assert isinstance(clashes, dating.EventDate)
    assert (clashes.event_date, clashes.time_precision) == (dt.date(2020, 10, 15), 3)


def test_timex_anchor_since_dates_only_a_lasting_event(parse):
    dated = _anchor(parse, "Protesters have been marching in Khartoum since 2019.", "marching")
    assert isinstance(dated, dating.Undated) and dated.reason.startswith("background")
    # with any other verb "since" belongs to a superlative: the fall is today's
    dated = _anchor(parse, "Stocks fall to their lowest level since 2003.", "fall", rules=False)
    assert isinstance(dated, dating.EventDate) and dated.event_date == DCT
    assert isinstance(_anchor(parse, "Stocks fall to their lowest level since 2003.", "fall"), dating.EventDate)


def test_timex_reporting_quarter_reads_a_year_ago_as_that_quarter(parse):
    # a story about a quarter's results: "a year ago" beside its figures is the same quarter of the year before
    text = "Third-quarter net rose to $5 million from $4 million a year ago. The plant opened a year ago in Lyon."
    assert [t.value for t in timex.tag(text, DCT, parse(text)) if t.text == "a year ago"] == ["2019-Q3", "2019"]
    text = "Third-quarter profit fell to $3 million from $4 million last year. Last year was a record."
    assert [t.value for t in timex.tag(text, DCT, parse(text)) if t.text.lower() == "last year"] == ["2019-Q3", "2019"]


def test_pipeline_dates_tuesday_and_last_week_and_drops_a_tally(pipeline):
    """Published on a Wednesday: protests "on Tuesday" (that day, precision 1), a raid "last week" (the week's
    midpoint, precision 2), killings "since 2019" (a tally, no event)."""
    from midan.schema import Article

    text = ("Students protested in Khartoum on Tuesday, demanding civilian rule. "
            "Security forces raided a sit-in in Omdurman last week, witnesses said. "
            "More than 300 protesters have been killed since 2019, activists say.")
    analysis = next(iter(pipeline.pipe([Article(id="wed", title="", text=text, published=DCT)])))
    dated = {e.location: (e.event_date, e.time_precision) for e in analysis.events}
    assert dated == {"Khartoum": ("2020-11-03", 1), "Omdurman": ("2020-10-29", 2)}


def test_timex_clock_time_alone_is_on_the_story_day(parse):
    text = "The doctor was shot on Friday, Oct. 23. He died at 10 p.m. in hospital."
    found = values(parse, text, dt.date(2020, 11, 4))
    assert found["10 p.m."] == ("TIME", "2020-10-23T22:00")


def test_timex_anchor_today_beside_a_calendar_date_is_the_day_of_writing(parse):
    # published on Wednesday 4 November, written on Sunday 1 November: its "today" and its statements are Sunday's
    text = ("At a rally on November 1st, the opposition leader, whose party left the coalition earlier today, "
            "called for new elections. He said the army must stay out of politics.")
    left = _anchor(parse, text, "left", rules=False)
    assert isinstance(left, dating.EventDate) and left.event_date == dt.date(2020, 11, 1)
    said = _anchor(parse, text, "said", rules=False)
    assert isinstance(said, dating.EventDate) and said.event_date == dt.date(2020, 11, 1)
    # a calendar date alone, or one of long ago, does not move the publication day
    said = _anchor(parse, "At a rally on November 1st, he called for elections. He said so again today.", "said",
                   rules=False)
    assert isinstance(said, dating.EventDate) and said.event_date == DCT


def test_timex_anchor_participle_of_saying_is_said_when_its_verb_happens(parse):
    text = ("The minister opened the dam on Monday. He cut the ribbon in Merowe, saying the project was finished. "
            "He said it would supply the capital.")
    saying = _anchor(parse, text, "saying", rules=False)
    assert isinstance(saying, dating.EventDate) and saying.event_date == dt.date(2020, 11, 2)
    # a finite statement without a date of its own is still the news of the publication day
    said = _anchor(parse, text, "said", rules=False)
    assert isinstance(said, dating.EventDate) and said.event_date == DCT


def test_timex_anchor_year_numbering_a_name_is_not_the_events_time(parse):
    text = "Leaders open Africa Summit 2020\n\nAfrican leaders opened the summit in Addis Ababa on Monday."
    dated = _anchor(parse, text, "open", rules=False)
    assert isinstance(dated, dating.EventDate)
    assert (dated.event_date, dated.how) == (dt.date(2020, 11, 2), "lead")


def test_timex_anchor_present_statement_framed_by_a_year_is_made_now(parse):
    dated = _anchor(parse, "For 2019, the company says it lost money in Sudan.", "says", rules=False)
    assert isinstance(dated, dating.EventDate) and dated.event_date == DCT
    # a statement of the past is not placed by the present: the year still governs it
    assert isinstance(_anchor(parse, "For 2019, the company said it lost money in Sudan.", "said", rules=False),
                      dating.Undated)


def test_timex_anchor_point_of_comparison_is_not_the_storys_time(parse):
    # "from Monday's closing price" and "since ... the March 3rd attacks" compare; they date nothing told
    text = ("Shares in Khartoum fell 5% on Monday. Shares in Cairo fell 2% from Monday's closing price. "
            "Shares in Tunis slid too.")
    slid = _anchor(parse, text, "slid", rules=False)
    assert isinstance(slid, dating.EventDate) and slid.event_date == dt.date(2020, 11, 2)
    text = ("The index fell 7% on Wednesday, the worst decline since the markets reopened after the October 3rd "
            "attacks. Other indices dipped.")
    dipped = _anchor(parse, text, "dipped", rules=False)
    assert isinstance(dipped, dating.EventDate) and dipped.event_date == DCT


def test_timex_anchor_without_rules_to_complements_that_happen_at_their_clauses_time(parse):
    cases = (("Central banks announced a joint effort on Monday to pump money into the markets.", "pump",
              dt.date(2020, 11, 2)),
             ("Markets fell on Monday. The Nikkei dropped 9.62% to reach a 20 year low.", "reach",
              dt.date(2020, 11, 2)),
             ("On Monday the plane struck a hangar as it was leaving the gate before it was due to fly to Juba.", "fly",
              dt.date(2020, 11, 2)),
             ('"We would like to thank the voters," the minister said.', "thank", DCT),
             ("The minister tells airlines not to fly to Europe due to the ban.", "ban", DCT),
             ("The plane will land in Juba when it arrives on November 11.", "land", dt.date(2020, 11, 11)))
    for text, trigger, day in cases:
        dated = _anchor(parse, text, trigger, rules=False)
        assert isinstance(dated, dating.EventDate) and dated.event_date == day, text
        # ACLED's coding still leaves out what the text puts after its clause
        if trigger in {"pump", "fly", "thank", "land"}:
            assert isinstance(_anchor(parse, text, trigger), dating.Undated), text
    # a plan's complement is still to come
    dated = _anchor(parse, "The union announced a plan on Monday to strike in the capital.", "strike", rules=False)
    assert isinstance(dated, dating.Undated)


def test_timex_anchor_without_rules_this_week_of_the_story_is_the_publication_day(parse):
    text = "Protests spread across Sudan this week. Police arrested dozens of students in Khartoum."
    arrested = _anchor(parse, text, "arrested", rules=False)
    assert isinstance(arrested, dating.EventDate)
    assert (arrested.event_date, arrested.time_precision, arrested.how) == (DCT, 1, "previous sentence")
    # the week an event is told with stays a week
    spread = _anchor(parse, text, "spread", rules=False)
    assert isinstance(spread, dating.EventDate) and spread.time_precision == 2
    # ACLED's coding keeps the week
    assert _anchor(parse, text, "arrested").time_precision == 2


def test_timex_tags_every_case_without_a_publication_date_and_joined(parse):
    """Unresolved values ("XXXX") and expressions that meet across sentences must not break the passes that join
    and re-date them: every case alone without a date, and all of them as one story, are tagged."""
    story = " ".join(text for text, *_ in CASES) + " In March the following year he fled. May the following month."
    for text in [*(text for text, *_ in CASES), story]:
        assert isinstance(timex.tag(text, None, parse(text)), list)
    assert timex.tag(story, DCT, parse(story))
