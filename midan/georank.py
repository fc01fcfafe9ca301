"""The toponym ranker: which gazetteer entry a place name in an article refers to.

Each candidate of a name gets features (its size and kind, how the name matched, the country and province the text names
around it, the article's countries, where it lies against the outlet's home when the user gives it, and how close it
lies to the article's other places); the best candidate wins, and every mention of the same name in an article shares
one reading. Scoring is two-staged: a logistic first stage ranks without the other places; the second, boosted trees,
adds distances to the first stage's choices ("Paris" near "Lamar County" is in Texas).

Weights are learned on the training folds of LGL and GeoWebNews (article index % 5 != 0; the test folds are what
``benchmarks/geo_lgl_gwn.py`` reports; LGL's articles also with their paper's home) and shipped as
``midan/data/georank.json``; scikit-learn is needed only to fit them (:func:`fit`, run by
:mod:`midan.training_georank`):

    python -m midan.training_georank [--shared ../shared] [--out midan/data/georank.json]

No packaged geoparser ranks GeoNames candidates offline (Mordecai 3 needs Elasticsearch and a transformer), so the
features and the scorer are written here; the fitting is scikit-learn's.
"""

from __future__ import annotations

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
from midan.gazetteer import admin_key, key, skeleton

if TYPE_CHECKING:
    from midan.gazetteer import Place
    from midan.mention import PlaceMention

logger = logging.getLogger(__name__)

WEIGHTS = Path(__file__).parent / "data" / "georank.json"

FEATURES = (
    "log_population", "unit_population", "populated_place", "admin1", "admin2", "country", "continent", "capital",
    "other_class",
    "main_name", "fuzzy", "most_populous", "candidates_log", "context_country", "context_admin1",
    "dominant_country", "country_share", "admin1_named", "admin_hint_unit", "admin_hint_town", "label_gpe",
    "label_loc", "label_fac", "label_other", "named_country", "alias_only", "alias_population", "country_spread",
    "admin1_spread", "unit_other_name", "unit_with_town", "home_country", "home_admin1", "home_near",
    "county_named", "county_of_named",
)
STAGE2 = ("near_other", "within_50km", "contains_other", "inside_other", "cluster")
TREES, DEPTH = 100, 5   # the second stage's boosted trees (chosen by 4-fold cross-validation on the training folds)


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    lat1, lon1, lat2, lon2 = map(math.radians, (lat1, lon1, lat2, lon2))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 6371.0 * 2 * math.asin(min(1.0, math.sqrt(h)))


def _point(place: Place) -> bool:
    """Whether a place is small enough for distances to it to say something (not a country or continent)."""
    return not place.is_country and place.feature_code != "CONT" and place.feature_code != "ADM1"


class _Context:
    """What the whole article says: the countries it names and the provinces or states it names."""

    def __init__(self, mentions: Sequence[PlaceMention]) -> None:
        self.votes: Counter[str] = Counter()
        self.units: dict[tuple[str, str], set[str]] = defaultdict(set)   # units a name may be, and the names
        # second-level units a name may be, and those that hold a town a name may be ("Lebanon" and "Boone
        # County" read together are Lebanon, Indiana, and the county around it)
        self.counties: dict[tuple[str, str, str], set[str]] = defaultdict(set)
        self.county_towns: dict[tuple[str, str, str], set[str]] = defaultdict(set)
        for mention in mentions:
            if mention.country is not None:
                self.votes[mention.country.country_code] += 2
            codes = {p.country_code for p in mention.places[:3]}
            if len(codes) == 1:
                self.votes[next(iter(codes))] += 1
            for place in mention.places:
                if place.feature_code == "ADM1":
                    self.units[(place.country_code, place.admin1)].add(mention.key)
                elif place.admin2 and place.feature_code == "ADM2":
                    self.counties[(place.country_code, place.admin1, place.admin2)].add(mention.key)
                elif place.admin2 and place.feature_class == "P":
                    self.county_towns[(place.country_code, place.admin1, place.admin2)].add(mention.key)
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


#: abbreviated name words, spelled out when a name is compared with a candidate's main name: "St. Petersburg" is
#: Saint Petersburg's own name abbreviated, not an alternate name (as "Berea" is Aleppo's)
_SPELLED = {"st": "saint", "ste": "sainte", "ft": "fort", "mt": "mount"}


@lru_cache(maxsize=262144)
def _spelled(name_key: str) -> str:
    return " ".join(_SPELLED.get(word, word) for word in name_key.split(" "))


