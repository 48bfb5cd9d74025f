"""Bytes to text: the right charset, repaired mojibake, one Unicode form."""

from __future__ import annotations

import codecs
import re
import unicodedata

import ftfy
from charset_normalizer import CharsetMatches, from_bytes
from ftfy.badness import is_bad

from pipeline.models import DecodeError, NotADocumentError, RawPage

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
_INVISIBLE_OR_SPACE = re.compile("[" + "".join(map(chr, {**_INVISIBLE, **_SPACES})) + "]")

_FTFY_CONFIG = ftfy.TextFixerConfig(
    unescape_html=False,       # the HTML parser unescapes; text pages keep literal "&amp;"
    fix_latin_ligatures=False,
    uncurl_quotes=False,       # typographic quotes are the document's own
    fix_character_width=False,
    normalization="NFC",
)
# ftfy costs about a third of a millisecond per paragraph even when it changes nothing, and most text
# gives it nothing to do: it is skipped unless the text holds something one of its steps acts on. Its
# encoding repair leaves a line alone when its mojibake heuristic (ftfy.badness.is_bad) flags nothing there,
# and what the heuristic flags in a line it flags in the whole text (its one pattern anchored at a line's
# start needs Ã or Â, which always go to ftfy). Every sequence it flags has two adjacent non-ASCII characters
# or one of C1 controls, Œ, œ, Ã, Â: such a pair is looked for first, the heuristic being a long regular
# expression. Its other steps act on the line and paragraph separators, surrogates, the
# bidi and interlinear-annotation controls and the byte order mark (C0 controls are gone by then), and on
# text that is not NFC. (Two searches that each start with a character class: an alternation makes the
# regular expression engine try every position.)
_FTFY_CHARACTERS = "\x80-\x9f\u0152\u0153\u00c3\u00c2\u2028\u2029\ud800-\udfff\u206a-\u206f\ufeff\ufff9-\ufffc"
_FTFY_CHARACTER = re.compile(f"[{_FTFY_CHARACTERS}]")
_NON_ASCII_PAIR = re.compile("[\x80-\U0010ffff][\x80-\U0010ffff]")
# Any character some step of normalize_text acts on, for text that needs none of them.
_NORMALIZED_AWAY = re.compile(
    f"[\r\x00-\x08\x0b\x0c\x0e-\x1f\x7f{_FTFY_CHARACTERS}" + "".join(map(chr, {**_INVISIBLE, **_SPACES})) + "]"
)

# WHATWG Encoding Standard: pages labelled Latin-1 or ASCII are decoded as windows-1252 by every browser.
_LABEL_ALIASES = {"iso8859-1": "cp1252", "ascii": "cp1252"}
# Without a label, HTML's own fallback for Western pages wins ties between equally plausible guesses.
_FALLBACK_CODEC = "cp1252"
# A declared charset whose reading is this much messier (charset_normalizer's chaos) than the best guess is wrong.
_DECLARED_CHAOS_MARGIN = 0.05
_TIE = 0.01
_DETECT_BYTES = 200_000
# Magic numbers of files that are sometimes saved under a page's name.
_BINARY_SIGNATURES = (
    (b"%PDF-", "a PDF file"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"PK\x03\x04", "a ZIP archive (or an Office document)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Microsoft Office document"),
    (b"\x1f\x8b", "gzip-compressed data"),
    (b"BZh", "bzip2-compressed data"),
    (b"\x28\xb5\x2f\xfd", "zstd-compressed data"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"{\\rtf", "an RTF document"),
    (b"\x7fELF", "an executable"),
)
_BINARY_CONTROL = bytes([*range(0x00, 0x09), *range(0x0E, 0x1B), *range(0x1C, 0x20)])
_BINARY_CONTROL_SHARE = 0.10
_SNIFF_BYTES = 4096


def _known_codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        codec = codecs.lookup(name.strip().strip("\"'")).name
    except LookupError:
        return None
    return _LABEL_ALIASES.get(codec, codec)


