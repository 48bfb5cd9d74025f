"""Wilson Center Digital Archive (digitalarchive.wilsoncenter.org and its mirrors).

Page anatomy, in reading order: header date, title, optional credit line, the document body, the
summary, pills (Author(s), Associated People & Organizations, Places, Topics), then "Document
Information" with Source / Original Archive / Rights / Original Uploaded Date / Type / Language /
Record ID / Original Classification. The pre-2022 layouts put a "Citation" widget (summary and a
quoted citation "Title," Date, History and Public Policy Program Digital Archive, ...) before the body.
"""

from __future__ import annotations

import re
from copy import deepcopy
from dataclasses import replace
from urllib.parse import urlsplit

from lxml.html import Element, HtmlElement

from pipeline.clean.html import (
    TextBlock,
    content_blocks,
    download_links,
    finish,
    in_page_chrome,
    inline_text,
    main_content,
    prepare_page,
    refuse_non_document,
    strip_chrome,
    text_blocks,
)
from pipeline.clean.html import paragraphs as html_paragraphs
from pipeline.clean.selectors import PageIndex
from pipeline.clean.text import (
    Line,
    group_paragraphs,
    has_blank_line_structure,
    label_of,
    line_block,
    split_lines,
)
from pipeline.extract.dates import is_date_line
from pipeline.models import Block, CleanDoc, RawPage
from pipeline.sites import generic

NAME = "wilson"
HOSTS = (
    "digitalarchive.wilsoncenter.org",
    "wilsoncenter.org",
    "wilson-center-digital-archive.dvincitest.com",
    "wilson-center.drivingcreative.com",
)
TEXT_MARKERS = (
    re.compile(r"History and Public Policy Program"),
    re.compile(r"^Digital Archive International History Declassified", re.M),
    re.compile(r"^Associated (Places|Topics|People & Organizations)$", re.M),
)
HTML_MARKERS = (
    re.compile(r"digitalarchive\.wilsoncenter\.org"),
    re.compile(r"History and Public Policy Program"),
)

# Metadata labels as the page prints them -> block kind. "_section" opens unlabelled end matter.
END_LABELS = {
    "author(s)": "authors",
    "authors": "authors",
    "author": "authors",
    "associated people & organizations": "people",
    "associated people and organizations": "people",
    "associated places": "places",
    "associated topics": "topics",
    "subjects discussed": "topics",
    "document information": "_section",
    "related documents": "_related",
    "source": "citation",
    "original archive": "original_archive",
    "rights": "rights",
    "original uploaded date": "uploaded_date",
    "type": "type_label",
    "language": "language",
    "languages": "language",
    "record id": "record_id",
    "original classification": "classification",
    "donor": "donor",
    "donors": "donor",
    "donor(s)": "donor",
}
# Labels that only ever open the end matter; the others may also be words of a document.
OPENING_LABELS = {"authors", "people", "places", "topics", "_section", "_related"}
PILL_KINDS = {"authors", "people", "places", "topics"}
# Values a label must look like to be taken (a funder's name after an empty "Record ID" is not an id).
VALUE_SHAPES = {
    "record_id": re.compile(r"^[\w./-]*\d[\w./-]*$"),
    "uploaded_date": re.compile(r"^\d{4}-\d{2}-\d{2}|^[A-Z][a-z]+ \d{1,2}, \d{4}$"),
    "language": re.compile(r"^[A-Z][a-z]+( [A-Z][a-z]+)?(, [A-Z][a-z]+( [A-Z][a-z]+)?)*$"),
    "type_label": re.compile(r"^[A-Z][A-Za-z ]{1,40}$"),
    "classification": re.compile(r"^[A-Z][A-Za-z ;,/-]{1,60}$"),
}

