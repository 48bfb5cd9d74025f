"""Any other archive site: no layout knowledge, only rules that hold for archive pages in general.

Text path: chrome lines and "Label: value" metadata lines are recognised by rule; the first
heading-like line is the title and a date line near the top is the document date.
"""

from __future__ import annotations

import re

from lxml.html import HtmlElement

from pipeline.clean.html import (
    HtmlRules,
    PageMetadata,
    content_blocks,
    finish,
    inline_text,
    labelled_pairs,
    main_content,
    prepare_page,
    read_head_metadata,
    refuse_non_document,
    strip_chrome,
    text_blocks,
)
from pipeline.clean.html import paragraphs as html_paragraphs
from pipeline.clean.selectors import PageIndex
from pipeline.clean.text import Line, group_paragraphs, has_blank_line_structure, label_of, split_lines
from pipeline.extract.dates import is_date_line
from pipeline.models import Block, CleanDoc, RawPage

NAME = "generic"
HOSTS: tuple[str, ...] = ()
TEXT_MARKERS: tuple[re.Pattern[str], ...] = ()
HTML_MARKERS: tuple[re.Pattern[str], ...] = ()

# "Label: value" lines common to archive catalogues -> block kind.
LABELS = {
    "title": "title",
    "date": "date",
    "document date": "date",
    "author": "authors",
    "authors": "authors",
    "creator": "authors",
    "source": "citation",
    "citation": "citation",
    "archive": "original_archive",
    "repository": "original_archive",
    "rights": "rights",
    "copyright": "rights",
    "language": "language",
    "record id": "record_id",
    "identifier": "record_id",
    "classification": "classification",
    "summary": "summary",
    "abstract": "summary",
    "description": "summary",
    "subjects": "topics",
    "keywords": "topics",
    "places": "places",
    "type": "type_label",
}
LABELLED_LINE = re.compile(r"^(?P<label>[A-Z][A-Za-z ()]{1,30}):\s+(?P<value>\S.*)$")
CHROME = (
    re.compile(r"^skip to (main )?content$", re.I),
    re.compile(r"^(home|menu|search|log ?in|sign ?in|sign up|subscribe|share|print|back to top|next|previous)$", re.I),
    re.compile(r"^(we use cookies|this (web)?site uses cookies)\b", re.I),
    re.compile(r"^(accept|reject|decline)( all)?( cookies)?$", re.I),
    re.compile(r"^\d[\d,]*\s*[-–]\s*\d[\d,]*\s+of\s+\d[\d,]*$"),
    re.compile(r"^(page \d+ of \d+|« previous|next »)$", re.I),
)


def local_id(url: str) -> str | None:
    return None


def _is_chrome(line: Line) -> bool:
    return any(p.search(line.text) for p in CHROME) or label_of(line.text, LABELS) is not None


def clean_text(text: str, page: RawPage) -> CleanDoc:
    lines = split_lines(text)
    blank_separated = has_blank_line_structure(lines)
    blocks: list[Block] = []
    body: list[Line] = []
    for line in lines:
        labelled = LABELLED_LINE.match(line.text)
        kind = label_of(labelled.group("label"), LABELS) if labelled else None
        if kind:
            blocks.append(Block(kind, labelled.group("value").strip(), f"line:{line.number}"))
        elif not _is_chrome(line):
            body.append(line)

    if not any(b.kind == "date" for b in blocks):
        for index, line in enumerate(body[:5]):
            if is_date_line(line.text):
                blocks.append(Block("date", line.text, f"line:{line.number}"))
                del body[index]
                break
    if not any(b.kind == "title" for b in blocks) and body and len(body[0].text) <= 250:
        blocks.append(Block("title", body[0].text, f"line:{body[0].number}"))
        del body[0]

    warnings = [] if body else ["no document text found on the page"]
    return CleanDoc(NAME, f"{NAME}:text", group_paragraphs(body, blank_separated), blocks, warnings)


# ---------------------------------------------------------------------------------------------------------
# HTML path: page furniture, non-document pages and head metadata common to archive sites.

