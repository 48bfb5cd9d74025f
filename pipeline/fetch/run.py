"""The harvest loop: discover, decide what needs asking, fetch politely, store honestly, report.

Exit codes: 0 everything fetched or unchanged, 1 some pages (or discovery) failed, 3 another run
holds the lock on the raw directory, 130 interrupted. (2, usage errors, comes from the command.)
"""

from __future__ import annotations

import hashlib
import json
import logging
import signal
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TextIO

from tqdm import tqdm

from pipeline.fetch.classify import classify
from pipeline.fetch.config import Source
from pipeline.fetch.discover import Candidate, Discoverer
from pipeline.fetch.http import NETWORK_ERROR, Fetcher, FetchResult
from pipeline.fetch.politeness import DISALLOWED
from pipeline.fetch.state import CrawlState, PageState, iso, utc_now
from pipeline.fetch.store import Page, PageStore, document_id, key_hash
from pipeline.fetch.urls import page_key, redact_url
from pipeline.storage import DirectoryLock, LockedError, atomic_write_bytes, remove_stale_temp_files

log = logging.getLogger(__name__)

COMMAND_LINE = "command line"
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_LOCKED, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
REPORT_NAME = ".fetch-report.json"
# Outcomes of one URL; the first three leave a good copy of the document on disk.
NEW, CHANGED, UNCHANGED, SKIPPED, WOULD_FETCH = "new", "changed", "unchanged", "skipped", "would_fetch"
_GOOD = frozenset({NEW, CHANGED, UNCHANGED})
_NOT_FAILURES = _GOOD | {SKIPPED, DISALLOWED, WOULD_FETCH}


@dataclass
class RunOptions:
    source: Source
    raw_dir: Path
    state_path: Path
    urls: list[str] = field(default_factory=list)     # explicit pages; empty means discover
    max_pages: int | None = None
    since: datetime | None = None
    refresh_after: timedelta = timedelta(days=30)
    dry_run: bool = False
    progress: bool = False
    quiet: bool = False


@dataclass(frozen=True)
class Plan:
    fetch: bool
    reason: str
    conditional: bool = False


def plan(candidate: Candidate, known: PageState | None, on_disk: bool, now: datetime,
         refresh_after: timedelta, since: datetime | None, requested: bool) -> Plan:
    """Whether a candidate is requested this run, and whether conditionally."""
    if since and candidate.lastmod and candidate.lastmod < since and not requested:
        return Plan(False, "sitemap lastmod before --since")
    if known is None:
        return Plan(True, "new")
    if known.outcome not in _GOOD:
        return Plan(True, f"retry after {known.outcome}", conditional=known.has_document and on_disk)
    if not on_disk:
        return Plan(True, "stored copy missing")
    if requested:
        return Plan(True, "requested", conditional=True)
    fetched = known.last_fetched
    if candidate.lastmod and fetched:
        if candidate.lastmod > fetched:
            return Plan(True, "sitemap lastmod is newer", conditional=True)
        return Plan(False, "unchanged since the last fetch (sitemap lastmod)")
    if fetched is None or now - fetched >= refresh_after:
        return Plan(True, "refresh", conditional=True)
    return Plan(False, "fetched recently")


def decide(candidate: Candidate, state: CrawlState, store: PageStore,
           options: RunOptions) -> tuple[PageState | None, Plan]:
    known = state.get(options.source.site, page_key(candidate.url))
    on_disk = bool(known and known.local_id and store.has(known.local_id))
    return known, plan(candidate, known, on_disk, utc_now(), options.refresh_after, options.since,
                       requested=candidate.via == COMMAND_LINE)


