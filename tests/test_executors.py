"""Normalize on each executor: in this process, a local process pool, and a real Dask LocalCluster of two
worker processes must give the same output byte for byte; a worker killed mid-run costs nothing."""

import functools
import importlib.util
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.cli import EXIT_USAGE, main
from pipeline.executors import DaskExecutor, LocalExecutor, make_executor, parse_scheduler
from pipeline.runner import code_fingerprint, normalize
from pipeline.write import OutputDir
from tests.conftest import ROOT, write_page
from tests.outputs import output_files

needs_distributed = pytest.mark.skipif(importlib.util.find_spec("distributed") is None,
                                       reason="the dask extra (distributed) is not installed")

PAGES = 40
WILSON = """March {day}, 19{year}

Letter from Minister Petrov to the Committee, number {n}

Dear Comrades,

We report that delivery {n} of the grain agreed in February was completed on schedule.

With comradely greetings,
(ss) I. Petrov

Document Information

Record ID

{record}
"""
FRUS = """The Minister in Ruritania (Smith) to the Secretary of State
[Telegram]
Strelsau, May {day},
1921, 4 p.m.
{n}. The King received me today and spoke at length of harbour matter {n}.
Smith
"""
MEMO = ("<html><head><title>Memorandum {n}</title></head><body><main><h1>Memorandum number {n}</h1>"
        "<time>{day} May 1961</time><p>The delegation met for meeting {n} on harbour dues and tariffs.</p>"
        "<p>Both sides agreed to report back within a week.</p></main></body></html>")


def build_corpus(raw: Path, pages: int = PAGES) -> None:
    """Invented pages of the three kinds, plus one that fails (empty) every tenth page."""
    for n in range(pages):
        day = n % 28 + 1
        if n % 10 == 9:
            write_page(raw, f"generic/empty-{n:03d}.html", b"")
        elif n % 3 == 0:
            write_page(raw, f"wilson/letter-{n:03d}.txt", WILSON.format(day=day, year=50 + n % 40, n=n,
                                                                         record=200000 + n))
        elif n % 3 == 1:
            write_page(raw, f"frus/frus1921v01_d{n}.txt", FRUS.format(day=day, n=n),
                       url=f"https://history.state.gov/historicaldocuments/frus1921v01/d{n}")
        else:
            write_page(raw, f"generic/memo-{n:03d}.html", MEMO.format(day=day, n=n))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("executors")
    build_corpus(root / "raw")
    normalize(root / "raw", root / "serial", progress=False)
    return root


@pytest.fixture(scope="module")
def cluster():
    """One LocalCluster (2 worker processes, one thread each) for the module: starting one takes seconds."""
    with DaskExecutor("local:2", check_code=code_fingerprint) as executor:
        yield executor


@needs_distributed
def test_the_three_executors_agree_byte_for_byte(corpus, cluster):
    reference = output_files(corpus / "serial")
    assert len([f for f in reference if f.count("/") == 1 and not f.startswith(".")]) == PAGES - PAGES // 10
    normalize(corpus / "raw", corpus / "pool", progress=False, executor=LocalExecutor(2))
    normalize(corpus / "raw", corpus / "dask", progress=False, executor=cluster)
    assert output_files(corpus / "pool") == reference
    assert output_files(corpus / "dask") == reference


