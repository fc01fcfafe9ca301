"""Event dating on MEANTIME (English, 120 Wikinews articles): which day does each event happen on?

Every event instance of the corpus-level list whose gold time anchor is a day (``YYYY-MM-DD``) and that has a
mention in its article is dated by midan at its first mention (document order); ``accuracy`` is the share of
instances whose predicted day is the gold day. The instance list is shared by the four languages of MEANTIME:
317 of its 603 day-anchored event instances are mentioned in the English articles, some in several, and each
(instance, article) pair counts once (324). An Undated mention counts as wrong, and so does a coarser
prediction: only a day-precision (time_precision 1) date can be right, since a week's midpoint or mid-month is a
convention, not a claim about the day. ``mention_accuracy`` applies the same test to every mention of those
instances. Dating is measured without ACLED's reporting rules (``dating.anchor(..., rules=False)``): an event of
two years ago or a planned one is dated, not discarded as background or threat.

The article text is rebuilt from the annotated tokens: the headline as its own paragraph, then the body (the
Wikinews date line is the publication date; it is passed as such and left out of the text, as a feed gives it).
Anchors: no published figure on this task; the goal is >= 0.80.

    python -m benchmarks.timex_meantime [--json PATH] [--limit N]
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

if not __package__:  # run as a script: python benchmarks/timex_meantime.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks._common import DatasetMissing, dataset, figure, main, report

logger = logging.getLogger(__name__)

FOLDER = ("temporal", "meantime-en")
_DAY = re.compile(r"\d{4}-\d\d-\d\d")
#: tokens written without a space before them, and after them
_NO_SPACE_BEFORE = frozenset({",", ".", ";", ":", "!", "?", ")", "]", "}", "%", "'s", "'", "n't", "'re", "'ve", "'ll",
                              "'d", "'m", "''", "’s"})
_NO_SPACE_AFTER = frozenset({"(", "[", "{", "$", "``"})
_QUOTES = {"``": '"', "''": '"'}
HOWS = ("dependency", "sentence", "previous sentence", "paragraph", "lead", "publication date")


@dataclass
class Article:
    """One MEANTIME article: its rebuilt text, publication date and the gold-dated event instances in it."""

    name: str
    text: str
    dct: dt.date | None
    #: instance id -> character spans (start, end) of its mentions, in document order
    mentions: dict[str, list[tuple[int, int]]] = field(default_factory=dict)


def read_instances(path: Path) -> dict[str, str]:
    """Gold time anchors of the event instances with a day-level anchor: ``{instance_id: "YYYY-MM-DD"}``."""
    gold: dict[str, str] = {}
    header: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        cells = line.split("\t")
        if line.startswith("#ID"):
            header = [c.lstrip("#") for c in cells]
            continue
        if len(cells) < len(header) or not header:
            continue
        row = dict(zip(header, cells, strict=False))
        if row["TYPE"] == "EVENT" and _DAY.fullmatch(row["TIME"]):
            gold[row["ID"]] = row["TIME"]
    return gold


def read_article(path: Path, gold: dict[str, str]) -> Article:
    """Rebuild the text (headline, blank line, body) with each token's character span, and map the mentions of
    gold-dated instances to spans. The date line (second sentence) gives the publication date when the file has
    no CREATION_TIME expression."""
    root = ElementTree.parse(path).getroot()
    tokens = root.findall("token")
    spans: dict[str, tuple[int, int]] = {}
    parts: list[str] = []
    length = 0
    previous_sentence = None
    previous_text = ""
    for token in tokens:
        sentence = token.get("sentence", "0")
        text = token.text or ""
        if sentence == "1":  # the date line
            continue
        if previous_sentence is None:
            gap = ""
        elif sentence != previous_sentence and previous_sentence == "0":
            gap = "\n\n"
        elif sentence != previous_sentence:
            gap = " "
        elif text in _NO_SPACE_BEFORE or previous_text in _NO_SPACE_AFTER:
            gap = ""
        else:
            gap = " "
        shown = _QUOTES.get(text, text)
        parts.append(gap)
        length += len(gap)
        spans[token.get("t_id", "")] = (length, length + len(shown))
        parts.append(shown)
        length += len(shown)
        previous_sentence, previous_text = sentence, text
    markables = root.find("Markables")
    relations = root.find("Relations")
    if markables is None or relations is None:
        raise DatasetMissing(f"{path.name}: no Markables or Relations")
    dct = _creation_date(markables, {t.get("t_id", ""): t.get("sentence", "") for t in tokens})
    mention_tokens = {m.get("m_id", ""): [a.get("t_id", "") for a in m.findall("token_anchor")]
                      for m in markables.findall("EVENT_MENTION")}
    instances = {e.get("m_id", ""): e.get("instance_id", "") for e in markables.findall("EVENT")
                 if e.get("instance_id") in gold}
    article = Article(path.stem, "".join(parts), dct)
    for link in relations.findall("REFERS_TO"):
        target = link.find("target")
        instance = instances.get(target.get("m_id", "") if target is not None else "")
        if not instance:
            continue
        found = []
        for source in link.findall("source"):
            ids = [t for t in mention_tokens.get(source.get("m_id", ""), []) if t in spans]
            if ids:
                found.append(_mention_span(ids, spans))
        if found:
            article.mentions.setdefault(instance, []).extend(found)
    for instance, found in article.mentions.items():
        article.mentions[instance] = sorted(set(found))
    return article


def _mention_span(ids: list[str], spans: dict[str, tuple[int, int]]) -> tuple[int, int]:
    """The span of a mention's tokens; a discontinuous mention ("set ... and release") is its first token."""
    numbers = sorted(int(t) for t in ids)
    if numbers[-1] - numbers[0] + 1 != len(numbers):
        numbers = numbers[:1]
    return spans[str(numbers[0])][0], spans[str(numbers[-1])][1]


