"""Fetch-stage throughput against a local server with politeness off, and the cost of reruns.

    python demo/bench_fetch.py [--pages 500] [--concurrency 1 4]

A server process on 127.0.0.1 serves PAGES generated document pages (about 25 kB each, with an
ETag) and a sitemap listing them. For each concurrency the real fetch stage harvests them into a
fresh raw directory (no delay, robots.txt still read), then runs twice more: as scheduled (known
pages are fresh: nothing but discovery is requested) and with --refresh-after 0 (every page asked
conditionally, answered 304). Prints pages/s, requests, bytes and seconds of each run.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from pipeline.fetch.command import main as fetch_main  # noqa: E402

SERVER = textwrap.dedent('''
    import hashlib, sys
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    PAGES = int(sys.argv[1])
    PARAGRAPH = "<p>" + "The delegation reported on the talks about deliveries and payments. " * 12 + "</p>"

    def page(n):
        return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Report {n} | Bench</title></head>"
                f"<body><h1 class='title'>Report {n}</h1>" + PARAGRAPH * 30 + "</body></html>").encode()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True
        def do_GET(self):
            base = "http://" + self.headers["Host"]
            if self.path == "/robots.txt":
                body, kind = b"User-agent: *\\nDisallow: /private\\n", "text/plain"
            elif self.path == "/sitemap.xml":
                locs = "".join(f"<url><loc>{base}/document/{n}</loc></url>" for n in range(PAGES))
                body = ("<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>" + locs + "</urlset>").encode()
                kind = "application/xml"
            elif self.path.startswith("/document/"):
                body, kind = page(self.path.rsplit("/", 1)[1]), "text/html; charset=utf-8"
            else:
                body, kind = b"no", "text/plain"
            etag = '"' + hashlib.sha1(body).hexdigest() + '"'
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304); self.send_header("ETag", etag); self.send_header("Content-Length", "0")
                self.end_headers(); return
            self.send_response(200 if body != b"no" else 404)
            self.send_header("Content-Type", kind); self.send_header("ETag", etag)
            self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    server.serve_forever()
''')

CONFIG = """
[fetch]
user_agent = "archive-pipeline-bench/0.1"
contact = "https://example.org/bench"
[sources.bench]
site = "bench"
base_url = "{base}"
documents = ['^/document/[0-9]+$']
sitemaps = ["/sitemap.xml"]
[sources.bench.politeness]
min_delay = 0
concurrency = {concurrency}
"""


def _run(config: Path, raw: Path, *extra: str) -> dict:
    fetch_main(["--quiet", "--config", str(config), "--source", "bench", "--raw-dir", str(raw), *extra])
    return json.loads((raw / ".fetch-report.json").read_text())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=500)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 4])
    args = parser.parse_args()
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(args.pages)], stdout=subprocess.PIPE, text=True)
    try:
        base = f"http://127.0.0.1:{server.stdout.readline().strip()}"
        for concurrency in args.concurrency:
            with tempfile.TemporaryDirectory() as tmp:
                config = Path(tmp) / "bench.toml"
                config.write_text(CONFIG.format(base=base, concurrency=concurrency))
                raw = Path(tmp) / "raw"
                started = time.perf_counter()
                first = _run(config, raw)
                seconds = time.perf_counter() - started
                stored = sorted((raw / "bench").glob("*.html"))
                digest = hashlib.sha256(b"".join(p.read_bytes() for p in stored)).hexdigest()[:12]
                print(f"concurrency {concurrency}: {len(stored)} pages in {seconds:.2f}s = "
                      f"{len(stored) / seconds:.0f} pages/s ({first['requests']} requests, "
                      f"{first['bytes_received'] / 1e6:.1f} MB; content {digest})")
                for label, extra in (("rerun as scheduled", ()), ("rerun --refresh-after 0", ("--refresh-after", "0"))):
                    started = time.perf_counter()
                    again = _run(config, raw, *extra)
                    print(f"  {label}: {again['counts']}, {again['requests']} requests, "
                          f"{again['bytes_received']} bytes, {time.perf_counter() - started:.2f}s")
    finally:
        server.terminate()
        server.wait()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
