"""The normalize job: compose clean -> extract -> write over a raw directory.

The runner owns I/O, parallelism, progress and bookkeeping: every page read ends as exactly one record
or one entry in errors.jsonl. Pages whose bytes, sidecar and pipeline code are unchanged since the last
run are skipped by hash, so a rerun with nothing new does no parsing and rewrites nothing.
"""

from __future__ import annotations

import hashlib
import json
import logging
import signal
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from tqdm import tqdm

import pipeline
from pipeline.clean import clean
from pipeline.extract.record import extract
from pipeline.models import PipelineError
from pipeline.rawpages import discover, load_page, sidecar_path
from pipeline.storage import DirectoryLock, atomic_write_bytes
from pipeline.write import OutputDir, dumps

log = logging.getLogger(__name__)

INDEX_FILE = ".index.json"
DEFAULT_PAGE_BUDGET = 30.0


class PageTimeout(PipelineError):
    stage = "budget"


@contextmanager
def time_budget(seconds: float | None) -> Iterator[None]:
    """Abort a page that takes longer than its budget (SIGALRM: main thread of a process only)."""
    if not seconds or not hasattr(signal, "setitimer"):
        yield
        return

    def expire(signum, frame):
        raise PageTimeout(f"page took longer than its {seconds:g} s budget")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """A hash of the pipeline's own code and schema: records made by other code are rebuilt."""
    digest = hashlib.sha256(pipeline.__version__.encode())
    root = Path(pipeline.__file__).parent
    for path in sorted(root.rglob("*")):
        if path.suffix in {".py", ".json"} and "__pycache__" not in path.parts:
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def page_key(path: Path) -> str:
    """What a record depends on: the page bytes, its sidecar, and the code."""
    digest = hashlib.sha256(code_fingerprint().encode())
    digest.update(path.read_bytes())
    sidecar = sidecar_path(path)
    if sidecar.exists():
        digest.update(sidecar.read_bytes())
    return digest.hexdigest()


def error_entry(page: str, stage: str, error: BaseException) -> dict[str, str]:
    return {"page": page, "stage": stage, "error": type(error).__name__, "message": str(error) or repr(error)}


def process_page(raw_dir: str, path: str, display_root: str | None, budget: float | None) -> dict[str, Any]:
    """Clean and extract one page; a pure function of the files, safe to run in a worker process."""
    relative = Path(path).relative_to(raw_dir).as_posix()
    try:
        with time_budget(budget):
            page, warnings = load_page(Path(raw_dir), Path(path), Path(display_root) if display_root else None)
            doc = clean(page)
            record = extract(doc, page)
        record.provenance.warnings[:0] = warnings
        return {"page": relative, "record": record.to_dict()}
    except PipelineError as error:
        return {"page": relative, "error": error_entry(relative, error.stage, error)}
    except (OSError, ValueError, RecursionError, MemoryError) as error:
        stage = "read" if isinstance(error, OSError) else "clean"
        return {"page": relative, "error": error_entry(relative, stage, error)}
    except Exception as error:  # a bug must cost one page, never the run
        log.exception("unexpected failure on %s", relative)
        return {"page": relative, "error": error_entry(relative, "internal", error)}


@dataclass
class RunSummary:
    pages: int = 0
    written: int = 0
    unchanged: int = 0
    skipped: int = 0
    failed: int = 0
    removed: int = 0
    seconds: float = 0.0
    errors: list[dict[str, str]] = field(default_factory=list)

    @property
    def records(self) -> int:
        return self.written + self.unchanged

    def line(self) -> str:
        return (
            f"pages read: {self.pages}, records written: {self.written}, unchanged: {self.unchanged}, "
            f"failed: {self.failed}" + (f", removed: {self.removed}" if self.removed else "")
            + f" ({self.seconds:.1f} s)"
        )


def _load_index(out_dir: Path) -> dict[str, dict[str, str]]:
    try:
        index = json.loads((out_dir / INDEX_FILE).read_text(encoding="utf-8"))
        return index if isinstance(index, dict) else {}
    except (OSError, ValueError):
        return {}


def _results(tasks: list[tuple[str, str, str | None, float | None]], workers: int) -> Iterator[dict[str, Any]]:
    if workers <= 1 or len(tasks) < 2:
        for task in tasks:
            yield process_page(*task)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        chunksize = max(1, min(64, len(tasks) // (workers * 8)))
        yield from pool.map(process_page, *zip(*tasks, strict=True), chunksize=chunksize)


def normalize(
    raw_dir: Path,
    out_dir: Path,
    workers: int = 1,
    budget: float | None = DEFAULT_PAGE_BUDGET,
    progress: bool | None = None,
    display_root: Path | None = None,
) -> RunSummary:
    """Clean, extract and write every page under raw_dir into out_dir."""
    started = time.monotonic()
    raw_dir, out_dir = Path(raw_dir).resolve(), Path(out_dir).resolve()
    if not raw_dir.is_dir():
        raise FileNotFoundError(f"raw directory not found: {raw_dir}")
    out_dir.mkdir(parents=True, exist_ok=True)
    with DirectoryLock(out_dir):
        return _normalize_locked(raw_dir, out_dir, workers, budget, progress, display_root, started)


def _normalize_locked(raw_dir, out_dir, workers, budget, progress, display_root, started) -> RunSummary:
    output = OutputDir(out_dir)
    previous = _load_index(out_dir)
    summary = RunSummary()
    index: dict[str, dict[str, str]] = {}
    records: dict[str, Path] = {}
    owners: dict[str, str] = {}
    tasks = []
    for path in discover(raw_dir):
        relative = path.relative_to(raw_dir).as_posix()
        summary.pages += 1
        try:
            key = page_key(path)
        except OSError as error:
            summary.errors.append(error_entry(relative, "read", error))
            continue
        known = previous.get(relative)
        if known and known.get("key") == key and (out_dir / known["file"]).exists() and known["id"] not in owners:
            index[relative] = known
            records[known["id"]] = out_dir / known["file"]
            owners[known["id"]] = relative
            summary.unchanged += 1
            summary.skipped += 1
            continue
        tasks.append((str(raw_dir), str(path), str(display_root) if display_root else None, budget, key))

    show_bar = sys.stderr.isatty() if progress is None else progress
    bar = tqdm(total=len(tasks), unit="page", disable=not show_bar, file=sys.stderr, desc="normalize")
    keys = {Path(t[1]).relative_to(raw_dir).as_posix(): t[4] for t in tasks}
    for done, result in enumerate(_results([t[:4] for t in tasks], workers), start=1):
        bar.update(1)
        if not show_bar and done % 1000 == 0:
            log.info("normalized %d of %d pages", done, len(tasks))
        page = result["page"]
        if "error" in result:
            summary.errors.append(result["error"])
            continue
        record = result["record"]
        if record["id"] in owners:
            summary.errors.append({
                "page": page, "stage": "write", "error": "DuplicateRecordId",
                "message": f"record id {record['id']} is already produced by {owners[record['id']]}",
            })
            continue
        path, changed = output.write_record(record)
        owners[record["id"]] = page
        records[record["id"]] = path
        index[page] = {"key": keys[page], "id": record["id"], "file": path.relative_to(out_dir).as_posix()}
        if changed:
            summary.written += 1
        else:
            summary.unchanged += 1
    bar.close()

    summary.failed = len(summary.errors)
    summary.removed = len(output.remove_orphans(set(records.values())))
    output.write_collections(records.items(), summary.errors, summary.pages)
    atomic_write_bytes(out_dir / INDEX_FILE, dumps(dict(sorted(index.items()))))
    summary.seconds = time.monotonic() - started
    return summary

