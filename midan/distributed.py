"""``midan ingest --engine dask``: the pipeline on a Dask cluster, the records written by the client.

The articles are cut into partitions (lists of article dicts); each partition is one Dask task that runs
:meth:`midan.pipeline.Pipeline.pipe` on a worker and returns the partition's ``(article, events)`` pairs as plain
dicts. Each worker loads the pipeline once, when it joins (:class:`PipelinePlugin`), never per partition.

The client writes every partition as one transaction (:meth:`midan.store.Store.add_batch`) or as one Parquet file
(:class:`ParquetSink`), *in input order*: partitions are submitted a few at a time (a window of about two per worker
thread), learnt of with :class:`distributed.as_completed`, and one that finishes before an earlier one waits for it.
The order makes the store the same as the single-process run's, merges of one event reported by several articles
included (a merge keeps the first report's fields), and a kill loses at most the partitions of the window: a rerun
skips the articles stored. The client writes, not the workers, so SQLite works and a PostgreSQL store only needs to
be reachable from the client; at a few articles a second per worker the store is not the bottleneck.

Without ``--scheduler`` the cluster is a :class:`distributed.LocalCluster` of worker processes on 127.0.0.1 (one
thread each: the pipeline is pure Python and holds the GIL), closed at the end, on errors and on Ctrl-C too.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import hashlib
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from midan.errors import Errors, MidanError
from midan.ingest import fingerprint
from midan.schema import Article, Event

if TYPE_CHECKING:
    from distributed import Client, Future

    from midan.pipeline import Pipeline
    from midan.store import Store

logger = logging.getLogger(__name__)

PLUGIN_NAME = "midan-pipeline"
DEFAULT_WORKERS = 2
DEFAULT_PARTITION_SIZE = 32
DEFAULT_CONNECT_TIMEOUT = 10.0
#: partitions submitted per worker thread at a time: enough that no worker waits for the client, few enough that
#: a kill loses little and the client holds little
WINDOW_PER_THREAD = 2

Pair = tuple[Article, list[Event]]
#: what crosses the wire: an article as a dict and its events as :meth:`Event.to_dict` dicts
WirePair = tuple[dict[str, Any], list[dict[str, Any]]]


def require() -> Any:
    """The ``distributed`` package, or a one-line error saying how to install it (it is the ``scale`` extra)."""
    try:
        import distributed
    except ImportError:
        raise MidanError(Errors.E026) from None
    return distributed


def _probe(address: str, timeout: float) -> None:
    """Refuse at once, with the reason on one line, an address that is malformed, unreachable or not a Dask
    scheduler's, before a :class:`distributed.Client` is made (one whose start fails lingers in its finaliser)."""
    from distributed.comm import get_address_host_port, parse_address

    try:
        protocol, _ = parse_address(address)
        host, port = get_address_host_port(address)
    except (ValueError, TypeError) as exc:
        raise MidanError(Errors.E025.format(address=address, reason=_one_line(exc))) from None
    if protocol in ("tcp", "tls"):  # a refused port or an unknown host is told now, not after the timeout
        try:
            socket.create_connection((host, port), timeout=timeout).close()
        except OSError as exc:
            reason = exc.strerror or str(exc) or type(exc).__name__
            raise MidanError(Errors.E025.format(address=address, reason=reason.lower())) from None
    try:
        reply = asyncio.run(_identity(address, timeout))
    except Exception as exc:  # whatever answers there may send anything (a web server, a database)
        raise MidanError(Errors.E025.format(address=address, reason=(
            f"no Dask scheduler answered within {timeout:g} s" if isinstance(exc, TimeoutError)
            else f"no Dask scheduler answers there ({_one_line(exc)})"))) from None
    if not isinstance(reply, dict) or reply.get("type") != "Scheduler":
        kind = reply.get("type") if isinstance(reply, dict) else type(reply).__name__
        raise MidanError(Errors.E025.format(address=address, reason=f"it is a Dask {kind}, not a scheduler"))


async def _identity(address: str, timeout: float) -> Any:
    """What the server at ``address`` says it is (a scheduler answers ``{"type": "Scheduler", ...}``)."""
    from distributed.comm import connect

    comm = await asyncio.wait_for(connect(address, timeout=timeout), timeout)
    try:
        await comm.write({"op": "identity", "reply": True})
        return await asyncio.wait_for(comm.read(), timeout)
    finally:
        comm.abort()


