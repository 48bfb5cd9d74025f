"""Reading raw/: which files are pages, and the RawPage each one becomes (with its sidecar).

A local raw directory is read with plain file calls; one behind an fsspec URL (memory://, s3://, ...) by
the functions at the end of this module, which apply the same rules.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit, urlunsplit

from pipeline.fsio import UrlDir
from pipeline.models import PageTooLargeError, RawPage, UnsafePathError
from pipeline.sites import profile_by_name, profile_for_url

PAGE_SUFFIXES = {".html": "text/html", ".htm": "text/html", ".txt": "text/plain"}
SIDECAR_SUFFIX = ".meta.json"
# The fetch stage stores no response over 20 MB; a larger file is not one document page.
MAX_PAGE_BYTES = 20_000_000
MAX_SIDECAR_BYTES = 1_000_000
# A page cut short by a failed transfer or a full disk ends without closing its document.
_HTML_END = re.compile(rb"</(html|body)\s*>", re.I)
_HTML_END_WINDOW = 4096


def discover(raw_dir: Path) -> Iterator[Path]:
    """Page files under raw_dir, in the order the file system lists them (sort them where order matters);
    hidden files and folders (state, locks) are skipped. A stream: no listing is held in memory, however
    many pages a folder has."""
    with os.scandir(raw_dir) as listing:
        for entry in listing:
            if entry.name.startswith("."):
                continue
            if entry.is_dir(follow_symlinks=False):
                yield from discover(Path(entry.path))
            elif (entry.is_file() and os.path.splitext(entry.name)[1].lower() in PAGE_SUFFIXES
                  and not entry.name.endswith(SIDECAR_SUFFIX)):
                yield Path(entry.path)


def check_page(raw_dir: Path, path: Path) -> int:
    """The page's size, after refusing what must not be read: links out of raw/ and oversized files."""
    return check_resolved(Path(raw_dir).resolve(), Path(path).resolve())


def check_resolved(raw_root: Path, target: Path) -> int:
    """check_page for paths already resolved (no links left in them)."""
    if raw_root not in target.parents:
        raise UnsafePathError(f"the page links to {target}, outside the raw directory: not read")
    size = target.stat().st_size
    if size > MAX_PAGE_BYTES:
        raise PageTooLargeError(f"the page is {size} bytes, over the {MAX_PAGE_BYTES}-byte limit for one page")
    return size


def sidecar_path(page_path: Path) -> Path:
    return page_path.with_name(page_path.stem + SIDECAR_SUFFIX)


def read_sidecar(raw_dir: Path, page_path: Path) -> tuple[dict, str | None]:
    """The sidecar's provenance, and a warning when it exists but cannot be used."""
    path = sidecar_path(page_path)
    if not path.exists():
        return {}, None
    if Path(raw_dir).resolve() not in path.resolve().parents:
        return {}, f"sidecar {path.name} links outside the raw directory: ignored"
    try:
        if path.stat().st_size > MAX_SIDECAR_BYTES:
            return {}, f"sidecar {path.name} is over {MAX_SIDECAR_BYTES} bytes: ignored"
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        return {}, f"sidecar {path.name} unreadable: {error}"
    if not isinstance(meta, dict):
        return {}, f"sidecar {path.name} is not a JSON object"
    return meta, None


def _text_field(meta: dict, name: str) -> str | None:
    """A string field of the sidecar; JSON escapes can smuggle in lone surrogates, which records cannot hold."""
    value = meta.get(name)
    if not isinstance(value, str):
        return None
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return None
    return value


def _usable_url(url: str | None) -> tuple[str | None, str | None]:
    """The sidecar URL when it is an absolute http(s) URL, without any credentials; else None. And why."""
    if url is None:
        return None, None
    try:
        parts = urlsplit(url)
        usable = parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:
        return None, "sidecar url does not parse as a URL: ignored"
    if not usable:
        return None, f"sidecar url is not an absolute http(s) URL (scheme {parts.scheme!r}): ignored"
    if "@" not in parts.netloc:
        return url, None
    # Records are published: a user name or password in a fetched URL must not travel with them.
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1])), "credentials removed from the sidecar url"


def site_for(relative: str, meta: dict, url: str | None = None) -> tuple[str | None, str | None]:
    """The page's site and a warning: the sidecar URL, else its site field, else the folder.

    A URL on a host no profile serves outweighs the folder: such a page was filed in the wrong place,
    and its own markup (or the generic profile) decides how it is read.
    """
    profile = profile_for_url(url) or profile_by_name(_text_field(meta, "site"))
    if profile:
        return profile.NAME, None
    parts = relative.split("/")
    folder = parts[0] if len(parts) > 1 and profile_by_name(parts[0]) else None
    if folder and url:
        host = urlsplit(url).hostname
        return None, f"filed under {folder}/ but its URL is on {host}, not a {folder} host: read by its content"
    return folder, None


