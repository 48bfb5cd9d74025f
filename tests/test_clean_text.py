"""The text path: already-scraped pages of each layout give the document text and labelled blocks."""

import hashlib

from pipeline.clean import clean
from pipeline.models import RawPage


def page(text: str, site: str | None = None, url: str | None = None) -> RawPage:
    data = text.encode()
    return RawPage(path="raw/x.txt", data=data, media_type="text/plain", sha256=hashlib.sha256(data).hexdigest(),
                   site=site, local_id="x", url=url)


def blocks(doc, kind):
    return [b.text for b in doc.all(kind)]


OLD_LAYOUT = """DIRECTIVE TO THE ENVOY IN UTOPIA (EXCERPT)
CITATION SHARE DOWNLOAD-
Citation
get citation
"Directive to the Envoy in Utopia (excerpt)," March 5, 1950, History and Public Policy Program Digital Archive, Example Archive, f. 1, op. 2, d. 3. Translated by Ann Example.
- Download
VIEW DOCUMENT IN
English HTML
Directive to the Envoy in Utopia (excerpt)
(1) You are to deliver the note to the foreign minister in person.
(2) Report on his reply by telegram.
"""

INDENTED_CITATION = """May 9, 1968


    The first secretary reports on a meeting at the border about the regional federal structure.
    "Memorandum from A. Example to the Central Committee," May 9, 1968, History and Public Policy Program Digital Archive, Example Archive, F. 1, Op. 2, Spr. 3, Ll. 4-5, original in Russian.
On 8 May 1968 the regional secretary met his counterpart at the border.

The meeting took place at the request of the other side.
"""

MIRROR_LAYOUT = """December 1, 1975
Letter by the Chairman of the Example Party, Doe, to President Roe
This document was made possible with support from Example Foundation
December 1, 1975
Dear Mr. President,
Thank you for your message.
With best regards,
Doe
A letter thanking the president for a message.
Author(s):
Associated Topics
Document Information
Source
Example Party Archive, Bonn.
Rights
The History and Public Policy Program welcomes reuse of Digital Archive materials for research and educational purposes.
Original Uploaded Date
2015-03-02
Type
Letter
Language
Record ID
654321
"""


def test_wilson_old_layout_title_comes_from_the_mixed_case_line_and_citation_from_the_widget():
    doc = clean(page(OLD_LAYOUT, site="wilson"))
    assert blocks(doc, "title") == ["Directive to the Envoy in Utopia (excerpt)"]
    assert blocks(doc, "date") == ["March 5, 1950"]
    assert blocks(doc, "citation")[0].startswith('"Directive to the Envoy in Utopia (excerpt)," March 5, 1950')
    assert doc.paragraphs[0].startswith("(1) You are to deliver")
    for chrome in ("CITATION SHARE", "get citation", "Download", "VIEW DOCUMENT IN", "English HTML", "DIRECTIVE TO"):
        assert chrome not in doc.text


def test_wilson_indented_citation_widget_gives_title_summary_and_citation():
    doc = clean(page(INDENTED_CITATION, site="wilson"))
    assert blocks(doc, "title") == ["Memorandum from A. Example to the Central Committee"]
    assert blocks(doc, "summary") == ["The first secretary reports on a meeting at the border about the regional "
                                      "federal structure."]
    assert blocks(doc, "date")[0] == "May 9, 1968"
    assert doc.paragraphs == ["On 8 May 1968 the regional secretary met his counterpart at the border.",
                              "The meeting took place at the request of the other side."]


def test_wilson_single_newline_layout_with_labelled_metadata():
    doc = clean(page(MIRROR_LAYOUT, url="https://wilson-center-digital-archive.dvincitest.com/document/letter-doe"))
    assert doc.profile == "wilson:text"
    assert blocks(doc, "title") == ["Letter by the Chairman of the Example Party, Doe, to President Roe"]
    assert blocks(doc, "credit") == ["This document was made possible with support from Example Foundation"]
    assert blocks(doc, "summary") == ["A letter thanking the president for a message."]
    assert blocks(doc, "citation") == ["Example Party Archive, Bonn."]
    assert blocks(doc, "record_id") == ["654321"]
    assert blocks(doc, "uploaded_date") == ["2015-03-02"]
    assert blocks(doc, "type_label") == ["Letter"]
    assert blocks(doc, "language") == []
    assert doc.paragraphs[0] == "December 1, 1975"
    assert doc.paragraphs[-1] == "Doe"
    for chrome in ("Author(s)", "Associated Topics", "Document Information", "welcomes reuse", "Record ID"):
        assert chrome not in doc.text


def test_wilson_label_without_a_fitting_value_is_dropped():
    text = "Skip to content\n\nMay 1, 1950\n\nCable, A to B\n\nText of the cable here.\n\nA cable from A to B.\n\n" \
           "Document Information\n\nSome Archive, f. 1.\n\nRecord ID\n\n\n\nExample Foundation\n"
    doc = clean(page(text, site="wilson"))
    assert blocks(doc, "record_id") == []
    assert blocks(doc, "citation") == ["Some Archive, f. 1."]
    assert doc.paragraphs == ["Text of the cable here."]


FRUS_MODERN = """57. Memorandum From the Secretary of State (Doe) to President Roe1

Please find attached the paper on the negotiations.

John Doe
  1. Source: Department of State, Central Files, 611.61/5-1261. Secret. Drafted by Smith.
  2. Not printed.
"""


def test_frus_modern_page_title_footnotes_and_source_note():
    doc = clean(page(FRUS_MODERN, site="frus"))
    assert blocks(doc, "title") == ["Memorandum From the Secretary of State (Doe) to President Roe"]
    assert blocks(doc, "footnote") == ["Source: Department of State, Central Files, 611.61/5-1261. Secret. "
                                       "Drafted by Smith.", "Not printed."]
    assert blocks(doc, "citation") == [blocks(doc, "footnote")[0]]
    assert blocks(doc, "file_number") == ["611.61/5-1261"]
    assert doc.paragraphs == ["Please find attached the paper on the negotiations.", "John Doe"]


def test_frus_header_lines_leave_the_body():
    text = "795.00/6–2850: Telegram\n\nThe Ambassador in Utopia (Doe) to the Secretary of State\n\nconfidential\n" \
           "niact\n\nUnnumbered. The situation is calm.\n\nDoe\n"
    doc = clean(page(text, site="frus"))
    assert blocks(doc, "file_number") == ["795.00/6–2850"]
    assert blocks(doc, "type_label") == ["Telegram"]
    assert blocks(doc, "classification") == ["confidential", "niact"]
    assert doc.paragraphs == ["Unnumbered. The situation is calm.", "Doe"]
