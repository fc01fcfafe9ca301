"""Assembly: from coded mentions to ACLED event records.

ACLED's unit is one actor pair, one named place and one day. Assembly works in three steps:

1. **Spread** each mention over the days and places it reports. A range ("from Monday to Wednesday",
   "between 3 and 5 May", "three days of protests ended on Wednesday") or a list ("on Monday and Tuesday",
   "in Beni and Butembo") gives one unit per day and place; a summary death toll is split evenly across them,
   the remainder going to the first.
2. **Group** the units that describe one event: the same place and day, and the same actors. A demonstration
   and the response to it (police dispersal, arrests, live fire) are one event; so are several kinds of violence
   between the same sides (a clash with shelling, a shelling that killed civilians). Distinct acts by different
   actor pairs stay separate.
3. **Code** each group with ACLED's hierarchy: the highest-ranked type wins (:func:`midan.detect.rank`, Battles
   first), with ACLED's two refinements: a demonstration whose participants turned violent is a riot whatever
   the response, and a battle that changed who holds a place is coded as the change of territory. Deaths
   reported in several sentences are counted once (the largest figure), and each record carries the evidence
   of every contributing sentence, a stable id, a generated note and a confidence.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import logging
import re
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from spacy.tokens import Doc, Span, Token

from midan import confidence, coref, dating, geo
from midan import counts as count_rules
from midan import timex as timex_rules
from midan.actors import civilian_targeting
from midan.detect import CRIME_WORDS, POLITICAL_WORDS, rank
from midan.mention import Actor, EventDate, EventLocation, Mention, Timex, Toponym
from midan.nlp import doc_text, governor, steps_to
from midan.schema import (
    DISORDER_OVERRIDES,
    DISORDER_TYPES,
    PLOVER_TYPES,
    SUB_EVENT_TYPES,
    Article,
    Event,
    Evidence,
    interaction,
)
from midan.timex import headline_end

if TYPE_CHECKING:
    from midan.gazetteer import Gazetteer, Place

logger = logging.getLogger(__name__)

_LOCATION_TRUST = {"dependency": 1.0, "sentence": 0.92, "previous sentence": 0.85, "paragraph": 0.8,
                   "dateline": 0.75, "article": 0.7}
_DATE_TRUST = {1: 1.0, 2: 0.9, 3: 0.8}

#: the longest report that is spread over one record per day; longer spans stay one record
MAX_DAYS = 14
#: sub-event types whose activity goes on over days, so that a duration ("three days of fighting") spreads them;
#: a change of territory happens on one day, whatever the length of the siege before it
_CONTINUING = frozenset({"Armed clash", "Peaceful protest", "Protest with intervention",
                         "Excessive force against protesters", "Violent demonstration", "Air/drone strike",
                         "Shelling/artillery/missile attack"})
_CROWD = frozenset({"Protesters", "Rioters"})
_NON_STATE_ARMED = frozenset({"Rebel group", "Political militia", "Identity militia", "External/Other forces"})
_UNIDENTIFIED = "Unidentified Armed Group"
_TERRITORY = frozenset({"Government regains territory", "Non-state actor overtakes territory"})


# --- units: one mention on one day at one place ------------------------------------------------------------------


@dataclass
class _Unit:
    """One mention placed on one day at one place; a multi-day or multi-place report gives several units."""

    mention: Mention
    location: EventLocation
    date: EventDate
    parts: int = 1  # how many records the mention's figures are split across
    part: int = 0  # this unit's position among them: the first takes the remainder
    days: tuple[dt.date, ...] = ()  # every day of a multi-day report
    deaths: int | None = None  # a figure of its own (a gapped clause's "another five")
    taken: int = 0  # what other places' own figures take from the mention's before the rest is split

    @property
    def fatalities(self) -> tuple[int, int, int] | None:
        """ACLED figure, low and high of this unit's share of the mention's deaths."""
        if self.deaths is not None:
            return (self.deaths, self.deaths, self.deaths)
        found = self.mention.fatalities
        if found is None:
            return None
        if found.start < 0 and found.best == count_rules.PLURAL_UNKNOWN and self.parts >= found.best:
            # "deaths occurred in Yangon, Dawei, Mandalay, Myeik, Bago and Pakokku": deaths at each place, and no
            # number: the lowest figure is one at each
            return (1, 1, 1)
        best, low, high = (split_share(max(figure - self.taken, 0), self.parts, self.part)
                           for figure in (found.best, found.low, found.high))
        return (best, low, high)


def split_share(total: int, parts: int, index: int) -> int:
    """ACLED's split of a summary figure over ``parts`` records: even shares, the remainder on the first."""
    if parts <= 1:
        return total
    share, remainder = divmod(total, parts)
    return share + remainder if index == 0 else share


def _spread(mention: Mention, timexes: Sequence[Timex], toponyms: Sequence[Toponym] | None,
            gazetteer: Gazetteer | None, published: dt.date | None) -> list[_Unit]:
    assert mention.location is not None and mention.date is not None
    days, span = reported_days(mention, timexes, published)
    places = reported_places(mention, toponyms, gazetteer) if toponyms is not None else [mention.location]
    if len(days) <= 1:
        dates = [mention.date]
    else:
        dates = [EventDate(day, day, day, 1, span, mention.date.how) for day in days]
    # a gapped clause gives its place its own figure ("and another five outside Kobane"); the rest is split
    gaps = _gapped_deaths(mention, places) if len(dates) == 1 else [None] * len(places)
    taken = sum(gap for gap in gaps if gap is not None)
    parts = len(dates) * sum(1 for gap in gaps if gap is None)
    units = []
    part = 0
    for date in dates:
        for place, gap in zip(places, gaps, strict=True):
            if gap is not None:
                units.append(_Unit(mention, place, date, deaths=gap))
            else:
                units.append(_Unit(mention, place, date, parts, part, tuple(days) if len(days) > 1 else (),
                                   taken=taken))
                part += 1
    if parts > 1:
        logger.debug("mention %r spread over %d days and %d places", mention.trigger.text, len(dates), len(places))
    return units


# --- multi-day reports ---------------------------------------------------------------------------------------

_RANGE_LINK = re.compile(r"\s*(?:[-–—]|\s(?:to|until|till|through|thru))\s*(?:(?:on|the)\s+)?", re.IGNORECASE)
_AND_LINK = re.compile(r"\s+and\s+(?:(?:on|the)\s+)?", re.IGNORECASE)
_LIST_LINK = re.compile(r"(?:\s*,|,?\s+and)(?:\s+(?:again|also))?\s+(?:(?:again\s+)?on\s+)?(?:the\s+)?",
                        re.IGNORECASE)
