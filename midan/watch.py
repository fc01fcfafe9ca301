"""Live sources: RSS/Atom feeds and news pages polled over HTTP and ingested the way ``midan ingest`` does.

One pass over the sources, for each URL:

1. the source is fetched with the validators its last full answer carried (``If-None-Match``,
   ``If-Modified-Since``, kept in the store's ``feeds`` table): a 304 costs that one request and ends it;
2. a feed: each item not yet dealt with (the store's ``feed_items``) has its page fetched and its main text
   extracted by trafilatura (:func:`midan.ingest.read_page`); a page that is not a feed is one article;
3. the articles go to the caller's ``ingest`` (the CLI gives ``midan ingest``'s code path: the same Pipeline and
   ``Store.add_batch``, articles already stored skipped by content fingerprint);
4. the items dealt with are recorded, and the feed's validators saved once none of its items is left to retry.

Every request goes through one :class:`Fetcher`: the SSRF :class:`Guard` on every URL and every redirect hop (and
again at the socket, see :class:`_PinnedBackend`), robots.txt, a minimum delay between two requests to one host,
timeouts, a size limit on every body, and retries with exponential backoff on connection errors, 429 and 5xx. A
source or an item that fails is one log line; the rest of the pass goes on.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import ipaddress
import itertools
import logging
import re
import socket
import ssl
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin
from urllib.robotparser import RobotFileParser

import certifi
import httpcore
import httpx

from midan import ingest as reader
from midan._version import __version__
from midan.errors import Errors, FetchError, InputError, MidanError, RefusedError
from midan.schema import Article

logger = logging.getLogger(__name__)

#: what midan calls itself to servers, and the name robots.txt rules are matched against
USER_AGENT = f"midan/{__version__} (+midan)"
ROBOTS_AGENT = "midan"
FEED_ACCEPT = ("application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, "
               "text/html;q=0.8, */*;q=0.5")
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.8"

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# --- the SSRF guard ------------------------------------------------------------------------------------------

#: cloud instance metadata (AWS, GCP, Azure, ...; AWS's IPv6 one): never reached through a host name
METADATA = frozenset({ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")})
#: shared address space of carrier-grade NAT (RFC 6598), which ``ipaddress`` counts as neither private nor global
CGNAT = ipaddress.ip_network("100.64.0.0/10")
#: NAT64's well-known prefix (RFC 6052): the IPv4 address is in the last 32 bits
NAT64 = ipaddress.ip_network("64:ff9b::/96")
_HOST_NAME = re.compile(r"(?=.{1,253}\.?$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,62})(?:\.[A-Za-z0-9_][A-Za-z0-9_-]{0,62})*\.?")


def _address(value: str | Address) -> Address:
    if isinstance(value, ipaddress.IPv4Address | ipaddress.IPv6Address):
        return value
    return ipaddress.ip_address(value.strip("[]"))


def _embedded_v4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries to (IPv4-mapped, NAT64, 6to4, Teredo's client), if any."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    return None


def _metadata(ip: Address) -> bool:
    """A cloud metadata address, also when carried by an IPv6 one (``::ffff:169.254.169.254``)."""
    return ip in METADATA or (isinstance(ip, ipaddress.IPv6Address) and _embedded_v4(ip) in METADATA)


def refusal(address: str | Address) -> str | None:
    """Why midan must not connect to an address, or None for a public one.

    Refused: the unspecified address, loopback, link-local, multicast, private (RFC 1918, unique local fc00::/7),
    carrier-grade NAT (100.64.0.0/10), reserved and every other non-global range, cloud metadata, and IPv6
    addresses that carry one of those to IPv4 (``::ffff:127.0.0.1``, NAT64, 6to4, Teredo). An IPv4-mapped or
    NAT64 address is judged by the IPv4 address it reaches, so a public one on an IPv6-only network passes.
    """
    ip = _address(address)
    if ip in METADATA:
        return "a cloud metadata address"
    if isinstance(ip, ipaddress.IPv6Address):
        inner = _embedded_v4(ip)
        if inner is not None:
            why = refusal(inner)
            if why is not None:
                return f"{why} (it carries {inner})"
            if ip.ipv4_mapped is not None or ip in NAT64:
                return None
    checks: tuple[tuple[bool, str], ...] = (
        (ip.is_unspecified, "the unspecified address"),
        (ip.is_loopback, "a loopback address"),
        (ip.is_link_local, "a link-local address"),
        (ip.is_multicast, "a multicast address"),
        (isinstance(ip, ipaddress.IPv4Address) and ip in CGNAT, "a carrier-grade NAT address (100.64.0.0/10)"),
        (ip.is_private, "a private address"),
        (ip.is_reserved, "a reserved address"),
        (not ip.is_global, "not a public address"),
    )
    return next((why for refused, why in checks if refused), None)


class Guard:
    """Which URLs midan may fetch: http and https only, to public addresses, unless allowed.

    An allowed entry (``--allow-private``) is matched against the host a URL names, never against another name
    that happens to resolve there: a host name allows exactly that name (whatever private address it resolves to,
    but never cloud metadata), an address or a CIDR network allows URLs whose host is an address inside it. So
    allowing ``127.0.0.1`` lets ``http://127.0.0.1:8000/`` through but not a redirect to ``http://localhost/`` or
    ``http://[::1]/``. A name that is not allowed is refused if ANY of its addresses is refused.
    """

    def __init__(self, allow: Iterable[str] = ()) -> None:
        names: set[str] = set()
        networks: list[Network] = []
        for raw in allow:
            for entry in (part.strip() for part in raw.split(",")):
                if not entry:
                    continue
                try:
                    networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
                    continue
                except ValueError:
                    pass
                try:
                    name = entry.encode("idna").decode("ascii")  # as httpx sends it: bücher.de -> xn--bcher-kva.de
                except UnicodeError:
                    name = ""
                if not _HOST_NAME.fullmatch(name):
                    raise MidanError(Errors.E022.format(value=entry))
                names.add(_name(name))
        self.names = frozenset(names)
        self.networks = tuple(networks)

    def check_url(self, url: str | httpx.URL) -> httpx.URL:
        """The URL parsed as httpx will request it, if it may be fetched; else :class:`RefusedError`.

        It is parsed by httpx itself, so that the host checked is the host connected to (no parser differential).
        """
        try:
            parsed = httpx.URL(str(url))
        except (httpx.InvalidURL, ValueError) as exc:
            raise RefusedError(Errors.E019.format(url=url, reason=f"not a valid URL ({exc})")) from None
        if parsed.scheme not in ("http", "https"):
            raise RefusedError(Errors.E019.format(url=url, reason=f"scheme {parsed.scheme or 'none'!r} (only http "
                                                                      "and https are fetched)"))
        if not parsed.raw_host:
            raise RefusedError(Errors.E019.format(url=url, reason="no host"))
        port = parsed.port or (443 if parsed.scheme == "https" else 80)
        self.addresses(parsed.raw_host.decode("ascii"), port, url=str(parsed))
        return parsed

    def addresses(self, host: str, port: int, url: str | None = None) -> list[Address]:
        """The checked addresses of a host, in the resolver's order; :class:`RefusedError` if they may not be
        used. The transport connects to these and only these (:class:`_PinnedBackend`)."""
        shown = url or host
        literal = _literal(host)
        if literal is not None:
            if any(literal in network for network in self.networks if network.version == literal.version):
                return [literal]
            why = refusal(literal)
            if why is not None:
                raise RefusedError(Errors.E019.format(url=shown, reason=f"{literal} is {why}{_HINT}"))
            return [literal]
        found = _resolve(host, port, shown)
        allowed_name = _name(host) in self.names
        for ip in found:
            if allowed_name and not _metadata(ip):
                continue
            why = refusal(ip)
            if why is not None:
                raise RefusedError(Errors.E019.format(
                    url=shown, reason=f"{host} resolves to {ip}, {why}{'' if allowed_name else _HINT}"))
        return found


_HINT = " (--allow-private allows a host or network)"


def _name(host: str) -> str:
    """A host name compared case-insensitively, a trailing dot (the root) ignored: the same DNS name."""
    return host.lower().rstrip(".")


def _literal(host: str) -> Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def _resolve(host: str, port: int, shown: str) -> list[Address]:
    """Every address a host name resolves to (``socket.getaddrinfo``), in order, without duplicates."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError) as exc:
        raise _failed(shown, f"cannot resolve {host} ({_one_line(exc)})", transient=True) from None
    found: list[Address] = []
    for family, *_, sockaddr in infos:
        if family not in (socket.AF_INET, socket.AF_INET6):
            continue
        ip = _address(str(sockaddr[0]))
        if ip not in found:
            found.append(ip)
    if not found:
        raise _failed(shown, f"{host} has no IP address", transient=True)
    return found


