"""Per-host manners: robots.txt read before the first request, Crawl-delay, rate limit, concurrency.

robots.txt is fetched under a per-host lock, so when many requests to a new host start at once
exactly one of them fetches it and the others wait for the answer instead of slipping past.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from protego import Protego

from pipeline.fetch.config import Politeness

log = logging.getLogger(__name__)

# robots.txt beyond this size is ignored past it (RFC 9309 asks crawlers to parse at least 500 KiB).
ROBOTS_MAX_BYTES = 512 * 1024

# Why a URL is not requested: the rules forbid it, or the rules could not be read (retry later).
DISALLOWED, ROBOTS_UNAVAILABLE = "disallowed", "robots_unavailable"

RobotsFetcher = Callable[[str], tuple[int | None, bytes]]


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{(parts.netloc or '').lower()}"


@dataclass
class _Host:
    delay: float
    semaphore: threading.BoundedSemaphore
    robots_lock: threading.Lock = field(default_factory=threading.Lock)
    clock_lock: threading.Lock = field(default_factory=threading.Lock)
    robots: Protego | None = None
    robots_loaded: bool = False
    unreachable: str | None = None     # why robots.txt could not be read: the host is then off limits
    next_start: float = 0.0


class PolitenessGate:
    """Decides whether a URL may be requested and when; one gate serves all threads of a run."""

    def __init__(self, settings: Politeness, user_agent: str, fetch_robots: RobotsFetcher):
        self.settings = settings
        self.user_agent = user_agent
        self._fetch_robots = fetch_robots
        self._hosts: dict[str, _Host] = {}
        self._hosts_lock = threading.Lock()

    def refusal(self, url: str) -> tuple[str, str] | None:
        """(outcome, reason) when robots.txt keeps url from being requested, None when it may be."""
        if not self.settings.obey_robots:
            return None
        host = self._load_robots(url)
        if host.unreachable:
            return ROBOTS_UNAVAILABLE, f"robots.txt unavailable ({host.unreachable}): the host is off limits"
        if host.robots is not None and not host.robots.can_fetch(url, self.user_agent):
            return DISALLOWED, "disallowed by robots.txt"
        return None

    @contextmanager
    def slot(self, url: str) -> Iterator[None]:
        """Hold one of the host's concurrency slots, starting no sooner than its rate limit allows."""
        host = self._host(url)
        if self.settings.obey_robots:
            self._load_robots(url)
        with host.semaphore:
            self._wait_turn(host)
            yield

    def penalize(self, url: str, seconds: float) -> None:
        """Keep every request to the host back for seconds (the server said it is overloaded)."""
        host = self._host(url)
        with host.clock_lock:
            host.next_start = max(host.next_start, time.monotonic() + seconds)

    def _wait_turn(self, host: _Host) -> None:
        with host.clock_lock:
            start = max(time.monotonic(), host.next_start)
            host.next_start = start + host.delay
        pause = start - time.monotonic()
        if pause > 0:
            time.sleep(pause)

    def _host(self, url: str) -> _Host:
        key = origin(url)
        with self._hosts_lock:
            host = self._hosts.get(key)
            if host is None:
                host = _Host(delay=self.settings.min_delay,
                             semaphore=threading.BoundedSemaphore(self.settings.concurrency))
                self._hosts[key] = host
            return host

    def _load_robots(self, url: str) -> _Host:
        host = self._host(url)
        if host.robots_loaded:
            return host
        with host.robots_lock:
            if host.robots_loaded:
                return host
            robots_url = origin(url) + "/robots.txt"
            status, body = self._fetch_robots(robots_url)
            if status is None or status >= 500:
                host.unreachable = "no answer" if status is None else f"HTTP {status}"
            elif 200 <= status < 300:
                host.robots = Protego.parse(body[:ROBOTS_MAX_BYTES].decode("utf-8", "replace"))
                host.delay = max(host.delay, self._robots_delay(host.robots))
            # The robots.txt request is a request to the host like any other.
            with host.clock_lock:
                host.next_start = max(host.next_start, time.monotonic() + host.delay)
            # Any 4xx means there are no rules: RFC 9309 lets crawlers go anywhere.
            log.info("robots.txt %s: HTTP %s, delay %.1fs", robots_url, status, host.delay)
            host.robots_loaded = True
        return host

    def _robots_delay(self, robots: Protego) -> float:
        delay = robots.crawl_delay(self.user_agent) or 0.0
        rate = robots.request_rate(self.user_agent)
        if rate is not None and rate.requests:
            delay = max(delay, rate.seconds / rate.requests)
        return float(delay)
