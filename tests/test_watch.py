"""midan watch: live feeds over real HTTP from a loopback server, the SSRF guard, politeness and the schedule.

The server below (``http.server`` in a thread on 127.0.0.1) serves an RSS and an Atom feed with ETag and
Last-Modified (a 304 when they match), article pages, robots.txt, a redirect chain, redirects to private
addresses, an oversize body, a slow page, a 503-then-200 page and a malformed feed, and counts every request per
path. The articles are invented for these tests.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from midan import watch
from midan.cli import main
from midan.errors import FetchError, MidanError, RefusedError
from midan.store import open_store

# --- the articles (invented) -----------------------------------------------------------------------------------

ARTICLES: dict[str, tuple[str, str, list[str]]] = {
    "/news/kisumu-fuel-protest.html": ("Police fire tear gas at fuel price protesters in Kisumu", "2025-05-06", [
        "KISUMU, Kenya - Police fired tear gas on Tuesday at hundreds of people protesting against a rise in fuel "
        "prices in the centre of Kisumu, witnesses said.",
        "The protesters, mostly motorcycle taxi riders, blocked Oginga Odinga Street with burning tyres and "
        "chanted against the new levy before officers moved in to disperse them.",
        "A police commander said three people were arrested for damaging shop fronts. Traders closed their "
        "stalls early, and the street was reopened in the evening.",
        "The riders' association said it would meet county officials on Thursday to discuss the increase.",
    ]),
    "/news/jos-clash.html": ("Two killed as farmers and herders clash near Jos", "2025-05-05", [
        "JOS, Nigeria - Two people were killed on Monday when farmers and herders clashed over grazing land in a "
        "village south of Jos, the Plateau State police said.",
        "A police spokesman said the fighting broke out after cattle strayed into a maize field, and that "
        "several houses were set on fire before soldiers arrived.",
        "Residents said dozens of families had fled to a nearby school. The state government called for calm "
        "and promised to compensate those who lost property.",
    ]),
    "/news/la-paz-teachers.html": ("Teachers march in La Paz over unpaid wages", "2025-05-07", [
        "LA PAZ, Bolivia - Thousands of teachers marched through central La Paz on Wednesday to demand wages "
        "they say have gone unpaid for three months.",
        "The march, organised by the urban teachers' union, ended peacefully outside the education ministry, "
        "where union leaders handed over a list of demands.",
        "The ministry said payments would resume next week once the budget transfer was approved by Congress.",
    ]),
    "/news/dhaka-students.html": ("Students block roads in Dhaka after bus crash", "2025-05-04", [
        "DHAKA, Bangladesh - Students blocked several roads in Dhaka on Sunday after a bus struck and injured "
        "two schoolchildren near a busy junction, police said.",
        "The students sat on the road for four hours, demanding safer crossings and the arrest of the driver, "
        "and traffic backed up across the northern part of the city.",
        "Police said the driver had been detained and the students dispersed in the afternoon.",
    ]),
    "/news/kumasi-traders.html": ("Market traders protest new levy in Kumasi", "2025-05-06", [
        "KUMASI, Ghana - Hundreds of market traders protested on Tuesday outside the metropolitan assembly in "
        "Kumasi against a new daily levy on stalls.",
        "The traders, carrying placards and singing, said the levy would force many of them out of business. "
        "The protest was peaceful and ended after an assembly official agreed to meet their leaders.",
        "The assembly said the levy would pay for new drainage in the central market.",
    ]),
    "/news/goma-clashes.html": ("Fighting near Goma forces families to flee", "2025-05-03", [
        "GOMA, DR Congo - Fighting between the army and a rebel group near Goma on Saturday forced hundreds of "
        "families to flee towards the city, local officials said.",
        "Residents said heavy gunfire was heard for several hours around the village of Kibati, north of the "
        "city, before the rebels withdrew into the hills.",
        "Aid groups said they were preparing shelters at two schools in the city for those who had fled.",
    ]),
    "/news/lusaka-vendors.html": ("Street vendors clash with council police in Lusaka", "2025-05-02", [
        "LUSAKA, Zambia - Street vendors clashed with council police in central Lusaka on Friday when officers "
        "tried to remove stalls from Cairo Road, witnesses said.",
        "Vendors threw stones and officers fired tear gas; several stalls were overturned and goods scattered "
        "across the road before the vendors were dispersed.",
        "The city council said trading on the road had been banned since January and that the removals would "
        "continue.",
    ]),
    "/news/accra-page.html": ("Nurses picket parliament in Accra over postings", "2025-05-08", [
        "ACCRA, Ghana - Dozens of newly trained nurses picketed outside parliament in Accra on Thursday over "
        "delays in their postings to hospitals.",
        "The nurses held placards and sang for several hours. Police watched but did not intervene, and the "
        "protest ended peacefully in the afternoon.",
        "A health ministry official said postings would be announced by the end of the month.",
    ]),
    "/private/draft.html": ("Draft: do not publish", "2025-05-08", [
        "This draft sits under a path that robots.txt disallows, and midan must never request it.",
        "It is long enough to be extracted if it were ever fetched, which is what the test checks does not happen.",
    ]),
}


def page(title: str, date: str, paragraphs: list[str]) -> bytes:
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{title} | Daily Monitor</title>"
            f"<meta property='article:published_time' content='{date}T09:00:00Z'></head><body>"
            f"<nav><a href='/'>Home</a> <a href='/world'>World</a></nav><article><h1>{title}</h1>"
            f"<time datetime='{date}'>{date}</time>{body}</article><footer>(c) Daily Monitor</footer>"
            "</body></html>").encode()


def rss(items: list[tuple[str, str, str]], title: str = "Daily Monitor - Africa") -> bytes:
    """An RSS 2.0 feed of (guid, link, title) items."""
    entries = "".join(f"<item><title>{t}</title><link>{link}</link><guid isPermaLink='false'>{guid}</guid>"
                      f"<pubDate>Tue, 06 May 2025 10:00:00 GMT</pubDate><description>{t}.</description></item>"
                      for guid, link, t in items)
    return (f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>{title}</title>"
            f"<link>http://monitor.example/</link><description>News</description>{entries}</channel></rss>").encode()


def atom(items: list[tuple[str, str, str]]) -> bytes:
    entries = "".join(f"<entry><id>{guid}</id><title>{t}</title><link href='{link}'/>"
                      f"<updated>2025-05-03T12:00:00Z</updated><summary>{t}.</summary></entry>"
                      for guid, link, t in items)
    return ("<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom'>"
            "<title>Great Lakes Wire</title><id>urn:glw</id><updated>2025-05-03T12:00:00Z</updated>"
            f"{entries}</feed>").encode()


FEED_ITEMS = [
    ("monitor-1", "/news/kisumu-fuel-protest.html", "Police fire tear gas at fuel price protesters in Kisumu"),
    ("monitor-2", "/news/jos-clash.html", "Two killed as farmers and herders clash near Jos"),
    ("monitor-3", "/news/la-paz-teachers.html", "Teachers march in La Paz over unpaid wages"),
    ("monitor-4", "/go/dhaka", "Students block roads in Dhaka after bus crash"),
    ("monitor-5", "/news/kumasi-traders.html", "Market traders protest new levy in Kumasi"),
    ("monitor-6", "/private/draft.html", "Draft"),
]
ATOM_ITEMS = [("urn:glw:1", "/news/goma-clashes.html", "Fighting near Goma forces families to flee")]
TROUBLE_ITEMS = [
    ("t-big", "/big.html", "Oversize page"),
    ("t-declared", "/big-declared.html", "Oversize page with a length"),
    ("t-slow", "/slow.html", "Slow page"),
    ("t-local", "/to-localhost", "Redirect to localhost"),
    ("t-ipv6", "/to-ipv6", "Redirect to ::1"),
    ("t-meta", "/to-metadata", "Redirect to cloud metadata"),
    ("t-gone", "/gone.html", "Gone"),
    ("t-loop", "/loop", "Redirect loop"),
    ("t-good", "/news/lusaka-vendors.html", "Street vendors clash with council police in Lusaka"),
]
ETAG = '"monitor-v1"'
LAST_MODIFIED = "Tue, 06 May 2025 10:00:00 GMT"
SLOW_SECONDS = 1.5


class Site:
    """The loopback news site: what it serves and every request it got."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.hosts: list[tuple[str, str]] = []
        self.agents: set[str] = set()
        self.lock = threading.Lock()
        self.port = 0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.base + path


