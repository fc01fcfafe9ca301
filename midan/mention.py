"""The mention model: the records every stage of the pipeline shares and none owns.

A :class:`Mention` is one clause that reports (or seems to report) an event; detection (:mod:`midan.detect`) makes
it, and the later stages fill it in: its actors (:class:`Actor`, :mod:`midan.actors`), its dead
(:class:`Fatalities`, :mod:`midan.counts`), its place (:class:`EventLocation` of a :class:`Toponym`,
:mod:`midan.geo`) and its date (:class:`EventDate` of a :class:`Timex`, :mod:`midan.timex` and
:mod:`midan.dating`). The records are plain data with their small methods; the stages import them from here and
never from one another, so the stage modules form no import cycle.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from spacy.tokens import Span, Token

from midan.gazetteer import Place
from midan.schema import INTER_CODES

# --- time ---------------------------------------------------------------------------------------------------------


@dataclass
class Timex:
    """One TIMEX3 expression with its TimeML value and, for calendar dates, the interval it denotes (for a duration
    anchored on a day, "three days later", the day it points to)."""

    start: int
    end: int
    text: str
    type: str
    value: str
    begin: dt.date | None = None
    last: dt.date | None = None
    granularity: str = ""
    mod: str = ""
    since: bool = False
    #: days from the story's previous date ("the following day" = +1), resolved by ``tag`` once all are found
    shift: int | None = None
    #: years or months (by ``granularity``) from the story's previous date ("the following year" = +1)
    period_shift: int | None = None


@dataclass
class EventDate:
    """The date of one event by ACLED's rules."""

    event_date: dt.date
    date_start: dt.date
    date_end: dt.date
    time_precision: int
    timex: Timex | None
    how: str


# --- place --------------------------------------------------------------------------------------------------------


@dataclass
class Toponym:
    """A place name in the text and its resolution."""

    start: int
    end: int
    text: str
    place: Place | None
    label: str
    locative: bool
    score: float = 0.0
    token_start: int = -1
    token_end: int = -1

    def to_dict(self) -> dict[str, Any]:
        place = self.place
        return {
            "start": self.start, "end": self.end, "text": self.text,
            "name": place.name if place else None, "geonames_id": place.geonames_id if place else None,
            "latitude": round(place.latitude, 4) if place else None,
            "longitude": round(place.longitude, 4) if place else None,
            "country": place.country if place else None, "admin1": place.admin1 if place else None,
            "admin2": place.admin2 if place else None, "feature_code": place.feature_code if place else None,
            "point": place.point if place else None,
            "population": place.population if place else None, "confidence": self.score, "label": self.label,
            "locative": self.locative,
        }


@dataclass
class EventLocation:
    """Where one event happened, coded the ACLED way."""

    toponym: Toponym | None
    place: Place
    location: str
    geo_precision: int
    how: str


@dataclass
class PlaceMention:
    """A span with its gazetteer candidates, and what the text around it says."""

    span: Span
    label: str
    places: list[Place]
    country: Place | None   # the text names a country (or its people) exactly
    fuzzy: bool
    context_cc: str         # the country named right after it ("Kassala, eastern Sudan")
    context_admin1: set[tuple[str, str]]   # the state or province named right after it ("Dublin, Ga.")
    admin_hint: bool        # "X province", "the state of X"
    key: str
    vouched: bool = False   # used as a place ("in X") and known in a country the document speaks of


# --- actors and fatalities ----------------------------------------------------------------------------------------


@dataclass
class Actor:
    """One actor of an event, named the ACLED way, with the span that names it in the text."""

    name: str
    inter: str
    kind: str
    text: str = ""
    start: int = -1
    end: int = -1
    country: str = ""

    @property
    def inter_code(self) -> int:
        return INTER_CODES[self.inter]


@dataclass
class Fatalities:
    """Fatalities of one mention: ACLED's figure plus the range the text supports and its evidence span."""

    best: int
    low: int
    high: int
    text: str = ""
    start: int = -1
    end: int = -1


# --- the mention --------------------------------------------------------------------------------------------------


@dataclass
class Mention:
    """One clause reporting (or seeming to report) an event."""

    trigger: Token
    cues: dict[str, list[Token]]
    anchor: Token | None = None
    clause: list[Token] = field(default_factory=list)
    sub_event_type: str = ""
    score: float = 0.0
    rule: str = ""
    rule_score: float = 0.0  # the rules' own score, before the classifier's verdict is blended in
    act: Mention | None = None  # the act told just before whose outcome this mention reports ("... were killed")
    no_event: float = 0.0  # the sentence classifier's probability that the sentence reports no ACLED event
    type_probability: float = 0.0  # the sentence classifier's probability of the mention's sub-event type
    rejected: str = ""
    actor1: Actor | None = None
    actor2: Actor | None = None
    assoc1: list[str] = field(default_factory=list)
    assoc2: list[str] = field(default_factory=list)
    location: EventLocation | None = None
    date: EventDate | None = None
    fatalities: Fatalities | None = None
    crowd: str = ""
    crowd_span: tuple[int, int] | None = None

    @property
    def sentence(self) -> Span:
        return self.trigger.sent

    @property
    def start(self) -> int:
        return self.trigger.idx

    @property
    def end(self) -> int:
        return self.trigger.idx + len(self.trigger.text)

    def explain(self) -> dict[str, Any]:
        """The mention as a JSON-able dict for ``--explain``."""
        sent = self.sentence
        return {
            "text": sent.text.strip(),
            "start": sent.start_char,
            "end": sent.end_char,
            "trigger": self.trigger.text,
            "trigger_start": self.start,
            "trigger_end": self.end,
            "sub_event_type": self.sub_event_type or None,
            "cues": sorted(self.cues),
            "rule": self.rule,
            "score": round(self.score, 3),
            "rejected": self.rejected,
        }
