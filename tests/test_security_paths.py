"""File names built from URLs and ids never escape raw/ or normalized/, whatever the URL or id holds:
parent steps, absolute paths, NUL, overlong names, Windows-reserved names, case-folding collisions."""

import json
import os
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.rawpages import check_page
from pipeline.runner import normalize
from pipeline.storage import MAX_NAME, inside, safe_name
from pipeline.validate import validate_dir
from pipeline.write import record_path
from tests.conftest import write_page

HOSTILE_NAMES = [
    "../../etc/passwd", "..\\..\\windows\\system32", "/etc/passwd", "C:\\Windows\\win.ini", "\\\\server\\share",
    "..", ".", "...", "", " ", ".hidden", "a/../../b", "a\x00b", "\x00", "x" * 10_000, "é" * 300,
    "CON", "con", "con.txt", "Con.Json", "NUL", "nul.tar.gz", "AUX", "PRN", "COM1", "com9.log", "LPT1", "lpt²",
    "CONIN$", "clock$", "name.", "name ", "-rf", "%2e%2e%2f%2e%2e%2fetc", "..%2F..%2Fetc%2Fpasswd",
    "\u202eexe.txt", "a\nb", "a:b", "a*b?c", "Doc", "doc", "DOC", "straße", "strasse", "ﬁle", "file",
    "e\u0301t\u00e9", "\u00e9t\u00e9", "\udcff", "😀",
]
SAFE_CHARACTERS = re.compile(r"^[a-z0-9_][a-z0-9._-]*$")
WINDOWS_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$", re.I)


def assert_safe(name: str) -> None:
    assert SAFE_CHARACTERS.match(name), name           # no separator, no NUL, no dot file, lowercase ASCII
    assert len(name) <= MAX_NAME
    assert not WINDOWS_RESERVED.match(name), name      # Windows reads "con.txt-1a2b" as the console too
    assert not WINDOWS_RESERVED.match(name + ".json"), name


@pytest.mark.parametrize("value", HOSTILE_NAMES, ids=repr)
def test_safe_name_gives_a_plain_file_name(value, tmp_path):
    name = safe_name(value)
    assert_safe(name)
    assert (tmp_path / name).resolve().parent == tmp_path.resolve()
    assert safe_name(name) == name                     # ids pass through it twice: id, then file name


def test_distinct_inputs_give_distinct_names_even_on_case_folding_file_systems():
    names = [safe_name(value) for value in HOSTILE_NAMES]
    assert len({name.casefold() for name in names}) == len(set(HOSTILE_NAMES))


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.text(), st.text())
def test_safe_name_holds_for_any_text(first, second):
    assert_safe(safe_name(first))
    assert safe_name(safe_name(first)) == safe_name(first)
    if first != second:
        assert safe_name(first) != safe_name(second)


@pytest.mark.parametrize("relative", ["../escape", "a/../../escape", "/etc/passwd", "//etc/passwd", "..", "a/" * 50
                                      + "../" * 51 + "escape"])
def test_inside_refuses_paths_that_leave_the_root(relative, tmp_path):
    with pytest.raises(ValueError):
        inside(tmp_path, relative)


def test_inside_refuses_nul_and_links_that_leave_the_root(tmp_path):
    with pytest.raises(ValueError):
        inside(tmp_path, "a\x00b")
    (tmp_path / "root").mkdir()
    (tmp_path / "root" / "out").symlink_to(tmp_path)
    with pytest.raises(ValueError):
        inside(tmp_path / "root", "out/file.json")
    assert inside(tmp_path, "a/./b/../c.json") == tmp_path.resolve() / "a" / "c.json"


@pytest.mark.parametrize("record_id", [
    "wilson:../../etc/passwd", "../../x:y", "/abs:/etc/passwd", ":", "wilson:", "wilson", "wilson:a\x00b",
    "wilson:" + "x" * 1000, "wilson:CON", "wilson:con.json", "..:..", "wilson:a/b/c", "c:\\windows:x",
], ids=repr)
def test_record_paths_stay_two_levels_inside_the_output(record_id, tmp_path):
    path = record_path(tmp_path, record_id)
    assert path.parent.parent == tmp_path.resolve()
    assert_safe(path.parent.name)
    assert_safe(path.name.removesuffix(".json"))


def test_ids_differing_only_in_case_get_different_files(tmp_path):
    paths = {record_path(tmp_path, f"wilson:{local}") for local in ("Doc-1", "doc-1", "DOC-1")}
    assert len({str(p).casefold() for p in paths}) == 3


