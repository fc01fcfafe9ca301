"""Ingest at scale: articles/s and peak memory of ``midan ingest`` on every article with a text in the shared data,
in one process and on a Dask cluster of 1 and of 2 workers; whether the engines store the same records; the speed-up
of 2 workers over 1; what a million articles would take.

The corpus (read in place from ``../shared/datasets``, with the benchmarks' own readers where they have one):
article-events ``dev.jsonl`` (90), HRDsAttack ``train.json`` + ``dev.json`` (400, ``hrds_attack.article_text``),
FA-KES ``dev.csv`` (384), india-police-events ``docs.jsonl`` (1,257, ``india_police.documents``), GLOCON documents
(1,050, ``glocon.load``), LGL (588) and GeoWebNews (200, ``midan.georank.read_corpus``; dated like
``negatives.load_lgl``): about 3,900 articles, a text seen twice (article-events repeats some HRDsAttack and FA-KES
reports) kept once. ``--limit N`` takes N articles in turns from the sources, so a short run has all kinds.

Each engine runs in its own process (``python -m benchmarks.corpus --engine ...``) that ingests the articles into a
fresh SQLite store, as ``midan ingest`` does:

* 1 process: ``Pipeline.pipe`` and one ``Store.add_batch`` per 16 articles (``midan ingest``);
* Dask, 1 and 2 workers: ``midan.distributed.ingest`` on a ``LocalCluster`` of single-threaded worker processes on
  127.0.0.1 (``midan ingest --engine dask --workers N``), partitions of ``--partition-size`` articles.

articles/s is over the ingest after loading (the pipeline, and the cluster's start with the pipeline loaded on every
worker, are timed apart as "setup s"); peak memory is the largest sum of the resident sets of the engine's process
and all its children (the Dask nanny and worker processes), sampled every 0.1 s with psutil. The records (every
field but ``timestamp``) of the three stores are compared.

The speed-up of 2 workers over 1 can be no more than the machine's own: before and after the engines, a pure-Python
loop is timed alone and in 2 processes at once (``parallel_ceiling``). On 2 real cores that gives 2.0; the 2 virtual
cores of a busy cloud host can give much less (1.0: two processes share one core's time), and the figure says so.

The projection for a million articles divides them by the 1-worker rate times the workers, assuming linear scaling
(each worker on a core of its own, the client and scheduler on another machine); the cost is worker core-hours at
``--price`` US dollars per vCPU-hour (default 0.05, about an on-demand compute-optimised x86 vCPU at the large clouds
in 2024-25; spot prices are a third of that or less).

    python benchmarks/corpus.py [--limit N] [--json PATH] [--price USD] [--workers-projected N]
                                [--partition-size K]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import pickle
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

if not __package__:  # run as a script: python benchmarks/corpus.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks._common import (
    ROOT,
    DatasetMissing,
    dataset,
    datasets_dir,
    figure,
    machine,
    per_second,
    reported,
    write_json,
)

COMMAND = "python benchmarks/corpus.py"
#: (label, engine, workers)
ENGINES: tuple[tuple[str, str, int], ...] = (("1 process", "local", 1), ("Dask, 1 worker", "dask", 1),
                                             ("Dask, 2 workers", "dask", 2))
DEFAULT_PRICE = 0.05
DEFAULT_PROJECTED_WORKERS = 32
MILLION = 1_000_000
SPEEDUP_GOAL = 1.7
#: an engine's process is stopped after this long (the full corpus takes about 10 minutes in one process)
ENGINE_TIMEOUT = 3 * 3600.0
SAMPLE_SECONDS = 0.1


# --- the corpus ------------------------------------------------------------------------------------------------------


def _article(source: str, ident: str, text: str, published: dt.date | None, title: str = "") -> Any:
    from midan.schema import Article

    return Article(id=f"{source}-{ident}", text=text, title=title, published=published, source=source,
                   origin=f"{source}:{ident}")


def article_events(limit: int | None) -> list[Any]:
    from benchmarks.article_events import load_gold

    return [_article("article-events", a["id"], a["text"],
                     dt.date.fromisoformat(a["published"]) if a.get("published") else None, a.get("title", ""))
            for a in load_gold(limit)]


def hrds(limit: int | None) -> list[Any]:
    """HRDsAttack train and dev, their paragraphs as ``hrds_attack.py`` joins them."""
    from benchmarks.hrds_attack import article_text, published_of

    found = []
    for split in ("train", "dev"):
        for index, item in enumerate(json.loads(dataset("hrds-attack", f"{split}.json").read_text("utf-8"))):
            sample = item["sample"]
            found.append(_article(f"hrds-{split}", f"{index:03d}", article_text(
                sample.get("Input.article_interface") or ""), published_of(sample.get("Input.publish_date")),
                sample.get("Input.title") or ""))
    return found[:limit] if limit else found


def fakes(limit: int | None) -> list[Any]:
    """FA-KES reports (their dates are written month/day/two-digit year)."""
    found = []
    with dataset("fa-kes", "dev.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            try:
                published: dt.date | None = dt.datetime.strptime(row["date"].strip(), "%m/%d/%y").date()
            except ValueError:
                published = None
            found.append(_article("fakes", row["unit_id"], row["article_content"].rstrip(), published,
                                  row["article_title"]))
            if limit and len(found) >= limit:
                break
    return found


def india(limit: int | None) -> list[Any]:
    from benchmarks.india_police import documents

    return [_article("india-police", d.id, d.text, d.published) for d in documents(limit)]


def glocon(limit: int | None) -> list[Any]:
    from benchmarks.glocon import load

    return [_article("glocon", d.id, d.text, d.published) for d in load(limit)[0]]


def lgl(limit: int | None) -> list[Any]:
    from benchmarks.negatives import load_lgl

    return [_article("lgl", a.id.removeprefix("lgl-"), a.text, a.published) for a in load_lgl(limit)[0]]


def geowebnews(limit: int | None) -> list[Any]:
    """GeoWebNews, dated as ``negatives.load_lgl`` dates LGL (the texts carry no publication date)."""
    from benchmarks.glocon import estimate_published
    from midan.georank import read_corpus

    dataset("geo", "GeoWebNews", "GWN.xml")
    rows = read_corpus(datasets_dir(), "GeoWebNews")
    return [_article("gwn", str(i), row["text"], estimate_published(row["text"])[0])
            for i, row in enumerate(rows[:limit] if limit else rows)]


SOURCES: dict[str, Callable[[int | None], list[Any]]] = {
    "article-events": article_events, "hrds-attack": hrds, "fa-kes": fakes, "india-police-events": india,
    "glocon": glocon, "lgl": lgl, "geowebnews": geowebnews}


def corpus(limit: int | None = None) -> tuple[list[Any], dict[str, int]]:
    """The articles (``limit``: that many, taken in turns from the sources), each text once; and how many of each
    source. A source whose data is missing is left out; with none at all the benchmark is skipped."""
    from midan.ingest import fingerprint

    loaded: dict[str, list[Any]] = {}
    for name, load in SOURCES.items():
        try:
            loaded[name] = [a for a in load(limit) if a.text.strip()]
        except DatasetMissing as exc:
            print(f"  {name}: skipped ({exc})", file=sys.stderr)
    if not loaded:
        raise DatasetMissing("no source of the corpus found in ../shared/datasets")
    seen: set[str] = set()
    chosen: list[Any] = []
    counts: Counter[str] = Counter()
    queues = {name: iter(articles) for name, articles in loaded.items()}
    while queues and (limit is None or len(chosen) < limit):
        for name in list(queues):
            article = next(queues[name], None)
            if article is None:
                del queues[name]
                continue
            mark = fingerprint(article)
            if mark in seen:
                continue
            seen.add(mark)
            chosen.append(article)
            counts[name] += 1
            if limit is not None and len(chosen) >= limit:
                break
    return chosen, dict(counts)


# --- one engine, in its own process ----------------------------------------------------------------------------------


def ingest_with(engine: str, workers: int, articles: Sequence[Any], db: Path, partition_size: int) -> dict[str, Any]:
    """Ingest ``articles`` into the store at ``db`` with one engine, as ``midan ingest`` does; the timings."""
    from midan import distributed
    from midan.store import open_store

    store = open_store(f"sqlite:///{db}")
    if engine == "dask":
        outcome = distributed.ingest(articles, distributed.StoreSink(store), workers=workers,
                                     partition_size=partition_size)
        return {"setup_seconds": outcome.setup_seconds, "seconds": outcome.seconds, "articles": outcome.articles,
                "events": outcome.events, "workers": outcome.workers}
    started = time.perf_counter()
    pipeline = distributed.load_pipeline(threads=None)  # the same warm-up as a worker's; the encoder's own threads
    setup = time.perf_counter() - started
    stored = events = 0
    batch: list[Any] = []
    started = time.perf_counter()
    for analysis in pipeline.pipe(articles, batch_size=16):  # cli.ingest's loop
        batch.append((analysis.article, analysis.events))
        if len(batch) >= 16:
            a, e = store.add_batch(batch)
            stored, events, batch = stored + a, events + e, []
    if batch:
        a, e = store.add_batch(batch)
        stored, events = stored + a, events + e
    return {"setup_seconds": setup, "seconds": time.perf_counter() - started, "articles": stored, "events": events,
            "workers": 1}


def records(db: Path) -> list[str]:
    """Every stored record as canonical JSON, without its ``timestamp`` (when it was written)."""
    from midan.store import EventFilter, open_store

    store = open_store(f"sqlite:///{db}")
    everything = EventFilter(status=("unreviewed", "accepted", "edited", "rejected"))
    rows = [json.dumps({k: v for k, v in e.to_dict().items() if k != "timestamp"}, sort_keys=True,
                       ensure_ascii=False) for e in store.events(where=everything)]
    store.close()
    return sorted(rows)


def child(engine: str, workers: int, articles_path: Path, out: Path, partition_size: int) -> int:
    """The engine's process: ingest, then write the timings and the records to ``out``."""
    articles = pickle.loads(articles_path.read_bytes())
    db = out.with_suffix(".db")
    timings = ingest_with(engine, workers, articles, db, partition_size)
    write_json(out, {**timings, "records": records(db)})
    return 0


