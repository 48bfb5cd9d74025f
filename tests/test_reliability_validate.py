"""`archive-pipeline validate` catches every way a good output directory can go bad: a record that breaks
the schema or is cut short, a duplicated id, a raw file that no longer matches its record, collections
and manifest counts that disagree with the record files."""

import json
import shutil
from pathlib import Path

import pytest

from pipeline.cli import EXIT_FAILURES, EXIT_OK, EXIT_USAGE, main
from pipeline.runner import normalize
from pipeline.storage import DirectoryLock
from pipeline.validate import validate_dir
from pipeline.write import PUBLISHING_MARKER
from tests.conftest import write_page

PAGES = {
    "wilson/letter-one.txt": "Letter from the Minister\n\n3 March 1962\n\nDear Sir,\n\nThe grain arrived.\n\nI. Petrov\n",
    "wilson/letter-two.txt": "Letter to the Minister\n\n4 March 1962\n\nDear Sir,\n\nThe coal arrived.\n\nA. Ivanov\n",
    "generic/memo.html": "<html><head><title>Memo</title></head><body><h1>Memo on ports</h1>"
                         "<p>The ports reopened on the first of May after the long strike.</p></body></html>",
    "generic/empty.txt": "",
}


@pytest.fixture(scope="module")
def good_output(tmp_path_factory):
    root = tmp_path_factory.mktemp("good")
    for relative, text in PAGES.items():
        write_page(root / "raw", relative, text)
    normalize(root / "raw", root / "normalized", progress=False)
    assert validate_dir(root / "normalized", raw_root=root) == (3, [])
    return root


@pytest.fixture
def root(good_output, tmp_path):
    """A fresh copy of the good raw and output directories, to corrupt."""
    shutil.copytree(good_output, tmp_path, dirs_exist_ok=True)
    return tmp_path


def problems(root: Path) -> list[str]:
    return validate_dir(root / "normalized", raw_root=root)[1]


def edit_json(path: Path, change) -> None:
    value = json.loads(path.read_text())
    change(value)
    path.write_text(json.dumps(value))


def test_a_record_that_breaks_the_schema(root):
    edit_json(root / "normalized/wilson/letter-one.json", lambda r: r.update(doc_type="banana", title=7))
    found = problems(root)
    assert any(p.startswith("wilson/letter-one.json: doc_type:") for p in found)
    assert any(p.startswith("wilson/letter-one.json: title:") for p in found)


def test_a_record_missing_a_field(root):
    edit_json(root / "normalized/wilson/letter-one.json", lambda r: r.pop("source"))
    assert any("'source' is a required property" in p for p in problems(root))


def test_a_half_written_record(root):
    path = root / "normalized/wilson/letter-one.json"
    path.write_bytes(path.read_bytes()[:100])
    assert any(p.startswith("wilson/letter-one.json: unreadable") for p in problems(root))


def test_a_duplicated_id(root):
    shutil.copy(root / "normalized/wilson/letter-one.json", root / "normalized/wilson/copy.json")
    found = problems(root)
    assert any("id wilson:letter-one also used by wilson/" in p for p in found)
    assert any("manifest.json: records 3 but 4 record files" in p for p in found)


def test_a_raw_file_changed_after_its_record_was_made(root):
    (root / "raw/wilson/letter-two.txt").write_text(PAGES["wilson/letter-two.txt"].replace("coal", "salt"))
    assert problems(root) == ["wilson/letter-two.json: source.raw_sha256 does not match raw/wilson/letter-two.txt"]


def test_a_record_file_removed(root):
    (root / "normalized/generic/memo.json").unlink()
    found = problems(root)
    assert "manifest.json: records 3 but 2 record files" in found
    assert "records.jsonl: 3 lines but 2 record files" in found


@pytest.mark.parametrize("change, expected", [
    (lambda m: m.update(records=4), "manifest.json: records 4 but 3 record files"),
    (lambda m: m.update(failed=0), "manifest.json: failed 0 but 1 entries in errors.jsonl"),
    (lambda m: m.update(pages=9), "manifest.json: pages 9 != records 3 + failed 1"),
    (lambda m: m.update(records_by_site={"wilson": 2}), "manifest.json: records_by_site does not add up"),
])
def test_manifest_counts_that_do_not_add_up(root, change, expected):
    edit_json(root / "normalized/manifest.json", change)
    assert any(p.startswith(expected) for p in problems(root))


def test_records_jsonl_out_of_step_with_the_record_files(root):
    jsonl = root / "normalized/records.jsonl"
    lines = jsonl.read_text().splitlines()
    first = json.loads(lines[0])
    first["title"] = "Edited after the fact"
    jsonl.write_text("\n".join([json.dumps(first), *lines[1:]]) + "\n")
    assert problems(root) == [f"records.jsonl: the line for {first['id']} differs from its record file"]
    jsonl.write_text("\n".join(lines[1:]) + "\n")
    assert "records.jsonl: 2 lines but 3 record files" in problems(root)


def test_a_malformed_error_entry(root):
    (root / "normalized/errors.jsonl").write_text('{"page": "generic/empty.txt"}\n')
    assert problems(root) == ["errors.jsonl: line 1 lacks one of page, stage, error, message"]


def test_records_without_a_manifest(root):
    (root / "normalized/manifest.json").unlink()
    assert problems(root) == ["manifest.json missing"]


def test_temp_files_and_staging_are_never_taken_for_records(root):
    out = root / "normalized"
    (out / "wilson/.letter-one.json.x1y2.tmp").write_text('{"id": "half')
    (out / ".staging").mkdir()
    (out / ".staging/0123.json").write_text('{"id": "wilson:letter-one"}')
    assert validate_dir(out, raw_root=root) == (3, [])


def test_an_interrupted_publish_is_reported_and_records_still_checked(root, caplog):
    out = root / "normalized"
    (out / PUBLISHING_MARKER).write_text('{"pid": 1}')
    (out / "generic/memo.json").unlink()                 # collections now disagree with the record files
    assert problems(root) == []
    assert "was interrupted while publishing" in caplog.text
    edit_json(out / "wilson/letter-one.json", lambda r: r.update(doc_type="banana"))
    assert any(p.startswith("wilson/letter-one.json: doc_type:") for p in problems(root))
    with DirectoryLock(out):
        caplog.clear()
        problems(root)
        assert "is publishing now" in caplog.text


def test_an_empty_directory_is_valid(tmp_path):
    assert validate_dir(tmp_path) == (0, [])


def test_validate_exit_codes(root, capsys):
    out = str(root / "normalized")
    assert main(["validate", out, "--raw-root", str(root)]) == EXIT_OK
    assert "3 records checked, 0 problems" in capsys.readouterr().out
    (root / "normalized/generic/memo.json").write_text("{")
    assert main(["validate", out, "--raw-root", str(root)]) == EXIT_FAILURES
    assert main(["validate", str(root / "missing")]) == EXIT_USAGE
