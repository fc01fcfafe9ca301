"""Event coreference inside one article: which of its records report the same event.

Assembly makes one record per actor pair, place and day from each sentence's mentions; a story then tells its
events more than once. A later sentence restates the event ("his abduction was condemned", "the attack on the
market"), sums it up (the headline, "the strikes killed 22"), reports what it caused (the killing an air strike
did) or gives it a day of its own where the first report gave none. ACLED codes each such event once, with all its
evidence. Two records are taken for one event when

* they are acts of one family (violence, demonstrations, detentions, or the same sub-event type otherwise);
* they lie at one place: the same town, or a town and the province that holds it;
* their days agree: the same day, or days within a few of each other when one of the two was not dated by its own
  sentence (it took the story's date or the publication week);
* their kinds agree: the same event type, or one of them is only an outcome of violence (a killing or an attack
  whose perpetrator the text does not name) told beside an act of another kind;
* their sides do not contradict each other: both name actors, and the perpetrators differ.

No library codes this (event coreference models need annotated corpora and a GPU to train); the rules are ACLED's
own unit of one event per place, day and actor pair, with the text's restatements folded in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from midan.schema import SUB_EVENT_TYPES

#: days apart that a restatement without a day of its own may lie from the event it restates
LOOSE_DAYS = 3
#: days after an event that a reference back to it ("the attack", "the strike on the market") may be dated
RESTATED_DAYS = 7

_VIOLENCE = frozenset({"Battles", "Explosions/Remote violence", "Violence against civilians"})
_DETENTION = frozenset({"Arrests", "Abduction/forced disappearance"})


def family(sub_event_type: str) -> str:
    """The family of acts a record belongs to, for coreference."""
    event_type = SUB_EVENT_TYPES[sub_event_type]
    if sub_event_type in _DETENTION:
        return "detention"
    if event_type == "Protests" or sub_event_type == "Violent demonstration":
        return "demonstration"
    if event_type in _VIOLENCE or sub_event_type in {"Mob violence", "Looting/property destruction"}:
        return "violence"
    return sub_event_type


@dataclass(frozen=True)
class Sketch:
    """What coreference needs to know of one record."""

    sub_event_type: str
    country: str
    admin1: str
    location: str
    geo_precision: int
    day: dt.date
    dated: bool  # the day comes from the record's own sentence (or the lead), not from the story around it
    outcome: bool  # only the outcome of violence: a killing, or an attack by a perpetrator nobody names
    actor1: str  # the perpetrator as the text names it ("" when it names none)
    crowd: str = ""
    restated: bool = False  # every report of it refers back to an event ("the attack", "the Khan Sheikhun strike")

    @property
    def family(self) -> str:
        return family(self.sub_event_type)

    @property
    def event_type(self) -> str:
        return SUB_EVENT_TYPES[self.sub_event_type]


def same_place(a: Sketch, b: Sketch) -> bool:
    """The same town, or a province and a place inside it."""
    if a.country != b.country:
        return False
    if (a.admin1, a.location) == (b.admin1, b.location):
        return True
    return bool(a.admin1) and a.admin1 == b.admin1 and 3 in {a.geo_precision, b.geo_precision}


def same_days(a: Sketch, b: Sketch) -> bool:
    if a.day == b.day:
        return True
    if (not a.dated or not b.dated) and abs((a.day - b.day).days) <= LOOSE_DAYS:
        return True
    # a reference back to an event is dated by the sentence that makes it: the day of the reaction or the report
    # ("Thursday: Turkey says tests on the attack's victims point to sarin"), not an earlier day of its own
    return any(later.restated and 0 <= (later.day - earlier.day).days <= RESTATED_DAYS
               for later, earlier in ((a, b), (b, a)))


def same_kind(a: Sketch, b: Sketch) -> bool:
    if a.family != b.family:
        return False
    if a.family != "violence" or a.event_type == b.event_type:
        return not (a.crowd and b.crowd and a.crowd != b.crowd)
    return a.outcome or b.outcome


def same_sides(a: Sketch, b: Sketch) -> bool:
    """The perpetrators do not differ, or the two reports tell the same kind of act at the same place on the same
    day: "Russian or Syrian regime war planes bombed the camp" names each side in turn, one event."""
    if a.sub_event_type == b.sub_event_type and a.day == b.day and a.location == b.location:
        return True
    return not (a.actor1 and b.actor1 and a.actor1 != b.actor1)


def same_event(a: Sketch, b: Sketch) -> bool:
    """Whether two records of one article report one event."""
    return same_kind(a, b) and same_place(a, b) and same_days(a, b) and same_sides(a, b)


def clusters(sketches: Sequence[Sketch], order: Sequence[int] | None = None) -> list[list[int]]:
    """Records of one event, as lists of indices. ``order`` gives the records strongest first: each record joins
    the first cluster whose first (strongest) record it corefers with, so that a chain of loose matches never
    joins two events that do not match each other."""
    found: list[list[int]] = []
    for index in order if order is not None else range(len(sketches)):
        for cluster in found:
            if all(same_event(sketches[index], sketches[member]) for member in cluster):
                cluster.append(index)
                break
        else:
            found.append([index])
    return found
