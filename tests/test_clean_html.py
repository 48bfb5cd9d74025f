"""The HTML path: full pages of each layout give the document text and the same labelled blocks as the text path."""

import hashlib
import json
from pathlib import Path

import pytest

from pipeline.clean import clean
from pipeline.clean import html as page_html
from pipeline.models import NotADocumentError, RawPage
from pipeline.sites import frus, generic, wilson

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "html"
RAW = Path(__file__).resolve().parent.parent / "raw"

# Page furniture of the fixture pages: none of it may reach the document text.
CHROME = (
    "Skip to main content", "Search in", "Search the Digital Archive", "We use cookies", "Accept", "Decline",
    "Related Documents", "Share", "Download PDF", "Citation", "Document Information", "Sign up for our newsletter",
    "Privacy Policy", "Original Scan", "Translation", "Featured", "Cold War History", "All rights reserved",
    "Author(s)", "Associated Places", "Rights", "welcomes reuse", "Original Uploaded Date", "Record ID",
)


def html_page(name: str | None = None, *, data: bytes | None = None, site: str | None = None,
              url: str | None = None) -> RawPage:
    data = data if data is not None else (FIXTURES / name).read_bytes()
    return RawPage(path=f"{site or 'x'}/{name or 'page.html'}", data=data, media_type="text/html",
                   sha256=hashlib.sha256(data).hexdigest(), site=site, url=url, charset="utf-8")


def clean_fixture(name: str, **kwargs):
    return clean(html_page(name, **kwargs))


def texts(doc, kind):
    return [b.text for b in doc.all(kind)]


def assert_no_chrome(doc, extra=()):
    for chrome in (*CHROME, *extra):
        assert chrome not in doc.text, chrome


# ------------------------------------------------------------------------------ Wilson Center, current layout

def test_current_layout_body_is_the_translation_tab_only():
    doc = clean_fixture("wilson_current_tabs.html", site="wilson",
                        url="https://digitalarchive.wilsoncenter.org/document/300101")
    assert doc.profile == "wilson:html"
    assert doc.paragraphs[0] == "To the Minister of Foreign Affairs\nComrade Adam Borowicz\nWarsaw"
    assert doc.paragraphs[1] == "Dear Comrade Minister,"
    assert doc.paragraphs[-1] == "With comradely greetings,\nStefan Marek\nAmbassador of the Polish People's Republic"
    assert "Szanowny" not in doc.text and "Warszawa" not in doc.text   # the Polish transcript tab
    assert texts(doc, "date") == ["March 14, 1957"]
    assert texts(doc, "title") == [
        "Letter from Ambassador Stefan Marek to Minister Adam Borowicz on the Repatriation of Polish Citizens "
        "from Hungary"
    ]
    assert texts(doc, "credit") == ["This document was made possible with support from the Leon Levy Foundation"]
    assert texts(doc, "summary")[0].startswith("The Polish ambassador in Budapest reports")
    assert doc.first("authors").items == ("Marek, Stefan",)
    assert doc.first("people").items == ("Borowicz, Adam", "Halmi, Lajos", "Poland. Ministerstwo Spraw Zagranicznych")
    assert doc.first("places").items == ("Hungary", "Poland", "Budapest (Hungary)")
    assert doc.first("topics").items == ("Repatriation", "Hungarian Revolution, 1956", "Coal trade")
    assert texts(doc, "citation") == [
        "Archiwum Ministerstwa Spraw Zagranicznych (AMSZ), Z-10, w. 12, t. 84, pp. 17-19. "
        "Obtained and translated for CWIHP by Anna Nowicka."
    ]
    assert texts(doc, "original_archive") == ["Polish Foreign Ministry Archive"]
    rights = doc.first("rights").text
    assert rights.startswith("The History and Public Policy Program welcomes reuse")
    assert rights.endswith("History and Public Policy Program at HAPP@wilsoncenter.org.")   # data-cfemail decoded
    assert "\n\n" in rights and "[email" not in rights and "protected]" not in rights
    assert texts(doc, "uploaded_date") == ["2015-02-09"]
    assert texts(doc, "type_label") == ["Letter"]
    assert texts(doc, "language") == ["Polish"]
    assert texts(doc, "record_id") == ["300101"]
    assert doc.first("download").items == (
        "https://digitalarchive.wilsoncenter.org/document/300101/download.pdf",
        "https://digitalarchive.wilsoncenter.org/document/300101/scan.pdf",   # the scan tab's PDF viewer
    )
    for labelled in ("The Polish ambassador in Budapest", "Archiwum Ministerstwa", "Repatriation", "2015-02-09"):
        assert labelled not in doc.text
    assert_no_chrome(doc)
    assert doc.warnings == []