def _creation_date(markables: ElementTree.Element, sentence_of: dict[str, str]) -> dt.date | None:
    timexes = markables.findall("TIMEX3")
    chosen = [t for t in timexes if t.get("functionInDocument") == "CREATION_TIME"]
    chosen += [t for t in timexes if any(sentence_of.get(a.get("t_id", "")) == "1" for a in t.findall("token_anchor"))]
    for timex in chosen:
        try:
            return dt.date.fromisoformat(timex.get("value", "")[:10])
        except ValueError:
            continue
    return None


def run(limit: int | None = None) -> dict[str, Any]:
    from midan import dating, nlp, timex

    folder = dataset(*FOLDER)
    gold = read_instances(folder / "list_instances.csv")
    files = sorted((folder / "intra-doc_annotation").glob("*/*.xml"))
    if limit:
        files = files[:limit]
    articles = [read_article(p, gold) for p in files]
    docs = list(nlp.parse(a.text for a in articles))
    right: Counter[str] = Counter()
    total: Counter[str] = Counter()
    mentions_right = mentions_total = 0
    errors: list[dict[str, Any]] = []
    reasons: Counter[str] = Counter()
    for article, doc in zip(articles, docs, strict=True):
        timexes = timex.tag(article.text, article.dct, doc)
        for instance, spans in sorted(article.mentions.items(), key=lambda item: item[1][0]):
            wanted = dt.date.fromisoformat(gold[instance])
            for number, (start, end) in enumerate(spans):
                span = doc.char_span(start, end, alignment_mode="expand")
                if span is None:
                    logger.warning("%s: no tokens at %d-%d", article.name, start, end)
                    continue
                dated = dating.anchor(span.root, timexes, article.dct, rules=False)
                ok = isinstance(dated, dating.EventDate) and dated.time_precision == 1 and dated.event_date == wanted
                mentions_right += ok
                mentions_total += 1
                if number:
                    continue
                how = dated.how if isinstance(dated, dating.EventDate) else "undated"
                same = "dct" if wanted == article.dct else "other"
                for key in ("all", f"how:{how}", f"gold:{same}"):
                    total[key] += 1
                    right[key] += ok
                if not ok:
                    predicted = (f"{dated.event_date} p{dated.time_precision} ({dated.how}"
                                 f"{': ' + dated.timex.text if dated.timex else ''})"
                                 if isinstance(dated, dating.EventDate) else f"undated: {dated.reason}")
                    reasons[how if isinstance(dated, dating.EventDate) else "undated"] += 1
                    errors.append({"article": article.name, "gold": gold[instance], "dct": str(article.dct),
                                   "mention": span.text, "sentence": span.sent.text, "predicted": predicted})

    def share(key: str) -> float | None:
        return right[key] / total[key] if total[key] else None

    figures = {
        "accuracy": figure("event-to-date accuracy (day-level gold, first mention)", share("all"), gate=True),
        "mention_accuracy": figure("event-to-date accuracy, every mention", mentions_right / mentions_total
                                   if mentions_total else None, gate=True),
        "accuracy_gold_is_publication_date": figure("accuracy, gold day = publication date", share("gold:dct")),
        "accuracy_gold_other_day": figure("accuracy, gold day another day", share("gold:other")),
    }
    for how in (*HOWS, "undated"):
        name = how.replace(" ", "_")
        figures[f"accuracy_{name}"] = figure(f"accuracy when dated by {how} ({total[f'how:{how}']} instances)",
                                             share(f"how:{how}"))
    figures["instances"] = figure("instances (day-level gold, with a mention)", total["all"], digits=0)
    figures["instances_gold_is_publication_date"] = figure("instances whose gold day is the publication date",
                                                           total["gold:dct"], digits=0)
    figures["mentions"] = figure("mentions of those instances", mentions_total, digits=0)
    figures["documents"] = figure("documents", len(articles), digits=0)
    return {
        "benchmark": "timex_meantime",
        "dataset": "meantime-en/intra-doc_annotation + list_instances.csv",
        "command": "python -m benchmarks.timex_meantime",
        "figures": figures,
        "notes": [
            "only a day-precision date can be right; Undated counts as wrong",
            "dated without ACLED's reporting-window rules (anchor(..., rules=False))",
            "the date line is the publication date, left out of the text",
            "an instance mentioned in several articles counts once per article",
        ],
        "details": {"how": {k: [right[k], total[k]] for k in sorted(total)}, "errors_by_how": dict(reasons),
                    "errors": errors},
    }


def show(f: dict[str, Any]) -> None:
    figures = f["figures"]
    report(f"MEANTIME, {figures['documents']['value']} documents, {figures['instances']['value']} event instances",
           [(item["label"], item["value"], "≥ 0.80 (goal)" if name == "accuracy" else item["anchor"])
            for name, item in figures.items()])
    print("  wrong, by how the first mention was dated:", dict(f["details"]["errors_by_how"]))


if __name__ == "__main__":
    main(run, show, __doc__)