@dataclass
class Report:
    source: str
    site: str
    base_url: str
    dry_run: bool
    started: float = field(default_factory=time.monotonic)
    started_at: datetime = field(default_factory=utc_now)
    counts: Counter[str] = field(default_factory=Counter)
    failures: list[dict[str, str]] = field(default_factory=list)
    disallowed: list[str] = field(default_factory=list)
    discovery_failures: list[dict[str, str]] = field(default_factory=list)
    discovered: int = 0
    discovery_pages: int = 0       # listing pages and sitemaps read
    interrupted: bool = False

    def add(self, outcome: str, url: str, reason: str | None = None) -> None:
        self.counts[outcome] += 1
        if outcome == DISALLOWED:
            self.disallowed.append(redact_url(url))
        elif outcome not in _NOT_FAILURES:
            self.failures.append({"url": redact_url(url), "outcome": outcome, "reason": reason or ""})

    def note_discovery(self, discoverer: Discoverer) -> None:
        self.discovery_pages = discoverer.pages_read
        self.discovery_failures = [{"url": redact_url(f.url), "reason": f.reason} for f in discoverer.failures]

    @property
    def failed(self) -> bool:
        return bool(self.failures or self.discovery_failures)

    def exit_code(self) -> int:
        if self.interrupted:
            return EXIT_INTERRUPTED
        return EXIT_FAILED if self.failed else EXIT_OK

    def to_dict(self, fetcher: Fetcher) -> dict[str, object]:
        return {
            "source": self.source,
            "site": self.site,
            "base_url": self.base_url,
            "dry_run": self.dry_run,
            "started_at": iso(self.started_at),
            "finished_at": iso(utc_now()),
            "duration_s": round(time.monotonic() - self.started, 3),
            "requests": fetcher.requests_sent,
            "bytes_received": fetcher.bytes_received,
            "discovered": self.discovered,
            "discovery_pages": self.discovery_pages,
            "counts": dict(sorted(self.counts.items())),
            "failed": len(self.failures) + len(self.discovery_failures),
            "failures": self.failures,
            "discovery_failures": self.discovery_failures,
            "disallowed": self.disallowed,
            "interrupted": self.interrupted,
            "exit_code": self.exit_code(),
        }


def run_fetch(options: RunOptions, out: TextIO | None = None) -> int:
    """Run the fetch stage; the summary goes to out (default: stdout)."""
    out = out or sys.stdout
    if options.dry_run:
        return _dry_run(options, out)
    try:
        with DirectoryLock(options.raw_dir), _sigterm_as_interrupt():
            return _Harvest(options, out).run()
    except LockedError as exc:
        print(f"error: {exc}. Another fetch is still running on this raw directory; "
              "try again when it has finished.", file=sys.stderr)
        return EXIT_LOCKED


class _sigterm_as_interrupt:
    """SIGTERM (cron's timeout, systemd stop) ends the run like Ctrl-C: report written, state kept."""

    def __enter__(self) -> None:
        self._previous = None
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGTERM, _raise_interrupt)

    def __exit__(self, *exc: object) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGTERM, self._previous)


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _candidates(options: RunOptions, fetcher: Fetcher) -> tuple[Iterable[Candidate], Discoverer | None]:
    if options.urls:
        return [Candidate(url, via=COMMAND_LINE) for url in options.urls], None
    discoverer = Discoverer(options.source, fetcher.get)
    return discoverer.candidates(), discoverer


def run_partition(options: RunOptions, out: TextIO) -> int:
    """run_fetch for one partition of a cluster fetch (pipeline.cluster_fetch), beside others in one raw directory.

    The cluster's driver holds the raw directory's lock and sweeps its temp files once, before any partition
    starts: taking the lock here would shut the other partitions out, and sweeping would delete their temp
    files mid-write. Partitions write disjoint sites, each with a crawl state of its own.
    """
    return _Harvest(options, out, sweep=False).run()