_ORD = r"(?:st|nd|rd|th)?"
_BEFORE_DAY_MONTH = [
    # "between 3 and 5 May", "from 3 to 5 May", "3-5 May"
    ("range", re.compile(r"\b(?:between|from)\s+(?:the\s+)?(\d{1,2})" + _ORD +
                         r"\s+(?:and|to|until|till|through)\s+$", re.IGNORECASE)),
    ("range", re.compile(r"\b(\d{1,2})" + _ORD + r"\s*[-–]\s*$")),
    # "on 3, 4 and 6 May"
    ("list", re.compile(r"\bon\s+(?:the\s+)?((?:\d{1,2}" + _ORD + r"\s*,\s*)*\d{1,2}" + _ORD +
                        r")\s*,?\s+and\s+$", re.IGNORECASE)),
]
_END_OF_NUMBER = r"(?=\s*(?:[,.;:)]|$)|\s+(?:in|at|on|near|across|outside|when|while|after|before|as|with)\b)"
_AFTER_MONTH_DAY = [
    # "May 3-5", "May 3 to 5"; "between May 3 and 5" (checked for "between" before)
    ("range", re.compile(r"^\s*(?:[-–]|\s(?:to|until|till|through))\s*(\d{1,2})" + _ORD + r"\b" + _END_OF_NUMBER,
                         re.IGNORECASE)),
    ("and", re.compile(r"^((?:\s*,\s*\d{1,2}" + _ORD + r")*)\s*,?\s+and\s+(\d{1,2})" + _ORD + r"\b" +
                       _END_OF_NUMBER, re.IGNORECASE)),
]
_START_VERBS = frozenset({"begin", "start", "launch", "kick", "commence", "open", "erupt"})
_DAYS_OF = re.compile(r"^\s*(?:of|-)\s+(?:[\w-]+\s+){0,2}$", re.IGNORECASE)
_DURATION_DAYS = re.compile(r"^P(\d+)D$")
_OFFSET = re.compile(r"\s+(?:after|before|later|earlier|ago|since|from)\b", re.IGNORECASE)


def reported_days(mention: Mention, timexes: Sequence[Timex],
                  published: dt.date | None) -> tuple[list[dt.date], Timex | None]:
    """The days a mention reports, in order, and a time expression spanning the whole report.

    A single day gives ``[day]``; ranges, lists and day-counted durations anchored on a known day give every day
    (those after publication are dropped). Reports of unknown days (a week, a month) keep their one date.
    """
    date = mention.date
    assert date is not None
    single: tuple[list[dt.date], Timex | None] = ([date.event_date], date.timex)
    anchor = date.timex
    if date.time_precision != 1 or anchor is None or anchor.begin is None or date.how not in {"dependency",
                                                                                                "sentence"}:
        return single
    sent = mention.sentence
    text = doc_text(sent.doc)
    found = _linked_days(mention, anchor, timexes) or _numbered_days(anchor, text, sent.start_char) or \
        _duration_days(mention, anchor, timexes)
    if found is None:
        return single
    days, start, end = found
    if published is not None:
        window = published - dt.timedelta(days=dating.BACKGROUND_DAYS)
        days = [d for d in days if window <= d <= published]
    days = sorted(set(days))
    if len(days) < 2 or date.event_date not in days or (days[-1] - days[0]).days >= MAX_DAYS:
        return single
    span = Timex(start, end, text[start:end], "DATE", date.event_date.isoformat(), days[0], days[-1], "day")
    return days, span


def _day_timexes(timexes: Sequence[Timex], sent: Span) -> list[Timex]:
    return [t for t in timexes if sent.start_char <= t.start < sent.end_char and t.begin is not None
            and t.granularity == "day" and not t.since]


def _linked_days(mention: Mention, anchor: Timex,
                 timexes: Sequence[Timex]) -> tuple[list[dt.date], int, int] | None:
    """Days named next to the anchor and joined to it: "from Monday to Wednesday", "on Monday and Tuesday"."""
    sent = mention.sentence
    doc = sent.doc
    text = doc_text(doc)
    chain = _day_timexes(timexes, sent)
    if anchor not in chain:
        return None
    position = chain.index(anchor)
    targets = {mention.trigger.i, governor(mention.trigger).i}
    anchor_root = timex_rules.timex_root(doc, anchor)
    if anchor_root is not None:
        targets.add(anchor_root.i)

    def link(first: Timex, second: Timex, new: Timex) -> str:
        between = text[first.end:second.start]
        root = timex_rules.timex_root(doc, new)
        if root is None or steps_to(root, targets, limit=6) is None:
            return ""  # the other day belongs to another clause ("and on Tuesday police arrested ...")
        if between.strip() == "," and _is_weekday(first) != _is_weekday(second):
            return ""  # "Monday, March 3" names one day twice
        if _RANGE_LINK.fullmatch(between):
            kind = "range"
        elif _AND_LINK.fullmatch(between) and re.search(r"\bbetween\s+$", text[sent.start_char:first.start],
                                                        re.IGNORECASE):
            kind = "range"
        elif _LIST_LINK.fullmatch(between):
            kind = "list"
        else:
            return ""
        targets.add(root.i)
        return kind

    lo = hi = position
    links: list[str] = []
    while lo > 0 and (kind := link(chain[lo - 1], chain[lo], chain[lo - 1])):
        lo -= 1
        links.insert(0, kind)
    while hi + 1 < len(chain) and (kind := link(chain[hi], chain[hi + 1], chain[hi + 1])):
        hi += 1
        links.append(kind)
    if lo == hi:
        return None
    days: list[dt.date] = []
    previous: dt.date | None = None
    for i in range(lo, hi + 1):
        item = chain[i]
        assert item.begin is not None
        day = item.begin
        if previous is not None and day <= previous and _is_weekday(item):
            # a later weekday of the same report is after the earlier one ("from Sunday to Tuesday")
            day = previous + dt.timedelta(days=(day.weekday() - previous.weekday()) % 7 or 7)
        if previous is not None and links[i - lo - 1] == "range":
            if day <= previous:
                return None
            days.extend(previous + dt.timedelta(days=k) for k in range(1, (day - previous).days))
        days.append(day)
        previous = day
    return days, _range_start(text, chain[lo].start, sent.start_char), chain[hi].end


def _is_weekday(item: Timex) -> bool:
    return any(name in item.text.lower() for name in timex_rules.WEEKDAYS)


def _range_start(text: str, start: int, floor: int) -> int:
    """Include a leading "from"/"between" in the evidence of a range."""
    match = re.search(r"\b(?:from|between)\s+$", text[floor:start], re.IGNORECASE)
    return floor + match.start() if match else start


def _numbered_days(anchor: Timex, text: str, floor: int) -> tuple[list[dt.date], int, int] | None:
    """Bare day numbers next to a dated day: "between 3 and 5 May", "May 3-5", "on 3, 4 and 6 May"."""
    day = anchor.begin
    assert day is not None
    words = anchor.text.lower().removeprefix("the ").strip()
    if words[:1].isdigit():
        before = text[floor:anchor.start]
        for kind, pattern in _BEFORE_DAY_MONTH:
            match = pattern.search(before)
            if match is None:
                continue
            numbers = [int(n) for n in re.findall(r"\d{1,2}", match.group(1))]
            others = [_with_day(day, n) for n in numbers]
            if any(o is None or o >= day for o in others):
                return None
            start = floor + match.start()
            earlier = [o for o in others if o is not None]
            if kind == "range":
                return _fill(earlier[0], day), start, anchor.end
            return [*earlier, day], start, anchor.end
        return None
    after = text[anchor.end:]
    for kind, pattern in _AFTER_MONTH_DAY:
        match = pattern.match(after)
        if match is None:
            continue
        numbers = [int(n) for n in re.findall(r"\d{1,2}", match.group(0))]
        others = [_with_day(day, n) for n in numbers]
        if any(o is None or o <= day for o in others):
            return None
        later = [o for o in others if o is not None]
        end = anchor.end + match.end()
        between = re.search(r"\bbetween\s+$", text[floor:anchor.start], re.IGNORECASE)
        if kind == "range" or (kind == "and" and between and len(later) == 1):
            return _fill(day, later[-1]), _range_start(text, anchor.start, floor), end
        return [day, *later], anchor.start, end
    return None


