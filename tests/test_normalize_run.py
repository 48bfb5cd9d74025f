"""The normalize job end to end over a raw directory: records, bookkeeping, reruns, exit codes."""

import json
import shutil

import pytest

from pipeline import cli
from pipeline.cli import main
from pipeline.runner import normalize
from pipeline.validate import validate_dir
from tests.conftest import SEED, write_page
from tests.outputs import output_files

WILSON_TEXT = """Skip to content

March 3, 1962

Letter from Imaginary Minister Petrov to the Central Committee

Dear Comrades,

We report that the grain deliveries agreed on 1 February were completed.

With comradely greetings,
Minister of Agriculture
(ss) I. Petrov

A letter reporting that the grain deliveries were completed on schedule.

Document Information


State Archive of Examples, f. 12, op. 3, d. 45, ll. 6-7. Translated by Ann Example.


The History and Public Policy Program welcomes reuse of Digital Archive materials for research and educational purposes.

Record ID

123456
"""

FRUS_TEXT = """File No. 123.45/678
The Minister in Ruritania (Smith) to the Secretary of State
[Telegram]
Strelsau, May 2,
1921, 4 p.m.
[Received May 3, 9 a.m.]
17. Your 12, April 30. The King received me today and asked that you be informed of his views.
Smith
"""


@pytest.fixture
def raw_dir(tmp_path):
    raw = tmp_path / "raw"
    (raw / "wilson").mkdir(parents=True)
    shutil.copy(SEED, raw / "wilson" / SEED.name)
    write_page(raw, "wilson/petrov-letter.txt", WILSON_TEXT)
    write_page(raw, "frus/frus1921v01_d17.txt", FRUS_TEXT,
               url="https://history.state.gov/historicaldocuments/frus1921v01/d17")
    return raw


def test_every_page_becomes_a_valid_record(raw_dir, tmp_path):
    out = tmp_path / "normalized"
    summary = normalize(raw_dir, out, progress=False, display_root=tmp_path)
    assert (summary.pages, summary.written, summary.failed) == (3, 3, 0)
    count, problems = validate_dir(out, raw_root=tmp_path)
    assert count == 3 and problems == []
    frus = json.loads((out / "frus" / "frus1921v01_d17.json").read_text())
    assert frus["id"] == "frus:frus1921v01_d17"
    assert frus["date"]["edtf"] == "1921-05-02"
    assert frus["place"] == "Strelsau"
    assert frus["doc_type"] == "telegram"
    assert frus["source"]["url"] == "https://history.state.gov/historicaldocuments/frus1921v01/d17"
    lines = (out / "records.jsonl").read_text().splitlines()
    assert [json.loads(line)["id"] for line in lines] == sorted(json.loads(line)["id"] for line in lines)
    manifest = json.loads((out / "manifest.json").read_text())
    assert (manifest["pages"], manifest["records"], manifest["failed"]) == (3, 3, 0)


def test_rerun_with_nothing_new_rewrites_nothing(raw_dir, tmp_path):
    out = tmp_path / "normalized"
    normalize(raw_dir, out, progress=False)
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.rglob("*") if p.is_file()}
    summary = normalize(raw_dir, out, progress=False)
    after = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.rglob("*") if p.is_file()}
    assert summary.written == 0 and summary.unchanged == 3 and summary.skipped == 3
    assert after == before


def test_changed_page_is_rewritten_and_removed_page_loses_its_record(raw_dir, tmp_path):
    out = tmp_path / "normalized"
    normalize(raw_dir, out, progress=False)
    write_page(raw_dir, "wilson/petrov-letter.txt", WILSON_TEXT.replace("March 3, 1962", "March 4, 1962"))
    (raw_dir / "frus" / "frus1921v01_d17.txt").unlink()
    summary = normalize(raw_dir, out, progress=False)
    assert (summary.pages, summary.written, summary.unchanged, summary.removed) == (2, 1, 1, 1)
    record = json.loads((out / "wilson" / "petrov-letter.json").read_text())
    assert record["date"]["edtf"] == "1962-03-04"
    assert not (out / "frus" / "frus1921v01_d17.json").exists()