@lru_cache(maxsize=262144)
def _name_key(name: str) -> str:
    return _spelled(admin_key(name))


@lru_cache(maxsize=262144)
def _static(place: Place) -> tuple[list[float], float, bool, bool, tuple[str, str], str, str, str]:
    """What a candidate's features owe to the place alone (kept across articles: lookups return the same places)."""
    fcode = place.feature_code
    town = place.feature_class == "P"
    country = place.is_country
    size = math.log10(place.population + 1) / 8
    static = [size if town else 0.0, 0.0 if town else size, float(town), float(fcode == "ADM1"),
              float(fcode == "ADM2"), float(country), float(fcode == "CONT"), float(fcode == "PPLC"),
              float(not town and fcode not in {"ADM1", "ADM2", "CONT"} and not country)]
    return (static, size, town, country, (place.country_code, place.admin1), fcode, _spelled(key(place.name)),
            _name_key(place.name))


def _home_row(place: Place, home: Place | None) -> list[float]:
    """Where a candidate lies against the outlet's home ("Athens" in the Daily Post-Athenian is Athens,
    Tennessee): in its country, in its first-level unit, and how near (for a town or district; 0 without a home)."""
    if home is None:
        return [0.0, 0.0, 0.0]
    same_country = place.country_code == home.country_code
    same_unit = same_country and bool(place.admin1) and place.admin1 == home.admin1
    near = 1 / (1 + km(place.latitude, place.longitude, home.latitude, home.longitude) / 50) \
        if _point(place) and _point(home) else 0.0
    return [float(same_country), float(same_unit), near]


def features(mention: PlaceMention, context: _Context, home: Place | None = None) -> list[list[float]]:
    """The stage-one features of each candidate of a mention (rows in the order of :data:`FEATURES`); ``home``
    is the outlet's home place when the user gave it."""
    # the most populous town among the candidates (a unit's population is the sum of its towns: not comparable)
    most = max((p.population for p in mention.places if p.feature_class == "P"), default=0)
    label = mention.label
    text = _spelled(key(mention.span.text.removeprefix("the ").removeprefix("The ")))  # accents and case aside
    mention_key = _spelled(mention.key)
    many = math.log(len(mention.places)) / 3
    person = label in {"PERSON", "ORG", "NORP"}
    others = max(context.names - 1, 1)
    towns = {(p.country_code, p.admin1) for p in mention.places if p.feature_class == "P"} | {
        (p.country_code, p.admin1, p.admin2) for p in mention.places if p.feature_class == "P"}
    rows = []
    dominant, votes, total, units = context.dominant, context.votes, context.total, context.units
    label_row = [float(label == "GPE"), float(label == "LOC"), float(label == "FAC"), float(person)]
    for place in mention.places:
        (static, size, town, country, unit, fcode, name, name_key) = _static(place)
        cc = place.country_code
        county = (cc, place.admin1, place.admin2) if place.admin2 else None
        # matched only through an alternate name ("Augusta" for Augsburg, "Berea" for Aleppo): history and other
        # languages, right for famous places and wrong for small ones
        alias = not country and mention_key != name_key
        rows.append([
            *static, float(name == text), float(mention.fuzzy), float(town and place.population >= most), many,
            float(bool(mention.context_cc) and cc == mention.context_cc),
            float(unit in mention.context_admin1 and fcode != "ADM1"),
            float(cc == dominant), votes[cc] / total,
            float(fcode != "ADM1" and bool(unit[1]) and bool(units.get(unit, set()) - {mention.key})),
            float(mention.admin_hint and fcode in {"ADM1", "ADM2"}), float(mention.admin_hint and town),
            *label_row, float(mention.country is not None and country), float(alias), float(alias) * size,
            (context.spread.get(cc, 1) - 1) / others,
            (context.spread_units.get(unit, 1) - 1) / others if unit[1] else 0.0,
            # a unit reached through its article or its kind ("El Beni" for "Beni") rather than its own name
            float(fcode in {"ADM1", "ADM2"} and name != text),
            # a province with a town of the same name in it (Mopti, Kassala, New York): the name means the town
            # more often than not
            float((fcode == "ADM1" and unit in towns) or (fcode == "ADM2" and (*unit, place.admin2) in towns)),
            *_home_row(place, home),
            float(town and bool(context.counties.get(county, set()) - {mention.key})) if county else 0.0,
            float(fcode == "ADM2" and bool(context.county_towns.get(county, set()) - {mention.key}))
            if county else 0.0,
        ])
    return rows


