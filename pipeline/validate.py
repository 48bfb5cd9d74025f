"""Checks on an output directory: every record valid, ids unique, raw hashes and manifest counts right."""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from importlib import resources
from pathlib import Path

from jsonschema import Draft202012Validator

from pipeline.write import ERRORS_FILE, MANIFEST_FILE, RECORDS_FILE


@lru_cache(maxsize=1)
def schema() -> dict:
    return json.loads(resources.files("pipeline").joinpath("schema/record.schema.json").read_text("utf-8"))


@lru_cache(maxsize=1)
def validator() -> Draft202012Validator:
    return Draft202012Validator(schema(), format_checker=Draft202012Validator.FORMAT_CHECKER)


def record_problems(record: object) -> list[str]:
    """Schema violations of one record, as readable strings (empty when valid)."""
    return [
        f"{'/'.join(map(str, error.absolute_path)) or '<record>'}: {error.message}"
        for error in sorted(validator().iter_errors(record), key=lambda e: list(map(str, e.absolute_path)))
    ]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def validate_dir(out_dir: Path, raw_root: Path | None = None) -> tuple[int, list[str]]:
    """(records checked, problems). raw_root is where records' source.raw_path is relative to."""
    out_dir = Path(out_dir)
    raw_root = Path(raw_root) if raw_root else Path.cwd()
    problems: list[str] = []
    seen: dict[str, Path] = {}
    files = sorted(p for p in out_dir.glob("*/*.json") if not p.name.startswith("."))
    for path in files:
        name = path.relative_to(out_dir).as_posix()
        try:
            record = json.loads(path.read_bytes())
        except (OSError, ValueError) as error:
            problems.append(f"{name}: unreadable: {error}")
            continue
        problems.extend(f"{name}: {problem}" for problem in record_problems(record))
        if not isinstance(record, dict):
            continue
        record_id = record.get("id")
        if record_id in seen:
            problems.append(f"{name}: id {record_id} also used by {seen[record_id].relative_to(out_dir)}")
        seen[record_id] = path
        source = record.get("source") if isinstance(record.get("source"), dict) else {}
        raw_path = source.get("raw_path")
        if isinstance(raw_path, str):
            raw_file = Path(raw_path) if Path(raw_path).is_absolute() else raw_root / raw_path
            if raw_file.exists() and _sha256(raw_file) != source.get("raw_sha256"):
                problems.append(f"{name}: source.raw_sha256 does not match {raw_path}")
    problems.extend(_collection_problems(out_dir, len(files), set(seen)))
    return len(files), problems


def _collection_problems(out_dir: Path, record_count: int, ids: set) -> list[str]:
    problems = []
    manifest_path = out_dir / MANIFEST_FILE
    if not manifest_path.exists():
        return [f"{MANIFEST_FILE} missing"]
    try:
        manifest = json.loads(manifest_path.read_bytes())
        lines = (out_dir / RECORDS_FILE).read_bytes().splitlines()
        errors = (out_dir / ERRORS_FILE).read_bytes().splitlines() if (out_dir / ERRORS_FILE).exists() else []
    except (OSError, ValueError) as error:
        return [f"collections unreadable: {error}"]
    if manifest.get("records") != record_count:
        problems.append(f"{MANIFEST_FILE}: records {manifest.get('records')} but {record_count} record files")
    if len(lines) != record_count:
        problems.append(f"{RECORDS_FILE}: {len(lines)} lines but {record_count} record files")
    elif {json.loads(line)["id"] for line in lines} != ids:
        problems.append(f"{RECORDS_FILE}: ids differ from the record files")
    if manifest.get("failed") != len(errors):
        problems.append(f"{MANIFEST_FILE}: failed {manifest.get('failed')} but {len(errors)} entries in {ERRORS_FILE}")
    if manifest.get("pages") != manifest.get("records", 0) + manifest.get("failed", 0):
        problems.append(f"{MANIFEST_FILE}: pages {manifest.get('pages')} != records + failed")
    return problems
