"""WikiEvents: attacker, victim/target and place arguments of violent events, argument head F1.

Data: ``wikievents/test.jsonl`` (the reported split) and ``dev.jsonl``, 20 news documents each (Li, Ji & Han
2021), KAIROS ontology. Scored gold events (the conflict and violence types midan codes): ``Conflict.Attack.*``,
``Conflict.Demonstrate.*``, ``Life.Die.*``, ``Life.Injure.*``, ``Justice.ArrestJailDetain.*``. Their roles are
compared with midan's fields in three classes: attacker = actor1 (Attacker, Killer, Injurer, Jailer,
Demonstrator), victim = actor2 (Target, Victim, Detainee), place = location (Place). Other roles (Instrument,
ExplosiveDevice, Crime ...) have no ACLED field and are not scored.

Text: each document is rebuilt from its gold sentences (the jsonl ``text`` field has lost the white space
between sentences and does not match the token offsets): sentences joined by a space, or by a line break where
the original offsets leave a wider gap. Publication date: the date in the document id for VOA documents, else
the latest dated day or month in the text (as in ``benchmarks/glocon.py``), else a nominal date. The whole
``Pipeline`` runs on each document.

Alignment: a midan event is aligned with every scored gold event whose trigger sentence holds one of the midan
event's triggers (its ``trigger`` evidence). Arguments: midan's ``actor1``, ``actor2`` and ``location`` evidence
spans. Head: the syntactic root (spaCy, midan's own parse of the document) of a span, for the gold argument
mention and for midan's span alike; a prediction is right when its head is the head of a gold argument of the same
class in an aligned gold event. Precision is over the arguments of aligned midan events (a midan event in a
sentence without a scored gold event is an event-detection matter, counted apart); recall is over every gold
argument of the scored events, so missed events cost recall. Also reported: the same with coreference (the head of
any mention coreferent with the gold argument, from ``coref/``), with any character overlap instead of heads, and
with recall only over the gold events midan found (closest to the anchor's given-trigger setting).

Anchor: BART-Gen (Li et al. 2021) argument classification head F1 64.6 on the test set. The comparison is
loose: BART-Gen is given the gold triggers and scores every role of every event type; midan finds its own events
and is scored on three coarse role classes of five event families.

    python benchmarks/wikievents.py [--json PATH] [--limit N]   (or python -m benchmarks.wikievents)
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if not __package__:  # run as a script: python benchmarks/wikievents.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks import _common
from benchmarks._common import Timer, dataset, figure, per_second
from benchmarks.glocon import estimate_published

COMMAND = "python benchmarks/wikievents.py"
ANCHOR_HEAD_F1 = 0.646
SPLITS = ("test", "dev")
#: KAIROS event type prefixes that are scored
SCORED_TYPES = ("Conflict.Attack.", "Conflict.Demonstrate.", "Life.Die.", "Life.Injure.", "Justice.ArrestJailDetain.")
#: KAIROS role -> role class (midan field)
ROLE_CLASSES = {
    "Attacker": "attacker", "Killer": "attacker", "Injurer": "attacker", "Jailer": "attacker",
    "Demonstrator": "attacker",
    "Target": "victim", "Victim": "victim", "Detainee": "victim",
    "Place": "place",
}
CLASSES = ("attacker", "victim", "place")
#: role class -> the midan evidence field that fills it
FIELDS = {"attacker": "actor1", "victim": "actor2", "place": "location"}
_ID_DATE = re.compile(r"(\d{4})\.(\d{2})\.(\d{2})")

Span = tuple[int, int]


# --- gold ---------------------------------------------------------------------------------------------------------


@dataclass
class GoldArgument:
    role: str
    role_class: str
    span: Span
    text: str
    coref: list[Span] = field(default_factory=list)


@dataclass
class GoldEvent:
    id: str
    type: str
    trigger: Span
    sentence: Span
    arguments: list[GoldArgument] = field(default_factory=list)


@dataclass
class GoldDocument:
    id: str
    text: str
    published: dt.date
    events: list[GoldEvent]
    all_events: int


def rebuild_text(sentences: Sequence[tuple[Sequence[Sequence[Any]], str]]) -> tuple[str, list[Span], list[Span]]:
    """Article text from the gold sentences, with the character span of each sentence and of each token.

    ``sentences`` are the jsonl's ``[[token, start, end], ...], sentence text`` pairs; token offsets are
    consistent within a sentence, so each token is placed at its offset from the sentence's first token.
    """
    parts: list[str] = []
    sentence_spans: list[Span] = []
    token_spans: list[Span] = []
    length = 0
    previous_end: int | None = None
    for tokens, text in sentences:
        first = int(tokens[0][1]) if tokens else 0
        if parts:
            gap = first - previous_end if previous_end is not None else 1
            separator = " " if gap <= 1 else "\n"
            parts.append(separator)
            length += len(separator)
        sentence_spans.append((length, length + len(text)))
        for _, start, end in tokens:
            token_spans.append((length + int(start) - first, length + int(end) - first))
        parts.append(text)
        length += len(text)
        previous_end = int(tokens[-1][2]) if tokens else previous_end
    return "".join(parts), sentence_spans, token_spans


def published_of(doc_id: str, text: str) -> dt.date:
    match = _ID_DATE.search(doc_id)
    if match:
        try:
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            pass
    return estimate_published(text)[0]


def scored(event_type: str) -> bool:
    return event_type.startswith(SCORED_TYPES)


def load_split(split: str, limit: int | None = None) -> list[GoldDocument]:
    folder = dataset("wikievents")
    clusters: dict[str, list[str]] = {}
    coref_path = folder / "coref" / f"{split}.jsonlines"
    if coref_path.exists():
        with coref_path.open(encoding="utf-8") as handle:
            for line in handle:
                if line.strip():
                    for cluster in json.loads(line).get("clusters", []):
                        for member in cluster:
                            clusters[member] = cluster
    documents: list[GoldDocument] = []
    with (folder / f"{split}.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            if limit and len(documents) >= limit:
                break
            record = json.loads(line)
            text, sentence_spans, token_spans = rebuild_text(record["sentences"])

            def span_of(start: int, end: int, tokens: list[Span] = token_spans) -> Span:
                return tokens[start][0], tokens[end - 1][1]

            entities = {e["id"]: e for e in record["entity_mentions"]}
            events: list[GoldEvent] = []
            for mention in record["event_mentions"]:
                if not scored(mention["event_type"]):
                    continue
                trigger = mention["trigger"]
                event = GoldEvent(mention["id"], mention["event_type"], span_of(trigger["start"], trigger["end"]),
                                  sentence_spans[trigger["sent_idx"]])
                for argument in mention["arguments"]:
                    role_class = ROLE_CLASSES.get(argument["role"])
                    entity = entities.get(argument["entity_id"])
                    if role_class is None or entity is None:
                        continue
                    others = [entities[m] for m in clusters.get(entity["id"], []) if m in entities]
                    event.arguments.append(GoldArgument(
                        argument["role"], role_class, span_of(entity["start"], entity["end"]), argument["text"],
                        [span_of(o["start"], o["end"]) for o in others if o["id"] != entity["id"]]))
                events.append(event)
            documents.append(GoldDocument(record["doc_id"], text, published_of(record["doc_id"], text), events,
                                          len(record["event_mentions"])))
    return documents


# --- midan's events ------------------------------------------------------------------------------------------------


@dataclass
class Prediction:
    """What one midan event says, reduced to spans: its triggers and one span per role class it fills."""

    sub_event_type: str
    triggers: list[Span]
    arguments: dict[str, Span]


def prediction_of(event: Any) -> Prediction:
    spans = {e.field: (e.start, e.end) for e in reversed(event.evidence)}  # the lead mention's span wins
    arguments = {name: spans[key] for name, key in FIELDS.items() if key in spans}
    triggers = [(e.start, e.end) for e in event.evidence if e.field == "trigger"]
    return Prediction(event.sub_event_type, triggers, arguments)


def overlaps(a: Span, b: Span) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def aligned(prediction: Prediction, events: Sequence[GoldEvent]) -> list[int]:
    """Indices of the gold events whose trigger sentence holds one of the prediction's triggers."""
    return [i for i, event in enumerate(events) if any(overlaps(t, event.sentence) for t in prediction.triggers)]