CHROME = (
    re.compile(r"^skip to (main )?content$", re.I),
    re.compile(r"^search in$", re.I),
    re.compile(r"^digital archive\b.*\bdeclassified$", re.I),
    re.compile(r"^((citation|share|download|print|email)\s*)+-?$", re.I),
    re.compile(r"^(get citation|share document|view document in|-\s*download)$", re.I),
    re.compile(r"^[A-Z][a-z]+ (HTML|PDF|Transcript|Translation)$"),
    re.compile(r"^(original scan|transcript|translation|original language)$", re.I),
    re.compile(r"^\d[\d,]*\s*[-–]\s*\d[\d,]*\s+of\s+\d[\d,]*$"),
)
# A header line shaped like a date is the page's date even when the date itself is impossible.
DATE_SHAPED = re.compile(r"^(\[?[A-Z][a-z]+\.? (\d{1,2}, )?\d{3,4}|\d{1,2} [A-Z][a-z]+ \d{3,4})\]?$")
_BULLET = re.compile(r"^[•·▪◦*]\s*")
# The old citation widget glued the page's own address and its share button to the citation.
CITATION_WIDGET_TAIL = re.compile(r"(\s+https?://\S+)?(\s*-\s*Share)?\s*$", re.I)
CREDIT = re.compile(r"^This document was made possible with support from\b", re.I)
RIGHTS = re.compile(
    r"welcomes reuse|rights holders?|rights status|copyright|permission (to|for)|all rights reserved", re.I
)
QUOTED_CITATION = re.compile(
    r"^[\"“](?P<title>.+?),?[\"”],?\s+(?:(?P<date>[^\"”]*?\d{4}),\s*)?(?:History and Public Policy Program )?"
    r"Digital Archive\b"
)


def local_id(url: str) -> str | None:
    """The document's slug or number: /document/<id>, ignoring '.pdf' variants and query strings."""
    path = urlsplit(url).path.rstrip("/")
    match = re.search(r"/document/([^/]+)$", path)
    if not match:
        return None
    return re.sub(r"\.(pdf|ris|html?)$", "", match.group(1), flags=re.I) or None


def _is_chrome(line: Line) -> bool:
    text = _BULLET.sub("", line.text)
    return any(p.search(text) for p in CHROME)


def _find_end_matter(lines: list[Line], start: int) -> int:
    """Index of the first line of the metadata tail, or len(lines) when the page has none."""
    for index in range(start, len(lines)):
        if label_of(lines[index].text, END_LABELS) in OPENING_LABELS:
            return index
    for index in range(start, len(lines)):
        kind = label_of(lines[index].text, END_LABELS)
        if kind in {"uploaded_date", "record_id", "original_archive"} or RIGHTS.search(lines[index].text):
            return index
    return len(lines)


def _end_matter_blocks(lines: list[Line]) -> list[Block]:
    """Split the metadata tail into labelled blocks; values that do not fit their label are dropped."""
    sections: list[tuple[str, list[Line]]] = []
    for line in lines:
        kind = label_of(line.text, END_LABELS)
        if kind:
            sections.append((kind, []))
        elif RIGHTS.search(line.text):
            if sections and sections[-1][0] == "rights":
                sections[-1][1].append(line)
            else:
                sections.append(("rights", [line]))
        elif CREDIT.search(line.text):
            sections.append(("credit", [line]))
        elif sections:
            sections[-1][1].append(line)
    blocks: list[Block] = []
    for kind, values in sections:
        if not values or kind == "_related":
            continue
        if kind == "_section":
            kind = "citation"
        if kind in PILL_KINDS:
            blocks.append(line_block(kind, values, [v.text for v in values]))
        elif kind in VALUE_SHAPES:
            if VALUE_SHAPES[kind].match(values[0].text):
                blocks.append(line_block(kind, values[:1]))
        elif kind in ("citation", "rights"):
            blocks.append(Block(kind, "\n\n".join(v.text for v in values), f"line:{values[0].number}"))
        else:
            blocks.append(line_block(kind, values))
    return _merge_duplicates(blocks)


def _merge_duplicates(blocks: list[Block]) -> list[Block]:
    seen: set[tuple[str, str]] = set()
    unique = []
    for block in blocks:
        if (block.kind, block.text) not in seen:
            seen.add((block.kind, block.text))
            unique.append(block)
    return unique


