"""Event location on Halterman's gold sentences (event-location/gold_RELABEL_496.jsonl).

For each sentence the event word is given (the VERB span); midan picks the event's place among the sentence's
place names with ``geo.event_places`` -- the first step of ``geo.event_location``, which chooses the span (any
place-like name, known to the gazetteer or not, countries included) before the pipeline codes it. The gold marks
where the event happened in the sentence, whatever kind of place it is, so the choice is scored, not the coding
(a country chosen here is scored as chosen, though the pipeline then looks for a town in it). Token-level
precision, recall and F1 of the predicted location tokens against the gold LOCATION tokens, micro over all 496
sentences (a location predicted for one of the 160 sentences without one is a false positive), also over the
even and odd rows separately (rules were developed looking at the even rows), and exact-span accuracy including
"no location". ``pipeline_token_f1`` scores the toponym ``geo.event_location`` itself codes (known places only,
no country-only events). Anchor: the paper's neural model, token precision and recall above 0.83.

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
    counts = {part: [0, 0, 0] for part in ("all", "even", "odd", "pipeline")}  # true positives, predicted, gold
    exact = no_location = skipped = 0
    for index, (row, doc) in enumerate(zip(rows, docs, strict=True)):
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
        coded: set[int] = set()
        if trigger_span is not None:
            toponyms = geo.geoparse(doc, gazetteer)
            for place in geo.event_places(trigger_span.root, toponyms):
                predicted |= _tokens(row, place.start, place.end)
            location = geo.event_location(trigger_span.root, toponyms, gazetteer)
            if location is not None and location.toponym is not None:
                coded = _tokens(row, location.toponym.start, location.toponym.end)
        for part, found in (("all", predicted), ("even" if index % 2 == 0 else "odd", predicted),
                            ("pipeline", coded)):
            counts[part][0] += len(found & gold_tokens)
            counts[part][1] += len(found)
            counts[part][2] += len(gold_tokens)
        exact += predicted == gold_tokens
    p, r, f = prf(*counts["all"])
    halves = {f"token_f1_{part}": round(prf(*counts[part])[2], 4) for part in ("even", "odd")}
    return {"sentences": len(rows) - skipped, "skipped_without_event_word": skipped,
            "no_location_sentences": no_location, "token_precision": round(p, 4),
            "token_recall": round(r, 4), "token_f1": round(f, 4), **halves,
            "pipeline_token_f1": round(prf(*counts["pipeline"])[2], 4),
            "exact_span_accuracy": round(exact / (len(rows) - skipped), 4)}


def _tokens(row: dict[str, Any], start: int, end: int) -> set[int]:
    """The gold tokenisation's tokens a character span overlaps."""
    return {t["id"] for t in row["tokens"] if t["start"] < end and start < t["end"]}


def show(f: dict[str, Any]) -> None:
    report(f"Event location, {f['sentences']} gold sentences ({f['no_location_sentences']} without a location)", [
        ("token precision", f["token_precision"], "> 0.83 (paper's model)"),
        ("token recall", f["token_recall"], "> 0.83 (paper's model)"),
        ("token F1", f["token_f1"], "-"),
        ("token F1, even rows (developed on)", f["token_f1_even"], "-"),
        ("token F1, odd rows (held out)", f["token_f1_odd"], "-"),
        ("token F1 of the place the pipeline codes", f["pipeline_token_f1"], "-"),
        ("exact span accuracy (incl. none)", f["exact_span_accuracy"], "-"),
    ])


if __name__ == "__main__":
    main(run, show, __doc__)
