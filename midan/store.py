"""The event store: articles and events in SQLite (default) or PostgreSQL, through SQLAlchemy Core.

Each batch of articles and their events is one transaction, so an interrupted ingest loses nothing that was
committed and resumes where it stopped (articles are recognised by a content fingerprint). An event already
stored under the same ``event_id_cnty`` — the same event reported by another outlet — is merged: its articles,
sources and evidence are united and the lower fatality figure is kept (ACLED's conservative rule). What each
article's own report said is kept beside the merged record (``reports``), so that a merge can be undone: a split
(:meth:`Store.split`, or a later article whose records tell the merged events apart) or a withdrawal recomputes
each record from its reports.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import hashlib
import hmac
import json
import logging
import math
import re
import secrets
import time
import unicodedata
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    create_engine,
    event,
    func,
    or_,
    select,
    text,
)
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, CompileError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, bindparam

from midan.errors import Errors, InputError, StoreError
from midan.ingest import fingerprint
from midan.review import DECISIONS, STATUSES, CountryLookup, corrected, parse_statuses
from midan.schema import ALL_COLUMNS, Article, Event

logger = logging.getLogger(__name__)

DEFAULT_URL = "sqlite:///midan.db"

_INT_COLUMNS = frozenset({"year", "time_precision", "iso", "geo_precision", "fatalities", "timestamp",
                          "inter1_code", "inter2_code", "geonames_id", "fatalities_low", "fatalities_high"})
_FLOAT_COLUMNS = frozenset({"latitude", "longitude", "confidence"})
JSON_COLUMNS = frozenset({"evidence", "article_ids"})
#: columns that can be faceted (counted by value): every scalar column but the free text
FACET_COLUMNS: tuple[str, ...] = tuple(c for c in ALL_COLUMNS if c not in JSON_COLUMNS | {"notes"})
#: columns events can be sorted by: the ones that are never null
SORT_COLUMNS: tuple[str, ...] = tuple(c for c in FACET_COLUMNS if c not in _FLOAT_COLUMNS - {"confidence"}
                                      and c not in {"iso", "geo_precision", "inter1_code", "inter2_code",
                                                    "geonames_id"})

metadata = MetaData()


def _column(name: str) -> Column[Any]:
    if name == "event_id_cnty":
        return Column(name, String(100), primary_key=True)
    if name in _INT_COLUMNS:
        return Column(name, Integer, nullable=True)
    if name in _FLOAT_COLUMNS:
        return Column(name, Float, nullable=True)
    # unbounded text: merged source lists and associated actors grow, and PostgreSQL enforces VARCHAR lengths
    return Column(name, Text, nullable=False, default="")


articles = Table(
    "articles", metadata,
    Column("id", Text, primary_key=True),
    Column("fingerprint", String(40), unique=True, nullable=False),
    Column("title", Text, nullable=False, default=""),
    Column("text", Text, nullable=False),
    Column("published", String(10), nullable=True),
    Column("url", Text, nullable=False, default=""),
    Column("source", Text, nullable=False, default=""),
    Column("origin", Text, nullable=False, default=""),
    Column("ingested_at", Integer, nullable=False),
    Column("home", Text, nullable=False, default="", server_default=""),
)
#: columns added to a table after its first release: a store made before them gets them when opened
#: (``ALTER TABLE ... ADD COLUMN`` with the column's default, which SQLite and PostgreSQL both do in place)
ADDED_COLUMNS: tuple[tuple[str, str, str], ...] = (("articles", "home", "TEXT NOT NULL DEFAULT ''"),)
events = Table(
    "events", metadata,
    *[_column(name) for name in ALL_COLUMNS],
    Index("ix_events_country", "country"),
    Index("ix_events_event_date", "event_date", "event_id_cnty"),
    Index("ix_events_event_type", "event_type"),
    Index("ix_events_sub_event_type", "sub_event_type"),
    # filters the page uses: without an index a count reads the whole table, evidence and all (0.1 s at 50,000)
    Index("ix_events_confidence", "confidence", "event_id_cnty"),
    Index("ix_events_admin1", "admin1", "event_id_cnty"),
    # what the timeline and the map read, so that they read an index rather than every row (0.3-0.5 s at 50,000)
    Index("ix_events_timeline", "event_date", "event_type", "fatalities", "event_id_cnty"),
    Index("ix_events_map", "latitude", "longitude", "event_type", "fatalities", "country", "iso", "event_id_cnty"),
)
#: a human's decision on an event (an event without a row is unreviewed)
reviews = Table(
    "reviews", metadata,
    Column("event_id_cnty", String(100), primary_key=True),
    Column("status", String(20), nullable=False),
    Column("reviewer", Text, nullable=False, default=""),
    Column("reviewed_at", Integer, nullable=False),
    Index("ix_reviews_status", "status"),
)
#: every change a reviewer made, appended and never rewritten: who, when, which field, from what, to what (JSON)
audit = Table(
    "audit", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_id_cnty", String(100), nullable=False),
    Column("at", Integer, nullable=False),
    Column("reviewer", Text, nullable=False),
    Column("field", Text, nullable=False),
    Column("old", Text, nullable=False),
    Column("new", Text, nullable=False),
    Index("ix_audit_event", "event_id_cnty", "id"),
)
#: every addition, change and removal of an event, appended: what ``/api/changes`` and ``export --changes-since``
#: read (a removed event's row is its tombstone)
changes = Table(
    "changes", metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("event_id_cnty", String(100), nullable=False),
    Column("kind", String(10), nullable=False),
    Column("at", Integer, nullable=False),
    Index("ix_changes_at", "at"),
)
#: what each article's own report said of an event, one row per (event, article): the record its extraction made
#: (JSON, its own ``event_id_cnty`` inside). A record several reports were merged into is recomputed from its rows
#: when one of them leaves (a split, a withdrawal); ``id`` orders them, the earliest first.
reports = Table(
    "reports", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_id_cnty", String(100), nullable=False),
    Column("article_id", Text, nullable=False),
    Column("record", Text, nullable=False),
    Column("at", Integer, nullable=False),
    Index("ix_reports_event", "event_id_cnty", "article_id", unique=True),
    Index("ix_reports_article", "article_id"),
)
#: reviewers who may write through the API: a name and the SHA-256 of a random token shown once
users = Table(
    "users", metadata,
    Column("name", String(100), primary_key=True),
    Column("token_sha256", String(64), nullable=False),
    Column("created_at", Integer, nullable=False),
)
#: counters shared by every process that opens the store: ``generation`` rises with each write
state = Table(
    "state", metadata,
    Column("key", String(40), primary_key=True),
    Column("value", Integer, nullable=False),
)
#: the sources ``midan watch`` polls (feeds and pages): the validators of the last full answer, sent back as
#: If-None-Match / If-Modified-Since so that an unchanged feed costs one 304, and the last check's outcome
feeds = Table(
    "feeds", metadata,
    Column("url", Text, primary_key=True),
    Column("etag", Text, nullable=True),
    Column("last_modified", Text, nullable=True),
    Column("checked_at", Integer, nullable=False),
    Column("status", Integer, nullable=True),
    Column("error", Text, nullable=False, default=""),
)
#: the items of each feed already dealt with (by guid, else link), so that a new poll does not fetch their pages
#: again; an item whose page failed for a passing reason is tried again until ``attempts`` reaches the watcher's
#: limit
feed_items = Table(
    "feed_items", metadata,
    Column("feed_url", Text, primary_key=True),
    Column("item", Text, primary_key=True),
    Column("done", Boolean, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("seen_at", Integer, nullable=False),
)
#: what ``q`` searches, one row per event kept in step with it by every write: its notes and the text of its
#: evidence. SQLite indexes ``body`` with an FTS5 table (:data:`_SQLITE_SEARCH`), PostgreSQL with a GIN index on
#: its tsvector (:data:`_POSTGRES_SEARCH`); a store made before this table gets it filled when opened.
event_search = Table(
    "event_search", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_id_cnty", String(100), nullable=False, unique=True),
    Column("body", Text, nullable=False),
)
#: the FTS5 index over ``event_search`` (external content: the text is stored once) and the triggers that keep it
#: in step; tokens are Unicode letters and digits, case and diacritics folded
_SQLITE_SEARCH = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS event_search_fts USING fts5(body, content='event_search', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER IF NOT EXISTS event_search_ai AFTER INSERT ON event_search BEGIN "
    "INSERT INTO event_search_fts(rowid, body) VALUES (new.id, new.body); END",
    "CREATE TRIGGER IF NOT EXISTS event_search_ad AFTER DELETE ON event_search BEGIN "
    "INSERT INTO event_search_fts(event_search_fts, rowid, body) VALUES ('delete', old.id, old.body); END",
    "CREATE TRIGGER IF NOT EXISTS event_search_au AFTER UPDATE ON event_search BEGIN "
    "INSERT INTO event_search_fts(event_search_fts, rowid, body) VALUES ('delete', old.id, old.body); "
    "INSERT INTO event_search_fts(rowid, body) VALUES (new.id, new.body); END",
)
#: 'simple': no stemming and no stop words, since the text is in many languages and mostly names
_POSTGRES_SEARCH = ("CREATE INDEX IF NOT EXISTS ix_event_search_body ON event_search "
                    "USING GIN (to_tsvector('simple', body))",)
#: what a map draws of an event, one by one: a marker and its popup (not the evidence)
MAP_POINT: tuple[str, ...] = ("event_id_cnty", "latitude", "longitude", "event_type", "sub_event_type", "event_date",
                              "location", "country", "fatalities", "actor1", "actor2")
_USER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@-]{0,99}")


# --- filters -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventFilter:
    """The filters every reader of the store shares (CLI export, REST API): all optional, all combined with AND.

    Text filters match case-insensitively, and ``country``, ``event_type``, ``sub_event_type`` and ``admin1`` take
    several values joined with ``|`` (any of them); dates are inclusive. ``actor`` is a part of any actor's name,
    ``q`` words that must all appear in the notes or the evidence, ``bbox`` ``(west, south, east, north)``.
    """

    country: str | None = None
    event_type: str | None = None
    sub_event_type: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    min_confidence: float | None = None
    #: review statuses to keep; None keeps every event but the rejected ones
    status: tuple[str, ...] | None = None
    admin1: str | None = None
    actor: str | None = None
    q: str | None = None
    bbox: tuple[float, float, float, float] | None = None

    NAMES = ("country", "event_type", "sub_event_type", "date_from", "date_to", "min_confidence", "status",
             "admin1", "actor", "q", "bbox")
    #: the filters that take several values joined with "|"
    CHOICES = ("country", "event_type", "sub_event_type", "admin1")

    @classmethod
    def parse(cls, values: Mapping[str, Any]) -> EventFilter:
        """Filters from strings (query parameters, options); a bad value raises :class:`InputError`."""
        found: dict[str, Any] = {}
        for name in cls.NAMES:
            value = values.get(name)
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            if name == "status":
                found[name] = tuple(value) if isinstance(value, tuple | list) else parse_statuses(str(value))
            elif name.startswith("date_"):
                if isinstance(value, dt.date):
                    found[name] = value
                    continue
                try:
                    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(value).strip()):
                        raise ValueError(value)
                    found[name] = dt.date.fromisoformat(str(value).strip())
                except ValueError:
                    raise InputError(f"{name}: " + Errors.E004.format(value=value)) from None
            elif name == "bbox":
                found[name] = _bbox(value)
            elif name == "q":
                if not search_words(str(value)):
                    raise InputError(f"invalid q {value!r}: give words (letters or digits) to search for")
                found[name] = str(value).strip()
            elif name == "min_confidence":
                try:
                    number = float(value)
                except (TypeError, ValueError):
                    number = math.nan
                if not 0.0 <= number <= 1.0:
                    raise InputError(f"invalid min_confidence {value!r}: expected a number from 0 to 1")
                found[name] = number
            else:
                found[name] = str(value).strip()
        return cls(**found)

    def where(self, query: Any) -> Any:
        """The query restricted to matching events."""
        for name in self.CHOICES:
            value = getattr(self, name)
            if value:
                query = query.where(func.lower(events.c[name]).in_(_choices(value)))
        if self.actor:
            pattern = f"%{_like(self.actor.lower())}%"
            query = query.where(or_(*[func.lower(events.c[c]).like(pattern, escape="\\")
                                      for c in ("actor1", "actor2", "assoc_actor_1", "assoc_actor_2")]))
        if self.q:
            query = query.where(events.c.event_id_cnty.in_(
                select(event_search.c.event_id_cnty).where(_TextMatch(search_words(self.q)))))
        if self.bbox is not None:
            west, south, east, north = self.bbox
            query = query.where(events.c.latitude.between(south, north))
            inside = events.c.longitude.between(west, east) if west <= east else or_(
                events.c.longitude >= west, events.c.longitude <= east)  # a box across the antimeridian
            query = query.where(inside)
        if self.date_from:
            query = query.where(events.c.event_date >= self.date_from.isoformat())
        if self.date_to:
            query = query.where(events.c.event_date <= self.date_to.isoformat())
        if self.min_confidence is not None:
            query = query.where(events.c.confidence >= self.min_confidence)
        wanted = self.status if self.status is not None else tuple(s for s in STATUSES if s != "rejected")
        if set(wanted) != set(STATUSES):
            # an event without a review row is unreviewed
            others = [s for s in STATUSES if s not in wanted]
            query = query.where(~events.c.event_id_cnty.in_(
                select(reviews.c.event_id_cnty).where(reviews.c.status.in_(others))))
            if "unreviewed" not in wanted:
                query = query.where(events.c.event_id_cnty.in_(select(reviews.c.event_id_cnty)))
        return query

    def matches(self, item: Event) -> bool:
        """The same test on an event in memory (for events that never went through the store)."""
        for name in self.CHOICES:
            value = getattr(self, name)
            if value and str(getattr(item, name)).lower() not in _choices(value):
                return False
        if self.actor and not any(self.actor.lower() in getattr(item, c).lower()
                                  for c in ("actor1", "actor2", "assoc_actor_1", "assoc_actor_2")):
            return False
        if self.q:
            # the index's rule: each word's tokens in a row, the last one as a prefix
            tokens = " " + " ".join(_tokens(_search_body(item.notes, [e.text for e in item.evidence]))) + " "
            if any(f" {' '.join(word)}" not in tokens for word in search_words(self.q)):
                return False
        if self.bbox is not None:
            west, south, east, north = self.bbox
            if item.latitude is None or item.longitude is None or not south <= item.latitude <= north:
                return False
            if not (west <= item.longitude <= east if west <= east else item.longitude >= west
                    or item.longitude <= east):
                return False
        if self.date_from and item.event_date < self.date_from.isoformat():
            return False
        if self.date_to and item.event_date > self.date_to.isoformat():
            return False
        if self.status is not None and "unreviewed" not in self.status:
            return False  # an event in memory has not been reviewed
        return self.min_confidence is None or item.confidence >= self.min_confidence


def _listing(flt: EventFilter, order: tuple[str, bool], after: tuple[Any, str] | None, limit: int | None,
             offset: int) -> Any:
    """The query of a listing: filters, the order (a column of :data:`SORT_COLUMNS` and the id, the same way)
    and, for keyset pages, the rows after ``(value of the order column, event_id_cnty)``."""
    name, descending = order
    if name not in SORT_COLUMNS:
        raise InputError(f"cannot sort by {name!r}: expected one of {', '.join(SORT_COLUMNS)}")
    column, ident = events.c[name], events.c.event_id_cnty
    query = flt.where(select(events)).order_by(*((column.desc(), ident.desc()) if descending else (column, ident)))
    if after is not None:
        value, last = after
        if descending:
            query = query.where(or_(column < value, and_(column == value, ident < last)))
        else:
            query = query.where(or_(column > value, and_(column == value, ident > last)))
    if limit is not None:
        query = query.limit(limit)
    if offset:
        query = query.offset(offset)
    return query


def _tokens(text: str) -> list[str]:
    """Letters and digits in runs, lower-cased, diacritics dropped: how both indexes cut text into words."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    return _TOKEN.findall("".join(c for c in folded if not unicodedata.combining(c)))