def _with_day(day: dt.date, number: int) -> dt.date | None:
    try:
        return day.replace(day=number)
    except ValueError:
        return None


def _fill(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=k) for k in range((last - first).days + 1)]


def _duration_days(mention: Mention, anchor: Timex,
                   timexes: Sequence[Timex]) -> tuple[list[dt.date], int, int] | None:
    """A counted number of days of a continuing event anchored on a known day: "three days of protests ended on
    Wednesday" (the days up to it), "began a three-day sit-in on Monday" (the days from it)."""
    if mention.sub_event_type not in _CONTINUING:
        return None
    sent = mention.sentence
    doc = sent.doc
    trigger = mention.trigger
    targets = {trigger.i, governor(trigger).i}
    assert anchor.begin is not None
    for item in timexes:
        if not sent.start_char <= item.start < sent.end_char or item.type != "DURATION" or item.begin is not None:
            continue  # an anchored duration ("three days later") is an offset to a day
        match = _DURATION_DAYS.match(item.value)
        if match is None or not 2 <= int(match.group(1)) <= MAX_DAYS or _OFFSET.match(doc_text(doc)[item.end:]):
            continue  # "two days after the attack" is an offset, not a duration
        root = timex_rules.timex_root(doc, item)
        attached = root is not None and steps_to(root, targets, limit=4) is not None
        if not attached and not (item.end <= trigger.idx and _DAYS_OF.match(doc_text(doc)[item.end:trigger.idx])):
            continue
        count = int(match.group(1))
        if _starts_at(anchor, doc):
            days = [anchor.begin + dt.timedelta(days=k) for k in range(count)]
        else:
            days = [anchor.begin - dt.timedelta(days=k) for k in range(count - 1, -1, -1)]
        return days, min(item.start, anchor.start), max(item.end, anchor.end)
    return None


def _starts_at(anchor: Timex, doc: Doc) -> bool:
    """Whether the anchor day is where the reported span begins ("began on Monday")."""
    root = timex_rules.timex_root(doc, anchor)
    if root is None:
        return False
    for node in list(root.ancestors)[:3]:
        if node.pos_ in {"VERB", "AUX"}:
            return node.lemma_.lower() in _START_VERBS
    return False


# --- multi-place reports ---------------------------------------------------------------------------------------


def reported_places(mention: Mention, toponyms: Sequence[Toponym],
                    gazetteer: Gazetteer | None = None) -> list[EventLocation]:
    """The places a mention reports: its event place and the places listed with it ("in Beni and Butembo")."""
    location = mention.location
    assert location is not None
    chosen = location.toponym
    if chosen is None or chosen.token_start < 0 or location.how not in {"dependency", "sentence"}:
        return [location]
    doc = mention.trigger.doc
    root = doc[chosen.token_start:chosen.token_end].root
    if any(t.head.lower_ == "between" for t in (root, *root.conjuncts)):
        return [location]  # "on the road between A and B" is one place between two towns
    listed = {t.i for t in root.conjuncts} | set(_gapped_places(root))
    # the sentence's place names, those the gazetteer does not know included ("the areas of al-Midan and
    # al-Muhafaza in Aleppo city", "the towns of Mesraba and Harasta")
    named = [*toponyms, *(t for t in geo.sentence_places(mention.sentence, list(toponyms)) if t.place is None)]
    # a list of provinces is most often a summary ("air strikes in Hasakah, Idlib and Raqqa"), a list of towns a
    # report of each
    chain = {id(t) for t in _listed_with(chosen, named, doc_text(doc))} if chosen.place is None or \
        not chosen.place.is_admin else set()
    places = [location]
    seen = {_place_key(location)}
    for toponym in named:
        if toponym is chosen or toponym.token_start < 0 or \
                (toponym.token_start, toponym.token_end) == (chosen.token_start, chosen.token_end):
            continue
        if doc[toponym.token_start:toponym.token_end].root.i not in listed and id(toponym) not in chain:
            continue
        coded = _listed_location(toponym, location, gazetteer)
        if coded is not None and _place_key(coded) not in seen:
            seen.add(_place_key(coded))
            places.append(coded)
    # in the order the text names them: the first place named takes the remainder of a split figure
    return sorted(places, key=lambda p: p.toponym.start if p.toponym is not None else -1)


def _gapped_places(place: Token) -> dict[int, Token]:
    """The places of a gapped second clause ("30 jihadists were killed around Shadadi and another five outside
    the town of Kobane"), by token, with the number the clause gives them: a number coordinated with the verb the
    event place hangs on, with a place of its own."""
    found: dict[int, Token] = {}
    for conj in governor(place, limit=7).conjuncts:
        if not (conj.like_num or conj.pos_ == "NUM" or conj.ent_type_ == "CARDINAL"):
            continue
        for prep in conj.children:
            if prep.dep_ != "prep" or prep.lower_ not in _GAP_PREPS:
                continue
            for node in prep.children:
                if node.dep_ == "pobj":
                    found[node.i] = conj
                    # "outside the town of Kobane": the name after the kind noun
                    found.update((g.i, conj) for p in node.children if p.dep_ == "prep" and p.lower_ == "of"
                                 for g in p.children if g.dep_ == "pobj")
    return found


def _gapped_deaths(mention: Mention, places: list[EventLocation]) -> list[int | None]:
    """For each reported place, the figure a gapped clause gives it (None for the others)."""
    chosen = mention.location.toponym if mention.location is not None else None
    if len(places) < 2 or chosen is None or chosen.token_start < 0:
        return [None] * len(places)
    doc = mention.trigger.doc
    gaps = _gapped_places(doc[chosen.token_start:chosen.token_end].root)
    found: list[int | None] = []
    for place in places:
        toponym = place.toponym
        number = gaps.get(doc[toponym.token_start:toponym.token_end].root.i) \
            if toponym is not None and toponym.token_start >= 0 else None
        value = count_rules.number_value(number) if number is not None else None
        found.append(value[0] if value is not None else None)
    return found


_GAP_PREPS = frozenset({"in", "at", "near", "outside", "around", "inside", "on"})


#: what may stand between two names of one list of places: "A, B and C", "A B and C" (punctuation lost upstream)
_LIST_GAP = re.compile(r"\s*(?:,|;|&|\band\b|\bor\b|,\s*and\b|\bas well as\b)?\s*", re.IGNORECASE)