def _looks_like_summary(line: Line) -> bool:
    words = line.text.split()
    return len(words) >= 5 and not is_date_line(line.text) and line.text[-1] in ".!?\")”'"


def clean_text(text: str, page: RawPage) -> CleanDoc:
    lines = [line for line in split_lines(text) if not _is_chrome(line)]
    blank_separated = has_blank_line_structure(lines)
    blocks: list[Block] = []
    warnings: list[str] = []

    end = _find_end_matter(lines, 0)
    has_end_matter = end < len(lines)
    tail = _end_matter_blocks(lines[end:])
    lines = lines[:end]

    # The old layouts' citation widget: a quoted citation, with the summary just before it.
    quoted_title = None
    for index, line in enumerate(lines[:12]):
        match = QUOTED_CITATION.match(line.text)
        if not match:
            continue
        quoted_title = match.group("title").strip()
        blocks.append(Block("citation", CITATION_WIDGET_TAIL.sub("", line.text), f"line:{line.number}"))
        if match.group("date"):
            blocks.append(Block("date", match.group("date").strip(), f"line:{line.number}:citation"))
        removed = [index]
        previous = lines[index - 1] if index else None
        if previous and previous.indent and _looks_like_summary(previous):
            blocks.append(Block("summary", previous.text, f"line:{previous.number}"))
            removed.append(index - 1)
        lines = [line for i, line in enumerate(lines) if i not in removed]
        break

    position = 0
    header_date = None
    if lines and (is_date_line(lines[0].text) or DATE_SHAPED.match(lines[0].text)):
        header_date = lines[0].text
        blocks.insert(0, Block("date", header_date, f"line:{lines[0].number}"))
        position = 1

    title = None
    if quoted_title:
        title = quoted_title
        blocks.append(Block("title", quoted_title, "citation:quoted-title"))
        for index in range(position, min(position + 8, len(lines))):
            if lines[index].text.casefold() == quoted_title.casefold():
                del lines[index]
                break
        if position < len(lines) and lines[position].text.casefold() == quoted_title.casefold():
            del lines[position]
    elif position < len(lines):
        candidate = lines[position]
        if candidate.text.isupper():
            for index in range(position + 1, min(position + 12, len(lines))):
                if lines[index].text.casefold() == candidate.text.casefold():
                    candidate = lines[index]
                    del lines[position : index + 1]
                    break
            else:
                del lines[position]
        else:
            del lines[position]
        title = candidate.text
        blocks.append(Block("title", title, f"line:{candidate.number}"))

    while position < len(lines) and CREDIT.search(lines[position].text):
        blocks.append(Block("credit", lines[position].text, f"line:{lines[position].number}"))
        del lines[position]
    if title and position < len(lines) and lines[position].text.casefold() == title.casefold():
        del lines[position]

    body = lines[position:]
    if has_end_matter and body and _looks_like_summary(body[-1]) and not any(b.kind == "summary" for b in blocks):
        summary = body.pop()
        blocks.append(Block("summary", summary.text, f"line:{summary.number}"))
    if header_date and body and body[-1].text == header_date:
        body.pop()
    body = [line for line in body if not CREDIT.search(line.text)]

    blocks.extend(tail)
    if not body:
        warnings.append("no document text found on the page")
    return CleanDoc(
        site=NAME,
        profile=f"{NAME}:text",
        paragraphs=group_paragraphs(body, blank_separated),
        blocks=blocks,
        warnings=warnings,
    )


# ---------------------------------------------------------------------------------------------------------
# HTML path. Current layout (2022-): header date, title and credit line, tabs whose active pane holds the
# body, then summary, pill sections and "Document Information" blocks. Legacy layout (before 2022):
# "Citation" widget before the body, metadata as h4 + value, subjects list, PDF links.