def _handler(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # quiet
            pass

        def send(self, status: int, body: bytes = b"", kind: str = "text/html; charset=utf-8",
                 headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            path = self.path.split("?")[0]
            with site.lock:
                site.counts[path] += 1
                count = site.counts[path]
                site.hosts.append((path, self.headers.get("Host", "")))
                site.agents.add(self.headers.get("User-Agent", ""))
            try:
                self.route(path, count)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def route(self, path: str, count: int) -> None:
            base = site.base
            if path == "/robots.txt":
                self.send(200, b"User-agent: *\nDisallow: /private/\n", "text/plain")
            elif path == "/feed.rss":
                if self.headers.get("If-None-Match") == ETAG:
                    self.send(304, headers={"ETag": ETAG})
                    return
                items = [(g, base + link, t) for g, link, t in FEED_ITEMS]
                self.send(200, rss(items), "application/rss+xml",
                          {"ETag": ETAG, "Last-Modified": LAST_MODIFIED})
            elif path == "/atom.xml":
                if self.headers.get("If-Modified-Since") == LAST_MODIFIED:
                    self.send(304)
                    return
                items = [(g, base + link, t) for g, link, t in ATOM_ITEMS]
                self.send(200, atom(items), "application/atom+xml", {"Last-Modified": LAST_MODIFIED})
            elif path == "/trouble.rss":
                self.send(200, rss([(g, base + link, t) for g, link, t in TROUBLE_ITEMS], "Trouble"),
                          "application/rss+xml", {"ETag": '"trouble"'})
            elif path == "/broken.rss":
                self.send(200, b"<?xml version='1.0'?><rss version='2.0'><channel>&bogus;<<</rss", "application/xml")
            elif path == "/news/kumasi-traders.html" and count == 1:
                self.send(503, b"busy", "text/plain", {"Retry-After": "120"})
            elif path == "/limited":
                if count == 1:
                    self.send(429, b"slow down", "text/plain", {"Retry-After": "1"})
                else:
                    self.send(200, b"ok", "text/plain")
            elif path == "/always-503":
                self.send(503, b"down", "text/plain")
            elif path in ARTICLES:
                self.send(200, page(*ARTICLES[path]), headers={"ETag": f'"{path}"'})
            elif path == "/go/dhaka":
                self.send(302, headers={"Location": "/go/dhaka-2"})
            elif path == "/go/dhaka-2":
                self.send(301, headers={"Location": base + "/news/dhaka-students.html"})
            elif path == "/to-localhost":
                self.send(302, headers={"Location": f"http://localhost.:{site.port}/news/jos-clash.html"})
            elif path == "/to-ipv6":
                self.send(302, headers={"Location": f"http://[::1]:{site.port}/news/jos-clash.html"})
            elif path == "/to-metadata":
                self.send(302, headers={"Location": "http://169.254.169.254/latest/meta-data/"})
            elif path == "/loop":
                self.send(302, headers={"Location": "/loop"})
            elif path == "/big.html":  # no Content-Length: only counting while streaming can stop it
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.end_headers()
                self.wfile.write(b"<!DOCTYPE html><html><body><p>")
                chunk = b"x" * 65536
                for _ in range(6 * 2**20 // len(chunk) + 2):
                    self.wfile.write(chunk)
            elif path == "/big-declared.html":
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(50 * 2**20))
                self.end_headers()
                self.wfile.write(b"<!DOCTYPE html><html>")
            elif path == "/slow.html":
                time.sleep(SLOW_SECONDS)
                self.send(200, page(*ARTICLES["/news/la-paz-teachers.html"]))
            elif path == "/plain.txt":
                self.send(200, b"just text", "text/plain")
            else:
                self.send(404, b"not found", "text/plain")

    return Handler


@pytest.fixture()
def site() -> Iterator[Site]:
    state = Site()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


FAST = replace(watch.DEFAULTS, delay=0.0, connect_timeout=1.0, read_timeout=0.4, total_timeout=3.0, backoff=0.01,
               retry_after_cap=0.05)


@pytest.fixture()
def fast_defaults(monkeypatch):
    """The CLI's settings with tiny waits (its --delay and --timeout set the rest)."""
    monkeypatch.setattr(watch, "DEFAULTS", replace(watch.DEFAULTS, backoff=0.01, retry_after_cap=0.05))


def bare_ingest(store):
    """Articles stored without running the pipeline (fast): what ``ingest`` sees is what matters here."""
    def ingest(articles):
        return store.add_batch([(a, []) for a in articles])
    return ingest


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- the guard ---------------------------------------------------------------------------------------------

PRIVATE = ["10.1.2.3", "172.16.5.4", "172.31.255.1", "192.168.1.10", "127.0.0.1", "127.8.9.10", "::1", "fe80::1",
           "fc00::1", "fd12:3456::1", "169.254.169.254", "fd00:ec2::254", "169.254.1.1", "100.64.0.1",
           "100.127.255.254", "0.0.0.0", "::", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254",
           "224.0.0.1", "239.255.255.250", "ff02::1", "255.255.255.255", "240.0.0.1", "198.18.0.1", "192.0.2.1",
           "64:ff9b::7f00:1", "2002:7f00:1::1", "2002:a00:1::1"]
PUBLIC = ["93.184.215.14", "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808"]


@pytest.mark.parametrize("address", PRIVATE)
def test_refusal_names_every_private_class(address):
    assert watch.refusal(address) is not None


@pytest.mark.parametrize("address", PUBLIC)
def test_refusal_lets_public_addresses_through(address):
    assert watch.refusal(address) is None


def test_refusal_says_why():
    assert watch.refusal("169.254.169.254") == "a cloud metadata address"
    assert watch.refusal("100.64.0.1") == "a carrier-grade NAT address (100.64.0.0/10)"
    assert watch.refusal("::ffff:127.0.0.1").startswith("a loopback address")
    assert watch.refusal("224.0.0.1") == "a multicast address"


def fake_dns(monkeypatch, table: dict[str, list[str]]) -> list[str]:
    """Names in ``table`` resolve to its addresses (a list of lists: one answer per call, the last repeated);
    other names and literals go to the real resolver. Returns the names looked up."""
    real = socket.getaddrinfo
    asked: list[str] = []

    def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
        name = host.decode() if isinstance(host, bytes) else host
        if name not in table:
            return real(host, port, family, type, proto, flags)
        asked.append(name)
        answers = table[name]
        answer = answers[min(asked.count(name), len(answers)) - 1]
        infos = []
        for address in answer.split(","):
            family_ = socket.AF_INET6 if ":" in address else socket.AF_INET
            sockaddr = (address, port, 0, 0) if family_ == socket.AF_INET6 else (address, port)
            infos.append((family_, socket.SOCK_STREAM, 6, "", sockaddr))
        return infos

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return asked


@pytest.fixture()
def local_dns(monkeypatch):
    """``localhost.`` (the redirects' target) resolves as it does on most machines, wherever the tests run."""
    return fake_dns(monkeypatch, {"localhost.": ["127.0.0.1,::1"]})


_TO_ADDRESS = ["10.1.2.3", "172.16.5.4", "192.168.1.10", "127.0.0.1", "::1", "fe80::1", "fc00::1",
               "169.254.169.254", "100.64.0.1", "0.0.0.0", "::ffff:127.0.0.1", "224.0.0.1", "ff02::1"]


@pytest.mark.parametrize("address", _TO_ADDRESS)
def test_guard_refuses_a_name_resolving_to_a_private_address(monkeypatch, address):
    fake_dns(monkeypatch, {"news.example": [address]})
    with pytest.raises(RefusedError) as caught:
        watch.Guard().check_url("https://news.example/feed.xml")
    message = str(caught.value)
    assert "\n" not in message and "news.example" in message and str(ipaddress.ip_address(address)) in message


@pytest.mark.parametrize("address", _TO_ADDRESS)
def test_guard_refuses_a_private_address_literal(address):
    host = f"[{address}]" if ":" in address else address
    with pytest.raises(RefusedError):
        watch.Guard().check_url(f"http://{host}/")


@pytest.mark.parametrize("host", ["2130706433", "0x7f000001", "127.1", "017700000001", "0", "0.0.0.0",
                                  "[::ffff:7f00:1]", "[0:0:0:0:0:ffff:127.0.0.1]", "LOCALHOST"])
def test_guard_refuses_other_spellings_of_loopback(host):
    """Whatever the resolver makes of a numeric or odd host, what is checked is what it resolves to."""
    with pytest.raises(RefusedError):
        watch.Guard().check_url(f"http://{host}/")


def test_guard_refuses_when_any_address_is_private(monkeypatch):
    fake_dns(monkeypatch, {"mixed.example": ["93.184.215.14,10.0.0.7"]})
    with pytest.raises(RefusedError, match=r"10\.0\.0\.7"):
        watch.Guard().check_url("http://mixed.example/")


def test_guard_lets_a_public_name_through(monkeypatch):
    fake_dns(monkeypatch, {"news.example": ["93.184.215.14,2606:4700:4700::1111"]})
    url = watch.Guard().check_url("https://news.example/feed.xml")
    assert url.host == "news.example"


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://ftp.example/feed.xml", "gopher://example.org/",
                                 "data:text/html,<p>hi</p>", "javascript:alert(1)", "feed://example.org/rss",
                                 "/relative/path", "http://", "dict://127.0.0.1:11211/"])
