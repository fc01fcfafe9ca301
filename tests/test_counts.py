"""Fatalities by ACLED's rules and crowd sizes, on sentences written for these tests."""

from __future__ import annotations

import pytest

from midan import counts


def fatal(parse, text: str):
    doc = parse(text)
    return counts.fatalities(list(doc))


@pytest.mark.parametrize(
    ("text", "best", "low", "high"),
    [
        ("Gunmen killed five villagers in Zamfara.", 5, 5, 5),
        ("At least twelve people were killed when the market was shelled.", 12, 12, 12),
        ("The attack left 3 dead and 10 wounded.", 3, 3, 3),
        ("Police said two people died, while medics said seven were killed.", 2, 2, 7),
        ("Several protesters were killed in the crackdown.", 3, 3, 3),
        ("Dozens of civilians were killed in the raid.", 12, 12, 12),
        ("Hundreds were killed in the massacre.", 100, 100, 100),
        ("Gunmen shot dead a union leader in Kassala.", 1, 1, 1),
        ("Twenty-one soldiers were killed in the ambush.", 21, 21, 21),
    ],
)
def test_counts_fatalities(parse, text, best, low, high):
    found = fatal(parse, text)
    assert found is not None
    assert (found.best, found.low, found.high) == (best, low, high)


@pytest.mark.parametrize(
    ("text", "best"),
    [
        ("Gunmen killed twenty-three villagers near Gusau.", 23),
        ("A dozen farmers were killed in the attack.", 12),
        ("Two dozen soldiers were killed at the base.", 24),
        ("One hundred and twenty people were killed in the attack.", 120),
        ("Three hundred people were killed in the fighting.", 300),
        ("Rebels killed 1,200 people over the weekend in the town.", 1200),
        ("Tens of people died in the clashes.", 10),
        ("Several dozen people were killed in the fighting.", 12),
        ("Many people were killed in the bombing.", 3),
        ("A few people died in the stampede that followed the shooting.", 3),
    ],
)
def test_counts_numbers_in_words_and_vague_words(parse, text, best):
    found = fatal(parse, text)
    assert found is not None and found.best == best


@pytest.mark.parametrize(
    ("words", "value", "vague"),
    [
        (["twenty-three"], 23, False), (["twenty", "-", "three"], 23, False), (["a", "dozen"], 12, False),
        (["two", "dozen"], 24, False), (["one", "hundred", "and", "twenty"], 120, False),
        (["3", "thousand"], 3000, False), (["tens", "of", "thousands"], 10_000, True),
        (["several"], 3, True), (["dozens"], 12, True), (["hundreds"], 100, True), (["a", "few", "hundred"], 100, True),
    ],
)
def test_counts_parse_number(words, value, vague):
    assert counts.parse_number(words) == (value, vague)


def test_counts_parse_number_refuses_words():
    assert counts.parse_number(["people"]) is None
    assert counts.parse_number(["and"]) is None


def test_counts_at_least_is_the_figure(parse):
    found = fatal(parse, "At least 40 people were killed in the attack on the market.")
    assert (found.best, found.low, found.high) == (40, 40, 40)


@pytest.mark.parametrize("text", ["Up to 40 people were killed in the attack on the market.",
                                  "As many as 40 people died in the raid on the village."])
def test_counts_up_to_is_an_upper_bound(parse, text):
    found = fatal(parse, text)
    assert (found.best, found.low, found.high) == (40, 1, 40)


def test_counts_fewer_than_stays_below(parse):
    found = fatal(parse, "Fewer than ten people died in the blast.")
    assert (found.best, found.high) == (9, 9)


@pytest.mark.parametrize(
    ("text", "best", "high"),
    [
        ("The army said 12 militants were killed, but residents said 30 people died.", 12, 30),
        ("Three protesters were killed, according to the local resistance committee, and six, according to a "
         "doctors' group.", 3, 6),
        ("Clashes left at least 10 dead, according to police, while the opposition said 40 were killed.", 10, 40),
    ],
)
def test_counts_conflicting_reports_take_the_lowest(parse, text, best, high):
    found = fatal(parse, text)
    assert (found.best, found.high) == (best, high)


@pytest.mark.parametrize(
    ("text", "best"),
    [
        ("Three soldiers and two civilians were killed in the ambush.", 5),
        ("Militants fired shells into the market, killing a woman and her two children.", 3),
        ("Gunmen killed a village chief and his wife.", 2),
        ("The army said it had killed several militants and lost two soldiers.", 5),
    ],
)
def test_counts_different_victims_add_up(parse, text, best):
    assert fatal(parse, text).best == best


@pytest.mark.parametrize(
    ("text", "best"),
    [
        ("The blast killed 10 people, including three children.", 10),
        ("Fighting killed 15, including 4 soldiers, the army said.", 15),
        ("Gunmen killed three people, two of them women.", 3),
    ],
)
def test_counts_part_of_a_figure_is_not_added(parse, text, best):
    assert fatal(parse, text).best == best