class _Candidates:
    """Every candidate of an article's mentions, with its features, as arrays."""

    def __init__(self, mentions: Sequence[PlaceMention], home: Place | None = None) -> None:
        context = _Context(mentions)
        self.mentions = mentions
        self.places = [p for m in mentions for p in m.places]
        keys = {k: i for i, k in enumerate(dict.fromkeys(m.key for m in mentions))}
        self.key = np.array([keys[m.key] for m in mentions for _ in m.places])
        self.mention_key = [keys[m.key] for m in mentions]
        self.n_keys = len(keys)
        self.x1 = np.array([row for m in mentions for row in features(m, context, home)], dtype=float)
        self.lat = np.radians([p.latitude for p in self.places])
        self.lon = np.radians([p.longitude for p in self.places])
        self.point = np.array([_point(p) for p in self.places])
        self.units = [_unit(p) for p in self.places]
        # how many of the article's other names have a candidate within 100 km of this one: local news names
        # places that lie together ("Paris" beside "Henry County" and "Puryear" is in Tennessee)
        self.cluster = np.zeros(len(self.places))
        points = np.flatnonzero(self.point)
        if len(points) > 1 and self.n_keys > 1:
            # within 100 km on a local flat projection (exact enough at this range), points grouped by name
            lat, lon, keys = self.lat[points], self.lon[points], self.key[points]
            order = np.argsort(keys, kind="stable")
            lat, lon, keys = lat[order], lon[order], keys[order]
            dx = (lon[None, :] - lon[:, None]) * np.cos((lat[None, :] + lat[:, None]) / 2)
            near = (dx ** 2 + (lat[None, :] - lat[:, None]) ** 2) <= (100 / 6371.0) ** 2
            starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
            with_key = np.logical_or.reduceat(near, starts, axis=1)
            with_key[np.arange(len(keys)), np.searchsorted(keys[starts], keys)] = False
            self.cluster[points[order]] = with_key.sum(axis=1) / (self.n_keys - 1)

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
        own_of = {k: (p, _point(p), _unit(p)) for k, p in picks.items()}
        contains, inside = [], []
        for name, place, unit in zip(self.key.tolist(), self.places, self.units, strict=True):
            own, own_point, own_unit = own_of[name]
            cc = place.country_code
            if unit is None:
                contains.append(False)
            else:
                own_inside = own_point and own.country_code == unit[0] and unit[1] in {"", own.admin1}
                contains.append(holds[unit] - own_inside > 0)
            inside.append(any(chosen_units[u] - (u == own_unit) > 0 for u in ((cc, ""), (cc, place.admin1))
                              if u != unit and u in chosen_units))
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
                         "`python -m midan.training_georank`") from None
    if list(data["features"]) != [*FEATURES] or list(data["stage2_features"]) != [*STAGE2]:
        raise MidanError(f"the toponym ranker {path} was trained on other features; "
                         "run `python -m midan.training_georank`")
    return data


def _scores(weights: dict[str, Any], x: np.ndarray) -> np.ndarray:
    """Log-odds of each candidate: a linear model, or boosted trees walked for all candidates and trees at once."""
    if "trees" not in weights:
        return x @ np.asarray(weights["coef"]) + float(weights["intercept"])
    feature, threshold, left, right, value, width = _tree_arrays(weights)
    n_trees = len(weights["trees"]["feature"])
    flat_x = x.ravel()
    row_start = (np.arange(len(x)) * x.shape[1])[:, None]
    node = np.broadcast_to(np.arange(n_trees) * width, (len(x), n_trees))  # flat index of each tree's root
    for _ in range(int(weights["trees"]["depth"]) + 1):
        go_left = flat_x.take(row_start + feature.take(node)) <= threshold.take(node)
        node = np.where(go_left, left.take(node), right.take(node))
    return value.take(node).sum(axis=1) + float(weights["trees"]["baseline"])


_TREE_CACHE: dict[int, tuple[Any, tuple[Any, ...]]] = {}


def _tree_arrays(weights: dict[str, Any]) -> tuple[Any, ...]:
    """The trees as flat arrays over padded node tables, children as flat indices; a leaf points to itself, so
    walking past it stays there."""
    trees = weights["trees"]
    ident = id(trees)
    if ident not in _TREE_CACHE or _TREE_CACHE[ident][0] is not trees:
        feature = np.asarray(trees["feature"], dtype=np.int64)
        width = feature.shape[1]
        base = (np.arange(feature.shape[0]) * width)[:, None]
        _TREE_CACHE.clear()
        _TREE_CACHE[ident] = (trees, (feature.ravel(), np.asarray(trees["threshold"], dtype=float).ravel(),
                                      (np.asarray(trees["left"], dtype=np.int64) + base).ravel(),
                                      (np.asarray(trees["right"], dtype=np.int64) + base).ravel(),
                                      np.asarray(trees["value"], dtype=float).ravel(), width))
    return _TREE_CACHE[ident][1]


