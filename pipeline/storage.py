"""File-system primitives every writer uses: safe names, atomic writes, a run lock."""

from __future__ import annotations

import ctypes
import fcntl
import hashlib
import os
import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterable
from pathlib import Path

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_DASH_RUNS = re.compile(r"-{2,}")
_WINDOWS_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$", re.I)
MAX_NAME = 120


def safe_name(value: str, max_length: int = MAX_NAME) -> str:
    """A file name derived from an id or URL piece that cannot escape its directory.

    Lowercased (so case-folding file systems see no collisions), ASCII, no separators, no dot
    files, no Windows-reserved names; a long or altered name keeps a short hash of the original
    so two different inputs never map to one name.
    """
    ascii_form = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    name = _DASH_RUNS.sub("-", _UNSAFE.sub("-", ascii_form.lower())).strip("-.")
    if name and name == value and len(name) <= max_length and not _WINDOWS_RESERVED.match(name):
        return name
    digest = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:10]
    stem = name[: max_length - len(digest) - 1].rstrip("-.") or "page"
    if _WINDOWS_RESERVED.match(f"{stem}-{digest}"):
        # Windows reserves the name before the first dot: "con.txt-1a2b" would still be the console.
        stem = "_" + stem[: max_length - len(digest) - 2]
    return f"{stem}-{digest}"


def inside(root: Path, relative: str) -> Path:
    """root/relative, refusing anything that would land outside root."""
    root = root.resolve()
    target = (root / relative).resolve()
    if target != root and root not in target.parents:
        raise ValueError(f"path escapes {root}: {relative!r}")
    return target


def atomic_write_bytes(path: Path, data: bytes, durable: bool = True) -> bool:
    """Write data to path via temp file + fsync + rename; False when the bytes were already there.

    Leaving an identical file alone keeps its mtime, so reruns with nothing new change nothing.
    ``durable=False`` skips the fsyncs for files that are only a cache: a reader still never sees a
    half-written file, and one lost in a power cut is simply made again.
    """
    path = Path(path)
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    return atomic_write_chunks(path, [data], compare=False, durable=durable)


def stat_stamp(info: os.stat_result) -> str:
    """Size, modification and change times and inode of a file: any rewrite changes one of them, even
    one that puts the old modification time back."""
    return f"{info.st_size}:{info.st_mtime_ns}:{info.st_ctime_ns}:{info.st_ino}"


def _libc_syncfs() -> Callable[[int], int] | None:
    try:
        return ctypes.CDLL(None, use_errno=True).syncfs
    except (AttributeError, OSError):      # not Linux
        return None


_SYNCFS = _libc_syncfs()


def sync_filesystem(directory: Path) -> None:
    """Make every file written on the file system that holds directory durable, renames included: one
    call in place of two fsyncs per file when a run has written thousands."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        if _SYNCFS is None or _SYNCFS(fd) != 0:
            os.sync()
    finally:
        os.close(fd)


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def remove_stale_temp_files(directory: Path) -> int:
    """Temp files left by a killed writer; they were never renamed, so nothing refers to them."""
    removed = 0
    for tmp in Path(directory).rglob(".*.tmp"):
        try:
            tmp.unlink()
            removed += 1
        except OSError:
            pass
    return removed


class LockedError(RuntimeError):
    """Another run holds the lock on this directory."""


LOCK_NAME = ".lock"
# Lock descriptors this process holds. A forked child (a worker process) shares the parent's flock
# through the inherited descriptor and would keep the directory locked after the parent is killed,
# so children close their copies at once.
_held_lock_fds: set[int] = set()


def _close_inherited_locks() -> None:
    for fd in _held_lock_fds:
        try:
            os.close(fd)
        except OSError:
            pass
    _held_lock_fds.clear()


os.register_at_fork(after_in_child=_close_inherited_locks)


class DirectoryLock:
    """An exclusive OS-level lock (flock) on a directory; the kernel drops it when the owner dies."""

    def __init__(self, directory: Path, name: str = LOCK_NAME):
        self.path = Path(directory) / name
        self._fd: int | None = None

    def __enter__(self) -> DirectoryLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise LockedError(f"another run is using {self.path.parent} (lock {self.path})") from None
        self._fd = fd
        _held_lock_fds.add(fd)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fd is not None:
            _held_lock_fds.discard(self._fd)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


def is_locked(directory: Path, name: str = LOCK_NAME) -> bool:
    """Whether a live process holds the directory's lock; checked without taking it or creating the file."""
    try:
        fd = os.open(Path(directory) / name, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def file_sha256(path: Path) -> str | None:
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    except FileNotFoundError:
        return None
    return digest.hexdigest()


def _file_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


_FILE_MODE = _file_mode()


def atomic_write_chunks(path: Path, chunks: Iterable[bytes], compare: bool = True, durable: bool = True) -> bool:
    """atomic_write_bytes for output too large to hold in memory; False when the bytes were already there."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, _FILE_MODE)  # mkstemp's 0600 would hide records from the users meant to read them
        with os.fdopen(fd, "wb") as handle:
            for chunk in chunks:
                digest.update(chunk)
                handle.write(chunk)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        if compare and file_sha256(path) == digest.hexdigest():
            os.unlink(tmp)
            return False
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    if durable:
        _fsync_dir(path.parent)
    return True
