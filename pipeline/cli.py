"""Command line: archive-pipeline {normalize,fetch,validate,eval}.

Exit codes: 0 success, 1 some pages failed (the others were written), 2 usage error, 3 another run
holds the directory's lock, 130 a fetch interrupted by Ctrl-C or SIGTERM (its report is still written).
"""

from __future__ import annotations

import argparse
import ctypes
import json
import logging
import sys
from pathlib import Path

from pipeline import __version__
from pipeline.cluster_fetch import add_parser as add_cluster_fetch_parser
from pipeline.fetch.command import add_parser as add_fetch_parser

EXIT_OK, EXIT_FAILURES, EXIT_USAGE, EXIT_LOCKED = 0, 1, 2, 3
log = logging.getLogger("pipeline")


def _configure_logging(args: argparse.Namespace) -> None:
    level = logging.WARNING if args.quiet else logging.DEBUG if args.verbose else logging.INFO
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)


# glibc's mallopt parameter and its own starting value: page-sized buffers from this size up get mappings of
# their own.
_M_MMAP_THRESHOLD = -3
_LARGE_BUFFER = 128 * 1024


def _release_large_buffers() -> None:
    """Keep glibc from serving large buffers (a page's bytes and decoded text, 0.1-1 MB) from the heap.

    Left alone, glibc raises its mmap threshold after the first such buffer is freed, and the later ones come
    from the heap, which fragments and keeps growing over tens of thousands of pages (measured: peak memory
    1.2x over 10x the pages; 1.14x with the threshold held). Other C libraries have no mallopt.
    """
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError, TypeError):
        return
    mallopt(_M_MMAP_THRESHOLD, _LARGE_BUFFER)


def _cmd_normalize(args: argparse.Namespace) -> int:
    from pipeline.executors import ExecutorUnavailableError, make_executor
    from pipeline.fsio import StorageUnavailableError
    from pipeline.runner import code_fingerprint, normalize
    from pipeline.storage import LockedError

    _release_large_buffers()     # before the worker processes fork: they inherit it
    try:
        executor = make_executor(args.executor, args.workers, args.scheduler, check_code=code_fingerprint)
    except ValueError as error:
        log.error("%s", error)
        return EXIT_USAGE
    try:
        with executor:
            summary = normalize(
                args.raw_dir,              # a string: a URL must keep its "//"
                args.out_dir,
                budget=args.page_budget or None,
                progress=False if args.quiet else None,
                executor=executor,
            )
    except LockedError as error:
        log.error("%s", error)
        return EXIT_LOCKED
    except (FileNotFoundError, ExecutorUnavailableError, StorageUnavailableError) as error:
        log.error("%s", error)
        return EXIT_USAGE
    for entry in summary.errors:
        log.warning("failed %s [%s] %s: %s", entry["page"], entry["stage"], entry["error"], entry["message"])
    if not args.quiet:
        print(summary.line())
    return EXIT_FAILURES if summary.failed else EXIT_OK


def _cmd_validate(args: argparse.Namespace) -> int:
    from pipeline.validate import validate_dir

    directory = Path(args.directory)
    if not directory.is_dir():
        log.error("not a directory: %s", directory)
        return EXIT_USAGE
    count, problems = validate_dir(directory, Path(args.raw_root) if args.raw_root else None)
    for problem in problems:
        print(problem)
    if not args.quiet:
        print(f"{count} records checked, {len(problems)} problems")
    return EXIT_FAILURES if problems else EXIT_OK


def _cmd_eval(args: argparse.Namespace) -> int:
    from pipeline.evaluate import evaluate, format_table

    corpus = Path(args.corpus)
    if not corpus.is_dir():
        log.error("corpus directory not found: %s", corpus)
        return EXIT_USAGE
    report = evaluate(corpus)
    Path(args.report).write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(format_table(report))
    if not args.quiet:
        print(f"report: {args.report}")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="archive-pipeline",
        description="Harvest archival document pages and turn them into normalized JSON records.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    verbosity = parser.add_mutually_exclusive_group()
    verbosity.add_argument("-q", "--quiet", action="store_true", help="only warnings and errors")
    verbosity.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    normalize = sub.add_parser(
        "normalize",
        help="clean + extract + write every page of a raw directory",
        description="Clean and extract every page under --raw-dir (.html, .txt with optional .meta.json sidecars) "
        "and write one JSON record per page to --out-dir, plus records.jsonl, errors.jsonl and manifest.json. "
        "Unchanged pages are skipped by hash. Pages are processed here or on a Dask cluster (--executor dask); "
        "this process alone writes. Exit 0 when every page gave a record, 1 when some failed (listed in "
        "errors.jsonl), 2 on a usage error (Dask or an fsspec backend missing, a scheduler out of reach), "
        "3 when another run holds the output directory.",
    )
    normalize.add_argument("--raw-dir", default="raw",
                           help="input pages: a directory or an fsspec URL such as s3://bucket/raw (default: raw)")
    normalize.add_argument("--out-dir", default="normalized",
                           help="output: a directory or an fsspec URL (default: normalized)")
    normalize.add_argument("--executor", choices=("local", "dask"), default="local",
                           help="where pages are processed: this machine (default) or a Dask cluster")
    normalize.add_argument("--workers", type=int, default=1,
                           help="worker processes of --executor local (default: 1)")
    normalize.add_argument("--scheduler", metavar="ADDRESS",
                           help="for --executor dask: a scheduler address (tcp://host:8786) or local:N to start "
                           "a LocalCluster of N worker processes")
    normalize.add_argument("--page-budget", type=float, default=30.0,
                           help="seconds one page may take before it is failed (default: 30; 0 = no limit)")
    normalize.set_defaults(func=_cmd_normalize)

    validate = sub.add_parser(
        "validate",
        help="check an output directory against the JSON Schema",
        description="Check every record in DIR against the published JSON Schema, that ids are unique, that "
        "source.raw_sha256 matches the raw file, and that manifest.json and records.jsonl agree with the records.",
    )
    validate.add_argument("directory", metavar="DIR")
    validate.add_argument("--raw-root", help="directory that records' source.raw_path is relative to (default: .)")
    validate.set_defaults(func=_cmd_validate)

    evaluate = sub.add_parser(
        "eval",
        help="score extraction against a gold-annotated corpus",
        description="Run clean + extract on every <id>.txt / <id>.html under --corpus and compare with the gold "
        "<id>.json beside it; print a table per field and write a JSON report.",
    )
    evaluate.add_argument("--corpus", required=True, help="corpus directory (e.g. ../shared/corpus)")
    evaluate.add_argument("--report", default="eval-report.json", help="where to write the JSON report")
    evaluate.set_defaults(func=_cmd_eval)

    add_fetch_parser(sub)
    add_cluster_fetch_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "workers", 1) < 1:
        parser.error("--workers must be at least 1")
    _configure_logging(args)
    return args.func(args)
