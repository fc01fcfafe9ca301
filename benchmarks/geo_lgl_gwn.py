"""Geocoding on LGL and GeoWebNews: acc@161 km, exact GeoNames id, mean error, toponym recall.

Folds: article index % 5 == 0 is the test fold (nothing is trained yet, so the other folds are reported too).
Scoring follows datasets/README.md: over gold toponyms that carry coordinates; a gold toponym midan did not find
counts as wrong in the "all gold" figures. Anchors: Mordecai 3 LGL exact 0.794 / acc@161 0.827, GeoWebNews
0.901 / 0.941; CamCoder LGL acc@161 0.76; CLAVIN 0.71.

    python -m benchmarks.geo_lgl_gwn [--json PATH] [--limit N]
"""

from __future__ import annotations

import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

if not __package__:  # run as a script: python benchmarks/geo_lgl_gwn.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks._common import DATASETS, haversine_km, main, report


def _float(text: str | None) -> float | None:
    try:
        return float(text) if text not in (None, "") else None
    except ValueError:
        return None


def load(corpus: str) -> list[dict[str, Any]]:
    """Articles with their gold toponyms ``(start, end, lat, lon, geonames_id)``."""
    if corpus == "LGL":
        root = ET.parse(DATASETS / "geo" / "LGL" / "lgl.xml").getroot()
    else:
        root = ET.parse(DATASETS / "geo" / "GeoWebNews" / "GWN.xml").getroot()
    articles = []
    for article in root.iter("article"):
        text = article.findtext("text") or ""
        gold = []
        for toponym in article.iter("toponym"):
            start, end = int(toponym.findtext("start") or -1), int(toponym.findtext("end") or -1)
            if corpus == "LGL":
                tag = toponym.find("gaztag")
                if tag is None:
                    continue
                lat, lon = _float(tag.findtext("lat")), _float(tag.findtext("lon"))
                gid = tag.get("geonameid")
            else:
                lat, lon = _float(toponym.findtext("latitude")), _float(toponym.findtext("longitude"))
                gid = toponym.findtext("geonamesID")
            if lat is None or lon is None:
                continue
            gold.append((start, end, lat, lon, int(gid) if gid and gid.isdigit() else None))
        articles.append({"text": text, "gold": gold})
    return articles


def score(corpus: str, limit: int | None = None) -> dict[str, Any]:
    from midan import geo, nlp
    from midan.gazetteer import Gazetteer

    gazetteer = Gazetteer()
    articles = load(corpus)
    if limit:
        articles = articles[:limit]
    docs = list(nlp.parse(a["text"] for a in articles))
    started = time.monotonic()
    predicted = [geo.geoparse(doc, gazetteer) for doc in docs]
    seconds = time.monotonic() - started
    figures: dict[str, Any] = {}
    for fold in ("test", "all"):
        found = hit161 = exact = with_id = 0
        total = 0
        errors: list[float] = []
        for index, (article, toponyms) in enumerate(zip(articles, predicted, strict=True)):
            if fold == "test" and index % 5:
                continue
            for start, end, lat, lon, gid in article["gold"]:
                total += 1
                match = next((t for t in toponyms if t.place is not None and t.start < end and start < t.end), None)
                if match is None or match.place is None:
                    continue
                found += 1
                km = haversine_km(lat, lon, match.place.latitude, match.place.longitude)
                errors.append(km)
                hit161 += km <= 161
                if gid is not None:
                    with_id += 1
                    exact += match.place.geonames_id == gid
        figures[fold] = {
            "gold_toponyms": total,
            "toponym_recall": round(found / total, 4) if total else 0.0,
            "acc161_all_gold": round(hit161 / total, 4) if total else 0.0,
            "acc161_found": round(hit161 / found, 4) if found else 0.0,
            "exact_id_found": round(exact / with_id, 4) if with_id else 0.0,
            "mean_error_km_found": round(sum(errors) / len(errors), 1) if errors else 0.0,
        }
    n_toponyms = sum(len(p) for p in predicted)
    figures["toponyms_per_second"] = round(n_toponyms / seconds, 1) if seconds else 0.0
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
        test, every = f[corpus]["test"], f[corpus]["all"]
        report(f"{corpus} (test fold: article index % 5 == 0)", [
            ("acc@161 km, all gold toponyms (test fold)", test["acc161_all_gold"], f"{anchor[0]} (Mordecai 3)"),
            ("acc@161 km, found toponyms (test fold)", test["acc161_found"], "-"),
            ("exact GeoNames id, found (test fold)", test["exact_id_found"], f"{anchor[1]} (Mordecai 3)"),
            ("toponym recall (test fold)", test["toponym_recall"], "-"),
            ("mean error km, found (test fold)", test["mean_error_km_found"], "-"),
            ("acc@161 km, all gold toponyms (all articles)", every["acc161_all_gold"], "-"),
            ("toponyms resolved per second (no parse)", f[corpus]["toponyms_per_second"], "-"),
        ])
    print(f"gazetteer: {f['gazetteer_mb']} MB")


if __name__ == "__main__":
    main(run, show, __doc__)