def test_guard_refuses_other_schemes_and_broken_urls(url):
    with pytest.raises(RefusedError):
        watch.Guard(["127.0.0.1"]).check_url(url)


def test_allow_list_matches_the_url_host_only(monkeypatch):
    fake_dns(monkeypatch, {"localhost.": ["127.0.0.1"], "intranet.example.": ["10.0.0.5"],
                           "metadata.example": ["169.254.169.254"], "mapped.example": ["::ffff:169.254.169.254"]})
    guard = watch.Guard(["127.0.0.1", "10.20.0.0/16", "Intranet.Example", "metadata.example", "mapped.example"])
    assert guard.check_url("http://127.0.0.1:8000/feed").host == "127.0.0.1"
    assert guard.check_url("http://10.20.3.4/feed").host == "10.20.3.4"
    assert guard.check_url("http://intranet.example./feed").host == "intranet.example."
    # allowing an address allows that address as a URL's host, not another name that resolves to it
    with pytest.raises(RefusedError, match="loopback"):
        guard.check_url("http://localhost./feed")
    with pytest.raises(RefusedError):
        guard.check_url("http://[::1]/feed")
    with pytest.raises(RefusedError):
        guard.check_url("http://10.21.0.1/feed")
    # cloud metadata is never reached through a name, even an allowed one; only by its own address
    with pytest.raises(RefusedError, match="metadata"):
        guard.check_url("http://metadata.example/latest")
    with pytest.raises(RefusedError, match="metadata"):
        guard.check_url("http://mapped.example/latest")
    with pytest.raises(RefusedError, match="metadata"):
        guard.check_url("http://169.254.169.254/latest")
    assert watch.Guard(["169.254.169.254"]).check_url("http://169.254.169.254/latest").host == "169.254.169.254"


