"""The whole-article benchmark's own logic (``benchmarks/article_events.py``): it scores with the shared scorer."""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import article_events  # noqa: E402
from benchmarks._common import DatasetMissing  # noqa: E402


def _scorer():
    try:
        return article_events.scorer()
    except DatasetMissing as exc:
        pytest.skip(f"{exc}")


def _record(aid: str, lat: float, lon: float, day: str, event_type: str, confidence: float) -> dict:
    return {"article_ids": [aid], "latitude": lat, "longitude": lon, "event_date": day, "event_type": event_type,
            "confidence": confidence}


def test_reliability_counts_the_share_of_records_that_match_by_confidence():
    score_events = _scorer()
    gold = [{"id": "a", "events": [{"id": "e1", "required": True, "event_type": "Protests", "lat": 15.5,
                                    "lon": 32.5, "geo_precision": 1, "date": "2025-01-06",
                                    "date_window": ["2025-01-06", "2025-01-06"]}]}]
    records = [_record("a", 15.5, 32.5, "2025-01-06", "Protests", 0.9),   # right
               _record("a", 15.5, 32.5, "2025-01-06", "Protests", 0.55),  # a duplicate: spurious
               _record("a", 10.0, 10.0, "2025-01-06", "Protests", 0.95)]  # elsewhere: spurious
    table = {row["confidence"]: row for row in article_events.reliability(score_events, gold, records)}
    assert table[0.9] == {"confidence": 0.9, "records": 2, "matched_share": 0.5}
    assert table[0.5]["records"] == 3 and table[0.5]["matched_share"] == pytest.approx(0.333, abs=1e-3)


@pytest.mark.shared
def test_article_events_benchmark_runs_on_a_few_articles():
    _scorer()
    result = article_events.run(limit=3)
    figures = result["figures"]
    assert {"core_f1", "strict_f1", "core_f1_macro", "reliability_worst_gap"} <= figures.keys()
    assert 0.0 <= figures["core_f1"]["value"] <= 1.0


@pytest.mark.shared
def test_annotated_articles_are_scored_with_the_model_cross_validated_and_by_threshold():
    _scorer()
    try:
        result = article_events.run_annotated(limit=12, folds=2)
    except DatasetMissing as exc:
        pytest.skip(f"{exc}")
    sweep = result["details"]["by_threshold"]
    assert [row["threshold"] for row in sweep] == list(article_events.THRESHOLDS)
    # a higher threshold keeps no more records, and precision is a share
    assert all(a["records"] >= b["records"] for a, b in itertools.pairwise(sweep))
    assert all(0.0 <= row["core_precision"] <= 1.0 and row["most_spurious"] >= 0 for row in sweep)
    assert 0.0 <= result["figures"]["core_f1"]["value"] <= 1.0