class _PinnedBackend(httpcore.NetworkBackend):
    """httpcore's socket layer with the guard inside it: the host is resolved and checked here, and the socket is
    opened to one of the checked addresses, given as a literal, so nothing resolves the name again.

    Why here: checking a URL and then letting the client resolve its host a second time leaves a window in which
    DNS can answer differently (rebinding: public for the check, 127.0.0.1 for the connection). httpcore calls
    ``connect_tcp`` for every new connection (keep-alive connections are only reused for the same origin, which
    was checked when they were opened) and then starts TLS with ``server_hostname`` set to the URL's host, and
    httpx sends the URL's ``Host`` header; so certificates are verified against the name and virtual hosts work,
    while the packets go to the address that was checked.
    """

    def __init__(self, guard: Guard) -> None:
        self._guard = guard
        self._inner = httpcore.SyncBackend()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        error: Exception | None = None
        for ip in self._guard.addresses(host, port):
            try:
                return self._inner.connect_tcp(str(ip), port, timeout=timeout, local_address=local_address,
                                               socket_options=socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        raise error if error is not None else httpcore.ConnectError(f"no address for {host}")

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("midan watch does not use Unix sockets")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class _GuardedTransport(httpx.HTTPTransport):
    """httpx's own transport (its request mapping and exception translation) over a connection pool whose sockets
    come from :class:`_PinnedBackend`. No proxy (a proxy would resolve names itself, out of the guard's sight) and
    HTTP/1.1 only."""

    def __init__(self, guard: Guard) -> None:
        super().__init__(trust_env=False)
        if not isinstance(getattr(self, "_pool", None), httpcore.ConnectionPool):
            # the pool is httpx's internal attribute: if a release renames it, fail here, not open a hole
            raise RuntimeError("httpx.HTTPTransport changed: midan cannot pin its connections; pin httpx<1")
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl.create_default_context(cafile=certifi.where()), max_connections=10,
            max_keepalive_connections=5, keepalive_expiry=5.0, http1=True, http2=False,
            network_backend=_PinnedBackend(guard))


