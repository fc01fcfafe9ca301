"""The event record and ACLED's vocabularies (spec/EVENTS.md §1–2).

Everything here is data: the 6 event types and 25 sub-event types, the inter codes, the column order of
ACLED's export, and the dataclasses that travel between pipeline stages.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

# --- ACLED types -------------------------------------------------------------------------------------------

#: sub-event type -> event type, in ACLED's rank order (Battles first); the order decides which type wins
#: when several kinds of violence happen at one place and day between the same actors.
SUB_EVENT_TYPES: dict[str, str] = {
    "Armed clash": "Battles",
    "Government regains territory": "Battles",
    "Non-state actor overtakes territory": "Battles",
    "Peaceful protest": "Protests",
    "Protest with intervention": "Protests",
    "Excessive force against protesters": "Protests",
    "Violent demonstration": "Riots",
    "Mob violence": "Riots",
    "Chemical weapon": "Explosions/Remote violence",
    "Air/drone strike": "Explosions/Remote violence",
    "Suicide bomb": "Explosions/Remote violence",
    "Shelling/artillery/missile attack": "Explosions/Remote violence",
    "Remote explosive/landmine/IED": "Explosions/Remote violence",
    "Grenade": "Explosions/Remote violence",
    "Sexual violence": "Violence against civilians",
    "Attack": "Violence against civilians",
    "Abduction/forced disappearance": "Violence against civilians",
    "Agreement": "Strategic developments",
    "Arrests": "Strategic developments",
    "Change to group/activity": "Strategic developments",
    "Disrupted weapons use": "Strategic developments",
    "Headquarters or base established": "Strategic developments",
    "Looting/property destruction": "Strategic developments",
    "Non-violent transfer of territory": "Strategic developments",
    "Other": "Strategic developments",
}

EVENT_TYPES: tuple[str, ...] = tuple(dict.fromkeys(SUB_EVENT_TYPES.values()))

#: rank of each sub-event type (lower wins)
SUB_EVENT_RANK: dict[str, int] = {name: i for i, name in enumerate(SUB_EVENT_TYPES)}

DISORDER_TYPES: dict[str, str] = {
    "Battles": "Political violence",
    "Explosions/Remote violence": "Political violence",
    "Violence against civilians": "Political violence",
    "Protests": "Demonstrations",
    "Riots": "Demonstrations",
    "Strategic developments": "Strategic developments",
}

#: sub-event types whose disorder type is not their event type's: excessive force against protesters is both
#: political violence and a demonstration; mob violence (riots outside a demonstration) is political violence
DISORDER_OVERRIDES: dict[str, str] = {
    "Excessive force against protesters": "Political violence; Demonstrations",
    "Mob violence": "Political violence",
}

#: PLOVER crosswalk (PLOVER event types of the Open Event Data Alliance ontology)
PLOVER_TYPES: dict[str, str] = {
    "Armed clash": "FIGHT",
    "Government regains territory": "FIGHT",
    "Non-state actor overtakes territory": "FIGHT",
    "Peaceful protest": "PROTEST",
    "Protest with intervention": "PROTEST",
    "Excessive force against protesters": "ASSAULT",
    "Violent demonstration": "PROTEST",
    "Mob violence": "ASSAULT",
    "Chemical weapon": "FIGHT",
    "Air/drone strike": "FIGHT",
    "Suicide bomb": "ASSAULT",
    "Shelling/artillery/missile attack": "FIGHT",
    "Remote explosive/landmine/IED": "ASSAULT",
    "Grenade": "ASSAULT",
    "Sexual violence": "ASSAULT",
    "Attack": "ASSAULT",
    "Abduction/forced disappearance": "ASSAULT",
    "Agreement": "AGREE",
    "Arrests": "COERCE",
    "Change to group/activity": "MOBILIZE",
    "Disrupted weapons use": "COERCE",
    "Headquarters or base established": "MOBILIZE",
    "Looting/property destruction": "COERCE",
    "Non-violent transfer of territory": "RETREAT",
    "Other": "OTHER",
}

INTER_CODES: dict[str, int] = {
    "State forces": 1,
    "Rebel group": 2,
    "Political militia": 3,
    "Identity militia": 4,
    "Rioters": 5,
    "Protesters": 6,
    "Civilians": 7,
    "External/Other forces": 8,
}

#: ACLED's export columns, in ACLED's order; midan's additions follow in :data:`EXTRA_COLUMNS`
ACLED_COLUMNS: tuple[str, ...] = (
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type", "sub_event_type",
    "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction",
    "civilian_targeting", "iso", "region", "country", "admin1", "admin2", "admin3", "location", "latitude",
    "longitude", "geo_precision", "source", "source_scale", "notes", "fatalities", "tags", "timestamp",
)
EXTRA_COLUMNS: tuple[str, ...] = (
    "date_start", "date_end", "inter1_code", "inter2_code", "geonames_id", "fatalities_low", "fatalities_high",
    "plover_type", "confidence", "evidence", "article_ids", "extractor_version",
)
ALL_COLUMNS: tuple[str, ...] = ACLED_COLUMNS + EXTRA_COLUMNS


def interaction(inter1: str, inter2: str) -> str:
    """ACLED interaction label: both inter labels, lower code first except that civilians always come last
    (``External/Other forces-Civilians``, ACLED's code 78); one-sided events say ``X only``."""
    if not inter2:
        return f"{inter1} only"
    a, b = sorted((inter1, inter2), key=lambda label: (label == "Civilians", INTER_CODES[label]))
    return f"{a}-{b}"


# --- records travelling between stages -----------------------------------------------------------------------


@dataclass
class Article:
    """One news article as read by :mod:`midan.ingest`. ``origin`` says where it came from (file:line)."""

    id: str
    text: str
    title: str = ""
    published: dt.date | None = None
    url: str = ""
    source: str = ""
    origin: str = ""
    #: the outlet's home place as a user writes it ("Athens, Tennessee"): a prior for the place names
    home: str = ""


@dataclass
class Evidence:
    """Character offsets into ``Article.text`` that justify one field of an event."""

    article_id: str
    url: str
    field: str
    text: str
    start: int
    end: int


@dataclass
class Event:
    """One ACLED event record (spec §1). Field names are ACLED's export names."""

    event_id_cnty: str
    event_date: str
    year: int
    time_precision: int
    disorder_type: str
    event_type: str
    sub_event_type: str
    actor1: str
    assoc_actor_1: str = ""
    inter1: str = ""
    actor2: str = ""
    assoc_actor_2: str = ""
    inter2: str = ""
    interaction: str = ""
    civilian_targeting: str = ""
    iso: int | None = None
    region: str = ""
    country: str = ""
    admin1: str = ""
    admin2: str = ""
    admin3: str = ""
    location: str = ""
    latitude: float | None = None
    longitude: float | None = None
    geo_precision: int | None = None
    source: str = ""
    source_scale: str = ""
    notes: str = ""
    fatalities: int = 0
    tags: str = ""
    timestamp: int = 0
    date_start: str = ""
    date_end: str = ""
    inter1_code: int | None = None
    inter2_code: int | None = None
    geonames_id: int | None = None
    fatalities_low: int = 0
    fatalities_high: int = 0
    plover_type: str = ""
    confidence: float = 0.0
    evidence: list[Evidence] = field(default_factory=list)
    article_ids: list[str] = field(default_factory=list)
    extractor_version: str = ""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict in the column order of :data:`ALL_COLUMNS`."""
        data = asdict(self)
        return {name: data[name] for name in ALL_COLUMNS}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Event:
        known = {k: v for k, v in data.items() if k in ALL_COLUMNS}
        known["evidence"] = [Evidence(**e) if isinstance(e, dict) else e for e in known.get("evidence") or []]
        known["article_ids"] = list(known.get("article_ids") or [])
        return cls(**known)
