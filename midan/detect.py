"""Event-mention detection: find event words, code their ACLED sub-event type, and reject non-events.

A *mention* is one clause that reports an event: cue words (lexicon matches on lemmas and phrases) are grouped by
the verb that governs them, and the group's cues decide the sub-event type. The rules are ACLED's own (tear gas is
intervention, not a chemical weapon; arrests of protesters make "Protest with intervention"; ...), which no
library encodes, so they are written here. Every mention that is *not* coded keeps the reason it was rejected
(quote/chant, negated, threat/plan/future, aggregate, ...) so ``--explain`` can show it.
"""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span, Token
from spacy.vocab import Vocab

from midan import actors as actor_rules
from midan import nlp
from midan.mention import Mention
from midan.schema import SUB_EVENT_RANK, SUB_EVENT_TYPES

logger = logging.getLogger(__name__)

# --- the cue lexicon -------------------------------------------------------------------------------------------
# Single-word cues by lemma. A cue names what a word says about an event; sub-event types are decided from the
# set of cues in one clause (see `classify_cues`).
LEMMA_CUES: dict[str, str] = {}


def _add(cue: str, words: str) -> None:
    for word in words.split():
        LEMMA_CUES[word] = cue


_add("PROTEST", "protest demonstrate demonstration rally march picket sit-in walkout vigil protester demonstrator "
     "marcher picketer boycott hunger-strike")
_add("INTERVENE", "disperse teargas crackdown baton truncheon")
_add("ARREST", "arrest detain apprehend detention custody")
_add("KILL", "kill murder assassinate execute behead slaughter massacre lynch stab hack strangle dead death "
     "killing murder martyr")
_add("ATTACK", "attack assault raid storm ambush shoot shooting gunfire beat whip torture")
_add("CLASH", "clash fight fighting battle skirmish gunbattle firefight gunfight repel repulse engage")
_add("RECAPTURE", "recapture retake regain liberate reclaim")
_add("CAPTURE", "capture overrun occupy seize")
_add("AIRSTRIKE", "airstrike air-strike warplane airstrike bomber sortie")
_add("SHELL", "shell shelling artillery mortar rocket missile howitzer bombard bombardment")
_add("IED", "ied landmine bomb explosion blast explode detonate bombing explosive")
_add("GRENADE", "grenade")
_add("RAPE", "rape raped rapes raping rapist")
_add("ABDUCT", "abduct kidnap abduction kidnapping hostage")
_add("LOOT", "loot plunder ransack pillage")
_add("DESTROY", "torch burn raze demolish vandalise vandalize destroy arson")
_add("RIOT", "riot rioter rampage molotov stone-pelting")
_add("MOB", "mob vigilante")
# ACLED counts surrenders, prisoner releases and exchanges, talks and treaties as agreements
_add("AGREE", "agreement accord ceasefire cease-fire truce deal treaty pact armistice surrender")
_add("DISRUPT", "defuse deactivate")
_add("CHANGE", "curfew defect recruit merge")
_add("TRANSFER", "withdraw")

