"""Whole-article event coding on real news (article-events/dev.jsonl), scored by ../shared/tools/score_events.py.

Every article of the dev set (50 HRDsAttack and 40 FA-KES reports, each coded event by event under CODEBOOK.md) goes
through the whole ``extract`` pipeline with its shipped defaults; the records are scored by the shared scorer
(imported, not re-implemented): a record matches a gold event when its point lies within 25/50/100 km (geo
precision 1/2/3), its day inside the gold window ±1 day and its event type is accepted. Reported: core and strict
precision / recall / F1, the per-article mean core F1, field accuracies over matched pairs, spurious records (and the
articles with more than two), and a reliability table of the records' confidence: among every record the pipeline
makes before its confidence threshold (``--min-confidence 0``), the share with confidence >= c that matches a gold
event (required or optional), for c = 0.5 ... 0.9.

    python benchmarks/article_events.py [--json PATH] [--limit N] [--by-article]
    python benchmarks/article_events.py --annotated   # the 400 articles coded for midan, record model cross-validated
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import sys
import time
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

if not __package__:  # run as a script: python benchmarks/article_events.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks._common import DatasetMissing, dataset, datasets_path, figure, report, write_json

GOLD = ("article-events", "dev.jsonl")
RELIABILITY_LEVELS = (0.5, 0.6, 0.7, 0.8, 0.9)


def scorer() -> ModuleType:
    """The shared scorer, ``../shared/tools/score_events.py``, imported from where it lies."""
    path = datasets_path().parent / "tools" / "score_events.py"
    if not path.exists():
        raise DatasetMissing(f"{path} not found")
    spec = importlib.util.spec_from_file_location("score_events", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_gold(limit: int | None = None, path: Path | None = None) -> list[dict[str, Any]]:
    path = path or dataset(*GOLD)
    rows = [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]
    return rows[:limit] if limit else rows


def code(gold: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], float]:
    """Every record the pipeline makes for the gold articles (before the confidence threshold), and seconds."""
    from midan.pipeline import Pipeline
    from midan.schema import Article

    articles = [Article(id=a["id"], text=a["text"], title=a.get("title", ""), source=a.get("source", ""),
                        published=dt.date.fromisoformat(a["published"]) if a.get("published") else None)
                for a in gold]
    pipeline = Pipeline(min_confidence=0.0)
    started = time.monotonic()
    records = [event.to_dict() for analysis in pipeline.pipe(articles) for event in analysis.events]
    return records, time.monotonic() - started


def reliability(score_events: ModuleType, gold: list[dict[str, Any]],
                records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """For each level c: how many records have confidence >= c and the share of them that match a gold event."""
    by_article: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        by_article.setdefault(record["article_ids"][0], []).append(record)
    matched: list[tuple[float, bool]] = []
    for article in gold:
        found = by_article.get(article["id"], [])
        result = score_events.score_article(article.get("events", []), found)
        spurious = {id(r) for r in result["spurious_records"]}
        matched += [(float(r.get("confidence") or 0.0), id(r) not in spurious) for r in found]
    rows = []
    for level in RELIABILITY_LEVELS:
        kept = [ok for confidence, ok in matched if confidence >= level]
        rows.append({"confidence": level, "records": len(kept),
                     "matched_share": round(sum(kept) / len(kept), 3) if kept else None})
    return rows


def run(limit: int | None = None, gold_path: Path | None = None) -> dict[str, Any]:
    from midan.pipeline import DEFAULT_MIN_CONFIDENCE

    score_events = scorer()
    gold = load_gold(limit, gold_path)
    every, seconds = code(gold)
    records = [r for r in every if r["confidence"] >= DEFAULT_MIN_CONFIDENCE]
    summary, per = score_events.score(gold, records)
    spurious = {aid: result["spurious"] for aid, result in per.items()}
    table = reliability(score_events, gold, every)
    worst_gap = min((row["matched_share"] - (row["confidence"] - 0.1) for row in table
                     if row["matched_share"] is not None), default=None)
    sources = Counter(a["id"].split("-")[0] for a in gold)
    figures = {
        "core_f1": figure("core F1 (place + day + type)", summary["core_f1"], 0.75, gate=True),
        "core_precision": figure("core precision", summary["core_precision"], gate=True),
        "core_recall": figure("core recall", summary["core_recall"], gate=True),
        "strict_f1": figure("strict F1 (also sub-event type, inter1, inter2, fatalities)", summary["strict_f1"],
                            0.50, gate=True),
        "core_f1_macro": figure("per-article mean core F1", summary["core_f1_macro"], 0.75, gate=True),
        "records": figure("records written", summary["records"], digits=0),
        "spurious": figure("spurious records", summary["spurious"], digits=0),
        "articles_over_2_spurious": figure("articles with more than 2 spurious records",
                                           sum(1 for n in spurious.values() if n > 2), 0, digits=0),
        "max_spurious": figure("most spurious records in one article", max(spurious.values(), default=0), 2,
                               digits=0),
        "articles_all_right": figure("articles with nothing missed or spurious", summary["articles_all_right"],
                                     digits=0),
        "reliability_worst_gap": figure("reliability: worst (matched share - (c - 0.1)) over c = 0.5 ... 0.9",
                                        worst_gap, 0.0),
        "articles_per_second": figure("articles/s (whole pipeline, after loading)",
                                      len(gold) / seconds if seconds else None),
    }
    for name, value in summary["field_accuracy"].items():
        figures[f"field_{name}"] = figure(f"field accuracy on matched pairs: {name}", value)
    by_article = {aid: {"missed": [_gold_line(g) for g in result["missed"]],
                        "spurious": [_record_line(r) for r in result["spurious_records"]]}
                  for aid, result in per.items() if result["missed"] or result["spurious_records"]}
    return {"benchmark": "article_events", "dataset": "/".join(GOLD),
            "command": "python benchmarks/article_events.py",
            "figures": figures,
            "notes": [f"{len(gold)} articles ({', '.join(f'{n} {s}' for s, n in sorted(sources.items()))}), "
                      f"{summary['required']} required gold events; {summary['records']} records, "
                      f"{summary['matched_optional']} on optional events; confidence threshold "
                      f"{DEFAULT_MIN_CONFIDENCE}"],
            "details": {"summary": {k: v for k, v in summary.items() if k != "field_accuracy"},
                        "reliability": table, "by_article": by_article}}


def _gold_line(event: dict[str, Any]) -> str:
    return (f"{event.get('event_type')} / {event.get('sub_event_type')} at {event.get('location')} "
            f"{event.get('date')}: {str(event.get('evidence', ''))[:100]}")


def _record_line(record: dict[str, Any]) -> str:
    return (f"{record.get('event_type')} / {record.get('sub_event_type')} at {record.get('location')} "
            f"{record.get('event_date')} (confidence {record.get('confidence')})")


def show(result: dict[str, Any], by_article: bool = False) -> None:
    f = result["figures"]
    report("Whole-article event coding, article-events dev (goal: core F1 0.75, strict 0.50)",
           [(item["label"], item["value"], item["anchor"]) for item in f.values()])
    for note in result["notes"]:
        print(f"  note: {note}")
    print("  reliability (records before the threshold): " + "; ".join(
        f">= {row['confidence']}: {row['records']} records, {row['matched_share']} match" for row in
        result["details"]["reliability"]))
    if by_article:
        for aid, found in result["details"]["by_article"].items():
            print(f"\n{aid}")
            for line in found["missed"]:
                print(f"  missed   {line}")
            for line in found["spurious"]:
                print(f"  spurious {line}")


def run_annotated(limit: int | None = None, folds: int = 5) -> dict[str, Any]:
    """The same figures on the 400 articles coded for midan (``training/article-events``), which the record
    confidence model is fitted on: each article's records are scored by a model fitted on the other folds (split
    by article), so the figure is held out for the model (the rules were written looking at these articles too)."""
    import numpy as np
    from sklearn.model_selection import GroupKFold

    from midan import confidence
    from midan.pipeline import DEFAULT_MIN_CONFIDENCE, Pipeline
    from midan.training_records import C, annotated, to_articles

    score_events = scorer()
    gold = annotated(datasets_path().parent)[:limit] if limit else annotated(datasets_path().parent)
    by_id = {a["id"]: a for a in gold}
    records, rows, labels, groups = [], [], [], []
    pipeline = Pipeline(min_confidence=0.0, record_model=None)
    for analysis in pipeline.pipe(to_articles(gold)):
        found = [event.to_dict() for event, _ in analysis.candidates]
        result = score_events.score_article(by_id[analysis.article.id].get("events", []), found)
        spurious = {id(r) for r in result["spurious_records"]}
        for record, (_, features) in zip(found, analysis.candidates, strict=True):
            records.append(record)
            rows.append(confidence.vector(features))
            labels.append(0 if id(record) in spurious else 1)
            groups.append(analysis.article.id)
    x, y = np.vstack(rows), np.array(labels)
    for train, test in GroupKFold(n_splits=folds).split(x, y, groups):
        for i, p in zip(test, confidence.fit(x[train], y[train], c=C).probabilities(x[test]), strict=True):
            records[i]["confidence"] = round(float(p), 3)
    kept = [r for r in records if r["confidence"] >= DEFAULT_MIN_CONFIDENCE]
    summary, _ = score_events.score(gold, kept)
    table = reliability(score_events, gold, records)
    # the threshold a user would choose on 400 articles the model did not see: core F1 by threshold
    sweep = []
    for threshold in THRESHOLDS:
        found, per_article = score_events.score(gold, [r for r in records if r["confidence"] >= threshold])
        sweep.append({"threshold": threshold, "records": found["records"], "core_precision": found["core_precision"],
                      "core_recall": found["core_recall"], "core_f1": found["core_f1"],
                      "most_spurious": max((a["spurious"] for a in per_article.values()), default=0)})
    return {"benchmark": "article_events (annotated, record model cross-validated)",
            "dataset": "training/article-events/annotations.jsonl",
            "command": "python benchmarks/article_events.py --annotated",
            "figures": {
                "core_f1": figure("core F1", summary["core_f1"]),
                "core_precision": figure("core precision", summary["core_precision"]),
                "core_recall": figure("core recall", summary["core_recall"]),
                "strict_f1": figure("strict F1", summary["strict_f1"]),
                "core_f1_macro": figure("per-article mean core F1", summary["core_f1_macro"]),
                "records": figure("records written", summary["records"], digits=0),
                "spurious": figure("spurious records", summary["spurious"], digits=0)},
            "notes": [f"{len(gold)} articles, {summary['required']} required gold events; record model fitted on "
                      f"{folds} folds by article"],
            "details": {"reliability": table, "by_threshold": sweep}}


#: the thresholds --annotated scores the cross-validated records at
THRESHOLDS = (0.25, 0.3, 0.35, 0.4, 0.45, 0.5)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").strip().splitlines()[0])
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON to PATH")
    parser.add_argument("--limit", type=int, default=None, metavar="N", help="only the first N articles")
    parser.add_argument("--by-article", action="store_true", help="print each article's misses and spurious records")
    parser.add_argument("--annotated", action="store_true",
                        help="score the articles coded for midan instead, the record model cross-validated")
    args = parser.parse_args(argv)
    started = time.monotonic()
    try:
        if args.annotated:
            result = run_annotated(limit=args.limit)
            result["seconds"] = round(time.monotonic() - started, 1)
            report(result["benchmark"], [(f["label"], f["value"], f["anchor"]) for f in result["figures"].values()])
            table = result["details"]["reliability"]
            print("  reliability: " + "; ".join(f">= {row['confidence']}: {row['records']} records, "
                                                f"{row['matched_share']} match" for row in table))
            print("  by threshold: " + "; ".join(
                f">= {row['threshold']}: {row['records']} records, P {row['core_precision']:.3f} "
                f"R {row['core_recall']:.3f} F1 {row['core_f1']:.3f}, most spurious in one article "
                f"{row['most_spurious']}" for row in result["details"]["by_threshold"]))
            if args.json:
                write_json(args.json, result)
            return 0
        result = run(limit=args.limit)
    except DatasetMissing as exc:
        print(f"skipped: {exc}")
        if args.json:
            write_json(args.json, {"skipped": str(exc)})
        return 0
    result["seconds"] = round(time.monotonic() - started, 1)
    show(result, by_article=args.by_article)
    if args.json:
        write_json(args.json, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
