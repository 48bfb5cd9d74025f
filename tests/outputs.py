"""What a normalize run leaves in its output directory, in a form two runs can be compared by."""

from __future__ import annotations

import json
from pathlib import Path

from pipeline.write import INDEX_FILE

# Sizes and modification times of files as they lie on one disk: the index keeps them so that a rerun
# need not hash what did not change, and they differ between two output directories of equal content.
FILE_STAMPS = ("stamp", "file_stamp", "records_file_stamp")


def comparable(name: str, data: bytes) -> bytes:
    """The file's bytes, the index's without its file stamps."""
    if Path(name).name != INDEX_FILE:
        return data
    lines = []
    for line in data.splitlines():
        value = json.loads(line)
        lines.append(json.dumps({k: v for k, v in value.items() if k not in FILE_STAMPS}, sort_keys=True))
    return "\n".join(lines).encode()


def output_files(out: Path) -> dict[str, bytes]:
    """Everything a run leaves, but the lock file (which only exists to be locked)."""
    return {p.relative_to(out).as_posix(): comparable(p.name, p.read_bytes()) for p in sorted(out.rglob("*"))
            if p.is_file() and p.name != ".lock"}