def _listed_with(chosen: Toponym, toponyms: Sequence[Toponym], text: str) -> list[Toponym]:
    """The toponyms listed in a row with ``chosen`` in the text ("in Yangon, Dawei, Mandalay and Bago"), found
    from the characters between them, so that a list the parser split into several phrases is still one list."""
    ordered = sorted((t for t in toponyms if t.token_start >= 0), key=lambda t: t.start)
    if chosen not in ordered:
        return []
    at = ordered.index(chosen)
    found: list[Toponym] = []
    for step in (-1, 1):
        i = at
        while 0 <= i + step < len(ordered):
            a, b = (ordered[i], ordered[i + step]) if step == 1 else (ordered[i + step], ordered[i])
            if b.start < a.end or not _LIST_GAP.fullmatch(text[a.end:b.start]):
                break
            i += step
            found.append(ordered[i])
    return found


def _listed_location(toponym: Toponym, like: EventLocation, gazetteer: Gazetteer | None) -> EventLocation | None:
    """A place listed with the event place, coded like it (a town listed with its region is a containment). With
    a name the gazetteer does not know in the list: a known name is coded as itself, and an unknown quarter listed
    with a quarter of the same town is that town's quarter too ("Aleppo - al-Muhafaza")."""
    place = toponym.place
    chosen = like.toponym.place if like.toponym is not None else None
    if like.toponym is not None and chosen is None:
        if place is not None:
            if place.is_country or place.is_admin or place.country_code != like.place.country_code:
                return None
            return EventLocation(toponym, place, place.name, 1, like.how)
        quarter = f" - {like.toponym.text}"
        if like.location.endswith(quarter):
            return replace(like, toponym=toponym, location=like.location.removesuffix(quarter) + f" - {toponym.text}")
        return None
    # a name listed with the event place is a place too, whatever the NER called it ("in Yangon, Dawei, Myeik")
    if place is None or chosen is None or place.is_country or place.is_admin != chosen.is_admin or \
            place.country_code != chosen.country_code:
        return None
    if not place.is_admin:
        return EventLocation(toponym, place, place.name, like.geo_precision, like.how)
    capital = gazetteer.admin1_capital(place.country_code, place.admin1) if gazetteer is not None else None
    if capital is None:
        return None
    admin2 = place.admin2 if place.feature_code == "ADM2" else ""
    return EventLocation(toponym, replace(capital, admin1=place.admin1, admin2=admin2), capital.name, 3, like.how)


def _place_key(location: EventLocation) -> tuple[str, str, str]:
    return (location.place.country_code, location.place.admin1, location.location)


# --- grouping: one event per actor pair, place and day --------------------------------------------------------


def _precedence(sub: str) -> tuple[int, int, int]:
    """ACLED's order among types that happen together (lower wins): :func:`midan.detect.rank`, except that a
    demonstration whose participants turned violent is a riot whatever the response, and a battle that changed
    who holds the place is coded as that change of territory."""
    key = rank(sub)
    if sub == "Violent demonstration":
        top = rank("Excessive force against protesters")
        return (top[0], top[1] - 1, key[2])
    if sub in _TERRITORY:
        return (key[0], key[1] - 1, key[2])
    return key


def _family(sub: str) -> str:
    """Which mentions can be one event: demonstrations with the response to them, violence among the same
    sides (looting and destruction included), and otherwise only mentions of the same sub-event type."""
    event_type = SUB_EVENT_TYPES[sub]
    if event_type == "Protests" or sub == "Violent demonstration":
        return "demonstration"
    if event_type in {"Battles", "Explosions/Remote violence", "Violence against civilians"} or sub in {
            "Mob violence", "Looting/property destruction"}:
        return "violence"
    return sub


def _lead_key(unit: _Unit) -> tuple[int, tuple[int, int, int], float, int]:
    """Sort key of the mention that codes a group (lowest first). Among violence, a bare report of deaths
    ("several fighters were killed") adds the toll, not a kind of violence, and looting or destruction is part
    of whatever violent act it came with."""
    mention = unit.mention
    sub = mention.sub_event_type
    tier = 0
    if _family(sub) == "violence":
        tier = 2 if sub == "Looting/property destruction" else 1 if mention.cues.keys() <= {"KILL"} else 0
    return (tier, _precedence(sub), -mention.score, mention.start)


@dataclass
class _Group:
    units: list[_Unit] = field(default_factory=list)
    chosen: _Unit | None = None  # the lead, when coreference chose it among groups merged into this one
    merged: int = 1  # how many groups coreference merged into this one

    @property
    def lead(self) -> _Unit:
        return self.chosen or min(self.units, key=_lead_key)

    @property
    def location(self) -> EventLocation:
        """The lead's place, or a more specific one inside it told by another report of the event."""
        lead = self.lead.location
        inside = [u.location for u in self.units if u.location.geo_precision < lead.geo_precision
                  and u.location.place.country_code == lead.place.country_code
                  and u.location.place.admin1 == lead.place.admin1]
        return min(inside, key=lambda loc: loc.geo_precision) if inside else lead

    @property
    def date(self) -> EventDate:
        """The lead's date, or the day another report of the event gives when the lead's own sentence gives none."""
        lead = self.lead.date
        if _dated(lead):
            return lead
        return next((u.date for u in sorted(self.units, key=lambda u: u.mention.start) if _dated(u.date)), lead)

    @property
    def mentions(self) -> list[Mention]:
        found: list[Mention] = []
        for unit in self.units:
            if all(unit.mention is not m for m in found):
                found.append(unit.mention)
        return found

    @property
    def family(self) -> str:
        return _family(self.lead.mention.sub_event_type)

    @property
    def sentences(self) -> set[int]:
        return {u.mention.sentence.start for u in self.units}


def _crowd(mention: Mention) -> str:
    """The demonstrating crowd of a mention, the same name whether it is called protesters or rioters."""
    for actor in (mention.actor1, mention.actor2):
        if actor is not None and actor.inter in _CROWD:
            return actor.name.replace("Rioters", "Protesters", 1)
    return ""


def _key(unit: _Unit, sides: Mention | None = None) -> tuple[str, ...]:
    """Place, day, family and actors of a unit; ``sides`` is the mention whose actors stand for the unit's."""
    sides = sides or unit.mention
    place = _place_key(unit.location)
    day = unit.date.event_date.isoformat()
    family = _family(sides.sub_event_type)
    if family == "demonstration":
        # a demonstration and the response to it are one event
        return (*place, day, family, _crowd(sides))
    assert sides.actor1 is not None
    actor2 = sides.actor2.name if sides.actor2 else ""
    return (*place, day, family, *sorted((sides.actor1.name, actor2)))


#: cues of violence that is not a response to a crowd, even when a crowd is in the sentence
_WAR_CUES = frozenset({"AIRSTRIKE", "SHELL", "IED", "SUICIDE", "GRENADE", "CHEM", "CLASH", "ABDUCT", "RAPE"})


