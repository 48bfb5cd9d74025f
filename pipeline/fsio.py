"""Where normalize reads pages and writes records: a local directory, or any fsspec URL.

A local directory keeps plain os calls (temp file + fsync + rename, symlink checks, flock): the fast
path and the one the reliability guarantees were built on. A URL (memory://, s3://, gs://, ...) goes
through fsspec, imported only then; its backend (s3fs, gcsfs, ...) is the user's to install. Object
stores replace an object in one put, so a reader sees the old bytes or the new ones; other fsspec file
systems get a temp file moved into place. Either way a write whose bytes are already there is skipped.
"""

from __future__ import annotations

import hashlib
import logging
import os
import posixpath
import shutil
import uuid
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

from pipeline.storage import (
    DirectoryLock,
    atomic_write_bytes,
    atomic_write_chunks,
    remove_stale_temp_files,
    stat_stamp,
    sync_filesystem,
)

log = logging.getLogger(__name__)

# Backends whose single put replaces an object whole: no temp object and move needed for atomicity.
OBJECT_STORES = frozenset({"memory", "s3", "s3a", "gs", "gcs", "az", "abfs", "abfss", "adl", "oss"})
FSSPEC_HINT = "URLs as --raw-dir/--out-dir need fsspec: pip install 'archive-pipeline[dask]' (plus s3fs, gcsfs, ...)"
# Objects read per request batch: fsspec runs the reads of one batch concurrently on async backends.
READ_BATCH = 256


class StorageUnavailableError(RuntimeError):
    """A location that cannot be used: fsspec or its backend is not installed, or the workers cannot reach it."""


def is_url(location: str | os.PathLike[str]) -> bool:
    """A location fsspec must open; file:// URLs and plain paths stay on the local fast path."""
    text = os.fspath(location)
    return "://" in text and not text.startswith("file://")


def local_path(location: str | os.PathLike[str]) -> Path:
    text = os.fspath(location)
    return Path(text.removeprefix("file://")) if text.startswith("file://") else Path(text)


def relative_ok(relative: str) -> bool:
    """A relative posix path that stays below its root: no absolute path, no parent step, no NUL."""
    if not relative or relative.startswith("/") or "\x00" in relative:
        return False
    return posixpath.normpath(relative) == relative and not relative.startswith("..")


def open_fs(url: str) -> tuple[Any, str]:
    """(fsspec file system, root path inside it) for a URL."""
    try:
        import fsspec.core
    except ImportError:
        raise StorageUnavailableError(FSSPEC_HINT) from None
    try:
        fs, root = fsspec.core.url_to_fs(url)
    except (ImportError, ValueError) as error:       # fsspec names the package a scheme needs
        raise StorageUnavailableError(f"cannot open {url}: {error}") from None
    return fs, root.rstrip("/")


class LocalDir:
    """A local directory tree; relative paths use / and are joined below root."""

    is_local = True

    def __init__(self, root: Path):
        self.root = Path(root)
        self.location = str(self.root)

    def make(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)

    def exists(self) -> bool:
        return self.root.is_dir()

    def lock(self) -> AbstractContextManager[Any]:
        return DirectoryLock(self.root)

    def sweep_temp_files(self) -> None:
        remove_stale_temp_files(self.root)

    def write(self, relative: str, data: bytes, durable: bool = True) -> bool:
        return atomic_write_bytes(self.root / relative, data, durable=durable)

    def write_chunks(self, relative: str, chunks: Iterable[bytes]) -> bool:
        return atomic_write_chunks(self.root / relative, chunks)

    def flush(self) -> None:
        """Make what was written with durable=False durable."""
        sync_filesystem(self.root)

    def read(self, relative: str) -> bytes:
        return (self.root / relative).read_bytes()

    def read_many(self, relatives: Iterable[str]) -> Iterator[bytes | None]:
        for relative in relatives:
            try:
                yield (self.root / relative).read_bytes()
            except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
                yield None

    def lines(self, relative: str) -> Iterator[bytes]:
        """The file's lines, read as they are needed."""
        with open(self.root / relative, "rb") as handle:
            yield from handle

    def stamp(self, relative: str) -> str | None:
        """The file's ``stat_stamp`` (not its link target's), or None when there is no file."""
        try:
            return stat_stamp(os.lstat(self.root / relative))
        except OSError:
            return None

    def exists_file(self, relative: str) -> bool:
        return (self.root / relative).is_file()

    def is_plain_file(self, relative: str) -> bool:
        """A regular file reached without following a link (links could lead out of the directory)."""
        path = self.root / relative
        return path.is_file() and not path.is_symlink() and not path.parent.is_symlink()

    def names(self, relative: str) -> list[str]:
        try:
            return os.listdir(self.root / relative)
        except (FileNotFoundError, NotADirectoryError):
            return []

    def remove(self, relative: str) -> None:
        (self.root / relative).unlink()

    def remove_tree(self, relative: str) -> None:
        shutil.rmtree(self.root / relative, ignore_errors=True)


