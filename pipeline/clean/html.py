"""Shared machinery for cleaning HTML pages; what to look for on a given site is data in its profile.

The steps a profile strings together: ``prepare_page`` (refuse binaries and oversized markup, parse safely,
refuse bot challenges and login walls, undo web-archive rewriting and e-mail obfuscation, drop what
is never content; the page comes with its ``PageIndex``, which answers the profile's CSS selections
without an XPath walk each), ``strip_chrome`` (page furniture by tag, role, class words and section titles),
``refuse_non_document`` (error pages and listings), readers for labelled values (``read_head_metadata``,
``labelled_pairs``), ``main_content`` (density-based choice of the content container), ``text_blocks``
(the DOM walked into paragraphs, keeping lines and table rows), and ``finish`` (Unicode repair and the
CleanDoc).
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import parse_qs, urljoin, urlsplit

import lxml.html
from lxml import etree
from lxml.html import HtmlElement

from pipeline.clean.decode import normalize_text
from pipeline.clean.selectors import PageIndex, compile_selector
from pipeline.models import Block, CleanDoc, NotADocumentError

# libxml2 builds the tree 256 levels deep at most without XML_PARSE_HUGE (and drops the rest of the page);
# older libxml2 builds have no such limit, and with them the depth is also measured here.
MAX_DEPTH = 256
MAX_MARKUP_CHARS = 20_000_000

BLOCK_TAGS = frozenset(
    "address article aside blockquote body caption center dd details dialog div dl dt fieldset figcaption "
    "figure footer form h1 h2 h3 h4 h5 h6 header hr html legend li main menu nav ol p pre section summary "
    "table tbody td tfoot th thead tr ul".split()
)
HEADING_TAGS = frozenset("h1 h2 h3 h4 h5 h6".split())
_BREAKS_LINE = BLOCK_TAGS | {"br"}
# Containers whose children are lines of one paragraph rather than paragraphs of their own.
_LINE_GROUP_TAGS = frozenset("ul ol menu dl address pre".split())
# Paragraph-level blocks: the content detector never descends into one.
_LEAF_BLOCK_TAGS = frozenset(
    "p pre blockquote li dd dt h1 h2 h3 h4 h5 h6 address figcaption caption tr".split()
)
_CELL_TAGS = frozenset(("td", "th"))
# Blocks that, childless, are a paragraph of their own text wherever the walker is outside line groups and links.
_ONE_PARAGRAPH_BLOCKS = BLOCK_TAGS - _LINE_GROUP_TAGS - {"table"}
# What a layout table holds and a data table does not.
_LAYOUT_CONTENT_TAGS = frozenset("table p div ul ol h1 h2 h3 blockquote".split())
# Page regions that are chrome when they belong to the page, content when they belong to an article.
_PAGE_LEVEL_TAGS = ("header", "footer")
_CONTENT_ROOTS = frozenset(("html", "body", "main", "article"))
_INVISIBLE_TAGS = ("script", "style", "noscript", "template", "head")
_TABLE_ROWS = etree.XPath("./tr|./tbody/tr|./thead/tr")
_ROW_CELLS = etree.XPath("./th|./td")
_JSON_LD_SCRIPTS = etree.XPath("//script[contains(translate(@type, 'LDJSON', 'ldjson'), 'ld+json')]")
_VISIBLE_TEXT = etree.XPath(
    ".//text()[not(ancestor::script or ancestor::style or ancestor::noscript or ancestor::template or ancestor::head)]"
)
# Dropped with the chrome; the head stays for the checks that read the page's <title>.
_NEVER_TEXT_TAGS = ("script", "style", "noscript", "template", "svg", "canvas", "object", "embed", "iframe")

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_NOT_CONTROL_BYTES = bytes(set(range(256)) - {*range(0x00, 0x09), 0x0B, *range(0x0E, 0x20), 0x7F})
_ASCII_SPACE = b" \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f"
_ASCII_BYTES = bytes(range(0x80))
# Counting non-space characters in slices of this size lets a "long enough?" question stop early.
_COUNT_CHUNK = 4096
# Control characters that are no text (as UTF-8 bytes, which these are alone), and U+FFFD left by decoding.
_BINARY_CONTROLS = bytes([*range(0x00, 0x09), *range(0x0E, 0x1B), *range(0x1C, 0x20)])
_BINARY_SIGNATURES = (
    (re.compile(r"^\s*%PDF-"), "a PDF file"),
    (re.compile(r"^.{0,3}PNG\r?\n"), "a PNG image"),
    (re.compile(r"^GIF8[79]a"), "a GIF image"),
    (re.compile(r"^.{0,6}(JFIF|Exif)"), "a JPEG image"),
    (re.compile(r"^PK\x03\x04"), "a ZIP archive (or an Office document)"),
    (re.compile(r"^.{0,3}\x1f?\x8b\x08"), "gzip-compressed data"),
    (re.compile(r"^\{\\rtf"), "an RTF document"),
)
_WAYBACK_INSERT = re.compile(
    r"<!--\s*BEGIN WAYBACK TOOLBAR INSERT\s*-->.*?<!--\s*END WAYBACK TOOLBAR INSERT\s*-->", re.S | re.I
)
_WAYBACK_PREFIX = re.compile(r"^(?:https?:)?(?://web\.archive\.org)?/web/\d{1,14}(?:[a-z]{2}_)?/", re.I)
_WAYBACK_DIGITS = re.compile(r"/web/[0-9]{8,14}")     # a capture's timestamp: ASCII digits
_WAYBACK_DIGITS_BYTES = re.compile(rb"/web/[0-9]{8,14}")
_WAYBACK_IDS = ("wm-ipp-base", "wm-ipp", "wm-ipp-print", "donato", "wm-capinfo")
_URL_ATTRIBUTES = ("href", "src", "data", "action", "poster")
_NOT_DOWNLOADS = ("#", "javascript:", "mailto:")
_DOCUMENT_FILE = re.compile(r"\.(pdf|tiff?|jpe?g|png|djvu)$", re.I)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
# What XPath's translate(@type, 'PASWORD', 'pasword') does: type="Password" is a password field too.
_PASSWORD_CASE = str.maketrans("PASWORD", "pasword")
_CFEMAIL_LINKS = 'a[href*="/cdn-cgi/l/email-protection#"]'
_CFEMAIL_HREF = re.compile(r"/cdn-cgi/l/email-protection#([0-9a-fA-F]+)$")
_JSON_TRAILING_COMMA = re.compile(r",\s*([}\]])")
_JSON_WRAPPER = re.compile(r"^\s*(?:<!--|//\s*<!\[CDATA\[|<!\[CDATA\[)|(?:-->|//\s*\]\]>|\]\]>)\s*$")


@dataclass(frozen=True)
class HtmlRules:
    """What a site's pages use for chrome and non-document pages; instances are data in the profiles."""

    chrome_selectors: tuple[str, ...] = ()
    # Page regions (nav, aside, form): chrome unless one holds most of the page's text.
    chrome_regions: tuple[str, ...] = ()
    # Words in class/id attributes that mark chrome ("cookie-banner", "share_buttons").
    chrome_class_words: re.Pattern[str] | None = None
    # Exact class names that mark chrome ("sr-only").
    chrome_classes: frozenset[str] = frozenset()
    # Titles of sections that are chrome ("Related Documents"): the section goes with its heading.
    chrome_section_titles: tuple[re.Pattern[str], ...] = ()
    # Whole lines that are chrome wherever they appear ("Skip to content", "1851 - 1860 of 2425").
    chrome_lines: tuple[re.Pattern[str], ...] = ()
    # Elements that stay even when hidden (inactive tab panes hold the translation).
    keep_hidden: tuple[str, ...] = ()
    # The profile reads nothing in the page's own header and footer (those outside any article or main): they
    # go before the page is indexed, as strip_chrome would drop them later, and each later step visits the
    # fewer elements left (on sites' pages they hold half of them, with the menus).
    drop_page_regions_first: bool = False
    challenge_titles: re.Pattern[str] | None = None
    challenge_markup: re.Pattern[str] | None = None
    error_titles: re.Pattern[str] | None = None
    login_titles: re.Pattern[str] | None = None
    listing_counter: re.Pattern[str] | None = None
    listing_selectors: tuple[str, ...] = ()
    # Below this much visible text (non-space characters) a page with challenge, error or login signs
    # is taken for what it signals.
    short_page_chars: int = 2500


