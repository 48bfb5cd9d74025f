"""Foreign Relations of the United States, as published by the Office of the Historian (history.state.gov).

Page anatomy: an optional file number line ("File No. 861.77/362", "795.00/6–2850: Telegram"), the
heading naming sender and recipient (modern volumes prefix the document number "132. " and glue a
footnote marker to its last word), type labels ("[Telegram]"), the dateline (place and date, split
over two lines in older volumes), "[Received ...]" stamps, handling markings ("confidential",
"niact"), the body with its signature, and numbered footnotes, the first of which is often the
source note ("Source: Department of State, Central Files, ...").
"""

from __future__ import annotations

import re
from dataclasses import replace
from urllib.parse import urlsplit

from lxml import etree
from lxml.html import HtmlElement

from pipeline.clean.html import (
    finish,
    inline_text,
    prepare_page,
    refuse_non_document,
    strip_chrome,
    text_blocks,
    text_content,
)
from pipeline.clean.html import paragraphs as html_paragraphs
from pipeline.clean.selectors import PageIndex
from pipeline.clean.text import Line, group_paragraphs, has_blank_line_structure, split_lines
from pipeline.extract.dates import parse_dateline
from pipeline.models import Block, CleanDoc, RawPage
from pipeline.sites import generic

NAME = "frus"
HOSTS = ("history.state.gov",)
TEXT_MARKERS = (
    re.compile(r"^\s+1\. Source: ", re.M),
    re.compile(r"^File No\. [\d.]+/", re.M),
    re.compile(r"^\d+\. (Memorandum|Telegram|Letter|Paper|Editorial Note|Backchannel)\b.*\bFrom\b", re.M),
    re.compile(r"^The (Secretary of State|Ambassador|Minister|Chargé)\b.* to the (Secretary of State|Department)",
               re.M),
)
HTML_MARKERS = (
    re.compile(r"history\.state\.gov"),
    re.compile(r"class=\"[^\"]*\btei-(head|dateline|note)"),
)

FILE_NUMBER_LINE = re.compile(
    r"^(?:File No\.?\s*)?(?P<number>(?=[^/]*\d)[^/\s][^/:]{0,40}/[^\s:]+)(?::\s*(?P<type>[A-Za-z][A-Za-z ]{2,30}))?$"
)
DECIMAL_FILE = re.compile(r"\b(?:Paris Peace Conf\. )?\d{3}[A-Z]?\.\d+[A-Z]?(?: [A-Z] \d+)?/[\w\-–½.]*[\w½]")
DOCUMENT_NUMBER = re.compile(r"^\d+[A-Za-z]?\.\s+")
GLUED_MARKER = re.compile(r"(?<=[^\s\d,;:])\d{1,2}$")
TYPE_LABEL = re.compile(r"^\[(?P<label>[A-Z][A-Za-z ]{2,40})\]$")
RECEIVED = re.compile(r"^\[Received\b.*\]$", re.I)
HANDLING = re.compile(
    r"^(confidential|secret|top secret|niact|priority|urgent|immediate|operational immediate|flash|personal|"
    r"limited official use|unclassified|eyes only|exdis|nodis|limdis|sensitive|strictly confidential)"
    r"(\s*[;,]\s*\w+)*\.?$",
    re.I,
)
DESPATCH_NUMBER = re.compile(r"^(No\.|Number)\s*\d+[A-Z]?\.?$")
FOOTNOTE = re.compile(r"^(?P<number>\d{1,3})\.\s+(?P<text>.+)$")
BULLET_FOOTNOTE = re.compile(r"^[-•]\s+(?P<text>.+?)\s*↩$")
HEADING_DATELINE = re.compile(
    r",\s+(?P<dateline>(?:[A-Z][\w.\- ]+,\s+)?(?:[A-Z][a-z]+day,\s+)?[A-Z][a-z]+\.? \d{1,2}, \d{4}.*)$"
)