#: multi-word cues (token patterns over lower-cased text or lemmas)
PHRASE_CUES: dict[str, list[list[dict[str, Any]]]] = {
    "PROTEST": [
        [{"LEMMA": {"IN": ["take", "return", "pour", "flood", "spill"]}}, {"LOWER": {"IN": ["to", "into", "onto"]}},
         {"LOWER": "the"}, {"LOWER": {"IN": ["streets", "street"]}}],
        [{"LOWER": "sit"}, {"LOWER": "-"}, {"LOWER": "in"}],
        [{"LOWER": {"IN": ["general", "labour", "labor", "nationwide", "national", "teachers", "workers"]}},
         {"LOWER": {"IN": ["strike", "strikes"]}}],
        [{"LEMMA": "go"}, {"LOWER": "on"}, {"LOWER": "strike"}],
        [{"LOWER": "on"}, {"LOWER": "strike"}],
        [{"LOWER": "hunger"}, {"LOWER": "strike"}],
        [{"LOWER": "solidarity"}, {"LEMMA": {"IN": ["march", "rally", "protest"]}}],
        # a crowd's road block or sit-down ("squatted on a road and blocked traffic"); who blocked is checked
        # with the other cues (police closing a road is no protest)
        [{"LEMMA": {"IN": ["block", "barricade"]}}, {"LOWER": {"IN": ["the", "a", "main", "major", "several", "key"]},
                                                     "OP": "?"},
         {"LEMMA": {"IN": ["road", "highway", "traffic", "street", "railway", "track", "expressway", "junction",
                           "intersection", "bridge"]}}],
        [{"LEMMA": "squat"}, {"LOWER": {"IN": ["on", "in", "at", "outside"]}}],
    ],
    "INTERVENE": [
        [{"LOWER": {"IN": ["tear", "tear-"]}}, {"LOWER": "gas"}],
        [{"LOWER": "water"}, {"LOWER": {"IN": ["cannon", "cannons"]}}],
        [{"LOWER": "rubber"}, {"LOWER": {"IN": ["bullets", "bullet"]}}],
        [{"LOWER": "pepper"}, {"LOWER": "spray"}],
        [{"LOWER": {"IN": ["stun", "flash", "smoke", "bang", "flashbang", "flash-bang", "sound", "gas"]}},
         {"LOWER": {"IN": ["grenade", "grenades"]}}],
        [{"LEMMA": "break"}, {"LOWER": "up"}],
        [{"LEMMA": "crack"}, {"LOWER": "down"}],
        [{"LOWER": "baton"}, {"LOWER": "charge"}],
    ],
    "LIVE_FIRE": [
        [{"LOWER": "live"}, {"LOWER": {"IN": ["ammunition", "rounds", "bullets", "fire"]}}],
        [{"LEMMA": "open"}, {"LOWER": "fire"}],
        [{"LEMMA": "fire"}, {"LOWER": {"IN": ["on", "at", "into"]}}],
    ],
    "KILL": [
        [{"LEMMA": "die"}, {"LOWER": {"IN": ["in", "from", "after", "when", "during", "of"]}}],
        [{"LEMMA": {"IN": ["slit", "cut"]}}, {"OP": "?"}, {"LEMMA": "throat"}],
        [{"LEMMA": "take"}, {"LOWER": "out"}],
        [{"LEMMA": "lose"}, {"POS": "PRON", "OP": "?"}, {"LEMMA": "life"}],
        [{"LEMMA": "shoot"}, {"LOWER": "dead"}],
        [{"LEMMA": "gun"}, {"LOWER": "down"}],
        [{"LOWER": "to"}, {"LOWER": "death"}],
        [{"LOWER": "death"}, {"LOWER": "toll"}],
    ],
    "AIRSTRIKE": [
        [{"LOWER": {"IN": ["air", "drone", "aerial", "air-"]}}, {"LEMMA": {"IN": ["strike", "raid", "attack",
                                                                                     "bombardment"]}}],
        [{"LOWER": {"IN": ["fighter", "military"]}}, {"LEMMA": "jet"}],
        [{"LOWER": "helicopter"}, {"LEMMA": "gunship"}],
        # barrel bombs are dropped from helicopters and planes; so is a bomb that is "dropped"
        [{"LOWER": "barrel"}, {"LEMMA": "bomb"}],
        [{"LEMMA": "drop"}, {"OP": "?"}, {"OP": "?"}, {"LEMMA": "bomb"}],
        [{"LEMMA": "bomb"}, {"LOWER": "dropped"}],
    ],
    "SHELL": [[{"LOWER": {"IN": ["missile", "rocket", "artillery", "mortar"]}}, {"LEMMA": {"IN": ["strike", "attack",
                                                                                              "fire"]}}]],
    "IED": [
        [{"LOWER": {"IN": ["roadside", "car", "truck", "parcel", "motorcycle"]}}, {"LEMMA": "bomb"}],
        [{"LOWER": "improvised"}, {"LOWER": "explosive"}],
        [{"LOWER": "explosive"}, {"LEMMA": "device"}],
        [{"LOWER": "land"}, {"LEMMA": "mine"}],
    ],
    "SUICIDE": [
        [{"LOWER": "suicide"}, {"LEMMA": {"IN": ["bomber", "bombing", "attack", "attacker", "vest", "bomb"]}}],
        [{"LEMMA": "blow"}, {"LOWER": {"IN": ["himself", "herself", "themselves"]}}, {"LOWER": "up"}],
    ],
    "CHEM": [
        [{"LOWER": "chemical"}, {"LEMMA": {"IN": ["weapon", "attack", "agent", "munition"]}}],
        [{"LOWER": {"IN": ["chlorine", "mustard", "nerve", "toxic", "poison"]}}, {"LEMMA": {"IN": ["gas", "agent"]}}],
        [{"LOWER": "sarin"}],
    ],
    "RAPE": [
        [{"LOWER": "sexual"}, {"LEMMA": {"IN": ["violence", "assault", "abuse"]}}],
        [{"LOWER": "sexually"}, {"LEMMA": {"IN": ["assault", "abuse"]}}],
        [{"LOWER": {"IN": ["gang", "gang-"]}}, {"LOWER": {"IN": ["raped", "rape"]}}],
    ],
    "ABDUCT": [
        [{"LEMMA": "take"}, {"LOWER": "hostage"}],
        [{"LOWER": {"IN": ["forcibly", "forced", "enforced"]}}, {"LOWER": {"IN": ["disappeared", "disappearance"]}}],
    ],
    "DESTROY": [
        [{"LEMMA": "set"}, {"LOWER": {"IN": ["fire", "ablaze", "alight"]}}],
        [{"LEMMA": "burn"}, {"LOWER": "down"}],
    ],
    "RIOT": [
        [{"LEMMA": {"IN": ["throw", "hurl", "pelt"]}}, {"OP": "?"}, {"LEMMA": {"IN": ["stone", "rock", "brick",
                                                                                    "bottle", "molotov"]}}],
        [{"LOWER": "molotov"}, {"LEMMA": "cocktail"}],
        [{"LEMMA": "burn"}, {"LEMMA": "tyre"}],
        [{"LEMMA": "burn"}, {"LEMMA": "tire"}],
    ],
    "MOB": [[{"LOWER": "mob"}, {"LOWER": "justice"}], [{"LEMMA": "beat"}, {"LOWER": "to"}, {"LOWER": "death"}]],
    "AGREE": [
        [{"LOWER": "peace"}, {"LEMMA": {"IN": ["deal", "agreement", "accord"]}}],
        [{"LEMMA": "sign"}, {"OP": "?"}, {"OP": "?"}, {"LEMMA": {"IN": ["agreement", "deal", "accord", "truce"]}}],
        [{"LOWER": "prisoner"}, {"LEMMA": {"IN": ["exchange", "swap"]}}],
        [{"LOWER": {"IN": ["peace", "ceasefire", "truce"]}}, {"LEMMA": {"IN": ["talk", "negotiation"]}}],
        [{"LOWER": "in"}, {"LOWER": "exchange"}, {"LOWER": "for"}],
    ],
    "DISRUPT": [
        [{"LEMMA": {"IN": ["seize", "recover", "confiscate", "discover", "find", "uncover"]}}, {"OP": "*"},
         {"LEMMA": {"IN": ["weapon", "arm", "ammunition", "explosive", "cache", "rifle"]}}],
        [{"LOWER": {"IN": ["arms", "weapons"]}}, {"LEMMA": "cache"}],
        [{"LEMMA": {"IN": ["intercept", "shoot"]}}, {"OP": "?"}, {"LEMMA": {"IN": ["drone", "missile", "rocket"]}}],
        [{"LEMMA": "shoot"}, {"LOWER": "down"}],
        [{"LEMMA": "dismantle"}, {"OP": "?"}, {"OP": "?"}, {"LEMMA": {"IN": ["bomb", "ied", "device", "explosive"]}}],
        [{"LOWER": "bomb"}, {"LOWER": "disposal"}],
    ],
    "HQ": [
        [{"LEMMA": {"IN": ["establish", "set", "open", "build"]}}, {"OP": "?"}, {"OP": "?"}, {"OP": "?"}, {"OP": "?"},
         {"LEMMA": {"IN": ["base", "headquarters", "outpost", "camp", "post", "position"]}}],
        [{"LOWER": "new"}, {"OP": "?"}, {"LEMMA": {"IN": ["base", "headquarters", "outpost"]}}],
    ],
    "TRANSFER": [
        [{"LEMMA": "pull"}, {"LOWER": "out"}],
        [{"LEMMA": "hand"}, {"LOWER": "over"}, {"OP": "?"}, {"OP": "?"}, {"LEMMA": {"IN": ["control", "town", "city",
                                                                                         "base", "area"]}}],
        [{"LEMMA": "hand"}, {"LOWER": "over"}],
        [{"LEMMA": "withdraw"}, {"LOWER": "from"}],
    ],
    "CAPTURE": [
        [{"LEMMA": {"IN": ["take", "seize", "gain", "assume", "establish", "impose"]}}, {"LOWER": {"IN": [
            "full", "complete", "total"]}, "OP": "?"}, {"LOWER": "control"}],
        [{"LEMMA": "take"}, {"LOWER": "over"}],
    ],
    "CHANGE": [
        [{"LOWER": "state"}, {"LOWER": "of"}, {"LOWER": "emergency"}],
        [{"LEMMA": {"IN": ["form", "launch", "announce", "create"]}}, {"OP": "?"}, {"LOWER": "new"},
         {"LEMMA": {"IN": ["group", "coalition", "alliance", "militia", "movement", "front"]}}],
        [{"LEMMA": "deploy"}],
    ],
}

#: the longest phrase cue, in tokens ("seized a large cache of weapons and ammunition")
MAX_PHRASE = 8

#: cues that can head a mention on their own; the others only qualify a mention headed elsewhere
TRIGGER_CUES = frozenset({
    "PROTEST", "ARREST", "KILL", "ATTACK", "CLASH", "RECAPTURE", "CAPTURE", "AIRSTRIKE", "SHELL", "IED",
    "SUICIDE", "GRENADE", "CHEM", "RAPE", "ABDUCT", "LOOT", "DESTROY", "RIOT", "MOB", "AGREE", "DISRUPT", "HQ",
    "TRANSFER", "CHANGE", "INTERVENE", "LIVE_FIRE",
})

# words that make "strike" an attack from the air or a missile rather than a labour strike
_STRIKE_WEAPONS = frozenset({"air", "drone", "missile", "rocket", "aerial", "military", "precision", "artillery"})
# what tells a war's "strike" from a labour one when nothing next to the word does
_LABOUR_WORDS = frozenset({"worker", "union", "teacher", "doctor", "nurse", "employee", "staff", "wage", "salary",
                           "pay", "picket", "walkout", "labour", "labor", "miner", "lecturer", "transporter",
                           "trader", "shop", "market", "boycott", "pension"})
_AIR_WORDS = actor_rules.AIR_WORDS
_WAR_WORDS = actor_rules.WAR_WORDS
# a "seize" or "capture" of people is an abduction or arrest, of places a territorial change
_PLACE_NOUNS = frozenset({"town", "city", "village", "area", "district", "control", "base", "airport", "border",
                          "crossing", "hill", "position", "territory", "region", "camp", "checkpoint", "port",
                          "province", "county", "neighbourhood", "neighborhood", "locality", "outpost"})
# the non-political killings ACLED does not code
_ACCIDENT_WORDS = frozenset({"crash", "accident", "collision", "flood", "flooding", "drown", "landslide", "earthquake",
                             "lightning", "stampede", "overdose", "derail", "capsize", "cyclone", "storm", "volcano",
                             "eruption", "erupt", "tremor", "tsunami", "hurricane", "typhoon", "tornado", "wildfire",
                             "leak", "firework", "fireworks", "rain", "mudslide", "avalanche", "heatwave", "blaze",
                             "short-circuit", "boiler", "cylinder"})
