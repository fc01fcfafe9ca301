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


class FetchError(MidanError):
    """A URL ``midan watch`` could not fetch. ``transient`` failures (timeouts, 5xx, a connection that failed) are
    tried again on a later pass; the others (4xx, too large, refused) are not. ``status`` is the HTTP status, if
    the server answered."""

    def __init__(self, message: str, *, status: int | None = None, transient: bool = False,
                 reason: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.transient = transient
        #: the message without its URL
        self.reason = reason or message


class RefusedError(FetchError):
    """A URL the SSRF guard refuses: not http(s), or its host is (or resolves to) a private address."""


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
    # watch (live feeds)
    E018 = "cannot fetch {url}: {reason}"
    E019 = "refused {url}: {reason}"
    E020 = "skipped {url}: robots.txt of {host} disallows it for midan"
    E021 = "invalid --every {value!r}: expected a number and a unit, s, m or h (30s, 15m, 1h)"
    E022 = "invalid --allow-private {value!r}: expected a host name, an address or a CIDR network (10.0.0.0/8)"
    E023 = "no source could be read ({count} failed; see the messages above)"
    E024 = "no sources to watch: give feed or page URLs, or --feeds FILE"
    # --engine dask (midan.distributed)
    E025 = "cannot use the Dask scheduler {address}: {reason}"
    E026 = "--engine dask needs the dask and distributed packages: pip install 'midan[scale]'"
    E027 = ("a Dask worker died on every try at partition {index} (first article {first}): {reason}; the "
            "partitions before it are stored, rerun to resume")
    E028 = "a Dask worker failed {what}: {reason}"
