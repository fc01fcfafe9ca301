"""Counts: fatalities by ACLED's conservative rules, and the crowd size of demonstrations.

ACLED records the lowest reported death toll; vague words get fixed values ("several/few/many" = 3, "dozens" =
12, "hundreds" = 100, "tens" = 10), a plural with no number counts as 3, suicide bombers and attackers who die
are fatalities too, injuries and "casualties" are not, and tallies over months or years are never put on one
event. These are ACLED's coding rules, so they are written here; the numbers themselves are read with spaCy's
parse: a figure counts only when the noun it quantifies is the victim of a killing ("twenty-three villagers were
killed", "killing 10", "left 3 dead", "the death toll rose to 25").
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

from spacy.tokens import Token

from midan import actors as actor_rules
from midan.mention import Fatalities
from midan.nlp import doc_text
from midan.timex import MONTHS

logger = logging.getLogger(__name__)

#: number words and their values; "dozen", "hundred", "thousand" and "million" multiply what precedes them
WORD_NUMBERS: dict[str, int] = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40,
    "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "single": 1, "both": 2, "pair": 2,
    "couple": 2,
}
_MULTIPLIERS: dict[str, int] = {"dozen": 12, "hundred": 100, "thousand": 1000, "million": 1_000_000}
#: ACLED's values for vague quantities (spec §1, `fatalities`)
VAGUE: dict[str, int] = {
    "several": 3, "few": 3, "many": 3, "some": 3, "numerous": 3, "multiple": 3, "various": 3,
    "dozens": 12, "scores": 20, "hundreds": 100, "tens": 10, "thousands": 1000, "millions": 1_000_000,
}
#: ACLED codes an unnumbered plural ("villagers were killed") like "several"
PLURAL_UNKNOWN = 3

_DEATH_WORDS = frozenset({"kill", "die", "dead", "death", "toll", "body", "corpse", "murder", "execute",
                          "behead", "massacre", "slaughter", "assassinate", "lynch", "fatality", "perish",
                          "decapitate", "slay", "fatally", "martyr"})
_INJURY_WORDS = frozenset({"injure", "wound", "hurt", "injury", "casualty", "hospitalise", "hospitalize", "maim"})
#: verbs that only mean death with "dead" or "to death" ("shot dead", "beaten to death", "blew himself up")
_HARM_VERBS = frozenset({"shoot", "stab", "beat", "hack", "burn", "stone", "club", "lynch", "hang", "gun",
                         "crush", "torture", "blow", "machete", "bludgeon"})
#: verbs whose subject is a death toll ("the toll rose to 25")
_TOLL_VERBS = frozenset({"rise", "climb", "reach", "hit", "stand", "jump", "increase", "bring", "put", "be",
                         "mount", "grow", "soar"})
_TOLL_NOUNS = frozenset({"toll", "fatality", "death"})
#: what an army or a group "loses" when its people die
_LOST = frozenset({"soldier", "troop", "man", "fighter", "member", "officer", "policeman", "personnel", "comrade",
                   "militant", "rebel", "life"})
_SAY_VERBS = frozenset({"say", "tell", "report", "claim", "announce", "confirm", "state", "estimate", "put",
                        "add", "insist", "allege", "accord"})
_PEOPLE_SINGULAR = frozenset({"man", "woman", "person", "child", "boy", "girl", "leader", "officer", "soldier",
                              "policeman", "civilian", "journalist", "student", "farmer", "villager", "teacher",
                              "resident", "protester", "worker", "driver", "member", "trader", "pastor", "imam",
                              "chief", "activist", "official", "fighter", "militant", "rebel", "guard", "gunman",
                              "teenager", "baby", "doctor", "nurse", "lawyer", "priest", "unionist", "demonstrator",
                              "attacker", "bomber", "assailant", "suspect", "infant", "toddler", "bandit",
                              "policewoman", "trooper", "gendarme", "herder", "herdsman", "worshipper", "pilgrim",
                              "other", "victim"})
_REFLEXIVES = {"himself": 1, "herself": 1, "themselves": 2}
_PRONOUN_VICTIMS = {"he": 1, "she": 1, "him": 1, "her": 1, "they": PLURAL_UNKNOWN, "them": PLURAL_UNKNOWN}
#: what else gets killed: animals, and figurative objects ("killed the bill")
_NOT_PEOPLE = frozenset({"cattle", "cow", "livestock", "animal", "goat", "sheep", "camel", "dog", "donkey", "horse",
                         "bird", "elephant", "engine", "time", "plan", "bill", "project", "deal", "idea", "proposal",
                         "hope", "chance", "motion", "story", "momentum", "light", "power", "mood", "attack"})
_VICTIM_KINDS = frozenset({"civilian", "state", "protester", "rebel", "armed", "militia", "rioter"})
_SUBSET_WORDS = frozenset({"including", "include", "among", "excluding", "besides", "except", "plus"})
_TALLY_ADVERBS = frozenset({"overall", "altogether", "cumulatively", "total"})
_PERIOD_NOUNS = frozenset({"year", "month", "decade", "war", "conflict", "insurgency", "uprising"})
_BOUNDS = (
    ("min", re.compile(r"\b(?:at least|(?<!no )more than|over|upwards of|in excess of|no fewer than|no less than)"
                       r"\s*$")),
    ("max", re.compile(r"\b(?:up to|as many as|at most|no more than)\s*$")),
    ("below", re.compile(r"\b(?:(?<!no )fewer than|(?<!no )less than|under|below)\s*$")),
    ("approx", re.compile(r"\b(?:about|around|nearly|almost|some|approximately|roughly|close to|an estimated|"
                          r"estimated)\s*$")),
)

#: people words a crowd size can count; the protest's participants
_CROWD_PEOPLE = frozenset({"people", "person", "protester", "protestor", "demonstrator", "student", "worker",
                           "supporter", "marcher", "resident", "woman", "teacher", "farmer", "activist", "youth",
                           "rioter", "opposition", "man", "member", "doctor", "nurse", "trader", "driver",
                           "villager", "mourner", "fan", "pupil", "lawyer", "miner", "employee", "participant",
                           "citizen", "pensioner", "retiree", "veteran", "taxi", "motorist", "vendor", "others",
                           "other", "striker", "picketer", "parent", "family", "relative", "worshipper",
                           "believer", "follower", "physician", "journalist", "artist", "civilian", "young"})
_CROWD_NOUNS = frozenset({"crowd", "rally", "march", "demonstration", "gathering", "protest", "procession",
                          "turnout", "sit-in", "vigil", "group", "throng", "mob"})
_CROWD_ADJECTIVES = frozenset({"large", "huge", "big", "small", "massive", "sizeable", "sizable", "modest",
                               "thousands-strong", "vast", "enormous"})
#: what happens to people who are not the crowd: "police arrested 20 protesters"
_NOT_CROWD_VERBS = frozenset({"arrest", "detain", "kill", "injure", "wound", "shoot", "abduct", "kidnap",
                              "hospitalise", "hospitalize", "hurt", "beat", "charge", "sentence", "jail",
                              "release", "round", "free", "disappear"})


@dataclass
class _Figure:
    """One reported number of dead: its value, how the text hedges it, and whose victims it counts."""

    value: int
    vague: bool
    bound: str
    start: int
    end: int
    noun: Token
    predicate: Token
    source: int


# --- numbers ----------------------------------------------------------------------------------------------------


def _number_word(token: Token) -> bool:
    word = token.lower_.replace(",", "")
    if re.fullmatch(r"\d+(\.\d+)?", word):
        return True
    if "-" in word and all(p in WORD_NUMBERS for p in word.split("-")):
        return True
    return word in WORD_NUMBERS or word.rstrip("s") in _MULTIPLIERS or word in VAGUE


def parse_number(words: Sequence[str]) -> tuple[int, bool] | None:
    """Value of a run of number words and whether it is vague.

    ``["twenty", "three"]`` -> 23; ``["two", "dozen"]`` -> 24; ``["one", "hundred", "twenty"]`` -> 120;
    ``["tens", "thousands"]`` -> 10,000 (vague); ``["several", "dozen"]`` -> 12 (vague, ACLED's "dozens");
    ``["dozens"]`` -> 12 (vague). ``None`` when the words are not a number.
    """
    total = 0.0
    current = 0.0
    vague = False
    seen = False
    for raw in words:
        word = raw.lower().replace(",", "")
        if word in {"a", "an", "and", "of", "-"}:
            continue
        parts = word.split("-") if "-" in word and all(p in WORD_NUMBERS for p in word.split("-")) else [word]
        for part in parts:
            if re.fullmatch(r"\d+(\.\d+)?", part):
                current += float(part)
            elif part in WORD_NUMBERS:
                current += WORD_NUMBERS[part]
            elif part in _MULTIPLIERS:
                factor = _MULTIPLIERS[part]
                if factor >= 1000:
                    total += (current or 1) * factor
                    current = 0
                else:
                    current = (current or 1) * factor
            elif part in VAGUE and part.rstrip("s") in _MULTIPLIERS:
                # "dozens", "hundreds", "thousands": the lowest reading of the plural
                vague = True
                factor = _MULTIPLIERS[part.rstrip("s")]
                if factor >= 1000:
                    total += (current or 1) * factor
                    current = 0
                else:
                    current = (current or 1) * factor
            elif part in VAGUE:
                vague = True
                if part in {"tens", "scores"}:
                    current = (current or 1) * VAGUE[part]
                # "several", "few", "many" multiply nothing: "several dozen" is "dozens"
            else:
                return None
            seen = True
    if not seen:
        return None
    value = total + current
    if value == 0 and vague:
        value = VAGUE.get(words[-1].lower(), PLURAL_UNKNOWN)
    return int(value), vague


def _runs(tokens: Sequence[Token]) -> list[list[Token]]:
    """Maximal runs of number words ("One hundred and twenty", "Twenty - one", "tens of thousands")."""
    runs: list[list[Token]] = []
    current: list[Token] = []
    doc = tokens[0].doc if tokens else None
    inside = {t.i for t in tokens}
    for token in tokens:
        if _number_word(token):
            if current and (current[-1].like_num and token.like_num and current[-1].text.isdigit()
                            and token.text.isdigit()):
                runs.append(current)  # "Nov 7 2016", "16 2016": two figures side by side are not one number
                current = []
            current.append(token)
            continue
        if current and token.lower_ in {"and", "-", "of"} and token.i + 1 in inside and doc is not None:
            nxt = doc[token.i + 1]
            joinable = _number_word(nxt) and (
                token.lower_ != "of" or nxt.lower_.rstrip("s") in {"thousand", "million", "hundred"})
            if joinable and not (token.lower_ == "and" and current[-1].lower_ not in {"hundred", "thousand"}):
                current.append(token)
                continue
        if current:
            runs.append(current)
        current = []
    if current:
        runs.append(current)
    # a lone "one"/"some"/"many" that is a pronoun-like determiner of nothing countable is still a run here;
    # whether it counts anyone is decided by the parse
    return runs


def number_value(token: Token) -> tuple[int, bool] | None:
    """Numeric value of a single number word or figure, and whether it is vague ("several" -> 3)."""
    return parse_number([token.text])


def _bound(run: list[Token]) -> str:
    doc = run[0].doc
    before = doc_text(doc)[max(0, run[0].idx - 30):run[0].idx].lower()
    for name, pattern in _BOUNDS:
        if pattern.search(before):
            return name
    return ""


# --- who the number counts -----------------------------------------------------------------------------------------


def _run_head(run: list[Token]) -> Token:
    """The token of the run that attaches it to the rest of the sentence."""
    ids = {t.i for t in run}
    outside = [t for t in run if t.head.i not in ids or t.head.i == t.i]
    return outside[-1] if outside else run[-1]


def _is_death(token: Token) -> bool:
    """The token says someone died: "killed", "dead", "death toll", "shot dead", "beaten to death"."""
    lemma = token.lemma_.lower()
    if lemma in _DEATH_WORDS:
        return lemma != "death" or token.dep_ != "pobj" or token.head.lower_ != "to"
    if lemma in {"claim", "take", "cost"} and any(c.dep_ == "dobj" and c.lemma_.lower() == "life"
                                                  for c in token.children):
        return True  # "claiming the lives of several militants", "the blast took 12 lives"
    if lemma == "lose" and any(c.dep_ == "dobj" and (c.lemma_.lower() in _LOST | {"life"} or (
            c.like_num and c.head.i == token.i)) for c in token.children):
        return True  # "lost their lives", "the army lost two soldiers"
    if token.pos_ in {"VERB", "ADJ"} or lemma in _HARM_VERBS:
        for child in token.children:
            if child.lemma_.lower() == "dead" and child.dep_ in {"oprd", "acomp", "advmod", "amod", "xcomp",
                                                                 "ccomp", "dobj", "conj"}:
                return True
            if child.dep_ == "prep" and child.lower_ == "to" and any(
                    g.lemma_.lower() == "death" for g in child.children):
                return True
            if lemma == "blow" and child.dep_ == "dobj" and child.lower_ in _REFLEXIVES:
                return True
            if child.lower_ == "fatally" or (lemma in _HARM_VERBS and child.dep_ == "conj" and child.lemma_.lower()
                                             in {"kill", "murder", "execute", "behead", "slaughter"}):
                return True
    return False


def _is_toll_predicate(token: Token) -> bool:
    if token.lemma_.lower() not in _TOLL_VERBS:
        return False
    return any(c.dep_ in {"nsubj", "nsubjpass", "dobj"} and c.lemma_.lower() in _TOLL_NOUNS
               and (c.lemma_.lower() != "death" or c.tag_ == "NNS" or c.lower_ == "deaths") for c in token.children)


def _victim_predicate(noun: Token) -> Token | None:
    """The death word whose victims ``noun`` counts, or None ("14 injured", "a march by thousands")."""
    if noun.lemma_.lower() in {"death", "fatality", "body", "corpse"} and any(
            c.dep_ in {"nummod", "amod", "quantmod"} and c.like_num for c in noun.children):
        return noun  # "5 deaths", "12 bodies"
    node = noun
    for _ in range(5):
        if node.lemma_.lower() == "dead" or (node is not noun and _is_death(node)):
            return node
        for child in node.children:
            if child.dep_ in {"amod", "acl", "relcl", "oprd", "acomp"}:
                if child.tag_ == "VBG" and child.dep_ == "acl":
                    continue  # "strongholds ..., killing a commander": the noun is not who died
                if _is_death(child):
                    return child
                if child.lemma_.lower() in _INJURY_WORDS:
                    return None
        dep, head = node.dep_, node.head
        if head.i == node.i:
            return None
        if dep == "appos" or (dep == "conj" and head.lemma_.lower() in _INJURY_WORDS):
            return None
        if dep == "conj":
            node = head
            continue
        if dep in {"nsubj", "nsubjpass", "dobj", "attr", "oprd", "npadvmod", "dative"}:
            if head.lemma_.lower() in _INJURY_WORDS:
                return None
            if _is_death(head):
                return head
            if dep in {"attr", "dobj"} and _is_toll_predicate(head):
                return head
            return None
        if dep == "pobj":
            prep = head
            if prep.lower_ == "of":
                node = prep.head
                if node.lemma_.lower() == "life" and node.dep_ == "dobj" and _is_death(node.head):
                    return node.head  # "claimed the lives of 12 fighters"
                if _is_death(node) and node.lemma_.lower() in {"death", "body", "corpse", "toll", "killing",
                                                               "murder", "massacre", "execution", "fatality"}:
                    return node
                continue
            if prep.lower_ in {"to", "at"} and _is_toll_predicate(prep.head):
                return prep.head
            return None
        return None
    return None


def _killed_or_injured(predicate: Token) -> bool:
    """ "killed or injured": casualties, which ACLED does not count as fatalities."""
    return any(c.dep_ == "conj" and c.lemma_.lower() in _INJURY_WORDS for c in predicate.children) and any(
        c.dep_ == "cc" and c.lower_ in {"or", "and/or"} for c in predicate.children)


def _attributions(sentence: Sequence[Token]) -> list[int]:
    """Positions of the phrases that attribute a figure to a source: "police said", "according to medics"."""
    return [t.i for t in sentence if (t.lemma_.lower() in _SAY_VERBS and t.pos_ in {"VERB", "AUX"})
            or (t.lower_ == "according" and t.dep_ == "prep")]


def _source(position: int, attributions: list[int]) -> int:
    """The source of a figure: the nearest attribution when the clause has several ("three, according to
    the committee, and six, according to doctors"); one source otherwise."""
    if len(attributions) < 2:
        return -1
    return min(attributions, key=lambda a: (abs(a - position), a < position))


def _subset(run_head: Token) -> bool:
    """The figure is part of another ("including three children", "among them two women")."""
    node = run_head
    for _ in range(4):
        if node.lower_ in _SUBSET_WORDS or node.lemma_.lower() in _SUBSET_WORDS:
            return True
        if node.head.i == node.i or node.dep_ in {"nsubj", "nsubjpass", "dobj"}:
            break
        node = node.head
    return False


def _period(token: Token) -> bool:
    lemma = token.lemma_.lower()
    if lemma in _PERIOD_NOUNS or (lemma == "week" and token.tag_ == "NNS"):
        return True
    return bool(re.fullmatch(r"(1[89]|20)\d\d", token.text))


def _tally(predicate: Token, noun: Token) -> bool:
    """The figure is a running total over a period ("since January", "this year", "so far")."""
    nodes = [predicate, noun]
    nodes += [c for c in predicate.children if c.dep_ in {"nsubj", "nsubjpass", "dobj"}
              and c.lemma_.lower() in _TOLL_NOUNS]
    for node in nodes:
        for child in node.children:
            word = child.lower_
            if child.dep_ in {"prep", "mark"} and word == "since":
                return True
            if child.dep_ == "prep" and word in {"over", "in", "during", "throughout", "within", "for"}:
                obj = next((g for g in child.children if g.dep_ == "pobj"), None)
                if obj is not None and _period(obj):
                    return True
            if child.dep_ == "prep" and word == "to" and any(g.lower_ == "date" for g in child.children):
                return True
            if child.dep_ in {"npadvmod", "advmod"} and child.ent_type_ == "DATE" and _period(child):
                return True
            if child.dep_ == "advmod" and (word in _TALLY_ADVERBS or (
                    word == "far" and any(g.lower_ == "so" for g in child.children))):
                return True
    return False


def _figures(sentence: Sequence[Token]) -> list[_Figure]:
    found: list[_Figure] = []
    attributions = _attributions(sentence)
    for run in _runs(sentence):
        head = _run_head(run)
        if _is_year_or_age(head) or head.dep_ == "quantmod":
            continue
        words = [t.text for t in run]
        if len(run) == 1 and run[0].lower_ in {"some", "many", "few", "several"} and run[0].dep_ in {"det", "amod"} \
                and run[0].head.pos_ != "NOUN":
            continue
        parsed = parse_number(words)
        if parsed is None:
            continue
        noun = head.head if head.dep_ in {"nummod", "compound", "amod", "det", "quantmod"} and \
            head.head.i != head.i else head
        if any(c.dep_ == "det" and c.lower_ == "no" for c in noun.children):
            continue
        predicate = _victim_predicate(noun)
        if predicate is None or _subset(head) or _tally(predicate, noun) or _killed_or_injured(predicate):
            continue
        start, end = run[0].idx, run[-1].idx + len(run[-1].text)
        found.append(_Figure(parsed[0], parsed[1], _bound(run), start, end, noun, predicate,
                             _source(head.i, attributions)))
    return found


def _unnumbered_victims(sentence: Sequence[Token], numbered: set[int]) -> list[_Figure]:
    """Victims named without a number: "a union leader was shot dead" (1), "villagers were killed" (3)."""
    found: list[_Figure] = []
    attributions = _attributions(sentence)
    for token in sentence:
        if token.i in numbered:
            continue
        lower = token.lower_
        reflexive = lower in _REFLEXIVES and token.dep_ == "dobj"
        pronoun = lower in _PRONOUN_VICTIMS and token.dep_ in {"dobj", "nsubjpass", "nsubj"}
        if not (reflexive or pronoun) and (token.pos_ not in {"NOUN", "PROPN"} or any(
                c.dep_ in {"nummod", "det"} and (c.like_num or c.lower_ == "no") for c in token.children)):
            continue
        if token.dep_ not in {"dobj", "nsubjpass", "nsubj", "conj"}:
            continue
        predicate = _victim_predicate(token)
        if predicate is None or predicate.lemma_.lower() in {"toll", "death", "fatality", "body", "corpse"} or \
                _tally(predicate, token) or _killed_or_injured(predicate):
            continue
        if token.dep_ == "nsubj" and predicate.lemma_.lower() not in {"die", "perish", "dead"}:
            continue
        kind = actor_rules.noun_kind(token) if not (reflexive or pronoun) else "civilian"
        people = token.lemma_.lower() in _PEOPLE_SINGULAR | {"people", "person"} or token.ent_type_ == "PERSON"
        killed = predicate.lemma_.lower() in {"kill", "murder", "assassinate", "lynch", "behead", "execute"}
        if not (reflexive or pronoun or people or (killed and token.lemma_.lower() not in _NOT_PEOPLE)) and \
                kind not in _VICTIM_KINDS:
            continue
        if token.ent_type_ in {"GPE", "LOC", "FAC", "ORG", "NORP"} or token.lemma_.lower() in {"group", "community"}:
            continue
        if reflexive:
            value, vague = _REFLEXIVES[lower], lower == "themselves"
        elif pronoun:
            value, vague = _PRONOUN_VICTIMS[lower], _PRONOUN_VICTIMS[lower] > 1
        elif token.tag_ in {"NNS", "NNPS"} or lower in {"people"}:
            value, vague = PLURAL_UNKNOWN, True
        else:
            value, vague = 1, False
        found.append(_Figure(value, vague, "", token.idx, token.idx + len(token.text), token, predicate,
                             _source(token.i, attributions)))
    return found


#: nouns of people a count counts, even when the tagger took the count for part of a date
_VICTIM_NOUNS = _PEOPLE_SINGULAR | {"people", "person", "civilian", "child", "children", "woman", "women", "man", "men",
                                    "fighter", "soldier", "militant", "rebel", "member", "jihadist", "protester"}


def _is_year_or_age(token: Token) -> bool:
    text = token.text
    if re.fullmatch(r"(1[89]|20)\d\d", text):
        # a year unless it counts people ("2000 people"), and a year when a month or a day is written before it
        previous = token.doc[token.i - 1] if token.i > 0 else None
        if previous is not None and (previous.like_num or previous.lower_.rstrip(".") in MONTHS):
            return True
        return token.head.lemma_.lower() not in _PEOPLE_SINGULAR | {"people", "person", "civilian"} or \
            token.dep_ != "nummod"
    if token.ent_type_ == "DATE" and token.dep_ == "nummod" and token.head.lemma_.lower() in _VICTIM_NOUNS:
        return False  # "On Tuesday 25 people were killed": the tagger ran the count into the weekday
    if token.ent_type_ in {"DATE", "TIME", "MONEY", "PERCENT", "ORDINAL", "QUANTITY"}:
        return True
    return token.head.lemma_.lower() in {"age", "aged", "year", "old"} or any(
        c.lemma_.lower() in {"year", "old"} for c in token.children)


def _suicide_bomber_uncounted(sentence: Sequence[Token], figures: list[_Figure]) -> bool:
    """A suicide attack whose bomber is not among the figures: ACLED counts the bomber as a fatality."""
    if not any(t.lower_ == "suicide" for t in sentence):
        return False
    if any(f.noun.lower_ in _REFLEXIVES or f.noun.lemma_.lower() in {"bomber", "attacker", "assailant"}
           for f in figures):
        return False
    lemmas = {t.lemma_.lower() for t in sentence}
    if lemmas & {"survive", "arrest", "capture", "foil", "thwart", "defuse", "intercept", "neutralise",
                 "neutralize", "fail"}:
        return False
    text = " ".join(t.lower_ for t in sentence)
    return not re.search(r"\b(including|among them|among the dead|besides|excluding|not including)\b[^.;]*"
                         r"\b(bomber|attacker|assailant)s?\b", text)


def _combine(figures: list[_Figure]) -> tuple[int, int, int, _Figure]:
    """ACLED's figure, the low and high of the range, and the figure to cite.

    Figures from one source add up when they count different victims ("three soldiers and two civilians");
    the same victims counted twice, or counted by different sources, are alternative estimates: the lowest wins.
    """
    by_source: dict[int, list[_Figure]] = {}
    for figure in figures:
        by_source.setdefault(figure.source, []).append(figure)
    estimates: list[tuple[int, int, int, _Figure]] = []
    for group in by_source.values():
        victims: dict[str, list[_Figure]] = {}
        for figure in group:
            victims.setdefault(_victim_key(figure), []).append(figure)
        best = low = high = 0
        for found in victims.values():
            exact = [f for f in found if not f.vague]
            alternatives = exact or found  # a reported number beats "several" for the same victims
            values = [_best_value(f) for f in alternatives]
            best += min(values)
            low += min(_low_value(f) for f in alternatives)
            high += max(_high_value(f) for f in alternatives)
        first = min(group, key=lambda f: f.start)
        estimates.append((best, low, high, first))
    best, _, _, cited = min(estimates, key=lambda e: e[0])
    low = min(e[1] for e in estimates)
    high = max(e[2] for e in estimates)
    return best, min(low, best), max(high, best), cited


def _victim_key(figure: _Figure) -> str:
    """Which victims a figure counts: conjuncts of one phrase and different nouns are different victims."""
    noun = figure.noun
    lemma = noun.lemma_.lower()
    if noun.lower_ in _REFLEXIVES:
        return "the attacker"
    if noun.like_num or lemma in {"people", "person", "other", "victim", "dead", "toll", "death", "fatality"}:
        return f"people@{figure.predicate.i}" if lemma == "other" else "people"
    if lemma not in _PEOPLE_SINGULAR and not actor_rules.noun_kind(noun):
        return "people"  # "kills 16 outside a bakery": the parse hung the count on a place; it counts people
    return lemma


def _best_value(figure: _Figure) -> int:
    if figure.bound == "below":
        return max(figure.value - 1, 1)
    return figure.value


def _high_value(figure: _Figure) -> int:
    return _best_value(figure) if figure.bound == "below" else figure.value


def _low_value(figure: _Figure) -> int:
    # "up to 40" and "fewer than 10" say only that someone died
    return 1 if figure.bound in {"max", "below"} else _best_value(figure)


def fatalities(sentence: Sequence[Token]) -> Fatalities | None:
    """Fatalities reported in one clause or sentence (None when it reports no deaths)."""
    if not sentence:
        return None
    lemmas = {t.lemma_.lower() for t in sentence}
    lowered = {t.lower_ for t in sentence}
    if not lemmas & (_DEATH_WORDS | {"death"}) and "dead" not in lowered and not (
            lemmas & _HARM_VERBS and "death" in lowered) and "lose" not in lemmas and not (
            "life" in lemmas and lemmas & {"claim", "take", "cost"}):
        return None
    figures = _figures(sentence)
    numbered = {f.noun.i for f in figures} | {t.i for f in figures for t in f.noun.subtree if t.like_num}
    figures += _unnumbered_victims(sentence, numbered)
    positive = [f for f in figures if f.value > 0]
    if positive:
        best, low, high, cited = _combine(positive)
        if _suicide_bomber_uncounted(sentence, positive):
            best, low, high = best + 1, low + 1, high + 1
        return Fatalities(best, low, high, doc_text(cited.noun.doc)[cited.start:cited.end], cited.start, cited.end)
    if any(t.lemma_.lower() == "nobody" or (t.lower_ == "no" and t.head.lemma_.lower() in {
            "one", "death", "casualty", "fatality", "life", "body"}) for t in sentence):
        return Fatalities(0, 0, 0)
    if _plural_deaths(sentence):
        return Fatalities(PLURAL_UNKNOWN, PLURAL_UNKNOWN, PLURAL_UNKNOWN)
    return None


def _plural_deaths(sentence: Sequence[Token]) -> bool:
    """ "The clashes caused deaths": plural fatalities with no number count as ACLED's 3."""
    for token in sentence:
        if token.lower_ in {"deaths", "fatalities"} and not any(
                c.dep_ in {"nummod", "det", "amod"} and (c.like_num or c.lower_ in {"no", "any"})
                for c in token.children) and token.dep_ in {"dobj", "nsubj", "nsubjpass", "pobj", "attr"}:
            if _tally(token.head, token):
                continue
            return True
    return False


# --- crowd size ---------------------------------------------------------------------------------------------------


def _crowd_counted(noun: Token) -> bool:
    """The number counts the demonstrators, not people arrested, hurt or killed at the demonstration."""
    head = noun.head.lemma_.lower()
    if noun.dep_ in {"dobj", "nsubjpass", "pobj"} and head in _NOT_CROWD_VERBS | _INJURY_WORDS | _DEATH_WORDS:
        return False
    if noun.dep_ == "nsubj" and head in _INJURY_WORDS | {"die", "perish", "dead"}:
        return False
    if any(c.lemma_.lower() in _NOT_CROWD_VERBS and c.dep_ in {"acl", "relcl", "amod"} for c in noun.children):
        return False
    return _victim_predicate(noun) is None


_CROWD_QUALIFIER = re.compile(
    r"\b(?:at least|more than|over|up to|as many as|about|around|nearly|almost|some|approximately|roughly|"
    r"close to|an estimated|estimated|upwards of|fewer than|less than)\s+$", re.IGNORECASE)


def _crowd_phrase(run: list[Token]) -> tuple[str, int, int]:
    """The run with the words that qualify it ("about 2,000", "a few hundred"), lower-cased, and its span."""
    doc = run[0].doc
    start, end = run[0].idx, run[-1].idx + len(run[-1].text)
    before = doc_text(doc)[max(0, start - 30):start]
    match = _CROWD_QUALIFIER.search(before)
    if match is None and run[0].lower_ in {"few", "dozen", "hundred", "thousand", "couple"}:
        match = re.search(r"\ba\s+$", before, re.IGNORECASE)
    if match is not None:
        start -= len(before) - match.start()
    return doc_text(doc)[start:end].lower(), start, end


def _quantity(run: list[Token]) -> bool:
    """The run states a size ("200", "hundreds", "a few hundred"), not just "many" or "both"."""
    return any((t.like_num and t.lower_ not in {"one", "single"}) or t.lower_.rstrip("s") in _MULTIPLIERS
               or t.lower_ in {"tens", "scores"} for t in run)


def crowd_size(clause: Sequence[Token]) -> tuple[str, int, int] | None:
    """The crowd-size phrase of a demonstration clause: ``("hundreds", start, end)`` or None.

    The phrase is the text's own ("about 2,000", "tens of thousands", "a few hundred", "large"), as ACLED's
    ``crowd size=`` tag quotes it; numbers of people arrested, hurt or killed are not the crowd.
    """
    if not clause:
        return None
    for run in _runs(clause):
        head = _run_head(run)
        if _is_year_or_age(head) or (head.like_num and head.ent_type_ in {"DATE", "TIME", "MONEY"}):
            continue
        parsed = parse_number([t.text for t in run])
        if parsed is None or not _quantity(run) or (parsed[0] < 3 and not parsed[1]):
            continue
        noun = head.head if head.dep_ in {"nummod", "compound", "amod", "quantmod"} and head.head.i != head.i \
            else head
        if noun.i == head.i:
            # "hundreds of nurses", "a crowd of about 200", "thousands marched"
            people = next((g for c in head.children if c.dep_ == "prep" and c.lower_ == "of"
                           for g in c.children if g.dep_ == "pobj"), None)
            if people is not None:
                noun = people
            elif head.dep_ == "pobj" and head.head.lower_ == "of" and head.head.head.lemma_.lower() in _CROWD_NOUNS:
                noun = head.head.head
            elif head.dep_ not in {"nsubj", "nsubjpass", "conj", "appos", "dobj"}:
                continue
        lemma = noun.lemma_.lower()
        if noun.i != head.i and lemma not in _CROWD_PEOPLE | _CROWD_NOUNS and \
                actor_rules.noun_kind(noun) not in {"protester", "civilian", "rioter"}:
            continue
        if _subset(head) or not _crowd_counted(noun if noun.i != head.i else head):
            continue
        return _crowd_phrase(run)
    for token in clause:
        if token.lemma_.lower() in _CROWD_ADJECTIVES and token.dep_ == "amod" and \
                token.head.lemma_.lower() in _CROWD_NOUNS:
            return token.lower_, token.idx, token.idx + len(token.text)
        if token.lower_ == "handful" and any(c.lower_ == "of" for c in token.children):
            start = token.idx - 2 if token.i > 0 and token.nbor(-1).lower_ == "a" else token.idx
            text = doc_text(token.doc)[start:token.idx + len(token.text)]
            return text.lower(), start, token.idx + len(token.text)
    return None
