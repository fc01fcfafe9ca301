"""``midan ingest --engine dask``: the same records as the single-process run, resuming, Parquet partitions, errors.

One LocalCluster of 2 worker processes on 127.0.0.1 serves most tests through ``--scheduler`` (its workers load the
pipeline once, which a test checks); the Parquet test lets the command start its own 1-worker cluster. The articles are
the 7 demo articles of ``wire-digest.jsonl`` (5) and ``americas-desk.csv`` (2).
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # benchmarks/ is imported below
    sys.path.insert(0, str(ROOT))

distributed = pytest.importorskip("distributed")

from midan import distributed as scale  # noqa: E402
from midan.cli import main  # noqa: E402
from midan.schema import Article  # noqa: E402
from midan.store import EventFilter, open_store  # noqa: E402

ARTICLES = ROOT / "examples" / "articles"
WIRE = str(ARTICLES / "wire-digest.jsonl")
DESK = str(ARTICLES / "americas-desk.csv")
EVERY_STATUS = EventFilter(status=("unreviewed", "accepted", "edited", "rejected"))


def run(capsys, *args: str) -> tuple[int, str, str]:
    """Exit status, standard output, and standard error with rich's line wrapping undone."""
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err if err.startswith("midan: error") else " ".join(err.split())


def stored(db: Path) -> list[str]:
    """The store's records as canonical JSON, without ``timestamp`` (the time of writing), sorted."""
    with open_store(f"sqlite:///{db}") as store:
        return sorted(json.dumps({k: v for k, v in e.to_dict().items() if k != "timestamp"}, sort_keys=True)
                      for e in store.events(where=EVERY_STATUS))


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> list[str]:
    """The single-process ``midan ingest`` of the 7 articles."""
    db = tmp_path_factory.mktemp("single") / "single.db"
    assert main(["ingest", WIRE, DESK, "--db", str(db)]) == 0
    records = stored(db)
    assert len(records) >= 7  # the demo has several events per article
    return records


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(host="127.0.0.1", n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address="127.0.0.1:0", silence_logs=logging.ERROR) as local:
        yield local


def pipelines(cluster) -> dict[str, int]:
    """Each worker's pipeline object (its id), as the plugin loaded it."""
    with distributed.Client(cluster, set_as_default=False) as client:
        return client.run(lambda dask_worker: id(dask_worker.plugins[scale.PLUGIN_NAME].pipeline))


def test_dask_ingest_stores_the_single_process_records(capsys, tmp_path, reference, cluster):
    db = tmp_path / "dask.db"
    code, _, err = run(capsys, "ingest", WIRE, DESK, "--db", str(db), "--engine", "dask",
                       "--scheduler", cluster.scheduler_address, "--partition-size", "2")
    assert code == 0, err
    assert "7 articles and" in err and "2 Dask workers" in err
    assert stored(db) == reference
    # the workers loaded the pipeline when the plugin was registered, and a second run uses the same ones
    loaded = pipelines(cluster)
    assert len(loaded) == 2
    code, _, err = run(capsys, "ingest", WIRE, DESK, "--db", str(tmp_path / "again.db"), "--engine", "dask",
                       "--scheduler", cluster.scheduler_address, "--partition-size", "3")
    assert code == 0, err
    assert pipelines(cluster) == loaded
    assert stored(tmp_path / "again.db") == reference


def test_dask_ingest_resumes_where_it_stopped(capsys, tmp_path, reference, cluster):
    db = tmp_path / "resume.db"
    common = ("--db", str(db), "--engine", "dask", "--scheduler", cluster.scheduler_address, "--partition-size", "2")
    code, _, err = run(capsys, "ingest", WIRE, *common)
    assert code == 0, err
    assert "5 articles and" in err
    code, _, err = run(capsys, "ingest", WIRE, DESK, *common)
    assert code == 0, err
    assert "2 articles and" in err and "5 articles already stored" in err
    assert stored(db) == reference
    code, _, err = run(capsys, "ingest", WIRE, DESK, *common)
    assert code == 0 and "all 7 articles already stored" in err


