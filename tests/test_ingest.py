"""Reading every input kind, and skipping bad records with a warning that names the file and line."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
from pathlib import Path

import pytest

from midan import ingest
from midan.errors import InputError
from midan.schema import Article

DATA = Path(__file__).parent / "data" / "io"


def test_ingest_txt_uses_published_and_stem(tmp_path):
    path = tmp_path / "story.txt"
    path.write_text("Police arrested nine people in Kisumu.\n", encoding="utf-8")
    (article,) = ingest.read_articles([path], published=dt.date(2025, 1, 2))
    assert (article.id, article.published, article.text) == ("story", dt.date(2025, 1, 2), path.read_text())


def test_ingest_html_main_text_and_metadata():
    (article,) = ingest.read_articles([DATA / "page.html"])
    assert "Several thousand teachers marched" in article.text
    assert "Newsletter" not in article.text and "Sport" not in article.text
    assert article.published == dt.date(2025, 2, 18)
    assert article.source == "Coastline Herald"
    assert "\n\n" in article.text


def test_ingest_feed_items(caplog):
    with caplog.at_level(logging.WARNING):
        articles = list(ingest.read_articles([DATA / "feed.xml"]))
    assert len(articles) == 1
    assert articles[0].published == dt.date(2025, 2, 18) and articles[0].source == "Test Wire"
    assert "Residents fled" in articles[0].text and "<p>" not in articles[0].text
    assert "feed.xml:item 2" in caplog.text


def test_ingest_jsonl_skips_bad_lines(tmp_path, caplog):
    path = tmp_path / "a.jsonl"
    path.write_text("\n".join([
        json.dumps({"id": "1", "text": "Riots in Lagos.", "published": "2025-03-01", "source": "X"}),
        "{not json",
        json.dumps({"id": "3", "text": ""}),
        json.dumps({"id": "4", "text": "Clashes.", "published": "yesterday-ish"}),
        json.dumps({"text": "No id here.", "published": "2025-03-01T10:00:00Z"}),
        "[1, 2]",
    ]) + "\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        articles = list(ingest.read_articles([path]))
    assert [a.text for a in articles] == ["Riots in Lagos.", "No id here."]
    assert articles[1].id.startswith("a") and articles[1].published == dt.date(2025, 3, 1)
    for line in (2, 3, 4, 6):
        assert f"a.jsonl:{line}" in caplog.text


def test_ingest_csv(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text('id,title,text,published,url,source\n1,T,"Protest in Lima, Peru.",2025-04-01,u,S\n',
                    encoding="utf-8")
    (article,) = ingest.read_articles([path])
    assert article.text == "Protest in Lima, Peru." and article.source == "S" and article.origin.endswith(":2")


def test_ingest_directory_is_recursive_and_sorted(tmp_path, caplog):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "2.txt").write_text("Second.", encoding="utf-8")
    (tmp_path / "1.txt").write_text("First.", encoding="utf-8")
    (tmp_path / "notes.docx").write_text("x", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        texts = [a.text for a in ingest.read_articles([tmp_path])]
    assert texts == ["First.", "Second."]
    assert "notes.docx" in caplog.text


def test_ingest_stdin_jsonl_and_text(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO('{"id": "s", "text": "Clashes in Goma."}\n'))
    assert [a.id for a in ingest.read_articles(["-"])] == ["s"]
    monkeypatch.setattr("sys.stdin", io.StringIO("Clashes in Goma."))
    assert [a.text for a in ingest.read_articles(["-"])] == ["Clashes in Goma."]


def test_ingest_errors(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        list(ingest.read_articles([tmp_path / "missing.txt"]))
    bad = tmp_path / "x.docx"
    bad.write_text("x")
    with pytest.raises(InputError, match="unsupported"):
        list(ingest.read_articles([bad]))


def test_ingest_undecodable_bytes_are_replaced(tmp_path, caplog):
    path = tmp_path / "latin.txt"
    path.write_bytes("Protest in Bogot\xe1.".encode("latin-1"))
    with caplog.at_level(logging.WARNING):
        (article,) = ingest.read_articles([path])
    assert article.text.startswith("Protest in Bogot") and "UTF-8" in caplog.text


def test_ingest_fingerprint_ignores_whitespace_and_case():
    a = Article(id="a", text="Police  fired\n tear gas.")
    b = Article(id="b", text="police fired tear gas.")
    assert ingest.fingerprint(a) == ingest.fingerprint(b)


def test_ingest_snippets(tmp_path, caplog):
    path = tmp_path / "s.jsonl"
    path.write_text('{"id": 1, "text": "x", "published": "2025-01-01"}\n{"id": 2}\n', encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        rows = list(ingest.read_snippets(path))
    assert rows == [{"id": 1, "text": "x", "published": dt.date(2025, 1, 1)}]
    assert "s.jsonl:2" in caplog.text
