"""Fitting the de-duplication model (``midan/data/dedup.json``) on reports of the same events by different outlets.

Data:

* FA-KES (``../shared/datasets/fa-kes/dev.csv``): 384 reports of the Syrian war from many outlets, each coded with
  the day, the place and the cause of its main event. Two reports are of one event when those three agree (45
  days-and-places have several reports: the Ghouta chemical attack, the Hasakah bakery bombing...). The coding is
  the article's, not the record's, and half the reports were altered (the dataset is about fake news), so its
  labels are noisy;
* ``benchmarks/data/dedup/reports.jsonl``: reports written for midan (MIT, like the code) of 26 invented events in
  many countries, most told by three outlets with the place, the day, the toll and the actors worded differently,
  and events easily confused with them (the same town a few days apart, the same day next door).

Two hand checks (``benchmarks/data/dedup``, written for midan): ``written_records.jsonl`` says which event each
sentence a record of the written reports rests on tells of (a report often recalls another event of the set:
a record-level gold, so the decision is measured on records, not reports); ``fakes_checked.jsonl`` gives a reader's
verdict on 28 FA-KES pairs (14 the dataset calls one event, 14 it calls two that the first model merged most
confidently): ``same``, ``different``, ``records-same`` (different main events, but one report recalls the other's)
or ``background`` (one report names the event only in passing, weeks later).

midan codes every report as a user's would be; the record it is most confident of stands for the report, and
every pair of such records in one block (:func:`midan.dedup.comparable`) is a training pair, labelled by the
reports' own coding. Only the weights leave this module.

    python -m midan.training_dedup [--shared ../shared]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import logging
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from midan import dedup
from midan.schema import Article, Event

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
C = 1.0
FOLDS = 5
#: the probability from which a pair is merged: above the balanced classes' 0.5, since a wrong merge hides an event
#: (chosen on the cross-validated lead pairs of both sets: 0.7 / 0.8 / 0.85 / 0.9 gave F1 0.328 / 0.358 / 0.380 /
#: 0.313 on FA-KES and 0.366 / 0.377 / 0.377 / 0.353 on the written reports; 0.8, the lower end of the plateau)
THRESHOLD = 0.8
_LEAD = re.compile(r"^\s*(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)\w*\s+(\d{1,2})\s+([A-Z][a-z]{2})\w*\s+(\d{4})")
_MONTHS = {m: i for i, m in enumerate(("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                                       "Dec"), 1)}


@dataclass
class Report:
    """One coded report: the article, the event its coders gave it (day, place, cause), midan's lead record and
    every record midan coded from it (most confident first)."""

    article: Article
    key: tuple[str, str, str]
    record: Event | None = None
    records: list[Event] = field(default_factory=list)


def fakes(shared: Path) -> list[Report]:
    """The FA-KES reports with a text, published on the day their dateline gives (else the event's day)."""
    path = shared / "datasets" / "fa-kes" / "dev.csv"
    reports = []
    with path.open(encoding="utf-8", errors="replace", newline="") as handle:
        for row in csv.DictReader(handle):
            text = (row.get("article_content") or "").strip()
            if not text:
                continue
            month, day, year = (int(x) for x in row["date"].split("/"))
            event_day = dt.date(2000 + year if year < 100 else year, month, day)
            found = _LEAD.match(text)
            published = event_day
            if found and found.group(2) in _MONTHS:
                try:
                    published = dt.date(int(found.group(3)), _MONTHS[found.group(2)], int(found.group(1)))
                except ValueError:
                    pass
            article = Article(id=f"fakes-{row['unit_id']}", text=text, title=row.get("article_title", ""),
                              published=published, source=row.get("source", ""))
            reports.append(Report(article, (event_day.isoformat(), row["location"].strip().lower(),
                                            row["cause_of_death"].strip().lower())))
    return reports


PARAPHRASES = ROOT / "benchmarks" / "data" / "dedup" / "reports.jsonl"


def paraphrases(path: Path = PARAPHRASES) -> list[Report]:
    """The reports written for midan, each with the id of its main event."""
    reports = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        article = Article(id=row["id"], text=row["text"], title=row.get("title", ""), source=row.get("source", ""),
                          published=dt.date.fromisoformat(row["published"]))
        reports.append(Report(article, (row["event"], row.get("country", ""), "")))
    return reports


WRITTEN_RECORDS = ROOT / "benchmarks" / "data" / "dedup" / "written_records.jsonl"
FAKES_CHECKED = ROOT / "benchmarks" / "data" / "dedup" / "fakes_checked.jsonl"


def _jsonl(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def checked_records(reports: Sequence[Report], path: Path = WRITTEN_RECORDS) -> tuple[Pairs, int]:
    """Every pair of records of two different reports whose event the hand check gives (by the offset of the first
    sentence the record's event rests on), labelled 1 when both tell of one event of the set; and how many records
    the check does not cover (a record on a sentence it does not list)."""
    told = {(str(row["report"]), int(str(row["start"]))): row["event"] for row in _jsonl(path)}
    found: list[tuple[Report, Event, object]] = []
    unchecked = 0
    for report in reports:
        for item in report.records:
            start = min((e.start for e in item.evidence if e.field == "event"), default=-1)
            if (report.article.id, start) in told:
                found.append((report, item, told[report.article.id, start]))
            else:
                unchecked += 1
    sims = dedup.cosines([item for _, item, _ in found], [item for _, item, _ in found])
    rows, labels, groups, gold, unblocked, dropped = [], [], [], 0, 0, Counter[str]()
    for i, (ra, a, ea) in enumerate(found):
        for j in range(i + 1, len(found)):
            rb, b, eb = found[j]
            if ra is rb:
                continue
            same = ea is not None and ea == eb
            gold += same
            if not dedup.comparable(a, b):
                unblocked += same
                if same:
                    dropped["+".join(dedup.outside_block(a, b))] += 1
                continue
            rows.append(dedup.features(a, b, float(sims[i, j])))
            labels.append(int(same))
            groups.append(min(ra.key[1], rb.key[1]))
    width = len(dedup.FEATURES)
    return Pairs(np.vstack(rows) if rows else np.zeros((0, width)), np.array(labels, dtype=int), groups, unblocked,
                 gold, gold, dict(dropped)), unchecked


def fakes_verdicts(reports: Sequence[Report], path: Path = FAKES_CHECKED) -> dict[str, dict[str, int]]:
    """The hand-checked FA-KES pairs: for the pairs the dataset calls one event and those it calls two, how many
    a reader found to be each verdict."""
    keys = {r.article.id: r.key for r in reports}
    found: dict[str, Counter[str]] = {"dataset_same": Counter(), "dataset_different": Counter()}
    for row in _jsonl(path):
        a, b = str(row["a"]), str(row["b"])
        if a in keys and b in keys:
            found["dataset_same" if keys[a] == keys[b] else "dataset_different"][str(row["verdict"])] += 1
    return {name: dict(counts) for name, counts in found.items()}


def code(reports: Sequence[Report]) -> None:
    """midan's records of each report, and its lead record: the one it is most confident of (None when it codes
    none)."""
    from midan.pipeline import Pipeline

    for report, analysis in zip(reports, Pipeline().pipe([r.article for r in reports]), strict=True):
        report.records = sorted(analysis.events, key=lambda e: -e.confidence)
        report.record = report.records[0] if report.records else None


@dataclass
class Pairs:
    rows: np.ndarray
    labels: np.ndarray
    groups: list[str]
    #: pairs of one event that the block never compares (counted as missed)
    unblocked_same: int
    #: every pair of one event among the reports, coded or not
    gold_same: int
    #: the pairs of one event whose two reports both have a lead record (what the decision alone can find)
    coded_same: int = 0
    #: why the block drops pairs of one event: "country", "family", "days" or their combinations, with counts
    dropped: dict[str, int] = field(default_factory=dict)
    #: every pair of reports with a pair of records in one block: its label and the features of each such pair
    #: of records (the store compares every record of a report, not only the lead)
    every: list[tuple[int, str, np.ndarray]] = field(default_factory=list)

    @property
    def ceiling(self) -> float:
        """The highest recall over every pair of reports that a perfect decision on the lead records reaches."""
        return (self.coded_same - self.unblocked_same) / self.gold_same if self.gold_same else 0.0

    @property
    def every_ceiling(self) -> float:
        """The same when every record of a report may stand for it."""
        return sum(label for label, _, _ in self.every) / self.gold_same if self.gold_same else 0.0


def pairs(reports: Sequence[Report]) -> Pairs:
    """Every blocked pair of lead records with its features and label (1: the reports code one event), and every
    blocked pair of the reports' records (for :attr:`Pairs.every`)."""
    coded = [r for r in reports if r.record is not None]
    everything = [e for r in coded for e in r.records]
    sims = dedup.cosines(everything, everything)
    starts = np.cumsum([0] + [len(r.records) for r in coded])
    rows, labels, groups, unblocked, dropped, every = [], [], [], 0, Counter[str](), []
    for i, a in enumerate(coded):
        for j in range(i + 1, len(coded)):
            b = coded[j]
            same = a.key == b.key
            assert a.record is not None and b.record is not None
            candidates = [dedup.features(x, y, float(sims[starts[i] + m, starts[j] + n]))
                          for m, x in enumerate(a.records) for n, y in enumerate(b.records)
                          if dedup.comparable(x, y)]
            # folds by place (FA-KES) or country (the written reports): an event's reports stay on one side
            group = min(a.key[1], b.key[1])
            if candidates:
                every.append((int(same), group, np.vstack(candidates)))
            if not dedup.comparable(a.record, b.record):
                unblocked += same
                if same:
                    dropped["+".join(dedup.outside_block(a.record, b.record))] += 1
                continue
            rows.append(dedup.features(a.record, b.record, float(sims[starts[i], starts[j]])))
            labels.append(int(same))
            groups.append(group)
    gold = sum(1 for i, a in enumerate(reports) for b in reports[i + 1:] if a.key == b.key)
    both = sum(1 for i, a in enumerate(coded) for b in coded[i + 1:] if a.key == b.key)
    width = len(dedup.FEATURES)
    return Pairs(np.vstack(rows) if rows else np.zeros((0, width)), np.array(labels, dtype=int), groups, unblocked,
                 gold, both, dict(dropped), every)


def fit(rows: np.ndarray, labels: np.ndarray, c: float = C) -> dedup.Model:
    from sklearn.linear_model import LogisticRegression

    # balanced: one pair in thirty is of one event, and unbalanced weights merged almost nothing
    regression = LogisticRegression(C=c, max_iter=5000, class_weight="balanced")
    regression.fit(rows, labels)
    return dedup.Model(tuple(float(w) for w in regression.coef_[0]), float(regression.intercept_[0]), THRESHOLD)


def cross_validate(data: Pairs, c: float = C, folds: int = FOLDS) -> np.ndarray:
    """Out-of-fold probabilities, the folds split by place."""
    from sklearn.model_selection import GroupKFold

    out = np.zeros(len(data.labels))
    for train, test in GroupKFold(n_splits=folds).split(data.rows, data.labels, data.groups):
        out[test] = fit(data.rows[train], data.labels[train], c).probabilities(data.rows[test])
    return out


def pairwise(predicted: np.ndarray, data: Pairs, labels: np.ndarray | None = None,
             among: int | None = None) -> dict[str, float]:
    """Pairwise precision, recall and F1 of "one event" over every pair of reports (the block's misses and the
    reports midan coded no record for count against recall); ``among``: the pairs of one event recall is taken
    over instead (:attr:`Pairs.coded_same`: the decision alone); ``labels``: those of ``predicted`` when they are
    not the lead pairs'."""
    labels = data.labels if labels is None else labels
    tp = int((predicted & (labels == 1)).sum())
    n_pred = int(predicted.sum())
    total = data.gold_same if among is None else among
    precision = tp / n_pred if n_pred else 0.0
    recall = tp / total if total else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4), "pairs": n_pred,
            "right": tp}


