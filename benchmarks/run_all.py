"""Run every benchmark and collect the figures: ``benchmarks/results/latest.json`` and ``latest.md``.

Each ``benchmarks/<name>.py`` (not starting with ``_``) runs in its own process as
``python -m benchmarks.<name> --json PATH``; its figures go into ``results/latest.json`` and a Markdown table
``benchmark | figure | midan | published anchor | command`` into ``results/latest.md`` (for the README).

    python benchmarks/run_all.py                    # everything (make bench)
    python benchmarks/run_all.py --only case2021_classify,hrds_attack   # refresh these rows only
    python benchmarks/run_all.py --skip speed --limit 20                # a quick smoke run (writes nothing)
    python benchmarks/run_all.py --update-baseline  # re-run the gated benchmarks, rewrite baseline.json
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

if not __package__:  # run as a script: python benchmarks/run_all.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks._common import (
    BASELINE,
    BENCHMARKS,
    GATE,
    GATE_MAX_SECONDS,
    GATE_TOLERANCE,
    RESULTS,
    ROOT,
    DatasetMissing,
    Timer,
    figures_of,
    fmt,
    machine,
    write_json,
)

NOT_BENCHMARKS = {"run_all", "__init__"}
#: what ``make bench`` passes a benchmark whose own default (the whole data) would not fit the timeout
ARGUMENTS: dict[str, list[str]] = {"corpus": ["--limit", "400"]}

#: the figures of a benchmark that go into the Markdown table (dotted names into nested results), with the
#: published anchor when its results carry none (None: the figure's own anchor); a benchmark not listed here shows
#: every figure, and ``latest.json`` always keeps them all
HEADLINES: dict[str, dict[str, str | None]] = {
    "article_events": {
        "core_f1": ">= 0.75 (goal)",
        "core_precision": None,
        "core_recall": None,
        "strict_f1": ">= 0.50 (goal)",
        "core_f1_macro": ">= 0.75 (goal)",
        "records": None,
        "spurious": None,
        "articles_over_2_spurious": "0 (goal)",
        "reliability_worst_gap": ">= 0 (goal)",
        "field_sub_event_type": None,
        "field_event_date": None,
        "field_fatalities": None,
        "field_inter1": None,
        "field_inter2": None,
        "articles_per_second": None,
    },
    "negatives": {
        "glocon_protest_riot_per_100": "<= 2 (goal)",
        "glocon_records_per_100": None,
        "lgl_records_per_100": "<= 5 (goal)",
    },
    "timex_tbaq": {
        "value_f1": "0.776 HeidelTime / 0.674 SUTime (TE-3 test)",
        "relaxed_f1": None,
        "value_accuracy": None,
        "type_accuracy": None,
        "sentences_per_second": None,
    },
    "timex_meantime": {
        "accuracy": "≥ 0.80 (goal)",
        "accuracy_dependency": None,
        "accuracy_sentence": None,
        "accuracy_previous_sentence": None,
        "accuracy_paragraph": None,
        "accuracy_lead": None,
        "accuracy_publication_date": None,
        "mention_accuracy": None,
        "instances": None,
    },
    "geo_lgl_gwn": {
        "LGL.test.acc161": "0.827 Mordecai 3 / 0.76 CamCoder (goal >= 0.90)",
        "LGL.test.exact_id": "0.794 Mordecai 3",
        "LGL.test.mean_error_km": None,
        "LGL.test.candidate_recall": None,
        "LGL.test.toponym_recall": None,
        "LGL.test.end_to_end_acc161": None,
        "GeoWebNews.test.acc161": "0.941 Mordecai 3 (goal >= 0.95)",
        "GeoWebNews.test.exact_id": "0.901 Mordecai 3",
        "GeoWebNews.test.mean_error_km": None,
        "GeoWebNews.test.candidate_recall": None,
        "GeoWebNews.test.toponym_recall": None,
        "GeoWebNews.test.end_to_end_acc161": None,
        "LGL.toponyms_per_second": ">= 5,000 (goal)",
        "LGL.toponyms_per_second_warm": None,
        "GeoWebNews.toponyms_per_second": ">= 5,000 (goal)",
        "GeoWebNews.toponyms_per_second_warm": None,
        "gazetteer_mb": "<= 150 (goal)",
    },
    "event_location": {
        "token_precision": "> 0.83 (paper's neural model)",
        "token_recall": "> 0.83 (paper's neural model)",
        "token_f1": ">= 0.88 (goal)",
        "token_f1_odd": None,
        "pipeline_token_f1": None,
        "exact_span_accuracy": None,
    },
    "india_police": {
        "doc_kill_f1": None,
        "doc_arrest_f1": None,
        "doc_force_f1": None,
        "doc_any_action_f1": None,
        "sentence_kill_f1": None,
        "sentence_arrest_f1": None,
        "sentence_force_f1": None,
        "sentence_any_action_f1": None,
        "articles_per_second": None,
    },
    "glocon": {
        "doc_f1": None,
        "doc_precision": None,
        "doc_recall": None,
        "sentence_f1": None,
        "sentence_precision": None,
        "sentence_recall": None,
        "sentence_f1_classify": None,
        "doc_f1_contentious": None,
        "articles_per_second": None,
        "sentences_per_second_classify": None,
    },
    "corpus": {
        "single_articles_per_second": None,
        "dask1_articles_per_second": None,
        "dask2_articles_per_second": None,
        "speedup_2_over_1_workers": ">= 1.7 (goal)",
        "records_identical": "True (required)",
        "differing_record_count": "0 (required)",
        "single_peak_rss_mb": None,
        "dask2_peak_rss_mb": None,
        "million_hours": None,
        "million_cost_usd": None,
    },
    "wikievents": {
        "test_head_f1": "0.646 BART-Gen (gold triggers, all roles; loose)",
        "test_attacker_head_f1": None,
        "test_victim_head_f1": None,
        "test_place_head_f1": None,
        "test_coref_f1": None,
        "test_event_recall": None,
        "dev_head_f1": None,
    },
}


def discover() -> list[str]:
    return sorted(p.stem for p in BENCHMARKS.glob("*.py") if not p.stem.startswith("_") and p.stem not in
                  NOT_BENCHMARKS)


def run_one(name: str, limit: int | None, timeout: float) -> dict[str, Any]:
    """Run one benchmark in its own process; its result, or ``{"error": ...}`` / ``{"skipped": ...}``."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / f"{name}.json"
        command = [sys.executable, "-m", f"benchmarks.{name}", "--json", str(out)]
        if limit:
            command += ["--limit", str(limit)]
        else:
            command += ARGUMENTS.get(name, [])
        print(f"\n=== {name}: {' '.join(command[1:])}", flush=True)
        with Timer() as timer:
            try:
                done = subprocess.run(command, cwd=ROOT, timeout=timeout, check=False)
            except subprocess.TimeoutExpired:
                return {"error": f"timed out after {timeout:.0f} s"}
        if done.returncode != 0:
            return {"error": f"exit status {done.returncode}"}
        if not out.exists():
            return {"error": "wrote no JSON"}
        result = json.loads(out.read_text(encoding="utf-8"))
    if isinstance(result, dict):
        result.setdefault("wall_seconds", round(timer.seconds, 1))
        return result
    return {"error": "the JSON is not an object"}


