"""The event listing's query language: several values, units, actors, words, a map's box, sorting with keyset
pages in any order, the fields a client wants, the JSONL twin and the Link header."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from midan.api import create_app
from midan.store import open_store
from tests.test_store import make_article, make_event


@pytest.fixture()
def client(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'query.db'}")
    events = []
    for i in range(12):
        item = make_event(f"SDN-{i:02d}", f"2025-11-{10 + i:02d}", fatalities=(i * 7) % 5, confidence=0.4 + i / 40)
        item.admin1 = "East Darfur" if i % 2 else "Kassala"
        item.actor2 = "Protesters (Sudan)" if i % 3 else "Sudanese Professionals Association"
        item.notes = f"On {item.event_date}, forces fired on a march {'of teachers' if i % 4 == 0 else ''}."
        events.append(item)
    chad = make_event("TCD-1", "2025-11-12", country="Chad", event_type="Battles")
    chad.latitude, chad.longitude, chad.iso = 12.1, 15.0, 148
    fiji = make_event("FJI-1", "2025-11-13", country="Fiji")
    fiji.latitude, fiji.longitude, fiji.iso = -17.8, 179.9, 242
    store.add_batch([(make_article("a1", "Forces stormed a sit-in."), [*events, chad, fiji])])
    yield TestClient(create_app(store=store))
    store.close()


def ids(response) -> list[str]:
    return [r["event_id_cnty"] for r in response.json()["rows"]]


def test_several_values_units_actors_and_words(client):
    both = ids(client.get("/api/events", params={"country": "chad|fiji"}))
    assert both == ids(client.get("/api/events", params={"country__in": "Chad,Fiji"})) == ["TCD-1", "FJI-1"]
    assert client.get("/api/events", params={"country": "Chad", "country__in": "Fiji"}).status_code == 400
    kassala = ids(client.get("/api/events", params={"admin1": "kassala", "country": "Sudan"}))
    assert kassala == [f"SDN-{i:02d}" for i in range(0, 12, 2)]
    assert ids(client.get("/api/events", params={"actor": "professionals"})) == ["SDN-00", "SDN-03", "SDN-06",
                                                                               "SDN-09"]
    assert ids(client.get("/api/events", params={"q": "MARCH teachers"})) == ["SDN-00", "SDN-04", "SDN-08"]
    assert ids(client.get("/api/events", params={"q": "stormed", "country": "Chad"})) == ["TCD-1"]  # evidence
    assert ids(client.get("/api/events", params={"q": "100%_"})) == []  # wildcards are literal


def test_a_maps_box_even_across_the_antimeridian(client):
    assert ids(client.get("/api/events", params={"bbox": "14,11,16,13"})) == ["TCD-1"]
    assert ids(client.get("/api/events", params={"bbox": "179,-20,-179,-15"})) == ["FJI-1"]
    for bad in ("1,2,3", "0,10,5,0", "a,b,c,d", "0,0,200,1"):
        assert client.get("/api/events", params={"bbox": bad}).status_code == 400, bad


def test_sorting_pages_through_every_event_once_in_either_direction(client):
    everything = client.get("/api/events", params={"_size": 1000, "_sort_desc": "fatalities"}).json()["rows"]
    assert [r["fatalities"] for r in everything] == sorted((r["fatalities"] for r in everything), reverse=True)
    seen, url = [], "/api/events?_sort_desc=fatalities&_size=5"
    while url:
        page = client.get(url)
        seen += ids(page)
        url = page.json()["next_url"]
        assert ("link" in page.headers) == bool(url)
        if url:
            assert page.headers["link"] == f'<{url}>; rel="next"'
    assert seen == [r["event_id_cnty"] for r in everything]
    token = client.get("/api/events", params={"_size": 2, "_sort": "confidence"}).json()["next"]
    assert client.get("/api/events", params={"_next": token}).status_code == 400  # made for another order
    assert client.get("/api/events", params={"_sort": "latitude"}).status_code == 400
    assert client.get("/api/events", params={"_sort": "fatalities", "_sort_desc": "fatalities"}).status_code == 400


def test_a_client_asks_for_the_fields_it_needs(client):
    rows = client.get("/api/events", params={"_fields": "event_date,fatalities,review"}).json()["rows"]
    assert set(rows[0]) == {"event_id_cnty", "event_date", "fatalities", "review"}
    assert client.get("/api/events", params={"_fields": "evidence,password"}).status_code == 400
    assert client.get("/api/events.csv", params={"_fields": "event_date"}).status_code == 400
    collection = client.get("/api/events.geojson", params={"_fields": "event_type,fatalities",
                                                            "bbox": "14,11,16,13"}).json()
    (feature,) = collection["features"]
    assert feature["properties"] == {"event_id_cnty": "TCD-1", "event_type": "Battles", "fatalities": 3}
    assert feature["geometry"]["coordinates"] == [15.0, 12.1]


def test_the_jsonl_twin_streams_the_same_records(client):
    lines = client.get("/api/events.jsonl", params={"country": "Sudan"}).text.splitlines()
    records = [json.loads(line) for line in lines]
    assert [r["event_id_cnty"] for r in records] == ids(client.get("/api/events", params={"country": "Sudan"}))
    assert "evidence" in records[0]
    assert client.get("/api/review/queue", params={"_sort": "fatalities"}).status_code == 400


def test_rows_read_straight_from_the_store_are_the_records_and_totals_follow_writes(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'rows.db'}")
    store.add_batch([(make_article("a1", "Forces stormed a sit-in."), [make_event("SDN-1"), make_event("SDN-2")])])
    assert store.rows() == [e.to_dict() for e in store.events()]
    client = TestClient(create_app(store=store))
    assert client.get("/api/events").json()["total"] == 2
    before = store.generation()
    store.add_batch([(make_article("a2", "Another report."), [make_event("SDN-3")])])
    assert store.generation() > before and client.get("/api/events").json()["total"] == 3
    store.review("SDN-3", "rejected", "amina")
    assert client.get("/api/events").json()["total"] == 2  # the remembered total is not reused after a write


def test_each_worker_process_builds_the_app_from_the_environment(tmp_path, monkeypatch):
    from midan import api

    db = f"sqlite:///{tmp_path / 'workers.db'}"
    open_store(db).add_batch([(make_article("a1", "Forces stormed a sit-in."), [make_event("SDN-1")])])
    tokens = tmp_path / "tokens.txt"
    tokens.write_text("sara:0123456789abcdef0123\n", encoding="utf-8")
    monkeypatch.setenv("MIDAN_SERVE_DB", db)
    monkeypatch.setenv("MIDAN_SERVE_TOKEN_FILE", str(tokens))
    monkeypatch.setenv("MIDAN_SERVE_PRIVATE", "1")
    client = TestClient(api.app_from_environment())
    assert client.get("/api/events").status_code == 401
    answer = client.get("/api/events", headers={"Authorization": "Bearer 0123456789abcdef0123"})
    assert answer.json()["total"] == 1


def test_the_timeline_counts_events_and_fatalities_by_period_and_type(client):
    body = client.get("/api/timeline", params={"_unit": "day", "country": "Sudan"}).json()
    assert body["unit"] == "day" and body["first"] == "2025-11-10" and body["last"] == "2025-11-21"
    assert len(body["rows"]) == 12 and body["rows"][0] == {"start": "2025-11-10", "event_type": "Protests",
                                                          "events": 1, "fatalities": 0}
    weeks = client.get("/api/timeline", params={"_unit": "week"}).json()
    assert weeks["unit"] == "week"
    # 10-16 November is one week (Monday the 10th), with Chad's battle and Fiji's protest in it
    first = [r for r in weeks["rows"] if r["start"] == "2025-11-10"]
    assert {r["event_type"]: r["events"] for r in first} == {"Battles": 1, "Protests": 8}
    assert sum(r["events"] for r in weeks["rows"]) == 14
    assert sum(r["fatalities"] for r in weeks["rows"]) == sum(
        e["fatalities"] for e in client.get("/api/events", params={"_size": 100}).json()["rows"])
    assert client.get("/api/timeline").json()["unit"] == "day"  # auto: twelve days
    assert client.get("/api/timeline", params={"_unit": "month"}).json()["rows"][0]["start"] == "2025-11-01"
    for bad in ({"_unit": "year"}, {"_size": "5"}, {"date_from": "soon"}):
        answer = client.get("/api/timeline", params=bad)
        assert answer.status_code == 400 and answer.json()["ok"] is False, bad


def test_the_map_sends_points_in_its_view_or_squares_when_there_are_too_many(client):
    body = client.get("/api/map", params={"bbox": "14,11,16,13", "zoom": 6}).json()
    assert body["cells"] is None and [p["event_id_cnty"] for p in body["points"]] == ["TCD-1"]
    assert set(body["points"][0]) == {"event_id_cnty", "lat", "lon", "event_type", "sub_event_type", "event_date",
                                      "location", "country", "fatalities", "actor1", "actor2"}  # no evidence
    assert body["countries"] == [{"country": "Chad", "iso": 148, "iso3": "TCD", "events": 1}]  # for its provinces
    everything = client.get("/api/map", params={"zoom": 2}).json()
    assert everything["total"] == 14 and len(everything["points"]) == 14
    squares = client.get("/api/map", params={"zoom": 2, "_limit": 5}).json()
    assert squares["points"] is None and squares["total"] == 14
    assert sum(c["count"] for c in squares["cells"]) == 14
    sudan = next(c for c in squares["cells"] if c["count"] == 12)  # the Sudanese events share one point
    assert sudan["by_type"] == {"Protests": 12} and sudan["lat"] == 11.4616 and sudan["bbox"][0] == 26.1283
    near = client.get("/api/map", params={"zoom": 12, "_limit": 5, "country": "Sudan"}).json()
    assert len(near["cells"]) == 1  # squares shrink with the zoom, and the filters apply
    fiji = client.get("/api/map", params={"bbox": "179,-20,-179,-15"}).json()
    assert [p["event_id_cnty"] for p in fiji["points"]] == ["FJI-1"]
    for bad in ({"zoom": "21"}, {"zoom": "x"}, {"_limit": "0"}, {"_fields": "notes"}, {"bbox": "1,2"}):
        answer = client.get("/api/map", params=bad)
        assert answer.status_code == 400 and answer.json()["ok"] is False, bad