#: disaster words whose verb is an assault ("troops stormed the village", "rioters blazed through the market")
_ASSAULT_SENSES = frozenset({"storm", "blaze"})

#: what is fought when no one is: fires, illnesses, vices ("battled a blaze", "fighting corruption")
_NOT_ENEMIES = frozenset({"blaze", "fire", "flame", "wildfire", "cancer", "illness", "disease", "tumour", "tumor",
                          "corruption", "poverty", "crime", "addiction", "obesity", "covid", "virus", "pandemic",
                          "inflation", "flood", "climate", "hunger", "terrorism", "drug", "injury"})

# --- non-event filters ------------------------------------------------------------------------------------------
_FUTURE_AUX = frozenset({"will", "would", "could", "might", "may", "shall", "'ll", "wo", "ca", "should", "must"})
_INTENT_VERBS = frozenset({"threaten", "plan", "vow", "pledge", "promise", "intend", "call", "urge", "want",
                           "seek", "prepare", "warn", "demand", "ask", "aim", "hope", "consider", "propose",
                           "schedule", "expect", "announce", "decide", "agree", "try", "attempt", "refuse",
                           "fear", "risk", "prevent", "avoid", "order", "encourage", "appeal", "plot", "set"})
_DENIAL_VERBS = frozenset({"deny", "dismiss", "reject", "refute", "disprove"})
_INTENT_NOUNS = frozenset({"threat", "plan", "call", "calls", "demand", "appeal", "ultimatum", "plot", "risk",
                           "fear", "warning", "possibility", "prospect", "proposal", "intention"})
#: verbs that talk about an event already reported ("no group claimed the attack")
_META_VERBS = frozenset({"claim", "condemn", "denounce", "investigate", "blame", "praise", "mourn", "commemorate",
                         "describe", "call", "label", "mark", "remember", "recall", "decry", "criticise",
                         "criticize", "justify", "defend"})
_SPEECH_VERBS = frozenset({"chant", "shout", "sing", "scream", "cry", "yell", "read", "say"})
_AGGREGATE_MARKERS = re.compile(
    r"\b(since|so far|to date|in total|a total of|over the (past|last)|in recent (years|months)|this year|"
    r"last year|cumulative|altogether|overall)\b",
    re.IGNORECASE,
)


@lru_cache(maxsize=4)
def _matcher(vocab: Vocab) -> Matcher:
    matcher = Matcher(vocab)
    for cue, patterns in PHRASE_CUES.items():
        matcher.add(cue, patterns)
    return matcher


def find_cues(doc: Doc) -> dict[int, set[str]]:
    """Token index -> cue names, from lemma lookups and phrase patterns."""
    cues: dict[int, set[str]] = {}
    for token in doc:
        if token.is_space or token.is_punct:
            continue
        lemma = token.lemma_.lower()
        cue = LEMMA_CUES.get(lemma) or LEMMA_CUES.get(token.lower_)
        if strike_word(lemma, token.lower_):
            cue = _strike_sense(token)
        elif lemma == "march" and (token.pos_ == "PROPN" or (token.i > 0 and doc[token.i - 1].lower_ == "flag") or any(
                c.dep_ == "dobj" and (actor_rules.noun_kind(c) or c.lemma_.lower() in {"captive", "hostage",
                                                                                      "prisoner", "detainee"})
                for c in token.children)):
            cue = None  # the month, a troops' "flag march", or "marched their captives into the forest"
        elif lemma in {"seize", "capture"}:
            cue = _seize_sense(token)
        elif lemma in VERB_CUES and token.pos_ == "VERB":
            cue = _force_sense(token)
        elif lemma == "bomb" and token.pos_ == "VERB":
            cue = _force_sense(token) or cue  # "jets bombed the town" is an air strike; "bombed" alone a bomb
        elif lemma == "dead" and token.dep_ not in {"acomp", "oprd", "amod", "dobj", "attr", "pobj", "nsubj",
                                                     "nsubjpass", "conj", "appos", "ROOT"}:
            cue = None
        elif lemma in UNREST_WORDS:
            # "the protest turned violent", "violent demonstrations": a riot only when said of a demonstration
            near = [token.head, *token.head.children, *token.children]
            cue = "RIOT" if any(LEMMA_CUES.get(t.lemma_.lower()) == "PROTEST" for t in near) else None
        elif lemma == "riot" and token.dep_ in {"compound", "amod"}:
            cue = None  # "riot police", "riot gear"
        elif lemma in NOUN_CUES and token.pos_ != "NOUN":  # "according to" is not an accord
            cue = None
        elif lemma in {"fight", "battle", "combat"} and any(
                c.lemma_.lower() in _NOT_ENEMIES for c in [*token.children, *token.head.children]
                if c.dep_ in {"dobj", "pobj", "prep", "compound", "nsubjpass"} or c.head.lower_ in {"against", "with"}):
            cue = None  # "battled a blaze", "a battle with cancer", "fighting corruption"
        elif lemma == "shell" and token.i + 1 < len(doc) and doc[token.i + 1].lemma_.lower() in {"casing", "company",
                                                                                                 "game"}:
            cue = None  # a shell casing, a shell company
        elif lemma == "engage" and any(c.dep_ == "prep" and c.lower_ == "in" for c in token.children):
            cue = None  # "engaging in an illegal assembly": doing, not fighting
        elif lemma == "demonstrate" and any(c.dep_ in {"dobj", "ccomp"} for c in token.children):
            cue = None  # "demonstrating a belief in the future": showing, not protesting
        elif lemma in {"beat", "burn"} and token.pos_ not in {"VERB", "NOUN"}:
            cue = None
        if cue:
            cues.setdefault(token.i, set()).add(cue)
    for match_id, start, end in _matcher(doc.vocab)(doc):
        if end - start > MAX_PHRASE or doc[start].sent.start != doc[end - 1].sent.start:
            continue  # an open-ended pattern ("seized ... weapons") is one phrase, not a stretch of the article
        cue = doc.vocab.strings[match_id]
        head = doc[start:end].root
        cues.setdefault(head.i, set()).add(cue)
        if cue in {"AIRSTRIKE", "SHELL", "SUICIDE", "CHEM", "INTERVENE", "KILL", "DISRUPT", "CAPTURE"}:
            # the phrase decides the sense of its words: "drone strike" is not a labour strike, "tear gas" is
            # not a chemical weapon, "seized weapons" is not a capture of territory
            for i in range(start, end):
                if i != head.i and cues.get(i, set()) & {"PROTEST", "CHEM", "IED", "ATTACK", "CAPTURE"}:
                    cues[i] -= {"PROTEST", "CHEM", "IED", "ATTACK", "CAPTURE"}
                    cues[i].add(cue)
            if cue in {"INTERVENE"}:
                cues[head.i] -= {"CHEM", "GRENADE", "IED"}
            if cue == "DISRUPT":
                cues[head.i] -= {"CAPTURE"}
    return {i: c for i, c in cues.items() if c}


def strike_word(lemma: str, lower: str) -> bool:
    """Whether a word is a form of "strike", whose cue (air strike, shelling, attack, labour strike) its context
    decides."""
    return lemma == "strike" or lower.startswith("strik") or lower == "struck"


#: words that make a demonstration a riot when said of it ("the protest turned violent")
UNREST_WORDS = frozenset({"violent", "violence", "unrest", "chaos"})