def rank(mentions: Sequence[PlaceMention], weights: dict[str, Any] | None = None, home: Place | None = None,
         ) -> list[tuple[Place, float]]:
    """The chosen place of each mention and the ranker's probability for it; ``home`` is the outlet's home place
    (a prior the ranker weighs like the text's own cues), when known."""
    if not mentions:
        return []
    weights = weights or _weights()
    candidates = _Candidates(mentions, home)
    first = _choose(mentions, _scores(weights["stage1"], candidates.x1))
    x2 = np.hstack([candidates.x1, candidates.stage2([p for p, _ in first])])
    return [(_town_of(mention, place), confidence) for mention, (place, confidence) in
            zip(mentions, _choose(mentions, _scores(weights["stage2"], x2)), strict=True)]


def _town_of(mention: PlaceMention, place: Place) -> Place:
    """A province or district chosen for a name it shares with a town inside it ("Mopti", "Gedaref", "Zurmi")
    gives way to the town unless the text says it means the unit ("Mopti region"): on the training folds such
    names meant the town three times in four."""
    if place.feature_code not in {"ADM1", "ADM2"} or mention.admin_hint:
        return place
    # every candidate bears the mention's name, as its own or as an alternate ("Gedaref" for Al Qadarif); a town
    # that bears it only as an alternate must be the unit's main town (a tenth of its people), not a namesake
    name = _name_key(place.name)
    for town in mention.places:
        if town.feature_class != "P" or town.country_code != place.country_code or town.admin1 != place.admin1:
            continue
        if (place.feature_code == "ADM1" or town.admin2 == place.admin2) and (
                _name_key(town.name) == name or town.population * 10 >= place.population):
            return town
        if skeleton(town.name) == skeleton(name):
            return town  # the same name in another spelling ("Ma'arrat an Nu'man" of "Maarrat al-Nu'man District")
    return place


def _choose(mentions: Sequence[PlaceMention], scores: np.ndarray) -> list[tuple[Place, float]]:
    """One reading per name and article: the candidate with the best summed score over the name's mentions."""
    rows, at = [], 0
    for mention in mentions:
        rows.append(scores[at:at + len(mention.places)])
        at += len(mention.places)
    totals: dict[str, dict[tuple[object, str], float]] = defaultdict(lambda: defaultdict(float))
    for mention, row in zip(mentions, rows, strict=True):
        total = totals[mention.key]
        for place, score in zip(mention.places, row.tolist(), strict=True):
            total[(place.geonames_id, place.name)] += score
    chosen = []
    for mention, row in zip(mentions, rows, strict=True):
        total = totals[mention.key]
        sums = [total[(p.geonames_id, p.name)] for p in mention.places]
        index = sums.index(max(sums))  # ties: the first candidate (the gazetteer's order)
        chosen.append((mention.places[index], 1 / (1 + math.exp(-float(row[index])))))
    return chosen


# --- training ---------------------------------------------------------------------------------------------------


def read_corpus(datasets: Path, corpus: str) -> list[dict[str, Any]]:
    """LGL (``geo/LGL/lgl.xml``) or GeoWebNews (``geo/GeoWebNews/GWN.xml``) articles with their gold toponyms
    ``(start, end, lat, lon, geonames_id)`` and their outlet's web domain (LGL only); toponyms without coordinates
    are left out."""
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
        articles.append({"text": article.findtext("text") or "", "gold": gold,
                         "domain": (article.findtext("domain") or "").strip()})
    return articles


def _float(text: str | None) -> float | None:
    try:
        return float(text) if text not in (None, "") else None
    except ValueError:
        return None


def right(place: Place, gold: tuple[float, float, int | None]) -> bool:
    """A candidate is right when it is the gold GeoNames entry or lies within 161 km of the gold point."""
    lat, lon, gid = gold
    return place.geonames_id == gid or km(place.latitude, place.longitude, lat, lon) <= 161


#: one training article: its mentions, each candidate marked right or wrong, and the outlet's home if known
Labelled = tuple[list["PlaceMention"], list[list[bool]], "Place | None"]