def _sentence_sides(units: list[_Unit]) -> dict[int, Mention]:
    """For each unit of violence, the mention whose actors it takes: the lead of the violence its sentence
    reports at the same place and day. One sentence tells one violent event per place and day, whatever its
    words: in "air strikes killed 20 fighters in Shadadi" the killing is what the strikes did, not an attack of
    its own with a perpetrator of its own."""
    slots: dict[tuple[int, tuple[str, str, str], dt.date], list[_Unit]] = {}
    for unit in units:
        slot = (unit.mention.sentence.start, _place_key(unit.location), unit.date.event_date)
        slots.setdefault(slot, []).append(unit)
    sides: dict[int, Mention] = {}
    for members in slots.values():
        violence = [u for u in members if _family(u.mention.sub_event_type) == "violence"]
        demonstrations = [u for u in members if _family(u.mention.sub_event_type) == "demonstration"]
        if violence:
            top = min(violence, key=_lead_key).mention
            if demonstrations and not top.cues.keys() & _WAR_CUES and not _names_perpetrator(top):
                # "deaths occurred as live ammunition was fired into crowds": the deaths are the response's
                top = min(demonstrations, key=_lead_key).mention
            for unit in violence:
                own = unit.mention
                # a perpetrator of its own named in the sentence is another event ("gunmen killed three farmers,
                # and soldiers clashed with rebels")
                if not _names_perpetrator(own) or own is top or (
                        top.actor1 is not None and own.actor1 is not None and own.actor1.name == top.actor1.name):
                    sides[id(unit)] = top
    return sides


def _names_perpetrator(mention: Mention) -> bool:
    return mention.actor1 is not None and mention.actor1.start >= 0


def _same_side(a: Actor, b: Actor, close: bool) -> bool:
    """Whether two actor names can stand for the same side: equal, or an unidentified armed group and a named
    non-state armed actor (also rioters, when both come from the same sentence)."""
    if a.name == b.name:
        return True
    for x, y in ((a, b), (b, a)):
        if x.name.startswith(_UNIDENTIFIED) and (y.inter in _NON_STATE_ARMED or (close and y.inter == "Rioters")):
            return True
    return False


def _sides(group: _Group) -> tuple[Actor, Actor | None]:
    """The group's actor pair: the lead's, with a missing second side taken from a mention that names both."""
    lead = group.lead.mention
    assert lead.actor1 is not None
    first, second = lead.actor1, lead.actor2
    if second is None:
        for mention in group.mentions:
            for x, y in ((mention.actor1, mention.actor2), (mention.actor2, mention.actor1)):
                if x is not None and y is not None and _same_side(x, first, True) and \
                        not _same_side(y, first, True):
                    return first, y
    return first, second


def _compatible(p: tuple[Actor, Actor | None], q: tuple[Actor, Actor | None], close: bool) -> bool:
    """One side in common and the other sides equal or one of them unknown."""
    for x, rest_x in ((p[0], p[1]), (p[1], p[0])):
        for y, rest_y in ((q[0], q[1]), (q[1], q[0])):
            if x is None or y is None or not _same_side(x, y, close):
                continue
            if rest_x is None or rest_y is None or _same_side(rest_x, rest_y, close):
                return True
    return False


def _arrests_at_demonstration(group: _Group) -> bool:
    """Arrests by state forces of people who are not an armed group: at a demonstration, its intervention."""
    lead = group.lead.mention
    if lead.sub_event_type != "Arrests" or lead.actor1 is None or lead.actor1.inter != "State forces":
        return False
    return lead.actor2 is None or lead.actor2.inter in {"Civilians", "Protesters", "Rioters"}


def _unattributed(group: _Group) -> bool:
    """No mention of the group names an actor in the text (both sides are defaults)."""
    return all((m.actor1 is None or m.actor1.start < 0) and (m.actor2 is None or m.actor2.start < 0)
               for m in group.mentions)


def _host(group: _Group, kept: list[_Group]) -> _Group | None:
    """The stronger group at the same place and day that this group is part of, if there is exactly one."""
    family = group.family
    if family == "demonstration" or _arrests_at_demonstration(group):
        crowd = _crowd(group.lead.mention)
        candidates = [h for h in kept if h.family == "demonstration" and (
            not crowd or not _crowd(h.lead.mention) or crowd == _crowd(h.lead.mention))]
    elif family == "violence":
        sides = _sides(group)
        if _unattributed(group):
            # "shooting continued until the afternoon": violence with no side named is part of the violent event
            # reported at the same place and day, when there is one
            candidates = [h for h in kept if h.family == "violence"]
        else:
            # kinds of violence between the same sides are one event (ACLED's rule), but sides only partly named
            # in two sentences are not proof enough to fold an air strike into a battle told elsewhere
            event_type = SUB_EVENT_TYPES[group.lead.mention.sub_event_type]
            candidates = [h for h in kept if h.family == "violence" and _compatible(
                sides, _sides(h), bool(group.sentences & h.sentences)) and (
                group.sentences & h.sentences or SUB_EVENT_TYPES[h.lead.mention.sub_event_type] == event_type
                or (_names_perpetrator(group.lead.mention) and _names_perpetrator(h.lead.mention)))]
    else:
        return None
    if len(candidates) > 1:
        # several events it could belong to: the one of the same kind, else the one reported in the same sentence
        event_type = SUB_EVENT_TYPES[group.lead.mention.sub_event_type]
        same_type = [h for h in candidates if SUB_EVENT_TYPES[h.lead.mention.sub_event_type] == event_type]
        close = [h for h in candidates if group.sentences & h.sentences]
        candidates = same_type if len(same_type) == 1 else close
    return candidates[0] if len(candidates) == 1 else None


def _groups(units: list[_Unit]) -> list[_Group]:
    by_key: dict[tuple[str, ...], _Group] = {}
    sides = _sentence_sides(units)
    for unit in units:
        by_key.setdefault(_key(unit, sides.get(id(unit))), _Group()).units.append(unit)
    by_slot: dict[tuple[str, ...], list[_Group]] = {}
    for key, group in by_key.items():
        by_slot.setdefault(key[:4], []).append(group)  # place and day
    result: list[_Group] = []
    for groups in by_slot.values():
        # strongest first, groups naming no actor last; a merged group names more actors, so merge again until
        # nothing changes
        while True:
            kept: list[_Group] = []
            for group in sorted(groups, key=lambda g: (_unattributed(g), _lead_key(g.lead))):
                host = _host(group, kept)
                if host is None:
                    kept.append(group)
                else:
                    host.units.extend(group.units)
            if len(kept) == len(groups):
                break
            groups = kept
        result.extend(kept)
    return result


# --- coreference: several groups that report one event -------------------------------------------------------

_OWN_DATE = frozenset({"dependency", "sentence", "lead", "previous sentence"})


def _dated(date: EventDate) -> bool:
    return date.how in _OWN_DATE


def _outcome(group: _Group) -> bool:
    """The group only tells what violence did: a killing, or an attack by a perpetrator the text does not name."""
    lead = group.lead.mention
    if lead.cues.keys() <= {"KILL"}:
        return True
    return lead.sub_event_type == "Attack" and (lead.actor1 is None or lead.actor1.start < 0)


def _sketch(group: _Group) -> coref.Sketch:
    lead = group.lead.mention
    loc, date = group.location, group.date
    actor1 = lead.actor1.name if lead.actor1 is not None and lead.actor1.start >= 0 else ""
    return coref.Sketch(lead.sub_event_type, loc.place.country_code, loc.place.admin1, loc.location,
                        loc.geo_precision, date.event_date, _dated(date), _outcome(group), actor1,
                        _crowd(lead), _restated(group))


#: determiners of a noun that refers back to an event already told ("the attack", "this bombing")
_ANAPHORIC = frozenset({"the", "this", "that", "these", "those", "such"})


