"""Geocoding on LGL and GeoWebNews: acc@161 km, exact GeoNames id, mean error, toponym recall.

Folds: article index % 5 == 0 is the test fold, reported; the toponym ranker (``midan/georank.py``) is trained on
the others. The headline task is Mordecai 3's: resolve the gold toponyms (gold spans, midan's candidates and
ranker). Scoring follows datasets/README.md, over every gold toponym that carries coordinates (one the gazetteer
does not know counts as wrong): a toponym is right at 161 km when midan chose its GeoNames entry (that entry's
point is the gold point) or a point within 161 km of the gold one; "own points" scores midan's points only (the
packages ship no points for countries and provinces: a country is at its capital, a province at the middle of its
towns). Exact id is over gold toponyms with an id. End-to-end figures score the whole geoparser, which finds the
toponyms itself. Anchors: Mordecai 3 LGL exact 0.794 / acc@161 0.827, GeoWebNews 0.901 / 0.941; CamCoder LGL
acc@161 0.76; CLAVIN 0.71.

    python -m benchmarks.geo_lgl_gwn [--json PATH] [--limit N]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

if not __package__:  # run as a script: python benchmarks/geo_lgl_gwn.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks._common import DATASETS, main, report


def load(corpus: str) -> list[dict[str, Any]]:
    """Articles with their gold toponyms ``(start, end, lat, lon, geonames_id)``."""
    from midan.georank import read_corpus

    return read_corpus(DATASETS, corpus)


def score(corpus: str, limit: int | None = None) -> dict[str, Any]:
    from midan import geo, georank, nlp
    from midan.gazetteer import Gazetteer
    from midan.training_georank import gold_mentions

    gazetteer = Gazetteer()
    articles = load(corpus)
    if limit:
        articles = articles[:limit]
    docs = list(nlp.parse(a["text"] for a in articles))
    # resolution of the gold toponyms (Mordecai 3's task): candidates and ranking, timed without the parse
    started = time.monotonic()
    resolved = []
    for article, doc in zip(articles, docs, strict=True):
        pairs = gold_mentions(doc, article["gold"], gazetteer)
        choices = georank.rank([m for m, _ in pairs])
        resolved.append({m.span.start_char: (place, m, gold) for (m, gold), (place, _) in zip(pairs, choices,
                                                                                               strict=True)})
    resolve_seconds = time.monotonic() - started
    # the same articles again: lookups now come from the gazetteer's caches, as in a long run over a news stream
    started = time.monotonic()
    for article, doc in zip(articles, docs, strict=True):
        georank.rank([m for m, _ in gold_mentions(doc, article["gold"], gazetteer)])
    warm_seconds = time.monotonic() - started
    # the whole geoparser: midan finds the toponyms itself
    predicted = [geo.geoparse(doc, gazetteer) for doc in docs]
    figures: dict[str, Any] = {}
    for fold in ("test", "train", "all"):
        chosen = [r for i, r in enumerate(resolved) if fold == "all" or (i % 5 == 0) == (fold == "test")]
        parsed = [(a, t, d) for i, (a, t, d) in enumerate(zip(articles, predicted, docs, strict=True))
                  if fold == "all" or (i % 5 == 0) == (fold == "test")]
        total = sum(len(a["gold"]) for a, _, _ in parsed)
        known = right = strict = exact = with_id = reachable = 0
        errors: list[float] = []
        for by_start in chosen:
            for place, mention, gold in by_start.values():
                lat, lon, gid = gold
                known += 1
                own_point = georank.km(lat, lon, place.latitude, place.longitude)
                distance = 0.0 if place.geonames_id == gid else own_point
                errors.append(distance)
                right += distance <= 161
                strict += own_point <= 161
                reachable += any(georank.right(p, gold) for p in mention.places)
                if gid is not None:
                    with_id += 1
                    exact += place.geonames_id == gid
        gold_with_id = sum(1 for a, _, _ in parsed for g in a["gold"] if g[4] is not None)
        found = hit161 = 0
        for article, toponyms, _ in parsed:
            for start, end, lat, lon, gid in article["gold"]:
                match = next((t for t in toponyms if t.place is not None and t.start < end and start < t.end), None)
                if match is None or match.place is None:
                    continue
                found += 1
                hit161 += match.place.geonames_id == gid or georank.km(
                    lat, lon, match.place.latitude, match.place.longitude) <= 161
        figures[fold] = {
            "gold_toponyms": total,
            "acc161": round(right / total, 4) if total else 0.0,
            "acc161_own_points": round(strict / total, 4) if total else 0.0,
            "exact_id": round(exact / gold_with_id, 4) if gold_with_id else 0.0,
            "exact_id_known": round(exact / with_id, 4) if with_id else 0.0,
            "mean_error_km": round(sum(errors) / len(errors), 1) if errors else 0.0,
            "gazetteer_recall": round(known / total, 4) if total else 0.0,
            "candidate_recall": round(reachable / total, 4) if total else 0.0,
            "toponym_recall": round(found / total, 4) if total else 0.0,
            "end_to_end_acc161": round(hit161 / total, 4) if total else 0.0,
            "end_to_end_acc161_found": round(hit161 / found, 4) if found else 0.0,
        }
    n_resolved = sum(len(r) for r in resolved)
    figures["toponyms_per_second"] = round(n_resolved / resolve_seconds, 1) if resolve_seconds else 0.0
    figures["toponyms_per_second_warm"] = round(n_resolved / warm_seconds, 1) if warm_seconds else 0.0
    return figures


def run(limit: int | None = None) -> dict[str, Any]:
    from midan.gazetteer import Gazetteer

    started = time.monotonic()
    gazetteer = Gazetteer()
    info = gazetteer.info()
    return {"LGL": score("LGL", limit), "GeoWebNews": score("GWN", limit),
            "gazetteer_mb": round(int(info["bytes"]) / 1e6, 1), "gazetteer_open_seconds": round(
                time.monotonic() - started, 2)}


def show(f: dict[str, Any]) -> None:
    for corpus, anchor in (("LGL", ("0.827", "0.794")), ("GeoWebNews", ("0.941", "0.901"))):
        test = f[corpus]["test"]
        report(f"{corpus}, test fold (article index % 5 == 0), gold toponyms resolved", [
            ("acc@161 km", test["acc161"], f"{anchor[0]} (Mordecai 3)"),
            ("exact GeoNames id", test["exact_id"], f"{anchor[1]} (Mordecai 3)"),
            ("acc@161 km by midan's own points", test["acc161_own_points"], "-"),
            ("mean error km (toponyms the gazetteer knows)", test["mean_error_km"], "-"),
            ("right entry among the candidates (ceiling)", test["candidate_recall"], "-"),
            ("toponyms resolved per second (no parse; first pass)", f[corpus]["toponyms_per_second"],
             ">= 5,000 (goal)"),
            ("toponyms resolved per second (no parse; caches warm)", f[corpus]["toponyms_per_second_warm"], "-"),
        ])
        report(f"{corpus}, test fold, end to end (midan finds the toponyms)", [
            ("toponym recall", test["toponym_recall"], "-"),
            ("acc@161 km over all gold toponyms", test["end_to_end_acc161"], "-"),
            ("acc@161 km over the toponyms found", test["end_to_end_acc161_found"], "-"),
        ])
    print(f"gazetteer: {f['gazetteer_mb']} MB")


if __name__ == "__main__":
    main(run, show, __doc__)