def _strike_sense(token: Token) -> str | None:
    words = {t.lower_ for t in token.children} | {t.lower_ for t in token.doc[max(token.i - 2, 0):token.i]}
    if words & _STRIKE_WEAPONS:
        return "AIRSTRIKE" if words & {"air", "drone", "aerial"} else "SHELL"
    if token.pos_ == "NOUN" or {t.lower_ for t in token.doc[max(token.i - 2, 0):token.i]} & {"on", "general"}:
        # a noun "strike" is a labour strike unless its sentence is about war: "a US-led coalition strike in
        # Raqqa killed 18 civilians", "strikes on Islamic State targets"
        lemmas = {t.lemma_.lower() for t in token.sent}
        if words & {"on", "general", "hunger"} or lemmas & _LABOUR_WORDS or not lemmas & _WAR_WORDS:
            return "PROTEST"
        return "SHELL" if lemmas & {"missile", "rocket", "artillery"} and not lemmas & _AIR_WORDS else "AIRSTRIKE"
    subjects = [c for c in token.children if c.dep_ in {"nsubj", "nsubjpass"}]
    if not subjects and token.dep_ in {"xcomp", "conj"}:
        subjects = [c for c in token.head.children if c.dep_ in {"nsubj", "nsubjpass"}]
    if subjects and subjects[0].lemma_.lower() in {"worker", "teacher", "doctor", "nurse", "union", "driver",
                                                    "employee", "staff", "miner", "student", "lecturer", "trader",
                                                    "transporter", "pilot", "magistrate", "judge", "lawyer"}:
        return "PROTEST"
    if subjects and subjects[0].lemma_.lower() in {"drone", "missile", "rocket", "jet", "warplane", "aircraft"}:
        return "AIRSTRIKE" if subjects[0].lemma_.lower() in {"drone", "jet", "warplane", "aircraft"} else "SHELL"
    return "ATTACK" if token.pos_ == "VERB" else None


#: verbs that report an attack only when weapons do them: "jets hit the town", "sites were targeted by the army's
#: aircraft" (but "the economy was hit", "ads target voters"); "bomb" is a cue of its own
_FORCE_VERBS = frozenset({"target", "hit", "pound", "blitz"})
_AIR_MEANS = frozenset({"aircraft", "jet", "warplane", "plane", "helicopter", "drone", "aviation", "airforce",
                        "sortie", "bomber", "gunship"})
_ARTILLERY_MEANS = frozenset({"artillery", "mortar", "rocket", "missile", "shell", "tank", "howitzer", "launcher"})
#: lemmas of ``LEMMA_CUES`` that are cues only as nouns ("a peace deal", not "dealt with", "according to")
NOUN_CUES = frozenset({"deal", "accord"})
#: what a cheap first pass (:mod:`midan.prefilter`) must know of the cues :func:`find_cues` reads by their sense
#: in context, besides ``LEMMA_CUES`` and ``PHRASE_CUES``: the forms of "strike" (:func:`strike_word`), the force
#: verbs (cues only as verbs), and the unrest words (cues only beside a word whose lemma is a PROTEST cue)
VERB_CUES = _FORCE_VERBS


def _force_sense(token: Token) -> str | None:
    """An air strike or shelling when the doer of "target", "hit" or "pound" is an aircraft or artillery (its
    subject, or the agent of the passive); otherwise no cue: an armed group's "target" says too little."""
    doers = [c for c in token.children if c.dep_ == "nsubj"]
    doers += [g for c in token.children if c.dep_ == "agent" for g in c.children if g.dep_ == "pobj"]
    for doer in doers:
        words = {doer.lemma_.lower(), *(c.lemma_.lower() for c in doer.children if c.dep_ in {"compound", "amod"})}
        if words & _AIR_MEANS or {"air", "force"} <= words:
            return "AIRSTRIKE"
        if words & _ARTILLERY_MEANS:
            return "SHELL"
    return None


def _seize_sense(token: Token) -> str | None:
    objects = [c for c in token.children if c.dep_ in {"dobj", "nsubjpass"}]
    for obj in objects:
        if obj.ent_type_ == "PERSON":
            return "ABDUCT"  # "Mugombeyi was seized from his home"
        if obj.lemma_.lower() in _PLACE_NOUNS or obj.ent_type_ in {"GPE", "LOC", "FAC"} or obj.pos_ == "PROPN":
            return "CAPTURE"
        if actor_rules.noun_kind(obj) in {"civilian", "protester", "state"}:
            return "ABDUCT"
    return None


# --- grouping cues into mentions ----------------------------------------------------------------------------------

_CLAUSE_DEPS = frozenset({"ccomp", "relcl", "parataxis", "csubj"})


def _anchor(token: Token) -> Token:
    """The verb that governs a cue word (itself when it is a verb)."""
    node = token
    for _ in range(6):
        if node.pos_ in {"VERB", "AUX"} or node.dep_ == "ROOT" or node.head.i == node.i:
            return node
        node = node.head
    return node


def _merge_target(anchor: Token) -> Token:
    """Fold an ``advcl``/``xcomp``/``conj`` verb without its own subject into the verb it depends on."""
    node = anchor
    for _ in range(4):
        own_subject = any(c.dep_ in {"nsubj", "nsubjpass"} for c in node.children)
        if node.dep_ in {"advcl", "xcomp", "conj", "acl", "pcomp", "prep"} and not own_subject \
                and node.head.i != node.i:
            node = node.head
            continue
        break
    # a participle on the object of an event verb is that event's outcome ("stormed the strongholds in Homs,
    # killing a commander" parses "killing" as a modifier of "strongholds")
    if anchor.tag_ == "VBG" and node.pos_ in {"NOUN", "PROPN"} and node.dep_ in {"dobj", "nsubjpass"} and \
            node.head.pos_ == "VERB":
        node = node.head
    return node


def mentions(doc: Doc, cues: dict[int, set[str]] | None = None) -> list[Mention]:
    """Group cue words into clause-level mentions and code each one."""
    cues = find_cues(doc) if cues is None else cues
    groups: dict[int, dict[str, list[Token]]] = {}
    for i, names in sorted(cues.items()):
        token = doc[i]
        anchor = _anchor(token)
        groups.setdefault(anchor.i, {})
        for name in names:
            groups[anchor.i].setdefault(name, []).append(token)
    # fold subject-less dependent verbs ("stormed ..., killing three") into their governing verb
    merged: dict[int, dict[str, list[Token]]] = {}
    for i, group in groups.items():
        target = _merge_target(doc[i])
        if target.i != i and target.sent == doc[i].sent:
            bucket = merged.setdefault(target.i, {})
        else:
            bucket = merged.setdefault(i, {})
        for name, tokens in group.items():
            bucket.setdefault(name, []).extend(tokens)
    _fold_dispersals(doc, merged)
    found: list[Mention] = []
    for i, group in sorted(merged.items()):
        if not set(group) & TRIGGER_CUES:
            continue
        trigger = _pick_trigger(doc[i], group)
        mention = Mention(trigger=trigger, cues=group, anchor=doc[i])
        code_mention(mention, doc[i])
        found.append(mention)
    _assign_clauses(found)
    return found


_RESPONSE_CUES = frozenset({"INTERVENE", "LIVE_FIRE"})
_UNREST_CUES = frozenset({"RIOT", "DESTROY", "LOOT"})


def _fold_dispersals(doc: Doc, groups: dict[int, dict[str, list[Token]]]) -> None:
    """Fold what happens *at* a demonstration into the demonstration's mention.

    A dispersal ("police fired tear gas") in a sentence that reports a demonstration is that demonstration's
    intervention; unrest without an armed agent ("banks were set ablaze") is what made it violent.
    """
    for i in sorted(groups):
        group = groups.get(i)
        if group is None:
            continue
        names = set(group)
        unrest = names <= _UNREST_CUES | _RESPONSE_CUES and names & _UNREST_CUES and not any(
            actor_rules.noun_kind(c) in {"state", "rebel", "militia", "armed"}
            for c in doc[i].children if c.dep_ in {"nsubj", "agent"})
        if not (names <= _RESPONSE_CUES or unrest):
            continue
        sent = doc[i].sent
        protests = [j for j, g in groups.items() if j != i and "PROTEST" in g and doc[j].sent == sent]
        if protests:
            target = min(protests, key=lambda j: abs(j - i))
            for name, tokens in groups.pop(i).items():
                groups[target].setdefault(name, []).extend(tokens)


