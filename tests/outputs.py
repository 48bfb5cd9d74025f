"""What a normalize run leaves in its output directory, in a form two runs can be compared by."""

from __future__ import annotations

from pathlib import Path

from pipeline.write import INDEX_FILE, index_without_stamps


def comparable(name: str, data: bytes) -> bytes:
    """The file's bytes; the index's without the sizes and modification times of files on this disk."""
    return index_without_stamps(data) if Path(name).name == INDEX_FILE else data


def output_files(out: Path) -> dict[str, bytes]:
    """Everything a run leaves, but the lock file (which only exists to be locked)."""
    return {p.relative_to(out).as_posix(): comparable(p.name, p.read_bytes()) for p in sorted(out.rglob("*"))
            if p.is_file() and p.name != ".lock"}
