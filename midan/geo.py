"""Geoparsing: find place names, resolve them against the gazetteer, and choose where each event happened.

Toponyms come from spaCy's entities (GPE, LOC, FAC) and from proper-noun runs the gazetteer knows (the small English
model tags many African and Middle-Eastern towns as NORP or ORG); names that are a person's, a people's or a direction
are not places (:func:`_not_a_place`). Each is resolved among its gazetteer candidates by the learned ranker of
:mod:`midan.georank` (population and kind, containment cues such as "Kassala, eastern Sudan" and "X state", the
article's countries and states, the outlet's home, the other places named near it). The event's place is chosen first as
a span, among every place-like name of the sentence (resolved or not, countries included): the one the dependency parse
attaches to the event word ("in", "near", "outside", "across"; the ground of "captured X"), the most specific when
several are ("the village of X in the countryside of Y"). It is then coded: a known place as itself, a name the
gazetteer does not know by the known place holding it ("Town - Quarter", or precision 2). Failing that come looser rules
in one ranked list: another place of the sentence, the previous sentence's, the dateline, the article's main place
(named more than once); a fallback place must lie in the country the sentence names, and a city-state named as a country
(Hong Kong, Singapore) is its city. Every candidate comes in that one list (:func:`location_candidates`, each with the
rule that found it and its coding), and the first that can be coded is the event's place.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, replace
from enum import IntEnum
from typing import Any

from spacy.tokens import Doc, Span, Token

from midan import georank
from midan.gazetteer import TRANSLITERATED, Gazetteer, Place, admin_key, skeleton
from midan.mention import EventLocation, PlaceMention, Toponym
from midan.nlp import dateline_end, dateline_place, doc_text, governor, steps_to, unreported_quotes

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
                       "sunday", "today", "yesterday",
                       # holidays and their eves ("on New Year's Eve" is a day, not the Norwegian town of Eve)
                       "eve", "christmas", "easter", "ramadan", "eid", "thanksgiving", "hanukkah", "diwali",
                       "passover", "nowruz", "new year"})


#: the last word of a facility named after its town ("Qamishli National Hospital", "Kandahar Airport")
_FACILITY_NOUNS = frozenset({"hospital", "airport", "airbase", "university", "prison", "jail", "stadium",
                             "market", "bridge", "camp", "station", "port", "school",
                             "college", "barracks"})
#: words between a town's name and the facility's noun that are not the town's ("Maiduguri General Hospital")
_FACILITY_WORDS = frozenset({"national", "general", "central", "international", "teaching", "specialist", "main",
                             "state", "federal", "city", "grand", "old", "new", "military", "air"})


def _facility_town(ent: Span) -> Span | None:
    """The town a facility is named after, as a candidate toponym: ACLED places an event at a hospital, airport
    or prison in the town that holds it, and the facility's name often says which."""
    if ent.label_ not in {"FAC", "ORG"} or len(ent) < 2 or ent[-1].lower_ not in _FACILITY_NOUNS:
        return None
    words = [t for t in ent[:-1] if t.lower_ not in {"the", "a"}]
    name = []
    for token in words:
        if token.lower_ in _FACILITY_WORDS or not token.is_title or token.pos_ != "PROPN":
            break
        name.append(token)
    if not name or (len(name) == len(words) and len(words) > 2):
        return None
    return Span(ent.doc, name[0].i, name[-1].i + 1, label="GPE")


def _listed_names(ent: Span) -> list[Span]:
    """The names of a list the NER took for one entity ("parts of Enugu, Owerri and Aba" as one ORG), when the
    list stands where places do (after a locative preposition or "of" a noun); each name is then a place entity."""
    if ent.label_ not in {"GPE", "LOC", "ORG", "PERSON"} or not any(t.text == "," or t.dep_ == "cc" for t in ent):
        return []
    root = ent.root
    if not (root.dep_ == "pobj" and root.head.lower_ in _LOCATIVE_PREPS):
        return []
    parts: list[Span] = []
    start = ent.start
    for token in [*ent, None]:
        if token is None or token.text == "," or token.dep_ == "cc":
            end = token.i if token is not None else ent.end
            words = ent.doc[start:end]
            if not words or not all(t.is_title and t.pos_ == "PROPN" for t in words):
                return []  # not a list of names ("Bank of Africa, Lagos branch")
            parts.append(Span(ent.doc, start, end, label="GPE"))
            start = (token.i + 1) if token is not None else ent.end
            while start < ent.end and (ent.doc[start].text == "," or ent.doc[start].dep_ == "cc"):
                start += 1
    return parts if len(parts) > 1 else []


def _spans(doc: Doc) -> list[Span]:
    """Candidate toponym spans: spaCy place entities, other entities and proper-noun runs."""
    found: dict[tuple[int, int], Span] = {}
    for ent in doc.ents:
        parts = _listed_names(ent)
        if parts:
            for part in parts:
                found[(part.start, part.end)] = part
            continue
        if ent.label_ in {"GPE", "LOC", "FAC", "NORP", "ORG", "PERSON"}:
            found[(ent.start, ent.end)] = ent
        town = _facility_town(ent)
        if town is not None:
            found.setdefault((town.start, town.end), town)
    dateline = dateline_place(doc_text(doc))
    if dateline is not None:
        # "MAIDUGURI, Nigeria —", "new delhi: ...": the dateline's place name
        place = doc.char_span(*dateline, alignment_mode="contract")
        words = [t for t in place if t.is_alpha and len(t) > 2] if place is not None else []
        if words:
            # a short name is whole ("PORT-AU-PRINCE" is five tokens); a long dateline keeps its first word
            end = words[-1].i + 1 if words[-1].i - words[0].i < 5 else words[0].i + 1
            found.setdefault((words[0].i, end), doc[words[0].i:end])
    covered = {i for s, e in found for i in range(s, e)}
    i = 0
    while i < len(doc):
        prefixed = doc[i].lower_ in _NAME_ARTICLES and i + 2 < len(doc) and doc[i + 1].text == "-" and \
            not doc[i].whitespace_ and doc[i + 2].is_title  # "al-Shadadi", "el-Fasher"
        if ((doc[i].pos_ == "PROPN" and doc[i].is_title) or prefixed) and i not in covered:
            j = i + 2 if prefixed else i
            while j + 1 < len(doc) and (j + 1) not in covered:
                nxt = doc[j + 1]
                if nxt.pos_ == "PROPN" and nxt.is_title:
                    j += 1
                elif nxt.text == "-" and not nxt.whitespace_ and j + 2 < len(doc) and doc[j + 2].is_title:
                    j += 2  # "Ijebu-Ode", "Cap-Haïtien"
                elif nxt.lower_ in _NAME_ARTICLES and j + 2 < len(doc) and (doc[j + 2].is_title or (
                        doc[j + 2].text == "-" and j + 3 < len(doc) and doc[j + 3].is_title)):
                    j += 2 if doc[j + 2].is_title else 3  # "Deir az-Zour", "Ras al Ain", "Maaret al-Nouman"
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


#: the Arabic article inside a place name, lower-cased by most transliterations ("Deir ez-Zor", "Ras al Ain")
_NAME_ARTICLES = frozenset({"al", "el", "ad", "an", "ar", "as", "ash", "at", "az", "ed", "en", "er", "es", "ez"})


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
                          "capital", "suburb", "neighbourhood", "neighborhood", "municipality", "governorate",
                          "island", "township", "hamlet", "locality", "prefecture"})


def _placed(span: Span) -> bool:
    """After a locative preposition ("in Omdurman") or a place noun ("the town of Baga"), itself or as a later name
    of a list that is ("the towns of Mesraba and Harasta")."""
    root = span.root
    for _ in range(6):
        if root.dep_ != "conj" or root.head.i == root.i or root.head.pos_ not in {"PROPN", "NOUN"}:
            break
        root = root.head
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
    if _named_place_noun(span):
        return True
    doc = span.doc
    return span.end + 1 < len(doc) and doc[span.end].text == "," and doc[span.end + 1].ent_type_ == "GPE"


#: parts of a town or region a name before them places the event in: "on Aleppo's western edges"
_PLACE_PARTS = frozenset({"edge", "outskirt", "outskirts", "suburb", "suburbs", "countryside", "vicinity", "centre",
                          "center", "heart", "periphery", "environs", "neighbourhood", "neighborhood", "district",
                          "quarter", "part", "side"})