# --- scoring -------------------------------------------------------------------------------------------------------

Matcher = Callable[[Span, GoldArgument], bool]


def head_matcher(head: Callable[[Span], int | None]) -> Matcher:
    """Right when the prediction's head is the gold mention's head."""
    def match(predicted: Span, gold: GoldArgument) -> bool:
        mine = head(predicted)
        return mine is not None and mine == head(gold.span)

    return match


def coref_matcher(head: Callable[[Span], int | None]) -> Matcher:
    """Right when the prediction's head is the head of the gold mention or of a mention coreferent with it."""
    def match(predicted: Span, gold: GoldArgument) -> bool:
        mine = head(predicted)
        return mine is not None and any(mine == head(span) for span in [gold.span, *gold.coref])

    return match


def overlap_matcher(predicted: Span, gold: GoldArgument) -> bool:
    return overlaps(predicted, gold.span)


@dataclass
class Tally:
    """Argument counts of one role class: predictions (and right ones), gold arguments (and found ones)."""

    predicted: int = 0
    predicted_right: int = 0
    gold: int = 0
    gold_found: int = 0
    gold_in_found_events: int = 0

    def add(self, other: Tally) -> None:
        self.predicted += other.predicted
        self.predicted_right += other.predicted_right
        self.gold += other.gold
        self.gold_found += other.gold_found
        self.gold_in_found_events += other.gold_in_found_events

    def scores(self, found_events_only: bool = False) -> tuple[float, float, float]:
        precision = self.predicted_right / self.predicted if self.predicted else 0.0
        gold = self.gold_in_found_events if found_events_only else self.gold
        recall = self.gold_found / gold if gold else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return precision, recall, f1


