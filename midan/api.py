"""The REST API and web page over the store (FastAPI), Datasette-style.

``/api/events`` takes filters as query parameters (``country``, ``event_type``, ``sub_event_type``, ``date_from``,
``date_to``, ``min_confidence``), pages with ``_size`` and an opaque ``_next`` token (keyset: it stays right while
events are added), and counts values with ``_facet=column``; ``.json`` is the default and ``.csv`` (ACLED CSV)
and ``.geojson`` twins stream the same rows. Every error has one envelope ``{"ok": false, "error", "status"}``.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from midan.errors import InputError, MidanError
from midan.export import MEDIA_TYPES, csv_chunks, geojson_chunks
from midan.schema import Event
from midan.store import FACET_COLUMNS, EventFilter, Store, open_store

logger = logging.getLogger(__name__)

WEB = Path(__file__).parent / "web"
DEFAULT_SIZE = 100
MAX_SIZE = 1000
DEFAULT_FACET_SIZE = 30
MAX_FACET_SIZE = 5000

#: every query parameter /api/events understands, with its help (documented once, checked by a test)
PARAMETERS: dict[str, str] = {
    "country": "country name (case-insensitive)",
    "event_type": "one of ACLED's 6 event types",
    "sub_event_type": "one of ACLED's 25 sub-event types",
    "date_from": "first event_date, YYYY-MM-DD (inclusive)",
    "date_to": "last event_date, YYYY-MM-DD (inclusive)",
    "min_confidence": "only events at or above this confidence (0-1)",
    "_size": f"rows per page, 1-{MAX_SIZE} (default {DEFAULT_SIZE}; .csv/.geojson: all rows unless given)",
    "_next": "the opaque token from the previous page's 'next'",
    "_facet": "count events by this column's values (repeatable)",
    "_facet_size": f"values per facet (default {DEFAULT_FACET_SIZE}; 'max' for all)",
    "_dl": "csv/geojson: send as a download (attachment)",
}


class ApiError(Exception):
    """An error answered with the envelope ``{"ok": false, "error", "status"}``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _envelope(status: int, message: str) -> JSONResponse:
    return JSONResponse({"ok": False, "error": message, "status": status}, status_code=status)


# --- query parameters ----------------------------------------------------------------------------------------


def _filters(request: Request) -> EventFilter:
    params = request.query_params
    unknown = [k for k in params if k not in PARAMETERS and not k.startswith("_")]
    if unknown:
        raise ApiError(400, f"unknown parameter {unknown[0]!r}: expected one of {', '.join(PARAMETERS)}")
    try:
        return EventFilter.parse(params)
    except InputError as exc:
        raise ApiError(400, str(exc)) from None


def _size(request: Request, default: int | None) -> int | None:
    value = request.query_params.get("_size")
    if value is None or value == "":
        return default
    try:
        size = int(value)
    except ValueError:
        raise ApiError(400, f"_size must be an integer, not {value!r}") from None
    if not 1 <= size <= MAX_SIZE:
        raise ApiError(400, f"_size must be between 1 and {MAX_SIZE}")
    return size


