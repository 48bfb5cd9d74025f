"""Where the per-page work runs: this process, a local process pool, or a Dask cluster.

An executor only maps a pure function over tasks and yields the results as they come, in any order;
the run that called it alone writes them (one writer), so every executor gives the same output for the
same input. The local executor needs nothing beyond the package; Dask is imported only by
``DaskExecutor``, and is an optional extra: ``pip install 'archive-pipeline[dask]'``.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from itertools import islice
from typing import Any

log = logging.getLogger(__name__)

DASK_HINT = "--executor dask needs the dask extra: pip install 'archive-pipeline[dask]'"
# How often a pool worker checks that the run that started it is still alive.
ORPHAN_CHECK_SECONDS = 0.5
# Pages per Dask task: enough to hide the scheduler's per-task cost, few enough to spread the load and to
# lose little when a worker dies with a chunk in hand.
MAX_CHUNK = 32
# Chunks kept in flight per worker: workers never wait for the driver, memory stays bounded.
CHUNKS_AHEAD = 4
# Pages per chunk sent to a local pool worker, at most: one pickling round trip per chunk.
MAX_LOCAL_CHUNK = 16
CONNECT_TIMEOUT = "30s"
_LOCAL_SCHEDULER = re.compile(r"^local:([1-9][0-9]*)$")

Task = tuple[Any, ...]
Lost = Callable[[Task, BaseException], Any]


class ExecutorUnavailableError(RuntimeError):
    """The executor cannot run here: Dask not installed, a scheduler that cannot be reached, or workers
    whose pipeline code differs from this one's."""