def _named_place_noun(span: Span) -> bool:
    """A name that names a place noun: "in Aleppo city", "Idlib province" after "in" (the name modifies the noun),
    "the Syrian city Aleppo" (the name follows it)."""
    root = span.root
    head = root.head
    while root.dep_ == "compound" and head.dep_ == "compound" and head.pos_ == "PROPN" and head.head.i != head.i:
        head = head.head  # "in Aleppos Salaheddin district": the name before a quarter's name
    if root.dep_ in {"compound", "amod", "nmod", "poss"} and head.lemma_.lower() in _PLACE_NOUNS | _PLACE_PARTS and \
            head.dep_ == "pobj" and head.head.lower_ in _LOCATIVE_PREPS:
        return True  # "in Aleppo city", "on Aleppo's western edges"
    doc = span.doc
    return span.start > 0 and doc[span.start - 1].lemma_.lower() in _PLACE_NOUNS and doc[span.start - 1].is_lower


def _clean(span: Span) -> Span:
    """Drop a leading "the" and a trailing possessive, keeping the entity label."""
    start, end = span.start, span.end
    while start < end and span.doc[start].lower_ in {"the", "'s"}:
        start += 1
    while end > start and span.doc[end - 1].lower_ in {"'s", "’s"}:
        end -= 1
    return Span(span.doc, start, end, label=span.label_)


def _names_facility(span: Span) -> bool:
    """Whether the span is the town a facility is named after ("near Qamishli National Hospital")."""
    ent = next((e for e in span.doc.ents if e.start <= span.start and span.end < e.end), None)
    town = _facility_town(ent) if ent is not None else None
    return town is not None and (town.start, town.end) == (span.start, span.end)


#: forces and offices a town's name before them places: "Hong Kong police arrested ..." acted in Hong Kong
_JURISDICTION_NOUNS = frozenset({"police", "policeman", "policemen", "authority", "authorities", "court",
                                 "prosecutor", "prosecutors", "governor"})
#: verbs whose object a country's or a capital's name is the government, not a place ("to accuse Islamabad of
#: aiding the Taliban", "urged Washington to act")
_GOVERNMENT_OBJECT_VERBS = _SPEECH | frozenset({"blame", "criticize", "criticise", "thank", "praise", "pressure",
                                                "ask", "lobby", "petition", "sue", "sanction"})
#: nouns of bodies a name after "known as" may name ("the company ... is now known as Orange")
_BODY_NOUNS = frozenset({"company", "firm", "corporation", "group", "brand", "operator", "party", "organisation",
                         "organization", "movement", "band", "team", "club", "network", "channel", "newspaper"})


def _body_name(root: Token) -> bool:
    """A name given to a company, party or other body ("France Télécom, now known as Orange")."""
    if not (root.dep_ == "pobj" and root.head.lower_ == "as" and
            root.head.head.lemma_.lower() in {"know", "call", "name", "rename", "brand", "rebrand"}):
        return False
    return any(t.lemma_.lower() in _BODY_NOUNS for t in root.sent if t.i < root.i)


def _is_locative(span: Span) -> bool:
    root = span.root
    if _body_name(root):
        return False
    if span.label_ in {"GPE", "LOC", "FAC"}:
        # metonymy: "Khartoum said", "Washington accused", "to accuse Islamabad of aiding ..."
        if root.dep_ in {"nsubj"} and root.head.lemma_.lower() in _SPEECH:
            return False
        if root.dep_ == "dobj" and root.head.lemma_.lower() in _GOVERNMENT_OBJECT_VERBS:
            return False
        if root.dep_ in {"amod", "compound", "poss"} and root.head.pos_ in {"NOUN", "PROPN"} and \
                root.head.ent_type_ not in {"GPE", "LOC", "FAC"} and root.head.lemma_.lower() not in _ADMIN_WORDS \
                and root.head.lower_ not in _KIND_NOUNS and not _names_facility(span) and \
                root.head.lemma_.lower() not in _JURISDICTION_NOUNS:  # "Idlib city"; "Hong Kong police"
            return False
        return True
    # other labels count as places only after a locative preposition or in an apposition to one
    if root.dep_ == "pobj" and root.head.lower_ in _LOCATIVE_PREPS:
        return True
    if _named_place_noun(span):
        return True
    if root.dep_ in {"appos", "conj"} and root.head.ent_type_ in {"GPE", "LOC", "FAC"}:
        return True
    return span.label_ == "" and root.dep_ in {"pobj", "appos", "conj", "npadvmod"}


#: the ranker's probability under which the geoparser leaves a doubtful name (fuzzy, or not an NER place) unresolved
MIN_CONFIDENCE = 0.1


def toponym_spans(doc: Doc) -> list[Span]:
    """The spans of the document that may name places (before the gazetteer is asked), cleaned of "the"."""
    lower_cased = _lower_cased(doc)
    dateline = dateline_place(doc_text(doc))
    spans = []
    for raw in _spans(doc):
        span = _clean(raw)
        in_dateline = dateline is not None and dateline[0] <= span.start_char < dateline[1]
        prefixed = len(span) > 2 and span[0].lower_ in _NAME_ARTICLES and span[1].text == "-"
        if not span.text or not (span.text[0].isupper() or lower_cased or in_dateline or prefixed) or \
                len(span.text) < 3 \
                or span.text.lower() in _CALENDAR or span.text.lower() in _TITLE_WORDS \
                or any(t.ent_type_ in {"DATE", "TIME", "CARDINAL", "MONEY", "PERCENT"} for t in span):
            continue
        spans.append(span)
    return spans


def geoparse(doc: Doc, gazetteer: Gazetteer, home: Place | None = None) -> list[Toponym]:
    """Every toponym of the document with its resolution (places the gazetteer does not know are dropped);
    ``home`` is the outlet's home place, a prior for the ranker."""
    return resolve(doc, toponym_spans(doc), gazetteer, home=home)


def resolve(doc: Doc, spans: list[Span], gazetteer: Gazetteer, *, given: bool = False,
            home: Place | None = None) -> list[Toponym]:
    """Resolve place-name spans against the gazetteer with the learned ranker (:mod:`midan.georank`).

    ``given`` spans are known to be places (gold annotations, a user's selection): every one is resolved,
    fuzzy matching included. Otherwise a name the NER called a person or organisation is kept only when the
    gazetteer knows it as a town of some size, only names the NER called places get fuzzy candidates, names the
    gazetteer does not know are dropped, and doubtful readings are left out (see :data:`MIN_CONFIDENCE`)."""
    mentions = place_mentions(spans, gazetteer, given=given)
    choices = georank.rank(mentions, home=home)
    if not given:
        # the ranker's doubt, for a name only spelled like a place or not called one by the NER: on the LGL and
        # GeoWebNews test folds, 1 of the 36 readings it gave less than 0.1 was right ("PORT" of a dateline as Port
        # in France, "Solino" as Solin in Croatia)
        kept = [i for i, (m, (_, confidence)) in enumerate(zip(mentions, choices, strict=True))
                if (confidence >= MIN_CONFIDENCE or (m.label in {"GPE", "LOC", "FAC"} and not m.fuzzy) or m.vouched)
                and not _not_a_place(m.span, gazetteer)]
        # a quarter of a town ("the al-Jadida neighbourhood of Mosul") read as a town abroad is a quarter whose
        # name the gazetteer does not know: the countries of the text's other places say where it lies
        countries = {place.country_code for _, (place, _) in zip(mentions, choices, strict=True)}
        kept = [i for i in kept if not ((_quarter(mentions[i].span) or _foreign_alias(mentions[i], choices[i][0]))
                                        and len(countries) > 1 and sum(
            1 for _, (place, _) in zip(mentions, choices, strict=True)
            if place.country_code == choices[i][0].country_code) == 1)]
        mentions, choices = [mentions[i] for i in kept], [choices[i] for i in kept]
    return _toponyms(doc, mentions, choices, gazetteer)


#: nouns of people a name in apposition to is a person's ("his wife, Florence"; "Florence, his wife")
_PERSON_NOUNS = frozenset({
    "wife", "husband", "son", "daughter", "mother", "father", "brother", "sister", "child", "grandson",
    "granddaughter", "grandmother", "grandfather", "friend", "girlfriend", "boyfriend", "fiancee", "fiancé",
    "fiance", "widow", "widower", "nephew", "niece", "cousin", "uncle", "aunt", "partner", "spouse", "mom", "dad",
    "stepson", "stepdaughter", "baby", "boy", "girl", "man", "woman", "victim", "suspect", "pastor", "coach",
})


