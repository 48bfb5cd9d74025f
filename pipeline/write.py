"""Write stage: records, records.jsonl, errors.jsonl and manifest.json in the output directory.

Every file is written atomically and only when its bytes change, so a rerun with nothing new leaves
the directory untouched (same bytes, same mtimes).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pipeline import SCHEMA_VERSION, __version__
from pipeline.storage import atomic_write_bytes, atomic_write_chunks, inside, remove_stale_temp_files, safe_name

RECORDS_FILE = "records.jsonl"
ERRORS_FILE = "errors.jsonl"
MANIFEST_FILE = "manifest.json"


def dumps(value: Any) -> bytes:
    return (json.dumps(value, ensure_ascii=False, sort_keys=True, indent=2) + "\n").encode("utf-8")


def dumps_line(value: Any) -> bytes:
    return (json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n").encode("utf-8")


def record_path(out_dir: Path, record_id: str) -> Path:
    """normalized/<site>/<local id>.json, with both parts made safe for any file system."""
    site, _, local = record_id.partition(":")
    return inside(Path(out_dir), f"{safe_name(site)}/{safe_name(local)}.json")


class OutputDir:
    """The normalized/ directory of one run."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        remove_stale_temp_files(self.root)

    def write_record(self, record: dict[str, Any]) -> tuple[Path, bool]:
        path = record_path(self.root, record["id"])
        return path, atomic_write_bytes(path, dumps(record))

    def record_files(self) -> list[Path]:
        return sorted(p for p in self.root.glob("*/*.json") if not p.name.startswith("."))

    def remove_orphans(self, keep: set[Path]) -> list[Path]:
        """Records whose raw page is gone: the output mirrors the raw directory."""
        removed = []
        for path in self.record_files():
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
