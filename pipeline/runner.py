"""The normalize job: compose clean -> extract -> write over a raw directory.

The runner owns I/O, parallelism, progress and bookkeeping: every page read ends as exactly one record
or one entry in errors.jsonl. Pages whose bytes, sidecar and pipeline code are unchanged since the last
run are skipped by hash, so a rerun with nothing new does no parsing and rewrites nothing. Results are
staged as they come and published together at the end (see ``pipeline.write``): a run killed at any
moment loses no finished work and never leaves a half-written file.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from tqdm import tqdm

import pipeline
from pipeline.clean import clean
from pipeline.executors import LocalExecutor
from pipeline.extract.record import extract
from pipeline.fsio import READ_BATCH, LocalDir, StorageUnavailableError, UrlDir, is_url, open_dir
from pipeline.ledger import IndexEntry, Ledger
from pipeline.models import DuplicateRecordIdError, InvalidRecordError, PageTooLargeError, PipelineError
from pipeline.rawpages import (
    MAX_PAGE_BYTES,
    check_page,
    check_resolved,
    discover,
    discover_url,
    load_page_with_sidecar,
    load_url_page,
    page_label,
    read_sidecar,
    shown_path,
    sidecar_path,
    url_display_path,
)
from pipeline.storage import stat_stamp
from pipeline.validate import record_problems
from pipeline.write import OutputDir, dumps, dumps_line

log = logging.getLogger(__name__)

DEFAULT_PAGE_BUDGET = 30.0
# Failures that depend on the moment, not the inputs: a resumed run retries them. KilledWorker: the
# cluster lost the worker processes that had the page, again and again.
TRANSIENT_ERRORS = frozenset({"PageTimeout", "MemoryError", "KilledWorker"})
# What a listing tells of a file that changes when its bytes do; object stores give an etag or a
# checksum, the rest a modification time.
CHANGE_FIELDS = ("size", "ETag", "etag", "md5Hash", "crc32c", "generation", "mtime", "LastModified",
                 "last_modified", "updated", "created")


class PageTimeout(PipelineError):
    """A page ran over its time budget; its error entry names the stage it was in."""


@contextmanager
def time_budget(seconds: float | None) -> Iterator[None]:
    """Abort a page that takes longer than its budget.

    SIGALRM in the main thread of a process (the local executors); a timer that raises in the page's
    own thread elsewhere (a Dask worker runs tasks in threads, where no signal can reach).
    """
    if not seconds:
        yield
        return
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        with _thread_budget(seconds):
            yield
        return

    def expire(signum, frame):
        raise PageTimeout(_budget_message(seconds))

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _budget_message(seconds: float) -> str:
    return f"page took longer than its {seconds:g} s budget"


@contextmanager
def _thread_budget(seconds: float) -> Iterator[None]:
    """PageTimeout raised in this thread at its next Python instruction, as SIGALRM's handler would be."""
    thread_id = threading.get_ident()
    guard = threading.Lock()
    state = {"running": True, "fired": False}
    # The interpreter raises an async exception by calling its class with no arguments: bake the message in.
    expired = type("PageTimeout", (PageTimeout,), {"__init__": lambda self: PageTimeout.__init__(
        self, _budget_message(seconds))})

    def expire() -> None:
        with guard:
            if state["running"]:
                state["fired"] = True
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), ctypes.py_object(expired))

    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        with guard:
            state["running"] = False
            timer.cancel()
            if state["fired"]:       # not raised yet if the page ended just then: it must not land elsewhere
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), None)


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
    return content_key(shown, path.read_bytes(), read_sidecar(raw_dir, path))


def content_key(shown: str, data: bytes, sidecar: tuple[dict, str | None]) -> str:
    """page_key of bytes and a sidecar already read (a worker keys the very bytes it made the record of)."""
    digest = _digest_for(shown)
    digest.update(data)
    digest.update(b"\0" + json.dumps(sidecar, sort_keys=True).encode())
    return digest.hexdigest()


def page_stamp(path: Path, shown: str) -> str:
    """A cheap fingerprint of what page_key hashes: size, modification and change times and inode of the
    page and its sidecar, the path records show, and the code. While it is the same the key is too (as
    make and rsync judge files); the change time catches a rewrite that put the old mtime back."""
    digest = _digest_for(shown)
    for file in (path, sidecar_path(path)):
        try:
            digest.update(stat_stamp(os.stat(file)).encode() + b"\0")
        except OSError:
            digest.update(b"-\0")
    return digest.hexdigest()[:32]


