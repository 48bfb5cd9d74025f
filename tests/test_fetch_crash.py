"""Crash safety and scheduling: SIGKILL mid-run then resume, the run lock, safe file names."""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.fetch.urls import normalize_url, page_key
from pipeline.storage import DirectoryLock
from tests.fetch_fixtures.helpers import fetch, state_rows, stored, write_config
from tests.fetch_fixtures.server import FixtureServer, Reply, document_html, listing_html

REPO = Path(__file__).resolve().parents[1]
SIDECAR_KEYS = {"url", "final_url", "status", "headers", "retrieved_at", "sha256", "charset", "etag",
                "last_modified", "media_type", "site"}


def _start_fetch(config: Path, raw: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen([sys.executable, "-m", "pipeline.fetch", "--quiet", "--config", str(config),
                             "--raw-dir", str(raw)], cwd=REPO, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _wait_for(condition, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.01)


def _serve_documents(server: FixtureServer, count: int, delay: float) -> dict[str, bytes]:
    pages = {}
    for n in range(count):
        reply = Reply.html(document_html(f"Document {n}", f"Paragraph {n} of a long report. " * 200))
        reply.delay = delay
        server.route(f"/document/{n}", reply)
        pages[f"{n}.html"] = reply.body
    server.route("/list", Reply.html(listing_html([f"/document/{n}" for n in range(count)])))
    return pages


def test_a_run_killed_with_sigkill_resumes_without_partial_files_or_duplicates(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    with FixtureServer() as server:
        pages = _serve_documents(server, 40, delay=0.05)
        config = write_config(tmp_path, server.base_url, listings=["/list"],
                              politeness={"min_delay": 0, "concurrency": 2})
        process = _start_fetch(config, raw)
        try:
            _wait_for(lambda: len(list(raw.glob("wilson/*.meta.json"))) >= 6)
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait()
        # Whatever was there at the kill is whole: a page is either complete or absent.
        for name, data in stored(raw).items():
            if name.endswith(".html"):
                assert data == pages[name]
            elif name.endswith(".meta.json"):
                json.loads(data)
        finished = set(state_rows(raw))
        requested_before = {p for p in server.paths() if p.startswith("/document")}
        server.clear_log()

        assert fetch(config, raw) == 0

        requested_after = [p for p in server.paths() if p.startswith("/document")]
    assert requested_after, "the first run finished before it was killed"
    assert len(requested_after) == len(set(requested_after))
    # Pages finished before the kill are not asked for again.
    assert not {server.base_url + p for p in requested_after} & finished
    assert requested_before | set(requested_after) == {f"/document/{n}" for n in range(40)}
    files = stored(raw)
    assert sorted(n for n in files if n.endswith(".html")) == sorted(pages)
    assert all(files[name] == data for name, data in pages.items())
    assert len(files) == 80                                     # one page + one sidecar each, no extras
    assert not list(raw.rglob("*.tmp"))
    assert len(state_rows(raw)) == 40


def test_a_second_run_on_the_same_raw_directory_is_refused(tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    raw = tmp_path / "raw"
    with FixtureServer() as server:
        _serve_documents(server, 3, delay=1.0)
        config = write_config(tmp_path, server.base_url, listings=["/list"])
        process = _start_fetch(config, raw)
        try:
            _wait_for(lambda: bool(server.requests_to("/document/0")))
            assert fetch(config, raw) == 3
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait()
    assert "another fetch is still running" in capsys.readouterr().err.lower()


def test_the_lock_is_checked_before_any_request(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    with FixtureServer() as server, DirectoryLock(raw):
        config = write_config(tmp_path, server.base_url, listings=["/list"])
        assert fetch(config, raw) == 3
        assert server.paths() == []


def test_temp_files_of_a_killed_writer_are_cleaned_up(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    leftover = raw / "wilson" / ".1.html.x1y2.tmp"
    leftover.parent.mkdir(parents=True)
    leftover.write_bytes(b"half a pa")
    with FixtureServer() as server:
        config = write_config(tmp_path, server.base_url)
        server.route("/document/1", Reply.html(document_html("Letter")))
        assert fetch(config, raw, f"{server.base_url}/document/1") == 0
    assert not leftover.exists()


TRAVERSALS = ["/document/..%2F..%2F..%2Fescape", "/document/%2e%2e%2f%2e%2e%2fescape2",
              "/document/CON", "/document/" + "a" * 300, "/document/.hidden", "/document/nul.txt",
              "/document/caf%C3%A9%20%E2%80%94%20menu", "/document/a%00b"]


def test_path_traversal_looking_urls_are_stored_safely(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    with FixtureServer() as server:
        for path in TRAVERSALS:
            # The harvester asks for the normalized spelling of each URL.
            server.route(page_key(normalize_url(server.base_url + path)), Reply.html(document_html("Letter")))
        config = write_config(tmp_path, server.base_url, documents=["^/document/"])
        assert fetch(config, raw, *[server.base_url + p for p in TRAVERSALS]) == 0
    everything = [p for p in tmp_path.rglob("*") if p.is_file()]
    site_dir = (raw / "wilson").resolve()
    pages = [p for p in everything if p.suffix == ".html"]
    assert len(pages) == len(TRAVERSALS)
    for page in pages:
        assert page.resolve().parent == site_dir
        assert len(page.name) <= 130 and not page.name.startswith(".")
    assert not (tmp_path / "escape.html").exists() and not (tmp_path.parent / "escape.html").exists()


def test_two_urls_with_one_name_do_not_collide(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    with FixtureServer() as server:
        server.route("/document/7", Reply.html(document_html("Seven")))
        server.route("/other/7", Reply.html(document_html("Other seven")))
        config = write_config(tmp_path, server.base_url, documents=["^/(document|other)/"])
        assert fetch(config, raw, f"{server.base_url}/document/7", f"{server.base_url}/other/7") == 0
    names = {n for n in stored(raw) if n.endswith(".html")}
    assert len(names) == 2 and "7.html" in names
    assert all(n == "7.html" or re.fullmatch(r"7-[0-9a-f]{10}\.html", n) for n in names)


def test_the_sidecar_follows_the_contract(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    with FixtureServer() as server:
        server.route("/document/1", Reply.html(document_html("Letter"), ETag='"abc"',
                                               Content_Language="en"))
        config = write_config(tmp_path, server.base_url)
        assert fetch(config, raw, f"{server.base_url}/document/1") == 0
    files = stored(raw)
    meta = json.loads(files["1.meta.json"])
    assert set(meta) == SIDECAR_KEYS
    assert meta["url"] == meta["final_url"] == f"{server.base_url}/document/1"
    assert (meta["status"], meta["etag"], meta["media_type"], meta["site"], meta["charset"]) == (
        200, '"abc"', "text/html", "wilson", "utf-8")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", meta["retrieved_at"])
    assert set(meta["headers"]) <= {"content-type", "etag", "last-modified", "content-length",
                                    "content-language"}
    assert meta["headers"]["content-language"] == "en"
    assert meta["sha256"] == hashlib.sha256(files["1.html"]).hexdigest()
