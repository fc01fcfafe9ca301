"""Exports: every format round-trips, writes are atomic, existing files are kept without --force."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import logging
import os
import stat

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from midan import export
from midan.errors import MidanError
from midan.schema import ACLED_COLUMNS, ALL_COLUMNS, Event, Evidence
from tests.test_store import make_event


def sample() -> list[Event]:
    first = make_event("SDN-1", "2025-11-10")
    second = make_event("SDN-2", "2025-11-12", fatalities=0, source="Darfur Daily")
    second.geonames_id = None
    second.date_start, second.date_end, second.time_precision = "2025-11-08", "2025-11-14", 2
    second.notes = 'Protesters chanted "freedom, peace, justice"; police fired tear gas.'
    second.evidence.append(Evidence("a1", "", "location", "Ed Daein, \u201cthe town\u201d", 40, 58))
    second.article_ids = ["a1", "a2"]
    return [first, second]


def test_export_acled_csv_round_trip(tmp_path):
    out = tmp_path / "e.csv"
    assert export.write_events(sample(), "acled-csv", out) == 2
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0])[:len(ACLED_COLUMNS)] == list(ACLED_COLUMNS) and list(rows[0]) == list(ALL_COLUMNS)
    second = rows[1]
    assert second["notes"] == sample()[1].notes and second["geonames_id"] == "" and second["fatalities"] == "0"
    assert json.loads(second["article_ids"]) == ["a1", "a2"]
    assert [e["text"] for e in json.loads(second["evidence"])] == ["stormed", "Ed Daein, \u201cthe town\u201d"]
    assert second["latitude"] == "11.4616" and second["date_start"] == "2025-11-08"


def test_export_jsonl_round_trip(tmp_path):
    out = tmp_path / "e.jsonl"
    assert export.write_events(sample(), "jsonl", out) == 2
    back = [Event.from_dict(json.loads(line)) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [e.to_dict() for e in back] == [e.to_dict() for e in sample()]


def test_export_geojson_points_and_skipped_events(tmp_path, caplog):
    no_point = make_event("SDN-3", latitude=None)
    geo = tmp_path / "e.geojson"
    with caplog.at_level(logging.WARNING):
        assert export.write_events([*sample(), no_point], "geojson", geo) == 2
    collection = json.loads(geo.read_text(encoding="utf-8"))
    assert collection["type"] == "FeatureCollection" and len(collection["features"]) == 2
    feature = collection["features"][0]
    assert feature["geometry"] == {"type": "Point", "coordinates": [26.1283, 11.4616]}
    assert feature["properties"] == sample()[0].to_dict()
    assert "1 event(s) without coordinates" in caplog.text


def test_export_geojson_empty_is_valid(tmp_path):
    out = tmp_path / "none.geojson"
    assert export.write_events([], "geojson", out) == 0
    assert json.loads(out.read_text()) == {"type": "FeatureCollection", "features": []}


def test_export_parquet_typed_round_trip(tmp_path):
    out = tmp_path / "e.parquet"
    assert export.write_events(sample(), "parquet", out) == 2
    table = pq.read_table(out)
    assert table.column_names == list(ALL_COLUMNS)
    schema = table.schema
    assert schema.field("fatalities").type == pa.int64() and schema.field("latitude").type == pa.float64()
    assert schema.field("event_date").type == pa.date32() and schema.field("evidence").type == pa.string()
    assert schema.field("article_ids").type == pa.list_(pa.string())
    rows = table.to_pylist()
    assert rows[0]["event_date"] == dt.date(2025, 11, 10) and rows[1]["geonames_id"] is None
    assert rows[1]["article_ids"] == ["a1", "a2"] and rows[1]["fatalities"] == 0
    assert json.loads(rows[1]["evidence"])[1]["field"] == "location"
    assert rows[1]["notes"] == sample()[1].notes


def test_export_parquet_in_several_row_groups_and_empty(tmp_path, monkeypatch):
    monkeypatch.setattr(export, "_PARQUET_BATCH", 2)
    events = [make_event(f"SDN-{i}", f"2025-11-{10 + i}") for i in range(5)]
    out = tmp_path / "many.parquet"
    assert export.write_events(events, "parquet", out) == 5
    assert pq.ParquetFile(out).num_row_groups == 3
    assert pq.read_table(out).column("event_id_cnty").to_pylist() == [f"SDN-{i}" for i in range(5)]
    empty = tmp_path / "empty.parquet"
    assert export.write_events([], "parquet", empty) == 0
    assert pq.read_table(empty).num_rows == 0 and pq.read_table(empty).column_names == list(ALL_COLUMNS)


def test_export_parquet_refuses_stdout_before_reading():
    def events():
        raise AssertionError("no event should be read")
        yield

    with pytest.raises(MidanError, match="binary format") as info:
        export.write_events(events(), "parquet", None)
    assert "\n" not in str(info.value)


def test_export_refuses_overwrite_without_force(tmp_path):
    out = tmp_path / "e.csv"
    out.write_text("keep", encoding="utf-8")
    for fmt in export.FORMATS:
        with pytest.raises(MidanError, match="exists; pass --force"):
            export.write_events(sample(), fmt, out)
    assert out.read_text() == "keep"
    export.write_events(sample(), "acled-csv", out, force=True)
    assert out.read_text().startswith("event_id_cnty,event_date,year")


def test_export_unknown_format_and_bad_targets(tmp_path):
    with pytest.raises(MidanError, match="unknown format 'xlsx': expected one of acled-csv, jsonl"):
        export.write_events([], "xlsx", None)
    with pytest.raises(MidanError, match="is a directory"):
        export.write_events([], "jsonl", tmp_path, force=True)
    with pytest.raises(MidanError, match="no such directory"):
        export.write_events([], "jsonl", tmp_path / "missing" / "e.jsonl")


@pytest.mark.parametrize("fmt", export.FORMATS)
def test_export_interrupted_write_leaves_the_old_file(tmp_path, fmt):
    out = tmp_path / "e.out"
    out.write_text("previous export", encoding="utf-8")

    def events():
        yield make_event()
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        export.write_events(events(), fmt, out, force=True)
    assert out.read_text() == "previous export" and [p.name for p in tmp_path.iterdir()] == ["e.out"]


def test_export_file_gets_ordinary_permissions(tmp_path):
    out = tmp_path / "e.jsonl"
    export.write_events(sample(), "jsonl", out)
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~mask


def test_export_to_stdout(capsys):
    assert export.write_events(sample(), "jsonl", None) == 2
    assert [json.loads(line)["event_id_cnty"] for line in capsys.readouterr().out.splitlines()] == ["SDN-1", "SDN-2"]
    export.write_events(sample(), "acled-csv", None)
    assert len(list(csv.DictReader(io.StringIO(capsys.readouterr().out)))) == 2
    export.write_events(sample(), "geojson", None)
    assert len(json.loads(capsys.readouterr().out)["features"]) == 2
    export.write_records([{"id": 1, "when": dt.date(2025, 1, 1)}], None)
    assert capsys.readouterr().out == '{"id": 1, "when": "2025-01-01"}\n'


def test_export_csv_chunks_stream_large_exports():
    events = [make_event(f"SDN-{i}") for i in range(400)]
    chunks = list(export.csv_chunks(events))
    assert len(chunks) > 1 and "".join(chunks).count("\nSDN-") == 400