def command_of(name: str, result: Mapping[str, Any]) -> str:
    command = result.get("command")
    return str(command) if command else f"python -m benchmarks.{name}"


def rows_of(name: str, result: Mapping[str, Any]) -> list[tuple[str, str, str, str, str]]:
    """Markdown rows ``benchmark | figure | midan | anchor | command`` of one result."""
    command = f"`{command_of(name, result)}`"
    if "skipped" in result or "error" in result:
        state = f"skipped: {result['skipped']}" if "skipped" in result else f"error: {result['error']}"
        return [(name, state, "—", "—", command)]
    figures = figures_of(result)
    wanted = HEADLINES.get(name)
    if wanted and any(k in figures for k in wanted):
        chosen = [(k, figures[k], figures[k].get("anchor") if anchor is None else anchor)
                  for k, anchor in wanted.items() if k in figures]
    else:
        chosen = [(k, f, f.get("anchor")) for k, f in figures.items()]
    return [(name, str(f.get("label") or k), fmt(f.get("value")), fmt(anchor), command)
            for k, f, anchor in chosen]


def markdown(results: Mapping[str, Any], generated: str, box: Mapping[str, Any]) -> str:
    lines = [
        f"Benchmarks measured {generated} on {box.get('cpu')} ({box.get('cores')} cores), Python "
        f"{box.get('python')}. Published anchors are the best published figure on the same data (often on a "
        "different split; see each benchmark's notes). Regenerate with `make bench`.",
        "",
        "| benchmark | figure | midan | published anchor | command |",
        "|---|---|---:|---:|---|",
    ]
    for name, result in results.items():
        for row in rows_of(name, result):
            lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |")
    return "\n".join(lines) + "\n"


