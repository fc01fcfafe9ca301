"""IndiaPoliceEvents: did police kill, arrest or use force, per document and per sentence, from midan's events.

Data: ``india-police-events/`` (Halterman et al. 2021): every Times of India article of March 2002 that mentions
Gujarat, 1,257 documents (``docs.jsonl``, ``doc_text``/``doc_labels``) and their 21,391 sentences
(``sents.jsonl``, ``sent_text``/``sent_labels``), lower-cased with some mojibake, which is left as it is. All
documents are scored (the corpus has no split of its own; all of one month were annotated, so recall is unbiased).
Each ``doc_text`` goes through the full ``Pipeline`` with its publication date from ``metadata.jsonl``.

The labels are derived from midan's *events*, never from cue words. "Police" is an actor named ``Police Forces
of ...``; it *acts* in an event when it is actor1, when it is either side of an Armed clash, when it is the
intervening actor2 of a Protest with intervention, and also when any State forces actor1 codes an Arrests or an
Excessive force against protesters event (state forces acting as police). Upstream questions and mapping:

- KILL ("did police kill someone?"): police acts in a violent event (Battles, Explosions/Remote violence,
  Violence against civilians, Excessive force against protesters) with fatalities > 0;
- ARREST ("did police arrest someone?"): an Arrests event, or Abduction/forced disappearance with police as
  actor1 (arrests of demonstrators are coded Protest with intervention by ACLED's rule and so are not counted);
- FORCE ("did police use force or violence?", upstream = kill or other force): police acts in a violent event
  (as for KILL, any fatalities), a Protest with intervention, or a Looting/property destruction event;
- ANY_ACTION ("did police do anything?"): any of the above, or police named as either actor of any event;
- FAIL ("did police fail to intervene?") is not scored: ACLED records no inaction; its gold count is shown.

A document is predicted positive when one of its events carries the label. A sentence is predicted positive when
it contains the trigger of such an event (each dataset sentence is located in ``doc_text`` by searching its
text in order; the triggers' character offsets come from the events' evidence). Precision, recall and F1 per
label at both levels; articles/s with the pipeline loaded. Anchor: none comparable (the paper ranks documents
and answers questions with zero-shot QA models; it reports no classification F1 for a system like midan).

    python benchmarks/india_police.py [--json PATH] [--limit N]   (or python -m benchmarks.india_police)
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if not __package__:  # run as a script: python benchmarks/india_police.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks import _common
from benchmarks._common import Timer, dataset, figure, per_second, prf

COMMAND = "python benchmarks/india_police.py"
#: labels scored, in the upstream order; FAIL has no ACLED counterpart and is only counted
LABELS = ("KILL", "ARREST", "FORCE", "ANY_ACTION")
UNSCORED = ("FAIL",)
POLICE_PREFIX = "Police Forces of"
STATE = "State forces"
#: event types and sub-event types in which an acting side uses violence
VIOLENT_EVENT_TYPES = {"Battles", "Explosions/Remote violence", "Violence against civilians"}
VIOLENT_SUB_EVENTS = {"Excessive force against protesters"}
#: sub-event types in which State forces of any kind act as police
POLICING_SUB_EVENTS = {"Arrests", "Excessive force against protesters"}


# --- gold ---------------------------------------------------------------------------------------------------------


@dataclass
class Sentence:
    start: int
    end: int
    labels: set[str]


@dataclass
class Document:
    id: str
    text: str
    published: dt.date | None
    labels: set[str]
    sentences: list[Sentence] = field(default_factory=list)


def sentence_spans(text: str, sentences: Sequence[str]) -> list[tuple[int, int]]:
    """Character spans of the dataset's sentences in ``text``, found in order; ``(-1, -1)`` for one not found.

    The sentences are the annotation units of the corpus; they are substrings of the document apart from
    surrounding white space.
    """
    spans: list[tuple[int, int]] = []
    position = 0
    for sentence in sentences:
        needle = sentence.strip()
        found = text.find(needle, position) if needle else -1
        if found < 0:
            spans.append((-1, -1))
            continue
        spans.append((found, found + len(needle)))
        position = found + len(needle)
    return spans


def sentence_at(offset: int, spans: Sequence[tuple[int, int]]) -> int | None:
    """Index of the sentence whose span contains ``offset``, or None."""
    for index, (start, end) in enumerate(spans):
        if start <= offset < end:
            return index
    return None


def documents(limit: int | None = None) -> list[Document]:
    """The first ``limit`` documents with their labels and publication dates (no sentences yet)."""
    folder = dataset("india-police-events")
    dates: dict[str, dt.date] = {}
    metadata = folder / "metadata.jsonl"
    if metadata.exists():
        with metadata.open(encoding="utf-8") as handle:
            for line in handle:
                record = json.loads(line)
                try:
                    dates[str(record["doc_id"])] = dt.date.fromisoformat(str(record["date"])[:10])
                except (KeyError, ValueError):
                    continue
    read: list[Document] = []
    with (folder / "docs.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            if limit and len(read) >= limit:
                break
            record = json.loads(line)
            doc_id = str(record["doc_id"])
            read.append(Document(doc_id, record["doc_text"], dates.get(doc_id), set(record["doc_labels"])))
    return read


def load(limit: int | None = None) -> list[Document]:
    """Documents with their annotated sentences located in the text."""
    folder = dataset("india-police-events")
    found = documents(limit)
    by_id = {d.id: d for d in found}
    rows: dict[str, list[dict[str, Any]]] = {}
    with (folder / "sents.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            doc_id = str(record["doc_id"])
            if doc_id in by_id:
                rows.setdefault(doc_id, []).append(record)
    for doc_id, records in rows.items():
        records.sort(key=lambda r: int(r["sent_id"]))
        document = by_id[doc_id]
        spans = sentence_spans(document.text, [r["sent_text"] for r in records])
        document.sentences = [Sentence(s, e, set(r["sent_labels"])) for (s, e), r in zip(spans, records, strict=True)]
    return found


# --- midan's events -> the corpus's labels --------------------------------------------------------------------------


def is_police(actor: str) -> bool:
    return actor.startswith(POLICE_PREFIX)


def police_acts(event: Any) -> bool:
    """Police (or state forces in a policing role) is the acting side of the event."""
    sub = event.sub_event_type
    if is_police(event.actor1):
        return True
    if sub == "Armed clash" and is_police(event.actor2):
        return True
    if sub == "Protest with intervention" and (is_police(event.actor2) or event.inter2 == STATE):
        return True
    return sub in POLICING_SUB_EVENTS and event.inter1 == STATE


def violent(event: Any) -> bool:
    return event.event_type in VIOLENT_EVENT_TYPES or event.sub_event_type in VIOLENT_SUB_EVENTS


def event_labels(event: Any) -> set[str]:
    """The corpus labels one midan event supports (see the module docstring for the mapping)."""
    labels: set[str] = set()
    sub = event.sub_event_type
    acts = police_acts(event)
    if acts and violent(event):
        labels.add("FORCE")
        if event.fatalities > 0:
            labels.add("KILL")
    if acts and sub in {"Protest with intervention", "Looting/property destruction"}:
        labels.add("FORCE")
    if sub == "Arrests" or (sub == "Abduction/forced disappearance" and is_police(event.actor1)):
        labels.add("ARREST")
    if labels or acts or is_police(event.actor1) or is_police(event.actor2):
        labels.add("ANY_ACTION")
    return labels


def document_labels(events: Iterable[Any]) -> set[str]:
    found: set[str] = set()
    for event in events:
        found |= event_labels(event)
    return found


def trigger_offsets(event: Any) -> list[int]:
    return [e.start for e in event.evidence if e.field == "trigger"]


def sentence_labels(events: Iterable[Any], spans: Sequence[tuple[int, int]]) -> list[set[str]]:
    """Predicted labels of each dataset sentence: those of the events whose trigger lies in it."""
    predicted: list[set[str]] = [set() for _ in spans]
    for event in events:
        labels = event_labels(event)
        if not labels:
            continue
        for offset in trigger_offsets(event):
            index = sentence_at(offset, spans)
            if index is not None:
                predicted[index] |= labels
    return predicted


# --- scoring -------------------------------------------------------------------------------------------------------


def label_scores(gold: Sequence[set[str]], predicted: Sequence[set[str]],
                 labels: Sequence[str] = LABELS) -> dict[str, dict[str, float]]:
    """Precision, recall, F1 and counts of each binary label over aligned items (documents or sentences)."""
    scores: dict[str, dict[str, float]] = {}
    for label in labels:
        tp = sum(label in g and label in p for g, p in zip(gold, predicted, strict=True))
        n_gold = sum(label in g for g in gold)
        n_pred = sum(label in p for p in predicted)
        p, r, f1 = prf(tp, n_pred, n_gold)
        scores[label] = {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f1, 4),
                         "tp": tp, "gold": n_gold, "predicted": n_pred}
    return scores


def extract(documents: list[Document]) -> tuple[dict[str, list[Any]], float, float]:
    """Events of each document (by id), pipeline load seconds, processing seconds."""
    from midan.pipeline import Pipeline
    from midan.schema import Article

    with Timer() as loading:
        pipeline = Pipeline(min_confidence=0.0)  # the rules' records: a component figure, before the record
        # confidence threshold, which benchmarks/article_events.py measures on whole articles
    articles = [Article(id=d.id, text=d.text, published=d.published, source="Times of India",
                        origin=f"india-police-events:{d.id}") for d in documents]
    events: dict[str, list[Any]] = {}
    with Timer() as running:
        for analysis in pipeline.pipe(articles):
            events[analysis.article.id] = list(analysis.events)
    return events, loading.seconds, running.seconds


def run(limit: int | None = None) -> dict[str, Any]:
    documents = load(limit)
    events, load_seconds, seconds = extract(documents)

    doc_gold = [d.labels for d in documents]
    doc_pred = [document_labels(events.get(d.id, [])) for d in documents]
    sent_gold: list[set[str]] = []
    sent_pred: list[set[str]] = []
    unplaced = 0
    contributions: Counter[str] = Counter()
    rows = []
    for document, predicted in zip(documents, doc_pred, strict=True):
        spans = [(s.start, s.end) for s in document.sentences]
        unplaced += sum(start < 0 for start, _ in spans)
        doc_events = events.get(document.id, [])
        sent_gold.extend(s.labels for s in document.sentences)
        sent_pred.extend(sentence_labels(doc_events, spans))
        for event in doc_events:
            for label in event_labels(event):
                right = "tp" if label in document.labels else "fp"
                contributions[f"{label} {right} {event.sub_event_type} | {event.actor1} | {event.actor2}"] += 1
        if predicted or document.labels & set(LABELS):
            rows.append({"id": document.id, "gold": sorted(document.labels), "predicted": sorted(predicted),
                         "events": [[e.sub_event_type, e.actor1, e.actor2, e.fatalities] for e in doc_events]})
    documents_scores = label_scores(doc_gold, doc_pred)
    sentence_scores = label_scores(sent_gold, sent_pred)
    n = len(documents)
    n_events = sum(len(v) for v in events.values())
    skipped = n - len(events)

    figures: dict[str, dict[str, Any]] = {}
    for label in LABELS:
        row = documents_scores[label]
        key = label.lower()
        figures[f"doc_{key}_f1"] = figure(f"doc {label} F1 (gold {row['gold']}, predicted {row['predicted']})",
                                          row["f1"], gate=True)
        figures[f"doc_{key}_precision"] = figure(f"doc {label} precision", row["precision"])
        figures[f"doc_{key}_recall"] = figure(f"doc {label} recall", row["recall"])
    for label in LABELS:
        row = sentence_scores[label]
        figures[f"sentence_{label.lower()}_f1"] = figure(
            f"sentence {label} F1 (gold {row['gold']}, predicted {row['predicted']})", row["f1"])
    figures["articles_per_second"] = figure("articles/s (pipeline loaded)", per_second(n, seconds), digits=2)
    figures["events_per_article"] = figure("events per article", n_events / n if n else float("nan"), digits=2)
    figures["pipeline_load_seconds"] = figure("pipeline load s (excluded)", load_seconds, digits=2)
    gold_unscored = {label: sum(label in g for g in doc_gold) for label in UNSCORED}
    return {
        "benchmark": "india_police",
        "dataset": "india-police-events/docs.jsonl + sents.jsonl",
        "command": COMMAND,
        "n": n,
        "figures": figures,
        "notes": [
            "labels from midan's events: police = an actor named 'Police Forces of ...' that acts (actor1, either "
            "side of an Armed clash, actor2 of a Protest with intervention) or State forces coding Arrests or "
            "Excessive force; KILL = violent event with fatalities > 0; FORCE = violent event, Protest with "
            "intervention or Looting/property destruction; ARREST = Arrests (or police abduction); ANY_ACTION = "
            "any of these or police named in any event",
            f"FAIL not scored (no ACLED counterpart): gold documents {gold_unscored['FAIL']}",
            f"sentence level: {len(sent_gold)} sentences; a sentence is positive when it holds the trigger of an "
            f"event with the label ({unplaced} dataset sentences could not be located in their document)",
            "no published anchor: the paper evaluates zero-shot QA/ranking models, not classification F1",
            f"articles the pipeline skipped on an error (scored as having no event): {skipped}",
        ],
        "details": {
            "documents": documents_scores,
            "sentences": sentence_scores,
            "events": n_events,
            "skipped_articles": skipped,
            "event_contributions": dict(contributions.most_common(60)),
            "articles": rows,
        },
    }


def print_result(result: dict[str, Any]) -> None:
    _common.report_result(result)
    for level in ("documents", "sentences"):
        print(f"{level}:")
        for label, row in result["details"][level].items():
            print(f"  {label:11} P {row['precision']:.3f}  R {row['recall']:.3f}  F1 {row['f1']:.3f}  "
                  f"gold {row['gold']:5}  predicted {row['predicted']:5}")


if __name__ == "__main__":
    sys.exit(_common.main(run, print_result, __doc__))