CURRENT_TITLE = "h1.title"
CURRENT_DATE = ".date"
CURRENT_CREDIT = ".donated"
CURRENT_SUMMARY = ".text-block"
CURRENT_PANES = ".tab-pane, [role=tabpanel]"
CURRENT_TAB_LABELS = "[role=tab], .nav-tabs a, .nav-tabs button, .nav-link"
CURRENT_PILL_SECTION = ".pill-block"
CURRENT_PILL_TITLE = "h3.title"
CURRENT_PILL_ITEM = ".pill .name span"
CURRENT_INFO_SECTION = ".information-block"
CURRENT_INFO_LABEL = "h3.sub-title"
CURRENT_INFO_VALUE = ".text"
LEGACY_INFO_LABEL = ".doc-inf-information h4"
LEGACY_INFO_SECTION = ".doc-inf-information"
LEGACY_SUBJECT_LIST = "#subj-list"
LEGACY_SUBJECTS = "#subj-list li"
LEGACY_SEARCH_ROWS = ".search-res li"
LEGACY_MARKERS = (".doc-inf-information", "#subj-list", "a.down")
CURRENT_MARKERS = (CURRENT_TITLE, CURRENT_INFO_SECTION, CURRENT_PILL_SECTION, ".tab-pane")
DOWNLOADS = (
    'a.down[href*=".pdf"]', 'a[href$=".pdf"]', 'a[href*=".pdf?"]', "a[download]", "a.download",
    'iframe[src*=".pdf"]', 'embed[src*=".pdf"]', 'object[data*=".pdf"]',
)
TAB_TARGET_ATTRIBUTES = ("aria-controls", "data-bs-target", "data-target", "href")
# Tab labels -> preference for the document body: the English text first, never the scan.
TAB_PREFERENCES = (
    (re.compile(r"\b(original )?scan\b|\bpdf\b|\bimages?\b|facsimile", re.I), None),
    (re.compile(r"\btranslation\b", re.I), 3.0),
    (re.compile(r"\benglish\b", re.I), 2.0),
    (re.compile(r"^transcript(ion)?$", re.I), 1.5),
    (re.compile(r"\btranscript(ion)?\b", re.I), 1.0),
)
HTML_RULES = replace(
    generic.HTML_RULES,
    chrome_selectors=generic.HTML_CHROME_SELECTORS + (
        ".nav-tabs", ".share-document", ".get-citation", ".document-tools", ".search-in", "#search-form",
        ".view-document-in",
    ),
    chrome_lines=generic.CHROME + CHROME,
    keep_hidden=(CURRENT_PANES,),
    drop_page_regions_first=True,     # what the profile reads is in the document's part of the page
    listing_selectors=(LEGACY_SEARCH_ROWS, ".search-results .result", ".search-result-item"),
)
HTML_LABELS = {**generic.LABELS, **END_LABELS}


def clean_html(html: str, page: RawPage, encoded: bytes | None = None) -> CleanDoc:
    """``encoded``: the markup in UTF-8, when the caller has it."""
    root, index = prepare_page(html, HTML_RULES, encoded)
    if index.any_selected(LEGACY_MARKERS):
        return _clean_legacy(root, page, index)
    if index.any_selected(CURRENT_MARKERS):
        return _clean_current(root, page, index)
    return generic.clean_by_density(root, NAME, HTML_RULES, HTML_LABELS, f"{NAME}:html-generic", index)


def _first_text(index: PageIndex, css: str) -> tuple[HtmlElement | None, str]:
    element = next((e for e in index.select(css) if not in_page_chrome(e)), None)
    return element, inline_text(element)


def _clean_current(root: HtmlElement, page: RawPage, index: PageIndex) -> CleanDoc:
    blocks: list[Block] = []
    for kind, css in (("date", CURRENT_DATE), ("title", CURRENT_TITLE), ("credit", CURRENT_CREDIT)):
        element, text = _first_text(index, css)
        if text:
            blocks.append(Block(kind, text, f"css:{css}"))
    summary, summary_text = _first_text(index, CURRENT_SUMMARY)
    tail = _pill_blocks(index) + _information_blocks(index)
    downloads = download_links(root, DOWNLOADS, page.url, index)

    pane = _body_pane(index)
    strip_chrome(root, HTML_RULES, protect=[pane] if pane is not None else [], index=index)
    refuse_non_document(root, HTML_RULES, pane, index)
    warnings: list[str] = []
    body: list[str] = []
    if pane is None:
        warnings.append("no transcript or translation tab on the page")
    else:
        body = [b.text for b in text_blocks(pane)]
    _trim_repeats(body, blocks)
    if summary_text:
        blocks.append(Block("summary", "\n\n".join(html_paragraphs(summary)), f"css:{CURRENT_SUMMARY}"))
    blocks.extend(tail)
    if downloads:
        blocks.append(Block("download", "\n".join(downloads), "css:download-links", tuple(downloads)))
    return finish(NAME, f"{NAME}:html", body, blocks, HTML_RULES, warnings)


