"""Normalize runs killed with SIGKILL at random moments lose nothing and corrupt nothing.

After every kill the output directory validates (no half-written file, no temp file taken for a record,
every record published before still there byte for byte), the next uninterrupted run completes it with
output identical to a clean uninterrupted run, and the lock of a killed run never blocks the next one.
"""

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.cli import EXIT_LOCKED
from pipeline.runner import code_fingerprint
from pipeline.validate import validate_dir
from pipeline.write import PUBLISHING_MARKER, STAGING_DIR
from tests.conftest import ROOT, write_page
from tests.outputs import output_files

KILLS = 8
MAX_ROUNDS = 3 * KILLS
FIRST_PAGES = 150
PAGES_PER_ROUND = 50       # new pages before each run, so every run has work to be killed in
RUN_TIMEOUT = 120


def add_pages(raw: Path, start: int, count: int) -> None:
    """Pages of all three kinds, and a few that fail, numbered from start."""
    for n in range(start, start + count):
        kind = n % 10
        if kind == 9:
            write_page(raw, f"generic/empty-{n:04d}.html", b"")
        elif kind % 3 == 0:
            write_page(raw, f"wilson/letter-{n:04d}.txt", (
                f"March {n % 28 + 1}, 19{50 + n % 40}\n\nLetter from Minister Petrov to the Committee, number {n}\n\n"
                f"Dear Comrades,\n\nWe report that delivery {n} was completed on schedule.\n\n"
                f"With comradely greetings,\n(ss) I. Petrov\n\nDocument Information\n\nRecord ID\n\n{100000 + n}\n"))
        elif kind % 3 == 1:
            write_page(raw, f"frus/frus1921v01_d{n}.txt", (
                f"The Minister in Ruritania (Smith) to the Secretary of State\n[Telegram]\n"
                f"Strelsau, May {n % 28 + 1},\n1921, 4 p.m.\n{n}. The King received me and spoke of matter {n}.\n"
                "Smith\n"), url=f"https://history.state.gov/historicaldocuments/frus1921v01/d{n}")
        else:
            write_page(raw, f"generic/memo-{n:04d}.html", (
                f"<html><head><title>Memorandum {n}</title></head><body><main><h1>Memorandum number {n}</h1>"
                f"<time>{n % 28 + 1} May 1961</time><p>The delegation met for meeting {n} on harbour dues.</p>"
                "<p>Both sides agreed to report back within a week.</p></main></body></html>"))


def start_run(raw: Path, out: Path, workers: int = 1) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "pipeline", "normalize", "--raw-dir", str(raw), "--out-dir", str(out),
         "--workers", str(workers)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def run(raw: Path, out: Path, workers: int = 1) -> subprocess.CompletedProcess:
    process = start_run(raw, out, workers)
    stdout, stderr = process.communicate(timeout=RUN_TIMEOUT)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def published_records(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.glob("*/*.json")
            if not p.name.startswith(".") and not p.parent.name.startswith(".")}


