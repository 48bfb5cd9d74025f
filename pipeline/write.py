"""Write stage: records, records.jsonl, errors.jsonl and manifest.json in the output directory.

Every file is written atomically and only when its bytes change, so a rerun with nothing new leaves
the directory untouched (same bytes, same mtimes). A run keeps each page's result in a hidden staging
folder until it publishes them all at the end: a run killed before then leaves the published output as
the last complete run made it, and the next run picks up the staged work. While publishing, a marker
file says that record files and collections may disagree.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pipeline import SCHEMA_VERSION, __version__
from pipeline.storage import atomic_write_bytes, atomic_write_chunks, inside, remove_stale_temp_files, safe_name

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
    """The normalized/ directory of one run."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        remove_stale_temp_files(self.root)

    def write_record(self, record: dict[str, Any]) -> tuple[Path, bool]:
        path = record_path(self.root, record["id"])
        return path, atomic_write_bytes(path, dumps(record))

    def _staged_path(self, page: str) -> Path:
        name = hashlib.sha256(page.encode("utf-8", "surrogatepass")).hexdigest()[:32]
        return self.root / STAGING_DIR / f"{name}.json"

    def stage(self, page: str, key: str, result: dict[str, Any]) -> None:
        """Keep one page's result (record or error entry) until the run publishes."""
        entry = {"page": page, "key": key, **result}
        atomic_write_bytes(self._staged_path(page), dumps_line(entry), durable=False)

    def staged(self, page: str, key: str) -> dict[str, Any] | None:
        """A result staged for this page from these very inputs (same key), by this run or a killed one."""
        try:
            entry = json.loads(self._staged_path(page).read_bytes())
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
        marker = self.root / PUBLISHING_MARKER
        since = datetime.now(UTC).isoformat(timespec="seconds")
        atomic_write_bytes(marker, dumps({"pid": os.getpid(), "since": since}))
        yield
        shutil.rmtree(self.root / STAGING_DIR, ignore_errors=True)
        marker.unlink()

    def remove_orphans(self, keep: set[Path]) -> list[Path]:
        """Records whose raw page is gone: the output mirrors the raw directory."""
        removed = []
        for path in record_files(self.root):
            if path not in keep:
                path.unlink()
                removed.append(path)
        return removed

    def write_collections(self, records: Iterable[tuple[str, Path]], errors: list[dict[str, Any]], pages: int) -> None:
        """records.jsonl (sorted by id), errors.jsonl (sorted by page) and manifest.json.

        records.jsonl is streamed from the record files so memory stays flat however many there are.
        """
        ordered = sorted(records)
        atomic_write_chunks(
            self.root / RECORDS_FILE,
            (dumps_line(json.loads(path.read_bytes())) for _, path in ordered),
        )
        errors = sorted(errors, key=lambda e: (e["page"], e["stage"]))
        atomic_write_bytes(self.root / ERRORS_FILE, b"".join(dumps_line(e) for e in errors))
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
        atomic_write_bytes(self.root / MANIFEST_FILE, dumps(manifest))
