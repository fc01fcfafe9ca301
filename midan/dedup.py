"""Cross-article de-duplication: is a new record the same event as one already stored?

Outlets report the same raid with different place names, days and tolls, so records of one event rarely share an
identity hash. Candidates come from a block (the same country, event-type family and week, within
:data:`WINDOW_DAYS`); each pair is described by what a coder would compare (:data:`FEATURES`: the place — same
GeoNames id, same district, distance, how alike the place and district names are —, the days each record's precision
allows and whether the days are equal, the types, the actors, the reports' own sentences through the shipped
sentence encoder, the tolls) and a logistic regression fitted on
reports of the same attacks by different outlets (``midan/training_dedup.py``, weights in
``midan/data/dedup.json``) says how likely they are one event.

A merged record keeps the stored record's ``event_id_cnty``; :func:`merge_reports` unites the reports with ACLED's
rules: every article, outlet and piece of evidence; the lowest consistent fatality figure with the range in
``fatalities_low``/``fatalities_high``; the higher-ranked event type of the two; a named actor over an unnamed one.
Written here: no library decides ACLED's notion of "the same event".
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from midan.georank import km
from midan.schema import Event

logger = logging.getLogger(__name__)

MODEL_PATH = Path(__file__).parent / "data" / "dedup.json"
#: how far apart two records' days may be and still be compared (the block: a week either side)
WINDOW_DAYS = 7
#: the event types of one family may be one event told differently (a raid called a clash, a shelling an attack)
FAMILIES: dict[str, str] = {
    "Battles": "violence", "Explosions/Remote violence": "violence", "Violence against civilians": "violence",
    "Protests": "demonstrations", "Riots": "demonstrations", "Strategic developments": "strategic",
}
#: which type a merged record takes when its reports disagree: the more violent, the more specific, first
TYPE_RANK: tuple[str, ...] = ("Explosions/Remote violence", "Battles", "Violence against civilians", "Riots",
                              "Protests", "Strategic developments")
#: the widest window each ``time_precision`` allows around a record's day (1: the day, 2: a week, 3: a month)
PRECISION_DAYS = {1: 0, 2: 3, 3: 15}
FEATURES: tuple[str, ...] = (
    "same_place", "same_admin2", "same_admin1", "within_25km", "log_km", "no_point",
    "windows_overlap", "day_gap", "same_type", "same_sub_type", "same_actor1", "actor1_unnamed",
    "text_cosine", "fatalities_gap", "both_killed", "same_day", "place_similarity", "admin_names_close",
)
#: how alike two admin names must be (rapidfuzz's 0-100 ratio) to be one district told in two spellings
ADMIN_RATIO = 85.0
_UNNAMED = ("unidentified", "unknown")


def unnamed(actor: str) -> bool:
    """An actor the report does not name ("Unidentified Armed Group (Syria)", or none)."""
    return not actor.strip() or actor.lower().startswith(_UNNAMED)


def family(event_type: str) -> str:
    return FAMILIES.get(event_type, event_type)


def window(item: Event) -> tuple[dt.date, dt.date]:
    """The days the record may mean: its own start and end, widened by what its precision allows."""
    day = _day(item.event_date)
    start, end = _day(item.date_start) if item.date_start else day, _day(item.date_end) if item.date_end else day
    slack = dt.timedelta(days=PRECISION_DAYS.get(item.time_precision, 0))
    return min(start, day) - slack, max(end, day) + slack


def _day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return dt.date.min + dt.timedelta(days=WINDOW_DAYS + 1)  # an unreadable day blocks with nothing real


def event_text(item: Event) -> str:
    """The report's own sentence(s) of the event: what the encoder compares."""
    sentences = [e.text for e in item.evidence if e.field == "event" and e.text.strip()]
    return " ".join(dict.fromkeys(sentences))[:2000] or item.notes


