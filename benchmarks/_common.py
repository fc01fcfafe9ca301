"""Shared helpers for midan's benchmarks: where the gold data is, the command line, the report table, timing.

Every benchmark is a script ``python benchmarks/<name>.py [--json PATH] [--limit N]`` that exposes
``run(limit: int | None = None) -> dict`` returning a *result*::

    {"benchmark": "case2021_classify", "dataset": "case2021-task2/dev.tsv", "command": "python benchmarks/...",
     "figures": {"weighted_f1_acled25": {"label": "weighted F1, 25 ACLED types", "value": 0.61,
                                         "anchor": 0.839, "gate": True}, ...},
     "notes": ["how gold None values are treated", ...], "details": {...}}

A flat ``{name: number}`` dict is accepted too (no anchors; numbers in [0, 1] are gated). A figure with
``"gate": True`` is compared with ``benchmarks/baseline.json`` by ``tests/test_accuracy_gate.py``.
The gold data is read in place from ``../shared/datasets`` (``MIDAN_DATASETS`` overrides); when it is absent
a benchmark prints ``skipped: ...`` and exits 0.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = ROOT / "benchmarks"
DATASETS = ROOT.parent / "shared" / "datasets"
BASELINE = BENCHMARKS / "baseline.json"
RESULTS = BENCHMARKS / "results"

#: benchmarks the accuracy gate runs (each must finish in well under GATE_MAX_SECONDS), with the arguments of ``run``
GATE: dict[str, dict[str, Any]] = {
    "article_events": {},
    "negatives": {"limit": 200},
    "case2021_classify": {},
    "event_location": {},
    "timex_tbaq": {},
    "timex_meantime": {},
    "geo_lgl_gwn": {"limit": 40},
}
GATE_TOLERANCE = 0.01
GATE_MAX_SECONDS = 150.0  # the classifier gate refits 5 folds (about 60 s on 2 cores)

Row = tuple[str, Any, Any]


class DatasetMissing(Exception):
    """The gold data a benchmark needs is not there (benchmarks skip, they do not fail)."""


def datasets_path() -> Path:
    return Path(os.environ.get("MIDAN_DATASETS") or DATASETS)


def datasets_dir() -> Path:
    """The shared datasets directory; raises :class:`DatasetMissing` when it is absent."""
    path = datasets_path()
    if not path.is_dir():
        raise DatasetMissing("../shared/datasets not found")
    return path


def datasets_or_skip() -> Path | None:
    """The gold data directory, or None after saying the benchmark is skipped."""
    try:
        return datasets_dir()
    except DatasetMissing as exc:
        print(f"skipped: {exc}", file=sys.stderr)
        return None


def dataset(*parts: str) -> Path:
    """One file or folder under the datasets directory; raises :class:`DatasetMissing` when absent."""
    path = datasets_dir().joinpath(*parts)
    if not path.exists():
        raise DatasetMissing(f"../shared/datasets/{'/'.join(parts)} not found")
    return path


# --- scoring helpers -----------------------------------------------------------------------------------------------


def prf(tp: int, n_pred: int, n_gold: int) -> tuple[float, float, float]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def figure(label: str, value: float | None, anchor: float | None = None, gate: bool = False,
           digits: int = 3) -> dict[str, Any]:
    """One reported number; ``anchor`` is the published figure it is compared with."""
    if value is not None and not math.isnan(value):
        value = round(value) if digits == 0 else round(float(value), digits)
    return {"label": label, "value": value, "anchor": anchor, "gate": gate}


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def figures_of(result: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The figures of a result in the long form, whatever form the benchmark used.

    A flat or nested ``{name: number}`` result (no ``figures`` key) is flattened to dotted names
    (``LGL.test.acc161_all_gold``); ``per_type`` and ``details`` sub-dicts are not figures.
    """
    raw = result.get("figures")
    if not isinstance(raw, Mapping):
        raw = _flatten(result)
    out: dict[str, dict[str, Any]] = {}
    for name, item in raw.items():
        if isinstance(item, Mapping):
            value, gate = item.get("value"), item.get("gate")
            entry = {"label": item.get("label", name), "value": value, "anchor": item.get("anchor"),
                     "gate": bool(gate) if gate is not None else _gateable(name, value)}
            if "higher_is_better" in item:
                entry["higher_is_better"] = bool(item["higher_is_better"])
        elif _number(item):
            entry = {"label": name, "value": item, "anchor": None, "gate": _gateable(name, item)}
        else:
            continue
        out[str(name)] = entry
    return out


_NOT_FIGURES = {"per_type", "details", "machine", "notes", "skipped"}
_NOT_GATED = ("second", "_mb", "rss", "_km", "km_", "count", "documents", "sentences", "gold_", "predicted_")