@dataclass
class TextBlock:
    """One paragraph of the walked DOM with the evidence the content filters need."""

    text: str
    link_chars: int
    tag: str           # the block element that opened the paragraph

    @property
    def link_density(self) -> float:
        return self.link_chars / max(1, len(self.text))


@dataclass
class PageMetadata:
    """Labelled values read from a page's head and JSON-LD, by block kind, in order of trust."""

    blocks: list[Block] = field(default_factory=list)
    page_title: str | None = None    # the <title> element, which usually carries the site name too

    def first(self, kind: str) -> Block | None:
        return next((b for b in self.blocks if b.kind == kind), None)


# ---------------------------------------------------------------------------------------------- parsing

_local = threading.local()


def _parser(encoding: str | None = None) -> lxml.html.HTMLParser:
    """One parser per thread and input encoding: lxml keeps the error log (read for depth overruns) on the parser."""
    parsers = getattr(_local, "parsers", None)
    if parsers is None:
        parsers = _local.parsers = {}
    parser = parsers.get(encoding)
    if parser is None:
        parser = parsers[encoding] = _new_parser(encoding)
    return parser


def _new_parser(encoding: str | None) -> lxml.html.HTMLParser:
    # HTML parsing never loads a DTD or external entities; no_network also covers XInclude-like lookups.
    # Comments and processing instructions are never text: the parser leaves them out, joining the text
    # around them.
    parser = lxml.html.HTMLParser(
        no_network=True, huge_tree=False, remove_pis=True, remove_comments=True,
        default_doctype=False, collect_ids=False, encoding=encoding,
    )
    # lxml.html picks each element's class in a Python method, called whenever Python first touches an
    # element; the cleaners use none of its form-field classes, and a lookup in C makes every walk cheaper.
    parser.set_element_class_lookup(etree.ElementDefaultClassLookup(
        element=HtmlElement, comment=lxml.html.HtmlComment, pi=lxml.html.HtmlProcessingInstruction,
        entity=lxml.html.HtmlEntity,
    ))
    return parser


def refuse_binary(markup: str | bytes) -> None:
    """Files of other types saved under an .html name; works on the raw bytes too, before decoding."""
    if isinstance(markup, bytes):
        markup = markup[:4096].decode("latin-1")
    head = markup[:64]
    for signature, what in _BINARY_SIGNATURES:
        if signature.search(head):
            raise NotADocumentError(f"the file is {what}, not an HTML page")
    sample = markup[:4096].replace("\x00", "")
    if sample and _binary_junk(sample) > len(sample) * 0.05:
        raise NotADocumentError(
            "the file holds binary data (control bytes and undecodable characters), not HTML"
        )
    if "<" not in markup[:200_000]:
        raise NotADocumentError("the file holds no HTML markup")


def _binary_junk(sample: str) -> int:
    """Control characters and U+FFFD in the sample (a byte deletion table counts them faster than a regex)."""
    data = sample.encode("utf-8", "surrogatepass")
    return len(data) - len(data.translate(None, _BINARY_CONTROLS)) + sample.count("\ufffd")


# True when some element lies deeper than MAX_DEPTH: one step per level, each over that level's elements.
_TOO_DEEP = etree.XPath("boolean(" + "/*" * (MAX_DEPTH + 1) + ")")


def _depth_overrun(parser: lxml.html.HTMLParser) -> bool:
    return any(e.type_name == "ERR_RESOURCE_LIMIT" or "depth" in e.message for e in parser.error_log)


def _parser_reports_depth() -> bool:
    """Whether the libxml2 in use reports an element deeper than MAX_DEPTH itself: then a page it parses
    without complaint needs no walk of its levels (about a tenth of the parse's time)."""
    parser = _new_parser("utf-8")
    nested = MAX_DEPTH - 1      # below <html> and <body>
    lxml.html.document_fromstring(b"<html><body>" + b"<div>" * nested + b"</div>" * nested + b"</body></html>", parser)
    return _depth_overrun(parser)


_PARSER_REPORTS_DEPTH = _parser_reports_depth()


# Inline formatting that broken pages leave unclosed (thousands of <font> in old HTML nest that deep).
_INLINE_FORMATTING = re.compile(
    r"</?(?:font|span|b|i|u|em|strong|small|big|s|strike|tt|abbr|cite|mark|center)\b[^>]*>", re.I
)


def _document(markup: str | bytes, parser: lxml.html.HTMLParser) -> HtmlElement:
    try:
        return lxml.html.document_fromstring(markup, parser=parser)
    except (etree.ParserError, ValueError) as error:    # only comments or declarations: "Document is empty"
        raise NotADocumentError(f"the file holds no HTML elements ({error})") from None


def parse_html(markup: str, encoded: bytes | None = None) -> HtmlElement:
    """Parse with the network off and the nesting depth bounded; junk before the root is tolerated.

    ``encoded``: the markup in UTF-8, when at hand; libxml2 reads UTF-8 without converting the text first.
    """
    # Text opening with an XML declaration stays text: lxml refuses text that declares its encoding.
    if encoded is not None and not markup.startswith("<?xml"):
        parser = _parser("utf-8")
        root = _document(encoded, parser)
    else:
        parser = _parser()
        root = _document(markup, parser)
    if _depth_overrun(parser) or (not _PARSER_REPORTS_DEPTH and _TOO_DEEP(root)):
        parser = _parser()
        root = _document(_INLINE_FORMATTING.sub("", markup), parser)
        if _depth_overrun(parser) or _TOO_DEEP(root):
            raise NotADocumentError(
                f"the markup nests elements more than {MAX_DEPTH} levels deep even without inline "
                "formatting tags; the parser would drop the rest of the page"
            )
    return root


# ------------------------------------------------------------------------------------- page preparation