def _tree_sample(process: Any, cpu: dict[int, float]) -> int:
    """The summed resident set of ``process`` and its descendants; ``cpu`` gets each one's CPU seconds so far."""
    import psutil

    total = 0
    try:
        family = [process, *process.children(recursive=True)]
    except psutil.Error:
        return 0
    for member in family:
        try:
            with member.oneshot():
                total += member.memory_info().rss
                times = member.cpu_times()
                cpu[member.pid] = times.user + times.system
        except psutil.Error:
            continue
    return total


def measure(engine: str, workers: int, articles_path: Path, folder: Path, partition_size: int) -> dict[str, Any]:
    """Run one engine in its own process, sampling the memory of its process tree; its timings and records."""
    import psutil

    out = folder / f"{engine}-{workers}.json"
    command = [sys.executable, "-m", "benchmarks.corpus", "--engine", engine, "--workers", str(workers),
               "--articles", str(articles_path), "--out", str(out), "--partition-size", str(partition_size)]
    peak = [0]
    cpu: dict[int, float] = {}  # CPU seconds by process, as last sampled
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT)
    watched = psutil.Process(process.pid)

    def sample() -> None:
        while process.poll() is None:
            peak[0] = max(peak[0], _tree_sample(watched, cpu))
            time.sleep(SAMPLE_SECONDS)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        code = process.wait(timeout=ENGINE_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise RuntimeError(f"{engine} with {workers} worker(s) took more than {ENGINE_TIMEOUT:.0f} s") from None
    finally:
        sampler.join()
    if code != 0 or not out.exists():
        raise RuntimeError(f"{engine} with {workers} worker(s) failed (exit status {code})")
    result = json.loads(out.read_text(encoding="utf-8"))
    result["wall_seconds"] = time.perf_counter() - started
    result["peak_rss_mb"] = peak[0] / 1e6
    # where the CPU went: the engine's own process (for Dask: the client, which writes the store, and the scheduler)
    # and its children (the workers); sampled, so the last 0.1 s of each process is missing
    result["main_cpu_seconds"] = cpu.get(process.pid, 0.0)
    result["children_cpu_seconds"] = sum(v for pid, v in cpu.items() if pid != process.pid)
    return result


# --- the machine's own ceiling ---------------------------------------------------------------------------------------


SPIN = 20_000_000


def spin(_: int = 0) -> float:
    """Seconds a fixed pure-Python loop takes (the GIL-bound kind of work the pipeline does)."""
    started = time.perf_counter()
    n = 0
    while n < SPIN:
        n += 1
    return time.perf_counter() - started


def parallel_ceiling(trials: int = 3) -> float:
    """How much faster 2 processes get through CPU-bound work than 1 on this machine right now: the most 2 workers
    can gain over 1. Its "2 cores" are virtual: when the host is busy they give about one core's work between them
    (from about 1.0 to above 1.7 on the machine of the README's figures, within an hour), so the speed-up is read
    against this. The median of ``trials`` (a loop alone, then the same loop in 2 processes at once)."""
    import multiprocessing
    import statistics

    ratios = []
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        pool.map(spin, [0, 0])  # the processes started
        for _ in range(trials):
            alone = spin()
            together = max(pool.map(spin, [0, 1]))
            ratios.append(2 * alone / together)
    return statistics.median(ratios)


# --- the benchmark ---------------------------------------------------------------------------------------------------


def differing(a: Iterable[str], b: Iterable[str]) -> int:
    """Records in one list and not in the other, counted with their repeats."""
    first, second = Counter(a), Counter(b)
    return sum(((first - second) + (second - first)).values())


def run(limit: int | None = None, price: float = DEFAULT_PRICE, projected: int = DEFAULT_PROJECTED_WORKERS,
        partition_size: int = 32) -> dict[str, Any]:
    articles, counts = corpus(limit)
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="midan-corpus-") as tmp:
        folder = Path(tmp)
        articles_path = folder / "articles.pickle"
        articles_path.write_bytes(pickle.dumps(articles))
        ceiling_before = parallel_ceiling()
        for label, engine, workers in ENGINES:
            print(f"  {label}: {len(articles)} articles ...", file=sys.stderr, flush=True)
            results[label] = measure(engine, workers, articles_path, folder, partition_size)
        ceiling_after = parallel_ceiling()
    single, one, two = (results[label] for label, _, _ in ENGINES)
    for r in results.values():
        r["articles_per_second"] = per_second(len(articles), r["seconds"])
        r["articles_per_second_with_setup"] = per_second(len(articles), r["seconds"] + r["setup_seconds"])
    diff_one, diff_two = differing(single["records"], one["records"]), differing(single["records"], two["records"])
    identical = diff_one == 0 and diff_two == 0
    speedup = two["articles_per_second"] / one["articles_per_second"]
    rate = one["articles_per_second"]  # one worker on one core: the unit a cluster is made of
    share = two["main_cpu_seconds"] / max(two["main_cpu_seconds"] + two["children_cpu_seconds"], 1e-9)
    hours = MILLION / (rate * projected) / 3600
    cost = hours * projected * price
    figures: dict[str, Any] = {}
    for (label, engine, _), key in zip(ENGINES, ("single", "dask1", "dask2"), strict=True):
        r = results[label]
        figures |= {
            f"{key}_articles_per_second": figure(f"{label}: articles/s (after setup)", r["articles_per_second"],
                                                 digits=2),
            f"{key}_articles_per_second_with_setup": figure(f"{label}: articles/s (setup included)",
                                                            r["articles_per_second_with_setup"], digits=2),
            f"{key}_setup_seconds": figure(f"{label}: setup s (" + (
                "pipeline load" if engine == "local" else "cluster start + pipeline on every worker") + ")",
                r["setup_seconds"], digits=1),
            f"{key}_peak_rss_mb": figure(f"{label}: peak memory MB (RSS, all processes)", r["peak_rss_mb"], digits=0),
        }
    figures |= {
        "records_identical": {"label": "records identical in the 3 engines", "value": identical,
                              "anchor": "True (required)", "gate": False},
        "differing_record_count": figure("records differing from the 1-process run (1 + 2 workers)",
                                         diff_one + diff_two, anchor=0, digits=0),
        "record_count": figure("records stored (1 process)", len(single["records"]), digits=0),
        "speedup_2_over_1_workers": figure("speed-up, 2 Dask workers over 1", speedup, anchor=SPEEDUP_GOAL,
                                           digits=2),
        "machine_parallel_ceiling": figure(
            "this machine's own speed-up, 2 processes over 1 (a pure-Python loop), before / after: lower",
            min(ceiling_before, ceiling_after), anchor=2.0, digits=2),
        "speedup_share_of_ceiling": figure("speed-up of 2 workers over 1 / the machine's (the higher of its two)",
                                           speedup / max(ceiling_before, ceiling_after), anchor=1.0, digits=2),
        "speedup_2_workers_over_1_process": figure("speed-up, 2 Dask workers over 1 process",
                                                   two["articles_per_second"] / single["articles_per_second"],
                                                   digits=2),
        "dask2_client_cpu_share": figure(
            "Dask, 2 workers: share of the CPU time taken by the client and scheduler process", share, digits=3),
        "million_hours": figure(f"hours for 1,000,000 articles on {projected} workers (linear)", hours, digits=2),
        "million_cost_usd": figure(f"USD for 1,000,000 articles at {price:g} USD per core-hour", cost, digits=2),
    }
    box = machine()
    notes = [
        f"{len(articles)} articles: " + ", ".join(f"{name} {n}" for name, n in counts.items()),
        f"machine: {box['cpu']}, {box['cores']} cores ({box['usable_cores']} usable), Python {box['python']}; "
        f"the Dask client and scheduler share these cores with the workers",
        f"partitions of {partition_size} articles; LocalCluster on 127.0.0.1, one thread per worker process; the "
        f"1-process engine's sentence encoder uses up to 2 threads, a worker's 1",
        f"projection: 1,000,000 / ({rate:.2f} articles/s per worker x {projected} workers); cost counts the "
        f"workers' cores only, at {price:g} USD per vCPU-hour (--price)",
    ]
    notes.append(f"this machine ran 2 CPU-bound processes {ceiling_before:.2f}x as fast as 1 before the engines and "
                 f"{ceiling_after:.2f}x after them (2.0 on 2 real cores); the Dask client and scheduler took "
                 f"{share:.1%} of the CPU time of the 2-worker run")
    if speedup < SPEEDUP_GOAL:
        notes.append(f"2 workers reach {speedup:.2f}x of 1, below the {SPEEDUP_GOAL}x goal: "
                     + ("this machine's 2 virtual cores gave less than that themselves"
                        if min(ceiling_before, ceiling_after) < SPEEDUP_GOAL else
                        "the client and scheduler, on the same cores, and the last partitions' tail take the rest"))
    details = {label: {k: v for k, v in r.items() if k != "records"} for label, r in results.items()}
    return {"benchmark": "corpus", "dataset": f"{len(articles)} articles with a text in ../shared/datasets",
            "command": COMMAND + (f" --limit {limit}" if limit else ""), "figures": figures, "machine": box,
            "notes": notes, "details": {"engines": details, "sources": counts,
                                        "parallel_ceiling": {"before": ceiling_before, "after": ceiling_after}}}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON to PATH")
    parser.add_argument("--limit", type=int, default=None, metavar="N", help="only N articles (default: all)")
    parser.add_argument("--price", type=float, default=DEFAULT_PRICE, metavar="USD",
                        help=f"price of a vCPU-hour for the projection (default {DEFAULT_PRICE})")
    parser.add_argument("--workers-projected", type=int, default=DEFAULT_PROJECTED_WORKERS, metavar="N",
                        help=f"workers of the projected cluster (default {DEFAULT_PROJECTED_WORKERS})")
    parser.add_argument("--partition-size", type=int, default=32, metavar="K", help="articles per Dask task")
    # one engine's run, in its own process (what the benchmark starts for each engine)
    parser.add_argument("--engine", choices=("local", "dask"), help=argparse.SUPPRESS)
    parser.add_argument("--workers", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--articles", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.engine:
        return child(args.engine, args.workers, args.articles, args.out, args.partition_size)
    return reported(lambda: run(args.limit, args.price, args.workers_projected, args.partition_size), args.json)


if __name__ == "__main__":
    sys.exit(main())
