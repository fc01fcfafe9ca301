"""The REST API: filters, pagination, facets, twins and the error envelope."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from midan.api import create_app
from midan.store import open_store
from tests.test_store import make_article, make_event


@pytest.fixture()
def client(tmp_path):
    url = f"sqlite:///{tmp_path / 'api.db'}"
    store = open_store(url)
    store.add_batch([(make_article("a1", "Fighters stormed a sit-in in Ed Daein."),
                      [make_event(f"SDN-{i}", f"2025-11-{10 + i:02d}") for i in range(5)])])
    return TestClient(create_app(url))


def test_api_events_pagination(client):
    first = client.get("/api/events", params={"_size": 2}).json()
    assert first["ok"] and first["total"] == 5 and len(first["rows"]) == 2
    second = client.get(first["next_url"]).json()
    assert [r["event_id_cnty"] for r in second["rows"]] == ["SDN-2", "SDN-3"]


def test_api_filters_and_facets(client):
    body = client.get("/api/events", params={"date_from": "2025-11-13", "_facet": "country"}).json()
    assert [r["event_date"] for r in body["rows"]] == ["2025-11-13", "2025-11-14"]
    assert body["facets"]["country"] == [["Sudan", 2]]


def test_api_twins(client):
    assert client.get("/api/events.csv").text.startswith("event_id_cnty,event_date")
    assert len(client.get("/api/events.geojson").json()["features"]) == 5


def test_api_event_article_stats(client):
    assert client.get("/api/events/SDN-0").json()["event"]["location"] == "Ed Daein"
    assert "sit-in" in client.get("/api/articles/a1").json()["article"]["text"]
    assert client.get("/api/stats").json()["events"] == 5


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [("/api/events", {"date_from": "soon"}, 400), ("/api/events", {"_size": 0}, 400),
     ("/api/events", {"_next": "!!"}, 400), ("/api/events/nope", {}, 404), ("/api/articles/nope", {}, 404),
     ("/api/events", {"_facet": "nonsense"}, 400)],
)
def test_api_error_envelope(client, path, params, status):
    response = client.get(path, params=params)
    assert response.status_code == status
    assert response.json()["ok"] is False and response.json()["status"] == status


def test_api_page(client):
    page = client.get("/")
    assert page.status_code == 200 and "midan" in page.text and "http" not in page.text.replace(
        'xmlns="http://www.w3.org/2000/svg"', "").replace('"http://www.w3.org/2000/svg"', "")