def _body_pane(index: PageIndex) -> HtmlElement | None:
    """The tab pane with the English text: translation, else English transcript, else a transcript."""
    panes = index.select(CURRENT_PANES)
    labels: dict[str, str] = {}
    for tab in index.select(CURRENT_TAB_LABELS):
        target = next((tab.get(a) for a in TAB_TARGET_ATTRIBUTES if tab.get(a)), None)
        if target:
            labels[target.lstrip("#")] = inline_text(tab)
    best, best_score = None, 0.0
    for pane in panes:
        if not any(text.strip() for text in pane.itertext()):     # text_content(pane).strip(), stopping early
            continue
        label = labels.get(pane.get("id", ""), "") or pane.get("aria-label", "")
        score = _tab_score(label)
        if score is None:
            continue
        if "active" in pane.get("class", "").split():
            score += 0.25
        if score > best_score:
            best, best_score = pane, score
    return best


def _tab_score(label: str) -> float | None:
    for pattern, score in TAB_PREFERENCES:
        if pattern.search(label):
            return score
    return 0.5


def _trim_repeats(body: list[str], blocks: list[Block]) -> None:
    """The title repeated at the top of the text and the header date repeated at its end are not text."""
    title = next((b.text for b in blocks if b.kind == "title"), None)
    date = next((b.text for b in blocks if b.kind == "date"), None)
    if title and body and body[0].casefold() == title.casefold():
        body.pop(0)
    if date and body and body[-1] == date:
        body.pop()


def _pill_blocks(index: PageIndex) -> list[Block]:
    blocks = []
    for section in index.select(CURRENT_PILL_SECTION):
        kind = label_of(inline_text(index.select_first(CURRENT_PILL_TITLE, section)), END_LABELS)
        items = [t for t in (inline_text(e) for e in index.select(CURRENT_PILL_ITEM, section)) if t]
        if kind in PILL_KINDS and items:
            blocks.append(Block(kind, "\n".join(items), f"css:{CURRENT_PILL_SECTION}", tuple(items)))
    return blocks


def _information_blocks(index: PageIndex) -> list[Block]:
    """Each sub-title labels the .text value that follows it (one pair per block, or several)."""
    blocks = []
    # Selected once for the page: each section's walk meets only its own.
    labels, values = set(index.select(CURRENT_INFO_LABEL)), set(index.select(CURRENT_INFO_VALUE))
    for section in index.select(CURRENT_INFO_SECTION):
        label = None
        for element in section.iter():
            if element in labels:
                label = inline_text(element)
            elif label and element in values:
                blocks.extend(_labelled_value(label, element, f"css:{CURRENT_INFO_SECTION}:{label}"))
                label = None
    return blocks


def _legacy_information(index: PageIndex) -> list[Block]:
    """Legacy metadata: each h4 labels the text and elements that follow it up to the next h4."""
    blocks = []
    for heading in index.select(LEGACY_INFO_LABEL):
        value = Element("div")
        value.text = heading.tail
        sibling = heading.getnext()
        while sibling is not None and sibling.tag != heading.tag:
            value.append(deepcopy(sibling))
            sibling = sibling.getnext()
        label = inline_text(heading)
        blocks.extend(_labelled_value(label, value, f"css:{LEGACY_INFO_LABEL}:{label}"))
    return blocks