def encode_token(item: Event) -> str:
    """The opaque ``_next`` token that resumes after this event."""
    raw = json.dumps([item.event_date, item.event_id_cnty], separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_token(token: str) -> tuple[str, str]:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        day, ident = json.loads(raw.decode("utf-8"))
        if not isinstance(day, str) or not isinstance(ident, str):
            raise ValueError(token)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise ApiError(400, f"invalid _next token {token!r}") from None
    return day, ident


def _after(request: Request) -> tuple[str, str] | None:
    token = request.query_params.get("_next")
    return decode_token(token) if token else None


def _facets(request: Request, store: Store, where: EventFilter) -> dict[str, list[dict[str, Any]]]:
    columns = request.query_params.getlist("_facet")
    raw = request.query_params.get("_facet_size", "")
    if raw == "max":
        limit = MAX_FACET_SIZE
    else:
        try:
            limit = int(raw) if raw else DEFAULT_FACET_SIZE
        except ValueError:
            raise ApiError(400, f"_facet_size must be an integer or 'max', not {raw!r}") from None
        if not 1 <= limit <= MAX_FACET_SIZE:
            raise ApiError(400, f"_facet_size must be between 1 and {MAX_FACET_SIZE}")
    found: dict[str, list[dict[str, Any]]] = {}
    for column in dict.fromkeys(columns):
        if column not in FACET_COLUMNS:
            raise ApiError(400, f"cannot facet on {column!r}: expected one of {', '.join(FACET_COLUMNS)}")
        found[column] = [{"value": value, "count": count}
                         for value, count in store.facets(column, limit=limit, where=where)]
    return found


# --- the application -----------------------------------------------------------------------------------------


def create_app(db_url: str | None = None, store: Store | None = None) -> FastAPI:
    """The web application over the store at ``db_url`` (or an open ``store``); raises StoreError at once when
    the store cannot be opened."""
    store = store if store is not None else open_store(db_url)
    app = FastAPI(title="midan", description="ACLED-style event data extracted from news articles.",
                  docs_url="/api/docs", redoc_url=None, openapi_url="/api/openapi.json")
    app.state.store = store

    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return _envelope(exc.status, str(exc))

    @app.exception_handler(MidanError)
    async def _midan_error(_: Request, exc: MidanError) -> JSONResponse:
        return _envelope(400 if isinstance(exc, InputError) else 500, str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = "not found" if exc.status_code == 404 else str(exc.detail)
        return _envelope(exc.status_code, message)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        return _envelope(400, f"{'.'.join(str(p) for p in first.get('loc', []))}: {first.get('msg', 'invalid')}")

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index() -> HTMLResponse:
        return HTMLResponse((WEB / "index.html").read_text(encoding="utf-8"))

    @app.get("/api")
    def api_index() -> dict[str, Any]:
        return {"ok": True, "endpoints": ["/api/events", "/api/events.csv", "/api/events.geojson",
                                          "/api/events/{event_id}", "/api/articles/{article_id}", "/api/stats"],
                "parameters": PARAMETERS}

    @app.get("/api/events")
    @app.get("/api/events.json")
    def list_events(request: Request) -> dict[str, Any]:
        """A page of events with ``next``/``next_url`` and the requested facets."""
        where = _filters(request)
        size = _size(request, DEFAULT_SIZE)
        assert size is not None
        found = list(store.events(where=where, after=_after(request), limit=size + 1))
        rows, more = found[:size], len(found) > size
        body: dict[str, Any] = {"ok": True, "total": store.count(where=where), "rows": [e.to_dict() for e in rows],
                                "next": None, "next_url": None}
        if more:
            token = encode_token(rows[-1])
            body["next"] = token
            body["next_url"] = str(request.url.include_query_params(_next=token))
        facets = _facets(request, store, where)
        if facets:
            body["facets"] = facets
        return body

    def _download(request: Request, fmt: str, chunks: Iterator[str], filename: str) -> StreamingResponse:
        headers = {}
        if request.query_params.get("_dl"):
            headers["Content-Disposition"] = f'attachment; filename="{filename}"'
        return StreamingResponse(chunks, media_type=MEDIA_TYPES[fmt], headers=headers)

    def _selected(request: Request) -> Iterator[Event]:
        where = _filters(request)
        return store.events(where=where, after=_after(request), limit=_size(request, None))

    @app.get("/api/events.csv")
    def events_csv(request: Request) -> Response:
        """The matching events as ACLED CSV (all rows unless ``_size`` is given)."""
        return _download(request, "acled-csv", csv_chunks(list(_selected(request))), "events.csv")

    @app.get("/api/events.geojson")
    def events_geojson(request: Request) -> Response:
        """The matching events with coordinates as a GeoJSON FeatureCollection."""
        return _download(request, "geojson", geojson_chunks(list(_selected(request))), "events.geojson")

    @app.get("/api/events/{event_id}")
    def get_event(event_id: str) -> dict[str, Any]:
        item = store.get_event(event_id)
        if item is None:
            raise ApiError(404, f"no event {event_id!r}")
        return {"ok": True, "event": item.to_dict()}

    @app.get("/api/articles/{article_id:path}")
    def get_article(article_id: str) -> dict[str, Any]:
        """A stored article with its full text, so evidence offsets can be highlighted."""
        article = store.get_article(article_id)
        if article is None:
            raise ApiError(404, f"no article {article_id!r}")
        return {"ok": True, "article": article}

    @app.get("/api/stats")
    def stats() -> dict[str, Any]:
        return {"ok": True, **store.stats(),
                "by_event_type": [{"value": v, "count": n} for v, n in store.facets("event_type")],
                "by_country": [{"value": v, "count": n} for v, n in store.facets("country", limit=100)]}

    return app


def serve(db_url: str | None = None, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Run the web application with uvicorn until interrupted (the store is opened first, so a bad URL fails
    with a one-line StoreError before the server starts)."""
    import uvicorn

    app = create_app(db_url)
    logger.info("serving %s on http://%s:%d/", app.state.store.url, host, port)
    uvicorn.run(app, host=host, port=port, log_level="warning")


__all__ = ["PARAMETERS", "ApiError", "create_app", "decode_token", "encode_token", "serve"]