# --- fetching ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FetchSettings:
    """Limits of every request. Timeouts in seconds; sizes in bytes of the decoded body."""

    connect_timeout: float = 10.0
    #: longest silence while reading an answer
    read_timeout: float = 20.0
    #: longest a whole request may take, from the connection to the last byte
    total_timeout: float = 60.0
    max_feed_bytes: int = 10 * 2**20
    max_page_bytes: int = 5 * 2**20
    max_robots_bytes: int = 512 * 2**10
    #: tries after the first one, on connection errors, 429 and 5xx
    retries: int = 3
    #: the first retry waits this long, each next one twice as long, up to max_backoff
    backoff: float = 1.0
    max_backoff: float = 30.0
    #: the longest a Retry-After header is obeyed
    retry_after_cap: float = 30.0
    max_redirects: int = 5
    #: the least time between two requests to one host (robots.txt's Crawl-delay may ask more, up to max_crawl_delay)
    delay: float = 1.0
    max_crawl_delay: float = 30.0
    #: how long a host's robots.txt is trusted; one that could not be read is asked again sooner
    robots_ttl: float = 3600.0
    robots_retry: float = 300.0


DEFAULTS = FetchSettings()
REDIRECTS = frozenset({301, 302, 303, 307, 308})
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
#: failures of the connection itself (not of a slow server): worth another try
_RETRIED = (httpx.ConnectError, httpx.ConnectTimeout, httpx.RemoteProtocolError, httpx.ReadError,
            httpx.WriteError)