class _Harvest:
    def __init__(self, options: RunOptions, out: TextIO, sweep: bool = True):
        self.options = options
        self.sweep = sweep
        self.out = out
        self.source = options.source
        self.report = Report(options.source.name, options.source.site, options.source.base_url, False)
        self.store = PageStore(options.raw_dir, options.source.site)
        self._claims: dict[str, str] = {}      # local id -> page key, for this run
        self._claims_lock = threading.Lock()
        self.state: CrawlState
        self.fetcher: Fetcher

    def run(self) -> int:
        removed = remove_stale_temp_files(self.options.raw_dir) if self.sweep else 0
        if removed:
            log.info("removed %d temp files left by an interrupted run", removed)
        self.state = CrawlState(self.options.state_path)
        self.fetcher = Fetcher(self.source)
        bar = tqdm(total=self.options.max_pages, unit="page", disable=not self.options.progress,
                   file=sys.stderr, dynamic_ncols=True)
        candidates, discoverer = _candidates(self.options, self.fetcher)
        try:
            self._harvest(candidates, bar)
        except KeyboardInterrupt:
            self.report.interrupted = True
            log.warning("interrupted: finished pages are saved; the next run resumes")
        finally:
            bar.close()
            if discoverer is not None:
                self.report.note_discovery(discoverer)
            self.fetcher.close()
            self.state.close()
        return self._finish()

    def _harvest(self, candidates: Iterable[Candidate], bar: tqdm) -> None:
        workers = self.source.politeness.concurrency
        submitted = 0
        pending: dict[Future[tuple[str, str | None]], Candidate] = {}
        executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fetch")
        try:
            for candidate in candidates:
                self.report.discovered += 1
                known, decision = decide(candidate, self.state, self.store, self.options)
                if not decision.fetch:
                    self.report.add(SKIPPED, candidate.url)
                    log.debug("skip %s: %s", redact_url(candidate.url), decision.reason)
                    continue
                pending[executor.submit(self._fetch_and_settle, candidate.url, known, decision)] = candidate
                submitted += 1
                while len(pending) >= 2 * workers:
                    self._settle_some(pending, bar)
                if self.options.max_pages is not None and submitted >= self.options.max_pages:
                    log.info("--max-pages %d reached", self.options.max_pages)
                    break
            while pending:
                self._settle_some(pending, bar)
        except BaseException:
            # Pages already in flight finish (stored and recorded together); queued ones are dropped.
            executor.shutdown(wait=True, cancel_futures=True)
            settled = [future for future in pending
                       if future.done() and not future.cancelled() and future.exception() is None]
            self._collect(settled, pending, bar)
            raise
        executor.shutdown(wait=True)

    def _settle_some(self, pending: dict[Future[tuple[str, str | None]], Candidate], bar: tqdm) -> None:
        done, _ = wait(pending, return_when=FIRST_COMPLETED)
        self._collect(done, pending, bar)

    def _collect(self, done: Iterable[Future[tuple[str, str | None]]],
                 pending: dict[Future[tuple[str, str | None]], Candidate], bar: tqdm) -> None:
        for future in done:
            candidate = pending.pop(future)
            outcome, reason = future.result()
            self.report.add(outcome, candidate.url, reason)
            bar.update(1)
            bar.set_postfix(self.report.counts, refresh=False)
            if not self.options.progress:
                log.info("%s %s%s", outcome, redact_url(candidate.url), f" ({reason})" if reason else "")

    def _fetch_and_settle(self, url: str, known: PageState | None, decision: Plan) -> tuple[str, str | None]:
        """In a worker thread: fetch, judge, store and record one page; (outcome, reason)."""
        conditional = decision.conditional and known is not None
        result = self.fetcher.get(url, etag=known.etag if conditional and known else None,
                                  last_modified=known.last_modified if conditional and known else None)
        return self._settle(url, known, result)

    def _settle(self, url: str, known: PageState | None, result: FetchResult) -> tuple[str, str | None]:
        now = utc_now()
        site, key = self.source.site, page_key(url)
        if not result.ok:
            kind = result.error_kind or NETWORK_ERROR
            self.state.record_failure(site, key, url, status=result.status, outcome=kind,
                                      reason=result.error or "", attempts=result.attempts, when=now)
            return kind, result.error
        status = result.status or 0
        if status == 304 and known is not None and known.has_document and known.local_id:
            self.state.record_document(
                site, key, url, known.local_id, etag=result.headers.get("etag", known.etag),
                last_modified=result.headers.get("last-modified", known.last_modified),
                sha256=known.sha256 or "", status=status, outcome=UNCHANGED, saved=False,
                attempts=result.attempts, when=now)
            return UNCHANGED, None
        verdict = classify(status, result.headers, result.body, result.final_url)
        if not verdict.is_document:
            self.state.record_failure(site, key, url, status=status, outcome=verdict.outcome,
                                      reason=verdict.reason, attempts=result.attempts, when=now)
            return verdict.outcome, verdict.reason
        sha256 = hashlib.sha256(result.body).hexdigest()
        local_id = self._local_id(url, key, known)
        same = known is not None and known.sha256 == sha256 and known.local_id == local_id
        if same and self.store.has(local_id):
            outcome = UNCHANGED
        else:
            page = Page(url, result.final_url, status, result.headers, result.body, iso(now) or "")
            written = self.store.save(local_id, page)
            outcome = CHANGED if known is not None and known.has_document and written else (
                NEW if written else UNCHANGED)
        self.state.record_document(
            site, key, url, local_id, etag=result.headers.get("etag"),
            last_modified=result.headers.get("last-modified"), sha256=sha256, status=status, outcome=outcome,
            saved=outcome != UNCHANGED, attempts=result.attempts, when=now)
        return outcome, None

    def _local_id(self, url: str, key: str, known: PageState | None) -> str:
        """The page's file name, kept once given; a second page with the same name gets a hashed one.

        Names are claimed under a lock: two workers must not both take a free name for two pages.
        """
        if known is not None and known.local_id:
            return known.local_id
        local_id = document_id(url, self.source.site)
        with self._claims_lock:
            owner = self._claims.get(local_id) or self.state.owner_of(self.source.site, local_id)
            if owner is not None and owner != key:
                local_id = f"{local_id}-{key_hash(key)}"
            self._claims[local_id] = key
        return local_id

    def _finish(self) -> int:
        data = self.report.to_dict(self.fetcher)
        report_path = self.options.state_path.parent / REPORT_NAME
        atomic_write_bytes(report_path, (json.dumps(data, indent=2) + "\n").encode("utf-8"))
        if not self.options.quiet or self.report.failed or self.report.interrupted:
            _print_summary(data, report_path, self.out)
        return self.report.exit_code()


