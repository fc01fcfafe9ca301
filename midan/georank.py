"""The toponym ranker: which gazetteer entry a place name in an article refers to.

Each candidate of a name gets features (its size and kind, how the name matched, the country and province the
text names around it, the article's countries, and how close it lies to the article's other places) and a
logistic score; the best candidate wins, and every mention of the same name in an article shares one reading.
Scoring is two-staged: the first stage ranks without the other places, the second adds distances to the first
stage's choices ("Paris" near "Lamar County" is in Texas).

Weights are learned on the training folds of LGL and GeoWebNews (article index % 5 != 0; the test folds are
what ``benchmarks/geo_lgl_gwn.py`` reports) and shipped as ``midan/data/georank.json``; scikit-learn is needed
only to fit them:

    python -m midan.georank [--shared ../shared] [--out midan/data/georank.json]

No packaged geoparser ranks GeoNames candidates offline (Mordecai 3 needs Elasticsearch and a transformer), so
the features and the scorer are written here; the fitting is scikit-learn's.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from midan.errors import MidanError
from midan.gazetteer import admin_key

if TYPE_CHECKING:
    from midan.gazetteer import Place
    from midan.geo import PlaceMention

logger = logging.getLogger(__name__)

WEIGHTS = Path(__file__).parent / "data" / "georank.json"

FEATURES = (
    "log_population", "unit_population", "populated_place", "admin1", "admin2", "country", "continent", "capital",
    "other_class",
    "main_name", "fuzzy", "most_populous", "candidates_log", "context_country", "context_admin1",
    "dominant_country", "country_share", "admin1_named", "admin_hint_unit", "admin_hint_town", "label_gpe",
    "label_loc", "label_fac", "label_other", "named_country", "alias_only", "alias_population", "country_spread",
    "admin1_spread", "unit_other_name", "unit_with_town",
)
STAGE2 = ("near_other", "within_50km", "contains_other", "inside_other", "cluster")


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    lat1, lon1, lat2, lon2 = map(math.radians, (lat1, lon1, lat2, lon2))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 6371.0 * 2 * math.asin(min(1.0, math.sqrt(h)))


def _km(a: Place, b: Place) -> float:
    return km(a.latitude, a.longitude, b.latitude, b.longitude)


def _point(place: Place) -> bool:
    """Whether a place is small enough for distances to it to say something (not a country or continent)."""
    return not place.is_country and place.feature_code != "CONT" and place.feature_code != "ADM1"


class _Context:
    """What the whole article says: the countries it names and the provinces or states it names."""

    def __init__(self, mentions: Sequence[PlaceMention]) -> None:
        self.votes: Counter[str] = Counter()
        self.units: dict[tuple[str, str], set[str]] = defaultdict(set)   # units a name may be, and the names
        for mention in mentions:
            if mention.country is not None:
                self.votes[mention.country.country_code] += 2
            codes = {p.country_code for p in mention.places[:3]}
            if len(codes) == 1:
                self.votes[next(iter(codes))] += 1
            for place in mention.places:
                if place.feature_code == "ADM1":
                    self.units[(place.country_code, place.admin1)].add(mention.key)
        # how many of the article's names could lie in each country, and in each province: local news names
        # many small towns of one state, each ambiguous, but together they point at it
        self.names = len({m.key for m in mentions})
        spread: dict[str, set[str]] = defaultdict(set)
        spread_units: dict[tuple[str, str], set[str]] = defaultdict(set)
        for mention in mentions:
            for place in mention.places:
                spread[place.country_code].add(mention.key)
                if place.admin1:
                    spread_units[(place.country_code, place.admin1)].add(mention.key)
        self.spread = {cc: len(keys) for cc, keys in spread.items()}
        self.spread_units = {unit: len(keys) for unit, keys in spread_units.items()}
        self.total = sum(self.votes.values()) or 1
        self.dominant = self.votes.most_common(1)[0][0] if self.votes else ""


_name_key = lru_cache(maxsize=262144)(admin_key)


def features(mention: PlaceMention, context: _Context) -> list[list[float]]:
    """The stage-one features of each candidate of a mention (rows in the order of :data:`FEATURES`)."""
    # the most populous town among the candidates (a unit's population is the sum of its towns: not comparable)
    most = max((p.population for p in mention.places if p.feature_class == "P"), default=0)
    label = mention.label
    text = mention.span.text.casefold().removeprefix("the ")
    many = math.log(len(mention.places)) / 3
    person = label in {"PERSON", "ORG", "NORP"}
    others = max(context.names - 1, 1)
    towns = {(p.country_code, p.admin1) for p in mention.places if p.feature_class == "P"} | {
        (p.country_code, p.admin1, p.admin2) for p in mention.places if p.feature_class == "P"}
    rows = []
    for place in mention.places:
        fcode = place.feature_code
        town = place.feature_class == "P"
        country = place.is_country
        size = math.log10(place.population + 1) / 8
        unit = (place.country_code, place.admin1)
        # matched only through an alternate name ("Augusta" for Augsburg, "Berea" for Aleppo): history and other
        # languages, right for famous places and wrong for small ones
        alias = not country and mention.key != _name_key(place.name)
        rows.append([
            size if town else 0.0, 0.0 if town else size, float(town), float(fcode == "ADM1"), float(fcode == "ADM2"),
            float(country), float(fcode == "CONT"),
            float(fcode == "PPLC"), float(not town and fcode not in {"ADM1", "ADM2", "CONT"} and not country),
            float(place.name.casefold() == text), float(mention.fuzzy), float(town and place.population >= most), many,
            float(bool(mention.context_cc) and place.country_code == mention.context_cc),
            float(unit in mention.context_admin1 and fcode != "ADM1"),
            float(place.country_code == context.dominant), context.votes[place.country_code] / context.total,
            float(fcode != "ADM1" and bool(place.admin1) and bool(context.units.get(unit, set()) - {mention.key})),
            float(mention.admin_hint and fcode in {"ADM1", "ADM2"}), float(mention.admin_hint and town),
            float(label == "GPE"), float(label == "LOC"), float(label == "FAC"), float(person),
            float(mention.country is not None and country), float(alias), float(alias) * size,
            (context.spread.get(place.country_code, 1) - 1) / others,
            (context.spread_units.get(unit, 1) - 1) / others if place.admin1 else 0.0,
            # a unit reached through its article or its kind ("El Beni" for "Beni") rather than its own name
            float(fcode in {"ADM1", "ADM2"} and place.name.casefold() != text),
            # a province with a town of the same name in it (Mopti, Kassala, New York): the name means the town
            # more often than not
            float((fcode == "ADM1" and unit in towns) or (fcode == "ADM2" and (*unit, place.admin2) in towns)),
        ])
    return rows


class _Candidates:
    """Every candidate of an article's mentions, with its features, as arrays."""

    def __init__(self, mentions: Sequence[PlaceMention]) -> None:
        context = _Context(mentions)
        self.mentions = mentions
        self.places = [p for m in mentions for p in m.places]
        keys = {k: i for i, k in enumerate(dict.fromkeys(m.key for m in mentions))}
        self.key = np.array([keys[m.key] for m in mentions for _ in m.places])
        self.mention_key = [keys[m.key] for m in mentions]
        self.n_keys = len(keys)
        self.x1 = np.array([row for m in mentions for row in features(m, context)], dtype=float)
        self.lat = np.radians([p.latitude for p in self.places])
        self.lon = np.radians([p.longitude for p in self.places])
        self.point = np.array([_point(p) for p in self.places])
        # how many of the article's other names have a candidate within 100 km of this one: local news names
        # places that lie together ("Paris" beside "Henry County" and "Puryear" is in Tennessee)
        near = (_distances(self.lat, self.lon, self.lat, self.lon) <= 100) & self.point[:, None] & self.point[None, :]
        onehot = np.zeros((len(self.places), self.n_keys))
        onehot[np.arange(len(self.places)), self.key] = 1
        with_key = (near.astype(float) @ onehot) > 0
        with_key[np.arange(len(self.places)), self.key] = False
        self.cluster = with_key.sum(axis=1) / max(self.n_keys - 1, 1)

    def stage2(self, chosen: list[Place]) -> np.ndarray:
        """Stage-two features: where each candidate lies against the places chosen for the other names."""
        picks = dict(zip(self.mention_key, chosen, strict=True))
        pick_keys = np.array(list(picks))
        pick_places = list(picks.values())
        usable = np.array([_point(p) for p in pick_places])
        distance = _distances(self.lat, self.lon, np.radians([p.latitude for p in pick_places]),
                              np.radians([p.longitude for p in pick_places]))
        distance[(self.key[:, None] == pick_keys[None, :]) | ~usable[None, :] | ~self.point[:, None]] = np.inf
        nearest = distance.min(axis=1)
        # the units (country, or country and province) that hold a chosen town, and the units chosen themselves
        holds: Counter[tuple[str, str]] = Counter()
        chosen_units: Counter[tuple[str, str] | None] = Counter()
        for place in pick_places:
            if _point(place):
                holds[(place.country_code, "")] += 1
                holds[(place.country_code, place.admin1)] += 1
            chosen_units[_unit(place)] += 1
        contains, inside = [], []
        for key, place in zip(self.key, self.places, strict=True):
            own = picks[int(key)]
            unit = _unit(place)
            own_inside = _point(own) and unit is not None and own.country_code == unit[0] and \
                unit[1] in {"", own.admin1}
            contains.append(unit is not None and holds[unit] - own_inside > 0)
            inside.append(any(chosen_units[u] - (u == _unit(own)) > 0 for u in (
                (place.country_code, ""), (place.country_code, place.admin1)) if u != unit))
        return np.column_stack([1 / (1 + nearest / 100), nearest <= 50, contains, inside, self.cluster])


