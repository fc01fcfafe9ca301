"""The web page's map: Leaflet, marker clustering and country outlines served from the npm packages `midan assets`
fetched (never from the internet), a 404 in the API's envelope for anything else, and the page's own wiring
(local assets only, the map-files-missing fallback, the Reset button)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from midan import assets, web_assets
from midan.api import create_app
from midan.store import open_store
from tests.test_store import make_article, make_event

MAP_PACKAGES = ("leaflet", "leaflet.markercluster", "topojson-client", "world-atlas")
MAP_FILES = [(name, member) for name in MAP_PACKAGES for member in assets.PACKAGES[name].files]
MISSING = "map files missing: run `midan assets`"
NOT_FOUND = {"ok": False, "error": "not found", "status": 404}


@pytest.fixture()
def client(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'web.db'}")
    store.add_batch([(make_article("a1", "RSF units stormed a sit-in."), [make_event("SDN-1", "2025-11-10")])])
    yield TestClient(create_app(store=store))
    store.close()


@pytest.fixture()
def fake_assets(monkeypatch, tmp_path) -> Path:
    """MIDAN_ASSETS pointed at a folder holding every map file (as small stand-ins), and a secret beside it."""
    root = tmp_path / "npm"
    monkeypatch.setenv("MIDAN_ASSETS", str(root))
    for name, member in MAP_FILES:
        target = root / assets.PACKAGES[name].pinned / member
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(f"/* {name} {member} */")
    (tmp_path / "secret.txt").write_text("not for the web")
    (root / "secret.txt").write_text("not for the web either")
    return root


class Page(HTMLParser):
    """The tags of a page, each with its attributes and whether it sits inside the filter form."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str], bool]] = []
        self._in_filters = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "form" and values.get("id") == "filters":
            self._in_filters = True
        self.tags.append((tag, values, self._in_filters))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_filters = False


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    return page


def vendor_reference(url: str) -> tuple[str, str]:
    """(package, member) of a page's ``vendor/...`` URL; fails for any other URL."""
    match = re.fullmatch(r"/?vendor/([^/]+)/(.+)", url)
    assert match, f"{url} is not a local vendor asset"
    return match.group(1), match.group(2)


# --- the /vendor/ route --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("package", "member"), MAP_FILES)
def test_each_fetched_map_file_is_served_with_its_media_type(client, package, member):
    path = assets.asset_file(package, member)
    if path is None:
        pytest.skip(f"{assets.PACKAGES[package].pinned} is not fetched: run `.venv/bin/midan assets`")
    response = client.get(f"/vendor/{package}/{member}")
    assert response.status_code == 200 and response.content == path.read_bytes()
    assert response.headers["content-type"] == web_assets.media_type(member)
    assert "max-age=" in response.headers["cache-control"]


def test_media_types_by_file_name():
    assert web_assets.media_type("dist/leaflet.js").startswith("text/javascript")
    assert web_assets.media_type("dist/MarkerCluster.css").startswith("text/css")
    assert web_assets.media_type("countries-50m.json") == "application/json"
    assert web_assets.media_type("LICENSE").startswith("text/plain")


def test_the_route_serves_listed_files_from_the_assets_folder(client, fake_assets):
    for name, member in MAP_FILES:
        response = client.get(f"/vendor/{name}/{member}")
        assert response.status_code == 200 and response.text == f"/* {name} {member} */"
        assert response.headers["content-type"].split(";")[0] in {"text/javascript", "text/css",
                                                                   "application/json", "text/plain"}


@pytest.mark.parametrize("path", [
    "/vendor/jquery/dist/jquery.js",                      # not a package midan uses
    "/vendor/leaflet/dist/leaflet-src.js",                # in the tarball, but not a file midan keeps
    "/vendor/leaflet/package.json",
    "/vendor/leaflet/",
    "/vendor/leaflet",
    "/vendor/leaflet/%2e%2e/secret.txt",                  # escapes, encoded so the client leaves them alone
    "/vendor/leaflet/..%2f..%2fsecret.txt",
    "/vendor/leaflet/dist%2f..%2f..%2f..%2fsecret.txt",
    "/vendor/..%2fsecret.txt",
    "/vendor/leaflet/%2fetc%2fpasswd",
])
def test_anything_else_is_a_404_in_the_error_envelope(client, fake_assets, path):
    response = client.get(path)
    assert response.status_code == 404 and response.json() == NOT_FOUND


def test_traversal_never_reaches_the_file_system(fake_assets):
    for member in ("../secret.txt", "../../secret.txt", "dist/../../secret.txt", "/etc/passwd", "./dist/leaflet.js"):
        assert web_assets.vendor_file("leaflet", member) is None
    assert web_assets.vendor_file("..", "secret.txt") is None


def test_a_listed_file_that_was_not_fetched_is_a_404(client, monkeypatch, tmp_path):
    monkeypatch.setenv("MIDAN_ASSETS", str(tmp_path / "empty"))
    response = client.get("/vendor/leaflet/dist/leaflet.js")
    assert response.status_code == 404 and response.json() == NOT_FOUND


