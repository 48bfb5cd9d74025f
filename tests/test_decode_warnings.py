"""What decoding had to do to a page (bytes replaced, a declared charset overruled) reaches the record."""

from pipeline.clean import clean
from pipeline.extract.record import extract
from pipeline.models import RawPage

BODY = ("<h1>Letter from the Mayor of Brașov to the Prefect</h1>"
        "<p>The town council met on 4 May 1921 and agreed to repair the bridge before the winter.</p>"
        "<p>The works will be paid from the municipal budget and supervised by the town engineer.</p>")


def page(data: bytes, media_type: str = "text/html", charset: str | None = None) -> RawPage:
    return RawPage(path="generic/letter.html", data=data, media_type=media_type, sha256="0" * 64,
                   site="generic", local_id="letter", charset=charset)


def record_warnings(raw: RawPage) -> list[str]:
    return extract(clean(raw), raw).provenance.warnings


def html(meta: str, body: str = BODY) -> str:
    return f"<html><head>{meta}<title>Letter</title></head><body>{body}</body></html>"


def test_a_clean_utf8_page_has_no_decoding_warning():
    warnings = record_warnings(page(html('<meta charset="utf-8">').encode("utf-8")))
    assert not [w for w in warnings if "charset" in w or "U+FFFD" in w]


def test_a_charset_the_bytes_do_not_fit_is_named():
    body = BODY.replace("Brașov", "Brasov") + "<p>Café, naïve, façade, déjà vu, Zürich, Málaga.</p>" * 4
    data = html('<meta charset="utf-8">', body).encode("cp1252")
    raw = page(data)
    assert "Café" in clean(raw).text
    assert any("declared charset utf-8 does not fit the bytes" in w for w in record_warnings(raw))


ACCENTED = "<p>Café, naïve, façade, déjà vu, Zürich, Málaga, Kraków, Łódź.</p>"


def test_damaged_bytes_in_a_utf8_page_are_counted():
    data = html('<meta charset="utf-8">', BODY + ACCENTED).encode("utf-8").replace(b"council", b"c\xffuncil")
    raw = page(data)
    assert "c\ufffduncil" in clean(raw).text
    assert "1 undecodable byte sequences replaced with U+FFFD" in record_warnings(raw)


def test_a_text_page_tells_the_same():
    text = "Letter from the Mayor of Brașov\n\nThe council met on 4 May 1921 in Kraków, Łódź and Zürich.\n"
    data = text.encode("utf-8").replace(b"council", b"c\xfeuncil")
    raw = RawPage(path="generic/letter.txt", data=data, media_type="text/plain", sha256="0" * 64,
                  site="generic", local_id="letter")
    assert "1 undecodable byte sequences replaced with U+FFFD" in record_warnings(raw)
