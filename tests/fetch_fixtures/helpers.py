"""Config files and in-process runs for the fetch-stage tests."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from pipeline.fetch.command import main

# Fast settings: no politeness delay, tiny backoff, short timeouts. Tests that measure a delay
# set their own.
FAST = {
    "politeness": {"min_delay": 0, "concurrency": 1},
    "http": {"connect_timeout": 2, "read_timeout": 2, "backoff_base": 0.01, "backoff_max": 0.05,
             "max_tries": 3, "retry_after_cap": 5},
}


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return str(value)


def write_config(directory: Path, base_url: str, *, site: str = "wilson", politeness: dict | None = None,
                 http: dict | None = None, **source: object) -> Path:
    """A pipeline.toml with one source "test" served from base_url."""
    lines = ["[fetch]", 'default_source = "test"', 'user_agent = "archive-pipeline-test/1.0"',
             'contact = "https://example.org/contact"', "", "[sources.test]", f'site = "{site}"',
             f'base_url = "{base_url}"']
    source.setdefault("documents", ["^/document/[^/]+$"])
    lines += [f"{key} = {_toml_value(value)}" for key, value in source.items()]
    for table, values in (("politeness", {**FAST["politeness"], **(politeness or {})}),
                          ("http", {**FAST["http"], **(http or {})})):
        lines += ["", f"[sources.test.{table}]"] + [f"{k} = {_toml_value(v)}" for k, v in values.items()]
    path = directory / "pipeline.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def fetch(config: Path, raw_dir: Path, *args: str) -> int:
    return main(["--config", str(config), "--raw-dir", str(raw_dir), *args])


def report(raw_dir: Path) -> dict:
    return json.loads((raw_dir / ".fetch-report.json").read_text(encoding="utf-8"))


def state_rows(raw_dir: Path) -> dict[str, dict]:
    db = sqlite3.connect(raw_dir / ".state.sqlite")
    db.row_factory = sqlite3.Row
    try:
        return {row["url"]: dict(row) for row in db.execute("SELECT * FROM pages")}
    finally:
        db.close()


def stored(raw_dir: Path, site: str = "wilson") -> dict[str, bytes]:
    folder = raw_dir / site
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*"))} if folder.exists() else {}
