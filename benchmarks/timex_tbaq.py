"""Time expressions on TBAQ (TimeBank + AQUAINT, TempEval-3 training data, 256 documents).

TempEval-3 scoring: a predicted expression matches a gold one when they overlap (relaxed match); value F1 is
relaxed F1 times the accuracy of the normalised value on matched expressions. Anchors (TempEval-3 test set, same
guidelines): HeidelTime value F1 0.776, SUTime 0.674.

    python -m benchmarks.timex_tbaq [--json PATH] [--limit N]
"""

from __future__ import annotations

import datetime as dt
import re
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

if not __package__:  # run as a script: python benchmarks/timex_tbaq.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks._common import DATASETS, main, report

_TAG = re.compile(r"<(/?)([A-Z0-9]+)([^>]*)>")
_ATTR = re.compile(r'(\w+)="([^"]*)"')


def parse_tml(path: Path) -> tuple[str, dt.date | None, list[tuple[int, int, str, str]]]:
    """The TEXT of a TimeML file, its creation date and its gold TIMEX3 spans ``(start, end, type, value)``."""
    raw = path.read_text(encoding="utf-8")
    dct_match = re.search(r'<TIMEX3[^>]*functionInDocument="CREATION_TIME"[^>]*>', raw)
    dct = None
    if dct_match:
        value = dict(_ATTR.findall(dct_match.group(0))).get("value", "")
        try:
            dct = dt.date.fromisoformat(value[:10])
        except ValueError:
            dct = None
    body = raw[raw.index("<TEXT>") + len("<TEXT>"):raw.index("</TEXT>")]
    text_parts: list[str] = []
    gold: list[tuple[int, int, str, str]] = []
    pos = 0
    length = 0
    open_timex: tuple[int, dict[str, str]] | None = None
    for match in _TAG.finditer(body):
        chunk = body[pos:match.start()]
        text_parts.append(chunk)
        length += len(chunk)
        closing, name, attrs = match.groups()
        if name == "TIMEX3":
            if not closing:
                open_timex = (length, dict(_ATTR.findall(attrs)))
            elif open_timex is not None:
                start, a = open_timex
                gold.append((start, length, a.get("type", ""), a.get("value", "")))
                open_timex = None
        pos = match.end()
    text_parts.append(body[pos:])
    return "".join(text_parts), dct, gold


def run(limit: int | None = None) -> dict[str, Any]:
    from midan import nlp, timex

    folder = DATASETS / "temporal" / "tempeval3" / "TBAQ-cleaned"
    files = sorted(folder.rglob("*.tml"))
    if limit:
        files = files[:limit]
    documents = [parse_tml(p) for p in files]
    docs = list(nlp.parse(text for text, _, _ in documents))
    sentences = sum(len(list(doc.sents)) for doc in docs)
    started = time.monotonic()
    predictions = [timex.tag(text, dct, doc) for (text, dct, _), doc in zip(documents, docs, strict=True)]
    seconds = time.monotonic() - started
    n_gold = n_pred = matched_gold = matched_pred = value_ok = type_ok = 0
    per_type: Counter[str] = Counter()
    per_type_ok: Counter[str] = Counter()
    per_type_found: Counter[str] = Counter()
    for (_, _, gold), predicted in zip(documents, predictions, strict=True):
        n_gold += len(gold)
        n_pred += len(predicted)
        for p in predicted:
            matched_pred += any(p.start < e and s < p.end for s, e, _, _ in gold)
        for s, e, kind, value in gold:
            per_type[kind] += 1
            match = next((p for p in predicted if p.start < e and s < p.end), None)
            if match is None:
                continue
            matched_gold += 1
            per_type_found[kind] += 1
            value_ok += match.value == value
            type_ok += match.type == kind
            per_type_ok[kind] += match.value == value
    precision = matched_pred / n_pred if n_pred else 0.0
    recall = matched_gold / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    value_accuracy = value_ok / matched_gold if matched_gold else 0.0
    return {
        "documents": len(files), "gold_timexes": n_gold, "predicted_timexes": n_pred,
        "relaxed_precision": round(precision, 4), "relaxed_recall": round(recall, 4), "relaxed_f1": round(f1, 4),
        "value_accuracy": round(value_accuracy, 4), "value_f1": round(f1 * value_accuracy, 4),
        "type_accuracy": round(type_ok / matched_gold, 4) if matched_gold else 0.0,
        "per_type": {k: {"gold": per_type[k], "found": per_type_found[k], "value_ok": per_type_ok[k]}
                     for k in sorted(per_type)},
        "sentences_per_second": round(sentences / seconds, 1) if seconds else 0.0,
    }


def show(f: dict[str, Any]) -> None:
    report(f"TBAQ, {f['documents']} documents, {f['gold_timexes']} TIMEX3", [
        ("value F1", f["value_f1"], "0.776 HeidelTime / 0.674 SUTime (TE-3 test)"),
        ("relaxed F1", f["relaxed_f1"], "-"),
        ("relaxed precision / recall", f"{f['relaxed_precision']:.3f} / {f['relaxed_recall']:.3f}", "-"),
        ("value accuracy on matched", f["value_accuracy"], "-"),
        ("type accuracy on matched", f["type_accuracy"], "-"),
        ("tagger sentences/s", f["sentences_per_second"], "-"),
    ])
    for kind, row in f["per_type"].items():
        print(f"  {kind:9} gold {row['gold']:5}  found {row['found']:5}  value right {row['value_ok']:5}")


if __name__ == "__main__":
    main(run, show, __doc__)
