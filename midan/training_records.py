"""Training the record confidence model (``make model``): whole articles coded event by event.

The data is ``training/article-events/annotations.jsonl``: 400 real news articles (HRDsAttack and FA-KES reports
outside the article-events dev set), each read whole and coded event by event for midan under the dev set's
codebook (``../shared/datasets/article-events/CODEBOOK.md``). Only the coding is in this repository: ids,
publication dates and events with character offsets of their evidence. The texts are rebuilt from the public
datasets in ``../shared/datasets`` (``hrds-attack/{train,dev}.json``, ``fa-kes/dev.csv``) exactly as the dev set
builds them, so nothing of the articles is copied here.

Each article goes through the whole pipeline; every record it assembles is labelled by the shared scorer
(``../shared/tools/score_events.py``): 1 when it matches a gold event (required or optional), 0 when it is
spurious. A logistic regression over the records' features (:mod:`midan.confidence`) is fitted on them. The dev set
is never used here, so its figures (``benchmarks/article_events.py``) are held out.

    python -m midan.training_records [--shared ../shared] [--out midan/data/confidence.json]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import html
import importlib.util
import json
import logging
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from midan import confidence
from midan.schema import Article

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
ANNOTATIONS = ROOT / "training" / "article-events" / "annotations.jsonl"
#: inverse regularisation of the logistic regression (a small grid, cross-validated by article on the annotations)
C = 0.1
FOLDS = 5

_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


def hrds_text(interface: str) -> str:
    """An HRDsAttack article as the article-events set writes it: its HTML paragraphs as plain text, each on one
    line of single-spaced words, joined by blank lines."""
    paragraphs = (html.unescape(_TAG.sub("", p)).strip() for p in _PARAGRAPH.findall(interface))
    lines = "\n\n".join(paragraphs).split("\n\n")
    return "\n\n".join(" ".join(p.split()) for p in lines if p.strip())


def shared_texts(shared: Path) -> dict[str, tuple[str, str]]:
    """Every article of the shared HRDsAttack and FA-KES files by article-events id: ``(title, text)``."""
    datasets = shared / "datasets"
    found: dict[str, tuple[str, str]] = {}
    for split in ("train", "dev"):
        path = datasets / "hrds-attack" / f"{split}.json"
        if path.is_file():
            for i, item in enumerate(json.loads(path.read_text(encoding="utf-8"))):
                sample = item["sample"]
                found[f"hrds-{split}-{i:03d}"] = (sample["Input.title"], hrds_text(sample["Input.article_interface"]))
    path = datasets / "fa-kes" / "dev.csv"
    if path.is_file():
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                found[f"fakes-{row['unit_id']}"] = (row["article_title"], row["article_content"].rstrip())
    return found


def annotated(shared: Path, path: Path = ANNOTATIONS) -> list[dict[str, Any]]:
    """The annotated articles in the article-events gold format (text and evidence filled in from the shared
    data); articles whose source is missing are left out with a warning."""
    texts = shared_texts(shared)
    articles = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        if row["id"] not in texts:
            logger.warning("%s: article not found in %s; left out", row["id"], shared / "datasets")
            continue
        title, text = texts[row["id"]]
        events = []
        for event in row["events"]:
            start, end = event.pop("evidence_start"), event.pop("evidence_end")
            if not 0 <= start < end <= len(text):
                raise ValueError(f"{row['id']} {event['id']}: evidence offsets outside the text")
            events.append({**event, "evidence": text[start:end]})
        articles.append({**row, "title": title, "text": text, "events": events})
    return articles


def scorer(shared: Path) -> ModuleType:
    """The shared event scorer (``tools/score_events.py``), imported from where it lies."""
    path = shared / "tools" / "score_events.py"
    spec = importlib.util.spec_from_file_location("score_events", path)
    if spec is None or spec.loader is None or not path.is_file():
        raise FileNotFoundError(f"{path} not found")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def to_articles(gold: Iterable[dict[str, Any]]) -> list[Article]:
    return [Article(id=a["id"], text=a["text"], title=a.get("title", ""), source=a.get("source", ""),
                    published=dt.date.fromisoformat(a["published"]) if a.get("published") else None) for a in gold]


def labelled_records(gold: Sequence[dict[str, Any]], score_events: ModuleType,
                     pipeline: Any = None) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Feature rows, labels (1: the record matches a gold event) and article ids of every record the pipeline
    assembles for the gold articles, before its confidence threshold."""
    from midan.pipeline import Pipeline

    pipeline = pipeline or Pipeline(min_confidence=0.0, record_model=None)
    by_id = {a["id"]: a for a in gold}
    rows, labels, groups = [], [], []
    for analysis in pipeline.pipe(to_articles(gold)):
        records = [event.to_dict() for event, _ in analysis.candidates]
        result = score_events.score_article(by_id[analysis.article.id].get("events", []), records)
        spurious = {id(r) for r in result["spurious_records"]}
        for record, (_, features) in zip(records, analysis.candidates, strict=True):
            rows.append(confidence.vector(features))
            labels.append(0 if id(record) in spurious else 1)
            groups.append(analysis.article.id)
    if not rows:
        return np.zeros((0, len(confidence.FEATURES))), np.zeros(0, dtype=int), []
    return np.vstack(rows), np.array(labels, dtype=int), groups


def cross_validate(rows: np.ndarray, labels: np.ndarray, groups: Sequence[str], c: float = C,
                   folds: int = FOLDS) -> np.ndarray:
    """Out-of-fold probabilities, the folds split by article."""
    from sklearn.model_selection import GroupKFold

    out = np.zeros(len(labels))
    for train, test in GroupKFold(n_splits=folds).split(rows, labels, groups):
        out[test] = confidence.fit(rows[train], labels[train], c=c).probabilities(rows[test])
    return out


def build(shared: Path, out: Path = confidence.MODEL_PATH) -> dict[str, Any]:
    """Fit the record model on every annotated article and save it; report its cross-validated log loss."""
    from sklearn.metrics import log_loss, roc_auc_score

    gold = annotated(shared)
    rows, labels, groups = labelled_records(gold, scorer(shared))
    oof = cross_validate(rows, labels, groups)
    about = {"articles": len(gold), "records": len(labels), "right": int(labels.sum()), "c": C,
             "cv_auc": round(float(roc_auc_score(labels, oof)), 4),
             "cv_log_loss": round(float(log_loss(labels, oof)), 4),
             "data": "training/article-events/annotations.jsonl"}
    model = confidence.fit(rows, labels, c=C, about=about)
    model.save(out)
    logger.info("record confidence model written to %s: %s", out, about)
    return about


def main() -> None:
    parser = argparse.ArgumentParser(description="Train midan's record confidence model.")
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--out", type=Path, default=confidence.MODEL_PATH)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    print(json.dumps(build(args.shared, args.out), indent=2))


if __name__ == "__main__":
    main()