def _unit(place: Place) -> tuple[str, str] | None:
    """A country as ``(cc, "")``, a first-level unit as ``(cc, admin1)``; None for anything else."""
    if place.is_country:
        return (place.country_code, "")
    if place.feature_code == "ADM1":
        return (place.country_code, place.admin1)
    return None


def _distances(lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray) -> np.ndarray:
    """Great-circle distances in km between two sets of points (radians), as a matrix."""
    dlat = lat2[None, :] - lat1[:, None]
    dlon = lon2[None, :] - lon1[:, None]
    h = np.sin(dlat / 2) ** 2 + np.cos(lat1)[:, None] * np.cos(lat2)[None, :] * np.sin(dlon / 2) ** 2
    return 6371.0 * 2 * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


@lru_cache(maxsize=1)
def _weights(path: Path = WEIGHTS) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise MidanError(f"cannot read the toponym ranker {path}: {exc}; reinstall midan or run "
                         "`python -m midan.georank`") from None
    if list(data["features"]) != [*FEATURES] or list(data["stage2_features"]) != [*STAGE2]:
        raise MidanError(f"the toponym ranker {path} was trained on other features; run `python -m midan.georank`")
    return data


def _scores(weights: dict[str, Any], x: np.ndarray) -> np.ndarray:
    return x @ np.asarray(weights["coef"]) + float(weights["intercept"])