def processes_using(out: Path) -> list[int]:
    """Processes (a killed run's workers, say) whose command line names this output directory."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if str(out).encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def wait_until(condition, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


def holds_lock(pid: int, out: Path) -> bool:
    """Whether process pid holds the flock on out/.lock, read from /proc/locks (never by trying the lock)."""
    try:
        inode = (out / ".lock").stat().st_ino
    except FileNotFoundError:
        return False
    for line in Path("/proc/locks").read_text().splitlines():
        fields = line.split()
        if "FLOCK" in fields and fields[fields.index("FLOCK") + 3] == str(pid) \
                and fields[fields.index("FLOCK") + 4].rsplit(":", 1)[-1] == str(inode):
            return True
    return False


def publishing_pid(out: Path) -> int | None:
    try:
        return json.loads((out / PUBLISHING_MARKER).read_bytes())["pid"]
    except (OSError, ValueError):
        return None


def staged_since(out: Path, since: float) -> int:
    count = 0
    for path in (out / STAGING_DIR).glob("*.json"):
        try:
            count += path.stat().st_mtime >= since
        except FileNotFoundError:
            continue
    return count


def phase_killed(pid: int, out: Path, since: float) -> str:
    """Where a killed run was: publishing (its marker is there), processing (it staged results), or starting."""
    if publishing_pid(out) == pid:
        return "publishing"
    return "processing" if staged_since(out, since) else "starting"


def reach_kill_moment(process: subprocess.Popen, out: Path, rng: random.Random, run_seconds: float) -> bool:
    """Wait for the moment chosen for this run's kill; False when the run ends first.

    The moment is a random time into the run, or a random point of its processing (after so many results)
    or of its publishing (a few milliseconds after its marker appears), so that every phase gets killed.
    """
    since = time.time()
    mode = rng.choice(["time", "processing", "publishing"])
    if mode == "time":
        try:
            process.wait(timeout=rng.uniform(0.3, 1.0) * run_seconds)
        except subprocess.TimeoutExpired:
            return True
        return False
    results = rng.randint(1, PAGES_PER_ROUND // 2)
    while process.poll() is None:
        if mode == "processing" and staged_since(out, since) >= results:
            return True
        if mode == "publishing" and publishing_pid(out) == process.pid:
            time.sleep(rng.uniform(0, 0.05))
            return process.poll() is None
        time.sleep(0.002)
    return False


def assert_intact(out: Path, root: Path, before: dict[str, bytes], note: str, same_code: bool) -> None:
    """What a kill may leave: a directory that validates, every record complete and none of them lost.

    Records stay byte for byte as they were unless the pipeline's code was edited meanwhile (a shared
    working tree), which rightly rebuilds them.
    """
    _, problems = validate_dir(out, raw_root=root)
    assert problems == [], note
    records = published_records(out)
    for data in records.values():
        json.loads(data)
    assert not [p for p in out.rglob("*.tmp") if not p.name.startswith(".")], note
    lost = [name for name, data in before.items() if name not in records or same_code and records[name] != data]
    assert lost == [], f"{note}: records lost or changed: {lost[:5]}"


needs_proc = pytest.mark.skipif(not Path("/proc/locks").exists(), reason="reads /proc to see locks and workers")


@needs_proc
def test_random_kills_lose_nothing_and_the_next_run_completes_the_work(tmp_path):
    code = code_fingerprint.__wrapped__()
    seed = int.from_bytes(os.urandom(4), "big")
    rng = random.Random(seed)
    raw, out = tmp_path / "raw", tmp_path / "normalized"
    add_pages(raw, 0, FIRST_PAGES)
    pages = FIRST_PAGES
    kills = []
    run_seconds = 2.0    # a first guess, replaced by the duration of every run that ends before its kill
    for round_number in range(MAX_ROUNDS):
        if len(kills) == KILLS:
            break
        add_pages(raw, pages, PAGES_PER_ROUND)
        pages += PAGES_PER_ROUND
        before = published_records(out) if out.exists() else {}
        workers = 1 + round_number % 2
        started, since = time.monotonic(), time.time()
        process = start_run(raw, out, workers)
        if reach_kill_moment(process, out, rng, run_seconds):
            process.send_signal(signal.SIGKILL)
            process.communicate()
            kills.append(phase_killed(process.pid, out, since))
        else:
            run_seconds = time.monotonic() - started
            _, stderr = process.communicate()
            assert process.returncode == 1, stderr      # the empty pages fail
        note = f"round {round_number} (seed {seed}, {workers} workers, kills {kills})"
        assert wait_until(lambda: not processes_using(out)), f"{note}: workers outlived their run"
        assert_intact(out, tmp_path, before, note, same_code=code_fingerprint.__wrapped__() == code)

    completed = run(raw, out)
    assert completed.returncode == 1, completed.stderr
    assert not (out / PUBLISHING_MARKER).exists() and not (out / STAGING_DIR).exists()
    reference = run(raw, tmp_path / "reference")
    if code_fingerprint.__wrapped__() != code:
        pytest.skip("the pipeline's code changed while the test ran: runs before and after cannot be compared")
    assert reference.returncode == 1, reference.stderr
    assert output_files(out) == output_files(tmp_path / "reference"), f"seed {seed}, kills {kills}"
    manifest = json.loads((out / "manifest.json").read_text())
    assert (manifest["pages"], manifest["failed"]) == (pages, pages // 10)
    assert len(kills) == KILLS, f"runs kept ending before their kill: {kills}"


@needs_proc
def test_a_second_run_on_the_same_directory_is_refused(tmp_path):
    raw, out = tmp_path / "raw", tmp_path / "normalized"
    add_pages(raw, 0, 60)
    first = start_run(raw, out)
    try:
        assert wait_until(lambda: holds_lock(first.pid, out))
        first.send_signal(signal.SIGSTOP)            # the first run holds the lock, frozen mid-way
        second = run(raw, out)
        assert second.returncode == EXIT_LOCKED
        assert f"another run is using {out}" in second.stderr
    finally:
        first.send_signal(signal.SIGCONT)
    first.communicate(timeout=RUN_TIMEOUT)
    assert first.returncode == 1                    # its empty pages fail; the refused run changed nothing
    assert validate_dir(out, raw_root=tmp_path)[1] == []


@needs_proc
@pytest.mark.parametrize("workers", [1, 2])
def test_a_lock_left_by_a_killed_run_never_blocks_the_next(tmp_path, workers):
    raw, out = tmp_path / "raw", tmp_path / "normalized"
    add_pages(raw, 0, 400)
    killed = start_run(raw, out, workers)
    assert wait_until(lambda: holds_lock(killed.pid, out) and staged_since(out, 0) > 0)
    killed.send_signal(signal.SIGKILL)               # only the run itself, as the OOM killer would
    killed.communicate()
    following = run(raw, out)                        # at once: its workers may still be exiting
    assert following.returncode == 1, following.stderr
    assert "resumed: " in following.stdout          # what the killed run had finished was not redone
    assert wait_until(lambda: not processes_using(out))
    assert validate_dir(out, raw_root=tmp_path)[1] == []