def test_dask_ingest_writes_parquet_partitions_on_its_own_local_cluster(capsys, tmp_path, reference):
    import pyarrow.parquet as pq

    from midan.export import arrow_schema

    folder = tmp_path / "parts"
    code, _, err = run(capsys, "ingest", WIRE, DESK, "--engine", "dask", "--workers", "1", "--partition-size", "3",
                       "--parquet", str(folder))
    assert code == 0, err
    assert "written by 1 Dask worker " in err
    files = sorted(folder.glob("*.parquet"))
    assert [f.name.split("-")[1] for f in files] == ["000000", "000001", "000002"]  # 3 + 3 + 1 articles
    assert not list(folder.glob(".*"))  # no temporary file left behind
    tables = [pq.read_table(f) for f in files]
    assert all(t.schema.names == arrow_schema().names for t in tables)
    rows = [row for t in tables for row in t.to_pylist()]
    # no event of the demo is reported by two articles, so the partitions' records are the store's, unmerged
    assert sorted(r["event_id_cnty"] for r in rows) == sorted(json.loads(r)["event_id_cnty"] for r in reference)
    code, _, err = run(capsys, "ingest", WIRE, DESK, "--engine", "dask", "--partition-size", "3",
                       "--parquet", str(folder))
    assert code == 0 and "all 3 partitions already written; nothing to do" in err


def test_dask_ingest_bad_scheduler_is_one_line(capsys, tmp_path):
    for address, reason in (("tcp://127.0.0.1:1", "connection refused"), ("nonsense", "missing port")):
        code, _, err = run(capsys, "ingest", WIRE, "--db", str(tmp_path / "x.db"), "--engine", "dask",
                           "--scheduler", address, "--connect-timeout", "2")
        assert code == 1
        assert err.startswith(f"midan: error: cannot use the Dask scheduler {address}: ") and reason in err
        assert err.count("\n") == 1 and "Traceback" not in err


def test_dask_options_need_the_dask_engine(capsys, tmp_path):
    code, _, err = run(capsys, "ingest", WIRE, "--db", str(tmp_path / "x.db"), "--parquet", str(tmp_path / "p"))
    assert code == 1 and "--scheduler and --parquet need --engine dask" in err
    code, _, err = run(capsys, "ingest", WIRE, "--db", str(tmp_path / "x.db"), "--engine", "spark")
    assert code == 1 and "unknown engine 'spark'" in err
    code, _, err = run(capsys, "ingest", WIRE, "--engine", "dask", "--dedup", "--parquet", str(tmp_path / "p"))
    assert code == 1 and "--dedup merges records in the store: it cannot go with --parquet" in err


def test_the_store_sink_merges_reports_of_one_event_with_dedup(tmp_path):
    from tests.test_dedup import report
    from tests.test_store import make_article

    with open_store(f"sqlite:///{tmp_path / 'sink.db'}") as store:
        sink = scale.StoreSink(store, dedup=True)
        first = scale.partitions([make_article("a1", "first report")], 1)[0]
        second = scale.partitions([make_article("a2", "second report")], 1)[0]
        assert sink.write(first, [(first.articles[0], [report("SDN-1", "a1")])]) == (1, 1)
        assert sink.write(second, [(second.articles[0], [report("SDN-2", "a2", fatalities=4)])]) == (1, 0)
        assert [(e.event_id_cnty, e.article_ids) for e in store.events()] == [("SDN-1", ["a1", "a2"])]


def test_partitions_are_named_by_their_content():
    articles = [Article(id=f"a{i}", text=f"Text number {i}.") for i in range(5)]
    parts = scale.partitions(articles, 2)
    assert [len(p.articles) for p in parts] == [2, 2, 1]
    assert [p.index for p in parts] == [0, 1, 2]
    # the same texts under other ids, with other spacing: the same partitions (a rerun recognises them)
    again = scale.partitions([Article(id=f"b{i}", text=f" Text  number {i}. ") for i in range(5)], 2)
    assert [p.digest for p in again] == [p.digest for p in parts]
    assert len({p.digest for p in parts}) == 3
    with pytest.raises(ValueError):
        scale.partitions(articles, 0)


# --- benchmarks/corpus.py: its corpus and its comparison (the engines themselves are measured, not tested) ---------


def test_corpus_benchmark_counts_differing_records():
    from benchmarks.corpus import differing

    assert differing(["a", "b", "b"], ["b", "a", "b"]) == 0
    assert differing(["a", "b", "b"], ["a", "b", "c"]) == 2  # one "b" only in the first, "c" only in the second


@pytest.mark.shared
def test_corpus_benchmark_takes_the_sources_in_turns():
    from benchmarks import _common
    from benchmarks.corpus import SOURCES, corpus
    from midan.ingest import fingerprint

    try:
        _common.datasets_dir()
    except _common.DatasetMissing as exc:
        pytest.skip(str(exc))
    articles, counts = corpus(2 * len(SOURCES))
    assert len(articles) == 2 * len(SOURCES)
    assert set(counts.values()) == {2} and set(counts) == set(SOURCES)
    assert len({fingerprint(a) for a in articles}) == len(articles)
    assert all(a.text.strip() and a.id.startswith(a.source) for a in articles)