@dataclass
class Fetched:
    """One answer: the final URL (after redirects), its status, headers and body (empty for a 304)."""

    url: str
    status: int
    headers: httpx.Headers
    body: bytes = b""


class Disallowed(FetchError):
    """A URL robots.txt disallows for midan."""


class Fetcher:
    """The one way midan watch reaches the network: guarded, polite, bounded. Use as a context manager."""

    def __init__(self, guard: Guard, settings: FetchSettings = DEFAULTS, *,
                 sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic) -> None:
        self.guard = guard
        self.settings = settings
        self._sleep = sleep
        self._clock = clock
        self._client = httpx.Client(
            transport=_GuardedTransport(guard), follow_redirects=False, trust_env=False,
            headers={"User-Agent": USER_AGENT},
            timeout=httpx.Timeout(settings.read_timeout, connect=settings.connect_timeout))
        #: host -> when its last request started (clock time)
        self._last: dict[str, float] = {}
        #: host -> seconds its robots.txt asks between requests
        self._crawl_delay: dict[str, float] = {}
        #: scheme://host:port -> (parsed robots.txt, trusted until)
        self._robots: dict[str, tuple[RobotFileParser, float]] = {}

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def get(self, url: str, *, limit: int, headers: Mapping[str, str] | None = None, robots: bool = True) -> Fetched:
        """GET a URL, following up to ``max_redirects`` redirects by hand: every hop is checked by the guard (and
        robots.txt) before it is requested. Raises :class:`FetchError` (a one-line message) on any failure:
        refused, disallowed, unreachable, timed out, too large, too many redirects, or an HTTP error status."""
        current = url
        for _ in range(self.settings.max_redirects + 1):
            target = self.guard.check_url(current)
            if robots and not self._robots_allow(target):
                raise Disallowed(Errors.E020.format(url=target, host=target.host))
            answer = self._request(target, limit, headers or {})
            location = answer.headers.get("location")
            if answer.status not in REDIRECTS or not location:
                return answer
            current = urljoin(str(target), location.strip())
            logger.debug("%s: redirected (%d) to %s", target, answer.status, current)
        raise _failed(url, f"more than {self.settings.max_redirects} redirects")

    def _robots_allow(self, url: httpx.URL) -> bool:
        """:meth:`allowed`, with a failure to read robots.txt told as the failure of the URL that needed it."""
        try:
            return self.allowed(url)
        except RefusedError:
            raise
        except FetchError as exc:
            raise _failed(url, f"{exc.reason} (reading robots.txt)", status=exc.status,
                          transient=exc.transient) from None

    def allowed(self, url: httpx.URL) -> bool:
        """Whether robots.txt of the URL's host lets midan fetch it (read once per host, through :meth:`get`).

        As RFC 9309 says: a robots.txt that does not exist (4xx) allows everything, one the server fails to give
        (5xx) disallows everything for now; a host that cannot be reached fails the request that asked.
        """
        key = f"{url.scheme}://{url.netloc.decode('ascii')}"
        cached = self._robots.get(key)
        if cached is None or cached[1] < self._clock():
            cached = self._robots[key] = self._read_robots(url)
        return cached[0].can_fetch(ROBOTS_AGENT, str(url))

    def _read_robots(self, url: httpx.URL) -> tuple[RobotFileParser, float]:
        where = str(url.copy_with(path="/robots.txt", query=None, fragment=None))
        parser = RobotFileParser(where)
        trusted = self._clock() + self.settings.robots_ttl
        try:
            answer = self.get(where, limit=self.settings.max_robots_bytes, robots=False,
                              headers={"Accept": "text/plain, */*;q=0.5"})
        except RefusedError:
            raise
        except FetchError as exc:
            if exc.status is not None and 400 <= exc.status < 500:
                parser.allow_all = True
                return parser, trusted
            if exc.status is None:
                raise
            logger.warning("%s: robots.txt could not be read (HTTP %d); the host's pages are skipped for now",
                           url.host, exc.status)
            parser.disallow_all = True
            return parser, self._clock() + self.settings.robots_retry
        parser.parse(answer.body.decode("utf-8", errors="replace").splitlines())
        wanted = parser.crawl_delay(ROBOTS_AGENT)
        if wanted:
            self._crawl_delay[url.host] = min(float(wanted), self.settings.max_crawl_delay)
        return parser, trusted

    def _request(self, url: httpx.URL, limit: int, headers: Mapping[str, str]) -> Fetched:
        """One URL (no redirect followed), retried on connection errors, 429 and 5xx with exponential backoff;
        a Retry-After header is obeyed up to ``retry_after_cap``. A 4xx is final at once."""
        settings = self.settings
        for attempt in itertools.count():
            last_try = attempt >= settings.retries
            self._wait_turn(url.host)
            deadline = self._clock() + settings.total_timeout
            timeout = httpx.Timeout(min(settings.read_timeout, settings.total_timeout),
                                    connect=min(settings.connect_timeout, settings.total_timeout))
            try:
                with self._client.stream("GET", url, headers=dict(headers), timeout=timeout) as response:
                    status = response.status_code
                    if status in RETRY_STATUSES and not last_try:
                        wait = self._retry_wait(response.headers.get("retry-after"), attempt)
                        logger.info("%s: HTTP %d; trying again in %.1f s", url, status, wait)
                        self._sleep(wait)
                        continue
                    if status >= 400:
                        raise _failed(url, f"HTTP {status} {response.reason_phrase}".strip(), status=status,
                                      transient=status in RETRY_STATUSES)
                    body = b"" if status in REDIRECTS or status == 304 else self._body(response, url, limit, deadline)
                    return Fetched(str(url), status, response.headers, body)
            except httpx.ConnectTimeout as exc:
                if last_try:
                    raise _failed(url, f"connection timed out ({_one_line(exc)})", transient=True) from None
            except httpx.TimeoutException:
                raise _failed(url, f"timed out ({settings.read_timeout:g} s without data)", transient=True) from None
            except _RETRIED as exc:
                if last_try:
                    raise _failed(url, _one_line(exc) or type(exc).__name__, transient=True) from None
            except httpx.HTTPError as exc:
                raise _failed(url, _one_line(exc) or type(exc).__name__, transient=True) from None
            wait = min(settings.backoff * 2**attempt, settings.max_backoff)
            logger.info("%s: connection failed; trying again in %.1f s", url, wait)
            self._sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover

    def _body(self, response: httpx.Response, url: httpx.URL, limit: int, deadline: float) -> bytes:
        """The decoded body, streamed: stopped as soon as it passes ``limit`` bytes or the request its deadline."""
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise _failed(url, f"too large ({int(declared):,} bytes; the limit is {limit:,})")
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > limit:
                raise _failed(url, f"too large (more than {limit:,} bytes; stopped reading)")
            if self._clock() > deadline:
                raise _failed(url, f"took longer than {self.settings.total_timeout:g} s", transient=True)
            chunks.append(chunk)
        return b"".join(chunks)

    def _retry_wait(self, header: str | None, attempt: int) -> float:
        backoff = min(self.settings.backoff * 2**attempt, self.settings.max_backoff)
        asked = retry_after(header)
        return backoff if asked is None else min(asked, self.settings.retry_after_cap)

    def _wait_turn(self, host: str) -> None:
        """Keep at least ``delay`` seconds (or the host's Crawl-delay) between two requests to one host."""
        gap = max(self.settings.delay, self._crawl_delay.get(host, 0.0))
        last = self._last.get(host)
        if last is not None:
            wait = last + gap - self._clock()
            if wait > 0:
                self._sleep(wait)
        self._last[host] = self._clock()


