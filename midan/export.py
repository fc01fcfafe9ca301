"""Writing events: ACLED CSV, JSONL, GeoJSON and Parquet, to standard output or atomically to a file.

A file is written to a temporary name beside it and renamed when complete, so an interrupted export never leaves
a half-written file; an existing file is only replaced with ``force``. The text formats are produced by
generators of chunks (:func:`csv_chunks`, :func:`jsonl_chunks`, :func:`geojson_chunks`) that the REST API streams
as well, so a file export and an API download are the same bytes.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import datetime as dt
import io
import itertools
import json
import logging
import os
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from midan.errors import Errors, MidanError
from midan.schema import ALL_COLUMNS, Event

logger = logging.getLogger(__name__)

FORMATS = ("acled-csv", "jsonl", "geojson", "parquet")
MEDIA_TYPES = {"acled-csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson",
               "geojson": "application/geo+json", "parquet": "application/vnd.apache.parquet"}

_INT_COLUMNS = ("year", "time_precision", "iso", "geo_precision", "fatalities", "timestamp", "inter1_code",
                "inter2_code", "geonames_id", "fatalities_low", "fatalities_high")
_FLOAT_COLUMNS = ("latitude", "longitude", "confidence")
_DATE_COLUMNS = ("event_date", "date_start", "date_end")
_PARQUET_BATCH = 5000


# --- output files --------------------------------------------------------------------------------------------


def check_output(path: Path | str | None, force: bool = False) -> None:
    """Refuse early (before any work) an output that cannot be written or would overwrite without ``force``."""
    if path is None:
        return
    path = Path(path)
    if path.is_dir():
        raise MidanError(Errors.E013.format(path=path, reason="it is a directory"))
    if path.exists() and not force:
        raise MidanError(Errors.E005.format(path=path))
    if not path.resolve().parent.is_dir():
        raise MidanError(Errors.E013.format(path=path, reason=f"no such directory {path.resolve().parent}"))


@contextlib.contextmanager
def open_output(path: Path | str | None, force: bool = False, binary: bool = False) -> Iterator[IO[Any]]:
    """Standard output, or a file written atomically: a temporary file in the same directory, renamed over
    ``path`` only when the block completes (removed if it fails or is interrupted)."""
    if path is None:
        yield sys.stdout.buffer if binary else sys.stdout
        sys.stdout.flush()
        return
    path = Path(path)
    check_output(path, force)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.resolve().parent)
    except OSError as exc:
        raise MidanError(Errors.E013.format(path=path, reason=exc.strerror or exc)) from None
    try:
        with os.fdopen(fd, "wb" if binary else "w", encoding=None if binary else "utf-8",
                       newline=None if binary else "") as handle:
            yield handle
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600 files; give the usual permissions
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# --- records -------------------------------------------------------------------------------------------------


#: a text cell starting with one of these is a formula to a spreadsheet (CSV injection)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    if isinstance(value, (list, dict)):
        value = json.dumps(value, ensure_ascii=False)
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        # an apostrophe makes a spreadsheet show it as text (OWASP); numbers are not strings here, so "-12.5"
        # as a coordinate is untouched
        return "'" + value
    return value


def csv_row(item: Event) -> dict[str, Any]:
    """An event as an ACLED CSV row: every column of ALL_COLUMNS; lists as JSON strings; None as empty."""
    return {name: _cell(value) for name, value in item.to_dict().items()}


def geojson_feature(row: dict[str, Any]) -> dict[str, Any] | None:
    """A GeoJSON Point feature (``[longitude, latitude]``) whose properties are the record, or None without
    coordinates."""
    if row.get("latitude") is None or row.get("longitude") is None:
        return None
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [row["longitude"], row["latitude"]]},
            "properties": row}


def csv_chunks(events: Iterable[Event]) -> Iterator[str]:
    """ACLED CSV text: the header (ACLED's columns in ACLED's order, then midan's), then one line per event."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(ALL_COLUMNS), lineterminator="\n")
    writer.writeheader()
    for item in events:
        writer.writerow(csv_row(item))
        if buffer.tell() > 65536:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def jsonl_chunks(events: Iterable[Event], fields: Sequence[str] | None = None) -> Iterator[str]:
    """One JSON object per line per event (spec §1 records; only ``fields`` when given)."""
    for item in events:
        yield json.dumps(only_fields(item.to_dict(), fields), ensure_ascii=False) + "\n"


def only_fields(row: dict[str, Any], fields: Sequence[str] | None) -> dict[str, Any]:
    """The record with only these fields (all of them for None), in the order given."""
    return row if fields is None else {name: row[name] for name in fields}


def geojson_chunks(events: Iterable[Event], skipped: list[int] | None = None,
                   fields: Sequence[str] | None = None) -> Iterator[str]:
    """A GeoJSON FeatureCollection, streamed; events without coordinates are left out and counted in
    ``skipped[0]`` (a warning says how many). ``fields`` limits the properties (a map needs no evidence)."""
    left_out = 0
    yield '{"type": "FeatureCollection", "features": ['
    first = True
    for item in events:
        feature = geojson_feature(item.to_dict())
        if feature is None:
            left_out += 1
            continue
        feature["properties"] = only_fields(feature["properties"], fields)
        yield ("" if first else ",") + "\n" + json.dumps(feature, ensure_ascii=False)
        first = False
    yield "\n]}\n"
    if left_out:
        logger.warning("%d event(s) without coordinates left out of the GeoJSON", left_out)
    if skipped is not None:
        skipped[:] = [left_out]


# --- writers -------------------------------------------------------------------------------------------------


def write_records(records: Iterable[dict[str, Any]], out: Path | str | None, force: bool = False) -> int:
    """JSON Lines of arbitrary records (classify, geoparse, timex, --explain); returns how many."""
    count = 0
    with open_output(out, force) as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
            count += 1
    return count


def write_events(events: Iterable[Event], fmt: str, out: Path | str | None, force: bool = False) -> int:
    """Write events in one of :data:`FORMATS` to ``out`` (None: standard output); returns how many were written.

    Raises :class:`MidanError` for an unknown format (E006), parquet to standard output (E012) or an existing
    file without ``force`` (E005) — all before any event is read.
    """
    if fmt not in FORMATS:
        raise MidanError(Errors.E006.format(value=fmt, choices=", ".join(FORMATS)))
    if fmt == "parquet":
        if out is None:
            raise MidanError(Errors.E012.format(fmt="parquet"))
        return _write_parquet(events, Path(out), force)
    check_output(out, force)
    counted = _Counter(events)
    if fmt == "geojson":
        skipped: list[int] = [0]
        _write_text(geojson_chunks(counted, skipped), out, force)
        return counted.n - skipped[0]
    chunks: Callable[[Iterable[Event]], Iterator[str]] = csv_chunks if fmt == "acled-csv" else jsonl_chunks
    _write_text(chunks(counted), out, force)
    return counted.n


class _Counter:
    """Counts the events a writer consumes."""

    def __init__(self, events: Iterable[Event]) -> None:
        self.events = events
        self.n = 0

    def __iter__(self) -> Iterator[Event]:
        for item in self.events:
            self.n += 1
            yield item


def _write_text(chunks: Iterable[str], out: Path | str | None, force: bool) -> int:
    size = 0
    with open_output(out, force) as handle:
        for chunk in chunks:
            handle.write(chunk)
            size += len(chunk)
    return size


def arrow_schema() -> Any:
    """The Parquet schema: integers, floats and dates typed; article_ids a list of strings; evidence JSON text."""
    import pyarrow as pa

    types: dict[str, Any] = {
        **{n: pa.int64() for n in _INT_COLUMNS}, **{n: pa.float64() for n in _FLOAT_COLUMNS},
        **{n: pa.date32() for n in _DATE_COLUMNS}, "article_ids": pa.list_(pa.string()),
    }
    return pa.schema([(name, types.get(name, pa.string())) for name in ALL_COLUMNS])


def _parquet_row(item: Event) -> dict[str, Any]:
    row = item.to_dict()
    row["evidence"] = json.dumps(row["evidence"], ensure_ascii=False)
    for name in _DATE_COLUMNS:
        row[name] = dt.date.fromisoformat(row[name]) if row[name] else None
    return row


def _write_parquet(events: Iterable[Event], out: Path, force: bool) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = arrow_schema()
    count = 0
    with open_output(out, force, binary=True) as handle:
        writer = pq.ParquetWriter(handle, schema)
        try:
            batch: list[dict[str, Any]] = []
            for item in events:
                batch.append(_parquet_row(item))
                if len(batch) >= _PARQUET_BATCH:
                    writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                    count, batch = count + len(batch), []
            if batch or count == 0:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                count += len(batch)
        finally:
            writer.close()
    return count


def write_corrections(store: Any, out: Path | None, force: bool = False, where: Any = None) -> int:
    """Every event a person decided on, as JSONL labelled data: the decision (accepted, edited, rejected), who
    and when, each change from the audit log (field, machine value, human value) and the record as it stands.
    Accepted records confirm the machine, rejected ones are negatives, edited ones correct fields: what a
    retraining (``make model``) reads. ``where`` (an :class:`~midan.store.EventFilter`) narrows the events; of
    its statuses only the decided ones count. Returns how many events were written."""
    from midan.store import EventFilter

    decided = ("accepted", "edited", "rejected")
    where = where or EventFilter()
    wanted = tuple(s for s in (where.status or decided) if s in decided)
    counted = _Counter(store.events(where=dataclasses.replace(where, status=wanted))) if wanted else _Counter([])

    def lines() -> Iterator[str]:
        # the reviews and the audit entries of 500 events at a time, not two queries an event
        records = iter(counted)
        while batch := list(itertools.islice(records, 500)):
            ids = [item.event_id_cnty for item in batch]
            reviews, logs = store.reviews_of(ids), store.audit_of(ids)
            for item in batch:
                review = reviews.get(item.event_id_cnty, {})
                changes = [{k: entry[k] for k in ("field", "old", "new", "reviewer", "at")}
                           for entry in logs.get(item.event_id_cnty, []) if entry["field"] != "review_status"]
                yield json.dumps({"event_id_cnty": item.event_id_cnty, "status": review.get("status", ""),
                                  "reviewer": review.get("reviewer", ""), "reviewed_at": review.get("reviewed_at"),
                                  "changes": changes, "record": item.to_dict()}, ensure_ascii=False) + "\n"

    _write_text(lines(), out, force)
    return counted.n


def write_changes(store: Any, since: int, out: Path | None, force: bool = False) -> int:
    """What was added, changed or deleted after ``since`` (:meth:`midan.store.Store.changes`) as JSONL, one line an
    event; returns how many."""
    rows = store.changes(since=since, limit=10**9)
    _write_text((json.dumps(row, ensure_ascii=False) + "\n" for row in rows), out, force)
    return len(rows)


__all__ = ["FORMATS", "MEDIA_TYPES", "arrow_schema", "check_output", "csv_chunks", "csv_row", "geojson_chunks",
           "geojson_feature", "jsonl_chunks", "only_fields", "open_output", "write_changes", "write_corrections",
           "write_events", "write_records"]
