"""Bytes to text: the right charset, repaired mojibake, one Unicode form."""

from __future__ import annotations

import codecs
import re
import unicodedata

import ftfy
from charset_normalizer import from_bytes

from pipeline.models import DecodeError, RawPage

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_\-.]+)""", re.I)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Invisible characters that only get in the way of matching; soft hyphens break words in two.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_SPACES = dict.fromkeys(map(ord, "\u00a0\u2007\u202f\u2009\u200a\u2002\u2003\u2004\u2005\u2006\u3000"), " ")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

_FTFY_CONFIG = ftfy.TextFixerConfig(
    unescape_html=False,       # the HTML parser unescapes; text pages keep literal "&amp;"
    fix_latin_ligatures=False,
    uncurl_quotes=False,       # typographic quotes are the document's own
    fix_character_width=False,
    normalization="NFC",
)


def _known_codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name.strip().strip("\"'")).name
    except LookupError:
        return None


def _declared_in_markup(data: bytes) -> str | None:
    head = data[:4096]
    match = _XML_ENCODING.search(head) or _META_CHARSET.search(head)
    return _known_codec(match.group(1).decode("ascii", "ignore")) if match else None


def decode_bytes(data: bytes, declared: str | None = None, html: bool = False) -> str:
    """Decode with, in order of trust: a BOM, valid UTF-8, the declared charset, detection."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return data.decode(codec, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    candidates = [_known_codec(declared)]
    if html:
        candidates.append(_declared_in_markup(data))
    for codec in filter(None, candidates):
        if codec.startswith("utf-16") or codec.startswith("utf-32") or codec == "utf-8":
            continue  # a multi-byte charset declared on bytes that are not it is a lie
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if not _looks_wrong(text):
            return text
    best = from_bytes(data[:200_000]).best()
    if best is not None and best.encoding:
        return data.decode(best.encoding, errors="replace")
    raise DecodeError("cannot determine the character encoding of the page")


def _looks_wrong(text: str) -> bool:
    """Single-byte charsets decode anything; C1 controls mean the guess was wrong."""
    sample = text[:20_000]
    return sum(1 for ch in sample if "\x80" <= ch <= "\x9f") > 2


def normalize_text(text: str) -> str:
    """Repair mojibake, drop invisible characters, unify spaces and line ends, NFC."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    text = ftfy.fix_text(text, _FTFY_CONFIG)
    text = text.translate(_INVISIBLE).translate(_SPACES)
    return unicodedata.normalize("NFC", text)


def decode_page(page: RawPage) -> str:
    """The page's text, ready for a cleaner (HTML pages stay markup)."""
    if not page.data.strip():
        raise DecodeError("the page is empty")
    html = page.media_type == "text/html"
    text = decode_bytes(page.data, page.charset, html=html)
    if not html and "\x00" in text:
        text = text.replace("\x00", "")
    return normalize_text(text) if not html else text