# Chrome that no word of HTML_CHROME_CLASS_WORDS ("pagination", "breadcrumb", "cookie"...) names:
HTML_CHROME_SELECTORS = (
    "ul.pages", ".page-numbers", "a[rel=next]", "a[rel=prev]", "a[href='#main-content']", "a[href='#content']",
    "a[href='#main']", "#CybotCookiebotDialog", ".cc-window",
)
# Page regions: dropped unless one holds most of the page's text (ASP.NET pages wrap all in a <form>).
HTML_CHROME_REGIONS = (
    "nav", "form", "aside", "button", "select", "input", "textarea", "dialog", "label",
    "[role=navigation]", "[role=banner]", "[role=contentinfo]", "[role=search]", "[role=complementary]",
    "[role=dialog]", "[role=alertdialog]", "[role=menu]", "[role=menubar]", "[role=toolbar]",
)
HTML_CHROME_CLASS_WORDS = re.compile(
    r"(?:^|[\s_-])(?:cookies?|consent|gdpr|onetrust|share|sharing|social|addthis|sharethis|addtoany|"
    r"breadcrumbs?|pagination|pager|related|skip|newsletter|subscribe|advert|advertisement|ads|promo|"
    r"popup|modal|toolbar|sidebar|navbar|menu|nav|megamenu|masthead|footer)(?:$|[\s_-])",
    re.I,
)
HTML_CHROME_CLASSES = frozenset({
    "sr-only", "visually-hidden", "visually-hidden-focusable", "screen-reader-text", "element-invisible",
    "skip-link", "site-header", "site-footer", "global-header", "global-footer", "print-only",
})
HTML_CHROME_SECTION_TITLES = (
    re.compile(r"^(related|similar|more|other|recent|featured|popular|recommended) "
               r"(documents?|records?|items?|content|resources|collections|articles|posts|stories)$", re.I),
    re.compile(r"^(you may also like|see also|recently viewed|share( this)?( document| page)?|follow us|"
               r"stay connected|sign up for (our|the) newsletter|cookie (settings|preferences))$", re.I),
)
HTML_CHALLENGE_TITLES = re.compile(
    r"^(just a moment\W*|attention required\W*(\| cloudflare)?|please wait\W*|checking your browser.*|"
    r"ddos-guard|security check|verify(ing)? (that )?you are (a )?human\W*|are you a robot\W*|"
    r"human verification|one more step|access denied \| .*cloudflare.*)$",
    re.I,
)
# Marks of interstitial challenge pages only (a reCAPTCHA in a newsletter form is not one).
HTML_CHALLENGE_MARKUP = re.compile(
    r"cf-browser-verification|cf_chl_opt|/cdn-cgi/challenge-platform/|cf-challenge|challenge-form|"
    r"_Incapsula_Resource|captcha-delivery|Enable JavaScript and cookies to continue",
    re.I,
)
HTML_ERROR_TITLES = re.compile(
    r"^(error\s*)?(400|401|403|404|410|429|500|502|503|504)\b|"
    r"\b(page|document|file|resource|record|item) (was |could not be |cannot be )?not found\b|^not found$|"
    r"\binternal server error\b|\bservice (temporarily )?unavailable\b|\bbad gateway\b|^forbidden\b|"
    r"^access denied\b|\b(does not|doesn't) exist\b|\bno longer available\b|^error$|"
    r"^an error (has )?occurred|^something went wrong",
    re.I,
)
HTML_LOGIN_TITLES = re.compile(
    r"\b(log ?in|sign ?in|login required|authentication required|members only)\b", re.I
)
HTML_LISTING_COUNTER = re.compile(
    r"\b\d[\d,]*\s*[-–]\s*\d[\d,]*\s+of\s+\d[\d,]*\b|\bshowing \d[\d,]*\s*(?:[-–]|to)\s*\d[\d,]*\s+of\b|"
    r"\b\d[\d,]* (?:results|records|documents|items|hits) (?:found|for|match)",
    re.I,
)
HTML_RULES = HtmlRules(
    chrome_selectors=HTML_CHROME_SELECTORS,
    chrome_regions=HTML_CHROME_REGIONS,
    chrome_class_words=HTML_CHROME_CLASS_WORDS,
    chrome_classes=HTML_CHROME_CLASSES,
    chrome_section_titles=HTML_CHROME_SECTION_TITLES,
    chrome_lines=CHROME,
    challenge_titles=HTML_CHALLENGE_TITLES,
    challenge_markup=HTML_CHALLENGE_MARKUP,
    error_titles=HTML_ERROR_TITLES,
    login_titles=HTML_LOGIN_TITLES,
    listing_counter=HTML_LISTING_COUNTER,
)

