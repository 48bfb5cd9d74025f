"""Fetch-stage building blocks without a network: URLs, names, charsets, verdicts, sitemaps, config."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

import pytest

from pipeline.clean.decode import decode_bytes
from pipeline.fetch.classify import classify
from pipeline.fetch.config import ConfigError, load_config, parse_config
from pipeline.fetch.discover import SitemapError, gunzip_bounded, page_links, parse_lastmod, parse_sitemap
from pipeline.fetch.http import parse_retry_after
from pipeline.fetch.store import detect_charset, document_id
from pipeline.fetch.urls import normalize_url, page_key, redact_url

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("raw, expected", [
    ("HTTPS://Example.ORG:443/document/12/#top", "https://example.org/document/12"),
    ("http://example.org:80", "http://example.org/"),
    ("http://example.org:8080/a/./b/../c/", "http://example.org:8080/a/c"),
    ("https://example.org/search?page=2&utm_source=mail&fbclid=x", "https://example.org/search?page=2"),
    ("https://example.org/search?b=2&a=1", "https://example.org/search?a=1&b=2"),
    ("https://example.org/%7Euser/caf%c3%a9", "https://example.org/~user/caf%C3%A9"),
    ("https://example.org/a b", "https://example.org/a%20b"),
])
def test_normalize_url(raw: str, expected: str) -> None:
    assert normalize_url(raw) == expected


def test_normalized_spellings_of_one_page_are_equal() -> None:
    spellings = ["https://example.org/document/7", "https://EXAMPLE.org/document/7/",
                 "https://example.org/document/7#summary", "https://example.org/document/7?utm_medium=rss"]
    assert len({normalize_url(u) for u in spellings}) == 1


def test_page_key_ignores_the_host() -> None:
    assert page_key("https://a.example/document/7?x=1") == page_key("http://127.0.0.1:9/document/7?x=1")


def test_redact_url_hides_credentials_and_tokens() -> None:
    redacted = redact_url("https://user:hunter2@example.org/doc?id=4&api_key=s3cret&token=t0k&keywords=key")
    assert "hunter2" not in redacted and "s3cret" not in redacted and "t0k" not in redacted
    assert "id=4" in redacted and "keywords=key" in redacted


@pytest.mark.parametrize("url, site, expected", [
    ("https://digitalarchive.wilsoncenter.org/document/110385", "wilson", "110385"),
    ("https://digitalarchive.wilsoncenter.org/document/letter-from-a-to-b/", "wilson", "letter-from-a-to-b"),
    ("https://history.state.gov/historicaldocuments/frus1917/d129", "frus", "frus1917_d129"),
])
def test_document_id(url: str, site: str, expected: str) -> None:
    assert document_id(url, site) == expected


@pytest.mark.parametrize("url", [
    "http://h/document/..%2F..%2Fetc%2Fpasswd", "http://h/document/%2e%2e", "http://h/document/con",
    "http://h/document/" + "x" * 400, "http://h/document/.hidden", "http://h/", "http://h/document/a%00b",
])
def test_document_id_is_a_safe_file_name(url: str) -> None:
    name = document_id(url, "wilson")
    assert name and "/" not in name and "\\" not in name and not name.startswith(".")
    assert len(name) <= 120 and name not in (".", "..")


def test_charset_header_then_meta_then_detection() -> None:
    cp1252 = '<html><head><meta charset="windows-1252"></head><body>Müller’s café</body>'.encode("cp1252")
    assert detect_charset("text/html", cp1252) == "cp1252"
    assert detect_charset("text/html; charset=ISO-8859-1", "é".encode("latin-1") * 40) == "iso8859-1"
    # A header that the bytes contradict is wrong: the meta tag is asked next.
    assert detect_charset("text/html; charset=utf-8", cp1252) == "cp1252"
    undeclared = ("<html><body>" + "Der Botschafter traf Herrn Müller in Zürich am Dienstag. " * 20
                  + "</body></html>").encode("cp1252")
    assert detect_charset("text/html", undeclared) is not None
    assert decode_bytes(undeclared, detect_charset("text/html", undeclared), html=True).count("Müller") == 20


def test_classify_verdicts() -> None:
    html = {"content-type": "text/html"}
    page = b"<html><head><title>Letter, A to B</title></head><body>" + b"Body text of the letter. " * 10
    assert classify(200, html, page, "http://h/document/1").is_document
    assert classify(503, html, b"<html><head><title>Just a moment...</title></head></html>",
                    "http://h/d").outcome == "challenge"
    assert classify(200, {"cf-mitigated": "challenge", **html}, page, "http://h/d").outcome == "challenge"
    assert classify(200, html, page.replace(b"Letter, A to B", b"Page not found"), "http://h/d").outcome \
        == "error_page"
    assert classify(200, html, page, "http://h/user/login?destination=/document/1").outcome == "login"
    assert classify(200, html, b"%PDF-1.7 ...", "http://h/d").outcome == "not_html"
    assert classify(200, {"content-type": "image/png"}, b"\x89PNG....", "http://h/d").outcome == "not_html"
    assert classify(200, html, b"  \n", "http://h/d").outcome == "empty"
    assert classify(404, html, page, "http://h/d").outcome == "http_error"
    # An error word inside a real title is not an error page.
    titled = page.replace(b"Letter, A to B", b"Report on the Forbidden Zone, Not Found Again")
    assert classify(200, html, titled, "http://h/d").is_document


def test_retry_after_seconds_and_http_date() -> None:
    assert parse_retry_after("7") == 7.0
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    later = format_datetime(datetime(2026, 1, 1, 12, 0, 30, tzinfo=UTC), usegmt=True)
    assert parse_retry_after(later, now=now.timestamp()) == pytest.approx(30)
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


def test_sitemap_parsing_plain_index_gzip_and_text() -> None:
    urlset = (b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
              b"<url><loc>https://h/document/1</loc><lastmod>2024-05-01</lastmod></url>"
              b"<url><loc>https://h/document/2</loc></url></urlset>")
    is_index, entries = parse_sitemap(urlset)
    assert not is_index and entries == [("https://h/document/1", datetime(2024, 5, 1, tzinfo=UTC)),
                                        ("https://h/document/2", None)]
    assert parse_sitemap(gzip.compress(urlset)) == (is_index, entries)
    index = (b'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap>'
             b"<loc>https://h/s1.xml.gz</loc></sitemap></sitemapindex>")
    assert parse_sitemap(index) == (True, [("https://h/s1.xml.gz", None)])
    assert parse_sitemap(b"https://h/document/3\nnot a url\n") == (False, [("https://h/document/3", None)])
    with pytest.raises(SitemapError):
        parse_sitemap(b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><urlset>&a;</urlset>')


def test_gzip_bomb_refused_without_inflating_it() -> None:
    bomb = gzip.compress(b"\0" * 20_000_000)
    with pytest.raises(SitemapError):
        gunzip_bounded(bomb, limit=1_000_000)
    assert gunzip_bounded(gzip.compress(b"small"), limit=10) == b"small"


def test_lastmod_formats() -> None:
    assert parse_lastmod("2024") == datetime(2024, 1, 1, tzinfo=UTC)
    assert parse_lastmod("2024-05") == datetime(2024, 5, 1, tzinfo=UTC)
    assert parse_lastmod("2024-05-01T10:00:00+02:00") == datetime(2024, 5, 1, 8, tzinfo=UTC)
    assert parse_lastmod("yesterday") is None


def test_page_links_resolve_relative_and_base_href() -> None:
    html = b'<html><head><base href="http://h/sub/"></head><body><a href="d/1#x">a</a>' \
           b'<a href="mailto:x@y">m</a><a href="/document/2/">b</a></body></html>'
    assert page_links(html, "http://h/index") == ["http://h/sub/d/1", "http://h/document/2"]


def test_shipped_config_has_wilson_and_frus() -> None:
    config = load_config(REPO / "pipeline.toml")
    wilson, frus = config.source("wilson"), config.source("frus")
    assert config.default_source == "wilson"
    assert wilson.is_document("https://digitalarchive.wilsoncenter.org/document/110385")
    assert not wilson.is_document("https://digitalarchive.wilsoncenter.org/document/110385.pdf")
    assert frus.is_document("https://www.history.state.gov/historicaldocuments/frus1961-63v14/d132")
    assert frus.politeness.min_delay >= 20      # history.state.gov robots.txt: Crawl-delay 20
    assert "+https://" in wilson.user_agent or "+mailto:" in wilson.user_agent


def test_config_errors_are_reported() -> None:
    base = {"fetch": {"contact": "https://example.org"},
            "sources": {"s": {"base_url": "https://h.example", "documents": ["^/d/"]}}}
    assert parse_config(base).source("s").site == "s"
    with pytest.raises(ConfigError, match="unknown option"):
        parse_config({**base, "sources": {"s": {**base["sources"]["s"], "documnets": []}}})
    with pytest.raises(ConfigError, match="contact"):
        parse_config({**base, "fetch": {}})
    with pytest.raises(ConfigError, match="unknown source"):
        parse_config(base).source("nope")


def test_base_url_override_moves_source_urls() -> None:
    config = parse_config({"fetch": {"contact": "https://example.org"},
                           "sources": {"s": {"base_url": "https://archive.example", "documents": ["^/d/"]}}})
    local = config.source("s").with_base_url("http://127.0.0.1:8123")
    assert local.resolve("/sitemap.xml") == "http://127.0.0.1:8123/sitemap.xml"
    assert local.resolve("https://archive.example/d/1") == "http://127.0.0.1:8123/d/1"
    assert local.resolve("https://elsewhere.example/d/1") == "https://elsewhere.example/d/1"
    assert local.is_document("http://127.0.0.1:8123/d/1")
