"""Responses that are not document pages are never saved as documents, and are retried later."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fetch_fixtures.helpers import fetch, report, state_rows, stored, write_config
from tests.fetch_fixtures.server import FixtureServer, Reply, document_html

CLOUDFLARE = ('<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title>'
              '<meta http-equiv="refresh" content="390"></head><body><div class="main-wrapper">'
              '<noscript>Enable JavaScript and cookies to continue</noscript>'
              '<script>window._cf_chl_opt={cvId: "3"};</script></div></body></html>')
NOT_FOUND = ('<!DOCTYPE html><html><head><title>Page Not Found | Test Archive</title></head><body>'
             + "<h1>Page Not Found</h1><p>The page you requested could not be found. " * 3
             + "</p></body></html>")
LOGIN = ('<html><head><title>Log in | Test Archive</title></head><body><form action="/user/login">'
         '<input name="name"><input type="password" name="pass"></form></body></html>')

CASES = {
    "challenge-503": (Reply(503, CLOUDFLARE.encode(), {"Content-Type": "text/html", "Server": "cloudflare"}),
                      "challenge"),
    "challenge-403": (Reply(403, CLOUDFLARE.encode(), {"Content-Type": "text/html"}), "challenge"),
    "challenge-200": (Reply.html(CLOUDFLARE), "challenge"),
    "error-200": (Reply.html(NOT_FOUND), "error_page"),
    "login": (Reply.html(LOGIN), "login"),
    "pdf": (Reply(200, b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n1 0 obj" + b"\0" * 500,
                  {"Content-Type": "application/pdf"}), "not_html"),
    "pdf-as-html": (Reply(200, b"%PDF-1.5\n" + b"\0" * 500, {"Content-Type": "text/html"}), "not_html"),
    "image": (Reply(200, b"\x89PNG\r\n\x1a\n" + b"\0" * 100, {"Content-Type": "image/png"}), "not_html"),
    "empty": (Reply(200, b"", {"Content-Type": "text/html"}), "empty"),
    "gone": (Reply.html(NOT_FOUND, 404), "http_error"),
}


def test_non_documents_are_not_saved_and_are_counted(tmp_path: Path) -> None:
    with FixtureServer() as server:
        for name, (reply, _) in CASES.items():
            server.route(f"/document/{name}", reply)
        server.route("/document/real", Reply.html(document_html("Letter, A to B")))
        config = write_config(tmp_path, server.base_url)
        urls = [f"{server.base_url}/document/{name}" for name in [*CASES, "real"]]
        assert fetch(config, tmp_path / "raw", *urls) == 1
        # A challenge is not retried within the run: asking again at once only hammers the site.
        assert len(server.requests_to("/document/challenge-503")) == 1

    assert sorted(stored(tmp_path / "raw")) == ["real.html", "real.meta.json"]
    rows = {url.rsplit("/", 1)[1]: row for url, row in state_rows(tmp_path / "raw").items()}
    for name, (_, outcome) in CASES.items():
        assert rows[name]["outcome"] == outcome, name
        assert rows[name]["reason"] and rows[name]["sha256"] is None
    data = report(tmp_path / "raw")
    assert data["counts"]["new"] == 1 and data["failed"] == len(CASES)
    assert {f["outcome"] for f in data["failures"]} == {outcome for _, outcome in CASES.values()}


@pytest.mark.parametrize("first", [Reply.html(CLOUDFLARE), Reply.html(NOT_FOUND)])
def test_a_refused_page_is_retried_on_the_next_run(tmp_path: Path, first: Reply) -> None:
    page = Reply.html(document_html("Letter, A to B"))
    with FixtureServer() as server:
        server.route("/document/1", first, page)
        config = write_config(tmp_path, server.base_url, sitemaps=["/sitemap.xml"])
        server.route("/sitemap.xml", Reply(200, f"{server.base_url}/document/1\n".encode()))
        assert fetch(config, tmp_path / "raw") == 1
        assert fetch(config, tmp_path / "raw") == 0        # despite --refresh-after's default 30 days
    assert stored(tmp_path / "raw")["1.html"] == page.body
    [row] = state_rows(tmp_path / "raw").values()
    assert (row["outcome"], row["failures"]) == ("new", 0)
