"""GLOCON gold sample: is this document / sentence about a protest? Relevance from midan's Protests and Riots events.

Data: ``glocon-sample/`` (Hürriyetoğlu et al.), the public sample of the GLOCON gold corpus, South African news
(SAPA/Sabinet): ``document/Sabinet_R.json``, 1,050 articles labelled 1 (reports a protest event) or 0, and
``sentence/Sabinet.json``, 1,952 sentences of 109 of those articles labelled the same way. All items are scored
(the sample has no split). Label 2 (5 documents, 14 sentences) is an unexplained code; on inspection these are
announced, planned or threatened protests and strikes, which ACLED does not code, so they are left out of the
scores (the counts are reported; ``details`` also has the figures with label 2 counted as positive).

midan's whole ``Pipeline`` runs on each document, and on each sentence as an article of its own (the sentence's
context is not given). An item is predicted relevant when midan codes at least one Protests or Riots event in it.
The sample has no publication dates and midan does not code an event it cannot date, so a publication date is
estimated from the text itself: the latest day-precise calendar date (year given) that midan's time tagger finds
in the article, else the latest month-precise one, else the latest day or month named without a year, put in the
year of a nominal date (:data:`NOMINAL_PUBLISHED`), else that nominal date (the text then has no calendar date at
all, so only weekday arithmetic depends on it). Sentences take their article's date.

Each sentence is also given to ``midan classify`` (the sentence classifier alone, which needs no place or date):
relevant when its type is a Protests or Riots type.
Scoring: precision, recall and F1 of the positive class at document and at sentence level, with counts; articles/s.
GLOCON's "protest events" are contentious politics at large, and positives of this sample include armed attacks
(rebels killing villagers, attacks on UN posts), so the same figures are also given with Battles, Explosions/Remote
violence and Violence against civilians events counted as relevant ("contentious").
Anchor: none comparable ("—"): the CASE 2021 task 1 results are on the full held-out test set, not on this sample.
``--limit N`` takes the first N/2 positive and N/2 negative documents, and the sentences of those documents.

    python benchmarks/glocon.py [--json PATH] [--limit N]   (or python -m benchmarks.glocon)
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import re
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if not __package__:  # run as a script: python benchmarks/glocon.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks import _common
from benchmarks._common import Timer, dataset, figure, per_second, prf

COMMAND = "python benchmarks/glocon.py"
RELEVANT_EVENT_TYPES = {"Protests", "Riots"}
#: the broader reading: GLOCON's "protest" is contentious politics, and its positives include armed attacks
CONTENTIOUS_EVENT_TYPES = RELEVANT_EVENT_TYPES | {"Battles", "Explosions/Remote violence", "Violence against civilians"}
UNCLEAR = 2
#: publication date used when an article gives no absolute date at all
NOMINAL_PUBLISHED = dt.date(2010, 6, 15)
_YEARLESS = re.compile(r"^XXXX-(\d{2})(?:-(\d{2}))?$")


@dataclass
class Item:
    """One document or sentence with its gold relevance label (0, 1, or 2 = unclear)."""

    id: str
    text: str
    label: int
    published: dt.date
    article: str = ""


def estimate_published(text: str, fallback: dt.date = NOMINAL_PUBLISHED) -> tuple[dt.date, str]:
    """A stand-in publication date for an undated article, and how it was found.

    The latest calendar date with a year that the text gives, preferring day-precise dates ("day") to
    month-precise ones ("month"); year-only expressions are skipped (they are targets and history as often as news
    dates). Without any, the latest day or month named without a year ("July 12") in the year of ``fallback``
    ("yearless"), so that the text's own dates fall inside midan's reporting window; else ``fallback``
    ("nominal").
    """
    from midan import timex

    tagged = [t for t in timex.tag(text, None) if not t.since]
    found = [t for t in tagged if t.begin is not None and t.last is not None]
    for name, granularities in (("day", {"day", "time"}), ("month", {"month"})):
        dates = [t.last for t in found if t.granularity in granularities and t.last is not None]
        if dates:
            return max(dates), name
    yearless: list[dt.date] = []
    for item in tagged:
        match = _YEARLESS.match(item.value)
        if match is None:
            continue
        month = int(match[1])
        try:
            day = int(match[2]) if match[2] else calendar.monthrange(fallback.year, month)[1]
            yearless.append(dt.date(fallback.year, month, day))
        except ValueError:  # calendar.IllegalMonthError is one
            continue
    if yearless:
        return max(yearless), "yearless"
    return fallback, "nominal"


def label_of(value: Any) -> int:
    return int(str(value).strip())


def load(limit: int | None = None) -> tuple[list[Item], list[Item], Counter[str]]:
    """Documents, sentences (of the loaded documents when ``limit`` is given) and how their dates were found."""
    folder = dataset("glocon-sample")
    documents: list[Item] = []
    how: Counter[str] = Counter()
    with (folder / "document" / "Sabinet_R.json").open(encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle if line.strip()]
    if limit:
        # keep both classes in a quick run: the first positives and the first negatives, in file order
        positives = [r for r in records if label_of(r["label"]) == 1][: (limit + 1) // 2]
        others = [r for r in records if label_of(r["label"]) == 0][: limit // 2]
        chosen = {id(r) for r in positives + others}
        records = [r for r in records if id(r) in chosen]
    dates: dict[str, dt.date] = {}
    for record in records:
        published, found = estimate_published(record["text"])
        how[found] += 1
        dates[str(record["url"])] = published
        documents.append(Item(str(record["id"]), record["text"], label_of(record["label"]), published,
                              str(record["url"])))
    sentences: list[Item] = []
    with (folder / "sentence" / "Sabinet.json").open(encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            record = json.loads(line)
            url = str(record["url"])
            if url not in dates:
                continue
            sentences.append(Item(str(record["id"]), record["sentence"], label_of(record["label"]), dates[url], url))
    return documents, sentences, how


# --- scoring -------------------------------------------------------------------------------------------------------


def relevant(events: Iterable[Any], event_types: set[str] = RELEVANT_EVENT_TYPES) -> bool:
    """midan finds the item relevant: it codes at least one event of these types (Protests or Riots)."""
    return any(e.event_type in event_types for e in events)


def binary_scores(gold: Sequence[int], predicted: Sequence[bool], unclear_as: bool | None = None) -> dict[str, Any]:
    """P/R/F1 of the positive class; gold label 2 is left out (``unclear_as=None``) or counted as given."""
    tp = n_pred = n_gold = n = 0
    for label, guess in zip(gold, predicted, strict=True):
        if label == UNCLEAR:
            if unclear_as is None:
                continue
            positive = unclear_as
        else:
            positive = label == 1
        n += 1
        tp += positive and guess
        n_pred += guess
        n_gold += positive
    p, r, f1 = prf(tp, n_pred, n_gold)
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f1, 4), "tp": tp, "gold": n_gold,
            "predicted": n_pred, "n": n}


def triggers_of(event: Any) -> list[str]:
    return [e.text for e in event.evidence if e.field == "trigger"]


def analyse(items: list[Item], pipeline: Any) -> tuple[list[list[Any]], list[list[Any]], float, int]:
    """Events and rejected mentions of each item, the seconds it took, and how many items the pipeline skipped
    on an error (they count as having no event)."""
    from midan.schema import Article

    articles = [Article(id=str(i), text=item.text, published=item.published, source="SAPA",
                        origin=f"glocon:{item.id}") for i, item in enumerate(items)]
    events: dict[str, list[Any]] = {}
    rejected: dict[str, list[Any]] = {}
    with Timer() as timer:
        for analysis in pipeline.pipe(articles):
            events[analysis.article.id] = list(analysis.events)
            rejected[analysis.article.id] = analysis.rejected
    keys = [str(i) for i in range(len(items))]
    return ([events.get(k, []) for k in keys], [rejected.get(k, []) for k in keys], timer.seconds,
            len(keys) - len(events))


def missed_reasons(items: list[Item], events: list[list[Any]], rejected: list[list[Any]]) -> Counter[str]:
    """Gold-positive items that midan found irrelevant, counted by the rules that rejected their protest and riot
    mentions (the head of each rule's message; an item with several counts under each)."""
    from midan.schema import SUB_EVENT_TYPES

    reasons: Counter[str] = Counter()
    for item, found, mentions in zip(items, events, rejected, strict=True):
        if item.label != 1 or relevant(found):
            continue
        protest = [m for m in mentions if SUB_EVENT_TYPES.get(m.sub_event_type or "") in RELEVANT_EVENT_TYPES]
        if not protest:
            reasons["no protest or riot mention detected"] += 1
        reasons.update({str(m.rejected).split(":")[0] for m in protest})
    return reasons


def run(limit: int | None = None) -> dict[str, Any]:
    from midan.classifier import classify
    from midan.pipeline import Pipeline

    documents, sentences, how = load(limit)
    with Timer() as loading:
        pipeline = Pipeline(min_confidence=0.0)  # the rules' records: a component figure, before the record
        # confidence threshold, which benchmarks/article_events.py measures on whole articles
    doc_events, doc_rejected, doc_seconds, doc_skipped = analyse(documents, pipeline)
    sent_events, sent_rejected, sent_seconds, sent_skipped = analyse(sentences, pipeline)
    with Timer() as classifying:
        classified = list(classify(s.text for s in sentences))
    doc_pred = [relevant(e) for e in doc_events]
    sent_pred = [relevant(e) for e in sent_events]
    doc_gold = [d.label for d in documents]
    sent_gold = [s.label for s in sentences]
    doc_scores = binary_scores(doc_gold, doc_pred)
    sent_scores = binary_scores(sent_gold, sent_pred)
    sent_classified = binary_scores(sent_gold, [c.event_type in RELEVANT_EVENT_TYPES for c in classified])
    doc_broad = binary_scores(doc_gold, [relevant(e, CONTENTIOUS_EVENT_TYPES) for e in doc_events])
    sent_broad = binary_scores(sent_gold, [relevant(e, CONTENTIOUS_EVENT_TYPES) for e in sent_events])
    types_on = {
        "positive documents": Counter(e.sub_event_type for d, es in zip(documents, doc_events, strict=True)
                                      if d.label == 1 for e in es),
        "negative documents": Counter(e.sub_event_type for d, es in zip(documents, doc_events, strict=True)
                                      if d.label == 0 for e in es),
    }
    false_positives = [{"id": d.id, "events": [[e.sub_event_type, e.location, *triggers_of(e)] for e in es
                                               if e.event_type in RELEVANT_EVENT_TYPES], "text": d.text[:200]}
                       for d, es, guess in zip(documents, doc_events, doc_pred, strict=True)
                       if d.label == 0 and guess]
    unclear = (sum(label == UNCLEAR for label in doc_gold), sum(label == UNCLEAR for label in sent_gold))

    figures = {
        "doc_f1": figure(f"document F1 (gold {doc_scores['gold']} of {doc_scores['n']}, predicted "
                         f"{doc_scores['predicted']})", doc_scores["f1"], gate=True),
        "doc_precision": figure("document precision", doc_scores["precision"]),
        "doc_recall": figure("document recall", doc_scores["recall"]),
        "sentence_f1": figure(f"sentence F1, standalone (gold {sent_scores['gold']} of {sent_scores['n']}, "
                              f"predicted {sent_scores['predicted']})", sent_scores["f1"], gate=True),
        "sentence_precision": figure("sentence precision", sent_scores["precision"]),
        "sentence_recall": figure("sentence recall", sent_scores["recall"]),
        "sentence_f1_classify": figure(
            f"sentence F1, `midan classify` type (P {sent_classified['precision']:.2f}, "
            f"R {sent_classified['recall']:.2f}; no place or date needed)", sent_classified["f1"]),
        "doc_f1_contentious": figure(f"document F1 with political violence (P {doc_broad['precision']:.2f}, "
                                     f"R {doc_broad['recall']:.2f})", doc_broad["f1"]),
        "sentence_f1_contentious": figure(f"sentence F1 with political violence (P {sent_broad['precision']:.2f}, "
                                          f"R {sent_broad['recall']:.2f})", sent_broad["f1"]),
        "articles_per_second": figure("documents/s (pipeline loaded)", per_second(len(documents), doc_seconds),
                                      digits=2),
        "sentences_per_second": figure("sentences/s (pipeline loaded)", per_second(len(sentences), sent_seconds),
                                       digits=1),
        "sentences_per_second_classify": figure("sentences/s (`midan classify`)",
                                                per_second(len(sentences), classifying.seconds), digits=1),
        "pipeline_load_seconds": figure("pipeline load s (excluded)", loading.seconds, digits=2),
    }
    return {
        "benchmark": "glocon",
        "dataset": "glocon-sample/document/Sabinet_R.json + sentence/Sabinet.json",
        "command": COMMAND,
        "n": len(documents),
        "figures": figures,
        "notes": [
            "relevant = midan codes >= 1 Protests or Riots event; sentences are run one by one as articles",
            "'contentious' figures: also Battles, Explosions/Remote violence and Violence against civilians events "
            "(GLOCON's protest events are contentious politics; its positives include armed attacks)",
            f"gold label 2 (announced/planned protests) left out: {unclear[0]} documents, {unclear[1]} sentences",
            "publication dates estimated from the text (latest dated day, else month, else yearless day/month, "
            f"else {NOMINAL_PUBLISHED.isoformat()}): " + ", ".join(f"{k} {v}" for k, v in sorted(how.items())),
            "no published anchor on this sample (CASE 2021 task 1 scores are on the full held-out test)",
            f"items the pipeline skipped on an error (scored as irrelevant): {doc_skipped} documents, "
            f"{sent_skipped} sentences",
        ],
        "details": {
            "documents": doc_scores,
            "sentences": sent_scores,
            "sentences_classify": sent_classified,
            "documents_contentious": doc_broad,
            "sentences_contentious": sent_broad,
            "documents_label2_positive": binary_scores(doc_gold, doc_pred, unclear_as=True),
            "sentences_label2_positive": binary_scores(sent_gold, sent_pred, unclear_as=True),
            "published_estimate": dict(how),
            "sub_event_types": {k: dict(v.most_common()) for k, v in types_on.items()},
            "missed_positive_documents": dict(missed_reasons(documents, doc_events, doc_rejected).most_common()),
            "missed_positive_sentences": dict(missed_reasons(sentences, sent_events, sent_rejected).most_common()),
            "false_positive_documents": false_positives,
        },
    }


def print_result(result: dict[str, Any]) -> None:
    _common.report_result(result)
    details = result["details"]
    for name in ("missed_positive_documents", "missed_positive_sentences"):
        print(f"{name.replace('_', ' ')}, by the rules that rejected their protest mentions:")
        for reason, count in list(details[name].items())[:8]:
            print(f"  {count:4}  {reason}")


if __name__ == "__main__":
    sys.exit(_common.main(run, print_result, __doc__))