def test_failed_pages_are_listed_and_the_rest_written(raw_dir, tmp_path):
    write_page(raw_dir, "wilson/empty.txt", b"")
    out = tmp_path / "normalized"
    summary = normalize(raw_dir, out, progress=False)
    assert (summary.pages, summary.records, summary.failed) == (4, 3, 1)
    errors = [json.loads(line) for line in (out / "errors.jsonl").read_text().splitlines()]
    assert errors == [{"page": "wilson/empty.txt", "stage": "decode", "error": "DecodeError",
                       "message": "the page is empty"}]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["pages"] == manifest["records"] + manifest["failed"]


def test_cli_exit_codes(raw_dir, tmp_path, capsys):
    out = tmp_path / "normalized"
    assert main(["normalize", "--raw-dir", str(raw_dir), "--out-dir", str(out)]) == 0
    assert "pages read: 3, records written: 3, unchanged: 0, failed: 0" in capsys.readouterr().out
    write_page(raw_dir, "wilson/empty.txt", b"   ")
    assert main(["normalize", "--raw-dir", str(raw_dir), "--out-dir", str(out)]) == 1
    assert main(["normalize", "--raw-dir", str(tmp_path / "missing"), "--out-dir", str(out)]) == 2
    with pytest.raises(SystemExit) as usage:
        main(["normalize", "--no-such-option"])
    assert usage.value.code == 2


def test_parallel_workers_give_identical_output(raw_dir, tmp_path):
    single, double = tmp_path / "one", tmp_path / "two"
    normalize(raw_dir, single, workers=1, progress=False)
    normalize(raw_dir, double, workers=2, progress=False)
    assert output_files(single) == output_files(double)


def test_a_rerun_does_not_hash_pages_whose_files_are_as_they_were(raw_dir, tmp_path, monkeypatch):
    import pipeline.runner as runner

    out = tmp_path / "normalized"
    normalize(raw_dir, out, progress=False)
    hashed = []
    page_key = runner.page_key
    monkeypatch.setattr(runner, "page_key", lambda raw, path, shown: hashed.append(path.name) or page_key(raw, path, shown))
    page = raw_dir / "wilson" / "petrov-letter.txt"
    page.touch()                                  # same bytes, new modification time: hashed, found unchanged
    summary = normalize(raw_dir, out, progress=False)
    assert hashed == ["petrov-letter.txt"]
    assert (summary.written, summary.unchanged, summary.skipped) == (0, 3, 3)


def test_a_record_file_edited_by_hand_is_made_again(raw_dir, tmp_path):
    out = tmp_path / "normalized"
    normalize(raw_dir, out, progress=False)
    record = out / "wilson" / "petrov-letter.json"
    original = record.read_bytes()
    record.write_bytes(original.replace(b"1962-03-03", b"1962-03-09"))
    summary = normalize(raw_dir, out, progress=False)
    assert (summary.written, summary.unchanged) == (1, 2)
    assert record.read_bytes() == original


