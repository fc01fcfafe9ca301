"""The record confidence model (``midan.confidence``) and its training data (``midan.training_records``)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from midan import confidence
from midan.errors import MidanError

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def test_confidence_vector_follows_the_feature_order_and_refuses_unknown_names():
    row = confidence.vector({"type=Battles": 1.0, "rule_score": 0.5})
    assert row.shape == (len(confidence.FEATURES),)
    assert row[confidence.FEATURES.index("rule_score")] == 0.5
    with pytest.raises(ValueError):
        confidence.vector({"no such feature": 1.0})


def test_confidence_model_learns_saves_and_reads_back(tmp_path):
    rng = np.random.default_rng(0)
    rows = rng.normal(size=(200, len(confidence.FEATURES)))
    labels = (rows[:, confidence.FEATURES.index("rule_score")] > 0).astype(int)
    model = confidence.fit(rows, labels, c=1.0, about={"test": True})
    high = dict.fromkeys(confidence.FEATURES, 0.0) | {"rule_score": 2.0}
    low = dict.fromkeys(confidence.FEATURES, 0.0) | {"rule_score": -2.0}
    assert model.probability(high) > 0.8 > 0.2 > model.probability(low)
    path = tmp_path / "model.json"
    model.save(path)
    again = confidence.RecordModel.read(path)
    assert again.probability(high) == pytest.approx(model.probability(high))


def test_confidence_model_for_other_features_is_refused(tmp_path):
    path = tmp_path / "model.json"
    path.write_text(json.dumps({"features": ["a"], "mean": [0], "scale": [1], "coef": [1], "intercept": 0}))
    with pytest.raises(MidanError, match="other features"):
        confidence.RecordModel.read(path)
    path.write_text("{not json")
    with pytest.raises(MidanError, match="unreadable"):
        confidence.RecordModel.read(path)


def test_confidence_shipped_model_matches_the_features():
    model = confidence.load()
    assert model is not None and model.names == confidence.FEATURES
    assert model.about.get("articles", 0) >= 300 and model.about.get("cv_auc", 0) > 0.7


def test_confidence_orders_a_real_report_above_a_background_mention(pipeline):
    import datetime as dt

    from midan.schema import Article

    text = ("Gunmen shot dead a village chief in Kaduna on Monday, police said. In 2014, militants abducted "
            "schoolgirls in Chibok, a case that still haunts the region.")
    analysis = pipeline(Article(id="t", text=text, published=dt.date(2025, 3, 12)))
    kaduna = [e for e, _ in analysis.candidates if e.location == "Kaduna"]
    assert kaduna and kaduna[0].confidence >= 0.5
    assert not any(e.location == "Chibok" for e in analysis.events)


def test_training_records_rebuilds_hrds_texts_like_the_dev_set():
    from midan.training_records import hrds_text

    interface = "<p>First  para <b>bold</b> &amp; more.</p> <p> </p><p>Second\nline</p>"
    assert hrds_text(interface) == "First para bold & more.\n\nSecond line"


@pytest.mark.shared
def test_training_records_annotations_resolve_against_the_shared_texts():
    if not (SHARED / "datasets" / "hrds-attack").is_dir():
        pytest.skip("../shared/datasets not found")
    from midan.training_records import annotated

    articles = annotated(SHARED)
    assert len(articles) == 400
    events = [e for a in articles for e in a["events"]]
    assert len(events) > 600 and all(e["evidence"].strip() for e in events)
    dev = {json.loads(line)["id"] for line in (SHARED / "datasets" / "article-events" / "dev.jsonl").open()}
    assert not dev & {a["id"] for a in articles}, "the dev set stays held out"
