"""Training the sub-event classifier (``make model``): sources, features, fitting, calibration.

Sources, each with its licence (the README lists them too):

* ``training/examples/*.jsonl`` — short event descriptions written for midan, labelled with ACLED sub-event
  types or "no event" (MIT, like the code);
* PLOVER/GSR CAMEO gold (``plover-gsr-cameo``, CC BY-SA 4.0) — only its verbal and diplomatic categories, as
  "no event" (demands, rejections, sanctions, threats, visits ...); its material events do not map cleanly onto
  ACLED's sub-types and are left out;
* CASE 2021 task 2 (``case2021-task2/dev.tsv``) — used **only** through k-fold cross-validation when measuring
  (``benchmarks/case2021_classify.py`` refits on the other folds); the shipped model is fitted on all of it, so
  its own figure on that file is never reported;
* reviewers' decisions, when given (``--corrections FILE``, written by ``midan export --format corrections``):
  the sentence of each accepted or edited event with its sub-event type as the person left it, and of each
  rejected event as "no event". They are the users' own data and stay theirs: nothing of them ships unless they
  train the model they ship.

Only weights leave this module (``midan/data/classifier.npz``); scikit-learn is needed here, not at run time.

    python -m midan.training [--shared ../shared] [--out midan/data/classifier.npz] [--corrections FILE]
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from midan import classifier, detect, nlp
from midan.classifier import LABELS, NO_EVENT, Model

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "training" / "examples"
#: PLOVER categories that are never an ACLED event (words, diplomacy, sanctions, inquiries)
PLOVER_NO_EVENT = frozenset({"DEMAND", "REJECT", "DISAPPROVE", "SANCTION", "THREATEN", "SUPPORT", "CONCEDE", "AID",
                             "INVESTIGATE", "CONSULT", "COOPERATE"})
C = 8.0           # inverse regularisation, chosen by a small cross-validated grid (C, W_RULES, SOURCE_WEIGHTS)
W_RULES = 0.35    # weight of the rule block against the unit-length embedding
SOURCE_WEIGHTS = {"written": 0.25, "plover": 0.25}


@dataclass
class Corpus:
    """Texts with labels, and their features once computed."""

    texts: list[str]
    labels: list[str]
    source: list[str]
    embeddings: np.ndarray | None = None
    rules: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.texts)

    def featurise(self, batch_size: int = 64) -> Corpus:
        model = nlp.load()
        self.rules = np.vstack([classifier.rule_features(detect.mentions(doc))
                                for doc in model.pipe(self.texts, batch_size=batch_size)]) \
            if self.texts else np.zeros((0, classifier.rule_features([]).shape[0]), dtype=np.float32)
        self.embeddings = classifier.encoder().encode(self.texts)
        return self

    def subset(self, index: Sequence[int] | np.ndarray) -> Corpus:
        assert self.embeddings is not None and self.rules is not None
        idx = np.asarray(index, dtype=int)
        return Corpus([self.texts[i] for i in idx], [self.labels[i] for i in idx], [self.source[i] for i in idx],
                      self.embeddings[idx], self.rules[idx])

    def __add__(self, other: Corpus) -> Corpus:
        assert self.embeddings is not None and other.embeddings is not None
        assert self.rules is not None and other.rules is not None
        return Corpus(self.texts + other.texts, self.labels + other.labels, self.source + other.source,
                      np.vstack([self.embeddings, other.embeddings]), np.vstack([self.rules, other.rules]))


def written_examples(folder: Path = EXAMPLES) -> Corpus:
    texts, labels = [], []
    for path in sorted(folder.glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            row = json.loads(line)
            if row["label"] not in LABELS:
                raise ValueError(f"{path}:{number}: unknown label {row['label']!r}")
            texts.append(row["text"])
            labels.append(row["label"])
    return Corpus(texts, labels, ["written"] * len(texts))


def corrections(path: Path) -> Corpus:
    """The event sentences of reviewed records (``midan export --format corrections``), labelled with the
    sub-event type a person accepted or set, or "no event" for a record they rejected. A record without an
    ``event`` evidence span is skipped; a line that is not a correction record is an error naming the line."""
    texts, labels = [], []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            status, record = row["status"], row["record"]
            sentence = next((e["text"] for e in record.get("evidence", []) if e.get("field") == "event"), "")
        except (ValueError, KeyError, TypeError, AttributeError):
            raise ValueError(f"{path}:{number}: not a correction record (midan export --format corrections)") from None
        label = NO_EVENT if status == "rejected" else record.get("sub_event_type")
        if status not in {"accepted", "edited", "rejected"} or label not in LABELS:
            raise ValueError(f"{path}:{number}: status {status!r} / sub-event type {label!r} cannot be learnt")
        if sentence.strip():
            texts.append(sentence.strip())
            labels.append(label)
    return Corpus(texts, labels, ["reviewed"] * len(texts))


def plover(shared: Path) -> Corpus:
    path = shared / "datasets" / "plover-gsr-cameo" / "PLOVER_GSR_CAMEO.json"
    if not path.is_file():
        logger.warning("PLOVER gold not found at %s; training without it", path)
        return Corpus([], [], [])
    rows = [r for r in json.loads(path.read_text(encoding="utf-8")) if r.get("event") in PLOVER_NO_EVENT]
    texts = [r["text"].strip() for r in rows if r.get("text", "").strip()]
    return Corpus(texts, [NO_EVENT] * len(texts), ["plover"] * len(texts))


def read_case2021(folder: Path) -> tuple[list[tuple[str, str, str]], dict[str, str]]:
    """``(id, snippet, CASE label)`` rows of ``dev.tsv`` and the CASE label -> ACLED sub-event map (the 5
    non-ACLED labels map to "no event"). Shared by training and the benchmark, which also needs the raw labels."""
    mapping: dict[str, str] = {}
    with (folder / "case_to_acled_subevent.tsv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            sub = row["acled_sub_event_type"].strip()
            mapping[row["case_label"].strip()] = sub if sub in LABELS else NO_EVENT
    rows: list[tuple[str, str, str]] = []
    with (folder / "dev.tsv").open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader)
        if [h.strip() for h in header[:3]] != ["id", "EventSnippet", "SubType"]:
            raise ValueError(f"{folder / 'dev.tsv'}: unexpected header {header}")
        rows = [(record[0], record[1], record[2].strip()) for record in reader if len(record) >= 3]
    unknown = {label for _, _, label in rows} - mapping.keys()
    if unknown:
        raise ValueError(f"labels missing from case_to_acled_subevent.tsv: {sorted(unknown)}")
    return rows, mapping


def case2021(shared: Path) -> Corpus:
    """CASE 2021 task 2 snippets with ACLED names (the 5 non-ACLED labels become "no event")."""
    rows, mapping = read_case2021(shared / "datasets" / "case2021-task2")
    return Corpus([text for _, text, _ in rows], [mapping[label] for _, _, label in rows],
                  ["case2021"] * len(rows))


def fit(corpus: Corpus, c: float = C, w_rules: float = W_RULES) -> Model:
    """A logistic regression on the corpus features (calibration left as identity: see :func:`calibrate`).

    Texts from other sources than ACLED-style notes count less (``SOURCE_WEIGHTS``): they teach the boundaries of
    the types but are written differently."""
    from sklearn.linear_model import LogisticRegression

    assert corpus.embeddings is not None and corpus.rules is not None
    features = classifier.features(corpus.embeddings, corpus.rules, 1.0, w_rules)
    y = np.array([LABELS.index(label) for label in corpus.labels])
    regression = LogisticRegression(C=c, max_iter=5000)
    regression.fit(features, y, sample_weight=np.array([SOURCE_WEIGHTS.get(s, 1.0) for s in corpus.source]))
    coef = np.zeros((len(LABELS), features.shape[1]), dtype=np.float32)
    intercept = np.full(len(LABELS), -1e4, dtype=np.float32)  # a label never seen in training is never predicted
    if len(regression.classes_) == 2:  # binary: one weight row for the second class; softmax over (0, w) agrees
        coef[regression.classes_[1]] = regression.coef_[0]
        intercept[regression.classes_] = (0.0, regression.intercept_[0])
    else:
        coef[regression.classes_] = regression.coef_
        intercept[regression.classes_] = regression.intercept_
    return Model(LABELS, coef, intercept, classifier.CUE_NAMES, 1.0, w_rules)


def cross_validate(corpus: Corpus, folds: int = 5, extra: Corpus | None = None, c: float = C,
                   seed: int = 0) -> np.ndarray:
    """Out-of-fold probabilities for ``corpus`` (``extra`` is added to every training fold, never tested)."""
    from sklearn.model_selection import StratifiedKFold

    assert corpus.embeddings is not None and corpus.rules is not None
    y = np.array(corpus.labels)
    # a label too rare for stratification still gets split, just unevenly
    counts = {label: int((y == label).sum()) for label in set(corpus.labels)}
    strata = np.array([label if counts[label] >= folds else "rare" for label in corpus.labels])
    out = np.zeros((len(corpus), len(LABELS)), dtype=np.float32)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for train, test in splitter.split(np.zeros(len(corpus)), strata):
        part = corpus.subset(train)
        model = fit(part + extra if extra is not None and len(extra) else part, c=c)
        held = corpus.subset(test)
        assert held.embeddings is not None and held.rules is not None
        out[test] = model.probabilities(model.features(held.embeddings, held.rules))
    return out


def calibrate(model: Model, probabilities: np.ndarray, labels: Sequence[str]) -> Model:
    """Fit isotonic regression of "the top label is right" on the top probability of out-of-fold predictions."""
    from sklearn.isotonic import IsotonicRegression

    top = probabilities.max(axis=1)
    right = (probabilities.argmax(axis=1) == np.array([LABELS.index(label) for label in labels])).astype(float)
    iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(top, right)
    model.calibration_x = np.asarray(iso.X_thresholds_, dtype=np.float64)
    model.calibration_y = np.asarray(iso.y_thresholds_, dtype=np.float64)
    return model


def expected_calibration_error(confidence: np.ndarray, right: np.ndarray, bins: int = 10) -> float:
    """ECE: the gap between confidence and accuracy, averaged over equal-width confidence bins."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    total = 0.0
    for low, high in itertools.pairwise(edges):
        inside = (confidence > low) & (confidence <= high) if low > 0 else (confidence <= high)
        if inside.any():
            gap = abs(float(right[inside].mean()) - float(confidence[inside].mean()))
            total += inside.sum() / len(confidence) * gap
    return total