@pytest.mark.parametrize("entry", ["not a host", "http://x", "a..b", ""])
def test_allow_list_rejects_bad_entries(entry):
    if entry == "":
        assert watch.Guard([entry]).names == frozenset()
        return
    with pytest.raises(MidanError, match="--allow-private"):
        watch.Guard([entry])


def test_loopback_is_refused_by_default(site):
    with watch.Fetcher(watch.Guard(), FAST) as fetcher, pytest.raises(RefusedError, match="loopback"):
        fetcher.get(site.url("/feed.rss"), limit=2**20)
    assert sum(site.counts.values()) == 0


def test_connection_goes_to_the_checked_address_with_the_original_host(monkeypatch, site):
    """Pinning: the name is resolved once, by the guard, and the socket opened to that address; the request still
    names the host (virtual hosting, TLS SNI)."""
    fake_dns(monkeypatch, {"monitor.example": ["127.0.0.1"]})
    with watch.Fetcher(watch.Guard(["monitor.example"]), FAST) as fetcher:
        answer = fetcher.get(f"http://monitor.example:{site.port}/news/jos-clash.html", limit=2**20)
    assert answer.status == 200 and b"Jos" in answer.body
    assert ("/news/jos-clash.html", f"monitor.example:{site.port}") in site.hosts
    assert site.agents == {f"midan/{watch.__version__} (+midan)"}


