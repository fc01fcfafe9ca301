"""Reading articles: plain text, HTML pages, JSONL and CSV records, RSS/Atom feeds, directories and stdin.

HTML main text comes from trafilatura, feeds from feedparser. A bad record (invalid JSON, no text, an
unreadable date) is skipped with a warning naming the file and line; nothing else is lost.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import html
import json
import logging
import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from midan.errors import Errors, InputError
from midan.schema import Article

logger = logging.getLogger(__name__)

TEXT_SUFFIXES = {".txt"}
HTML_SUFFIXES = {".html", ".htm"}
FEED_SUFFIXES = {".xml", ".rss", ".atom"}
SUPPORTED = TEXT_SUFFIXES | HTML_SUFFIXES | FEED_SUFFIXES | {".jsonl", ".csv"}
_TAGS = re.compile(r"<[^>]+>")
_BLOCKS = re.compile(r"</(?:p|div|h[1-6]|li|blockquote)>|<br\s*/?>", re.IGNORECASE)


def fingerprint(article: Article) -> str:
    """Content fingerprint: the same story text from any file or feed gives the same fingerprint."""
    normalised = " ".join(article.text.split()).casefold()
    return hashlib.sha1(normalised.encode("utf-8")).hexdigest()


def parse_published(value: Any) -> dt.date | None:
    """A publication date from ``YYYY-MM-DD``, an ISO datetime or an RFC 822 date; raises ValueError."""
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        pass
    from email.utils import parsedate_to_datetime

    try:
        return parsedate_to_datetime(text).date()
    except (TypeError, ValueError):
        raise ValueError(f"unreadable date {text!r}") from None


def read_articles(paths: Sequence[str | Path], published: dt.date | None = None) -> Iterator[Article]:
    """Every article in the given files, directories or ``-`` (stdin), in order."""
    for raw in paths:
        if str(raw) == "-":
            yield from _stdin(published)
            continue
        path = Path(raw)
        if not path.exists():
            raise InputError(Errors.E001.format(path=path))
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
            for file in files:
                if file.suffix.lower() in SUPPORTED:
                    yield from _read_file(file, published)
                elif file.suffix.lower() not in {".md", ".json", ".gz"}:
                    logger.warning("%s: skipped (unsupported file type)", file)
            continue
        if path.suffix.lower() not in SUPPORTED:
            raise InputError(Errors.E002.format(suffix=path.suffix or path.name, path=path))
        yield from _read_file(path, published)


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(Errors.E009.format(path=path, reason=exc.strerror or exc)) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        logger.warning("%s: not valid UTF-8; undecodable bytes replaced", path)
        return data.decode("utf-8", errors="replace")


def _read_file(path: Path, published: dt.date | None) -> Iterator[Article]:
    suffix = path.suffix.lower()
    count = 0
    if suffix == ".jsonl":
        reader: Iterable[Article] = _records(_jsonl(_read_text(path), str(path)), str(path), published)
    elif suffix == ".csv":
        reader = _records(_csv(_read_text(path), str(path)), str(path), published)
    elif suffix in HTML_SUFFIXES:
        reader = _html(path, published)
    elif suffix in FEED_SUFFIXES:
        reader = _feed(_read_text(path), str(path))
    else:
        reader = _plain(_read_text(path), path.stem, str(path), published)
    for article in reader:
        count += 1
        yield article
    if count == 0:
        logger.warning("%s: no articles found", path)


def _stdin(published: dt.date | None) -> Iterator[Article]:
    text = sys.stdin.read()
    if text.lstrip().startswith("{"):
        yield from _records(_jsonl(text, "<stdin>"), "<stdin>", published)
    else:
        yield from _plain(text, "stdin", "<stdin>", published)


def _plain(text: str, stem: str, origin: str, published: dt.date | None) -> Iterator[Article]:
    if not text.strip():
        logger.warning("%s: empty text; skipped", origin)
        return
    if published is None:
        logger.warning("%s: no publication date (use --published); relative dates stay unresolved", origin)
    yield Article(id=stem, text=text, published=published, origin=origin)


def _jsonl(text: str, origin: str) -> Iterator[tuple[int, dict[str, Any] | None]]:
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            logger.warning(Errors.E003.format(path=origin, line=number, reason=f"invalid JSON ({exc.msg}); skipped"))
            yield number, None
            continue
        if not isinstance(record, dict):
            logger.warning(Errors.E003.format(path=origin, line=number, reason="not a JSON object; skipped"))
            yield number, None
            continue
        yield number, record


def _csv(text: str, origin: str) -> Iterator[tuple[int, dict[str, Any] | None]]:
    try:
        reader = csv.DictReader(text.splitlines(keepends=True))
        for row in reader:
            yield reader.line_num, dict(row)
    except csv.Error as exc:
        logger.warning("%s: malformed CSV (%s); the rest of the file is skipped", origin, exc)


def _records(rows: Iterable[tuple[int, dict[str, Any] | None]], origin: str,
             published: dt.date | None) -> Iterator[Article]:
    for number, record in rows:
        if record is None:
            continue
        article = record_to_article(record, f"{origin}:{number}", published)
        if article is not None:
            yield article


def record_to_article(record: dict[str, Any], origin: str, published: dt.date | None = None) -> Article | None:
    """An Article from a ``{id, title, text, published, url, source}`` record, or None (warned) when bad."""
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        logger.warning("%s: no text; skipped", origin)
        return None
    try:
        date = parse_published(record.get("published")) or published
    except ValueError as exc:
        logger.warning("%s: %s; skipped", origin, exc)
        return None
    ident = str(record.get("id") or "").strip() or "a" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]
    return Article(id=ident, text=text, title=str(record.get("title") or ""), published=date,
                   url=str(record.get("url") or ""), source=str(record.get("source") or ""), origin=origin)


def _html(path: Path, published: dt.date | None) -> Iterator[Article]:
    import trafilatura

    raw = _read_text(path)
    extracted = trafilatura.bare_extraction(raw, with_metadata=True, include_comments=False, include_tables=False)
    document = extracted.as_dict() if hasattr(extracted, "as_dict") else extracted
    if not document or not (document.get("text") or "").strip():
        logger.warning("%s: no main text found; skipped", path)
        return
    text = document["text"]
    # trafilatura separates paragraphs with single newlines; midan's stages read a blank line as a paragraph end
    text = re.sub(r"\n(?=\S)", "\n\n", text)
    try:
        date = parse_published(document.get("date")) or published
    except ValueError:
        date = published
    yield Article(id=path.stem, text=text, title=document.get("title") or "", published=date,
                  url=document.get("url") or "", source=document.get("sitename") or "", origin=str(path))


def _strip_html(value: str) -> str:
    text = _BLOCKS.sub("\n\n", value)
    text = html.unescape(_TAGS.sub("", text))
    text = re.sub(r"[ \t]+", " ", text)
    return re.sub(r"\n\s*\n(\s*\n)*", "\n\n", text).strip()


def _feed(raw: str, origin: str) -> Iterator[Article]:
    import feedparser

    feed = feedparser.parse(raw)
    if feed.bozo and not feed.entries:
        logger.warning("%s: not a readable RSS/Atom feed (%s); skipped", origin, feed.get("bozo_exception"))
        return
    source = feed.feed.get("title", "")
    for number, entry in enumerate(feed.entries, 1):
        body = ""
        if entry.get("content"):
            body = entry.content[0].get("value", "")
        body = body or entry.get("summary", "")
        text = _strip_html(body)
        where = f"{origin}:item {number}"
        if not text:
            logger.warning("%s: no text; skipped", where)
            continue
        date = None
        parsed = entry.get("published_parsed") or entry.get("updated_parsed")
        if parsed:
            date = dt.date(parsed.tm_year, parsed.tm_mon, parsed.tm_mday)
        ident = entry.get("id") or entry.get("link") or f"{Path(origin).stem}-{number}"
        yield Article(id=str(ident), text=text, title=entry.get("title", ""), published=date,
                      url=entry.get("link", ""), source=source, origin=where)


def read_snippets(source: str | Path) -> Iterator[dict[str, Any]]:
    """``{id, text, published?}`` records for classify/geoparse/timex; bad lines warned and skipped."""
    if str(source) == "-":
        text, origin = sys.stdin.read(), "<stdin>"
    else:
        path = Path(source)
        if not path.exists():
            raise InputError(Errors.E001.format(path=path))
        if path.is_dir() or path.suffix.lower() not in {".jsonl", ".json", ".ndjson"}:
            raise InputError(Errors.E002.format(suffix=path.suffix or path.name, path=path).replace(
                "(expected .txt, .html, .jsonl, .csv, .xml/.rss/.atom)", "(expected .jsonl)"))
        text, origin = _read_text(path), str(path)
    for number, record in _jsonl(text, origin):
        if record is None:
            continue
        body = record.get("text")
        if not isinstance(body, str) or not body.strip():
            logger.warning(Errors.E003.format(path=origin, line=number, reason="no text; skipped"))
            continue
        try:
            published = parse_published(record.get("published"))
        except ValueError as exc:
            logger.warning(Errors.E003.format(path=origin, line=number, reason=f"{exc}; skipped"))
            continue
        yield {"id": record.get("id", number), "text": body, "published": published}
