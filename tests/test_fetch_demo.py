"""The demo harvest (make demo): the demo archive served locally, fetched by the real fetch stage."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _run_demo(raw: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, str(REPO / "demo" / "run_demo.py"), "--raw-dir", str(raw)],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=60)


def test_demo_harvest_fetches_every_document_and_a_rerun_changes_nothing(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    first = _run_demo(raw)
    assert first.returncode == 0, first.stderr
    pages = sorted((raw / "wilson").glob("*.html"))
    assert [p.stem for p in pages] == ["300124", "letter-petrescu-ministry-foreign-affairs-1961",
                                       "report-trade-delegation-1972",
                                       "telegram-embassy-vienna-central-committee-1968"]
    sidecar = raw / "wilson" / "telegram-embassy-vienna-central-committee-1968.meta.json"
    telegram = json.loads(sidecar.read_text())
    assert telegram["charset"] == "cp1252" and telegram["site"] == "wilson"
    mtimes = {p: p.stat().st_mtime_ns for p in (raw / "wilson").iterdir()}

    second = _run_demo(raw)
    assert second.returncode == 0, second.stderr
    assert "4 skipped" in second.stdout
    assert {p: p.stat().st_mtime_ns for p in (raw / "wilson").iterdir()} == mtimes
