"""The event store: articles and events in SQLite (default) or PostgreSQL, through SQLAlchemy.

Each batch of articles and their events is one transaction, so an interrupted ingest loses nothing that was
committed and resumes where it stopped (articles are recognised by a content fingerprint). An event already
stored under the same ``event_id_cnty`` — the same event reported by another outlet — is merged: its articles,
sources and evidence are united and the lower fatality figure is kept (ACLED's conservative rule).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    func,
    select,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

from midan.errors import Errors, StoreError
from midan.ingest import fingerprint
from midan.schema import ALL_COLUMNS, Article, Event

logger = logging.getLogger(__name__)

metadata = MetaData()
_INT_COLUMNS = {"year", "time_precision", "iso", "geo_precision", "fatalities", "timestamp", "inter1_code",
                "inter2_code", "geonames_id", "fatalities_low", "fatalities_high"}
_FLOAT_COLUMNS = {"latitude", "longitude", "confidence"}
_JSON_COLUMNS = {"evidence", "article_ids"}


def _column(name: str) -> Column[Any]:
    if name == "event_id_cnty":
        return Column(name, String(40), primary_key=True)
    if name in _INT_COLUMNS:
        return Column(name, Integer, nullable=True, index=name in {"year"})
    if name in _FLOAT_COLUMNS:
        return Column(name, Float, nullable=True)
    if name in _JSON_COLUMNS or name in {"notes"}:
        return Column(name, Text, nullable=False, default="")
    indexed = name in {"country", "event_date", "event_type", "sub_event_type"}
    return Column(name, String(400), nullable=False, default="", index=indexed)


articles = Table(
    "articles", metadata,
    Column("id", String(200), primary_key=True),
    Column("fingerprint", String(40), unique=True, nullable=False),
    Column("title", Text, nullable=False, default=""),
    Column("text", Text, nullable=False),
    Column("published", String(10), nullable=True),
    Column("url", Text, nullable=False, default=""),
    Column("source", String(400), nullable=False, default=""),
    Column("origin", Text, nullable=False, default=""),
    Column("ingested_at", Integer, nullable=False),
)
events = Table("events", metadata, *[_column(name) for name in ALL_COLUMNS])


def _url(url: str | None) -> str:
    if not url:
        return "sqlite:///midan.db"
    if "://" not in url:
        return f"sqlite:///{Path(url)}"
    return url


def open_store(url: str | None = None) -> Store:
    """Open (and create) the store at a SQLAlchemy URL or a SQLite file path."""
    target = _url(url)
    try:
        engine = create_engine(target, future=True)
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
            database = engine.url.database
            if database and database != ":memory:" and not Path(database).resolve().parent.exists():
                raise StoreError(Errors.E007.format(url=target, reason="its directory does not exist"))
        metadata.create_all(engine)
    except StoreError:
        raise
    except (ArgumentError, NoSuchModuleError, SQLAlchemyError, ImportError, ValueError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise StoreError(Errors.E007.format(url=target, reason=reason)) from None
    return Store(engine)


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _to_row(item: Event) -> dict[str, Any]:
    row = item.to_dict()
    for name in _JSON_COLUMNS:
        row[name] = json.dumps(row[name], ensure_ascii=False)
    return row


def _from_row(row: Any) -> Event:
    data = dict(row._mapping)
    for name in _JSON_COLUMNS:
        data[name] = json.loads(data[name] or "[]")
    return Event.from_dict(data)


def _merge(old: Event, new: Event) -> Event:
    """One event reported by several articles: union of provenance, ACLED's lowest non-zero fatality figure."""
    merged = Event.from_dict(old.to_dict())
    merged.article_ids = list(dict.fromkeys(old.article_ids + new.article_ids))
    sources = [s.strip() for s in f"{old.source};{new.source}".split(";") if s.strip()]
    merged.source = "; ".join(dict.fromkeys(sources))
    seen = {(e.article_id, e.field, e.start, e.end) for e in old.evidence}
    merged.evidence = old.evidence + [e for e in new.evidence if (e.article_id, e.field, e.start, e.end) not in seen]
    figures = [f for f in (old.fatalities, new.fatalities) if f]
    merged.fatalities = min(figures) if figures else 0
    merged.fatalities_low = min(old.fatalities_low, new.fatalities_low) if figures else 0
    merged.fatalities_high = max(old.fatalities_high, new.fatalities_high)
    merged.confidence = round(max(old.confidence, new.confidence), 3)
    merged.timestamp = int(time.time())
    return merged