# --- the worker side -------------------------------------------------------------------------------------------


def _plugin_base() -> type:
    try:
        from distributed import WorkerPlugin
    except ImportError:  # the module still imports; using the engine says what to install
        return object
    return WorkerPlugin


class PipelinePlugin(_plugin_base()):  # type: ignore[misc]
    """Loads the :class:`~midan.pipeline.Pipeline` once per worker, when the worker starts or the plugin is
    registered; the partitions' tasks find it with :func:`worker_pipeline`.

    ``idempotent``: a second ``midan ingest`` on a long-lived cluster reuses the workers' pipelines."""

    name = PLUGIN_NAME
    idempotent = True

    def __init__(self) -> None:
        self.pipeline: Pipeline | None = None
        #: one partition at a time per worker: ``dask worker --nthreads 4`` is not faster (the GIL) and spaCy's
        #: pipeline is not documented as thread-safe
        self.lock = threading.Lock()

    async def setup(self, worker: Any) -> None:
        # loading takes seconds; in a thread, so the worker keeps answering the scheduler's heartbeats
        self.pipeline = await asyncio.get_running_loop().run_in_executor(None, load_pipeline, worker.state.nthreads)

    def __getstate__(self) -> dict[str, Any]:
        return {}  # the client sends an empty plugin; each worker fills its own

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__()  # type: ignore[misc]


#: one short article run through a freshly loaded pipeline, so the caches and lazy loads of the first real
#: partition are warm (it is not stored)
WARM_UP = Article(id="midan-warm-up", published=dt.date(2025, 3, 4), text=(
    "Police fired tear gas at protesters in Basra, Iraq, on Monday, and two people were killed. "
    "On Sunday, gunmen attacked a checkpoint near Kirkuk."))


def load_pipeline(threads: int | None = 1) -> Pipeline:
    """The pipeline, warmed up on :data:`WARM_UP` so that the first partition is no slower than the others.
    The sentence encoder gets ``threads`` threads (None: its default): a worker's share of the cores, not the
    whole machine's, whose other cores its fellow workers use."""
    from midan import classifier
    from midan.pipeline import Pipeline

    if threads is not None:
        classifier.ENCODER_THREADS = max(1, threads)
        classifier.encoder.cache_clear()
    pipeline = Pipeline()
    for _ in pipeline.pipe([WARM_UP]):
        pass
    return pipeline


def worker_pipeline() -> tuple[Pipeline, threading.Lock]:
    """The pipeline the plugin loaded on this worker."""
    from distributed import get_worker

    plugin = get_worker().plugins.get(PLUGIN_NAME)
    if not isinstance(plugin, PipelinePlugin) or plugin.pipeline is None:
        raise RuntimeError(f"the {PLUGIN_NAME} worker plugin is not loaded on this worker")
    return plugin.pipeline, plugin.lock


def analyse_partition(records: list[dict[str, Any]], batch_size: int = 16) -> list[WirePair]:
    """The task: one partition's articles through the worker's pipeline; each analysed article with its events.

    An article the pipeline fails on is left out (logged on the worker), as in the single-process ``ingest``: it is
    not stored, so a rerun tries it again."""
    pipeline, lock = worker_pipeline()
    articles = [Article(**record) for record in records]
    with lock:
        return [(dataclasses.asdict(analysis.article), [event.to_dict() for event in analysis.events])
                for analysis in pipeline.pipe(articles, batch_size=batch_size)]


# --- partitions and where they go ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Partition:
    """Consecutive articles analysed by one task. ``digest`` names its content (the articles' fingerprints), so a
    Parquet file of it is recognised on a rerun."""

    index: int
    articles: tuple[Article, ...]
    digest: str


def partitions(articles: Sequence[Article], size: int = DEFAULT_PARTITION_SIZE) -> list[Partition]:
    """The articles in partitions of ``size``, in order."""
    if size < 1:
        raise ValueError("partition size must be at least 1")
    out = []
    for index, start in enumerate(range(0, len(articles), size)):
        chunk = tuple(articles[start:start + size])
        digest = hashlib.sha1("\n".join(fingerprint(a) for a in chunk).encode("ascii")).hexdigest()[:16]
        out.append(Partition(index, chunk, digest))
    return out


