"""Clean stage: RawPage -> CleanDoc.

Decoding and Unicode repair are shared; what is chrome and what is a labelled block is site
knowledge and lives in the profile modules under ``pipeline.sites``.
"""

from __future__ import annotations

from pipeline.clean.decode import decode_page_source
from pipeline.models import CleanDoc, RawPage


def clean(page: RawPage) -> CleanDoc:
    """Turn a raw page into the document's own text plus its labelled blocks."""
    # Imported here: the site profiles themselves build on pipeline.clean's helpers.
    from pipeline.sites import profile_for_page

    text, encoded, warnings = decode_page_source(page)
    profile = profile_for_page(page, text)
    if page.media_type == "text/html":
        doc = profile.clean_html(text, page, encoded)
    else:
        doc = profile.clean_text(text, page)
    doc.warnings[:0] = warnings
    return doc
