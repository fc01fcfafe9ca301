"""The learned ACLED sub-event classifier: sentence embeddings plus the rules' verdicts, into 25 types or no event.

Each text unit (a snippet for ``midan classify``, a sentence inside ``extract``) is described by

* its MiniLM sentence embedding (all-MiniLM-L6-v2 exported to ONNX and quantised to int8, shipped in
  ``midan/data/encoder/`` and run with onnxruntime: no torch at run time), and
* the verdicts of :mod:`midan.detect` on it: for each sub-event type the best score of a coded mention and of a
  rejected one, the bag of cue names, and whether nothing was coded — the rules give precision, the embedding
  recall and the fine distinctions the lexicon misses.

A multinomial logistic regression (trained with scikit-learn by ``make model``; only its weights ship, in
``midan/data/classifier.npz``, and inference is plain numpy) maps the features to the 25 types plus "no event".
Its top probability is calibrated with isotonic regression fitted on cross-validated predictions, so a confidence
of 0.8 means about 80 % of such calls are right.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from midan import detect, nlp
from midan.detect import LEMMA_CUES, PHRASE_CUES, Classification
from midan.errors import MidanError
from midan.mention import Mention
from midan.schema import SUB_EVENT_TYPES

if TYPE_CHECKING:
    import onnxruntime
    from spacy.language import Language

logger = logging.getLogger(__name__)

__all__ = ["LABELS", "NO_EVENT", "Classification", "Encoder", "Model", "Prediction", "classify", "encoder", "load",
           "rule_features"]

DATA = Path(__file__).parent / "data"
ENCODER_DIR = DATA / "encoder"
MODEL_PATH = DATA / "classifier.npz"
NO_EVENT = "no event"
TYPES: tuple[str, ...] = tuple(SUB_EVENT_TYPES)
LABELS: tuple[str, ...] = (*TYPES, NO_EVENT)
CUE_NAMES: tuple[str, ...] = tuple(sorted(set(LEMMA_CUES.values()) | set(PHRASE_CUES)))
#: token budget per text: ACLED notes and news sentences fit; longer texts are cut (MiniLM was trained on 128-256)
MAX_TOKENS = 256
#: intra-op threads of the encoder; None: up to 2. A Dask worker sets its own thread count (``midan.distributed``):
#: the machine's other cores are its fellow workers', and onnxruntime's spinning threads would take them
ENCODER_THREADS: int | None = None


class Encoder:
    """all-MiniLM-L6-v2 (int8 ONNX): mean-pooled, L2-normalised 384-dimensional sentence embeddings."""

    def __init__(self, folder: Path = ENCODER_DIR, threads: int | None = None) -> None:
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError as exc:  # pragma: no cover - both are dependencies
            raise MidanError(f"the classifier needs onnxruntime and tokenizers: {exc}") from exc
        model, vocab = folder / "model.onnx", folder / "tokenizer.json"
        if not model.is_file() or not vocab.is_file():
            raise MidanError(f"sentence encoder missing in {folder}; rebuild it with `make model`")
        self.tokenizer = Tokenizer.from_file(str(vocab))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.no_padding()
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or ENCODER_THREADS or min(2, os.cpu_count() or 1)
        options.inter_op_num_threads = 1
        # no busy-waiting between runs: the threads would spin on the cores the parse and the stages need next
        # (the embeddings are the same; on 2 shared cores 409 sentences took 7.4 s instead of 15.7 s)
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session: onnxruntime.InferenceSession = ort.InferenceSession(
            str(model), options, providers=["CPUExecutionProvider"])

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        """Embeddings of ``texts`` in their order (batches are formed by length, so little padding is run)."""
        out = np.zeros((len(texts), 384), dtype=np.float32)
        if not texts:
            return out
        encodings = self.tokenizer.encode_batch(list(texts))
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        for start in range(0, len(order), batch_size):
            chunk = order[start:start + batch_size]
            width = max(len(encodings[i].ids) for i in chunk)
            ids = np.zeros((len(chunk), width), dtype=np.int64)
            mask = np.zeros((len(chunk), width), dtype=np.int64)
            for row, i in enumerate(chunk):
                n = len(encodings[i].ids)
                ids[row, :n] = encodings[i].ids
                mask[row, :n] = 1
            hidden = self.session.run(None, {"input_ids": ids, "attention_mask": mask,
                                             "token_type_ids": np.zeros_like(ids)})[0]
            pooled = (hidden * mask[..., None]).sum(axis=1) / np.maximum(mask.sum(axis=1, keepdims=True), 1)
            out[chunk] = pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return out


@lru_cache(maxsize=1)
def encoder() -> Encoder:
    """The shipped sentence encoder, loaded once per process."""
    return Encoder()


def rule_features(found: Iterable[Mention]) -> np.ndarray:
    """What the rules said about one text unit, as a fixed-length vector.

    Layout: best score of a coded mention per type (25), best score of a rejected mention per type (25), cue names
    present (``CUE_NAMES``), and a last flag set when no mention was coded.
    """
    n = len(TYPES)
    vector = np.zeros(2 * n + len(CUE_NAMES) + 1, dtype=np.float32)
    coded = False
    for mention in found:
        for cue in mention.cues:
            if cue in _CUE_INDEX:
                vector[2 * n + _CUE_INDEX[cue]] = 1.0
        if mention.sub_event_type:
            slot = _TYPE_INDEX[mention.sub_event_type] + (n if mention.rejected else 0)
            vector[slot] = max(vector[slot], mention.score)
            coded = coded or not mention.rejected
    vector[-1] = 0.0 if coded else 1.0
    return vector


_TYPE_INDEX = {name: i for i, name in enumerate(TYPES)}
_CUE_INDEX = {name: i for i, name in enumerate(CUE_NAMES)}


def features(embeddings: np.ndarray, rules: np.ndarray, w_embedding: float, w_rules: float) -> np.ndarray:
    """The model's input: both blocks side by side, each scaled by its weight."""
    return np.hstack([embeddings * w_embedding, rules * w_rules]).astype(np.float32)


