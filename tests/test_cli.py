"""The command line, in process: every command, every input kind, and every kind of bad input."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from midan.cli import main

DATA = Path(__file__).parent / "data" / "cli"
ARTICLE = DATA / "lagos.txt"


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def records(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def article_text() -> str:
    return ARTICLE.read_text(encoding="utf-8")


def test_cli_extract_txt_gives_events_with_evidence(capsys, pipeline, article_text):
    code, out, err = run(capsys, "extract", str(ARTICLE), "--published", "2025-03-12")
    assert code == 0, err
    events = records(out)
    types = {e["sub_event_type"] for e in events}
    assert "Protest with intervention" in types
    assert "Attack" in types
    protest = next(e for e in events if e["sub_event_type"] == "Protest with intervention")
    assert protest["event_date"] == "2025-03-11"
    assert protest["time_precision"] == 1
    assert protest["country"] == "Nigeria"
    assert protest["location"].startswith("Lagos")
    for item in protest["evidence"]:
        assert article_text[item["start"]:item["end"]] == item["text"]
    attack = next(e for e in events if e["sub_event_type"] == "Attack")
    assert attack["event_date"] == "2025-03-10"
    assert attack["fatalities"] == 1
    assert attack["actor2"] == "Civilians (Nigeria)"
    # the chant, the denial, the threat and the tally are not events
    assert len(events) == 2


def test_cli_extract_explain_lists_rejections(capsys, pipeline):
    code, out, _ = run(capsys, "extract", str(ARTICLE), "--published", "2025-03-12", "--explain")
    assert code == 0
    reasons = [r["rejected"] for r in records(out) if "rejected" in r]
    assert any(r.startswith("negated") for r in reasons)
    assert any(r.startswith("threat/plan/future") for r in reasons)
    assert any(r.startswith("aggregate") or r.startswith("background") for r in reasons)


def test_cli_extract_csv_and_geojson(capsys, pipeline):
    code, out, _ = run(capsys, "extract", str(ARTICLE), "--published", "2025-03-12", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows and list(rows[0])[:3] == ["event_id_cnty", "event_date", "year"]
    code, out, _ = run(capsys, "extract", str(ARTICLE), "--published", "2025-03-12", "--format", "geojson")
    assert code == 0
    collection = json.loads(out)
    assert collection["type"] == "FeatureCollection" and collection["features"]


def test_cli_extract_is_deterministic(capsys, pipeline):
    _, first, _ = run(capsys, "extract", str(ARTICLE), "--published", "2025-03-12")
    _, second, _ = run(capsys, "extract", str(ARTICLE), "--published", "2025-03-12")
    assert [e["event_id_cnty"] for e in records(first)] == [e["event_id_cnty"] for e in records(second)]


def test_cli_extract_n_process_gives_the_records_of_one_process(capsys, pipeline):
    _, one, _ = run(capsys, "extract", str(ARTICLE), "--published", "2025-03-12")
    code, two, err = run(capsys, "extract", str(ARTICLE), "--published", "2025-03-12", "--n-process", "2")
    assert code == 0, err

    def unstamped(out: str) -> list[dict]:
        return [{k: v for k, v in e.items() if k != "timestamp"} for e in records(out)]

    assert unstamped(one) and unstamped(two) == unstamped(one)


def test_cli_extract_jsonl_stdin(capsys, monkeypatch, pipeline, article_text):
    line = json.dumps({"id": "a1", "text": article_text, "published": "2025-03-12", "source": "Test Wire"})
    monkeypatch.setattr("sys.stdin", io.StringIO(line + "\n"))
    code, out, err = run(capsys, "extract", "-")
    assert code == 0, err
    events = records(out)
    assert events and all(e["article_ids"] == ["a1"] for e in events)
    assert all(e["source"] == "Test Wire" for e in events)


def test_cli_output_file_refuses_overwrite(capsys, tmp_path, pipeline):
    target = tmp_path / "events.jsonl"
    target.write_text("keep me\n")
    code, _, err = run(capsys, "extract", str(ARTICLE), "--published", "2025-03-12", "-o", str(target))
    assert code != 0
    assert "--force" in err and len(err.strip().splitlines()) == 1
    assert target.read_text() == "keep me\n"
    code, _, _ = run(capsys, "extract", str(ARTICLE), "--published", "2025-03-12", "-o", str(target), "--force")
    assert code == 0 and records(target.read_text())


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["extract", "does-not-exist.txt"], "no such file"),
        (["extract", str(ARTICLE), "--published", "12/03/2025"], "invalid date"),
        (["extract", str(ARTICLE), "--format", "xml"], "unknown format"),
        (["extract", str(Path(__file__))], "unsupported input"),
        (["classify", "missing.jsonl"], "no such file"),
        (["export", "--db", "sqlite:///{tmp}/x.db", "--format", "docx"], "unknown format"),
        (["export", "--db", "sqlite:///{tmp}/x.db", "--date-from", "yesterday"], "invalid date"),
        (["ingest", "--db", "nosuchdb://x", str(ARTICLE)], "store"),
        (["extract"], "Missing argument"),
        (["nonsense"], "No such command"),
    ],
)
def test_cli_bad_input_gives_one_line_error(capsys, tmp_path, args, needle):
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    code, _, err = run(capsys, *args)
    assert code != 0
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert needle.lower() in lines[0].lower()
    assert "Traceback" not in err


def test_cli_empty_directory_is_an_error(capsys, tmp_path):
    code, _, err = run(capsys, "extract", str(tmp_path))
    assert code != 0 and "no articles" in err


def test_cli_classify(capsys, tmp_path):
    source = tmp_path / "snippets.jsonl"
    source.write_text("\n".join(json.dumps(r) for r in [
        {"id": "1", "text": "Warplanes bombed the village of Kafr Nabl, killing six civilians."},
        {"id": "2", "text": "The central bank raised interest rates by half a point."},
        {"id": "3", "text": "Teachers marched in Accra demanding higher pay."},
    ]) + "\n{broken json\n")
    code, out, err = run(capsys, "classify", str(source))
    assert code == 0
    results = {r["id"]: r for r in records(out)}
    assert results["1"]["sub_event_type"] == "Air/drone strike"
    assert results["1"]["event_type"] == "Explosions/Remote violence"
    assert results["2"]["event_type"] is None
    assert results["3"]["sub_event_type"] == "Peaceful protest"
    assert "snippets.jsonl:4" in err


def test_cli_geoparse(capsys, tmp_path, gazetteer):
    source = tmp_path / "geo.jsonl"
    text = "Gunmen attacked a village near Kassala in eastern Sudan."
    source.write_text(json.dumps({"id": "g", "text": text}) + "\n")
    code, out, _ = run(capsys, "geoparse", str(source))
    assert code == 0
    toponyms = records(out)[0]["toponyms"]
    kassala = next(t for t in toponyms if t["text"] == "Kassala")
    assert kassala["country"] == "Sudan"
    assert {"start", "end", "name", "geonames_id", "latitude", "longitude", "admin1", "feature_code", "confidence",
            "locative"} <= set(kassala)
    assert 0.5 < kassala["confidence"] <= 1 and kassala["locative"] is True


def test_cli_geoparse_home_from_the_option_and_from_the_record(capsys, tmp_path, gazetteer):
    source = tmp_path / "home.jsonl"
    text = "Police in Athens arrested two men after a fight downtown on Saturday."
    source.write_text(json.dumps({"id": "a", "text": text}) + "\n"
                      + json.dumps({"id": "b", "text": text, "home": "Athens, Georgia"}) + "\n")

    def athens(out: str) -> dict[str, str]:
        return {r["id"]: next(t["admin1"] for t in r["toponyms"] if t["text"] == "Athens") for r in records(out)}

    code, out, _ = run(capsys, "geoparse", str(source), "--home", "Athens, Tennessee")
    assert code == 0 and athens(out) == {"a": "Tennessee", "b": "Georgia"}
    code, out, err = run(capsys, "geoparse", str(source), "--home", "Nowhereville, Narnia")
    assert code != 0 and out == "" and len(err.strip().splitlines()) == 1 and "--home" in err


def test_cli_gazetteer_lookup_and_import(capsys, tmp_path, gazetteer, monkeypatch):
    import shutil

    copy = tmp_path / "gazetteer.sqlite"
    shutil.copyfile(gazetteer.path, copy)
    monkeypatch.setenv("MIDAN_GAZETTEER", str(copy))
    code, out, _ = run(capsys, "gazetteer", "lookup", "Mopti", "--limit", "2")
    assert code == 0 and records(out)[0]["country"] == "Mali"
    dump = tmp_path / "ML.txt"
    dump.write_text("\t".join(["99000003", "Sevare Quarter", "Sevare Quarter", "", "14.53", "-4.09", "P", "PPLX", "ML",
                               "", "", "", "", "", "0", "", "270", "Africa/Bamako", "2024-01-01"]) + "\n")
    code, out, _ = run(capsys, "gazetteer", "import", str(dump))
    assert code == 0 and json.loads(out)["added"] == 1
    code, out, _ = run(capsys, "gazetteer", "lookup", "Sevare Quarter")
    assert records(out)[0]["geonames_id"] == 99000003
    code, _, err = run(capsys, "gazetteer", "import", str(tmp_path / "absent.txt"))
    assert code == 1 and err.startswith("midan: error: no GeoNames file")


def test_cli_timex(capsys, tmp_path):
    source = tmp_path / "timex.jsonl"
    text = "Protests began on Tuesday and spread last week. On Sunday crowds rallied; two days later, police moved in."
    source.write_text(json.dumps({"id": "t", "text": text, "published": "2025-03-12"}) + "\n")
    code, out, _ = run(capsys, "timex", str(source))
    assert code == 0
    found = {t["text"]: t for t in records(out)[0]["timexes"]}
    assert found["Tuesday"]["value"] == "2025-03-11"
    assert (found["last week"]["value"], found["last week"]["date_start"], found["last week"]["date_end"]) == (
        "2025-W10", "2025-03-03", "2025-03-09")
    # an anchored duration keeps TimeML's value and gives the day it points to
    later = found["two days later"]
    assert (later["type"], later["value"], later["date_start"]) == ("DURATION", "P2D", "2025-03-11")


def test_cli_ingest_export_round_trip(capsys, tmp_path, pipeline):
    db = f"sqlite:///{tmp_path / 'store.db'}"
    code, _, err = run(capsys, "ingest", str(ARTICLE), "--published", "2025-03-12", "--db", db)
    assert code == 0, err
    assert "2 events" in err
    code, _, err = run(capsys, "ingest", str(ARTICLE), "--published", "2025-03-12", "--db", db)
    assert code == 0 and "already stored" in err
    code, out, _ = run(capsys, "export", "--db", db, "--format", "jsonl")
    assert len(records(out)) == 2
    code, out, _ = run(capsys, "export", "--db", db, "--format", "jsonl", "--event-type", "Protests")
    assert [r["event_type"] for r in records(out)] == ["Protests"]
    code, out, _ = run(capsys, "export", "--db", db, "--format", "jsonl", "--date-from", "2025-03-11")
    assert [r["event_date"] for r in records(out)] == ["2025-03-11"]
    parquet = tmp_path / "events.parquet"
    code, _, _ = run(capsys, "export", "--db", db, "--format", "parquet", "-o", str(parquet))
    assert code == 0 and parquet.stat().st_size > 0
    code, out, _ = run(capsys, "export", "--db", db, "--format", "table")
    assert code == 0 and "2 events" in out


def test_cli_version(capsys):
    code, out, _ = run(capsys, "--version")
    assert code == 0 and out.startswith("midan ")