def _exit_when_orphaned(parent: int) -> None:
    """Pool initializer: a worker whose run was killed exits instead of waiting for work forever."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(ORPHAN_CHECK_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="orphan-watch", daemon=True).start()


class LocalExecutor:
    """Tasks in this process (workers=1) or in a pool of worker processes on this machine."""

    def __init__(self, workers: int = 1):
        self.workers = workers

    @property
    def in_process(self) -> bool:
        """Whether tasks run in this very process, where they see its memory:// files."""
        return self.workers <= 1

    def __enter__(self) -> LocalExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def map(self, function: Callable[..., Any], tasks: Iterable[Task], lost: Lost | None = None,
            total: int | None = None) -> Iterator[Any]:
        """The function over the tasks, results as they come; tasks are drawn from the iterable only as
        workers need them, so neither tasks nor results pile up in memory."""
        total = _count(tasks, total)
        if self.workers <= 1 or (total is not None and total < 2):
            for task in tasks:
                yield function(*task)
            return
        size = max(1, min(MAX_LOCAL_CHUNK, (total or 0) // (self.workers * 8)))
        chunks = _chunks(tasks, size)
        with ProcessPoolExecutor(max_workers=self.workers, initializer=_exit_when_orphaned,
                                 initargs=(os.getpid(),)) as pool:
            running: set[Future[list[Any]]] = set()
            for chunk in islice(chunks, self.workers * CHUNKS_AHEAD):
                running.add(pool.submit(run_chunk, function, chunk))
            while running:
                finished, running = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    chunk = next(chunks, None)
                    if chunk is not None:
                        running.add(pool.submit(run_chunk, function, chunk))
                    yield from future.result()


def _count(tasks: Iterable[Task], total: int | None) -> int | None:
    """How many tasks there are: as told, or a sequence's length; None for a stream of unknown length."""
    return len(tasks) if total is None and isinstance(tasks, Sequence) else total


def _chunks(tasks: Iterable[Task], size: int) -> Iterator[list[Task]]:
    iterator = iter(tasks)
    while chunk := list(islice(iterator, size)):
        yield chunk


def run_chunk(function: Callable[..., Any], tasks: Sequence[Task]) -> list[Any]:
    """One Dask task: the function over a few tasks, in the worker."""
    return [function(*task) for task in tasks]


def parse_scheduler(address: str) -> tuple[str, int | None]:
    """("local", N) for local:N, else (the scheduler address, None)."""
    match = _LOCAL_SCHEDULER.match(address)
    if match:
        return "local", int(match.group(1))
    if "://" not in address and ":" not in address:
        raise ValueError(f"--scheduler is local:N or a scheduler address such as tcp://host:8786, not {address!r}")
    return address, None


class DaskExecutor:
    """Tasks on a Dask cluster: a scheduler at an address, or a LocalCluster of N worker processes.

    Use as a context manager: entering connects (or starts the LocalCluster), leaving disconnects (or
    stops it). A worker that dies mid-task is replaced by Dask, which runs its tasks again elsewhere; a
    chunk that still fails is split, and a page that fails alone is handed to ``lost`` for an error entry.
    """

    in_process = False

    def __init__(self, scheduler: str, check_code: Callable[[], str] | None = None):
        self.scheduler = scheduler
        self.address, self.local_workers = parse_scheduler(scheduler)
        self._check_code = check_code
        self.client: Any = None
        self._cluster: Any = None

    def __enter__(self) -> DaskExecutor:
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise ExecutorUnavailableError(DASK_HINT) from None
        quiet = logging.getLogger("distributed")
        if quiet.level == logging.NOTSET:       # its start-up chatter would bury the run's own messages
            quiet.setLevel(logging.WARNING)
        try:
            if self.local_workers is not None:
                self._cluster = LocalCluster(n_workers=self.local_workers, processes=True, threads_per_worker=1,
                                             dashboard_address=None)
                self.client = Client(self._cluster)
            else:
                self.client = Client(self.address, timeout=CONNECT_TIMEOUT)
        except OSError as error:
            self.__exit__()
            raise ExecutorUnavailableError(f"cannot reach the Dask scheduler {self.scheduler}: {error}") from None
        if self._check_code is not None:
            self._refuse_other_code(self._check_code)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.client is not None:
            self.client.close()
            self.client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None

    def _refuse_other_code(self, fingerprint: Callable[[], str]) -> None:
        """Workers running another version of the pipeline would make other records: stop before any work."""
        mine = fingerprint()
        theirs = self.client.run(fingerprint)
        differing = sorted(worker for worker, value in theirs.items() if value != mine)
        if differing:
            self.__exit__()
            raise ExecutorUnavailableError(
                f"Dask workers {', '.join(differing)} run other pipeline code than this process "
                "(install the same archive-pipeline version on every worker)")

    def _threads(self) -> int:
        workers = self.client.scheduler_info().get("workers", {})
        return max(1, sum(w.get("nthreads", 1) for w in workers.values()))

    def worker_pids(self) -> dict[str, int]:
        return self.client.run(os.getpid)

    def map(self, function: Callable[..., Any], tasks: Iterable[Task], lost: Lost | None = None,
            total: int | None = None) -> Iterator[Any]:
        from distributed import as_completed

        if self.client is None:
            raise RuntimeError("DaskExecutor.map outside its `with` block")
        total = _count(tasks, total)
        threads = self._threads()
        size = max(1, min(MAX_CHUNK, (total or 0) // (threads * 8)))
        chunks = _chunks(tasks, size)
        running = as_completed()
        sent: dict[str, list[Task]] = {}

        def submit(chunk: list[Task]) -> None:
            future = self.client.submit(run_chunk, function, chunk, pure=False)
            sent[future.key] = chunk
            running.add(future)

        for chunk in islice(chunks, threads * CHUNKS_AHEAD):
            submit(chunk)
        if not sent:
            return
        for future in running:
            chunk = sent.pop(future.key)
            try:
                results = future.result()
            except Exception as error:          # the chunk's pages are retried, or given up alone
                yield from self._retry(chunk, error, submit, lost)
            else:
                yield from results
            future.release()
            next_chunk = next(chunks, None)
            if next_chunk is not None:
                submit(next_chunk)

    def _retry(self, chunk: list[Task], error: BaseException, submit: Callable[[list[Task]], None],
               lost: Lost | None) -> Iterator[Any]:
        if len(chunk) > 1:
            log.warning("a Dask task of %d pages failed (%s): retrying its pages one by one", len(chunk), error)
            for task in chunk:
                submit([task])
            return
        if lost is None:
            raise error
        log.warning("a page failed on the cluster: %s", error)
        yield lost(chunk[0], error)


def make_executor(name: str, workers: int = 1, scheduler: str | None = None,
                  check_code: Callable[[], str] | None = None) -> LocalExecutor | DaskExecutor:
    """The executor the command line asks for; ValueError for a combination that makes no sense."""
    if name == "local":
        if scheduler:
            raise ValueError("--scheduler goes with --executor dask")
        return LocalExecutor(workers)
    if name == "dask":
        if not scheduler:
            raise ValueError("--executor dask needs --scheduler tcp://HOST:PORT or --scheduler local:N")
        if workers != 1:
            raise ValueError("--workers is for --executor local; a LocalCluster's size is --scheduler local:N")
        return DaskExecutor(scheduler, check_code)
    raise ValueError(f"unknown executor {name!r}")
