"""Normalize through fsspec: raw pages and output behind URLs (memory://, and local files opened as URLs)
give the records a local run gives, reruns rewrite nothing, and writes are atomic and idempotent."""

import json
import uuid
from pathlib import Path

import pytest

import pipeline.runner as runner
from pipeline.cli import EXIT_USAGE, main
from pipeline.executors import LocalExecutor
from pipeline.fsio import StorageUnavailableError, UrlDir, is_url, open_dir
from pipeline.rawpages import MAX_PAGE_BYTES
from pipeline.runner import normalize
from tests.outputs import comparable, output_files
from tests.test_executors import build_corpus

fsspec = pytest.importorskip("fsspec", reason="the dask extra (fsspec) is not installed")

PAGES = 20


@pytest.fixture
def memory():
    """A bucket of its own in fsspec's in-process memory file system, removed after the test."""
    fs = fsspec.filesystem("memory")
    bucket = f"/test-{uuid.uuid4().hex[:8]}"
    yield fs, bucket
    if fs.exists(bucket):
        fs.rm(bucket, recursive=True)


@pytest.fixture
def pages(tmp_path):
    build_corpus(tmp_path / "raw", PAGES)
    return tmp_path / "raw"


def upload(fs, local: Path, target: str) -> None:
    for path in sorted(local.rglob("*")):
        if path.is_file():
            fs.pipe_file(f"{target}/{path.relative_to(local).as_posix()}", path.read_bytes())


def local_files(out: Path) -> dict[str, bytes]:
    return output_files(out)


def memory_files(fs, root: str) -> dict[str, bytes]:
    return {path.removeprefix(root + "/"): comparable(path, fs.cat_file(path)) for path in fs.find(root)}


