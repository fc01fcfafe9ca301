"""Training the toponym ranker (``make geo-model``): gold place names of LGL and GeoWebNews.

Every article of the training folds (article index % 5 != 0; the test folds are what ``benchmarks/geo_lgl_gwn.py``
reports) is parsed, its gold toponym spans are looked up in the gazetteer by the geoparser
(:func:`midan.geo.place_mentions`), and each candidate is marked right (the gold GeoNames entry, else within 161 km
of the gold point) or wrong. :func:`midan.georank.fit` fits both stages of the ranker on them and the weights are
written to ``midan/data/georank.json``; scikit-learn is needed only here.

The home prior (``--home``) is learnt from LGL, whose articles name their paper's web domain: the home of each
paper is in ``training/lgl-homes/homes.tsv``. Each LGL training article is given twice, with its home and without
(as a user who gives none), so the ranker learns both.

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
from midan.georank import WEIGHTS, Labelled, accuracy, fit, read_corpus, right
from midan.mention import PlaceMention

logger = logging.getLogger(__name__)

HOMES = Path(__file__).resolve().parents[1] / "training" / "lgl-homes" / "homes.tsv"


def lgl_homes(gazetteer: Gazetteer, path: Path = HOMES) -> dict[str, Place]:
    """The home place of each LGL paper, by web domain (a home the gazetteer cannot place is left out, logged)."""
    homes: dict[str, Place] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        domain, _, text = line.partition("\t")
        place = gazetteer.place_named(text)
        if place is None:
            logger.warning("%s: home %r not in the gazetteer; left out", domain, text)
        else:
            homes[domain.strip()] = place
    return homes


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


def _labelled(shared: Path, test: bool = False) -> list[Labelled]:
    """Gold-span mentions of the LGL and GeoWebNews folds, each candidate marked right or wrong; an LGL article
    whose paper's home is known comes twice, without and with it."""
    gazetteer = Gazetteer()
    homes = lgl_homes(gazetteer)
    out: list[Labelled] = []
    for corpus in ("LGL", "GWN"):
        articles = [a for i, a in enumerate(read_corpus(shared / "datasets", corpus)) if (i % 5 == 0) == test]
        for article, doc in zip(articles, nlp.parse(a["text"] for a in articles), strict=True):
            pairs = gold_mentions(doc, article["gold"], gazetteer)
            mentions, labels = [m for m, _ in pairs], [_targets(m.places, g) for m, g in pairs]
            out.append((mentions, labels, None))
            if article["domain"] in homes:
                out.append((mentions, labels, homes[article["domain"]]))
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
