"""Reading articles: plain text, HTML pages, JSONL and CSV records, RSS/Atom feeds, directories and stdin.

HTML main text comes from trafilatura, feeds from feedparser. A bad record (invalid JSON, no text, an
unreadable date) is skipped with a warning naming the file and line (``path:line: reason``); nothing else is
lost. Paths are checked before anything is read, so a typo in the last argument fails at once.
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
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

from midan.errors import Errors, InputError
from midan.schema import Article

logger = logging.getLogger(__name__)

#: suffix -> reader kind
KINDS: dict[str, str] = {
    ".txt": "text",
    ".html": "html", ".htm": "html",
    ".jsonl": "jsonl", ".ndjson": "jsonl",
    ".csv": "csv",
    ".xml": "feed", ".rss": "feed", ".atom": "feed",
}
SUPPORTED = frozenset(KINDS)
SNIPPET_SUFFIXES = frozenset({".jsonl", ".ndjson", ".json"})
STDIN = "-"

_SNIFF_BYTES = 4096
_FEED_ROOT = re.compile(rb"<(?:rss|feed|rdf:RDF)\b", re.IGNORECASE)
_HTML_ROOT = re.compile(r"<(?:!doctype\s+html|html)\b", re.IGNORECASE)
_DROP = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_TAGS = re.compile(r"<[^>]+>")
_BLOCKS = re.compile(r"</(?:p|div|h[1-6]|li|blockquote|tr|table)\s*>|<br\s*/?>", re.IGNORECASE)
_SENTENCE_END = (".", "!", "?", ":", ";", ",", '"', "”", "’")

# --- small helpers shared by every reader --------------------------------------------------------------------


def fingerprint(article: Article) -> str:
    """Content fingerprint (sha1 of the whitespace-normalised, casefolded text): the same story from any file or
    feed gives the same fingerprint, which is how the store recognises articles it already holds."""
    normalised = " ".join(article.text.split()).casefold()
    return hashlib.sha1(normalised.encode("utf-8")).hexdigest()


def parse_published(value: Any) -> dt.date | None:
    """A publication date from ``YYYY-MM-DD``, an ISO 8601 datetime or an RFC 822 date (feeds, e-mail).

    Empty values give None; anything else unreadable raises ValueError with a one-line message.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        raise ValueError(Errors.E004.format(value=value))
    text = value.strip()
    for parse in (dt.date.fromisoformat, lambda s: dt.datetime.fromisoformat(s).date()):
        try:
            return parse(text)
        except ValueError:
            pass
    try:
        return parsedate_to_datetime(text).date()
    except (TypeError, ValueError, IndexError):
        raise ValueError(Errors.E004.format(value=text)) from None