def fit(data: list[Labelled], c: float = 1.0) -> dict[str, Any]:
    """Fit both stages on labelled articles: logistic regression over candidates, then boosted trees over the
    candidates with the first stage's choices. A name whose right entry is not among its candidates teaches
    nothing about ranking and is left out of the fit."""
    from sklearn.linear_model import LogisticRegression

    def lr(x: np.ndarray, y: np.ndarray) -> dict[str, Any]:
        model = LogisticRegression(C=c, max_iter=3000).fit(x, y)
        return {"coef": [round(float(w), 5) for w in model.coef_[0]], "intercept": round(float(model.intercept_[0]), 5)}

    prepared = []
    for mentions, labels, home in data:
        if mentions:
            candidates = _Candidates(mentions, home)
            keep = np.array([any(ys) for ys in labels for _ in ys])
            prepared.append((mentions, candidates, np.array([y for ys in labels for y in ys]), keep))
    stage1 = lr(np.vstack([c.x1[k] for _, c, _, k in prepared]), np.concatenate([y[k] for _, _, y, k in prepared]))
    x2, y2 = [], []
    for mentions, candidates, y, keep in prepared:
        first = _choose(mentions, _scores(stage1, candidates.x1))
        x2.append(np.hstack([candidates.x1, candidates.stage2([p for p, _ in first])])[keep])
        y2.append(y[keep])
    return {"features": list(FEATURES), "stage2_features": list(STAGE2), "stage1": stage1,
            "stage2": boosted_trees(np.vstack(x2), np.concatenate(y2))}


def boosted_trees(x: np.ndarray, y: np.ndarray, trees: int = TREES, depth: int = DEPTH) -> dict[str, Any]:
    """Fit gradient-boosted trees (scikit-learn) and export them as plain arrays for :func:`_scores`; in 4-fold
    cross-validation on the training folds they ranked 0.887 of the names right against 0.868 for logistic
    regression on the same features. The export reads the fitted trees' node table (``_predictors``), which
    scikit-learn keeps private: pinned to scikit-learn < 2 in the test extra."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    # more people, and more of the text's cues, never make a candidate less likely (without this the trees let a
    # town of 24,000 outscore the namesake of 280,000 in a sentence that says nothing else)
    rising = {"log_population", "unit_population", "most_populous", "context_country", "context_admin1",
              "country_share", "admin1_named", "admin1_spread", "near_other", "within_50km", "contains_other",
              "cluster", "home_country", "home_admin1", "home_near", "county_named", "county_of_named"}
    model = HistGradientBoostingClassifier(max_iter=trees, max_depth=depth, learning_rate=0.1, random_state=0,
                                           monotonic_cst=[int(n in rising) for n in (*FEATURES, *STAGE2)])
    model.fit(x, y)
    width = max(len(p[0].nodes) for p in model._predictors)
    arrays: dict[str, list[list[float]]] = {"feature": [], "threshold": [], "left": [], "right": [], "value": []}
    for (predictor,) in model._predictors:
        nodes = predictor.nodes
        own = np.arange(width)
        leaf = np.ones(width, dtype=bool)
        leaf[:len(nodes)] = nodes["is_leaf"].astype(bool)
        pad = width - len(nodes)
        arrays["feature"].append(np.where(leaf, 0, np.pad(nodes["feature_idx"], (0, pad))).tolist())
        arrays["threshold"].append(np.where(leaf, 0.0, np.pad(nodes["num_threshold"], (0, pad))).tolist())
        arrays["left"].append(np.where(leaf, own, np.pad(nodes["left"], (0, pad))).tolist())
        arrays["right"].append(np.where(leaf, own, np.pad(nodes["right"], (0, pad))).tolist())
        arrays["value"].append(np.where(leaf, np.pad(nodes["value"], (0, pad)), 0.0).round(6).tolist())
    exported = {"trees": {"depth": depth, "baseline": float(np.ravel(model._baseline_prediction)[0]), **arrays}}
    # the exported walk must give scikit-learn's own scores
    assert np.allclose(_scores(exported, x[:2000]), model.decision_function(x[:2000]), atol=1e-4)
    return exported


def accuracy(data: list[Labelled], weights: dict[str, Any]) -> float:
    """Share of mentions whose chosen candidate is right (mentions the gazetteer knows)."""
    right = total = 0
    for mentions, labels, home in data:
        for (place, _), mention, ys in zip(rank(mentions, weights, home), mentions, labels, strict=True):
            total += 1
            right += ys[mention.places.index(place)]
    return right / total if total else 0.0