def page_label(path: str) -> str:
    """A file path as valid Unicode text for JSON: bytes of a name that are not UTF-8 show as \\xNN."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def display_path(raw_dir: Path, path: Path, display_root: Path | None = None) -> str:
    """The page's path as records show it: relative to display_root (default: raw_dir's parent)."""
    root = Path(display_root) if display_root else Path(raw_dir).resolve().parent
    return shown_path(Path(path).resolve(), root.resolve())


def shown_path(target: Path, root: Path) -> str:
    """display_path for paths already resolved."""
    try:
        shown = target.relative_to(root).as_posix()
    except ValueError:
        shown = target.as_posix()
    return page_label(shown)


def _content_warnings(data: bytes, media_type: str, meta: dict) -> list[str]:
    warnings = []
    recorded = _text_field(meta, "sha256")
    if recorded and recorded.lower() != hashlib.sha256(data).hexdigest():
        warnings.append("the page's bytes differ from the sha256 its sidecar recorded when it was fetched")
    if media_type == "text/html" and not _HTML_END.search(data[-_HTML_END_WINDOW:].replace(b"\x00", b"")):
        warnings.append("the HTML ends without </body> or </html>: the page may be truncated")
    return warnings


def load_page(raw_dir: Path, path: Path, display_root: Path | None = None) -> tuple[RawPage, list[str]]:
    """A RawPage for one file, and warnings about its sidecar or its bytes for the record's provenance."""
    page, warnings, _ = load_page_with_sidecar(raw_dir, path, display_root)
    return page, warnings


def load_page_with_sidecar(
    raw_dir: Path, path: Path, display_root: Path | None = None,
) -> tuple[RawPage, list[str], tuple[dict, str | None]]:
    """``load_page``, and the sidecar as ``read_sidecar`` read it (what the page's record also depends on)."""
    check_page(raw_dir, path)
    data = path.read_bytes()
    relative = path.relative_to(raw_dir).as_posix()
    sidecar = read_sidecar(raw_dir, path)
    page, warnings = page_from_bytes(relative, data, sidecar, display_path(raw_dir, path, display_root))
    return page, warnings, sidecar


def page_from_bytes(
    relative: str, data: bytes, sidecar: tuple[dict, str | None], shown: str,
) -> tuple[RawPage, list[str]]:
    """The RawPage of a page's bytes and its sidecar, wherever they were read from."""
    meta, warning = sidecar
    warnings = [warning] if warning else []
    url, warning = _usable_url(_text_field(meta, "url"))
    warnings += [warning] if warning else []
    site, warning = site_for(relative, meta, url)
    warnings += [warning] if warning else []
    profile = profile_for_url(url) or profile_by_name(site)
    name = PurePosixPath(relative)
    local_id = (profile.local_id(url) if profile and url else None) or name.stem
    media_type = PAGE_SUFFIXES[name.suffix.lower()]
    page = RawPage(
        path=shown,
        data=data,
        media_type=media_type,
        sha256=hashlib.sha256(data).hexdigest(),
        site=site,
        local_id=local_id,
        url=url,
        retrieved_at=_text_field(meta, "retrieved_at"),
        charset=_text_field(meta, "charset"),
        meta=meta,
    )
    return page, warnings + _content_warnings(data, media_type, meta)


# ------------------------------------------------------------------------------------ pages behind a URL


def is_page_name(relative: str) -> bool:
    """A page file's relative path: a page suffix, not a sidecar, nothing hidden on the way."""
    parts = relative.split("/")
    if any(part.startswith(".") for part in parts):
        return False
    return PurePosixPath(relative).suffix.lower() in PAGE_SUFFIXES and not relative.endswith(SIDECAR_SUFFIX)


def discover_url(raw: UrlDir) -> list[tuple[str, dict, dict | None]]:
    """discover() for a raw directory behind a URL, from one listing: (relative path, its info, its sidecar's)."""
    files = raw.find()
    return [(relative, files[relative], files.get(sidecar_name(relative)))
            for relative in sorted(files) if is_page_name(relative)]


def sidecar_name(relative: str) -> str:
    page = PurePosixPath(relative)
    return str(page.with_name(page.stem + SIDECAR_SUFFIX))


def url_display_path(raw_url: str, relative: str, display_root: str | None = None) -> str:
    """What display_path gives a local page: the path below display_root (default: the raw URL's parent)."""
    root = (display_root or raw_url.rstrip("/").rsplit("/", 1)[0]).rstrip("/")
    page = f"{raw_url.rstrip('/')}/{relative}"
    return page[len(root) + 1:] if page.startswith(root + "/") else page


def read_url_sidecar(raw: UrlDir, relative: str) -> tuple[dict, str | None]:
    """read_sidecar for a page behind a URL: same limits, same warnings."""
    name = sidecar_name(relative)
    shown = PurePosixPath(name).name
    try:
        data = raw.read_limited(name, MAX_SIDECAR_BYTES)
    except FileNotFoundError:
        return {}, None
    if len(data) > MAX_SIDECAR_BYTES:
        return {}, f"sidecar {shown} is over {MAX_SIDECAR_BYTES} bytes: ignored"
    try:
        meta = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        return {}, f"sidecar {shown} unreadable: {error}"
    if not isinstance(meta, dict):
        return {}, f"sidecar {shown} is not a JSON object"
    return meta, None


def load_url_page(raw_url: str, relative: str, display_root: str | None = None) -> tuple[RawPage, list[str]]:
    """load_page for a page behind an fsspec URL, read where it lies (a cluster worker reads it itself)."""
    raw = UrlDir(raw_url)
    data = raw.read_limited(relative, MAX_PAGE_BYTES)
    if len(data) > MAX_PAGE_BYTES:
        raise PageTooLargeError(f"the page is over the {MAX_PAGE_BYTES}-byte limit for one page")
    return page_from_bytes(relative, data, read_url_sidecar(raw, relative),
                           url_display_path(raw_url, relative, display_root))