def update_baseline() -> int:
    """Re-run each gated benchmark in this process and rewrite ``baseline.json`` with its gated figures."""
    benchmarks: dict[str, Any] = {}
    for name, kwargs in GATE.items():
        if not (BENCHMARKS / f"{name}.py").exists():
            print(f"{name}: no benchmarks/{name}.py; not gated")
            continue
        try:
            module = importlib.import_module(f"benchmarks.{name}")
            with Timer() as timer:
                result = module.run(**kwargs)
        except DatasetMissing as exc:
            print(f"{name}: skipped ({exc}); baseline not updated")
            return 1
        except Exception as exc:  # a broken benchmark is reported and left out, not fatal to the others
            print(f"{name}: failed ({type(exc).__name__}: {exc}); not gated")
            continue
        gated = {k: f["value"] for k, f in figures_of(result).items()
                 if f["gate"] and isinstance(f["value"], int | float)}
        print(f"{name}: {len(gated)} gated figures in {timer.seconds:.1f} s")
        if timer.seconds > GATE_MAX_SECONDS:
            print(f"{name}: slower than {GATE_MAX_SECONDS:.0f} s; left out of the gate")
            continue
        if gated:
            benchmarks[name] = {"kwargs": kwargs, "seconds": round(timer.seconds, 1), "figures": gated}
    data = {
        "about": "accuracy gate of tests/test_accuracy_gate.py: a figure may not drop by more than the "
                 "tolerance; regenerate with `python benchmarks/run_all.py --update-baseline`",
        "tolerance": GATE_TOLERANCE,
        "generated": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "benchmarks": benchmarks,
    }
    write_json(BASELINE, data)
    print(f"wrote {BASELINE.relative_to(ROOT)}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="comma-separated benchmark names (their rows are refreshed, others kept)")
    parser.add_argument("--skip", default="", help="comma-separated benchmark names to leave out")
    parser.add_argument("--limit", type=int, help="pass --limit N to every benchmark (a smoke run; writes nothing)")
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds allowed per benchmark")
    parser.add_argument("--update-baseline", action="store_true",
                        help="re-run the gated benchmarks and rewrite benchmarks/baseline.json (nothing else)")
    args = parser.parse_args(argv)
    if args.update_baseline:
        return update_baseline()

    names = discover()
    if args.only:
        wanted = [n.strip() for n in args.only.split(",") if n.strip()]
        unknown = set(wanted) - set(names)
        if unknown:
            parser.error(f"no such benchmark: {', '.join(sorted(unknown))} (have {', '.join(names)})")
        names = wanted
    skip = {n.strip() for n in args.skip.split(",") if n.strip()}
    names = [n for n in names if n not in skip]

    fresh = {name: run_one(name, args.limit, args.timeout) for name in names}
    generated = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    box = machine()
    table = markdown(fresh, generated, box)
    print("\n" + table)
    if args.limit:
        print("(--limit given: results/latest.* left unchanged)")
        return 0 if all("error" not in r for r in fresh.values()) else 1

    latest = RESULTS / "latest.json"
    results: dict[str, Any] = {}
    if args.only and latest.exists():  # refresh some rows, keep the others
        results = json.loads(latest.read_text(encoding="utf-8")).get("results", {})
    results.update(fresh)
    results = {name: results[name] for name in sorted(results)}
    write_json(latest, {"generated": generated, "machine": box, "results": results})
    (RESULTS / "latest.md").write_text(markdown(results, generated, box), encoding="utf-8")
    print(f"wrote {latest.relative_to(ROOT)} and {(RESULTS / 'latest.md').relative_to(ROOT)}")
    return 0 if all("error" not in r for r in fresh.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