def test_records_jsonl_is_rebuilt_when_it_is_gone_or_changed(raw_dir, tmp_path):
    out = tmp_path / "normalized"
    normalize(raw_dir, out, progress=False)
    collection = out / "records.jsonl"
    original = collection.read_bytes()
    collection.unlink()
    normalize(raw_dir, out, progress=False)
    assert collection.read_bytes() == original
    collection.write_bytes(original[: len(original) // 2])
    normalize(raw_dir, out, progress=False)
    assert collection.read_bytes() == original


def test_a_damaged_index_costs_only_a_rerun_of_the_pages(raw_dir, tmp_path):
    out = tmp_path / "normalized"
    normalize(raw_dir, out, progress=False)
    before = output_files(out)
    index = out / ".index.jsonl"
    lines = index.read_bytes().splitlines(keepends=True)
    index.write_bytes(lines[0] + b"{not json\n" + b"".join(lines[2:]))
    summary = normalize(raw_dir, out, progress=False)
    assert (summary.written, summary.unchanged, summary.skipped) == (0, 3, 2)
    assert output_files(out) == before


def test_the_index_of_earlier_versions_is_replaced(raw_dir, tmp_path):
    out = tmp_path / "normalized"
    out.mkdir()
    (out / ".index.json").write_text('{"wilson/petrov-letter.txt": {"key": "0"}}')
    normalize(raw_dir, out, progress=False)
    assert not (out / ".index.json").exists()
    assert len((out / ".index.jsonl").read_text().splitlines()) == 1 + 3


def test_a_page_rewritten_with_its_old_modification_time_is_made_again(raw_dir, tmp_path):
    import os

    out = tmp_path / "normalized"
    normalize(raw_dir, out, progress=False)
    page = raw_dir / "wilson" / "petrov-letter.txt"
    before = page.stat()
    page.write_bytes(page.read_bytes().replace(b"March 3, 1962", b"March 9, 1962"))     # same size
    os.utime(page, ns=(before.st_atime_ns, before.st_mtime_ns))
    summary = normalize(raw_dir, out, progress=False)
    assert summary.written == 1
    assert json.loads((out / "wilson" / "petrov-letter.json").read_text())["date"]["edtf"] == "1962-03-09"


def test_a_first_run_leaves_hashing_to_the_workers_and_keys_as_the_driver_would(raw_dir, tmp_path, monkeypatch):
    import pipeline.runner as runner

    page_key = runner.page_key
    monkeypatch.setattr(runner, "page_key", lambda *args: pytest.fail("the driver hashed a page it never saw"))
    out = tmp_path / "normalized"
    normalize(raw_dir, out, progress=False)
    entries = [json.loads(line) for line in (out / ".index.jsonl").read_text().splitlines()[1:]]
    page = raw_dir / "wilson" / "petrov-letter.txt"
    shown = page.resolve().relative_to(raw_dir.resolve().parent).as_posix()
    expected = page_key(raw_dir, page, shown)
    assert next(e["key"] for e in entries if e["page"] == "wilson/petrov-letter.txt") == expected


def test_records_jsonl_lines_are_the_record_files_in_one_line_each(raw_dir, tmp_path):
    from pipeline.write import dumps_line

    out = tmp_path / "normalized"
    normalize(raw_dir, out, progress=False)           # lines as the workers made them
    first = (out / "records.jsonl").read_bytes()
    files = sorted(out.glob("*/*.json"), key=lambda p: json.loads(p.read_bytes())["id"])
    assert first == b"".join(dumps_line(json.loads(p.read_bytes())) for p in files)
    (out / "records.jsonl").unlink()
    normalize(raw_dir, out, progress=False)           # lines read back from the record files
    assert (out / "records.jsonl").read_bytes() == first


class _FakeLibc:
    def __init__(self):
        self.calls = []

    def mallopt(self, parameter, value):
        self.calls.append((parameter, value))
        return 1


def test_the_normalize_command_holds_glibcs_mmap_threshold(raw_dir, tmp_path, monkeypatch):
    libc = _FakeLibc()
    monkeypatch.setattr(cli.ctypes, "CDLL", lambda name: libc)
    assert main(["normalize", "--raw-dir", str(raw_dir), "--out-dir", str(tmp_path / "out")]) == 0
    assert libc.calls == [(-3, 128 * 1024)]     # M_MMAP_THRESHOLD, glibc's starting value


@pytest.mark.parametrize("error", [OSError, AttributeError, TypeError])
def test_without_mallopt_the_normalize_command_runs_as_it_is(raw_dir, tmp_path, monkeypatch, error):
    def no_libc(name):
        raise error("no such C library")

    monkeypatch.setattr(cli.ctypes, "CDLL", no_libc)
    assert main(["normalize", "--raw-dir", str(raw_dir), "--out-dir", str(tmp_path / "out")]) == 0
