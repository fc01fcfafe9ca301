"""midan's exceptions and its catalogue of one-line messages.

Every error a user can cause (bad input, missing file, bad option) is a :class:`MidanError`; the CLI prints its
message on one line and exits non-zero, never a traceback.
"""

from __future__ import annotations


class MidanError(Exception):
    """Base class of every error midan raises on purpose."""


class InputError(MidanError):
    """An input file or record that cannot be read."""


class StoreError(MidanError):
    """The event store cannot be opened or written."""


class GazetteerError(MidanError):
    """The gazetteer cannot be built, opened or extended."""


class AssetError(MidanError):
    """A pinned npm package cannot be fetched, verified or unpacked."""


class Errors:
    """Message templates, one place for every user-facing wording (spaCy's ``errors.py`` pattern)."""

    E001 = "no such file or directory: {path}"
    E002 = "unsupported input type {suffix!r} for {path} (expected .txt, .html, .jsonl, .csv, .xml/.rss/.atom)"
    E003 = "{path}:{line}: {reason}"
    E004 = "invalid date {value!r}: expected YYYY-MM-DD"
    E005 = "{path} exists; pass --force to overwrite it"
    E006 = "unknown format {value!r}: expected one of {choices}"
    E007 = "cannot open the event store {url}: {reason}"
    E008 = "no articles could be read from {what}"
    E009 = "cannot read {path}: {reason}"
    # I/O stages (ingest, store, export, api)
    E010 = "{path}: not valid UTF-8; undecodable bytes replaced"
    E011 = "unsupported input type {suffix!r} for {path} (expected .jsonl records {{id, text}})"
    E012 = "{fmt} is a binary format: give an output file (-o FILE)"
    E013 = "cannot write {path}: {reason}"
    E014 = "cannot write to the event store {url}: {reason}"
    E015 = "cannot facet on {column!r}: expected one of {choices}"
    E016 = ("--home {home!r} is not a place the gazetteer knows: write it as the gazetteer names it, with its "
            "province or country ('Athens, Tennessee', 'London, Ontario', 'Tbilisi, Georgia')")
    E017 = "npm package {package}: {reason}"
    # --engine dask (midan.distributed)
    E018 = "cannot use the Dask scheduler {address}: {reason}"
    E019 = "--engine dask needs the dask and distributed packages: pip install 'midan[scale]'"
    E020 = ("a Dask worker died on every try at partition {index} (first article {first}): {reason}; the "
            "partitions before it are stored, rerun to resume")
    E021 = "a Dask worker failed {what}: {reason}"
