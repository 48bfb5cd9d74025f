"""Shortcuts of the clean stage's second speed round give what the slower ways gave: hidden SVG icons dropped
before the page is indexed, attribute selectors ruled out by one search of all values, and ``Selector.matches``
deciding on the element itself before walking up the tree."""

import pytest
from lxml import etree
from lxml.cssselect import CSSSelector

from pipeline.clean import html as page_html
from pipeline.clean.selectors import PageIndex, compile_selector

ICON = '<svg aria-hidden="true" viewBox="0 0 8 8"><path d="M0 0h8v8z"/></svg>'
PAGES = [
    f"<html><body><nav><a href='/a'>{ICON}Home</a> tail</nav><p>Text {ICON} after the icon.</p></body></html>",
    # Kept by the rules: a hidden icon inside a kept pane goes, the kept element itself stays.
    f"<html><body><div class='pane'>{ICON}<p>Kept text</p></div>"
    f"<svg class='pane' aria-hidden='true'><text>kept icon</text></svg> end</body></html>",
    # An icon with an e-mail disguise is decoded (its attributes cleared) before hidden elements go.
    "<html><body><p>Mail <svg aria-hidden='true' data-cfemail='422a2b02'>x</svg> me.</p></body></html>",
    f"<html><body><p>Nested <span aria-hidden='true'>{ICON} hidden</span> and {ICON}<svg>shown</svg>.</p></body></html>",
]
KEEP = (".pane",)


def _prepared_slowly(markup: str) -> str:
    """What prepare_page gave before hidden icons were dropped ahead of the index."""
    root = page_html.parse_html(markup)
    index = PageIndex(root)
    page_html._decode_cloudflare_emails(index)
    page_html._remove_hidden(root, KEEP, index)
    return etree.tostring(root, encoding="unicode")


@pytest.mark.parametrize("markup", PAGES)
def test_hidden_icons_dropped_before_indexing_leave_the_page_as_remove_hidden_did(markup):
    rules = page_html.HtmlRules(keep_hidden=KEEP, short_page_chars=0)
    root, index = page_html.prepare_page(markup, rules)
    assert etree.tostring(root, encoding="unicode") == _prepared_slowly(markup)
    assert all(element.getparent() is not None or element is root for element in root.iter())
    assert not [e for e in index.select("svg") if e.get("aria-hidden") == "true" and e.get("class") != "pane"]


LINKS = (
    "<html><body><a href='/files/report.pdf'>r</a><a href='#main'>skip</a><a href='/x.pdf?page=2'>p</a>"
    "<a href='/docs/a b'>w</a><a rel='next' href='/2'>n</a><iframe src='/viewer.html'></iframe></body></html>"
)
ATTRIBUTE_SELECTORS = [
    'a[href$=".pdf"]', 'a[href*=".pdf?"]', "a[href='#main']", "a[href='#content']", "a[href^='/docs']",
    "a[href~='b']", "a[href~='c']", "a[rel=prev]", "a[rel]", "iframe[src*='.pdf']", "[href=' ']", "a[href='']",
]


@pytest.mark.parametrize("css", ATTRIBUTE_SELECTORS)
def test_attribute_selectors_find_what_xpath_finds(css):
    root = page_html.parse_html(LINKS)
    assert PageIndex(root).select(css) == CSSSelector(css)(root)


def test_attribute_values_are_searched_as_the_page_is_after_a_change():
    root = page_html.parse_html(LINKS)
    index = PageIndex(root)
    assert index.select("a[href$='.djvu']") == []
    link = root.find(".//a")
    before = link.items()
    link.set("href", "/scan.djvu")
    index.attributes_changed(link, before)
    assert index.select("a[href$='.djvu']") == [link]


@pytest.mark.parametrize("css", [".pane", "div.pane p", "svg, .pane", "body > .pane", "[role=main] p", "p"])
def test_matches_agrees_with_the_selection(css):
    root = page_html.parse_html(PAGES[1] + "<div role='main'><p>x</p></div>")
    selector, selected = compile_selector(css), set(CSSSelector(css)(root))
    for element in root.iter(etree.Element):
        assert selector.matches(element, root) == (element in selected)
        assert selector.matches(element, next(root.iter("body"))) == (element in selected and element.tag != "html")
