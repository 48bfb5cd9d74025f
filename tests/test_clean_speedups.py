"""The faster ways of the clean stage give what the slower ones gave: parsing the page's own UTF-8 bytes, byte-level
checks of the markup, the index following a changed element, and the shortcuts of chrome removal."""

import re

import lxml.html
import pytest
from lxml import etree
from lxml.cssselect import CSSSelector

from pipeline.clean import clean, decode
from pipeline.clean import html as page_html
from pipeline.clean.selectors import PageIndex
from pipeline.models import RawPage
from pipeline.sites import generic

MARKUPS = [
    "<html><head><title>T</title></head><body><p>Zieliński met Kovács in Kraków, “quoted”.</p></body></html>",
    '<html><head><meta charset="iso-8859-1"></head><body><p>é ü</p></body></html>',
    "\ufeff<html><body><p>bom</p></body></html>",
    "<p>a\r\nb\rc\x0cd \x85 e \ufffe f 𝔘 g \u2028 h</p>",
    "<p>&#xD800; &#0; &#x85; &amp;</p>",
    "text before <p>ascii only</p>",
]


@pytest.mark.parametrize("markup", MARKUPS)
def test_parsing_the_utf8_bytes_gives_the_tree_of_the_text(markup):
    from_text = page_html.parse_html(markup)
    from_bytes = page_html.parse_html(markup, markup.encode("utf-8"))
    assert etree.tostring(from_bytes, encoding="unicode") == etree.tostring(from_text, encoding="unicode")


def test_text_declaring_an_xml_encoding_is_parsed_as_text():
    markup = '<?xml version="1.0" encoding="iso-8859-2"?><html><body><p>x</p></body></html>'
    with pytest.raises(Exception) as from_text:
        page_html.parse_html(markup)
    with pytest.raises(type(from_text.value)):
        page_html.parse_html(markup, markup.encode("utf-8"))


@pytest.mark.parametrize("markup", [
    "plain", "a\x00b\x07c\x7f", "tab\tline\nform\x0cfeed", "Zieliński\x1b[0m", "lone \ud800 surrogate",
])
def test_controls_are_found_in_the_bytes(markup):
    expected = page_html._CONTROL.sub("", markup)
    for encoded in (None, *([markup.encode("utf-8")] if "\ud800" not in markup else [])):
        cleaned, utf8 = page_html._without_controls(markup, encoded)
        assert cleaned == expected
        assert utf8 is None or utf8 == cleaned.encode("utf-8")


@pytest.mark.parametrize("markup", [
    "<a href='/web/20200101000000/http://x.org/'>", "<a href='https://web.archive.org/web/2020/x'>",
    "<iframe src='/pdfjs/web/viewer.html'>", "<a href='/web/1234567'>", "<a href='/web/١٢٣٤٥٦٧٨٩'>",
    "nothing here", "/web/" + "é" * 20,
])
def test_web_archive_pages_are_recognised_in_bytes_as_in_text(markup):
    expected = bool(re.search(r"/web/[0-9]{8,14}", markup))
    assert page_html._from_web_archive(markup) is expected
    assert page_html._from_web_archive(markup, markup.encode("utf-8")) is expected


@pytest.mark.parametrize("sample", ["", "<html>", "a\x01b\x1bc\x1f\ufffd", "é" * 50 + "\x08", "\ud800\x02"])
def test_binary_junk_counts_like_the_regex(sample):
    assert page_html._binary_junk(sample) == len(re.findall(r"[\x00-\x08\x0e-\x1a\x1c-\x1f\ufffd]", sample))


def html_page(data: bytes, charset: str | None = None) -> RawPage:
    return RawPage(path="x.html", data=data, media_type="text/html", sha256="0" * 64, charset=charset)


def test_decode_hands_over_the_bytes_only_when_they_are_the_markup_in_utf8():
    text = "<html><body><p>Zieliński</p></body></html>"
    assert decode.decode_page_source(html_page(text.encode("utf-8"))) == (text, text.encode("utf-8"), [])
    assert decode.decode_page_source(html_page(b"\xef\xbb\xbf" + text.encode("utf-8")))[1] is None
    assert decode.decode_page_source(html_page(text.encode("cp1250"), "cp1250"))[1] is None
    plain = RawPage(path="x.txt", data=b"Zieli\xc5\x84ski", media_type="text/plain", sha256="0" * 64)
    assert decode.decode_page_source(plain) == ("Zieliński", None, [])


def test_clean_gives_the_same_document_with_and_without_the_bytes():
    markup = (
        "<html><head><title>Letter | Archive</title></head><body><nav><a href='/'>Home</a></nav>"
        "<main><h1>Letter from Kraków</h1><p>Dear Comrade Zieliński, the talks in Kraków went well.</p>"
        "<p>Write to <a href='/cdn-cgi/l/email-protection#1a7b7e777374' data-cfemail='1a7b7e777374'>"
        "[email&#160;protected]</a> with questions.</p></main><footer>Footer text</footer></body></html>"
    )
    page = html_page(markup.encode("utf-8"))
    assert clean(page) == generic.clean_html(markup, page)