def _assign_clauses(found: list[Mention]) -> None:
    """Give each mention the tokens of its own clause: the tokens whose nearest mention anchor is its anchor.

    Sentences joined by semicolons report several events; counts and crowd sizes must be read per clause.
    """
    by_anchor = {m.anchor.i: m for m in found if m.anchor is not None}
    for mention in found:
        mention.clause = []
    for sent in {m.sentence.start: m.sentence for m in found}.values():
        for token in sent:
            node = token
            for _ in range(40):
                if node.i in by_anchor or node.head.i == node.i:
                    break
                node = node.head
            owner = by_anchor.get(node.i)
            if owner is not None:
                owner.clause.append(token)


def _pick_trigger(anchor: Token, group: dict[str, list[Token]]) -> Token:
    """The word that best names the event: the anchor verb if it is a cue, else the first strong cue word."""
    for tokens in group.values():
        if anchor in tokens:
            return anchor
    order = ["SUICIDE", "CHEM", "AIRSTRIKE", "SHELL", "IED", "GRENADE", "CLASH", "RECAPTURE", "CAPTURE", "KILL",
             "ATTACK", "ABDUCT", "RAPE", "RIOT", "MOB", "PROTEST", "ARREST", "LOOT", "DESTROY", "AGREE",
             "DISRUPT", "HQ", "TRANSFER", "CHANGE", "INTERVENE", "LIVE_FIRE"]
    for name in order:
        if name in group:
            return group[name][0]
    return anchor


# --- coding a mention ---------------------------------------------------------------------------------------------


def code_mention(mention: Mention, anchor: Token) -> None:
    """Set the mention's sub-event type and score from its cues and its arguments, or a rejection reason."""
    cues = set(mention.cues)
    agent, patient = actor_rules.arguments(anchor, mention.trigger)
    agent_kind = actor_rules.noun_kind(agent) if agent is not None else ""
    patient_kind = actor_rules.noun_kind(patient) if patient is not None else ""
    sent_cues = _sentence_cues(mention)
    sub, score, rule = classify_cues(cues, agent_kind, patient_kind, sent_cues)
    mention.sub_event_type, mention.score, mention.rule = sub, score, rule
    if not sub:
        mention.rejected = "no ACLED event type: " + rule
        return
    reason = non_event_reason(mention, anchor) or ordinary_crime(mention, agent_kind)
    if not reason and mention.trigger.lemma_.lower() in _BLOCK_VERBS and agent_kind not in {
            "", "protester", "civilian", "rioter"}:
        reason = f"not a protest: a road closed by {agent.text if agent is not None else 'the authorities'}"
    if reason:
        mention.rejected = reason


#: words of the police blotter: what ordinary suspects are held or sought for
CRIME_WORDS = frozenset({
    "theft", "steal", "stolen", "burglary", "burglar", "robbery", "rob", "robber", "shoplift", "shoplifting",
    "drug", "narcotic", "cocaine", "heroin", "marijuana", "methamphetamine", "dui", "drunk", "intoxicate",
    "intoxicated", "murder", "homicide", "slaying", "manslaughter", "stabbing", "fraud", "embezzlement",
    "trespass", "trespassing", "warrant", "parole", "parolee", "probation", "misdemeanor", "misdemeanour", "felony",
    "sheriff", "deputy", "jail", "bond", "chase", "speeding", "traffic", "vandalism", "carjacking", "prostitution",
    "gambling", "smuggling", "forgery", "larceny", "accomplice", "domestic", "girlfriend", "boyfriend", "neighbor",
    "neighbour", "motorist", "detective", "inmate", "convict", "ransom", "relative", "relatives", "investigator"})
#: words that make violence or an arrest political: who is targeted, who does it, what for
POLITICAL_WORDS = frozenset({
    "activist", "journalist", "reporter", "opposition", "protester", "protestor", "demonstrator", "protest",
    "dissident", "critic", "lawyer", "blogger", "politician", "party", "leader", "militant", "rebel", "insurgent",
    "terrorist", "terrorism", "separatist", "jihadist", "extremist", "militia", "union", "unionist", "student",
    "candidate", "election", "vote", "treason", "sedition", "subversion", "espionage", "government", "regime",
    "coup", "junta", "soldier", "army", "military", "troop", "gunman", "gunmen", "bandit", "insurgency", "attack",
    "human", "rights", "defender", "minister", "official", "mp", "senator", "lawmaker", "governor", "chief",
    "president", "campaigner", "pastor", "priest", "imam", "cleric", "tribe", "clan", "ethnic", "cult", "gang"})


def _neighbourhood(sent: Span) -> list[Token]:
    """The tokens of a sentence and of the sentences just before and after it in its paragraph: the police blotter
    says what a suspect is held for in the next sentence as often as in the same one."""
    doc = sent.doc
    start = doc[sent.start - 1].sent.start if sent.start > 0 else sent.start
    end = doc[sent.end].sent.end if sent.end < len(doc) else sent.end
    text = doc.text
    tokens = [t for t in doc[start:end] if "\n\n" not in (text[t.idx:sent.start_char] if t.i < sent.start
                                                                 else text[sent.end_char:t.idx])]
    return tokens


def ordinary_crime(mention: Mention, agent_kind: str) -> str:
    """Why a mention is the police blotter, not political violence (empty when it is not): an arrest, a killing
    or a kidnapping told with the words of ordinary crime ("arrested for misdemeanor theft", "killed in a shooting
    at a home, police said"), by no armed group, state force or political actor, of no political target. ACLED
    codes violence by armed groups, gangs and unidentified gunmen, and political arrests."""
    if mention.sub_event_type not in {"Arrests", "Attack", "Armed clash", "Abduction/forced disappearance",
                                      "Looting/property destruction"}:
        return ""
    window = _neighbourhood(mention.sentence)
    lemmas = {t.lemma_.lower() for t in window} | {t.lower_ for t in window}
    crime = lemmas & CRIME_WORDS
    if not crime or lemmas & POLITICAL_WORDS or any(t.ent_type_ in {"NORP"} for t in window):
        return ""
    if mention.sub_event_type != "Arrests" and agent_kind in {"state", "rebel", "militia", "armed", "external"}:
        return ""
    return f"ordinary crime: {', '.join(sorted(crime)[:3])} (no political actor or target)"


def _sentence_cues(mention: Mention) -> set[str]:
    """Cue names of the whole sentence, plus ``ACCIDENT`` when it speaks of a crash or a disaster and ``CROWD``
    when it speaks of crowds or demonstrators."""
    lemmas = {t.lemma_.lower() for t in mention.sentence}
    names = {LEMMA_CUES[lemma] for lemma in lemmas if lemma in LEMMA_CUES}
    # a storm is weather, "stormed the village" an assault
    disasters = {t.lemma_.lower() for t in mention.sentence if t.pos_ != "VERB" or t.lemma_.lower() not in
                 _ASSAULT_SENSES}
    if disasters & _ACCIDENT_WORDS:
        names.add("ACCIDENT")
    if lemmas & {"crowd", "protester", "demonstrator", "protestor", "marcher"}:
        names.add("CROWD")
    return names


