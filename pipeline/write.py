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
from pipeline.storage import inside, safe_name

RECORDS_FILE = "records.jsonl"
ERRORS_FILE = "errors.jsonl"
MANIFEST_FILE = "manifest.json"
STAGING_DIR = ".staging"
PUBLISHING_MARKER = ".publishing"


def dumps(value: Any) -> bytes:
    return (json.dumps(value, ensure_ascii=False, sort_keys=True, indent=2) + "\n").encode("utf-8")


def dumps_line(value: Any) -> bytes:
    return (json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n").encode("utf-8")


def record_path(out_dir: Path, record_id: str) -> Path:
    """normalized/<site>/<local id>.json, with both parts made safe for any file system."""
    site, _, local = record_id.partition(":")
    return inside(Path(out_dir), f"{safe_name(site)}/{safe_name(local)}.json")


def record_files(root: Path) -> list[Path]:
    """<site>/<name>.json under root: never hidden files or folders (temp files, staging), never links."""
    return sorted(
        p for p in Path(root).glob("*/*.json")
        if not p.name.startswith(".") and not p.parent.name.startswith(".")
        and not p.is_symlink() and not p.parent.is_symlink()
    )


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

    def write_record(self, record: dict[str, Any]) -> tuple[str, bool, str]:
        """(relative file, whether its bytes changed, their sha256)."""
        relative = self.record_file(record["id"])
        data = dumps(record)
        return relative, self.tree.write(relative, data), hashlib.sha256(data).hexdigest()

    def intact(self, files: list[tuple[str, str]]) -> list[bool]:
        """For each (relative file, sha256) the last run published: is that file still there, unaltered?"""
        usable = [relative_ok(f) and f.count("/") == 1 and (not isinstance(self.tree, LocalDir)
                                                           or self.tree.is_plain_file(f)) for f, _ in files]
        contents = self.tree.read_many(f for (f, _), ok in zip(files, usable, strict=True) if ok)
        verdicts = []
        for (_, sha256), ok in zip(files, usable, strict=True):
            data = next(contents) if ok else None
            verdicts.append(data is not None and hashlib.sha256(data).hexdigest() == sha256)
        return verdicts

    def read_index(self, name: str) -> dict[str, Any]:
        try:
            index = json.loads(self.tree.read(name))
            return index if isinstance(index, dict) else {}
        except (OSError, ValueError):
            return {}

    def write_file(self, name: str, data: bytes) -> bool:
        return self.tree.write(name, data)

    def _staged_name(self, page: str) -> str:
        return hashlib.sha256(page.encode("utf-8", "surrogatepass")).hexdigest()[:32] + ".json"

    def stage(self, page: str, key: str, result: dict[str, Any]) -> None:
        """Keep one page's result (record or error entry) until the run publishes."""
        entry = {"page": page, "key": key, **result}
        name = self._staged_name(page)
        self.tree.write(f"{STAGING_DIR}/{name}", dumps_line(entry), durable=False)
        self._staged_names.add(name)

    def staged(self, page: str, key: str) -> dict[str, Any] | None:
        """A result staged for this page from these very inputs (same key), by this run or a killed one."""
        name = self._staged_name(page)
        if name not in self._staged_names:
            return None
        try:
            entry = json.loads(self.tree.read(f"{STAGING_DIR}/{name}"))
        except (OSError, ValueError):
            return None
        if not isinstance(entry, dict) or entry.get("page") != page or entry.get("key") != key:
            return None
        return entry

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

    def remove_orphans(self, keep: set[str]) -> list[str]:
        """Records whose raw page is gone: the output mirrors the raw directory."""
        removed = []
        for relative in self._record_files():
            if relative not in keep:
                self.tree.remove(relative)
                removed.append(relative)
        return removed

    def _record_files(self) -> list[str]:
        if isinstance(self.tree, LocalDir):
            return [p.relative_to(self.tree.root).as_posix() for p in record_files(self.tree.root)]
        return sorted(f for f in self.tree.find() if f.count("/") == 1 and f.endswith(".json")
                      and not any(part.startswith(".") for part in f.split("/")))

    def _record_lines(self, files: list[str]) -> Iterator[bytes]:
        for relative, data in zip(files, self.tree.read_many(files), strict=True):
            if data is None:
                raise FileNotFoundError(f"record file {relative} vanished while the run published it")
            yield dumps_line(json.loads(data))

    def write_collections(self, records: Iterable[tuple[str, str]], errors: list[dict[str, Any]], pages: int) -> None:
        """records.jsonl (sorted by id), errors.jsonl (sorted by page) and manifest.json.

        records.jsonl is streamed from the record files so memory stays flat however many there are.
        """
        ordered = sorted(records)
        self.tree.write_chunks(RECORDS_FILE, self._record_lines([relative for _, relative in ordered]))
        errors = sorted(errors, key=lambda e: (e["page"], e["stage"]))
        self.tree.write(ERRORS_FILE, b"".join(dumps_line(e) for e in errors))
        by_site: dict[str, int] = {}
        for record_id, _ in ordered:
            site = record_id.split(":", 1)[0]
            by_site[site] = by_site.get(site, 0) + 1
        manifest = {
            "schema_version": SCHEMA_VERSION,
            "pipeline_version": __version__,
            "pages": pages,
            "records": len(ordered),
            "failed": len(errors),
            "records_by_site": dict(sorted(by_site.items())),
            "records_file": RECORDS_FILE,
            "errors_file": ERRORS_FILE,
        }
        self.tree.write(MANIFEST_FILE, dumps(manifest))