def retry_after(value: str | None, now: dt.datetime | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks for (a number of seconds or an HTTP date), None when absent or
    unreadable."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - (now or dt.datetime.now(dt.UTC))).total_seconds())


def _failed(url: str | httpx.URL, reason: str, *, status: int | None = None, transient: bool = False) -> FetchError:
    return FetchError(Errors.E018.format(url=url, reason=reason), status=status, transient=transient, reason=reason)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


# --- one pass over the sources -------------------------------------------------------------------------------

#: (articles, events) stored; the CLI's is ``midan ingest``'s code path
Ingest = Callable[[list[Article]], tuple[int, int]]


@dataclass
class PassReport:
    """What one pass did, for the summary line and the exit code."""

    sources: int = 0
    #: sources answered in full (200) and read
    read: int = 0
    #: sources answered 304 Not Modified
    unchanged: int = 0
    failed: int = 0
    #: feed items new this pass (or tried again), pages given as sources included
    items: int = 0
    item_failures: int = 0
    articles: int = 0
    events: int = 0

    @property
    def reachable(self) -> bool:
        """Whether any source could be read (or was unchanged); a pass without sources counts as read."""
        return self.sources == 0 or self.read + self.unchanged > 0

    def summary(self) -> str:
        parts = [f"{self.sources} source{'s' * (self.sources != 1)}: {self.read} read, {self.unchanged} unchanged, "
                 f"{self.failed} failed", f"{self.items} new item{'s' * (self.items != 1)}"
                 + (f" ({self.item_failures} failed)" if self.item_failures else ""),
                 f"{self.articles} article{'s' * (self.articles != 1)} and {self.events} "
                 f"event{'s' * (self.events != 1)} stored"]
        return "; ".join(parts)


class Watcher:
    """One pass over the sources at a time, with the store remembering validators and items between passes."""

    #: an item whose page keeps failing for a passing reason (a timeout, a 5xx) is given up after this many passes
    MAX_ATTEMPTS = 3
    #: articles handed to ``ingest`` at a time, so that an interrupted pass keeps what it stored
    CHUNK = 16

    def __init__(self, store: Any, fetcher: Fetcher, ingest: Ingest) -> None:
        self.store = store
        self.fetcher = fetcher
        self.ingest = ingest

    def poll(self, sources: Sequence[str]) -> PassReport:
        """One pass: every source once, in order. A failing source or item is logged; the others go on. Only a
        store that cannot be written (:class:`midan.errors.StoreError`) stops the pass."""
        report = PassReport(sources=len(sources))
        for url in sources:
            self._source(url, report)
        return report

    def _source(self, url: str, report: PassReport) -> None:
        known = self.store.feed(url) or {}
        headers = {"Accept": FEED_ACCEPT}
        if known.get("etag"):
            headers["If-None-Match"] = known["etag"]
        if known.get("last_modified"):
            headers["If-Modified-Since"] = known["last_modified"]
        try:
            answer = self.fetcher.get(url, limit=self.fetcher.settings.max_feed_bytes, headers=headers)
        except FetchError as exc:
            report.failed += 1
            logger.warning("%s", exc)
            self.store.save_feed(url, etag=known.get("etag"), last_modified=known.get("last_modified"),
                                 status=exc.status, error=str(exc))
            return
        if answer.status == 304:
            report.unchanged += 1
            logger.info("%s: not modified", url)
            self.store.save_feed(url, etag=known.get("etag"), last_modified=known.get("last_modified"), status=304)
            return
        try:
            complete = self._read(url, answer, report)
        except (FetchError, _Unreadable) as exc:
            report.failed += 1
            logger.warning("%s", exc)
            self.store.save_feed(url, etag=None, last_modified=None, status=answer.status, error=str(exc))
            return
        except MidanError:
            raise
        except Exception as exc:  # a bug or a library's surprise on this source must not end the pass
            report.failed += 1
            logger.warning("%s: could not be read (%s: %s)", url, type(exc).__name__, _one_line(exc))
            logger.debug("details", exc_info=True)
            self.store.save_feed(url, etag=None, last_modified=None, status=answer.status, error=type(exc).__name__)
            return
        report.read += 1
        # validators are kept only when nothing of this answer is left to retry: with them the next poll would
        # get a 304 and never see the items that failed
        self.store.save_feed(url, etag=answer.headers.get("etag") if complete else None,
                             last_modified=answer.headers.get("last-modified") if complete else None,
                             status=answer.status)

    def _read(self, url: str, answer: Fetched, report: PassReport) -> bool:
        """Read a source's answer as a feed or a page; True when every item of it was dealt with."""
        kind = _kind(answer)
        if kind == "html":
            report.items += 1
            article = reader.read_page(answer.body, answer.url)
            if article is not None:
                self._store([replace(article, id=url, url=article.url or answer.url, origin=url)], report)
            return True
        if kind != "feed":
            raise _Unreadable(f"{url}: neither an RSS/Atom feed nor an HTML page "
                              f"({answer.headers.get('content-type') or 'no content type'}); skipped")
        return self._feed(url, answer, report)

    def _feed(self, url: str, answer: Fetched, report: PassReport) -> bool:
        import feedparser

        # a stream, never bytes or a string: feedparser opens a string that looks like a URL or a file name
        parsed = feedparser.parse(io.BytesIO(answer.body), response_headers={
            "content-type": answer.headers.get("content-type", "application/xml"), "content-location": answer.url})
        if not parsed.entries:
            if parsed.bozo:
                raise _Unreadable(f"{url}: not a readable RSS/Atom feed "
                                  f"({_one_line(parsed.get('bozo_exception') or 'malformed')}); skipped")
            logger.info("%s: no items", url)
            return True
        source = reader.strip_html(parsed.feed.get("title", ""))
        seen = self.store.feed_items(url)
        handled: set[str] = set()
        pending = False
        outcomes: dict[str, bool] = {}
        batch: list[tuple[str, Article]] = []
        for key, item in _items(parsed.entries, answer.url, url, source):
            done, attempts = seen.get(key, (False, 0))
            if done or attempts >= self.MAX_ATTEMPTS or key in handled:
                continue
            handled.add(key)
            report.items += 1
            try:
                article = self._item(item)
            except FetchError as exc:
                report.item_failures += 1
                logger.warning("%s", exc)
                outcomes[key] = not exc.transient or attempts + 1 >= self.MAX_ATTEMPTS
            except MidanError:
                raise
            except Exception as exc:  # one item's surprise is that item's failure
                report.item_failures += 1
                logger.warning("%s: could not be read (%s: %s)", item.link or key, type(exc).__name__,
                               _one_line(exc))
                logger.debug("details", exc_info=True)
                outcomes[key] = attempts + 1 >= self.MAX_ATTEMPTS
            else:
                if article is None:
                    outcomes[key] = True
                else:
                    batch.append((key, article))
            pending = pending or outcomes.get(key) is False
            if len(batch) >= self.CHUNK:
                self._flush(url, batch, outcomes, report)
                batch, outcomes = [], {}
        self._flush(url, batch, outcomes, report)
        return not pending

    def _flush(self, url: str, batch: list[tuple[str, Article]], outcomes: dict[str, bool],
               report: PassReport) -> None:
        """Store the articles gathered, then record their items (after: a crash in between fetches them again,
        and the fingerprint keeps them from being stored twice)."""
        if batch:
            self._store([article for _, article in batch], report)
        self.store.mark_items(url, {**outcomes, **{key: True for key, _ in batch}})

    def _store(self, articles: list[Article], report: PassReport) -> None:
        stored, found = self.ingest(articles)
        report.articles += stored
        report.events += found

    def _item(self, item: _Item) -> Article | None:
        """The article of one feed item: its page's main text, with the feed's headline, date and outlet; an item
        without a link is read from the feed's own text."""
        if not item.link:
            if not item.text:
                logger.warning("%s: no link and no text; skipped", item.origin)
                return None
            return Article(id=item.ident, text=item.text, title=item.title, published=item.published,
                           source=item.source, origin=item.origin)
        page = self.fetcher.get(item.link, limit=self.fetcher.settings.max_page_bytes,
                                headers={"Accept": PAGE_ACCEPT})
        article = reader.read_page(page.body, page.url)
        if article is None:
            return None
        return replace(article, id=item.ident, title=item.title or article.title,
                       published=item.published or article.published, url=page.url,
                       source=item.source or article.source, origin=item.origin)


class _Unreadable(Exception):
    """A source whose answer is neither a feed nor a page (its message is the log line)."""


@dataclass(frozen=True)
class _Item:
    ident: str
    link: str
    title: str
    published: dt.date | None
    text: str
    source: str
    origin: str


def _items(entries: Sequence[Any], base: str, feed_url: str, source: str) -> Iterator[tuple[str, _Item]]:
    """``(key, item)`` for each feed entry: the key (guid, else link, else a hash of its text) is what the store
    remembers it by."""
    for number, entry in enumerate(entries, 1):
        link = str(entry.get("link") or "").strip()
        link = urljoin(base, link) if link else ""
        bodies = [c.get("value", "") for c in entry.get("content") or []]
        text = reader.strip_html(max(bodies, key=len) if bodies else entry.get("summary", "") or "")
        title = reader.strip_html(entry.get("title", ""))
        parsed = entry.get("published_parsed") or entry.get("updated_parsed")
        published = dt.date(parsed.tm_year, parsed.tm_mon, parsed.tm_mday) if parsed else None
        guid = str(entry.get("id") or "").strip()
        key = guid or link or "sha1:" + hashlib.sha1(f"{title}\n{text}".encode()).hexdigest()
        yield key, _Item(ident=guid or link or f"{feed_url}#{number}", link=link, title=title, published=published,
                         text=text, source=source, origin=link or f"{feed_url}:item {number}")


def _kind(answer: Fetched) -> str | None:
    """``feed`` or ``html`` by the body's first bytes, else by the content type."""
    kind = reader.sniff(answer.body[:4096])
    if kind is not None:
        return kind
    media = answer.headers.get("content-type", "").split(";")[0].strip().lower()
    if media in ("text/html", "application/xhtml+xml"):
        return "html"
    if media.endswith("xml") or "rss" in media or "atom" in media:
        return "feed"
    return None


# --- sources and schedule ------------------------------------------------------------------------------------

_EVERY = re.compile(r"(\d+(?:\.\d+)?)\s*([smh]?)")
_UNITS = {"s": 1.0, "": 1.0, "m": 60.0, "h": 3600.0}


def parse_every(value: str) -> float:
    """Seconds from ``30s``, ``15m``, ``1h`` (a bare number is seconds); at least one second."""
    found = _EVERY.fullmatch(value.strip().lower())
    if found is None or float(found.group(1)) * _UNITS[found.group(2)] < 1:
        raise InputError(Errors.E021.format(value=value))
    return float(found.group(1)) * _UNITS[found.group(2)]


def read_sources(urls: Iterable[str], feeds_file: Path | None = None) -> list[str]:
    """The URLs given and those of a feeds file (one a line; ``#`` starts a comment at a line's start or after a
    space, so URLs keep their fragments), each once, in order."""
    found = [u.strip() for u in urls if u.strip()]
    if feeds_file is not None:
        path = feeds_file.expanduser()
        if not path.is_file():
            raise InputError(Errors.E001.format(path=path))
        try:
            lines = path.read_text(encoding="utf-8-sig").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(Errors.E009.format(path=path, reason=exc)) from None
        for line in lines:
            url = re.sub(r"(^|\s)#.*", "", line).strip()
            if url:
                found.append(url)
    return list(dict.fromkeys(found))


def run(sources: Sequence[str], store: Any, ingest: Ingest, *, allow: Iterable[str] = (),
        settings: FetchSettings = DEFAULTS, every: float | None = None,
        on_pass: Callable[[PassReport], None] | None = None,
        pause: Callable[[float], None] | None = None) -> PassReport:
    """Poll the sources: one pass when ``every`` is None, else a pass every ``every`` seconds (from the start of
    one to the start of the next; a pass that runs late is followed at once) until interrupted (KeyboardInterrupt
    reaches the caller, which ends cleanly). Returns the last pass's report."""
    guard = Guard(allow)
    wait = pause or _pause
    with Fetcher(guard, settings) as fetcher:
        watcher = Watcher(store, fetcher, ingest)
        while True:
            started = time.monotonic()
            report = watcher.poll(sources)
            if on_pass is not None:
                on_pass(report)
            if every is None:
                return report
            wait(max(0.0, every - (time.monotonic() - started)))


def _pause(seconds: float) -> None:
    time.sleep(seconds)


__all__ = ["DEFAULTS", "Disallowed", "FetchSettings", "Fetched", "Fetcher", "Guard", "PassReport", "Watcher",
           "parse_every", "read_sources", "refusal", "retry_after", "run"]