class Store:
    """Articles and events behind one SQLAlchemy engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    def has_article(self, article_fingerprint: str) -> bool:
        with self.engine.connect() as conn:
            found = conn.execute(select(articles.c.id).where(articles.c.fingerprint == article_fingerprint)).first()
        return found is not None

    def add_batch(self, items: list[tuple[Article, list[Event]]]) -> tuple[int, int]:
        """Store a batch of articles with their events in one transaction; returns (articles, events) added."""
        added_articles = added_events = 0
        now = int(time.time())
        try:
            with self.engine.begin() as conn:
                for article, found in items:
                    mark = fingerprint(article)
                    if conn.execute(select(articles.c.id).where(articles.c.fingerprint == mark)).first():
                        continue
                    ident = article.id
                    if conn.execute(select(articles.c.id).where(articles.c.id == ident)).first():
                        ident = f"{article.id}-{mark[:8]}"
                    conn.execute(articles.insert().values(
                        id=ident, fingerprint=mark, title=article.title, text=article.text,
                        published=article.published.isoformat() if article.published else None, url=article.url,
                        source=article.source, origin=article.origin, ingested_at=now))
                    added_articles += 1
                    for item in found:
                        if ident != article.id:
                            item.article_ids = [ident if a == article.id else a for a in item.article_ids]
                            for evidence in item.evidence:
                                evidence.article_id = ident
                        existing = conn.execute(
                            select(events).where(events.c.event_id_cnty == item.event_id_cnty)).first()
                        if existing is None:
                            conn.execute(events.insert().values(**_to_row(item)))
                            added_events += 1
                        else:
                            merged = _merge(_from_row(existing), item)
                            conn.execute(events.update().where(events.c.event_id_cnty == item.event_id_cnty)
                                         .values(**_to_row(merged)))
        except SQLAlchemyError as exc:
            raise StoreError(Errors.E007.format(url=self.url, reason=str(exc).splitlines()[0])) from None
        return added_articles, added_events

    def _filtered(self, query: Any, country: str | None = None, event_type: str | None = None,
                  sub_event_type: str | None = None, date_from: dt.date | None = None,
                  date_to: dt.date | None = None, min_confidence: float | None = None) -> Any:
        if country:
            query = query.where(func.lower(events.c.country) == country.lower())
        if event_type:
            query = query.where(func.lower(events.c.event_type) == event_type.lower())
        if sub_event_type:
            query = query.where(func.lower(events.c.sub_event_type) == sub_event_type.lower())
        if date_from:
            query = query.where(events.c.event_date >= date_from.isoformat())
        if date_to:
            query = query.where(events.c.event_date <= date_to.isoformat())
        if min_confidence is not None:
            query = query.where(events.c.confidence >= min_confidence)
        return query

    def events(self, limit: int | None = None, offset: int = 0, **filters: Any) -> Iterator[Event]:
        """Stored events matching the filters, by date then id."""
        query = self._filtered(select(events), **filters).order_by(events.c.event_date, events.c.event_id_cnty)
        if limit is not None:
            query = query.limit(limit)
        if offset:
            query = query.offset(offset)
        with self.engine.connect() as conn:
            rows = conn.execute(query).fetchall()
        for row in rows:
            yield _from_row(row)

    def count(self, **filters: Any) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(self._filtered(select(func.count()).select_from(events), **filters)).scalar()
                       or 0)

    def get_event(self, event_id: str) -> Event | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(events).where(events.c.event_id_cnty == event_id)).first()
        return _from_row(row) if row is not None else None

    def get_article(self, article_id: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(articles).where(articles.c.id == article_id)).first()
        return dict(row._mapping) if row is not None else None

    def facets(self, column: str, **filters: Any) -> list[tuple[str, int]]:
        if column not in events.c:
            raise StoreError(f"no column named {column!r}")
        col = events.c[column]
        query = self._filtered(select(col, func.count()).group_by(col), **filters).order_by(func.count().desc())
        with self.engine.connect() as conn:
            return [(str(value), int(n)) for value, n in conn.execute(query).fetchall()]

    def stats(self) -> dict[str, Any]:
        with self.engine.connect() as conn:
            n_articles = conn.execute(select(func.count()).select_from(articles)).scalar() or 0
            n_events = conn.execute(select(func.count()).select_from(events)).scalar() or 0
            first, last = conn.execute(select(func.min(events.c.event_date), func.max(events.c.event_date))).first() \
                or (None, None)
            deaths = conn.execute(select(func.coalesce(func.sum(events.c.fatalities), 0))).scalar()
        return {"articles": int(n_articles), "events": int(n_events), "first_date": first, "last_date": last,
                "fatalities": int(deaths or 0)}