def _from_web_archive(markup: str, encoded: bytes | None = None) -> bool:
    """Whether the page is an archive's capture: its links were rewritten to the archive's /web/<timestamp>/...
    (a page that only mentions web.archive.org, or links one capture, keeps its links as they are).

    ``encoded``: the markup in UTF-8, when at hand (bytes are searched faster than wide text; and faster by the
    regular expression than by substring search, which the frequent "/", "e" and "o" of markup slow down).
    """
    if encoded is None:
        return _WAYBACK_DIGITS.search(markup) is not None
    return _WAYBACK_DIGITS_BYTES.search(encoded) is not None


def _unwrap_web_archive(root: HtmlElement) -> None:
    # One walk finds both; what lay in the archive's own elements is rewritten after they left the page, to
    # no effect on it.
    toolbar: list[HtmlElement] = []
    links: list[tuple[HtmlElement, str, str]] = []
    for element in root.iter(etree.Element):
        for name, value in element.items():
            if name in _URL_ATTRIBUTES:
                links.append((element, name, value))
            elif name == "id" and value in _WAYBACK_IDS:
                toolbar.append(element)
    for element in toolbar:
        element.drop_tree()
    for element, attribute, value in links:
        unwrapped = _WAYBACK_PREFIX.sub("", value)
        if unwrapped != value:
            if unwrapped.startswith("//"):
                unwrapped = "https:" + unwrapped
            element.set(attribute, unwrapped)


def decode_cfemail(hex_string: str) -> str | None:
    """Cloudflare's obfuscation: the first byte is an XOR key for the bytes of the address that follow."""
    try:
        data = bytes.fromhex(hex_string)
    except ValueError:
        return None
    if len(data) < 2:
        return None
    try:
        return bytes(b ^ data[0] for b in data[1:]).decode("utf-8")
    except UnicodeDecodeError:
        return None


def _decode_cloudflare_emails(index: PageIndex) -> None:
    marked = [element for element, _ in index.with_attribute("data-cfemail")]
    links = index.select(_CFEMAIL_LINKS)
    for element in marked:
        address = decode_cfemail(element.get("data-cfemail", ""))
        if address is None:
            continue
        before, tail = element.items(), element.tail
        element.clear()
        element.text, element.tail = address, tail
        if element.tag == "a":
            element.set("href", "mailto:" + address)
        index.attributes_changed(element, before)
    for link in links:
        match = _CFEMAIL_HREF.search(link.get("href", ""))
        address = decode_cfemail(match.group(1)) if match else None
        if address:
            before = link.items()
            link.set("href", "mailto:" + address)
            if "protected]" in text_content(link):
                tail = link.tail
                link.clear()
                link.text, link.tail, link.attrib["href"] = address, tail, "mailto:" + address
            index.attributes_changed(link, before)


def _remove(element: HtmlElement) -> None:
    """Remove an element and its content but keep the text that follows it."""
    if element.getparent() is not None:
        element.drop_tree()


def _remove_hidden(root: HtmlElement, keep: Sequence[str], index: PageIndex) -> None:
    hidden = [element for name in ("hidden", "aria-hidden", "style") for element, _ in index.with_attribute(name)]
    if not hidden:
        return
    kept = set(index.select_any(keep, root))
    for element in index.in_document_order(hidden):
        if element in kept or element.tag in ("html", "body"):
            continue
        if element.get("hidden") is not None or element.get("aria-hidden") == "true":
            _remove(element)
        elif _HIDDEN_STYLE.search(element.get("style", "")):
            _remove(element)


def _drop_hidden_icons(root: HtmlElement, svgs: Sequence[HtmlElement], keep: Sequence[str]) -> None:
    """What ``_remove_hidden`` does to inline SVG icons hidden from screen readers, done before the page is
    indexed: sites put one on every button and menu entry, and their shapes and attributes are a good part of
    what indexing would read.

    An icon with an e-mail disguise waits for ``_remove_hidden``: decoding it clears its attributes first.
    """
    icons = [svg for svg in svgs if svg.get("aria-hidden") == "true" and svg.get("data-cfemail") is None]
    if not icons:
        return
    kept = compile_selector(", ".join(keep)) if keep else None
    for svg in icons:
        if kept is None or not kept.matches(svg, root):
            _remove(svg)


def _by_tag(root: HtmlElement, tags: Iterable[str]) -> dict[str, list[HtmlElement]]:
    """The elements with each of the tags, in document order, from one walk of the page (lxml walks all of
    it for each iter() asked of it)."""
    found: dict[str, list[HtmlElement]] = {tag: [] for tag in tags}
    for element in root.iter(*found):
        found[element.tag].append(element)
    return found


def _body(root: HtmlElement) -> HtmlElement | None:
    """root.find("body"), without ElementPath's Python-level path handling."""
    return next(root.iterchildren("body"), None)


def visible_text(root: HtmlElement) -> str:
    """The text a reader would see: the body's text outside scripts and styles, white space collapsed."""
    body = _body(root)
    scope = body if body is not None else root
    if next(scope.iter(*_INVISIBLE_TAGS), None) is None:
        return one_line(" ".join(scope.itertext()))
    return one_line(" ".join(_VISIBLE_TEXT(scope)))


def text_content(element: HtmlElement) -> str:
    """element.text_content(): libxml2's text serializer gives the same string several times faster, and an
    element without children has its text alone."""
    if not len(element) and isinstance(element.tag, str):
        return element.text or ""
    return etree.tostring(element, method="text", encoding="unicode", with_tail=False)


def one_line(text: str) -> str:
    """Runs of white space as one space, none at the ends (str.split's white space is the regex \\s's)."""
    # Most paragraphs are one line already. Then their only white space is single spaces inside (str.isprintable
    # is false for every other white space character), and seeing that costs half of splitting them into words.
    if "  " not in text and text.isprintable() and text[:1] != " " and text[-1:] != " ":
        return text
    return " ".join(text.split())


def text_size(element: HtmlElement) -> int:
    """Characters of text other than white space: a size that indentation of the markup does not inflate."""
    return _non_space(text_content(element))


def visible_text_length(root: HtmlElement) -> int:
    """text_size of the body less that of its scripts and styles."""
    return _VisibleText(root).length()


class _VisibleText:
    """visible_text_length of the page as it is now, counted only as far as the questions asked need."""

    def __init__(self, root: HtmlElement, invisible_stripped: bool = False):
        """``invisible_stripped``: the never-text tags (scripts, styles...) were stripped from the page, so a
        body holds nothing invisible (and the walk that looks for it is saved)."""
        body = _body(root)
        scope = body if body is not None else root
        invisible = [] if invisible_stripped and body is not None else list(scope.iter(*_INVISIBLE_TAGS))
        self._invisible = 0
        if not invisible:
            self._text = text_content(scope)
        elif all(e.getparent() is scope for e in invisible):
            # Scripts and styles right under the body (as on most pages): its text without theirs is the visible
            # text, and a question about its start is answered without counting the scripts' text.
            self._text = (scope.text or "") + "".join(
                (child.tail or "") if child.tag in _INVISIBLE_TAGS
                else etree.tostring(child, method="text", encoding="unicode", with_tail=True)
                for child in scope
            )
        else:
            # Scripts and styles hold text only: their own text is all of it.
            self._invisible = sum(_non_space(e.text or "") if not len(e) else text_size(e) for e in invisible)
            self._text = text_content(scope)
        self._counted = 0      # non-space characters of self._text[:self._end]
        self._end = 0

    def at_least(self, length: int) -> bool:
        while self._counted - self._invisible < length and self._end < len(self._text):
            self._counted += _non_space(self._text[self._end: self._end + _COUNT_CHUNK])
            self._end += _COUNT_CHUNK
        return max(0, self._counted - self._invisible) >= length

    def length(self) -> int:
        self.at_least(len(self._text) + 1)
        return max(0, self._counted - self._invisible)


