"""Is a response really a document page? Challenges, login walls and error pages are not.

A harvester that stores whatever came back fills the archive with "Just a moment..." pages that
look like successes; each verdict here names the reason so the run report and the state can say
why a page was refused and a later run retries it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

# Outcomes of a fetched URL that mean "not a document, try again another day".
CHALLENGE, LOGIN, ERROR_PAGE, NOT_HTML, EMPTY, HTTP_ERROR = (
    "challenge", "login", "error_page", "not_html", "empty", "http_error")
DOCUMENT = "document"

_HEAD_BYTES = 64 * 1024
# Matched against the lower-cased head of the body. Markers of the interstitial pages of
# Cloudflare, Imperva/Incapsula, DataDome and PerimeterX; a CAPTCHA widget alone is not one
# (a page may carry a contact form with one).
_CHALLENGE_SNIPPETS = (
    b"cf-browser-verification", b"/cdn-cgi/challenge-platform/", b"cf_chl_opt", b"__cf_chl_",
    b"_incapsula_resource", b"request unsuccessful. incapsula", b"captcha-delivery.com", b"px-captcha",
)
_CHALLENGE_TITLE = re.compile(
    rb"<title>\s*(just a moment|attention required|please wait|checking your browser|ddos-guard)")
_LOGIN_PATH = re.compile(r"/(login|log-in|signin|sign-in|sso|auth(enticate)?)\b", re.I)
_PASSWORD_FIELD = re.compile(rb"<input[^>]+type\s*=\s*[\"']?password", re.I)
_LOGIN_TITLE = re.compile(rb"<title>[^<]*\b(log ?in|sign ?in|access restricted|members only)\b", re.I)
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.I | re.S)
_H1 = re.compile(rb"<h1[^>]*>(.*?)</h1>", re.I | re.S)
_TAGS = re.compile(rb"<[^>]+>")
# Anchored at the start of the title or first heading: a document whose title merely contains
# "forbidden" or "not found" somewhere is still a document.
_ERROR_TEXT = re.compile(
    rb"^\W*(error\b|(http\s*)?(40[0-9]|410|429|50[0-9])\b|page not found|not found|file not found|"
    rb"no longer available|access denied|forbidden|internal server error|service unavailable|bad gateway|"
    rb"gateway time-?out|temporarily unavailable|something went wrong|an error (has )?occurred|oops|"
    rb"under maintenance|we.re sorry|sorry\b)",
    re.I,
)
_HTML_MEDIA = ("text/html", "application/xhtml+xml")
_BINARY_MAGIC = (
    (b"%PDF-", "PDF"), (b"\x89PNG", "PNG image"), (b"\xff\xd8\xff", "JPEG image"), (b"GIF8", "GIF image"),
    (b"PK\x03\x04", "ZIP archive"), (b"\x1f\x8b", "gzip data"), (b"II*\x00", "TIFF image"),
    (b"MM\x00*", "TIFF image"), (b"RIFF", "RIFF media"), (b"\xd0\xcf\x11\xe0", "MS Office file"),
)
_MARKUP = re.compile(rb"<\s*(!doctype|html|head|body|div|p|title)\b", re.I)
# Fewer visible bytes than this is not a page anyone archived on purpose.
MIN_BODY_BYTES = 64


@dataclass(frozen=True)
class Verdict:
    outcome: str
    reason: str

    @property
    def is_document(self) -> bool:
        return self.outcome == DOCUMENT


def media_type(content_type: str | None) -> str:
    return (content_type or "").split(";")[0].strip().lower()


def is_challenge(headers: dict[str, str], body: bytes) -> bool:
    if headers.get("cf-mitigated", "").lower() == "challenge":
        return True
    head = body[:_HEAD_BYTES].lower()
    return any(snippet in head for snippet in _CHALLENGE_SNIPPETS) or bool(_CHALLENGE_TITLE.search(head))


def classify(status: int, headers: dict[str, str], body: bytes, final_url: str) -> Verdict:
    """The verdict on a complete response (headers lower-cased) to a document URL."""
    head = body[:_HEAD_BYTES]
    if is_challenge(headers, head):
        return Verdict(CHALLENGE, f"bot challenge page (HTTP {status})")
    if status in (401, 407) or _LOGIN_PATH.search(urlsplit(final_url).path):
        return Verdict(LOGIN, f"login wall (HTTP {status}, {urlsplit(final_url).path})")
    if not 200 <= status < 300:
        return Verdict(HTTP_ERROR, f"HTTP {status}")
    if not body.strip():
        return Verdict(EMPTY, "empty body")
    binary = next((name for magic, name in _BINARY_MAGIC if head.startswith(magic)), None)
    declared = media_type(headers.get("content-type"))
    if binary:
        return Verdict(NOT_HTML, f"{binary} served as {declared or 'no content type'}")
    if declared and declared not in _HTML_MEDIA:
        return Verdict(NOT_HTML, f"{declared} body on a document URL")
    if not declared and not _MARKUP.search(head):
        return Verdict(NOT_HTML, "body without content type is not HTML")
    if _PASSWORD_FIELD.search(head) and _LOGIN_TITLE.search(head):
        return Verdict(LOGIN, "login form instead of the document")
    heading = _visible(_TITLE, head) or _visible(_H1, head)
    if heading and _ERROR_TEXT.search(heading):
        shown = heading.decode("utf-8", "replace")[:80]
        return Verdict(ERROR_PAGE, f"error page served with HTTP {status}: {shown!r}")
    if len(_TAGS.sub(b"", body).strip()) < MIN_BODY_BYTES:
        return Verdict(EMPTY, f"almost empty page ({len(body)} bytes)")
    return Verdict(DOCUMENT, "ok")


def _visible(pattern: re.Pattern[bytes], head: bytes) -> bytes:
    match = pattern.search(head)
    return b" ".join(_TAGS.sub(b" ", match.group(1)).split()) if match else b""