class Sink(Protocol):
    """Where the client writes each partition's results."""

    def done(self, partition: Partition) -> bool:
        """Already written by an earlier run (it is not analysed again)."""
        ...

    def write(self, partition: Partition, pairs: list[Pair]) -> tuple[int, int]:
        """Write one partition's results; (articles, events) written."""
        ...


class StoreSink:
    """Each partition one :meth:`Store.add_batch` transaction. Which articles are stored already is checked by the
    caller before partitioning (``ingest`` skips them), and again by ``add_batch``; ``dedup`` as in ``add_batch``."""

    def __init__(self, store: Store, dedup: bool = False) -> None:
        self.store = store
        self.dedup = dedup

    def done(self, partition: Partition) -> bool:
        return False

    def write(self, partition: Partition, pairs: list[Pair]) -> tuple[int, int]:
        return self.store.add_batch(pairs, dedup=self.dedup)


class ParquetSink:
    """Each partition its own Parquet file in ``folder``, ``part-<index>-<digest>.parquet``, with the columns of
    ``midan export --format parquet`` (:func:`midan.export.write_events`, which writes a temporary file and renames
    it, so a killed run leaves no partial file). A partition whose digest has a file is not analysed again."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        if self.folder.exists() and not self.folder.is_dir():
            raise MidanError(Errors.E013.format(path=self.folder, reason="it is not a directory"))
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise MidanError(Errors.E013.format(path=self.folder, reason=exc.strerror or exc)) from None
        self.written = {path.stem.rsplit("-", 1)[-1] for path in self.folder.glob("part-*.parquet")}

    def path(self, partition: Partition) -> Path:
        return self.folder / f"part-{partition.index:06d}-{partition.digest}.parquet"

    def done(self, partition: Partition) -> bool:
        return partition.digest in self.written

    def write(self, partition: Partition, pairs: list[Pair]) -> tuple[int, int]:
        from midan import export

        events = [event for _, found in pairs for event in found]
        export.write_events(events, "parquet", self.path(partition), force=True)
        self.written.add(partition.digest)
        return len(pairs), len(events)


# --- the client side -------------------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What a run did, and how long its parts took."""

    articles: int = 0
    events: int = 0
    partitions: int = 0
    skipped_partitions: int = 0
    workers: int = 0
    #: seconds to start (or reach) the cluster and load the pipeline on every worker
    setup_seconds: float = 0.0
    #: seconds from the first partition submitted to the last one written
    seconds: float = 0.0


@contextlib.contextmanager
def connect(scheduler: str | None = None, workers: int = DEFAULT_WORKERS,
            connect_timeout: float = DEFAULT_CONNECT_TIMEOUT) -> Iterator[Client]:
    """A client of the cluster at ``scheduler`` (``tcp://HOST:PORT``), or of a new :class:`LocalCluster` of
    ``workers`` single-threaded processes on 127.0.0.1 (its HTTP endpoint on a free loopback port), closed when
    the block ends however it ends. An address that cannot be reached is a one-line :class:`MidanError`."""
    distributed = require()
    with contextlib.ExitStack() as stack:
        if scheduler:
            _probe(scheduler, connect_timeout)
            try:
                client = distributed.Client(scheduler, timeout=connect_timeout, set_as_default=False)
            except Exception as exc:
                raise MidanError(Errors.E025.format(address=scheduler, reason=_one_line(exc))) from None
        else:
            if workers < 1:
                raise MidanError("--workers must be at least 1")
            cluster = stack.enter_context(distributed.LocalCluster(
                host="127.0.0.1", n_workers=workers, threads_per_worker=1, processes=True,
                dashboard_address="127.0.0.1:0", silence_logs=logging.ERROR))
            client = distributed.Client(cluster, set_as_default=False)
        stack.callback(client.close)
        logger.debug("dask: %s with %d workers", "cluster at " + scheduler if scheduler else "local cluster",
                    len(client.scheduler_info().get("workers", {})))
        yield client


def prepare(client: Client) -> int:
    """Register the pipeline plugin (every worker loads the pipeline, now and when it joins later); returns the
    worker threads available."""
    try:
        client.register_plugin(PipelinePlugin())
    except Exception as exc:  # a worker that cannot import or load midan
        raise MidanError(Errors.E028.format(what="loading the pipeline", reason=_one_line(exc))) from None
    threads = sum(client.nthreads().values())
    if threads < 1:
        raise MidanError(Errors.E025.format(address=client.scheduler.address, reason="the cluster has no workers"))
    return threads


