"""The `fetch` subcommand: argument parsing and wiring; the work is in pipeline.fetch.run."""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pipeline.fetch.config import ConfigError, load_config
from pipeline.fetch.run import EXIT_USAGE, RunOptions, run_fetch
from pipeline.fetch.urls import host_of, normalize_url

DEFAULT_CONFIG = Path("pipeline.toml")
DEFAULT_RAW_DIR = Path("raw")
STATE_NAME = ".state.sqlite"
DESCRIPTION = ("Discover and fetch the document pages of a configured source (politely, incrementally), "
               "or fetch the given URLs as pages of that source.")


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "fetch",
        help="harvest a source's document pages into the raw directory",
        description=DESCRIPTION,
    )
    _add_arguments(parser)


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("urls", nargs="*", metavar="URL",
                        help="fetch these pages of --source instead of discovering documents")
    parser.add_argument("--source", help="source name from the configuration (default: its default_source)")
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG,
                        help=f"configuration file (default: {DEFAULT_CONFIG})")
    parser.add_argument("--base-url", help="serve the source from this URL instead (staging, tests)")
    parser.add_argument("--raw-dir", type=Path,
                        help=f"where pages go (default: the config's raw_dir, else {DEFAULT_RAW_DIR})")
    parser.add_argument("--state", type=Path, help=f"crawl state database (default: RAW_DIR/{STATE_NAME})")
    parser.add_argument("--max-pages", type=_positive_int, metavar="N",
                        help="request at most N document pages")
    parser.add_argument("--since", type=_date, metavar="DATE",
                        help="skip pages whose sitemap <lastmod> is before DATE (YYYY-MM-DD)")
    parser.add_argument("--refresh-after", type=_days, metavar="DAYS",
                        help="revisit known pages fetched more than DAYS ago (default: from the config)")
    parser.add_argument("--dry-run", action="store_true", help="print what would be fetched, fetch nothing")
    parser.set_defaults(func=run_command)


def run_command(args: argparse.Namespace) -> int:
    try:
        config = load_config(args.config)
        source = config.source(args.source)
        if args.base_url:
            source = source.with_base_url(args.base_url)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    urls = [normalize_url(source.resolve(url)) for url in args.urls]
    foreign = [url for url in urls if host_of(url) not in source.hosts]
    if foreign:
        print(f"error: not a page of source {source.name!r} ({', '.join(sorted(source.hosts))}): "
              f"{', '.join(foreign)}", file=sys.stderr)
        return EXIT_USAGE
    raw_dir = args.raw_dir or config.raw_dir or DEFAULT_RAW_DIR
    quiet = bool(getattr(args, "quiet", False))
    options = RunOptions(
        source=source,
        raw_dir=raw_dir,
        state_path=args.state or raw_dir / STATE_NAME,
        urls=urls,
        max_pages=args.max_pages,
        since=args.since,
        refresh_after=(args.refresh_after if args.refresh_after is not None
                       else timedelta(days=source.refresh_after_days)),
        dry_run=args.dry_run,
        progress=sys.stderr.isatty() and not quiet,
        quiet=quiet,
    )
    return run_fetch(options)


def main(argv: list[str] | None = None) -> int:
    """`python -m pipeline.fetch`: the fetch stage on its own, with the top-level options."""
    parser = argparse.ArgumentParser(prog="python -m pipeline.fetch", description=DESCRIPTION)
    parser.add_argument("-q", "--quiet", action="store_true", help="print only problems")
    parser.add_argument("-v", "--verbose", action="store_true", help="log every request")
    _add_arguments(parser)
    args = parser.parse_args(argv)
    level = logging.DEBUG if args.verbose else logging.WARNING if args.quiet else logging.INFO
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return args.func(args)


def _positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def _days(value: str) -> timedelta:
    days = float(value)
    if days < 0:
        raise argparse.ArgumentTypeError("must be 0 or more days")
    return timedelta(days=days)


def _date(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
