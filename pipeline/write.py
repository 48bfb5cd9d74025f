"""Write stage: records, records.jsonl, errors.jsonl and manifest.json in the output directory.

Every file is written atomically and only when its bytes change, so a rerun with nothing new leaves
the directory untouched (same bytes, same mtimes). A run keeps each page's result in a hidden staging
folder until it publishes them all at the end: a run killed before then leaves the published output as
the last complete run made it, and the next run picks up the staged work. While publishing, a marker
file says that record files and collections may disagree. The directory may be local or behind an fsspec
URL (see ``pipeline.fsio``); either way this process is its one writer.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pipeline import SCHEMA_VERSION, __version__
from pipeline.fsio import LocalDir, UrlDir, open_dir, relative_ok
from pipeline.ledger import IndexEntry, Ledger
from pipeline.storage import inside, safe_name

RECORDS_FILE = "records.jsonl"
ERRORS_FILE = "errors.jsonl"
MANIFEST_FILE = "manifest.json"
STAGING_DIR = ".staging"
PUBLISHING_MARKER = ".publishing"
# The index of what each page's record was made from: JSON Lines, a header and then one entry per page
# in page order, read and written as a stream.
INDEX_FILE = ".index.jsonl"
INDEX_VERSION = 1
LEGACY_INDEX_FILE = ".index.json"     # the whole index in one JSON object, as versions before 0.2 kept it
# Fields of the index that describe files as they lie on one disk (sizes, modification times).
FILE_STAMP_FIELDS = ("stamp", "file_stamp", "records_file_stamp")


def dumps(value: Any) -> bytes:
    return (json.dumps(value, ensure_ascii=False, sort_keys=True, indent=2) + "\n").encode("utf-8")


def dumps_line(value: Any) -> bytes:
    return (json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n").encode("utf-8")


def index_without_stamps(data: bytes) -> bytes:
    """The index's content without its file stamps: what two output directories with the same records
    share, for comparing them."""
    lines = []
    for line in data.splitlines():
        value = json.loads(line)
        lines.append(dumps_line({k: v for k, v in value.items() if k not in FILE_STAMP_FIELDS}))
    return b"".join(lines)


def record_path(out_dir: Path, record_id: str) -> Path:
    """normalized/<site>/<local id>.json, with both parts made safe for any file system."""
    site, _, local = record_id.partition(":")
    return inside(Path(out_dir), f"{safe_name(site)}/{safe_name(local)}.json")


def record_files(root: Path) -> Iterator[str]:
    """<site>/<name>.json under root as relative paths, in the order the file system lists them: never
    hidden files or folders (temp files, staging), never links. No listing is held in memory."""
    with os.scandir(root) as sites:
        for site in sites:
            if site.name.startswith(".") or not site.is_dir(follow_symlinks=False):
                continue
            with os.scandir(site.path) as names:
                for entry in names:
                    if (entry.name.endswith(".json") and not entry.name.startswith(".")
                            and not entry.is_symlink()):
                        yield f"{site.name}/{entry.name}"


class OutputDir:
    """The normalized/ directory of one run: a local directory or a location behind an fsspec URL.

    Files are named by paths relative to it; the run's process is their only writer.
    """

    def __init__(self, root: str | Path | LocalDir | UrlDir):
        self.tree = root if isinstance(root, LocalDir | UrlDir) else open_dir(root)
        self.tree.make()
        self.tree.sweep_temp_files()
        self._staged_names = set(self.tree.names(STAGING_DIR))

    def record_file(self, record_id: str) -> str:
        """<site>/<local id>.json, both parts made safe; ValueError where a link would lead out of the output."""
        site, _, local = record_id.partition(":")
        relative = f"{safe_name(site)}/{safe_name(local)}.json"
        if isinstance(self.tree, LocalDir):
            inside(self.tree.root, relative)
        return relative

    def write_record(self, record_id: str, data: bytes) -> tuple[str, bool, str]:
        """Write a record's JSON bytes: (relative file, whether its bytes changed, their sha256).

        Atomic, but durable only after ``flush``: a run writes thousands, and one flush of the file
        system costs what a few fsyncs do. Until then the publishing marker stands, and a power cut
        before it costs a redone publish (record files are checked by their sha256 in the index).
        """
        relative = self.record_file(record_id)
        return relative, self.tree.write(relative, data, durable=False), hashlib.sha256(data).hexdigest()

    def flush(self) -> None:
        self.tree.flush()

    def stamp(self, relative: str) -> str | None:
        """A cheap fingerprint of a file as it lies (size and modification time), where the tree has one."""
        return self.tree.stamp(relative) if isinstance(self.tree, LocalDir) else None

    def intact(self, entries: list[IndexEntry]) -> list[bool]:
        """For each record file the last run published: is it still there, unaltered?

        A file whose stamp is the one the index took is not read again; any other is read and hashed.
        """
        usable = [relative_ok(e.file) and e.file.count("/") == 1 and (not isinstance(self.tree, LocalDir)
                                                                     or self.tree.is_plain_file(e.file))
                  for e in entries]
        stamped = [ok and e.file_stamp is not None and self.stamp(e.file) == e.file_stamp
                   for e, ok in zip(entries, usable, strict=True)]
        to_read = [ok and not same for ok, same in zip(usable, stamped, strict=True)]
        contents = self.tree.read_many(e.file for e, read in zip(entries, to_read, strict=True) if read)
        verdicts = []
        for entry, same, read in zip(entries, stamped, to_read, strict=True):
            data = next(contents) if read else None
            verdicts.append(same or (data is not None and hashlib.sha256(data).hexdigest() == entry.sha256))
        return verdicts

    def index_entries(self) -> Iterator[IndexEntry]:
        """The entries of the index the last run published, streamed; nothing when there is none."""
        for value in self._index_lines():
            entry = IndexEntry.from_json(value)
            if entry is not None:
                yield entry

    def index_header(self) -> dict[str, Any]:
        return next((value for value in self._index_lines(header=True) if isinstance(value, dict)), {})

    def _index_lines(self, header: bool = False) -> Iterator[Any]:
        """The index file's entries (or its header line alone); a damaged line is passed over: it costs a
        rerun of its page only."""
        try:
            lines = self.tree.lines(INDEX_FILE)
            first = next(lines, b"")
            for line in [first] if header else lines:
                try:
                    yield json.loads(line)
                except ValueError:
                    continue
        except OSError:
            return

    def write_index(self, entries: Iterable[IndexEntry], records_stamp: str | None) -> None:
        header = {"index_version": INDEX_VERSION, "records_file_stamp": records_stamp}
        self.tree.write_chunks(INDEX_FILE, _chain([dumps_line(header)], (dumps_line(e.to_json()) for e in entries)))
        if self.tree.exists_file(LEGACY_INDEX_FILE):
            self.tree.remove(LEGACY_INDEX_FILE)

    def _staged_name(self, page: str) -> str:
        return hashlib.sha256(page.encode("utf-8", "surrogatepass")).hexdigest()[:32] + ".json"

    def stage(self, page: str, key: str, result: dict[str, Any]) -> None:
        """Keep one page's result until the run publishes: a header line (page, key, and the record's id
        or the error entry), then the record's line of records.jsonl and its bytes as they will be
        published (both as the worker made them: the driver does not parse records)."""
        header = {"page": page, "key": key, **{k: v for k, v in result.items() if k not in ("record", "line")}}
        data = dumps_line(header) + result.get("line", b"") + result.get("record", b"")
        self.tree.write(f"{STAGING_DIR}/{self._staged_name(page)}", data, durable=False)

    def staged(self, page: str, key: str, earlier_run: bool = False) -> dict[str, Any] | None:
        """A result staged for this page from these very inputs (same key): its header, and the record's
        bytes under "record" and its records.jsonl line under "line". earlier_run: only one a killed run
        left (listed when this run began)."""
        name = self._staged_name(page)
        if earlier_run and name not in self._staged_names:
            return None
        try:
            header, _, rest = self.tree.read(f"{STAGING_DIR}/{name}").partition(b"\n")
            entry = json.loads(header)
        except (OSError, ValueError):
            return None
        if not isinstance(entry, dict) or entry.get("page") != page or entry.get("key") != key:
            return None
        if "error" not in entry:
            line, _, record = rest.partition(b"\n")
            if not isinstance(entry.get("id"), str) or not line or not record:
                return None
            entry["line"], entry["record"] = line + b"\n", record
        return entry

    @property
    def has_earlier_staging(self) -> bool:
        """Whether a killed run left staged results when this run began."""
        return bool(self._staged_names)

    @contextmanager
    def publishing(self) -> Iterator[None]:
        """Mark the directory while record files and collections change; clear marker and staging after.

        An exception leaves both in place: the directory stays marked and the next run redoes the publish.
        """
        since = datetime.now(UTC).isoformat(timespec="seconds")
        self.tree.write(PUBLISHING_MARKER, dumps({"pid": os.getpid(), "since": since}))
        yield
        self.tree.remove_tree(STAGING_DIR)
        self._staged_names.clear()
        self.tree.remove(PUBLISHING_MARKER)

    def remove_orphans(self, ledger: Ledger) -> int:
        """Remove the records whose raw page is gone (the output mirrors the raw directory); how many."""
        removed = 0
        for relative in self._record_files():
            if not ledger.is_published_file(relative):
                self.tree.remove(relative)
                removed += 1
        return removed

    def _record_files(self) -> Iterator[str]:
        if isinstance(self.tree, LocalDir):
            yield from record_files(self.tree.root)
            return
        yield from sorted(f for f in self.tree.find() if f.count("/") == 1 and f.endswith(".json")
                          and not any(part.startswith(".") for part in f.split("/")))

    def _record_lines(self, records: Iterable[tuple[IndexEntry, bool]]) -> Iterator[bytes]:
        """records.jsonl's lines: as the workers made them for records made in this run, else from the
        record files."""
        for entry, made in records:
            staged = self.staged(entry.page, entry.key) if made else None
            if staged is not None and "line" in staged:
                yield staged["line"]
                continue
            try:
                data = self.tree.read(entry.file)
            except FileNotFoundError:
                raise FileNotFoundError(f"record file {entry.file} vanished while the run published it") from None
            yield dumps_line(json.loads(data))

    def write_collections(self, ledger: Ledger, errors: list[dict[str, Any]], pages: int) -> str | None:
        """records.jsonl (sorted by id), errors.jsonl (sorted by page) and manifest.json; the stamp of
        records.jsonl.

        records.jsonl is streamed from the record files so memory stays flat however many there are, and
        left alone when it already holds the very records the last run published.
        """
        stamp = self.stamp(RECORDS_FILE)
        unchanged = (stamp is not None and ledger.same_records_as_before()
                     and self.index_header().get("records_file_stamp") == stamp)
        if not unchanged:
            self.tree.write_chunks(RECORDS_FILE, self._record_lines(ledger.records_by_id()))
            stamp = self.stamp(RECORDS_FILE)
        errors = sorted(errors, key=lambda e: (e["page"], e["stage"]))
        self.tree.write(ERRORS_FILE, b"".join(dumps_line(e) for e in errors))
        by_site = ledger.published_by_site()
        manifest = {
            "schema_version": SCHEMA_VERSION,
            "pipeline_version": __version__,
            "pages": pages,
            "records": sum(by_site.values()),
            "failed": len(errors),
            "records_by_site": by_site,
            "records_file": RECORDS_FILE,
            "errors_file": ERRORS_FILE,
        }
        self.tree.write(MANIFEST_FILE, dumps(manifest))
        return stamp


def _chain(*parts: Iterable[bytes]) -> Iterator[bytes]:
    for part in parts:
        yield from part
