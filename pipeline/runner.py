"""The normalize job: compose clean -> extract -> write over a raw directory.

The runner owns I/O, parallelism, progress and bookkeeping: every page read ends as exactly one record
or one entry in errors.jsonl. Pages whose bytes, sidecar and pipeline code are unchanged since the last
run are skipped by hash, so a rerun with nothing new does no parsing and rewrites nothing. Results are
staged as they come and published together at the end (see ``pipeline.write``): a run killed at any
moment loses no finished work and never leaves a half-written file.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import signal
import sys
import threading
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
from pipeline.models import DuplicateRecordIdError, InvalidRecordError, PipelineError
from pipeline.rawpages import check_page, discover, display_path, load_page, page_label, read_sidecar
from pipeline.storage import DirectoryLock, atomic_write_bytes, file_sha256
from pipeline.validate import record_problems
from pipeline.write import OutputDir, dumps

log = logging.getLogger(__name__)

INDEX_FILE = ".index.json"
DEFAULT_PAGE_BUDGET = 30.0
# How often a worker process checks that the run that started it is still alive.
ORPHAN_CHECK_SECONDS = 0.5
TRANSIENT_ERRORS = frozenset({"PageTimeout", "MemoryError"})


class PageTimeout(PipelineError):
    """A page ran over its time budget; its error entry names the stage it was in."""


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


def page_key(raw_dir: Path, path: Path, shown: str) -> str:
    """What a record depends on: the page bytes, its sidecar, the path records show, and the code."""
    check_page(raw_dir, path)
    digest = hashlib.sha256(code_fingerprint().encode())
    digest.update(shown.encode("utf-8", "surrogatepass") + b"\0")
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    digest.update(b"\0" + json.dumps(read_sidecar(raw_dir, path), sort_keys=True).encode())
    return digest.hexdigest()


def error_entry(page: str, stage: str, error: BaseException) -> dict[str, str]:
    message = str(error) or repr(error)
    # File names that are not UTF-8 reach messages as lone surrogates, which no JSON file can hold.
    message = message.encode("utf-8", "backslashreplace").decode("utf-8")
    return {"page": page, "stage": stage, "error": type(error).__name__, "message": message}


def process_page(raw_dir: str, path: str, display_root: str | None, budget: float | None) -> dict[str, Any]:
    """Clean, extract and check one page; a pure function of the files, safe to run in a worker process.

    Returns {"page", "record"} or {"page", "error"}: a page costs at most itself, never the run.
    """
    relative = page_label(Path(path).relative_to(raw_dir).as_posix())
    stage = "read"
    try:
        with time_budget(budget):
            page, warnings = load_page(Path(raw_dir), Path(path), Path(display_root) if display_root else None)
            stage = "clean"
            doc = clean(page)
            stage = "extract"
            record = extract(doc, page)
            record.provenance.warnings[:0] = warnings
            stage = "validate"
            result = record.to_dict()
            problems = record_problems(result)
        if problems:
            raise InvalidRecordError("; ".join(problems[:5]))
        return {"page": relative, "record": result}
    except PageTimeout as error:
        return {"page": relative, "error": error_entry(relative, stage, error)}
    except PipelineError as error:
        return {"page": relative, "error": error_entry(relative, error.stage, error)}
    except Exception as error:  # a bug or an exhausted resource must cost one page, never the run
        if not isinstance(error, (OSError, MemoryError, RecursionError)):
            log.exception("unexpected failure on %s", relative)
        return {"page": relative, "error": error_entry(relative, stage, error)}


@dataclass
class RunSummary:
    pages: int = 0
    written: int = 0
    unchanged: int = 0
    skipped: int = 0
    resumed: int = 0      # results staged by an earlier, killed run and taken over without redoing them
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
            + (f", resumed: {self.resumed}" if self.resumed else "") + f" ({self.seconds:.1f} s)"
        )


@dataclass
class Outcome:
    """What one page gave this run: a record (staged, or unchanged on disk) or an error entry."""

    key: str | None
    record_id: str | None = None
    error: dict[str, str] | None = None
    unchanged: dict[str, str] | None = None   # index entry of a record file left as the last run wrote it


def _load_index(out_dir: Path) -> dict[str, dict[str, str]]:
    try:
        index = json.loads((out_dir / INDEX_FILE).read_text(encoding="utf-8"))
        return index if isinstance(index, dict) else {}
    except (OSError, ValueError):
        return {}


def _exit_when_orphaned(parent: int) -> None:
    """Worker initializer: a worker whose run was killed exits instead of waiting for work forever."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(ORPHAN_CHECK_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="orphan-watch", daemon=True).start()