def test_memory_urls_give_the_records_of_a_local_run(pages, tmp_path, memory):
    fs, bucket = memory
    upload(fs, pages, f"{bucket}/raw")
    local = normalize(pages, tmp_path / "normalized", progress=False)
    remote = normalize(f"memory://{bucket}/raw", f"memory://{bucket}/normalized", progress=False)
    assert (remote.pages, remote.written, remote.failed) == (local.pages, local.written, local.failed) \
        == (PAGES, PAGES - PAGES // 10, PAGES // 10)
    expected = local_files(tmp_path / "normalized")
    got = memory_files(fs, f"{bucket}/normalized")
    assert got.keys() == expected.keys()
    for name in expected:
        if name != ".index.jsonl":        # keys of pages behind a URL come from the listing, not the bytes
            assert got[name] == expected[name], name
    assert json.loads(got["records.jsonl"].splitlines()[0])["source"]["raw_path"].startswith("raw/")


def test_a_rerun_over_memory_rewrites_nothing(pages, memory):
    fs, bucket = memory
    upload(fs, pages, f"{bucket}/raw")
    normalize(f"memory://{bucket}/raw", f"memory://{bucket}/out", progress=False)
    before = {path: info["created"] for path, info in fs.find(f"{bucket}/out", detail=True).items()}
    summary = normalize(f"memory://{bucket}/raw", f"memory://{bucket}/out", progress=False)
    after = {path: info["created"] for path, info in fs.find(f"{bucket}/out", detail=True).items()}
    assert (summary.written, summary.unchanged) == (0, PAGES - PAGES // 10)
    assert after == before


def test_changed_and_removed_pages_over_memory(pages, memory):
    fs, bucket = memory
    upload(fs, pages, f"{bucket}/raw")
    raw, out = f"memory://{bucket}/raw", f"memory://{bucket}/out"
    normalize(raw, out, progress=False)
    letter = f"{bucket}/raw/wilson/letter-000.txt"
    fs.pipe_file(letter, fs.cat_file(letter).replace(b"March 1, 1950", b"March 2, 1950"))
    fs.rm(f"{bucket}/raw/generic/memo-002.html")
    summary = normalize(raw, out, progress=False)
    assert (summary.pages, summary.written, summary.removed) == (PAGES - 1, 1, 1)
    record = json.loads(fs.cat_file(f"{bucket}/out/wilson/letter-000.json"))
    assert record["date"]["edtf"] == "1950-03-02"
    assert not fs.exists(f"{bucket}/out/generic/memo-002.json")
    manifest = json.loads(fs.cat_file(f"{bucket}/out/manifest.json"))
    assert manifest["records"] == PAGES - PAGES // 10 - 1


def test_a_run_killed_before_publishing_is_resumed_over_memory(pages, memory, monkeypatch):
    fs, bucket = memory
    upload(fs, pages, f"{bucket}/raw")
    raw, out = f"memory://{bucket}/raw", f"memory://{bucket}/out"
    with monkeypatch.context() as patch:
        patch.setattr(runner, "_publish", lambda *args: None)        # the run dies before it publishes
        normalize(raw, out, progress=False)
    assert len(fs.find(f"{bucket}/out/.staging")) == PAGES
    summary = normalize(raw, out, progress=False)
    assert (summary.resumed, summary.written) == (PAGES, PAGES - PAGES // 10)
    assert not fs.exists(f"{bucket}/out/.staging")


def test_local_pages_into_a_memory_output_and_back(pages, tmp_path, memory):
    fs, bucket = memory
    normalize(pages, f"memory://{bucket}/out", progress=False, display_root=tmp_path)
    normalize(pages, tmp_path / "out", progress=False, display_root=tmp_path)
    remote = memory_files(fs, f"{bucket}/out")
    assert remote == local_files(tmp_path / "out")          # same pages, same keys: even the index agrees


def test_an_oversized_page_behind_a_url_is_refused_unread(memory):
    fs, bucket = memory
    fs.pipe_file(f"{bucket}/raw/generic/huge.html", b"<html>" + b" " * MAX_PAGE_BYTES + b"</html>")
    summary = normalize(f"memory://{bucket}/raw", f"memory://{bucket}/out", progress=False)
    [entry] = summary.errors
    assert (entry["page"], entry["stage"], entry["error"]) == ("generic/huge.html", "read", "PageTooLargeError")


def test_a_missing_raw_location_or_backend_is_a_usage_error(tmp_path, memory, caplog):
    fs, bucket = memory
    out = str(tmp_path / "out")
    assert main(["normalize", "--raw-dir", f"memory://{bucket}/nothing", "--out-dir", out]) == EXIT_USAGE
    assert "raw directory not found" in caplog.text
    assert main(["normalize", "--raw-dir", "nosuchscheme://bucket/raw", "--out-dir", out]) == EXIT_USAGE
    assert "Protocol not known" in caplog.text
    with pytest.raises(StorageUnavailableError):
        open_dir("nosuchscheme://bucket/raw")


def test_file_urls_stay_on_the_local_path():
    assert not is_url("file:///srv/raw") and not is_url("/srv/raw") and not is_url("raw")
    assert is_url("s3://bucket/raw") and is_url("memory://bucket/raw")
    assert type(open_dir("file:///srv/raw")).__name__ == "LocalDir"


def test_writes_on_a_posix_backend_go_through_a_temp_file_and_skip_same_bytes(tmp_path):
    directory = UrlDir(f"local://{tmp_path}")        # fsspec's local file system: no single-object put
    assert not directory.single_put
    assert directory.write("site/a.json", b"one") is True
    mtime = (tmp_path / "site" / "a.json").stat().st_mtime_ns
    assert directory.write("site/a.json", b"one") is False
    assert (tmp_path / "site" / "a.json").stat().st_mtime_ns == mtime
    assert directory.write_chunks("all.jsonl", iter([b"a\n", b"b\n"])) is True
    assert directory.write_chunks("all.jsonl", iter([b"a\n", b"b\n"])) is False
    assert (tmp_path / "all.jsonl").read_bytes() == b"a\nb\n"
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == ["a.json", "all.jsonl"]


def test_object_store_writes_are_single_puts_and_skip_same_bytes(memory):
    fs, bucket = memory
    directory = UrlDir(f"memory://{bucket}")
    assert directory.single_put
    assert directory.write("site/a.json", b"one") is True
    created = fs.info(f"{bucket}/site/a.json")["created"]
    assert directory.write("site/a.json", b"one") is False
    assert fs.info(f"{bucket}/site/a.json")["created"] == created
    assert directory.write_chunks("all.jsonl", iter([b"a\n"])) is True
    assert directory.write_chunks("all.jsonl", iter([b"a\n"])) is False
    assert sorted(fs.find(bucket)) == [f"{bucket}/all.jsonl", f"{bucket}/site/a.json"]


def test_memory_pages_are_refused_to_executors_outside_this_process(pages, memory):
    fs, bucket = memory
    upload(fs, pages, f"{bucket}/raw")
    with pytest.raises(StorageUnavailableError, match="lives in this process only"):
        normalize(f"memory://{bucket}/raw", f"memory://{bucket}/out", progress=False, executor=LocalExecutor(2))
    assert not fs.exists(f"{bucket}/out/manifest.json")
