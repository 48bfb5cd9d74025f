"""Timing and memory measurements for the benchmark: per-page timers, whole runs, peak RSS of a child."""

from __future__ import annotations

import gc
import hashlib
import json
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.write import INDEX_FILE, index_without_stamps

MB = 1_000_000
SLOWEST_SHARE = 0.01
WARMUP_PAGES = 20


@dataclass
class Timing:
    """One measured pass over the pages: wall and CPU seconds, and each page's time when taken."""

    name: str
    pages: int
    bytes: int
    wall: float
    cpu: float
    failed: int = 0
    per_page: list[float] = field(default_factory=list)  # seconds, in page order
    extra: dict[str, Any] = field(default_factory=dict)

    def pages_per_second(self, basis: str = "wall") -> float:
        seconds = self.cpu if basis == "cpu" else self.wall
        return self.pages / seconds if seconds else float("inf")

    def mb_per_second(self, basis: str = "wall") -> float:
        seconds = self.cpu if basis == "cpu" else self.wall
        return self.bytes / MB / seconds if seconds else float("inf")

    def percentile_ms(self, share: float) -> float | None:
        if not self.per_page:
            return None
        ordered = sorted(self.per_page)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000

    def summary(self) -> dict[str, Any]:
        result = {
            "pages": self.pages,
            "bytes": self.bytes,
            "wall_s": round(self.wall, 3),
            "cpu_s": round(self.cpu, 3),
            "pages_per_s": round(self.pages_per_second(), 2),
            "mb_per_s": round(self.mb_per_second(), 3),
            "pages_per_cpu_s": round(self.pages_per_second("cpu"), 2),
            "failed": self.failed,
            **self.extra,
        }
        if self.per_page:
            result["ms"] = {
                name: round(self.percentile_ms(share), 2)
                for name, share in (("p50", 0.5), ("p90", 0.9), ("p99", 0.99), ("max", 1.0))
            }
        return result


def _settle() -> None:
    """Collect, then exempt everything alive from later collections: the harness's own objects (pages,
    timings, the other tools' caches) must not make the measured code's garbage collections slower."""
    gc.collect()
    gc.freeze()


def time_pages(
    name: str,
    items: Sequence[Any],
    sizes: Sequence[int],
    work: Callable[[Any], Any],
    failures: tuple[type[BaseException], ...] = (),
) -> Timing:
    """Run `work` on every item after a short untimed warm-up (imports, caches, lazy compiles).

    Items whose work raises one of `failures` are counted by error type; a None result counts as empty.
    """
    for item in items[:WARMUP_PAGES]:
        try:
            work(item)
        except failures:
            pass
    _settle()
    per_page = []
    errors: Counter[str] = Counter()
    empty = 0
    clock = time.perf_counter
    wall_start, cpu_start = clock(), time.process_time()
    for item in items:
        started = clock()
        try:
            empty += work(item) is None
        except failures as error:
            errors[type(error).__name__] += 1
        per_page.append(clock() - started)
    wall, cpu = clock() - wall_start, time.process_time() - cpu_start
    extra = {"empty": empty, "errors": dict(errors)}
    return Timing(name, len(items), sum(sizes), wall, cpu, sum(errors.values()), per_page, extra)


def time_run(name: str, pages: int, size: int, run: Callable[[], Any]) -> tuple[Timing, Any]:
    """A whole run timed from outside; CPU time counts this process and the children it waited for."""
    _settle()
    before = os.times()
    wall_start = time.perf_counter()
    result = run()
    wall = time.perf_counter() - wall_start
    after = os.times()
    cpu = sum(
        getattr(after, f) - getattr(before, f) for f in ("user", "system", "children_user", "children_system")
    )
    return Timing(name, pages, size, wall, cpu), result


def slowest(timing: Timing, names: Sequence[str], sizes: Sequence[int], labels: dict[str, str]) -> list[dict]:
    """The slowest 1% of pages (at least one), slowest first."""
    count = max(1, round(len(timing.per_page) * SLOWEST_SHARE))
    order = sorted(range(len(timing.per_page)), key=timing.per_page.__getitem__, reverse=True)[:count]
    return [
        {
            "page": names[i],
            "layout": labels.get(names[i], "?"),
            "ms": round(timing.per_page[i] * 1000, 2),
            "kb": round(sizes[i] / 1000, 1),
        }
        for i in order
    ]


def tree_digest(directory: Path, ignore: frozenset[str] = frozenset({".lock"})) -> dict[str, str]:
    """sha256 of every file under `directory`, by relative path: equal digests mean identical output.
    The index is taken without the sizes and modification times it keeps of files on this disk."""
    digests = {}
    for path in sorted(Path(directory).rglob("*")):
        if path.is_file() and path.name not in ignore:
            data = path.read_bytes()
            data = index_without_stamps(data) if path.name == INDEX_FILE else data
            digests[path.relative_to(directory).as_posix()] = hashlib.sha256(data).hexdigest()
    return digests


def differing(first: dict[str, str], second: dict[str, str]) -> list[str]:
    return sorted(name for name in first.keys() | second.keys() if first.get(name) != second.get(name))


@dataclass
class ChildRun:
    peak_rss_mb: float | None
    wall: float
    returncode: int
    log: Path


def peak_rss_of_normalize(raw_dir: Path, out_dir: Path, log: Path, cwd: Path) -> ChildRun:
    """`archive-pipeline normalize` with one worker in a fresh process, which reports its own peak RSS."""
    report = log.with_suffix(".json")
    report.unlink(missing_ok=True)
    command = [
        sys.executable, "-m", "bench.peak_rss", str(report), "-q", "normalize", "--raw-dir", str(raw_dir),
        "--out-dir", str(out_dir), "--workers", "1",
    ]
    with open(log, "wb") as output:
        started = time.perf_counter()
        finished = subprocess.run(command, cwd=cwd, stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        wall = time.perf_counter() - started
    try:
        peak = json.loads(report.read_text(encoding="utf-8"))["peak_rss_bytes"] / MB
    except (OSError, ValueError, KeyError):
        peak = None
    return ChildRun(peak_rss_mb=peak, wall=wall, returncode=finished.returncode, log=log)
