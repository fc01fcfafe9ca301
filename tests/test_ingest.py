"""Reading every input kind, and skipping bad records with a warning that names the file and line."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import shutil
from pathlib import Path

import pytest

from midan import ingest
from midan.errors import InputError
from midan.schema import Article

DATA = Path(__file__).parent / "data" / "io"


def _stdin(monkeypatch, data: bytes) -> None:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


# --- plain text ----------------------------------------------------------------------------------------------


def test_ingest_txt_uses_published_stem_and_keeps_text_whole(tmp_path):
    text = "Police arrest nine in Kisumu\r\n\r\nPolice arrested nine people in Kisumu on Monday.\r\n"
    path = tmp_path / "story.txt"
    path.write_bytes(text.encode("utf-8"))
    (article,) = ingest.read_articles([path], published=dt.date(2025, 1, 2))
    assert (article.id, article.published, article.text) == ("story", dt.date(2025, 1, 2), text)
    assert article.title == "Police arrest nine in Kisumu" and article.source == ""
    assert article.origin == str(path)


def test_ingest_txt_without_headline_has_no_title(tmp_path, caplog):
    path = tmp_path / "s.txt"
    path.write_text("Police arrested nine people in Kisumu.\nThey were released on Tuesday.", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        (article,) = ingest.read_articles([path])
    assert article.title == "" and article.published is None
    assert "no publication date" in caplog.text


def test_ingest_undecodable_bytes_are_replaced_and_warned_once(tmp_path, caplog):
    path = tmp_path / "latin.txt"
    path.write_bytes("Protest in Bogot\xe1 and Medell\xedn.".encode("latin-1"))
    with caplog.at_level(logging.WARNING):
        (article,) = ingest.read_articles([path], published=dt.date(2025, 1, 2))
    assert article.text == "Protest in Bogot\ufffd and Medell\ufffdn."
    assert caplog.text.count("not valid UTF-8") == 1 and "latin.txt" in caplog.text


def test_ingest_utf8_bom_is_dropped(tmp_path):
    path = tmp_path / "bom.txt"
    path.write_bytes("\ufeffClashes in Goma.".encode())
    assert [a.text for a in ingest.read_articles([path])] == ["Clashes in Goma."]


def test_ingest_empty_file_is_warned(tmp_path, caplog):
    path = tmp_path / "empty.txt"
    path.write_text("  \n", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        assert list(ingest.read_articles([path])) == []
    assert "empty.txt" in caplog.text and "no articles" in caplog.text


# --- HTML ----------------------------------------------------------------------------------------------------


def test_ingest_html_main_text_and_metadata():
    (article,) = ingest.read_articles([DATA / "page.html"], published=dt.date(2000, 1, 1))
    assert "Several thousand teachers marched" in article.text
    assert "Newsletter" not in article.text and "Sport" not in article.text
    assert article.published == dt.date(2025, 2, 18)  # the page's own date wins over the argument
    assert article.source == "Coastline Herald" and article.id == "page"
    assert article.url == "https://example-news.org/ghana/teachers-march"
    assert article.title == "Teachers march in Accra over unpaid allowances"
    assert "\n\n" in article.text


def test_ingest_html_declared_charset_and_date_fallback():
    (article,) = ingest.read_articles([DATA / "latin1.html"], published=dt.date(2025, 3, 6))
    assert "centre of Bogotá on Thursday" in article.text and "\ufffd" not in article.text
    assert article.published == dt.date(2025, 3, 6)


def test_ingest_html_without_text_is_skipped(tmp_path, caplog):
    path = tmp_path / "blank.html"
    path.write_text("<html><head><title>x</title></head><body><script>var a = 1;</script></body></html>",
                    encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        assert list(ingest.read_articles([path])) == []
    assert "blank.html" in caplog.text


# --- feeds ---------------------------------------------------------------------------------------------------


def test_ingest_rss_items(caplog):
    with caplog.at_level(logging.WARNING):
        articles = list(ingest.read_articles([DATA / "feed.xml"]))
    assert len(articles) == 1
    (article,) = articles
    assert article.published == dt.date(2025, 2, 18) and article.source == "Test Wire"
    assert article.id == "goma-1" and article.url == "https://example-news.org/goma"
    assert article.text == ("GOMA — Government troops clashed with rebels near Goma on Monday, killing four "
                            "fighters.\n\nResidents fled towards Sake.")
    assert "feed.xml:item 2" in caplog.text


def test_ingest_atom_content_wins_and_undated_entry_takes_fallback():
    first, second = ingest.read_articles([DATA / "wire.atom"], published=dt.date(2025, 3, 4))
    assert first.text.startswith("DJIBO — Unidentified gunmen") and "track()" not in first.text
    assert "Survivors fled" in first.text and "Short summary" not in first.text
    assert (first.published, first.source, first.id) == (dt.date(2025, 3, 3), "Sahel Monitor",
                                                         "urn:sahel-monitor:djibo-1")
    assert second.published == dt.date(2025, 3, 4) and second.title == "Undated brief"


def test_ingest_feed_sniffed_by_content(tmp_path):
    path = tmp_path / "wire-latest"
    shutil.copy(DATA / "feed.xml", path)
    assert [a.id for a in ingest.read_articles([path])] == ["goma-1"]
    assert [a.id for a in ingest.read_articles([tmp_path])] == ["goma-1"]


def test_ingest_xml_that_is_not_a_feed_is_warned(tmp_path, caplog):
    path = tmp_path / "config.xml"
    path.write_text("<config><a>1</a></config", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        assert list(ingest.read_articles([path])) == []
    assert "config.xml" in caplog.text


# --- records -------------------------------------------------------------------------------------------------


def test_ingest_jsonl_records_and_bad_lines(caplog):
    path = DATA / "articles.jsonl"
    with caplog.at_level(logging.WARNING):
        articles = list(ingest.read_articles([path]))
    assert [a.id for a in articles[:2]] == ["kis-1", "kis-2"] and len(articles) == 3
    first = articles[0]
    assert (first.title, first.url, first.source, first.published) == (
        "Police disperse traders in Kisumu", "https://example-news.org/kisumu", "Lakeside Times", dt.date(2025, 5, 6))
    assert articles[1].published == dt.date(2025, 5, 8)  # ISO datetime with offset
    assert articles[2].published == dt.date(2025, 5, 8)  # RFC 822
    assert articles[2].origin == f"{path}:6"
    for line, reason in ((3, "invalid JSON"), (4, "text"), (5, "last Tuesday")):
        assert any(r.getMessage().startswith(f"{path}:{line}: ") and reason in r.getMessage() for r in caplog.records)
    assert len(caplog.records) == 3


def test_ingest_jsonl_missing_id_is_a_stable_content_hash(tmp_path):
    path = tmp_path / "a.jsonl"
    line = json.dumps({"text": "Clashes in Goma.", "published": "2025-03-01"})
    path.write_text(f"{line}\n\n{line}\n[1, 2]\n" + json.dumps({"id": 7, "text": "x"}) + "\n", encoding="utf-8")
    a, b, c = ingest.read_articles([path])
    assert a.id == b.id and a.id.startswith("a") and len(a.id) == 13
    assert c.id == "7"


def test_ingest_csv_records_and_bad_rows(caplog):
    path = DATA / "articles.csv"
    with caplog.at_level(logging.WARNING):
        articles = list(ingest.read_articles([path]))
    assert [a.id for a in articles] == ["acc-1", "acc-4"]
    assert articles[0].text == "ACCRA — Teachers marched in Accra on Monday.\n\nThey handed over a petition."
    assert articles[0].origin == f"{path}:2" and articles[1].origin == f"{path}:7"
    assert articles[0].source == "Coastline Herald" and articles[0].published == dt.date(2025, 2, 17)
    assert f"{path}:5: missing or empty 'text'" in caplog.text
    assert f"{path}:6: " in caplog.text and "17/02/2025" in caplog.text


def test_ingest_csv_without_text_column_and_long_fields(tmp_path, caplog):
    bad = tmp_path / "bad.csv"
    bad.write_text("id,body\n1,Clashes.\n", encoding="utf-8")
    long = tmp_path / "long.csv"
    long.write_text('ID, Text \n1,"' + "Protesters marched. " * 10000 + '"\n', encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        assert list(ingest.read_articles([bad])) == []
        (article,) = ingest.read_articles([long])
    assert "bad.csv:1: no 'text' column" in caplog.text
    assert len(article.text) == 200000 and article.id == "1"


# --- directories, stdin, errors ------------------------------------------------------------------------------


def test_ingest_directory_is_recursive_sorted_and_warns_on_unsupported(tmp_path, caplog):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "2.txt").write_text("Second.", encoding="utf-8")
    (tmp_path / "1.txt").write_text("First.", encoding="utf-8")
    (tmp_path / "a.jsonl").write_text('{"id": "j", "text": "Records."}\n', encoding="utf-8")
    (tmp_path / "notes.docx").write_text("x", encoding="utf-8")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "HEAD.txt").write_text("hidden", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        texts = [a.text for a in ingest.read_articles([tmp_path])]
    assert texts == ["First.", "Records.", "Second."]
    assert "notes.docx" in caplog.text and "HEAD" not in caplog.text


def test_ingest_empty_directory_is_warned(tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        assert list(ingest.read_articles([tmp_path])) == []
    assert "no supported files" in caplog.text and str(tmp_path) in caplog.text


def test_ingest_stdin_jsonl_text_and_feed(monkeypatch):
    _stdin(monkeypatch, b'\n{"id": "s", "text": "Clashes in Goma."}\n{bad\n')
    assert [a.id for a in ingest.read_articles(["-"])] == ["s"]
    _stdin(monkeypatch, b"Clashes in Goma.\n")
    (article,) = ingest.read_articles(["-"], published=dt.date(2025, 1, 1))
    assert (article.id, article.text, article.published) == ("stdin", "Clashes in Goma.\n", dt.date(2025, 1, 1))
    _stdin(monkeypatch, (DATA / "feed.xml").read_bytes())
    assert [a.id for a in ingest.read_articles(["-"])] == ["goma-1"]
    monkeypatch.setattr("sys.stdin", io.StringIO("Plain string stdin."))  # no .buffer
    assert [a.text for a in ingest.read_articles(["-"])] == ["Plain string stdin."]


def test_ingest_missing_path_fails_before_reading_anything(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("Clashes.", encoding="utf-8")
    with pytest.raises(InputError, match="no such file or directory") as info:
        ingest.read_articles([good, tmp_path / "missing.txt"])
    assert "\n" not in str(info.value)


def test_ingest_unsupported_suffix_given_by_name(tmp_path):
    bad = tmp_path / "x.docx"
    bad.write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match=r"unsupported input type '\.docx'"):
        ingest.read_articles([bad])


def test_ingest_fingerprint_ignores_whitespace_and_case():
    a = Article(id="a", text="Police  fired\n tear gas.")
    b = Article(id="b", text="police fired tear gas.")
    c = Article(id="a", text="Police fired rubber bullets.")
    assert ingest.fingerprint(a) == ingest.fingerprint(b) != ingest.fingerprint(c)
    assert len(ingest.fingerprint(a)) == 40


@pytest.mark.parametrize(("value", "expected"), [
    ("2025-05-06", dt.date(2025, 5, 6)), ("2025-05-06T23:30:00Z", dt.date(2025, 5, 6)),
    ("Tue, 06 May 2025 10:00:00 GMT", dt.date(2025, 5, 6)), ("", None), (None, None),
    (dt.datetime(2025, 5, 6, 9), dt.date(2025, 5, 6)),
])
def test_ingest_parse_published(value, expected):
    assert ingest.parse_published(value) == expected


@pytest.mark.parametrize("value", ["soon", "2025-13-01", "17/02/2025", 20250506])
def test_ingest_parse_published_rejects(value):
    with pytest.raises(ValueError, match="invalid date"):
        ingest.parse_published(value)


# --- snippets ------------------------------------------------------------------------------------------------


def test_ingest_snippets_skip_bad_lines(tmp_path, caplog):
    path = tmp_path / "s.jsonl"
    path.write_text("\n".join([
        '{"id": 1, "text": "Clashes in Goma.", "published": "2025-01-01"}',
        '{"id": 2}',
        "{oops",
        '{"id": "c", "text": "Riots.", "published": "next week"}',
        '{"text": "No id."}',
    ]) + "\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        rows = list(ingest.read_snippets(path))
    assert rows == [{"id": 1, "text": "Clashes in Goma.", "published": dt.date(2025, 1, 1), "home": ""},
                    {"id": 5, "text": "No id.", "published": None, "home": ""}]
    for line in (2, 3, 4):
        assert f"s.jsonl:{line}: " in caplog.text


def test_ingest_snippets_stdin_and_errors(tmp_path, monkeypatch):
    _stdin(monkeypatch, b'{"id": "x", "text": "Clashes."}\n')
    assert [r["id"] for r in ingest.read_snippets("-")] == ["x"]
    with pytest.raises(InputError, match="no such file"):
        ingest.read_snippets(tmp_path / "missing.jsonl")
    other = tmp_path / "s.txt"
    other.write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match=r"expected \.jsonl"):
        ingest.read_snippets(other)
