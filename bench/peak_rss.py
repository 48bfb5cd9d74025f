"""Run ``archive-pipeline`` in this (fresh) process and write its peak resident memory to a file.

``python -m bench.peak_rss REPORT normalize --raw-dir ... --out-dir ...``

The peak is read from the process's own VmHWM (Linux), the high-water mark of the memory map the
interpreter got at exec. ``ru_maxrss`` would not do: Linux carries the parent's resident size at fork
over into the child's ``ru_maxrss``, so a child of the (large) benchmark process would report the
benchmark's size instead of its own.
"""

from __future__ import annotations

import json
import resource
import sys
from pathlib import Path

KB = 1024


def peak_rss_bytes() -> int:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * KB
    except OSError:
        pass
    # Elsewhere ru_maxrss is the best there is (kilobytes on Linux, bytes on macOS).
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * KB


def main(argv: list[str]) -> int:
    report, arguments = Path(argv[0]), argv[1:]
    from pipeline.cli import main as cli

    code = cli(arguments)
    report.write_text(json.dumps({"peak_rss_bytes": peak_rss_bytes(), "exit": code}) + "\n", encoding="utf-8")
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