def classify_cues(cues: set[str], agent: str, patient: str, sentence: set[str]) -> tuple[str, float, str]:
    """ACLED sub-event type from the cues of one clause and the kinds of its agent and patient.

    Returns ``(sub_event_type, score, rule)``; the type is empty when the clause reports no ACLED event.
    ``agent``/``patient`` are actor kinds from :func:`midan.actors.noun_kind` ("state", "rebel", "militia",
    "protester", "rioter", "civilian", "armed" or "").
    """
    armed = {"state", "rebel", "militia", "armed", "external"}
    violent = cues & {"KILL", "ATTACK", "LIVE_FIRE"}
    protest = "PROTEST" in cues or patient == "protester" or agent == "protester"
    if "ACCIDENT" in sentence and cues <= {"KILL", "IED", "DESTROY", "ATTACK"} and agent not in armed:
        return "", 0.0, "accident or disaster, not political violence"
    if "DISRUPT" in cues and not cues & {"KILL", "ATTACK"}:
        return "Disrupted weapons use", 0.7, "weapons seized, defused or intercepted"
    if "CHEM" in cues:
        return "Chemical weapon", 0.8, "chemical weapon named"
    if "SUICIDE" in cues:
        return "Suicide bomb", 0.85, "suicide attack named"
    if "AIRSTRIKE" in cues:
        return "Air/drone strike", 0.85, "air or drone strike named"
    if "SHELL" in cues:
        return "Shelling/artillery/missile attack", 0.8, "shelling, artillery, rocket or missile named"
    if "GRENADE" in cues:
        return "Grenade", 0.8, "grenade named"
    if "IED" in cues and not (protest and cues & {"INTERVENE"}):
        return "Remote explosive/landmine/IED", 0.75, "bomb, explosive device or mine named"
    # who took the ground decides the type, not the verb: "rebels recaptured the town" is a non-state actor
    # overtaking territory; an unnamed agent of "recaptured" is most often the state reporting its own advance
    if cues & {"RECAPTURE", "CAPTURE"} and (agent == "state" or (agent == "" and "RECAPTURE" in cues)):
        return "Government regains territory", 0.75, "state forces retook territory"
    if cues & {"RECAPTURE", "CAPTURE"} and agent in {"rebel", "militia", "armed", ""}:
        return "Non-state actor overtakes territory", 0.7, "non-state group took territory"
    if "CLASH" in cues and agent not in armed and patient not in armed and agent != "civilian" and \
            sentence & {"PROTEST", "INTERVENE", "CROWD"}:
        # "clashes took place across the country as police opened fire on crowds": demonstrators and the police
        return "Violent demonstration", 0.6, "clashes at demonstrations"
    if "CLASH" in cues and (agent in armed or patient in armed or not protest):
        if agent in {"protester", "rioter"} or patient in {"protester", "rioter"}:
            return "Violent demonstration", 0.7, "demonstrators clashed"
        return "Armed clash", 0.75, "armed groups fought"
    if "MOB" in cues:
        return "Mob violence", 0.75, "mob violence"
    if patient == "protester" and agent == "rioter" and cues & {"ATTACK", "KILL"}:
        # "hoodlums attacked the protesters": a mob's violence on a demonstration, not the demonstrators'
        return "Mob violence", 0.7, "a mob attacked demonstrators"
    if protest or "RIOT" in cues:
        if cues & {"LIVE_FIRE"} or (cues & {"KILL"} and agent == "state") or (
                violent and agent == "state" and patient == "protester" and "KILL" in cues):
            return "Excessive force against protesters", 0.75, "lethal force used on demonstrators"
        if "RIOT" in cues or cues & {"DESTROY", "LOOT"} or "CLASH" in cues or (
                cues & {"ATTACK"} and agent in {"protester", "rioter"}):
            return "Violent demonstration", 0.75, "demonstrators used violence or destroyed property"
        if cues & {"INTERVENE", "ARREST"} or (cues & {"ATTACK"} and agent == "state"):
            return "Protest with intervention", 0.75, "authorities intervened in a demonstration"
        if cues & {"KILL"}:
            return "Excessive force against protesters", 0.6, "demonstrators killed"
        if "PROTEST" in cues:
            return "Peaceful protest", 0.7, "demonstration without reported violence"
    if "RAPE" in cues:
        return "Sexual violence", 0.8, "sexual violence named"
    if "ARREST" in cues and agent == "state" and not violent:
        # "detained by the police for alleged kidnap": the kidnap is what he is held for
        return "Arrests", 0.75, "arrest or detention by state forces"
    if "ABDUCT" in cues:
        return "Abduction/forced disappearance", 0.8, "abduction or disappearance named"
    if violent:
        if patient in armed and agent in armed | {""}:
            return "Armed clash", 0.65, "an armed actor attacked state or armed forces"
        if agent == "state" and patient in {"rebel", "militia", "armed"}:
            return "Armed clash", 0.65, "state forces fought an armed group"
        if patient in {"civilian", ""} or agent in armed:
            score = 0.7 if patient == "civilian" else 0.55
            return "Attack", score, "armed violence against civilians"
    if "INTERVENE" in cues and agent in {"state", ""} and patient in {"protester", "civilian", ""}:
        # tear gas, dispersal, baton charges: the crowd they were used on was demonstrating
        return "Protest with intervention", 0.65, "a crowd was dispersed by force"
    if "ARREST" in cues:
        return "Arrests", 0.75, "arrest or detention"
    if cues & {"LOOT", "DESTROY"}:
        return "Looting/property destruction", 0.7, "property looted or destroyed"
    if "DISRUPT" in cues:
        return "Disrupted weapons use", 0.7, "weapons seized or defused"
    if "AGREE" in cues:
        return "Agreement", 0.65, "agreement between parties"
    if "HQ" in cues:
        return "Headquarters or base established", 0.65, "base or headquarters set up"
    if "TRANSFER" in cues:
        return "Non-violent transfer of territory", 0.6, "territory handed over or left without fighting"
    if "CHANGE" in cues:
        return "Change to group/activity", 0.55, "a group changed its activity or structure"
    return "", 0.0, "cue words without an ACLED event"