def test_dns_rebinding_is_caught_at_the_socket(monkeypatch, site):
    """A name that resolves to a public address for the URL check and to 127.0.0.1 a moment later never reaches
    127.0.0.1: the transport resolves and checks again, and connects only to what it checked."""
    asked = fake_dns(monkeypatch, {"rebind.example": ["93.184.215.14", "127.0.0.1"]})
    guard = watch.Guard()
    with watch.Fetcher(guard, FAST) as fetcher, pytest.raises(RefusedError, match=r"127\.0\.0\.1"):
        # get() checks the URL (first answer: public), then the transport resolves again (second: loopback)
        fetcher.get(f"http://rebind.example:{site.port}/feed.rss", limit=2**20, robots=False)
    assert sum(site.counts.values()) == 0 and asked == ["rebind.example", "rebind.example"]
    # and the socket layer on its own refuses what it resolves, whatever the URL check said before
    backend = watch._PinnedBackend(guard)
    with pytest.raises(RefusedError):
        backend.connect_tcp("rebind.example", site.port, timeout=1)
    assert sum(site.counts.values()) == 0


# --- fetching ----------------------------------------------------------------------------------------------


def test_redirect_chain_is_followed_hop_by_hop(site):
    with watch.Fetcher(watch.Guard(["127.0.0.1"]), FAST) as fetcher:
        answer = fetcher.get(site.url("/go/dhaka"), limit=2**20)
    assert answer.status == 200 and answer.url == site.url("/news/dhaka-students.html")
    assert [site.counts[p] for p in ("/go/dhaka", "/go/dhaka-2", "/news/dhaka-students.html")] == [1, 1, 1]


@pytest.mark.parametrize(("path", "why"), [("/to-localhost", "localhost"), ("/to-ipv6", "::1"),
                                           ("/to-metadata", "169.254.169.254")])
def test_redirect_to_a_private_address_is_refused(site, local_dns, path, why):
    with watch.Fetcher(watch.Guard(["127.0.0.1"]), FAST) as fetcher, pytest.raises(RefusedError, match=why):
        fetcher.get(site.url(path), limit=2**20)
    assert site.counts["/news/jos-clash.html"] == 0


def test_redirect_to_an_allowed_host_is_followed(site, local_dns):
    with watch.Fetcher(watch.Guard(["127.0.0.1", "localhost"]), FAST) as fetcher:
        answer = fetcher.get(site.url("/to-localhost"), limit=2**20)
    assert answer.status == 200 and site.counts["/news/jos-clash.html"] == 1
    assert ("/news/jos-clash.html", f"localhost.:{site.port}") in site.hosts


def test_too_many_redirects(site):
    with watch.Fetcher(watch.Guard(["127.0.0.1"]), FAST) as fetcher, pytest.raises(FetchError, match="redirects"):
        fetcher.get(site.url("/loop"), limit=2**20)
    assert site.counts["/loop"] == FAST.max_redirects + 1


def test_retries_503_and_429_obeying_retry_after_up_to_the_cap(site):
    waits: list[float] = []
    with watch.Fetcher(watch.Guard(["127.0.0.1"]), FAST, sleep=waits.append) as fetcher:
        assert fetcher.get(site.url("/news/kumasi-traders.html"), limit=2**20).status == 200
        assert fetcher.get(site.url("/limited"), limit=2**20).body == b"ok"
    assert site.counts["/news/kumasi-traders.html"] == 2 and site.counts["/limited"] == 2
    # Retry-After: 120 and 1, both capped at 0.05
    assert waits.count(FAST.retry_after_cap) == 2


def test_gives_up_after_the_retries_and_does_not_retry_4xx(site):
    waits: list[float] = []
    with watch.Fetcher(watch.Guard(["127.0.0.1"]), FAST, sleep=waits.append) as fetcher:
        with pytest.raises(FetchError, match="HTTP 503") as caught:
            fetcher.get(site.url("/always-503"), limit=2**20)
        assert caught.value.transient and caught.value.status == 503
        with pytest.raises(FetchError, match="HTTP 404") as caught:
            fetcher.get(site.url("/gone.html"), limit=2**20)
        assert not caught.value.transient
    assert site.counts["/always-503"] == FAST.retries + 1
    assert site.counts["/gone.html"] == 1


