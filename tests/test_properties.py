"""Property tests: whatever text, bytes or markup a page holds, clean + extract either give a record that
validates against the JSON Schema or raise one of the documented pipeline errors, within a time budget."""

import hashlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.clean import clean
from pipeline.extract.record import extract
from pipeline.models import NotADocumentError, PipelineError, RawPage
from pipeline.runner import PageTimeout, time_budget
from pipeline.validate import record_problems

# A page that takes this long is hanging, not slow: the runner's own default budget is 30 s.
HANG_BUDGET = 20.0
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow],
                    derandomize=True)

SITES = st.sampled_from([None, "wilson", "frus", "generic"])
URLS = st.sampled_from([
    None,
    "https://digitalarchive.wilsoncenter.org/document/123456",
    "https://history.state.gov/historicaldocuments/frus1958-60v10p1/d17",
    "https://archive.example.org/item/../../etc/passwd",
    "https://web.archive.org/web/2019/https://digitalarchive.wilsoncenter.org/document/9",
])


def page_of(data: bytes, media_type: str, site: str | None, url: str | None, charset: str | None = None) -> RawPage:
    suffix = "html" if media_type == "text/html" else "txt"
    return RawPage(path=f"raw/{site or 'x'}/page.{suffix}", data=data, media_type=media_type,
                   sha256=hashlib.sha256(data).hexdigest(), site=site, local_id="page", url=url, charset=charset)


def assert_record_or_pipeline_error(page: RawPage) -> None:
    """The property itself: a valid record, or a PipelineError (and never a hang)."""
    try:
        with time_budget(HANG_BUDGET):
            record = extract(clean(page), page).to_dict()
    except PageTimeout:
        pytest.fail(f"clean + extract hung for {HANG_BUDGET:g} s on {page.data[:300]!r}")
    except PipelineError:
        return
    assert record_problems(record) == [], page.data[:300]


# --------------------------------------------------------------------------------------------- text path

LINE = st.one_of(
    st.text(max_size=80),
    st.sampled_from([
        "", "Skip to content", "Document Information", "Record ID", "123456", "Associated Places",
        "Associated Topics", "Original Uploaded Date", "Source", "Rights", "Summary", "[Telegram]",
        "[Received May 3, 9 a.m.]", "File No. 123.45/678", "Strelsau, May 2,", "1921, 4 p.m.",
        "March 3, 1962", "Dear Comrades,", "With communist greetings,", "(ss) I. Petrov", "Sir:",
        "Translated by Ann Example.", "1. Source: Department of State, Central Files.",
        "The Minister in Ruritania (Smith) to the Secretary of State", "Title: A letter", "Date: 1958",
        "Letter from X to Y", "dÃ©tente", "\x00", "\ufeff", "\u200b", "\r", "ﬁ", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "0000-00-00",
        "31 February 1999", "Spring 1961", "1950s", "19th century", "?", "((((((((((", ":" * 50,
    ]),
)
TEXT_PAGES = st.lists(LINE, max_size=40).map("\n".join)


@SETTINGS
@given(text=TEXT_PAGES, site=SITES, url=URLS)
def test_text_pages_give_a_valid_record_or_a_pipeline_error(text, site, url):
    assert_record_or_pipeline_error(page_of(text.encode("utf-8", "surrogatepass"), "text/plain", site, url))


@SETTINGS
@given(text=st.text(max_size=2000), site=SITES)
def test_arbitrary_strings_give_a_valid_record_or_a_pipeline_error(text, site):
    assert_record_or_pipeline_error(page_of(text.encode("utf-8", "surrogatepass"), "text/plain", site, None))


@SETTINGS
@given(data=st.binary(max_size=3000), html=st.booleans(),
       charset=st.sampled_from([None, "utf-8", "windows-1251", "utf-16", "latin-1", "no-such-charset"]))
def test_arbitrary_bytes_give_a_valid_record_or_a_pipeline_error(data, html, charset):
    assert_record_or_pipeline_error(page_of(data, "text/html" if html else "text/plain", None, None, charset))


# --------------------------------------------------------------------------------------------- HTML path