def local_id(url: str) -> str | None:
    """Volume and document number: /historicaldocuments/frus1917/d129 -> frus1917_d129."""
    match = re.search(r"/historicaldocuments/([^/]+)/([^/]+?)/?$", urlsplit(url).path)
    return f"{match.group(1)}_{match.group(2)}" if match else None


def clean_title(heading: str) -> str:
    """Without the document number prefix and the footnote marker glued to the last word."""
    return GLUED_MARKER.sub("", DOCUMENT_NUMBER.sub("", heading)).strip()


def _footnote(line: Line) -> str | None:
    bullet = BULLET_FOOTNOTE.match(line.text)
    if bullet:
        return bullet.group("text")
    numbered = FOOTNOTE.match(line.text)
    if numbered and line.indent:
        return numbered.group("text").rstrip(" ↩")
    return None


def _dateline_at(lines: list[Line], index: int) -> tuple[int, Block, Block | None] | None:
    """A dateline starting at lines[index] (one line, or two when the date is split)."""
    for span in (1, 2):
        if index + span > len(lines):
            break
        joined = " ".join(line.text for line in lines[index : index + span])
        place, date = parse_dateline(joined)
        if date:
            origin = f"line:{lines[index].number}"
            place_block = Block("place", place, origin) if place else None
            return span, Block("dateline", joined, origin), place_block
    return None


def clean_text(text: str, page: RawPage) -> CleanDoc:
    lines = split_lines(text)
    blank_separated = has_blank_line_structure(lines)
    blocks: list[Block] = []
    warnings: list[str] = []

    footnotes: list[str] = []
    while lines and (note := _footnote(lines[-1])) is not None:
        footnotes.insert(0, note)
        lines.pop()

    position = 0
    if len(lines) > 1 and (match := FILE_NUMBER_LINE.match(lines[0].text)):
        blocks.append(Block("file_number", match.group("number"), "line:1"))
        if match.group("type"):
            blocks.append(Block("type_label", match.group("type"), "line:1"))
        position = 1

    if position < len(lines):
        heading = lines[position]
        blocks.append(Block("heading", heading.text, f"line:{heading.number}"))
        title = clean_title(heading.text)
        blocks.append(Block("title", title, f"line:{heading.number}"))
        if embedded := HEADING_DATELINE.search(title):
            place, date = parse_dateline(embedded.group("dateline"))
            if date:
                blocks.append(Block("dateline", embedded.group("dateline"), f"line:{heading.number}:heading"))
                if place:
                    blocks.append(Block("place", place, f"line:{heading.number}:heading"))
        position += 1

    while position < len(lines):
        line = lines[position]
        if (label := TYPE_LABEL.match(line.text)) and not RECEIVED.match(line.text):
            blocks.append(Block("type_label", label.group("label"), f"line:{line.number}"))
        elif RECEIVED.match(line.text):
            if not any(b.kind == "received" and b.text == line.text for b in blocks):
                blocks.append(Block("received", line.text, f"line:{line.number}"))
        elif HANDLING.match(line.text) and len(line.text) < 60:
            blocks.append(Block("classification", line.text, f"line:{line.number}"))
        elif DESPATCH_NUMBER.match(line.text):
            blocks.append(Block("document_number", line.text, f"line:{line.number}"))
        elif not any(b.kind == "dateline" for b in blocks) and (found := _dateline_at(lines, position)):
            span, dateline, place = found
            blocks.append(dateline)
            if place:
                blocks.append(place)
            position += span
            continue
        else:
            break
        position += 1

    for number, note in enumerate(footnotes, start=1):
        blocks.append(Block("footnote", note, f"footnote:{number}"))
    if footnotes and footnotes[0].startswith("Source:"):
        blocks.append(Block("citation", footnotes[0], "footnote:1"))
        if not any(b.kind == "file_number" for b in blocks) and (found := DECIMAL_FILE.search(footnotes[0])):
            blocks.append(Block("file_number", found.group(0), "footnote:1"))

    body = lines[position:]
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
# HTML path: pages rendered from TEI by the site's processing model; structure comes with tei-* classes.

