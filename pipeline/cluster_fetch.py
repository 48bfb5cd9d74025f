"""fetch on a cluster: several sources at once, every host served by one worker at a time.

Sources are grouped so that no host and no site is in two groups. A group's sources run one after the
other in one task, so the politeness of a host (robots.txt, rate, concurrency: one gate in one process)
holds across the whole cluster, and the file names of a site are claimed by one crawl state. Each task
fetches into a crawl-state database of its own, seeded with the main database's rows for its sites, and
hands the rows back; the driver merges them into the main database when the tasks are done. Pages go
straight into the raw directory, which every worker must see at the same path (on a real cluster: a
shared file system).

    python -m pipeline.cluster_fetch --source wilson --source frus --executor dask --scheduler local:2
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from pipeline.executors import ExecutorUnavailableError, make_executor
from pipeline.fetch.config import ConfigError, Source, load_config
from pipeline.fetch.run import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_LOCKED,
    EXIT_OK,
    REPORT_NAME,
    RunOptions,
    run_partition,
)
from pipeline.fetch.state import CrawlState
from pipeline.storage import DirectoryLock, LockedError, atomic_write_bytes, remove_stale_temp_files

log = logging.getLogger(__name__)

EXIT_USAGE = 2
CLUSTER_REPORT = ".fetch-cluster-report.json"
STATE_NAME = ".state.sqlite"


def partition(sources: Sequence[Source]) -> list[tuple[Source, ...]]:
    """Groups of sources linked by a shared host or site, each group in the order the sources were given."""
    parent = list(range(len(sources)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[tuple[str, str], int] = {}
    for i, source in enumerate(sources):
        for mark in [("site", source.site), *(("host", host) for host in sorted(source.hosts))]:
            if mark in owner:
                parent[root(i)] = root(owner[mark])
            else:
                owner[mark] = i
    groups: dict[int, list[Source]] = {}
    for i, source in enumerate(sources):
        groups.setdefault(root(i), []).append(source)
    return [tuple(group) for _, group in sorted(groups.items())]


@dataclass
class PartitionResult:
    """What one task did: exit code and report per source, the crawl-state rows of its sites, its printout."""

    sources: tuple[str, ...]
    sites: tuple[str, ...]
    exit_codes: dict[str, int] = field(default_factory=dict)
    reports: dict[str, Any] = field(default_factory=dict)
    columns: tuple[str, ...] = ()
    rows: list[tuple] = field(default_factory=list)
    printed: str = ""
    error: str | None = None


def _sites(group: Iterable[Source]) -> tuple[str, ...]:
    return tuple(sorted({source.site for source in group}))


def _read_rows(db: sqlite3.Connection, sites: Sequence[str]) -> tuple[tuple[str, ...], list[tuple]]:
    marks = ",".join("?" * len(sites))
    cursor = db.execute(f"SELECT * FROM pages WHERE site IN ({marks}) ORDER BY site, key", list(sites))
    return tuple(column[0] for column in cursor.description), cursor.fetchall()


def _replace_rows(db: sqlite3.Connection, sites: Sequence[str], columns: Sequence[str], rows: list[tuple]) -> None:
    """The rows of these sites become exactly the given ones, in one transaction."""
    marks = ",".join("?" * len(sites))
    with db:
        db.execute(f"DELETE FROM pages WHERE site IN ({marks})", list(sites))
        db.executemany(f"INSERT INTO pages ({','.join(columns)}) VALUES ({','.join('?' * len(columns))})", rows)


def fetch_partition(group: tuple[Source, ...], raw_dir: str, columns: tuple[str, ...], rows: list[tuple],
                    settings: dict[str, Any]) -> PartitionResult:
    """In a worker: the group's sources one after the other, on a crawl state of the group's own."""
    sites = _sites(group)
    result = PartitionResult(tuple(s.name for s in group), sites)
    printed = io.StringIO()
    with tempfile.TemporaryDirectory(prefix="cluster-fetch-") as scratch:
        state_path = Path(scratch) / STATE_NAME
        CrawlState(state_path).close()                 # creates the schema the seeded rows go into
        db = sqlite3.connect(state_path)
        try:
            if rows:
                _replace_rows(db, sites, columns, rows)
        finally:
            db.close()
        for number, source in enumerate(group):
            if number:
                # The next source may share a host with this one; its own gate starts with no memory of it.
                time.sleep(source.politeness.min_delay)
            options = RunOptions(source=source, raw_dir=Path(raw_dir), state_path=state_path,
                                 max_pages=settings.get("max_pages"),
                                 refresh_after=settings.get("refresh_after")
                                 or timedelta(days=source.refresh_after_days))
            result.exit_codes[source.name] = run_partition(options, printed)
            report = Path(scratch) / REPORT_NAME
            result.reports[source.name] = json.loads(report.read_text(encoding="utf-8"))
        db = sqlite3.connect(state_path)
        try:
            result.columns, result.rows = _read_rows(db, sites)
        finally:
            db.close()
    # Each source's report went to the scratch directory, gone now; the driver writes them all in one file.
    result.printed = "".join(line for line in printed.getvalue().splitlines(keepends=True) if scratch not in line)
    return result


def lost_partition(task: tuple, error: BaseException) -> PartitionResult:
    """A group whose task failed: nothing of it is merged; the pages it stored are found again next run."""
    group = task[0]
    return PartitionResult(tuple(s.name for s in group), _sites(group), error=f"{type(error).__name__}: {error}")


def cluster_fetch(sources: Sequence[Source], raw_dir: Path, state_path: Path, executor: Any,
                  max_pages: int | None = None, refresh_after: timedelta | None = None,
                  out: Any = None) -> int:
    """Fetch the sources, one task per group (see partition); the crawl state is merged at the end."""
    out = out or sys.stdout
    groups = partition(sources)
    settings = {"max_pages": max_pages, "refresh_after": refresh_after}
    with DirectoryLock(raw_dir):
        removed = remove_stale_temp_files(raw_dir)      # before any task starts: none of theirs is stale
        if removed:
            log.info("removed %d temp files left by an interrupted run", removed)
        CrawlState(state_path).close()
        main_db = sqlite3.connect(state_path)
        try:
            tasks = []
            for group in groups:
                columns, rows = _read_rows(main_db, _sites(group))
                tasks.append((group, str(Path(raw_dir).resolve()), columns, rows, settings))
            results = []
            # Merged as each group ends: an interrupted run keeps what the finished groups learnt.
            for result in executor.map(fetch_partition, tasks, lost_partition):
                if result.error is None:
                    _replace_rows(main_db, result.sites, result.columns, result.rows)
                results.append(result)
        finally:
            main_db.close()
    return _finish(results, Path(state_path).parent / CLUSTER_REPORT, out)


def _finish(results: list[PartitionResult], report_path: Path, out: Any) -> int:
    codes = [code for result in results for code in result.exit_codes.values()]
    failed = [result for result in results if result.error]
    report = {
        "groups": [{"sources": list(r.sources), "exit_codes": r.exit_codes, "error": r.error} for r in results],
        "reports": {name: report for r in results for name, report in r.reports.items()},
    }
    atomic_write_bytes(report_path, (json.dumps(report, indent=2) + "\n").encode("utf-8"))
    for result in results:
        out.write(result.printed)
        if result.error:
            print(f"group {', '.join(result.sources)} failed: {result.error} (its crawl state was not merged)",
                  file=out)
    print(f"report: {report_path}", file=out)
    if EXIT_INTERRUPTED in codes:
        return EXIT_INTERRUPTED
    return EXIT_FAILED if failed or any(code != EXIT_OK for code in codes) else EXIT_OK


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, default=Path("pipeline.toml"))
    parser.add_argument("--source", action="append", help="a configured source (repeat; default: all of them)")
    parser.add_argument("--raw-dir", type=Path, help="where pages go (default: the config's raw_dir, else raw)")
    parser.add_argument("--state", type=Path, help=f"crawl state database (default: RAW_DIR/{STATE_NAME})")
    parser.add_argument("--max-pages", type=int, metavar="N", help="request at most N document pages per source")
    parser.add_argument("--refresh-after", type=float, metavar="DAYS",
                        help="revisit known pages fetched more than DAYS ago (default: from the config)")
    parser.add_argument("--executor", choices=("local", "dask"), default="local")
    parser.add_argument("--workers", type=int, default=1, help="worker processes of --executor local")
    parser.add_argument("--scheduler", metavar="ADDRESS", help="for --executor dask: tcp://host:8786 or local:N")


def add_parser(subparsers: Any) -> None:
    """`archive-pipeline fetch-cluster`: the same command under the main CLI (logging is set up there)."""
    parser = subparsers.add_parser(
        "fetch-cluster",
        help="harvest several sources at once, one host per worker (local pool or Dask)",
        description=__doc__.split("\n\n")[0],
    )
    add_arguments(parser)
    parser.set_defaults(func=run)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.cluster_fetch", description=__doc__.split("\n\n")[0])
    add_arguments(parser)
    parser.add_argument("-q", "--quiet", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return run(args)


def run(args: argparse.Namespace) -> int:
    try:
        config = load_config(args.config)
        sources = [config.source(name) for name in args.source or sorted(config.sources)]
        executor = make_executor(args.executor, args.workers, args.scheduler)
    except (ConfigError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    raw_dir = args.raw_dir or config.raw_dir or Path("raw")
    refresh = timedelta(days=args.refresh_after) if args.refresh_after is not None else None
    try:
        with executor:
            return cluster_fetch(sources, raw_dir, args.state or raw_dir / STATE_NAME, executor,
                                 args.max_pages, refresh)
    except ExecutorUnavailableError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except LockedError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_LOCKED


if __name__ == "__main__":
    sys.exit(main())