@pytest.mark.parametrize(
    ("text", "best"),
    [
        ("A suicide bomber killed himself and six others at a market.", 7),
        ("The bomber blew himself up at the gate, killing four worshippers.", 5),
        ("A suicide bomber detonated his vest at a checkpoint, killing 5 soldiers.", 6),
        ("Police shot dead the attacker after he stabbed two people to death.", 3),
        ("Soldiers killed five attackers near the camp.", 5),
        ("The attackers were killed by soldiers.", 3),
    ],
)
def test_counts_bombers_and_attackers_are_fatalities(parse, text, best):
    assert fatal(parse, text).best == best


@pytest.mark.parametrize(
    ("text", "best"),
    [
        ("Five people were killed on Monday, bringing the death toll since January to 300.", 5),
        ("Gunmen killed seven people on Sunday; more than 200 have been killed in the state this year.", 7),
        ("Two soldiers were killed in the clash, the worst since 2019.", 2),
    ],
)
def test_counts_tallies_are_refused(parse, text, best):
    found = fatal(parse, text)
    assert (found.best, found.high) == (best, best)


def test_counts_a_tally_alone_is_no_figure(parse):
    assert fatal(parse, "Over 100 people have died in the conflict since 2021.") is None
    assert fatal(parse, "More than 600 people have been killed this year in the province.") is None


@pytest.mark.parametrize(
    ("text", "best"),
    [
        ("The death toll rose to 25.", 25),
        ("A human rights group put the toll at nine, including two bystanders.", 9),
        ("A death toll of 14 was reported by the hospital.", 14),
        ("There were 5 deaths.", 5),
        ("The bodies of 12 people were found near the road.", 12),
        ("Five people lost their lives in the attack.", 5),
        ("Three people were hacked to death in the village.", 3),
        ("Gunmen fatally shot a teacher outside the school.", 1),
        ("He was shot dead outside his house.", 1),
    ],
)
def test_counts_other_ways_of_reporting_deaths(parse, text, best):
    assert fatal(parse, text).best == best


def test_counts_injuries_are_not_fatalities(parse):
    assert fatal(parse, "Fourteen protesters were injured when police charged the crowd.") is None
    assert fatal(parse, "Two people were killed and 14 injured.").high == 2
    assert fatal(parse, "Four soldiers were killed and three others wounded.").best == 4


@pytest.mark.parametrize("text", ["Twenty people were killed or injured in the blast.",
                                  "The attack caused several casualties.", "Police shot two protesters.",
                                  "There were no casualties."])
def test_counts_casualties_and_shootings_are_no_deaths(parse, text):
    found = fatal(parse, text)
    assert found is None or found.best == 0


def test_counts_unnumbered_plural_deaths_are_three(parse):
    assert fatal(parse, "The clashes caused several deaths.").best == 3
    assert fatal(parse, "Gunmen killed villagers in the raid.").best == 3


def test_counts_years_are_not_counts(parse):
    found = fatal(parse, "Two soldiers were killed in the clash, the worst since 2019.")
    assert found is not None and found.best == 2


def test_counts_nobody_killed_is_zero(parse):
    found = fatal(parse, "No one was killed in the blast at the depot.")
    assert found is not None and found.best == 0
    assert fatal(parse, "No deaths were reported.").best == 0


def test_counts_evidence_span_points_at_the_figure(parse):
    text = "Gunmen killed five villagers in Zamfara."
    found = fatal(parse, text)
    assert found is not None and text[found.start:found.end] == "five"
    text = "Two dozen soldiers were killed."
    found = fatal(parse, text)
    assert text[found.start:found.end] == "Two dozen"


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("Hundreds of nurses marched in Lusaka.", "hundreds"),
        ("About 2,000 people rallied outside parliament.", "about 2,000"),
        ("Tens of thousands of supporters filled the square.", "tens of thousands"),
        ("A large crowd gathered in front of the court.", "large"),
        ("A few hundred protesters marched to the ministry.", "a few hundred"),
        ("Hundreds of thousands of people marched in the capital.", "hundreds of thousands"),
        ("A crowd of about 200 gathered outside the court.", "about 200"),
        ("Some 300 workers marched in Lusaka.", "some 300"),
        ("A handful of activists protested outside the embassy.", "a handful"),
        ("Police killed three protesters during a march by thousands of students.", "thousands"),
    ],
)
def test_counts_crowd_size(parse, text, size):
    found = counts.crowd_size(list(parse(text)))
    assert found is not None
    assert found[0] == size
    assert text[found[1]:found[2]].lower() == size


@pytest.mark.parametrize("text", ["Teachers protested in Lusaka.", "Police arrested 20 protesters in Lahore.",
                                  "Fourteen demonstrators were injured in Lahore.",
                                  "Two people were killed and 14 injured at the rally."])
def test_counts_no_crowd_size(parse, text):
    assert counts.crowd_size(list(parse(text))) is None
