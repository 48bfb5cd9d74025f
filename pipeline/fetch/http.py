"""HTTP for the harvester: polite, patient, bounded.

Every request goes through the politeness gate; transient failures (connection errors, timeouts,
truncated bodies, 429/5xx) are retried with exponential backoff and jitter or after the server's
Retry-After; bodies are streamed against a size cap; redirects are followed by hand so each hop is
checked against the source's hosts, robots.txt and the hop limit.
"""

from __future__ import annotations

import email.utils
import logging
import random
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin

import requests
from requests.adapters import HTTPAdapter

from pipeline.fetch.classify import is_challenge
from pipeline.fetch.config import Source
from pipeline.fetch.politeness import ROBOTS_MAX_BYTES, PolitenessGate
from pipeline.fetch.urls import host_of, normalize_url, redact_url

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
ACCEPT = "text/html,application/xhtml+xml;q=0.9,application/xml;q=0.8,*/*;q=0.5"
_CHUNK = 64 * 1024

# Outcomes for a URL that produced no usable response.
NETWORK_ERROR, TOO_LARGE, TRUNCATED, REDIRECT, RETRY_LATER = (
    "network_error", "too_large", "truncated", "redirect", "retry_later")


@dataclass
class FetchResult:
    url: str
    final_url: str
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)   # names lower-cased
    body: bytes = b""
    attempts: int = 0
    error_kind: str | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error_kind is None and self.status is not None


@dataclass
class _Response:
    status: int
    headers: dict[str, str]
    body: bytes


class _Transient(Exception):
    """A failure worth another try: connection trouble, a timeout, a body cut short."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


class _Refused(Exception):
    """A response we will not take, however often we ask (a body over the size cap)."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