PAGE = """<html><body>
<div class="menu" id="top"><a href="/cdn-cgi/l/email-protection#00" class="cf note">[email protected]</a>
<span class="__cf_email__ note" data-cfemail="1a7b7e777374" style="color:red">x</span></div>
<p class="note">Text <a href="/a.pdf" class="note">a</a></p></body></html>"""


def test_the_index_follows_changed_attributes():
    root = lxml.html.document_fromstring(PAGE)
    index = PageIndex(root)
    for element in [*root.iter("span", "a")]:
        before = element.items()
        element.attrib.clear()
        element.set("href", "mailto:x@example.org")
        element.set("class", "mail")
        index.attributes_changed(element, before)
    for css in [".note", ".mail", "[href^=mailto]", "[data-cfemail]", "[style]", "a[href$='.pdf']", "#top .mail"]:
        assert index.select(css) == CSSSelector(css)(root), css
    assert [e.tag for e, _ in index.with_attribute("href")] == ["a", "span", "a"]


@pytest.mark.parametrize("selectors", [(".note",), ("h1", ".missing"), (".missing", "p a"), ("#top", "b"), ()])
def test_any_selected_tells_whether_select_any_finds_anything(selectors):
    root = lxml.html.document_fromstring(PAGE)
    index = PageIndex(root)
    assert index.any_selected(selectors) is bool(index.select_any(selectors))


def test_chrome_inside_removed_chrome_leaves_the_page_as_removing_it_again_would():
    markup = (
        "<html><body><header><nav class='menu'><ul><li class='menu-item'><a href='/'>Home</a></li></ul></nav>"
        "<form><label>Search</label><input></form></header><main><p>" + "Document text. " * 40 + "</p>"
        "<aside class='sidebar'><p>Related</p><div class='share-links'>Share</div></aside></main>"
        "<footer class='site-footer'><nav>Links</nav></footer></body></html>"
    )
    root = lxml.html.document_fromstring(markup)
    page_html.strip_chrome(root, generic.HTML_RULES)
    assert page_html.visible_text(root) == ("Document text. " * 40).strip()


@pytest.mark.parametrize("body", [
    "<p>Text</p><script>var x = 1;</script><p>more text</p><style>p { color: red }</style>",
    "<script>only()</script>",
    "<p>Zieliński</p><noscript><p>Enable JavaScript</p></noscript><script>x()</script>",
    "<template><div>inner</div></template><p>after</p>",
    "<div><p>Text</p><script>var nested = 1;</script> after</div><style>p {}</style>",
    "<noscript><p>No scripts</p><style>p {}</style></noscript><p>Text</p>",
    "",
])
def test_visible_text_length_leaves_out_scripts_and_styles_and_keeps_them_on_the_page(body):
    root = lxml.html.document_fromstring(f"<html><head><title>T</title></head><body>{body} tail</body></html>")
    before = etree.tostring(root)
    scope = root.find("body")
    invisible = sum(
        page_html._non_space(e.text or "") if not len(e) else page_html.text_size(e)
        for e in scope.iter("script", "style", "noscript", "template", "head")
    )
    expected = max(0, page_html.text_size(scope) - invisible)
    assert page_html.visible_text_length(root) == expected
    assert etree.tostring(root) == before


@pytest.mark.parametrize("markup", [
    "<div><p>One.</p><p> Two  words </p>tail text<p></p><h2>Head</h2><p>Three <em>with</em> inline.</p></div>",
    "<div>lead<p>after lead</p><br>line<p>next</p></div>",
    "<div><ul><li>item one</li><li>item two</li></ul><p>after list</p></div>",
    "<div><a href='/x'><p>inside a link</p></a><p>outside</p></div>",
    "<div><table><tr><td>cell</td><td>other</td></tr></table><p>after</p></div>",
    "<div><pre>pre\ntext</pre><address>Street</address><p>end</p></div>",
    "<div><blockquote><p>quoted</p></blockquote><td>stray cell</td><tr>stray row</tr></div>",
    "<p>the root alone</p>",
])
def test_childless_blocks_read_as_the_full_walk_reads_them(markup, monkeypatch):
    element = lxml.html.fragment_fromstring(markup, create_parent=False)
    groups = [element.find(".//address")] if element.find(".//address") is not None else []
    shortcut = page_html.text_blocks(element), page_html.text_blocks(element, line_groups=groups)
    monkeypatch.setattr(page_html, "_ONE_PARAGRAPH_BLOCKS", frozenset())
    assert shortcut == (page_html.text_blocks(element), page_html.text_blocks(element, line_groups=groups))


WHITE_SPACE = [chr(c) for c in range(0x110000) if chr(c).isspace()]


@pytest.mark.parametrize("space", WHITE_SPACE, ids=lambda c: f"U+{ord(c):04X}")
def test_one_line_joins_every_white_space_as_splitting_does(space):
    for text in (f"a{space}b", f"{space}ab", f"ab{space}", f"a {space}b", space, f"one line{space}", "one line"):
        assert page_html.one_line(text) == " ".join(text.split())