def combined(sets: dict[str, Pairs]) -> Pairs:
    """The pairs of several sets as one (the groups named by set, so no fold mixes them up)."""
    listed = list(sets.items())
    return Pairs(np.vstack([p.rows for _, p in listed]), np.concatenate([p.labels for _, p in listed]),
                 [f"{name}:{g}" for name, p in listed for g in p.groups], sum(p.unblocked_same for _, p in listed),
                 sum(p.gold_same for _, p in listed))


def evaluate(sets: dict[str, Pairs], c: float = C, threshold: float = THRESHOLD) -> dict[str, dict[str, float]]:
    """Pairwise figures of each set (over every pair of reports) from out-of-fold probabilities over all sets
    together."""
    return {name: found["end_to_end"] for name, found in assess(sets, c, threshold).items()}


def assess(sets: dict[str, Pairs], c: float = C, threshold: float = THRESHOLD,
           held: dict[str, tuple[str, Pairs]] | None = None) -> dict[str, dict[str, dict[str, float]]]:
    """Each set's pairwise figures from out-of-fold probabilities: ``end_to_end`` (every pair of reports),
    ``decision`` (the pairs whose reports both have a lead record: the de-duplication decision alone), and the
    same two when a pair of reports is one event if its best-matching pair of records is (``every_end_to_end``,
    ``every_decision``; the record pairs scored by the model of the fold that held the pair out). ``held``: more
    pairs, named, each with the set whose folds it follows (e.g. :func:`checked_records`), scored the same way and
    never fitted on."""
    from sklearn.model_selection import GroupKFold

    together = combined(sets)
    oof = cross_validate(together, c)
    # the record pairs of each pair of reports scored by the model whose fold left out the pair's place
    folds: dict[str, int] = {}
    models: dict[int, dedup.Model] = {}
    for k, (train, test) in enumerate(GroupKFold(n_splits=FOLDS).split(together.rows, together.labels,
                                                                        together.groups)):
        folds.update({together.groups[i]: k for i in test})
        models[k] = fit(together.rows[train], together.labels[train], c)
    full = fit(together.rows, together.labels, c)  # a place with no lead pair: no fold saw it
    found, start = {}, 0
    for name, data in sets.items():
        part = oof[start:start + len(data.labels)]
        start += len(data.labels)
        scores = np.array([(models[folds[f"{name}:{group}"]] if f"{name}:{group}" in folds else full)
                           .probabilities(rows).max() for _, group, rows in data.every])
        labels = np.array([label for label, _, _ in data.every], dtype=int)
        found[name] = {"end_to_end": pairwise(part >= threshold, data),
                       "decision": pairwise(part >= threshold, data, among=data.coded_same),
                       "every_end_to_end": pairwise(scores >= threshold, data, labels),
                       "every_decision": pairwise(scores >= threshold, data, labels, among=data.coded_same)}
    for name, (owner, data) in (held or {}).items():
        scores = np.array([(models[folds[f"{owner}:{group}"]] if f"{owner}:{group}" in folds else full)
                           .probabilities(row[None, :])[0] for row, group in zip(data.rows, data.groups, strict=True)])
        found.setdefault(owner, {})[name] = pairwise(scores >= threshold, data)
    return found


def build(shared: Path, out: Path = dedup.MODEL_PATH) -> dict[str, object]:
    sets: dict[str, Pairs] = {}
    for name, reports in (("fa-kes", fakes(shared)), ("written", paraphrases())):
        code(reports)
        sets[name] = pairs(reports)
    assessed = assess(sets)
    about = {"cv": {name: parts["end_to_end"] for name, parts in assessed.items()},
             "cv_decision": {name: parts["decision"] for name, parts in assessed.items()}, "c": C,
             "threshold": THRESHOLD,
             "pairs": {name: len(p.labels) for name, p in sets.items()},
             "data": "FA-KES dev (fa-kes/dev.csv) and benchmarks/data/dedup/reports.jsonl"}
    together = combined(sets)
    model = fit(together.rows, together.labels)
    dedup.Model(model.weights, model.bias, THRESHOLD, about).save(out)
    logger.info("de-duplication model written to %s: %s", out, about)
    return about


def main() -> None:
    parser = argparse.ArgumentParser(description="Fit midan's cross-article de-duplication model.")
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--out", type=Path, default=dedup.MODEL_PATH)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    print(json.dumps(build(args.shared, args.out), indent=2))


if __name__ == "__main__":
    main()
