"""Exports: every format, atomic writes, overwrite refusal."""

from __future__ import annotations

import csv
import json

import pyarrow.parquet as pq
import pytest

from midan import export
from midan.errors import MidanError
from midan.schema import ACLED_COLUMNS, ALL_COLUMNS
from tests.test_store import make_event


def test_export_acled_csv_column_order(tmp_path):
    out = tmp_path / "e.csv"
    assert export.write_events([make_event()], "acled-csv", out) == 1
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert list(rows[0])[:len(ACLED_COLUMNS)] == list(ACLED_COLUMNS)
    assert list(rows[0]) == list(ALL_COLUMNS)
    assert json.loads(rows[0]["evidence"])[0]["text"] == "stormed"


def test_export_jsonl_and_geojson(tmp_path):
    out = tmp_path / "e.jsonl"
    export.write_events([make_event(), make_event("SDN-2")], "jsonl", out)
    assert [json.loads(line)["event_id_cnty"] for line in out.read_text().splitlines()] == ["SDN-1", "SDN-2"]
    no_point = make_event("SDN-3")
    no_point.latitude = None
    geo = tmp_path / "e.geojson"
    assert export.write_events([make_event(), no_point], "geojson", geo) == 1
    collection = json.loads(geo.read_text())
    assert collection["features"][0]["geometry"]["coordinates"] == [26.1283, 11.4616]


def test_export_parquet_round_trip(tmp_path):
    out = tmp_path / "e.parquet"
    export.write_events([make_event()], "parquet", out)
    table = pq.read_table(out)
    assert table.column_names == list(ALL_COLUMNS)
    assert table.column("fatalities").to_pylist() == [3]


def test_export_parquet_needs_a_file():
    with pytest.raises(MidanError, match="-o"):
        export.write_events([make_event()], "parquet", None)


def test_export_refuses_overwrite_and_unknown_format(tmp_path):
    out = tmp_path / "e.csv"
    out.write_text("keep")
    with pytest.raises(MidanError, match="--force"):
        export.write_events([make_event()], "acled-csv", out)
    assert out.read_text() == "keep"
    export.write_events([make_event()], "acled-csv", out, force=True)
    assert out.read_text().startswith("event_id_cnty")
    with pytest.raises(MidanError, match="unknown format"):
        export.write_events([], "xlsx", None)


def test_export_interrupted_write_leaves_nothing(tmp_path):
    out = tmp_path / "e.jsonl"

    def events():
        yield make_event()
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        export.write_events(events(), "jsonl", out)
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_export_to_stdout(capsys):
    export.write_records([{"id": 1}], None)
    assert capsys.readouterr().out == '{"id": 1}\n'
