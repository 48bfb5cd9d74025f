"""Discovery against a local server: paginated listings, followed listing links, sitemaps."""

from __future__ import annotations

from pathlib import Path

from tests.fetch_fixtures.helpers import fetch, report, stored, write_config
from tests.fetch_fixtures.server import FixtureServer, Reply, document_html, gzipped, listing_html, sitemap_xml

ROBOTS_OPEN = Reply(200, b"User-agent: *\nDisallow:\n", {"Content-Type": "text/plain"})


def _documents(server: FixtureServer, numbers: range) -> None:
    for n in numbers:
        server.route(f"/document/{n}", Reply.html(document_html(f"Document {n}")))


def test_paginated_listing_is_followed_to_its_last_page(tmp_path: Path) -> None:
    with FixtureServer() as server:
        server.route("/robots.txt", ROBOTS_OPEN)
        server.route("/search?page=0", Reply.html(listing_html(["/document/1", "/document/2#top", "/about"])))
        server.route("/search?page=1", Reply.html(listing_html(["/document/3/", "/document/2?utm_source=x"])))
        # Past the last page the site repeats it: nothing new ends the pagination.
        server.route("/search?page=2", Reply.html(listing_html(["/document/3"])))
        _documents(server, range(1, 4))
        config = write_config(tmp_path, server.base_url, listings=["/search?page={page}"], first_page=0)

        assert fetch(config, tmp_path / "raw") == 0

        listings = [p for p in server.paths() if p.startswith("/search")]
        assert listings == ["/search?page=0", "/search?page=1", "/search?page=2"]
        docs = sorted(p for p in server.paths() if p.startswith("/document"))
        assert docs == ["/document/1", "/document/2", "/document/3"]     # each once, normalized
    expected = [f"{n}.{ext}" for n in (1, 2, 3) for ext in ("html", "meta.json")]
    assert sorted(stored(tmp_path / "raw")) == expected


def test_pagination_ends_at_a_missing_page(tmp_path: Path) -> None:
    with FixtureServer() as server:
        server.route("/robots.txt", ROBOTS_OPEN)
        server.route("/search?page=1", Reply.html(listing_html(["/document/1"])))
        _documents(server, range(1, 2))
        config = write_config(tmp_path, server.base_url, listings=["/search?page={page}"])
        assert fetch(config, tmp_path / "raw") == 0
        assert "/search?page=2" in server.paths() and "/search?page=3" not in server.paths()
    assert report(tmp_path / "raw")["discovery_failures"] == []


def test_listing_links_are_followed_by_pattern(tmp_path: Path) -> None:
    """FRUS style: a volume page links to chapter pages, which list the documents."""
    with FixtureServer() as server:
        server.route("/robots.txt", ROBOTS_OPEN)
        server.route("/volume", Reply.html(listing_html(["/volume/ch1", "/volume/ch2", "/elsewhere"])))
        server.route("/volume/ch1", Reply.html(listing_html(["/document/1", "/document/2", "/volume/ch2"])))
        server.route("/volume/ch2", Reply.html(listing_html(["/document/3", "/volume/ch1"])))
        _documents(server, range(1, 4))
        config = write_config(tmp_path, server.base_url, listings=["/volume"], follow=["^/volume/ch[0-9]+$"])
        assert fetch(config, tmp_path / "raw") == 0
        assert server.paths().count("/volume/ch1") == 1 and "/elsewhere" not in server.paths()
    assert report(tmp_path / "raw")["counts"] == {"new": 3}


def test_sitemap_index_with_gzip_child_and_dedup(tmp_path: Path) -> None:
    with FixtureServer() as server:
        base = server.base_url
        server.route("/robots.txt", ROBOTS_OPEN)
        server.route("/sitemap.xml", Reply(200, sitemap_xml([(f"{base}/sitemap-a.xml", None),
                                                             (f"{base}/sitemap-b.xml.gz", None)], index=True),
                                           {"Content-Type": "application/xml"}))
        server.route("/sitemap-a.xml", Reply(200, sitemap_xml([(f"{base}/document/1", "2020-01-01"),
                                                               (f"{base}/document/2/", None),
                                                               (f"{base}/about", None)]),
                                             {"Content-Type": "application/xml"}))
        server.route("/sitemap-b.xml.gz", Reply(200, gzipped(sitemap_xml([(f"{base}/document/2", None),
                                                                          (f"{base}/document/3", None)])),
                                                {"Content-Type": "application/x-gzip"}))
        _documents(server, range(1, 4))
        config = write_config(tmp_path, base, sitemaps=["/sitemap.xml"])
        assert fetch(config, tmp_path / "raw") == 0
        assert sorted(p for p in server.paths() if p.startswith("/document")) == [
            "/document/1", "/document/2", "/document/3"]
        assert "/about" not in server.paths()


def test_sitemap_on_the_canonical_host_is_moved_to_the_base_url(tmp_path: Path) -> None:
    """A staging copy serves the real site's sitemap, which names the real host."""
    with FixtureServer() as server:
        server.route("/robots.txt", ROBOTS_OPEN)
        server.route("/sitemap.xml", Reply(200, sitemap_xml([("https://archive.example/document/1", None)])))
        _documents(server, range(1, 2))
        config = write_config(tmp_path, "https://archive.example", sitemaps=["/sitemap.xml"])
        assert fetch(config, tmp_path / "raw", "--base-url", server.base_url) == 0
        assert "/document/1" in server.paths()


def test_a_challenged_listing_is_a_discovery_failure(tmp_path: Path) -> None:
    with FixtureServer() as server:
        server.route("/robots.txt", ROBOTS_OPEN)
        server.route("/search?page=1", Reply.html(
            "<html><head><title>Just a moment...</title></head><body>Checking</body></html>", 403))
        config = write_config(tmp_path, server.base_url, listings=["/search?page={page}"])
        assert fetch(config, tmp_path / "raw") == 1
    failures = report(tmp_path / "raw")["discovery_failures"]
    assert len(failures) == 1 and "challenge" in failures[0]["reason"]


def test_a_file_of_urls_is_a_discovery_source(tmp_path: Path) -> None:
    with FixtureServer() as server:
        server.route("/robots.txt", ROBOTS_OPEN)
        _documents(server, range(1, 3))
        (tmp_path / "urls.txt").write_text(f"# wanted pages\n{server.base_url}/document/1\n\n/document/2\n"
                                           f"{server.base_url}/document/1#again\n")
        config = write_config(tmp_path, server.base_url, url_file="urls.txt")
        assert fetch(config, tmp_path / "raw") == 0
        requested = sorted(p for p in server.paths() if p.startswith("/document"))
        assert requested == ["/document/1", "/document/2"]