#: a compass word alone is a direction ("the Northern part of Aleppo province"), not the region that bears it
#: (those are written whole: "Northern Region", "Northern State")
_COMPASS = frozenset({"north", "south", "east", "west", "northern", "southern", "eastern", "western", "central",
                      "northeast", "northwest", "southeast", "southwest", "northeastern", "northwestern",
                      "southeastern", "southwestern", "north-east", "north-west", "south-east", "south-west",
                      "north-eastern", "north-western", "south-eastern", "south-western", "upper", "lower", "middle"})


def _listed_as_place(span: Span) -> bool:
    """A later name of a list of places, however the parser joined it ("the villages of Kafr Sajna, Khan
    Sheikhoun and al-Tamana", the second name an apposition of the first)."""
    root = span.root
    for _ in range(8):
        if root.dep_ not in {"conj", "appos"} or root.head.i == root.i or root.head.pos_ not in {"PROPN", "NOUN"}:
            break
        root = root.head
    return root.i != span.root.i and _placed(span.doc[root.i:root.i + 1])


def _with_place_noun(span: Span) -> bool:
    """A name joined to a noun of a place: modifying it ("the Jumla and Diwan villages") or in apposition to it
    ("the regional capital, Grozny"; "Goma, the capital of North Kivu")."""
    root = span.root
    for _ in range(4):  # the first name of "the Jumla and Diwan villages" modifies the noun through the list
        if root.dep_ != "conj" or root.head.i == root.i:
            break
        root = root.head
    head = root.head
    if root.dep_ in {"compound", "amod", "nmod", "appos"} and head.lemma_.lower() in _PLACE_NOUNS:
        return True
    return any(child.dep_ == "appos" and child.lemma_.lower() in _PLACE_NOUNS for child in span.root.children)


def _used_as_place(span: Span) -> bool:
    """Whether the text uses a name as a place's: tagged a place elsewhere in it, after a locative preposition or a
    place noun, in a list of places, or beside a noun of a place."""
    name = admin_key(span.text)
    return any(admin_key(e.text) == name for e in span.doc.ents if e.label_ in {"GPE", "LOC", "FAC"}) or \
        _place_context(span) or _listed_as_place(span) or _with_place_noun(span)


def _not_a_place(span: Span, gazetteer: Gazetteer) -> bool:
    """A name that is a person's, a people's or a direction, not a place's, though a place bears it: a compass
    word alone; a name the NER calls a person's, or inside one ("Roy" of "Roy Smith", "Francis" of "Pope Francis"),
    unless the text uses it as a place (after "in", "the town of", in a list of places, beside a noun of a place:
    "Aleppo district", "the regional capital, Grozny", or tagged a place elsewhere: "Alexandria" of a dateline); in
    apposition to a noun of a person ("his wife, Florence"); a demonym ("Turkish", "Russians": they may still give
    an actor's country, which :mod:`midan.actors` reads from the words themselves)."""
    if span.text.lower() in _COMPASS:
        return True
    doc = span.doc
    if any(e.label_ == "PERSON" and e.start < span.end and span.start < e.end for e in doc.ents) and \
            not _used_as_place(span):
        return True
    root = span.root
    if root.dep_ == "appos" and root.head.lemma_.lower() in _PERSON_NOUNS:
        return True
    if any(child.dep_ == "appos" and child.lemma_.lower() in _PERSON_NOUNS for child in root.children):
        return True
    return gazetteer.is_demonym(span.text) and gazetteer.country(span.text) is not None and \
        gazetteer.lookup(span.text, limit=1) == []


def _foreign_alias(mention: PlaceMention, place: Place) -> bool:
    """A town reached only through another of its names ("Barna" for Bern), that is, a name the gazetteer lists
    under another main name; alone in its country among the text's places, it is a village of the story's
    country that the gazetteer does not know, not the town abroad."""
    return not place.is_country and not place.is_admin and mention.country is None and \
        mention.key != admin_key(place.name) and skeleton(mention.span.text) != skeleton(place.name)


def _quarter(span: Span) -> bool:
    """A name followed by the noun of a part of a town: "al-Jadida neighbourhood", "Salah al-Din district"."""
    doc = span.doc
    return span.end < len(doc) and doc[span.end].lemma_.lower() in {"neighbourhood", "neighborhood", "quarter",
                                                                     "district", "suburb"}


def place_mentions(spans: list[Span], gazetteer: Gazetteer, *, given: bool = False) -> list[PlaceMention]:
    """Each span the gazetteer knows, with its candidates and the cues around it (see :func:`resolve`).

    Names the gazetteer knows by one of their keys come first; the countries they name, or unambiguously lie in,
    are the document's countries. A name no key matches is then looked up by its consonant skeleton (a
    transliteration GeoNames does not list) among the places of those countries, and a span no reading fits
    whole is searched for place names run together ("the towns of Arbin Kafarbatna and Jisreen")."""
    if not given:
        spans = _whole_names(spans, gazetteer)
    labels = [span.label_ or _entity_label(span) for span in spans]
    exact = [_candidates(span, gazetteer, towns=not given) for span in spans]
    countries = set() if given else _document_countries(spans, labels, exact, gazetteer)
    mentions: list[PlaceMention] = []
    for span, label, found in zip(spans, labels, exact, strict=True):
        placed = given or label in {"GPE", "LOC", "FAC"} or _place_context(span) or _kind_noun_after(span.doc,
                                                                                                    span.end)
        if found is None and placed:
            found = _loose_candidates(span, label, gazetteer, countries, given)
        parts = [(span, found)]
        if found is None and not given and _run_together(span, gazetteer) and countries and (
                label in {"GPE", "LOC", ""} or _kind_noun_of(span) or _possessive_first(span, gazetteer)):
            # "the towns of Housh Salhiya Nishabiya and Otaya" with its commas lost upstream: the names inside
            parts = [(part, _within(_candidates(part, gazetteer), countries) or _loose_candidates(
                part, label, gazetteer, countries, given)) for part in _segments(span, gazetteer, countries)]
        for part, candidates in parts:
            if candidates is None:
                continue
            places, country, fuzzy = candidates
            if not given and country is None and label in {"PERSON", "ORG", "NORP"} and not fuzzy and \
                    max(p.population for p in places) < 1000 and not (
                        _placed(part) and any(p.country_code in countries for p in places)):
                continue  # a person's name, unless the text puts something "in" it in a country it speaks of
            name = admin_key(part.text)
            if not gazetteer.lookup(part.text, limit=1) and not fuzzy and country is None:
                name = admin_key(places[0].name)  # another spelling of the name: the ranker reads it as the name
            vouched = not fuzzy and _placed(part) and any(p.country_code in countries for p in places)
            mentions.append(PlaceMention(part, label, places, country, fuzzy, _containment(part, gazetteer),
                                         _containment_admin1(part, gazetteer), _admin_hint(part), name, vouched))
    return mentions


Candidates = tuple[list[Place], Place | None, bool]


def _whole_names(spans: list[Span], gazetteer: Gazetteer) -> list[Span]:
    """Spans extended over the capitalised words that finish a place's name when the NER cut it short ("Nizhny"
    of "Nizhny Novgorod", "Port" of "Port Harcourt"); the spans the extension swallows go."""
    if not spans:
        return spans
    doc = spans[0].doc
    out: list[Span] = []
    swallowed: set[int] = set()
    for span in spans:
        if span.start in swallowed:
            continue
        best = span
        for extra in (1, 2):
            end = span.end + extra
            if end > len(doc) or not all(t.is_title and t.pos_ == "PROPN" for t in doc[span.end:end]):
                break
            longer = doc[span.start:end]
            if gazetteer.lookup(longer.text, limit=1):
                best = Span(doc, span.start, end, label=span.label_)
        swallowed.update(range(span.end, best.end))
        out.append(best)
    return out


def _possessive(text: str) -> str | None:
    """"Aleppos" for "Aleppo's" in text whose apostrophes were stripped upstream: the name without its s."""
    return text[:-1] if len(text) > 4 and text.endswith("s") and not text.endswith("ss") and text[-2].isalpha() \
        else None