def _non_space(text: str) -> int:
    """len("".join(text.split())): the characters that are not white space."""
    if text.isascii():     # deleting str.split's ASCII white space from bytes is much faster than splitting
        return len(text.encode("ascii").translate(None, _ASCII_SPACE))
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:      # lone surrogates
        return len("".join(text.split()))
    # The other characters, taken out of the UTF-8 whole (no byte of theirs is ASCII), are few enough to split.
    wide = data.translate(None, _ASCII_BYTES).decode("utf-8")
    return len(text) - (len(data) - len(data.translate(None, _ASCII_SPACE))) - (len(wide) - len("".join(wide.split())))


def _title_text(root: HtmlElement) -> str:
    title = next((e for e in root.iter("title") if e is not root), None)     # root.find(".//title"), in C
    return one_line(text_content(title)) if title is not None else ""


def _refuse_challenge_and_login(
    root: HtmlElement, inputs: Sequence[HtmlElement], markup: str, rules: HtmlRules, short: bool
) -> None:
    """``inputs``: the page's input elements; ``short``: it has less visible text than ``rules.short_page_chars``."""
    title = _title_text(root)
    if rules.challenge_titles and rules.challenge_titles.search(title):
        raise NotADocumentError(f"bot challenge page (title {title!r}), not a document")
    if short and rules.challenge_markup and (found := rules.challenge_markup.search(markup)):
        raise NotADocumentError(
            f"bot challenge page (marker {found.group(0)!r} on a short page), not a document"
        )
    passwords = [i for i in inputs if (i.get("type") or "").translate(_PASSWORD_CASE) == "password"]
    if any(not in_page_chrome(p) for p in passwords):     # a sign-in box in the site header is no wall
        if short or (rules.login_titles and rules.login_titles.search(title)):
            raise NotADocumentError(f"login page (a password form; title {title!r}), not a document")


def prepare(markup: str, rules: HtmlRules) -> HtmlElement:
    """Parse a page and take off what is never content; non-documents raise NotADocumentError.

    Leaves page regions (header, nav, aside...) in place: profiles read labelled values from them
    before ``strip_chrome``. A profile that reads nothing in the page's own header and footer has them
    dropped here (``HtmlRules.drop_page_regions_first``).
    """
    return prepare_page(markup, rules)[0]


def prepare_page(markup: str, rules: HtmlRules, encoded: bytes | None = None) -> tuple[HtmlElement, PageIndex]:
    """``prepare``, and the page's index for the profile's selections.

    ``encoded``: the markup in UTF-8, when the caller has it (the page's own bytes, mostly).
    """
    if len(markup) > MAX_MARKUP_CHARS:
        raise NotADocumentError(
            f"the page is {len(markup):,} characters of markup, "
            f"over the {MAX_MARKUP_CHARS:,} limit for one document"
        )
    refuse_binary(markup)
    # Only a capture carries the archive's toolbar: the case-blind search for it reads the page a character at a time.
    archived = _from_web_archive(markup, encoded)
    if archived:
        unwrapped = _WAYBACK_INSERT.sub("", markup)
        if len(unwrapped) != len(markup):
            markup, encoded = unwrapped, None
    markup, encoded = _without_controls(markup, encoded)
    root = parse_html(markup, encoded)
    visible = _VisibleText(root)
    found = _by_tag(root, ("input", "svg", *_PAGE_LEVEL_TAGS))
    _refuse_challenge_and_login(root, found["input"], markup, rules, short=not visible.at_least(rules.short_page_chars))
    if not visible.at_least(1):
        title = _title_text(root)
        raise NotADocumentError(f"the HTML page has no body text{f' (title {title!r})' if title else ''}")
    icons = found["svg"]
    if rules.drop_page_regions_first and _drop_page_regions((*found["header"], *found["footer"]), visible):
        icons = list(root.iter("svg"))      # those of the menus went with them
    _drop_hidden_icons(root, icons, rules.keep_hidden)
    if archived:
        _unwrap_web_archive(root)
    index = PageIndex(root)     # the page only loses elements from here on, and e-mail links their disguise
    _decode_cloudflare_emails(index)
    _remove_hidden(root, rules.keep_hidden, index)
    remove_chrome_sections(root, rules, index)
    return root, index


def _drop_page_regions(regions: Iterable[HtmlElement], visible: _VisibleText) -> bool:
    """What strip_chrome does to the page's own header and footer, done before the page is indexed: those outside
    any article or main element go unless they hold most of the text. Whether any went."""
    dropped = False
    for region in regions:
        if region.getparent() is not None and not _inside_content_root(region) and _at_most_half(region, visible):
            _remove(region)
            dropped = True
    return dropped


def _without_controls(markup: str, encoded: bytes | None = None) -> tuple[str, bytes | None]:
    """The markup without C0 controls (other than tab, line ends, form feed) and DEL, and in UTF-8 when that
    is the markup returned; ``encoded``: the markup in UTF-8, when at hand."""
    # In UTF-8 they are single bytes that no other character's bytes contain, and a byte deletion table finds
    # them in a fraction of the time a regular expression takes (deleting all other bytes leaves them alone).
    if encoded is None:
        try:
            encoded = markup.encode("utf-8")
        except UnicodeEncodeError:      # lone surrogates: the text has no UTF-8 form
            return _CONTROL.sub("", markup), None
    if not encoded.translate(None, _NOT_CONTROL_BYTES):
        return markup, encoded
    return _CONTROL.sub("", markup), None


# ------------------------------------------------------------------------------------------------ chrome

def _inside_content_root(element: HtmlElement) -> bool:
    return any(a.tag in ("article", "main") or a.get("role") == "main" for a in element.iterancestors())


def remove_chrome_sections(root: HtmlElement, rules: HtmlRules, index: PageIndex | None = None) -> None:
    """Sections titled like chrome ("Related Documents") go with everything under their heading."""
    if not rules.chrome_section_titles:
        return
    index = index or PageIndex(root)
    headings = list(root.iter(*HEADING_TAGS))
    by_role = index.with_value("role", "heading")
    if by_role:
        headings = index.in_document_order(headings + by_role)
    is_chrome_title = _any_matches(rules.chrome_section_titles)
    for heading in headings:
        if not is_chrome_title(one_line(text_content(heading)).rstrip(":")):
            continue
        if not _attached(heading, root):
            continue   # already removed with an earlier section
        section = _section_of(heading)
        if section is heading:
            _remove_following_under_heading(heading)
        _remove(section)


def _heading_level(element: HtmlElement) -> int:
    return int(element.tag[1]) if element.tag in HEADING_TAGS else 6


def _attached(element: HtmlElement, root: HtmlElement) -> bool:
    top = element
    for ancestor in element.iterancestors():
        top = ancestor
    return top is root


