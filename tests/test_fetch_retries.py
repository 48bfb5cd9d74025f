"""Patience and limits: retries, Retry-After, timeouts, truncation, size cap, redirects, redaction."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from tests.fetch_fixtures.helpers import fetch, report, state_rows, stored, write_config
from tests.fetch_fixtures.server import FixtureServer, Reply, document_html

PAGE = document_html("Telegram, the Embassy to the Ministry")


def _run(tmp_path: Path, server: FixtureServer, *paths: str, **config: object) -> int:
    path = write_config(tmp_path, server.base_url, **config)
    return fetch(path, tmp_path / "raw", *[server.base_url + p for p in paths])


def _only_row(tmp_path: Path) -> dict:
    [row] = state_rows(tmp_path / "raw").values()
    return row


def test_503_twice_then_200_is_saved(tmp_path: Path) -> None:
    with FixtureServer() as server:
        server.route("/document/1", Reply(503, b"busy"), Reply(503, b"busy"), Reply.html(PAGE))
        assert _run(tmp_path, server, "/document/1") == 0
        assert len(server.requests_to("/document/1")) == 3
    assert stored(tmp_path / "raw")["1.html"] == PAGE.encode()
    assert _only_row(tmp_path)["attempts"] == 3


def test_429_retry_after_is_waited_out(tmp_path: Path) -> None:
    with FixtureServer() as server:
        server.route("/document/1", Reply(429, b"slow down", {"Retry-After": "1"}), Reply.html(PAGE))
        assert _run(tmp_path, server, "/document/1") == 0
        first, second = server.requests_to("/document/1")
    assert second.at - first.at >= 0.95


def test_retry_after_beyond_the_cap_gives_up_for_this_run(tmp_path: Path) -> None:
    with FixtureServer() as server:
        server.route("/document/1", Reply(503, b"maintenance", {"Retry-After": "3600"}), Reply.html(PAGE))
        assert _run(tmp_path, server, "/document/1") == 1
        assert len(server.requests_to("/document/1")) == 1
    assert _only_row(tmp_path)["outcome"] == "retry_later"
    assert "3600" in report(tmp_path / "raw")["failures"][0]["reason"]


def test_persistent_5xx_is_recorded_after_max_tries(tmp_path: Path) -> None:
    with FixtureServer() as server:
        server.route("/document/1", Reply(502, b"bad gateway"))
        assert _run(tmp_path, server, "/document/1") == 1
        assert len(server.requests_to("/document/1")) == 3
    row = _only_row(tmp_path)
    assert (row["outcome"], row["reason"], row["attempts"]) == ("http_error", "HTTP 502", 3)


def test_a_timeout_is_retried(tmp_path: Path) -> None:
    with FixtureServer() as server:
        server.route("/document/1", Reply(200, PAGE.encode(), {"Content-Type": "text/html"}, delay=1.0),
                     Reply.html(PAGE))
        assert _run(tmp_path, server, "/document/1", http={"read_timeout": 0.3}) == 0
        assert len(server.requests_to("/document/1")) == 2
    assert "1.html" in stored(tmp_path / "raw")


def test_a_truncated_body_is_retried(tmp_path: Path) -> None:
    with FixtureServer() as server:
        full = Reply.html(PAGE)
        cut = Reply(200, full.body, full.headers, cut_at=len(full.body) // 2)
        server.route("/document/1", cut, full)
        assert _run(tmp_path, server, "/document/1") == 0
        assert len(server.requests_to("/document/1")) == 2
    assert stored(tmp_path / "raw")["1.html"] == full.body


def test_a_body_that_is_always_truncated_is_not_saved(tmp_path: Path) -> None:
    with FixtureServer() as server:
        full = Reply.html(PAGE)
        server.route("/document/1", Reply(200, full.body, full.headers, cut_at=100))
        assert _run(tmp_path, server, "/document/1") == 1
    assert stored(tmp_path / "raw") == {}
    assert _only_row(tmp_path)["outcome"] == "truncated"


@pytest.mark.parametrize("chunked", [False, True])
def test_bodies_over_the_size_cap_are_refused(tmp_path: Path, chunked: bool) -> None:
    with FixtureServer() as server:
        huge = b"<html><body>" + b"x" * 300_000 + b"</body></html>"
        server.route("/document/1", Reply(200, huge, {"Content-Type": "text/html"}, chunked=chunked))
        assert _run(tmp_path, server, "/document/1", http={"max_bytes": 100_000}) == 1
        assert len(server.requests_to("/document/1")) == 1      # refused, not retried
    assert stored(tmp_path / "raw") == {}
    assert _only_row(tmp_path)["outcome"] == "too_large"


def test_a_redirect_loop_is_stopped(tmp_path: Path) -> None:
    with FixtureServer() as server:
        server.route("/document/1", Reply.redirect("/document/2"))
        server.route("/document/2", Reply.redirect("/document/1/"))
        assert _run(tmp_path, server, "/document/1") == 1
        assert server.paths() == ["/robots.txt", "/document/1", "/document/2"]
    row = _only_row(tmp_path)
    assert row["outcome"] == "redirect" and "loop" in row["reason"]


def test_redirect_hops_are_limited(tmp_path: Path) -> None:
    with FixtureServer() as server:
        for n in range(10):
            server.route(f"/document/{n}", Reply.redirect(f"/document/{n + 1}", status=301))
        assert _run(tmp_path, server, "/document/0", http={"max_redirects": 3}) == 1
        assert server.paths()[1:] == [f"/document/{n}" for n in range(4)]
    assert "more than 3 redirects" in _only_row(tmp_path)["reason"]


def test_redirects_leave_the_source_hosts_never(tmp_path: Path) -> None:
    with FixtureServer() as server, FixtureServer() as other:
        other.route("/document/1", Reply.html(PAGE))
        offsite = other.base_url.replace("127.0.0.1", "localhost") + "/document/1"
        server.route("/document/1", Reply.redirect(offsite))
        assert _run(tmp_path, server, "/document/1") == 1
        assert other.log == []
    assert "another host" in _only_row(tmp_path)["reason"]


def test_a_redirect_within_the_source_is_followed(tmp_path: Path) -> None:
    with FixtureServer() as server:
        server.route("/document/old", Reply.redirect("/document/new", status=301))
        server.route("/document/new", Reply.html(PAGE))
        assert _run(tmp_path, server, "/document/old") == 0
    meta = json.loads(stored(tmp_path / "raw")["old.meta.json"])
    assert meta["url"].endswith("/document/old") and meta["final_url"].endswith("/document/new")


def test_credentials_never_reach_the_logs(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with FixtureServer() as server:
        server.route("/document/1?access_token=s3cr3t", Reply(503, b"busy"))
        caplog.set_level(logging.DEBUG)
        assert _run(tmp_path, server, "/document/1?access_token=s3cr3t",
                    documents=["^/document/"]) == 1
    assert "s3cr3t" not in caplog.text and "REDACTED" in caplog.text
    assert "s3cr3t" not in (tmp_path / "raw" / ".fetch-report.json").read_text()
