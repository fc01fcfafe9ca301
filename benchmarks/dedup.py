"""Cross-article de-duplication: pairwise precision, recall and F1 of "the same event" over reports by different
outlets, from cross-validated predictions of midan's de-duplication model (``midan/dedup.py``).

Data (see ``midan/training_dedup.py``): FA-KES dev (``../shared/datasets/fa-kes/dev.csv``, 384 reports of the Syrian
war; two reports are of one event when the dataset codes the same day, place and cause; noisy: the coding is of the
article, and the dataset altered half of them) and the reports written for midan in
``benchmarks/data/dedup/reports.jsonl`` (26 invented events, most told by three outlets in different words, and
events easily confused with them). Each report is coded by midan's whole pipeline; its most confident record
stands for it. Every pair of reports counts: a pair of one event that the block never compares, or whose report
midan coded no record for, is a miss. The folds are split by place (FA-KES) or country (written reports), and the
model is fitted on both sets' other folds. Beside it: what midan did before (records merge only when their identity
hashes are equal).

Beside the end-to-end figure, per set: the decision alone (the same predictions, recall over the pairs of one event
whose two reports both have a lead record), the recall ceiling of the end-to-end figure (the share of pairs of one
event whose reports both have a lead record and whose lead records the block compares), how many pairs of one event
the block drops and why (country, event-type family, days apart), and the same figures when a pair of reports is
one event if its best-matching pair of records is (``every``: the store compares every record of a report).
Then the decision on records rather than reports: every pair of records of two written reports whose event a hand
check gives (``benchmarks/data/dedup/written_records.jsonl``), and how a reader judged 28 FA-KES pairs
(``fakes_checked.jsonl``; see ``midan/training_dedup.py``).

    python benchmarks/dedup.py [--json PATH] [--limit N]   (--limit: the first N reports of each set)
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np

if not __package__:  # run as a script: python benchmarks/dedup.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks import _common
from benchmarks._common import Timer, datasets_dir, figure

COMMAND = "python benchmarks/dedup.py"
TARGET = 0.90


def run(limit: int | None = None) -> dict[str, Any]:
    from midan import training_dedup as training

    shared = datasets_dir().parent
    sets, hashed, held, unchecked, verdicts = {}, {}, {}, 0, {}
    with Timer() as timer:
        for name, reports in (("fa-kes", training.fakes(shared)), ("written", training.paraphrases())):
            reports = reports[:limit] if limit else reports
            training.code(reports)
            sets[name] = training.pairs(reports)
            if name == "written":
                held["records_checked"] = ("written", training.checked_records(reports)[0])
                unchecked = training.checked_records(reports)[1]
            else:
                verdicts = training.fakes_verdicts(reports)
            coded = [r for r in reports if r.record is not None]
            same_id = np.array([a.record.event_id_cnty == b.record.event_id_cnty  # type: ignore[union-attr]
                                for i, a in enumerate(coded) for b in coded[i + 1:]
                                if training.dedup.comparable(a.record, b.record)])  # type: ignore[arg-type]
            hashed[name] = training.pairwise(same_id, sets[name])
    assessed = training.assess(sets, held=held)
    found = {name: parts["end_to_end"] for name, parts in assessed.items()}
    figures = {}
    for name, label in (("written", "written reports (26 events)"), ("fa-kes", "FA-KES dev")):
        figures[f"{name}_f1"] = figure(f"{label}: pairwise F1 of the same event (cross-validated)",
                                       found[name]["f1"], TARGET)
        figures[f"{name}_precision"] = figure(f"{label}: pairwise precision", found[name]["precision"])
        figures[f"{name}_recall"] = figure(f"{label}: pairwise recall", found[name]["recall"])
        figures[f"{name}_identity_f1"] = figure(f"{label}: F1 of identity hashes alone (before)", hashed[name]["f1"])
        decision = assessed[name]["decision"]
        figures[f"{name}_decision_f1"] = figure(f"{label}: F1 of the decision alone (pairs whose reports both have "
                                                "a lead record)", decision["f1"])
        figures[f"{name}_decision_precision"] = figure(f"{label}: precision of the decision alone",
                                                       decision["precision"])
        figures[f"{name}_decision_recall"] = figure(f"{label}: recall of the decision alone", decision["recall"])
        figures[f"{name}_recall_ceiling"] = figure(f"{label}: end-to-end recall ceiling (both reports coded, lead "
                                                   "records in one block)", sets[name].ceiling)
        figures[f"{name}_every_f1"] = figure(f"{label}: pairwise F1, best-matching pair of every record",
                                             assessed[name]["every_end_to_end"]["f1"])
        figures[f"{name}_every_decision_f1"] = figure(f"{label}: F1 of the decision alone, best-matching pair of "
                                                      "every record", assessed[name]["every_decision"]["f1"])
        figures[f"{name}_every_recall_ceiling"] = figure(f"{label}: recall ceiling, every record",
                                                         sets[name].every_ceiling)
    checked = assessed["written"]["records_checked"]
    figures["written_records_checked_f1"] = figure("written reports: F1 of the decision on hand-checked records "
                                                   "(pairs of records of one event, any report)", checked["f1"])
    figures["written_records_checked_precision"] = figure("written reports: precision on hand-checked records",
                                                          checked["precision"])
    figures["written_records_checked_recall"] = figure("written reports: recall on hand-checked records",
                                                       checked["recall"])
    return {"benchmark": "dedup", "dataset": "FA-KES dev + benchmarks/data/dedup/reports.jsonl",
            "command": COMMAND, "figures": figures, "seconds": round(timer.seconds, 1),
            "details": {"cross_validated": assessed, "identity_hashes": hashed,
                        "records_checked": {"pairs_of_one_event": held["records_checked"][1].gold_same,
                                            "outside_the_block": held["records_checked"][1].unblocked_same,
                                            "dropped_by_the_block": held["records_checked"][1].dropped,
                                            "records_not_checked": unchecked},
                        "fa-kes_checked_pairs": verdicts,
                        "pairs": {n: {"blocked": len(p.labels), "same_event": p.gold_same,
                                      "same_event_both_coded": p.coded_same,
                                      "same_event_outside_the_block": p.unblocked_same,
                                      "same_event_dropped_by_the_block": p.dropped,
                                      "recall_ceiling": round(p.ceiling, 4),
                                      "every_record_recall_ceiling": round(p.every_ceiling, 4)}
                                  for n, p in sets.items()}}}


if __name__ == "__main__":
    sys.exit(_common.main(run, doc=__doc__))