_TOKEN = re.compile(r"[^\W_]+")


def search_words(q: str) -> list[tuple[str, ...]]:
    """The words of a search, each as its tokens ("al-Shabaab" → ``("al", "shabaab")``); a word without a letter
    or a digit is dropped."""
    return [found for word in q.split() if (found := tuple(_tokens(word)))]


def _search_body(notes: str, evidence: list[str]) -> str:
    """What the index holds for an event: the tokens of its notes and evidence (folded here, not by the database,
    so that both databases and :meth:`EventFilter.matches` find the same events)."""
    return " ".join(_tokens("\n".join(dict.fromkeys([notes, *evidence]))))


class _TextMatch(ColumnElement[bool]):
    """``event_search`` rows holding every word (its tokens in a row, the last one as a prefix), compiled for the
    store's database: FTS5's MATCH on SQLite, a tsquery on PostgreSQL."""

    type = Boolean()
    inherit_cache = False  # the search expression is made when compiling: a cached statement would keep the first

    def __init__(self, words: list[tuple[str, ...]]) -> None:
        self.words = words


@compiles(_TextMatch, "sqlite")
def _match_sqlite(element: _TextMatch, compiler: Any, **kw: Any) -> str:
    # tokens are letters and digits only, so a quoted phrase needs no escaping
    expression = " AND ".join('"' + " ".join(word) + '"*' for word in element.words)
    found = compiler.process(bindparam("q_match", expression, type_=Text(), unique=True), **kw)
    return f"event_search.id IN (SELECT rowid FROM event_search_fts WHERE event_search_fts MATCH {found})"