def test_a_page_linking_out_of_raw_is_not_read(tmp_path):
    (tmp_path / "raw").mkdir()
    (tmp_path / "secret.txt").write_text("not for the pipeline")
    (tmp_path / "raw" / "page.txt").symlink_to(tmp_path / "secret.txt")
    with pytest.raises(Exception, match="outside the raw directory"):
        check_page(tmp_path / "raw", tmp_path / "raw" / "page.txt")


WILSON = "https://digitalarchive.wilsoncenter.org/document/"
HOSTILE_URLS = {
    "parent-steps.txt": WILSON + "..%2F..%2F..%2Fetc%2Fpasswd",
    "dots.txt": WILSON + "%2e%2e",
    "backslashes.txt": "https://history.state.gov/historicaldocuments/frus1958/..%5C..%5Cwindows",
    "reserved.txt": WILSON + "CON",
    "reserved-ext.txt": WILSON + "con.txt",
    "overlong.txt": WILSON + "a" * 600,
    "nul.txt": WILSON + "a%00b",
    "case-upper.txt": WILSON + "Doc-7",
    "case-lower.txt": WILSON + "doc-7",
    "unicode.txt": WILSON + "%C3%A9t%C3%A9-1958",
    "file-scheme.txt": "file:///etc/passwd",
    "no-host.txt": "https:///document/5",
    "bad-ipv6.txt": "https://[::1/document/6",
    "javascript.txt": "javascript:alert(document.cookie)",
    "credentials.txt": "https://archivist:hunter2@digitalarchive.wilsoncenter.org/document/8",
}


def test_normalize_of_pages_with_hostile_sidecar_urls_writes_only_inside_its_output(tmp_path):
    raw, out = tmp_path / "raw", tmp_path / "normalized"
    for number, (name, url) in enumerate(HOSTILE_URLS.items()):
        write_page(raw, f"wilson/{name}", f"A letter, number {number}\n\n3 March 1962\n\nDear Sir,\n\n"
                   f"The shipment {number} arrived.\n\nYours sincerely,\nI. Petrov\n", url=url)
    outside_before = sorted(p for p in tmp_path.parent.rglob("*") if tmp_path not in p.parents and p != tmp_path)

    summary = normalize(raw, out, progress=False)

    assert (summary.pages, summary.records, summary.failed) == (len(HOSTILE_URLS), len(HOSTILE_URLS), 0)
    written = [p for p in out.rglob("*") if p.is_file()]
    assert all(out.resolve() in p.resolve().parents for p in written)
    assert sorted(p for p in tmp_path.parent.rglob("*") if tmp_path not in p.parents and p != tmp_path) \
        == outside_before
    records = [json.loads(line) for line in (out / "records.jsonl").read_text().splitlines()]
    assert len({r["id"] for r in records}) == len(HOSTILE_URLS)
    for record in records:
        path = record_path(out, record["id"])
        assert path.is_file() and path.parent.parent == out.resolve()
        assert_safe(path.name.removesuffix(".json"))
        assert "hunter2" not in json.dumps(record)
    assert validate_dir(out, raw_root=tmp_path) == (len(HOSTILE_URLS), [])
    by_page = {r["source"]["raw_path"].removeprefix("raw/wilson/"): r for r in records}
    assert by_page["file-scheme.txt"]["source"]["url"] is None
    assert by_page["credentials.txt"]["source"]["url"] == WILSON + "8"
    assert "credentials removed from the sidecar url" in by_page["credentials.txt"]["provenance"]["warnings"]


def test_a_link_inside_the_output_directory_is_never_written_through(tmp_path):
    raw, out, elsewhere = tmp_path / "raw", tmp_path / "normalized", tmp_path / "elsewhere"
    write_page(raw, "wilson/letter.txt", "A letter\n\n3 March 1962\n\nThe shipment arrived.\n")
    write_page(raw, "generic/memo.txt", "A memo\n\n4 March 1962\n\nThe shipment was counted.\n")
    elsewhere.mkdir()
    (elsewhere / "precious.json").write_text("{}")
    out.mkdir()
    os.symlink(elsewhere, out / "generic")

    summary = normalize(raw, out, progress=False)

    assert [p.name for p in elsewhere.iterdir()] == ["precious.json"]
    assert (elsewhere / "precious.json").read_text() == "{}"
    assert (summary.written, summary.failed) == (1, 1)
    assert summary.errors[0]["page"] == "generic/memo.txt" and summary.errors[0]["stage"] == "write"
    assert "escapes" in summary.errors[0]["message"]