class UrlDir:
    """A directory tree behind an fsspec URL; the file system is opened again in each process that uses it."""

    is_local = False

    def __init__(self, url: str):
        self.location = url.rstrip("/")
        self.fs, self.root = open_fs(url)
        protocol = self.fs.protocol
        self.protocols = {protocol} if isinstance(protocol, str) else set(protocol)
        self.single_put = bool(self.protocols & OBJECT_STORES)

    @property
    def in_process(self) -> bool:
        """Whether the files live in this process's memory (memory://), out of any worker process's sight."""
        return "memory" in self.protocols

    def path(self, relative: str) -> str:
        return f"{self.root}/{relative}" if relative else self.root

    def make(self) -> None:
        if not self.single_put:           # object stores have no directories to make
            self.fs.makedirs(self.root, exist_ok=True)

    def exists(self) -> bool:
        return bool(self.fs.isdir(self.root))

    def lock(self) -> AbstractContextManager[Any]:
        log.info("%s is not a local directory: no lock keeps a second run out of it", self.location)
        return nullcontext()

    def sweep_temp_files(self) -> None:
        stale = [p for p in self.fs.find(self.root) if posixpath.basename(p).startswith(".")
                 and p.endswith(".tmp")]
        if stale:
            self.fs.rm(stale)

    def read(self, relative: str) -> bytes:
        return self.fs.cat_file(self.path(relative))

    def lines(self, relative: str) -> Iterator[bytes]:
        with self.fs.open(self.path(relative), "rb") as handle:
            yield from handle

    def exists_file(self, relative: str) -> bool:
        return bool(self.fs.isfile(self.path(relative)))

    def read_limited(self, relative: str, limit: int) -> bytes:
        """At most limit + 1 bytes, so a caller can tell a file over its limit without reading it all."""
        with self.fs.open(self.path(relative), "rb") as handle:
            return handle.read(limit + 1)

    def read_many(self, relatives: Iterable[str]) -> Iterator[bytes | None]:
        batch: list[str] = []
        for relative in relatives:
            batch.append(relative)
            if len(batch) == READ_BATCH:
                yield from self._read_batch(batch)
                batch = []
        yield from self._read_batch(batch)

    def _read_batch(self, relatives: list[str]) -> list[bytes | None]:
        if not relatives:
            return []
        paths = [self.path(r) for r in relatives]
        found = self.fs.cat(paths, on_error="return")
        return [None if isinstance(found.get(p), BaseException) else found.get(p) for p in paths]

    def _existing(self, relative: str) -> bytes | None:
        try:
            return self.read(relative)
        except (FileNotFoundError, IsADirectoryError):
            return None

    def flush(self) -> None:
        """Writes are whole puts or moves already: nothing is left to flush."""

    def write(self, relative: str, data: bytes, durable: bool = True) -> bool:
        if self._existing(relative) == data:
            return False
        if self.single_put:
            self.fs.pipe_file(self.path(relative), data)
        else:
            self._move_into_place(relative, lambda handle: handle.write(data))
        return True

    def write_chunks(self, relative: str, chunks: Iterable[bytes]) -> bool:
        """Streamed into a temp object, then moved over the target unless its bytes were already there."""
        digest = hashlib.sha256()

        def copy(handle: Any) -> None:
            for chunk in chunks:
                digest.update(chunk)
                handle.write(chunk)

        return self._move_into_place(relative, copy, digest)

    def _move_into_place(self, relative: str, fill: Any, digest: Any = None) -> bool:
        folder, name = posixpath.split(self.path(relative))
        tmp = f"{folder}/.{name}.{uuid.uuid4().hex[:12]}.tmp"
        if not self.single_put:
            self.fs.makedirs(folder, exist_ok=True)
        try:
            with self.fs.open(tmp, "wb") as handle:
                fill(handle)
            if digest is not None:
                existing = self._existing(relative)
                if existing is not None and hashlib.sha256(existing).hexdigest() == digest.hexdigest():
                    self.fs.rm(tmp)
                    return False
            self.fs.mv(tmp, self.path(relative))
        except BaseException:
            if self.fs.exists(tmp):
                self.fs.rm(tmp)
            raise
        return True

    def names(self, relative: str) -> list[str]:
        try:
            return [posixpath.basename(p.rstrip("/")) for p in self.fs.ls(self.path(relative), detail=False)]
        except FileNotFoundError:
            return []

    def find(self) -> dict[str, dict[str, Any]]:
        """Every file below the root: relative path -> the backend's description of it (size, etag, ...)."""
        found = self.fs.find(self.root, detail=True)
        prefix = self.root + "/"
        return {path.removeprefix(prefix): info for path, info in found.items()
                if path.startswith(prefix) and info.get("type", "file") == "file"}

    def remove(self, relative: str) -> None:
        self.fs.rm(self.path(relative))

    def remove_tree(self, relative: str) -> None:
        path = self.path(relative)
        if self.fs.exists(path):
            self.fs.rm(path, recursive=True)


def open_dir(location: str | os.PathLike[str]) -> LocalDir | UrlDir:
    return UrlDir(os.fspath(location)) if is_url(location) else LocalDir(local_path(location))