def test_translation_tab_wins_when_the_scan_tab_is_active_and_the_translation_hidden():
    markup = (FIXTURES / "wilson_current_tabs.html").read_text(encoding="utf-8")
    markup = markup.replace('class="tab-pane fade show active" id="translation"',
                            'class="tab-pane fade" hidden id="translation"')
    markup = markup.replace('class="tab-pane fade" id="original-scan"',
                            'class="tab-pane fade show active" id="original-scan"')
    doc = clean(html_page(data=markup.encode(), site="wilson"))
    assert doc.paragraphs[1] == "Dear Comrade Minister,"
    assert "Szanowny" not in doc.text


def test_related_documents_lend_no_dates_titles_or_summaries():
    doc = clean_fixture("wilson_current_related.html", site="wilson")
    assert texts(doc, "date") == ["November 2, 1961"]    # not the header teaser's nor a related document's
    assert texts(doc, "title") == [
        "Record of Conversation between Yugoslav Ambassador Petar Ilić and Chinese Deputy Foreign Minister Wang Lin"
    ]
    assert texts(doc, "summary") == [
        "The Yugoslav ambassador and the Chinese deputy foreign minister discuss resuming trade talks, press polemics, "
        "and an invitation to the Guangzhou trade fair."
    ]
    assert doc.paragraphs[0] == (
        "Record of Conversation between Ambassador Petar Ilić and Deputy Foreign Minister Wang Lin"
    )
    assert doc.paragraphs[-1] == "Recorded by: D. Savić"
    assert texts(doc, "classification") == ["Strictly Confidential"]
    assert texts(doc, "type_label") == ["Memorandum of Conversation"]
    everything = doc.text + "\n".join(b.text for b in doc.blocks)
    for other in ("October 1, 1961", "September 18, 1961", "March 3, 1961", "June 25, 1950",
                  "Memorandum of Conversation with the Soviet Ambassador", "Protest over an article",
                  "Telegram on the Outbreak of Fighting"):
        assert other not in everything, other
    assert_no_chrome(doc)


def test_page_without_summary_keeps_table_rows_and_signature():
    doc = clean_fixture("wilson_current_no_summary.html", site="wilson")
    assert doc.first("summary") is None
    assert texts(doc, "date") == ["October 27, 1962"]
    assert doc.paragraphs == [
        "Urgent. To Minister Vavřinec.",
        "The port of Mariel has been closed to foreign vessels since yesterday evening. The harbour master informed "
        "our commercial attaché that the two Czechoslovak ships now at sea will be directed to Matanzas:",
        "Vessel | Cargo | Expected\nOrlík | machine tools | 30 October\nLidice | tractors, spare parts | 4 November",
        "Crews are in good health. The embassy staff remains at its posts; families have been moved to the residence.",
        "Please confirm receipt.",
        "Pavlík",
    ]
    assert doc.first("places").items == ("Cuba", "Czechoslovakia")
    assert doc.first("record_id") is None   # the label is there with no value
    assert_no_chrome(doc)


