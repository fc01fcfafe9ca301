"""The REST API and web page over the store (FastAPI), Datasette-style.

``/api/events`` takes filters as query parameters and pages with an opaque ``_next`` token; ``.csv`` and
``.geojson`` twins return the same rows; every error has one envelope ``{"ok": false, "error", "status"}``.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import io
import json
import logging
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from midan.export import geojson_feature
from midan.schema import ALL_COLUMNS
from midan.store import open_store

logger = logging.getLogger(__name__)

WEB = Path(__file__).parent / "web"
_FILTERS = ("country", "event_type", "sub_event_type", "date_from", "date_to", "min_confidence")


class ApiError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _filters(request: Request) -> dict[str, Any]:
    params = request.query_params
    filters: dict[str, Any] = {}
    for name in _FILTERS:
        value = params.get(name)
        if value in (None, ""):
            continue
        if name.startswith("date_"):
            try:
                filters[name] = dt.date.fromisoformat(value)
            except ValueError:
                raise ApiError(400, f"invalid {name} {value!r}: expected YYYY-MM-DD") from None
        elif name == "min_confidence":
            try:
                filters[name] = float(value)
            except ValueError:
                raise ApiError(400, f"invalid min_confidence {value!r}: expected a number") from None
        else:
            filters[name] = value
    return filters


def _page(request: Request) -> tuple[int, int]:
    params = request.query_params
    try:
        size = int(params.get("_size", 100))
    except ValueError:
        raise ApiError(400, "_size must be an integer") from None
    if not 1 <= size <= 1000:
        raise ApiError(400, "_size must be between 1 and 1000")
    offset = 0
    token = params.get("_next")
    if token:
        try:
            offset = int(base64.urlsafe_b64decode(token.encode()).decode())
        except (ValueError, UnicodeDecodeError):
            raise ApiError(400, "invalid _next token") from None
    return size, offset


def create_app(db_url: str | None = None) -> FastAPI:
    """The web application over the store at ``db_url``."""
    store = open_store(db_url)
    app = FastAPI(title="midan", description="ACLED-style event data extracted from news articles.")

    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse({"ok": False, "error": str(exc), "status": exc.status}, status_code=exc.status)

    @app.get("/", response_class=HTMLResponse)
    def index() -> str:
        return (WEB / "index.html").read_text(encoding="utf-8")

    @app.get("/api/events")
    @app.get("/api/events.json")
    def list_events(request: Request) -> dict[str, Any]:
        filters = _filters(request)
        size, offset = _page(request)
        rows = [e.to_dict() for e in store.events(limit=size, offset=offset, **filters)]
        total = store.count(**filters)
        body: dict[str, Any] = {"ok": True, "total": total, "rows": rows, "next": None, "next_url": None}
        if offset + size < total:
            token = base64.urlsafe_b64encode(str(offset + size).encode()).decode()
            body["next"] = token
            body["next_url"] = str(request.url.include_query_params(_next=token))
        facets = request.query_params.getlist("_facet")
        if facets:
            try:
                body["facets"] = {f: store.facets(f, **filters) for f in facets}
            except Exception as exc:
                raise ApiError(400, str(exc)) from None
        return body

    @app.get("/api/events.csv")
    def events_csv(request: Request) -> Response:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(ALL_COLUMNS), lineterminator="\n")
        writer.writeheader()
        for event in store.events(**_filters(request)):
            writer.writerow({k: json.dumps(v) if isinstance(v, list) else ("" if v is None else v)
                             for k, v in event.to_dict().items()})
        return Response(buffer.getvalue(), media_type="text/csv")

    @app.get("/api/events.geojson")
    def events_geojson(request: Request) -> dict[str, Any]:
        features = [f for e in store.events(**_filters(request)) if (f := geojson_feature(e.to_dict()))]
        return {"type": "FeatureCollection", "features": features}

    @app.get("/api/events/{event_id}")
    def get_event(event_id: str) -> dict[str, Any]:
        event = store.get_event(event_id)
        if event is None:
            raise ApiError(404, f"no event {event_id!r}")
        return {"ok": True, "event": event.to_dict()}

    @app.get("/api/articles/{article_id}")
    def get_article(article_id: str) -> dict[str, Any]:
        article = store.get_article(article_id)
        if article is None:
            raise ApiError(404, f"no article {article_id!r}")
        return {"ok": True, "article": article}

    @app.get("/api/stats")
    def stats() -> dict[str, Any]:
        return {"ok": True, **store.stats(), "by_event_type": store.facets("event_type"),
                "by_country": store.facets("country")}

    return app


def serve(db_url: str | None = None, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Run the web application with uvicorn until interrupted."""
    import uvicorn

    uvicorn.run(create_app(db_url), host=host, port=port, log_level="warning")
