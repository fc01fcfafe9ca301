"""Geoparsing: find place names, resolve them against the gazetteer, and choose where each event happened.

Toponyms come from spaCy's entities (GPE, LOC, FAC) and from proper-noun runs the gazetteer knows (the small
English model tags many African and Middle-Eastern towns as NORP or ORG). Each is resolved by a score over its
gazetteer candidates: population, the article's dominant country, a containment cue ("Kassala, eastern Sudan",
"X state"), and the country of places already resolved. The event's place is the toponym attached to the event
word by the dependency parse, else one in the same sentence, else the previous sentence's, else the dateline,
else the article's main place (named more than once); a fallback place must lie in the country the sentence
names, and a city-state named as a country (Hong Kong, Singapore) is its city.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, replace
from typing import Any

from spacy.tokens import Doc, Span, Token

from midan.detect import quote_spans
from midan.gazetteer import Gazetteer, Place, admin_key
from midan.nlp import dateline_end, dateline_place, doc_text, governor, steps_to

logger = logging.getLogger(__name__)

_LOCATIVE_PREPS = frozenset({"in", "at", "near", "outside", "across", "around", "inside", "into", "on", "throughout",
                             "from", "towards", "toward", "between", "of", "through", "along", "within", "to", "off"})
_NEAR_WORDS = frozenset({"near", "outside", "outskirts", "around", "close", "north", "south", "east", "west",
                         "northeast", "northwest", "southeast", "southwest", "nearby", "vicinity", "edge"})
_ADMIN_WORDS = frozenset({"state", "province", "region", "governorate", "district", "county", "department",
                          "prefecture", "division", "oblast", "territory"})
_NOT_EVENT_PLACE = frozenset({"bear", "native", "hometown", "home", "originate", "hail", "base", "headquarter",
                              "capital", "embassy", "citizen", "national", "ambassador"})
_TAKE_VERBS = frozenset({"capture", "recapture", "retake", "regain", "liberate", "reclaim", "overrun", "occupy",
                         "seize", "take"})
_SPEECH = frozenset({"say", "announce", "state", "claim", "deny", "tell", "report", "warn", "accuse", "condemn",
                     "urge", "call", "demand", "insist", "add", "respond", "reply"})
_CALENDAR = frozenset({"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
                       "january", "february", "march", "april", "june", "july", "august", "september", "october",
                       "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                       "sunday", "today", "yesterday"})


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
            "feature_code": place.feature_code if place else None,
        }


@dataclass
class EventLocation:
    """Where one event happened, coded the ACLED way."""

    toponym: Toponym | None
    place: Place
    location: str
    geo_precision: int
    how: str


def _spans(doc: Doc) -> list[Span]:
    """Candidate toponym spans: spaCy place entities, other entities and proper-noun runs."""
    found: dict[tuple[int, int], Span] = {}
    for ent in doc.ents:
        if ent.label_ in {"GPE", "LOC", "FAC", "NORP", "ORG", "PERSON"}:
            found[(ent.start, ent.end)] = ent
    dateline = dateline_place(doc_text(doc))
    if dateline is not None:
        # "MAIDUGURI, Nigeria —", "new delhi: ...": the dateline's place name
        place = doc.char_span(*dateline, alignment_mode="contract")
        words = [t for t in place if t.is_alpha and len(t) > 2] if place is not None else []
        if words:
            found.setdefault((words[0].i, words[-1].i + 1) if words[-1].i - words[0].i < 3 else
                             (words[0].i, words[0].i + 1), doc[words[0].i:words[-1].i + 1] if
                             words[-1].i - words[0].i < 3 else doc[words[0].i:words[0].i + 1])
    covered = {i for s, e in found for i in range(s, e)}
    i = 0
    while i < len(doc):
        if doc[i].pos_ == "PROPN" and i not in covered and doc[i].is_title:
            j = i
            while j + 1 < len(doc) and (j + 1) not in covered:
                nxt = doc[j + 1]
                if nxt.pos_ == "PROPN" and nxt.is_title:
                    j += 1
                elif nxt.text == "-" and not nxt.whitespace_ and j + 2 < len(doc) and doc[j + 2].is_title:
                    j += 2  # "Ijebu-Ode", "Cap-Haïtien"
                else:
                    break
            found[(i, j + 1)] = doc[i:j + 1]
            i = j + 1
        else:
            i += 1
    if _lower_cased(doc):
        # lower-cased text (some corpora): the noun after a locative preposition is a candidate place
        for token in doc:
            if token.dep_ == "pobj" and token.head.lower_ in {"in", "at", "near", "outside", "from"} and \
                    token.pos_ in {"PROPN", "NOUN"} and token.i not in covered:
                start = token.i - 1 if token.i and doc[token.i - 1].dep_ == "compound" else token.i
                found[(start, token.i + 1)] = doc[start:token.i + 1]
    return sorted(found.values(), key=lambda s: s.start)


def _lower_cased(doc: Doc) -> bool:
    words = [t for t in doc if t.is_alpha and len(t) > 3]
    return len(words) > 20 and sum(t.text[0].isupper() for t in words) < 0.03 * len(words)


_NOT_PLACES = frozenset({"asia", "africa", "europe", "america", "americas", "middle east", "oceania",
                         "latin america", "north america", "south america", "west africa", "east africa",
                         "central asia", "the west", "west", "east", "north", "south", "earth", "world"})
#: capitalised titles and institutions that GeoNames also lists as places ("Secretary", Maryland)
_TITLE_WORDS = frozenset({"secretary", "court", "union", "alliance", "war", "council", "parliament", "congress",
                          "senate", "ministry", "army", "police", "government", "state", "republic", "university",
                          "church", "hospital", "embassy", "president", "minister", "general", "party", "front",
                          "league", "assembly", "commission", "committee", "association", "justice", "liberty",
                          "victory", "independence", "freedom", "unity", "peace", "hope", "mission", "centre",
                          "center", "national", "federal", "central", "security", "defence", "defense"})
_PLACE_NOUNS = frozenset({"town", "city", "village", "district", "province", "state", "region", "area", "county",
                          "capital", "suburb", "neighbourhood", "neighborhood", "municipality", "governorate"})


def _placed(span: Span) -> bool:
    """After a locative preposition ("in Omdurman") or a place noun ("the town of Baga")."""
    root = span.root
    head = root.head
    if root.dep_ != "pobj":
        return False
    return head.lower_ in _LOCATIVE_PREPS - {"of", "to"} or (
        head.lower_ == "of" and head.head.lemma_.lower() in _PLACE_NOUNS)


def _place_context(span: Span) -> bool:
    """Whether a name the NER did not call a place is used as one: after a locative preposition ("in Omdurman",
    "the town of Baga"), in apposition to a place, or followed by a country ("Kassala, Sudan")."""
    root = span.root
    head = root.head
    if _placed(span):
        return True
    if root.dep_ in {"appos", "conj"} and head.ent_type_ in {"GPE", "LOC", "FAC"}:
        return True
    doc = span.doc
    return span.end + 1 < len(doc) and doc[span.end].text == "," and doc[span.end + 1].ent_type_ == "GPE"


def _clean(span: Span) -> Span:
    """Drop a leading "the" and a trailing possessive, keeping the entity label."""
    start, end = span.start, span.end
    while start < end and span.doc[start].lower_ in {"the", "'s"}:
        start += 1
    while end > start and span.doc[end - 1].lower_ in {"'s", "’s"}:
        end -= 1
    return Span(span.doc, start, end, label=span.label_)


def _is_locative(span: Span) -> bool:
    root = span.root
    if span.label_ in {"GPE", "LOC", "FAC"}:
        # metonymy: "Khartoum said", "Washington accused"
        if root.dep_ in {"nsubj"} and root.head.lemma_.lower() in _SPEECH:
            return False
        if root.dep_ in {"amod", "compound", "poss"} and root.head.pos_ in {"NOUN", "PROPN"} and \
                root.head.ent_type_ not in {"GPE", "LOC", "FAC"} and root.head.lemma_.lower() not in _ADMIN_WORDS:
            return False
        return True
    # other labels count as places only after a locative preposition or in an apposition to one
    if root.dep_ == "pobj" and root.head.lower_ in _LOCATIVE_PREPS:
        return True
    if root.dep_ in {"appos", "conj"} and root.head.ent_type_ in {"GPE", "LOC", "FAC"}:
        return True
    return span.label_ == "" and root.dep_ in {"pobj", "appos", "conj", "npadvmod"}


def toponym_spans(doc: Doc) -> list[Span]:
    """The spans of the document that may name places (before the gazetteer is asked), cleaned of "the"."""
    lower_cased = _lower_cased(doc)
    dateline = dateline_place(doc_text(doc))
    spans = []
    for raw in _spans(doc):
        span = _clean(raw)
        in_dateline = dateline is not None and dateline[0] <= span.start_char < dateline[1]
        if not span.text or not (span.text[0].isupper() or lower_cased or in_dateline) or len(span.text) < 3 \
                or span.text.lower() in _CALENDAR or span.text.lower() in _TITLE_WORDS \
                or any(t.ent_type_ in {"DATE", "TIME", "CARDINAL", "MONEY", "PERCENT"} for t in span):
            continue
        spans.append(span)
    return spans


def geoparse(doc: Doc, gazetteer: Gazetteer) -> list[Toponym]:
    """Every toponym of the document with its resolution (places the gazetteer does not know are dropped)."""
    return resolve(doc, toponym_spans(doc), gazetteer)


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


def resolve(doc: Doc, spans: list[Span], gazetteer: Gazetteer, *, given: bool = False) -> list[Toponym]:
    """Resolve place-name spans against the gazetteer with the learned ranker (:mod:`midan.georank`).

    ``given`` spans are known to be places (gold annotations, a user's selection): every one is resolved,
    fuzzy matching included. Otherwise a name the NER called a person or organisation is kept only when the
    gazetteer knows it as a town of some size, and names the gazetteer does not know are dropped."""
    from midan import georank

    mentions = place_mentions(spans, gazetteer, given=given)
    return _toponyms(doc, mentions, georank.rank(mentions), gazetteer)


def place_mentions(spans: list[Span], gazetteer: Gazetteer, *, given: bool = False) -> list[PlaceMention]:
    """Each span the gazetteer knows, with its candidates and the cues around it (see :func:`resolve`)."""
    mentions: list[PlaceMention] = []
    for span in spans:
        label = span.label_ or _entity_label(span)
        country = gazetteer.country(span.text)
        places = gazetteer.lookup(span.text, limit=20)
        if country is not None:
            places = [country, *(p for p in places if p.geonames_id != country.geonames_id)]
        fuzzy = False
        if not places and (given or label in {"GPE", "LOC", "FAC"}):
            places, fuzzy = gazetteer.fuzzy(span.text), True
        if not places:
            continue
        if not given and country is None and label in {"PERSON", "ORG", "NORP"} and \
                max(p.population for p in places) < 1000:
            continue
        mentions.append(PlaceMention(span, label, places, country, fuzzy, _containment(span, gazetteer),
                                     _containment_admin1(span, gazetteer), _admin_hint(span), admin_key(span.text)))
    return mentions


def _toponyms(doc: Doc, mentions: list[PlaceMention], choices: list[tuple[Place, float]],
              gazetteer: Gazetteer) -> list[Toponym]:
    name_words = {t.lower_ for ent in doc.ents if ent.label_ == "PERSON" for t in ent if t.is_title}
    toponyms: list[Toponym] = []
    for mention, (best, confidence) in zip(mentions, choices, strict=True):
        span = mention.span
        label = mention.label or "GAZ"
        if best.is_country or best.feature_code == "CONT":
            locative = best.is_country and mention.country is not None and not (
                span.root.dep_ in {"amod", "compound"} or gazetteer.is_demonym(span.text)) and _is_locative(span)
        else:
            # a name the NER did not call a place is an event place only where the text uses it as one; a name
            # the text also uses for a person ("Chelsea Manning", "Manning said") only after "in", "the town of"
            locative = _is_locative(span) and (label in {"GPE", "LOC", "FAC"} or _place_context(span)) and \
                span.text.lower().removeprefix("the ") not in _NOT_PLACES and not (
                    len(span) == 1 and span.text.lower() in name_words and label not in {"GPE", "LOC"}
                    and not _placed(span))
        toponyms.append(Toponym(span.start_char, span.end_char, span.text, best, label, locative,
                                round(confidence, 3), span.start, span.end))
    return toponyms


def _entity_label(span: Span) -> str:
    """The label of the entity a span overlaps most (for spans given from outside the parse)."""
    labels = Counter(t.ent_type_ for t in span if t.ent_type_)
    return labels.most_common(1)[0][0] if labels else ""


def _containment(span: Span, gazetteer: Gazetteer) -> str:
    """The country named right after a place: "Kassala, eastern Sudan", "Jos in Nigeria's Plateau state"."""
    doc = span.doc
    window = doc[span.end:min(span.end + 5, len(doc))]
    for token in window:
        if token.is_sent_start:
            break
        if token.ent_type_ in {"GPE", "NORP"} or token.pos_ == "PROPN":
            country = gazetteer.country(token.text.removesuffix("'s").removesuffix("’s"))
            if country is not None and not gazetteer.is_demonym(token.text):
                return country.country_code
    return ""


def _containment_admin1(span: Span, gazetteer: Gazetteer) -> set[tuple[str, str]]:
    """The first-level units a name right after a comma may be: "Dublin, Ga.", "Paris, Texas", "Jos, Plateau"."""
    doc = span.doc
    if span.end + 1 >= len(doc) or doc[span.end].text != ",":
        return set()
    for size in (3, 2, 1):
        words = doc[span.end + 1:min(span.end + 1 + size, len(doc))]
        if len(words) < size or not words[0].text[:1].isupper() or any(t.is_sent_start for t in words):
            continue
        units = {(p.country_code, p.admin1) for p in gazetteer.lookup(words.text, limit=10)
                 if p.feature_code == "ADM1"}
        if units:
            return units
    return set()


def _admin_hint(span: Span) -> bool:
    doc = span.doc
    after = doc[span.end].lower_ if span.end < len(doc) else ""
    return after in _ADMIN_WORDS or span[-1].lower_ in _ADMIN_WORDS or (
        span.start >= 2 and doc[span.start - 1].lower_ == "of" and doc[span.start - 2].lower_ in _ADMIN_WORDS)


# --- event location ---------------------------------------------------------------------------------------------


def _usable(toponym: Toponym, quotes: list[tuple[int, int]]) -> bool:
    if toponym.place is None or not toponym.locative or toponym.place.is_country:
        return False
    return not any(s <= toponym.start < e for s, e in quotes)


def _quoted(toponym: Toponym, quotes: list[tuple[int, int]]) -> bool:
    return any(s <= toponym.start < e for s, e in quotes)


def city_state(country: Place, gazetteer: Gazetteer | None) -> Place | None:
    """The city that is the whole of a city-state (Hong Kong, Singapore, Macau): a populated place of the same
    name in that country holding at least half of its people. Named as a country, such a place is a town."""
    if gazetteer is None or not country.is_country or country.population <= 0:
        return None
    for place in gazetteer.lookup(country.name, country.country_code, limit=5):
        if place.feature_class == "P" and admin_key(place.name) == admin_key(country.name) and \
                place.population * 2 >= country.population:
            return place
    return None


def _country_places(in_sentence: list[Toponym], quotes: list[tuple[int, int]]) -> set[str]:
    """Codes of the countries the sentence names as places ("police in Eswatini arrested ..."): an event
    placed by a fallback must lie in one of them."""
    return {t.place.country_code for t in in_sentence if t.place is not None and t.place.is_country
            and t.locative and not _quoted(t, quotes)}


def _code(toponym: Toponym, doc: Doc, gazetteer_capital: Any, how: str) -> EventLocation | None:
    place = toponym.place
    assert place is not None
    precision = 1
    before = doc[max(toponym.token_start - 3, 0):toponym.token_start]
    if any(t.lower_ in _NEAR_WORDS for t in before):
        precision = 2
    location = place.name
    if place.is_admin:
        precision = 3
        capital = gazetteer_capital(place.country_code, place.admin1) if gazetteer_capital else None
        if capital is None:
            return None
        location = place.admin2 or place.admin1 or place.name
        place = Place(capital.geonames_id, capital.name, capital.latitude, capital.longitude, capital.feature_class,
                      capital.feature_code, capital.country_code, capital.country, capital.iso, capital.iso3,
                      capital.region, place.admin1, place.admin2 if place.feature_code == "ADM2" else "",
                      capital.population)
        location = capital.name
    return EventLocation(toponym, place, location, precision, how)


_DIRECTIONS = frozenset({"north", "south", "east", "west", "northeast", "northwest", "southeast", "southwest",
                         "north-east", "north-west", "south-east", "south-west"})
_DISTANCES = frozenset({"km", "kilometres", "kilometers", "miles", "mi", "kilometre", "kilometer", "mile"})


def _reference_point(toponym: Toponym, doc: Doc) -> bool:
    """Whether the place is only measured from: "about 35 kilometres southeast of Maiduguri"."""
    before = [t.lower_ for t in doc[max(toponym.token_start - 3, 0):toponym.token_start]]
    return len(before) == 3 and before[2] == "of" and before[1] in _DIRECTIONS and before[0] in _DISTANCES


def _chain(token: Token) -> set[int]:
    """The token and its ancestors (indices)."""
    return {token.i} | {a.i for a in token.ancestors}


def _qualifies(toponym: Toponym, others: list[Toponym], doc: Doc) -> bool:
    """Whether the place only says where another place named with it lies: Hiiraan in "the town of Buulobarde
    in the Hiiraan region" (an "in" phrase hanging on the other place, or on the noun it names: "town of")."""
    holders: set[int] = set()
    for other in others:
        if other is toponym:
            continue
        root = doc[other.token_start:other.token_end].root
        holders.update(range(other.token_start, other.token_end))
        if root.dep_ == "pobj" and root.head.lower_ == "of":
            holders.add(root.head.head.i)
        if root.dep_ == "appos":
            holders.add(root.head.i)
    if not holders:
        return False
    node = doc[toponym.token_start:toponym.token_end].root
    through_in = False
    for _ in range(4):
        if node.head.i == node.i:
            return False
        through_in = through_in or (node.dep_ == "pobj" and node.head.lower_ == "in")
        node = node.head
        if node.i in holders:
            return through_in
    return False


def event_location(trigger: Token, toponyms: list[Toponym], gazetteer: Gazetteer | None = None,
                   story: EventLocation | None = None) -> EventLocation | None:
    """The place where the event of ``trigger`` happened, or None (country-only events are not recorded).

    ``story`` is the place of the last event coded before this sentence: a sentence that names no place of its own
    goes on with that story ("...overran a base in Marte. Four soldiers were killed."), not with the last town
    merely named ("forcing soldiers to flee towards Dikwa")."""
    doc = trigger.doc
    sent = trigger.sent
    quotes = [(sent.start_char + s, sent.start_char + e) for s, e in quote_spans(sent.text)]
    capital = gazetteer.admin1_capital if gazetteer is not None else None
    in_sentence = [t for t in toponyms if sent.start_char <= t.start < sent.end_char and _usable(t, quotes)]
    in_sentence = [t for t in in_sentence if not _qualifies(t, in_sentence, doc)]
    if story is not None:
        # "35 kilometres southeast of Maiduguri" only measures from a town: the story's place stands
        points = {doc[t.token_start:t.token_end].root.i for t in in_sentence if _reference_point(t, doc)}
        in_sentence = [t for t in in_sentence if not points & _chain(doc[t.token_start:t.token_end].root)]
    # the ground taken is where a capture happened: "troops recaptured Marte" (an object, not after "in")
    if trigger.lemma_.lower() in _TAKE_VERBS:
        for toponym in toponyms:
            if not sent.start_char <= toponym.start < sent.end_char:
                continue
            place = toponym.place
            root = doc[toponym.token_start:toponym.token_end].root
            if place is not None and not place.is_country and root.dep_ == "dobj" and root.head.i == trigger.i \
                    and not _quoted(toponym, quotes):
                coded = _code(toponym, doc, capital, "dependency")
                if coded is not None:
                    return coded
    attached = []
    targets = {trigger.i, governor(trigger).i}
    for toponym in in_sentence:
        steps = steps_to(doc[toponym.token_start:toponym.token_end].root, targets, _NOT_EVENT_PLACE)
        if steps is not None:
            attached.append((steps, toponym))
    # prefer the closest attachment; among equals, the more specific place (a town over its province)
    if attached:
        attached.sort(key=lambda item: (item[1].place.is_admin if item[1].place else True, item[0]))
        coded = _code(attached[0][1], doc, capital, "dependency")
        if coded is not None:
            return coded
    for toponym in sorted(in_sentence, key=lambda t: abs(t.token_start - trigger.i)):
        coded = _code(toponym, doc, capital, "sentence")
        if coded is not None:
            return coded
    # a city-state named as a country is its city ("police in Hong Kong arrested ...")
    sentence_toponyms = [t for t in toponyms if sent.start_char <= t.start < sent.end_char]
    for toponym in sorted(sentence_toponyms, key=lambda t: abs(t.token_start - trigger.i)):
        city = city_state(toponym.place, gazetteer) if toponym.place is not None and toponym.locative and \
            not _quoted(toponym, quotes) else None
        if city is not None:
            return EventLocation(toponym, city, city.name, 1, "sentence")
    # the sentence names no town: the story's place, restricted to the country the sentence names (if any)
    countries = _country_places(sentence_toponyms, quotes)

    def inside(toponym: Toponym) -> bool:
        return not countries or (toponym.place is not None and toponym.place.country_code in countries)

    # earlier sentences, nearest first: the same paragraph, then the paragraphs before it
    text = doc_text(doc)
    filed = dateline_end(text)
    if story is not None and story.toponym is not None and story.toponym.end <= sent.start_char and \
            inside(story.toponym):
        same_paragraph = "\n" not in text[story.toponym.end:sent.start_char]
        return replace(story, how="previous sentence" if same_paragraph else "paragraph")
    previous = [t for t in toponyms if t.end <= sent.start_char and _usable(t, []) and t.start >= filed and inside(t)]
    for toponym in reversed(previous):
        same_paragraph = "\n" not in text[toponym.end:sent.start_char]
        coded = _code(toponym, doc, capital, "previous sentence" if same_paragraph else "paragraph")
        if coded is not None:
            return coded
    dateline = _dateline(toponyms, doc)
    if dateline is not None and inside(dateline):
        coded = _code(dateline, doc, capital, "dateline")
        if coded is not None:
            return coded
    # the sentence's own names were not usable (quoted, not locative): the place is taken from the rest
    dominant = dominant_place([t for t in toponyms if inside(t) and not sent.start_char <= t.start < sent.end_char],
                              gazetteer)
    if dominant is None:
        return None
    toponym, place = dominant
    if place is not toponym.place:
        return EventLocation(toponym, place, place.name, 1, "article")
    return _code(toponym, doc, capital, "article")


def dominant_place(toponyms: list[Toponym], gazetteer: Gazetteer | None = None) -> tuple[Toponym, Place] | None:
    """The article's main place and its resolution: the town or region it names most often as a place (ties:
    the one named first), when it is named more than once or is the only place named; a city-state counts
    however it is named ("Hong Kong police"). An event whose own
    sentence and the sentences before it name no place happened there."""
    counts: Counter[tuple[str, str, str]] = Counter()
    first: dict[tuple[str, str, str], tuple[Toponym, Place]] = {}
    for toponym in toponyms:
        place = toponym.place
        if place is None:
            continue
        if place.is_country:
            city = city_state(place, gazetteer)
            if city is None:
                continue
            place = city
        elif not _usable(toponym, []):
            continue
        key = (place.country_code, place.admin1, place.name)
        counts[key] += 1
        first.setdefault(key, (toponym, place))
    if not counts:
        return None
    best = max(counts, key=lambda k: (counts[k], -first[k][0].start))
    if counts[best] < 2 and len(counts) > 1:
        return None  # several places named once each: none is the article's place
    return first[best]


def _dateline(toponyms: list[Toponym], doc: Doc) -> Toponym | None:
    end = dateline_end(doc_text(doc))
    if not end:
        return None
    for toponym in toponyms:
        if toponym.start >= end:
            break
        if toponym.place is not None and not toponym.place.is_country:
            return toponym
    return None
