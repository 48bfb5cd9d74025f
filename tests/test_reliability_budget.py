"""A page that hangs, hits a bug or yields an invalid record costs that page only: it gets a precise
errors.jsonl entry naming the stage it stopped in, and the run goes on with the others."""

import json
import time

import pytest

import pipeline.runner as runner
from pipeline.runner import normalize
from tests.conftest import write_page

LETTER = "A letter, number {n}\n\n3 March 1962\n\nDear Sir,\n\nShipment {n} arrived.\n\nI. Petrov\n"


@pytest.fixture
def raw(tmp_path):
    for n in range(3):
        write_page(tmp_path / "raw", f"wilson/letter-{n}.txt", LETTER.format(n=n))
    return tmp_path / "raw"


def failing_on(page_number: int, stage_function, failure):
    """stage_function, except that it calls failure() for the page letter-<page_number>."""
    def stage(doc_or_page, *rest):
        page = rest[0] if rest else doc_or_page
        if page.path.endswith(f"letter-{page_number}.txt"):
            return failure(doc_or_page, *rest)
        return stage_function(doc_or_page, *rest)
    return stage


def errors_of(out):
    return [json.loads(line) for line in (out / "errors.jsonl").read_text().splitlines()]


def test_a_page_over_its_time_budget_fails_alone(raw, tmp_path, monkeypatch):
    monkeypatch.setattr(runner, "clean", failing_on(1, runner.clean, lambda page: time.sleep(60)))
    summary = normalize(raw, tmp_path / "out", budget=0.2, progress=False)
    assert (summary.written, summary.failed) == (2, 1)
    [entry] = errors_of(tmp_path / "out")
    assert (entry["page"], entry["stage"], entry["error"]) == ("wilson/letter-1.txt", "clean", "PageTimeout")
    assert "0.2 s budget" in entry["message"]


def test_a_bug_in_a_stage_fails_the_page_not_the_run(raw, tmp_path, monkeypatch):
    def bug(doc, page):
        return {}["missing"]
    monkeypatch.setattr(runner, "extract", failing_on(2, runner.extract, bug))
    summary = normalize(raw, tmp_path / "out", progress=False)
    assert (summary.written, summary.failed) == (2, 1)
    [entry] = errors_of(tmp_path / "out")
    assert (entry["page"], entry["stage"], entry["error"]) == ("wilson/letter-2.txt", "extract", "KeyError")


def test_an_invalid_record_is_never_written(raw, tmp_path, monkeypatch):
    extract = runner.extract

    def invalid(doc, page):
        record = extract(doc, page)
        record.doc_type = "banana"
        return record
    monkeypatch.setattr(runner, "extract", failing_on(0, extract, invalid))
    summary = normalize(raw, tmp_path / "out", progress=False)
    assert (summary.written, summary.failed) == (2, 1)
    [entry] = errors_of(tmp_path / "out")
    assert (entry["page"], entry["stage"], entry["error"]) == ("wilson/letter-0.txt", "validate", "InvalidRecordError")
    assert "doc_type" in entry["message"]
    assert not (tmp_path / "out" / "wilson" / "letter-0.json").exists()


def test_a_timed_out_page_staged_by_a_killed_run_is_tried_again(raw, tmp_path, monkeypatch):
    out = tmp_path / "out"
    original = runner.clean
    monkeypatch.setattr(runner, "clean", failing_on(1, original, lambda page: time.sleep(60)))
    monkeypatch.setattr(runner, "_publish", lambda *args: None)       # the run dies before it publishes
    normalize(raw, out, budget=0.2, progress=False)
    monkeypatch.undo()
    summary = normalize(raw, out, progress=False)
    assert (summary.resumed, summary.written, summary.failed) == (2, 3, 0)