def test_same_document_as_html_and_as_scraped_text_cleans_the_same():
    from_html = clean_fixture("wilson_parity.html", site="wilson")
    text = (FIXTURES / "wilson_parity.txt").read_bytes()
    from_text = clean(RawPage(path="wilson/p.txt", data=text, media_type="text/plain",
                              sha256=hashlib.sha256(text).hexdigest(), site="wilson"))
    assert from_html.paragraphs == from_text.paragraphs
    shape = [(b.kind, b.text, b.items) for b in from_html.blocks if b.kind != "download"]
    assert shape == [(b.kind, b.text, b.items) for b in from_text.blocks]
    assert from_html.first("download") is not None     # only the HTML has the links
    assert from_html.paragraphs[-1] == "With fraternal greetings,\nOn behalf of the Politburo\nTodor Bălan"


# ------------------------------------------------------------------------------- Wilson Center, legacy layout

def test_legacy_layout():
    doc = clean_fixture("wilson_legacy.html", site="wilson",
                        url="https://digitalarchive.wilsoncenter.org/document/300404")
    assert doc.profile == "wilson:legacy-html"
    assert texts(doc, "title") == ["Report on the Visit of the Hungarian Trade Delegation to Hanoi"]
    assert texts(doc, "date") == ["September 5, 1965"]
    assert texts(doc, "summary") == [
        "The head of the Hungarian trade delegation reports on talks in Hanoi about deliveries of medical supplies "
        "and trucks."
    ]
    citations = texts(doc, "citation")
    assert citations[0] == ("Hungarian National Archives (MNL OL), XIX-J-1-j, Vietnam, 1965, 4. doboz, 12-34/1965. "
                            "Translated by Katalin Szabó.")
    assert citations[1].startswith(
        "“Report on the Visit of the Hungarian Trade Delegation to Hanoi,” September 5, 1965,"
    )
    assert texts(doc, "type_label") == ["Report"]
    assert texts(doc, "language") == ["Hungarian"]
    assert texts(doc, "record_id") == ["300404"]
    assert doc.first("topics").items == ("Vietnam War, 1961-1975", "Hungary--Foreign economic relations--Vietnam",
                                         "Medical supplies")
    assert doc.first("download").items == ("https://digitalarchive.wilsoncenter.org/document/300404.pdf",)
    assert doc.paragraphs[0] == "Top Secret"
    assert doc.paragraphs[-1] == "Budapest, 5 September 1965\nDr. Ferenc Tóth\nhead of delegation"
    assert_no_chrome(doc, ("Subjects Discussed", "Themes", "Export RIS", "History and Public Policy Program",
                           "Korean War Origins", "One Woodrow Wilson Plaza"))


def test_wayback_capture_of_a_legacy_page():
    url = "https://web.archive.org/web/20190412083012/https://digitalarchive.wilsoncenter.org/document/300505"
    doc = clean_fixture("wilson_wayback.html", url=url)    # no site given: the page's markers choose Wilson
    assert doc.profile == "wilson:legacy-html"
    assert texts(doc, "title") == [
        "Diary Entry of Ambassador Rudolf Kessler on a Meeting with the Romanian Foreign Minister"
    ]
    assert texts(doc, "date") == ["May 4, 1971"]
    assert doc.paragraphs[0] == "4 May 1971"
    assert doc.paragraphs[-1] == "R. Kessler"
    assert doc.first("download").items == ("https://digitalarchive.wilsoncenter.org/document/300505.pdf",)
    everything = doc.text + "\n".join(b.text for b in doc.blocks)
    for toolbar in ("Wayback Machine", "captures", "FILE ARCHIVED", "web.archive.org", "Close", "playback"):
        assert toolbar not in everything, toolbar
    assert_no_chrome(doc)


def test_search_listing_is_not_a_document():
    with pytest.raises(NotADocumentError, match=r"listing page \(10 result rows '\.search-res li'\)"):
        clean_fixture("search_listing.html", site="wilson")


