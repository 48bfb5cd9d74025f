"""Normalize over a raw directory of good pages mixed with every kind of bad input a harvest meets.

Every page must end as exactly one record or one errors.jsonl entry (never both, never neither), the
counts of the summary and the manifest must add up, each bad input must give the record or the precise
error expected of it, and the run must exit 1 (some pages failed), not crash.
"""

import json
import os
import re
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipeline.cli import EXIT_FAILURES, main
from pipeline.runner import normalize
from pipeline.validate import validate_dir
from tests.conftest import write_page

WILSON_LETTER = """Skip to content

March 3, 1962

Letter from Minister Ivan Petrov to the Central Committee

Dear Comrades,

We report that the grain deliveries agreed on 1 February were completed.

With comradely greetings,
(ss) I. Petrov

A letter reporting that the grain deliveries were completed on schedule.

Document Information

State Archive of Examples, f. 12, op. 3, d. 45. Translated by Ann Example.

Record ID

123456
"""

FRUS_TELEGRAM = """The Minister in Ruritania (Smith) to the Secretary of State
[Telegram]
Strelsau, May 2,
1921, 4 p.m.
[Received May 3, 9 a.m.]
17. The King received me today and asked that you be informed of his views.
Smith
"""

DOCUMENT_HTML = """<!DOCTYPE html>
<html><head><meta charset="{charset}"><title>{title}</title></head>
<body><nav><a href="/">Home</a> <a href="/search">Search</a></nav>
<main><article><h1>{title}</h1><time>12 May 1961</time>
<p>{text}</p><p>{more}</p></article></main>
<footer>Example Archive, 1 Example Square</footer></body></html>"""

HARBOUR = ("The delegation met on the morning of the twelfth and discussed the harbour dues at great length "
           "with the port authority.")
AGREED = "Both sides agreed to report back to their governments within a week."
RUSSIAN_TITLE = "Письмо министра иностранных дел"
RUSSIAN_TEXT = "Министр сообщил, что переговоры о торговле будут продолжены в Москве в следующем месяце."
FRENCH_TITLE = "Note sur la détente à l’Élysée"
FRENCH_TEXT = "Le ministre a évoqué la « détente » et les négociations – très délicates – avec l’ambassadeur."


def document_html(title: str = "Memorandum on the harbour negotiations", text: str = HARBOUR, more: str = AGREED,
                  charset: str = "utf-8") -> str:
    return DOCUMENT_HTML.format(title=title, text=text, more=more, charset=charset)


def text_page(title: str, text: str) -> str:
    return f"{title}\n\n12 May 1961\n\n{text}\n"


def png_bytes() -> bytes:
    header = struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0)
    chunk = struct.pack(">I", len(header)) + b"IHDR" + header + struct.pack(">I", zlib.crc32(b"IHDR" + header))
    return b"\x89PNG\r\n\x1a\n" + chunk + zlib.compress(bytes(range(256)) * 8)


CHALLENGE_HTML = """<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title></head>
<body><div class="main-wrapper" role="main"><h1>digitalarchive.wilsoncenter.org</h1>
<h2 id="challenge-running">Checking if the site connection is secure</h2>
<noscript>Enable JavaScript and cookies to continue</noscript></div>
<script>window._cf_chl_opt={cType: 'managed'};</script></body></html>"""

ERROR_HTML = """<!DOCTYPE html><html><head><title>Page Not Found | Wilson Center Digital Archive</title></head>
<body><header class="site-header"><a href="/">Digital Archive</a></header>
<main><h1>Page not found</h1><p>The page you requested could not be found.</p></main></body></html>"""

LISTING_HTML = """<!DOCTYPE html><html><head><title>Search results | Digital Archive</title></head>
<body><main><h1>Search the Archive</h1><p>1 - 20 of 2425</p><ul class="results">{rows}</ul></main></body></html>
""".format(rows="".join(
    f'<li class="result"><a href="/document/{n}">Letter number {n} from the minister on trade</a></li>'
    for n in range(20)
))


@dataclass(frozen=True)
class Record:
    """The page gives a record whose id matches this pattern and whose title or body holds these strings."""

    id: str
    holds: tuple[str, ...] = ()
    lacks: tuple[str, ...] = ()
    warning: str | None = None


@dataclass(frozen=True)
class Fails:
    """The page gives one errors.jsonl entry with this stage, error class and message fragment."""

    stage: str
    error: str
    message: str


@dataclass(frozen=True)
class Case:
    page: str                                       # path under raw/
    expect: Record | Fails
    content: Callable[[], bytes | str] | None = None  # None: build_raw_dir makes the page itself
    url: str | None = None                          # written to a sidecar when given


