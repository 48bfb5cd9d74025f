"""Building blocks for cleaning already-scraped page text.

Scraped text keeps the page's line structure: blank lines between blocks, indentation for nested
widgets. These helpers turn it into numbered lines, recognise chrome and metadata labels by rule
(the rules themselves are data in the site profiles), and group lines back into paragraphs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.models import Block

_WS = re.compile(r"[ \t]+")


@dataclass(frozen=True)
class Line:
    number: int        # 1-based line number in the scraped text
    text: str          # stripped, inner white space collapsed
    indent: int        # leading spaces before the text
    gap: int           # blank lines between this line and the previous non-blank one


def split_lines(text: str) -> list[Line]:
    """Non-blank lines with their position, indentation and the blank gap before them."""
    lines: list[Line] = []
    gap = 0
    for number, raw in enumerate(text.split("\n"), start=1):
        stripped = raw.strip()
        if not stripped:
            gap += 1
            continue
        indent = len(raw) - len(raw.lstrip(" \t"))
        lines.append(Line(number, _WS.sub(" ", stripped), indent, gap))
        gap = 0
    return lines


def has_blank_line_structure(lines: Sequence[Line]) -> bool:
    """Some scrapes separate blocks by blank lines; others put every block on its own line."""
    return sum(1 for line in lines[1:] if line.gap) >= max(2, len(lines) // 4)


def group_paragraphs(lines: Sequence[Line], blank_separated: bool) -> list[str]:
    """Consecutive lines form one paragraph where the scrape separates paragraphs by blank lines."""
    paragraphs: list[list[str]] = []
    for line in lines:
        if not paragraphs or not blank_separated or line.gap:
            paragraphs.append([line.text])
        else:
            paragraphs[-1].append(line.text)
    return ["\n".join(p) for p in paragraphs]


def label_of(text: str, labels: dict[str, str]) -> str | None:
    """The block kind a metadata label line names, or None when the line is not a label."""
    key = text.strip().rstrip(":").strip().casefold()
    return labels.get(key)


def line_block(kind: str, lines: Sequence[Line], items: Sequence[str] = ()) -> Block:
    origin = f"line:{lines[0].number}" if lines else "line:?"
    return Block(kind, "\n".join(line.text for line in lines), origin, tuple(items))
