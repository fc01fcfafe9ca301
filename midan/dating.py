"""Event dating: the date of each event mention by ACLED's rules, from its tense and the time expressions around it.

The time expressions come from the tagger (:mod:`midan.timex`), normalised against the publication date. Event
anchoring follows ACLED's time-precision rules: a day is precision 1, a week 2 (midpoint), a month 3 (mid-month);
anything vaguer is not an event, and expressions outside the reporting window are background. An event's date is
an :class:`~midan.mention.EventDate`, or :class:`Undated` with the reason it has none.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass

from spacy.tokens import Doc, Token

from midan.mention import EventDate, Timex
from midan.nlp import backshifted, dateline_end, doc_text, governor, steps_to
from midan.timex import FUTURE_AUX, MONTHS, headline_end, tag, timex_root

logger = logging.getLogger(__name__)

#: days before publication beyond which a date is background, outside ACLED's reporting window
BACKGROUND_DAYS = 31


@dataclass
class Undated:
    """Why an event mention could not be dated (it is then not an event)."""

    reason: str
    timex: Timex | None = None


#: verbs whose "to" complement happens when they do ("continue to fall", "began to sell"); any other "to"
#: complement is still to come ("plans to buy", "agreed to sell", "to fund a search")
_ASPECT_HEADS = frozenset({"begin", "start", "continue", "keep", "manage", "fail", "cease", "stop", "resume",
                           "happen", "seem", "appear"})
#: verbs of the means force uses, whose "to" complement is what was done with it ("fired tear gas to disperse")
_MEANS_HEADS = frozenset({"use", "fire", "deploy", "employ", "shoot", "lob", "spray", "throw", "wield", "resort",
                          "intervene", "charge", "beat"})
#: the tenses that speak of the publication time itself: present, present perfect, present progressive
_NOW = frozenset({"present", "present perfect"})
#: verbs of saying: a statement without a date is the news of the publication day
_REPORTING = frozenset({"say", "tell", "state", "add"})
#: granularities a time expression can date an event with (anything vaguer says nothing about its day)
_DATING = frozenset({"day", "week", "weekend", "month"})


def _dated(timex: Timex) -> bool:
    # a clock time ("at about 11 p.m.") gives the hour, not the day: the day comes from the story's last date
    # "three days later" (a DURATION anchored on a day) dates like a day; "in recent weeks" (PXW) is vague like
    # "recently"
    return timex.granularity != "time" and (timex.type in {"DATE", "TIME"} or timex.granularity in {"day", "ref"}) and (
        timex.begin is not None or timex.since or timex.granularity in {"year", "season", "quarter", "decade", "ref"})


def _dates_a_day(timex: Timex) -> bool:
    """Whether an expression that does not govern the event may still date it from elsewhere in the sentence or
    story: a calendar span of at most a month ("2009", "recently", "since 1997" describe something else)."""
    return timex.begin is not None and not timex.since and timex.granularity in _DATING


def _aux(verb: Token) -> list[Token]:
    """The auxiliaries of a verb, without the infinitive's "to"."""
    return [c for c in verb.children if c.dep_ in {"aux", "auxpass"} and c.tag_ != "TO"]


def _finite(trigger: Token) -> Token | None:
    """The verb that carries the tense of the event at ``trigger``: the event noun's verb ("the ceremony was
    held"), the finite verb an infinitive, participle or gerund hangs on ("continue to fall", "..., ending the
    day down"), or the verb itself."""
    node = governor(trigger)
    if node.pos_ not in {"VERB", "AUX"}:
        return None
    for _ in range(4):
        if node.tag_ in {"VBD", "VBZ", "VBP", "MD"} or _aux(node):
            return node
        if node.head.i == node.i or node.dep_ not in {"xcomp", "advcl", "acl", "conj", "pcomp", "relcl"}:
            return node
        node = node.head
    return node