def _decode(data: bytes, origin: str) -> str:
    """UTF-8 text (a BOM is dropped); undecodable bytes are replaced and the file is warned about once."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        logger.warning(Errors.E010.format(path=origin))
        return data.decode("utf-8-sig", errors="replace")


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(Errors.E009.format(path=path, reason=exc.strerror or exc)) from None


def _warn(origin: str, line: int | str, reason: str) -> None:
    logger.warning(Errors.E003.format(path=origin, line=line, reason=reason))


def _sniff(head: bytes) -> str | None:
    """``feed`` or ``html`` when the first bytes of a file look like one, else None."""
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if start.startswith(b"<") and _FEED_ROOT.search(start[:_SNIFF_BYTES]):
        return "feed"
    if _HTML_ROOT.match(start[:200].decode("ascii", errors="ignore")):
        return "html"
    return None


def _headline(text: str) -> str:
    """The first line of a plain-text article when it reads like a headline (short, no closing punctuation)."""
    lines = text.strip().splitlines()
    if len(lines) < 2:
        return ""
    first = lines[0].strip()
    if 0 < len(first) <= 200 and not first.endswith(_SENTENCE_END):
        return first
    return ""


def _content_id(text: str) -> str:
    return "a" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


# --- articles ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Source:
    """One checked input: stdin, a directory, or a file of a known kind."""

    kind: str  # "stdin", "dir", or one of KINDS' values
    path: Path | None = None


def read_articles(paths: Sequence[str | Path], published: dt.date | None = None) -> Iterator[Article]:
    """Every article in the given files, directories or ``-`` (standard input), in argument order.

    ``published`` is the date of plain-text input (and the fallback when a page or record has none). Every path
    is checked first: a missing path or an unsupported file given by name raises :class:`InputError` before
    anything is read. Bad records inside a file are skipped with a warning.
    """
    sources = [_check(raw) for raw in paths]
    return _articles(sources, published)


def _check(raw: str | Path) -> _Source:
    if str(raw) == STDIN:
        return _Source("stdin")
    path = Path(raw).expanduser()
    if not path.exists():
        raise InputError(Errors.E001.format(path=path))
    if path.is_dir():
        return _Source("dir", path)
    kind = _kind(path)
    if kind is None:
        raise InputError(Errors.E002.format(suffix=path.suffix or path.name, path=path))
    return _Source(kind, path)


def _kind(path: Path) -> str | None:
    """The reader for a file: by suffix, else by content when it sniffs as an RSS/Atom feed."""
    kind = KINDS.get(path.suffix.lower())
    if kind is not None:
        return kind
    if not path.is_file():  # a FIFO or device would lose what the sniff reads; use "-" for standard input
        return None
    try:
        with path.open("rb") as handle:
            head = handle.read(_SNIFF_BYTES)
    except OSError:
        return None
    return "feed" if _sniff(head) == "feed" else None


def _articles(sources: list[_Source], published: dt.date | None) -> Iterator[Article]:
    undated = 0
    for source in sources:
        if source.kind == "stdin":
            found: Iterable[Article] = _stdin(published)
        elif source.kind == "dir":
            assert source.path is not None
            found = _directory(source.path, published)
        else:
            assert source.path is not None
            found = _file(source.path, source.kind, published)
        for article in found:
            undated += article.published is None
            yield article
    if undated:
        logger.warning("%d article(s) have no publication date (give --published for plain text); "
                       "relative dates in them stay unresolved", undated)


def _directory(root: Path, published: dt.date | None) -> Iterator[Article]:
    files = sorted(p for p in root.rglob("*")
                   if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts))
    read = 0
    for path in files:
        kind = _kind(path)
        if kind is None:
            logger.warning("%s: skipped (unsupported file type %r)", path, path.suffix or path.name)
            continue
        read += 1
        try:
            yield from _file(path, kind, published)
        except InputError as exc:  # unreadable file inside a directory: warn and go on
            logger.warning("%s; skipped", exc)
    if read == 0:
        logger.warning(Errors.E008.format(what=f"{root} (no supported files in it)"))


def _file(path: Path, kind: str, published: dt.date | None) -> Iterator[Article]:
    origin = str(path)
    data = _read_bytes(path)
    count = 0
    for article in _parse(data, kind, origin, path.stem, published):
        count += 1
        yield article
    if count == 0:
        logger.warning(Errors.E008.format(what=origin))


def _parse(data: bytes, kind: str, origin: str, stem: str, published: dt.date | None) -> Iterator[Article]:
    if kind == "html":
        return _html(data, origin, stem, published)
    if kind == "feed":
        return _feed(data, origin, stem, published)
    text = _decode(data, origin)
    if kind == "jsonl":
        return _records(_jsonl(text, origin), published)
    if kind == "csv":
        return _records(_csv(text, origin), published)
    return _plain(text, stem, origin, published)


def _stdin_bytes() -> bytes:
    buffer = getattr(sys.stdin, "buffer", None)
    if buffer is not None:
        return bytes(buffer.read())
    return sys.stdin.read().encode("utf-8")


def _stdin(published: dt.date | None) -> Iterator[Article]:
    """Standard input: JSONL when it starts with ``{``, a feed or an HTML page when it sniffs as one, else one
    plain-text article with the id ``stdin``."""
    data = _stdin_bytes()
    origin = "<stdin>"
    kind = _sniff(data[:_SNIFF_BYTES])
    if kind is None:
        text = _decode(data, origin)
        kind = "jsonl" if text.lstrip().startswith("{") else "text"
    count = 0
    for article in _parse(data, kind, origin, "stdin", published):
        count += 1
        yield article
    if count == 0:
        logger.warning(Errors.E008.format(what="standard input"))


def _plain(text: str, stem: str, origin: str, published: dt.date | None) -> Iterator[Article]:
    if not text.strip():
        logger.warning("%s: empty text; skipped", origin)
        return
    # the text is kept whole (CRLF, leading blank lines and all) so evidence offsets point into the file as read
    yield Article(id=stem, text=text, title=_headline(text), published=published, origin=origin)


def _jsonl(text: str, origin: str) -> Iterator[tuple[str, int, dict[str, Any]]]:
    """``(origin, line, record)`` for each JSON object line; bad lines are warned about and skipped."""
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            _warn(origin, number, f"invalid JSON ({exc.msg}); skipped")
            continue
        if not isinstance(record, dict):
            _warn(origin, number, "not a JSON object; skipped")
            continue
        yield origin, number, record


def _csv(text: str, origin: str) -> Iterator[tuple[str, int, dict[str, Any]]]:
    """``(origin, line, row)`` per CSV record (the line where the record starts), header row first."""
    csv.field_size_limit(2**31 - 1)  # article texts are long; the default limit is 128 KiB
    reader = csv.DictReader(text.splitlines(keepends=True))
    try:
        header = [name.strip().lower() for name in (reader.fieldnames or [])]
        if "text" not in header:
            _warn(origin, 1, f"no 'text' column in the header {reader.fieldnames!r}; file skipped")
            return
        reader.fieldnames = header
        start = reader.line_num + 1
        for row in reader:
            yield origin, start, {k: v for k, v in row.items() if k is not None}
            start = reader.line_num + 1
    except csv.Error as exc:
        _warn(origin, reader.line_num, f"malformed CSV ({exc}); the rest of the file is skipped")


def _records(rows: Iterable[tuple[str, int, dict[str, Any]]], published: dt.date | None) -> Iterator[Article]:
    for origin, number, record in rows:
        article = record_to_article(record, f"{origin}:{number}", published)
        if article is not None:
            yield article


def record_to_article(record: dict[str, Any], origin: str, published: dt.date | None = None) -> Article | None:
    """An Article from a ``{id, title, text, published, url, source, home}`` record, or None (warned) when bad.

    ``origin`` is ``path:line``; a missing id becomes a stable hash of the text.
    """
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        logger.warning("%s: missing or empty 'text'; skipped", origin)
        return None
    try:
        date = parse_published(record.get("published")) or published
    except ValueError as exc:
        logger.warning("%s: %s; skipped", origin, exc)
        return None
    raw_id = record.get("id")
    ident = str(raw_id).strip() if raw_id not in (None, "") else ""
    return Article(id=ident or _content_id(text), text=text, title=str(record.get("title") or "").strip(),
                   published=date, url=str(record.get("url") or "").strip(),
                   source=str(record.get("source") or "").strip(), origin=origin,
                   home=str(record.get("home") or "").strip())


def _html(data: bytes, origin: str, stem: str, published: dt.date | None) -> Iterator[Article]:
    import trafilatura

    document: dict[str, Any] = {}
    for recall in (False, True):  # precision first; a short page may only come out when favouring recall
        extracted = trafilatura.bare_extraction(data, with_metadata=True, include_comments=False,
                                                include_tables=False, favor_recall=recall)
        document = (extracted.as_dict() if hasattr(extracted, "as_dict") else extracted) or {}
        if (document.get("text") or "").strip():
            break
    text = (document.get("text") or "").strip()
    if not text:
        logger.warning("%s: no main text found in the page; skipped", origin)
        return
    # trafilatura separates paragraphs with single newlines; midan's stages read a blank line as a paragraph end
    text = re.sub(r"\n(?=\S)", "\n\n", text)
    try:
        date = parse_published(document.get("date")) or published
    except ValueError:
        date = published
    yield Article(id=stem, text=text, title=(document.get("title") or "").strip(), published=date,
                  url=document.get("url") or "", source=document.get("sitename") or document.get("hostname") or "",
                  origin=origin)


def read_page(data: bytes, origin: str, published: dt.date | None = None) -> Article | None:
    """The article of one fetched HTML page (its main text, title, date, site name), or None, warned, when the
    page has no main text. ``midan watch`` reads pages with it exactly as ``.html`` files are read."""
    return next(_html(data, origin, "page", published), None)


def sniff(head: bytes) -> str | None:
    """``feed`` or ``html`` when the first bytes of a document look like one, else None."""
    return _sniff(head)


def strip_html(value: str) -> str:
    """Plain text of an HTML fragment (feed summaries): block ends become paragraph breaks."""
    text = _DROP.sub("", value)
    text = _BLOCKS.sub("\n\n", text)
    text = html.unescape(_TAGS.sub("", text)).replace("\xa0", " ")
    text = re.sub(r"[ \t]+", " ", text)
    text = re.sub(r" *\n *", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _feed(data: bytes, origin: str, stem: str, published: dt.date | None) -> Iterator[Article]:
    import feedparser

    feed = feedparser.parse(data)
    if not feed.entries:
        if feed.bozo:
            logger.warning("%s: not a readable RSS/Atom feed (%s); skipped", origin, feed.get("bozo_exception"))
        return
    source = strip_html(feed.feed.get("title", ""))
    for number, entry in enumerate(feed.entries, 1):
        where = f"{origin}:item {number}"
        bodies = [c.get("value", "") for c in entry.get("content") or []]
        body = max(bodies, key=len) if bodies else ""
        text = strip_html(body or entry.get("summary", "") or "")
        if not text:
            logger.warning("%s: no text; skipped", where)
            continue
        date = published
        parsed = entry.get("published_parsed") or entry.get("updated_parsed")
        if parsed:
            date = dt.date(parsed.tm_year, parsed.tm_mon, parsed.tm_mday)
        elif entry.get("published") or entry.get("updated"):
            logger.warning("%s: unreadable date %r; the fallback date is used", where,
                           entry.get("published") or entry.get("updated"))
        ident = entry.get("id") or entry.get("link") or f"{stem}-{number}"
        yield Article(id=str(ident), text=text, title=strip_html(entry.get("title", "")), published=date,
                      url=entry.get("link", ""), source=source, origin=where)


# --- snippets for classify / geoparse / timex --------------------------------------------------------------------


def read_snippets(source: str | Path) -> Iterator[dict[str, Any]]:
    """``{id, text, published, home}`` records from a JSONL file or ``-`` (stdin) for classify, geoparse and timex.

    ``id`` is passed through as given (the line number when absent); ``published`` is a date or None. Bad lines
    (invalid JSON, no text, unreadable date) are skipped with a ``path:line: reason`` warning. The path is checked
    at call time.
    """
    if str(source) == STDIN:
        return _snippets(None)
    path = Path(source).expanduser()
    if not path.exists():
        raise InputError(Errors.E001.format(path=path))
    if path.is_dir() or path.suffix.lower() not in SNIPPET_SUFFIXES:
        raise InputError(Errors.E011.format(suffix=path.suffix or path.name, path=path))
    return _snippets(path)


def _snippets(path: Path | None) -> Iterator[dict[str, Any]]:
    if path is None:
        origin = "<stdin>"
        text = _decode(_stdin_bytes(), origin)
    else:
        origin = str(path)
        text = _decode(_read_bytes(path), origin)
    count = 0
    for _, number, record in _jsonl(text, origin):
        body = record.get("text")
        if not isinstance(body, str) or not body.strip():
            _warn(origin, number, "missing or empty 'text'; skipped")
            continue
        try:
            published = parse_published(record.get("published"))
        except ValueError as exc:
            _warn(origin, number, f"{exc}; skipped")
            continue
        count += 1
        yield {"id": record.get("id", number), "text": body, "published": published,
               "home": str(record.get("home") or "").strip()}
    if count == 0:
        logger.warning(Errors.E008.format(what=origin))


__all__ = ["fingerprint", "parse_published", "read_articles", "read_page", "read_snippets", "record_to_article",
           "sniff", "strip_html"]
