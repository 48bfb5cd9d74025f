"""FRUS HTML: which heading, dateline and footnote parts the profile takes when the markup nests or repeats them."""

import hashlib

from pipeline.clean import clean
from pipeline.models import RawPage

URL = "https://history.state.gov/historicaldocuments/frus1921v02/d77"


def frus_doc(content: str):
    markup = (
        "<html><head><title>Document 77 - Historical Documents</title></head><body>"
        f"<div id='content-inner'>{content}</div></body></html>"
    ).encode()
    page = RawPage(path="frus/d77.html", data=markup, media_type="text/html",
                   sha256=hashlib.sha256(markup).hexdigest(), site="frus", url=URL, charset="utf-8")
    return clean(page)


def texts(doc, kind):
    return [b.text for b in doc.all(kind)]


BODY = "<p class='tei-p'>The harbour works were inspected on the morning of the fourth and found in order.</p>"


def test_heading_classes_among_other_words_count_and_look_alike_classes_do_not():
    doc = frus_doc(
        "<div class='tei-div'>"
        "<p class='tei-headnote'>Editorial matter set above the heading.</p>"
        "<h3 class='centered tei-head2 small'>File No. 811.34/77</h3>"
        "<h2 class='tei-head1 big'>77. The Consul at Valdora (Brenn) to the Secretary of State</h2>"
        f"{BODY}</div>"
    )
    assert doc.profile == "frus:html"
    assert texts(doc, "file_number") == ["811.34/77"]
    assert texts(doc, "title") == ["The Consul at Valdora (Brenn) to the Secretary of State"]
    assert "Editorial matter set above the heading." in doc.text


def test_a_dateline_of_the_closer_or_an_attachment_is_not_the_documents_dateline():
    doc = frus_doc(
        "<div class='tei-div'><h2 class='tei-head1'>77. The Consul at Valdora (Brenn) to the Secretary of State</h2>"
        "<div class='tei-frus_attachment'><p class='tei-dateline'>Ostrava, June 2, 1921.</p></div>"
        "<p class='tei-dateline'>Valdora, June 4, 1921.</p>"
        f"{BODY}"
        "<div class='tei-closer'><p class='tei-dateline'>Valdora, June 5, 1921.</p><p>Brenn</p></div></div>"
    )
    assert texts(doc, "dateline") == ["Valdora, June 4, 1921."]
    assert texts(doc, "place") == ["Valdora"]


def test_nested_back_links_leave_the_footnote_with_its_text_only():
    doc = frus_doc(
        "<div class='tei-div'><h2 class='tei-head1'>77. The Consul at Valdora (Brenn) to the Secretary of State"
        "<sup><a class='note' rel='footnote' href='#fn1'>1</a></sup></h2>"
        f"{BODY}</div>"
        "<div class='footnotes'><ol><li id='fn1'>1. Source: Consular files, 811.34/77."
        "<span class='fn-back'><a class='fn-back' href='#fnref1'>↩</a> back</span> Received by pouch.</li></ol></div>"
    )
    assert texts(doc, "footnote") == ["Source: Consular files, 811.34/77. Received by pouch."]
    assert texts(doc, "citation") == ["Source: Consular files, 811.34/77. Received by pouch."]
    assert texts(doc, "title") == ["The Consul at Valdora (Brenn) to the Secretary of State"]
    assert "back" not in doc.text and "Received by pouch" not in doc.text