def _candidates(span: Span, gazetteer: Gazetteer, towns: bool = True) -> Candidates | None:
    """The places whose key matches the span (or the span without a possessive s), the country it names
    exactly; None when the gazetteer knows no such name. With ``towns``, a name that only matches districts also
    gets the towns spelled like it."""
    text = span.text
    stem = _possessive(text) if span[-1].pos_ == "PROPN" else None
    country = gazetteer.country(text) or (gazetteer.country(stem) if stem else None)
    places = gazetteer.lookup(text, limit=20) or (gazetteer.lookup(stem, limit=20) if stem else [])
    if towns and places and all(p.is_admin for p in places):
        # a district named after its town ("Maarrat al-Nu'man District"): the town under another spelling
        towns = [p for cc in sorted({p.country_code for p in places}) for p in gazetteer.by_skeleton(text, cc)
                 if p.feature_class == "P" and skeleton(p.name) == skeleton(text)]
        places += [p for p in towns if p not in places]
    if country is not None:
        places = [country, *(p for p in places if p.geonames_id != country.geonames_id)]
    return (places, country, False) if places else None


def _possessive_first(span: Span, gazetteer: Gazetteer) -> bool:
    """A span that opens with a place's possessive without its apostrophe ("Syrias Deir Ezzor")."""
    stem = _possessive(span[0].text)
    return stem is not None and bool(gazetteer.lookup(stem, limit=1) or gazetteer.country(stem))


def _run_together(span: Span, gazetteer: Gazetteer) -> bool:
    """Whether a span may be several names run together: three words or more ("Arbin Kafarbatna Jisreen"), or a
    possessive before a name ("Aleppos Salaheddin district"); two words are most often one name ("Bab Tadmor")."""
    return len(span) >= 3 or (len(span) == 2 and _possessive_first(span, gazetteer))


def _within(found: Candidates | None, countries: set[str]) -> Candidates | None:
    """Only the candidates in the given countries (None when none is)."""
    if found is None:
        return None
    places = [p for p in found[0] if p.country_code in countries]
    return (places, found[1], found[2]) if places else None


def _loose_candidates(span: Span, label: str, gazetteer: Gazetteer, countries: set[str],
                      given: bool) -> Candidates | None:
    """Places spelled loosely like the span: a transliteration of a place in one of the document's countries
    (same consonant skeleton), else, for a place entity, a near spelling (marked fuzzy for the ranker)."""
    places = [] if given else [p for cc in sorted(countries & TRANSLITERATED) for p in gazetteer.by_skeleton(span.text,
                                                                                                        cc)]
    if places:
        # another spelling of a name in a country the text speaks of is as good as the name itself for the ranker
        return places, None, False
    if given or label in {"GPE", "LOC", "FAC"}:
        places = gazetteer.fuzzy(span.text)
        if countries and not given:
            # a near spelling is a guess: only one in a country the text speaks of is worth making ("Alapa
            # Village" in a story from Oyo State is not Alapi Village in Tuvalu)
            places = [p for p in places if p.country_code in countries]
    return (places, None, True) if places else None


#: the ranker's probability above which a place entity's country counts as one the document is about
COUNTRY_CONFIDENCE = 0.5


def _document_countries(spans: list[Span], labels: list[str], exact: list[Candidates | None],
                        gazetteer: Gazetteer) -> set[str]:
    """The countries a document names (or names its people), and those of the place entities the ranker reads
    with confidence: the countries whose spellings of names it may not know."""
    countries = {found[1].country_code for found in exact if found is not None and found[1] is not None}
    if spans:
        # countries named inside longer names too ("the Syrian Capital Damascus", "Syrias Deir Ezzor")
        for token in spans[0].doc:
            if token.ent_type_ in {"NORP", "GPE"} or (token.pos_ in {"PROPN", "ADJ"} and token.is_title):
                stem = _possessive(token.text)
                country = gazetteer.country(token.text) or (gazetteer.country(stem) if stem else None)
                if country is not None:
                    countries.add(country.country_code)
    entities = [PlaceMention(span, label, found[0], found[1], False, _containment(span, gazetteer),
                             _containment_admin1(span, gazetteer), _admin_hint(span), admin_key(span.text))
                for span, label, found in zip(spans, labels, exact, strict=True)
                if found is not None and found[1] is None and label in {"GPE", "LOC"}]
    for (place, confidence) in georank.rank(entities):
        if confidence >= COUNTRY_CONFIDENCE and place.country_code:
            countries.add(place.country_code)
    return countries


def _segments(span: Span, gazetteer: Gazetteer, countries: set[str]) -> list[Span]:
    """The place names run together in one span, longest first from the left ("Arbin Kafarbatna Jisreen" is
    three towns); words that start no known name are skipped, and only countries and the names of places in the
    document's countries whose names are transliterated count (in Latin-script countries a name run into another
    is most often one name: "Champs-Elysees", "Claiborne Power House")."""
    doc = span.doc
    found: list[Span] = []
    i = span.start
    while i < span.end:
        for j in range(span.end, i, -1):
            part = doc[i:j]
            if not doc[i].is_title or not doc[j - 1].is_alpha or part.text.lower() in _CALENDAR:
                continue
            exact = _candidates(part, gazetteer)
            if (exact is not None and (exact[1] is not None or any(p.country_code in countries & TRANSLITERATED
                                                                   for p in exact[0]))) or any(
                    gazetteer.by_skeleton(part.text, cc, limit=1) for cc in countries & TRANSLITERATED):
                found.append(part)
                i = j
                break
        else:
            i += 1
    return found


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
                    and not (_placed(span) or _named_place_noun(span)))
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


# --- the event's place in its sentence ---------------------------------------------------------------------------
#
# Choosing the span and coding it are separate steps. ``event_places`` picks, among every place-like name of the
# trigger's sentence (resolved or not, countries included), the one(s) the dependency parse attaches to the event
# word; ``location_candidates`` ranks the choice, coded with the gazetteer, before the fallbacks (the story, the
# dateline, the article), and ``event_location`` takes the first candidate that can be coded.

#: lower-case name particles that join the words of one name: "Deir ez-Zor", "Ras al-Ain", "Umm al-Fahm"
_PARTICLES = frozenset({"al", "el", "ez", "es", "ed", "ad", "as", "ash", "an", "ar", "at", "az", "e", "de", "del",
                        "di", "da", "do", "dos", "das", "du", "la", "las", "los", "le", "bin", "ibn", "abu", "umm"})
#: common nouns that say what kind of place a name is ("Aziziyah district", "the town of Sirrin"); the name is the
#: place, the noun is not part of it
_KIND_NOUNS = _PLACE_NOUNS | frozenset({
    "neighbourhood", "neighborhood", "quarter", "area", "countryside", "suburb", "suburbs", "outskirts", "camp",
    "settlement", "settlements", "villages", "towns", "cities", "districts", "provinces", "base", "outpost",
    "airport", "crossing", "junction", "plant", "hospital", "school", "market", "square", "street", "road", "alley",
    "island", "border", "sector", "zone", "valley", "mountains", "region", "prefecture", "oblast", "department",
    "municipality", "locality", "hamlet", "township", "enclave", "stronghold", "city",
    # parts of a place, which stand for it: "on the outskirts of Karachi", "in the vicinity of Kobane"
    "vicinity", "edge", "centre", "center", "heart", "environs", "periphery"})
#: prepositions that place what they govern ("in", "near", "outside", "across" ...); "from" and "of" need more
_AT = _LOCATIVE_PREPS - {"of", "to", "from", "between", "towards", "toward"}
#: prepositions of origin or goal: they place the event only when they hang on the event word itself
_ORIGIN_PREPS = frozenset({"from", "to", "towards", "toward"})
#: prepositions that never say where the event happened ("including the commander of ...", "a protest against")
_NOT_PLACING_PREPS = frozenset({"including", "like", "for", "against", "about", "as", "than", "despite", "unlike",
                                "over", "besides", "except", "per", "via"})
#: verbs whose object is the ground the event happened on ("troops captured Knin", "jets bombed Pooneryn")
_GROUND_VERBS = _TAKE_VERBS | frozenset({"patrol", "shell", "bomb", "storm", "raid", "attack", "hit", "besiege",
                                         "surround", "enter", "invade", "destroy", "target", "strike", "secure"})
