"""Page-level headers and footers dropped before indexing (HtmlRules.drop_page_regions_first): the same
document comes out as when strip_chrome dropped them later, and the regions that are content stay."""

import dataclasses

import pytest
from lxml import etree

from pipeline.clean import clean
from pipeline.clean import html as page_html
from pipeline.models import NotADocumentError
from pipeline.sites import frus, wilson
from tests.test_clean_html import FIXTURES, html_page

PROSE = "The ambassador reported at length on the talks held in the capital that week. " * 8

PAGE = (
    "<html><body>"
    "<header id='site'><nav><a href='/'>Home</a> <a href='/about'>About the archive</a></nav></header>"
    "<main><article><header id='own'><h1>Letter to the Minister</h1></header>"
    f"<p>{PROSE}</p><footer id='note'>Filed with the embassy papers.</footer></article></main>"
    "<footer id='bottom'>Contact us. Privacy policy.</footer>"
    "</body></html>"
)


def _ids(root) -> list[str]:
    return [e.get("id") for e in root.iter("header", "footer")]


def test_page_header_and_footer_go_before_the_index_and_an_articles_own_stay():
    rules = page_html.HtmlRules(drop_page_regions_first=True, short_page_chars=0)
    root, index = page_html.prepare_page(PAGE, rules)
    assert _ids(root) == ["own", "note"]
    assert not index.with_value("href", "/about")


def test_without_the_rule_prepare_leaves_page_regions_for_the_profile():
    root, _ = page_html.prepare_page(PAGE, page_html.HtmlRules(short_page_chars=0))
    assert _ids(root) == ["site", "own", "note", "bottom"]


def test_a_page_header_holding_most_of_the_text_stays():
    markup = f"<html><body><header id='all'><h1>Memo</h1><p>{PROSE}</p></header><footer id='f'>Contact</footer></body></html>"
    root, _ = page_html.prepare_page(markup, page_html.HtmlRules(drop_page_regions_first=True, short_page_chars=0))
    assert _ids(root) == ["all"]


def _cleaned(name: str, site: str):
    try:
        return clean(html_page(name, site=site))
    except NotADocumentError as error:
        return str(error)


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.glob("*.html")))
@pytest.mark.parametrize("profile", [wilson, frus], ids=["wilson", "frus"])
def test_the_profiles_documents_are_those_of_dropping_the_regions_with_the_chrome(monkeypatch, name, profile):
    assert profile.HTML_RULES.drop_page_regions_first
    early = _cleaned(name, profile.NAME)
    monkeypatch.setattr(profile, "HTML_RULES", dataclasses.replace(profile.HTML_RULES, drop_page_regions_first=False))
    assert early == _cleaned(name, profile.NAME)


def test_the_fixtures_have_page_regions_to_drop():
    pages = [etree.HTML((FIXTURES / name).read_bytes()) for name in ("wilson_current_tabs.html", "frus_footnotes.html")]
    assert all(any(not page_html._inside_content_root(e) for e in root.iter("header", "footer")) for root in pages)
