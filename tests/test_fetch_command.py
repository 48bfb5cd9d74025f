"""The fetch command's contract with a scheduler: usage errors exit 2, SIGTERM ends a run cleanly."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.fetch_fixtures.helpers import fetch, state_rows, write_config
from tests.fetch_fixtures.server import FixtureServer, Reply, document_html, listing_html

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("args, message", [
    (["--source", "nope"], "unknown source"),
    (["http://elsewhere.example/document/1"], "not a page of source"),
    (["--base-url", "not a url"], "--base-url"),
])
def test_usage_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str],
                             message: str) -> None:
    config = write_config(tmp_path, "http://127.0.0.1:9")
    assert fetch(config, tmp_path / "raw", *args) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "raw").exists()


def test_a_missing_config_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert fetch(tmp_path / "absent.toml", tmp_path / "raw") == 2
    assert "not found" in capsys.readouterr().err


def test_bad_arguments_exit_2(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exit_info:
        fetch(tmp_path / "pipeline.toml", tmp_path / "raw", "--max-pages", "0")
    assert exit_info.value.code == 2


def test_sigterm_ends_the_run_with_a_report_and_the_state_kept(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    with FixtureServer() as server:
        server.route("/list", Reply.html(listing_html([f"/document/{n}" for n in range(20)])))
        for n in range(20):
            reply = Reply.html(document_html(f"Document {n}"))
            reply.delay = 0.1
            server.route(f"/document/{n}", reply)
        config = write_config(tmp_path, server.base_url, listings=["/list"])
        command = [sys.executable, "-m", "pipeline.fetch", "--quiet", "--config", str(config),
                   "--raw-dir", str(raw)]
        process = subprocess.Popen(
            command, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 20
        while len(list(raw.glob("wilson/*.meta.json"))) < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
        process.send_signal(signal.SIGTERM)
        out, _ = process.communicate(timeout=20)
    assert process.returncode == 130
    data = json.loads((raw / ".fetch-report.json").read_text())
    assert data["interrupted"] is True and data["counts"]["new"] >= 1
    assert len(state_rows(raw)) >= 3                      # what was finished is recorded
    assert "interrupted" in out
