"""Benchmark corpus: N invented document pages in the site layouts the pipeline supports, with sidecars.

``python -m bench.generate --pages 2000 --seed 1958`` writes
``bench/.cache/pages-2000-1958/raw/<site>/<id>.html`` plus ``<id>.meta.json`` sidecars, as the fetch stage
stores pages. The same pages and seed always give
the same bytes; a finished directory is reused until the generator's own code changes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import shutil
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench.documents import Document, frus_document, slug, wilson_document
from bench.layouts import (
    FRUS_MENU,
    WILSON_MENU,
    WILSON_ORIGIN,
    SiteChrome,
    frus_page,
    wilson_current,
    wilson_legacy,
)
from bench.textgen import TextGen

BENCH_DIR = Path(__file__).resolve().parent
CACHE_DIR = BENCH_DIR / ".cache"
MARKER = "corpus.json"
DEFAULT_PAGES = 2000
DEFAULT_SEED = 1958
# Share of each layout in the corpus: mostly the current Wilson site, as a harvest of it would be.
LAYOUT_WEIGHTS = {"wilson-current": 55, "wilson-legacy": 10, "wilson-wayback": 5, "frus-tei": 30}
_SOURCES = ("textgen.py", "documents.py", "layouts.py", "generate.py")


@dataclass(frozen=True)
class Corpus:
    root: Path  # the cache directory; records' raw paths are relative to it
    raw_dir: Path  # root/raw: what `normalize` reads
    info: dict

    @property
    def pages(self) -> int:
        return self.info["pages"]


def generator_fingerprint() -> str:
    digest = hashlib.sha256()
    for name in _SOURCES:
        digest.update((BENCH_DIR / name).read_bytes())
    return digest.hexdigest()[:16]


def default_dir(pages: int, seed: int) -> Path:
    return CACHE_DIR / f"pages-{pages}-{seed}"


class _Ids:
    """Unique local ids across the corpus, as the sites guarantee them."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def claim(self, wanted: str, rng: random.Random, numeric: bool) -> str:
        candidate, suffix = wanted, 0
        while candidate in self.used:
            if numeric:
                candidate = str(rng.randint(100000, 999999))
            else:
                suffix += 1
                candidate = f"{wanted}-{suffix}"
        self.used.add(candidate)
        return candidate


def _wilson(index: int, rng: random.Random, layout: str, ids: _Ids) -> Document:
    doc = wilson_document(TextGen(rng), index, layout)
    numeric = rng.random() < 0.4
    wanted = str(rng.randint(100000, 999999)) if numeric else slug(doc.title)
    doc.local_id = ids.claim(wanted, rng, numeric)
    doc.url = f"{WILSON_ORIGIN}/document/{doc.local_id}"
    if numeric:
        doc.record_id = doc.local_id
    return doc


def _frus(index: int, rng: random.Random, ids: _Ids) -> Document:
    year = rng.randint(1914, 1980)
    if year >= 1952:
        volume = f"frus{year}-{(year + 2) % 100:02d}v{rng.randint(1, 30):02d}"
    else:
        volume = rng.choice((f"frus{year}", f"frus{year}v{rng.randint(1, 9):02d}", f"frus{year}Supp"))
    number = rng.randint(1, 500)
    while f"{volume}_d{number}" in ids.used:
        number = rng.randint(1, 999)
    ids.used.add(f"{volume}_d{number}")
    return frus_document(TextGen(rng), index, volume, number)


def render_page(
    index: int, seed: int, ids: _Ids, chromes: dict[str, SiteChrome], wayback: str
) -> tuple[Document, str]:
    """The index-th page of a corpus: its own RNG, so one page's content never shifts another's."""
    rng = random.Random(f"{seed}:{index}")
    layout = rng.choices(tuple(LAYOUT_WEIGHTS), tuple(LAYOUT_WEIGHTS.values()))[0]
    if layout == "frus-tei":
        doc = _frus(index, rng, ids)
        return doc, frus_page(doc, chromes[layout], rng)
    doc = _wilson(index, rng, layout, ids)
    if layout == "wilson-current":
        return doc, wilson_current(doc, chromes[layout], rng)
    if layout == "wilson-wayback":
        return doc, wilson_legacy(doc, chromes[layout], rng, wayback=wayback)
    return doc, wilson_legacy(doc, chromes[layout], rng)


