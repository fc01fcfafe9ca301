"""Assembly: from coded mentions to ACLED event records.

One record per actor pair, place and day (ACLED's unit). Mentions that describe the same event (the same place,
day and actors, or a demonstration and the police response to it) are merged; when several kinds of violence
happen together the highest-ranked type is kept. Each record carries the evidence (character offsets) for the
trigger sentence and every coded field, a stable id, a generated note and a confidence.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from midan.detect import Mention, rank
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

logger = logging.getLogger(__name__)

_LOCATION_TRUST = {"dependency": 1.0, "sentence": 0.92, "previous sentence": 0.85, "paragraph": 0.8,
                   "dateline": 0.75}
_DATE_TRUST = {1: 1.0, 2: 0.9, 3: 0.8}


@dataclass
class _Group:
    mentions: list[Mention] = field(default_factory=list)

    @property
    def lead(self) -> Mention:
        return min(self.mentions, key=lambda m: (rank(m.sub_event_type), -m.score))


def _key(mention: Mention) -> tuple[str, ...]:
    loc = mention.location
    assert loc is not None and mention.date is not None and mention.actor1 is not None
    place = (loc.place.country_code, loc.place.admin1, loc.location)
    day = mention.date.event_date.isoformat()
    if SUB_EVENT_TYPES[mention.sub_event_type] == "Protests":
        # a demonstration and the police response to it are one event
        protesters = mention.actor1.name if mention.actor1.inter == "Protesters" else (
            mention.actor2.name if mention.actor2 else "")
        return (*place, day, "protest", protesters)
    actor2 = mention.actor2.name if mention.actor2 else ""
    return (*place, day, *sorted((mention.actor1.name, actor2)))


def event_id(iso3: str, *identity: str) -> str:
    digest = hashlib.sha1("|".join(identity).encode("utf-8")).hexdigest()[:10]
    return f"{iso3 or 'XXX'}-{digest}"


def assemble(article: Article, mentions: list[Mention], version: str, now: int | None = None) -> list[Event]:
    """Merge the coded mentions of one article into event records."""
    groups: dict[tuple[str, ...], _Group] = {}
    for mention in mentions:
        if mention.rejected or not mention.sub_event_type:
            continue
        groups.setdefault(_key(mention), _Group()).mentions.append(mention)
    stamp = int(time.time()) if now is None else now
    events = [_record(article, group, version, stamp) for group in groups.values()]
    events.sort(key=lambda e: (e.event_date, e.evidence[0].start if e.evidence else 0))
    return events


def _record(article: Article, group: _Group, version: str, stamp: int) -> Event:
    lead = group.lead
    loc, date = lead.location, lead.date
    assert loc is not None and date is not None and lead.actor1 is not None
    place = loc.place
    sub = lead.sub_event_type
    event_type = SUB_EVENT_TYPES[sub]
    actor1, actor2 = lead.actor1, lead.actor2
    # a protest merged with the police response takes the responders from whichever mention named them
    if actor2 is None and event_type == "Protests" and sub != "Peaceful protest":
        actor2 = next((m.actor2 for m in group.mentions if m.actor2 is not None), None)
    assoc1 = _union(a for m in group.mentions if m.actor1 and actor1 and m.actor1.name == actor1.name
                    for a in m.assoc1)
    assoc2 = _union(a for m in group.mentions for a in m.assoc2)
    fatal = [m.fatalities for m in group.mentions if m.fatalities is not None]
    best = max((f.best for f in fatal), default=0)
    low = min((f.low for f in fatal), default=0)
    high = max((f.high for f in fatal), default=0)
    inter1 = actor1.inter
    inter2 = actor2.inter if actor2 else ""
    # the crowd of the demonstration itself, not the number of people arrested at it
    crowd = next((m.crowd for m in sorted(group.mentions, key=lambda m: "PROTEST" not in m.cues) if m.crowd
                  and m.cues.keys() & {"PROTEST", "RIOT"}), "")
    tags = ""
    if event_type in {"Protests", "Riots"}:
        tags = f"crowd size={crowd or 'no report'}"
    identity = (place.country, place.admin1, loc.location, date.event_date.isoformat(), sub, actor1.name,
                actor2.name if actor2 else "")
    evidence = _evidence(article, group, lead)
    confidence = lead.score * _LOCATION_TRUST.get(loc.how, 0.75) * _DATE_TRUST.get(date.time_precision, 0.8)
    if date.how == "publication date":
        confidence *= 0.9
    if len(group.mentions) > 1:
        confidence = min(1.0, confidence + 0.05)
    event = Event(
        event_id_cnty=event_id(place.iso3, *identity),
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
        civilian_targeting="Civilians targeted" if inter2 == "Civilians" else "",
        iso=place.iso,
        region=place.region,
        country=place.country,
        admin1=place.admin1,
        admin2=place.admin2,
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
        confidence=round(min(max(confidence, 0.0), 1.0), 3),
        evidence=evidence,
        article_ids=[article.id],
        extractor_version=version,
    )
    event.notes = note(event, date.event_date)
    return event


def _union(names: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(names))


def _evidence(article: Article, group: _Group, lead: Mention) -> list[Evidence]:
    text = article.text
    found: list[Evidence] = []

    def add(name: str, start: int, end: int) -> None:
        if 0 <= start < end <= len(text):
            item = Evidence(article.id, article.url, name, text[start:end], start, end)
            if all((e.field, e.start, e.end) != (name, start, end) for e in found):
                found.append(item)

    for mention in sorted(group.mentions, key=lambda m: m is not lead):
        sent = mention.sentence
        start, end = sent.start_char, sent.end_char
        while end > start and text[end - 1].isspace():
            end -= 1
        add("event", start, end)
        add("trigger", mention.start, mention.end)
    if lead.actor1 is not None and lead.actor1.start >= 0:
        add("actor1", lead.actor1.start, lead.actor1.end)
    if lead.actor2 is not None and lead.actor2.start >= 0:
        add("actor2", lead.actor2.start, lead.actor2.end)
    if lead.location is not None and lead.location.toponym is not None:
        add("location", lead.location.toponym.start, lead.location.toponym.end)
    if lead.date is not None and lead.date.timex is not None:
        add("event_date", lead.date.timex.start, lead.date.timex.end)
    for mention in group.mentions:
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
