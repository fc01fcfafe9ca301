"""The event store on SQLite (and PostgreSQL when a server is available): batches, resume, merge, filters."""

from __future__ import annotations

import datetime as dt
import os

import pytest

from midan.errors import StoreError
from midan.schema import Article, Event, Evidence
from midan.store import open_store


def make_event(ident: str = "SDN-1", day: str = "2025-11-12", fatalities: int = 3, source: str = "Nile Courier",
               article: str = "a1", event_type: str = "Protests") -> Event:
    return Event(
        event_id_cnty=ident, event_date=day, year=int(day[:4]), time_precision=1, disorder_type="Demonstrations",
        event_type=event_type, sub_event_type="Excessive force against protesters",
        actor1="Military Forces of Sudan", inter1="State forces", actor2="Protesters (Sudan)", inter2="Protesters",
        interaction="State forces-Protesters", iso=729, region="Northern Africa", country="Sudan",
        admin1="East Darfur", location="Ed Daein", latitude=11.4616, longitude=26.1283, geo_precision=1,
        source=source, fatalities=fatalities, fatalities_low=fatalities, fatalities_high=fatalities + 3,
        confidence=0.7, evidence=[Evidence(article, "", "trigger", "stormed", 10, 17)], article_ids=[article],
        tags="crowd size=hundreds", inter1_code=1, inter2_code=6,
    )


def make_article(ident: str, text: str) -> Article:
    return Article(id=ident, text=text, published=dt.date(2025, 11, 13), source="Nile Courier")


@pytest.fixture(params=["sqlite", "postgres"])
def store(request, tmp_path):
    if request.param == "sqlite":
        return open_store(f"sqlite:///{tmp_path / 'events.db'}")
    url = os.environ.get("MIDAN_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("PostgreSQL unavailable: MIDAN_TEST_POSTGRES_URL is not set (make test starts a server)")
    opened = open_store(url)
    from midan.store import metadata

    metadata.drop_all(opened.engine)
    metadata.create_all(opened.engine)
    return opened


def test_store_add_and_read(store):
    added = store.add_batch([(make_article("a1", "Fighters stormed a sit-in."), [make_event()])])
    assert added == (1, 1)
    (event,) = store.events()
    assert event.to_dict() == make_event().to_dict()
    assert store.get_event("SDN-1").location == "Ed Daein"
    assert store.get_article("a1")["text"] == "Fighters stormed a sit-in."


def test_store_skips_known_articles(store):
    from midan.ingest import fingerprint

    article = make_article("a1", "Fighters stormed a sit-in.")
    store.add_batch([(article, [make_event()])])
    assert store.has_article(fingerprint(article))
    assert store.add_batch([(make_article("other-id", "fighters  stormed a sit-in."), [])]) == (0, 0)


def test_store_merges_the_same_event_from_another_outlet(store):
    store.add_batch([(make_article("a1", "First report."), [make_event()])])
    store.add_batch([(make_article("a2", "Second report."),
                      [make_event(fatalities=6, source="Darfur Daily", article="a2")])])
    (event,) = store.events()
    assert event.article_ids == ["a1", "a2"]
    assert event.source == "Nile Courier; Darfur Daily"
    assert event.fatalities == 3 and event.fatalities_high == 9
    assert {e.article_id for e in event.evidence} == {"a1", "a2"}


def test_store_failed_batch_leaves_earlier_batches(store):
    store.add_batch([(make_article("a1", "First report."), [make_event()])])
    broken = make_event("SDN-2")
    broken.latitude = "not a number"  # type: ignore[assignment]
    with pytest.raises(StoreError):
        store.add_batch([(make_article("a2", "Second."), [make_event("SDN-3")]),
                         (make_article("a3", "Third."), [broken])])
    assert [e.event_id_cnty for e in store.events()] == ["SDN-1"]
    assert store.get_article("a2") is None


def test_store_filters_facets_stats(store):
    store.add_batch([(make_article("a1", "One."), [make_event("SDN-1", "2025-11-10"),
                                                   make_event("SDN-2", "2025-11-12", event_type="Riots")])])
    assert [e.event_id_cnty for e in store.events(event_type="riots")] == ["SDN-2"]
    assert [e.event_id_cnty for e in store.events(date_from=dt.date(2025, 11, 11))] == ["SDN-2"]
    assert [e.event_id_cnty for e in store.events(date_to=dt.date(2025, 11, 11))] == ["SDN-1"]
    assert store.count(country="Sudan") == 2 and store.count(min_confidence=0.9) == 0
    assert store.facets("event_type") in ([("Protests", 1), ("Riots", 1)], [("Riots", 1), ("Protests", 1)])
    stats = store.stats()
    assert stats["events"] == 2 and stats["fatalities"] == 6 and stats["first_date"] == "2025-11-10"
    assert [e.event_id_cnty for e in store.events(limit=1, offset=1)] == ["SDN-2"]


def test_store_bad_urls():
    with pytest.raises(StoreError):
        open_store("nosuchdb://x")
    with pytest.raises(StoreError):
        open_store("sqlite:////no/such/directory/x.db")