def url_page_key(shown: str, info: dict, sidecar: dict | None) -> str:
    """page_key for a page behind a URL, from the listing alone: the run never downloads a page to hash it.

    The listing's size and etag (or checksum, or modification time) of the page and of its sidecar
    change whenever their bytes do; a page rewritten with the same bytes is parsed again, to the same record.
    """
    if info.get("size", 0) > MAX_PAGE_BYTES:
        raise PageTooLargeError(f"the page is {info['size']} bytes, over the {MAX_PAGE_BYTES}-byte limit for one page")
    digest = _digest_for(shown)
    for described in (info, sidecar or {}):
        fields = {name: str(described[name]) for name in CHANGE_FIELDS if name in described}
        digest.update(json.dumps(fields, sort_keys=True).encode() + b"\0")
    return digest.hexdigest()


def _digest_for(shown: str) -> Any:
    """A sha256 started with what every key and stamp depends on: the code and the path records show."""
    digest = hashlib.sha256(code_fingerprint().encode())
    digest.update(shown.encode("utf-8", "surrogatepass") + b"\0")
    return digest


def error_entry(page: str, stage: str, error: BaseException) -> dict[str, str]:
    message = str(error) or repr(error)
    # File names that are not UTF-8 reach messages as lone surrogates, which no JSON file can hold.
    message = message.encode("utf-8", "backslashreplace").decode("utf-8")
    return {"page": page, "stage": stage, "error": type(error).__name__, "message": message}


def _read(raw_dir: str, path: str, display_root: str | None) -> tuple[str, Any]:
    """(the page's label, a loader of its RawPage, warnings and key): from a local directory or from
    behind a URL (whose keys come from the listing: the loader gives None)."""
    if is_url(raw_dir):
        relative = path[len(raw_dir.rstrip("/")) + 1:]
        return relative, lambda: (*load_url_page(raw_dir, relative, display_root), None)

    def load() -> tuple[Any, list[str], str]:
        page, warnings, sidecar = load_page_with_sidecar(Path(raw_dir), Path(path),
                                                         Path(display_root) if display_root else None)
        return page, warnings, content_key(page.path, page.data, sidecar)

    return page_label(Path(path).relative_to(raw_dir).as_posix()), load


def process_page(raw_dir: str, path: str, display_root: str | None, budget: float | None,
                 want_key: bool = False) -> dict[str, Any]:
    """Clean, extract and check one page; a pure function of the files, safe to run in a worker process.

    raw_dir and path are local paths or URLs; a worker reads the page itself, wherever it lies.
    Returns {"page", "id", "record": the record's JSON bytes, "line": its line of records.jsonl} or
    {"page", "error"}: a page costs at most
    itself, never the run. want_key: add the page's key under "key", taken from the bytes read here
    (the driver leaves hashing pages it has never seen to the workers).
    """
    relative, load = _read(raw_dir, path, display_root)
    stage = "read"
    key = None
    try:
        with time_budget(budget):
            page, warnings, key = load()
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
            # Serialized here, in the worker: the one writer only copies bytes.
            data, line = dumps(result), dumps_line(result)
        outcome: dict[str, Any] = {"page": relative, "id": result["id"], "record": data, "line": line}
    except PageTimeout as error:
        outcome = {"page": relative, "error": error_entry(relative, stage, error)}
    except PipelineError as error:
        outcome = {"page": relative, "error": error_entry(relative, error.stage, error)}
    except Exception as error:  # a bug or an exhausted resource must cost one page, never the run
        if not isinstance(error, (OSError, MemoryError, RecursionError)):
            log.exception("unexpected failure on %s", relative)
        outcome = {"page": relative, "error": error_entry(relative, stage, error)}
    if want_key and key is not None:
        outcome["key"] = key
    return outcome


def lost_page(task: tuple[Any, ...], error: BaseException) -> dict[str, Any]:
    """The result of a page the executor could not get processed (its workers kept dying): an error entry."""
    relative, _ = _read(task[0], task[1], task[2])
    return {"page": relative, "error": error_entry(relative, "process", error)}


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
class PageTask:
    """A page found in the raw directory: its label, key and stamp (None when it cannot be read), and
    where it lies; or the error that stopped it being keyed."""

    page: str
    key: str | None
    stamp: str | None
    path: str
    error: dict[str, str] | None = None