def tense(trigger: Token) -> str:
    """When the event at ``trigger`` happens relative to its clause's reference time: "future" (after it: "will
    march", "plans to buy"), "past perfect" (before it: "had stormed"), "present" or "present perfect" (at the
    publication time: "says", "has signed", "is holding"), "past" ("stormed"), or "" (no verb: "a technical
    problem on the maiden flight")."""
    verb = _finite(trigger)
    if verb is None:
        return ""
    node = governor(trigger)
    # a "to" complement is still to come ("plans to buy", "a decision to add"), unless its head is an aspect verb
    # ("continue to fall"), it is a result clause ("fell 3% to end the day at 7,114") or the purpose of the means
    # it names ("used tear gas to disperse the protesters": the dispersal was the act)
    while any(c.tag_ == "TO" and c.dep_ in {"aux", "auxpass"} for c in node.children):
        if node.i == verb.i or (node.dep_ != "advcl" and node.head.lemma_.lower() not in _ASPECT_HEADS | _MEANS_HEADS):
            return "future"
        node = node.head
    aux = _aux(verb)
    words = {c.lower_ for c in aux}
    if verb.tag_ == "MD" or words & FUTURE_AUX or ("going" in words and verb.tag_ == "VB"):
        return "future"
    if any(c.lower_ in {"had", "'d"} for c in aux) and verb.tag_ == "VBN":
        return "past perfect"
    if any(c.lower_ in {"has", "have", "'ve"} for c in aux) and verb.tag_ == "VBN":
        return "present perfect"
    finite = next((c for c in aux if c.tag_ in {"VBZ", "VBP", "VBD"}), verb)
    if finite.tag_ in {"VBZ", "VBP"}:
        return "present"
    if finite.tag_ == "VBD":
        return "past"
    return ""


#: nouns of an action taken, whose "to" complement is that action ("a joint effort to pump money", "a move to cut")
_ACTION_NOUNS = frozenset({"effort", "decision", "move", "step", "attempt", "action", "measure", "operation", "bid",
                           "vote", "order", "ruling"})
#: adjectives and participles of a schedule: "was due to fly" tells what was to happen at the narrative's time
_SCHEDULED = frozenset({"due", "set", "scheduled", "slated", "poised", "about"})
#: prepositions whose object has happened or is going on: a cause or a circumstance ("due to the ban")
_CAUSAL = frozenset({"due", "because", "after", "following", "amid", "despite"})


def _clause_tense(verb: Token) -> str:
    """The tense of the clause a verb's "to" complements hang from ("tells airlines not to buy" -> present)."""
    for _ in range(4):
        if not any(c.tag_ == "TO" for c in verb.children) or verb.head.i == verb.i:
            break
        verb = verb.head
    when = tense(verb)
    return "" if when == "future" else when or "past"


def _realised(trigger: Token) -> str:
    """The tense of an event a "to" complement or a modal seems to put after its clause although it happens at
    the clause's time (without ACLED's rules, which leave such events out): an action noun's complement ("a joint
    effort to pump money" is the effort), a result ("dropped 9% to reach a 20-year low"), a schedule of the past
    narrative ("before it was due to fly"), a polite present ("would like to thank"), a cause ("due to the ban").
    "" when the event is still to come."""
    node = governor(trigger)
    if trigger.pos_ in {"NOUN", "PROPN"}:
        step = trigger
        while step.i != node.i and step.head.i != step.i:
            if step.lower_ in _CAUSAL or (step.dep_ == "pcomp" and step.head.lower_ in _CAUSAL):
                return _clause_tense(node)
            step = step.head
        start = trigger.left_edge.i
        before = [t.lower_ for t in trigger.doc[max(start - 2, 0):start]]
        if before[-1:] and (before[-1] in _CAUSAL - {"due", "because"} or before in (["due", "to"], ["because", "of"])):
            return _clause_tense(node)  # the parse may attach it elsewhere ("not to buy aircraft due to EU ban")
    if not any(c.tag_ == "TO" for c in node.children):
        if node.lemma_.lower() == "like" and any(c.lower_ in {"would", "'d"} for c in node.children):
            return "present"
        return ""
    head = node.head
    if (node.dep_ == "acl" and head.lemma_.lower() in _ACTION_NOUNS) or (
            node.dep_ in {"xcomp", "advcl"} and head.lemma_.lower() in _CHANGE):
        when = tense(head)
        return "" if when == "future" else when
    if node.dep_ == "xcomp" and head.lower_ in _SCHEDULED:
        copula = head.head if head.dep_ in {"acomp", "xcomp"} else head
        if any(t.tag_ == "VBD" for t in (copula, *copula.children) if t.lemma_.lower() == "be"):
            return "past"
    if node.dep_ == "xcomp" and head.lemma_.lower() == "like" and any(c.lower_ in {"would", "'d"}
                                                                       for c in head.children):
        return "present"
    return ""


def _lasting(trigger: Token) -> bool:
    """Whether the event's verb is perfect or progressive, the forms a "since" span can measure ("have been
    killed since 2019", "has been protesting since May"; not "posts its first loss since 1992")."""
    verb = _finite(trigger)
    if verb is None:
        return False
    aux = {c.lower_ for c in _aux(verb)}
    return bool(aux & {"has", "have", "'ve", "had", "'d"}) or (verb.tag_ == "VBG" and bool(
        aux & {"is", "are", "am", "was", "were", "'s", "'re", "been", "be"}))


