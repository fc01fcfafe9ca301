"""Scoring helpers of the india_police, glocon and wikievents benchmarks (no pipeline run here).

The loaders are checked against ``../shared/datasets`` on a few items and skip when it is absent.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import _common, glocon, india_police, wikievents  # noqa: E402
from midan.schema import SUB_EVENT_TYPES, Event, Evidence  # noqa: E402


def make_event(sub: str, actor1: str, actor2: str = "", fatalities: int = 0,
               triggers: tuple[tuple[int, int], ...] = (), arguments: dict[str, tuple[int, int]] | None = None
               ) -> Event:
    def inter(name: str) -> str:
        if name.startswith(("Police Forces", "Military Forces")):
            return "State forces"
        if name.startswith("Protesters"):
            return "Protesters"
        if name.startswith("Rioters"):
            return "Rioters"
        if name.startswith("Civilians"):
            return "Civilians"
        return "Political militia" if name else ""

    evidence = [Evidence("a", "", "trigger", "x" * (end - start), start, end) for start, end in triggers]
    evidence += [Evidence("a", "", name, "x" * (end - start), start, end) for name, (start, end) in
                 (arguments or {}).items()]
    return Event("IND-1", "2002-03-01", 2002, 1, "", SUB_EVENT_TYPES[sub], sub, actor1, actor2=actor2,
                 inter1=inter(actor1), inter2=inter(actor2), fatalities=fatalities, evidence=evidence)


def need_data() -> None:
    try:
        _common.datasets_dir()
    except _common.DatasetMissing as exc:
        pytest.skip(str(exc))


# --- india_police ---------------------------------------------------------------------------------------------------

POLICE = "Police Forces of India (1947-)"
GROUP = "Unidentified Armed Group (India)"


def test_india_police_event_labels_follow_the_mapping() -> None:
    labels = india_police.event_labels
    assert labels(make_event("Attack", POLICE, "Civilians (India)", fatalities=2)) == {"KILL", "FORCE", "ANY_ACTION"}
    assert labels(make_event("Attack", POLICE, "Civilians (India)")) == {"FORCE", "ANY_ACTION"}
    # a killing by someone else is no police action
    assert labels(make_event("Attack", GROUP, "Civilians (India)", fatalities=5)) == set()
    assert labels(make_event("Arrests", POLICE, "Civilians (India)")) == {"ARREST", "ANY_ACTION"}
    # state forces acting as police; police as the intervening side of a protest; either side of a clash
    assert "FORCE" in labels(make_event("Excessive force against protesters", "Military Forces of India (1947-)",
                                        "Protesters (India)"))
    assert labels(make_event("Protest with intervention", "Protesters (India)", POLICE)) == {"FORCE", "ANY_ACTION"}
    assert labels(make_event("Armed clash", GROUP, POLICE, fatalities=1)) == {"KILL", "FORCE", "ANY_ACTION"}
    # rioters fighting police: police is named but does not act
    assert labels(make_event("Violent demonstration", "Rioters (India)", POLICE, fatalities=3)) == {"ANY_ACTION"}
    assert labels(make_event("Peaceful protest", "Protesters (India)")) == set()


def test_india_police_sentences_are_located_in_order() -> None:
    text = "one. two two.  one.\n\nthree"
    spans = india_police.sentence_spans(text, ["one.", " two two.", "one.\n\n", "missing", "three"])
    assert spans == [(0, 4), (5, 13), (15, 19), (-1, -1), (21, 26)]
    assert [text[s:e] for s, e in spans if s >= 0] == ["one.", "two two.", "one.", "three"]
    assert india_police.sentence_at(16, spans) == 2
    assert india_police.sentence_at(14, spans) is None


def test_india_police_sentence_labels_and_scores() -> None:
    spans = [(0, 10), (11, 20), (21, 30)]
    events = [make_event("Arrests", POLICE, triggers=((12, 20),)),
              make_event("Attack", POLICE, fatalities=1, triggers=((22, 26), (2, 5)))]
    predicted = india_police.sentence_labels(events, spans)
    assert predicted == [{"KILL", "FORCE", "ANY_ACTION"}, {"ARREST", "ANY_ACTION"}, {"KILL", "FORCE", "ANY_ACTION"}]
    scores = india_police.label_scores([{"KILL"}, set(), {"ARREST"}], predicted, ("KILL", "ARREST"))
    assert scores["KILL"]["tp"] == 1 and scores["KILL"]["predicted"] == 2 and scores["KILL"]["gold"] == 1
    assert scores["KILL"]["precision"] == 0.5 and scores["KILL"]["recall"] == 1.0
    assert scores["ARREST"]["tp"] == 0 and scores["ARREST"]["f1"] == 0.0


@pytest.mark.shared
def test_india_police_loader_places_every_sentence() -> None:
    need_data()
    documents = india_police.load(limit=5)
    assert len(documents) == 5
    for document in documents:
        assert document.sentences and document.published is not None
        assert all(s.start >= 0 and document.text[s.start:s.end].strip() for s in document.sentences)


# --- glocon -----------------------------------------------------------------------------------------------------------


def test_glocon_relevance_needs_a_protest_or_riot_event() -> None:
    assert glocon.relevant([make_event("Peaceful protest", "Protesters (South Africa)")])
    assert glocon.relevant([make_event("Mob violence", "Rioters (South Africa)", "Civilians (South Africa)")])
    assert not glocon.relevant([make_event("Arrests", "Police Forces of South Africa (1994-)")])
    assert not glocon.relevant([])
    attack = [make_event("Attack", GROUP, "Civilians (India)", fatalities=3)]
    assert not glocon.relevant(attack) and glocon.relevant(attack, glocon.CONTENTIOUS_EVENT_TYPES)


def test_glocon_binary_scores_leave_out_or_count_the_unclear_label() -> None:
    gold = [1, 0, 1, 2, 0]
    predicted = [True, True, False, True, False]
    left_out = glocon.binary_scores(gold, predicted)
    assert (left_out["n"], left_out["tp"], left_out["predicted"], left_out["gold"]) == (4, 1, 2, 2)
    assert left_out["precision"] == 0.5 and left_out["recall"] == 0.5
    counted = glocon.binary_scores(gold, predicted, unclear_as=True)
    assert (counted["n"], counted["tp"], counted["predicted"], counted["gold"]) == (5, 2, 3, 3)


def test_glocon_publication_date_is_estimated_from_the_text() -> None:
    day = glocon.estimate_published("The rally on 3 March 2005 followed one in May 2006; Vision 2030 was discussed.")
    assert day == (dt.date(2005, 3, 3), "day")
    assert glocon.estimate_published("Workers marched in May 2006.") == (dt.date(2006, 5, 31), "month")
    yearless = glocon.estimate_published("Miners began a sit-in on July 12; talks failed on 3 June.")
    assert yearless == (dt.date(glocon.NOMINAL_PUBLISHED.year, 7, 12), "yearless")
    assert glocon.estimate_published("Workers marched on Monday.") == (glocon.NOMINAL_PUBLISHED, "nominal")


@pytest.mark.shared
def test_glocon_loader_keeps_both_classes_and_their_sentences() -> None:
    need_data()
    documents, sentences, how = glocon.load(limit=4)
    assert sorted(d.label for d in documents) == [0, 0, 1, 1]
    assert sum(how.values()) == 4
    assert sentences and {s.article for s in sentences} <= {d.article for d in documents}


# --- wikievents -------------------------------------------------------------------------------------------------------


def test_wikievents_text_is_rebuilt_from_the_sentences() -> None:
    sentences = [([["Bombs", 0, 5], ["hit", 6, 9], [".", 9, 10]], "Bombs hit."),
                 ([["Two", 13, 16], ["died", 17, 21]], "Two died")]
    text, sentence_spans, token_spans = wikievents.rebuild_text(sentences)
    assert text == "Bombs hit.\nTwo died"
    assert [text[s:e] for s, e in sentence_spans] == ["Bombs hit.", "Two died"]
    assert [text[s:e] for s, e in token_spans] == ["Bombs", "hit", ".", "Two", "died"]


def _argument(role: str, span: tuple[int, int], coref: list[tuple[int, int]] | None = None
              ) -> wikievents.GoldArgument:
    return wikievents.GoldArgument(role, wikievents.ROLE_CLASSES[role], span, "", coref or [])


def test_wikievents_scoring_by_head_and_coreference() -> None:
    # two gold events in sentence (0, 50), one in sentence (51, 90); heads: a span's last character
    events = [
        wikievents.GoldEvent("E1", "Conflict.Attack.Unspecified", (5, 10), (0, 50),
                             [_argument("Attacker", (0, 4), [(60, 62)]), _argument("Place", (30, 36))]),
        wikievents.GoldEvent("E2", "Life.Die.Unspecified", (12, 16), (0, 50), [_argument("Victim", (20, 25))]),
        wikievents.GoldEvent("E3", "Life.Injure.Unspecified", (55, 58), (51, 90), [_argument("Victim", (70, 75))]),
    ]
    found = wikievents.Prediction("Attack", [(12, 16)], {"attacker": (60, 62), "victim": (22, 25),
                                                          "place": (28, 33)})
    stray = wikievents.Prediction("Attack", [(95, 99)], {"victim": (70, 75)})
    assert wikievents.aligned(found, events) == [0, 1]
    assert wikievents.aligned(stray, events) == []

    def head(span: tuple[int, int]) -> int:
        return span[1]

    by_head = wikievents.score_document(events, [found, stray], wikievents.head_matcher(head))
    assert (by_head["victim"].predicted, by_head["victim"].predicted_right) == (1, 1)  # the stray one is unscored
    assert (by_head["victim"].gold, by_head["victim"].gold_found, by_head["victim"].gold_in_found_events) == (2, 1, 1)
    assert (by_head["attacker"].predicted_right, by_head["attacker"].gold_found) == (0, 0)
    assert by_head["place"].predicted_right == 0
    by_coref = wikievents.score_document(events, [found], wikievents.coref_matcher(head))
    assert by_coref["attacker"].predicted_right == 1 and by_coref["attacker"].gold_found == 1
    by_overlap = wikievents.score_document(events, [found], wikievents.overlap_matcher)
    assert by_overlap["place"].predicted_right == 1
    total = wikievents.overall(by_head)
    precision, recall, f1 = total.scores()
    assert (total.predicted, total.predicted_right, total.gold, total.gold_found) == (3, 1, 4, 1)
    assert precision == pytest.approx(1 / 3) and recall == pytest.approx(1 / 4)
    assert f1 == pytest.approx(2 * (1 / 3) * (1 / 4) / (1 / 3 + 1 / 4))
    assert total.scores(found_events_only=True)[1] == pytest.approx(1 / 3)


def test_wikievents_prediction_takes_the_evidence_spans() -> None:
    event = make_event("Attack", GROUP, "Civilians (India)", triggers=((10, 15), (40, 44)),
                       arguments={"actor1": (0, 8), "actor2": (20, 30), "location": (33, 38)})
    prediction = wikievents.prediction_of(event)
    assert prediction.triggers == [(10, 15), (40, 44)]
    assert prediction.arguments == {"attacker": (0, 8), "victim": (20, 30), "place": (33, 38)}


@pytest.mark.shared
def test_wikievents_loader_offsets_match_the_gold_argument_text() -> None:
    need_data()
    documents = wikievents.load_split("test", limit=3)
    arguments = [(d, a) for d in documents for e in d.events for a in e.arguments]
    assert arguments
    assert all(d.text[a.span[0]:a.span[1]] == a.text for d, a in arguments)
    assert all(d.text[e.trigger[0]:e.trigger[1]] and e.sentence[0] <= e.trigger[0] < e.sentence[1]
               for d in documents for e in d.events)
    assert documents[2].published == dt.date(2015, 6, 24)  # the date in a VOA document id


# --- run_all: the Markdown table shows the registered headline figures ------------------------------------------------


def test_run_all_table_keeps_the_headline_figures_of_a_long_result() -> None:
    from benchmarks import run_all

    result = {"command": "python benchmarks/wikievents.py", "figures": {
        "test_head_f1": _common.figure("test argument head F1", 0.2, 0.646),
        "test_head_precision": _common.figure("test head precision", 0.3),
        "dev_head_f1": _common.figure("dev argument head F1", 0.1),
    }}
    rows = run_all.rows_of("wikievents", result)
    assert [row[1] for row in rows] == ["test argument head F1", "dev argument head F1"]
    assert rows[0][3] == run_all.HEADLINES["wikievents"]["test_head_f1"] and rows[1][3] == "—"
    # an unregistered benchmark shows every figure with its own anchor
    assert [row[3] for row in run_all.rows_of("other", result)] == ["0.646", "—", "—"]
    assert {"india_police", "glocon", "wikievents"} <= set(run_all.discover())
