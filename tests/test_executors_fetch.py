"""fetch on a cluster: sources grouped so that a host or a site is never in two groups, one group per task,
politeness kept per host, and every group's crawl state merged into the main database."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from pipeline.cluster_fetch import CLUSTER_REPORT, main, partition
from pipeline.fetch.config import parse_config
from tests.fetch_fixtures.helpers import state_rows, stored
from tests.fetch_fixtures.server import FixtureServer, Reply, document_html, sitemap_xml

MIN_DELAY = 0.2
DOCUMENTS = ("a", "b", "c")


def config_text(sources: dict[str, tuple[str, str]]) -> str:
    """A pipeline.toml of several sources: name -> (site, base URL); each lists its documents in a sitemap."""
    lines = ["[fetch]", 'user_agent = "archive-pipeline-test/1.0"', 'contact = "https://example.org/contact"', ""]
    for name, (site, base_url) in sources.items():
        lines += [f"[sources.{name}]", f'site = "{site}"', f'base_url = "{base_url}"',
                  "documents = ['^/document/[^/]+$']", 'sitemaps = ["/sitemap.xml"]', "",
                  f"[sources.{name}.politeness]", f"min_delay = {MIN_DELAY}", "concurrency = 1", "",
                  f"[sources.{name}.http]", "connect_timeout = 2", "read_timeout = 2", "max_tries = 1", ""]
    return "\n".join(lines)


def sources_of(text: str):
    import tomllib
    return list(parse_config(tomllib.loads(text)).sources.values())


def test_sources_sharing_a_host_or_a_site_go_together():
    sources = sources_of(config_text({
        "one": ("alpha", "https://one.example.org"),
        "two": ("beta", "https://two.example.org"),
        "one-again": ("gamma", "https://one.example.org/other"),      # the host of "one"
        "beta-mirror": ("beta", "https://mirror.example.net"),       # the site of "two"
        "alone": ("delta", "https://alone.example.com"),
    }))
    groups = [[source.name for source in group] for group in partition(sources)]
    assert sorted(groups) == [["alone"], ["one", "one-again"], ["two", "beta-mirror"]]


def serve_documents(server: FixtureServer, title: str, base_url: str) -> None:
    server.route("/robots.txt", Reply(404, b"", {}))
    server.route("/sitemap.xml", Reply(200, sitemap_xml([(f"{base_url}/document/{d}", None)
                                                          for d in DOCUMENTS]), {"Content-Type": "text/xml"}))
    for name in DOCUMENTS:
        server.route(f"/document/{name}", Reply.html(document_html(f"{title} document {name}")))


def document_gaps(server: FixtureServer) -> list[float]:
    times = [request.at for request in server.log]
    return [later - earlier for earlier, later in zip(times, times[1:], strict=False)]


@pytest.mark.skipif(importlib.util.find_spec("distributed") is None, reason="the dask extra is not installed")
def test_two_hosts_fetched_on_a_local_cluster_and_their_state_merged(tmp_path):
    with FixtureServer() as first, FixtureServer() as second:
        # Two host names for this machine, so that the two sources fall into two groups.
        second_url = second.base_url.replace("127.0.0.1", "localhost")
        serve_documents(first, "First", first.base_url)
        serve_documents(second, "Second", second_url)
        config = tmp_path / "pipeline.toml"
        config.write_text(config_text({"first": ("alpha", first.base_url), "second": ("beta", second_url)}))
        raw = tmp_path / "raw"
        argv = ["-q", "--config", str(config), "--raw-dir", str(raw)]

        assert main([*argv, "--executor", "dask", "--scheduler", "local:2"]) == 0

        for server in (first, second):
            assert sorted(server.paths()) == sorted(["/robots.txt", "/sitemap.xml",
                                                     *(f"/document/{d}" for d in DOCUMENTS)])
            assert min(document_gaps(server)) >= MIN_DELAY * 0.95
        assert len(stored(raw, "alpha")) == len(stored(raw, "beta")) == 2 * len(DOCUMENTS)   # pages + sidecars
        rows = state_rows(raw)
        assert sorted(row["site"] for row in rows.values()) == ["alpha"] * 3 + ["beta"] * 3
        assert {row["outcome"] for row in rows.values()} == {"new"}
        report = json.loads((raw / CLUSTER_REPORT).read_text())
        assert {name: r["counts"] for name, r in report["reports"].items()} == {"first": {"new": 3},
                                                                                 "second": {"new": 3}}

        first.clear_log()
        second.clear_log()
        assert main([*argv, "--workers", "2"]) == 0     # the merged state knows every page: nothing to ask
        for server in (first, second):
            assert not [path for path in server.paths() if path.startswith("/document/")]


def test_usage_errors(tmp_path, capsys):
    config = tmp_path / "pipeline.toml"
    config.write_text(config_text({"first": ("alpha", "https://one.example.org")}))
    assert main(["--config", str(config), "--source", "nope"]) == 2
    assert "unknown source 'nope'" in capsys.readouterr().err
    assert main(["--config", str(config), "--executor", "dask"]) == 2
    assert main(["--config", str(Path(tmp_path) / "missing.toml")]) == 2