def _governing(trigger: Token, candidates: list[Timex]) -> Timex | None:
    """The time expression on the dependency path from the event (or the verb it depends on): the nearest one."""
    doc = trigger.doc
    targets = {trigger.i, governor(trigger).i}
    chosen: Timex | None = None
    best_steps = 99
    for timex in candidates:
        root = timex_root(doc, timex)
        if root is None:
            continue
        if timex.granularity == "year" and root.dep_ in {"nummod", "compound", "appos"} and root.head.pos_ == "PROPN":
            continue  # a year that numbers a name ("WWDC 2005", "Euro 2012") is an edition, not the event's time
        steps = steps_to(root, targets, limit=5)
        # "since 1997" measures only a perfect or progressive event ("have been killed since 2019"); with any
        # other verb it belongs to a superlative ("fell to its lowest level since 1997" is a fall of today)
        if timex.since and steps is not None and not _lasting(trigger):
            continue
        if steps is not None and steps < best_steps:
            chosen, best_steps = timex, steps
    return chosen


#: words of change whose "from" phrase names the point of comparison ("fell 2% from Monday's close")
_CHANGE = frozenset({"rise", "fall", "drop", "gain", "lose", "loss", "increase", "decrease", "decline", "climb", "jump",
                     "slip", "dip", "plunge", "surge", "slide", "tumble", "rally", "up", "down", "change"})


def _compared(doc: Doc, timex: Timex) -> bool:
    """Whether a date is a point of comparison, not the time of anything told: inside a "since" phrase ("the worst
    decline since the markets reopened after the September 11th attacks") or a change's "from" ("fell 2% from
    Monday's closing price", "an increase of 54 points from March 12")."""
    node = timex_root(doc, timex)
    if node is None:
        return False
    for head in list(node.ancestors)[:6]:
        if any(c.lower_ == "since" and c.dep_ == "mark" for c in head.children if c.i < node.i):
            return True
        node = head
        if node.lower_ == "since" and node.dep_ in {"prep", "mark"}:
            return True
        if node.lower_ == "from" and node.head.lemma_.lower() in _CHANGE:
            return True
    return False


def _story_point(timex: Timex) -> bool:
    """Whether an expression is a day- or week-precise date that can set the story's time (not a "since" span)."""
    return timex.begin is not None and not timex.since and timex.granularity in {"day", "week", "weekend"}


def _story_time(doc: Doc, timexes: list[Timex], filed: int, before: int, dct: dt.date | None
                ) -> tuple[Timex | None, bool]:
    """The story's reference time before character ``before``: its last day- or week-precise date, else whether
    an earlier sentence speaks of the publication time ("Airbus has confirmed ...", a headline's "Apple
    releases ..."), so that the narrative that follows happens then too."""
    earlier = [t for t in timexes if filed <= t.start < before and _story_point(t) and not _compared(doc, t)]
    if earlier:
        return earlier[-1], False
    if dct is None:
        return None, False
    for sent in doc.sents:
        if sent.start_char >= before:
            break
        if sent.end_char > filed and tense(sent.root) in _NOW:
            return None, True
    return None, False


def _lead_date(doc: Doc, timexes: list[Timex], start: int) -> Timex | None:
    """The first day- or week-precise date of the lead (the first sentence from ``start``), which dates the
    story's main event: the event its headline reports."""
    lead = next((s for s in doc.sents if s.start_char >= start and s.text.strip()), None)
    if lead is None:
        return None
    return next((t for t in timexes if lead.start_char <= t.start < lead.end_char and _story_point(t)), None)


_TODAY = re.compile(r"\b(?:today|tonight|this (?:morning|afternoon|evening))\b", re.IGNORECASE)
_WRITTEN_KEY = "midan.written"


def _written(doc: Doc, timexes: list[Timex], dct: dt.date) -> dt.date:
    """The day the text was written: the publication day, unless a sentence names "today" beside a calendar date
    of the week before it ("In a press conference on June 1st, ... earlier today"), which is then its today."""
    cache = doc.user_data.setdefault(_WRITTEN_KEY, {})
    if dct in cache:
        return cache[dct]
    written = dct
    text = doc_text(doc)
    todays = [t for t in timexes if t.begin == dct and t.granularity == "day" and _TODAY.fullmatch(t.text)]
    for today in todays:
        sent = doc.char_span(today.start, today.end, alignment_mode="expand")
        if sent is None:
            continue
        bounds = sent.sent.start_char, sent.sent.end_char
        named = [t for t in timexes if bounds[0] <= t.start < bounds[1] and t.granularity == "day"
                 and t.begin is not None and dct - dt.timedelta(days=7) <= t.begin < dct
                 and _month_named(text[t.start:t.end])]
        if named:
            written = named[0].begin
            break
    cache[dct] = written
    return written


