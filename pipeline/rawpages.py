"""Reading raw/: which files are pages, and the RawPage each one becomes (with its sidecar)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

from pipeline.models import RawPage
from pipeline.sites import profile_by_name, profile_for_url

PAGE_SUFFIXES = {".html": "text/html", ".htm": "text/html", ".txt": "text/plain"}
SIDECAR_SUFFIX = ".meta.json"
MAX_PAGE_BYTES = 64 * 1024 * 1024


class PageTooLargeError(ValueError):
    pass


def discover(raw_dir: Path) -> Iterator[Path]:
    """Page files under raw_dir in a stable order; hidden files and folders (state, locks) are skipped."""
    raw_dir = Path(raw_dir)
    found = []
    for path in raw_dir.rglob("*"):
        relative = path.relative_to(raw_dir)
        if any(part.startswith(".") for part in relative.parts):
            continue
        if path.suffix.lower() in PAGE_SUFFIXES and not path.name.endswith(SIDECAR_SUFFIX) and path.is_file():
            found.append(relative.as_posix())
    for relative in sorted(found):
        yield raw_dir / relative


def sidecar_path(page_path: Path) -> Path:
    return page_path.with_name(page_path.stem + SIDECAR_SUFFIX)


def read_sidecar(page_path: Path) -> tuple[dict, str | None]:
    """The sidecar's provenance, and a warning when it exists but cannot be read."""
    path = sidecar_path(page_path)
    if not path.exists():
        return {}, None
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        return {}, f"sidecar {path.name} unreadable: {error}"
    if not isinstance(meta, dict):
        return {}, f"sidecar {path.name} is not a JSON object"
    return meta, None


def site_for(relative: str, meta: dict) -> str | None:
    """From the sidecar URL, else the folder the page was filed under (raw/<site>/...)."""
    profile = profile_for_url(meta.get("url")) or profile_by_name(meta.get("site"))
    if profile:
        return profile.NAME
    parts = relative.split("/")
    if len(parts) > 1 and profile_by_name(parts[0]):
        return parts[0]
    return None


def load_page(raw_dir: Path, path: Path, display_root: Path | None = None) -> tuple[RawPage, list[str]]:
    """A RawPage for one file; raw_path in records is relative to display_root (default: raw_dir's parent)."""
    size = path.stat().st_size
    if size > MAX_PAGE_BYTES:
        raise PageTooLargeError(f"page is {size} bytes, over the {MAX_PAGE_BYTES}-byte limit")
    data = path.read_bytes()
    meta, warning = read_sidecar(path)
    relative = path.relative_to(raw_dir).as_posix()
    site = site_for(relative, meta)
    url = meta.get("url") if isinstance(meta.get("url"), str) else None
    profile = profile_for_url(url) or profile_by_name(site)
    local_id = (profile.local_id(url) if profile and url else None) or path.stem
    root = Path(display_root) if display_root else Path(raw_dir).resolve().parent
    try:
        shown = path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        shown = path.resolve().as_posix()
    page = RawPage(
        path=shown,
        data=data,
        media_type=PAGE_SUFFIXES[path.suffix.lower()],
        sha256=hashlib.sha256(data).hexdigest(),
        site=site,
        local_id=local_id,
        url=url,
        retrieved_at=meta.get("retrieved_at") if isinstance(meta.get("retrieved_at"), str) else None,
        charset=meta.get("charset") if isinstance(meta.get("charset"), str) else None,
        meta=meta,
    )
    return page, [warning] if warning else []
