"""Record confidence: how likely an assembled record is an event an analyst would keep.

Each record is described by a fixed set of numbers (:data:`FEATURES`): what the rules and the sentence classifier
said of its sentences, how its place and day were found (its own clause, the sentence, the story before it, the
publication week), its kind, its actors, where it sits in the article and how many reports of it the article has.
A logistic regression over those numbers, fitted on whole articles coded event by event (``python -m
midan.training --records``; the data is listed in the README), turns them into the probability that the record
matches an event of the gold coding. That probability is the record's ``confidence``; records below
:data:`midan.pipeline.DEFAULT_MIN_CONFIDENCE` are not written by default.

The weights ship as plain JSON (``midan/data/confidence.json``); nothing but numpy is needed to apply them.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from midan.errors import MidanError
from midan.schema import EVENT_TYPES, INTER_CODES

logger = logging.getLogger(__name__)

MODEL_PATH = Path(__file__).parent / "data" / "confidence.json"

LOCATION_HOW = ("dependency", "sentence", "previous sentence", "paragraph", "dateline", "article")
DATE_HOW = ("dependency", "sentence", "previous sentence", "paragraph", "lead", "publication date")
TENSES = ("past", "present", "present perfect", "past perfect", "")

#: the record's description, in the order the weights use
FEATURES: tuple[str, ...] = (
    *(f"type={name}" for name in EVENT_TYPES),
    "rule_score", "classifier_type", "classifier_no_event", "heuristic",
    *(f"location={how}" for how in LOCATION_HOW), "geo_precision_2", "geo_precision_3",
    "province_demonstration", "place_named_in_sentence",
    "place_country_is_main", "place_country_of_records",
    *(f"date={how}" for how in DATE_HOW), "time_precision_2", "time_precision_3", "days_before_publication",
    "sentence_has_date",
    *(f"tense={name or 'none'}" for name in TENSES),
    "trigger_is_noun", "mentions", "sentences", "merged_reports", "first_position", "in_lead",
    "actor1_named", "actor2_named", *(f"inter1={name}" for name in INTER_CODES), "fatalities",
    "article_records", "article_length", "sentence_length", "reported_speech", "quoted", "crime_words",
    "political_words",
)
FEATURE_SET = frozenset(FEATURES)


def vector(values: Mapping[str, float]) -> np.ndarray:
    """The features of one record as a vector in :data:`FEATURES` order (missing names are 0)."""
    unknown = set(values) - set(FEATURES)
    if unknown:
        raise ValueError(f"unknown record features: {sorted(unknown)}")
    return np.array([float(values.get(name, 0.0)) for name in FEATURES], dtype=np.float64)


def log_count(count: float) -> float:
    return math.log1p(max(count, 0.0))


@dataclass
class RecordModel:
    """A standardised logistic regression over :data:`FEATURES`."""

    names: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    about: dict[str, Any] = field(default_factory=dict)

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        """P(the record is right) for each row of features (rows in :data:`FEATURES` order)."""
        rows = np.atleast_2d(rows)
        z = ((rows - self.mean) / self.scale) @ self.coef + self.intercept
        return 1.0 / (1.0 + np.exp(-np.clip(z, -30.0, 30.0)))

    def probability(self, values: Mapping[str, float]) -> float:
        return float(self.probabilities(vector(values))[0])

    def to_json(self) -> dict[str, Any]:
        return {"features": list(self.names), "mean": self.mean.round(6).tolist(),
                "scale": self.scale.round(6).tolist(), "coef": self.coef.round(6).tolist(),
                "intercept": round(float(self.intercept), 6), "about": self.about}

    def save(self, path: Path = MODEL_PATH) -> None:
        path.write_text(json.dumps(self.to_json(), indent=1) + "\n", encoding="utf-8")

    @classmethod
    def read(cls, path: Path = MODEL_PATH) -> RecordModel:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            model = cls(tuple(data["features"]), np.array(data["mean"], dtype=np.float64),
                        np.array(data["scale"], dtype=np.float64), np.array(data["coef"], dtype=np.float64),
                        float(data["intercept"]), data.get("about", {}))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise MidanError(f"record confidence model unreadable: {path}: {exc}; rebuild it with `make model`") \
                from None
        if model.names != FEATURES or not (len(model.mean) == len(model.scale) == len(model.coef) == len(FEATURES)):
            raise MidanError(f"record confidence model {path} was built for other features; rebuild it with "
                             "`make model`")
        return model


def fit(rows: np.ndarray, labels: Sequence[int], c: float = 0.3, weights: Sequence[float] | None = None,
        about: dict[str, Any] | None = None) -> RecordModel:
    """Fit the model (scikit-learn, needed only here) on feature rows and 0/1 labels."""
    from sklearn.linear_model import LogisticRegression

    rows = np.asarray(rows, dtype=np.float64)
    mean = rows.mean(axis=0)
    scale = rows.std(axis=0)
    scale[scale < 1e-9] = 1.0
    regression = LogisticRegression(C=c, max_iter=5000)
    regression.fit((rows - mean) / scale, np.asarray(labels), sample_weight=weights)
    return RecordModel(FEATURES, mean, scale, regression.coef_[0].astype(np.float64),
                       float(regression.intercept_[0]), about or {})


@lru_cache(maxsize=1)
def load() -> RecordModel | None:
    """The shipped weights, loaded once per process (None before they were ever fitted)."""
    if not MODEL_PATH.is_file():
        logger.warning("no record confidence model at %s: confidence falls back to the rules' score", MODEL_PATH)
        return None
    return RecordModel.read(MODEL_PATH)