def non_event_reason(mention: Mention, anchor: Token) -> str:
    """Why this mention is not an event (empty when it is one).

    The checks walk from the trigger word up the dependency tree: a quotation around it, a negation or a denial
    above it, a modal or future auxiliary, a verb of intent ("threatened to strike", "called for a march"), a
    conditional, or a present-perfect tally over a period.
    """
    trigger = mention.trigger
    if not any(t.pos_ in {"VERB", "AUX"} for t in trigger.sent):
        # a subhead ("Heavy Bombardment"), a keyword list, a photo credit: a line that tells nothing happened
        return "not a report: a line without a verb (a subhead, a keyword list, a caption)"
    for start, end in nlp.quote_spans(trigger.sent.text):
        if start <= trigger.idx - trigger.sent.start_char < end and not nlp.reported_speech(trigger.sent, start, end):
            return "quote/chant: inside quotation marks"
    path = [trigger, *_head_chain(trigger)[:5]]
    if anchor not in path:
        path.insert(1, anchor)
    for below, node in itertools.pairwise(path):
        if node.lemma_.lower() in {"chant", "sing", "shout", "scream", "yell"} and below.dep_ not in {
                "nsubj", "nsubjpass", "agent", "prep", "advmod", "npadvmod"}:
            return f"quote/chant: content of a chant ({node.text})"
    told = trigger
    if trigger.pos_ == "NOUN" and trigger.dep_ == "pobj" and trigger.head.lower_ == "of" and \
            trigger.head.head.pos_ == "NOUN":
        told = trigger.head.head  # "investigating the alleged use of chemical weapons"
    if told.pos_ == "NOUN" and told.dep_ in {"dobj", "nsubjpass"} and told.head.lemma_.lower() in _META_VERBS:
        return f"not a new event: {told.head.text} the {told.text} (an event reported elsewhere)"
    for node in path[:3]:
        if any(c.dep_ == "neg" or c.lower_ == "never" for c in node.children):
            return f"negated: the text says it did not happen ({node.text})"
    if trigger.pos_ == "NOUN":
        # "no clashes", "no mention of any strikes", "no reports of fighting": nothing happened, or nothing is told
        nouns = [trigger]
        if trigger.dep_ == "pobj" and trigger.head.dep_ == "prep" and trigger.head.head.pos_ == "NOUN":
            nouns.append(trigger.head.head)
        for noun in nouns:
            if any(c.dep_ == "det" and c.lower_ in {"no", "zero"} for c in noun.children):
                return f"negated: no {' '.join(t.text for t in nouns[::-1])}"
        if any(c.dep_ == "det" and c.lower_ == "any" for c in trigger.children):
            return f"not an event: any {trigger.text}"
    for node in path:
        if node.lemma_.lower() in _DENIAL_VERBS:
            return f"negated: denied ({node.text})"
    for node in path[:4]:
        for child in node.children:
            if child.dep_ in {"aux", "auxpass"} and child.lower_ in _FUTURE_AUX:
                return f"threat/plan/future: modal or future ({child.text} {node.text})"
            if child.dep_ == "mark" and child.lower_ in {"if", "unless", "whether"}:
                return f"threat/plan/future: hypothetical ({child.text} ...)"
        head = node.head
        if node.dep_ in {"xcomp", "ccomp", "advcl", "pcomp", "pobj", "dobj", "acl"} and head.i != node.i \
                and head.lemma_.lower() in _INTENT_VERBS:
            verb = head.lemma_.lower()
            if verb in {"agree", "announce", "order", "set", "decide"} and mention.cues.keys() & {
                    "AGREE", "CHANGE", "HQ", "TRANSFER"}:
                continue
            if verb == "set" and node.dep_ != "xcomp":
                continue
            return f"threat/plan/future: {head.text} ... {node.text}"
        if node.i != trigger.i and node.lemma_.lower() in _INTENT_NOUNS and node.pos_ == "NOUN":
            return f"threat/plan/future: {node.text} ... {trigger.text}"
        if node.dep_ == "pobj" and head.lower_ == "for" and head.head.lemma_.lower() in _INTENT_VERBS | _INTENT_NOUNS:
            return f"threat/plan/future: {head.head.text} for {node.text}"
    if trigger.lemma_.lower() in {"fire", "shoot"} and any(
            c.dep_ == "prep" and c.lower_ in {"into", "in"} and any(g.lower_ == "air" for g in c.children)
            for c in trigger.children):
        return f"not an attack: shots into the air ({trigger.text})"
    if trigger.tag_ in {"VBZ", "VBP"} and trigger.dep_ in {"relcl", "acl"} and not any(
            c.dep_ in {"aux", "auxpass"} for c in trigger.children):
        return f"background: a habitual description ({trigger.head.text} that {trigger.text})"
    if trigger.pos_ == "NOUN" and trigger.dep_ == "pobj" and trigger.head.lower_ == "as":
        return f"not an event: a role (as {trigger.text})"
    for below, node in itertools.pairwise(path[:4]):
        # "action like going on strike", "tactics such as sit-ins": a kind of act given as an example
        if below.dep_ in {"pobj", "pcomp"} and node.dep_ == "prep" and (node.lower_ == "like" or (
                node.lower_ == "as" and node.i > 0 and node.doc[node.i - 1].lower_ == "such")):
            return f"not an event: an example ({node.text} {below.text})"
        if node.pos_ in {"VERB", "AUX"}:
            break
    if trigger.tag_ == "VBG" and trigger.dep_ == "acl" and trigger.lemma_.lower() in _FIGHT_VERBS and \
            trigger.head.pos_ in {"NOUN", "PROPN"} and not any(c.dep_ in {"aux", "auxpass"} for c in trigger.children):
        # "a Kurdish-Arab alliance also fighting the militants", "the SDF fighting against Daesh": who a group is
        return f"background: a description of a side ({trigger.head.text} {trigger.text})"
    if trigger.pos_ == "NOUN" and trigger.dep_ == "compound" and trigger.head.lemma_.lower() in _NOT_EVENT_HEADS:
        return f"not an event: {trigger.text} {trigger.head.text}"
    if trigger.pos_ == "NOUN" and trigger.dep_ in {"dobj", "nsubjpass"} and trigger.head.lemma_.lower() in {
            "hear", "see", "watch"} and trigger.lemma_.lower() == "strike":
        return f"not a labour strike: {trigger.head.text} {trigger.text} (the sound or sight of an attack)"
    for node in path:  # up to the verb the event word belongs to, and the verb it is coordinated with
        heads = [node, node.head] if node.pos_ in {"VERB", "AUX"} and node.dep_ == "conj" else [node]
        often = next((c for h in heads for c in h.children if c.dep_ == "advmod" and c.lower_ in _HABITUAL_ADVERBS),
                     None)
        if often is not None:
            return f"background: a habitual act ({often.text} {often.head.text}), not one event"
        if node.pos_ in {"VERB", "AUX"}:
            break
    earlier = _long_before(path)
    if earlier:
        return f"background: told as {earlier} another event"
    charge = _court_charge(path)
    if charge:
        return f"court step: an act someone is accused of ({charge} ... {trigger.text}), not a report of it"
    if trigger.dep_ == "relcl" and _governor_lemma(trigger.head) in _RELEASE_VERBS:
        return f"background: a description of people {trigger.head.head.text} ({trigger.text})"
    if trigger.lemma_.lower() == "protest" and any(c.dep_ == "dobj" and c.lemma_.lower() in {
            "innocence", "innocent"} for c in trigger.children):
        return "not a demonstration: protested innocence"
    if _is_generic(trigger):
        return f"background: a general statement ({trigger.text} ... {trigger.head.text})"
    if _is_aggregate(mention, anchor):
        return "aggregate: a tally over a period, not one event"
    for node in path[:3]:
        reported = node.head.lemma_.lower() in _SPEECH_VERBS | {"report", "tell", "claim", "add", "state",
                                                                "announce", "confirm", "accuse", "allege"}
        if node.tag_ == "VBN" and any(c.dep_ == "aux" and c.lower_ == "had" for c in node.children) and not any(
                t.ent_type_ in {"DATE", "TIME"} for t in node.subtree) and not reported and not nlp.backshifted(node):
            return f"background: past perfect without a date (had {node.text})"
    return ""


#: verbs of a crowd's road block: a protest only when a crowd blocks ("police blocked the road" is no protest)
_BLOCK_VERBS = frozenset({"block", "barricade", "squat"})
#: verbs of fighting whose participle on a group's name says who the group is ("the SDF fighting against Daesh")
_FIGHT_VERBS = frozenset({"fight", "battle", "combat", "oppose", "resist"})
#: nouns an event word can modify without being an event: "battle cry", "protest song", "strike force"
_NOT_EVENT_HEADS = frozenset({"cry", "song", "slogan", "anthem", "music", "poster", "gear", "force", "leader",
                              "organizer", "organiser", "season", "tank", "plane", "aircraft", "jet", "helicopter",
                              "ship", "rifle", "weapon", "footage", "photo", "video", "image", "fund", "wing", "unit"})
#: adverbs that make an act a habit, not an event ("the province is regularly targeted", "usually targeting")
_HABITUAL_ADVERBS = frozenset({"regularly", "often", "usually", "frequently", "routinely", "typically", "generally",
                               "normally", "habitually", "commonly", "sometimes", "occasionally"})
#: words of a court's steps; an act they govern ("convicted of killing", "charged with kidnapping") is what a
#: defendant is accused of, reported elsewhere if at all
_COURT_WORDS = frozenset({"charge", "convict", "conviction", "accuse", "accusation", "sentence", "indict",
                          "indictment", "trial", "guilty", "prosecute", "prosecution", "acquit", "allegation"})
#: verbs whose people a relative clause only describes ("prisoners who were arrested under the PSA were released")
_RELEASE_VERBS = frozenset({"release", "free", "acquit", "pardon", "deport", "transfer", "charge", "sentence",
                            "convict", "try", "bail"})


