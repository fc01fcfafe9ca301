"""Cross-article de-duplication (midan/dedup.py and Store.add_batch(dedup=True)) and the store's changes feed."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from midan import dedup
from midan.cli import main
from midan.schema import Evidence
from midan.store import open_store
from tests.test_store import make_article, make_event, store  # noqa: F401 (the sqlite/postgres store fixture)

RAID = "Paramilitary fighters stormed the sit-in in Ed Daein on Tuesday, killing three protesters."


def report(ident: str, article: str, day: str = "2025-11-12", fatalities: int = 3, sentence: str = RAID,
           **changes: object):
    item = make_event(ident, day, fatalities=fatalities, article=article, source=f"Outlet {article}")
    item.evidence = [Evidence(article, "", "event", sentence, 0, len(sentence))]
    return dataclasses.replace(item, **changes)


def test_the_block_and_the_features_compare_what_a_coder_would():
    a = report("SDN-1", "a1")
    b = report("SDN-2", "a2", day="2025-11-13", actor1="Unidentified Armed Group (Sudan)")
    assert dedup.comparable(a, b)
    assert not dedup.comparable(a, report("SDN-3", "a3", day="2025-11-25"))  # beyond a week
    assert not dedup.comparable(a, report("TCD-1", "a3", country="Chad"))
    assert dedup.comparable(a, report("SDN-4", "a4", event_type="Riots"))  # the same family
    row = dict(zip(dedup.FEATURES, dedup.features(a, b, 0.9), strict=True))
    assert row["same_place"] == 1 and row["within_25km"] == 1 and row["day_gap"] == pytest.approx(1 / 7)
    assert row["actor1_unnamed"] == 1 and row["same_actor1"] == 0 and row["text_cosine"] == 0.9
    weekly = dataclasses.replace(b, time_precision=2)  # a week's precision reaches the other day
    assert dict(zip(dedup.FEATURES, dedup.features(a, weekly, 0.9), strict=True))["windows_overlap"] == 1


def test_place_names_and_days_told_alike_count_for_one_event():
    a = report("SYR-1", "a1", location="Deir ez-Zor", admin1="Deir ez-Zor", admin2="Deir ez-Zor District")
    b = report("SYR-2", "a2", location="Deir Ezzor city", admin1="Dayr az Zawr", admin2="Deir ez-Zor district",
               geonames_id=170794)
    row = dict(zip(dedup.FEATURES, dedup.features(a, b, 0.5), strict=True))
    assert row["same_day"] == 1 and row["admin_names_close"] == 1 and row["same_admin2"] == 0
    assert 0.6 < row["place_similarity"] < 1
    other = report("SYR-3", "a3", day="2025-11-13", location="Homs", admin1="Homs", admin2="Homs District")
    row = dict(zip(dedup.FEATURES, dedup.features(a, other, 0.5), strict=True))
    assert row["same_day"] == 0 and row["admin_names_close"] == 0 and row["place_similarity"] < 0.5
    assert dedup.name_similarity("", "Homs") == 0.0


def test_the_block_says_why_it_does_not_compare_two_records():
    a = report("SDN-1", "a1")
    assert dedup.outside_block(a, report("SDN-2", "a2", day="2025-11-14")) == ()
    assert dedup.outside_block(a, report("TCD-1", "a3", country="Chad", day="2025-11-25")) == ("country", "days")
    assert dedup.outside_block(a, report("SDN-3", "a4", event_type="Battles")) == ("family",)


def test_the_pairs_of_reports_count_what_the_decision_and_the_block_can_find():
    from midan import training_dedup as training
    from midan.schema import Article

    def told(ident: str, event: str, *records):
        item = training.Report(Article(id=ident, text=""), (event, "Sudan", ""), records[0] if records else None)
        item.records = list(records)
        return item

    one, other = report("SDN-1", "a1"), report("SDN-2", "a2", day="2025-11-13")
    late = report("SDN-3", "a3", day="2025-11-30")  # the same event dated beyond the block
    reports = [told("a1", "E1", one), told("a2", "E1", other), told("a3", "E1", late, other), told("a4", "E1")]
    found = training.pairs(reports)
    assert found.gold_same == 6 and found.coded_same == 3 and found.unblocked_same == 2
    assert found.dropped == {"days": 2} and found.ceiling == pytest.approx(1 / 6)
    # a3's second record is in the block with a1's and a2's: every record reaches two more pairs
    assert [label for label, _, _ in found.every] == [1, 1, 1] and found.every_ceiling == pytest.approx(3 / 6)
    assert all(rows.shape[1] == len(dedup.FEATURES) for _, _, rows in found.every)
    predicted = np.array([True])
    assert training.pairwise(predicted, found)["recall"] == pytest.approx(1 / 6, abs=1e-4)
    assert training.pairwise(predicted, found, among=found.coded_same)["recall"] == pytest.approx(1 / 3, abs=1e-4)


def test_the_hand_checked_records_are_paired_across_reports_only(tmp_path):
    from midan import training_dedup as training
    from midan.schema import Article

    def told(ident: str, *records):
        item = training.Report(Article(id=ident, text=""), ("E1", "Sudan", ""), records[0])
        item.records = list(records)
        return item

    raid, recalled = report("SDN-1", "r1"), report("SDN-2", "r1", sentence="A week earlier a market was shelled.")
    recalled.evidence[0].start = 40
    again, elsewhere = report("SDN-3", "r2"), report("SDN-4", "r3", day="2025-11-30")
    checked = tmp_path / "checked.jsonl"
    checked.write_text("\n".join(json.dumps(row) for row in [
        {"report": "r1", "start": 0, "event": "E1"}, {"report": "r1", "start": 40, "event": "E2"},
        {"report": "r2", "start": 0, "event": "E1"}, {"report": "r3", "start": 0, "event": "E1"}]) + "\n")
    found, unchecked = training.checked_records([told("r1", raid, recalled), told("r2", again),
                                                 told("r3", elsewhere, report("SDN-5", "r3"))], checked)
    assert unchecked == 0  # both of r3's records rest on its first sentence
    # one event: r1's raid with r2 and with r3's two records, r2 with r3's two; r3's first is beyond the block
    assert found.gold_same == 5 and found.unblocked_same == 2 and found.dropped == {"days": 2}
    # in the block: 5 pairs across reports (none within r1), 2 of them with r1's recalled record, another event
    assert int(found.labels.sum()) == 3 and len(found.labels) == 5


def test_a_merged_record_keeps_the_first_id_the_higher_type_and_the_named_actor():
    kept = report("SDN-1", "a1", actor1="Unidentified Armed Group (Sudan)", fatalities=5)
    new = report("SDN-9", "a2", event_type="Battles", sub_event_type="Armed clash", fatalities=3)
    from midan.store import merge_events

    merged = dedup.merge_reports(kept, new, merge_events(kept, new))
    assert merged.event_id_cnty == "SDN-1" and merged.article_ids == ["a1", "a2"]
    assert merged.event_type == "Battles" and merged.sub_event_type == "Armed clash"
    assert merged.actor1 == "Military Forces of Sudan (2019-)" and merged.interaction == new.interaction
    assert (merged.fatalities, merged.fatalities_low, merged.fatalities_high) == (3, 3, 8)
    assert merged.source == "Outlet a1; Outlet a2"


def test_the_shipped_model_merges_one_event_and_keeps_apart_two(store):  # noqa: F811
    first = report("SDN-1", "a1")
    store.add_batch([(make_article("a1", "first report"), [first])], dedup=True)
    again = report("SDN-2", "a2", day="2025-11-12", fatalities=4,
                   sentence="RSF fighters raided a protest camp in Ed Daein on Tuesday; three people died.")
    elsewhere = report("SDN-3", "a2", day="2025-11-18", fatalities=0, latitude=15.6, geonames_id=365137,
                       admin1="Khartoum", admin2="Omdurman", location="Omdurman",
                       sentence="Thousands of students marched peacefully through Omdurman on Monday.")
    elsewhere.longitude = 32.48
    assert store.add_batch([(make_article("a2", "second report"), [again, elsewhere])], dedup=True) == (1, 1)
    stored = {e.event_id_cnty: e for e in store.events()}
    assert set(stored) == {"SDN-1", "SDN-3"}
    assert stored["SDN-1"].article_ids == ["a1", "a2"] and stored["SDN-1"].fatalities == 3
    assert stored["SDN-1"].fatalities_high >= 4
    # without dedup, the same reports stay two records
    store.add_batch([(make_article("a3", "third report"), [report("SDN-4", "a3")])], dedup=False)
    assert "SDN-4" in {e.event_id_cnty for e in store.events()}


def test_the_changes_feed_gives_additions_changes_and_what_a_copy_needs(store):  # noqa: F811
    store.add_batch([(make_article("a1", "first report"), [report("SDN-1", "a1"), report("SDN-2", "a1",
                                                                                         day="2025-11-20")])])
    everything = store.changes(since=0)
    assert [(c["event_id_cnty"], c["change"]) for c in everything] == [("SDN-1", "added"), ("SDN-2", "added")]
    assert everything[0]["record"]["event_id_cnty"] == "SDN-1"
    mark = everything[-1]["at"]
    store.edit("SDN-2", {"fatalities": 1}, "amina")
    store.review("SDN-1", "rejected", "amina")
    later = store.changes(since=mark - 1)
    assert {c["event_id_cnty"]: c["change"] for c in later} == {"SDN-1": "added", "SDN-2": "added"}
    assert next(c for c in later if c["event_id_cnty"] == "SDN-2")["record"]["fatalities"] == 1
    assert store.changes(since=2**40) == []


def test_a_store_made_before_the_log_lists_its_events_as_added(tmp_path):
    import sqlite3

    url = f"sqlite:///{tmp_path / 'old.db'}"
    with open_store(url) as opened:
        opened.add_batch([(make_article("a1", "first report"), [report("SDN-1", "a1")])])
    with sqlite3.connect(tmp_path / "old.db") as conn:  # as a store made before the log was
        conn.execute("DELETE FROM changes")
        conn.execute("DELETE FROM state WHERE key = 'changes'")
    with open_store(url) as opened:
        assert [(c["event_id_cnty"], c["change"]) for c in opened.changes(since=0)] == [("SDN-1", "added")]


def test_changes_through_the_cli_and_the_api(tmp_path, capsys):
    from fastapi.testclient import TestClient

    from midan.api import create_app

    db = f"sqlite:///{tmp_path / 'changes.db'}"
    with open_store(db) as opened:
        opened.add_batch([(make_article("a1", "first report"), [report("SDN-1", "a1")])])
    assert main(["export", "--db", db, "--changes-since", "0"]) == 0
    (line,) = capsys.readouterr().out.splitlines()
    assert json.loads(line)["change"] == "added" and json.loads(line)["record"]["event_id_cnty"] == "SDN-1"
    assert main(["export", "--db", db, "--changes-since", "2100-01-01T00:00:00"]) == 0
    assert capsys.readouterr().out == ""
    assert main(["export", "--db", db, "--changes-since", "last week"]) == 1
    client = TestClient(create_app(db))
    body = client.get("/api/changes", params={"since": 0}).json()
    assert [r["event_id_cnty"] for r in body["rows"]] == ["SDN-1"]
    assert client.get("/api/changes", params={"since": -1}).status_code == 400


def test_the_model_file_names_its_features_and_data():
    shipped = dedup.model()
    assert len(shipped.weights) == len(dedup.FEATURES) and 0 < shipped.threshold < 1
    assert "FA-KES" in str(shipped.about.get("data", ""))
    assert shipped.probabilities(np.zeros((0, len(dedup.FEATURES)))).shape == (0,)


def outlet_article(ident: str, text: str):
    article = make_article(ident, text)
    article.source = f"Outlet {ident}"  # as report() names the outlet
    return article


def test_a_withdrawn_article_leaves_tombstones_and_thinner_records(store, capsys):  # noqa: F811
    store.add_batch([(outlet_article("a1", "first report"), [report("SDN-1", "a1"), report("SDN-5", "a1",
                                                                                           day="2025-11-20")])])
    store.add_batch([(outlet_article("a2", "second report"), [report("SDN-1", "a2")])])  # the same id: merged
    before = max(c["at"] for c in store.changes(since=0))
    assert store.withdraw("a1") == (1, 1)
    left = {e.event_id_cnty: e for e in store.events()}
    assert set(left) == {"SDN-1"} and left["SDN-1"].article_ids == ["a2"]
    assert {e.article_id for e in left["SDN-1"].evidence} == {"a2"} and left["SDN-1"].source == "Outlet a2"
    assert store.get_article("a1") is None
    after = {c["event_id_cnty"]: c for c in store.changes(since=before - 1)}
    assert after["SDN-5"]["change"] == "deleted" and after["SDN-5"]["record"] is None
    assert after["SDN-1"]["record"]["article_ids"] == ["a2"]
    with pytest.raises(LookupError):
        store.withdraw("a1")


def test_withdraw_from_the_command_line(tmp_path, capsys):
    db = f"sqlite:///{tmp_path / 'withdraw.db'}"
    with open_store(db) as opened:
        opened.add_batch([(make_article("a1", "first report"), [report("SDN-1", "a1")])])
    assert main(["withdraw", "a1", "--db", db]) == 0
    assert "1 events deleted" in capsys.readouterr().err
    assert main(["withdraw", "a1", "--db", db]) == 1
    assert "no stored article 'a1'" in capsys.readouterr().err