def _clean_legacy(root: HtmlElement, page: RawPage, index: PageIndex) -> CleanDoc:
    tail = _legacy_information(index)
    subjects = [t for t in (inline_text(e) for e in index.select(LEGACY_SUBJECTS)) if t]
    if subjects and not any(b.kind == "topics" for b in tail):
        tail.append(Block("topics", "\n".join(subjects), f"css:{LEGACY_SUBJECTS}", tuple(subjects)))
    downloads = download_links(root, DOWNLOADS, page.url, index)
    for css in (LEGACY_INFO_SECTION, LEGACY_SUBJECT_LIST):
        for element in index.select(css):
            heading = element.getprevious()
            if heading is not None and label_of(inline_text(heading), END_LABELS):
                heading.drop_tree()
            element.drop_tree()
    strip_chrome(root, HTML_RULES, index=index)
    content = main_content(root)
    refuse_non_document(root, HTML_RULES, content, index)
    body = [b.text for b in content_blocks(text_blocks(content))]
    header = _legacy_header(text_blocks(root), body[0] if body else None)
    taken = {b.text for b in header}
    body = [p for p in body[:8] if p not in taken] + body[8:]
    date = next((b.text for b in header if b.kind == "date"), None)
    if date and body and body[-1] == date:
        body.pop()
    # The "Source" value is the citation proper; the widget's quoted citation comes after it.
    blocks = [b for b in header if b.kind != "citation"] + tail + [b for b in header if b.kind == "citation"]
    if downloads:
        blocks.append(Block("download", "\n".join(downloads), "css:download-links", tuple(downloads)))
    return finish(NAME, f"{NAME}:legacy-html", body, blocks, HTML_RULES)


def _legacy_header(page: list[TextBlock], first_text: str | None) -> list[Block]:
    """Title, header date, credit and the citation widget (summary + quoted citation) around the page's h1.

    Read from the whole page, as the content container may hold the text alone: the title is the h1
    closest above the text (or the first in it), the widget and date lines follow it.
    """
    texts = [b.text for b in page]
    text_at = texts.index(first_text) if first_text in texts else len(texts)
    headings = [i for i, b in enumerate(page) if b.tag == "h1"]
    above = [i for i in headings if i <= text_at]
    title_at = above[-1] if above else (headings[0] if headings else None)
    start = title_at if title_at is not None else 0
    window = texts[start: start + 12]
    title = texts[title_at] if title_at is not None else None
    date = next((p for p in window[:6] if "\n" not in p and is_date_line(p)), None)
    date_origin = "css:legacy-date"
    summary = citation = None
    for index, paragraph in enumerate(window):
        match = QUOTED_CITATION.match(paragraph)
        if not match:
            continue
        citation = paragraph
        if not date and match.group("date"):
            date, date_origin = match.group("date").strip(), "citation:quoted-date"
        title = title or match.group("title").strip()
        previous = window[index - 1] if index else None
        if previous and previous != title and _looks_like_summary(Line(0, previous, 1, 0)):
            summary = previous
        break
    credits = [p for p in window[:8] if CREDIT.search(p)]
    found = (
        ("date", date, date_origin),
        ("title", title, "css:h1" if title_at is not None else "citation:quoted-title"),
        *(("credit", c, "css:legacy-credit") for c in credits),
        ("summary", summary, "css:legacy-summary"),
        ("citation", citation, "css:legacy-citation"),
    )
    return [Block(kind, text, origin) for kind, text, origin in found if text]


def _labelled_value(label: str, value: HtmlElement, origin: str) -> list[Block]:
    """A block for a labelled value, shaped like the text path's: items, paragraphs or lines."""
    kind = label_of(label, HTML_LABELS)
    if not kind or kind.startswith("_"):
        return []
    if kind in PILL_KINDS:
        items = generic.value_items(value)
        return [Block(kind, "\n".join(items), origin, tuple(items))] if items else []
    paragraphs = html_paragraphs(value)
    separator = "\n\n" if kind in ("citation", "rights") else "\n"
    return [Block(kind, separator.join(paragraphs), origin)] if paragraphs else []