def _restated(group: _Group) -> bool:
    """Every report of the group is a noun that refers back to an event ("the attack", "the Khan Sheikhun
    strike", "his abduction") or sits in the headline, rather than a clause that tells it."""
    headline = headline_end(doc_text(group.lead.mention.trigger.doc))
    for mention in group.mentions:
        trigger = mention.trigger
        if trigger.idx < headline:
            continue
        if trigger.pos_ not in {"NOUN", "PROPN"}:
            return False
        if not any(c.dep_ in {"det", "poss"} and (c.lower_ in _ANAPHORIC or c.dep_ == "poss")
                   for c in trigger.children):
            return False
    return True


def _strength(group: _Group) -> tuple[bool, bool, bool, bool, tuple[int, tuple[int, int, int], float, int]]:
    return (_outcome(group), _restated(group), not _dated(group.date), _unattributed(group), _lead_key(group.lead))


def corefer(groups: list[_Group]) -> list[_Group]:
    """Merge the groups that report one event (:mod:`midan.coref`); each merged group is led by its strongest
    report and keeps the evidence of all."""
    order = sorted(range(len(groups)), key=lambda i: _strength(groups[i]))
    merged: list[_Group] = []
    for members in coref.clusters([_sketch(g) for g in groups], order):
        if len(members) == 1:
            merged.append(groups[members[0]])
            continue
        lead = groups[members[0]].lead
        merged.append(_Group([u for i in members for u in groups[i].units], chosen=lead,
                             merged=sum(groups[i].merged for i in members)))
    return merged


# --- records ---------------------------------------------------------------------------------------------------


def event_id(iso3: str, *identity: str) -> str:
    digest = hashlib.sha1("|".join(identity).encode("utf-8")).hexdigest()[:10]
    return f"{iso3 or 'XXX'}-{digest}"


def assemble(article: Article, mentions: list[Mention], version: str, now: int | None = None, *,
             timexes: Sequence[Timex] | None = None, toponyms: Sequence[Toponym] | None = None,
             gazetteer: Gazetteer | None = None) -> list[Event]:
    """Merge the coded mentions of one article into event records.

    ``timexes`` are the article's time expressions (tagged here when not given) and ``toponyms`` its resolved
    place names; without toponyms a mention is not spread over the places listed with its own. ``gazetteer``
    codes listed regions by their capital.
    """
    return [event for event, _ in candidates(article, mentions, version, now, timexes=timexes, toponyms=toponyms,
                                             gazetteer=gazetteer)]


def candidates(article: Article, mentions: list[Mention], version: str, now: int | None = None, *,
               timexes: Sequence[Timex] | None = None, toponyms: Sequence[Toponym] | None = None,
               gazetteer: Gazetteer | None = None,
               model: confidence.RecordModel | bool | None = True) -> list[tuple[Event, dict[str, float]]]:
    """:func:`assemble`'s records, each with the features its confidence was computed from
    (:mod:`midan.confidence`). ``model`` scores them (``True``: the shipped model; ``None``: the rules' own
    score, as when the model is being fitted)."""
    live = [m for m in mentions if m.sub_event_type and not m.rejected]
    if not live:
        return []
    doc = live[0].trigger.doc
    if timexes is None:
        timexes = timex_rules.tag(doc_text(doc), article.published, doc)
    units = [unit for mention in live
             for unit in _spread(mention, timexes, toponyms, gazetteer, article.published)]
    stamp = int(time.time()) if now is None else now
    groups = corefer(_groups(units))
    context = _Context(article, doc, len(groups), _main_country(toponyms or []),
                       {t.start for t in timexes if t.begin is not None},
                       Counter(group.location.place.country_code for group in groups))
    if model is True:
        model = confidence.load()
    found = []
    for group in groups:
        event = _record(article, group, version, stamp)
        features = _features(group, event, context)
        if isinstance(model, confidence.RecordModel):
            event.confidence = round(model.probability(features), 3)
        found.append((event, features))
    found.sort(key=lambda item: (item[0].event_date, item[0].evidence[0].start if item[0].evidence else 0,
                                 item[0].event_id_cnty))
    _unique_ids([event for event, _ in found])
    return found


# --- what the confidence model reads of a record ------------------------------------------------------------------


@dataclass
class _Context:
    """The article around a record."""

    article: Article
    doc: Doc
    records: int
    main_country: str
    dated_at: set[int]  # where the article's time expressions with a calendar span start
    record_countries: Counter[str]  # how many of the article's records lie in each country


def _main_country(toponyms: Sequence[Toponym]) -> str:
    counts = Counter(t.place.country_code for t in toponyms if t.place is not None)
    return counts.most_common(1)[0][0] if counts else ""


_REPORTING_VERBS = frozenset({"say", "tell", "report", "claim", "accuse", "allege", "add", "state", "confirm"})
_QUOTE_MARKS = frozenset('"“”«»')


def _features(group: _Group, event: Event, context: _Context) -> dict[str, float]:
    """The numbers :mod:`midan.confidence` weighs for one record."""
    lead_unit = group.lead
    lead = lead_unit.mention
    loc, date = group.location, group.date
    mentions = group.mentions
    sent = lead.sentence
    text_length = max(len(context.article.text), 1)
    first = min(m.start for m in mentions)
    first_sentences = [s.start_char for s in itertools.islice(context.doc.sents, 2)]
    lead_limit = first_sentences[-1] if first_sentences else 0
    lemmas = {t.lemma_.lower() for m in mentions for t in m.sentence}
    values: dict[str, float] = {
        f"type={event.event_type}": 1.0,
        "rule_score": lead.rule_score or lead.score,
        "classifier_type": max(m.type_probability for m in mentions),
        "classifier_no_event": min(m.no_event for m in mentions),
        "heuristic": _heuristic(group),
        "geo_precision_2": float(loc.geo_precision == 2),
        "geo_precision_3": float(loc.geo_precision == 3),
        # demonstrations are often reported by state or province ("protests spread to Delta"), strikes by town
        "province_demonstration": float(loc.geo_precision == 3 and event.event_type in {"Protests", "Riots"}),
        "place_named_in_sentence": float(any(u.location.how in {"dependency", "sentence"} for u in group.units)),
        "place_country_is_main": float(loc.place.country_code == context.main_country),
        # a record alone in its country among many elsewhere is most often a foreign name read as the place
        "place_country_of_records": (context.record_countries[loc.place.country_code] - 1) / (context.records - 1)
        if context.records > 1 else 1.0,
        "time_precision_2": float(date.time_precision == 2),
        "time_precision_3": float(date.time_precision == 3),
        "sentence_has_date": float(any(sent.start_char <= start < sent.end_char for start in context.dated_at)),
        f"tense={dating.tense(lead.trigger) or 'none'}": 1.0,
        "trigger_is_noun": float(lead.trigger.pos_ in {"NOUN", "PROPN"}),
        "mentions": confidence.log_count(len(mentions)),
        "sentences": confidence.log_count(len(group.sentences)),
        "merged_reports": confidence.log_count(group.merged - 1),
        "first_position": first / text_length,
        "in_lead": float(first <= lead_limit),
        "actor1_named": float(lead.actor1 is not None and lead.actor1.start >= 0),
        "actor2_named": float(lead.actor2 is not None and lead.actor2.start >= 0),
        f"inter1={event.inter1}": 1.0,
        "fatalities": float(event.fatalities > 0),
        "article_records": confidence.log_count(context.records),
        "article_length": confidence.log_count(text_length / 1000),
        "sentence_length": len(sent) / 40,
        "reported_speech": float(any(t.lemma_.lower() in _REPORTING_VERBS for t in sent)),
        "quoted": float(any(ch in _QUOTE_MARKS for ch in sent.text)),
        "crime_words": confidence.log_count(len(lemmas & CRIME_WORDS)),
        "political_words": confidence.log_count(len(lemmas & POLITICAL_WORDS)),
    }
    if loc.how in confidence.LOCATION_HOW:
        values[f"location={loc.how}"] = 1.0
    if date.how in confidence.DATE_HOW:
        values[f"date={date.how}"] = 1.0
    if context.article.published is not None:
        values["days_before_publication"] = min(max((context.article.published - date.event_date).days, 0), 31) / 31
    return {name: value for name, value in values.items() if name in confidence.FEATURE_SET}


