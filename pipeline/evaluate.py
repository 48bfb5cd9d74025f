"""Scores extraction against a gold-annotated corpus (<id>.txt or <id>.html beside <id>.json).

The corpus is read in place from the path given; nothing of it is copied. Scoring follows the corpus
README: exact title/summary/citation after collapsing white space, EDTF equality for dates, per-document
F1 for senders and recipients (a gold party is found when its surname, or an organization's main words,
appear in a predicted party), set equality for translators, and for the body: chrome lines leaked and
token F1 against the gold body. Pages cut short by the scrape are scored on summary, citation and
translators only where the gold has them.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.clean import clean
from pipeline.extract.record import extract
from pipeline.models import PipelineError, RawPage
from pipeline.sites import profile_by_name

_WS = re.compile(r"\s+")
_TOKEN = re.compile(r"\w+")
_ORG_STOPWORDS = {"the", "of", "and", "for", "in", "to", "a", "an", "on"}
FIELDS = ("title", "date", "doc_type", "senders", "recipients", "summary", "citation", "translators", "body_f1")


def collapse(text: str | None) -> str | None:
    return _WS.sub(" ", text).strip() if isinstance(text, str) else None


def _party_keys(party: dict[str, Any]) -> list[str]:
    """What must appear in a predicted party for a gold party to count as found."""
    name = party.get("name")
    if name:
        return [re.sub(r"[^\w-]", "", name.split()[-1]).casefold()]
    org = party.get("org") or party.get("role") or ""
    return [w.casefold() for w in _TOKEN.findall(org) if w.casefold() not in _ORG_STOPWORDS]


def _party_text(party: dict[str, Any]) -> str:
    return " ".join(str(party.get(k) or "") for k in ("name", "role", "org")).casefold()


def _found(gold: dict[str, Any], predicted: list[dict[str, Any]]) -> bool:
    keys = _party_keys(gold)
    return bool(keys) and any(all(k in _TOKEN.findall(_party_text(p)) or k in _party_text(p) for k in keys)
                              for p in predicted)


def party_f1(gold: list[dict[str, Any]], predicted: list[dict[str, Any]]) -> float:
    if not gold and not predicted:
        return 1.0
    if not gold or not predicted:
        return 0.0
    recall = sum(_found(g, predicted) for g in gold) / len(gold)
    precision = sum(any(_found(g, [p]) for g in gold) for p in predicted) / len(predicted)
    return 0.0 if recall + precision == 0 else 2 * precision * recall / (precision + recall)


def token_f1(gold: str, predicted: str) -> float:
    gold_tokens = Counter(t.casefold() for t in _TOKEN.findall(gold))
    predicted_tokens = Counter(t.casefold() for t in _TOKEN.findall(predicted))
    if not gold_tokens and not predicted_tokens:
        return 1.0
    overlap = sum((gold_tokens & predicted_tokens).values())
    if not overlap:
        return 0.0
    precision = overlap / sum(predicted_tokens.values())
    recall = overlap / sum(gold_tokens.values())
    return 2 * precision * recall / (precision + recall)


def leaked_chrome(chrome: list[str], body: str) -> list[str]:
    body_lines = {collapse(line) for line in body.split("\n")}
    return [line for line in chrome if collapse(line) and collapse(line) in body_lines]


@dataclass
class DocScore:
    id: str
    scores: dict[str, float] = field(default_factory=dict)
    leaked: list[str] = field(default_factory=list)
    mismatches: dict[str, dict[str, Any]] = field(default_factory=dict)


def score_document(gold: dict[str, Any], record: dict[str, Any]) -> DocScore:
    result = DocScore(gold["id"])
    complete = gold.get("complete", True)

    def exact(field: str, gold_value: Any, predicted: Any) -> None:
        result.scores[field] = float(gold_value == predicted)
        if gold_value != predicted:
            result.mismatches[field] = {"gold": gold_value, "predicted": predicted}

    exact("title", collapse(gold.get("title")), collapse(record.get("title")))
    exact("date", gold.get("date"), (record.get("date") or {}).get("edtf"))
    exact("doc_type", gold.get("doc_type"), record.get("doc_type"))
    for side in ("senders", "recipients"):
        value = party_f1(gold.get(side) or [], record.get(side) or [])
        result.scores[side] = value
        if value < 1:
            result.mismatches[side] = {"gold": gold.get(side), "predicted": record.get(side)}
    citation = record.get("citation") or {}
    predicted = {
        "summary": collapse(record.get("summary")),
        "citation": collapse(citation.get("text")),
        "translators": sorted(citation.get("translators") or []),
    }
    golden = {
        "summary": collapse(gold.get("summary")),
        "citation": collapse(gold.get("citation")),
        "translators": sorted(gold.get("translators") or []),
    }
    for field_name in ("summary", "citation", "translators"):
        if complete or golden[field_name]:
            exact(field_name, golden[field_name], predicted[field_name])
    body = record.get("body") or ""
    result.leaked = leaked_chrome(gold.get("chrome") or [], body)
    result.scores["body_f1"] = token_f1(gold.get("body") or "", body)
    if result.scores["body_f1"] < 0.98:
        result.mismatches["body_f1"] = {"score": round(result.scores["body_f1"], 4)}
    return result


def corpus_pages(corpus: Path) -> list[tuple[Path, Path]]:
    pages = []
    for gold in sorted(Path(corpus).rglob("*.json")):
        for suffix in (".txt", ".html"):
            page = gold.with_suffix(suffix)
            if page.exists():
                pages.append((page, gold))
    return pages


def run_page(page_path: Path, corpus: Path) -> dict[str, Any]:
    data = page_path.read_bytes()
    folder = page_path.parent.name
    page = RawPage(
        path=page_path.relative_to(corpus).as_posix(),
        data=data,
        media_type="text/html" if page_path.suffix == ".html" else "text/plain",
        sha256=hashlib.sha256(data).hexdigest(),
        site=folder if profile_by_name(folder) else None,
        local_id=page_path.stem,
    )
    return extract(clean(page), page).to_dict()


def evaluate(corpus: Path) -> dict[str, Any]:
    corpus = Path(corpus)
    documents: list[DocScore] = []
    failures: dict[str, str] = {}
    groups: dict[str, list[DocScore]] = {}
    for page_path, gold_path in corpus_pages(corpus):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        try:
            record = run_page(page_path, corpus)
        except PipelineError as error:
            failures[gold.get("id", page_path.stem)] = f"{type(error).__name__}: {error}"
            record = {}
        score = score_document(gold, record)
        documents.append(score)
        groups.setdefault(gold.get("site") or page_path.parent.name, []).append(score)
    report = {
        "corpus": str(corpus),
        "documents": len(documents),
        "failures": failures,
        "overall": _aggregate(documents),
        "by_site": {site: _aggregate(scores) for site, scores in sorted(groups.items())},
        "details": {
            d.id: {"mismatches": d.mismatches, "leaked_chrome": d.leaked} for d in documents
            if d.mismatches or d.leaked
        },
    }
    return report


def _aggregate(documents: list[DocScore]) -> dict[str, Any]:
    table: dict[str, Any] = {}
    for name in FIELDS:
        values = [d.scores[name] for d in documents if name in d.scores]
        table[name] = {"n": len(values), "score": round(sum(values) / len(values), 4) if values else None}
    table["chrome_leaked"] = sum(len(d.leaked) for d in documents)
    return table


def format_table(report: dict[str, Any]) -> str:
    columns = ["overall", *report["by_site"]]
    tables = [report["overall"], *report["by_site"].values()]
    lines = [f"{'field':<14}" + "".join(f"{c:>16}" for c in columns)]
    for name in FIELDS:
        cells = []
        for table in tables:
            entry = table[name]
            cells.append("-" if entry["score"] is None else f"{entry['score'] * 100:6.1f}% (n={entry['n']})")
        lines.append(f"{name:<14}" + "".join(f"{c:>16}" for c in cells))
    lines.append(f"{'chrome_leaked':<14}" + "".join(f"{t['chrome_leaked']:>16}" for t in tables))
    lines.append(f"documents: {report['documents']}, failed: {len(report['failures'])}")
    return "\n".join(lines)
