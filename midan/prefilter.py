"""A cheap first pass: which articles cannot hold an event, told from their tokens alone.

Every mention :mod:`midan.detect` makes is grouped from *cues*: a word whose lemma (or lower-cased form) is in
``LEMMA_CUES``, a word :func:`midan.detect.find_cues` reads as a cue by its sense (``SENSE_CUE_LEMMAS``, forms of
"strike"), or a ``PHRASE_CUES`` pattern. An article with none of them yields no mention, so no record and nothing
for ``--explain``; the full parse (tagger, parser, NER: most of the pipeline's time) and every later stage would be
spent on it for nothing.

The gate runs on the tokenizer's output only, before any statistical component, so it cannot know a token's
part of speech or lemma. It therefore asks what lemma a word *could* get: its lower-cased form, every form the
rule lemmatizer's exception tables and suffix rules give for any part of speech, and every lemma the attribute
ruler can set. A word is a possible cue when one of these is a cue lemma; a phrase pattern is possible when each
of its required tokens can match some word of the article. This over-approximates, never under-approximates, what
the full pipeline finds, so articles it passes are parsed exactly as before and articles it stops had no cue:
the records do not change (``tests/test_prefilter.py`` checks this against ``find_cues`` on parsed text).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from spacy.language import Language
from spacy.parts_of_speech import IDS as POS_IDS
from spacy.tokens import Doc

from midan import detect

logger = logging.getLogger(__name__)

__all__ = ["CueGate"]

#: a phrase pattern as the Matcher must find it: its constrained required tokens (the values their LEMMA and
#: LOWER may take; None: not constrained) and, between each and the next, the fewest and most tokens in between
_Slot = tuple[frozenset[str] | None, frozenset[str] | None]
_Phrase = tuple[list[_Slot], list[tuple[int, int]]]


def _values(spec: Any) -> frozenset[str] | None:
    """The strings a Matcher constraint accepts, or None when it accepts too much to list (a regex, a predicate)."""
    if isinstance(spec, str):
        return frozenset({spec.lower()})
    if isinstance(spec, Mapping) and set(spec) == {"IN"}:
        return frozenset(str(v).lower() for v in spec["IN"])
    return None


def _phrase(pattern: list[dict[str, Any]]) -> _Phrase:
    """The slots of a pattern and the gaps between them (optional tokens may be absent, ``*`` and the repeats of
    ``+`` any number; a negated token takes no place)."""
    slots: list[_Slot] = []
    gaps: list[tuple[int, int]] = []
    low = high = 0
    for token in pattern:
        op = token.get("OP")
        if op == "!":
            continue
        lemma, lower = _values(token.get("LEMMA")), _values(token.get("LOWER"))
        if op in {"?", "*"} or (lemma is None and lower is None):
            high += 1 if op in {"?", None, "1"} else detect.MAX_PHRASE
            low += 0 if op in {"?", "*"} else 1
            continue
        if slots:
            gaps.append((low, high))
        slots.append((lemma, lower))
        low, high = 0, (detect.MAX_PHRASE if op == "+" else 0)
    return slots, gaps


class CueGate:
    """``gate(doc)`` is False only for a tokenized Doc in which the full pipeline can find no cue.

    Built from the loaded spaCy pipeline's own lemmatizer tables and attribute ruler, so it follows the model.
    """

    def __init__(self, nlp: Language) -> None:
        #: per part of speech ("noun", "verb", ...): the lemmatizer's suffix rules and its exceptions
        self.rules: dict[str, list[tuple[str, str]]] = {}
        self.exceptions: dict[str, Mapping[str, list[str]]] = {}
        if "lemmatizer" in nlp.pipe_names:
            lookups = nlp.get_pipe("lemmatizer").lookups  # type: ignore[attr-defined]
            rules = lookups.get_table("lemma_rules", {})
            exceptions = lookups.get_table("lemma_exc", {})
            for pos in POS_IDS:
                name = pos.lower()
                if rules.get(name):
                    self.rules[name] = [(old, new) for old, new in rules[name]]
                if exceptions.get(name):
                    self.exceptions[name] = exceptions[name]
        # lemmas the attribute ruler sets whatever the word ("be" for "'s", "go" for "gon"): possible anywhere
        self.ruler_lemmas: frozenset[str] = frozenset()
        if "attribute_ruler" in nlp.pipe_names:
            self.ruler_lemmas = frozenset(
                str(p["attrs"]["LEMMA"]).lower() for p in nlp.get_pipe("attribute_ruler").patterns  # type: ignore
                if "LEMMA" in p["attrs"])
        #: lemmas that are cues whatever their part of speech (find_cues may still veto them in context)
        self.any_pos = frozenset(detect.LEMMA_CUES) - detect.NOUN_CUES - detect.UNREST_WORDS
        self.protest = frozenset(lemma for lemma, cue in detect.LEMMA_CUES.items() if cue == "PROTEST")
        #: the attribute ruler could make any word a cue: then nothing can be ruled out
        self.open = not self.ruler_lemmas.isdisjoint(self.any_pos | detect.NOUN_CUES | detect.VERB_CUES |
                                                      detect.UNREST_WORDS | {"strike"})
        self.phrases: list[_Phrase] = [_phrase(pattern) for patterns in detect.PHRASE_CUES.values()
                                       for pattern in patterns]
        self.slots: list[_Slot] = list(dict.fromkeys(slot for slots, _ in self.phrases for slot in slots))
        self._slot_index = {slot: i for i, slot in enumerate(self.slots)}
        self._lemmas = lru_cache(maxsize=1 << 18)(self._possible_lemmas)
        self._is_cue = lru_cache(maxsize=1 << 18)(self._word_is_cue)
        self._fills = lru_cache(maxsize=1 << 18)(self._slots_filled)

    def _possible_lemmas(self, lower: str, pos: str | None = None) -> frozenset[str]:
        """Every lemma the rule lemmatizer could give the word as ``pos`` (None: as any part of speech),
        lower-cased; the word itself is one (a base form, a proper noun, a part of speech without rules)."""
        forms = {lower}
        for name in (pos,) if pos else set(self.rules) | set(self.exceptions):
            for old, new in self.rules.get(name, ()):
                if lower.endswith(old):
                    forms.add(lower[:len(lower) - len(old)] + new)
            forms.update(self.exceptions.get(name, {}).get(lower, ()))
        return frozenset(form.lower() for form in forms)

    def _word_is_cue(self, lower: str) -> bool:
        """Whether :func:`midan.detect.find_cues` could read a cue on this word alone."""
        lemmas = self._lemmas(lower)
        return lower in detect.LEMMA_CUES or not lemmas.isdisjoint(self.any_pos) or \
            any(detect.strike_word(lemma, lower) for lemma in lemmas) or \
            not self._lemmas(lower, "noun").isdisjoint(detect.NOUN_CUES) or \
            not self._lemmas(lower, "verb").isdisjoint(detect.VERB_CUES)

    def _slots_filled(self, lower: str) -> tuple[int, ...]:
        """The phrase slots a word could fill."""
        lemmas = self._lemmas(lower) | self.ruler_lemmas
        return tuple(i for i, (want_lemma, want_lower) in enumerate(self.slots)
                     if (want_lemma is None or not want_lemma.isdisjoint(lemmas))
                     and (want_lower is None or lower in want_lower))

    def __call__(self, doc: Doc) -> bool:
        return self.could_hold_event([token.lower_ for token in doc])

    def could_hold_event(self, words: Sequence[str]) -> bool:
        """Whether a text with these lower-cased tokens, in order, may hold a cue."""
        if self.open or any(self._is_cue(word) for word in set(words)):
            return True
        lemmas = set(self.ruler_lemmas)
        for word in set(words):
            lemmas |= self._lemmas(word)
        if not lemmas.isdisjoint(detect.UNREST_WORDS) and not lemmas.isdisjoint(self.protest):
            return True  # "violent" said of a demonstration (a protest word find_cues did not take as a cue)
        where: dict[int, set[int]] = {}
        for i, word in enumerate(words):
            for slot in self._fills(word):
                where.setdefault(slot, set()).add(i)
        return any(self._phrase_fits(slots, gaps, where) for slots, gaps in self.phrases)

    def _phrase_fits(self, slots: list[_Slot], gaps: list[tuple[int, int]], where: Mapping[int, set[int]]) -> bool:
        """Whether the phrase's slots are filled in order, each gap within its bounds, in at most MAX_PHRASE
        tokens (``find_cues`` ignores longer matches)."""
        places = [where.get(self._slot_index[slot], set()) for slot in slots]
        if not all(places):
            return True if not slots else False
        for first in places[0]:
            reach = {first}
            for (low, high), allowed in zip(gaps, places[1:], strict=True):
                reach = {j for i in reach for j in range(i + 1 + low, i + 2 + high) if j in allowed}
                if not reach:
                    break
            if reach and min(reach) - first < detect.MAX_PHRASE:
                return True
        return False