def _section_of(heading: HtmlElement) -> HtmlElement:
    """The element a heading titles: the ancestors it opens that hold no other heading of its rank."""
    level = _heading_level(heading)
    section = heading
    parent = heading.getparent()
    while parent is not None and parent.tag not in _CONTENT_ROOTS and parent.get("role") != "main":
        first = next((c for c in parent if isinstance(c.tag, str)), None)
        if first is not section or (parent.text or "").strip():
            break
        rivals = [h for h in parent.iter(*HEADING_TAGS) if _heading_level(h) <= level and h is not heading]
        if any(section not in h.iterancestors() for h in rivals):
            break
        section, parent = parent, parent.getparent()
    return section


def _remove_following_under_heading(heading: HtmlElement) -> None:
    level = _heading_level(heading)
    sibling = heading.getnext()
    while sibling is not None:
        if sibling.tag in HEADING_TAGS and _heading_level(sibling) <= level:
            break
        following = sibling.getnext()
        _remove(sibling)
        sibling = following


def strip_chrome(
    root: HtmlElement, rules: HtmlRules, protect: Collection[HtmlElement] = (), index: PageIndex | None = None
) -> None:
    """Drop page furniture: never-text tags, forms, navigation, page headers/footers, chrome classes.

    Elements in ``protect`` and their ancestors stay; an element named chrome only by a class word
    stays when it holds most of the page's text (a "page-with-sidebar" wrapper is not a sidebar).
    ``index``: the page's, when the caller has one.
    """
    index = index or PageIndex(root)
    etree.strip_elements(root, *_NEVER_TEXT_TAGS, with_tail=False)
    guarded: set[HtmlElement] = set()
    for element in protect:
        guarded.add(element)
        guarded.update(element.iterancestors())
    # What is removed here, with everything below it: an element inside one left the page with it, and dropping
    # it again (from its removed ancestor) would leave the page as it is.
    gone: set[HtmlElement] = set()

    def remove(element: HtmlElement) -> None:
        gone.update(element.iter())
        _remove(element)

    for element in index.select_any(rules.chrome_selectors, root):
        if element not in guarded and element.tag not in _CONTENT_ROOTS and element not in gone:
            remove(element)
    visible = _VisibleText(root, invisible_stripped=True)
    regions = index.select_any(rules.chrome_regions, root)
    # An article's own header and footer are content: those below an article or main element stay.
    regions += [e for e in root.iter(*_PAGE_LEVEL_TAGS) if not _inside_content_root(e)]
    for element in regions:
        if element in gone or element in guarded or element.tag in _CONTENT_ROOTS or element.getparent() is None:
            continue
        if _at_most_half(element, visible):
            remove(element)
    if rules.chrome_class_words is None and not rules.chrome_classes:
        return
    verdicts = _chrome_verdicts(rules)
    named: list[HtmlElement] = []
    by_word_only: set[HtmlElement] = set()     # these stay when they hold most of the page's text
    for key, elements in index.by_class_and_id.items():
        verdict = verdicts.get(key)
        if verdict is None:
            verdict = verdicts[key] = _chrome_verdict(rules.chrome_class_words, rules.chrome_classes, *key)
        by_word, by_class = verdict
        if by_word or by_class:
            named += elements
            if not by_class:
                by_word_only.update(elements)
    # The index lists elements removed since it was taken, most of those named with a region; they are skipped.
    on_page = set(root.iter(etree.Element))
    for element in index.in_document_order(e for e in named if e in on_page):
        if element in gone or element.getparent() is None:
            continue
        if element in guarded or element.tag in _CONTENT_ROOTS or element.get("role") == "main":
            continue
        if element in by_word_only and not _at_most_half(element, visible):
            continue
        remove(element)


def _at_most_half(element: HtmlElement, visible: _VisibleText) -> bool:
    """text_size(element) <= max(1, visible_text_length(page)) / 2, without counting all of the page."""
    size = text_size(element)
    return size == 0 or visible.at_least(2 * size)


# Pages of a site repeat their class attributes, on every item of a menu; ids make some pairs unique to a page,
# and the verdicts are forgotten when this many have gathered.
_MAX_VERDICTS = 4096
_verdicts: dict[tuple[re.Pattern[str] | None, frozenset[str]], dict[tuple[str, str], tuple[bool, bool]]] = {}


def _chrome_verdicts(rules: HtmlRules) -> dict[tuple[str, str], tuple[bool, bool]]:
    """The verdicts of ``_chrome_verdict`` under the rules' chrome words and classes, by (class, id)."""
    key = (rules.chrome_class_words, rules.chrome_classes)
    verdicts = _verdicts.get(key)
    if verdicts is None or len(verdicts) > _MAX_VERDICTS:
        verdicts = _verdicts[key] = {}
    return verdicts


def _chrome_verdict(
    class_words: re.Pattern[str] | None, chrome_classes: frozenset[str], classes: str, element_id: str
) -> tuple[bool, bool]:
    """(named chrome by a word of its class or id, by one of its classes) for an element's attributes."""
    words = f"{classes} {element_id}".strip()
    by_word = class_words is not None and bool(class_words.search(words))
    return by_word, bool(chrome_classes.intersection(classes.split()))


def refuse_non_document(
    root: HtmlElement, rules: HtmlRules, content: HtmlElement | None = None, index: PageIndex | None = None
) -> None:
    """Error pages served with status 200 and listings; run after chrome is stripped."""
    index = index or PageIndex(root)
    if rules.error_titles:
        candidates = [_title_text(root), *(inline_text(h) for h in root.iter("h1"))][:3]
        title = next((c for c in candidates if c and rules.error_titles.search(c)), None)
        if title and not _VisibleText(root).at_least(rules.short_page_chars):
            raise NotADocumentError(f"error page served as a document (title {title!r})")
    for css in rules.listing_selectors:
        rows = index.select(css, root)
        if len(rows) >= 3:
            raise NotADocumentError(
                f"search or listing page ({len(rows)} result rows '{css}'), not a document"
            )
    rows = _link_rows(content if content is not None else root)
    if not rows:
        return
    counter = rules.listing_counter.search(visible_text(root)) if rules.listing_counter else None
    if counter or _listing_dominates(rows, root):
        how = f"a result counter {counter.group(0)!r} and " if counter else ""
        raise NotADocumentError(f"listing page ({how}{len(rows)} link rows), not a document")


def _link_rows(root: HtmlElement) -> list[HtmlElement]:
    """The largest run of like siblings (same tag and class) each of which is mostly one link."""
    best: list[HtmlElement] = []
    for parent in root.iter():
        if len(parent) < 5:     # counts comments too: an upper bound of the element children
            continue
        children = [c for c in parent if isinstance(c.tag, str)]
        if len(children) < 5:
            continue
        groups: dict[tuple[str, str], list[HtmlElement]] = {}
        for child in children:
            groups.setdefault((child.tag, child.get("class", "")), []).append(child)
        for group in groups.values():
            rows = [row for row in group if _is_link_row(row)]
            if len(rows) >= 5 and len(rows) >= len(group) * 0.8 and len(rows) > len(best):
                best = rows
    return best


