"""raw/<site>/<local id>.html (the untouched response bytes) and <local id>.meta.json beside it.

The sidecar is the contract with the normalize stage: url, final_url, status, headers, retrieved_at,
sha256, charset, etag, last_modified, media_type, site. Both files are written atomically.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from charset_normalizer import from_bytes

from pipeline.sites import profile_by_name
from pipeline.storage import atomic_write_bytes, inside, safe_name

SIDECAR_HEADERS = ("content-type", "etag", "last-modified", "content-length", "content-language")
MEDIA_TYPE = "text/html"
# How many trailing path segments name a document, per site: FRUS ids need the volume too.
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_\-:.]+)", re.I)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.I)
_C1_CONTROLS = re.compile("[\x80-\x9f]")
_SNIFF_BYTES = 200_000


def document_id(url: str, site: str) -> str:
    """The file-safe id of a document within its site: the site profile's, else the URL's last segment.

    /document/110385 -> "110385"; FRUS /historicaldocuments/frus1917/d129 -> "frus1917_d129".
    """
    profile = profile_by_name(site)
    wanted = profile.local_id(url) if profile else None
    if not wanted:
        segments = [unquote(s) for s in urlsplit(url).path.split("/") if s]
        wanted = segments[-1] if segments else "index"
    return safe_name(wanted)


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:10]


def detect_charset(content_type: str | None, body: bytes) -> str | None:
    """The body's charset: the HTTP header's, else the meta tag's, else detected; None if unknown.

    A declaration the bytes do not decode with (or that turns them into C1 control characters,
    the mark of windows-1252 read as latin-1) is wrong, and the next source of truth is asked.
    """
    header = _HEADER_CHARSET.search(content_type or "")
    meta = _META_CHARSET.search(body[:4096])
    for declared in (header.group(1) if header else None,
                     meta.group(1).decode("ascii", "ignore") if meta else None):
        codec = _codec(declared)
        if codec and _decodes_cleanly(body, codec):
            return codec
    best = from_bytes(body[:_SNIFF_BYTES]).best()
    return _codec(best.encoding) if best is not None else None


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name.strip()).name
    except LookupError:
        return None


def _decodes_cleanly(body: bytes, codec: str) -> bool:
    try:
        text = body.decode(codec)
    except UnicodeDecodeError:
        return False
    return len(_C1_CONTROLS.findall(text[:20_000])) <= 2


@dataclass(frozen=True)
class Page:
    """What the store needs to know of a fetched document page."""

    url: str
    final_url: str
    status: int
    headers: dict[str, str]
    body: bytes
    retrieved_at: str


class PageStore:
    """The documents of one site under raw/<site>/."""

    def __init__(self, raw_dir: Path, site: str):
        self.site = site
        self.directory = inside(Path(raw_dir), safe_name(site))

    def paths(self, local_id: str) -> tuple[Path, Path]:
        """The page and sidecar paths of a local id (a safe_name result: see document_id)."""
        return inside(self.directory, f"{local_id}.html"), inside(self.directory, f"{local_id}.meta.json")

    def has(self, local_id: str) -> bool:
        return all(path.exists() for path in self.paths(local_id))

    def save(self, local_id: str, page: Page) -> bool:
        """Write the page and its sidecar; False when both were already there byte for byte."""
        html_path, meta_path = self.paths(local_id)
        headers = {name: page.headers[name] for name in SIDECAR_HEADERS if name in page.headers}
        sidecar = {
            "url": page.url,
            "final_url": page.final_url,
            "status": page.status,
            "headers": headers,
            "retrieved_at": page.retrieved_at,
            "sha256": hashlib.sha256(page.body).hexdigest(),
            "charset": detect_charset(page.headers.get("content-type"), page.body),
            "etag": page.headers.get("etag"),
            "last_modified": page.headers.get("last-modified"),
            "media_type": MEDIA_TYPE,
            "site": self.site,
        }
        meta = (json.dumps(sidecar, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
        # The page first: a crash between the two writes leaves a sidecar that does not match the
        # bytes, which the state (not updated yet) makes the next run fetch and rewrite.
        wrote_html = atomic_write_bytes(html_path, page.body)
        wrote_meta = atomic_write_bytes(meta_path, meta)
        return wrote_html or wrote_meta