def _month_named(text: str) -> bool:
    """Whether a date is written out on the calendar ("June 1st", "2009-06-01"), not counted from today."""
    return bool(re.search(r"\d{4}-\d\d-\d\d", text)) or any(w.lower().rstrip(".") in MONTHS
                                                              for w in re.findall(r"[A-Za-z.]+", text))


def _retagged(doc: Doc, day: dt.date) -> list[Timex]:
    """The text's time expressions resolved against ``day`` (kept with the doc: every mention asks again)."""
    key = f"midan.timexes.{day.isoformat()}"
    found = doc.user_data.get(key)
    if found is None:
        found = tag(doc_text(doc), day, doc)
        doc.user_data[key] = found
    return found


def anchor(trigger: Token, timexes: list[Timex], dct: dt.date | None, rules: bool = True) -> EventDate | Undated:
    """The date of the event mentioned at ``trigger``, by its tense and the time expressions around it.

    In order: the time expression that governs the event (dependency path), whatever the tense ("had left on
    Monday" is Monday); an event still to come ("will march") or one before its sentence's reference time ("had
    stormed") has no day of its own and is Undated; without ``rules``, a present or present-perfect event
    ("says", "has signed") is on the publication day; otherwise a date elsewhere in its sentence, else the
    story's last date (the same paragraph: "previous sentence", an earlier one: "paragraph"), else (without
    ``rules``) the publication day when the story has spoken of the publication time, else the publication week
    (precision 2: the text does not say the day). A text that names "today" beside a calendar date of the week
    before publication is read from that day, the day it was written.

    With ``rules`` (the pipeline) ACLED's coding rules apply: an event dated outside the reporting window
    (background, or after publication) or sharing its sentence with an expression vaguer than a month is Undated,
    and a day the text does not give is not claimed (the publication week, precision 2, stands for the present
    tense). ``rules=False`` gives the date the text assigns, whenever it is, and its best single day
    (how well midan *dates* events, measured apart from what ACLED would report): a "to" complement that happens
    at its clause's time is dated with it, an event still to come takes a later day of its sentence, and the
    story's week that holds the publication day gives that day."""
    doc = trigger.doc
    sent = trigger.sent
    if dct is not None:
        written = _written(doc, timexes, dct)
        if written != dct:
            # the text was written before it was published ("at 16:15 UTC, June 1st, ... earlier today" in a story
            # dated 4 June): its "today", its tenses and its weekdays speak of the day it was written
            dct, timexes = written, _retagged(doc, written)
    # the dateline's date is the filing date, not the event's
    filed = dateline_end(doc_text(doc))
    candidates = [t for t in timexes if _dated(t) and sent.start_char <= t.start < sent.end_char and t.start >= filed]
    governing = _governing(trigger, candidates)
    if governing is not None and not _dates_a_day(governing) and not governing.since and \
            trigger.lemma_.lower() in _REPORTING and tense(trigger) in _NOW:
        # "For 2009, Ford says it made a profit": a period vaguer than a month frames what is said; a statement
        # in the present is made now
        governing = None
    if governing is not None and governing.value == "PRESENT_REF" and dct is not None:
        return EventDate(dct, dct, dct, 1, governing, "dependency")  # "currently", "now": the publication day
    if governing is not None:
        return _from_timex(governing, "dependency", dct, rules)
    if trigger.pos_ in {"NOUN", "PROPN"} and governor(trigger).lemma_.lower() == "be" and trigger.dep_ in {
            "nsubj", "nsubjpass"}:
        # "The protests are the largest since 2019", "The marches were peaceful": an event told elsewhere is
        # described; the description's tense does not date it
        return Undated("a description of an event, not a report of one")
    when = tense(trigger)
    if when == "future" and not rules:
        when = _realised(trigger) or when
    headline = headline_end(doc_text(doc))
    if trigger.idx < headline and when != "future":
        # a headline's present ("Apple releases ...", "test flight delayed") reports the story's main event:
        # the lead dates it, else it is news of the publication day
        lead = _lead_date(doc, timexes, headline)
        if lead is not None:
            return _from_timex(lead, "lead", dct, rules)
        when = "present"
    if when == "future" and not rules:
        # without the rules an event still to come is dated by a day after publication its sentence gives ("will
        # wear the livery when it arrives on November 11"; "announced on Monday a plan to strike" is the plan's day)
        days = [t for t in candidates if t.granularity in {"day", "time"} and t.begin is not None and not t.since
                and (dct is None or t.begin > dct) and not _compared(doc, t)]
        if days:
            return _from_timex(min(days, key=lambda t: abs(t.start - trigger.idx)), "sentence", dct, rules)
    if when == "future":
        return Undated("threat/plan/future: the event is still to come")
    if when == "past perfect" and backshifted(_finite(trigger) or trigger):
        when = "past"  # "witnesses said warplanes had bombarded the towns": the account's simple past
    if when == "past perfect":
        # "police said gunmen had stormed a village" without a date of its own: before the story's time by an
        # unknown stretch, and most often an event the story codes elsewhere with its day
        return Undated("before the story's time: the past perfect gives no day")
    return _story_date(trigger, timexes, candidates, filed, when, dct, rules)


