"""The shortcuts of the clean stage give what the long way gives: Unicode repair skipped only where it would
change nothing, fast text sizes and text, one combined test for chrome lines."""

import re
import unicodedata

import ftfy
import lxml.html
import pytest

from pipeline.clean import decode
from pipeline.clean import html as page_html

TRICKY = [
    "", "plain ASCII line", "Władysław Zieliński met László Kovács in Kraków.", "The dÃ©tente was discussed.",
    "â€œQuotedâ€\x9d text", "naÃ¯ve Ã¼ber", "GdaÅ„sk", "Â\u00a0price", "ŒUVRE œuvre", "e\u0301clair (decomposed)",
    "line\u2028separator\u2029paragraph", "soft\u00adhyphen zero\u200bwidth no\u00a0break", "bom\ufeffinside",
    "bidi\u202aembedding\u206b", "CR\r\nLF\rCR", "tab\tand\x0cform feed\x1bescape", "Москва, 12 мая", "中文 文本",
    "“curly” quotes — dash … ellipsis", "ﬁ ligature", "Ｆｕｌｌ width", "a\x85b",
    "the “Café” and “Résumé” talks", "Ã© in a line\nand é” in the next", "Ã ", "voilÃ le travail",
    "naÃ¯ve\ncafé”", "×² and ×³", "Москва — “Прага”", "√± mojibake",
]


def unconditional_normalize(text: str) -> str:
    """normalize_text as it was before it learned to skip ftfy: every step, every time."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = decode._CONTROL.sub("", text)
    text = ftfy.fix_text(text, decode._FTFY_CONFIG)
    text = text.translate(decode._INVISIBLE).translate(decode._SPACES)
    return unicodedata.normalize("NFC", text)


@pytest.mark.parametrize("text", TRICKY)
def test_normalize_text_equals_running_every_step(text):
    assert decode.normalize_text(text) == unconditional_normalize(text)


def test_mojibake_is_still_repaired():
    assert decode.normalize_text("The dÃ©tente was discussed.") == "The détente was discussed."


def test_clean_non_ascii_text_comes_back_unchanged():
    text = "Władysław Zieliński met László Kovács in Kraków."
    assert decode.normalize_text(text) is text


@pytest.mark.parametrize("text", [
    "", "a b", " \t\n\x0b\x0c\x1c\x1fx ", "Zieliński\u00a0met\u2003him", "x\u3000y z", "中文 文本\u2028\u2029",
    "a\x85b\u1680c\u205fd\u202fe\u200af\u2000g é", "lone \ud800 surrogate\u3000",
])
def test_non_space_counts_like_split(text):
    assert page_html._non_space(text) == len("".join(text.split()))


def test_text_content_matches_lxml():
    root = lxml.html.document_fromstring(
        "<html><body><div>One <b>two</b> three<br>four<script>var x;</script><p>five &amp; six</p></div>"
        "tail<p></p><p>&lt;&#160;&eacute;</p><span> spaced </span></body></html>"
    )
    for element in root.iter():
        assert page_html.text_content(element) == element.text_content()


CHROME_SETS = [
    (r"^skip to (main )?content$", r"^\d[\d,]*\s*[-–]\s*\d[\d,]*\s+of\s+\d[\d,]*$"),
    (r"^(home|menu|search)$", r"^[A-Z][a-z]+ (HTML|PDF)$"),
    (r"^share|print",),            # a top-level alternative that is not anchored
    (r"^(a)\1$", r"^b$"),          # a back-reference
    (r"search in$",),              # not anchored at all
]


@pytest.mark.parametrize("patterns", CHROME_SETS)
@pytest.mark.parametrize("flags", [0, re.IGNORECASE])
def test_combined_chrome_line_test_equals_trying_each_pattern(patterns, flags):
    compiled = tuple(re.compile(p, flags) for p in patterns)
    is_chrome = page_html._any_matches(compiled)
    for line in ["Skip to main content", "skip to content", "1 - 20 of 2,425", "Home", "Russian PDF", "printer",
                 "Share this", "a print job", "aa", "b", "Search in", "research in", "Dear Comrade,"]:
        assert is_chrome(line) == any(p.search(line) for p in compiled), line