# <meta name|property> -> block kind: Dublin Core (DC.* and DCTERMS.*), Highwire citation_*, OpenGraph.
# Page dates (modified, published on the web) are not the document's date: only creation dates map to "date".
META_FIELDS = {
    "DC.title": "title", "DCTERMS.title": "title", "citation_title": "title", "og:title": "title",
    "DC.date": "date", "DC.date.created": "date", "DCTERMS.created": "date", "DCTERMS.date": "date",
    "citation_date": "date",
    "DC.date.issued": "uploaded_date", "DCTERMS.issued": "uploaded_date",
    "DC.date.available": "uploaded_date", "DCTERMS.available": "uploaded_date",
    "DC.creator": "authors", "DCTERMS.creator": "authors", "citation_author": "authors",
    "DC.description": "summary", "DCTERMS.abstract": "summary", "DCTERMS.description": "summary",
    "og:description": "summary", "description": "summary",
    "DC.subject": "topics", "DCTERMS.subject": "topics",
    "DC.coverage": "places", "DCTERMS.spatial": "places",
    "DC.rights": "rights", "DCTERMS.rights": "rights", "DCTERMS.license": "rights",
    "DC.language": "language", "DCTERMS.language": "language", "citation_language": "language",
    "DC.identifier": "record_id", "DCTERMS.identifier": "record_id",
    "DC.source": "citation", "DCTERMS.source": "citation", "DCTERMS.bibliographicCitation": "citation",
    "DC.type": "type_label", "DCTERMS.type": "type_label",
    "DC.contributor": "donor",
}
# schema.org properties of the document's JSON-LD node -> block kind.
JSON_LD_FIELDS = {
    "headline": "title", "name": "title",
    "dateCreated": "date", "temporalCoverage": "date",
    "datePublished": "uploaded_date", "uploadDate": "uploaded_date",
    "author": "authors", "creator": "authors",
    "description": "summary", "abstract": "summary",
    "keywords": "topics", "about": "topics",
    "spatialCoverage": "places", "contentLocation": "places", "locationCreated": "places",
    "license": "rights", "copyrightNotice": "rights", "usageInfo": "rights",
    "inLanguage": "language",
    "identifier": "record_id",
    "citation": "citation",
    "holdingArchive": "original_archive",
    "genre": "type_label", "additionalType": "type_label",
    "sourceOrganization": "donor", "funder": "donor",
}
# The JSON-LD node that describes the document, by type, most specific first.
JSON_LD_TYPES = (
    "ArchiveComponent", "Manuscript", "Letter", "Report", "DigitalDocument", "Book", "Chapter", "Article",
    "ScholarlyArticle", "NewsArticle", "Message", "CreativeWork", "ItemPage", "WebPage",
)
ITEM_KINDS = frozenset({"authors", "places", "topics", "people", "download"})
_SPACES = re.compile(r"\s+")
_TITLE_SUFFIX = re.compile(r"\s+(?:[|–—:]|-|::|»)\s+[^|–—:»]{2,60}$")


def pair_blocks(
    root: HtmlElement, labels: dict[str, str], item_kinds: frozenset[str] = ITEM_KINDS
) -> list[Block]:
    """Blocks from definition lists and label/value tables with mostly known labels; those leave the page.

    A container where most labels are unknown is document content (a table in a report) and stays.
    """
    by_container: dict[HtmlElement, list[tuple[str, HtmlElement]]] = {}
    for container, label, value in labelled_pairs(root):
        by_container.setdefault(container, []).append((label, value))
    blocks: list[Block] = []
    for container, pairs in by_container.items():
        kinds = [label_of(label, labels) for label, _ in pairs]
        if sum(1 for k in kinds if k and not k.startswith("_")) * 2 < len(pairs):
            continue
        for (label, value), kind in zip(pairs, kinds, strict=True):
            if not kind or kind.startswith("_"):
                continue
            items = value_items(value) if kind in item_kinds else []
            text = "\n".join(items) if items else "\n\n".join(html_paragraphs(value))
            blocks.append(Block(kind, text, f"label:{label.rstrip(':').strip()}", tuple(items)))
        container.drop_tree()
    return blocks


