"""Harvest the demo archive with the real fetch stage: serve demo/site/ on a free port of
127.0.0.1, fetch source "wilson" from it into RAW_DIR, stop the server.

    python demo/run_demo.py --raw-dir /tmp/demo/raw [--config demo/pipeline.toml] [fetch options...]

The exit code is the fetch stage's (0 when every page was fetched or unchanged).
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

DEMO = Path(__file__).resolve().parent
sys.path.insert(0, str(DEMO.parent))   # run from a checkout without installing the package

from serve import serving  # noqa: E402

from pipeline.fetch.command import main as fetch_main  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raw-dir", type=Path, required=True, help="where the harvested pages go")
    parser.add_argument("--config", type=Path, default=DEMO / "pipeline.toml")
    args, fetch_args = parser.parse_known_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    with serving() as base_url:
        print(f"demo archive served at {base_url}/", flush=True)
        return fetch_main(["--config", str(args.config), "--source", "wilson", "--base-url", base_url,
                           "--raw-dir", str(args.raw_dir), *fetch_args])


if __name__ == "__main__":
    raise SystemExit(main())