def _long_before(path: list[Token]) -> str:
    """"comes three years after 111 schoolgirls were snatched in Dapchi": an act placed months or years before or
    after another is background, whatever the tense."""
    for node in path[1:5]:
        if node.lower_ in {"after", "before", "since"} and node.dep_ in {"mark", "prep", "advmod"}:
            measure = [c for c in (*node.children, *node.head.children) if c.dep_ in {"npadvmod", "advmod"}
                       and c.lemma_.lower() in {"year", "month", "decade", "week"}]
            if measure:
                return f"{' '.join(t.text for t in measure[0].subtree)} {node.text}"
    return ""


def _court_charge(path: list[Token]) -> str:
    """The court word an act hangs on ("convictions for targeting government personnel"), or ""."""
    for below, node in itertools.pairwise(path[:4]):
        if node.lemma_.lower() in _COURT_WORDS and below.dep_ in {"prep", "conj", "acl"} and (
                below.dep_ != "prep" or below.lower_ in {"for", "of", "with", "over"}):
            return f"{node.text} {below.text}" if below.dep_ == "prep" else node.text
        if node.dep_ == "prep" and node.lower_ in {"for", "of", "with"} and node.head.lemma_.lower() in _COURT_WORDS:
            return f"{node.head.text} {node.text}"
    return ""


def _governor_lemma(token: Token) -> str:
    """The lemma of the verb a noun phrase belongs to (its head while it is a noun's dependent)."""
    node = token
    for _ in range(5):
        if (node.pos_ in {"VERB", "AUX"} and node.dep_ != "prep") or node.head.i == node.i:
            break
        node = node.head
    return node.lemma_.lower()


def _head_chain(token: Token) -> list[Token]:
    chain: list[Token] = []
    node = token
    while node.head.i != node.i and len(chain) < 6:
        node = node.head
        chain.append(node)
    return chain


def _is_generic(trigger: Token) -> bool:
    """A bare noun that is the subject of a description, not of a happening: "Kidnapping for ransom has become a
    lucrative business", "Protests are common in the north". A determiner, number or possessive ("the attack was
    deadly", "two raids were ...") makes it a particular event."""
    head = trigger.head
    if trigger.pos_ != "NOUN" or trigger.dep_ != "nsubj" or head.lemma_.lower() not in {"be", "become", "remain"}:
        return False
    if any(c.dep_ in {"det", "nummod", "poss"} for c in trigger.children):
        return False
    return any(c.dep_ in {"attr", "acomp"} for c in head.children)


def _is_aggregate(mention: Mention, anchor: Token) -> bool:
    """Present-perfect tallies over a period: "more than 300 have been killed since 2019"."""
    perfect = any(c.dep_ in {"aux"} and c.lower_ in {"have", "has", "'ve"} for c in anchor.children)
    clause = " ".join(t.text for t in anchor.subtree)
    if perfect and _AGGREGATE_MARKERS.search(clause):
        return True
    if _AGGREGATE_MARKERS.search(clause) and re.search(r"\bsince\b", clause, re.IGNORECASE) and perfect:
        return True
    if anchor.lemma_.lower() == "stand" and any(c.dep_ == "nsubj" and c.lemma_.lower() == "toll"
                                                for c in anchor.children):
        return True  # "the death toll now stands at 667": the running total of a crisis
    if "KILL" in mention.cues or "ABDUCT" in mention.cues:
        # present-perfect counts of a hundred or more, and any count in the thousands, are tallies
        numbers = [t for t in anchor.subtree if t.like_num and t.ent_type_ not in {"DATE", "TIME"}
                   and not _YEAR.fullmatch(t.text)]
        for number in numbers:
            value = _number_value(number.text)
            if value is not None and (value >= 1000 or (perfect and value >= 100)):
                return True
    return False


_YEAR = re.compile(r"(?:19|20)\d\d")


def _number_value(text: str) -> int | None:
    try:
        return int(text.replace(",", ""))
    except ValueError:
        return None


#: cues of an act of violence whose outcome a later bare report of deaths can be
_ACT_CUES = frozenset({"AIRSTRIKE", "SHELL", "IED", "SUICIDE", "GRENADE", "CHEM", "CLASH"})
#: sentences back (within the paragraph) where the act may have been told
OUTCOME_REACH = 2


def link_outcomes(found: list[Mention]) -> None:
    """Type a bare report of deaths by the act that caused them.

    "At least 35 jihadists were killed in air strikes overnight. The Observatory said 30 were killed around the
    town of Shadadi and another five outside Kobane." The second sentence names no act: its deaths are what the air
    strikes did, at places of their own. A coded mention whose only cue is a killing and whose clause names no
    perpetrator takes the sub-event type of the nearest act of war told in its sentence or the two before it in
    its paragraph (``Mention.act``; the actors stage takes the act's perpetrator)."""
    acts = [m for m in found if m.sub_event_type and not m.rejected and m.cues.keys() & _ACT_CUES]
    if not acts:
        return
    doc = found[0].trigger.doc
    sentences = {s.start: i for i, s in enumerate(doc.sents)}
    text = doc.text
    for mention in found:
        if not mention.sub_event_type or mention.rejected or not mention.cues.keys() <= {"KILL"}:
            continue
        if mention.sub_event_type not in {"Attack", "Armed clash"}:
            continue
        here = sentences[mention.sentence.start]
        before = [m for m in acts if m.start < mention.start and here - sentences[m.sentence.start] <= OUTCOME_REACH
                  and "\n" not in text[m.start:mention.start]]
        if not before or _named_agent(mention):
            continue
        act = before[-1]
        mention.act = act
        mention.rule += f"; the deaths the {act.trigger.text} ({act.sub_event_type}) caused"
        mention.sub_event_type = act.sub_event_type


def _named_agent(mention: Mention) -> bool:
    """Whether the mention's clause names who did the killing ("gunmen killed", "killed by soldiers")."""
    node = mention.anchor or mention.trigger
    for child in node.children:
        if child.dep_ == "nsubj" and node.tag_ != "VBN" and actor_rules.noun_kind(child):
            return True
        if child.dep_ == "agent" and any(actor_rules.noun_kind(g) for g in child.children):
            return True
    return False


def coded(found: Iterable[Mention]) -> list[Mention]:
    return [m for m in found if m.sub_event_type and not m.rejected]


_PROTEST_SEVERITY = {"Excessive force against protesters": -3, "Protest with intervention": -2,
                     "Peaceful protest": -1}


_EVENT_TYPE_RANK = {name: i for i, name in enumerate(dict.fromkeys(SUB_EVENT_TYPES.values()))}


def rank(sub_event_type: str) -> tuple[int, int, int]:
    """Sort key: lower is the type kept when several happen together (ACLED's order, Battles first; within
    Protests the more severe response)."""
    return (_EVENT_TYPE_RANK[SUB_EVENT_TYPES[sub_event_type]], _PROTEST_SEVERITY.get(sub_event_type, 0),
            SUB_EVENT_RANK[sub_event_type])


@dataclass
class Classification:
    """The ACLED type of one short event description (``midan classify``)."""

    event_type: str | None
    sub_event_type: str | None
    confidence: float
    mention: Mention | None = None


def classify_rules(texts: Iterable[str], spacy_model: Language | None = None,
                   batch_size: int = 64) -> Iterator[Classification]:
    """Code each text as one ACLED sub-event type, or as no ACLED event, by the rules alone (the learned
    :func:`midan.classifier.classify` builds on these verdicts; this is kept to measure what it adds).

    The description's main event is its best-scored coded mention (ties go to ACLED's higher-ranked type);
    mentions rejected as non-events (quotes, denials, threats, tallies) do not count.
    """
    model = spacy_model or nlp.load()
    for doc in model.pipe(texts, batch_size=batch_size):
        everything = mentions(doc)
        found = coded(everything)
        if not found:
            candidates = [m for m in everything if m.sub_event_type]
            confidence = 0.5 if candidates else 0.7
            yield Classification(None, None, confidence)
            continue
        best = min(found, key=lambda m: (-m.score, rank(m.sub_event_type)))
        yield Classification(SUB_EVENT_TYPES[best.sub_event_type], best.sub_event_type, round(best.score, 3), best)
