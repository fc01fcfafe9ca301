"""Writing events: ACLED CSV, JSONL, GeoJSON and Parquet, to standard output or atomically to a file.

A file is written to a temporary name beside it and renamed when complete, so an interrupted export never leaves
a half-written file; an existing file is only replaced with ``force``.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import logging
import os
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from midan.errors import Errors, MidanError
from midan.schema import ALL_COLUMNS, Event

logger = logging.getLogger(__name__)

FORMATS = ("acled-csv", "jsonl", "geojson", "parquet")


def check_output(path: Path | None, force: bool) -> None:
    """Refuse early (before any work) to overwrite an existing file without ``force``."""
    if path is not None and path.exists() and not force:
        raise MidanError(Errors.E005.format(path=path))
    if path is not None and path.exists() and path.is_dir():
        raise MidanError(f"{path} is a directory")


@contextlib.contextmanager
def open_output(path: Path | None, force: bool = False, binary: bool = False) -> Iterator[IO[Any]]:
    """Standard output, or a file written atomically (temporary file + rename)."""
    if path is None:
        yield sys.stdout.buffer if binary else sys.stdout
        return
    check_output(path, force)
    directory = path.resolve().parent
    if not directory.exists():
        raise MidanError(f"cannot write {path}: no such directory {directory}")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb" if binary else "w", encoding=None if binary else "utf-8",
                       newline=None if binary else "") as handle:
            yield handle
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _cell(value: Any) -> Any:
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else value


def event_rows(events: Iterable[Event]) -> Iterator[dict[str, Any]]:
    for event in events:
        yield event.to_dict()


def write_records(records: Iterable[dict[str, Any]], out: Path | None, force: bool = False) -> int:
    """JSON Lines of arbitrary records (used by classify, geoparse, timex and --explain)."""
    count = 0
    with open_output(out, force) as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
            count += 1
    return count


def write_events(events: Iterable[Event], fmt: str, out: Path | None, force: bool = False) -> int:
    """Write events in one of :data:`FORMATS`; returns how many were written."""
    if fmt not in FORMATS:
        raise MidanError(Errors.E006.format(value=fmt, choices=", ".join(FORMATS)))
    if fmt == "jsonl":
        return write_records(event_rows(events), out, force)
    if fmt == "acled-csv":
        return _write_csv(events, out, force)
    if fmt == "geojson":
        return _write_geojson(events, out, force)
    if out is None:
        raise MidanError("parquet is a binary format: give a file with -o")
    return _write_parquet(events, out, force)


def _write_csv(events: Iterable[Event], out: Path | None, force: bool) -> int:
    count = 0
    with open_output(out, force) as handle:
        writer = csv.DictWriter(handle, fieldnames=list(ALL_COLUMNS), lineterminator="\n")
        writer.writeheader()
        for row in event_rows(events):
            writer.writerow({k: _cell(v) for k, v in row.items()})
            count += 1
    return count


def geojson_feature(row: dict[str, Any]) -> dict[str, Any] | None:
    if row.get("latitude") is None or row.get("longitude") is None:
        return None
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [row["longitude"], row["latitude"]]},
            "properties": row}


def _write_geojson(events: Iterable[Event], out: Path | None, force: bool) -> int:
    features = []
    skipped = 0
    for row in event_rows(events):
        feature = geojson_feature(row)
        if feature is None:
            skipped += 1
            continue
        features.append(feature)
    if skipped:
        logger.warning("%d events without coordinates left out of the GeoJSON", skipped)
    with open_output(out, force) as handle:
        json.dump({"type": "FeatureCollection", "features": features}, handle, ensure_ascii=False)
        handle.write("\n")
    return len(features)


def _write_parquet(events: Iterable[Event], out: Path, force: bool) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = [{k: (json.dumps(v, ensure_ascii=False) if isinstance(v, (list, dict)) else v) for k, v in r.items()}
            for r in event_rows(events)]
    types = _arrow_types()
    schema = pa.schema([(name, types.get(name, pa.string())) for name in ALL_COLUMNS])
    table = pa.Table.from_pylist(rows, schema=schema)
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    with open_output(out, force, binary=True) as handle:
        handle.write(buffer.getvalue())
    return len(rows)


def _arrow_types() -> dict[str, Any]:
    import pyarrow as pa

    ints = ("year", "time_precision", "iso", "geo_precision", "fatalities", "timestamp", "inter1_code",
            "inter2_code", "geonames_id", "fatalities_low", "fatalities_high")
    floats = ("latitude", "longitude", "confidence")
    return {**{n: pa.int64() for n in ints}, **{n: pa.float64() for n in floats}}


__all__ = ["FORMATS", "check_output", "open_output", "write_events", "write_records"]