def test_connection_errors_are_retried_with_exponential_backoff():
    waits: list[float] = []
    settings = replace(FAST, backoff=0.001, retries=3)
    with watch.Fetcher(watch.Guard(["127.0.0.1"]), settings, sleep=waits.append) as fetcher:
        with pytest.raises(FetchError) as caught:
            fetcher.get(f"http://127.0.0.1:{closed_port()}/feed.rss", limit=2**20, robots=False)
    assert caught.value.transient and "\n" not in str(caught.value)
    assert waits == [0.001, 0.002, 0.004]


def test_size_limits_stop_the_body(site):
    with watch.Fetcher(watch.Guard(["127.0.0.1"]), FAST) as fetcher:
        with pytest.raises(FetchError, match="too large"):
            fetcher.get(site.url("/big.html"), limit=5 * 2**20)
        with pytest.raises(FetchError, match="too large"):
            fetcher.get(site.url("/big-declared.html"), limit=5 * 2**20)


def test_slow_server_times_out(site):
    started = time.monotonic()
    with watch.Fetcher(watch.Guard(["127.0.0.1"]), FAST) as fetcher, pytest.raises(FetchError, match="timed out"):
        fetcher.get(site.url("/slow.html"), limit=2**20)
    assert time.monotonic() - started < SLOW_SECONDS
    assert site.counts["/slow.html"] == 1  # a read timeout is not retried within the pass


def test_politeness_delay_per_host(site):
    waits: list[float] = []
    settings = replace(FAST, delay=0.2)

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        time.sleep(seconds)

    with watch.Fetcher(watch.Guard(["127.0.0.1"]), settings, sleep=sleep) as fetcher:
        started = time.monotonic()
        for path in ("/news/jos-clash.html", "/news/la-paz-teachers.html"):
            fetcher.get(site.url(path), limit=2**20)
        elapsed = time.monotonic() - started
    # robots.txt, then two pages: two gaps of 0.2 s
    assert elapsed >= 0.4 and len(waits) == 2


def test_robots_disallow_is_respected(site):
    with watch.Fetcher(watch.Guard(["127.0.0.1"]), FAST) as fetcher:
        with pytest.raises(watch.Disallowed, match=r"robots\.txt"):
            fetcher.get(site.url("/private/draft.html"), limit=2**20)
        fetcher.get(site.url("/news/jos-clash.html"), limit=2**20)
    assert site.counts["/private/draft.html"] == 0
    assert site.counts["/robots.txt"] == 1  # cached per host


def test_retry_after_header():
    assert watch.retry_after("120") == 120.0
    assert watch.retry_after(None) is None and watch.retry_after("soon") is None
    import datetime as dt
    now = dt.datetime(2025, 5, 6, 10, 0, 0, tzinfo=dt.UTC)
    assert watch.retry_after("Tue, 06 May 2025 10:00:30 GMT", now) == 30.0


# --- a pass over feeds -----------------------------------------------------------------------------------------


def _watcher(store, guard, settings=FAST):
    fetcher = watch.Fetcher(guard, settings, sleep=lambda s: None)
    return watch.Watcher(store, fetcher, bare_ingest(store)), fetcher


def test_pass_ingests_new_items_once_and_then_costs_one_304(site, tmp_path, caplog):
    store = open_store(tmp_path / "watch.db")
    guard = watch.Guard(["127.0.0.1"])
    sources = [site.url("/feed.rss"), site.url("/atom.xml"), site.url("/news/accra-page.html")]
    watcher, fetcher = _watcher(store, guard)
    with fetcher, caplog.at_level(logging.INFO, logger="midan.watch"):
        report = watcher.poll(sources)
    assert (report.read, report.unchanged, report.failed) == (3, 0, 0)
    # 5 feed pages (the draft is disallowed), 1 Atom page, the page given as a source
    assert report.articles == 7 and report.items == 8 and report.item_failures == 1
    assert site.counts["/private/draft.html"] == 0
    assert any("robots.txt" in r.getMessage() and "/private/draft.html" in r.getMessage() for r in caplog.records)
    titles = {a.title: a for a in _stored_articles(store)}
    kisumu = titles["Police fire tear gas at fuel price protesters in Kisumu"]
    assert kisumu.id == "monitor-1" and kisumu.source == "Daily Monitor - Africa"
    assert kisumu.url == site.url("/news/kisumu-fuel-protest.html") and "Oginga Odinga" in kisumu.text
    assert titles["Students block roads in Dhaka after bus crash"].url == site.url("/news/dhaka-students.html")
    assert str(titles["Fighting near Goma forces families to flee"].published) == "2025-05-03"
    assert store.feed(site.url("/feed.rss"))["etag"] == ETAG

    before = Counter(site.counts)
    watcher, fetcher = _watcher(store, guard)  # a new process: only the store remembers
    with fetcher:
        again = watcher.poll(sources)
    assert (again.unchanged, again.articles, again.items) == (2, 0, 1)
    new = site.counts - before
    assert new["/feed.rss"] == 1 and new["/atom.xml"] == 1
    assert not any(path.startswith(("/news/kisumu", "/news/jos", "/go/", "/news/goma")) for path in new)
    assert len(_stored_articles(store)) == 7