@compiles(_TextMatch, "postgresql")
def _match_postgresql(element: _TextMatch, compiler: Any, **kw: Any) -> str:
    expression = " & ".join("(" + " <-> ".join(word) + ":*)" for word in element.words)
    found = compiler.process(bindparam("q_match", expression, type_=Text(), unique=True), **kw)
    return f"to_tsvector('simple', event_search.body) @@ to_tsquery('simple', {found})"


@compiles(_TextMatch)
def _match_other(element: _TextMatch, compiler: Any, **kw: Any) -> str:
    raise CompileError(f"full-text search is made for SQLite and PostgreSQL, not {compiler.dialect.name}")


def _log_change(conn: Any, event_id: str, kind: str, at: int) -> None:
    conn.execute(changes.insert().values(event_id_cnty=event_id, kind=kind, at=at))


def _reported(conn: Any, fresh: list[Event], article_id: str) -> list[tuple[str, float] | None]:
    """For each fresh event of one article, the stored record of the same event another article brought
    (:func:`midan.dedup.best_matches` over the stored records in its block) and the probability, or None."""
    from midan import dedup

    if not fresh:
        return []
    starts = [dedup.window(e)[0] for e in fresh]
    ends = [dedup.window(e)[1] for e in fresh]
    reach = dt.timedelta(days=dedup.WINDOW_DAYS + max(dedup.PRECISION_DAYS.values()))
    countries = sorted({e.country.lower() for e in fresh})
    query = select(events).where(
        func.lower(events.c.country).in_(countries),
        events.c.event_date >= (min(starts) - reach).isoformat(),
        events.c.event_date <= (max(ends) + reach).isoformat(),
        ~events.c.event_id_cnty.in_(select(reviews.c.event_id_cnty).where(reviews.c.status == "rejected")))
    stored = [item for item in map(_from_row, conn.execute(query)) if article_id not in item.article_ids]
    if not stored:
        return [None] * len(fresh)
    found = dedup.best_matches(fresh, stored)
    return [(stored[match[0]].event_id_cnty, match[1]) if match is not None else None for match in found]


# --- reports: what each article said of an event, so that a merge can be undone -----------------------------


def _report_json(item: Event) -> str:
    return json.dumps(item.to_dict(), ensure_ascii=False)


def _keep_report(conn: Any, event_id: str, article_id: str, item: Event, at: int) -> None:
    """Remember what one article's report said of a stored event (a second record of one article for the same
    event joins its report, as :func:`merge_events` joins them)."""
    key = and_(reports.c.event_id_cnty == event_id, reports.c.article_id == article_id)
    found = conn.execute(select(reports.c.record).where(key)).scalar()
    if found is None:
        conn.execute(reports.insert().values(event_id_cnty=event_id, article_id=article_id,
                                             record=_report_json(item), at=at))
    else:
        joined = merge_events(Event.from_dict(json.loads(found)), item)
        conn.execute(reports.update().where(key).values(record=_report_json(joined)))


#: a stored report: its row id (the earliest first), its article, its record
_Report = tuple[int, str, Event]


def _reports_of(conn: Any, event_id: str, article_ids: list[str]) -> list[_Report] | None:
    """The reports kept of a stored event's articles, the earliest first; None when one of its articles has none
    (a record merged before the reports were kept: it cannot be recomputed)."""
    rows = conn.execute(select(reports.c.id, reports.c.article_id, reports.c.record).where(
        reports.c.event_id_cnty == event_id).order_by(reports.c.id))
    found = [(row.id, row.article_id, Event.from_dict(json.loads(row.record))) for row in rows
             if row.article_id in article_ids]
    if not article_ids or {article for _, article, _ in found} != set(article_ids):
        return None
    return found


def _record_field(name: str) -> bool:
    """Whether an audit entry's field is one of the record's own values that a person edits (not its id, its
    articles or its evidence, nor a review's ``split``)."""
    return name in ALL_COLUMNS and name not in {"event_id_cnty", "article_ids", "evidence"}


def _edited_fields(conn: Any, event_id: str) -> list[str]:
    """The fields of an event a person has changed (its audit log names them, the ones that follow from an edit
    too)."""
    names = conn.execute(select(audit.c.field).where(audit.c.event_id_cnty == event_id).distinct()).scalars()
    return sorted(n for n in names if _record_field(n))


def _recomputed(conn: Any, ident: str, kept: list[Event], stored: Event | None, now: int) -> Event:
    """A record recomputed from its reports, the earliest first: the first one's fields under ``ident``, and each
    later one merged in as ingestion merges it (:func:`merge_events`, then :func:`midan.dedup.merge_reports`).
    A person's work is not undone: every field a person edited in ``stored`` (see :func:`_edited_fields`) keeps
    the person's value."""
    from midan.dedup import merge_reports

    record = dataclasses.replace(Event.from_dict(kept[0].to_dict()), event_id_cnty=ident)
    for item in kept[1:]:
        record = merge_reports(record, item, merge_events(record, item))
    if stored is not None:
        for name in _edited_fields(conn, ident):
            setattr(record, name, getattr(stored, name))
    record.timestamp = max(now, stored.timestamp if stored is not None else 0)
    return record


def _free_id(conn: Any, candidates: list[str], base: str) -> str:
    """The first of ``candidates`` (the identity ids of a split-off group's own reports) no stored event has, else
    ``{base}-2``, ``{base}-3``..."""
    def taken(ident: str) -> bool:
        return conn.execute(select(events.c.event_id_cnty).where(events.c.event_id_cnty == ident)).first() is not None

    for ident in dict.fromkeys(candidates):
        if ident and len(ident) <= 100 and not taken(ident):
            return ident
    n = 2
    while taken(f"{base}-{n}"):
        n += 1
    return f"{base}-{n}"


def _split_off(conn: Any, stored: Event, groups: list[list[_Report]], now: int) -> list[Event]:
    """Cut a stored record into groups of its reports: the first group keeps its ``event_id_cnty`` (and its review
    and the fields a person edited), each other one becomes a new record under :func:`_free_id`; every record is
    recomputed from its reports (:func:`_recomputed`) and logged (``changed`` for the kept id, ``added`` for the
    new ones). Returns the records, the kept one first."""
    made = []
    for group in groups[1:]:
        ident = _free_id(conn, [item.event_id_cnty for _, _, item in group], stored.event_id_cnty)
        record = _recomputed(conn, ident, [item for _, _, item in group], None, now)
        conn.execute(events.insert().values(**_to_row(record)))
        _index_text(conn, record)
        _log_change(conn, ident, "added", now)
        conn.execute(reports.update().where(reports.c.id.in_([n for n, _, _ in group])).values(event_id_cnty=ident))
        made.append(record)
    kept = _recomputed(conn, stored.event_id_cnty, [item for _, _, item in groups[0]], stored, now)
    conn.execute(events.update().where(events.c.event_id_cnty == stored.event_id_cnty).values(**_to_row(kept)))
    _index_text(conn, kept)
    _log_change(conn, stored.event_id_cnty, "changed", now)
    return [kept, *made]


def _one_each(conn: Any, target: str, found: list[tuple[Event, float]], now: int) -> dict[int, str]:
    """Several records of ONE article matched the same stored record ``target`` (``found``: each with the
    probability it matched with). Extraction keeps one record per event within an article, so they are distinct
    events and at most one of them can be ``target``'s event; if ``target`` holds reports of more than one of them,
    its merge was wrong and it is split.

    The rule: each of ``target``'s reports goes to the new record it is most probably the same event as
    (:func:`midan.dedup.pair_probabilities`, ties to the better match of the whole record). When the reports
    fall to two or more new records, the record is split (:func:`_split_off`) into one group per new record, the
    group holding the earliest report keeping ``target``'s id, and each new record joins its group. When they all
    fall to one, that new record joins ``target`` whole. A new record that no report went to is stored as its own
    record. No split is made of a record a person has reviewed (the machine does not undo a person's decision:
    the best match joins it, and a reviewer may split it with :meth:`Store.split`), nor of one whose reports
    were not all kept (merged before midan kept them).

    One new record that matches a merged record unevenly (well with some of its reports, badly with others)
    joins it and splits nothing: a single report is no evidence that the others tell two events; two records of
    one article, or a person, are.

    Returns, for the ``id()`` of each new record that joins a stored record, that record's id."""
    from midan import dedup

    found = sorted(found, key=lambda pair: -pair[1])
    first = found[0][0]
    stored = _from_row(conn.execute(select(events).where(events.c.event_id_cnty == target)).one())
    kept = _reports_of(conn, target, stored.article_ids)
    if conn.execute(select(reviews.c.status).where(reviews.c.event_id_cnty == target)).first() is not None:
        logger.info("%d records of one article match %s, which a person reviewed: the best one joins it and it is "
                    "not split (midan split can)", len(found), target)
        return {id(first): target}
    if kept is None or len(kept) < 2:
        return {id(first): target}
    fresh = [item for item, _ in found]
    chances = dedup.pair_probabilities(fresh, [item for _, _, item in kept])
    groups: dict[int, list[_Report]] = {}
    for j, report in enumerate(kept):
        column = [float(chances[i, j]) for i in range(len(fresh))]
        groups.setdefault(column.index(max(column)), []).append(report)
    if len(groups) < 2:
        (only,) = groups
        return {id(fresh[only]): target}
    order = sorted(groups, key=lambda i: groups[i][0][0])  # the group of the earliest report first
    made = _split_off(conn, stored, [groups[i] for i in order], now)
    logger.info("split %s: %d records of one article are distinct events; its reports now make %s", target,
                len(found), ", ".join(r.event_id_cnty for r in made))
    return {id(fresh[i]): made[k].event_id_cnty for k, i in enumerate(order)}