# --- the page ------------------------------------------------------------------------------------------------


def test_the_page_loads_only_local_vendor_assets_midan_lists(client):
    html = client.get("/").text
    page = parse(html)
    scripts = [attrs["src"] for tag, attrs, _ in page.tags if tag == "script" and "src" in attrs]
    styles = [attrs["href"] for tag, attrs, _ in page.tags if tag == "link" and attrs.get("rel") == "stylesheet"]
    assert len(scripts) == 3 and len(styles) == 3
    data = re.findall(r"[\"'](/?vendor/[^\"']+)[\"']", html)
    for url in scripts + styles + data:
        assert not re.match(r"(?:https?:)?//", url)
        package, member = vendor_reference(url)
        assert member in assets.PACKAGES[package].files, url
    referenced = {vendor_reference(url) for url in scripts + styles + data}
    assert ("leaflet", "dist/leaflet.js") in referenced and ("world-atlas", "countries-50m.json") in referenced
    assert {package for package, _ in referenced} == set(MAP_PACKAGES)
    # nothing from outside: no other src/href than the page's own
    assert not re.search(r"(?:src|href)\s*=\s*[\"'](?:https?:)?//", html)


def test_the_page_says_map_files_are_missing_instead_of_throwing(client, monkeypatch, tmp_path):
    monkeypatch.setenv("MIDAN_ASSETS", str(tmp_path / "empty"))
    html = client.get("/").text
    assert client.get("/").status_code == 200 and client.get("/vendor/leaflet/dist/leaflet.js").status_code == 404
    assert html.count(MISSING) == 1
    script = html.split("<script>", 1)[1]
    # the map is only built when the libraries loaded; otherwise the note is shown and the map hidden
    assert re.search(r"if \(!window\.L \|\| !L\.markerClusterGroup\) \{[^}]*mapNote\(MAP_MISSING\)", script)
    assert re.search(r"if \(!window\.topojson\) \{ mapNote\(MAP_MISSING\)", script)
    assert re.search(r"if \(!response\.ok\) \{ mapNote\(MAP_MISSING\)", script)
    # initMap runs before the first load(), which must not depend on the map (drawMap returns early without it)
    assert script.index("initMap();") < script.rindex("load();")
    assert re.search(r"function drawMap\(collection\) \{.*?if \(!map\) return;", script, re.S)
    assert any(attrs.get("id") == "mapnote" for _, attrs, _ in parse(html).tags)


def test_the_reset_button_resets_the_form_it_is_in(client):
    html = client.get("/").text
    page = parse(html)
    # the bug: <button id="reset"> inside the form shadowed form.reset (forms expose their controls by id and
    # name), so `$("filters").reset()` threw "reset is not a function"
    shadowing = {"reset", "submit", "elements", "length", "action", "method"}
    inside = [attrs for _, attrs, in_form in page.tags if in_form]
    assert inside and not [a for a in inside if a.get("id") in shadowing or a.get("name") in shadowing]
    button = next(a for tag, a, in_form in page.tags if tag == "button" and in_form and a.get("type") == "button")
    handler = re.search(r'\$\("' + re.escape(button["id"]) + r'"\)\.onclick = \(\) => \{(.*?)\};', html)
    assert handler, "the Reset button has no handler"
    body = handler.group(1)
    assert 'HTMLFormElement.prototype.reset.call($("filters"))' in body
    assert not re.search(r"\)\.reset\(", body)
    assert body.index("reset.call") < body.index("fillSubTypes()") < body.index("load()")


def test_popups_and_tooltips_are_built_from_text_never_from_html(client):
    html = client.get("/").text
    script = html.split("<script>", 1)[1]

    def function(name: str) -> str:
        match = re.search(r"function " + name + r"\(.*?\n\}\n", script, re.S)
        assert match, name
        return match.group(0)

    # an article's actor or place may be "<img src=x onerror=...>": popups are nodes filled with textContent
    assert "innerHTML" not in function("popup") + function("element") and "textContent" in function("element")
    draw = function("drawMap")
    assert "bindPopup(() => popup(e)" in draw and "bindTooltip(() => element(" in draw
    # the legend is the only HTML drawMap writes: the fixed colours and the type names, escaped
    legend, markers = draw.split("if (!map) return;")
    assert re.findall(r"\$\{([^}]*)\}", legend) == ["c", "esc(t)"] and "innerHTML" not in markers
    # no inline event-handler attributes anywhere in the page
    assert not re.search(r"<[^>]+\son[a-z]+\s*=", html)


def test_the_map_asks_for_the_fields_it_draws_not_the_evidence(client):
    page = client.get("/").text
    fields = re.search(r'const MAP_FIELDS = ((?:"[^"]*"\s*\+?\s*)+);', page)
    assert fields is not None
    names = "".join(re.findall(r'"([^"]*)"', fields.group(1))).split(",")
    assert "evidence" not in names and {"event_type", "fatalities", "location"} <= set(names)
    answer = client.get("/api/events.geojson", params={"_fields": ",".join(names)})
    (feature,) = answer.json()["features"]
    assert set(feature["properties"]) == {"event_id_cnty", *names}