#: dependency relations a path from a place name to the event word may climb: the name's own modifiers of a
#: noun ("his Amman home"), prepositional attachment, lists and appositions, and the event's participants
#: ("battles in the cities of Basra and Nasiriyah killed ...", "a policeman in Amara was killed")
_CLIMB = frozenset({"pobj", "prep", "agent", "nsubj", "compound", "poss", "amod", "nmod", "appos", "conj", "dobj",
                    "nsubjpass", "npadvmod", "attr", "pcomp", "advmod", "dative", "oprd"})


def _name_bounds(doc: Doc, start: int, end: int) -> tuple[int, int]:
    """Token bounds of the name itself: without a leading article or adjective and a trailing kind noun or
    possessive ("the restive Diyala province" -> "Diyala"), and with the hyphenated or particle-joined words a
    name continues with ("Mazar" -> "Mazar-e-Sharif", "Zor" -> "Deir ez-Zor")."""

    def joined(left: Token, right: Token) -> bool:
        return not left.whitespace_ and (left.text == "-" or right.text == "-")

    def name_word(token: Token) -> bool:
        return token.is_title or token.is_upper or token.lower_ in _PARTICLES or token.like_num
    # extend over "-" joins and particles
    while start > 0 and (joined(doc[start - 1], doc[start]) and (doc[start - 1].text == "-" or
                                                                  name_word(doc[start - 1]))):
        start -= 1
    while start > 0 and doc[start].lower_ in _PARTICLES and doc[start - 1].is_title and \
            not doc[start - 1].is_sent_start:
        start -= 1  # "Deir" + "ez-Zor"
    while end < len(doc) and joined(doc[end - 1], doc[end]) and (doc[end].text == "-" or name_word(doc[end])):
        end += 1
    while end + 1 < len(doc) and doc[end].lower_ in _PARTICLES and (doc[end + 1].is_title or
                                                                      joined(doc[end], doc[end + 1])):
        end += 1  # "Ras" + "al-Ain"
        while end < len(doc) and joined(doc[end - 1], doc[end]):
            end += 1
    # trim
    while start < end and (doc[start].lower_ in {"the", "a", "an"} or (
            doc[start].is_lower and doc[start].lower_ not in _PARTICLES) or not (doc[start].is_alpha or
                                                                                  doc[start].like_num)):
        start += 1
    while end > start and (doc[end - 1].lower_ in {"'s", "’s", "'", "’"} or doc[end - 1].is_punct or
                           doc[end - 1].is_lower):
        end -= 1  # a particle joins words: it never ends a name ("Route 58 at ...")
    while end - start > 1 and doc[end - 1].lower_ in _ADMIN_WORDS:
        end -= 1  # "Hongze County", "Ghazni Province": the unit's name
    return start, end


def _kind_noun_after(doc: Doc, end: int) -> bool:
    return end < len(doc) and doc[end].lemma_.lower() in _KIND_NOUNS and doc[end].is_lower


def _kind_noun_of(span: Span) -> bool:
    """"the town of X", "the villages of X and Y": a kind noun governs the name through "of"."""
    root = span.root
    node = root
    while node.dep_ in {"conj", "appos"} and node.head.i != node.i:
        node = node.head
    noun = node.head.head
    return node.dep_ == "pobj" and node.head.lower_ == "of" and (noun.lemma_.lower() in _KIND_NOUNS or
                                                                 noun.lower_ in _KIND_NOUNS)


def _place_like(span: Span) -> bool:
    """Whether a name the entity tagger did not call a place is used as one: governed by a locative preposition,
    named with a kind noun ("Aziziyah district", "the village of Ashmi"), or listed with one."""
    doc = span.doc
    root = span.root
    node = root
    while node.dep_ in {"conj", "appos"} and node.head.i != node.i and node.head.i not in range(span.start,
                                                                                                 span.end):
        node = node.head
    if node.dep_ == "pobj" and node.head.lower_ in _AT:
        return True
    if _kind_noun_of(span) or _kind_noun_after(doc, span.end):
        return True
    return node.ent_type_ in {"GPE", "LOC", "FAC"} and node.i not in range(span.start, span.end)


def _modifies_thing(span: Span) -> bool:
    """A known place name modifying a common noun ("the Manbij campaign", "Grozny's streets"): a place, unlike
    a person's name, which modifies proper nouns ("Chelsea Manning") or stands alone."""
    root = span.root
    return root.dep_ in {"compound", "poss"} and root.head.pos_ == "NOUN" and root.head.ent_type_ == ""


def _ground(span: Span) -> bool:
    """A known place name taken, held or struck: the object of a verb of ground ("rebels captured Lubumbashi",
    "peacekeepers patrolled Kakata"); a name the tagger takes for a person's is more often a captive's."""
    root = span.root
    return root.dep_ == "dobj" and root.head.lemma_.lower() in _GROUND_VERBS and span.label_ != "PERSON"


def _demonym(toponym: Toponym) -> bool:
    """"Syrian", "Palestinians": a people named from a country, not the country as a place."""
    place = toponym.place
    return toponym.label == "NORP" and place is not None and place.is_country and \
        admin_key(toponym.text) != admin_key(place.name)


def _nationality(span: Span) -> bool:
    """A country named as the nationality of people or things ("US sailors", "a US convoy", "US-Kurdish
    operation"), not as a place: a noun modifier that is not a possessive."""
    root = span.root
    doc = span.doc
    if span.end < len(doc) and doc[span.end].text == "-" and not doc[span.end - 1].whitespace_:
        return True
    return root.dep_ in {"compound", "amod", "nmod"} and root.head.pos_ in {"NOUN", "PROPN"} and \
        root.head.lemma_.lower() not in _KIND_NOUNS


def _acronym(span: Span, label: str) -> bool:
    """"SDF", "YPG": an organisation's initials, not a place (GeoNames knows some as towns)."""
    return len(span) == 1 and span.text.isupper() and len(span.text) <= 5 and label not in {"GPE", "LOC"}


def sentence_places(sent: Span, toponyms: list[Toponym]) -> list[Toponym]:
    """Every place-like name of the sentence, as a toponym with the name's own extent: the resolved toponyms
    (countries included, demonyms and initials left out) and the names the gazetteer does not know but the text
    uses as places (``place=None``): villages, neighbourhoods, landmarks, features."""
    doc = sent.doc
    found: list[Toponym] = []
    taken: set[int] = set()

    def add(toponym: Toponym, start: int, end: int) -> None:
        if end <= start or taken & set(range(start, end)):
            return
        taken.update(range(start, end))
        found.append(replace(toponym, start=doc[start].idx, end=doc[end - 1].idx + len(doc[end - 1]),
                             text=doc[start:end].text, token_start=start, token_end=end))

    for toponym in toponyms:
        if not sent.start_char <= toponym.start < sent.end_char or toponym.token_start < 0:
            continue
        # judged on the whole name ("Mazar" is the start of the object "Mazar-e-Sharif")
        span = doc[slice(*_name_bounds(doc, toponym.token_start, toponym.token_end))] or \
            doc[toponym.token_start:toponym.token_end]
        if _demonym(toponym) or _acronym(span, toponym.label) or \
                span.text.lower().removeprefix("the ") in _NOT_PLACES or (
                toponym.label not in {"GPE", "LOC", "FAC"} and not (toponym.locative or _place_like(span)
                                                                    or _modifies_thing(span) or _ground(span))) or (
                toponym.place is not None and toponym.place.is_country and _nationality(span)):
            taken.update(range(span.start, span.end))  # not a place here, under any reading
            continue
        add(toponym, *_name_bounds(doc, toponym.token_start, toponym.token_end))
    # names the gazetteer does not know: place entities, and other names used as places
    spans = [e for e in sent.ents if e.label_ in {"GPE", "LOC", "FAC", "ORG", "PERSON", "NORP", "PRODUCT",
                                                  "WORK_OF_ART", "EVENT"}]
    covered = {i for e in sent.ents for i in range(e.start, e.end)}
    i = sent.start
    while i < sent.end:
        if i not in covered and doc[i].pos_ == "PROPN" and (doc[i].is_title or doc[i].is_upper):
            j = i + 1
            while j < sent.end and j not in covered and doc[j].pos_ == "PROPN" and doc[j].is_title:
                j += 1
            spans.append(doc[i:j])
            i = j
        else:
            i += 1
    for span in spans:
        start, end = _name_bounds(doc, span.start, span.end)
        if end <= start:
            continue
        name = doc[start:end]
        if _acronym(span, span.label_) or name.text.lower() in _NOT_PLACES or name.text.lower() in _CALENDAR or \
                name.text.lower() in _TITLE_WORDS or any(t.ent_type_ in {"DATE", "TIME", "CARDINAL", "MONEY",
                                                                          "PERCENT", "QUANTITY"} for t in name):
            continue
        if (span.label_ not in {"GPE", "LOC", "FAC"} and not _place_like(name)) or _nationality(name):
            continue
        if (span.label_ == "NORP" or name.root.pos_ == "ADJ") and not (name.root.dep_ == "pobj" and
                                                                        name.root.head.lower_ in _AT):
            continue  # "Iraqi city of Mosul", "British troops": a people or an adjective, not a place
        add(Toponym(name.start_char, name.end_char, name.text, None, span.label_ or "NAME", True, 0.0, start, end),
            start, end)
    return sorted(found, key=lambda t: t.token_start)