def _stored_articles(store):
    from sqlalchemy import select

    from midan.schema import Article
    from midan.store import articles

    with store.engine.connect() as conn:
        rows = conn.execute(select(articles)).fetchall()
    import datetime as dt
    return [Article(id=r.id, text=r.text, title=r.title, url=r.url, source=r.source, origin=r.origin,
                    published=dt.date.fromisoformat(r.published) if r.published else None) for r in rows]


def test_trouble_items_are_one_line_each_and_the_rest_is_ingested(site, local_dns, tmp_path, caplog):
    store = open_store(tmp_path / "watch.db")
    watcher, fetcher = _watcher(store, watch.Guard(["127.0.0.1"]))
    with fetcher, caplog.at_level(logging.INFO, logger="midan.watch"):
        report = watcher.poll([site.url("/trouble.rss"), site.url("/broken.rss"),
                               f"http://127.0.0.1:{closed_port()}/feed.rss", site.url("/plain.txt"),
                               "file:///etc/passwd"])
    assert report.read == 1 and report.failed == 4
    assert report.articles == 1 and report.item_failures == 8
    assert [a.title for a in _stored_articles(store)] == ["Street vendors clash with council police in Lusaka"]
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    for record in warnings:
        assert "\n" not in record.getMessage() and record.exc_info is None
    text = "\n".join(r.getMessage() for r in warnings)
    for expected in ("big.html: too large", "big-declared.html: too large", "slow.html: timed out",
                     "localhost.", "[::1]", "169.254.169.254", "gone.html: HTTP 404", "redirects",
                     "broken.rss: not a readable RSS/Atom feed", "Connection refused", "plain.txt: neither",
                     "file:///etc/passwd: scheme 'file'"):
        assert expected in text, expected
    # the slow page failed for a passing reason: it is tried again next time, so the feed's ETag is not kept
    items = store.feed_items(site.url("/trouble.rss"))
    assert items["t-slow"] == (False, 1) and items["t-big"] == (True, 1) and items["t-good"] == (True, 1)
    assert store.feed(site.url("/trouble.rss"))["etag"] is None

    watcher, fetcher = _watcher(store, watch.Guard(["127.0.0.1"]))
    before = Counter(site.counts)
    with fetcher:
        again = watcher.poll([site.url("/trouble.rss")])
    new = site.counts - before
    assert again.items == 1 and new["/slow.html"] == 1 and new["/big.html"] == 0
    assert store.feed_items(site.url("/trouble.rss"))["t-slow"] == (False, 2)


def test_an_item_failing_for_a_passing_reason_is_given_up_after_max_attempts(site, local_dns, tmp_path):
    store = open_store(tmp_path / "watch.db")
    for _ in range(watch.Watcher.MAX_ATTEMPTS):
        watcher, fetcher = _watcher(store, watch.Guard(["127.0.0.1"]))
        with fetcher:
            watcher.poll([site.url("/trouble.rss")])
    # given up: recorded as dealt with, and the feed's validators are kept again
    assert store.feed_items(site.url("/trouble.rss"))["t-slow"] == (True, watch.Watcher.MAX_ATTEMPTS)
    assert store.feed(site.url("/trouble.rss"))["etag"] == '"trouble"'
    assert site.counts["/slow.html"] == watch.Watcher.MAX_ATTEMPTS


# --- schedule and sources ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "seconds"), [("30s", 30), ("15m", 900), ("1h", 3600), ("90", 90),
                                               ("1.5m", 90), (" 2H ", 7200)])
def test_parse_every(text, seconds):
    assert watch.parse_every(text) == seconds


@pytest.mark.parametrize("text", ["", "m", "15 minutes", "-5m", "0s", "1d", "0.5s"])
def test_parse_every_rejects(text):
    with pytest.raises(MidanError, match="--every"):
        watch.parse_every(text)


def test_read_sources(tmp_path):
    listing = tmp_path / "feeds.txt"
    listing.write_text("# the desk's feeds\nhttps://a.example/rss\n\n  https://b.example/page#top  # a page\n"
                       "https://a.example/rss\n", encoding="utf-8")
    assert watch.read_sources(["https://c.example/atom"], listing) == [
        "https://c.example/atom", "https://a.example/rss", "https://b.example/page#top"]
    with pytest.raises(MidanError, match="no such file"):
        watch.read_sources([], tmp_path / "missing.txt")


def test_run_polls_every_interval_until_interrupted(site, tmp_path):
    store = open_store(tmp_path / "watch.db")
    pauses: list[float] = []

    def pause(seconds: float) -> None:
        pauses.append(seconds)
        if len(pauses) == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        watch.run([site.url("/feed.rss")], store, bare_ingest(store), allow=["127.0.0.1"], settings=FAST,
                  every=30.0, pause=pause)
    assert len(pauses) == 2 and all(0 < p <= 30 for p in pauses)
    assert site.counts["/feed.rss"] == 2