def _unique_ids(events: list[Event]) -> None:
    """Two records of one article never share an id: a repeated identity is told apart by its trigger."""
    seen: set[str] = set()
    for event in events:
        if event.event_id_cnty in seen:
            trigger = next((e for e in event.evidence if e.field == "trigger"), None)
            where = f"{trigger.start}" if trigger else str(len(seen))
            event.event_id_cnty = event_id(event.event_id_cnty[:3], event.event_id_cnty, where)
        seen.add(event.event_id_cnty)


def _actors(group: _Group, sub: str) -> tuple[str, Actor, Actor | None]:
    """Sub-event type and actor pair of a group's record."""
    lead = group.lead.mention
    assert lead.actor1 is not None
    if group.family != "demonstration":
        first, second = _sides(group)
        return sub, first, second
    responders = [a for m in [lead, *group.mentions] for a in (m.actor1, m.actor2)
                  if a is not None and a.inter not in _CROWD | {"Civilians"}]
    responder = responders[0] if responders else None
    if sub == "Peaceful protest" and responder is not None and any(
            m.sub_event_type == "Arrests" for m in group.mentions):
        sub = "Protest with intervention"  # arrests at a demonstration are an intervention
        return sub, lead.actor1, responder
    if sub == "Peaceful protest":
        return sub, lead.actor1, None
    if SUB_EVENT_TYPES[sub] == "Protests":
        # the demonstrators first, the force that met them second, also when force was excessive (the coding of
        # the article-events gold, 57 of 57 events); a crowd told as rioters is still a demonstration's crowd here
        crowd = next((a for m in [lead, *group.mentions] for a in (m.actor1, m.actor2)
                      if a is not None and a.inter in _CROWD), None)
        if crowd is not None and crowd.inter != "Protesters":
            crowd = Actor(f"Protesters ({crowd.country})" if crowd.country else "Protesters", "Protesters",
                          "protester", crowd.text, crowd.start, crowd.end, crowd.country)
        if crowd is not None:
            return sub, crowd, responder
    if lead.actor2 is None and responder is not None and responder is not lead.actor1:
        return sub, lead.actor1, responder
    return sub, lead.actor1, lead.actor2


#: territories ACLED codes as a first-level region of another country: code -> (iso, iso3, country)
_ACLED_PARENTS = {"HK": (156, "CHN", "China"), "MO": (156, "CHN", "China")}


def _acled_country(place: Place) -> tuple[int, str, str, str, str]:
    """iso, iso3, country, admin1 and admin2 as ACLED writes them: Hong Kong and Macau are regions of China."""
    parent = _ACLED_PARENTS.get(place.country_code)
    if parent is None:
        return place.iso, place.iso3, place.country, place.admin1, place.admin2
    return *parent, place.country, place.admin1


def _record(article: Article, group: _Group, version: str, stamp: int) -> Event:
    lead_unit = group.lead
    lead = lead_unit.mention
    loc, date = group.location, group.date
    place = loc.place
    sub, actor1, actor2 = _actors(group, lead.sub_event_type)
    event_type = SUB_EVENT_TYPES[sub]
    if actor2 is None and event_type == "Explosions/Remote violence" and _civilians_hit(group):
        country = _acled_country(place)[2]
        actor2 = Actor(f"Civilians ({country})", "Civilians", "civilian", country=country)
    assoc1 = _union(a for m in group.mentions if m.actor1 and m.actor1.name == actor1.name for a in m.assoc1)
    assoc2 = _union(a for m in group.mentions for a in m.assoc2)
    best, low, high, split = _fatalities(group)
    inter1 = actor1.inter
    inter2 = actor2.inter if actor2 else ""
    # the crowd of the demonstration itself, not the number of people arrested at it
    crowd = next((m.crowd for m in sorted(group.mentions, key=lambda m: "PROTEST" not in m.cues) if m.crowd
                  and m.cues.keys() & {"PROTEST", "RIOT"}), "")
    tags = ""
    if event_type in {"Protests", "Riots"}:
        tags = f"crowd size={crowd or 'no report'}"
    iso, iso3, country, admin1, admin2 = _acled_country(place)
    identity = (country, admin1, loc.location, date.event_date.isoformat(), sub, actor1.name,
                actor2.name if actor2 else "")
    evidence = _evidence(article, group, lead_unit)
    heuristic = _heuristic(group)
    event = Event(
        event_id_cnty=event_id(iso3, *identity),
        event_date=date.event_date.isoformat(),
        year=date.event_date.year,
        time_precision=date.time_precision,
        disorder_type=DISORDER_OVERRIDES.get(sub, DISORDER_TYPES[event_type]),
        event_type=event_type,
        sub_event_type=sub,
        actor1=actor1.name,
        assoc_actor_1="; ".join(assoc1),
        inter1=inter1,
        actor2=actor2.name if actor2 else "",
        assoc_actor_2="; ".join(assoc2),
        inter2=inter2,
        interaction=interaction(inter1, inter2),
        civilian_targeting=civilian_targeting(sub, inter2),
        iso=iso,
        region=place.region,
        country=country,
        admin1=admin1,
        admin2=admin2,
        location=loc.location,
        latitude=round(place.latitude, 4),
        longitude=round(place.longitude, 4),
        geo_precision=loc.geo_precision,
        source=article.source,
        notes="",
        fatalities=best,
        tags=tags,
        timestamp=stamp,
        date_start=date.date_start.isoformat(),
        date_end=date.date_end.isoformat(),
        inter1_code=actor1.inter_code,
        inter2_code=actor2.inter_code if actor2 else None,
        geonames_id=place.geonames_id,
        fatalities_low=low,
        fatalities_high=high,
        plover_type=PLOVER_TYPES[sub],
        confidence=round(heuristic, 3),
        evidence=evidence,
        article_ids=[article.id],
        extractor_version=version,
    )
    event.notes = note(event, date.event_date) + _split_note(lead_unit, split)
    return event