def _chromes(seed: int, wayback: str) -> dict[str, SiteChrome]:
    def same(path: str) -> str:
        return path

    def captured(path: str) -> str:
        return f"/web/{wayback}/{WILSON_ORIGIN}{path}"

    return {
        "wilson-current": SiteChrome.build(seed, "wilson-current", WILSON_MENU, same),
        "wilson-legacy": SiteChrome.build(seed, "wilson-legacy", WILSON_MENU, same),
        "wilson-wayback": SiteChrome.build(seed, "wilson-legacy", WILSON_MENU, captured),
        "frus-tei": SiteChrome.build(seed, "frus", FRUS_MENU, same),
    }


def _sidecar(doc: Document, data: bytes, rng: random.Random, wayback: str) -> dict:
    url = f"https://web.archive.org/web/{wayback}/{doc.url}" if doc.layout == "wilson-wayback" else doc.url
    return {
        "url": url,
        "retrieved_at": f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T"
        f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}Z",
        "sha256": hashlib.sha256(data).hexdigest(),
        "charset": "utf-8",
        "media_type": "text/html",
        "site": doc.site,
    }


def generate(out: Path, pages: int, seed: int) -> dict:
    """Write the corpus into `out` (replacing it): built in a sibling directory, then moved into place."""
    started = time.monotonic()
    out = Path(out)
    building = out.with_name(out.name + ".partial")
    shutil.rmtree(building, ignore_errors=True)
    capture = random.Random(f"wayback-{seed}")
    wayback = f"2016{capture.randint(1, 12):02d}{capture.randint(1, 28):02d}083015"
    chromes = _chromes(seed, wayback)
    ids = _Ids()
    layouts: Counter[str] = Counter()
    layout_of: dict[str, str] = {}
    total = 0
    for index in range(pages):
        doc, page = render_page(index, seed, ids, chromes, wayback)
        data = page.encode("utf-8")
        folder = building / "raw" / doc.site
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{doc.local_id}.html").write_bytes(data)
        sidecar = _sidecar(doc, data, random.Random(f"{seed}:{index}:sidecar"), wayback)
        (folder / f"{doc.local_id}.meta.json").write_text(
            json.dumps(sidecar, indent=2) + "\n", encoding="utf-8"
        )
        layouts[doc.layout] += 1
        layout_of[f"{doc.site}/{doc.local_id}.html"] = doc.layout
        total += len(data)
    info = {
        "pages": pages,
        "seed": seed,
        "generator": generator_fingerprint(),
        "bytes": total,
        "layouts": dict(sorted(layouts.items())),
        "seconds": round(time.monotonic() - started, 1),
        "layout_of": layout_of,
    }
    (building / MARKER).write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    shutil.rmtree(out, ignore_errors=True)
    building.rename(out)
    return info


def ensure_corpus(
    pages: int = DEFAULT_PAGES,
    seed: int = DEFAULT_SEED,
    out: Path | None = None,
    log: Callable[[str], None] = print,
) -> Corpus:
    """The corpus for (pages, seed), generated unless a finished one by the same generator is there."""
    root = Path(out) if out else default_dir(pages, seed)
    try:
        info = json.loads((root / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        info = None
    wanted = {"pages": pages, "seed": seed, "generator": generator_fingerprint()}
    if not info or any(info.get(key) != value for key, value in wanted.items()):
        log(f"generating {pages} pages (seed {seed}) into {root} ...")
        info = generate(root, pages, seed)
        log(f"  {info['bytes'] / 1e6:.1f} MB in {info['seconds']} s")
    return Corpus(root=root, raw_dir=root / "raw", info=info)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--pages", type=int, default=DEFAULT_PAGES, help=f"pages to write (default {DEFAULT_PAGES})"
    )
    parser.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})"
    )
    parser.add_argument("--out", type=Path, help="directory (default bench/.cache/pages-<N>-<seed>)")
    parser.add_argument(
        "--force", action="store_true", help="regenerate even when a finished corpus is there"
    )
    args = parser.parse_args(argv)
    if args.pages < 1:
        parser.error("--pages must be at least 1")
    if args.force:
        shutil.rmtree(args.out or default_dir(args.pages, args.seed), ignore_errors=True)
    corpus = ensure_corpus(args.pages, args.seed, args.out)
    info = corpus.info
    print(f"{info['pages']} pages, {info['bytes'] / 1e6:.1f} MB in {corpus.raw_dir}: {info['layouts']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
