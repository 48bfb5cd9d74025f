import hashlib
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "raw" / "wilson" / "seed-romania-1958.txt"


def write_page(directory: Path, relative: str, content: str | bytes, url: str | None = None, **meta) -> Path:
    """A raw page (and its sidecar when a URL is given) as the fetch stage stores it."""
    path = directory / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    data = content.encode("utf-8") if isinstance(content, str) else content
    path.write_bytes(data)
    if url:
        sidecar = {"url": url, "retrieved_at": "2026-11-20T12:00:00Z", "sha256": hashlib.sha256(data).hexdigest(), **meta}
        path.with_name(path.stem + ".meta.json").write_text(json.dumps(sidecar), encoding="utf-8")
    return path


@pytest.fixture
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")
