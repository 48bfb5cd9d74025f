"""`make bench`: how fast and how lean normalize is, against lxml (the floor) and trafilatura (the anchor).

One process times, on the same generated pages: (a) ``lxml.html.fromstring`` plus ``text_content()``,
(b) ``trafilatura.bare_extraction`` with metadata, (c) the pipeline's clean + extract in memory, (d)
``normalize`` end to end with one worker, with two, and again over the unchanged corpus. Peak memory of
normalize is read from fresh processes over N and 10xN pages. The results go to
``bench/results/latest.json`` and a table on stdout; ``--profile`` prints where normalize spends its time.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import json
import os
import platform
import pstats
import shutil
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import lxml.html
from lxml import etree

from bench.generate import CACHE_DIR, DEFAULT_PAGES, DEFAULT_SEED, Corpus, ensure_corpus
from bench.measure import (
    MB,
    Timing,
    differing,
    peak_rss_of_normalize,
    slowest,
    time_pages,
    time_run,
    tree_digest,
)
from pipeline.clean import clean
from pipeline.extract.record import extract
from pipeline.models import RawPage
from pipeline.rawpages import discover, load_page
from pipeline.runner import normalize

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "latest.json"
RUNS = CACHE_DIR / "runs"
MEMORY_FACTOR = 10
ROUNDS = 5     # of the floor (a) and the pipeline (c), alternating
PROFILE_TOP = 25
# Ratios of in-process passes are taken on CPU time: one thread each, so CPU time is what the pass costs
# and other load on the machine cannot tilt the comparison.
RATIO_BASIS = "cpu"
FAILED = "failed"  # the value of a target whose measurement could not be taken


@dataclass(frozen=True)
class Target:
    key: str
    text: str
    limit: float
    higher_is_better: bool

    def verdict(self, value: float | bool | str | None) -> str:
        if value is None:
            return "SKIP"
        if isinstance(value, str):
            return "FAIL"
        if isinstance(value, bool):
            return "PASS" if value else "FAIL"
        good = value >= self.limit if self.higher_is_better else value < self.limit
        return "PASS" if good else "FAIL"


# The targets (single core, same run, same pages).
TARGETS = (
    Target("anchor_ratio", "clean+extract throughput / trafilatura's (>= 2x)", 2.0, True),
    Target("floor_ratio", "lxml floor throughput / clean+extract's (< 5x)", 5.0, False),
    Target("peak_rss_10n_mb", "normalize peak RSS over 10xN pages (< 300 MB)", 300.0, False),
    Target("rss_growth", "peak RSS 10xN / N (< 1.2)", 1.2, False),
    Target("workers_speedup", "--workers 2 throughput / 1 worker's (>= 1.7x)", 1.7, True),
    Target("workers_identical", "--workers 2 output byte-identical to 1 worker's", 1, True),
    Target("rerun_speedup", "first run / rerun over the unchanged corpus (>= 20x)", 20.0, True),
)


@dataclass
class LoadedPages:
    names: list[str]  # paths relative to the raw directory
    pages: list[RawPage]
    texts: list[str]  # the decoded HTML the floor and the anchor read
    sizes: list[int]
    labels: dict[str, str]  # page -> layout


def load_pages(corpus: Corpus) -> LoadedPages:
    names, pages, texts, sizes = [], [], [], []
    for path in sorted(discover(corpus.raw_dir)):
        page, _ = load_page(corpus.raw_dir, path)
        names.append(path.relative_to(corpus.raw_dir).as_posix())
        pages.append(page)
        texts.append(page.data.decode("utf-8"))
        sizes.append(len(page.data))
    return LoadedPages(names, pages, texts, sizes, corpus.info.get("layout_of", {}))


def floor(text: str) -> int:
    return len(lxml.html.fromstring(text).text_content())


def anchor() -> Callable[[str], Any]:
    try:
        import trafilatura
    except ImportError:
        raise SystemExit("trafilatura is not installed: .venv/bin/pip install -e '.[bench]'") from None
    return lambda text: trafilatura.bare_extraction(text, with_metadata=True)


def clean_and_extract(page: RawPage) -> Any:
    return extract(clean(page), page)


def per_layout_ms(timing: Timing, loaded: LoadedPages) -> dict[str, float]:
    spent: defaultdict[str, list[float]] = defaultdict(list)
    for name, seconds in zip(loaded.names, timing.per_page, strict=True):
        spent[loaded.labels.get(name, "?")].append(seconds)
    return {layout: round(sum(times) / len(times) * 1000, 2) for layout, times in sorted(spent.items())}


def _fresh(name: str) -> Path:
    path = RUNS / name
    shutil.rmtree(path, ignore_errors=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def median_round(rounds: list[Timing]) -> Timing:
    """The round of median CPU time, with the CPU times of all rounds noted in it."""
    chosen = sorted(rounds, key=lambda timing: timing.cpu)[len(rounds) // 2]
    chosen.extra["rounds_cpu_s"] = [round(timing.cpu, 3) for timing in rounds]
    return chosen


def in_memory_passes(loaded: LoadedPages, say: Callable[[str], None]) -> dict[str, Timing]:
    """(a), (b), (c): the same pages, already in memory, through each tool in turn.

    (a) and (c) alternate for ROUNDS rounds and each keeps its median round: their ratio is the target
    closest to its limit, and on a shared virtual machine one pass of either can run 10% off its usual time.
    """
    floors, pipelines = [], []
    for number in range(1, ROUNDS + 1):
        say(f"(a) floor: lxml.html.fromstring + text_content, round {number} of {ROUNDS} ...")
        floors.append(time_pages("floor", loaded.texts, loaded.sizes, floor))
        say(f"(c) pipeline: clean + extract in memory, round {number} of {ROUNDS} ...")
        # Any exception is counted, not raised: the bench measures the pipeline, it does not judge pages.
        pipelines.append(time_pages("pipeline", loaded.pages, loaded.sizes, clean_and_extract, failures=(Exception,)))
    say("(b) anchor: trafilatura.bare_extraction(with_metadata=True) ...")
    anchor_timing = time_pages("trafilatura", loaded.texts, loaded.sizes, anchor())
    return {"floor": median_round(floors), "trafilatura": anchor_timing, "pipeline": median_round(pipelines)}


def _timed_normalize(name: str, corpus: Corpus, size: int, out: Path, workers: int) -> Timing:
    timing, summary = time_run(
        name, corpus.pages, size, lambda: normalize(corpus.raw_dir, out, workers=workers, progress=False)
    )
    timing.extra.update({key: getattr(summary, key) for key in ("written", "unchanged", "skipped", "failed")})
    return timing


def normalize_runs(corpus: Corpus, size: int, say: Callable[[str], None]) -> tuple[dict[str, Timing], dict]:
    """(d): one worker, two workers (output compared byte for byte), then a rerun with nothing changed."""
    single, double = _fresh("normalize-1"), _fresh("normalize-2")
    say("(d) normalize, 1 worker ...")
    timings = {"normalize_1": _timed_normalize("normalize_1", corpus, size, single, workers=1)}
    say("(d) normalize, 2 workers ...")
    timings["normalize_2"] = _timed_normalize("normalize_2", corpus, size, double, workers=2)
    different = differing(tree_digest(single), tree_digest(double))
    say("(d) rerun over the unchanged corpus ...")
    timings["rerun"] = _timed_normalize("rerun", corpus, size, single, workers=1)
    comparison = {"identical": not different, "differing_files": len(different), "examples": different[:5]}
    shutil.rmtree(double, ignore_errors=True)
    shutil.rmtree(single, ignore_errors=True)
    return timings, comparison


def memory_runs(corpus: Corpus, pages: int, seed: int, quick: bool, say: Callable[[str], None]) -> dict:
    """Peak RSS of normalize in a fresh process over N pages and (unless quick) 10xN pages."""
    runs = {"N": corpus}
    if not quick:
        runs[f"{MEMORY_FACTOR}xN"] = ensure_corpus(pages * MEMORY_FACTOR, seed, log=say)
    memory = {}
    for label, target in runs.items():
        say(f"peak RSS: normalize over {target.pages} pages in a fresh process ...")
        out = _fresh(f"memory-{label}")
        child = peak_rss_of_normalize(target.raw_dir, out, RUNS / f"memory-{label}.log", ROOT)
        memory[label] = {
            "pages": target.pages,
            "peak_rss_mb": None if child.peak_rss_mb is None else round(child.peak_rss_mb, 1),
            "wall_s": round(child.wall, 2),
            "pages_per_s": round(target.pages / child.wall, 2),
            "returncode": child.returncode,
        }
        if child.returncode != 0 or child.peak_rss_mb is None:
            say(f"  normalize exited with {child.returncode}; see {child.log}")
        shutil.rmtree(out, ignore_errors=True)
    return memory


def ratios(timings: dict[str, Timing], memory: dict, identical: bool) -> dict[str, float | bool | str | None]:
    def rate(name: str, basis: str = "wall") -> float:
        return timings[name].pages_per_second(basis)

    small, big_run = memory["N"]["peak_rss_mb"], memory.get(f"{MEMORY_FACTOR}xN")
    if big_run is None:  # a quick run
        peak = growth = None
    elif big_run["peak_rss_mb"] is None or small is None:
        peak = growth = FAILED
    else:
        peak, growth = big_run["peak_rss_mb"], round(big_run["peak_rss_mb"] / small, 3)
    return {
        "anchor_ratio": round(rate("pipeline", RATIO_BASIS) / rate("trafilatura", RATIO_BASIS), 2),
        "floor_ratio": round(rate("floor", RATIO_BASIS) / rate("pipeline", RATIO_BASIS), 2),
        "peak_rss_10n_mb": peak,
        "rss_growth": growth,
        "workers_speedup": round(rate("normalize_2") / rate("normalize_1"), 2),
        "workers_identical": identical,
        "rerun_speedup": round(timings["normalize_1"].wall / timings["rerun"].wall, 1),
    }


def machine(load_before: tuple[float, ...]) -> dict[str, Any]:
    try:
        import trafilatura

        trafilatura_version = trafilatura.__version__
    except ImportError:
        trafilatura_version = None
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "lxml": ".".join(map(str, etree.LXML_VERSION)),
        "trafilatura": trafilatura_version,
        "loadavg_before": [round(x, 2) for x in load_before],
        "loadavg_after": [round(x, 2) for x in os.getloadavg()],
    }


LABELS = {
    "floor": "(a) lxml fromstring + text_content",
    "trafilatura": "(b) trafilatura bare_extraction+meta",
    "pipeline": "(c) pipeline clean + extract",
    "normalize_1": "(d) normalize, 1 worker",
    "normalize_2": "(d) normalize, 2 workers",
    "rerun": "(d) rerun, unchanged corpus",
}


def table(results: dict) -> str:
    lines = [
        f"{'measure':38} {'pages':>6} {'wall s':>8} {'cpu s':>8} {'pages/s':>9} {'MB/s':>7} "
        f"{'p50 ms':>7} {'p99 ms':>7} {'failed':>6}"
    ]
    for name, label in LABELS.items():
        m = results["measures"][name]
        ms = m.get("ms", {})
        lines.append(
            f"{label:38} {m['pages']:>6} {m['wall_s']:>8.2f} {m['cpu_s']:>8.2f} {m['pages_per_s']:>9.1f} "
            f"{m['mb_per_s']:>7.2f} {ms.get('p50', ''):>7} {ms.get('p99', ''):>7} {m['failed']:>6}"
        )
    rounds = {name: results["measures"][name].get("rounds_cpu_s") for name in ("floor", "pipeline")}
    lines.append(
        f"(a) and (c): the median of {ROUNDS} alternating rounds; cpu s of each round: "
        f"(a) {rounds['floor']}, (c) {rounds['pipeline']}"
    )
    lines.append("")
    for label, m in results["memory"].items():
        lines.append(
            f"peak RSS, normalize over {m['pages']} pages ({label}): {m['peak_rss_mb']} MB "
            f"({m['pages_per_s']:.1f} pages/s in {m['wall_s']:.1f} s)"
        )
    lines.append(f"ms per page by layout, (b) trafilatura: {results['per_layout_ms']['trafilatura']}")
    lines.append(f"ms per page by layout, (c) pipeline:    {results['per_layout_ms']['pipeline']}")
    lines.append(
        "slowest 1% of pages in (c): "
        + ", ".join(f"{s['page']} {s['ms']:.0f} ms" for s in results["slowest_pages"][:10])
        + (" ..." if len(results["slowest_pages"]) > 10 else "")
    )
    lines.append("")
    lines.append(f"{'target':58} {'value':>9}  verdict")
    for target in results["targets"]:
        value = target["value"]
        shown = "-" if value is None else str(value)
        lines.append(f"{target['target']:58} {shown:>9}  {target['verdict']}")
    lines.append(
        f"(in-process ratios on {RATIO_BASIS} time; load average before/after: "
        f"{results['machine']['loadavg_before'][0]} / {results['machine']['loadavg_after'][0]})"
    )
    return "\n".join(lines)


def benchmark(args: argparse.Namespace) -> dict:
    say = print
    load_before = os.getloadavg()
    if load_before[0] > 0.5:
        say(f"note: load average is {load_before[0]:.2f}: other processes share the CPU, timings will be noisy")
    started = time.monotonic()
    corpus = ensure_corpus(args.pages, args.seed, log=say)
    loaded = load_pages(corpus)
    size = sum(loaded.sizes)
    say(f"{corpus.pages} pages, {size / MB:.1f} MB ({corpus.info['layouts']})")

    timings = in_memory_passes(loaded, say)
    slow = slowest(timings["pipeline"], loaded.names, loaded.sizes, loaded.labels)
    layouts = {name: per_layout_ms(timings[name], loaded) for name in ("trafilatura", "pipeline")}
    del loaded  # the pool workers of (d) fork from this process: leave them a small one

    normalize_timings, comparison = normalize_runs(corpus, size, say)
    timings.update(normalize_timings)
    memory = memory_runs(corpus, args.pages, args.seed, args.quick, say)
    values = ratios(timings, memory, comparison["identical"])
    return {
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "mode": "quick" if args.quick else "full",
        "seconds": round(time.monotonic() - started, 1),
        "machine": machine(load_before),
        "corpus": {key: corpus.info[key] for key in ("pages", "seed", "bytes", "layouts")}
        | {"dir": str(corpus.root)},
        "measures": {name: timing.summary() for name, timing in timings.items()},
        "ratio_basis": RATIO_BASIS,
        "ratios": values,
        "workers_comparison": comparison,
        "memory": memory,
        "per_layout_ms": layouts,
        "slowest_pages": slow,
        "targets": [
            {"key": t.key, "target": t.text, "value": values[t.key], "verdict": t.verdict(values[t.key])}
            for t in TARGETS
        ],
    }


def profile(args: argparse.Namespace) -> None:
    """cProfile of normalize with one worker over the corpus: the functions that take the time."""
    corpus = ensure_corpus(args.pages, args.seed)
    out = _fresh("profile")
    profiler = cProfile.Profile()
    summary = profiler.runcall(normalize, corpus.raw_dir, out, workers=1, progress=False)
    shutil.rmtree(out, ignore_errors=True)
    stats_path = CACHE_DIR / "profile.prof"
    profiler.dump_stats(stats_path)
    stats = pstats.Stats(profiler)
    entries = stats.stats  # (file, line, function) -> (primitive calls, calls, own time, cumulative, callers)
    total = sum(entry[2] for entry in entries.values())
    print(f"normalize, 1 worker, {summary.pages} pages: {total:.1f} s profiled (stats in {stats_path})")
    for title, column in (("own time", 2), ("cumulative time", 3)):
        print(f"\ntop {PROFILE_TOP} functions by {title}")
        print(f"{'own s':>8} {'own %':>6} {'cum s':>8} {'cum %':>6} {'calls':>9}  function")
        ranked = sorted(entries.items(), key=lambda item: item[1][column], reverse=True)[:PROFILE_TOP]
        for (filename, line, function), (_, calls, own, cumulative, _) in ranked:
            where = "" if filename == "~" else f" ({_short_path(filename)}:{line})"  # "~": a built-in
            print(
                f"{own:>8.2f} {own / total:>6.1%} {cumulative:>8.2f} {cumulative / total:>6.1%} {calls:>9}  "
                f"{function}{where}"
            )


def _short_path(filename: str) -> str:
    for marker in ("site-packages/", str(ROOT) + "/"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return filename


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=DEFAULT_PAGES, help=f"pages (default {DEFAULT_PAGES})")
    parser.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help=f"corpus seed (default {DEFAULT_SEED})"
    )
    parser.add_argument("--quick", action="store_true", help=f"skip the {MEMORY_FACTOR}xN-page memory run")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of normalize instead")
    parser.add_argument(
        "--out", type=Path, default=RESULTS, help="results JSON (default bench/results/latest.json)"
    )
    args = parser.parse_args(argv)
    if args.pages < 1:
        parser.error("--pages must be at least 1")
    if args.profile:
        profile(args)
        return 0
    results = benchmark(args)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print()
    print(table(results))
    print(f"\nresults: {args.out} ({results['seconds']:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
