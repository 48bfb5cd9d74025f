"""Throughput of normalize on each executor over one generated corpus: pages per second, same output.

    .venv/bin/python tools/bench_executors.py --pages 2000 [--workers 2] [--repeat 1] [--json FILE]

Runs local serial, local with a process pool of --workers, and Dask on a LocalCluster of --workers
processes (one thread each), each into a fresh output directory, and checks that all three outputs are
byte for byte the same (the index without the file stamps it keeps of this disk). The LocalCluster's
start-up is timed apart from its run: a long-lived cluster pays it once. Numbers depend on the machine
and on what else runs on it; the load average is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.generate import DEFAULT_SEED, ensure_corpus  # noqa: E402 - needs the repository on sys.path
from bench.measure import tree_digest  # noqa: E402
from pipeline.executors import DaskExecutor, LocalExecutor  # noqa: E402
from pipeline.runner import code_fingerprint, normalize  # noqa: E402


def timed_runs(raw: Path, scratch: Path, name: str, executor: object, repeat: int) -> tuple[float, Path]:
    """The best wall time of `repeat` runs from scratch, and the output of the last one."""
    best = float("inf")
    out = scratch / name
    for _ in range(repeat):
        shutil.rmtree(out, ignore_errors=True)
        started = time.perf_counter()
        normalize(raw, out, progress=False, executor=executor)
        best = min(best, time.perf_counter() - started)
    return best, out


def run(pages: int, seed: int, workers: int, repeat: int, say: Callable[[str], None]) -> dict:
    corpus = ensure_corpus(pages, seed, log=say)
    results: dict[str, dict[str, float]] = {}
    outputs: dict[str, Path] = {}
    with tempfile.TemporaryDirectory(prefix="bench-executors-") as scratch:
        scratch_dir = Path(scratch)
        for name, executor in (("local serial", LocalExecutor(1)),
                               (f"local --workers {workers}", LocalExecutor(workers))):
            seconds, outputs[name] = timed_runs(corpus.raw_dir, scratch_dir, name.replace(" ", "_"), executor, repeat)
            results[name] = {"seconds": round(seconds, 2), "pages_per_s": round(pages / seconds, 1)}
            say(f"{name:<28} {results[name]['pages_per_s']:>7.1f} pages/s  ({seconds:.1f} s)")
        name = f"dask local:{workers}"
        started = time.perf_counter()
        with DaskExecutor(f"local:{workers}", check_code=code_fingerprint) as cluster:
            startup = time.perf_counter() - started
            seconds, outputs[name] = timed_runs(corpus.raw_dir, scratch_dir, "dask", cluster, repeat)
        results[name] = {"seconds": round(seconds, 2), "pages_per_s": round(pages / seconds, 1),
                         "cluster_startup_s": round(startup, 2)}
        say(f"{name:<28} {results[name]['pages_per_s']:>7.1f} pages/s  ({seconds:.1f} s, "
            f"+{startup:.1f} s to start the cluster)")
        reference = tree_digest(outputs["local serial"])
        identical = all(tree_digest(out) == reference for out in outputs.values())
    say(f"outputs byte for byte identical: {identical}")
    return {"pages": pages, "seed": seed, "workers": workers, "cpus": os.cpu_count(),
            "load_average": [round(x, 2) for x in os.getloadavg()], "results": results, "identical": identical}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--workers", type=int, default=2, help="pool size and LocalCluster size (default 2)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per executor; the best counts (default 1)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    print(f"{args.pages} pages, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
    report = run(args.pages, args.seed, args.workers, args.repeat, print)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0 if report["identical"] else 1


if __name__ == "__main__":
    sys.exit(main())
