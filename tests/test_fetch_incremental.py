"""Reruns: conditional requests, nothing rewritten when nothing changed, skipping without asking."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.clean.decode import decode_bytes
from tests.fetch_fixtures.helpers import fetch, report, state_rows, stored, write_config
from tests.fetch_fixtures.server import FixtureServer, Reply, document_html, listing_html, sitemap_xml

PAGE = document_html("Memorandum of Conversation")
CHANGED = document_html("Memorandum of Conversation", "A corrected transcript of the conversation. " * 5)


def _mtimes(raw: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in (raw / "wilson").iterdir()}


@pytest.mark.parametrize("validator", [{"ETag": '"v1"'}, {"Last-Modified": "Tue, 01 Oct 2024 10:00:00 GMT"}])
def test_a_rerun_with_validators_sends_conditional_requests_and_writes_nothing(
        tmp_path: Path, validator: dict[str, str]) -> None:
    raw = tmp_path / "raw"
    with FixtureServer() as server:
        server.route("/list", Reply.html(listing_html(["/document/1", "/document/2"])))
        for n in (1, 2):
            headers = {name.replace("-", "_"): value for name, value in validator.items()}
            server.route(f"/document/{n}", Reply.html(PAGE, **headers))
        config = write_config(tmp_path, server.base_url, listings=["/list"])
        assert fetch(config, raw) == 0
        before = _mtimes(raw)
        state_before = state_rows(raw)
        server.clear_log()

        assert fetch(config, raw, "--refresh-after", "0") == 0

        sent = server.requests_to("/document/1")[0].headers
        if "ETag" in validator:
            assert sent["If-None-Match"] == '"v1"'
        else:
            assert sent["If-Modified-Since"] == validator["Last-Modified"]
    assert _mtimes(raw) == before
    assert report(raw)["counts"] == {"unchanged": 2}
    for url, row in state_rows(raw).items():
        assert row["status"] == 304 and row["last_saved"] == state_before[url]["last_saved"]


def test_an_identical_body_without_validators_writes_nothing(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    with FixtureServer() as server:
        server.route("/document/1", Reply.html(PAGE))
        config = write_config(tmp_path, server.base_url)
        url = f"{server.base_url}/document/1"
        assert fetch(config, raw, url) == 0
        before = _mtimes(raw)
        assert fetch(config, raw, url) == 0
    assert _mtimes(raw) == before and report(raw)["counts"] == {"unchanged": 1}


def test_a_changed_page_is_rewritten(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    with FixtureServer() as server:
        server.route("/document/1", Reply.html(PAGE, ETag='"v1"'), Reply.html(CHANGED, ETag='"v2"'))
        config = write_config(tmp_path, server.base_url)
        url = f"{server.base_url}/document/1"
        assert fetch(config, raw, url) == 0
        assert fetch(config, raw, url) == 0
    assert stored(raw)["1.html"] == CHANGED.encode()
    assert json.loads(stored(raw)["1.meta.json"])["etag"] == '"v2"'
    assert report(raw)["counts"] == {"changed": 1}


def test_known_pages_are_not_requested_again_before_refresh_after(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    with FixtureServer() as server:
        server.route("/list", Reply.html(listing_html(["/document/1"])))
        server.route("/document/1", Reply.html(PAGE))
        config = write_config(tmp_path, server.base_url, listings=["/list"])
        assert fetch(config, raw) == 0
        server.clear_log()
        assert fetch(config, raw) == 0
        assert server.paths() == ["/robots.txt", "/list"]
    assert report(raw)["counts"] == {"skipped": 1}


def test_sitemap_lastmod_skips_unchanged_pages_and_fetches_changed_ones(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    with FixtureServer() as server:
        base = server.base_url
        server.route("/sitemap.xml", Reply(200, sitemap_xml([(f"{base}/document/1", "2020-01-01"),
                                                             (f"{base}/document/2", "2020-01-01")])),
                     Reply(200, sitemap_xml([(f"{base}/document/1", "2020-01-01"),
                                             (f"{base}/document/2", "2999-01-01")])))
        server.route("/document/1", Reply.html(PAGE))
        server.route("/document/2", Reply.html(PAGE), Reply.html(CHANGED))
        config = write_config(tmp_path, base, sitemaps=["/sitemap.xml"])
        assert fetch(config, raw) == 0
        server.clear_log()
        assert fetch(config, raw, "--refresh-after", "0") == 0
        assert [p for p in server.paths() if p.startswith("/document")] == ["/document/2"]
    assert report(raw)["counts"] == {"changed": 1, "skipped": 1}


def test_since_skips_pages_last_modified_before_it(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    with FixtureServer() as server:
        base = server.base_url
        server.route("/sitemap.xml", Reply(200, sitemap_xml([(f"{base}/document/old", "2001-05-01"),
                                                             (f"{base}/document/new", "2024-05-01"),
                                                             (f"{base}/document/undated", None)])))
        for name in ("old", "new", "undated"):
            server.route(f"/document/{name}", Reply.html(PAGE))
        config = write_config(tmp_path, base, sitemaps=["/sitemap.xml"])
        assert fetch(config, raw, "--since", "2020-01-01") == 0
        assert "/document/old" not in server.paths()
    assert sorted(stored(raw)) == ["new.html", "new.meta.json", "undated.html", "undated.meta.json"]


def test_dry_run_lists_and_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    raw = tmp_path / "raw"
    with FixtureServer() as server:
        server.route("/list", Reply.html(listing_html(["/document/1", "/document/2"])))
        config = write_config(tmp_path, server.base_url, listings=["/list"])
        assert fetch(config, raw, "--dry-run") == 0
        assert not any(p.startswith("/document") for p in server.paths())
    out = capsys.readouterr().out
    assert f"{server.base_url}/document/1\tnew" in out and "2 would_fetch" in out
    assert not raw.exists()


def test_max_pages_limits_requests_and_the_next_run_continues(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    with FixtureServer() as server:
        server.route("/list", Reply.html(listing_html([f"/document/{n}" for n in range(5)])))
        for n in range(5):
            server.route(f"/document/{n}", Reply.html(PAGE))
        config = write_config(tmp_path, server.base_url, listings=["/list"])
        assert fetch(config, raw, "--max-pages", "2") == 0
        assert len(stored(raw)) == 4
        assert fetch(config, raw, "--max-pages", "2") == 0
        assert len(stored(raw)) == 8
        assert all(len(server.requests_to(f"/document/{n}")) <= 1 for n in range(5))


def test_windows_1252_declared_only_in_a_meta_tag_is_decoded_right_later(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    text = "Herr Müller traf den Chargé d’affaires in Zürich – „vertraulich“."
    html = (f'<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1252">'
            f"<title>Telegram</title></head><body><p>{text}</p><p>{'Weitere Einzelheiten folgen. ' * 5}</p>"
            f"</body></html>").encode("cp1252")
    with FixtureServer() as server:
        server.route("/document/1", Reply(200, html, {"Content-Type": "text/html"}))
        config = write_config(tmp_path, server.base_url)
        assert fetch(config, raw, f"{server.base_url}/document/1") == 0
    files = stored(raw)
    meta = json.loads(files["1.meta.json"])
    assert files["1.html"] == html                        # the bytes, untouched
    assert meta["charset"] == "cp1252"
    assert text in decode_bytes(files["1.html"], meta["charset"], html=True)
