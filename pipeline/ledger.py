"""The run's ledger: one row per page, kept in a temporary SQLite file instead of in memory.

A run over a million pages must not hold a million keys, outcomes and index entries in the driver:
the ledger holds them on disk (SQLite's page cache is bounded), and the runner streams them back in
page order when it publishes. It is SQLite's private temporary database: a file in the system's temp
directory that SQLite unlinks as soon as it is opened, so not even a killed run leaves it behind; nothing
in it is needed after a kill, since staged results and the published index are what a resumed run
starts from.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

# SQLite's page cache, in KiB (negative cache_size): the ledger's whole footprint in memory.
CACHE_KIB = 512
# Rows fetched from a cursor at a time while streaming.
FETCH_ROWS = 512

_SCHEMA = """
CREATE TABLE previous (
    page TEXT PRIMARY KEY, key TEXT, stamp TEXT, id TEXT, file TEXT, sha256 TEXT, file_stamp TEXT
) WITHOUT ROWID;
CREATE TABLE pages (
    page TEXT PRIMARY KEY, key TEXT, stamp TEXT, path BLOB,
    state TEXT NOT NULL,          -- todo, unchanged (as the last run published it), done, failed
    id TEXT, error TEXT
) WITHOUT ROWID;
CREATE INDEX previous_id ON previous (id);
CREATE TABLE queue (page TEXT PRIMARY KEY, key TEXT, path BLOB) WITHOUT ROWID;
CREATE TABLE resumed (page TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE published (
    page TEXT PRIMARY KEY, key TEXT, stamp TEXT, id TEXT UNIQUE, file TEXT, sha256 TEXT, file_stamp TEXT
) WITHOUT ROWID;
CREATE INDEX published_file ON published (file);
"""


@dataclass(frozen=True)
class IndexEntry:
    """What the last run published for a page: the key it was made from and the record file it wrote.

    stamp is a cheap fingerprint of the page's files (sizes and modification times) taken with the
    key: while it holds, the key does too and the page is not hashed again; file_stamp is the same for
    the record file. Both are None where no such fingerprint exists (pages behind a URL).
    """

    page: str
    key: str
    id: str
    file: str
    sha256: str
    stamp: str | None = None
    file_stamp: str | None = None

    @classmethod
    def from_json(cls, value: Any) -> IndexEntry | None:
        """An entry of the index file, or None for a line that is not one (the index is only a cache)."""
        if not isinstance(value, dict):
            return None
        texts = [value.get(name) for name in ("page", "key", "id", "file", "sha256")]
        if not all(isinstance(text, str) for text in texts):
            return None
        stamps = [value.get(name) if isinstance(value.get(name), str) else None for name in ("stamp", "file_stamp")]
        return cls(*texts, *stamps)

    def to_json(self) -> dict[str, str]:
        entry = {"page": self.page, "key": self.key, "id": self.id, "file": self.file, "sha256": self.sha256}
        if self.stamp:
            entry["stamp"] = self.stamp
        if self.file_stamp:
            entry["file_stamp"] = self.file_stamp
        return entry


class Ledger:
    """Pages of one run, their keys and outcomes, and the index being published."""

    def __init__(self) -> None:
        # "": a private temporary database on disk (not in memory), gone when the connection closes. Rows
        # are read back only by this run: no journal and no syncs.
        self.db = sqlite3.connect("", isolation_level=None)
        for pragma in ("journal_mode = OFF", "synchronous = OFF", "temp_store = FILE",
                       f"cache_size = -{CACHE_KIB}"):
            self.db.execute(f"PRAGMA {pragma}")
        self.db.executescript(_SCHEMA)
        self.db.execute("BEGIN")

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- The last run's index.

    def load_previous(self, entries: Iterable[IndexEntry]) -> None:
        self.db.executemany(
            "INSERT OR REPLACE INTO previous VALUES (?, ?, ?, ?, ?, ?, ?)",
            ((e.page, e.key, e.stamp, e.id, e.file, e.sha256, e.file_stamp) for e in entries),
        )

    def previous(self, page: str) -> IndexEntry | None:
        row = self.db.execute(
            "SELECT page, key, id, file, sha256, stamp, file_stamp FROM previous WHERE page = ?", (page,)
        ).fetchone()
        return IndexEntry(*row) if row else None

    def previous_key(self, page: str, stamp: str) -> str | None:
        """The key the last run took for this page, if its files still carry the same stamp."""
        row = self.db.execute("SELECT key FROM previous WHERE page = ? AND stamp = ?", (page, stamp)).fetchone()
        return row[0] if row else None

    # --- This run's pages.

    def add(self, page: str, key: str | None, stamp: str | None, path: str, state: str,
            record_id: str | None = None, error: dict[str, str] | None = None) -> None:
        """Record a page found in the raw directory (an unchanged one with the id of its record)."""
        self.db.execute(
            "INSERT OR REPLACE INTO pages VALUES (?, ?, ?, ?, ?, ?, ?)",
            (page, key, stamp, os.fsencode(path), state, record_id, _dumps(error)),
        )

    def set_outcome(self, page: str, state: str, key: str | None, record_id: str | None = None,
                    error: dict[str, str] | None = None) -> None:
        """The page's outcome, and its key as the worker that made it took it."""
        self.db.execute("UPDATE pages SET state = ?, key = ?, id = ?, error = ? WHERE page = ?",
                        (state, key, record_id, _dumps(error), page))

    def key(self, page: str) -> str | None:
        row = self.db.execute("SELECT key FROM pages WHERE page = ?", (page,)).fetchone()
        return row[0] if row else None

    def queue_todo(self) -> None:
        """Copy the pages still to make into the queue, where they are read while their outcomes come in:
        SQLite leaves undefined what a cursor sees of a table changed under it."""
        self.db.execute("INSERT INTO queue SELECT page, key, path FROM pages WHERE state = 'todo'")

    def queued(self) -> Iterator[tuple[str, str, str]]:
        """(page, key, path) of the queued pages, in page order."""
        cursor = self.db.execute("SELECT page, key, path FROM queue ORDER BY page")
        for page, key, path in _rows(cursor):
            yield page, key, os.fsdecode(path)

    def mark_resumed(self, page: str) -> None:
        self.db.execute("INSERT OR IGNORE INTO resumed VALUES (?)", (page,))

    def drop_resumed(self) -> int:
        """Take the pages whose staged results were taken over out of the queue; how many remain."""
        self.db.execute("DELETE FROM queue WHERE page IN (SELECT page FROM resumed)")
        return self.db.execute("SELECT count(*) FROM queue").fetchone()[0]

    def outcomes(self) -> Iterator[tuple[str, str | None, str | None, str, str | None, dict[str, str] | None]]:
        """(page, key, stamp, state, record id, error entry) of every page, in page order."""
        cursor = self.db.execute("SELECT page, key, stamp, state, id, error FROM pages ORDER BY page")
        for page, key, stamp, state, record_id, error in _rows(cursor):
            yield page, key, stamp, state, record_id, json.loads(error) if error else None

    # --- What this run publishes.

    def owner(self, record_id: str) -> str | None:
        """The page whose record already has this id in the new index."""
        row = self.db.execute("SELECT page FROM published WHERE id = ?", (record_id,)).fetchone()
        return row[0] if row else None

    def publish(self, entry: IndexEntry) -> None:
        self.db.execute(
            "INSERT INTO published VALUES (?, ?, ?, ?, ?, ?, ?)",
            (entry.page, entry.key, entry.stamp, entry.id, entry.file, entry.sha256, entry.file_stamp),
        )

    def is_published_file(self, relative: str) -> bool:
        return self.db.execute("SELECT 1 FROM published WHERE file = ?", (relative,)).fetchone() is not None

    def published(self, order: str = "page") -> Iterator[IndexEntry]:
        """The new index, in page order, or in record id order with order="id"."""
        column = {"page": "page", "id": "id"}[order]
        cursor = self.db.execute(
            f"SELECT page, key, id, file, sha256, stamp, file_stamp FROM published ORDER BY {column}"
        )
        for row in _rows(cursor):
            yield IndexEntry(*row)

    def records_by_id(self) -> Iterator[tuple[IndexEntry, bool]]:
        """The new index in record id order, each entry with whether its record was made in this run."""
        cursor = self.db.execute(
            "SELECT p.page, p.key, p.id, p.file, p.sha256, p.stamp, p.file_stamp, q.state = 'done' "
            "FROM published p JOIN pages q ON q.page = p.page ORDER BY p.id"
        )
        for *row, made in _rows(cursor):
            yield IndexEntry(*row), bool(made)

    def published_by_site(self) -> dict[str, int]:
        rows = self.db.execute(
            "SELECT substr(id, 1, instr(id, ':') - 1) AS site, count(*) FROM published GROUP BY site ORDER BY site"
        )
        return dict(rows.fetchall())

    def same_records_as_before(self) -> bool:
        """Whether the new index lists the very record files (same ids, files and bytes) the last one did."""
        changed = self.db.execute(
            "SELECT count(*) FROM published p LEFT JOIN previous q ON q.id = p.id "
            "WHERE q.id IS NULL OR q.file IS NOT p.file OR q.sha256 IS NOT p.sha256"
        ).fetchone()[0]
        if changed:
            return False
        (now,) = self.db.execute("SELECT count(*) FROM published").fetchone()
        (before,) = self.db.execute("SELECT count(DISTINCT id) FROM previous").fetchone()
        return now == before


def _rows(cursor: sqlite3.Cursor) -> Iterator[tuple[Any, ...]]:
    while True:
        rows = cursor.fetchmany(FETCH_ROWS)
        if not rows:
            return
        yield from rows


def _dumps(error: dict[str, str] | None) -> str | None:
    return None if error is None else json.dumps(error, ensure_ascii=False, sort_keys=True)
