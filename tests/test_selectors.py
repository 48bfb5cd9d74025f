"""PageIndex answers CSS selectors exactly as lxml's CSSSelector does, on a page that loses elements."""

import lxml.html
import pytest
from lxml.cssselect import CSSSelector

from pipeline.clean.selectors import PageIndex, class_words, compile_selector

PAGE = """<html><body>
<header class="site-header"><nav id="menu" class="nav main-nav" role="navigation">
  <ul class="menu"><li class="menu-item"><a href="/">Home</a></li>
  <li class="menu-item active"><a href="/about" rel="next">About</a></li></ul></nav></header>
<main id="content">
  <div class="tab-pane active" id="translation" role="tabpanel"><p>First paragraph.</p>
    <p class="note">A note with <a href="#fn1" class="note">1</a> marker.</p></div>
  <div class="tab-pane" id="scan"><a class="down" href="/files/scan.pdf">Scan</a>
    <a href="/files/scan.pdf?download=1" download>Download</a></div>
  <section class="pill-block"><h3 class="title">Places</h3>
    <div class="pill"><span class="name"><span>Vienna</span></span></div>
    <div class="pill"><span class="name"><span>Prague</span></span></div></section>
  <section class="pill-block"><h3 class="title">Topics</h3>
    <div class="pill"><span class="name"><span>Trade</span></span></div></section>
  <div class="information-block"><h3 class="sub-title">Record ID</h3><div class="text">12345</div></div>
  <div class="search-res"><ul><li>one</li><li>two</li></ul></div>
  <ul class="long">""" + "".join(f'<li class="item"><a href="/d/{n}">Document {n}</a></li>' for n in range(40)) + """</ul>
</main>
<footer class="site-footer"><p class="x&#160;y">Footer text</p><form><input type="text"></form></footer>
</body></html>"""

SELECTORS = [
    "p", "a", "div p", "div > p", "main > div", "section div span", ".pill .name span", "#content .note",
    ".tab-pane, [role=tabpanel]", "h3.title", "h1.title, .information-block, .pill-block, .tab-pane",
    "[role=tab], .nav-tabs a, .nav-tabs button, .nav-link", "a[href$='.pdf']", "a[href*='.pdf?']", "a[download]",
    "a[href^='#fn']", "a[rel=next]", "[class~=active]", "[class*=tab]", "li.menu-item.active", "#menu li",
    "nav, form, aside, input, [role=navigation]", ".search-res li", "*", ".x", "p.y", ".missing",
    ".long .item a", "ul.long > li:first-child", "li.item, li.menu-item",
    "li:first-child", "a + a", "ul ~ div",
    # a needle found in many values, several times in one, at a value's edges; exact values looked up
    "a[href*='/d/1']", "a[href$='/d/1']", "a[href^='/d/3']", "[href*='d']", "[href='/']", "a[href='/about']",
    "[role=navigation], [role=tabpanel]", "[class*='item']", "[class$='nav']",
    # descendant chains whose compounds match several ancestors, or match only farther up
    "main section div span", "body .pill span", "main div span span", "div div span", "html main li a",
    "header nav ul li a", "main > section div span", "section > div span",
]


def fresh_page():
    root = lxml.html.document_fromstring(PAGE)
    return root, PageIndex(root)


def test_the_page_has_contexts_large_and_small():
    # Large contexts are answered from the index, small ones element by element: both are exercised.
    root, _ = fresh_page()
    assert len(list(root.iter())) > 100 and len(list(next(root.iter("section")).iter())) < 10


@pytest.mark.parametrize("css", SELECTORS)
def test_select_gives_cssselect_results_in_document_order(css):
    root, index = fresh_page()
    contexts = [root, *root.iter("main", "section", "div", "nav", "ul")]
    for context in contexts:
        assert index.select(css, context) == CSSSelector(css)(context), (css, context)


@pytest.mark.parametrize("css", SELECTORS)
def test_removed_elements_are_not_selected(css):
    root, index = fresh_page()
    for element in [*root.iter("header"), next(root.iter("section")), root.get_element_by_id("scan")]:
        element.drop_tree()
    for context in [root, *root.iter("main", "div")]:
        assert index.select(css, context) == CSSSelector(css)(context), (css, context)


def test_a_context_off_the_indexed_page_is_answered_by_xpath():
    root, index = fresh_page()
    other = lxml.html.fragment_fromstring("<div><p class='note'>elsewhere</p></div>")
    assert [e.text for e in index.select(".note", other)] == ["elsewhere"]


def test_matches_tells_whether_an_element_is_selected():
    root, _ = fresh_page()
    selector = compile_selector(".pill .name span, a.down")
    selected = set(CSSSelector(".pill .name span, a.down")(root))
    for element in root.iter():
        assert selector.matches(element, root) == (element in selected)


def test_unsupported_selectors_fall_back_to_xpath():
    assert not compile_selector("li:first-child").compiled
    assert not compile_selector("a + a").compiled
    assert compile_selector("div > p.note, a[href$='.pdf']").compiled


def test_class_words_split_like_xpath_normalize_space():
    assert class_words("menu-item  active\tnew") == {"menu-item", "active", "new"}
    # A no-break space does not separate class words for CSS (nor for XPath's normalize-space).
    assert class_words("x\u00a0y") == {"x\u00a0y"}
