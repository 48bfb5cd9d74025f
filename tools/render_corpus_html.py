"""Render the development corpus into HTML pages of each layout, to score the HTML path with `eval`.

Each gold document (<corpus>/<site>/<id>.json) is placed into a full page of every layout -- Wilson
Center current, Wilson Center legacy, FRUS (TEI classes), a generic archive page with JSON-LD -- with
the page furniture real sites carry (menus, search form, cookie banner, share buttons, related
documents with other dates and titles, footer, scripts). Pages go to OUT/<layout>/<profile>/<id>.html
with the gold JSON copied beside them, so that

    archive-pipeline eval --corpus OUT/<layout>

reports the HTML-path scores (the folder name tells eval which site profile to use). OUT must lie
outside the repository's tracked files: the corpus text is not to be committed.

    python tools/render_corpus_html.py /tmp/html-corpus [--corpus ../shared/corpus]
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
from collections.abc import Callable
from html import escape
from pathlib import Path

DEFAULT_CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"
BLANK_LINE = re.compile(r"\n\s*\n")
SLUG = re.compile(r"[^a-z0-9]+")
DOCUMENT_NUMBER = re.compile(r"_d(\d+)$")
GLUED_MARKER = re.compile(r"(?<=[^\s\d])\d{1,2}$")

RIGHTS = (
    "<p>The History and Public Policy Program welcomes reuse of Digital Archive materials for research and "
    "teaching. Some documents may be protected by copyright, which remains with the rights holders.</p>"
    "<p>For questions about rights status, contact the History and Public Policy Program at "
    '<a href="/cdn-cgi/l/email-protection#{hex}"><span class="__cf_email__" data-cfemail="{hex}">'
    "[email&#160;protected]</span></a>.</p>"
)
MENU = ("Collections", "Topics", "Places", "People", "Resources", "About", "Donate")
STYLE = (
    "body{font-family:Helvetica,Arial,sans-serif;margin:0;color:#333}a{color:#00457c}"
    ".site-header{border-bottom:4px solid #c5a45a}.main-menu ul{display:flex;list-style:none}"
    ".tab-content>.tab-pane{display:none}.tab-content>.active{display:block}"
    ".cookie-banner{position:fixed;bottom:0;background:#222;color:#fff}.site-footer{background:#00457c;color:#fff}"
)
SCRIPT = "window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments);}gtag('js',new Date());"


def page_facts(gold: dict, page_text: str) -> dict:
    """What the scraped page shows besides the gold fields: its "Type" value and, on FRUS pages, the lines
    between the top of the page and the body (file number, heading, type labels, dateline, stamps)."""
    lines = [line.strip() for line in page_text.split("\n")]
    facts: dict = {"type": None, "prelude": []}
    for index, line in enumerate(lines[:-1]):
        if line == "Type":
            facts["type"] = next((v for v in lines[index + 1:] if v), None)
            break
    start = page_text.find(gold["body"][:60]) if gold.get("body") else -1
    if gold.get("site") == "frus" and start > 0:
        facts["prelude"] = [line for line in page_text[:start].split("\n") if line.strip()]
    return facts


def slug(text: str) -> str:
    return SLUG.sub("-", text.lower()).strip("-")[:80]


def cfemail(address: str, key: int = 0x5A) -> str:
    return (bytes([key]) + bytes(b ^ key for b in address.encode())).hex()


def body_html(body: str, paragraph_class: str = "") -> str:
    """Blank-line separated paragraphs keep their inner lines as <br>; a body without blank lines is one <p> a line."""
    attribute = f' class="{paragraph_class}"' if paragraph_class else ""
    text = body.strip("\n")
    chunks = BLANK_LINE.split(text) if BLANK_LINE.search(text) else text.split("\n")
    paragraphs = []
    for chunk in chunks:
        lines = [escape(line.strip()) for line in chunk.split("\n") if line.strip()]
        if lines:
            paragraphs.append(f"<p{attribute}>" + "<br>".join(lines) + "</p>")
    return "\n".join(paragraphs)


def head(title: str, description: str | None, extra: str = "") -> str:
    meta = f'<meta name="description" content="{escape(description)}">' if description else ""
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>{meta}'
        f'<meta property="og:updated_time" content="2024-02-01T10:00:00+00:00"><style>{STYLE}</style>'
        f"<script>{SCRIPT}</script>{extra}</head>\n"
    )


def site_chrome_top(search_action: str) -> str:
    menu = "".join(f'<li><a href="/{slug(m)}">{m}</a><ul class="dropdown-menu">'
                   + "".join(f'<li><a href="/{slug(m)}/{i}">{m} {i}</a></li>' for i in range(1, 9)) + "</ul></li>"
                   for m in MENU)
    return (
        '<body><a href="#main-content" class="visually-hidden focusable skip-link">Skip to main content</a>\n'
        f'<header class="site-header"><nav class="main-menu"><ul>{menu}</ul></nav>'
        f'<form class="search-form" action="{search_action}"><label>Search in</label><select><option>All</option>'
        '</select><input type="search" name="term"><button>Search</button></form></header>\n'
    )


def site_chrome_bottom() -> str:
    return (
        '<div class="cookie-banner" role="dialog"><p>We use cookies to improve your experience.</p>'
        "<button>Accept</button><button>Decline</button></div>\n"
        '<footer class="site-footer"><ul>' + "".join(f'<li><a href="/{slug(m)}">{m}</a></li>' for m in MENU)
        + "</ul><p>&copy; 2024 All rights reserved. <a href='/privacy'>Privacy Policy</a></p></footer>"
        '<script src="/js/site.min.js"></script></body></html>\n'
    )


def related(others: list[dict]) -> str:
    teasers = "".join(
        f'<div class="teaser"><div class="date">{escape(o.get("date_text") or "")}</div>'
        f'<h3 class="title"><a href="/document/{escape(o["id"])}">{escape(o.get("title") or "")}</a></h3>'
        f'<div class="text-block"><p>{escape(o.get("summary") or "")}</p></div></div>'
        for o in others
    )
    return f'<section class="related-documents"><h2>Related Documents</h2>{teasers}</section>\n'


def wilson_current(gold: dict, others: list[dict], facts: dict) -> str:
    doc_id = escape(gold["id"])
    panes = (
        f'<ul class="nav nav-tabs" role="tablist">'
        f'<li><button class="nav-link" role="tab" aria-controls="scan">Original Scan</button></li>'
        f'<li><button class="nav-link" role="tab" aria-controls="original">Original Language Transcript</button></li>'
        f'<li><button class="nav-link active" role="tab" aria-controls="translation">Translation</button></li></ul>'
        f'<div class="tab-content"><div class="tab-pane fade" id="scan" role="tabpanel">'
        f'<iframe src="/pdfjs/web/viewer.html?file=%2Fdocument%2F{doc_id}%2Fscan.pdf"></iframe></div>'
        f'<div class="tab-pane fade" id="original" role="tabpanel"><p>Texte original du document.</p></div>'
        f'<div class="tab-pane fade show active" id="translation" role="tabpanel">{body_html(gold["body"])}</div></div>'
    )
    info = [("Source", gold.get("citation")), ("Type", facts["type"]), ("Record ID", gold.get("record_id"))]
    info_html = "".join(
        f'<div class="information-block"><h3 class="sub-title">{label}</h3><div class="text"><p>{escape(value)}</p>'
        "</div></div>" for label, value in info if value
    )
    info_html += ('<div class="information-block"><h3 class="sub-title">Rights</h3><div class="text">'
                  + RIGHTS.format(hex=cfemail("HAPP@wilsoncenter.org")) + "</div></div>")
    return (
        head(f"{gold.get('title') or gold['id']} | Wilson Center Digital Archive", gold.get("summary"))
        + site_chrome_top("/search-results")
        + '<main id="main-content" role="main"><article class="document">'
        + (f'<div class="date">{escape(gold["date_text"])}</div>' if gold.get("date_text") else "")
        + f'<h1 class="title">{escape(gold.get("title") or "")}</h1>'
        + '<div class="document-tools"><div class="share-document">Share <a href="#">Facebook</a></div>'
        + f'<a class="download" href="/document/{doc_id}/download.pdf">Download PDF</a></div>'
        + panes
        + (f'<div class="text-block"><p>{escape(gold["summary"])}</p></div>' if gold.get("summary") else "")
        + '<div class="document-information"><h2>Document Information</h2>' + info_html + "</div>"
        + "</article>" + related(others) + "</main>\n"
        + site_chrome_bottom()
    )


def wilson_legacy(gold: dict, others: list[dict], facts: dict) -> str:
    doc_id = escape(gold["id"])
    title = escape(gold.get("title") or "")
    widget = ""
    if gold.get("citation"):
        date = f'{escape(gold["date_text"])}, ' if gold.get("date_text") else ""
        widget = (
            '<div class="citation-box">'
            + (f'<p class="summary-txt">{escape(gold["summary"])}</p>' if gold.get("summary") else "")
            + f'<p class="cite">“{title},” {date}History and Public Policy Program Digital Archive, '
            f'{escape(gold["citation"])}</p></div>'
        )
    info = [("Source", gold.get("citation")), ("Record ID", gold.get("record_id")), ("Type", facts["type"])]
    rows = "".join(f"<h4>{label}</h4><p>{escape(value)}</p>" for label, value in info if value)
    themes = "".join(f'<li><a href="/theme/{slug(o.get("title") or "")}">{escape(o.get("title") or "")}</a></li>'
                     for o in others)
    return (
        head(f"{gold.get('title') or gold['id']} | Wilson Center Digital Archive", None)
        + '<body><div id="wrapper"><div id="header"><a href="/">Digital Archive</a>'
        + '<div id="search"><form action="/search-results"><input name="term"><input type="submit" value="Go">'
        + '</form></div></div><div id="nav"><ul>'
        + "".join(f'<li><a href="/{slug(m)}">{m}</a></li>' for m in MENU) + "</ul></div>"
        + f'<div id="sidebar-left"><h3>Recently Added</h3><ul class="menu">{themes}</ul></div>'
        + f'<div id="content"><div class="doc-header"><h1>{title}</h1>'
        + (f'<p class="doc-date">{escape(gold["date_text"])}</p>' if gold.get("date_text") else "")
        + f"</div>{widget}"
        + f'<div class="doc-tx">{body_html(gold["body"])}</div>'
        + f'<div class="doc-inf"><div class="doc-inf-information">{rows}</div>'
        + f'<p><a class="down" href="/document/{doc_id}.pdf">Download PDF</a></p></div></div>'
        + '<div id="footer"><p>Wilson Center Digital Archive</p></div></div></body></html>\n'
    )


def frus(gold: dict, others: list[dict], facts: dict) -> str:
    number = DOCUMENT_NUMBER.search(gold["id"])
    number = number.group(1) if number else "1"
    notes = list(gold.get("footnotes") or [])
    if gold.get("citation") and not notes:
        notes = [gold["citation"]]
    marker = '<a class="note" rel="footnote" href="#fn:1" id="fnref:1"><sup>1</sup></a>' if notes else ""
    if facts["prelude"]:
        head_html = frus_prelude(gold, facts["prelude"], marker)
    else:
        head_html = f'<h2 class="tei-head1">{number}. {escape(gold.get("title") or "")}{marker}</h2>'
        if gold.get("file_number") and not any(gold["file_number"] in n for n in notes):
            head_html += f'<p class="tei-p">File No. {escape(gold["file_number"])}</p>'
        if gold.get("date_text"):
            head_html += dateline_html(gold.get("place"), [gold["date_text"]])
    items = "".join(
        f'<li class="footnote" id="fn:{i}"><span class="fn-content">{escape(n)}</span> '
        f'<a href="#fnref:{i}" class="fn-back">↩</a></li>' for i, n in enumerate(notes, start=1)
    )
    toc = "".join(f'<li><a href="/historicaldocuments/{escape(o["id"])}">{escape(o.get("title") or "")}</a></li>'
                  for o in others)
    return (
        head(f"{gold.get('title') or gold['id']} - Historical Documents - Office of the Historian", None)
        + '<body><header class="hsg-header"><a href="/">Office of the Historian</a>'
        + '<nav id="navigation"><ul><li><a href="/">Home</a></li><li><a href="/historicaldocuments">'
        + "Historical Documents</a></li></ul></nav></header>"
        + '<div class="hsg-breadcrumb-wrapper"><a href="/">Home</a> › Historical Documents</div>'
        + f'<main id="content"><div id="content-sidebar"><aside><h2>Contents</h2><ul>{toc}</ul></aside></div>'
        + '<div id="content-inner"><div class="hsg-navigation-wrapper"><a href="#">&lt; Previous</a>'
        + '<a href="#">Next &gt;</a></div><div class="tei-div">'
        + head_html + body_html(gold["body"], "tei-p")
        + f'</div><div class="footnotes"><ol>{items}</ol></div></div></main>'
        + '<footer class="hsg-footer"><p>Office of the Historian</p></footer></body></html>\n'
    )


def dateline_html(place: str | None, lines: list[str]) -> str:
    """A TEI dateline: the place in its own span, a date split over lines kept with <br>."""
    text = "<br>".join(escape(line) for line in lines)
    if place and lines[0].startswith(place):
        rest = "<br>".join(escape(line) for line in [lines[0][len(place):].lstrip(", "), *lines[1:]])
        return (f'<div class="tei-dateline"><span class="tei-placeName">{escape(place)}</span>, '
                f'<span class="tei-date">{rest}</span></div>')
    return f'<div class="tei-dateline"><span class="tei-date">{text}</span></div>'


def frus_prelude(gold: dict, prelude: list[str], marker: str) -> str:
    """The FRUS page head as the scrape shows it: file number, heading, labels, dateline lines, stamps."""
    title = gold.get("title") or ""
    date_text = " ".join((gold.get("date_text") or "").split())
    parts: list[str] = []
    dateline: list[str] = []
    for line in (line.strip() for line in prelude):
        if title and title[:30] in line and not any("tei-head1" in p for p in parts):
            heading = GLUED_MARKER.sub("", line) if marker else line
            parts.append(f'<h2 class="tei-head1">{escape(heading)}{marker}</h2>')
        elif date_text and line in date_text and not any("tei-dateline" in p for p in parts):
            dateline.append(line)
            if " ".join(dateline) == date_text:
                parts.append(dateline_html(gold.get("place"), dateline))
        else:
            parts.append(f'<p class="tei-p">{escape(line)}</p>')
    return "\n".join(parts)


def generic(gold: dict, others: list[dict], facts: dict) -> str:
    json_ld = {"@context": "https://schema.org", "@type": "ArchiveComponent", "name": gold.get("title"),
               "dateModified": "2024-02-01"}
    if gold.get("summary"):
        json_ld["description"] = gold["summary"]
    if gold.get("date"):
        json_ld["dateCreated"] = gold["date"]
    meta_rows = [("Date", gold.get("date_text")), ("Source", gold.get("citation")),
                 ("Identifier", gold.get("record_id")), ("Type", facts["type"])]
    rows = "".join(f"<dt>{label}</dt><dd>{escape(value)}</dd>" for label, value in meta_rows if value)
    recent = "".join(f'<li><a href="/i/{escape(o["id"])}">{escape(o.get("title") or "")}</a></li>' for o in others)
    script = f'<script type="application/ld+json">{json.dumps(json_ld, ensure_ascii=False)}</script>'
    return (
        head(f"{gold.get('title') or gold['id']} – City Archives", gold.get("summary"), script)
        + site_chrome_top("/search")
        + '<div class="breadcrumbs"><a href="/">Home</a> › Items</div><div class="layout">'
        + f'<aside class="sidebar"><h3>Recent items</h3><ul>{recent}</ul></aside>'
        + f'<main class="content"><article class="item"><h1>{escape(gold.get("title") or "")}</h1>'
        + f'<dl class="item-meta">{rows}</dl><div class="item-text">{body_html(gold["body"])}</div>'
        + '<div class="share-links">Share: <a href="#">Facebook</a></div>'
        + '<nav class="pagination"><a rel="prev" href="#">« Previous</a> <a rel="next" href="#">Next »</a></nav>'
        + "</article></main></div>"
        + site_chrome_bottom()
    )


LAYOUTS: dict[str, tuple[str, Callable[[dict, list[dict], dict], str]]] = {
    "wilson-current": ("wilson", wilson_current),
    "wilson-legacy": ("wilson", wilson_legacy),
    "frus-tei": ("frus", frus),
    "generic": ("generic", generic),
}


def render(corpus: Path, out: Path) -> int:
    golds = sorted(corpus.glob("*/*.json"))
    documents = [json.loads(path.read_text(encoding="utf-8")) for path in golds]
    written = 0
    for index, (path, gold) in enumerate(zip(golds, documents, strict=True)):
        if not gold.get("body"):
            continue
        others = [documents[(index + k) % len(documents)] for k in (1, 2, 3)]
        scraped = path.with_suffix(".txt")
        facts = page_facts(gold, scraped.read_text(encoding="utf-8") if scraped.exists() else "")
        for layout, (profile, build) in LAYOUTS.items():
            folder = out / layout / profile
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{path.stem}.html").write_text(build(gold, others, facts), encoding="utf-8")
            shutil.copyfile(path, folder / path.name)
            written += 1
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="output directory, outside the repository")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="the development corpus")
    args = parser.parse_args()
    repository = Path(__file__).resolve().parent.parent
    if args.out.resolve().is_relative_to(repository):
        parser.error("write the rendered corpus outside the repository: its text must not be committed")
    count = render(args.corpus, args.out)
    print(f"{count} pages in {len(LAYOUTS)} layouts under {args.out}")


if __name__ == "__main__":
    main()