def _story_date(trigger: Token, timexes: list[Timex], candidates: list[Timex], filed: int, when: str,
                dct: dt.date | None, rules: bool) -> EventDate | Undated:
    """The date of an event no time expression governs: the publication day for the present or a statement, a
    date of its sentence, the story's last date, else the publication day or week."""
    doc, sent = trigger.doc, trigger.sent
    if not rules and dct is not None and (when in _NOW or (trigger.lemma_.lower() in _REPORTING and not candidates
                                                           and trigger.tag_ != "VBG")):
        # "says", "has signed"; a statement with no date of its own ("..., said the minister") is the news itself,
        # but a participle ("unveiled the phone on Monday, saying ...") is said when its verb happens.
        # ACLED's coding (``rules``) does not claim a day the text does not give: such an event falls to the
        # publication week below, unless its sentence or story dates it
        return EventDate(dct, dct, dct, 1, None, "publication date")
    # an expression vaguer than a month elsewhere in the sentence ("in 2009", "recently") dates nothing; ACLED's
    # coding reads it as background and leaves the event out
    dating = [t for t in candidates if (_dates_a_day(t) or (rules and not t.since)) and not _compared(doc, t)]
    if dating:
        nearest = min(dating, key=lambda t: abs(t.start - trigger.idx))
        return _from_timex(nearest, "sentence", dct, rules)
    story, now = _story_time(doc, timexes, filed, sent.start_char, dct)
    if story is not None:
        paragraph_start = doc_text(doc).rfind("\n", 0, sent.start_char) + 1
        return _from_timex(story, "previous sentence" if story.start >= paragraph_start else "paragraph", dct,
                           rules)
    if dct is None:
        return Undated("no date: no publication date and no date in the text")
    if now and not rules:
        return EventDate(dct, dct, dct, 1, None, "publication date")
    return EventDate(dct - dt.timedelta(days=3), dct - dt.timedelta(days=6), dct, 2, None, "publication date")


def _from_timex(timex: Timex, how: str, dct: dt.date | None, rules: bool = True) -> EventDate | Undated:
    if timex.since:
        return Undated(f"background: a span since {timex.text}, not one event", timex)
    if timex.begin is None or timex.last is None:
        return Undated(f"vaguer than a month ({timex.text})", timex)
    if rules and dct is not None and timex.last < dct - dt.timedelta(days=BACKGROUND_DAYS):
        return Undated(f"background: {timex.text} is outside the reporting window", timex)
    if rules and dct is not None and timex.begin > dct + dt.timedelta(days=1):
        return Undated(f"threat/plan/future: dated after publication ({timex.text})", timex)
    if not rules and dct is not None and timex.begin > dct:
        dct = None  # a span wholly after publication (kept without the rules) is not cut at the publication date
    if timex.granularity in {"day", "time"}:
        return EventDate(timex.begin, timex.begin, timex.begin, 1, timex, how)
    if timex.granularity in {"week", "weekend"}:
        last = min(timex.last, dct) if dct else timex.last
        if not rules and dct is not None and timex.begin <= dct <= timex.last and how not in {"dependency", "lead"}:
            # best single day of the story's "this week" for an event the sentence does not date itself: the
            # publication day, the news the week ends with
            return EventDate(dct, timex.begin, dct, 1, timex, how)
        middle = timex.begin + (last - timex.begin) / 2
        return EventDate(middle, timex.begin, last, 2, timex, how)
    if timex.granularity == "month":
        last = min(timex.last, dct) if dct else timex.last
        if timex.mod == "START":
            day = timex.begin
        elif timex.mod == "END":
            day = timex.last
        else:
            day = min(timex.begin.replace(day=15), last)
        return EventDate(day, timex.begin, last, 3, timex, how)
    return Undated(f"vaguer than a month ({timex.text})", timex)
