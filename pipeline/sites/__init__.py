"""Site profiles: everything the pipeline knows about one archive site lives in one module.

A profile module exports:
  NAME            the site name used in record ids ("wilson")
  HOSTS           host names (and their subdomains) served by the profile
  TEXT_MARKERS    compiled patterns that identify already-scraped text of the site
  HTML_MARKERS    compiled patterns that identify the site's HTML
  clean_text(text, page) -> CleanDoc
  clean_html(html, page, encoded=None) -> CleanDoc    encoded: the markup in UTF-8, when the caller has it
  local_id(url) -> str | None     the document's id within the site, from its URL

A page's profile comes from its URL host, else from its folder (raw/<site>/...), else from markers
in the page; the generic profile takes whatever no other profile claims.
"""

from __future__ import annotations

import re
from types import ModuleType
from urllib.parse import urlsplit

from pipeline.models import RawPage
from pipeline.sites import frus, generic, wilson

PROFILES: tuple[ModuleType, ...] = (wilson, frus, generic)
_BY_NAME = {p.NAME: p for p in PROFILES}


def profile_by_name(name: str | None) -> ModuleType | None:
    return _BY_NAME.get(name or "")


# Web archive captures keep the original address after their own prefix.
_WAYBACK = re.compile(r"^https?://web\.archive\.org/web/[^/]+/(?P<original>.+)$", re.I)


def profile_for_url(url: str | None) -> ModuleType | None:
    if not url:
        return None
    if wayback := _WAYBACK.match(url):
        url = wayback.group("original")
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    for profile in PROFILES:
        if any(host == h or host.endswith("." + h) for h in profile.HOSTS):
            return profile
    return None


def profile_for_content(text: str, html: bool) -> ModuleType:
    head = text[:200_000]
    for profile in PROFILES:
        markers = profile.HTML_MARKERS if html else profile.TEXT_MARKERS
        if any(m.search(head) for m in markers):
            return profile
    return generic


def profile_for_page(page: RawPage, text: str) -> ModuleType:
    """URL host, then the site the page was filed under, then markers in the page."""
    return (
        profile_for_url(page.url)
        or profile_by_name(page.site)
        or profile_for_content(text, page.media_type == "text/html")
    )
