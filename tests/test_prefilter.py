"""The first pass on tokens (midan.prefilter) and what the pipeline does with it: faster, the same records."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from midan import detect
from midan.prefilter import CueGate
from midan.schema import Article

ROOT = Path(__file__).resolve().parents[1]
GOLD = Path(__file__).parent / "data" / "gold" / "articles.jsonl"
DEV = ROOT.parent / "shared" / "datasets" / "article-events" / "dev.jsonl"


@pytest.fixture(scope="module")
def gate(spacy_model) -> CueGate:
    return CueGate(spacy_model)


def _gold_texts() -> list[str]:
    return [json.loads(line)["text"] for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]


def _demo_articles() -> list[Article]:
    from midan.ingest import read_articles

    return list(read_articles([ROOT / "examples" / "articles"]))


def _pieces(texts: list[str]) -> list[str]:
    """Each text and each of its paragraphs: many short texts, most with one or two cues, some with none."""
    return [*texts, *(p for t in texts for p in t.split("\n") if p.strip())]


@pytest.mark.parametrize("text", [
    "Rebels fought government troops near the border.",      # irregular verb: fought -> fight
    "Gunmen shot two farmers on Sunday.",                      # shot -> shoot
    "A drone struck a convoy outside the town.",               # a form of "strike", read by its sense
    "Jets hit the market at dawn.",                            # a force verb, a cue only as a verb
    "The march turned violent when stones were thrown.",       # a phrase cue (throw ... stone)
    "Militants took over the district headquarters.",          # a phrase cue on its own (take over)
    "Negotiators signed a peace deal in the capital.",         # a noun-only cue
])
def test_the_gate_passes_texts_with_a_cue(gate, spacy_model, text):
    assert detect.find_cues(spacy_model(text)), "the example must hold a cue"
    assert gate(spacy_model.make_doc(text))


@pytest.mark.parametrize("text", [
    "The council approved the new budget on Tuesday, according to the mayor.",
    "He dealt with the complaints of the residents before the meeting.",
    "Schools will reopen next week after the holidays.",
])
def test_the_gate_stops_texts_without_a_cue(gate, spacy_model, text):
    assert not detect.find_cues(spacy_model(text)), "the example must hold no cue"
    assert not gate(spacy_model.make_doc(text))


def test_the_gate_keeps_every_text_in_which_the_parse_finds_a_cue(gate, spacy_model):
    """Over the gold and demo articles and each of their paragraphs: never a cue the gate did not let through,
    and the gate stops some texts (it is not a gate that passes everything)."""
    texts = _pieces(_gold_texts() + [a.text for a in _demo_articles()])
    if DEV.is_file():
        texts += _pieces([json.loads(line)["text"] for line in DEV.open(encoding="utf-8")][:40])
    missed, stopped = [], 0
    for text, doc in zip(texts, spacy_model.pipe(texts), strict=True):
        passed = gate(spacy_model.make_doc(text))
        stopped += not passed
        if detect.find_cues(doc) and not passed:
            missed.append(text[:80])
    assert not missed, missed
    assert stopped >= 5, stopped


def _records(analyses) -> list:
    out = []
    for analysis in analyses:
        for event, features in analysis.candidates:
            record = event.to_dict()
            record.pop("timestamp", None)
            out.append((analysis.article.id, record, features))
        out.append((analysis.article.id, analysis.explanations()))
    return out


def test_prefilter_and_stage_skips_leave_the_records_unchanged(spacy_model, gazetteer, pipeline):
    from midan.pipeline import Pipeline

    articles = _demo_articles()
    articles.append(Article(id="quiet", text="The council approved the new budget on Tuesday.",
                            published=dt.date(2025, 3, 12)))
    full = Pipeline(spacy_model=spacy_model, gazetteer=gazetteer, prefilter=False)
    # the reference runs every stage on every article, as the pipeline did before the skips
    full.stages = [(f"{name} (always)", stage) for name, stage in full.stages]
    fast = list(pipeline.pipe(articles))
    assert [a.article.id for a in fast] == [a.id for a in articles]
    quiet = fast[-1]
    assert not quiet.parsed and not quiet.mentions and not quiet.events
    assert all(a.parsed for a in fast[:-1] if a.events)
    assert _records(fast) == _records(full.pipe(articles))


def test_n_process_2_gives_the_records_of_1(spacy_model, gazetteer, pipeline):
    from midan.pipeline import Pipeline

    articles = _demo_articles()
    two = Pipeline(spacy_model=spacy_model, gazetteer=gazetteer, n_process=2)
    assert _records(two.pipe(articles, batch_size=4)) == _records(pipeline.pipe(articles, batch_size=4))


def test_n_process_must_be_positive(spacy_model, gazetteer):
    from midan.pipeline import Pipeline

    with pytest.raises(ValueError):
        Pipeline(spacy_model=spacy_model, gazetteer=gazetteer, n_process=0)