@needs_distributed
def test_workers_read_pages_by_url_from_shared_storage(corpus, cluster, tmp_path):
    """local:// is an fsspec URL to this machine's disk: the workers open it themselves, as they would s3://."""
    summary = normalize(f"local://{corpus / 'raw'}", f"local://{tmp_path / 'out'}", progress=False,
                        executor=cluster)
    assert (summary.pages, summary.failed) == (PAGES, PAGES // 10)
    serial = output_files(corpus / "serial")
    assert output_files(tmp_path / "out").keys() == serial.keys()
    for name, data in output_files(tmp_path / "out").items():
        if name != ".index.jsonl":        # keys of pages behind a URL come from the listing, not the bytes
            assert data == serial[name], name


def slowed(function, *task):
    """A page that takes a little longer, so that a run lasts long enough to lose a worker in the middle."""
    time.sleep(0.05)
    return function(*task)


class KillingExecutor:
    """The cluster, with one of its worker processes SIGKILLed once some results have come back."""

    def __init__(self, inner: DaskExecutor, after: int):
        self.inner = inner
        self.after = after
        self.killed: int | None = None
        self.results_after_kill = 0

    def map(self, function, tasks, lost=None, total=None):
        pids = sorted(self.inner.worker_pids().values())
        for count, result in enumerate(self.inner.map(functools.partial(slowed, function), tasks, lost, total), start=1):
            if count == self.after:
                self.killed = pids[0]
                os.kill(self.killed, signal.SIGKILL)
            elif self.killed:
                self.results_after_kill += 1
            yield result


@needs_distributed
def test_a_worker_killed_mid_run_costs_nothing(corpus, cluster, monkeypatch):
    staged: list[str] = []
    stage = OutputDir.stage

    def counting_stage(self, page, key, result):
        staged.append(page)
        return stage(self, page, key, result)

    monkeypatch.setattr(OutputDir, "stage", counting_stage)
    executor = KillingExecutor(cluster, after=5)
    summary = normalize(corpus / "raw", corpus / "killed", progress=False, executor=executor)

    assert executor.killed and executor.results_after_kill > 0
    assert sorted(staged) == sorted(set(staged)) and len(staged) == PAGES     # every page exactly once
    assert (summary.pages, summary.written, summary.failed) == (PAGES, PAGES - PAGES // 10, PAGES // 10)
    assert output_files(corpus / "killed") == output_files(corpus / "serial")


def fails_on_memo_5(function, *task):
    if task[1].endswith("memo-005.html"):
        raise RuntimeError("worker lost")
    return function(*task)


class FailingExecutor:
    """The cluster, with a task that fails on one page whatever worker runs it."""

    def __init__(self, inner: DaskExecutor):
        self.inner = inner

    def map(self, function, tasks, lost=None, total=None):
        return self.inner.map(functools.partial(fails_on_memo_5, function), tasks, lost, total)


@needs_distributed
def test_a_page_whose_task_fails_costs_that_page_only(corpus, cluster, tmp_path):
    summary = normalize(corpus / "raw", tmp_path / "out", progress=False, executor=FailingExecutor(cluster))
    assert summary.failed == PAGES // 10 + 1
    entry = next(e for e in summary.errors if e["page"] == "generic/memo-005.html")
    assert (entry["stage"], entry["error"], entry["message"]) == ("process", "RuntimeError", "worker lost")
    serial = output_files(corpus / "serial")
    records = output_files(tmp_path / "out")
    assert {k for k in serial if k.count("/") == 1} - {k for k in records if k.count("/") == 1} \
        == {"generic/memo-005.json"}


@needs_distributed
def test_the_command_line_runs_on_a_scheduler_by_address(corpus, cluster, tmp_path, capsys):
    address = cluster.client.scheduler.address
    code = main(["normalize", "--raw-dir", str(corpus / "raw"), "--out-dir", str(tmp_path / "out"),
                 "--executor", "dask", "--scheduler", address])
    assert code == 1                                   # the empty pages fail
    assert f"pages read: {PAGES}" in capsys.readouterr().out
    assert output_files(tmp_path / "out") == output_files(corpus / "serial")


@needs_distributed
def test_a_budget_holds_in_a_worker_thread(corpus, cluster):
    """Dask runs tasks in threads, where SIGALRM cannot reach: the page budget still fails a hung page."""
    futures = cluster.client.submit(_process_hanging, str(corpus / "raw"), pure=False)
    result = futures.result(timeout=60)
    assert result["error"]["error"] == "PageTimeout"
    assert result["error"]["message"] == "page took longer than its 0.3 s budget"


def _process_hanging(raw: str) -> dict:
    import pipeline.runner as runner

    def hang(page):
        while True:                      # Python code: the budget's exception lands between two lines
            time.sleep(0.01)

    runner.clean, original = hang, runner.clean
    try:
        return runner.process_page(raw, f"{raw}/wilson/letter-000.txt", None, 0.3)
    finally:
        runner.clean = original


@pytest.mark.parametrize("arguments, message", [
    (["--executor", "dask"], "--executor dask needs --scheduler"),
    (["--scheduler", "local:2"], "--scheduler goes with --executor dask"),
    (["--executor", "dask", "--scheduler", "nowhere"], "--scheduler is local:N or a scheduler address"),
    (["--executor", "dask", "--scheduler", "local:2", "--workers", "3"], "--workers is for --executor local"),
])
def test_executor_usage_errors_exit_2(corpus, tmp_path, caplog, arguments, message):
    argv = ["normalize", "--raw-dir", str(corpus / "raw"), "--out-dir", str(tmp_path / "out"), *arguments]
    assert main(argv) == EXIT_USAGE
    assert message in caplog.text


def test_scheduler_addresses():
    assert parse_scheduler("local:4") == ("local", 4)
    assert parse_scheduler("tcp://10.0.0.5:8786") == ("tcp://10.0.0.5:8786", None)
    assert isinstance(make_executor("local", 3), LocalExecutor)


def run_python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_without_dask_the_dask_executor_says_how_to_install_it(corpus, tmp_path):
    completed = run_python(
        "import sys; sys.modules['distributed'] = None\n"          # as if the extra were not installed
        "from pipeline.cli import main\n"
        f"sys.exit(main(['normalize', '--raw-dir', {str(corpus / 'raw')!r}, '--out-dir', {str(tmp_path)!r},"
        " '--executor', 'dask', '--scheduler', 'local:2']))\n")
    assert completed.returncode == EXIT_USAGE
    assert "pip install 'archive-pipeline[dask]'" in completed.stderr


def test_the_local_executor_never_imports_dask_or_fsspec(corpus, tmp_path):
    completed = run_python(
        "import sys\n"
        "from pipeline.cli import main\n"
        f"code = main(['-q', 'normalize', '--raw-dir', {str(corpus / 'raw')!r}, '--out-dir', {str(tmp_path)!r},"
        " '--workers', '2'])\n"
        "loaded = sorted(m for m in ('dask', 'distributed', 'fsspec') if m in sys.modules)\n"
        "print(code, loaded)\n")
    assert completed.stdout.strip() == "1 []", completed.stderr
    assert json.loads((tmp_path / "manifest.json").read_text())["records"] == PAGES - PAGES // 10