def _index_text(conn: Any, item: Event) -> None:
    """Put an event's searchable text in ``event_search`` (replacing what it had)."""
    conn.execute(event_search.delete().where(event_search.c.event_id_cnty == item.event_id_cnty))
    conn.execute(event_search.insert().values(event_id_cnty=item.event_id_cnty,
                                              body=_search_body(item.notes, [e.text for e in item.evidence])))


def _search_index(engine: Engine) -> None:
    """Create the full-text index and, for a store made before it, fill it from the stored events (once: the
    ``search`` key in ``state`` records that it is complete)."""
    with engine.begin() as conn:
        for statement in _SQLITE_SEARCH if engine.dialect.name == "sqlite" else _POSTGRES_SEARCH:
            conn.execute(text(statement))
        if conn.execute(select(state.c.key).where(state.c.key == "search")).first() is not None:
            return
        done = {row[0] for row in conn.execute(select(event_search.c.event_id_cnty))}
        missing = [row for row in conn.execute(select(events.c.event_id_cnty, events.c.notes, events.c.evidence))
                   if row[0] not in done]
        if missing:
            logger.info("store: indexing the text of %d event(s) for search", len(missing))
        for start in range(0, len(missing), 1000):
            conn.execute(event_search.insert(), [
                {"event_id_cnty": ident, "body": _search_body(notes, [e.get("text", "") for e in
                                                                       json.loads(evidence or "[]")])}
                for ident, notes, evidence in missing[start:start + 1000]])
        conn.execute(state.insert().values(key="search", value=1))


def _changes_log(engine: Engine) -> None:
    """For a store made before the changes log: every stored event as added at its timestamp (once: the
    ``changes`` key in ``state`` records it), so that a copy that starts from 0 gets everything."""
    with engine.begin() as conn:
        if conn.execute(select(state.c.key).where(state.c.key == "changes")).first() is not None:
            return
        logged = {row[0] for row in conn.execute(select(changes.c.event_id_cnty).distinct())}
        missing = [{"event_id_cnty": ident, "kind": "added", "at": int(at or 0)}
                   for ident, at in conn.execute(select(events.c.event_id_cnty, events.c.timestamp).order_by(
                       events.c.timestamp, events.c.event_id_cnty)) if ident not in logged]
        for start in range(0, len(missing), 1000):
            conn.execute(changes.insert(), missing[start:start + 1000])
        conn.execute(state.insert().values(key="changes", value=1))


def _reports_log(engine: Engine) -> None:
    """For a store made before the reports were kept: a record of one article is its own report, kept as the
    machine made it (a person's edits are taken back from the audit log's first old value of each field); a
    record several articles were merged into cannot be taken apart and gets none (once: the ``reports`` key in
    ``state`` records it)."""
    with engine.begin() as conn:
        if conn.execute(select(state.c.key).where(state.c.key == "reports")).first() is not None:
            return
        have = {row[0] for row in conn.execute(select(reports.c.event_id_cnty).distinct())}
        single, merged = [], 0
        for ident, listed in conn.execute(select(events.c.event_id_cnty, events.c.article_ids)):
            if ident in have:
                continue
            if len(json.loads(listed or "[]")) == 1:
                single.append(ident)
            else:
                merged += 1
        if single:
            logger.info("store: keeping the report of %d single-article event(s)", len(single))
        if merged:
            logger.info("store: %d event(s) were merged before reports were kept: they cannot be split", merged)
        now = int(time.time())
        for start in range(0, len(single), 500):
            chunk = single[start:start + 500]
            machine: dict[str, dict[str, Any]] = {}
            for ident, name, old in conn.execute(select(audit.c.event_id_cnty, audit.c.field, audit.c.old).where(
                    audit.c.event_id_cnty.in_(chunk)).order_by(audit.c.id)):
                if _record_field(name):
                    machine.setdefault(ident, {}).setdefault(name, json.loads(old))
            rows = []
            for row in conn.execute(select(events).where(events.c.event_id_cnty.in_(chunk))):
                item = _from_row(row)
                report = Event.from_dict({**item.to_dict(), **machine.get(item.event_id_cnty, {})})
                rows.append({"event_id_cnty": item.event_id_cnty, "article_id": item.article_ids[0],
                             "record": _report_json(report), "at": now})
            if rows:
                conn.execute(reports.insert(), rows)
        conn.execute(state.insert().values(key="reports", value=1))


def _located(where: EventFilter | None, query: Any) -> Any:
    """The query restricted to matching events that have coordinates."""
    query = (where or EventFilter()).where(query)
    return query.where(events.c.latitude.is_not(None), events.c.longitude.is_not(None))


class _CellIndex(ColumnElement[int]):
    """Which of the squares of ``size`` degrees a non-negative coordinate falls in: FLOOR on PostgreSQL (whose
    CAST rounds), CAST on SQLite (which has no FLOOR unless built with its math functions)."""

    type = Integer()
    inherit_cache = False  # the size is written into the SQL: a cached statement would keep the first one

    def __init__(self, value: Any, size: float) -> None:
        self.value = value
        self.size = size


@compiles(_CellIndex)
def _cell_sqlite(element: _CellIndex, compiler: Any, **kw: Any) -> str:
    return f"CAST(({compiler.process(element.value, **kw)}) / {float(element.size)!r} AS INTEGER)"


@compiles(_CellIndex, "postgresql")
def _cell_postgresql(element: _CellIndex, compiler: Any, **kw: Any) -> str:
    return f"CAST(FLOOR(({compiler.process(element.value, **kw)}) / {float(element.size)!r}) AS INTEGER)"


def _generation(conn: Any) -> int | None:
    """The store's generation, or None for a store whose counter row is missing."""
    # the statement as text: read before every page the API serves, and SQLAlchemy's building of a Core query
    # cost more than the query
    value = conn.exec_driver_sql("SELECT value FROM state WHERE key = 'generation'").scalar()
    return None if value is None else int(value)


def _bump(conn: Any) -> None:
    conn.execute(state.update().where(state.c.key == "generation").values(value=state.c.value + 1))


def _choices(value: str) -> list[str]:
    return [part.strip().lower() for part in value.split("|") if part.strip()]


def _like(text: str) -> str:
    """Text for a LIKE pattern, its wildcards taken literally."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _bbox(value: Any) -> tuple[float, float, float, float]:
    """``west,south,east,north`` in degrees (a tuple passes through); a west greater than the east crosses the
    antimeridian."""
    try:
        parts = tuple(float(v) for v in (value if isinstance(value, tuple | list) else str(value).split(",")))
    except ValueError:
        parts = ()
    if len(parts) != 4 or not all(math.isfinite(v) for v in parts):
        raise InputError(f"invalid bbox {value!r}: expected west,south,east,north in degrees")
    west, south, east, north = parts
    if not (-180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= north <= 90):
        raise InputError(f"invalid bbox {value!r}: longitudes -180..180, latitudes -90..90, south <= north")
    return (west, south, east, north)


def _filter(given: EventFilter | None, **values: Any) -> EventFilter:
    if given is not None:
        return given
    return EventFilter.parse(values)


# --- opening -------------------------------------------------------------------------------------------------


def normalise_url(url: str | Path | None) -> str:
    """A SQLAlchemy URL: None → ``sqlite:///midan.db``, a bare path → that SQLite file, ``postgresql://`` and
    ``postgres://`` → the installed psycopg 3 driver."""
    if url is None or str(url).strip() == "":
        return DEFAULT_URL
    text = str(url).strip()
    if "://" not in text:
        return f"sqlite:///{Path(text).expanduser()}"
    for prefix in ("postgres://", "postgresql://"):
        if text.startswith(prefix):
            return "postgresql+psycopg://" + text[len(prefix):]
    return text