def _is_link_row(element: HtmlElement) -> bool:
    links = [a for a in element.iter("a") if a is not element and a.get("href") is not None]
    if not links:
        return False
    text = text_size(element)
    linked = max(text_size(a) for a in links)
    return text > 0 and linked >= min(text * 0.3, 40)


def _listing_dominates(rows: Sequence[HtmlElement], root: HtmlElement) -> bool:
    """The rows carry most of the page's text and no long paragraph stands outside them."""
    in_rows = sum(text_size(r) for r in rows)
    if in_rows < visible_text_length(root) * 0.6:
        return False
    row_set = set(rows)
    return not any(
        text_size(p) >= 250 and not row_set.intersection(p.iterancestors()) for p in root.iter("p")
    )


def in_page_chrome(element: HtmlElement) -> bool:
    """Inside the page's navigation, header or footer (not an article's own header)."""
    for ancestor in element.iterancestors():
        if ancestor.tag == "nav" or (ancestor.tag in _PAGE_LEVEL_TAGS and not _inside_content_root(ancestor)):
            return True
    return False


def absolute_url(href: str, base: str | None) -> str:
    """A link made absolute against the page URL, itself freed of any web-archive prefix.

    A link to an embedded viewer ("viewer.html?file=/scan.pdf") stands for the file it shows.
    """
    href = _WAYBACK_PREFIX.sub("", href.strip())
    shown = parse_qs(urlsplit(href).query).get("file") if "?" in href else None
    if shown and _DOCUMENT_FILE.search(shown[0]):
        href = shown[0]
    if href.startswith("//"):
        return "https:" + href
    return urljoin(_WAYBACK_PREFIX.sub("", base), href) if base else href


def download_links(
    root: HtmlElement, selectors: Sequence[str], base: str | None, index: PageIndex | None = None
) -> list[str]:
    """URLs of scans and PDFs the page links or embeds, outside the page's navigation and footer."""
    urls: list[str] = []
    index = index or PageIndex(root)
    for element in index.select_any(selectors, root):
        target = element.get("href") or element.get("src") or element.get("data")
        if target and not target.startswith(_NOT_DOWNLOADS) and not in_page_chrome(element):
            urls.append(absolute_url(target, base))
    return list(dict.fromkeys(urls))


# -------------------------------------------------------------------------------------------- the walker

def inline_text(element: HtmlElement | None) -> str:
    """An element's text on one line: line breaks and block boundaries become spaces, runs of space one."""
    if element is None:
        return ""
    if not len(element):
        return one_line(element.text or "")
    # (lxml's iter() with some forty tag names costs more to set up than walking a small subtree in Python.)
    if not any(e.tag in _BREAKS_LINE for e in element.iterdescendants()):
        return one_line(text_content(element))
    parts: list[str] = []
    for event, node in etree.iterwalk(element, events=("start", "end")):
        if node.tag == "br" or node.tag in BLOCK_TAGS:
            parts.append(" ")
        if event == "start":
            parts.append(node.text or "")
        elif node is not element:
            parts.append(node.tail or "")
    return one_line("".join(parts))


class _Walker:
    """DOM to paragraphs in one pass over start/end events, so nesting depth costs no recursion."""

    # What an element did when it opened, undone when it closes.
    INLINE, BLOCK, GROUP, ROW, CELL = range(5)
    IN_LINK = 8    # added to the action of a link that counts toward link density
    IN_PRE = 16    # added to the action of a <pre>

    def __init__(self, line_groups: Collection[HtmlElement], skip: Collection[HtmlElement]):
        self.line_groups = line_groups
        self.skip = skip
        self.blocks: list[TextBlock] = []
        self.lines: list[str] = []
        self.parts: list[str] = []
        self.link_chars = 0
        self.opening_tag = ""
        self.group_depth = 0
        self.link_depth = 0
        self.pre_depth = 0
        self.cells: list[int] = []     # cells seen so far in each open table row
        self.cell_gap = False          # a cell separator is due before the next text

    def walk(self, root: HtmlElement) -> list[TextBlock]:
        actions: list[int] = []
        skipping = 0
        for event, element in etree.iterwalk(root, events=("start", "end")):
            if event == "start":
                if skipping or element in self.skip:
                    skipping += 1
                    continue
                if (element.tag in _ONE_PARAGRAPH_BLOCKS and not len(element) and not self.group_depth
                        and not self.link_depth and element not in self.line_groups):
                    actions.append(self._paragraph_of(element))
                    continue
                actions.append(self._start(element))
                continue
            if skipping:
                skipping -= 1
            else:
                self._end(actions.pop())
            if not skipping and element is not root:
                self._add_text(element.tail)
        self._break_paragraph()
        return self.blocks

    def _paragraph_of(self, element: HtmlElement) -> int:
        """What _start and _end come to for a block with no children outside line groups and links: a paragraph
        of its own text (most paragraphs of a document are such a <p>)."""
        self._boundary()
        line = one_line(element.text or "")
        if line:
            self.blocks.append(TextBlock(line, 0, element.tag))
        self.link_chars, self.opening_tag = 0, ""
        return self.INLINE     # nothing left to undo at its end

    def _start(self, element: HtmlElement) -> int:
        tag = element.tag
        if not isinstance(tag, str):
            tag = ""
        action = self.INLINE
        if tag == "br":
            if self.cells:
                self.parts.append(" ")
            else:
                self._break_line()
        elif tag in _CELL_TAGS and self.cells:
            # the separator waits for the cell's first text, so empty cells add none
            self.cell_gap = bool(self.cells[-1]) and bool("".join(self.parts).strip())
            self.cells[-1] += 1
            action = self.CELL
        elif tag == "tr" and self.group_depth:
            self._break_line()
            self.cells.append(0)
            action = self.ROW
        elif tag == "table" and _is_data_table(element):
            self._boundary()
            self.group_depth += 1
            action = self.GROUP
        elif tag in BLOCK_TAGS or element in self.line_groups:
            self._boundary()
            if not self.lines and not self.parts:
                self.opening_tag = tag
            if tag in _LINE_GROUP_TAGS or element in self.line_groups:
                self.group_depth += 1
                action = self.GROUP
            else:
                action = self.BLOCK
        if tag == "a" and _is_navigation_link(element):
            self.link_depth += 1
            action += self.IN_LINK
        elif tag == "pre":
            self.pre_depth += 1
            action += self.IN_PRE
        self._add_text(element.text)
        return action

    def _end(self, action: int) -> None:
        if action >= self.IN_PRE:
            self.pre_depth -= 1
            action -= self.IN_PRE
        elif action >= self.IN_LINK:
            self.link_depth -= 1
            action -= self.IN_LINK
        if action == self.ROW:
            self.cells.pop()
            self.cell_gap = False
            self._break_line()
        elif action == self.GROUP:
            self.group_depth -= 1
            self._boundary()
        elif action == self.BLOCK:
            self._boundary()

    def _boundary(self) -> None:
        if self.group_depth:
            self._break_line()
        elif self.parts or self.lines:
            self._break_paragraph()
        else:     # what _break_paragraph comes to with nothing gathered; blocks open and close on each other
            self.link_chars, self.opening_tag = 0, ""

    def _add_text(self, text: str | None) -> None:
        if not text:
            return
        if self.pre_depth:
            first, *rest = text.split("\n")
            self._append(first)
            for line in rest:
                self._break_line()
                self._append(line)
        else:
            self._append(text)

    def _append(self, text: str) -> None:
        if text:
            if self.cell_gap and text.strip():
                self.parts.append(" | ")
                self.cell_gap = False
            self.parts.append(text)
            if self.link_depth:
                self.link_chars += len(text.strip())

    def _break_line(self) -> None:
        if not self.parts:
            return
        line = one_line("".join(self.parts))
        self.parts = []
        if line:
            self.lines.append(line)

    def _break_paragraph(self) -> None:
        self._break_line()
        if self.lines:
            text = "\n".join(self.lines)
            self.blocks.append(TextBlock(text, min(self.link_chars, len(text)), self.opening_tag or "p"))
        self.lines, self.link_chars, self.opening_tag = [], 0, ""


