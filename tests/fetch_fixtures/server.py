"""A scripted HTTP server on 127.0.0.1 that logs every request it receives.

Each path answers with a list of responses in turn (the last one repeats), so a test can say
"503, 503, then the page" and read back from the log what the harvester sent and when.
"""

from __future__ import annotations

import gzip
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0            # seconds before the status line (to trigger read timeouts)
    cut_at: int | None = None     # send only this many body bytes, then close (truncation)
    chunked: bool = False         # no Content-Length: the body comes in chunks

    @classmethod
    def html(cls, text: str, status: int = 200, **headers: str) -> Reply:
        return cls(status, text.encode("utf-8"),
                   {"Content-Type": "text/html; charset=utf-8", **_header_names(headers)})

    @classmethod
    def redirect(cls, location: str, status: int = 302) -> Reply:
        return cls(status, b"", {"Location": location})


def _header_names(headers: dict[str, str]) -> dict[str, str]:
    return {name.replace("_", "-"): value for name, value in headers.items()}


@dataclass(frozen=True)
class Request:
    path: str
    headers: dict[str, str]
    at: float                    # time.monotonic() when the request line arrived


def document_html(title: str, text: str = "") -> str:
    body = text or ("A memorandum of conversation recorded by the embassy staff about the grain "
                    "shipments, the harbour works and the next round of talks. ") * 3
    return (f"<!DOCTYPE html><html><head><title>{title} | Test Archive</title></head><body>"
            f"<h1 class=\"title\">{title}</h1><div class=\"text-block\"><p>{body}</p></div></body></html>")


def listing_html(links: list[str], extra: str = "") -> str:
    items = "".join(f'<li><a href="{link}">item</a></li>' for link in links)
    return (f"<!DOCTYPE html><html><head><title>Search | Test Archive</title></head><body>"
            f"<h1>Search results</h1><ul>{items}</ul>{extra}"
            f"<p>Listing pages list documents of the archive, ten to a page.</p></body></html>")


def sitemap_xml(entries: list[tuple[str, str | None]], index: bool = False) -> bytes:
    tag, item = ("sitemapindex", "sitemap") if index else ("urlset", "url")
    rows = "".join(f"<{item}><loc>{loc}</loc>" + (f"<lastmod>{mod}</lastmod>" if mod else "") + f"</{item}>"
                   for loc, mod in entries)
    return (f'<?xml version="1.0" encoding="UTF-8"?>'
            f'<{tag} xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{rows}</{tag}>').encode()


def gzipped(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        # A client that was killed or gave up mid-response (the tests do both) is no error here.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class FixtureServer:
    """with FixtureServer() as server: server.route("/a", Reply(...)); server.base_url; server.log"""

    def __init__(self) -> None:
        self._routes: dict[str, list[Reply]] = {}
        self._served: dict[str, int] = {}
        self.log: list[Request] = []
        self._lock = threading.Lock()
        self._httpd = _QuietServer(("127.0.0.1", 0), self._handler_class())
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def route(self, path: str, *replies: Reply) -> None:
        with self._lock:
            self._routes[path] = list(replies)
            self._served[path] = 0

    def requests_to(self, path: str) -> list[Request]:
        with self._lock:
            return [r for r in self.log if r.path == path]

    def paths(self) -> list[str]:
        with self._lock:
            return [r.path for r in self.log]

    def clear_log(self) -> None:
        with self._lock:
            self.log.clear()

    def __enter__(self) -> FixtureServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def _next_reply(self, path: str) -> Reply:
        with self._lock:
            replies = self._routes.get(path)
            if not replies:
                return Reply.html("<html><head><title>Not Found</title></head><body></body></html>", 404)
            index = min(self._served[path], len(replies) - 1)
            self._served[path] += 1
            return replies[index]

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True   # headers and body go out as separate writes

            def do_GET(self) -> None:  # noqa: N802 (the http.server API)
                with server._lock:
                    server.log.append(Request(self.path, dict(self.headers.items()), time.monotonic()))
                reply = server._next_reply(self.path)
                if reply.delay:
                    time.sleep(reply.delay)
                if self._not_modified(reply):
                    self.send_response(304)
                    for name in ("ETag", "Last-Modified"):
                        if name in reply.headers:
                            self.send_header(name, reply.headers[name])
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                if reply.chunked:
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    for start in range(0, len(reply.body), 65536):
                        chunk = reply.body[start:start + 65536]
                        self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                    self.wfile.write(b"0\r\n\r\n")
                    return
                self.send_header("Content-Length", str(len(reply.body)))
                if reply.cut_at is not None:
                    self.send_header("Connection", "close")
                    self.end_headers()
                    self.wfile.write(reply.body[:reply.cut_at])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.end_headers()
                self.wfile.write(reply.body)

            def _not_modified(self, reply: Reply) -> bool:
                etag = reply.headers.get("ETag")
                if etag and self.headers.get("If-None-Match") == etag:
                    return True
                modified = reply.headers.get("Last-Modified")
                return bool(modified and not etag and self.headers.get("If-Modified-Since") == modified)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (the http.server API)
                pass

        return Handler