def name_similarity(a: str, b: str) -> float:
    """How alike two place names are, 0-1 (token-set ratio: "Deir ez-Zor" and "Deir Ezzor city" are close);
    0 when either is missing."""
    from rapidfuzz import fuzz

    if not a.strip() or not b.strip():
        return 0.0
    return float(fuzz.token_set_ratio(a.lower(), b.lower())) / 100.0


def admin_names_close(a: Event, b: Event) -> bool:
    """The two records' districts (else provinces) are named alike, whatever GeoNames ids their places got."""
    first, second = (a.admin2, b.admin2) if a.admin2 and b.admin2 else (a.admin1, b.admin1)
    return name_similarity(first, second) * 100.0 >= ADMIN_RATIO


def features(a: Event, b: Event, cosine: float) -> np.ndarray:
    """The pair's :data:`FEATURES` (``cosine``: of the two records' :func:`event_text` embeddings)."""
    (a0, a1), (b0, b1) = window(a), window(b)
    gap = max((b0 - a1).days, (a0 - b1).days, 0)
    located = None not in (a.latitude, a.longitude, b.latitude, b.longitude)
    distance = km(a.latitude, a.longitude, b.latitude, b.longitude) if located else 0.0  # type: ignore[arg-type]
    same = a.geonames_id is not None and a.geonames_id == b.geonames_id
    nameless = [unnamed(a.actor1), unnamed(b.actor1)]
    return np.array([
        float(same or (located and distance < 1.0)),
        float(bool(a.admin2) and a.admin2.lower() == b.admin2.lower() and a.admin1.lower() == b.admin1.lower()),
        float(bool(a.admin1) and a.admin1.lower() == b.admin1.lower()),
        float(located and distance <= 25.0),
        math.log1p(distance) / 8.0 if located else 0.0,
        float(not located),
        float(gap == 0),
        min(gap, WINDOW_DAYS) / WINDOW_DAYS,
        float(a.event_type == b.event_type),
        float(a.sub_event_type == b.sub_event_type),
        float(a.actor1.lower() == b.actor1.lower() and not nameless[0]),
        float(any(nameless)),
        cosine,
        abs(math.log1p(a.fatalities) - math.log1p(b.fatalities)) / 5.0,
        float(a.fatalities > 0 and b.fatalities > 0),
        float(a.event_date[:10] == b.event_date[:10]),
        name_similarity(a.location, b.location),
        float(admin_names_close(a, b)),
    ], dtype=np.float64)


def outside_block(a: Event, b: Event) -> tuple[str, ...]:
    """Why the block does not compare two records: ``country`` (differs), ``family`` (of event types differs),
    ``days`` (their windows are more than :data:`WINDOW_DAYS` apart); empty when it compares them."""
    (a0, a1), (b0, b1) = window(a), window(b)
    found = (("country", a.country.lower() != b.country.lower()),
             ("family", family(a.event_type) != family(b.event_type)),
             ("days", max((b0 - a1).days, (a0 - b1).days) > WINDOW_DAYS))
    return tuple(name for name, apart in found if apart)


def comparable(a: Event, b: Event) -> bool:
    """The block: the same country and event-type family, days within :data:`WINDOW_DAYS` of each other."""
    if a.country.lower() != b.country.lower() or family(a.event_type) != family(b.event_type):
        return False
    (a0, a1), (b0, b1) = window(a), window(b)
    return max((b0 - a1).days, (a0 - b1).days) <= WINDOW_DAYS


@dataclass(frozen=True)
class Model:
    """A logistic regression over :data:`FEATURES` and the probability from which a pair is one event."""

    weights: tuple[float, ...]
    bias: float
    threshold: float = 0.5
    about: dict[str, object] = dataclasses.field(default_factory=dict, compare=False)

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        if len(rows) == 0:
            return np.zeros(0)
        return 1.0 / (1.0 + np.exp(-(np.asarray(rows) @ np.array(self.weights) + self.bias)))

    def save(self, path: Path = MODEL_PATH) -> None:
        path.write_text(json.dumps({"features": list(FEATURES), "weights": list(self.weights), "bias": self.bias,
                                    "threshold": self.threshold, "about": self.about}, indent=1) + "\n",
                        encoding="utf-8")

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> Model:
        data = json.loads(path.read_text(encoding="utf-8"))
        if tuple(data["features"]) != FEATURES:
            raise ValueError(f"{path} was fitted on other features: refit it (python -m midan.training_dedup)")
        return cls(tuple(data["weights"]), float(data["bias"]), float(data["threshold"]), data.get("about", {}))