def _add_columns(engine: Engine) -> None:
    """Bring a store made by an earlier midan up to the current tables (:data:`ADDED_COLUMNS`), in one
    transaction."""
    from sqlalchemy import inspect, text

    inspector = inspect(engine)
    missing = [(table, column, kind) for table, column, kind in ADDED_COLUMNS
               if column not in {c["name"] for c in inspector.get_columns(table)}]
    if not missing:
        return
    with engine.begin() as conn:
        for table, column, kind in missing:
            logger.info("store: adding column %s.%s", table, column)
            conn.execute(text(f"ALTER TABLE {table} ADD COLUMN {column} {kind}"))


def open_store(url: str | Path | None = None) -> Store:
    """Open (creating tables if needed) the store at a SQLAlchemy URL or a SQLite file path.

    A bad URL, a missing driver, a missing directory or an unreachable server raises :class:`StoreError` with
    a one-line message.
    """
    target = normalise_url(url)
    shown = target
    try:
        parsed = make_url(target)
        shown = parsed.render_as_string(hide_password=True)
        options: dict[str, Any] = {}
        if parsed.get_backend_name() == "postgresql":
            options["connect_args"] = {"connect_timeout": 10}
        engine = create_engine(parsed, **options)
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
            database = engine.url.database
            if database and database != ":memory:" and not Path(database).expanduser().resolve().parent.is_dir():
                raise StoreError(Errors.E007.format(url=shown, reason="its directory does not exist"))
        metadata.create_all(engine)
        for index in events.indexes:  # a store made before an index was added gets it now
            index.create(engine, checkfirst=True)
        with engine.begin() as conn:
            if conn.execute(select(state.c.key).where(state.c.key == "generation")).first() is None:
                conn.execute(state.insert().values(key="generation", value=0))
        _add_columns(engine)
        _search_index(engine)
        _changes_log(engine)
        _reports_log(engine)
    except StoreError:
        raise
    except (ArgumentError, NoSuchModuleError, SQLAlchemyError, ImportError, ValueError) as exc:
        raise StoreError(Errors.E007.format(url=shown, reason=_reason(exc))) from None
    return Store(engine)


def _reason(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")  # `serve` reading while `ingest` writes
    cursor.close()


# --- rows ----------------------------------------------------------------------------------------------------


def _to_row(item: Event) -> dict[str, Any]:
    row = item.to_dict()
    for name in JSON_COLUMNS:
        row[name] = json.dumps(row[name], ensure_ascii=False)
    for name, value in row.items():
        if value is None and name not in _INT_COLUMNS | _FLOAT_COLUMNS:
            row[name] = ""
    return row


def _from_row(row: Any) -> Event:
    data = dict(row._mapping)
    for name in JSON_COLUMNS:
        data[name] = json.loads(data[name] or "[]")
    return Event.from_dict(data)


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(";") if part.strip()]


def _union(*values: str) -> str:
    return "; ".join(dict.fromkeys(part for value in values for part in _split(value)))


def merge_events(old: Event, new: Event) -> Event:
    """One event reported again (same ``event_id_cnty``): a new record uniting both reports.

    Article ids, sources and associated actors are united, evidence is appended, and ``fatalities`` follows
    ACLED's conservative rule: the lower of the two figures unless one is 0 (no figure reported). The range
    keeps every figure reported; confidence is the higher one; the timestamp is now. Other fields stay as first
    stored, so the identity fields cannot drift.
    """
    merged = Event.from_dict(old.to_dict())
    merged.evidence = [dataclasses.replace(e) for e in old.evidence]
    merged.article_ids = list(dict.fromkeys(old.article_ids + new.article_ids))
    merged.source = _union(old.source, new.source)
    merged.assoc_actor_1 = _union(old.assoc_actor_1, new.assoc_actor_1)
    merged.assoc_actor_2 = _union(old.assoc_actor_2, new.assoc_actor_2)
    merged.source_scale = old.source_scale or new.source_scale
    seen = {(e.article_id, e.field, e.start, e.end) for e in old.evidence}
    merged.evidence += [dataclasses.replace(e) for e in new.evidence
                        if (e.article_id, e.field, e.start, e.end) not in seen]
    reports = [r for r in (old, new) if r.fatalities > 0]
    merged.fatalities = min(r.fatalities for r in reports) if reports else 0
    merged.fatalities_low = min(min(r.fatalities_low for r in reports), merged.fatalities) if reports else 0
    merged.fatalities_high = max(old.fatalities_high, new.fatalities_high, merged.fatalities)
    merged.confidence = round(max(old.confidence, new.confidence), 3)
    merged.timestamp = max(int(time.time()), old.timestamp, new.timestamp)
    return merged


def _renamed(item: Event, old_id: str, new_id: str) -> Event:
    """A copy of an event whose article was stored under another id (the first id was taken)."""
    copy = Event.from_dict(item.to_dict())
    copy.article_ids = [new_id if a == old_id else a for a in item.article_ids]
    copy.evidence = [dataclasses.replace(e, article_id=new_id if e.article_id == old_id else e.article_id)
                     for e in item.evidence]
    return copy


# --- the store -----------------------------------------------------------------------------------------------