def _heuristic(group: _Group) -> float:
    """The rules' own confidence in a record: the lead's score, lowered when the place or day was not found in
    its sentence (the confidence model's fallback, and one of its features)."""
    lead = group.lead.mention
    loc, date = group.location, group.date
    value = lead.score * _LOCATION_TRUST.get(loc.how, 0.75) * _DATE_TRUST.get(date.time_precision, 0.8)
    if date.how == "publication date":
        value *= 0.9
    if len(group.mentions) > 1:
        value += 0.05
    return min(max(value, 0.0), 1.0)


#: words of the people and places a strike or a blast hit that make its victims civilians
_CIVILIAN_TARGETS = frozenset({"civilian", "people", "person", "child", "woman", "resident", "citizen", "family",
                               "worshipper", "patient", "student", "hospital", "market", "school", "mosque", "church",
                               "bakery", "residential", "neighbourhood", "neighborhood", "camp", "home", "house",
                               "passenger", "pedestrian", "shopper", "villager", "baby", "girl", "boy", "refugee"})


def _civilians_hit(group: _Group) -> bool:
    """Whether the sentences of a strike or blast say it hit civilians or the places they live in ("killed 15
    civilians", "hit a market", "a residential neighbourhood"): ACLED then codes them as its second actor."""
    for mention in group.mentions:
        for actor in (mention.actor1, mention.actor2):
            if actor is not None and actor.inter == "Civilians":
                return True
        if {t.lemma_.lower() for t in mention.clause or mention.sentence} & _CIVILIAN_TARGETS:
            return True
    return False


def _fatalities(group: _Group) -> tuple[int, int, int, _Unit | None]:
    """ACLED figure, low and high of a group, and the split unit the figure came from (if it was split).

    Sentences of one event that report deaths report the same deaths ("killing five ... five people died in the
    fighting"), so they are not added up; when they differ (a first toll and a later one, a headline's figure for
    the day and the report's for this place), ACLED's conservative rule keeps the lowest figure given.
    """
    figures = [(f, u) for u in group.units if (f := u.fatalities) is not None]
    if not figures:
        return 0, 0, 0, None
    counted = [item for item in figures if item[0][0] > 0] or figures
    (best, _, _), source = min(counted, key=lambda item: (item[0][0], item[1].parts))
    low = min(f[1] for f, _ in figures)
    high = max(f[2] for f, _ in figures)
    found = source.mention.fatalities
    split = source if source.parts > 1 and found is not None and found.best > 0 else None
    return best, min(low, best), high, split


def _split_note(lead: _Unit, split: _Unit | None) -> str:
    extra = ""
    if lead.days:
        extra += f" One of {len(lead.days)} daily records of a report of {_day_text(lead.days[0])} to " \
                 f"{_day_text(lead.days[-1])}."
    if split is not None and split.mention.fatalities is not None:
        extra += f" {split.mention.fatalities.best} fatalities reported in total; fatalities split across " \
                 f"{split.parts} events."
    return extra


def _day_text(day: dt.date) -> str:
    return f"{day.day} {day.strftime('%B %Y')}"


def _union(names: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(names))


def _evidence(article: Article, group: _Group, lead: _Unit) -> list[Evidence]:
    text = article.text
    found: list[Evidence] = []

    def add(name: str, start: int, end: int) -> None:
        if 0 <= start < end <= len(text):
            item = Evidence(article.id, article.url, name, text[start:end], start, end)
            if all((e.field, e.start, e.end) != (name, start, end) for e in found):
                found.append(item)

    mentions = group.mentions
    lead_mention = lead.mention
    for mention in sorted(mentions, key=lambda m: m is not lead_mention):
        sent = mention.sentence
        start, end = sent.start_char, sent.end_char
        while end > start and text[end - 1].isspace():
            end -= 1
        add("event", start, end)
        add("trigger", mention.start, mention.end)
    if lead_mention.actor1 is not None and lead_mention.actor1.start >= 0:
        add("actor1", lead_mention.actor1.start, lead_mention.actor1.end)
    if lead_mention.actor2 is not None and lead_mention.actor2.start >= 0:
        add("actor2", lead_mention.actor2.start, lead_mention.actor2.end)
    if lead.location.toponym is not None:
        add("location", lead.location.toponym.start, lead.location.toponym.end)
    if lead.date.timex is not None:
        add("event_date", lead.date.timex.start, lead.date.timex.end)
    for mention in mentions:
        if mention.fatalities is not None and mention.fatalities.start >= 0:
            add("fatalities", mention.fatalities.start, mention.fatalities.end)
        if mention.crowd_span is not None:
            add("crowd_size", *mention.crowd_span)
    return found


_VERBS = {
    "Armed clash": "clashed with",
    "Government regains territory": "regained control from",
    "Non-state actor overtakes territory": "took control of territory from",
    "Peaceful protest": "demonstrated",
    "Protest with intervention": "demonstrated and were met by",
    "Excessive force against protesters": "used lethal or excessive force against",
    "Violent demonstration": "rioted",
    "Mob violence": "attacked",
    "Chemical weapon": "used chemical weapons against",
    "Air/drone strike": "carried out an air or drone strike against",
    "Suicide bomb": "carried out a suicide bombing against",
    "Shelling/artillery/missile attack": "shelled or fired missiles at",
    "Remote explosive/landmine/IED": "detonated an explosive device against",
    "Grenade": "threw a grenade at",
    "Sexual violence": "committed sexual violence against",
    "Attack": "attacked",
    "Abduction/forced disappearance": "abducted",
    "Agreement": "reached an agreement with",
    "Arrests": "arrested",
    "Change to group/activity": "changed activity, involving",
    "Disrupted weapons use": "disrupted weapons use, involving",
    "Headquarters or base established": "established a base, involving",
    "Looting/property destruction": "looted or destroyed property of",
    "Non-violent transfer of territory": "transferred territory without fighting to",
    "Other": "were involved in an event with",
}


def note(event: Event, day: dt.date) -> str:
    """ACLED-style one-sentence description generated from the coded fields."""
    when = f"On {day.day} {day.strftime('%B %Y')}" if event.time_precision == 1 else (
        f"Around {day.day} {day.strftime('%B %Y')}" if event.time_precision == 2 else
        f"In {day.strftime('%B %Y')}")
    where = event.location + (f" ({event.admin1}, {event.country})" if event.admin1 else f" ({event.country})")
    verb = _VERBS[event.sub_event_type]
    if event.actor2 and not verb.endswith("demonstrated") and not verb.endswith("rioted"):
        body = f"{event.actor1} {verb} {event.actor2}"
    elif event.actor2:
        body = f"{event.actor1} {verb} (facing {event.actor2})"
    else:
        body = f"{event.actor1} {verb.removesuffix(' against').removesuffix(' with').removesuffix(' of')}"
        body = body.removesuffix(", involving").removesuffix(" at").removesuffix(" from").removesuffix(" to")
    fatal = (f" {event.fatalities} {'fatality' if event.fatalities == 1 else 'fatalities'} reported."
             if event.fatalities else " No fatalities reported.")
    crowd = ""
    if event.tags.startswith("crowd size=") and "no report" not in event.tags:
        crowd = f" [{event.tags}]"
    return f"{when}, in {where}, {body}.{fatal}{crowd}".replace("..", ".")