def invalid_utf8() -> bytes:
    text = text_page("Notes on the Genève talks", "Les négociations à Genève ont été très délicates; le ministre "
                     "était pressé. Résumé: accord préliminaire, réunion à l’été.")
    return text.encode() + b"A stray byte \xff and a cut sequence \xc3\n"


WILSON_DOC = "https://digitalarchive.wilsoncenter.org/document/"
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" + bytes(2000)
CASES = [
    # Good pages of each kind.
    Case("wilson/petrov-letter.txt", Record("wilson:petrov-letter", holds=("Ivan Petrov", "grain deliveries")),
         lambda: WILSON_LETTER),
    Case("frus/frus1921v01_d17.txt", Record("frus:frus1921v01_d17", holds=("The King received me",)),
         lambda: FRUS_TELEGRAM, "https://history.state.gov/historicaldocuments/frus1921v01/d17"),
    Case("generic/harbour-memo.html", Record("generic:harbour-memo", holds=(HARBOUR, AGREED)), document_html),
    # Nothing there, or not a page at all.
    Case("generic/empty.html", Fails("decode", "DecodeError", "the page is empty"), lambda: b""),
    Case("generic/blank.txt", Fails("decode", "DecodeError", "the page is empty"), lambda: b" \n\t\n "),
    Case("generic/scan.html", Fails("clean", "NotADocumentError", "the file is a PDF file, not an HTML page"),
         lambda: PDF),
    Case("generic/photo.html", Fails("clean", "NotADocumentError", "the file is a PNG image"), png_bytes),
    Case("generic/noise.txt", Fails("clean", "NotADocumentError", "binary data"), lambda: bytes(range(32)) * 64),
    # Broken or oversized markup.
    Case("generic/truncated.html",
         Record("generic:truncated", holds=(HARBOUR[:40],), lacks=(AGREED,), warning="may be truncated"),
         lambda: document_html()[: document_html().index(HARBOUR) + 40]),
    Case("generic/head-only.html", Fails("clean", "NotADocumentError", "no body text"),
         lambda: "<html><head><title>Only a head</title></head></html>"),
    Case("generic/nested-divs.html", Fails("clean", "NotADocumentError", "nests elements more than"),
         lambda: "<html><body>" + "<div>" * 100_000 + HARBOUR + "</div>" * 100_000 + "</body></html>"),
    Case("generic/nested-fonts.html", Record("generic:nested-fonts", holds=("Nested fonts", HARBOUR)),
         lambda: "<html><body><h1>Nested fonts</h1>" + "<font size=2>" * 100_000 + f"<p>{HARBOUR}</p>"
         + "</font>" * 100_000 + "</body></html>"),
    Case("generic/huge.html", Fails("read", "PageTooLargeError", "50000033 bytes, over the 20000000-byte limit"),
         lambda: b"<html><body><p>" + b"word " * 10_000_000 + b"</p></body></html>"),
    # Character sets: declared, undeclared, declared wrongly, UTF-16 with and without a byte order mark.
    Case("generic/cyrillic-1251.html", Record("generic:cyrillic-1251", holds=(RUSSIAN_TITLE, RUSSIAN_TEXT)),
         lambda: document_html(RUSSIAN_TITLE, RUSSIAN_TEXT, charset="windows-1251").encode("cp1251")),
    Case("generic/cyrillic-undeclared.txt",
         Record("generic:cyrillic-undeclared", holds=(RUSSIAN_TITLE, RUSSIAN_TEXT)),
         lambda: text_page(RUSSIAN_TITLE, RUSSIAN_TEXT).encode("cp1251")),
    Case("generic/cyrillic-declared-1252.html",
         Record("generic:cyrillic-declared-1252", holds=(RUSSIAN_TITLE, RUSSIAN_TEXT)),
         lambda: document_html(RUSSIAN_TITLE, RUSSIAN_TEXT, charset="windows-1252").encode("cp1251")),
    Case("generic/french-1252.html", Record("generic:french-1252", holds=(FRENCH_TITLE, FRENCH_TEXT)),
         lambda: document_html(FRENCH_TITLE, FRENCH_TEXT, charset="windows-1252").encode("cp1252")),
    Case("generic/french-undeclared.txt", Record("generic:french-undeclared", holds=(FRENCH_TITLE, FRENCH_TEXT)),
         lambda: text_page(FRENCH_TITLE, FRENCH_TEXT).encode("cp1252")),
    Case("generic/french-declared-utf8.html",
         Record("generic:french-declared-utf8", holds=(FRENCH_TITLE, FRENCH_TEXT)),
         lambda: document_html(FRENCH_TITLE, FRENCH_TEXT, charset="utf-8").encode("cp1252")),
    Case("generic/utf16-bom.html", Record("generic:utf16-bom", holds=(FRENCH_TITLE, FRENCH_TEXT)),
         lambda: document_html(FRENCH_TITLE, FRENCH_TEXT, charset="utf-16").encode("utf-16")),
    Case("generic/utf16-bom-note.txt", Record("generic:utf16-bom-note", holds=(RUSSIAN_TITLE, RUSSIAN_TEXT)),
         lambda: text_page(RUSSIAN_TITLE, RUSSIAN_TEXT).encode("utf-16")),
    Case("generic/utf16le-no-bom.html", Record("generic:utf16le-no-bom", holds=(FRENCH_TITLE, FRENCH_TEXT)),
         lambda: document_html(FRENCH_TITLE, FRENCH_TEXT, charset="utf-16").encode("utf-16-le")),
    Case("generic/utf16be-no-bom.txt", Record("generic:utf16be-no-bom", holds=(RUSSIAN_TITLE, RUSSIAN_TEXT)),
         lambda: text_page(RUSSIAN_TITLE, RUSSIAN_TEXT).encode("utf-16-be")),
    # Damaged text.
    Case("generic/mojibake.txt",
         Record("generic:mojibake", holds=("Note on the policy of détente", "The ministers discussed détente"),
                lacks=("Ã",)),
         lambda: text_page("Note on the policy of dÃ©tente", "The ministers discussed dÃ©tente at length.")),
    Case("generic/mojibake-page.html",
         Record("generic:mojibake-page", holds=("A note on détente", "The policy of détente was discussed."),
                lacks=("Ã",)),
         lambda: document_html("A note on dÃ©tente", "The policy of dÃ©tente was discussed.")),
    Case("generic/nul-bytes.txt",
         Record("generic:nul-bytes", holds=("Note with NUL bytes", "The text has NUL bytes."), lacks=("\x00",)),
         lambda: text_page("Note with\x00 NUL bytes", "The text\x00 has NUL\x00 bytes.")),
    Case("generic/nul-bytes-page.html",
         Record("generic:nul-bytes-page", holds=("Page with NULs", HARBOUR), lacks=("\x00",)),
         lambda: document_html("Page with\x00 NULs", HARBOUR + "\x00", AGREED)),
    Case("generic/invalid-utf8.txt",
         Record("generic:invalid-utf8", holds=("Notes on the Genève talks", "négociations à Genève", "\ufffd")),
         invalid_utf8),
    # Pages that are not documents, and pages of another site.
    Case("wilson/challenge.html", Fails("clean", "NotADocumentError", "bot challenge page"),
         lambda: CHALLENGE_HTML, WILSON_DOC + "300101"),
    Case("wilson/not-found.html", Fails("clean", "NotADocumentError", "error page"),
         lambda: ERROR_HTML, WILSON_DOC + "300102"),
    Case("wilson/search-listing.html", Fails("clean", "NotADocumentError", "listing page"),
         lambda: LISTING_HTML, "https://digitalarchive.wilsoncenter.org/search?q=trade"),
    Case("wilson/bakery-news.html", Record("generic:bakery-news", holds=(HARBOUR,), warning="not a wilson host"),
         lambda: document_html("Local bakery wins a prize", HARBOUR), "https://www.example-news.com/2024/bakery"),
    Case("wilson/frus-misfiled.txt", Record("frus:frus1921v01_d18", holds=("The King received me",)),
         lambda: FRUS_TELEGRAM.replace("17.", "18."), "https://history.state.gov/historicaldocuments/frus1921v01/d18"),
    # Bookkeeping hazards: two pages of one document; a broken sidecar is a warning, not a failure.
    Case("wilson/a-document-77.txt", Record("wilson:77", holds=("grain deliveries",)),
         lambda: WILSON_LETTER, WILSON_DOC + "77"),
    Case("wilson/b-document-77.txt",
         Fails("write", "DuplicateRecordIdError", "wilson:77 is already produced by wilson/a-document-77.txt"),
         lambda: WILSON_LETTER.replace("March 3", "March 4"), WILSON_DOC + "77"),
    Case("generic/surrogates-in-sidecar.txt", Record("generic:surrogates-in-sidecar", holds=(AGREED,)),
         lambda: text_page("A memorandum on surrogates", AGREED)),
    Case("generic/bad-sidecar.txt",
         Record("generic:bad-sidecar", holds=(HARBOUR,), warning="sidecar bad-sidecar.meta.json unreadable"),
         lambda: text_page("A memorandum", HARBOUR)),
]
# Written by build_raw_dir itself: a link leading out of raw/, and a file name that is not UTF-8.
LINK_OUT = Case("generic/link-out.txt", Fails("read", "UnsafePathError", "outside the raw directory"))
ODD_NAME = Case("generic/caf\\xe9-note.txt", Record(r"generic:caf-note-[0-9a-f]{10}", holds=(AGREED,)))
ALL_CASES = [*CASES, LINK_OUT, ODD_NAME]


