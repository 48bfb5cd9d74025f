"""Serve the demo archive (demo/site/) on 127.0.0.1, the way a real archive site answers.

    python demo/serve.py [--port 8000]

/search?page=N is a paginated listing, /document/<id> a document page, robots.txt and sitemap.xml
are at the root ({{base_url}} in them becomes the server's own address). Pages carry an ETag and
Last-Modified and answer conditional requests with 304, so reruns show incremental fetching.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

SITE = Path(__file__).resolve().parent / "site"
_PAGE_NUMBER = re.compile(r"\d{1,4}")
_TYPES = {".html": "text/html", ".xml": "application/xml", ".txt": "text/plain"}


def _file_for(path: str, query: str) -> Path | None:
    """The site file that answers a request path, or None (404); nothing outside SITE is served."""
    if path == "/search":
        page = parse_qs(query).get("page", ["0"])[0]
        relative = f"search/page-{page}.html" if _PAGE_NUMBER.fullmatch(page) else ""
    elif path == "/":
        relative = "index.html"
    elif path in ("/robots.txt", "/sitemap.xml"):
        relative = path.lstrip("/")
    else:
        relative = path.lstrip("/") + ".html"
    candidate = (SITE / relative).resolve()
    if not relative or SITE not in candidate.parents or not candidate.is_file():
        return None
    return candidate


class DemoHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server_version = "DemoArchive/1.0"

    def do_GET(self) -> None:  # noqa: N802 (the http.server API)
        parts = urlsplit(self.path)
        target = _file_for(parts.path, parts.query)
        if target is None:
            self._send(404, b"<!DOCTYPE html><html><head><title>Page not found</title></head>"
                            b"<body><h1>Page not found</h1></body></html>", "text/html; charset=utf-8")
            return
        body = target.read_bytes()
        if target.suffix in (".xml", ".txt"):
            body = body.replace(b"{{base_url}}", f"http://{self.headers.get('Host', '127.0.0.1')}".encode())
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        modified = formatdate(target.stat().st_mtime, usegmt=True)
        if self.headers.get("If-None-Match") == etag:
            self._send(304, b"", None, {"ETag": etag, "Last-Modified": modified})
            return
        media = _TYPES.get(target.suffix, "application/octet-stream")
        try:
            body.decode("utf-8")
            content_type = f"{media}; charset=utf-8"
        except UnicodeDecodeError:
            content_type = media   # the page declares its charset in a meta tag only
        self._send(200, body, content_type, {"ETag": etag, "Last-Modified": modified})

    def _send(self, status: int, body: bytes, content_type: str | None,
              headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (the http.server API)
        if self.server.verbose:
            sys.stderr.write(f"demo server: {format % args}\n")


class DemoServer(ThreadingHTTPServer):
    daemon_threads = True
    verbose = False


@contextmanager
def serving(port: int = 0, verbose: bool = False) -> Iterator[str]:
    """Serve the demo site in a background thread for the duration of the block; yields its base URL."""
    server = DemoServer(("127.0.0.1", port), DemoHandler)
    server.verbose = verbose
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args()
    with serving(args.port, verbose=True) as base_url:
        print(f"demo archive at {base_url}/  (Ctrl-C stops it)", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