#: words through which a place is not the event's: a home town ("a native of"), a seat ("based in", "the embassy
#: in"); a capital is a place like any other here ("in the capital Baku")
_NOT_PLACING = _NOT_EVENT_PLACE - {"capital"}


def event_words(trigger: Token) -> dict[int, int]:
    """The words an event's place may hang on, each with the steps it adds: the event word, the verb an event
    noun depends on and the verbs coordinated with it, which share its place ("killed and 24 others wounded in
    the bombardment of ..."), and, one step further, the clauses that tell how it happened ("killed when
    jets bombed X", "shot while covering the clashes in X", "killed fighting in X")."""
    verb = governor(trigger)
    words = {trigger.i: 0, verb.i: 0}
    # only the verbs after it: a place phrase closing "killed and 24 others wounded in X" covers both, while an
    # earlier clause ("students marched in X, and protests were held in Y") has a place of its own
    verbs = [verb, *(t for t in verb.conjuncts if t.pos_ in {"VERB", "AUX"} and t.i > verb.i)]
    for node in verbs:
        words.setdefault(node.i, 0)
    if verb.dep_ == "conj" and verb.head.pos_ in {"VERB", "AUX"} and not any(
            c.dep_ in {"nsubj", "nsubjpass"} for c in verb.children):
        # a second verb of one subject shares the first one's place ("was spotted by policemen on Mykonos and
        # detained"), one step further than a place of its own
        words.setdefault(verb.head.i, 1)
    for node in verbs:
        for child in node.children:
            if child.dep_ in {"advcl", "xcomp"}:
                heads = [child]
            elif child.dep_ == "dobj":
                # "destroyed vehicles, killing terrorists and injuring others in the villages of X": a clause of
                # consequence shares the event's place, also where the parser hangs it on the object
                heads = [g for g in child.children if g.dep_ == "acl" and g.tag_ == "VBG" and
                         g.lemma_.lower() in _CONSEQUENCE_VERBS]
            else:
                continue
            for head in heads:
                for clause in (head, *(t for t in head.conjuncts if t.pos_ in {"VERB", "AUX"})):
                    words.setdefault(clause.i, 1)
    return words


#: the verbs of a clause telling what an attack did ("..., killing five and wounding ten")
_CONSEQUENCE_VERBS = frozenset({"kill", "injure", "wound", "leave", "claim", "destroy", "damage", "cause"})


def _attachment(toponym: Toponym, trigger: Token) -> int | None:
    """Dependency steps from the place name up to the event word (or the verb an event noun depends on), or None
    when the parse does not put the event there. The path may climb prepositions that place ("in", "near",
    "outside", "across"; "of" only from a kind noun or an event noun: "the bombardment of Aziziyah"), the name's
    noun ("his Amman home", "Grozny's streets"), lists, and the event's object or patient; it may not pass another
    verb, a speaker, a home town ("a native of X", "a driver from X") or the event's agent."""
    doc = trigger.doc
    targets = event_words(trigger)
    node = doc[toponym.token_start:toponym.token_end].root
    name_root = node.i
    came_by = ""
    steps = 0
    while node.i not in targets:
        if node.head.i == node.i or steps > 9:
            return None
        head = node.head
        if node.dep_ not in _CLIMB:
            return None
        if node.dep_ == "nsubj" and came_by != "prep":
            return None  # the agent itself or its owner ("Israel captured", "Mexico's army") is not the place
        if steps and (node.pos_ in {"VERB", "AUX"} or node.lemma_.lower() in _NOT_PLACING):
            return None
        if node.dep_ == "prep":
            word = node.lower_
            if word in _ORIGIN_PREPS and head.i not in targets and not (word == "to" and head.pos_ == "NOUN"):
                return None  # "a cab driver from Abidjan": where a person comes from ("the entrance to X" places)
            if word in _NOT_PLACING_PREPS:
                return None
            if word == "of" and head.i not in targets and head.pos_ != "NOUN" and head.lower_ not in _DIRECTIONS:
                return None  # "a native of", "Steve of Canada"; "a town northeast of Baghdad" places
        if node.i == name_root and node.dep_ == "dobj" and head.i in targets and \
                not {trigger.lemma_.lower(), head.lemma_.lower()} & _GROUND_VERBS:
            return None  # a place as the object itself is the event's ground only for verbs of ground
        came_by = node.dep_
        node = head
        steps += 1
    return steps + targets[node.i]


def _place_phrase(root: Token, through: frozenset[str]) -> Token:
    """The word whose phrase a place name stands in: up through ``through`` links (a list, an apposition) and the
    kind noun it names ("the city of X" is the phrase of "city")."""
    node = root
    while node.dep_ in through or (node.dep_ == "pobj" and node.head.lower_ == "of" and
                                   node.head.head.lemma_.lower() in _KIND_NOUNS):
        node = node.head.head if node.dep_ == "pobj" else node.head
    return node


def _measured_from(toponym: Toponym, doc: Doc) -> bool:
    """A place named only to measure from ("Amara, south of Baghdad", "Sinjar town, some 100 km west of Mosul",
    "10 miles from the city of X"): the event is elsewhere, unless no other place is named."""
    node = _place_phrase(doc[toponym.token_start:toponym.token_end].root, frozenset({"conj", "appos"}))
    if node.dep_ != "pobj":
        return False
    prep = node.head
    return (prep.lower_ == "of" and prep.head.lower_ in _DIRECTIONS) or (
        prep.lower_ == "from" and any(t.lower_ in _DISTANCES for t in prep.head.subtree))


#: words of fire whose place is where it lands, not where it was launched
_LAUNCH_WORDS = frozenset({"fire", "launch", "shoot", "lob", "shell", "rocket", "missile", "mortar", "shelling",
                           "bombardment", "strike", "airstrike", "raid", "drone", "jet", "warplane", "aircraft"})


def _launched_from(toponym: Toponym, trigger: Token) -> bool:
    """A place fire was launched from ("rebels fired rockets from Idlib province into Latakia"): the event is
    where it landed, when the sentence names that too."""
    if trigger.lemma_.lower() not in _LAUNCH_WORDS and governor(trigger).lemma_.lower() not in _LAUNCH_WORDS:
        return False
    node = _place_phrase(trigger.doc[toponym.token_start:toponym.token_end].root,
                         frozenset({"conj", "appos", "compound"}))
    return node.dep_ == "pobj" and node.head.lower_ == "from"


def _breadth(toponym: Toponym, doc: Doc) -> int:
    """0 for a town or a name the gazetteer does not know (mostly villages, quarters, landmarks), 1 for a
    province or district (also a town's name given as its province's: "in the countryside of Idleb province"),
    2 for a country."""
    place = toponym.place
    if place is None:
        return 0
    if place.is_country:
        return 2
    root = doc[toponym.token_start:toponym.token_end].root
    holder = root.head if root.dep_ in {"compound", "nmod", "amod"} else root.head.head if (
        root.dep_ == "pobj" and root.head.lower_ == "of") else root
    return 1 if place.is_admin or holder.lemma_.lower() in _WIDE_NOUNS else 0


#: nouns of a province's extent: a town's name on them stands for its province or its rural parts
_WIDE_NOUNS = frozenset({"province", "governorate", "countryside", "region", "state", "county", "prefecture"})


