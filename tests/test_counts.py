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


def test_counts_injuries_are_not_fatalities(parse):
    assert fatal(parse, "Fourteen protesters were injured when police charged the crowd.") is None


def test_counts_years_are_not_counts(parse):
    found = fatal(parse, "Two soldiers were killed in the clash, the worst since 2019.")
    assert found is not None and found.best == 2


def test_counts_nobody_killed_is_zero(parse):
    found = fatal(parse, "No one was killed in the blast at the depot.")
    assert found is not None and found.best == 0


def test_counts_evidence_span_points_at_the_figure(parse):
    text = "Gunmen killed five villagers in Zamfara."
    found = fatal(parse, text)
    assert found is not None and text[found.start:found.end] == "five"


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("Hundreds of nurses marched in Lusaka.", "hundreds"),
        ("About 2,000 people rallied outside parliament.", "about 2,000"),
        ("Tens of thousands of supporters filled the square.", "tens of thousands"),
        ("A large crowd gathered in front of the court.", "large"),
    ],
)
def test_counts_crowd_size(parse, text, size):
    found = counts.crowd_size(list(parse(text)))
    assert found is not None
    assert found[0] == size
    assert text[found[1]:found[2]].lower() == size


def test_counts_no_crowd_size(parse):
    assert counts.crowd_size(list(parse("Teachers protested in Lusaka."))) is None
