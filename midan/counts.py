"""Counts: fatalities by ACLED's conservative rules, and the crowd size of demonstrations.

ACLED records the lowest reported death toll; vague words get fixed values ("several/few/many" = 3, "dozens" =
12, "hundreds" = 100, "tens" = 10) and tallies over months or years are never put on one event. These are
ACLED's coding rules, so they are written here; the numbers themselves are read with spaCy's parse.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

from spacy.tokens import Token

from midan import actors as actor_rules

logger = logging.getLogger(__name__)

WORD_NUMBERS: dict[str, int] = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40,
    "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "thousand": 1000,
    "dozen": 12, "single": 1, "both": 2, "pair": 2, "couple": 2,
}
#: ACLED's values for vague quantities (spec §1, `fatalities`)
VAGUE: dict[str, int] = {
    "several": 3, "few": 3, "many": 3, "some": 3, "numerous": 3, "multiple": 3, "various": 3,
    "dozens": 12, "scores": 20, "hundreds": 100, "tens": 10, "thousands": 1000,
}
_DEATH_WORDS = frozenset({"kill", "die", "dead", "death", "toll", "body", "corpse", "murder", "execute",
                          "behead", "massacre", "slaughter", "assassinate", "lynch", "fatality", "perish", "shoot"})
_INJURY_WORDS = frozenset({"injure", "wound", "hurt", "injury", "casualty", "hospitalise", "hospitalize"})
_PEOPLE_SINGULAR = frozenset({"man", "woman", "person", "child", "boy", "girl", "leader", "officer", "soldier",
                              "policeman", "civilian", "journalist", "student", "farmer", "villager", "teacher",
                              "resident", "protester", "worker", "driver", "member", "trader", "pastor", "imam",
                              "chief", "activist", "official", "fighter", "militant", "rebel", "guard", "gunman",
                              "teenager", "baby", "doctor", "nurse", "lawyer", "priest", "unionist", "demonstrator"})
_CROWD_WORDS = re.compile(
    r"\b((?:tens of |several |many )?(?:thousands|hundreds|dozens|scores)|"
    r"(?:(?:about|around|some|nearly|almost|more than|over|at least|an estimated|roughly|up to) )?"
    r"\d[\d,]*(?:\.\d+)?(?: (?:thousand|million))?)"
    r"(?= (?:of )?(?:people|protesters|demonstrators|students|workers|supporters|marchers|residents|women|"
    r"teachers|farmers|activists|youths|rioters|opposition|men|members|doctors|nurses|traders|drivers|"
    r"villagers|mourners|fans|pupils|lawyers|miners|employees))",
    re.IGNORECASE,
)
_CROWD_NOUN = re.compile(r"\b(?:a )?(large|huge|big|small|massive) (crowd|rally|march|demonstration|gathering)\b",
                         re.IGNORECASE)


@dataclass
class Fatalities:
    """Fatalities of one mention: ACLED's figure plus the range the text supports and its evidence span."""

    best: int
    low: int
    high: int
    text: str = ""
    start: int = -1
    end: int = -1


def number_value(token: Token) -> tuple[int, bool] | None:
    """Numeric value of a number word or figure, and whether it is vague ("several" -> 3)."""
    word = token.lower_.replace(",", "")
    if any(c.lower_ in {"no", "none"} and c.dep_ == "det" for c in token.children):
        return 0, False  # "no one was killed"
    if token.dep_ == "compound" and token.head.like_num:
        return None  # "Twenty" of "Twenty-one": the head number carries the value
    if word in VAGUE:
        return VAGUE[word], True
    if re.fullmatch(r"\d+(\.\d+)?", word):
        value = float(word)
        nxt = token.nbor(1) if token.i + 1 < len(token.doc) else None
        if nxt is not None and nxt.lower_ in {"thousand", "million"}:
            value *= 1000 if nxt.lower_ == "thousand" else 1_000_000
        return int(value), False
    if "-" in word:
        parts = word.split("-")
        if all(p in WORD_NUMBERS for p in parts):
            return sum(WORD_NUMBERS[p] for p in parts), False
    if word in WORD_NUMBERS and word not in {"a", "an"}:
        value = WORD_NUMBERS[word]
        prev = token.nbor(-1) if token.i > 0 else None
        if prev is not None and prev.text == "-" and token.i > 1 and token.nbor(-2).lower_ in WORD_NUMBERS:
            return WORD_NUMBERS[token.nbor(-2).lower_] + value, False
        if word == "dozen" and prev is not None and prev.lower_ in WORD_NUMBERS and prev.lower_ not in {"a", "an"}:
            return WORD_NUMBERS[prev.lower_] * 12, False
        return value, False
    return None