def score_document(events: Sequence[GoldEvent], predictions: Sequence[Prediction], match: Matcher
                   ) -> dict[str, Tally]:
    """Per role class counts for one document (see the module docstring for the rules)."""
    tallies = {name: Tally() for name in CLASSES}
    links = [aligned(p, events) for p in predictions]
    found_events = {i for link in links for i in link}
    for prediction, link in zip(predictions, links, strict=True):
        if not link:
            continue
        for name, span in prediction.arguments.items():
            tallies[name].predicted += 1
            tallies[name].predicted_right += any(match(span, argument) for i in link
                                                 for argument in events[i].arguments if argument.role_class == name)
    for index, event in enumerate(events):
        fillers = [(p, link) for p, link in zip(predictions, links, strict=True) if index in link]
        for argument in event.arguments:
            tally = tallies[argument.role_class]
            tally.gold += 1
            tally.gold_in_found_events += index in found_events
            tally.gold_found += any(argument.role_class in p.arguments and match(p.arguments[argument.role_class],
                                                                                   argument) for p, _ in fillers)
    return tallies


def head_finder(doc: Any) -> Callable[[Span], int | None]:
    """Span -> index of its syntactic root in ``doc`` (the span widened to whole tokens), cached."""
    cache: dict[Span, int | None] = {}

    def head(span: Span) -> int | None:
        if span not in cache:
            piece = doc.char_span(span[0], span[1], alignment_mode="expand")
            cache[span] = piece.root.i if piece is not None and len(piece) else None
        return cache[span]

    return head


def _no_head(span: Span) -> int | None:
    """The head finder of a document midan could not analyse: no span has a head."""
    return None


def totals(per_document: Iterable[dict[str, Tally]]) -> dict[str, Tally]:
    out = {name: Tally() for name in CLASSES}
    for tallies in per_document:
        for name, tally in tallies.items():
            out[name].add(tally)
    return out


def overall(tallies: dict[str, Tally]) -> Tally:
    total = Tally()
    for tally in tallies.values():
        total.add(tally)
    return total


def evaluate(documents: list[GoldDocument], pipeline: Any) -> dict[str, Any]:
    """Run midan on one split and score it every way."""
    from midan.schema import Article

    articles = [Article(id=d.id, text=d.text, published=d.published, origin=f"wikievents:{d.id}")
                for d in documents]
    analyses: dict[str, Any] = {}
    with Timer() as timer:
        for analysis in pipeline.pipe(articles):
            analyses[analysis.article.id] = analysis
    modes: dict[str, list[dict[str, Tally]]] = {"head": [], "coref": [], "overlap": []}
    found = gold_events = midan_events = midan_aligned = 0
    types_found: Counter[str] = Counter()
    types_gold: Counter[str] = Counter()
    pairs: Counter[str] = Counter()
    for document in documents:
        analysis = analyses.get(document.id)
        predictions = [prediction_of(e) for e in analysis.events] if analysis is not None else []
        head = head_finder(analysis.doc) if analysis is not None else _no_head
        modes["head"].append(score_document(document.events, predictions, head_matcher(head)))
        modes["coref"].append(score_document(document.events, predictions, coref_matcher(head)))
        modes["overlap"].append(score_document(document.events, predictions, overlap_matcher))
        links = [aligned(p, document.events) for p in predictions]
        hit = {i for link in links for i in link}
        found += len(hit)
        gold_events += len(document.events)
        midan_events += len(predictions)
        midan_aligned += sum(bool(link) for link in links)
        for index, event in enumerate(document.events):
            family = ".".join(event.type.split(".")[:2])
            types_gold[family] += 1
            types_found[family] += index in hit
        for prediction, link in zip(predictions, links, strict=True):
            for index in link:
                pairs[f"{'.'.join(document.events[index].type.split('.')[:2])} <- {prediction.sub_event_type}"] += 1
    result: dict[str, Any] = {"seconds": timer.seconds, "documents": len(documents),
                              "skipped_documents": len(documents) - len(analyses), "gold_events": gold_events,
                              "gold_events_found": found, "midan_events": midan_events,
                              "midan_events_aligned": midan_aligned,
                              "event_families": {k: [types_found[k], v] for k, v in types_gold.most_common()},
                              "aligned_types": dict(pairs.most_common(25))}
    for mode, per_document in modes.items():
        tallies = totals(per_document)
        rows: dict[str, Any] = {}
        for name, tally in [*tallies.items(), ("all", overall(tallies))]:
            p, r, f1 = tally.scores()
            _, r_found, f1_found = tally.scores(found_events_only=True)
            rows[name] = {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f1, 4),
                          "recall_found_events": round(r_found, 4), "f1_found_events": round(f1_found, 4),
                          "predicted": tally.predicted, "predicted_right": tally.predicted_right,
                          "gold": tally.gold, "gold_found": tally.gold_found,
                          "gold_in_found_events": tally.gold_in_found_events}
        result[mode] = rows
    return result


