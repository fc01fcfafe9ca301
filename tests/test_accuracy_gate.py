"""Accuracy gate: the fast benchmarks may not lose more than the tolerance against ``benchmarks/baseline.json``.

Each benchmark named in the baseline is imported and its ``run(**kwargs)`` called on the gold data in
``../shared/datasets``; every baseline figure must stay within the tolerance (0.01 absolute) of its recorded
value. After an intended change of the figures, rewrite the baseline with
``python benchmarks/run_all.py --update-baseline`` and commit it with the change.
Skips when the shared data, the baseline or a benchmark module is absent.
"""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import _common  # noqa: E402

BASELINE: dict[str, Any] = (json.loads(_common.BASELINE.read_text(encoding="utf-8"))
                            if _common.BASELINE.exists() else {"benchmarks": {}})
GATED = sorted(BASELINE.get("benchmarks", {}))


def gate(name: str, run: Callable[..., dict[str, Any]]) -> list[str]:
    """Run one gated benchmark and return every figure that dropped past the tolerance."""
    entry = BASELINE["benchmarks"][name]
    result = run(**entry.get("kwargs", {}))
    return _common.compare(entry["figures"], _common.figures_of(result),
                           float(BASELINE.get("tolerance", _common.GATE_TOLERANCE)))


@pytest.mark.shared
@pytest.mark.parametrize("name", GATED or ["(no baseline)"])
def test_no_accuracy_drop(name: str) -> None:
    if not GATED:
        pytest.skip("benchmarks/baseline.json is absent or empty")
    try:
        _common.datasets_dir()
    except _common.DatasetMissing as exc:
        pytest.skip(f"{exc}")
    if not (_common.BENCHMARKS / f"{name}.py").exists():
        pytest.skip(f"benchmarks/{name}.py is missing")
    module = importlib.import_module(f"benchmarks.{name}")
    try:
        problems = gate(name, module.run)
    except _common.DatasetMissing as exc:
        pytest.skip(f"{exc}")
    assert not problems, f"{name} lost accuracy against benchmarks/baseline.json:\n  " + "\n  ".join(problems)


# --- the gate itself must be able to fail (no data needed) ----------------------------------------------------


def _fake_run(figures: dict[str, float], shift: float) -> Callable[..., dict[str, Any]]:
    def run(**_: Any) -> dict[str, Any]:
        return {"figures": {k: _common.figure(k, v + shift, gate=True, digits=6) for k, v in figures.items()}}

    return run


@pytest.mark.parametrize("name", GATED or ["(no baseline)"])
def test_gate_fails_on_a_lowered_run(name: str) -> None:
    if not GATED:
        pytest.skip("benchmarks/baseline.json is absent or empty")
    figures = BASELINE["benchmarks"][name]["figures"]
    assert gate(name, _fake_run(figures, 0.0)) == []
    assert gate(name, _fake_run(figures, -0.005)) == []  # within the tolerance
    lowered = gate(name, _fake_run(figures, -0.02))
    assert len(lowered) == len(figures), lowered


def test_compare_flags_drops_and_missing_figures() -> None:
    baseline = {"weighted_f1": 0.60, "macro_f1": 0.50, "recall": 0.40}
    fresh = _common.figures_of({"figures": {
        "weighted_f1": _common.figure("weighted F1", 0.58),  # dropped 0.02
        "macro_f1": _common.figure("macro F1", 0.495),  # within 0.01
    }})
    problems = _common.compare(baseline, fresh, tolerance=0.01)
    assert len(problems) == 2
    assert problems[0].startswith("weighted_f1") and problems[1].startswith("recall: missing")
    # flat results (no "figures" key), nested ones and lower-is-better figures
    assert _common.compare({"LGL.test.acc": 0.8}, _common.figures_of({"LGL": {"test": {"acc": 0.7}}})) != []
    error = {"error_km": {"value": 12.0, "higher_is_better": False}}
    assert _common.compare({"error_km": 10.0}, _common.figures_of({"figures": error})) != []
