"""The learned sub-event classifier: encoder, rule features, model file, classify(), training helpers."""

from __future__ import annotations

import numpy as np
import pytest

from midan import classifier, detect, training
from midan.classifier import LABELS, NO_EVENT, Model
from midan.errors import MidanError


@pytest.fixture(scope="module")
def encoder():
    return classifier.encoder()


def test_classifier_encoder_gives_unit_vectors_in_input_order(encoder):
    texts = ["Soldiers clashed with rebels near the border town.",
             "Troops and insurgents exchanged fire close to the frontier.",
             "The central bank kept its interest rate unchanged on Thursday."]
    vectors = encoder.encode(texts)
    assert vectors.shape == (3, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.2
    # batching by length must not reorder the output
    assert np.allclose(encoder.encode(texts[::-1])[0], vectors[2], atol=1e-5)
    assert encoder.encode([]).shape == (0, 384)


def test_classifier_rule_features_layout(spacy_model):
    doc = spacy_model("Police arrested twelve students in Dhaka on Monday.")
    found = detect.mentions(doc)
    vector = classifier.rule_features(found)
    n = len(classifier.TYPES)
    assert vector.shape == (2 * n + len(classifier.CUE_NAMES) + 1,)
    assert vector[classifier.TYPES.index("Arrests")] > 0
    assert vector[2 * n + classifier.CUE_NAMES.index("ARREST")] == 1.0
    assert vector[-1] == 0.0
    empty = classifier.rule_features(detect.mentions(spacy_model("The weather was mild.")))
    assert empty[-1] == 1.0 and not empty[: 2 * n].any()


def test_classifier_model_round_trip_and_mismatch(tmp_path):
    model = classifier.load()
    path = tmp_path / "m.npz"
    model.save(path)
    again = Model.read(path)
    features = np.random.default_rng(0).normal(size=(4, model.coef.shape[1])).astype(np.float32)
    assert np.allclose(model.probabilities(features), again.probabilities(features), atol=1e-6)
    bad = Model(again.labels, again.coef, again.intercept, ("NOT_A_CUE",))
    bad.save(path)
    with pytest.raises(MidanError, match="make model"):
        Model.read(path)
    with pytest.raises(MidanError, match="missing"):
        Model.read(tmp_path / "absent.npz")


def test_classifier_calibration_is_monotone():
    model = classifier.load()
    grid = np.linspace(0, 1, 21)
    calibrated = model.calibrate(grid)
    assert np.all(np.diff(calibrated) >= -1e-9)
    assert 0.0 <= calibrated.min() and calibrated.max() <= 1.0


@pytest.mark.parametrize(
    ("text", "event_type"),
    [
        ("Riot police fired tear gas and water cannon to disperse hundreds of teachers marching in Nairobi.",
         "Protests"),
        ("A roadside bomb struck an army convoy outside Kandahar, killing four soldiers.",
         "Explosions/Remote violence"),
        ("Gunmen stormed the village at night and shot dead seven farmers in their homes.",
         "Violence against civilians"),
        ("The finance minister presented the annual budget to parliament on Wednesday.", None),
    ],
)
def test_classifier_classify(spacy_model, text, event_type):
    [result] = list(classifier.classify([text], spacy_model=spacy_model))
    assert result.event_type == event_type
    assert 0.0 <= result.confidence <= 1.0
    if event_type:
        assert result.mention is not None


def test_training_fit_and_cross_validation(spacy_model):
    pytest.importorskip("sklearn")
    texts = [f"Police arrested {n} opposition activists in the capital." for n in range(2, 8)] + \
            [f"Farmers harvested {n} tonnes of maize in the valley this season." for n in range(2, 8)]
    labels = ["Arrests"] * 6 + [NO_EVENT] * 6
    corpus = training.Corpus(texts, labels, ["written"] * 12).featurise()
    model = training.fit(corpus, c=100.0)
    assert model.labels == LABELS
    predicted = [p.label for p in model.predict(corpus.embeddings, corpus.rules)]
    assert predicted == labels
    oof = training.cross_validate(corpus, folds=3)
    assert oof.shape == (12, len(LABELS))
    assert np.allclose(oof.sum(axis=1), 1.0, atol=1e-4)
    calibrated = training.calibrate(model, oof, labels)
    assert calibrated.calibration_x.size >= 1


def test_training_expected_calibration_error():
    confidence = np.array([0.9, 0.9, 0.9, 0.9, 0.1])
    right = np.array([1.0, 1.0, 1.0, 0.0, 0.0])
    # bin 0.8-0.9: accuracy 0.75 vs 0.9 (weight 4/5); bin 0-0.1: 0 vs 0.1 (weight 1/5)
    assert training.expected_calibration_error(confidence, right) == pytest.approx(0.8 * 0.15 + 0.2 * 0.1)


def test_training_written_examples_are_well_formed():
    corpus = training.written_examples()
    assert len(corpus) >= 1000
    assert set(corpus.labels) <= set(LABELS)
    assert set(classifier.TYPES) <= set(corpus.labels)