def run(limit: int | None = None) -> dict[str, Any]:
    from midan.pipeline import Pipeline

    splits = {split: load_split(split, limit) for split in SPLITS}
    with Timer() as loading:
        pipeline = Pipeline(min_confidence=0.0)  # the rules' records: a component figure, before the record
        # confidence threshold, which benchmarks/article_events.py measures on whole articles
    results = {split: evaluate(documents, pipeline) for split, documents in splits.items()}
    test, dev = results["test"], results["dev"]
    figures: dict[str, dict[str, Any]] = {
        "test_head_f1": figure("test argument head F1, 3 role classes (loose comparison)",
                               test["head"]["all"]["f1"], ANCHOR_HEAD_F1, gate=True),
        "test_head_precision": figure("test head precision", test["head"]["all"]["precision"]),
        "test_head_recall": figure("test head recall", test["head"]["all"]["recall"]),
    }
    for name in CLASSES:
        row = test["head"][name]
        figures[f"test_{name}_head_f1"] = figure(
            f"test {name} head F1 (P {row['precision']:.2f}, R {row['recall']:.2f}, gold {row['gold']})", row["f1"])
    figures["test_coref_f1"] = figure("test argument head F1 with coreference", test["coref"]["all"]["f1"])
    figures["test_overlap_f1"] = figure("test argument F1, any character overlap", test["overlap"]["all"]["f1"])
    figures["test_head_f1_found_events"] = figure("test head F1, recall over found gold events only",
                                                  test["head"]["all"]["f1_found_events"])
    figures["test_event_recall"] = figure(
        f"test scored gold events found (of {test['gold_events']})",
        test["gold_events_found"] / test["gold_events"] if test["gold_events"] else float("nan"))
    figures["test_events_aligned"] = figure(
        f"test midan events aligned to a scored gold event (of {test['midan_events']})",
        test["midan_events_aligned"] / test["midan_events"] if test["midan_events"] else float("nan"))
    figures["dev_head_f1"] = figure("dev argument head F1, 3 role classes", dev["head"]["all"]["f1"])
    figures["dev_coref_f1"] = figure("dev argument head F1 with coreference", dev["coref"]["all"]["f1"])
    n = sum(r["documents"] for r in results.values())
    seconds = sum(r["seconds"] for r in results.values())
    figures["articles_per_second"] = figure("articles/s (pipeline loaded)", per_second(n, seconds), digits=2)
    figures["pipeline_load_seconds"] = figure("pipeline load s (excluded)", loading.seconds, digits=2)
    return {
        "benchmark": "wikievents",
        "dataset": "wikievents/test.jsonl (+ dev.jsonl)",
        "command": COMMAND,
        "n": n,
        "figures": figures,
        "notes": [
            "scored gold events: Conflict.Attack, Conflict.Demonstrate, Life.Die, Life.Injure, "
            "Justice.ArrestJailDetain; classes attacker=actor1, victim=actor2 (Target/Victim/Detainee), "
            "place=location",
            "a midan event aligns with the scored gold events of the sentences holding its triggers; precision over "
            "aligned midan events' arguments, recall over all gold arguments of scored events",
            "head = spaCy syntactic root of the span in midan's parse of the document, gold and predicted alike",
            "anchor: BART-Gen argument classification head F1 (test), given gold triggers, all roles and types; "
            "the comparison is loose",
            "documents the pipeline skipped on an error (scored as having no event): "
            + ", ".join(f"{split} {r['skipped_documents']}" for split, r in results.items()),
        ],
        "details": results,
    }


def print_result(result: dict[str, Any]) -> None:
    _common.report_result(result)
    for split, data in result["details"].items():
        print(f"{split}: {data['gold_events_found']}/{data['gold_events']} scored gold events found; "
              f"{data['midan_events_aligned']}/{data['midan_events']} midan events aligned")
        for name, row in data["head"].items():
            print(f"  head {name:8} P {row['precision']:.3f}  R {row['recall']:.3f}  F1 {row['f1']:.3f}  "
                  f"pred {row['predicted']:3}  gold {row['gold']:3}  (R over found events "
                  f"{row['recall_found_events']:.3f})")


if __name__ == "__main__":
    sys.exit(_common.main(run, print_result, __doc__))
