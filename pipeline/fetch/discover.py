"""Finding a source's document URLs: a file of URLs, sitemaps (indexes, gzip) and paginated listings.

Discovery is lazy: candidates are yielded as each listing page or sitemap is read, so a run with
--max-pages does not walk a thousand listing pages first. Every URL is normalized before dedup.
"""

from __future__ import annotations

import logging
import re
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import count
from urllib.parse import urljoin, urlsplit
from xml.etree import ElementTree

import lxml.html
from lxml.etree import ParserError

from pipeline.fetch.classify import CHALLENGE, classify
from pipeline.fetch.config import Source
from pipeline.fetch.http import FetchResult
from pipeline.fetch.urls import normalize_url, page_key, redact_url

log = logging.getLogger(__name__)

# The sitemap protocol caps a sitemap at 50 MB uncompressed; more is refused, not read on.
MAX_SITEMAP_BYTES = 50 * 1024 * 1024
_MAX_SITEMAP_DEPTH = 3
_GZIP_MAGIC = b"\x1f\x8b"
_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.I)
_PAGE = "{page}"

Getter = Callable[[str], FetchResult]


@dataclass(frozen=True)
class Candidate:
    url: str
    lastmod: datetime | None = None
    via: str = ""


@dataclass(frozen=True)
class DiscoveryFailure:
    url: str
    reason: str


class SitemapError(ValueError):
    """A sitemap that cannot be read: not XML, too large once decompressed, a DTD."""


def gunzip_bounded(data: bytes, limit: int = MAX_SITEMAP_BYTES) -> bytes:
    """Decompress gzip data, refusing output over limit without ever holding more than limit+1 bytes."""
    decompressor = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        out = decompressor.decompress(data, limit + 1)
    except zlib.error as exc:
        raise SitemapError(f"bad gzip data: {exc}") from None
    if len(out) > limit or decompressor.unconsumed_tail:
        raise SitemapError(f"gzip sitemap expands past {limit} bytes")
    return out


def parse_lastmod(value: str | None) -> datetime | None:
    """A W3C datetime (YYYY, YYYY-MM, YYYY-MM-DD, or a full timestamp) as an aware UTC datetime."""
    if not value:
        return None
    text = value.strip()
    if re.fullmatch(r"\d{4}", text):
        text += "-01-01"
    elif re.fullmatch(r"\d{4}-\d{2}", text):
        text += "-01"
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def parse_sitemap(data: bytes) -> tuple[bool, list[tuple[str, datetime | None]]]:
    """(is_index, [(loc, lastmod)]) from a sitemap or sitemap index, gzip or plain, XML or text."""
    if data.startswith(_GZIP_MAGIC):
        data = gunzip_bounded(data)
    if len(data) > MAX_SITEMAP_BYTES:
        raise SitemapError(f"sitemap over {MAX_SITEMAP_BYTES} bytes")
    stripped = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not stripped.startswith(b"<"):
        # The sitemap protocol also allows plain text: one URL per line.
        lines = stripped.decode("utf-8", "replace").splitlines()
        return False, [(line.strip(), None) for line in lines if line.strip().startswith(("http://", "https://"))]
    if _DOCTYPE.search(stripped[:4096]):
        raise SitemapError("sitemap with a DTD refused (entity expansion)")
    try:
        root = ElementTree.fromstring(stripped)
    except ElementTree.ParseError as exc:
        raise SitemapError(f"not XML: {exc}") from None
    is_index = _local(root.tag) == "sitemapindex"
    entries = []
    for entry in root:
        fields = {_local(child.tag): (child.text or "").strip() for child in entry}
        if fields.get("loc"):
            entries.append((fields["loc"], parse_lastmod(fields.get("lastmod"))))
    return is_index, entries


def page_links(body: bytes, page_url: str) -> list[str]:
    """Absolute, normalized http(s) links of an HTML page (honouring <base href>)."""
    try:
        doc = lxml.html.fromstring(body)
    except (ParserError, ValueError):
        return []
    base = urljoin(page_url, doc.xpath("string(//base/@href)").strip())
    links = []
    for href in doc.xpath("//a/@href"):
        absolute = urljoin(base, href.strip())
        if urlsplit(absolute).scheme in ("http", "https"):
            links.append(normalize_url(absolute))
    return links


def read_url_file(lines: Iterable[str]) -> list[str]:
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