def _print_summary(data: dict, report_path: Path | None, out: TextIO) -> None:
    counts = data["counts"]
    parts = [f"{n} {name}" for name, n in counts.items()] or ["nothing to do"]
    megabytes = data["bytes_received"] / 1_000_000
    print(f"fetch {data['source']}: {', '.join(parts)} in {data['duration_s']:.1f}s "
          f"({data['requests']} requests, {megabytes:.1f} MB)", file=out)
    for failure in data["discovery_failures"]:
        print(f"  discovery failed  {failure['url']}  {failure['reason']}", file=out)
    for failure in data["failures"]:
        print(f"  {failure['outcome']:<18} {failure['url']}  {failure['reason']}", file=out)
    if data["interrupted"]:
        print("  interrupted: rerun to resume", file=out)
    if report_path is not None:
        print(f"report: {report_path}", file=out)


def _dry_run(options: RunOptions, out: TextIO) -> int:
    """List what a run would fetch, and why; discovery still reads listings and sitemaps."""
    state = CrawlState.read_only(options.state_path)
    fetcher = Fetcher(options.source)
    store = PageStore(options.raw_dir, options.source.site)
    report = Report(options.source.name, options.source.site, options.source.base_url, True)
    candidates, discoverer = _candidates(options, fetcher)
    would = 0
    try:
        for candidate in candidates:
            report.discovered += 1
            _known, decision = decide(candidate, state, store, options)
            if not decision.fetch:
                report.add(SKIPPED, candidate.url)
                continue
            print(f"{candidate.url}\t{decision.reason}", file=out)
            report.add(WOULD_FETCH, candidate.url)
            would += 1
            if options.max_pages is not None and would >= options.max_pages:
                break
    finally:
        fetcher.close()
        state.close()
    if discoverer is not None:
        report.note_discovery(discoverer)
    _print_summary(report.to_dict(fetcher), None, out)
    return report.exit_code()