def build_raw_dir(raw: Path, outside: Path) -> None:
    for case in CASES:
        write_page(raw, case.page, case.content(), url=case.url)
    (raw / "generic" / "bad-sidecar.meta.json").write_bytes(b'{"url": "https://example.org/x", ')
    (raw / "generic" / "surrogates-in-sidecar.meta.json").write_bytes(
        b'{"url": "https://example.org/\\udcff", "retrieved_at": "\\ud800", "charset": "\\udfff"}')
    secret = outside / os.fsdecode(b"secr\xe9t.txt")     # its name reaches the error message: not UTF-8
    secret.write_text(text_page("Not a page of this harvest", "Private notes kept outside the raw directory."))
    (raw / LINK_OUT.page).symlink_to(secret)
    write_page(raw, os.fsdecode(b"generic/caf\xe9-note.txt"), text_page("A note from the cafe", AGREED))
    # Not pages at all, whatever their names say: reading a named pipe would wait forever.
    os.mkfifo(raw / "generic" / "named-pipe.html")
    (raw / "generic" / "folder.html").mkdir()


@pytest.fixture(scope="module")
def harvest(tmp_path_factory):
    """One normalize run through the CLI, as a scheduled job runs it, over the mixed directory."""
    root = tmp_path_factory.mktemp("hostile")
    (root / "raw").mkdir()
    (root / "outside").mkdir()
    build_raw_dir(root / "raw", root / "outside")
    exit_code = main(["--quiet", "normalize", "--raw-dir", str(root / "raw"), "--out-dir", str(root / "normalized")])
    records, errors = load_output(root / "normalized")
    return root, exit_code, records, errors


