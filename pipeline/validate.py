"""Checks on an output directory: every record valid, ids unique, raw hashes and manifest counts right."""

from __future__ import annotations

import json
import logging
from functools import lru_cache
from importlib import resources
from pathlib import Path

from jsonschema import Draft202012Validator

from pipeline.storage import file_sha256, is_locked
from pipeline.write import ERRORS_FILE, MANIFEST_FILE, PUBLISHING_MARKER, RECORDS_FILE, record_files

log = logging.getLogger(__name__)
ERROR_FIELDS = ("page", "stage", "error", "message")


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


def validate_dir(out_dir: Path, raw_root: Path | None = None) -> tuple[int, list[str]]:
    """(records checked, problems). raw_root is where records' source.raw_path is relative to.

    While a normalize run publishes (or after one was killed doing so) record files and collections may
    disagree; the directory is marked then, and only the record files are checked.
    """
    out_dir = Path(out_dir)
    raw_root = Path(raw_root) if raw_root else Path.cwd()
    problems: list[str] = []
    records: dict[str, dict] = {}
    seen: dict[str, Path] = {}
    files = [out_dir / relative for relative in sorted(record_files(out_dir))]
    for path in files:
        name = path.relative_to(out_dir).as_posix()
        try:
            record = json.loads(path.read_bytes())
        except (OSError, ValueError) as error:
            problems.append(f"{name}: unreadable: {error}")
            continue
        problems.extend(f"{name}: {problem}" for problem in record_problems(record))
        if not isinstance(record, dict) or not isinstance(record.get("id"), str):
            continue
        record_id = record["id"]
        if record_id in seen:
            problems.append(f"{name}: id {record_id} also used by {seen[record_id].relative_to(out_dir)}")
        seen[record_id] = path
        records[record_id] = record
        source = record.get("source") if isinstance(record.get("source"), dict) else {}
        raw_path = source.get("raw_path")
        if isinstance(raw_path, str):
            raw_file = Path(raw_path) if Path(raw_path).is_absolute() else raw_root / raw_path
            if raw_file.is_file() and file_sha256(raw_file) != source.get("raw_sha256"):
                problems.append(f"{name}: source.raw_sha256 does not match {raw_path}")
    if (out_dir / PUBLISHING_MARKER).exists():
        state = "is publishing now" if is_locked(out_dir) else "was interrupted while publishing"
        log.warning("a normalize run into %s %s: records.jsonl and %s are not checked against the record "
                    "files; the next run completes them", out_dir, state, MANIFEST_FILE)
    else:
        problems.extend(_collection_problems(out_dir, len(files), records))
    return len(files), problems


def _read_lines(path: Path) -> list[object]:
    return [json.loads(line) for line in path.read_bytes().splitlines()] if path.exists() else []


def _collection_problems(out_dir: Path, record_count: int, records: dict[str, dict]) -> list[str]:
    manifest_path = out_dir / MANIFEST_FILE
    if not manifest_path.exists():
        # Nothing published yet (a first run killed before its end) is an empty, valid directory.
        return [f"{MANIFEST_FILE} missing"] if record_count else []
    try:
        manifest = json.loads(manifest_path.read_bytes())
        lines = _read_lines(out_dir / RECORDS_FILE)
        errors = _read_lines(out_dir / ERRORS_FILE)
    except (OSError, ValueError) as error:
        return [f"collections unreadable: {error}"]
    if not isinstance(manifest, dict):
        return [f"{MANIFEST_FILE} is not a JSON object"]
    problems = []
    if manifest.get("records") != record_count:
        problems.append(f"{MANIFEST_FILE}: records {manifest.get('records')} but {record_count} record files")
    by_site = manifest.get("records_by_site")
    if not isinstance(by_site, dict) or sum(v for v in by_site.values() if isinstance(v, int)) != record_count:
        problems.append(f"{MANIFEST_FILE}: records_by_site does not add up to {record_count} record files")
    if len(lines) != record_count:
        problems.append(f"{RECORDS_FILE}: {len(lines)} lines but {record_count} record files")
    else:
        for line in lines:
            line_id = line.get("id") if isinstance(line, dict) else None
            if not isinstance(line_id, str) or records.get(line_id) != line:
                problems.append(f"{RECORDS_FILE}: the line for {line_id} differs from its record file")
    if manifest.get("failed") != len(errors):
        problems.append(f"{MANIFEST_FILE}: failed {manifest.get('failed')} but {len(errors)} entries in {ERRORS_FILE}")
    for number, entry in enumerate(errors, start=1):
        if not isinstance(entry, dict) or not all(isinstance(entry.get(f), str) for f in ERROR_FIELDS):
            problems.append(f"{ERRORS_FILE}: line {number} lacks one of {', '.join(ERROR_FIELDS)}")
    counts = [manifest.get(key) for key in ("pages", "records", "failed")]
    if not all(isinstance(n, int) for n in counts) or counts[0] != counts[1] + counts[2]:
        problems.append(f"{MANIFEST_FILE}: pages {counts[0]} != records {counts[1]} + failed {counts[2]}")
    return problems
