"""The REST API: filters, keyset pagination, facets, .csv/.geojson twins, the error envelope and the page."""

from __future__ import annotations

import csv
import io
import re

import pytest
from fastapi.testclient import TestClient

from midan import api
from midan.api import create_app
from midan.store import EventFilter, open_store
from tests.test_store import make_article, make_event

ARTICLE = "RSF units stormed a sit-in in Ed Daein on Wednesday, killing three protesters, witnesses said."


@pytest.fixture()
def store(tmp_path):
    opened = open_store(f"sqlite:///{tmp_path / 'api.db'}")
    events = [make_event(f"SDN-{i}", f"2025-11-{10 + i:02d}", confidence=0.5 + i / 10) for i in range(5)]
    events.append(make_event("TCD-1", "2025-11-12", country="Chad", event_type="Battles", latitude=None))
    opened.add_batch([(make_article("a1", ARTICLE), events),
                      (make_article("https://example-news.org/darfur/2", "Another report."), [])])
    yield opened
    opened.close()


@pytest.fixture()
def client(store):
    return TestClient(create_app(store=store))


def rows(body) -> list[str]:
    return [r["event_id_cnty"] for r in body["rows"]]


def test_api_events_default_page(client):
    body = client.get("/api/events").json()
    assert body["ok"] and body["total"] == 6 and body["next"] is None and body["next_url"] is None
    assert rows(body) == ["SDN-0", "SDN-1", "SDN-2", "TCD-1", "SDN-3", "SDN-4"]
    assert body["rows"][0]["evidence"][0]["text"] == "stormed"
    assert client.get("/api/events.json").json() == body


def test_api_events_pagination_follows_next_url(client, store):
    first = client.get("/api/events", params={"_size": 4, "country": "sudan"}).json()
    assert first["total"] == 5 and rows(first) == ["SDN-0", "SDN-1", "SDN-2", "SDN-3"]
    assert "country=sudan" in first["next_url"] and f"_next={first['next']}" in first["next_url"]
    # an event added before the cursor does not shift the next page (keyset pagination)
    store.add_batch([(make_article("a9", "Late report."), [make_event("SDN-00", "2025-11-01")])])
    second = client.get(first["next_url"]).json()
    assert rows(second) == ["SDN-4"] and second["next"] is None


def test_api_events_filters(client):
    def get(**params) -> list[str]:
        return rows(client.get("/api/events", params=params).json())

    assert get(date_from="2025-11-13") == ["SDN-3", "SDN-4"]
    assert get(date_from="2025-11-11", date_to="2025-11-12") == ["SDN-1", "SDN-2", "TCD-1"]
    assert get(event_type="battles") == ["TCD-1"] and get(country="CHAD") == ["TCD-1"]
    assert get(sub_event_type="Excessive force against protesters", min_confidence="0.75") == ["SDN-3", "SDN-4"]
    assert get(country="") == get()


def test_api_events_facets(client):
    body = client.get("/api/events", params=[("_facet", "country"), ("_facet", "event_type"),
                                             ("date_from", "2025-11-12")]).json()
    assert body["facets"]["country"] == [{"value": "Sudan", "count": 3}, {"value": "Chad", "count": 1}]
    assert body["facets"]["event_type"] == [{"value": "Protests", "count": 3}, {"value": "Battles", "count": 1}]
    days = client.get("/api/events", params={"_facet": "event_date", "_facet_size": "max", "_size": 1}).json()
    assert len(days["facets"]["event_date"]) == 5 and len(days["rows"]) == 1
    top = client.get("/api/events", params={"_facet": "event_date", "_facet_size": 1}).json()
    assert top["facets"]["event_date"] == [{"value": "2025-11-12", "count": 2}]


