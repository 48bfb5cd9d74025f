"""robots.txt and rate limits, checked against the server's request log."""

from __future__ import annotations

from pathlib import Path

from tests.fetch_fixtures.helpers import fetch, report, state_rows, stored, write_config
from tests.fetch_fixtures.server import FixtureServer, Reply, document_html, listing_html


def _robots(text: str) -> Reply:
    return Reply(200, text.encode(), {"Content-Type": "text/plain"})


def _documents(server: FixtureServer, names: list[str]) -> None:
    for name in names:
        server.route(f"/document/{name}", Reply.html(document_html(f"Document {name}")))


def test_robots_disallow_is_obeyed(tmp_path: Path) -> None:
    with FixtureServer() as server:
        server.route("/robots.txt", _robots("User-agent: *\nDisallow: /document/secret\n\n"
                                            "User-agent: otherbot\nDisallow: /\n"))
        server.route("/list", Reply.html(listing_html(["/document/open", "/document/secret"])))
        _documents(server, ["open", "secret"])
        config = write_config(tmp_path, server.base_url, listings=["/list"])
        assert fetch(config, tmp_path / "raw") == 0      # a page robots.txt forbids is not a failure
        assert "/document/secret" not in server.paths()
        assert server.paths()[0] == "/robots.txt"
    data = report(tmp_path / "raw")
    assert data["counts"] == {"disallowed": 1, "new": 1}
    assert data["disallowed"] == [f"{server.base_url}/document/secret"]


def test_robots_rules_for_our_own_user_agent_win(tmp_path: Path) -> None:
    with FixtureServer() as server:
        server.route("/robots.txt", _robots("User-agent: *\nDisallow:\n\n"
                                            "User-agent: archive-pipeline-test\nDisallow: /document/\n"))
        _documents(server, ["a"])
        config = write_config(tmp_path, server.base_url)
        assert fetch(config, tmp_path / "raw", f"{server.base_url}/document/a") == 0
        assert server.paths() == ["/robots.txt"]


def test_crawl_delay_is_measured_between_requests(tmp_path: Path) -> None:
    """The one test that waits for real: Crawl-delay 1 over four requests (about 3 s)."""
    with FixtureServer() as server:
        server.route("/robots.txt", _robots("User-agent: *\nCrawl-delay: 1\n"))
        _documents(server, ["a", "b", "c"])
        config = write_config(tmp_path, server.base_url, politeness={"min_delay": 0.1, "concurrency": 2})
        urls = [f"{server.base_url}/document/{n}" for n in ("a", "b", "c")]
        assert fetch(config, tmp_path / "raw", *urls) == 0
        times = [request.at for request in server.log]
    assert len(times) == 4                           # robots.txt, then the three documents
    gaps = [later - earlier for earlier, later in zip(times, times[1:], strict=False)]
    assert min(gaps) >= 0.95, gaps


def test_robots_is_read_once_before_anything_even_under_concurrency(tmp_path: Path) -> None:
    with FixtureServer() as server:
        # A slow robots.txt: requests started meanwhile must wait for it, not slip past.
        server.route("/robots.txt", Reply(200, b"User-agent: *\nDisallow: /document/x\n",
                                          {"Content-Type": "text/plain"}, delay=0.3))
        names = [str(n) for n in range(8)] + ["x1", "x2"]
        _documents(server, names)
        config = write_config(tmp_path, server.base_url, politeness={"min_delay": 0, "concurrency": 4})
        assert fetch(config, tmp_path / "raw", *[f"{server.base_url}/document/{n}" for n in names]) == 0
        paths = server.paths()
    assert paths[0] == "/robots.txt" and paths.count("/robots.txt") == 1
    assert "/document/x1" not in paths and "/document/x2" not in paths
    assert len(paths) == 9


def test_unreachable_robots_keeps_the_host_off_limits(tmp_path: Path) -> None:
    with FixtureServer() as server:
        server.route("/robots.txt", Reply(503, b"down"))
        _documents(server, ["a"])
        config = write_config(tmp_path, server.base_url)
        assert fetch(config, tmp_path / "raw", f"{server.base_url}/document/a") == 1
        assert set(server.paths()) == {"/robots.txt"}
    assert stored(tmp_path / "raw") == {}
    [row] = state_rows(tmp_path / "raw").values()
    assert row["outcome"] == "robots_unavailable"


def test_missing_robots_allows_everything_and_user_agent_names_contact(tmp_path: Path) -> None:
    with FixtureServer() as server:
        _documents(server, ["a"])
        config = write_config(tmp_path, server.base_url)
        assert fetch(config, tmp_path / "raw", f"{server.base_url}/document/a") == 0
        agent = server.requests_to("/document/a")[0].headers["User-Agent"]
    assert agent.startswith("archive-pipeline-test/1.0") and "https://example.org/contact" in agent
