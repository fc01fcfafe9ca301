"""Training the toponym ranker (``make geo-model``): gold place names of LGL and GeoWebNews.

Every article of the training folds (article index % 5 != 0; the test folds are what ``benchmarks/geo_lgl_gwn.py``
reports) is parsed, its gold toponym spans are looked up in the gazetteer by the geoparser
(:func:`midan.geo.place_mentions`), and each candidate is marked right (the gold GeoNames entry, else within 161 km
of the gold point) or wrong. :func:`midan.georank.fit` fits both stages of the ranker on them and the weights are
written to ``midan/data/georank.json``; scikit-learn is needed only here.

    python -m midan.training_georank [--shared ../shared] [--out midan/data/georank.json]
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path
from typing import Any

from midan import geo, nlp
from midan.gazetteer import Gazetteer, Place
from midan.georank import WEIGHTS, accuracy, fit, read_corpus, right
from midan.mention import PlaceMention

logger = logging.getLogger(__name__)


def gold_mentions(doc: Any, gold: list[tuple[int, int, float, float, int | None]], gazetteer: Any,
                  ) -> list[tuple[PlaceMention, tuple[float, float, int | None]]]:
    """The gold toponyms of a parsed article as mentions (with candidates), each with its gold point and id."""
    spans, golds = [], {}
    for start, end, lat, lon, gid in gold:
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is not None and span.start_char not in golds:
            spans.append(span)
            golds[span.start_char] = (lat, lon, gid)
    return [(m, golds[m.span.start_char]) for m in geo.place_mentions(spans, gazetteer, given=True)]


def _targets(places: list[Place], gold: tuple[float, float, int | None]) -> list[bool]:
    """What the ranker should choose: the gold entry when it is a candidate (so a town beats the province of the
    same name around it), else any candidate within 161 km of the gold point."""
    exact = [p.geonames_id == gold[2] for p in places]
    return exact if any(exact) else [right(p, gold) for p in places]


def _labelled(shared: Path, test: bool = False) -> list[tuple[list[PlaceMention], list[list[bool]]]]:
    """Gold-span mentions of the LGL and GeoWebNews folds, each candidate marked right or wrong."""
    gazetteer = Gazetteer()
    out = []
    for corpus in ("LGL", "GWN"):
        articles = [a for i, a in enumerate(read_corpus(shared / "datasets", corpus)) if (i % 5 == 0) == test]
        for article, doc in zip(articles, nlp.parse(a["text"] for a in articles), strict=True):
            pairs = gold_mentions(doc, article["gold"], gazetteer)
            out.append(([m for m, _ in pairs], [_targets(m.places, g) for m, g in pairs]))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared")
    parser.add_argument("--out", type=Path, default=WEIGHTS)
    parser.add_argument("--c", type=float, default=1.0, help="inverse regularisation of the first stage")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    train = _labelled(args.shared)
    weights = fit(train, args.c)
    weights["trained_on"] = "LGL + GeoWebNews, articles with index % 5 != 0 (gold toponym spans)"
    logger.info("training-fold accuracy of the chosen candidates: %.4f", accuracy(train, weights))
    args.out.write_text(json.dumps(weights, indent=1) + "\n", encoding="utf-8")
    logger.info("wrote %s", args.out)


if __name__ == "__main__":
    main()
