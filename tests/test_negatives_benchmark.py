"""The false-alarm benchmark (benchmarks/negatives.py): its counting and summarising helpers on fake records (no data,
no model), and one short run on ``../shared/datasets`` that skips when the data is absent."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import _common, negatives  # noqa: E402
from benchmarks.negatives import Record  # noqa: E402
from midan.schema import SUB_EVENT_TYPES, Event, Evidence  # noqa: E402


def rec(article: str, sub: str, location: str = "Durban", sentence: str = "") -> Record:
    return Record(article, SUB_EVENT_TYPES[sub], sub, location, "2010-06-15", sentence or f"{sub} in {article}.")


RECORDS = [
    rec("a", "Peaceful protest"),
    rec("a", "Attack"),
    rec("b", "Attack"),
    rec("b", "Mob violence"),
    rec("c", "Arrests"),
    rec("c", "Attack"),
]


def test_per_100() -> None:
    assert negatives.per_100(3, 100) == 3.0
    assert negatives.per_100(1, 40) == 2.5
    assert negatives.per_100(5, 0) == 0.0


def test_summarise_counts_only_the_wrong_types_as_wrong() -> None:
    summary = negatives.summarise(RECORDS, 50, negatives.PROTEST_EVENT_TYPES)
    assert summary["documents"] == 50
    assert summary["records"] == 6 and summary["records_per_100"] == 12.0
    assert summary["documents_with_records"] == 3
    # Peaceful protest (Protests) in a, Mob violence (Riots) in b
    assert summary["wrong_records"] == 2 and summary["wrong_per_100"] == 4.0
    assert summary["documents_with_wrong_records"] == 2
    assert summary["by_event_type"] == {"Violence against civilians": 3, "Protests": 1, "Riots": 1,
                                        "Strategic developments": 1}
    assert next(iter(summary["by_sub_event_type"].items())) == ("Attack", 3)
    assert summary["by_event_type_per_100"]["Violence against civilians"] == 6.0


def test_summarise_every_record_is_wrong_by_default_and_empty_runs_are_zero() -> None:
    summary = negatives.summarise(RECORDS, 300)
    assert summary["wrong_records"] == 6 and summary["wrong_per_100"] == 2.0
    empty = negatives.summarise([], 0, negatives.PROTEST_EVENT_TYPES)
    assert empty["records"] == empty["wrong_records"] == 0
    assert empty["records_per_100"] == empty["wrong_per_100"] == 0.0
    assert empty["by_event_type"] == {} and empty["by_sub_event_type"] == {}


def test_examples_spread_over_the_sub_event_types() -> None:
    chosen = negatives.examples(RECORDS, k=4)
    # the commonest type first, then one of every other type, in article order within a type
    assert [(c["article"], c["sub_event_type"]) for c in chosen] == [
        ("a", "Attack"), ("a", "Peaceful protest"), ("b", "Mob violence"), ("c", "Arrests")]
    assert set(chosen[0]) == {"article", "sub_event_type", "location", "event_date", "sentence"}
    # a second round takes the next record of each type; never more records than there are
    every = negatives.examples(RECORDS, k=10)
    assert len(every) == len(RECORDS)
    assert [c["article"] for c in every if c["sub_event_type"] == "Attack"] == ["a", "b", "c"]
    assert negatives.examples([], k=10) == []
    assert negatives.examples(RECORDS, k=0) == []


def test_record_of_keeps_the_lead_sentence() -> None:
    text = "Workers marched in Durban on Monday.   They sang."
    evidence = [Evidence("x", "", "event", text[:36], 0, 36), Evidence("x", "", "trigger", "marched", 8, 15),
                Evidence("x", "", "event", "They sang.", 39, 49)]
    event = Event("ZAF1", "2010-06-14", 2010, 1, "Demonstrations", "Protests", "Peaceful protest",
                  "Protesters (South Africa)", location="Durban", confidence=0.7, evidence=evidence)
    record = negatives.record_of("x", event)
    assert record == Record("x", "Protests", "Peaceful protest", "Durban", "2010-06-14",
                            "Workers marched in Durban on Monday.", 0.7)
    bare = negatives.record_of("y", Event("ZAF2", "2010-06-14", 2010, 1, "", "Riots", "Mob violence", "Rioters"))
    assert bare.sentence == "" and bare.article == "y"


def test_slug() -> None:
    assert negatives.slug("Explosions/Remote violence") == "explosions_remote_violence"
    assert negatives.slug("Battles") == "battles"


@pytest.mark.shared
def test_run_on_a_few_documents() -> None:
    try:
        _common.datasets_dir()
    except _common.DatasetMissing as exc:
        pytest.skip(f"{exc}")
    try:
        result = negatives.run(limit=3)
    except _common.DatasetMissing as exc:
        pytest.skip(f"{exc}")
    assert result["benchmark"] == "negatives" and result["notes"]
    figures = _common.figures_of(result)
    for name, goal in (("glocon_protest_riot_per_100", 2.0), ("lgl_records_per_100", 5.0)):
        assert figures[name]["higher_is_better"] is False and figures[name]["anchor"] == goal
        assert figures[name]["value"] >= 0.0
        # the gate reads the same rate per document, where its absolute tolerance means about two documents in 200
        gated = name.replace("_per_100", "_per_document")
        assert figures[gated]["gate"] is True and figures[gated]["higher_is_better"] is False
        assert figures[gated]["anchor"] == goal / 100
        assert figures[gated]["value"] == pytest.approx(figures[name]["value"] / 100, abs=1e-4)
        name = gated
        # lower is better: the gate flags a rise, not a fall
        assert _common.compare({name: figures[name]["value"] - 1.0}, figures) != []
        assert _common.compare({name: figures[name]["value"] + 1.0}, figures) == []
    for corpus in ("glocon", "lgl"):
        details = result["details"][corpus]
        assert details["documents"] == 3
        assert len(details["examples"]) <= negatives.EXAMPLES
        assert sum(details["by_sub_event_type"].values()) == details["records"]
    glocon = result["details"]["glocon"]
    assert glocon["records_per_100"] == figures["glocon_records_per_100"]["value"]
    assert all(e["sub_event_type"] in SUB_EVENT_TYPES for e in glocon["examples"])