def rank(mentions: Sequence[PlaceMention], weights: dict[str, Any] | None = None) -> list[tuple[Place, float]]:
    """The chosen place of each mention and the ranker's probability for it."""
    if not mentions:
        return []
    weights = weights or _weights()
    candidates = _Candidates(mentions)
    first = _choose(mentions, _scores(weights["stage1"], candidates.x1))
    x2 = np.hstack([candidates.x1, candidates.stage2([p for p, _ in first])])
    return [(_town_of(mention, place), confidence) for mention, (place, confidence) in
            zip(mentions, _choose(mentions, _scores(weights["stage2"], x2)), strict=True)]


def _town_of(mention: PlaceMention, place: Place) -> Place:
    """A province or district chosen for a name it shares with a town inside it ("Mopti", "Kassala", "Zurmi")
    gives way to the town unless the text says it means the unit ("Mopti region"): on the training folds such
    names meant the town three times in four."""
    if place.feature_code not in {"ADM1", "ADM2"} or mention.admin_hint:
        return place
    name = _name_key(place.name)
    for town in mention.places:
        if town.feature_class == "P" and town.country_code == place.country_code and town.admin1 == place.admin1 \
                and (place.feature_code == "ADM1" or town.admin2 == place.admin2) and _name_key(town.name) == name:
            return town
    return place


def _choose(mentions: Sequence[PlaceMention], scores: np.ndarray) -> list[tuple[Place, float]]:
    """One reading per name and article: the candidate with the best summed score over the name's mentions."""
    rows, at = [], 0
    for mention in mentions:
        rows.append(scores[at:at + len(mention.places)])
        at += len(mention.places)
    totals: dict[str, dict[tuple[object, str], float]] = defaultdict(lambda: defaultdict(float))
    for mention, row in zip(mentions, rows, strict=True):
        for place, score in zip(mention.places, row, strict=True):
            totals[mention.key][(place.geonames_id, place.name)] += float(score)
    chosen = []
    for mention, row in zip(mentions, rows, strict=True):
        total = totals[mention.key]
        index = max(range(len(row)), key=lambda i: (total[(mention.places[i].geonames_id, mention.places[i].name)],
                                                     -i))
        chosen.append((mention.places[index], 1 / (1 + math.exp(-float(row[index])))))
    return chosen


# --- training ---------------------------------------------------------------------------------------------------


def read_corpus(datasets: Path, corpus: str) -> list[dict[str, Any]]:
    """LGL (``geo/LGL/lgl.xml``) or GeoWebNews (``geo/GeoWebNews/GWN.xml``) articles with their gold toponyms
    ``(start, end, lat, lon, geonames_id)``; toponyms without coordinates are left out."""
    import xml.etree.ElementTree as ET

    lgl = corpus == "LGL"
    path = datasets / "geo" / ("LGL/lgl.xml" if lgl else "GeoWebNews/GWN.xml")
    articles = []
    for article in ET.parse(path).getroot().iter("article"):
        gold = []
        for toponym in article.iter("toponym"):
            start, end = int(toponym.findtext("start") or -1), int(toponym.findtext("end") or -1)
            tag = toponym.find("gaztag") if lgl else toponym
            if tag is None:
                continue
            lat, lon = _float(tag.findtext("lat" if lgl else "latitude")), _float(
                tag.findtext("lon" if lgl else "longitude"))
            gid = tag.get("geonameid") if lgl else tag.findtext("geonamesID")
            if lat is not None and lon is not None:
                gold.append((start, end, lat, lon, int(gid) if gid and gid.isdigit() else None))
        articles.append({"text": article.findtext("text") or "", "gold": gold})
    return articles