CLASSES = st.sampled_from([
    "", "title", "date", "donated", "text-block", "tab-pane", "tab-pane active", "pill-block", "pill",
    "name", "information-block", "sub-title", "text", "doc-inf-information", "down", "search-res",
    "tei-div tei-div-document", "tei-head1", "tei-p", "tei-dateline", "tei-placeName", "tei-date", "tei-note",
    "tei-opener", "tei-salute", "tei-closer", "footnotes", "breadcrumb", "nav-tabs", "cookie-banner",
    "related", "sr-only", "pagination",
])
TAGS = st.sampled_from([
    "div", "p", "span", "h1", "h2", "h3", "h4", "ul", "ol", "li", "table", "tr", "td", "th", "a", "b",
    "i", "font", "section", "article", "main", "header", "footer", "nav", "aside", "blockquote", "pre",
    "dl", "dt", "dd", "sup", "br", "hr", "form", "label", "time", "noscript", "template", "svg", "iframe",
])
WORDS = st.sampled_from([
    "Letter", "from", "the", "Minister", "to", "Secretary", "of", "State", "March 3, 1962", "Dear Sir,",
    "Sincerely,", "Petrov", "Record ID", "123456", "Translated by Ann Example.", "[Telegram]",
    "Strelsau, May 2, 1921", "Just a moment...", "Page not found", "1 - 20 of 2425", "dÃ©tente",
    "&nbsp;", "&amp;amp;", "&#0;", "&#x110000;", "&#xD800;", "&#65279;", "&bogus;", "&lt;script&gt;", "&",
    "<", ">", "]]>", "<!--", "-->", "\x00", "\x0b", "\u2028", "‮", "Ω", "Ж", "中文",
])
TEXT = st.lists(WORDS, min_size=1, max_size=8).map(" ".join)
SPECIAL = st.sampled_from([
    "<script>document.write('<p>Injected</p>')</script>", "<style>p { display: none }</style>",
    '<a href="/cdn-cgi/l/email-protection" class="__cf_email__" data-cfemail="7a1e150f183a1f021b170a161f54150818">'
    "[email&#160;protected]</a>",
    "<![CDATA[ x ]]>", "<?php echo 1; ?>", "<!DOCTYPE html>", "<meta charset='windows-1251'>",
    '<div style="display:none">hidden</div>', "<p hidden>hidden</p>", "<table><tr><td>1<td>2</table>",
    "<li><a href='/document/1'>Document 1</a></li>" * 5, "<input type=password>", "</div></div></div>",
    '<script type="application/ld+json">{"@type": "Article", "headline": "X", "datePublished": "1961"</script>',
])


def element(children):
    attributes = st.tuples(TAGS, CLASSES, st.sampled_from(["", ' id="content"', ' role="tabpanel"', ' lang="ru"']))
    return st.builds(
        lambda spec, inner, closed: f'<{spec[0]} class="{spec[1]}"{spec[2]}>{"".join(inner)}'
                                   + (f"</{spec[0]}>" if closed else ""),
        attributes, st.lists(children, max_size=4), st.booleans(),
    )


MARKUP = st.recursive(st.one_of(TEXT, SPECIAL), element, max_leaves=30)


@SETTINGS
@given(head=st.lists(st.one_of(TEXT, SPECIAL), max_size=3), body=st.lists(MARKUP, max_size=6),
       site=SITES, url=URLS, title=st.one_of(st.none(), TEXT))
def test_generated_html_gives_a_valid_record_or_a_pipeline_error(head, body, site, url, title):
    title_tag = f"<title>{title}</title>" if title is not None else ""
    html = f"<html><head>{title_tag}{''.join(head)}</head><body>{''.join(body)}</body></html>"
    assert_record_or_pipeline_error(page_of(html.encode("utf-8", "surrogatepass"), "text/html", site, url))



# Found by the generators above (lxml's "Document is empty" used to escape as lxml.etree.ParserError).
@pytest.mark.parametrize("markup", ["</ ", "<!-- only a comment -->", "<!DOCTYPE html>"])
def test_markup_without_any_element_is_not_a_document(markup):
    with pytest.raises(NotADocumentError):
        clean(page_of(markup.encode(), "text/html", None, None))