def _is_navigation_link(link: HtmlElement) -> bool:
    """Links that make boilerplate link-dense; an e-mail address in a letter is not one."""
    return not (link.get("href") or "").lower().startswith("mailto:")


def _is_data_table(table: HtmlElement) -> bool:
    """Layout tables hold paragraphs, lists or other tables; data tables hold cell text."""
    return not any(element is not table and element.tag in _LAYOUT_CONTENT_TAGS for element in table.iter())


def text_blocks(
    root: HtmlElement, line_groups: Collection[HtmlElement] = (), skip: Collection[HtmlElement] = ()
) -> list[TextBlock]:
    """Paragraphs of an element; ``line_groups`` keep their inner blocks as lines of one paragraph."""
    return _Walker(frozenset(line_groups), frozenset(skip)).walk(root)


def paragraphs(
    root: HtmlElement, line_groups: Collection[HtmlElement] = (), skip: Collection[HtmlElement] = ()
) -> list[str]:
    return [block.text for block in text_blocks(root, line_groups, skip)]


# ------------------------------------------------------------------------------------------ main content

# A block counts toward content when at most this share of its text is link text.
_CONTENT_LINK_DENSITY = 0.33
# The detector moves into a child container while it holds this share of the content weight.
_CONTENT_SHARE = 0.9
# Short lines (salutations, signatures) weigh as if they had this many characters.
_MIN_BLOCK_WEIGHT = 30


def _block_of(element: HtmlElement) -> HtmlElement:
    node = element
    while node is not None and node.tag not in BLOCK_TAGS:
        node = node.getparent()
    return node if node is not None else element


def content_weights(root: HtmlElement) -> dict[HtmlElement, float]:
    """Weight of content text under each element: non-link characters of blocks that are not link lists.

    This is the text-density / link-density scoring of boilerplate removers (jusText, readability):
    text is counted per block element, blocks dominated by links count for nothing, and the weight
    of every block is added to all of its ancestors.
    """
    text: dict[HtmlElement, int] = {}
    linked: dict[HtmlElement, int] = {}
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        pieces = [element.text or ""] + [child.tail or "" for child in element]
        own = sum(len(p.strip()) for p in pieces)
        if not own:
            continue
        block = _block_of(element)
        text[block] = text.get(block, 0) + own
        in_link = element.tag == "a" or any(a.tag == "a" for a in _ancestors_to(element, block))
        if element is not block and in_link:
            linked[block] = linked.get(block, 0) + own
    weights: dict[HtmlElement, float] = {}
    for block, chars in text.items():
        links = linked.get(block, 0)
        if links > chars * _CONTENT_LINK_DENSITY:
            continue
        weight = max(chars - links, _MIN_BLOCK_WEIGHT)
        node = block
        while node is not None:
            weights[node] = weights.get(node, 0.0) + weight
            if node is root:
                break
            node = node.getparent()
    return weights


def _ancestors_to(element: HtmlElement, stop: HtmlElement) -> Iterable[HtmlElement]:
    for ancestor in element.iterancestors():
        yield ancestor
        if ancestor is stop:
            return


def main_content(root: HtmlElement) -> HtmlElement:
    """The deepest container that still holds nearly all of the page's content weight."""
    body = _body(root)
    node = body if body is not None else root
    weights = content_weights(node)
    while node.tag not in _LEAF_BLOCK_TAGS:
        total = weights.get(node, 0.0)
        if not total:
            break
        children = (c for c in node if isinstance(c.tag, str))
        heaviest = max(children, key=lambda c: weights.get(c, 0.0), default=None)
        if heaviest is None or weights.get(heaviest, 0.0) < total * _CONTENT_SHARE:
            break
        if heaviest.tag in _LEAF_BLOCK_TAGS:
            break
        node = heaviest
    return node


def content_blocks(blocks: Sequence[TextBlock], max_link_density: float = 0.5) -> list[TextBlock]:
    """Blocks of a content container minus link lists left in it (tag clouds, "see also" rows)."""
    return [b for b in blocks if not (b.link_density > max_link_density and len(b.text) < 400)]


# --------------------------------------------------------------------------------------- labelled values

def labelled_pairs(root: HtmlElement) -> list[tuple[HtmlElement, str, HtmlElement]]:
    """(container, label, value element) from definition lists and two-column label/value tables."""
    pairs: list[tuple[HtmlElement, str, HtmlElement]] = []
    for dl in root.iter("dl"):
        label = None
        for child in dl.iter("dt", "dd"):
            if child.tag == "dt":
                label = inline_text(child)
            elif label:
                pairs.append((dl, label, child))
    for table in root.iter("table"):
        rows = _TABLE_ROWS(table)
        cells = [_ROW_CELLS(row) for row in rows]
        if not rows or any(len(c) != 2 for c in cells):
            continue
        labels = [inline_text(c[0]) for c in cells]
        if all(0 < len(label) <= 40 for label in labels):
            pairs.extend((table, label, c[1]) for label, c in zip(labels, cells, strict=True))
    return pairs


def _meta_content(root: HtmlElement) -> Iterable[tuple[str, str]]:
    for meta in root.iter("meta"):
        key = (meta.get("name") or meta.get("property") or meta.get("itemprop") or "").strip()
        value = (meta.get("content") or "").strip()
        if key and value:
            yield key, value


def load_json_ld(raw: str) -> list[dict]:
    """The JSON-LD objects of one script element; tolerant of comment wrappers and trailing commas."""
    text = _JSON_WRAPPER.sub("", raw.strip())
    for candidate in (text, _JSON_TRAILING_COMMA.sub(r"\1", text)):
        try:
            data = json.loads(candidate, strict=False)
        except (ValueError, RecursionError):
            continue
        return _json_ld_nodes(data)
    return []


def _json_ld_nodes(data: object) -> list[dict]:
    nodes: list[dict] = []
    pending = [data]
    while pending and len(nodes) < 200:
        item = pending.pop(0)
        if isinstance(item, list):
            pending.extend(item)
        elif isinstance(item, dict):
            if "@graph" in item:
                pending.extend(item["@graph"] if isinstance(item["@graph"], list) else [item["@graph"]])
            if "@type" in item:
                nodes.append(item)
    return nodes