def _float(text: str | None) -> float | None:
    try:
        return float(text) if text not in (None, "") else None
    except ValueError:
        return None


def gold_mentions(doc: Any, gold: list[tuple[int, int, float, float, int | None]], gazetteer: Any,
                  ) -> list[tuple[PlaceMention, tuple[float, float, int | None]]]:
    """The gold toponyms of a parsed article as mentions (with candidates), each with its gold point and id."""
    from midan import geo

    spans, golds = [], {}
    for start, end, lat, lon, gid in gold:
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is not None and span.start_char not in golds:
            spans.append(span)
            golds[span.start_char] = (lat, lon, gid)
    return [(m, golds[m.span.start_char]) for m in geo.place_mentions(spans, gazetteer, given=True)]


def right(place: Place, gold: tuple[float, float, int | None]) -> bool:
    """A candidate is right when it is the gold GeoNames entry or lies within 161 km of the gold point."""
    lat, lon, gid = gold
    return place.geonames_id == gid or km(place.latitude, place.longitude, lat, lon) <= 161


def _targets(places: list[Place], gold: tuple[float, float, int | None]) -> list[bool]:
    """What the ranker should choose: the gold entry when it is a candidate (so a town beats the province of the
    same name around it), else any candidate within 161 km of the gold point."""
    exact = [p.geonames_id == gold[2] for p in places]
    return exact if any(exact) else [right(p, gold) for p in places]


def _labelled(shared: Path, test: bool = False) -> list[tuple[list[PlaceMention], list[list[bool]]]]:
    """Gold-span mentions of the LGL and GeoWebNews folds, each candidate marked right or wrong."""
    from midan import nlp
    from midan.gazetteer import Gazetteer

    gazetteer = Gazetteer()
    out = []
    for corpus in ("LGL", "GWN"):
        articles = [a for i, a in enumerate(read_corpus(shared / "datasets", corpus)) if (i % 5 == 0) == test]
        for article, doc in zip(articles, nlp.parse(a["text"] for a in articles), strict=True):
            pairs = gold_mentions(doc, article["gold"], gazetteer)
            out.append(([m for m, _ in pairs], [_targets(m.places, g) for m, g in pairs]))
    return out


def fit(data: list[tuple[list[PlaceMention], list[list[bool]]]], c: float = 1.0) -> dict[str, Any]:
    """Fit both stages (logistic regression over candidates) on labelled articles. A name whose right entry is
    not among its candidates teaches nothing about ranking and is left out of the fit."""
    from sklearn.linear_model import LogisticRegression

    def lr(x: np.ndarray, y: np.ndarray) -> dict[str, Any]:
        model = LogisticRegression(C=c, max_iter=3000).fit(x, y)
        return {"coef": [round(float(w), 5) for w in model.coef_[0]], "intercept": round(float(model.intercept_[0]), 5)}

    prepared = []
    for mentions, labels in data:
        if mentions:
            candidates = _Candidates(mentions)
            keep = np.array([any(ys) for ys in labels for _ in ys])
            prepared.append((mentions, candidates, np.array([y for ys in labels for y in ys]), keep))
    stage1 = lr(np.vstack([c.x1[k] for _, c, _, k in prepared]), np.concatenate([y[k] for _, _, y, k in prepared]))
    x2, y2 = [], []
    for mentions, candidates, y, keep in prepared:
        first = _choose(mentions, _scores(stage1, candidates.x1))
        x2.append(np.hstack([candidates.x1, candidates.stage2([p for p, _ in first])])[keep])
        y2.append(y[keep])
    return {"features": list(FEATURES), "stage2_features": list(STAGE2), "stage1": stage1,
            "stage2": lr(np.vstack(x2), np.concatenate(y2))}


def accuracy(data: list[tuple[list[PlaceMention], list[list[bool]]]], weights: dict[str, Any]) -> float:
    """Share of mentions whose chosen candidate is right (mentions the gazetteer knows)."""
    right = total = 0
    for mentions, labels in data:
        for (place, _), mention, ys in zip(rank(mentions, weights), mentions, labels, strict=True):
            total += 1
            right += ys[mention.places.index(place)]
    return right / total if total else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared")
    parser.add_argument("--out", type=Path, default=WEIGHTS)
    parser.add_argument("--c", type=float, default=1.0)
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