def value_items(value: HtmlElement) -> list[str]:
    """Items of a multi-valued field: list items, else several links, else the text split at semicolons."""
    for candidates in (value.iter("li"), value.iter("a")):
        items = [inline_text(e) for e in candidates]
        items = [i for i in items if i]
        if len(items) > 1:
            return items
    return [part.strip() for part in inline_text(value).split(";") if part.strip()]


def page_title(metadata: PageMetadata) -> Block | None:
    """The <title> without the site name appended to it."""
    if not metadata.page_title:
        return None
    return Block("title", _TITLE_SUFFIX.sub("", metadata.page_title).strip(), "css:title")


def clean_html(html: str, page: RawPage, encoded: bytes | None = None) -> CleanDoc:
    """``encoded``: the markup in UTF-8, when the caller has it."""
    root, index = prepare_page(html, HTML_RULES, encoded)
    return clean_by_density(root, NAME, HTML_RULES, LABELS, f"{NAME}:html", index)


def clean_by_density(
    root: HtmlElement, site: str, rules: HtmlRules, labels: dict[str, str], profile: str,
    index: PageIndex | None = None,
) -> CleanDoc:
    """Any archive page: labelled values from head and labelled lists, the text from the densest container.

    ``root`` comes from ``prepare``; other profiles fall back to this for layouts they do not know, and
    pass the page's index when they have taken one.
    """
    index = index or PageIndex(root)
    metadata = read_head_metadata(root, META_FIELDS, JSON_LD_FIELDS, JSON_LD_TYPES, ITEM_KINDS)
    blocks = pair_blocks(root, labels)
    strip_chrome(root, rules, index=index)
    content = main_content(root)
    refuse_non_document(root, rules, content, index)
    found = content_blocks(text_blocks(content))
    body = [b.text for b in found]

    title = next((b for b in blocks if b.kind == "title"), None)
    heading = next((b.text for b in found[:6] if b.tag == "h1"), None) or inline_text(root.find(".//h1"))
    if title is None and heading:
        title = Block("title", heading, "css:h1")
    title = title or metadata.first("title") or page_title(metadata)
    if title is not None:
        _drop_first_equal(body, title.text, within=6)

    date = next((b for b in blocks if b.kind == "date"), None) or metadata.first("date")
    if date is None:
        date = _visible_date(content, body)

    summary = metadata.first("summary")
    if summary is not None and _starts_body(summary.text, body):
        metadata.blocks.remove(summary)   # an automatic description: the opening of the text itself
    ordered = [b for b in (date, title) if b is not None]
    ordered += [b for b in blocks if b.kind not in ("title", "date")]
    ordered += [b for b in metadata.blocks if b.kind not in ("title", "date")
                and not any(o.kind == b.kind for o in ordered)]
    return finish(site, profile, body, ordered, rules)


def _visible_date(content: HtmlElement, body: list[str]) -> Block | None:
    for element in content.iter("time"):
        shown = inline_text(element) or (element.get("datetime") or "").strip()
        if shown:
            _drop_first_equal(body, shown, within=6)
            return Block("date", shown, "css:time")
    for index, paragraph in enumerate(body[:5]):
        if "\n" not in paragraph and is_date_line(paragraph):
            del body[index]
            return Block("date", paragraph, f"paragraph:{index + 1}")
    return None


def _drop_first_equal(body: list[str], text: str, within: int) -> None:
    wanted = _fold(text)
    for index, paragraph in enumerate(body[:within]):
        if _fold(paragraph) == wanted:
            del body[index]
            return


def _starts_body(summary: str, body: list[str]) -> bool:
    opening = _fold(" ".join(body[:3]))
    head = _fold(summary).rstrip(".… ")
    return bool(head) and opening.startswith(head[: max(40, len(head) - 5)])


def _fold(text: str) -> str:
    return _SPACES.sub(" ", text).strip().casefold()