def load_output(out: Path) -> tuple[dict[str, dict], dict[str, dict]]:
    """Records and error entries, both keyed by page path relative to raw/."""
    records = {}
    for line in (out / "records.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        page = record["source"]["raw_path"].removeprefix("raw/")
        assert page not in records, f"two records for {page}"
        records[page] = record
    errors = {}
    for line in (out / "errors.jsonl").read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        assert entry["page"] not in errors, f"two error entries for {entry['page']}"
        errors[entry["page"]] = entry
    return records, errors


def test_the_run_reports_failures_without_crashing(harvest):
    _, exit_code, _, _ = harvest
    assert exit_code == EXIT_FAILURES


def test_every_page_is_one_record_or_one_error(harvest):
    root, _, records, errors = harvest
    pages = {case.page for case in ALL_CASES}
    assert not set(records) & set(errors), "pages with both a record and an error"
    assert set(records) | set(errors) == pages, "pages with neither a record nor an error, or unknown pages"
    manifest = json.loads((root / "normalized" / "manifest.json").read_text())
    assert manifest["pages"] == len(pages) == manifest["records"] + manifest["failed"]
    assert (manifest["records"], manifest["failed"]) == (len(records), len(errors))
    assert sum(manifest["records_by_site"].values()) == len(records)
    assert len([p for p in (root / "normalized").glob("*/*.json")]) == len(records)


def test_the_output_validates(harvest):
    root, _, records, _ = harvest
    assert validate_dir(root / "normalized", raw_root=root) == (len(records), [])


@pytest.mark.parametrize("case", ALL_CASES, ids=lambda case: case.page)
def test_each_page_gives_what_is_expected(harvest, case):
    _, _, records, errors = harvest
    expect = case.expect
    if isinstance(expect, Fails):
        assert case.page in errors, f"expected an error, got record {records.get(case.page, {}).get('id')}"
        entry = errors[case.page]
        assert (entry["stage"], entry["error"]) == (expect.stage, expect.error), entry["message"]
        assert expect.message in entry["message"]
        return
    assert case.page in errors or case.page in records
    assert case.page in records, f"expected a record, got {errors[case.page]}"
    record = records[case.page]
    assert re.fullmatch(expect.id, record["id"])
    text = f"{record['title']}\n{record['body']}"
    for wanted in expect.holds:
        assert wanted in text
    for unwanted in expect.lacks:
        assert unwanted not in text
    if expect.warning:
        assert any(expect.warning in warning for warning in record["provenance"]["warnings"])


def test_a_rerun_over_the_same_pages_changes_nothing(harvest):
    root, _, records, errors = harvest
    out = root / "normalized"
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.rglob("*") if p.is_file()}
    summary = normalize(root / "raw", out, progress=False)
    after = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.rglob("*") if p.is_file()}
    assert (summary.written, summary.unchanged, summary.failed) == (0, len(records), len(errors))
    assert after == before
