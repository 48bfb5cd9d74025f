"""The run's ledger (pages, outcomes and the new index on disk), the executors' bounded task windows, and
the one flush that makes a publish durable."""

import itertools

import pytest

from pipeline.executors import CHUNKS_AHEAD, LocalExecutor
from pipeline.ledger import IndexEntry, Ledger


def entry(page: str, record_id: str, sha: str = "s") -> IndexEntry:
    return IndexEntry(page, "k-" + page, record_id, record_id.replace(":", "/") + ".json", sha)


@pytest.fixture
def ledger():
    with Ledger() as opened:
        yield opened


def test_pages_come_back_in_page_order_with_their_outcomes(ledger):
    for page in ("b.html", "a.html", "c.html"):
        ledger.add(page, "k-" + page, None, f"/raw/{page}", "todo")
    ledger.queue_todo()
    assert [page for page, _, _ in ledger.queued()] == ["a.html", "b.html", "c.html"]
    ledger.set_outcome("b.html", "failed", "k-b.html", error={"page": "b.html", "stage": "clean"})
    ledger.set_outcome("a.html", "done", "k-a.html", record_id="site:a")
    outcomes = {page: (state, record_id, error) for page, _, _, state, record_id, error in ledger.outcomes()}
    assert outcomes == {"a.html": ("done", "site:a", None), "b.html": ("failed", None, {"page": "b.html", "stage": "clean"}),
                        "c.html": ("todo", None, None)}


def test_paths_that_are_not_utf8_survive(ledger):
    path = b"/raw/caf\xe9.html".decode("utf-8", "surrogateescape")
    ledger.add("caf\\xe9.html", "k", None, path, "todo")
    ledger.queue_todo()
    assert [p for _, _, p in ledger.queued()] == [path]


def test_resumed_pages_leave_the_queue(ledger):
    for page in ("a", "b", "c"):
        ledger.add(page, "k", None, page, "todo")
    ledger.queue_todo()
    ledger.mark_resumed("b")
    assert ledger.drop_resumed() == 2
    assert [page for page, _, _ in ledger.queued()] == ["a", "c"]


def test_the_last_index_answers_keys_by_stamp(ledger):
    ledger.load_previous([IndexEntry("a", "key-a", "site:a", "site/a.json", "s", stamp="t1")])
    assert ledger.previous_key("a", "t1") == "key-a"
    assert ledger.previous_key("a", "t2") is None
    assert ledger.previous("a").file == "site/a.json"
    assert ledger.previous("b") is None


def test_record_ids_have_one_owner_and_the_index_comes_out_sorted(ledger):
    ledger.publish(entry("z.html", "site:1"))
    ledger.publish(entry("a.html", "site:2"))
    assert ledger.owner("site:1") == "z.html" and ledger.owner("site:3") is None
    assert [e.page for e in ledger.published()] == ["a.html", "z.html"]
    assert [e.id for e in ledger.published(order="id")] == ["site:1", "site:2"]
    assert ledger.published_by_site() == {"site": 2}
    assert ledger.is_published_file("site/1.json") and not ledger.is_published_file("site/3.json")


@pytest.mark.parametrize("change, same", [
    (lambda published: None, True),
    (lambda published: published.pop(), False),                                  # a record fewer
    (lambda published: published.append(entry("c.html", "site:3")), False),      # one more
    (lambda published: published.__setitem__(0, entry("a.html", "site:1", sha="other")), False),
])
def test_same_records_as_before(ledger, change, same):
    previous = [entry("a.html", "site:1"), entry("b.html", "site:2")]
    ledger.load_previous(previous)
    published = list(previous)
    change(published)
    for item in published:
        ledger.publish(item)
    assert ledger.same_records_as_before() is same


def test_index_entries_read_back_what_was_written():
    full = IndexEntry("a", "k", "site:a", "site/a.json", "s", stamp="t", file_stamp="f")
    assert IndexEntry.from_json(full.to_json()) == full
    bare = IndexEntry("a", "k", "site:a", "site/a.json", "s")
    assert IndexEntry.from_json(bare.to_json()) == bare
    assert IndexEntry.from_json({"page": "a", "key": 1}) is None
    assert IndexEntry.from_json(["a"]) is None


def square(value: int) -> int:
    return value * value


def test_the_local_pool_draws_tasks_only_as_workers_need_them():
    drawn = itertools.count()
    tasks = ((next(drawn),) for _ in range(10_000))
    results = LocalExecutor(2).map(square, tasks, total=10_000)
    first = next(results)
    in_flight = 2 * CHUNKS_AHEAD
    assert next(drawn) <= in_flight * 16 + 16       # chunks of at most 16 tasks, a window of chunks
    assert first in {n * n for n in range(10_000)}
    results.close()


def test_the_local_pool_returns_every_result():
    results = LocalExecutor(2).map(square, ((n,) for n in range(500)), total=500)
    assert sorted(results) == [n * n for n in range(500)]


def test_a_filesystem_flush_falls_back_to_sync_where_syncfs_is_missing(tmp_path, monkeypatch):
    import pipeline.storage as storage

    synced = []
    monkeypatch.setattr(storage.os, "sync", lambda: synced.append(True))
    storage.sync_filesystem(tmp_path)
    assert synced == ([] if storage._SYNCFS is not None else [True])
    monkeypatch.setattr(storage, "_SYNCFS", None)
    storage.sync_filesystem(tmp_path)
    assert synced[-1] is True