def run(client: Client, parts: Sequence[Partition], sink: Sink, batch_size: int = 16, window: int | None = None,
        advance: Callable[[int], None] | None = None) -> Outcome:
    """Analyse the partitions on the cluster and write each with ``sink`` in order, as soon as it and those
    before it are done (see the module's docstring). ``advance`` is told how many articles each write or skip
    covered (a progress bar)."""
    from distributed import KilledWorker, as_completed

    advance = advance or (lambda _n: None)
    outcome = Outcome(partitions=len(parts))
    todo = []
    for part in parts:
        if sink.done(part):
            outcome.skipped_partitions += 1
            advance(len(part.articles))
        else:
            todo.append(part)
    window = window or WINDOW_PER_THREAD * max(1, sum(client.nthreads().values()))
    queue = iter(todo)
    index_of: dict[str, int] = {}
    finished: dict[int, list[Pair]] = {}
    order = [part.index for part in todo]
    by_index = {part.index: part for part in todo}
    position = 0  # the next partition of ``order`` to write

    def submit(part: Partition) -> Future:
        records = [dataclasses.asdict(article) for article in part.articles]
        future = client.submit(analyse_partition, records, batch_size, key=f"midan-{part.index}-{part.digest}",
                               retries=1, pure=False, priority=-part.index)
        index_of[future.key] = part.index
        return future

    started = time.perf_counter()
    pending = as_completed([submit(part) for part in _take(queue, window)], loop=client.loop)
    for future in pending:
        index = index_of.pop(future.key)
        part = by_index[index]
        try:
            wire = future.result()
        except KilledWorker as exc:
            raise MidanError(Errors.E027.format(index=index, first=part.articles[0].origin or part.articles[0].id,
                                                reason=_one_line(exc))) from None
        except Exception as exc:
            raise MidanError(Errors.E028.format(what=f"partition {index}", reason=_one_line(exc))) from None
        finally:
            future.release()
        finished[index] = [(Article(**article), [Event.from_dict(e) for e in events]) for article, events in wire]
        for part in _take(queue, 1):
            pending.add(submit(part))
        while position < len(order) and order[position] in finished:
            ready = by_index[order[position]]
            articles, events = sink.write(ready, finished.pop(order[position]))
            outcome.articles += articles
            outcome.events += events
            advance(len(ready.articles))
            position += 1
    outcome.seconds = time.perf_counter() - started
    return outcome


def _take(queue: Iterator[Partition], n: int) -> list[Partition]:
    return [part for _, part in zip(range(n), queue, strict=False)]


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text.splitlines()[0]}" if text else type(exc).__name__


def ingest(articles: Sequence[Article], sink: Sink, *, scheduler: str | None = None, workers: int = DEFAULT_WORKERS,
           partition_size: int = DEFAULT_PARTITION_SIZE, batch_size: int = 16,
           connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
           advance: Callable[[int], None] | None = None) -> Outcome:
    """Analyse ``articles`` on a Dask cluster (a local one unless ``scheduler`` is given) and write the results
    with ``sink``, one partition at a time in input order."""
    parts = partitions(articles, partition_size)
    if all(sink.done(part) for part in parts):  # a rerun after a complete run: no cluster to start
        for part in parts:
            (advance or (lambda _n: None))(len(part.articles))
        return Outcome(partitions=len(parts), skipped_partitions=len(parts))
    started = time.perf_counter()
    with connect(scheduler, workers, connect_timeout) as client:
        threads = prepare(client)
        setup = time.perf_counter() - started
        logger.debug("dask: pipeline loaded on %d worker thread(s) in %.1f s", threads, setup)
        outcome = run(client, parts, sink, batch_size=batch_size, advance=advance)
        outcome.workers = len(client.scheduler_info().get("workers", {}))
    outcome.setup_seconds = setup
    return outcome


__all__ = ["Outcome", "ParquetSink", "Partition", "PipelinePlugin", "Sink", "StoreSink", "analyse_partition",
           "connect", "ingest", "load_pipeline", "partitions", "prepare", "require", "run"]