def json_ld_values(value: object) -> list[str]:
    """Strings of a JSON-LD value: plain strings, names of things, @value literals, lists of them."""
    pending, found = [value], []     # a stack: children go on top in reverse to keep document order
    while pending and len(found) < 100:
        item = pending.pop()
        if isinstance(item, str):
            if item.strip():
                found.append(item.strip())
        elif isinstance(item, (int, float)) and not isinstance(item, bool):
            found.append(str(item))
        elif isinstance(item, list):
            pending.extend(reversed(item[:100]))
        elif isinstance(item, dict):
            key = next((k for k in ("name", "@value", "text", "headline", "value") if k in item), None)
            if key:
                pending.append(item[key])
    return found


def _json_ld_document(nodes: Sequence[dict], preferred_types: Sequence[str]) -> dict | None:
    def types(node: dict) -> list[str]:
        kind = node.get("@type")
        return [kind] if isinstance(kind, str) else [k for k in kind if isinstance(k, str)] if isinstance(
            kind, list) else []

    for wanted in preferred_types:
        for node in nodes:
            if wanted in types(node):
                return node
    return None


def read_head_metadata(
    root: HtmlElement,
    meta_fields: dict[str, str],
    json_ld_fields: dict[str, str],
    json_ld_types: Sequence[str],
    item_kinds: Collection[str],
) -> PageMetadata:
    """Blocks from JSON-LD first, then <meta> (Dublin Core, OpenGraph, citation_*), by the profile's tables.

    Multi-valued kinds (``item_kinds``) gather their values as items; other kinds keep their first value.
    """
    metadata = PageMetadata(page_title=_title_text(root) or None)

    def add(kind: str, values: list[str], origin: str) -> None:
        """The first source of a kind wins; a repeated <meta> of that source adds items to it."""
        values = [v for v in (one_line(v) for v in values) if v]
        existing = next((b for b in metadata.blocks if b.kind == kind), None)
        if not values or (existing is not None and (kind not in item_kinds or existing.origin != origin)):
            return
        if kind not in item_kinds:
            metadata.blocks.append(Block(kind, values[0], origin))
            return
        items = tuple({v.casefold(): v for v in (*(existing.items if existing else ()), *values)}.values())
        block = Block(kind, "\n".join(items), origin, items)
        if existing is None:
            metadata.blocks.append(block)
        else:
            metadata.blocks[metadata.blocks.index(existing)] = block

    nodes: list[dict] = []
    for script in _JSON_LD_SCRIPTS(root):
        nodes.extend(load_json_ld(script.text or ""))
    document = _json_ld_document(nodes, json_ld_types)
    if document is not None:
        for key, kind in json_ld_fields.items():
            if key in document:
                values = json_ld_values(document[key])
                if kind in item_kinds and len(values) == 1 and key == "keywords":
                    values = [v.strip() for v in values[0].split(",")]
                add(kind, values, f"jsonld:{key}")
    lowered = {k.casefold(): k for k in meta_fields}
    for key, value in _meta_content(root):
        name = lowered.get(key.casefold())
        if name:
            add(meta_fields[name], [value], f"meta:{key}")
    return metadata


# ------------------------------------------------------------------------------------------------ finish

_BLANK_LINES = re.compile(r"\n{3,}")


def _tidy(text: str, keep_blank_lines: bool) -> str:
    if "\n" not in text:     # most values are one line
        return one_line(text)
    lines = [one_line(line) for line in text.split("\n")]
    if keep_blank_lines:
        return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
    return "\n".join(line for line in lines if line)


@lru_cache(maxsize=64)
def _any_matches(patterns: tuple[re.Pattern[str], ...]) -> Callable[[str], bool]:
    """A test of whether any of the patterns is found in a line: one regular expression when every
    pattern is anchored at the start (a search of each would try position 0 and stop there anyway)."""
    branches = [_anchored_branch(p) for p in patterns]
    if patterns and None not in branches:
        try:
            combined = re.compile("^(?:" + "|".join(branches) + ")")     # type: ignore[arg-type]
        except re.error:
            pass
        else:
            return lambda line: combined.search(line) is not None
    return lambda line: any(p.search(line) for p in patterns)


_SCOPED_FLAGS = ((re.IGNORECASE, "i"), (re.DOTALL, "s"))


def _anchored_branch(pattern: re.Pattern[str]) -> str | None:
    """The pattern without its leading ^ as a group keeping its flags, or None when it is not anchored
    as a whole (a top-level | makes ^ belong to the first alternative only) or uses what a combined
    expression could not keep (multi-line or verbose mode, numbered back-references)."""
    text = pattern.pattern
    flags = pattern.flags & ~re.UNICODE
    if not isinstance(text, str) or not text.startswith("^") or flags & ~(re.IGNORECASE | re.DOTALL):
        return None
    depth, in_class, class_start, escaped = 0, False, 0, False
    for position, char in enumerate(text):
        if escaped:
            if char.isdigit() and not in_class:
                return None
            escaped = False
        elif char == "\\":
            escaped = True
        elif in_class:
            in_class = char != "]" or position == class_start     # "[]...]" and "[^]...]" hold a "]"
        elif char == "[":
            in_class = True
            class_start = position + (2 if text.startswith("^", position + 1) else 1)
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            return None
    if "(?P=" in text:
        return None
    letters = "".join(letter for flag, letter in _SCOPED_FLAGS if flags & flag)
    return f"(?{letters}:{text[1:]})"


def finish(
    site: str,
    profile: str,
    body: Sequence[str],
    blocks: Sequence[Block],
    rules: HtmlRules,
    warnings: Sequence[str] = (),
) -> CleanDoc:
    """Repair and normalize every extracted string, drop chrome lines from the text, build the CleanDoc."""
    item_counts = [len(b.items) for b in blocks]
    texts = [*body, *(b.text for b in blocks), *(i for b in blocks for i in b.items)]
    # ASCII text has nothing for Unicode repair to fix once the parser input lost its control characters,
    # and ftfy costs tens of microseconds a call.
    fixed = [t if t.isascii() else normalize_text(t) for t in texts]
    paragraphs_out: list[str] = []
    is_chrome = _any_matches(rules.chrome_lines)
    # The profiles hand over tidy paragraphs; only what Unicode repair changed may need tidying again.
    for paragraph, original in zip(fixed[: len(body)], body, strict=True):
        tidy = paragraph if paragraph is original else _tidy(paragraph, False)
        lines = [line for line in tidy.split("\n") if line and not is_chrome(line)]
        if lines:
            paragraphs_out.append("\n".join(lines))
    block_texts = fixed[len(body): len(body) + len(blocks)]
    items_flat = fixed[len(body) + len(blocks):]
    blocks_out: list[Block] = []
    seen: set[tuple[str, str, tuple[str, ...]]] = set()
    position = 0
    for block, text, count in zip(blocks, block_texts, item_counts, strict=True):
        items: tuple[str, ...] = ()
        if count:
            items = tuple(i for i in (_tidy(i, False) for i in items_flat[position: position + count]) if i)
        position += count
        text = _tidy(text, True)
        key = (block.kind, text, items)
        if (text or items) and key not in seen:
            seen.add(key)
            blocks_out.append(Block(block.kind, text, block.origin, items))
    warnings_out = list(warnings)
    if not paragraphs_out:
        warnings_out.append("no document text found on the page")
    return CleanDoc(site, profile, paragraphs_out, blocks_out, warnings_out)