def _is_year_or_age(token: Token) -> bool:
    text = token.text
    if re.fullmatch(r"(1[89]|20)\d\d", text):
        # a year unless it counts people ("2000 people")
        return token.head.lemma_.lower() not in _PEOPLE_SINGULAR | {"people", "person", "civilian"} or \
            token.dep_ != "nummod"
    if token.ent_type_ in {"DATE", "TIME", "MONEY", "PERCENT", "ORDINAL"}:
        return True
    return token.head.lemma_.lower() in {"age", "aged", "year", "old"}


def _near_death(token: Token) -> bool:
    """The number counts dead people: it hangs off a death word, or its noun is the patient of one."""
    node = token
    for _ in range(5):
        lemma = node.lemma_.lower()
        if lemma in _INJURY_WORDS:
            return False
        if lemma in _DEATH_WORDS and node.i != token.i:
            return True
        if any(c.lemma_.lower() in {"dead"} and c.dep_ in {"amod", "acomp", "oprd", "conj"} for c in node.children):
            return True
        if node.head.i == node.i:
            break
        node = node.head
    return False


def fatalities(sentence: Sequence[Token]) -> Fatalities | None:
    """Fatalities reported in one clause or sentence (None when it reports no deaths)."""
    lemmas = {t.lemma_.lower() for t in sentence}
    if not lemmas & _DEATH_WORDS and "dead" not in {t.lower_ for t in sentence}:
        return None
    figures: list[tuple[int, bool, Token]] = []
    for token in sentence:
        if token.dep_ in {"quantmod"} or _is_year_or_age(token):
            continue
        value = number_value(token)
        if value is None:
            continue
        if not _near_death(token):
            continue
        figures.append((value[0], value[1], token))
    # "a union leader was shot dead": a singular victim of a killing with no number
    if not figures:
        for token in sentence:
            if token.lemma_.lower() in _DEATH_WORDS and token.pos_ in {"VERB", "ADJ", "NOUN"}:
                victims = [c for c in token.children if c.dep_ in {"dobj", "nsubjpass"}]
                if token.lower_ == "dead" and token.head.pos_ == "VERB":
                    victims += [c for c in token.head.children if c.dep_ in {"dobj", "nsubjpass"}]
                for victim in victims:
                    if victim.tag_ in {"NN", "NNP"} and actor_rules.noun_kind(victim) in {
                            "civilian", "state", "protester", "rebel", "armed", "militia"}:
                        return Fatalities(1, 1, 1, victim.text, victim.idx, victim.idx + len(victim.text))
                    if (victim.tag_ in {"NN", "NNP"} and victim.lemma_.lower() in _PEOPLE_SINGULAR | {"person"}) or \
                            victim.ent_type_ == "PERSON":
                        return Fatalities(1, 1, 1, victim.text, victim.idx, victim.idx + len(victim.text))
                    if victim.tag_ == "NNS" and victim.lemma_.lower() in _PEOPLE_SINGULAR | {"people"}:
                        # a plural with no number: at least two people
                        return Fatalities(2, 2, 2, victim.text, victim.idx, victim.idx + len(victim.text))
        if any(t.lemma_.lower() in {"nobody"} or (t.lower_ == "no" and t.head.lemma_.lower() in {"one", "death",
                                                                                               "casualty"})
               for t in sentence):
            return Fatalities(0, 0, 0)
        return None
    exact = [f for f in figures if not f[1]]
    pool = exact or figures
    values = [v for v, _, _ in pool]
    low_value, _, token = min(pool, key=lambda f: f[0])
    return Fatalities(low_value, min(values), max(v for v, _, _ in figures), token.text, token.idx,
                      token.idx + len(token.text))


def crowd_size(clause: Sequence[Token]) -> tuple[str, int, int] | None:
    """The crowd-size phrase of a demonstration clause: ``("hundreds", start, end)`` or None."""
    if not clause:
        return None
    begin = min(t.idx for t in clause)
    end = max(t.idx + len(t.text) for t in clause)
    text = clause[0].doc.text[begin:end]
    match = _CROWD_WORDS.search(text)
    if match is None:
        match = _CROWD_NOUN.search(text)
        if match is None:
            return None
        return (match.group(1).lower(), begin + match.start(1), begin + match.end(1))
    value = match.group(1)
    return (value.lower(), begin + match.start(1), begin + match.end(1))