class Store:
    """Articles and events behind one SQLAlchemy engine. Use :func:`open_store` to make one."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._counts: dict[tuple[EventFilter, int], int] = {}
        #: the matching days, sorted, and the running count of events up to each (see :meth:`count`)
        self._days: dict[tuple[EventFilter, int], tuple[list[str], list[int]]] = {}

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the connections."""
        self.engine.dispose()

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    # writing

    def has_article(self, article_fingerprint: str) -> bool:
        """Whether an article with this content fingerprint (:func:`midan.ingest.fingerprint`) is stored."""
        with self.engine.connect() as conn:
            found = conn.execute(select(articles.c.id).where(articles.c.fingerprint == article_fingerprint)).first()
        return found is not None

    def add_batch(self, items: list[tuple[Article, list[Event]]], dedup: bool = False) -> tuple[int, int]:
        """Store articles with their events in ONE transaction; returns (articles added, events added).

        Articles already stored (same fingerprint) are skipped with their events; an article whose id is taken
        by a different text is stored as ``{id}-{fingerprint[:8]}``; an event whose id is stored is merged
        (:func:`merge_events`). With ``dedup``, an event another outlet's report already brought to the store
        (:mod:`midan.dedup`: the same place, days, type family and story) is merged into that record, which keeps
        its id; when several records of one article match one stored record, at most one joins it and a wrong
        earlier merge is split (:func:`_one_each`). Each article's own report of an event is kept (``reports``),
        so that a merged record can be recomputed and split. Every event added or changed is logged in
        ``changes`` (:meth:`changes`). If anything fails, nothing of the batch is stored and earlier batches stay.
        """
        added_articles = added_events = merged = 0
        now = int(time.time())
        with self._writing() as conn:
            for article, found in items:
                mark = fingerprint(article)
                if conn.execute(select(articles.c.id).where(articles.c.fingerprint == mark)).first():
                    continue
                ident = article.id
                if conn.execute(select(articles.c.id).where(articles.c.id == ident)).first():
                    ident = f"{article.id}-{mark[:8]}"
                    logger.info("article id %r already used by another text; stored as %r", article.id, ident)
                conn.execute(articles.insert().values(
                    id=ident, fingerprint=mark, title=article.title, text=article.text,
                    published=article.published.isoformat() if article.published else None, url=article.url,
                    source=article.source, origin=article.origin, ingested_at=now, home=article.home))
                added_articles += 1
                renamed = [_renamed(item, article.id, ident) if ident != article.id else item for item in found]
                fresh = [item for item in renamed if not conn.execute(
                    select(events.c.event_id_cnty).where(events.c.event_id_cnty == item.event_id_cnty)).first()]
                # the record another outlet's report already stored for each fresh event, if any
                same: dict[int, str] = {}
                if dedup:
                    matched: dict[str, list[tuple[Event, float]]] = {}
                    for item, match in zip(fresh, _reported(conn, fresh, ident), strict=True):
                        if match is not None:
                            matched.setdefault(match[0], []).append((item, match[1]))
                    for target, found in matched.items():
                        # several records of this article match one stored record: one at most joins it, and a
                        # wrong earlier merge is split
                        same.update(_one_each(conn, target, found, now) if len(found) > 1
                                    else {id(found[0][0]): target})
                for item in renamed:
                    target = same.get(id(item)) or item.event_id_cnty
                    key = events.c.event_id_cnty == target
                    existing = conn.execute(select(events).where(key)).first()
                    _keep_report(conn, target, ident, item, now)
                    if existing is None:
                        conn.execute(events.insert().values(**_to_row(item)))
                        _index_text(conn, item)
                        _log_change(conn, item.event_id_cnty, "added", now)
                        added_events += 1
                        continue
                    old = _from_row(existing)
                    combined = merge_events(old, item)
                    if target != item.event_id_cnty:
                        from midan.dedup import merge_reports

                        combined = merge_reports(old, item, combined)
                    if conn.execute(select(reviews.c.status).where(reviews.c.event_id_cnty == target)).first():
                        # a person has decided on it: the new report adds its article, outlet and
                        # evidence, and changes nothing the person saw
                        combined = dataclasses.replace(
                            old, article_ids=combined.article_ids, source=combined.source,
                            evidence=combined.evidence, timestamp=combined.timestamp)
                    conn.execute(events.update().where(key).values(**_to_row(combined)))
                    _index_text(conn, combined)
                    _log_change(conn, target, "changed", now)
                    merged += 1
        if merged:
            logger.info("%d event(s) merged with events already stored", merged)
        return added_articles, added_events

    def withdraw(self, article_id: str) -> tuple[int, int]:
        """Take an article out (its outlet retracted it, or it was ingested by mistake): an event only it reported
        is deleted, leaving a tombstone in the changes log; an event other reports carry loses this article, its
        evidence and its outlet. Returns (events deleted, events changed); raises LookupError for an unknown id."""
        deleted = changed = 0
        now = int(time.time())
        with self._writing() as conn:
            article = conn.execute(select(articles.c.id, articles.c.source).where(articles.c.id == article_id)).first()
            if article is None:
                raise LookupError(article_id)
            pattern = f'%"{_like(article_id)}"%'
            for row in conn.execute(select(events).where(events.c.article_ids.like(pattern, escape="\\"))).fetchall():
                item = _from_row(row)
                if article_id not in item.article_ids:
                    continue
                key = events.c.event_id_cnty == item.event_id_cnty
                rest = [a for a in item.article_ids if a != article_id]
                if not rest:
                    conn.execute(events.delete().where(key))
                    conn.execute(event_search.delete().where(event_search.c.event_id_cnty == item.event_id_cnty))
                    conn.execute(reviews.delete().where(reviews.c.event_id_cnty == item.event_id_cnty))
                    conn.execute(reports.delete().where(reports.c.event_id_cnty == item.event_id_cnty))
                    _log_change(conn, item.event_id_cnty, "deleted", now)
                    deleted += 1
                    continue
                conn.execute(reports.delete().where(and_(reports.c.event_id_cnty == item.event_id_cnty,
                                                         reports.c.article_id == article_id)))
                kept = _reports_of(conn, item.event_id_cnty, rest)
                if kept is not None:
                    # recomputed from the reports that stay (a person's edits stay too)
                    rebuilt = _recomputed(conn, item.event_id_cnty, [r for _, _, r in kept], item, now)
                    conn.execute(events.update().where(key).values(**_to_row(rebuilt)))
                    _index_text(conn, rebuilt)
                    _log_change(conn, item.event_id_cnty, "changed", now)
                    changed += 1
                    continue
                # merged before the reports were kept: only this article's part is taken out
                outlets = {s for a in rest for s in conn.execute(
                    select(articles.c.source).where(articles.c.id == a)).scalars() if s}
                item.article_ids = rest
                item.evidence = [e for e in item.evidence if e.article_id != article_id]
                if article.source and article.source not in outlets:
                    item.source = "; ".join(p for p in _split(item.source) if p != article.source)
                item.timestamp = max(now, item.timestamp)
                conn.execute(events.update().where(key).values(**_to_row(item)))
                _index_text(conn, item)
                _log_change(conn, item.event_id_cnty, "changed", now)
                changed += 1
            conn.execute(reports.delete().where(reports.c.article_id == article_id))
            conn.execute(articles.delete().where(articles.c.id == article_id))
        return deleted, changed

    def split(self, event_id: str, article_ids: list[str], reviewer: str = "") -> tuple[Event, Event]:
        """Undo a wrong merge by hand: the reports of ``article_ids`` leave the stored record ``event_id`` and
        make a new record (its id: the identity id of its earliest report, when free); both are recomputed from
        their reports and logged (``changed``, ``added``), and each gets an audit entry ``split`` (the articles
        before and after). ``event_id`` keeps its review and every field a person edited; the new record is
        unreviewed. One transaction. Returns (the record kept, the new record).

        Raises LookupError for an unknown event, :class:`InputError` for an article the event does not have,
        for every one of its articles, or for a record merged before midan kept each article's report."""
        moving = list(dict.fromkeys(a.strip() for a in article_ids if a.strip()))
        if not moving:
            raise InputError("name the articles to split off")
        now = int(time.time())
        with self._writing() as conn:
            stored = self._require(conn, event_id)
            unknown = [a for a in moving if a not in stored.article_ids]
            if unknown:
                raise InputError(f"event {event_id!r} has no article {unknown[0]!r} "
                                 f"(its articles: {', '.join(stored.article_ids)})")
            if set(stored.article_ids) <= set(moving):
                raise InputError(f"cannot split off every article of {event_id!r}: leave at least one")
            kept = _reports_of(conn, event_id, stored.article_ids)
            if kept is None:
                raise InputError(f"event {event_id!r} was merged before midan kept each article's report, so it "
                                 "cannot be recomputed: withdraw its articles and ingest them again")
            staying = [r for r in kept if r[1] not in moving]
            leaving = [r for r in kept if r[1] in moving]
            kept_record, new_record = _split_off(conn, stored, [staying, leaving], now)
            before = json.dumps(stored.article_ids, ensure_ascii=False)
            conn.execute(audit.insert(), [
                {"event_id_cnty": record.event_id_cnty, "at": now, "reviewer": reviewer, "field": "split",
                 "old": before, "new": json.dumps(record.article_ids, ensure_ascii=False)}
                for record in (kept_record, new_record)])
        logger.info("split %s: %s moved to %s", event_id, ", ".join(moving), new_record.event_id_cnty)
        return kept_record, new_record

    def changes(self, since: int = 0, limit: int = 10_000) -> list[dict[str, Any]]:
        """What happened to events after ``since`` (seconds since the epoch), one entry an event, oldest first:
        ``added`` (new since then), ``changed``, or ``deleted`` (a tombstone), with the record as it stands (None
        for a tombstone) and ``at``, the time of its last change. What a downstream copy needs to stay in step."""
        since = max(0, min(since, 2**31 - 1))  # a database integer holds it (beyond: the year 2038, none yet)
        with self.engine.connect() as conn:
            rows = conn.execute(select(changes.c.event_id_cnty, changes.c.kind, changes.c.at).where(
                changes.c.at > since).order_by(changes.c.seq)).fetchall()
            summary: dict[str, dict[str, Any]] = {}
            for ident, kind, at in rows:
                entry = summary.get(ident)
                if entry is None:
                    summary[ident] = {"event_id_cnty": ident, "change": kind, "at": at}
                    continue
                entry["at"] = at
                if kind == "deleted":
                    entry["change"] = "deleted"
                elif entry["change"] == "deleted":
                    entry["change"] = "changed"
            listed = sorted(summary.values(), key=lambda e: e["at"])[:limit]
            ids = [e["event_id_cnty"] for e in listed if e["change"] != "deleted"]
            records: dict[str, Event] = {}
            for start in range(0, len(ids), 500):
                for row in conn.execute(select(events).where(events.c.event_id_cnty.in_(ids[start:start + 500]))):
                    item = _from_row(row)
                    records[item.event_id_cnty] = item
        for entry in listed:
            found = records.get(entry["event_id_cnty"])
            entry["record"] = found.to_dict() if found is not None else None
            if found is None and entry["change"] != "deleted":
                entry["change"] = "deleted"
        return listed

    # reading

    def events(self, country: str | None = None, event_type: str | None = None, sub_event_type: str | None = None,
               date_from: dt.date | str | None = None, date_to: dt.date | str | None = None,
               min_confidence: float | None = None, limit: int | None = None, offset: int = 0,
               after: tuple[Any, str] | None = None, where: EventFilter | None = None,
               order: tuple[str, bool] = ("event_date", False)) -> Iterator[Event]:
        """Stored events matching the filters, streamed, ordered by ``order`` (a column of
        :data:`SORT_COLUMNS`, descending or not) then event_id_cnty (the same way).

        ``after=(value of the order column, event_id_cnty)`` starts after that event (keyset pagination);
        ``where`` may carry the filters ready-made instead of the keywords.
        """
        flt = _filter(where, country=country, event_type=event_type, sub_event_type=sub_event_type,
                      date_from=date_from, date_to=date_to, min_confidence=min_confidence)
        return self._stream(_listing(flt, order, after, limit, offset))

    def rows(self, where: EventFilter | None = None, after: tuple[Any, str] | None = None, limit: int | None = None,
             order: tuple[str, bool] = ("event_date", False), raw_json: bool = False) -> list[dict[str, Any]]:
        """The same selection as :meth:`events`, as the records' dicts (``Event.to_dict()``), read straight from
        the rows: the API's pages skip building and flattening dataclasses (a third of a request's time).
        ``raw_json`` leaves ``evidence`` and ``article_ids`` as the JSON text stored, for a writer that copies
        them into its own JSON unparsed."""
        query = _listing(where or EventFilter(), order, after, limit, 0)
        found = []
        with self.engine.connect() as conn:
            result = conn.execute(query)
            keys = [str(k) for k in result.keys()]  # plain str: orjson takes no subclass of it
            for row in result:
                data = dict(zip(keys, row, strict=True))
                for name in JSON_COLUMNS:
                    data[name] = (data[name] or "[]") if raw_json else json.loads(data[name] or "[]")
                found.append(data)
        return found

    def generation(self) -> int:
        """A number every write to the store raises: what a reader's cache is keyed on."""
        with self.engine.connect() as conn:
            return _generation(conn) or 0

    def _stream(self, query: Any) -> Iterator[Event]:
        with self.engine.connect() as conn:
            for row in conn.execution_options(yield_per=500).execute(query):
                yield _from_row(row)

    def count(self, country: str | None = None, event_type: str | None = None, sub_event_type: str | None = None,
              date_from: dt.date | str | None = None, date_to: dt.date | str | None = None,
              min_confidence: float | None = None, where: EventFilter | None = None) -> int:
        """How many stored events match the filters (remembered until the store changes: a page of the API
        asks for its total every time, and counting 50,000 rows costs more than the page).

        A count over a date range is read from the day-by-day counts of the other filters, remembered the same
        way: a dashboard brushing its timeline asks for one range after another."""
        flt = _filter(where, country=country, event_type=event_type, sub_event_type=sub_event_type,
                      date_from=date_from, date_to=date_to, min_confidence=min_confidence)
        with self.engine.connect() as conn:
            generation = _generation(conn)
            known = self._counts.get((flt, generation)) if generation is not None else None
            if known is not None:
                return known
            if generation is not None and (flt.date_from or flt.date_to):
                found = self._dated_count(conn, flt, generation)
            else:
                found = int(conn.execute(flt.where(select(func.count()).select_from(events))).scalar() or 0)
        if generation is not None:  # a store whose counter row was removed is counted every time
            if len(self._counts) >= 512:
                self._counts.clear()
            self._counts[(flt, generation)] = found
        return found

    def _dated_count(self, conn: Any, flt: EventFilter, generation: int) -> int:
        undated = dataclasses.replace(flt, date_from=None, date_to=None)
        days = self._days.get((undated, generation))
        if days is None:
            day = events.c.event_date
            rows = conn.execute(undated.where(select(day, func.count())).group_by(day).order_by(day)).fetchall()
            running, total = [], 0
            for _, n in rows:
                total += int(n)
                running.append(total)
            days = ([d for d, _ in rows], running)
            if len(self._days) >= 64:
                self._days.clear()
            self._days[(undated, generation)] = days
        dates, running = days
        # event_date is ISO text, so its order is the days' order, as in the SQL filter
        low = bisect.bisect_left(dates, flt.date_from.isoformat()) if flt.date_from else 0
        high = bisect.bisect_right(dates, flt.date_to.isoformat()) if flt.date_to else len(dates)
        if high <= low:
            return 0
        return running[high - 1] - (running[low - 1] if low else 0)

    def get_event(self, event_id: str) -> Event | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(events).where(events.c.event_id_cnty == event_id)).first()
        return _from_row(row) if row is not None else None

    def get_article(self, article_id: str) -> dict[str, Any] | None:
        """The stored article as a dict (id, title, text, published, url, source, origin, ...) or None."""
        with self.engine.connect() as conn:
            row = conn.execute(select(articles).where(articles.c.id == article_id)).first()
        return dict(row._mapping) if row is not None else None

    def facets(self, column: str, limit: int | None = None, **filters: Any) -> list[tuple[Any, int]]:
        """``(value, count)`` of one column among the matching events, most frequent first (ties by value)."""
        if column not in FACET_COLUMNS:
            raise InputError(Errors.E015.format(column=column, choices=", ".join(FACET_COLUMNS)))
        flt = filters.pop("where", None) or EventFilter.parse(filters)
        col = events.c[column]
        n = func.count().label("n")
        query = flt.where(select(col, n).group_by(col)).order_by(n.desc(), col)
        if limit is not None:
            query = query.limit(limit)
        with self.engine.connect() as conn:
            return [(value, int(count)) for value, count in conn.execute(query).fetchall()]

    def timeline(self, where: EventFilter | None = None) -> list[tuple[str, str, int, int]]:
        """``(event_date, event_type, events, fatalities)`` of the matching events, by day and type, oldest first."""
        n, deaths = func.count(), func.coalesce(func.sum(events.c.fatalities), 0)
        query = (where or EventFilter()).where(select(events.c.event_date, events.c.event_type, n, deaths)).group_by(
            events.c.event_date, events.c.event_type).order_by(events.c.event_date, events.c.event_type)
        with self.engine.connect() as conn:
            return [(day, kind, int(count), int(total)) for day, kind, count, total in conn.execute(query)]

    def map_points(self, where: EventFilter | None = None, limit: int = 2000) -> list[tuple[Any, ...]] | None:
        """:data:`MAP_POINT` of the matching events with coordinates, or None when there are more than ``limit``."""
        columns = [events.c[name] for name in MAP_POINT]
        # no ORDER BY, so the database can stop after limit + 1 rows; the few that come back are sorted here
        query = _located(where, select(*columns)).limit(limit + 1)
        with self.engine.connect() as conn:
            found = sorted(tuple(row) for row in conn.execute(query))
        return found if len(found) <= limit else None

    def map_countries(self, where: EventFilter | None = None) -> list[tuple[str, int | None, int]]:
        """``(country, iso, events)`` of the matching events with coordinates, most events first."""
        n = func.count().label("n")
        query = _located(where, select(events.c.country, events.c.iso, n)).group_by(
            events.c.country, events.c.iso).order_by(n.desc(), events.c.country)
        with self.engine.connect() as conn:
            return [(country, iso, int(count)) for country, iso, count in conn.execute(query)]

    def map_cells(self, cell: float, where: EventFilter | None = None) -> list[dict[str, Any]]:
        """The matching events with coordinates gathered in squares of ``cell`` degrees (what a map shows when
        zoomed out): for each, where its events lie (mean point and extent), how many of each type and their
        fatalities."""
        row_of = _CellIndex(events.c.latitude + 90.0, cell)
        column_of = _CellIndex(events.c.longitude + 180.0, cell)
        query = _located(where, select(
            row_of, column_of, events.c.event_type, func.count(), func.coalesce(func.sum(events.c.fatalities), 0),
            func.sum(events.c.latitude), func.sum(events.c.longitude), func.min(events.c.latitude),
            func.max(events.c.latitude), func.min(events.c.longitude), func.max(events.c.longitude),
        )).group_by(row_of, column_of, events.c.event_type)
        cells: dict[tuple[int, int], dict[str, Any]] = {}
        with self.engine.connect() as conn:
            for row, column, kind, count, deaths, lat, lon, south, north, west, east in conn.execute(query):
                found = cells.setdefault((int(row), int(column)), {
                    "count": 0, "fatalities": 0, "lat": 0.0, "lon": 0.0, "by_type": {},
                    "bbox": [float(west), float(south), float(east), float(north)]})
                found["count"] += int(count)
                found["fatalities"] += int(deaths)
                found["lat"] += float(lat)
                found["lon"] += float(lon)
                found["by_type"][kind] = found["by_type"].get(kind, 0) + int(count)
                box = found["bbox"]
                found["bbox"] = [min(box[0], west), min(box[1], south), max(box[2], east), max(box[3], north)]
        listed = []
        for found in cells.values():
            found["lat"] = round(found["lat"] / found["count"], 5)
            found["lon"] = round(found["lon"] / found["count"], 5)
            listed.append(found)
        return sorted(listed, key=lambda c: -c["count"])

    # review

    def reviews_of(self, event_ids: list[str]) -> dict[str, dict[str, Any]]:
        """The review of each of these events (status, reviewer, reviewed_at); unreviewed ones are absent."""
        found: dict[str, dict[str, Any]] = {}
        with self.engine.connect() as conn:
            for start in range(0, len(event_ids), 500):
                query = select(reviews).where(reviews.c.event_id_cnty.in_(event_ids[start:start + 500]))
                for row in conn.execute(query):
                    found[row.event_id_cnty] = {"status": row.status, "reviewer": row.reviewer,
                                                "reviewed_at": row.reviewed_at}
        return found

    def review(self, event_id: str, status: str, reviewer: str) -> dict[str, Any]:
        """Record a reviewer's decision (accepted, rejected, or back to unreviewed) and log it."""
        if status not in DECISIONS:
            raise InputError(f"invalid status {status!r}: expected one of {', '.join(DECISIONS)} "
                             "(an edit marks an event 'edited')")
        with self._writing() as conn:
            self._require(conn, event_id)
            self._set_review(conn, event_id, status, reviewer)
            _log_change(conn, event_id, "changed", int(time.time()))
        return {"status": status, "reviewer": reviewer}

    def edit(self, event_id: str, changes: dict[str, Any], reviewer: str,
             country_of: CountryLookup | None = None) -> Event:
        """Apply a reviewer's corrections (:func:`midan.review.corrected`), log each changed field and mark the
        event ``edited``; its ``event_id_cnty`` stays. One transaction: all of it or nothing."""
        with self._writing() as conn:
            old = self._require(conn, event_id)
            fixed, changed = corrected(old, changes, country_of)
            if not changed:
                return old  # the values it already has: nothing to log, the status stays
            now = int(time.time())
            fixed.timestamp = max(now, old.timestamp)
            conn.execute(events.update().where(events.c.event_id_cnty == event_id).values(**_to_row(fixed)))
            _index_text(conn, fixed)
            _log_change(conn, event_id, "changed", now)
            conn.execute(audit.insert(), [{"event_id_cnty": event_id, "at": now, "reviewer": reviewer,
                                           "field": name, "old": json.dumps(before, ensure_ascii=False),
                                           "new": json.dumps(after, ensure_ascii=False)}
                                          for name, before, after in changed])
            self._set_review(conn, event_id, "edited", reviewer)
        return fixed

    def audit_log(self, event_id: str | None = None, since: int | None = None,
                  limit: int = 1000) -> list[dict[str, Any]]:
        """Audit entries, oldest first: of one event, or of all since a time (seconds since the epoch)."""
        query = select(audit).order_by(audit.c.id).limit(limit)
        if event_id is not None:
            query = query.where(audit.c.event_id_cnty == event_id)
        if since is not None:
            query = query.where(audit.c.at >= since)
        with self.engine.connect() as conn:
            return [_audit_entry(row) for row in conn.execute(query)]

    def audit_of(self, event_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
        """The audit entries of each of these events, oldest first (events without any are absent)."""
        found: dict[str, list[dict[str, Any]]] = {}
        with self.engine.connect() as conn:
            for start in range(0, len(event_ids), 500):
                chunk = event_ids[start:start + 500]
                query = select(audit).where(audit.c.event_id_cnty.in_(chunk)).order_by(audit.c.id)
                for row in conn.execute(query):
                    found.setdefault(row.event_id_cnty, []).append(_audit_entry(row))
        return found

    def queue(self, limit: int = 100, where: EventFilter | None = None) -> list[Event]:
        """Unreviewed events in the order a person should see them: least confident first, then most deaths."""
        flt = dataclasses.replace(where or EventFilter(), status=("unreviewed",))
        query = flt.where(select(events)).order_by(events.c.confidence, events.c.fatalities.desc(),
                                                   events.c.event_id_cnty).limit(limit)
        return list(self._stream(query))

    @contextmanager
    def _writing(self, bump: bool = True) -> Iterator[Any]:
        """One write transaction; a database error becomes a one-line :class:`StoreError`. ``bump`` raises the
        generation (what the API's caches are keyed on): every write of events or reviews does; bookkeeping that
        no page shows (watched feeds) does not."""
        try:
            with self.engine.begin() as conn:
                if bump:
                    _bump(conn)
                yield conn
        except SQLAlchemyError as exc:
            raise StoreError(Errors.E014.format(url=self.url, reason=_reason(exc))) from None

    def _require(self, conn: Any, event_id: str) -> Event:
        row = conn.execute(select(events).where(events.c.event_id_cnty == event_id)).first()
        if row is None:
            raise LookupError(event_id)
        return _from_row(row)

    @staticmethod
    def _set_review(conn: Any, event_id: str, status: str, reviewer: str) -> None:
        now = int(time.time())
        previous = conn.execute(select(reviews.c.status).where(reviews.c.event_id_cnty == event_id)).scalar()
        conn.execute(reviews.delete().where(reviews.c.event_id_cnty == event_id))
        if status != "unreviewed":
            conn.execute(reviews.insert().values(event_id_cnty=event_id, status=status, reviewer=reviewer,
                                                 reviewed_at=now))
        if (previous or "unreviewed") != status:
            conn.execute(audit.insert().values(event_id_cnty=event_id, at=now, reviewer=reviewer,
                                               field="review_status", old=json.dumps(previous or "unreviewed"),
                                               new=json.dumps(status)))

    # watched sources (midan watch)

    def feed(self, url: str) -> dict[str, Any] | None:
        """What the store remembers of a watched source: ``etag``, ``last_modified``, ``checked_at``, ``status``,
        ``error``; None for a source never checked."""
        with self.engine.connect() as conn:
            row = conn.execute(select(feeds).where(feeds.c.url == url)).first()
        return dict(row._mapping) if row is not None else None

    def save_feed(self, url: str, *, etag: str | None, last_modified: str | None, status: int | None,
                  error: str = "") -> None:
        """Record a check of a source (its validators are None when the next poll must fetch it in full)."""
        values = {"etag": etag, "last_modified": last_modified, "checked_at": int(time.time()), "status": status,
                  "error": error}
        with self._writing(bump=False) as conn:
            if conn.execute(feeds.update().where(feeds.c.url == url).values(**values)).rowcount == 0:
                conn.execute(feeds.insert().values(url=url, **values))

    def feed_items(self, url: str) -> dict[str, tuple[bool, int]]:
        """The items of a feed seen so far: item key → (dealt with, attempts)."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(feed_items.c.item, feed_items.c.done, feed_items.c.attempts)
                                .where(feed_items.c.feed_url == url)).fetchall()
        return {row.item: (bool(row.done), int(row.attempts)) for row in rows}

    def mark_items(self, url: str, outcomes: Mapping[str, bool]) -> None:
        """Record one attempt at each item of a feed: True when it is dealt with (stored, or failed for good),
        False when it should be tried again; in one transaction."""
        if not outcomes:
            return
        now = int(time.time())
        with self._writing(bump=False) as conn:
            for item, done in outcomes.items():
                key = and_(feed_items.c.feed_url == url, feed_items.c.item == item)
                updated = conn.execute(feed_items.update().where(key).values(
                    done=done, attempts=feed_items.c.attempts + 1, seen_at=now))
                if updated.rowcount == 0:
                    conn.execute(feed_items.insert().values(feed_url=url, item=item, done=done, attempts=1,
                                                            seen_at=now))

    # reviewers

    def add_user(self, name: str) -> str:
        """Create a reviewer and return their token (shown once: only its SHA-256 is stored)."""
        if not _USER_NAME.fullmatch(name):
            raise InputError(f"invalid user name {name!r}: letters, digits and . _ @ - (up to 100)")
        token = secrets.token_urlsafe(32)
        with self._writing() as conn:
            if conn.execute(select(users.c.name).where(users.c.name == name)).first():
                raise InputError(f"user {name!r} exists; remove it first (midan users remove {name})")
            conn.execute(users.insert().values(name=name, token_sha256=_digest(token), created_at=int(time.time())))
        return token

    def remove_user(self, name: str) -> bool:
        with self.engine.begin() as conn:
            return bool(conn.execute(users.delete().where(users.c.name == name)).rowcount)

    def user_names(self) -> list[str]:
        with self.engine.connect() as conn:
            return [row.name for row in conn.execute(select(users.c.name).order_by(users.c.name))]

    def user_for_token(self, token: str) -> str | None:
        """The reviewer a token belongs to; every stored digest is compared in constant time."""
        digest = _digest(token)
        with self.engine.connect() as conn:
            rows = conn.execute(select(users.c.name, users.c.token_sha256)).fetchall()
        found = None
        for name, stored in rows:
            if hmac.compare_digest(stored, digest):
                found = name
        return found

    def stats(self) -> dict[str, Any]:
        """Counts for a dashboard: articles, events, date range, total fatalities, countries."""
        with self.engine.connect() as conn:
            n_articles = conn.execute(select(func.count()).select_from(articles)).scalar() or 0
            n_events, first, last, deaths, countries = conn.execute(select(
                func.count(), func.min(events.c.event_date), func.max(events.c.event_date),
                func.coalesce(func.sum(events.c.fatalities), 0), func.count(events.c.country.distinct()),
            )).one()
        return {"articles": int(n_articles), "events": int(n_events or 0), "first_date": first, "last_date": last,
                "fatalities": int(deaths or 0), "countries": int(countries or 0)}


def _audit_entry(row: Any) -> dict[str, Any]:
    """An audit row as the API and the corrections export give it: old and new values parsed from their JSON."""
    return {**dict(row._mapping), "old": json.loads(row.old), "new": json.loads(row.new)}


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


__all__ = ["DEFAULT_URL", "FACET_COLUMNS", "SORT_COLUMNS", "EventFilter", "Store", "merge_events", "normalise_url",
           "open_store"]