def test_error_page_served_with_status_200_is_not_a_document():
    with pytest.raises(NotADocumentError, match="error page served as a document.*Page Not Found"):
        clean_fixture("error_200.html", site="wilson")


def test_cloudflare_challenge_is_not_a_document():
    with pytest.raises(NotADocumentError, match="bot challenge page.*Just a moment"):
        clean_fixture("cloudflare_challenge.html", site="wilson")
    markup = (FIXTURES / "cloudflare_challenge.html").read_text(encoding="utf-8")
    retitled = markup.replace("<title>Just a moment...</title>", "<title>digitalarchive.wilsoncenter.org</title>")
    with pytest.raises(NotADocumentError, match="bot challenge page.*marker"):
        clean(html_page(data=retitled.encode(), site="generic"))


# ----------------------------------------------------------------------------------------------------- FRUS

def test_frus_footnotes_split_dateline_and_signature():
    doc = clean_fixture("frus_footnotes.html", url="https://history.state.gov/historicaldocuments/frus1916Supp/d212")
    assert doc.profile == "frus:html"
    assert texts(doc, "heading") == ["212. The Minister in Norway (Halvorsen) to the Secretary of State"]
    assert texts(doc, "title") == ["The Minister in Norway (Halvorsen) to the Secretary of State"]
    assert texts(doc, "dateline") == ["Christiania, March 3, 1916, 4 p.m."]
    assert texts(doc, "place") == ["Christiania"]
    assert texts(doc, "file_number") == ["857.00/112"]
    assert texts(doc, "type_label") == ["Telegram"]
    assert texts(doc, "received") == ["[Received March 5, 9.10 a.m.]"]
    assert texts(doc, "footnote") == [
        "Source: Department of State, Central Files, 857.00/112. Confidential.",
        "Not printed.",
        "See telegram No. 88 from the Legation in Sweden, February 27, p. 41.",
    ]
    assert texts(doc, "citation") == ["Source: Department of State, Central Files, 857.00/112. Confidential."]
    assert doc.paragraphs[0] == "Sir:"
    assert "present a memorandum on the detention" in doc.text      # the marker "2" is gone
    assert "next week." in doc.paragraphs[2] and "week.3" not in doc.text
    assert doc.paragraphs[-1] == "I have [etc.]\nHalvorsen"
    assert "↩" not in doc.text and "Source:" not in doc.text and "Not printed" not in doc.text
    assert_no_chrome(doc, ("Previous", "Next", "Cite this Page", "Persistent link", "Historical Documents",
                           "Papers Relating to the Foreign Relations", "Document 241", "Office of the Historian"))


# -------------------------------------------------------------------------------------------------- generic

def test_unknown_archive_with_json_ld():
    doc = clean_fixture("generic_jsonld.html", url="https://archives.lindenfeld.example/i/17")
    assert doc.profile == "generic:html"
    assert texts(doc, "title") == ["Letter from Mayor Anton Keller to the Provincial Governor"]
    assert texts(doc, "date") == ["4 March 1921"]           # the document's date, not the page's 2024 update
    assert texts(doc, "summary") == [
        "Mayor Keller asks the governor for funds to repair the Old Bridge before the spring floods."
    ]
    assert doc.first("authors").items == ("Keller, Anton",)
    assert texts(doc, "original_archive") == ["Lindenfeld City Archives, Correspondence, Box 12"]
    assert texts(doc, "record_id") == ["LCA-B-1921-017"]
    assert texts(doc, "rights") == ["Public domain. For reproductions write to reproductions@lindenfeld.example."]
    assert texts(doc, "uploaded_date") == ["2019-05-20"]
    assert doc.first("topics").items == ("bridges", "floods", "municipal finance")
    assert doc.first("places").items == ("Lindenfeld",)
    assert texts(doc, "language") == ["de"]
    assert doc.paragraphs[0] == "To His Excellency the Governor of the Province, Bremfeld"
    assert doc.paragraphs[-1] == "With the greatest respect,\nAnton Keller\nMayor"
    assert len(doc.paragraphs) == 6
    assert_no_chrome(doc, ("Recent items", "Council minutes", "Share:", "Next »", "« Previous", "Imprint",
                           "This website uses cookies", "Reject", "Repository", "Identifier", "Correspondence ›"))