def _declared_in_markup(data: bytes) -> str | None:
    head = data[:4096]
    match = _XML_ENCODING.search(head) or _META_CHARSET.search(head)
    return _known_codec(match.group(1).decode("ascii", "ignore")) if match else None


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 saved without a byte order mark: markup, spaces and Latin letters leave NULs in every other byte."""
    sample = data[: _SNIFF_BYTES - _SNIFF_BYTES % 2]
    if len(sample) < 4:
        return None
    half = len(sample) // 2
    nuls_even, nuls_odd = sample[0::2].count(0), sample[1::2].count(0)
    for codec, high, low in (("utf-16-le", nuls_odd, nuls_even), ("utf-16-be", nuls_even, nuls_odd)):
        if high >= half * 0.1 and low <= half * 0.01:
            try:
                text = data[: len(data) - len(data) % 2].decode(codec)
            except UnicodeDecodeError:
                continue
            if not _CONTROL.search(text[:_SNIFF_BYTES].replace("\x00", "")):
                return codec
    return None


def binary_kind(data: bytes) -> str | None:
    """What a file holding binary data rather than text is, or None for text."""
    for signature, kind in _BINARY_SIGNATURES:
        if data.startswith(signature):
            return kind
    if any(data.startswith(bom) for bom, _ in _BOMS) or _utf16_without_bom(data):
        return None
    sample = data[:_SNIFF_BYTES]
    # (what a byte deletion table removes, counted: a regular expression takes far longer to find them)
    if len(sample) - len(sample.translate(None, _BINARY_CONTROL)) > len(sample) * _BINARY_CONTROL_SHARE:
        return "binary data (control bytes)"
    return None


def _mostly_utf8(data: bytes) -> str | None:
    """UTF-8 with a few damaged bytes (a cut transfer, one stray Latin-1 character): keep UTF-8, mark the damage.

    A page in a single-byte charset has almost no valid multi-byte sequences, so they must clearly outnumber
    the invalid bytes.
    """
    text = data.decode("utf-8", errors="replace")
    damaged = text.count("\ufffd") - data.count("\ufffd".encode())
    valid = len(text) - len(text.encode("ascii", "ignore")) - text.count("\ufffd")
    return text if valid >= 4 * damaged else None


def _detected(data: bytes, only: str | None = None) -> CharsetMatches:
    return from_bytes(data[:_DETECT_BYTES], cp_isolation=[only] if only else None)


def _best_guess(matches: CharsetMatches) -> str | None:
    best = matches.best()
    if best is None:
        return None
    for match in matches:
        tied = match.chaos <= best.chaos + _TIE and match.coherence >= best.coherence - _TIE
        if tied and _FALLBACK_CODEC in (_known_codec(c) for c in match.could_be_from_charset):
            return _FALLBACK_CODEC
    return _known_codec(best.encoding) or best.encoding


def _plausible(codec: str, data: bytes, matches: CharsetMatches) -> bool:
    """Whether a declared charset reads about as cleanly as the best guess: labels are often wrong."""
    best = matches.best()
    if best is None:
        return True
    declared = next((m for m in matches if codec in map(_known_codec, m.could_be_from_charset)), None)
    if declared is None:   # detection stops early once it is sure; measure the declared reading itself
        declared = _detected(data, only=codec).best()
    return declared is not None and declared.chaos <= best.chaos + _DECLARED_CHAOS_MARGIN


def decode_bytes(data: bytes, declared: str | None = None, html: bool = False) -> str:
    """Decode with, in order of trust: a BOM, valid UTF-8, a plausible declared charset, detection."""
    return _decode(data, declared, html)[0]


def _decode(data: bytes, declared: str | None, html: bool) -> tuple[str, bool, str | None]:
    """``decode_bytes``, whether the text is the bytes read as UTF-8 (so the bytes are its UTF-8 form),
    and what a reader of the record should know about the decoding (bytes replaced, a charset overruled)."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            text = data.decode(codec, errors="replace")
            return text, False, _replaced(text, data)
    utf16 = _utf16_without_bom(data)
    if utf16:
        text = data.decode(utf16, errors="replace")
        return text, False, _replaced(text, data)
    try:
        return data.decode("utf-8"), True, None
    except UnicodeDecodeError:
        pass
    text = _mostly_utf8(data)
    if text is not None:
        return text, False, _replaced(text, data)
    matches = _detected(data)
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
        if not _looks_wrong(text) and _plausible(codec, data, matches):
            return text, False, None
    guess = _best_guess(matches)
    if guess:
        text = data.decode(guess, errors="replace")
        overruled = [codec for codec in candidates if codec and codec != guess]
        note = f"the declared charset {overruled[0]} does not fit the bytes: read as {guess}" if overruled else None
        return text, False, note or _replaced(text, data)
    raise DecodeError("cannot determine the character encoding of the page")


def _replaced(text: str, data: bytes) -> str | None:
    """A note of the byte sequences decoding replaced with U+FFFD (those the bytes held already aside)."""
    replaced = text.count("\ufffd") - data.count("\ufffd".encode())
    return f"{replaced} undecodable byte sequences replaced with U+FFFD" if replaced > 0 else None


def _looks_wrong(text: str) -> bool:
    """Single-byte charsets decode anything; C1 controls mean the guess was wrong."""
    sample = text[:20_000]
    return sum(1 for ch in sample if "\x80" <= ch <= "\x9f") > 2


def normalize_text(text: str) -> str:
    """Repair mojibake, drop invisible characters, unify spaces and line ends, NFC."""
    if not (_NORMALIZED_AWAY.search(text) or _NON_ASCII_PAIR.search(text)) and unicodedata.is_normalized(
            "NFC", text):
        return text
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    if _FTFY_CHARACTER.search(text) or not unicodedata.is_normalized("NFC", text) or (
            _NON_ASCII_PAIR.search(text) and is_bad(text)):
        text = ftfy.fix_text(text, _FTFY_CONFIG)
    if _INVISIBLE_OR_SPACE.search(text):    # str.translate looks up every character of non-ASCII text
        text = text.translate(_INVISIBLE).translate(_SPACES)
    return unicodedata.normalize("NFC", text)


def decode_page(page: RawPage) -> str:
    """The page's text, ready for a cleaner (HTML pages stay markup)."""
    return decode_page_source(page)[0]


def decode_page_source(page: RawPage) -> tuple[str, bytes | None, list[str]]:
    """``decode_page``, for HTML the page's bytes when they are the markup in UTF-8 (the HTML parser
    reads those as they are, and encoding the markup again costs more than decoding it did), and
    warnings about the decoding for the record's provenance."""
    if not page.data or page.data.isspace():     # (strip() would copy the page)
        raise DecodeError("the page is empty")
    html = page.media_type == "text/html"
    kind = binary_kind(page.data)
    if kind:
        raise NotADocumentError(f"the file is {kind}, not {'an HTML' if html else 'a text'} page")
    text, utf8, note = _decode(page.data, page.charset, html)
    warnings = [note] if note else []
    if html:
        return text, page.data if utf8 else None, warnings
    if "\x00" in text:
        text = text.replace("\x00", "")
    return normalize_text(text), None, warnings