def _flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in data.items():
        if key in _NOT_FIGURES or (not prefix and key in {"seconds", "n"}):
            continue
        if isinstance(value, Mapping):
            flat.update(_flatten(value, f"{prefix}{key}."))
        elif _number(value):
            flat[f"{prefix}{key}"] = value
    return flat


def _gateable(name: str, value: Any) -> bool:
    """Gate a bare number only when it looks like a score: in [0, 1] and not a time, size or count."""
    leaf = name.rsplit(".", 1)[-1].lower()
    return _number(value) and 0.0 <= value <= 1.0 and not any(word in leaf for word in _NOT_GATED)


def compare(baseline: Mapping[str, float], fresh: Mapping[str, Mapping[str, Any]],
            tolerance: float = GATE_TOLERANCE) -> list[str]:
    """Every baseline figure that got worse by more than ``tolerance`` in ``fresh`` (or is missing from it)."""
    problems = []
    for name, old in baseline.items():
        entry = fresh.get(name)
        new = entry.get("value") if entry else None
        if not _number(new) or math.isnan(new):
            problems.append(f"{name}: missing from the fresh run (baseline {old})")
            continue
        lower = entry is not None and entry.get("higher_is_better") is False
        drop = (new - old) if lower else (old - new)
        if drop > tolerance + 1e-9:
            problems.append(f"{name}: {new:.4f} vs baseline {old:.4f} (worse by {drop:.4f}; tolerance {tolerance})")
    return problems


# --- timing and machine -----------------------------------------------------------------------------------------


class Timer:
    """``with Timer() as t: ...`` then ``t.seconds``."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._start = 0.0

    def __enter__(self) -> Timer:
        self._start = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self._start


@contextmanager
def timed(store: dict[str, float], key: str) -> Iterator[None]:
    """Add the wall time of the block to ``store[key]``."""
    start = time.perf_counter()
    try:
        yield
    finally:
        store[key] = store.get(key, 0.0) + time.perf_counter() - start


def per_second(count: float, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("nan")


def peak_rss_mb() -> float:
    """Peak resident set size of this process in MB (Linux reports KB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def machine() -> dict[str, Any]:
    """Where the numbers were measured."""
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count() or 0
    cpu = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cores": os.cpu_count(), "usable_cores": usable, "cpu": cpu, "python": platform.python_version(),
            "platform": platform.platform()}


# --- output -------------------------------------------------------------------------------------------------------


def fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        if math.isnan(value):
            return "n/a"
        return f"{value:.3f}" if abs(value) < 10 else f"{value:,.1f}"
    return str(value)


def report(title: str | Iterable[Row], rows: Iterable[Row] | None = None) -> None:
    """Print a ``figure | midan | anchor`` table: ``report(rows)`` or ``report(title, rows)``."""
    from rich.console import Console
    from rich.table import Table

    if not isinstance(title, str):
        title, rows = "", title
    table = Table(title=title or None)
    for column, justify in (("figure", "left"), ("midan", "right"), ("anchor", "right")):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for name, value, anchor in rows or ():
        table.add_row(str(name), fmt(value), fmt(anchor))
    Console().print(table)


def report_result(result: Mapping[str, Any]) -> None:
    rows = [(f["label"], f["value"], f["anchor"]) for f in figures_of(result).values()]
    report(f"{result.get('benchmark', '')} — {result.get('dataset', '')}", rows)
    for note in result.get("notes", []):
        print(f"  note: {note}")


def write_json(path: str | Path, data: Any) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")


def main(run: Callable[..., dict[str, Any]], show: Callable[[dict[str, Any]], None] | None = None,
         doc: str | None = None, argv: Sequence[str] | None = None) -> int:
    """The command line every benchmark shares: ``[--json PATH] [--limit N]``. Returns the exit status."""
    parser = argparse.ArgumentParser(description=(doc or "").strip().splitlines()[0] if doc else None)
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON to PATH")
    parser.add_argument("--limit", type=int, default=None, metavar="N",
                        help="only the first N items (a quick check; not the reported figure)")
    args = parser.parse_args(argv)
    return reported(lambda: run(limit=args.limit), args.json, show)


def reported(compute: Callable[[], dict[str, Any]], json_path: str | Path | None,
             show: Callable[[dict[str, Any]], None] | None = None, needs_data: bool = True) -> int:
    """Run a benchmark (``compute``), print its figures and, with ``json_path``, write them there as JSON; without
    ``../shared`` (when it ``needs_data``) print and write why it was skipped. Returns the exit status (0)."""
    started = time.monotonic()
    try:
        if needs_data:
            datasets_dir()
        result = compute()
    except DatasetMissing as exc:
        print(f"skipped: {exc}")
        if json_path:
            write_json(json_path, {"skipped": str(exc)})
        return 0
    result.setdefault("seconds", round(time.monotonic() - started, 1))
    (show or report_result)(result)
    if json_path:
        write_json(json_path, result)
    return 0
