"""The event store on SQLite (and PostgreSQL when a server is available): batches, resume, merge, filters."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3

import pytest

from midan.errors import InputError, StoreError
from midan.ingest import fingerprint
from midan.schema import Article, Event, Evidence
from midan.store import EventFilter, merge_events, normalise_url, open_store

POSTGRES_URL = os.environ.get("MIDAN_TEST_POSTGRES_URL")


def make_event(ident: str = "SDN-1", day: str = "2025-11-12", fatalities: int = 3, source: str = "Nile Courier",
               article: str = "a1", event_type: str = "Protests", country: str = "Sudan",
               latitude: float | None = 11.4616, confidence: float = 0.7) -> Event:
    """A realistic event record (Ed Daein, East Darfur) built by hand."""
    sub = {"Protests": "Excessive force against protesters", "Riots": "Violent demonstration",
           "Battles": "Armed clash"}[event_type]
    return Event(
        event_id_cnty=ident, event_date=day, year=int(day[:4]), time_precision=1,
        disorder_type="Political violence; Demonstrations", event_type=event_type, sub_event_type=sub,
        actor1="Military Forces of Sudan (2019-)", inter1="State forces", actor2="Protesters (Sudan)",
        inter2="Protesters", interaction="State forces-Protesters", iso=729, region="Northern Africa",
        country=country, admin1="East Darfur", admin2="Ed Daein", location="Ed Daein", latitude=latitude,
        longitude=26.1283 if latitude is not None else None, geo_precision=1, geonames_id=378493,
        source=source, source_scale="National",
        notes=f"On {day}, military forces fired on protesters in Ed Daein (East Darfur).",
        fatalities=fatalities, fatalities_low=fatalities, fatalities_high=fatalities + 3,
        tags="crowd size=hundreds", timestamp=1762992000, date_start=day, date_end=day, inter1_code=1,
        inter2_code=6, plover_type="ASSAULT", confidence=confidence,
        evidence=[Evidence(article, f"https://example-news.org/{article}", "trigger", "stormed", 10, 17)],
        article_ids=[article], extractor_version="midan 0.1.0",
    )


def make_article(ident: str, text: str) -> Article:
    return Article(id=ident, text=text, title="Sit-in stormed", published=dt.date(2025, 11, 13),
                   url=f"https://example-news.org/{ident}", source="Nile Courier", origin=f"news.jsonl:{ident}")


@pytest.fixture(params=["sqlite", "postgres"])
def store(request, tmp_path):
    if request.param == "sqlite":
        opened = open_store(f"sqlite:///{tmp_path / 'events.db'}")
    else:
        if not POSTGRES_URL:
            pytest.skip("PostgreSQL unavailable: MIDAN_TEST_POSTGRES_URL is not set (make test starts a server)")
        from midan.store import metadata

        with open_store(POSTGRES_URL) as old:
            metadata.drop_all(old.engine)
        opened = open_store(POSTGRES_URL)
    yield opened
    opened.close()


def ids(events) -> list[str]:
    return [e.event_id_cnty for e in events]


def test_store_add_and_read_round_trip(store):
    added = store.add_batch([(make_article("a1", "Fighters stormed a sit-in."), [make_event()])])
    assert added == (1, 1)
    (event,) = store.events()
    assert event.to_dict() == make_event().to_dict()
    assert store.get_event("SDN-1").location == "Ed Daein" and store.get_event("nope") is None
    article = store.get_article("a1")
    assert article["text"] == "Fighters stormed a sit-in." and article["published"] == "2025-11-13"
    assert article["fingerprint"] == fingerprint(make_article("a1", "Fighters stormed a sit-in."))
    assert store.get_article("nope") is None


def test_store_keeps_the_outlets_home(store):
    article = make_article("h1", "Fighters stormed a sit-in.")
    article.home = "Ed Daein, East Darfur"
    store.add_batch([(article, [])])
    assert store.get_article("h1")["home"] == "Ed Daein, East Darfur"


def test_store_made_before_the_home_column_gets_it_when_opened(tmp_path):
    path = tmp_path / "old.db"
    open_store(path).close()
    with sqlite3.connect(path) as db:  # the articles table as midan wrote it before it kept homes
        db.execute("ALTER TABLE articles DROP COLUMN home")
    store = open_store(path)
    store.add_batch([(make_article("o1", "Fighters stormed a sit-in."), [])])
    assert store.get_article("o1")["home"] == ""
    store.close()


def test_store_skips_known_articles(store):
    article = make_article("a1", "Fighters stormed a sit-in.")
    store.add_batch([(article, [make_event()])])
    assert store.has_article(fingerprint(article))
    assert not store.has_article("0" * 40)
    assert store.add_batch([(make_article("other-id", "fighters  stormed a SIT-IN."), [make_event("SDN-9")])]) == (0, 0)
    assert store.get_event("SDN-9") is None


def test_store_merges_the_same_event_from_another_outlet(store):
    store.add_batch([(make_article("a1", "First report."), [make_event()])])
    second = make_event(fatalities=6, source="Darfur Daily; Nile Courier", article="a2", confidence=0.9)
    second.assoc_actor_2 = "Women (Sudan)"
    assert store.add_batch([(make_article("a2", "Second report."), [second])]) == (1, 0)
    (event,) = store.events()
    assert event.article_ids == ["a1", "a2"]
    assert event.source == "Nile Courier; Darfur Daily"
    assert (event.fatalities, event.fatalities_low, event.fatalities_high) == (3, 3, 9)
    assert event.assoc_actor_2 == "Women (Sudan)" and event.confidence == 0.9
    assert [e.article_id for e in event.evidence] == ["a1", "a2"]
    assert event.timestamp > make_event().timestamp
    assert store.count() == 1


def test_store_merge_keeps_the_reported_figure_when_the_other_is_zero():
    reported, silent = make_event(fatalities=5), make_event(fatalities=0, article="a2")
    silent.fatalities_high = 0
    for merged in (merge_events(reported, silent), merge_events(silent, reported)):
        assert (merged.fatalities, merged.fatalities_low, merged.fatalities_high) == (5, 5, 8)
    none = merge_events(make_event(fatalities=0), make_event(fatalities=0, article="a2"))
    assert (none.fatalities, none.fatalities_low) == (0, 0)
    again = merge_events(reported, make_event(fatalities=5))  # the same evidence twice is kept once
    assert len(again.evidence) == 1 and again.article_ids == ["a1"]


def test_store_merges_within_one_batch_and_keeps_identity(store):
    other = make_event(article="a2", fatalities=2)
    other.location = "Ed Da'ein"  # a field of the identity never changes on merge
    store.add_batch([(make_article("a1", "One."), [make_event()]), (make_article("a2", "Two."), [other])])
    (event,) = store.events()
    assert event.fatalities == 2 and event.location == "Ed Daein" and event.article_ids == ["a1", "a2"]


def test_store_article_id_collision_is_renamed_without_touching_inputs(store):
    store.add_batch([(make_article("a1", "One text."), [make_event()])])
    event = make_event("SDN-2")
    assert store.add_batch([(make_article("a1", "A different text."), [event])]) == (1, 1)
    stored = store.get_event("SDN-2")
    (renamed,) = stored.article_ids
    assert renamed.startswith("a1-") and stored.evidence[0].article_id == renamed
    assert store.get_article(renamed)["text"] == "A different text."
    assert event.article_ids == ["a1"] and event.evidence[0].article_id == "a1"


def test_store_failed_batch_leaves_earlier_batches(store):
    store.add_batch([(make_article("a1", "First report."), [make_event()])])
    broken = make_event("SDN-2")
    broken.latitude = "not a number"  # type: ignore[assignment]
    with pytest.raises(StoreError, match="cannot write to the event store"):
        store.add_batch([(make_article("a2", "Second."), [make_event("SDN-3")]),
                         (make_article("a3", "Third."), [broken])])
    assert ids(store.events()) == ["SDN-1"]
    assert store.get_article("a2") is None and store.stats()["articles"] == 1


class _Interrupting(Event):
    """An event whose serialisation is interrupted, like Ctrl-C in the middle of a batch."""

    def to_dict(self):
        raise KeyboardInterrupt


def test_store_resumes_after_an_interrupted_batch(store):
    batches = [[(make_article(f"a{i}", f"Report number {i}."), [make_event(f"SDN-{i}", f"2025-11-{10 + i}")])
                for i in range(b * 2, b * 2 + 2)] for b in range(3)]
    store.add_batch(batches[0])
    interrupted = [batches[1][0], (batches[1][1][0], [_Interrupting(**vars(make_event("SDN-3")))])]
    with pytest.raises(KeyboardInterrupt):
        store.add_batch(interrupted)
    assert ids(store.events()) == ["SDN-0", "SDN-1"] and store.get_article("a2") is None
    # the rerun skips what is stored and stores the rest, once
    fresh = [item for batch in batches for item in batch if not store.has_article(fingerprint(item[0]))]
    assert [a.id for a, _ in fresh] == ["a2", "a3", "a4", "a5"]
    assert store.add_batch(fresh) == (4, 4)
    assert store.add_batch([item for batch in batches for item in batch]) == (0, 0)
    assert ids(store.events()) == [f"SDN-{i}" for i in range(6)] and store.stats()["articles"] == 6


def test_store_filters_facets_stats(store):
    store.add_batch([(make_article("a1", "One."), [
        make_event("SDN-1", "2025-11-10"), make_event("SDN-2", "2025-11-12", event_type="Riots", confidence=0.95),
        make_event("SSD-1", "2025-11-11", country="South Sudan", fatalities=0)])])
    assert ids(store.events()) == ["SDN-1", "SSD-1", "SDN-2"]
    assert ids(store.events(event_type="riots")) == ["SDN-2"]
    assert ids(store.events(sub_event_type="Violent demonstration")) == ["SDN-2"]
    assert ids(store.events(country="SUDAN")) == ["SDN-1", "SDN-2"]
    assert ids(store.events(date_from=dt.date(2025, 11, 11))) == ["SSD-1", "SDN-2"]
    assert ids(store.events(date_to="2025-11-11")) == ["SDN-1", "SSD-1"]
    assert ids(store.events(min_confidence=0.9)) == ["SDN-2"]
    assert ids(store.events(limit=1, offset=1)) == ["SSD-1"]
    assert ids(store.events(after=("2025-11-10", "SDN-1"))) == ["SSD-1", "SDN-2"]
    assert ids(store.events(where=EventFilter(country="south sudan"))) == ["SSD-1"]
    assert store.count(country="Sudan") == 2 and store.count(min_confidence=0.99) == 0
    assert store.facets("event_type") == [("Protests", 2), ("Riots", 1)]
    assert store.facets("country", date_from="2025-11-11") == [("South Sudan", 1), ("Sudan", 1)]
    assert store.facets("admin1", limit=1) == [("East Darfur", 3)]
    assert store.stats() == {"articles": 1, "events": 3, "first_date": "2025-11-10", "last_date": "2025-11-12",
                             "fatalities": 6, "countries": 2}


def test_store_bad_filters_and_facets(store):
    with pytest.raises(InputError, match="date_from"):
        list(store.events(date_from="yesterday"))
    with pytest.raises(InputError, match="min_confidence"):
        store.count(min_confidence=3)
    with pytest.raises(InputError, match="cannot facet on 'evidence'"):
        store.facets("evidence")


def test_store_full_text_search_on_either_database(store):
    items = []
    for ident, notes, quote in [("SDN-1", "Al-Shabaab fighters attacked Beledweyne.", "gunmen stormed the camp"),
                                ("SDN-2", "Students marched in Khartoum.", "the crowd chanted"),
                                ("SDN-3", "Police dispersed a march in Bogotá.", "tear gas")]:
        item = make_event(ident)
        item.notes = notes
        item.evidence = [Evidence("a1", "", "event", quote, 0, len(quote))]
        items.append(item)
    store.add_batch([(make_article("a1", "Fighters stormed a sit-in."), items)])

    def found(q: str) -> list[str]:
        flt = EventFilter.parse({"q": q})
        listed = ids(store.events(where=flt))
        assert store.count(where=flt) == len(listed)
        assert [e.event_id_cnty for e in map(store.get_event, ["SDN-1", "SDN-2", "SDN-3"])
                if flt.matches(e)] == listed  # the same rule in memory
        return listed

    assert found("march") == ["SDN-2", "SDN-3"]  # a word's start: marched
    assert found("MARCH bogota") == ["SDN-3"]  # every word, case and accents folded
    assert found("al-shabaab") == found("al shabaab") == ["SDN-1"]  # tokens in a row
    assert found("stormed camp") == ["SDN-1"]  # in the evidence
    assert found("arch") == [] and found("shabaab-al") == []  # not inside a word; a word's tokens in order
    store.edit("SDN-2", {"notes": "Teachers rallied in Omdurman."}, "amna")
    assert found("omdurman") == ["SDN-2"] and found("students") == []  # an edit is searchable at once
    with pytest.raises(InputError, match="invalid q"):
        EventFilter.parse({"q": "%% --"})


def test_store_timeline_and_map_on_either_database(store):
    items = [make_event(f"SDN-{i}", f"2025-11-1{i}", fatalities=i) for i in range(4)]
    items[3].latitude, items[3].longitude = -0.5, -0.5  # south and west of zero: a square of its own
    items[2].latitude = None  # no coordinates: on the timeline, not on the map
    store.add_batch([(make_article("a1", "Fighters stormed a sit-in."), items)])
    assert store.timeline() == [(f"2025-11-1{i}", "Protests", 1, i) for i in range(4)]
    assert [p[0] for p in store.map_points()] == ["SDN-0", "SDN-1", "SDN-3"] and store.map_points(limit=2) is None
    assert store.map_countries() == [("Sudan", 729, 3)]
    cells = store.map_cells(1.0)
    assert [(c["count"], c["fatalities"], c["lat"]) for c in cells] == [(2, 1, 11.4616), (1, 3, -0.5)]
    assert cells[1]["bbox"] == [-0.5, -0.5, -0.5, -0.5] and cells[0]["by_type"] == {"Protests": 2}


def test_store_counts_date_ranges_from_its_day_by_day_counts(store):
    items = [make_event(f"SDN-{i}", f"2025-11-{10 + i % 7:02d}", country="Chad" if i % 3 else "Sudan")
             for i in range(20)]
    store.add_batch([(make_article("a1", "Fighters stormed a sit-in."), items)])
    ranges = [("2025-11-10", "2025-11-16"), ("2025-11-12", None), (None, "2025-11-11"), ("2025-11-13", "2025-11-13"),
              ("2025-11-14", "2025-11-12"), ("2025-10-01", "2025-10-31"), ("2025-11-11", "2025-12-31")]
    for country in (None, "Chad"):
        for start, end in ranges:
            flt = EventFilter.parse({"country": country, "date_from": start, "date_to": end})
            assert store.count(where=flt) == len(list(store.events(where=flt))), (country, start, end)
    # a write makes them stale: counted again
    store.add_batch([(make_article("a2", "Another raid."), [make_event("SDN-99", "2025-11-13")])])
    flt = EventFilter.parse({"date_from": "2025-11-13", "date_to": "2025-11-13"})
    assert store.count(where=flt) == len(list(store.events(where=flt))) == 4


def test_store_fills_the_search_index_of_an_older_store(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    with open_store(url) as store:
        store.add_batch([(make_article("a1", "Fighters stormed a sit-in."), [make_event()])])
    with sqlite3.connect(tmp_path / "old.db") as conn:  # as a store made before the index was
        conn.execute("DELETE FROM event_search")
        conn.execute("DELETE FROM state WHERE key = 'search'")
    with open_store(url) as store:
        assert ids(store.events(where=EventFilter.parse({"q": "ed daein protesters"}))) == ["SDN-1"]


def test_store_event_filter_matches_in_memory():
    flt = EventFilter.parse({"country": "sudan", "date_from": "2025-11-11", "min_confidence": "0.5"})
    assert flt == EventFilter(country="sudan", date_from=dt.date(2025, 11, 11), min_confidence=0.5)
    assert flt.matches(make_event(day="2025-11-12")) and not flt.matches(make_event(day="2025-11-10"))
    assert not flt.matches(make_event(country="Chad")) and not flt.matches(make_event(confidence=0.2))
    assert EventFilter.parse({"country": "", "event_type": None}) == EventFilter()


def test_store_sqlite_is_wal_and_accepts_a_bare_path(tmp_path):
    path = tmp_path / "bare.db"
    with open_store(str(path)) as store:
        store.add_batch([(make_article("a1", "One."), [make_event()])])
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert sqlite3.connect(path).execute("SELECT count(*) FROM events").fetchone()[0] == 1
    indexes = {row[1] for row in sqlite3.connect(path).execute("PRAGMA index_list('events')")}
    assert {"ix_events_country", "ix_events_event_date", "ix_events_event_type"} <= indexes


def test_store_normalise_url():
    assert normalise_url(None) == "sqlite:///midan.db"
    assert normalise_url("data/x.db") == "sqlite:///data/x.db"
    assert normalise_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_url("sqlite:////tmp/x.db") == "sqlite:////tmp/x.db"


@pytest.mark.parametrize("url", ["nosuchdb://x", "sqlite:////no/such/directory/x.db",
                                 "postgresql://midan:secret@127.0.0.1:1/midan"])
def test_store_bad_urls_fail_on_one_line(url):
    with pytest.raises(StoreError, match="cannot open the event store") as info:
        open_store(url)
    assert "\n" not in str(info.value) and "secret" not in str(info.value)


@pytest.mark.postgres
def test_store_postgres_long_values():
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL unavailable: MIDAN_TEST_POSTGRES_URL is not set (make test starts a server)")
    store = open_store(POSTGRES_URL)
    from midan.store import metadata

    metadata.drop_all(store.engine)
    metadata.create_all(store.engine)
    event = make_event()
    event.source = "; ".join(f"Outlet {i}" for i in range(100))  # no length limit on text columns
    long_id = "https://example-news.org/" + "x" * 300
    assert store.add_batch([(make_article(long_id, "One."), [event])]) == (1, 1)
    assert store.get_event("SDN-1").source == event.source and store.get_article(long_id) is not None
    store.close()