DOCUMENT_CONTAINERS = ("div.tei-div", "[class*=tei-div]", "#content-inner", "article", "main")
HEADING_CLASS = re.compile(r"(?:^|\s)tei-head[1-8](?:\s|$)")
DATELINE = ".tei-dateline"
DATELINE_PLACE = ".tei-placeName"
OPENER = ".tei-opener"
CLOSER = ".tei-closer"
LINE_GROUPS = (DATELINE, OPENER, CLOSER, ".tei-address", ".tei-signed1", ".tei-signed2", ".tei-list")
# Where a dateline is part of the document's end matter or of an enclosure rather than its head.
NOT_HEAD_DATELINE = (CLOSER, ".tei-frus_attachment", ".footnotes")
FOOTNOTES = (".footnotes li", "li.footnote", ".tei-note1", ".tei-note2", ".tei-note3")
FOOTNOTE_AREAS = (".footnotes",)
FOOTNOTE_MARKERS = ("a.note", "a[rel=footnote]", "a[href^='#fn']", "sup")
FOOTNOTE_BACKLINKS = ("a.fn-back", "a[href^='#fnref']", ".fn-back")
MARKER_TEXT = re.compile(r"^\s*[\d*†‡§]{1,3}\.?\s*$")
NOTE_NUMBER = re.compile(r"^\s*\[?\d{1,3}[.)\]]?\s+")
HTML_RULES = replace(
    generic.HTML_RULES,
    chrome_selectors=generic.HTML_CHROME_SELECTORS + (
        "#breadcrumbs", ".hsg-breadcrumb-wrapper", ".hsg-navigation-wrapper", "#content-sidebar",
        ".hsg-cite", ".hsg-persistent-link", ".hsg-toc", ".tei-pb-wrapper",
    ),
    keep_hidden=FOOTNOTES,
    drop_page_regions_first=True,     # what the profile reads is in the document's part of the page
)


def clean_html(html: str, page: RawPage, encoded: bytes | None = None) -> CleanDoc:
    """``encoded``: the markup in UTF-8, when the caller has it."""
    root, index = prepare_page(html, HTML_RULES, encoded)
    container = next((c for css in DOCUMENT_CONTAINERS for c in index.select(css) if _headings(c)), None)
    if container is None:
        return generic.clean_by_density(root, NAME, HTML_RULES, generic.LABELS, f"{NAME}:html-generic", index)
    notes = _footnotes(index)
    for css in FOOTNOTE_AREAS:
        for element in index.select(css):
            element.drop_tree()
    _remove_markers(index)
    strip_chrome(root, HTML_RULES, protect=[container], index=index)
    refuse_non_document(root, HTML_RULES, container, index)

    blocks: list[Block] = []
    skip: set[HtmlElement] = set()
    heading = None
    for element in _headings(container):     # taken again: removing notes and chrome may have taken some
        text = inline_text(element)
        number = FILE_NUMBER_LINE.match(text)
        if number and heading is None:
            blocks.append(Block("file_number", number.group("number"), "css:tei-head"))
            if number.group("type"):
                blocks.append(Block("type_label", number.group("type"), "css:tei-head"))
            skip.add(element)
            continue
        heading = element
        skip.add(element)
        blocks.append(Block("heading", text, "css:tei-head"))
        title = clean_title(text)
        blocks.append(Block("title", title, "css:tei-head"))
        break
    not_head = set(index.select_any(NOT_HEAD_DATELINE))
    dateline = next(
        (d for d in index.select(DATELINE, container) if not not_head.intersection(d.iterancestors())), None
    )
    if dateline is not None:
        skip.add(dateline)
        blocks.extend(_dateline_blocks(dateline, index))
    elif heading is not None and (embedded := HEADING_DATELINE.search(clean_title(inline_text(heading)))):
        place, date = parse_dateline(embedded.group("dateline"))
        if date:
            blocks.append(Block("dateline", embedded.group("dateline"), "css:tei-head:dateline"))
            if place:
                blocks.append(Block("place", place, "css:tei-head:dateline"))

    groups = index.select_any(LINE_GROUPS, container)
    body = [b.text for b in text_blocks(container, line_groups=groups, skip=skip)]
    body = _leading_labels(body, blocks, has_dateline=any(b.kind == "dateline" for b in blocks))

    for number, note in enumerate(notes, start=1):
        blocks.append(Block("footnote", note, f"footnote:{number}"))
    if notes and notes[0].startswith("Source:"):
        blocks.append(Block("citation", notes[0], "footnote:1"))
        if not any(b.kind == "file_number" for b in blocks) and (found := DECIMAL_FILE.search(notes[0])):
            blocks.append(Block("file_number", found.group(0), "footnote:1"))
    return finish(NAME, f"{NAME}:html", body, blocks, HTML_RULES)