def _results(tasks: list[tuple[str, str, str | None, float | None]], workers: int) -> Iterator[dict[str, Any]]:
    if workers <= 1 or len(tasks) < 2:
        for task in tasks:
            yield process_page(*task)
        return
    with ProcessPoolExecutor(max_workers=workers, initializer=_exit_when_orphaned, initargs=(os.getpid(),)) as pool:
        chunksize = max(1, min(64, len(tasks) // (workers * 8)))
        yield from pool.map(process_page, *zip(*tasks, strict=True), chunksize=chunksize)


def _unchanged_record(known: object, key: str, output: OutputDir) -> dict[str, str] | None:
    """The index entry of a page whose inputs and record file are both as the last run left them."""
    if not isinstance(known, dict) or known.get("key") != key:
        return None
    if not isinstance(known.get("file"), str) or not isinstance(known.get("id"), str):
        return None
    path = output.root / known["file"]
    if path.parent.parent != output.root or not path.is_file() or path.is_symlink():
        return None
    return known if known.get("sha256") == file_sha256(path) else None


def _transient(result: dict[str, Any]) -> bool:
    """Failures that depend on the moment (load, memory, I/O), not the inputs: a resumed run retries them."""
    error = result.get("error") or {}
    return error.get("error") in TRANSIENT_ERRORS or error.get("stage") == "read"


def _outcome(key: str, result: dict[str, Any]) -> Outcome:
    if "error" in result:
        return Outcome(key, error=result["error"])
    return Outcome(key, record_id=result["record"]["id"])


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
        output = OutputDir(out_dir)
        summary = RunSummary()
        outcomes = _run_pages(raw_dir, output, workers, budget, progress, display_root, summary)
        _publish(output, outcomes, summary)
    summary.seconds = time.monotonic() - started
    return summary


def _run_pages(
    raw_dir: Path, output: OutputDir, workers: int, budget: float | None, progress: bool | None,
    display_root: Path | None, summary: RunSummary,
) -> dict[str, Outcome]:
    """Every page's outcome: unchanged since the last run, staged by a killed run, or made now."""
    previous = _load_index(output.root)
    outcomes: dict[str, Outcome] = {}
    tasks: list[tuple[str, str, str | None, float | None]] = []
    keys: dict[str, str] = {}
    for path in discover(raw_dir):
        relative = page_label(path.relative_to(raw_dir).as_posix())
        summary.pages += 1
        try:
            key = page_key(raw_dir, path, display_path(raw_dir, path, display_root))
        except PipelineError as error:
            outcomes[relative] = Outcome(None, error=error_entry(relative, error.stage, error))
            continue
        except OSError as error:
            outcomes[relative] = Outcome(None, error=error_entry(relative, "read", error))
            continue
        unchanged = _unchanged_record(previous.get(relative), key, output)
        if unchanged:
            outcomes[relative] = Outcome(key, record_id=unchanged["id"], unchanged=unchanged)
            continue
        staged = output.staged(relative, key)
        if staged is not None and not _transient(staged):
            outcomes[relative] = _outcome(key, staged)
            summary.resumed += 1
            continue
        keys[relative] = key
        tasks.append((str(raw_dir), str(path), str(display_root) if display_root else None, budget))

    show_bar = sys.stderr.isatty() if progress is None else progress
    bar = tqdm(total=len(tasks), unit="page", disable=not show_bar, file=sys.stderr, desc="normalize")
    for done, result in enumerate(_results(tasks, workers), start=1):
        bar.update(1)
        if not show_bar and done % 1000 == 0:
            log.info("normalized %d of %d pages", done, len(tasks))
        page = result["page"]
        output.stage(page, keys[page], result)
        outcomes[page] = _outcome(keys[page], result)
    bar.close()
    return outcomes


def _publish(output: OutputDir, outcomes: dict[str, Outcome], summary: RunSummary) -> None:
    """Write the records, drop orphans, rebuild the collections and the index: the run's one commit.

    Pages are taken in path order, so which of two pages giving one record id keeps it does not depend
    on what earlier runs did.
    """
    records: dict[str, Path] = {}
    owners: dict[str, str] = {}
    index: dict[str, dict[str, str]] = {}
    with output.publishing():
        for page in sorted(outcomes):
            outcome = outcomes[page]
            if outcome.error:
                summary.errors.append(outcome.error)
                continue
            record_id = outcome.record_id
            if record_id in owners:
                error = DuplicateRecordIdError(f"record id {record_id} is already produced by {owners[record_id]}")
                summary.errors.append(error_entry(page, error.stage, error))
                continue
            if outcome.unchanged:
                path = output.root / outcome.unchanged["file"]
                index[page] = outcome.unchanged
                summary.unchanged += 1
                summary.skipped += 1
            else:
                try:
                    path, changed = output.write_record(output.staged(page, outcome.key)["record"])
                except (OSError, ValueError) as error:    # a name too long here, a link out of the output
                    summary.errors.append(error_entry(page, "write", error))
                    continue
                index[page] = {"key": outcome.key, "id": record_id, "file": path.relative_to(output.root).as_posix(),
                               "sha256": file_sha256(path)}
                summary.written += changed
                summary.unchanged += not changed
            owners[record_id] = page
            records[record_id] = path
        summary.failed = len(summary.errors)
        summary.removed = len(output.remove_orphans(set(records.values())))
        output.write_collections(records.items(), summary.errors, summary.pages)
        atomic_write_bytes(output.root / INDEX_FILE, dumps(dict(sorted(index.items()))))