def _pages(raw: LocalDir | UrlDir, display_root: str | None, known_key: Callable[[str, str], str | None],
           needs_key: Callable[[str], bool]) -> Iterator[PageTask]:
    """Every page of the raw directory, keyed by what its record depends on; known_key(page, stamp)
    gives the key of a page whose files carry the stamp they had when the last run keyed it. A local
    page for which needs_key(page) is false is left unkeyed (key None): its worker keys it."""
    if isinstance(raw, UrlDir):
        for relative, info, sidecar in discover_url(raw):
            path = f"{raw.location}/{relative}"
            try:
                yield PageTask(relative, url_page_key(url_display_path(raw.location, relative, display_root),
                                                      info, sidecar), None, path)
            except PipelineError as error:
                yield PageTask(relative, None, None, path, error_entry(relative, error.stage, error))
        return
    shown_root = Path(display_root).resolve() if display_root else raw.root.parent    # raw.root is resolved
    for path in discover(raw.root):
        relative = page_label(path.relative_to(raw.root).as_posix())
        try:
            target = path.resolve()
            check_resolved(raw.root, target)
            shown = shown_path(target, shown_root)
            stamp = page_stamp(path, shown)
            key = known_key(relative, stamp) or (page_key(raw.root, path, shown) if needs_key(relative) else None)
            yield PageTask(relative, key, stamp, str(path))
        except PipelineError as error:
            yield PageTask(relative, None, None, str(path), error_entry(relative, error.stage, error))
        except OSError as error:
            yield PageTask(relative, None, None, str(path), error_entry(relative, "read", error))


def _transient(result: dict[str, Any]) -> bool:
    """Failures that depend on the moment (load, memory, I/O), not the inputs: a resumed run retries them."""
    error = result.get("error") or {}
    return error.get("error") in TRANSIENT_ERRORS or error.get("stage") == "read"


def _open_locations(raw_dir: str | Path, out_dir: str | Path) -> tuple[LocalDir | UrlDir, LocalDir | UrlDir]:
    raw, out = open_dir(raw_dir), open_dir(out_dir)
    if isinstance(raw, LocalDir):
        raw = LocalDir(raw.root.resolve())
    if isinstance(out, LocalDir):
        out = LocalDir(out.root.resolve())
    if not raw.exists():
        raise FileNotFoundError(f"raw directory not found: {raw.location}")
    out.make()
    return raw, out


def normalize(
    raw_dir: str | Path,
    out_dir: str | Path,
    workers: int = 1,
    budget: float | None = DEFAULT_PAGE_BUDGET,
    progress: bool | None = None,
    display_root: str | Path | None = None,
    executor: Any = None,
) -> RunSummary:
    """Clean, extract and write every page under raw_dir into out_dir.

    Both may be local paths or fsspec URLs. executor runs the pages (default: a LocalExecutor of
    `workers` processes); a DaskExecutor must already be entered. This process alone writes.
    """
    started = time.monotonic()
    raw, out = _open_locations(raw_dir, out_dir)
    executor = executor or LocalExecutor(workers)
    if isinstance(raw, UrlDir) and raw.in_process and not executor.in_process:
        raise StorageUnavailableError(f"{raw.location} lives in this process only, where no worker can read it: "
                                      "use --executor local --workers 1")
    with out.lock(), Ledger() as ledger:
        output = OutputDir(out)
        summary = RunSummary()
        shown_root = None if display_root is None else str(display_root)
        ledger.load_previous(output.index_entries())
        _find_pages(raw, output, ledger, shown_root, summary)
        _make_pages(raw, output, ledger, executor, budget, progress, shown_root, summary)
        _publish(output, ledger, summary)
    summary.seconds = time.monotonic() - started
    return summary