def test_listing_with_result_counter_is_not_a_document():
    expected = r"listing page \(a result counter 'Showing 1–20 of' and 20 link rows\)"
    with pytest.raises(NotADocumentError, match=expected):
        clean_fixture("generic_listing.html")


def test_login_wall_is_not_a_document():
    markup = (b"<html><head><title>Sign in | Archive</title></head><body><nav><a href='/'>Home</a></nav>"
              b"<form action='/login' method='post'><label>User</label><input name='u'>"
              b"<input type='PASSWORD' name='p'><button>Log in</button></form></body></html>")
    with pytest.raises(NotADocumentError, match="login page"):
        clean(html_page(data=markup))
    with_sign_in_box = (b"<html><head><title>A letter</title></head><body><header><form><input type='password'>"
                        b"</form></header><main><p>The text of the letter itself.</p></main></body></html>")
    assert clean(html_page(data=with_sign_in_box)).paragraphs == ["The text of the letter itself."]


# ----------------------------------------------------------------------------------------------- bad input

def test_binary_files_named_html_are_refused_precisely():
    with pytest.raises(NotADocumentError, match="a PDF file"):
        page_html.refuse_binary(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj")
    with pytest.raises(NotADocumentError, match="a PNG image"):
        page_html.refuse_binary(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(NotADocumentError, match="a PDF file"):   # also after a lenient decode
        generic.clean_html((b"%PDF-1.4\n" + bytes(range(256))).decode("latin-1"), html_page(data=b"x"))
    with pytest.raises(NotADocumentError, match="binary data"):
        generic.clean_html("".join(chr(c) for c in range(1, 32)) * 50, html_page(data=b"x"))


def test_deep_nesting_is_refused_without_crashing():
    markup = b"<html><body>" + b"<div>" * 100_000 + b"deep" + b"</div>" * 100_000 + b"</body></html>"
    with pytest.raises(NotADocumentError, match="more than 256 levels deep"):
        clean(html_page(data=markup))


def test_thousands_of_unclosed_font_tags_still_give_the_text():
    markup = (b"<html><body><p>The letter begins here and goes on.</p>" + b"<font size=2>" * 5000
              + b"<p>The letter ends here, after the broken markup.</p></body></html>")
    doc = clean(html_page(data=markup))
    assert doc.paragraphs == ["The letter begins here and goes on.", "The letter ends here, after the broken markup."]


def test_oversized_markup_is_refused(monkeypatch):
    monkeypatch.setattr(page_html, "MAX_MARKUP_CHARS", 1000)
    with pytest.raises(NotADocumentError, match="over the 1,000 limit"):
        clean(html_page(data=b"<html><body>" + b"<p>word</p>" * 200 + b"</body></html>"))


def test_nul_bytes_charsets_and_mojibake():
    doc = clean(html_page(data=b"<html><body><p>Before\x00 the\x00 break.</p></body></html>"))
    assert doc.paragraphs == ["Before the break."]
    cyrillic = "<html><head><meta charset='windows-1251'></head><body><p>Письмо о поставках.</p></body></html>"
    page = RawPage(path="x/c.html", data=cyrillic.encode("cp1251"), media_type="text/html", sha256="0")
    assert clean(page).paragraphs == ["Письмо о поставках."]
    mojibake = "<html><body><p>The dÃ©tente was discussed.</p><p>Non\u00a0breaking\u200b space.</p></body></html>"
    assert clean(html_page(data=mojibake.encode())).paragraphs == ["The détente was discussed.", "Non breaking space."]


def test_page_without_body_text_is_refused():
    with pytest.raises(NotADocumentError, match="no body text.*'Only a title'"):
        clean(html_page(data=b"<html><head><title>Only a title</title></head></html>"))


# ------------------------------------------------------------------------------------------ shared machinery

def test_cfemail_decoding():
    assert page_html.decode_cfemail("5a1213121b1a1a1a") is not None
    hexed = bytes([0x42]) + bytes(b ^ 0x42 for b in b"HAPP@wilsoncenter.org")
    assert page_html.decode_cfemail(hexed.hex()) == "HAPP@wilsoncenter.org"
    assert page_html.decode_cfemail("zz") is None


def test_walker_keeps_lines_lists_and_rows():
    root = page_html.parse_html(
        "<html><body><h2>Heading</h2><p>One<br>two</p><ul><li>first</li><li>second <b>item</b></li></ul>"
        "<address>Embassy<br>Street 1</address><table><tr><td>a</td><td>b</td></tr><tr><td>c</td><td></td></tr>"
        "</table><pre>keep\n  lines</pre><div>tail text<p>inner</p>after</div></body></html>"
    )
    assert page_html.paragraphs(root) == [
        "Heading", "One\ntwo", "first\nsecond item", "Embassy\nStreet 1", "a | b\nc", "keep\nlines",
        "tail text", "inner", "after",
    ]


def test_main_content_prefers_the_article_over_link_lists():
    root = page_html.parse_html(
        "<html><body><div class='wrap'><div class='links'>"
        + "".join(f"<p><a href='/{i}'>Link {i}</a></p>" for i in range(30))
        + "</div><div class='story'><h1>Title</h1><p>" + "A sentence of the document. " * 20 + "</p><p>Signed</p></div>"
        "</div></body></html>"
    )
    content = page_html.main_content(root)
    assert content.get("class") == "story"


def test_json_ld_is_read_tolerantly():
    raw = '<!-- {"@type": "ArchiveComponent", "name": "A letter", "keywords": ["x", "y"],} -->'
    nodes = page_html.load_json_ld(raw)
    assert nodes == [{"@type": "ArchiveComponent", "name": "A letter", "keywords": ["x", "y"]}]
    assert page_html.load_json_ld("{not json") == []
    assert page_html.json_ld_values([{"name": "Anna"}, {"@value": "Ben"}, "Carl", 7]) == ["Anna", "Ben", "Carl", "7"]


def test_hidden_elements_and_label_value_tables():
    root = page_html.prepare(
        "<html><body><p hidden>secret</p><p aria-hidden='true'>icon</p><p style='display: none'>gone</p>"
        "<table><tr><th>Date</th><td>1 May 1950</td></tr><tr><th>Archive</th><td>State Archive</td></tr></table>"
        "<p>kept</p></body></html>",
        generic.HTML_RULES,
    )
    assert page_html.visible_text(root).startswith("Date 1 May 1950")
    assert generic.pair_blocks(root, generic.LABELS)[0].text == "1 May 1950"
    assert page_html.paragraphs(root) == ["kept"]


# --------------------------------------------------------------------------------------------- bundled samples

@pytest.mark.parametrize("path", sorted(RAW.glob("*/*.html")), ids=lambda p: p.name)
def test_bundled_html_samples_clean(path):
    meta = json.loads(path.with_name(path.stem + ".meta.json").read_text(encoding="utf-8"))
    data = path.read_bytes()
    assert meta["sha256"] == hashlib.sha256(data).hexdigest()
    page = RawPage(path=f"{meta['site']}/{path.name}", data=data, media_type=meta["media_type"], sha256=meta["sha256"],
                   site=meta["site"], url=meta["url"], charset=meta["charset"])
    doc = clean(page)
    assert doc.profile == {"wilson": wilson, "frus": frus}[meta["site"]].NAME + ":html"
    assert doc.first("title") and doc.paragraphs and not doc.warnings
    assert doc.first("citation") is not None
    assert_no_chrome(doc)