def test_api_csv_twin_is_acled_csv(client):
    response = client.get("/api/events.csv", params={"country": "Sudan"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["event_id_cnty"] for r in table] == ["SDN-0", "SDN-1", "SDN-2", "SDN-3", "SDN-4"]
    assert response.text.startswith("event_id_cnty,event_date,year,time_precision,disorder_type")
    paged = client.get("/api/events.csv", params={"_size": 2, "_dl": 1})
    assert len(list(csv.DictReader(io.StringIO(paged.text)))) == 2
    assert paged.headers["content-disposition"] == 'attachment; filename="events.csv"'


def test_api_geojson_twin(client):
    body = client.get("/api/events.geojson").json()
    assert body["type"] == "FeatureCollection" and len(body["features"]) == 5  # Chad event has no coordinates
    assert body["features"][0]["geometry"]["coordinates"] == [26.1283, 11.4616]
    filtered = client.get("/api/events.geojson", params={"date_from": "2025-11-14"}).json()
    assert [f["properties"]["event_id_cnty"] for f in filtered["features"]] == ["SDN-4"]


def test_api_event_article_and_stats(client):
    event = client.get("/api/events/SDN-0").json()["event"]
    assert event["location"] == "Ed Daein" and event["article_ids"] == ["a1"]
    article = client.get("/api/articles/a1").json()["article"]
    evidence = event["evidence"][0]
    assert article["text"][evidence["start"]:evidence["end"]] == "stormed"
    assert client.get("/api/articles/https://example-news.org/darfur/2").json()["article"]["text"] == \
        "Another report."
    assert client.get("/api/articles/https%3A%2F%2Fexample-news.org%2Fdarfur%2F2").status_code == 200
    stats = client.get("/api/stats").json()
    assert stats["ok"] and stats["events"] == 6 and stats["articles"] == 2 and stats["countries"] == 2
    assert stats["by_country"][0] == {"value": "Sudan", "count": 5}


@pytest.mark.parametrize(
    ("path", "params", "status", "message"),
    [("/api/events", {"date_from": "soon"}, 400, "date_from"),
     ("/api/events", {"date_to": "2025-02-30"}, 400, "invalid date"),
     ("/api/events", {"min_confidence": "high"}, 400, "min_confidence"),
     ("/api/events", {"_size": 0}, 400, "_size"),
     ("/api/events", {"_size": 1001}, 400, "_size"),
     ("/api/events", {"_size": "ten"}, 400, "_size"),
     ("/api/events", {"_next": "!!"}, 400, "_next"),
     ("/api/events", {"_facet": "nonsense"}, 400, "cannot facet"),
     ("/api/events", {"_facet": "country", "_facet_size": "lots"}, 400, "_facet_size"),
     ("/api/events", {"contry": "Sudan"}, 400, "unknown parameter 'contry'"),
     ("/api/events.csv", {"date_from": "soon"}, 400, "date_from"),
     ("/api/events/nope", {}, 404, "no event 'nope'"),
     ("/api/articles/nope", {}, 404, "no article 'nope'"),
     ("/api/nothing-here", {}, 404, "not found")],
)
def test_api_error_envelope(client, path, params, status, message):
    response = client.get(path, params=params)
    assert response.status_code == status
    body = response.json()
    assert body["ok"] is False and body["status"] == status and message in body["error"]
    assert "\n" not in body["error"]


def test_api_wrong_method_uses_the_envelope(client):
    response = client.post("/api/events")
    assert response.status_code == 405 and response.json()["ok"] is False


def test_api_next_token_round_trip():
    token = api.encode_token(make_event("SDN-7", "2025-11-17"))
    assert api.decode_token(token) == ("2025-11-17", "SDN-7") and "=" not in token


def test_api_every_filter_is_documented(client):
    assert set(EventFilter.NAMES) <= set(api.PARAMETERS)
    assert client.get("/api").json()["parameters"] == api.PARAMETERS


def test_api_page_is_offline(client):
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert "midan" in html and "api/events" in html and "api/articles/" in html
    # no external scripts, styles, fonts or images: the machine is offline
    outside = re.findall(r"(?:src|href)\s*=\s*[\"'](?:https?:)?//|@import|url\(\s*[\"']?(?:https?:)?//", html)
    assert outside == []
    assert set(re.findall(r"https?://[^\s\"'<>)]+", html)) <= {"http://www.w3.org/2000/svg"}


def test_api_serve_runs_uvicorn(monkeypatch, tmp_path):
    import uvicorn

    seen = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: seen.update(app=app, **kw))
    api.serve(str(tmp_path / "served.db"), host="127.0.0.1", port=8765)
    assert seen["host"] == "127.0.0.1" and seen["port"] == 8765 and seen["app"].state.store is not None