def _contains(outer: Toponym, inner: Toponym, doc: Doc) -> bool:
    """Whether ``outer`` is named only to say where ``inner`` lies: it hangs (by "in", "of", an apposition or a
    modifier) on ``inner`` or on the noun ``inner`` names ("the town of X", "X district"), or it modifies the
    same noun before ``inner`` does ("Syria's Aleppo province", "Mecca's Al-Nur hospital")."""
    inner_root = doc[inner.token_start:inner.token_end].root
    holders = set(range(inner.token_start, inner.token_end))
    if inner_root.dep_ in {"compound", "poss", "amod", "appos"}:
        holders.add(inner_root.head.i)
    if inner_root.dep_ == "pobj" and inner_root.head.lower_ == "of":
        holders.add(inner_root.head.head.i)
    node = doc[outer.token_start:outer.token_end].root
    if node.dep_ == "conj":
        return False  # "in Basra and Nasiriyah": places listed together are peers
    # "in al-Tijara neighbourhood in central Damascus": an "in" phrase right after the other place's phrase
    # locates that place, wherever the parser hangs it
    phrase = inner_root.head if inner_root.dep_ in {"compound", "poss", "amod"} else inner_root.head.head if (
        inner_root.dep_ == "pobj" and inner_root.head.lower_ == "of") else inner_root
    after = phrase.right_edge.i + 1
    if after < len(doc) and doc[after].is_punct:
        after += 1
    # "in Hasakeh province": the phrase is the kind noun's
    phrase_node = node.head if node.dep_ == "compound" and node.head.lower_ in _KIND_NOUNS | _ADMIN_WORDS else node
    if phrase_node.dep_ == "pobj" and phrase_node.head.lower_ == "in" and phrase_node.head.i == after:
        return True
    if _kind_noun_of(doc[outer.token_start:outer.token_end]) and not (
            inner_root.dep_ in {"compound", "poss", "amod"} and node.dep_ == "pobj" and
            inner_root.head.i == node.head.head.i):
        # "the neighbourhood of Al-Bayaa": the name of the place, not what holds it (but in "the Zawiyat
        # Hamdan neighbourhood of Benghazi" the quarter has its name and Benghazi holds it)
        return False
    start = node
    for _ in range(4):
        if node.head.i == node.i:
            return False
        node = node.head
        if node.i in holders:
            if start.head.i == inner_root.head.i and start.dep_ in {"compound", "poss", "amod"}:
                return outer.token_start < inner.token_start
            return True
    return False


def event_places(trigger: Token, toponyms: list[Toponym],
                 quotes: list[tuple[int, int]] | None = None) -> list[Toponym]:
    """The places of the trigger's sentence where its event happened, by the dependency parse: the name most
    closely attached to the event word and the names listed with it ("in Basra and Nasiriyah"). Empty when the
    sentence names no place for the event (the name is a home town, a speaker's place, another event's place).
    ``quotes``: the sentence's quotations that are not a source's account, when the caller has them."""
    sent = trigger.sent
    quotes = unreported_quotes(sent) if quotes is None else quotes
    candidates = sentence_places(sent, toponyms)
    attached: list[tuple[int, int, Toponym]] = []
    for toponym in candidates:
        steps = _attachment(toponym, trigger)
        if steps is not None and not (_quoted(toponym, quotes) and not _quoted_trigger(trigger, quotes)):
            attached.append((steps, toponym.token_start, toponym))
    if not attached:
        return []
    doc = trigger.doc
    # a place that only says where another attached place lies is not the event's ("the village of Ashmi in the
    # countryside of Kobane", "Syria's Aleppo province"); among the rest, a place the event is not measured from,
    # then the most specific kind of place (a town or a village the gazetteer does not know over a province, a
    # province over a country), then the closest attachment, then the first named
    inner = [item for item in attached if not any(other is not item[2] and _contains(item[2], other, doc)
                                                  for _, _, other in attached)] or attached
    inner.sort(key=lambda item: (_measured_from(item[2], doc), _launched_from(item[2], trigger),
                                 _breadth(item[2], doc), item[0], item[1]))
    chosen = inner[0][2]
    root = doc[chosen.token_start:chosen.token_end].root
    listed = {t.i for t in root.conjuncts}
    # a list is one choice, in the order the text names it ("in the states of Gezira and Kassala")
    return sorted([chosen] + [t for t in candidates if t is not chosen
                              and doc[t.token_start:t.token_end].root.i in listed], key=lambda t: t.token_start)


def _quoted_trigger(trigger: Token, quotes: list[tuple[int, int]]) -> bool:
    return any(s <= trigger.idx < e for s, e in quotes)


class Rule(IntEnum):
    """The rules that find the place of an event, in the order they are trusted: the first part of a candidate's
    rank."""

    ATTACHED = 0     # the place the dependency parse attaches to the event word
    CAPTURED = 1     # the ground a capture took ("troops recaptured Marte")
    PATH = 2         # the place attached by the older, looser path rule
    NEAREST = 3      # the sentence's known places, nearest the event word first
    CITY_STATE = 4   # a city-state named as a country ("police in Hong Kong")
    CAPITAL = 5      # a country's capital named as such ("in the Iraqi capital", "in Haiti's capital")
    STORY = 6        # the place of the story's last event
    EARLIER = 7      # the places of earlier sentences, nearest first
    DATELINE = 8     # the dateline's place
    ARTICLE = 9      # the article's main place


@dataclass
class LocationCandidate:
    """A place where an event may have happened: its toponym, how it was found (the ``how`` of the location it
    codes), its rank among the event's candidates (lower first: the rule that found it, then its order under that
    rule) and the location it is coded as (None when it cannot be coded)."""

    toponym: Toponym
    how: str
    rank: tuple[Rule, int]
    location: EventLocation | None


def event_location(trigger: Token, toponyms: list[Toponym], gazetteer: Gazetteer | None = None,
                   story: EventLocation | None = None) -> EventLocation | None:
    """The place where the event of ``trigger`` happened, or None (country-only events are not recorded): the
    first candidate of :func:`location_candidates` that can be coded.

    ``story`` is the place of the last event coded before this sentence: a sentence that names no place of its own
    goes on with that story ("...overran a base in Marte. Four soldiers were killed."), not with the last town
    merely named ("forcing soldiers to flee towards Dikwa")."""
    return next((candidate.location for candidate in location_candidates(trigger, toponyms, gazetteer, story)
                 if candidate.location is not None), None)


