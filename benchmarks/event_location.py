"""Event location on Halterman's gold sentences (event-location/gold_RELABEL_496.jsonl).

For each sentence the event word is given (the VERB span); midan picks the event's place among the sentence's
toponyms. Token-level precision, recall and F1 of the predicted location tokens against the gold LOCATION
tokens, micro over all 496 sentences (a location predicted for one of the 160 sentences without one is a false
positive), and exact-span accuracy including "no location". Anchor: the paper's neural model, token precision and
recall above 0.83.

    python -m benchmarks.event_location [--json PATH] [--limit N]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

if not __package__:  # run as a script: python benchmarks/event_location.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks._common import DATASETS, main, prf, report


def run(limit: int | None = None) -> dict[str, Any]:
    from midan import geo, nlp
    from midan.gazetteer import Gazetteer

    rows = [json.loads(line) for line in (DATASETS / "event-location" / "gold_RELABEL_496.jsonl").open(
        encoding="utf-8") if line.strip()]
    if limit:
        rows = rows[:limit]
    gazetteer = Gazetteer()
    docs = nlp.parse(r["text"] for r in rows)
    tp = n_pred = n_gold = exact = no_location = 0
    skipped = 0
    for row, doc in zip(rows, docs, strict=True):
        spans = row.get("spans") or []
        verb = next((s for s in spans if s["label"] == "VERB"), None)
        if verb is None:
            skipped += 1  # no event word marked: nothing to locate
            continue
        gold_tokens = {i for s in spans if s["label"] == "LOCATION"
                       for i in range(s["token_start"], s["token_end"] + 1)}
        no_location += not gold_tokens
        trigger_span = doc.char_span(verb["start"], verb["end"], alignment_mode="expand")
        predicted: set[int] = set()
        if trigger_span is not None:
            location = geo.event_location(trigger_span.root, geo.geoparse(doc, gazetteer), gazetteer)
            if location is not None and location.toponym is not None:
                start, end = location.toponym.start, location.toponym.end
                predicted = {t["id"] for t in row["tokens"] if t["start"] < end and start < t["end"]}
        tp += len(predicted & gold_tokens)
        n_pred += len(predicted)
        n_gold += len(gold_tokens)
        exact += predicted == gold_tokens
    p, r, f = prf(tp, n_pred, n_gold)
    return {"sentences": len(rows) - skipped, "skipped_without_event_word": skipped,
            "no_location_sentences": no_location, "token_precision": round(p, 4),
            "token_recall": round(r, 4), "token_f1": round(f, 4),
            "exact_span_accuracy": round(exact / (len(rows) - skipped), 4)}


def show(f: dict[str, Any]) -> None:
    report(f"Event location, {f['sentences']} gold sentences ({f['no_location_sentences']} without a location)", [
        ("token precision", f["token_precision"], "> 0.83 (paper's model)"),
        ("token recall", f["token_recall"], "> 0.83 (paper's model)"),
        ("token F1", f["token_f1"], "-"),
        ("exact span accuracy (incl. none)", f["exact_span_accuracy"], "-"),
    ])


if __name__ == "__main__":
    main(run, show, __doc__)
