"""Crawl state in SQLite: what each URL gave last time, so reruns ask conditionally or not at all.

One row per page, committed as soon as the page is settled, so a run killed at any moment resumes
with everything that was finished before it. A page is known by its site and its URL path (with
query): the same document served from a mirror host or a test server is the same page.
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS pages (
    site          TEXT NOT NULL,
    key           TEXT NOT NULL,  -- the URL's path and query
    url           TEXT NOT NULL,  -- the URL last requested for it
    local_id      TEXT,
    etag          TEXT,
    last_modified TEXT,
    sha256        TEXT,
    status        INTEGER,
    outcome       TEXT NOT NULL,
    reason        TEXT,
    last_fetched  TEXT,           -- ISO 8601 UTC of the last request that got an answer
    last_saved    TEXT,           -- when the stored document last changed on disk
    attempts      INTEGER NOT NULL DEFAULT 0,   -- requests sent for this URL over all runs
    failures      INTEGER NOT NULL DEFAULT 0,   -- consecutive runs that did not get the document
    PRIMARY KEY (site, key)
);
CREATE UNIQUE INDEX IF NOT EXISTS pages_local_id ON pages (site, local_id);
"""


@dataclass(frozen=True)
class PageState:
    site: str
    key: str
    url: str
    local_id: str | None
    etag: str | None
    last_modified: str | None
    sha256: str | None
    status: int | None
    outcome: str
    reason: str | None
    last_fetched: datetime | None
    last_saved: datetime | None
    attempts: int
    failures: int

    @property
    def has_document(self) -> bool:
        return self.sha256 is not None and self.local_id is not None


def utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


def _parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


class CrawlState:
    """The state database; one connection shared by the run's threads behind a lock."""

    def __init__(self, path: Path | None):
        """path None (or a dry run's missing file) gives a throwaway in-memory state."""
        self.path = path
        target = ":memory:" if path is None else str(path)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(target, check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()
        with self._lock:
            if path is not None:
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)

    @classmethod
    def read_only(cls, path: Path) -> CrawlState:
        """For dry runs: the existing state copied into memory, nothing written back."""
        state = cls(None)
        if path.exists():
            source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            try:
                source.backup(state._db)
            finally:
                source.close()
        return state

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def get(self, site: str, key: str) -> PageState | None:
        with self._lock:
            row = self._db.execute(
                "SELECT site, key, url, local_id, etag, last_modified, sha256, status, outcome, reason, "
                "last_fetched, last_saved, attempts, failures FROM pages WHERE site = ? AND key = ?",
                (site, key)).fetchone()
        if row is None:
            return None
        return PageState(*row[:10], _parse(row[10]), _parse(row[11]), row[12], row[13])

    def owner_of(self, site: str, local_id: str) -> str | None:
        """The key of the page that already stores its document under local_id, if any."""
        with self._lock:
            row = self._db.execute("SELECT key FROM pages WHERE site = ? AND local_id = ?",
                                   (site, local_id)).fetchone()
        return row[0] if row else None

    def record_document(self, site: str, key: str, url: str, local_id: str, *, etag: str | None,
                        last_modified: str | None, sha256: str, status: int, outcome: str,
                        saved: bool, attempts: int, when: datetime) -> None:
        """A document page was fetched (or confirmed unchanged)."""
        with self._lock:
            self._db.execute(
                """INSERT INTO pages (site, key, url, local_id, etag, last_modified, sha256, status, outcome,
                                      reason, last_fetched, last_saved, attempts, failures)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, 0)
                   ON CONFLICT (site, key) DO UPDATE SET
                     url = excluded.url, local_id = excluded.local_id, etag = excluded.etag,
                     last_modified = excluded.last_modified, sha256 = excluded.sha256,
                     status = excluded.status, outcome = excluded.outcome, reason = NULL,
                     last_fetched = excluded.last_fetched,
                     last_saved = COALESCE(excluded.last_saved, pages.last_saved),
                     attempts = pages.attempts + excluded.attempts, failures = 0""",
                (site, key, url, local_id, etag, last_modified, sha256, status, outcome, iso(when),
                 iso(when) if saved else None, attempts))

    def record_failure(self, site: str, key: str, url: str, *, status: int | None, outcome: str,
                       reason: str, attempts: int, when: datetime) -> None:
        """The page gave no document this time; what was stored before stays as it was."""
        with self._lock:
            self._db.execute(
                """INSERT INTO pages (site, key, url, status, outcome, reason, last_fetched, attempts,
                                      failures)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1)
                   ON CONFLICT (site, key) DO UPDATE SET
                     url = excluded.url, status = excluded.status, outcome = excluded.outcome,
                     reason = excluded.reason,
                     last_fetched = excluded.last_fetched, attempts = pages.attempts + excluded.attempts,
                     failures = pages.failures + 1""",
                (site, key, url, status, outcome, reason, iso(when), attempts))