def location_candidates(trigger: Token, toponyms: list[Toponym], gazetteer: Gazetteer | None = None,
                        story: EventLocation | None = None) -> list[LocationCandidate]:
    """The candidate places of an event, best first, each coded (None when it cannot be): the place the parse
    attaches to the event word, other places of the sentence, a city-state named as a country, then, when the
    sentence names no town, the story's place (which ends the list), earlier places, the dateline and the article's
    main place (those restricted to the country the sentence names)."""
    doc = trigger.doc
    sent = trigger.sent
    quotes = unreported_quotes(sent)
    capital = gazetteer.admin1_capital if gazetteer is not None else None
    in_sentence = [t for t in toponyms if sent.start_char <= t.start < sent.end_char and _usable(t, quotes)]
    in_sentence = [t for t in in_sentence if not _qualifies(t, in_sentence, doc)]
    if story is not None:
        # "35 kilometres southeast of Maiduguri" only measures from a town: the story's place stands
        points = {doc[t.token_start:t.token_end].root.i for t in in_sentence if _reference_point(t, doc)}
        in_sentence = [t for t in in_sentence if not points & _chain(doc[t.token_start:t.token_end].root)]
    sentence_toponyms = [t for t in toponyms if sent.start_char <= t.start < sent.end_char]
    candidates: list[LocationCandidate] = []

    def code(rule: Rule, order: int, toponym: Toponym, how: str) -> None:
        candidates.append(LocationCandidate(toponym, how, (rule, order), _code(toponym, doc, capital, how)))

    # 1. the place the dependency parse attaches to the event word, whatever kind of place it is
    chosen = event_places(trigger, toponyms, quotes)
    country: Place | None = None
    if chosen and not (story is not None and _measured_from(chosen[0], doc)):
        place = chosen[0]
        if place.place is not None and place.place.is_country:
            country = place.place
        else:
            candidates.append(LocationCandidate(place, "dependency", (Rule.ATTACHED, 0), _code_chosen(
                place, sentence_toponyms, in_sentence, doc, capital, quotes)))
    # 2. the ground taken is where a capture happened: "troops recaptured Marte" (an object, not after "in")
    if trigger.lemma_.lower() in _TAKE_VERBS:
        grounds = [t for t in sentence_toponyms if t.place is not None and not t.place.is_country
                   and _object_of(t, trigger) and not _quoted(t, quotes)]
        for order, toponym in enumerate(grounds):
            code(Rule.CAPTURED, order, toponym, "dependency")
    # 3. when the parse attaches no place: a place attached by the older, looser path rule (the closest; among
    # equals, a town over its province), then the sentence's known place nearest the event word
    if not chosen:
        attached = []
        targets = {trigger.i, governor(trigger).i}
        for toponym in in_sentence:
            steps = steps_to(doc[toponym.token_start:toponym.token_end].root, targets, _NOT_EVENT_PLACE)
            if steps is not None:
                attached.append((steps, toponym))
        attached.sort(key=lambda item: (item[1].place.is_admin if item[1].place else True, item[0]))
        for order, (_, toponym) in enumerate(attached[:1]):
            code(Rule.PATH, order, toponym, "dependency")
        for order, toponym in enumerate(sorted(in_sentence, key=lambda t: abs(t.token_start - trigger.i))):
            code(Rule.NEAREST, order, toponym, "sentence")
    # 4. a city-state named as a country is its city ("police in Hong Kong arrested ...")
    for order, toponym in enumerate(sorted(sentence_toponyms, key=lambda t: abs(t.token_start - trigger.i))):
        city = city_state(toponym.place, gazetteer) if toponym.place is not None and toponym.locative and \
            not _quoted(toponym, quotes) else None
        if city is not None:
            candidates.append(LocationCandidate(toponym, "sentence", (Rule.CITY_STATE, order),
                                                EventLocation(toponym, city, city.name, 1, "sentence")))
    # 4b. "in the Iraqi capital", "in Haiti's capital", "the capital of Sudan": that country's capital city
    if gazetteer is not None:
        for order, (word, city) in enumerate(_named_capitals(trigger, gazetteer)):
            own = Toponym(word.idx, word.idx + len(word.text), word.text, city, "GPE", True, 1.0, word.i, word.i + 1)
            candidates.append(LocationCandidate(own, "dependency", (Rule.CAPITAL, order),
                                                EventLocation(own, city, city.name, 1, "dependency")))
    # 5. the sentence names no town: the story's place, restricted to the country the sentence names (if any)
    countries = {country.country_code} if country is not None else _country_places(sentence_toponyms, quotes)

    def inside(toponym: Toponym) -> bool:
        return not countries or (toponym.place is not None and toponym.place.country_code in countries)

    # earlier sentences, nearest first: the same paragraph, then the paragraphs before it
    text = doc_text(doc)
    filed = dateline_end(text)
    if story is not None and story.toponym is not None and story.toponym.end <= sent.start_char and \
            inside(story.toponym):
        # the story goes on: its place ends the search
        how = "previous sentence" if "\n" not in text[story.toponym.end:sent.start_char] else "paragraph"
        candidates.append(LocationCandidate(story.toponym, how, (Rule.STORY, 0), replace(story, how=how)))
    else:
        previous = [t for t in toponyms if t.end <= sent.start_char and _usable(t, []) and t.start >= filed and
                    inside(t)]
        for order, toponym in enumerate(reversed(previous)):
            same_paragraph = "\n" not in text[toponym.end:sent.start_char]
            code(Rule.EARLIER, order, toponym, "previous sentence" if same_paragraph else "paragraph")
        dateline = _dateline(toponyms, doc)
        if dateline is not None and inside(dateline):
            code(Rule.DATELINE, 0, dateline, "dateline")
        # the sentence's own names were not usable (quoted, not locative): the place is taken from the rest
        dominant = dominant_place([t for t in toponyms if inside(t) and
                                   not sent.start_char <= t.start < sent.end_char], gazetteer)
        if dominant is not None:
            toponym, place = dominant
            if place is not toponym.place:
                candidates.append(LocationCandidate(toponym, "article", (Rule.ARTICLE, 0),
                                                    EventLocation(toponym, place, place.name, 1, "article")))
            else:
                code(Rule.ARTICLE, 0, toponym, "article")
    return sorted(candidates, key=lambda candidate: candidate.rank)


def _named_capitals(trigger: Token, gazetteer: Gazetteer) -> list[tuple[Token, Place]]:
    """The word "capital" attached to the event with the country it belongs to, and that country's capital city:
    "in the Iraqi capital", "in Haiti's capital", "in the capital of Sudan" (not "the capital Damascus", which
    names its city, nor "capital punishment")."""
    found = []
    verb = governor(trigger)
    # and the verbs coordinated with it ("blocked roads and burned tires in Haiti's capital")
    targets = {trigger.i, verb.i, *(t.i for t in verb.conjuncts if t.pos_ in {"VERB", "AUX"})}
    for word in trigger.sent:
        if word.lower_ != "capital" or word.pos_ != "NOUN" or any(c.dep_ == "appos" for c in word.children) or \
                steps_to(word, targets, _NOT_EVENT_PLACE) is None:
            continue
        owners = [c for c in word.children if c.dep_ in {"poss", "amod", "compound", "nmod"}]
        owners += [g for c in word.children if c.dep_ == "prep" and c.lower_ == "of" for g in c.children
                   if g.dep_ == "pobj"]
        for owner in owners:
            name = owner.text[:-2] if owner.text.endswith(("'s", "’s")) else owner.text
            country = gazetteer.country(name)
            city = gazetteer.national_capital(country.country_code) if country is not None else None
            if city is not None:
                found.append((word, city))
                break
    return found


def _object_of(toponym: Toponym, trigger: Token) -> bool:
    """Whether a place is the direct object of the event word ("troops recaptured Marte")."""
    root = trigger.doc[toponym.token_start:toponym.token_end].root
    return root.dep_ == "dobj" and root.head.i == trigger.i


#: kind nouns of a part of a town: "the al-Tijara neighbourhood of Damascus" is coded "Damascus - al-Tijara"
_TOWN_PARTS = frozenset({"neighbourhood", "neighborhood", "quarter", "district", "suburb", "area", "sector"})


def _code_chosen(chosen: Toponym, sentence_toponyms: list[Toponym], usable: list[Toponym], doc: Doc,
                 gazetteer_capital: Any, quotes: list[tuple[int, int]]) -> EventLocation | None:
    """Code the place the parse chose. A known place is coded as itself. A name the gazetteer does not know
    (a village, a quarter, a landmark) is coded by the known place it is said to lie in: a quarter of a town as
    "Town - Quarter" (precision 1), anything else at that place with precision 2 ("near")."""
    original = next((t for t in sentence_toponyms if t.place is not None and
                     t.token_start <= chosen.token_start < t.token_end), None)
    if original is not None:
        if _quoted(original, quotes) or not _usable(original, quotes):
            return None  # a name geoparse does not take for a place here is left to the rules below
        return _code(original, doc, gazetteer_capital, "dependency")
    holders = [t for t in usable if t.place is not None and _contains(t, chosen, doc)]
    if not holders:
        # not said to lie in a known place: near the known place the sentence names closest to it ("shelled the
        # village of X in the countryside of Idlib", parsed with the countryside on the verb)
        holders = sorted(usable, key=lambda t: abs(t.token_start - chosen.token_start))
        if not holders:
            return None
        coded = _code(holders[0], doc, gazetteer_capital, "dependency")
        return replace(coded, toponym=chosen, geo_precision=max(coded.geo_precision, 2)) if coded else None
    holder = holders[0]
    coded = _code(holder, doc, gazetteer_capital, "dependency")
    if coded is None:
        return None
    kind = doc[chosen.token_end].lemma_.lower() if chosen.token_end < len(doc) else ""
    root = doc[chosen.token_start:chosen.token_end].root
    if root.dep_ == "pobj" and root.head.lower_ == "of":
        kind = root.head.head.lemma_.lower()
    if kind in _TOWN_PARTS and coded.geo_precision == 1 and not holder.place.is_admin:
        return replace(coded, toponym=chosen, location=f"{coded.location} - {chosen.text}")
    return replace(coded, toponym=chosen, geo_precision=max(coded.geo_precision, 2))


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
