"""midan: news articles to ACLED-style event data — geocoded, dated, evidence-linked, offline.

The public API is small: build a :class:`Pipeline` once, feed it :class:`Article` objects, get :class:`Event`
records. Heavy parts (spaCy, the gazetteer) load only when first used, so ``import midan`` stays cheap.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from midan._version import __version__
from midan.errors import GazetteerError, InputError, MidanError, StoreError
from midan.schema import Article, Event, Evidence

if TYPE_CHECKING:
    from midan.classifier import Classification, classify
    from midan.pipeline import Analysis, Pipeline, extract

logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = [
    "Analysis",
    "Article",
    "Classification",
    "Event",
    "Evidence",
    "GazetteerError",
    "InputError",
    "MidanError",
    "Pipeline",
    "StoreError",
    "__version__",
    "classify",
    "extract",
]

_LAZY = {
    "Analysis": "midan.pipeline",
    "Pipeline": "midan.pipeline",
    "extract": "midan.pipeline",
    "Classification": "midan.detect",
    "classify": "midan.classifier",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'midan' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