class Discoverer:
    """Yields a source's document candidates, each once; records what could not be read."""

    def __init__(self, source: Source, get: Getter):
        self.source = source
        self._get = get
        self.failures: list[DiscoveryFailure] = []
        self.pages_read = 0
        self._listing_budget = source.discovery.max_listing_pages
        self._listings_seen: set[str] = set()

    def candidates(self) -> Iterator[Candidate]:
        seen: set[str] = set()
        for candidate in self._all():
            url = normalize_url(self.source.resolve(candidate.url))
            if url in seen or not self.source.is_document(url):
                continue
            seen.add(url)
            yield Candidate(url, candidate.lastmod, candidate.via)

    def _all(self) -> Iterator[Candidate]:
        discovery = self.source.discovery
        if discovery.url_file is not None:
            try:
                lines = discovery.url_file.read_text(encoding="utf-8").splitlines()
            except OSError as exc:
                self._failed(str(discovery.url_file), f"cannot read the URL file: {exc.strerror}")
            else:
                yield from (Candidate(url, via="url file") for url in read_url_file(lines))
        for sitemap in discovery.sitemaps:
            yield from self._sitemap(self.source.resolve(sitemap), depth=0, seen=set())
        for listing in discovery.listings:
            if _PAGE in listing:
                yield from self._paginated(listing)
            else:
                yield from self._walk_listings(self.source.resolve(listing))

    def _sitemap(self, url: str, depth: int, seen: set[str]) -> Iterator[Candidate]:
        url = normalize_url(url)
        if url in seen or depth > _MAX_SITEMAP_DEPTH:
            return
        seen.add(url)
        result = self._get(url)
        self.pages_read += 1
        if not result.ok or result.status != 200:
            self._failed(url, result.error or f"HTTP {result.status}")
            return
        try:
            is_index, entries = parse_sitemap(result.body)
        except SitemapError as exc:
            self._failed(url, str(exc))
            return
        log.info("sitemap %s: %d %s", redact_url(url), len(entries), "sitemaps" if is_index else "URLs")
        for loc, lastmod in entries:
            if is_index:
                yield from self._sitemap(self.source.resolve(loc), depth + 1, seen)
            else:
                yield Candidate(loc, lastmod, "sitemap")

    def _paginated(self, template: str) -> Iterator[Candidate]:
        """/search?page={page}: pages in order until one adds no new document (the last page is past)."""
        seen_docs: set[str] = set()
        first = self.source.discovery.first_page
        for number in count(first):
            url = self.source.resolve(template.replace(_PAGE, str(number)))
            found = self._listing_page(url, quiet_end=number > first)
            if found is None:
                return
            new = [doc for doc in found[0] if doc not in seen_docs]
            if not new:
                log.info("listing %s adds no document: end of pagination", redact_url(url))
                return
            seen_docs.update(new)
            yield from (Candidate(doc, via="listing") for doc in new)

    def _walk_listings(self, start: str) -> Iterator[Candidate]:
        """A listing page and the listing pages it links to (follow patterns: next page, chapters)."""
        queue = deque([normalize_url(start)])
        while queue:
            url = queue.popleft()
            if url in self._listings_seen:
                continue
            found = self._listing_page(url, quiet_end=False)
            if found is None:
                continue
            docs, more = found
            yield from (Candidate(doc, via="listing") for doc in docs)
            queue.extend(link for link in more if link not in self._listings_seen)

    def _listing_page(self, url: str, quiet_end: bool) -> tuple[list[str], list[str]] | None:
        """(document links, listing links) of one listing page, None when it gave nothing to read."""
        url = normalize_url(url)
        self._listings_seen.add(url)
        if self._listing_budget <= 0:
            log.warning("listing page limit (%d) reached; %s not read",
                        self.source.discovery.max_listing_pages, redact_url(url))
            return None
        self._listing_budget -= 1
        result = self._get(url)
        self.pages_read += 1
        if not result.ok:
            self._failed(url, result.error or "no response")
            return None
        verdict = classify(result.status or 0, result.headers, result.body, result.final_url)
        if not verdict.is_document:
            if quiet_end and verdict.outcome != CHALLENGE:
                log.info("listing %s: %s; end of pagination", redact_url(url), verdict.reason)
            else:
                self._failed(url, verdict.reason)
            return None
        links = list(dict.fromkeys(
            normalize_url(self.source.resolve(link)) for link in page_links(result.body, result.final_url)))
        docs = [link for link in links if self.source.is_document(link)]
        follow = self.source.discovery.follow
        more = [link for link in links
                if link != url and not self.source.is_document(link) and self._same_source(link)
                and any(pattern.search(page_key(link)) for pattern in follow)]
        log.info("listing %s: %d document links", redact_url(url), len(docs))
        return docs, more

    def _same_source(self, url: str) -> bool:
        return (urlsplit(url).hostname or "").lower() in self.source.hosts

    def _failed(self, url: str, reason: str) -> None:
        log.warning("discovery: %s: %s", redact_url(url), reason)
        self.failures.append(DiscoveryFailure(url, reason))


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]