@dataclass
class Prediction:
    """The classifier's call on one text unit."""

    label: str                 # a sub-event type, or ``NO_EVENT``
    probability: float         # the model's probability of ``label``
    confidence: float          # calibrated probability that ``label`` is right
    probabilities: dict[str, float] = field(default_factory=dict)


@dataclass
class Model:
    """Weights of the logistic regression over [embedding * w_embedding, rule features * w_rules]."""

    labels: tuple[str, ...]
    coef: np.ndarray
    intercept: np.ndarray
    cue_names: tuple[str, ...]
    w_embedding: float = 1.0
    w_rules: float = 0.5
    calibration_x: np.ndarray = field(default_factory=lambda: np.array([0.0, 1.0]))
    calibration_y: np.ndarray = field(default_factory=lambda: np.array([0.0, 1.0]))
    about: dict[str, Any] = field(default_factory=dict)

    def features(self, embeddings: np.ndarray, rules: np.ndarray) -> np.ndarray:
        return features(embeddings, rules, self.w_embedding, self.w_rules)

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        scores = features @ self.coef.T + self.intercept
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        return exp / exp.sum(axis=1, keepdims=True)

    def calibrate(self, probability: np.ndarray | float) -> np.ndarray:
        return np.interp(probability, self.calibration_x, self.calibration_y)

    def predict(self, embeddings: np.ndarray, rules: np.ndarray) -> list[Prediction]:
        probs = self.probabilities(self.features(embeddings, rules))
        best = probs.argmax(axis=1)
        confidence = self.calibrate(probs[np.arange(len(best)), best])
        return [Prediction(self.labels[b], float(row[b]), float(c),
                           {label: float(p) for label, p in zip(self.labels, row, strict=True)})
                for row, b, c in zip(probs, best, confidence, strict=True)]

    def save(self, path: Path) -> None:
        np.savez_compressed(path, coef=self.coef.astype(np.float32), intercept=self.intercept.astype(np.float32),
                            calibration_x=self.calibration_x, calibration_y=self.calibration_y,
                            meta=np.array(json.dumps({"labels": list(self.labels), "cue_names": list(self.cue_names),
                                                      "w_embedding": self.w_embedding, "w_rules": self.w_rules,
                                                      "about": self.about})))

    @classmethod
    def read(cls, path: Path) -> Model:
        if not path.is_file():
            raise MidanError(f"classifier model missing: {path}; rebuild it with `make model`")
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            model = cls(tuple(meta["labels"]), data["coef"], data["intercept"], tuple(meta["cue_names"]),
                        meta["w_embedding"], meta["w_rules"], data["calibration_x"], data["calibration_y"],
                        meta.get("about", {}))
        if model.cue_names != CUE_NAMES or model.labels != LABELS:
            raise MidanError(f"classifier model {path} was built for another cue lexicon; rebuild it with `make model`")
        return model


@lru_cache(maxsize=1)
def load() -> Model:
    """The shipped classifier weights, loaded once per process."""
    return Model.read(MODEL_PATH)


def classify(texts: Iterable[str], spacy_model: Language | None = None, batch_size: int = 64,
             model: Model | None = None) -> Iterator[Classification]:
    """Code each text (an event description) as one ACLED sub-event type, or as no ACLED event.

    The evidence mention is the coded mention of the chosen type (else the best coded one), so ``classify``
    still says which words carried the event.
    """
    spacy_model = spacy_model or nlp.load()
    model = model or load()
    batch: list[str] = []
    for text in texts:
        batch.append(text)
        if len(batch) >= batch_size:
            yield from _classify_batch(batch, spacy_model, model)
            batch = []
    if batch:
        yield from _classify_batch(batch, spacy_model, model)


def _classify_batch(texts: list[str], spacy_model: Language, model: Model) -> Iterator[Classification]:
    found = [detect.mentions(doc) for doc in spacy_model.pipe(texts)]
    rules = np.vstack([rule_features(mentions) for mentions in found])
    for prediction, mentions in zip(model.predict(encoder().encode(texts), rules), found, strict=True):
        coded = detect.coded(mentions)
        same = [m for m in coded if m.sub_event_type == prediction.label]
        evidence = max(same or coded, key=lambda m: m.score) if coded else None
        if prediction.label == NO_EVENT:
            yield Classification(None, None, round(prediction.confidence, 3), None)
        else:
            yield Classification(SUB_EVENT_TYPES[prediction.label], prediction.label,
                                 round(prediction.confidence, 3), evidence)
