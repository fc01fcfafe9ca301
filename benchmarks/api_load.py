"""The REST API under load: requests/s and p50/p95/p99 latency of ``/api/events?_size=50`` for 1, 10 and 50
concurrent clients, against a store of 50,000 events, on loopback only: the same page again and again (what a
dashboard does; the server remembers a page until the store changes) and a different page each time (a random
``date_from``, so nearly every request is computed).

The store is the demo articles extracted once by the real pipeline and stored again under new ids (article ids,
event ids and days shifted; the texts get a copy mark so each is a new article) until it holds ``--events``
events; it is kept in ``benchmarks/output/`` and reused. The server is ``midan serve`` in its own process
(``--workers`` processes); each client level runs for a fixed time and every request has a timeout, so the
benchmark is bounded.

    python benchmarks/api_load.py [--events 50000] [--seconds 10] [--workers 1] [--json PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import datetime as dt
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

if not __package__:  # run as a script: python benchmarks/api_load.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks._common import BENCHMARKS, ROOT, machine, reported

COMMAND = "python benchmarks/api_load.py"
URL = "/api/events?_size=50"
LEVELS = (1, 10, 50)
#: the first day of the copies' dates (the demo's events moved back by up to two years)
FIRST = dt.date(2023, 1, 1)


def build_store(path: Path, target: int) -> int:
    """Fill a SQLite store at ``path`` with copies of the demo articles' events until it holds ``target``."""
    from midan.ingest import read_articles
    from midan.pipeline import Pipeline
    from midan.store import open_store

    store = open_store(f"sqlite:///{path}")
    have = store.count(where=_any())
    if have >= target:
        return have
    articles = list(read_articles([ROOT / "examples" / "articles"]))
    coded = [(a, list(analysis.events)) for a, analysis in zip(articles, Pipeline().pipe(articles), strict=True)]
    per_copy = sum(len(events) for _, events in coded)
    copy = have // max(per_copy, 1)
    while have < target:
        copy += 1
        batch = []
        for article, events in coded:
            ident = f"{article.id}~{copy}"
            shift = dt.timedelta(days=copy % 730)
            twin = dataclasses.replace(article, id=ident, text=f"{article.text}\n[copy {copy}]")
            moved = []
            for item in events:
                day = (dt.date.fromisoformat(item.event_date) - shift).isoformat()
                moved.append(dataclasses.replace(
                    item, event_id_cnty=f"{item.event_id_cnty}-{copy}", event_date=day, year=int(day[:4]),
                    date_start=day, date_end=day, article_ids=[ident],
                    evidence=[dataclasses.replace(e, article_id=ident) for e in item.evidence]))
            batch.append((twin, moved))
        store.add_batch(batch)
        have += per_copy
    store.close()
    return have


def _any() -> Any:
    from midan.store import EventFilter

    return EventFilter(status=("unreviewed", "accepted", "edited", "rejected"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(db: Path, port: int, workers: int) -> subprocess.Popen[bytes]:
    command = [str(Path(sys.executable).with_name("midan")), "serve", "--db", f"sqlite:///{db}",
               "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              env={**os.environ, "HF_HUB_OFFLINE": "1"})
    import httpx

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server stopped: {(server.stderr.read() if server.stderr else b'').decode()}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("the server did not answer within 60 s")


async def _get(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes) -> int:
    """One keep-alive GET; returns the status. A bare HTTP/1.1 client (like wrk): httpx's own CPU per request,
    on the same two cores as the server, would be measured as the server's."""
    writer.write(request)
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    await reader.readexactly(length)
    return status


async def level(port: int, clients: int, seconds: float, distinct: bool = False) -> dict[str, float]:
    """``clients`` connections asking in a loop for ``seconds``; latencies of the answered requests. ``distinct``
    asks each time for another page (from a random day of the two years the store spans), so the server's page
    cache rarely helps."""
    latencies: list[float] = []
    errors = 0
    rng = random.Random(clients)

    def request() -> bytes:
        url = f"{URL}&date_from={FIRST + dt.timedelta(days=rng.randrange(730))}" if distinct else URL
        return f"GET {url} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: application/json\r\n\r\n".encode()

    stop = time.monotonic() + seconds

    async def one() -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while time.monotonic() < stop:
                started = time.perf_counter()
                try:
                    status = await asyncio.wait_for(_get(reader, writer, request()), timeout=10)
                except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError):
                    errors += 1
                    return
                if status != 200:
                    errors += 1
                    continue
                latencies.append(time.perf_counter() - started)
        finally:
            writer.close()

    began = time.monotonic()
    await asyncio.gather(*(one() for _ in range(clients)))
    elapsed = time.monotonic() - began
    ranked = sorted(latencies) or [float("nan")]

    def pct(p: float) -> float:
        return ranked[min(len(ranked) - 1, int(p * len(ranked)))] * 1000

    return {"requests": len(latencies), "errors": errors, "requests_per_second": len(latencies) / elapsed,
            "p50_ms": pct(0.50), "p95_ms": pct(0.95), "p99_ms": pct(0.99),
            "mean_ms": statistics.fmean(latencies) * 1000 if latencies else float("nan")}


def run(events: int = 50_000, seconds: float = 10.0, workers: int = 1) -> dict[str, Any]:
    db = BENCHMARKS / "output" / f"api-load-{events}.db"
    db.parent.mkdir(parents=True, exist_ok=True)
    stored = build_store(db, events)
    port = free_port()
    server = start_server(db, port, workers)
    try:
        results = {(n, distinct): asyncio.run(level(port, n, seconds, distinct))
                   for distinct in (False, True) for n in LEVELS}
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    figures: dict[str, Any] = {}
    for (n, distinct), r in results.items():
        tag, kind = (f"c{n}_distinct", "different pages") if distinct else (f"c{n}", "the same page")
        figures[f"{tag}_requests_per_second"] = {"label": f"{n} client(s), {kind}: requests/s", "value": round(
            r["requests_per_second"], 1), "anchor": ">= 300 (goal, 1 process)" if n == 1 else None}
        for p in ("p50", "p95", "p99"):
            figures[f"{tag}_{p}_milliseconds"] = {
                "label": f"{n} client(s), {kind}: {p} ms", "value": round(r[f"{p}_ms"], 1),
                "anchor": "< 250 (goal)" if (n, p) == (50, "p99") else None}
        figures[f"{tag}_error_count"] = {"label": f"{n} client(s), {kind}: failed requests", "value": r["errors"]}
    box = machine()
    return {"benchmark": "api_load", "dataset": f"{stored} events (demo articles stored again under new ids)",
            "command": COMMAND + (f" --workers {workers}" if workers > 1 else ""), "figures": figures,
            "machine": box, "notes": [f"{URL} on 127.0.0.1, midan serve --workers {workers}, {seconds:.0f} s per "
                                      f"level; the clients run in this process on the same {box['cores']} cores"],
            "details": {f"{n} clients{', different pages' if d else ''}": r for (n, d), r in results.items()}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--json", metavar="PATH")
    parser.add_argument("--limit", type=int, default=None, help="a quick run: this many events, 3 s a level")
    args = parser.parse_args(argv)
    events, seconds = (args.limit, 3.0) if args.limit else (args.events, args.seconds)
    return reported(lambda: run(events, seconds, args.workers), args.json, needs_data=False)


if __name__ == "__main__":
    sys.exit(main())
