"""The spaCy stage keeps offsets and never lets a sentence run across paragraphs."""

from __future__ import annotations

from midan import nlp


def test_nlp_text_is_preserved_and_paragraphs_split(spacy_model):
    text = "KHARTOUM — Students marched\n\nPolice fired tear gas in Omdurman.\nA third line"
    doc = next(nlp.parse([text], spacy_model))
    assert doc.text == text
    sentences = [s.text.strip() for s in doc.sents]
    # the dateline is a sentence of its own, so the parser never takes it for the first sentence's subject
    assert sentences[:2] == ["KHARTOUM —", "Students marched"]
    assert any(s.startswith("Police fired") for s in sentences)


def test_nlp_dateline_end():
    assert nlp.dateline_end("KHARTOUM, Nov. 13 (Nile Courier) — Students marched.") > 0
    assert nlp.dateline_end("Students marched in Khartoum.") == 0


def test_nlp_public_api_is_pinned():
    import midan

    assert midan.__all__ == ["Analysis", "Article", "Classification", "Event", "Evidence", "GazetteerError",
                             "InputError", "MidanError", "Pipeline", "StoreError", "__version__", "classify",
                             "extract"]
    assert midan.Pipeline.__name__ == "Pipeline"


def test_nlp_colon_dateline_place():
    text = "This story is from March 10, 2002\n\nahmedabad: two persons were killed."
    start, end = nlp.dateline_place(text) or (0, 0)
    assert text[start:end] == "ahmedabad" and nlp.dateline_end(text) == end + 2
    assert nlp.dateline_place("Police said: two were killed.") is None


def test_nlp_doc_text_is_the_text_and_kept(spacy_model):
    doc = next(nlp.parse(["Protesters marched in Khartoum."], spacy_model))
    assert nlp.doc_text(doc) == doc.text and doc.user_data["midan.text"] == doc.text


def test_nlp_dateline_with_a_hyphenated_place():
    text = "PORT-AU-PRINCE, July 10 — Police and gangs fought."
    assert text[:nlp.dateline_end(text)] == "PORT-AU-PRINCE, July 10 —"
    assert nlp.dateline_place(text) == (0, 14)