# --- the command line --------------------------------------------------------------------------------------


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_watch_once_end_to_end(capsys, tmp_path, site, local_dns, pipeline, fast_defaults):
    db = f"sqlite:///{tmp_path / 'desk.db'}"
    listing = tmp_path / "feeds.txt"
    listing.write_text(f"# desk\n{site.url('/atom.xml')}\n{site.url('/trouble.rss')}\n", encoding="utf-8")
    args = ["watch", site.url("/feed.rss"), site.url("/news/accra-page.html"), "--feeds", str(listing), "--once",
            "--db", db, "--allow-private", "127.0.0.1", "--delay", "0", "--timeout", "0.5"]
    code, out, err = run_cli(capsys, *args)
    assert code == 0, err
    assert "Traceback" not in err and out == ""
    assert "8 articles and" in err, err
    assert "too large" in err and "robots.txt" in err and "refused" in err
    code, out, _ = run_cli(capsys, "export", "--db", db, "--format", "jsonl")
    assert code == 0 and out.strip()  # the pipeline found events in the articles
    store = open_store(db)
    assert store.stats()["articles"] == 8

    before = Counter(site.counts)
    code, _, err = run_cli(capsys, *args)
    assert code == 0, err
    new = site.counts - before
    assert "0 articles and 0 events stored" in err
    assert new["/feed.rss"] == 1 and new["/atom.xml"] == 1
    assert not any(p.startswith(("/news/kisumu", "/news/jos", "/news/goma", "/go/", "/news/lusaka")) for p in new)
    assert store.stats()["articles"] == 8


def test_cli_watch_exit_code_when_nothing_can_be_read(capsys, tmp_path, fast_defaults):
    db = f"sqlite:///{tmp_path / 'desk.db'}"
    code, _, err = run_cli(capsys, "watch", f"http://127.0.0.1:{closed_port()}/feed.rss", "http://127.0.0.1/x",
                           "--once", "--db", db, "--allow-private", "127.0.0.1/32", "--delay", "0",
                           "--timeout", "0.5")
    assert code == 1
    assert "no source could be read (2 failed" in err and "Traceback" not in err


def test_cli_watch_refuses_loopback_unless_allowed(capsys, tmp_path, site):
    db = f"sqlite:///{tmp_path / 'desk.db'}"
    code, _, err = run_cli(capsys, "watch", site.url("/feed.rss"), "--once", "--db", db, "--delay", "0")
    assert code == 1 and "loopback" in err and "--allow-private" in err
    assert sum(site.counts.values()) == 0


def test_cli_watch_every_stops_cleanly_on_ctrl_c(capsys, tmp_path, site, monkeypatch, fast_defaults):
    db = f"sqlite:///{tmp_path / 'desk.db'}"

    def interrupt(seconds: float) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(watch, "_pause", interrupt)
    code, _, err = run_cli(capsys, "watch", site.url("/broken.rss"), "--every", "30s", "--db", db,
                           "--allow-private", "127.0.0.1", "--delay", "0")
    assert code == 0, err
    assert "stopped after 1 pass" in err and "Traceback" not in err


@pytest.mark.parametrize(("args", "message"), [
    (["--once", "--every", "5m"], "not both"),
    (["--every", "soon"], "--every"),
    (["--allow-private", "bad host!"], "--allow-private"),
    ([], "no sources"),
])
def test_cli_watch_bad_options(capsys, tmp_path, args, message):
    sources = [] if message == "no sources" else ["https://news.example/rss"]
    code, _, err = run_cli(capsys, "watch", *sources, *args, "--db", f"sqlite:///{tmp_path / 'x.db'}")
    assert code != 0 and message in err and "Traceback" not in err


def test_feeds_table_is_created_in_an_existing_store(tmp_path):
    path = tmp_path / "old.db"
    open_store(path).close()
    store = open_store(path)
    store.save_feed("https://a.example/rss", etag='"1"', last_modified=None, status=200)
    store.save_feed("https://a.example/rss", etag='"2"', last_modified="x", status=200)
    assert store.feed("https://a.example/rss")["etag"] == '"2"'
    store.mark_items("https://a.example/rss", {"g1": True, "g2": False})
    store.mark_items("https://a.example/rss", {"g2": False})
    assert store.feed_items("https://a.example/rss") == {"g1": (True, 1), "g2": (False, 2)}
    assert store.generation() == 0  # bookkeeping does not invalidate the API's caches


@pytest.mark.postgres
def test_watch_state_in_postgres(site):
    """The feeds' state lives in the store, so it works on PostgreSQL as on SQLite."""
    url = os.environ.get("MIDAN_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("PostgreSQL unavailable: MIDAN_TEST_POSTGRES_URL is not set (make test starts a server)")
    from midan.store import metadata

    with open_store(url) as old:
        metadata.drop_all(old.engine)
    with open_store(url) as store:
        for expected in ((2, 0), (0, 2)):
            watcher, fetcher = _watcher(store, watch.Guard(["127.0.0.1"]))
            with fetcher:
                report = watcher.poll([site.url("/feed.rss"), site.url("/atom.xml")])
            assert (report.read, report.unchanged) == expected
        assert store.feed(site.url("/feed.rss"))["etag"] == ETAG
        assert store.feed_items(site.url("/feed.rss"))["monitor-1"] == (True, 1)
        assert store.stats()["articles"] == 6