@cache
def model() -> Model:
    """The shipped model, loaded once per process."""
    return Model.load()


def cosines(new: Sequence[Event], stored: Sequence[Event]) -> np.ndarray:
    """Cosine similarity of every new record's report with every stored one's (embeddings are unit length)."""
    from midan.classifier import encoder

    if not new or not stored:
        return np.zeros((len(new), len(stored)))
    vectors = encoder().encode([event_text(e) for e in [*new, *stored]])
    return vectors[: len(new)] @ vectors[len(new):].T


def best_matches(new: Sequence[Event], stored: Sequence[Event], chosen: Model | None = None,
                 ) -> list[tuple[int, float] | None]:
    """For each new record, the stored record it is the same event as (its index and the probability), or None:
    the most probable one in its block (:func:`pair_probabilities`), if that reaches the model's threshold."""
    chosen = chosen or model()
    scores = pair_probabilities(new, stored, chosen)
    found: list[tuple[int, float] | None] = []
    for i, item in enumerate(new):
        pairs = [j for j, other in enumerate(stored) if comparable(item, other)]
        best = max(pairs, key=lambda j: scores[i, j], default=None)  # the first of equals, as argmax
        found.append((best, float(scores[i, best])) if best is not None and scores[i, best] >= chosen.threshold
                     else None)
    return found


def pair_probabilities(new: Sequence[Event], stored: Sequence[Event], chosen: Model | None = None) -> np.ndarray:
    """The probability that each new record and each stored one are one event (``len(new) × len(stored)``); 0 for a
    pair outside one block (:func:`comparable`). What :func:`best_matches` chooses from, and what a split weighs
    each report of a merged record with."""
    chosen = chosen or model()
    found = np.zeros((len(new), len(stored)))
    pairs = [(i, j) for i, a in enumerate(new) for j, b in enumerate(stored) if comparable(a, b)]
    if not pairs:
        return found
    sims = cosines(new, stored)
    scores = chosen.probabilities(np.vstack([features(new[i], stored[j], float(sims[i, j])) for i, j in pairs]))
    for (i, j), score in zip(pairs, scores, strict=True):
        found[i, j] = float(score)
    return found


def merge_reports(kept: Event, new: Event, united: Event) -> Event:
    """The record of one event told by two reports: ``united`` (articles, outlets, evidence, fatalities united by
    :func:`midan.store.merge_events`) with the higher-ranked type and a named actor over an unnamed one. It keeps
    ``kept``'s ``event_id_cnty``."""
    merged = dataclasses.replace(united, event_id_cnty=kept.event_id_cnty)
    rank = {t: i for i, t in enumerate(TYPE_RANK)}
    if rank.get(new.event_type, len(rank)) < rank.get(kept.event_type, len(rank)):
        for name in ("event_type", "sub_event_type", "disorder_type", "civilian_targeting", "plover_type"):
            setattr(merged, name, getattr(new, name))
    for side in ("1", "2"):
        actor, inter, code = f"actor{side}", f"inter{side}", f"inter{side}_code"
        if unnamed(getattr(kept, actor)) and not unnamed(getattr(new, actor)):
            for name in (actor, inter, code):
                setattr(merged, name, getattr(new, name))
    if (merged.inter1, merged.inter2) != (kept.inter1, kept.inter2):
        from midan.schema import interaction

        merged.interaction = interaction(merged.inter1, merged.inter2) if merged.inter1 else kept.interaction
    return merged


__all__ = ["FAMILIES", "FEATURES", "Model", "admin_names_close", "best_matches", "comparable", "features",
           "merge_reports", "model", "name_similarity", "outside_block", "window"]