def build(shared: Path, out: Path, corrected: Path | None = None) -> dict[str, float]:
    """Fit the shipped model on every source (and reviewers' corrections, when given), calibrate it on 5-fold
    out-of-fold predictions, save it."""
    written = written_examples().featurise()
    if corrected is not None:
        reviewed = corrections(corrected)
        logger.info("%d reviewed sentences from %s", len(reviewed), corrected)
        written = written + reviewed.featurise() if len(reviewed) else written
    others = plover(shared).featurise()
    case = case2021(shared).featurise() if (shared / "datasets" / "case2021-task2").is_dir() else None
    everything = written + others + case if case is not None else written + others
    oof = cross_validate(everything)
    model = calibrate(fit(everything), oof, everything.labels)
    right = oof.argmax(axis=1) == np.array([LABELS.index(label) for label in everything.labels])
    ece = expected_calibration_error(model.calibrate(oof.max(axis=1)), right.astype(float))
    model.about = {"sources": {name: everything.source.count(name) for name in sorted(set(everything.source))},
                   "c": C, "cv_accuracy": round(float(right.mean()), 4),
                   "cv_ece_after_isotonic_in_sample": round(ece, 4)}
    model.save(out)
    logger.info("classifier written to %s: %s", out, model.about)
    return model.about


def main() -> None:
    parser = argparse.ArgumentParser(description="Train midan's sub-event classifier.")
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--out", type=Path, default=classifier.MODEL_PATH)
    parser.add_argument("--corrections", type=Path, default=None,
                        help="reviewers' decisions to learn from (midan export --format corrections)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    print(json.dumps(build(args.shared, args.out, args.corrections), indent=2))


if __name__ == "__main__":
    main()