def _headings(container: HtmlElement) -> list[HtmlElement]:
    # The substring test spares the pattern the classes of the many elements that are no heading.
    return [
        e for e in container.iter(tag=etree.Element)
        if "tei-head" in (classes := e.get("class") or "") and HEADING_CLASS.search(classes)
    ]


def _footnotes(index: PageIndex) -> list[str]:
    """Footnote texts in page order, without their numbers and back links; nested matches count once."""
    found = index.select_any(FOOTNOTES)
    found_set = set(found)
    notes = [element for element in found if not any(a in found_set for a in element.iterancestors())]
    for note in notes:
        for backlink in index.select_any(FOOTNOTE_BACKLINKS, note):
            backlink.drop_tree()
    texts = [NOTE_NUMBER.sub("", " ".join(html_paragraphs(n))).rstrip(" ↩") for n in notes]
    for note in notes:
        if note.getparent() is not None:
            note.drop_tree()
    return [t for t in texts if t]


def _remove_markers(index: PageIndex) -> None:
    """Footnote markers leave the text; the words they were glued to stay."""
    for css in FOOTNOTE_MARKERS:
        for marker in index.select(css):
            if marker.getparent() is not None and MARKER_TEXT.match(text_content(marker)):
                marker.drop_tree()


def _dateline_blocks(dateline: HtmlElement, index: PageIndex) -> list[Block]:
    text = inline_text(dateline)
    blocks = [Block("dateline", text, f"css:{DATELINE}")]
    place_element = index.select_first(DATELINE_PLACE, dateline)
    if place_element is not None:
        place, origin = inline_text(place_element).rstrip(","), f"css:{DATELINE_PLACE}"
    else:
        place, origin = parse_dateline(text)[0], f"css:{DATELINE}"
    if place:
        blocks.append(Block("place", place, origin))
    return blocks


def _leading_labels(body: list[str], blocks: list[Block], has_dateline: bool) -> list[str]:
    """Type labels, [Received] stamps, handling marks and a dateline ahead of the text (as the text path)."""
    position = 0
    while position < len(body):
        paragraph = body[position]
        if (label := TYPE_LABEL.match(paragraph)) and not RECEIVED.match(paragraph):
            blocks.append(Block("type_label", label.group("label"), f"paragraph:{position + 1}"))
        elif RECEIVED.match(paragraph):
            if not any(b.kind == "received" and b.text == paragraph for b in blocks):
                blocks.append(Block("received", paragraph, f"paragraph:{position + 1}"))
        elif HANDLING.match(paragraph) and len(paragraph) < 60:
            blocks.append(Block("classification", paragraph, f"paragraph:{position + 1}"))
        elif (number := FILE_NUMBER_LINE.match(paragraph)) and not any(b.kind == "file_number" for b in blocks):
            blocks.append(Block("file_number", number.group("number"), f"paragraph:{position + 1}"))
            if number.group("type"):
                blocks.append(Block("type_label", number.group("type"), f"paragraph:{position + 1}"))
        elif not has_dateline and "\n" not in paragraph and (found := parse_dateline(paragraph))[1]:
            blocks.append(Block("dateline", paragraph, f"paragraph:{position + 1}"))
            if found[0]:
                blocks.append(Block("place", found[0], f"paragraph:{position + 1}"))
            has_dateline = True
        else:
            break
        position += 1
    return body[position:]