class _RedactingFilter(logging.Filter):
    """urllib3 logs every request line at DEBUG; its URLs get the same redaction as ours."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact_url(a) if isinstance(a, str) and "?" in a else a for a in record.args)
        return True


logging.getLogger("urllib3.connectionpool").addFilter(_RedactingFilter())


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date; None if absent/bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None or when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class Fetcher:
    """GET with the source's politeness, retries, limits and redirect policy. Thread-safe."""

    def __init__(self, source: Source):
        self.source = source
        self.http = source.http
        self.gate = PolitenessGate(source.politeness, source.user_agent, self._fetch_robots)
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._lock = threading.Lock()
        self.requests_sent = 0
        self.bytes_received = 0

    def get(self, url: str, etag: str | None = None, last_modified: str | None = None) -> FetchResult:
        result = FetchResult(url=url, final_url=url)
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        seen = {url}
        current = url
        for _hop in range(self.http.max_redirects + 1):
            result.final_url = current
            refusal = self.gate.refusal(current)
            if refusal:
                return _fail(result, *refusal)
            response = self._exchange(current, headers, result)
            if response is None:
                return result
            result.status, result.headers, result.body = response.status, response.headers, response.body
            location = response.headers.get("location")
            if response.status not in REDIRECT_STATUSES or not location:
                return result
            target = normalize_url(urljoin(current, location))
            if host_of(target) not in self.source.hosts:
                return _fail(result, REDIRECT, f"redirect to another host: {redact_url(target)}")
            if target in seen:
                return _fail(result, REDIRECT, f"redirect loop back to {redact_url(target)}")
            seen.add(target)
            current = target
        return _fail(result, REDIRECT, f"more than {self.http.max_redirects} redirects")

    def close(self) -> None:
        with self._lock:
            for session in self._sessions:
                session.close()
            self._sessions.clear()

    def _exchange(self, url: str, headers: dict[str, str], result: FetchResult) -> _Response | None:
        """One URL asked until it answers or the tries run out; None (result.error set) on failure."""
        last: _Response | None = None
        kind, reason = NETWORK_ERROR, ""
        for attempt in range(1, self.http.max_tries + 1):
            result.attempts += 1
            try:
                with self.gate.slot(url):
                    response = self._send(url, headers)
            except _Refused as exc:
                _fail(result, exc.kind, str(exc))
                return None
            except _Transient as exc:
                last, kind, reason = None, exc.kind, str(exc)
                wait = self._backoff(attempt)
            else:
                if response.status not in RETRY_STATUSES or is_challenge(response.headers, response.body):
                    return response
                last = response
                asked = parse_retry_after(response.headers.get("retry-after"))
                if asked is not None and asked > self.http.retry_after_cap:
                    cap = self.http.retry_after_cap
                    _fail(result, RETRY_LATER, f"HTTP {response.status}; the server asks to retry after "
                                               f"{asked:.0f}s, more than the {cap:.0f}s cap")
                    return None
                wait = asked if asked is not None else self._backoff(attempt)
                reason = f"HTTP {response.status}"
            if attempt < self.http.max_tries:
                log.info("retry %d/%d of %s in %.1fs: %s", attempt, self.http.max_tries - 1,
                         redact_url(url), wait, reason)
                self.gate.penalize(url, wait)
        if last is not None:
            return last   # the final 429/5xx goes on to classification as an HTTP error
        _fail(result, kind, f"{reason} (after {self.http.max_tries} tries)")
        return None

    def _backoff(self, attempt: int) -> float:
        base = self.http.backoff_base * 2 ** (attempt - 1)
        return min(self.http.backoff_max, base + random.random() * self.http.backoff_base)

    def _send(self, url: str, headers: dict[str, str]) -> _Response:
        timeout = (self.http.connect_timeout, self.http.read_timeout)
        try:
            response = self._session().get(url, headers=headers, timeout=timeout, stream=True,
                                           allow_redirects=False)
        except requests.Timeout as exc:
            raise _Transient(NETWORK_ERROR, f"timed out ({type(exc).__name__})") from None
        except requests.RequestException as exc:
            raise _Transient(NETWORK_ERROR, f"connection failed ({type(exc).__name__})") from None
        with response:
            self._count_request()
            status = response.status_code
            names = {k.lower(): v for k, v in response.headers.items()}
            body = b"" if status in REDIRECT_STATUSES else self._read_body(response, names)
        log.debug("GET %s -> %s (%d bytes)", redact_url(url), status, len(body))
        return _Response(status, names, body)

    def _read_body(self, response: requests.Response, headers: dict[str, str]) -> bytes:
        cap = self.http.max_bytes
        declared = _int(headers.get("content-length"))
        if declared is not None and declared > cap:
            raise _Refused(TOO_LARGE, f"Content-Length {declared} is over the {cap}-byte cap; not read")
        deadline = time.monotonic() + self.http.body_timeout
        chunks, size = [], 0
        try:
            for chunk in response.iter_content(_CHUNK):
                size += len(chunk)
                self._count_bytes(len(chunk))
                if size > cap:
                    raise _Refused(TOO_LARGE, f"body over the {cap}-byte cap; stopped reading")
                if time.monotonic() > deadline:
                    raise _Transient(NETWORK_ERROR, f"body took over {self.http.body_timeout:.0f}s")
                chunks.append(chunk)
        except (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError) as exc:
            raise _Transient(TRUNCATED, f"body cut short ({type(exc).__name__})") from None
        except requests.RequestException as exc:
            raise _Transient(NETWORK_ERROR, f"reading the body failed ({type(exc).__name__})") from None
        body = b"".join(chunks)
        # Content-Length counts wire bytes; only an unencoded body can be compared with it.
        if declared is not None and "content-encoding" not in headers and len(body) != declared:
            raise _Transient(TRUNCATED, f"got {len(body)} of {declared} bytes (Content-Length)")
        return body

    def _fetch_robots(self, robots_url: str) -> tuple[int | None, bytes]:
        """robots.txt, retried on 5xx and network errors; (None, b"") when the host never answered."""
        status: int | None = None
        for attempt in range(1, self.http.max_tries + 1):
            try:
                timeout = (self.http.connect_timeout, self.http.read_timeout)
                with self._session().get(robots_url, timeout=timeout, stream=True) as response:
                    self._count_request()
                    status = response.status_code
                    body = b""
                    for chunk in response.iter_content(_CHUNK):
                        self._count_bytes(len(chunk))
                        body += chunk
                        if len(body) >= ROBOTS_MAX_BYTES:
                            break
                if status < 500:
                    return status, body
            except requests.RequestException as exc:
                log.info("robots.txt %s: %s", redact_url(robots_url), type(exc).__name__)
            if attempt < self.http.max_tries:
                time.sleep(self._backoff(attempt))
        return status, b""

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.headers.update({"User-Agent": self.source.user_agent, "Accept": ACCEPT})
            session.max_redirects = self.http.max_redirects
            adapter = HTTPAdapter(pool_connections=4, pool_maxsize=max(4, self.source.politeness.concurrency))
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            self._local.session = session
            with self._lock:
                self._sessions.append(session)
        return session

    def _count_request(self) -> None:
        with self._lock:
            self.requests_sent += 1

    def _count_bytes(self, nbytes: int) -> None:
        with self._lock:
            self.bytes_received += nbytes


def _fail(result: FetchResult, kind: str, message: str) -> FetchResult:
    result.error_kind, result.error = kind, message
    return result


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None
