"""Shared fixtures: the spaCy pipeline and the gazetteer are loaded once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DATASETS = SHARED / "datasets"


@pytest.fixture(scope="session")
def spacy_model():
    from midan import nlp

    return nlp.load()


@pytest.fixture(scope="session")
def gazetteer():
    from midan.gazetteer import Gazetteer

    return Gazetteer()


@pytest.fixture(scope="session")
def pipeline(spacy_model, gazetteer):
    from midan.pipeline import Pipeline

    return Pipeline(spacy_model=spacy_model, gazetteer=gazetteer)


@pytest.fixture()
def parse(spacy_model):
    """Parse one text with the project's spaCy stage."""
    from midan import nlp

    def _parse(text: str):
        return next(nlp.parse([text], spacy_model))

    return _parse