def _find_pages(raw: LocalDir | UrlDir, output: OutputDir, ledger: Ledger, display_root: str | None,
                summary: RunSummary) -> None:
    """Enter every page in the ledger: unchanged since the last run (same key, record file intact), to
    make, or failed before it could be keyed."""
    candidates: list[tuple[PageTask, IndexEntry]] = []

    def settle() -> None:
        intact = output.intact([known for _, known in candidates])
        for (found, known), unchanged in zip(candidates, intact, strict=True):
            if unchanged:
                ledger.add(found.page, found.key, found.stamp, found.path, "unchanged", record_id=known.id)
            else:
                ledger.add(found.page, found.key, found.stamp, found.path, "todo")
        candidates.clear()

    # A page the last index does not list is made whatever its key: its worker keys it, and the
    # driver hashes only to tell an unchanged page, or to take over what a killed run staged.
    def needs_key(page: str) -> bool:
        return output.has_earlier_staging or ledger.previous(page) is not None

    for found in _pages(raw, display_root, ledger.previous_key, needs_key):
        summary.pages += 1
        if found.error:
            ledger.add(found.page, None, None, found.path, "failed", error=found.error)
            continue
        known = ledger.previous(found.page)
        if known is not None and found.key is not None and known.key == found.key:
            candidates.append((found, known))
            if len(candidates) >= READ_BATCH:
                settle()
        else:
            ledger.add(found.page, found.key, found.stamp, found.path, "todo")
    settle()


def _make_pages(
    raw: LocalDir | UrlDir, output: OutputDir, ledger: Ledger, executor: Any, budget: float | None,
    progress: bool | None, display_root: str | None, summary: RunSummary,
) -> None:
    """Process the pages to make (taking over what a killed run staged from the same inputs) and stage
    each result as it comes."""
    ledger.queue_todo()
    if output.has_earlier_staging:
        for page, key, _ in ledger.queued():
            staged = output.staged(page, key, earlier_run=True)
            if staged is not None and not _transient(staged):
                _record_outcome(ledger, page, staged, key)
                ledger.mark_resumed(page)
                summary.resumed += 1
    total = ledger.drop_resumed()
    tasks = ((raw.location, path, display_root, budget, key is None) for _, key, path in ledger.queued())
    show_bar = sys.stderr.isatty() if progress is None else progress
    bar = tqdm(total=total, unit="page", disable=not show_bar, file=sys.stderr, desc="normalize")
    for done, result in enumerate(executor.map(process_page, tasks, lost_page, total=total), start=1):
        bar.update(1)
        if not show_bar and done % 1000 == 0:
            log.info("normalized %d of %d pages", done, total)
        page = result["page"]
        key = result.pop("key", None) or ledger.key(page)
        output.stage(page, key, result)
        _record_outcome(ledger, page, result, key)
    bar.close()


def _record_outcome(ledger: Ledger, page: str, result: dict[str, Any], key: str | None) -> None:
    if "error" in result:
        ledger.set_outcome(page, "failed", key, error=result["error"])
    else:
        ledger.set_outcome(page, "done", key, record_id=result["id"])


def _publish(output: OutputDir, ledger: Ledger, summary: RunSummary) -> None:
    """Write the records, drop orphans, rebuild the collections and the index: the run's one commit.

    Pages are taken in path order, so which of two pages giving one record id keeps it does not depend
    on what earlier runs did.
    """
    with output.publishing():
        for page, key, stamp, state, record_id, error in ledger.outcomes():
            if error is not None or key is None:
                summary.errors.append(error or error_entry(page, "process", RuntimeError("no result")))
                continue
            owner = ledger.owner(record_id)
            if owner is not None:
                duplicate = DuplicateRecordIdError(f"record id {record_id} is already produced by {owner}")
                summary.errors.append(error_entry(page, duplicate.stage, duplicate))
                continue
            known = ledger.previous(page) if state == "unchanged" else None
            if known is not None:
                relative, sha256 = known.file, known.sha256
                summary.unchanged += 1
                summary.skipped += 1
            else:
                try:
                    staged = output.staged(page, key)
                    if staged is None:
                        raise FileNotFoundError(f"the staged result of {page} vanished before it was published")
                    relative, changed, sha256 = output.write_record(record_id, staged["record"])
                except (OSError, ValueError) as failure:    # a name too long here, a link out of the output
                    summary.errors.append(error_entry(page, "write", failure))
                    continue
                summary.written += changed
                summary.unchanged += not changed
            ledger.publish(IndexEntry(page, key, record_id, relative, sha256, stamp, output.stamp(relative)))
        output.flush()
        summary.failed = len(summary.errors)
        summary.removed = output.remove_orphans(ledger)
        records_stamp = output.write_collections(ledger, summary.errors, summary.pages)
        output.write_index(ledger.published(), records_stamp)
