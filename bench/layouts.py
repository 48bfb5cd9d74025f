"""HTML renderings of invented documents in the page layouts the pipeline supports.

Each layout writes a whole page as its site serves it: head with metadata, stylesheets and inline
scripts, header menus, search form, cookie banner, the document with its metadata blocks, teasers of
other documents, footer and trailing scripts. Page furniture is built once per site (``SiteChrome``)
and padded per page with inline script, so pages land at the sizes the real sites serve.
"""

from __future__ import annotations

import html
import json
import random
from collections.abc import Callable
from dataclasses import dataclass

from bench.documents import Document, Part, slug
from bench.textgen import TOPICS, TextGen

Link = Callable[[str], str]

# Page sizes in bytes, per layout; trailing inline scripts make up what the content does not fill.
PAGE_SIZES = {
    "wilson-current": (60_000, 150_000),
    "wilson-legacy": (35_000, 90_000),
    "wilson-wayback": (45_000, 110_000),
    "frus-tei": (30_000, 90_000),
}
WILSON_ORIGIN = "https://digitalarchive.wilsoncenter.org"
WILSON_MENU = ("Collections", "Topics", "Regions", "Themes", "About", "Resources", "Programs", "Publications")
FRUS_MENU = (
    "Historical Documents", "Department History", "Guide to Countries", "Milestones", "Tags", "Education",
    "Conferences", "About", "Search",
)
ICONS = ("logo", "search", "share", "print", "mail", "download", "twitter", "facebook", "close", "chevron")
_ICON_PATH = "M{0} {1}c{2} 0 {3}-{4} {3}-{5}s-{6}-{7}-{3}-{7}-{8} {1} {8} {5}zm{9}-{2}h{4}v{6}h-{4}z"
_CSS_PROPERTIES = (
    "margin", "padding", "color", "background", "border", "font-size", "line-height", "display", "flex",
    "grid-template-columns", "transition", "box-shadow", "letter-spacing", "z-index",
)
_CSS_VALUES = (
    "0", "1rem", "0 auto", "#1d2b3a", "#fff", "1px solid #e1e4e8", ".875rem", "1.5", "flex", "none",
    "1 1 auto", "repeat(3,1fr)", "all .2s ease-in-out", "0 2px 4px rgba(0,0,0,.1)", ".02em", "10",
)
_JS_WORDS = (
    "init", "menu", "toggle", "state", "tabs", "cookie", "consent", "track", "viewer", "lazy", "modal",
    "share", "search", "filter", "scroll", "resize", "debounce", "observer", "carousel", "analytics",
)
# Statement shapes of bundled site scripts; {a} {b} {c} are identifiers, {n} a number.
_JS_STATEMENTS = (
    'function {a}(e,t){{var n=document.querySelectorAll(".js-{b}");for(var o=0;o<n.length;o++)'
    'n[o].addEventListener("click",function(r){{r.preventDefault();{c}(e,t,r)}})}}',
    'var {a}={{selector:"[data-{b}]",delay:{n},enabled:!0,label:"{c}"}};',
    'window.{a}=window.{a}||[];window.{a}.push({{event:"{b}",id:{n}}});',
    'if("IntersectionObserver"in window){{new IntersectionObserver(function(e){{e.forEach({b})}},'
    '{{rootMargin:"{n}px"}}).observe(document.body)}}',
)

WILSON_COOKIE_BANNER = (
    '<div class="cookie-banner" role="dialog" aria-label="Cookie consent">'
    '<p>This site uses cookies to measure how it is used and to remember your settings. '
    '<a href="/privacy">Privacy policy</a></p><button class="cookie-accept">Accept</button>'
    '<button class="cookie-decline">Decline</button>{close}</div>\n'
)
WILSON_SEARCH_FORM = (
    '<form class="search-form" action="/search" method="get" role="search">'
    '<label for="edit-search">Search in</label>'
    '<input type="search" id="edit-search" name="search_api_fulltext" placeholder="Search the archive">'
    '<select name="type"><option value="all">All</option><option value="document">Documents</option>'
    '<option value="collection">Collections</option></select><button type="submit">{search}</button></form>'
)
WILSON_RIGHTS = (
    "<p>The History and Public Policy Program makes these materials available for teaching and research. "
    "Some of them may still be under copyright, held by their rights holders under the law of the country "
    "of origin; the Program has tried to reach them where it could.</p>"
    "<p>Questions about the rights status of a document go to {address}.</p>"
)
RIGHTS_ADDRESS = "archive@example.org"
WAYBACK_TOOLBAR = (
    "<!-- BEGIN WAYBACK TOOLBAR INSERT -->\n"
    '<div id="wm-ipp-base" lang="en" style="display:none;direction:ltr;">'
    '<div id="wm-ipp" style="position:fixed;left:0;top:0;right:0;">'
    '<div id="wm-capinfo"><a href="/web/{stamp}*/{url}">{captures} captures</a> {first} - {last}</div>'
    '<form target="_top" method="get" action="/web/submit"><input type="text" name="url" value="{url}">'
    '<input type="submit" value="Go"></form></div></div>\n'
    "<!-- END WAYBACK TOOLBAR INSERT -->\n"
)


def esc(text: str) -> str:
    return html.escape(text, quote=False)


def attr(text: str) -> str:
    return html.escape(text, quote=True)


def _identifier(rng: random.Random) -> str:
    return rng.choice(_JS_WORDS) + rng.choice(_JS_WORDS).capitalize() + str(rng.randint(0, 99))


def _css_chunk(rng: random.Random) -> str:
    rules = []
    for _ in range(rng.randint(15, 40)):
        declarations = ";".join(
            f"{rng.choice(_CSS_PROPERTIES)}:{rng.choice(_CSS_VALUES)}" for _ in range(rng.randint(2, 7))
        )
        rules.append(f".c-{rng.choice(_JS_WORDS)}__{rng.choice(_JS_WORDS)}{{{declarations}}}")
    return "".join(rules)


def _js_chunk(rng: random.Random) -> str:
    """Minified-looking script, the kind bundlers inline into pages."""
    statements = (
        rng.choice(_JS_STATEMENTS).format(
            a=_identifier(rng), b=_identifier(rng), c=_identifier(rng), n=rng.randint(0, 99999)
        )
        for _ in range(rng.randint(10, 30))
    )
    return "!function(){" + "".join(statements) + "}();"


def _svg_icon(rng: random.Random, label: str) -> str:
    paths = "".join(
        f'<path d="{_ICON_PATH.format(*(rng.randint(1, 24) for _ in range(10)))}"/>' for _ in range(2)
    )
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" width="24" height="24" '
        f'aria-hidden="true" focusable="false" class="icon icon--{label}">{paths}</svg>'
    )


def _menu(rng: random.Random, sections: tuple[str, ...], link: Link, chevron: str) -> str:
    menu = []
    for section in sections:
        items = "".join(
            f'<li class="menu-item"><a href="{attr(link("/" + slug(t)))}" class="menu-link">{esc(t)}</a></li>'
            for t in rng.sample(TOPICS, rng.randint(6, 14))
        )
        menu.append(
            '<li class="menu-item menu-item--expanded"><button class="menu-toggle" aria-expanded="false">'
            f'{esc(section)}{chevron}</button><ul class="submenu">{items}</ul></li>'
        )
    return f'<ul class="menu menu--main">{"".join(menu)}</ul>'


def _footer(gen: TextGen, sections: tuple[str, ...], link: Link, icons: dict[str, str]) -> str:
    columns = []
    for section in gen.rng.sample(sections, 4):
        links = "".join(
            f'<li><a href="{attr(link("/" + slug(t)))}">{esc(t)}</a></li>' for t in gen.rng.sample(TOPICS, 8)
        )
        columns.append(f'<div class="footer-column"><h4>{esc(section)}</h4><ul>{links}</ul></div>')
    return (
        f'<div class="footer-columns">{"".join(columns)}</div>'
        f'<div class="footer-about"><p>{esc(gen.paragraph((2, 3)))}</p></div>'
        f'<form class="newsletter-form" action="{attr(link("/subscribe"))}" method="post">'
        '<label for="nl-email">Sign up for updates</label>'
        '<input id="nl-email" type="email" name="email" required>'
        '<button type="submit">Subscribe</button></form>'
        f'<div class="social">{icons["twitter"]}{icons["facebook"]}</div>'
        f'<p class="copyright">© {gen.rng.randint(2019, 2024)} All rights reserved.</p>'
    )


@dataclass
class SiteChrome:
    """A site's furniture: the same on every page, so built once per site and generator seed."""

    css: list[str]
    scripts: list[str]
    menu: str
    footer: str
    icons: dict[str, str]

    @classmethod
    def build(cls, seed: int, name: str, sections: tuple[str, ...], link: Link) -> SiteChrome:
        rng = random.Random(f"chrome-{name}-{seed}")
        icons = {icon: _svg_icon(rng, icon) for icon in ICONS}
        return cls(
            css=[_css_chunk(rng) for _ in range(24)],
            scripts=[_js_chunk(rng) for _ in range(48)],
            menu=_menu(rng, sections, link, icons["chevron"]),
            footer=_footer(TextGen(rng), sections, link, icons),
            icons=icons,
        )

    def styles(self, rng: random.Random) -> str:
        return "".join(rng.sample(self.css, rng.randint(4, 10)))

    def padding(self, rng: random.Random, missing: int) -> str:
        """Inline scripts adding up to about `missing` characters (analytics, widgets, settings)."""
        chunks, size = [], 0
        while size < missing:
            chunk = f"<script>{rng.choice(self.scripts)}</script>\n"
            chunks.append(chunk)
            size += len(chunk)
        return "".join(chunks)


def _filled(head: str, body: str, chrome: SiteChrome, rng: random.Random, layout: str) -> str:
    """The page padded with trailing scripts up to a size drawn for its layout."""
    target = rng.randint(*PAGE_SIZES[layout])
    missing = target - len((head + body).encode("utf-8"))
    return head + body.replace("</body>", chrome.padding(rng, missing) + "</body>", 1)


# ---------------------------------------------------------------------------------------------- Wilson


def _emphasize(text: str, rng: random.Random) -> str:
    words = text.split(" ")
    position = rng.randrange(len(words))
    words[position] = f"<em>{words[position]}</em>"
    return " ".join(words)


def _wilson_part(part: Part, rng: random.Random) -> str:
    if part.kind == "p":
        text = esc(part.text)
        return f"<p>{_emphasize(text, rng) if rng.random() < 0.1 else text}</p>"
    if part.kind == "dateline":
        return f'<p class="text-align-right">{esc(part.text)}</p>'
    if part.kind in ("salute", "closer"):
        return f"<p>{esc(part.text)}</p>"
    if part.kind in ("signed", "address"):
        return "<p>" + "<br>\n".join(esc(line) for line in part.items) + "</p>"
    if part.kind == "heading":
        return f'<p class="text-align-center"><strong>{esc(part.text)}</strong></p>'
    if part.kind == "label":
        return f"<p><strong>{esc(part.text)}</strong></p>"
    if part.kind == "list":
        lead, items = ("", part.items) if not part.items[0].endswith(":") else (part.items[0], part.items[1:])
        listed = "".join(f"<li>{esc(item)}</li>" for item in items)
        return (f"<p>{esc(lead)}</p>" if lead else "") + f"<ul>{listed}</ul>"
    if part.kind == "table":
        rows = "".join(
            "<tr>" + "".join(f"<td>{esc(cell)}</td>" for cell in row) + "</tr>" for row in part.items
        )
        return f'<table class="table"><tbody>{rows}</tbody></table>'
    raise ValueError(f"unknown part kind {part.kind!r}")


def _wilson_body(parts: list[Part], rng: random.Random) -> str:
    return "\n".join(_wilson_part(part, rng) for part in parts)


def _cf_email(address: str, key: int) -> str:
    """Cloudflare's e-mail obfuscation: a key byte, then every character XOR the key, in hex."""
    return f"{key:02x}" + "".join(f"{ord(char) ^ key:02x}" for char in address)


def _rights(rng: random.Random) -> str:
    protected = (
        '<a href="/cdn-cgi/l/email-protection" class="__cf_email__" '
        f'data-cfemail="{_cf_email(RIGHTS_ADDRESS, rng.randint(16, 250))}">[email&#160;protected]</a>'
    )
    return WILSON_RIGHTS.format(address=protected)


def _pills(title: str, items: list[str], link: Link) -> str:
    if not items:
        return ""
    pills = "".join(
        f'<a class="pill" href="{attr(link("/search?" + slug(title) + "=" + slug(item)))}">'
        f'<div class="name"><span>{esc(item)}</span></div></a>'
        for item in items
    )
    return (
        f'<div class="pill-block"><h3 class="title">{esc(title)}</h3>'
        f'<div class="pills">{pills}</div></div>'
    )


def _information(label: str, value: str | None) -> str:
    if value is None:
        return ""
    return (
        f'<div class="information-block"><h3 class="sub-title">{esc(label)}</h3>'
        f'<div class="text"><p>{esc(value)}</p></div></div>'
    )


def _teasers(doc: Document, link: Link) -> str:
    return "".join(
        f'<div class="teaser teaser--document"><div class="date">{esc(date)}</div>'
        f'<h3 class="teaser-title"><a href="{attr(link("/document/" + slug(title)))}">{esc(title)}</a></h3>'
        f'<div class="teaser-summary"><p>{esc(summary)}</p></div></div>'
        for date, title, summary in doc.related
    )


def _wilson_head(doc: Document, chrome: SiteChrome, rng: random.Random) -> str:
    settings = {
        "path": {"baseUrl": "/", "currentPath": f"node/{doc.index}", "currentLanguage": "en"},
        "gtm": {"tagId": f"GTM-{rng.randint(10000, 99999)}", "settings": {"data_layer": "dataLayer"}},
        "ajaxPageState": {"libraries": ",".join(rng.sample(_JS_WORDS, 12)), "theme": "dawc"},
        "document": {"id": doc.record_id, "related": [slug(title) for _, title, _ in doc.related]},
    }
    stylesheets = "".join(
        f'<link rel="stylesheet" media="all" href="/themes/custom/dawc/dist/css/{name}.css'
        f'?v={rng.randint(10**6, 10**7)}">\n'
        for name in ("base", "layout", "components", "document", "print")
    )
    return (
        '<!DOCTYPE html>\n<html lang="en" dir="ltr" prefix="og: https://ogp.me/ns#">\n<head>\n'
        '<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, initial-scale=1.0">\n'
        f"<title>{esc(doc.title)} | Wilson Center Digital Archive</title>\n"
        f'<meta name="description" content="{attr((doc.summary or doc.title)[:300])}">\n'
        f'<link rel="canonical" href="{attr(doc.url)}">\n'
        f'<meta property="og:title" content="{attr(doc.title)}">\n'
        '<meta property="og:type" content="article">\n'
        f'<meta property="og:url" content="{attr(doc.url)}">\n'
        '<meta property="og:site_name" content="Wilson Center Digital Archive">\n'
        '<meta property="article:modified_time" '
        f'content="{doc.uploaded}T{rng.randint(10, 23)}:14:09-04:00">\n'
        f"{stylesheets}<style>{chrome.styles(rng)}</style>\n"
        "<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments)}"
        f"gtag('js',new Date());gtag('config','G-{rng.randint(10**8, 10**9)}');</script>\n"
        '<script type="application/json" data-drupal-selector="drupal-settings-json">'
        f"{json.dumps(settings)}</script>\n</head>\n"
    )


def _wilson_tabs(doc: Document, chrome: SiteChrome, rng: random.Random) -> str:
    """The translation (active) tab, the scan, and the original-language transcript when there is one."""
    english = "English Translation" if doc.original else "English Transcript"
    translation = f'<div class="document-content">\n{_wilson_body(doc.body, rng)}\n</div>'
    tabs = [(english, "translation", translation)]
    scan = attr(doc.local_id)
    tabs.append((
        "Original Scan", "scan",
        f'<div class="pdf-viewer"><iframe src="/pdfjs/web/viewer.html?file=/download/{scan}.pdf" '
        f'title="Original scan"></iframe><a class="download" href="/download/{scan}/original.pdf">'
        f'{chrome.icons["download"]}Download PDF</a></div>',
    ))
    if doc.original:
        paragraphs = "".join(f"<p>{esc(p)}</p>" for p in doc.original)
        original = f'<div class="document-content">{paragraphs}</div>'
        tabs.append((f"{doc.language} Transcript", "original", original))
    labels = "".join(
        f'<li class="nav-item"><a class="nav-link{" active" if i == 0 else ""}" data-toggle="tab" '
        f'href="#{key}" role="tab">{esc(label)}</a></li>'
        for i, (label, key, _) in enumerate(tabs)
    )
    panes = "".join(
        f'<div class="tab-pane{" active" if i == 0 else ""}" id="{key}" role="tabpanel">{content}</div>'
        for i, (_, key, content) in enumerate(tabs)
    )
    return (
        f'<div class="document-tabs"><ul class="nav nav-tabs" role="tablist">{labels}</ul>\n'
        f'<div class="tab-content">{panes}</div></div>\n'
    )


def _wilson_metadata(doc: Document, rng: random.Random, link: Link) -> str:
    """Summary, pills and the "Document Information" blocks under the text."""
    information = "".join(
        (
            _information("Source", doc.citation),
            _information("Original Archive", doc.original_archive),
            f'<div class="information-block"><h3 class="sub-title">Rights</h3>'
            f'<div class="text">{_rights(rng)}</div></div>',
            _information("Original Uploaded Date", doc.uploaded),
            _information("Type", doc.kind.capitalize()),
            _information("Language", doc.language),
            _information("Record ID", doc.record_id),
            _information("Original Classification", doc.classification),
        )
    )
    pills = "".join(
        (
            _pills("Author(s)", doc.authors, link),
            _pills("Associated People & Organizations", doc.people, link),
            _pills("Associated Places", doc.places, link),
            _pills(rng.choice(("Associated Topics", "Subjects Discussed")), doc.topics, link),
        )
    )
    summary = f'<div class="text-block"><p>{esc(doc.summary)}</p></div>\n' if doc.summary else ""
    return (
        f'{summary}<div class="pill-blocks">{pills}</div>\n'
        '<div class="information-blocks"><h2 class="section-title">Document Information</h2>'
        f"{information}</div>\n"
    )


def wilson_current(doc: Document, chrome: SiteChrome, rng: random.Random) -> str:
    def link(path: str) -> str:
        return path

    icons = chrome.icons
    share = "".join(
        f'<button class="share-button share-button--{name}" type="button">{icons[name]}'
        f'<span class="visually-hidden">{name.capitalize()}</span></button>'
        for name in ("share", "print", "mail", "download")
    )
    credit = f'<div class="donated"><p>{esc(doc.credit)}</p></div>\n' if doc.credit else ""
    body = (
        '<body class="path-node page-node-type-document">\n'
        '<a href="#main-content" class="visually-hidden focusable skip-link">Skip to content</a>\n'
        + WILSON_COOKIE_BANNER.format(close=icons["close"])
        + '<header class="site-header" role="banner"><div class="site-header__top">'
        f'<a class="site-logo" href="/">{icons["logo"]}<span class="site-name">Digital Archive</span>'
        '<span class="site-slogan">International History Declassified</span></a></div>\n'
        f'<nav class="main-navigation" aria-label="Main">{chrome.menu}</nav>\n'
        + WILSON_SEARCH_FORM.format(search=icons["search"])
        + "</header>\n"
        '<main id="main-content" role="main"><article class="node node--type-document">\n'
        f'<div class="document-header"><div class="date">{esc(doc.date_text)}</div>\n'
        f'<h1 class="title">{esc(doc.title)}</h1>\n{credit}</div>\n'
        f'<div class="document-actions share-links">{share}</div>\n'
        + _wilson_tabs(doc, chrome, rng)
        + _wilson_metadata(doc, rng, link)
        + "</article>\n"
        '<section class="related-documents"><h2 class="section-title">Related Documents</h2>'
        f'<div class="teasers">{_teasers(doc, link)}</div></section>\n</main>\n'
        f'<footer class="site-footer" role="contentinfo">{chrome.footer}</footer>\n</body>\n</html>\n'
    )
    return _filled(_wilson_head(doc, chrome, rng), body, chrome, rng, doc.layout)


def _legacy_head(doc: Document, chrome: SiteChrome, rng: random.Random, link: Link, wayback: bool) -> str:
    archive_script = (
        f'<script src="//archive.org/includes/analytics.js?v={rng.randint(1000, 9999)}"></script>\n'
        if wayback
        else ""
    )
    return (
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
        '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
        '<html xmlns="http://www.w3.org/1999/xhtml"><head>\n'
        '<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />\n'
        f"{archive_script}<title>{esc(doc.title)} | Wilson Center Digital Archive</title>\n"
        f'<link rel="stylesheet" type="text/css" href="{attr(link("/sites/all/themes/dawc/style.css"))}" />\n'
        f"<style>{chrome.styles(rng)}</style>\n"
        f'<script src="{attr(link("/misc/jquery.js"))}"></script>\n</head>\n'
    )


def wilson_legacy(doc: Document, chrome: SiteChrome, rng: random.Random, wayback: str | None = None) -> str:
    """The pre-2022 site; with `wayback` (a capture timestamp), a web archive's capture of it."""

    def link(path: str) -> str:
        return f"/web/{wayback}/{WILSON_ORIGIN}{path}" if wayback else path

    information = (
        ("Date", doc.date_text), ("Source", doc.citation), ("Original Archive", doc.original_archive),
        ("Language", doc.language), ("Type", doc.kind.capitalize()),
    )
    info_html = "".join(f"<h4>{esc(label)}</h4><p>{esc(value)}</p>" for label, value in information if value)
    subjects = "".join(
        f'<li><a href="{attr(link("/search-results?term=" + slug(t)))}">{esc(t)}</a></li>' for t in doc.topics
    )
    quoted = (
        f"“{esc(doc.title)},” {esc(doc.date_text or '')}, History and Public Policy Program Digital Archive, "
        f"{esc(doc.citation or '')} {esc(doc.url)}"
    )
    related = "".join(
        f'<li><a href="{attr(link("/document/" + slug(t)))}">{esc(t)}</a> <span>{esc(d)}</span></li>'
        for d, t, _ in doc.related
    )
    toolbar = ""
    if wayback:
        first = int(wayback[:4]) - rng.randint(1, 6)
        toolbar = WAYBACK_TOOLBAR.format(
            stamp=wayback, url=attr(doc.url), captures=rng.randint(2, 90), first=first, last=wayback[:4]
        )
    summary = f'<div class="summary"><p>{esc(doc.summary)}</p></div>' if doc.summary else ""
    body = (
        f"<body>\n{toolbar}"
        f'<div id="wrapper"><div id="header"><div id="logo">'
        f'<a href="{attr(link("/"))}">{chrome.icons["logo"]}'
        "Digital Archive International History Declassified</a></div>\n"
        f'<div id="top-nav">{chrome.menu}</div>\n'
        f'<form id="search" action="{attr(link("/search-results"))}" method="get">'
        '<input type="text" name="term">'
        '<input type="submit" value="Search"></form></div>\n'
        f'<div id="content"><div id="left-col"><ul class="side-nav">{related}</ul></div>\n'
        '<div id="main-col">\n'
        f'<h1 class="doc-title">{esc(doc.title)}</h1>\n'
        f'<div class="doc-citation">{summary}<p class="citation">{quoted}</p></div>\n'
        f'<div class="doc-inf"><div class="doc-inf-information">{info_html}</div>\n'
        f'<div class="doc-inf-subjects"><h4>Subjects Discussed</h4><ul id="subj-list">{subjects}</ul></div>\n'
        f'<div class="doc-downloads"><a class="down" href="{attr(link(f"/document/{doc.local_id}.pdf"))}">'
        f'Download PDF</a> <a class="ris" href="{attr(link(f"/document/{doc.local_id}.ris"))}">Export RIS</a>'
        "</div></div>\n"
        f'<div id="doc-text" class="doc-text">\n{_wilson_body(doc.body, rng)}\n</div>\n</div></div>\n'
        f'<div id="footer">{chrome.footer}</div></div>\n</body>\n</html>\n'
    )
    return _filled(_legacy_head(doc, chrome, rng, link, bool(wayback)), body, chrome, rng, doc.layout)


# ---------------------------------------------------------------------------------------------- FRUS


def _marker(number: int) -> str:
    return f'<a href="#fn:{number}" class="note" rel="footnote" id="fnref:{number}"><sup>{number}</sup></a>'


def _glued_markers(parts: list[Part], rng: random.Random, markers: list[int]) -> dict[int, list[int]]:
    """Which paragraphs carry which footnote markers, in order (the extra ones go on the last)."""
    paragraphs = [i for i, part in enumerate(parts) if part.kind == "p"]
    hosts = sorted(rng.sample(paragraphs, min(len(markers), len(paragraphs))))
    glued = {host: [marker] for host, marker in zip(hosts, markers, strict=False)}
    if hosts and len(markers) > len(hosts):
        glued[hosts[-1]] += markers[len(hosts) :]
    return glued


def _frus_body(parts: list[Part], rng: random.Random, markers: list[int]) -> str:
    """TEI-rendered text; footnote markers are glued to the last word of their paragraph."""
    glued = _glued_markers(parts, rng, markers)
    out = []
    index = 0
    while index < len(parts):
        part = parts[index]
        if part.kind == "p":
            text = esc(part.text)
            if index in glued:
                text = text[:-1] + "".join(_marker(n) for n in glued[index]) + text[-1]
            out.append(f'<p class="tei-p">{text}</p>')
        elif part.kind == "salute":
            out.append(f'<div class="tei-opener"><p class="tei-salute">{esc(part.text)}</p></div>')
        elif part.kind in ("closer", "signed"):
            closer = []
            if part.kind == "closer":
                closer.append(f'<p class="tei-salute">{esc(part.text)}</p>')
                if index + 1 < len(parts) and parts[index + 1].kind == "signed":
                    index += 1
                    part = parts[index]
            if part.kind == "signed":
                name = f'<span class="tei-persName">{esc(part.items[0])}</span>'
                closer.append(f'<p class="tei-signed1">{name}</p>')
            out.append(f'<div class="tei-closer">{"".join(closer)}</div>')
        elif part.kind == "list":
            items = "".join(f'<li class="tei-item">{esc(item)}</li>' for item in part.items)
            out.append(f'<ul class="tei-list">{items}</ul>')
        elif part.kind == "table":
            rows = "".join(
                '<tr class="tei-row">' + "".join(f'<td class="tei-cell">{esc(c)}</td>' for c in row) + "</tr>"
                for row in part.items
            )
            out.append(f'<table class="tei-table">{rows}</table>')
        index += 1
    return "\n".join(out)


def _frus_document(doc: Document, rng: random.Random) -> str:
    """File number, numbered heading with its source-note marker, labels, dateline, text, footnotes."""
    notes = list(range(1, len(doc.footnotes) + 1))
    heading = esc(doc.title) if doc.number is None else f"{doc.number}. {esc(doc.title)}"
    if notes:
        heading += _marker(notes[0])
    pieces = []
    if doc.file_number:
        pieces.append(f'<h3 class="tei-head2">{esc(doc.file_number)}</h3>')
    pieces.append(f'<h2 class="tei-head1">{heading}</h2>')
    if doc.type_label:
        pieces.append(f'<p class="tei-p">{esc(doc.type_label)}</p>')
    if doc.date_text:
        joiner = ",<br>" if rng.random() < 0.2 else ", "
        pieces.append(
            f'<p class="tei-dateline"><span class="tei-placeName">{esc(doc.place or "")}</span>{joiner}'
            f'<span class="tei-date">{esc(doc.date_text)}</span>.</p>'
        )
    if doc.received:
        pieces.append(f'<p class="tei-p">{esc(doc.received)}</p>')
    pieces.append(_frus_body(doc.body, rng, notes[1:]))
    if doc.footnotes:
        footnotes = "".join(
            f'<div class="tei-note1" id="fn:{n}"><p class="tei-p"><sup>{n}</sup> {esc(text)} '
            f'<a href="#fnref:{n}" class="fn-back">↩</a></p></div>'
            for n, text in zip(notes, doc.footnotes, strict=True)
        )
        pieces.append(f'<div class="footnotes"><hr class="list">{footnotes}</div>')
    return "\n".join(pieces)


def _toc_title(rng: random.Random) -> str:
    return rng.choice(
        ("Telegram From the Embassy in ", "Memorandum From the Secretary of State to ",
         "Letter From the Ambassador in ", "Editorial Note on ")
    ) + rng.choice(TOPICS)


def frus_page(doc: Document, chrome: SiteChrome, rng: random.Random) -> str:
    volume, _, number = doc.local_id.partition("_d")
    here = int(number)
    toc = "".join(
        f'<li><a href="/historicaldocuments/{volume}/d{n}">{n}. {esc(_toc_title(rng))}</a></li>'
        for n in range(max(1, here - 40), here + 40)
    )
    head = (
        '<!DOCTYPE html>\n<html lang="en"><head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(doc.volume_title or volume)} - Historical Documents - Office of the Historian</title>\n"
        f'<meta name="description" content="{attr(doc.title)}">\n'
        '<link rel="stylesheet" href="/resources/css/all.min.css">\n'
        f"<style>{chrome.styles(rng)}</style>\n"
        f"<script>{rng.choice(chrome.scripts)}</script>\n</head>\n"
    )
    body = (
        '<body>\n<header class="hsg-header"><a class="hsg-logo" href="/">Office of the Historian</a>\n'
        f'<nav class="navbar hsg-nav" role="navigation">{chrome.menu}</nav>\n'
        '<form class="hsg-search" action="/search" method="get">'
        '<input type="text" name="q" placeholder="Search">'
        f'<button type="submit">{chrome.icons["search"]}</button></form></header>\n'
        '<div class="hsg-breadcrumb-wrapper"><ol class="breadcrumb"><li><a href="/">Home</a></li>'
        '<li><a href="/historicaldocuments">Historical Documents</a></li>'
        f'<li><a href="/historicaldocuments/{volume}">{esc(doc.volume_title or volume)}</a></li>'
        f"<li>Document {number}</li></ol></div>\n"
        '<div class="container"><div class="row"><div class="hsg-main col-sm-9"><div id="content-inner">'
        f'<div id="content-container"><div class="tei-div tei-div-type-document" id="{attr(doc.local_id)}">\n'
        f"{_frus_document(doc, rng)}\n</div>\n"
        '<nav class="hsg-pagination"><a class="hsg-pagination-prev" href="#">Previous</a>'
        '<a class="hsg-pagination-next" href="#">Next</a></nav></div></div></div>\n'
        f'<aside class="hsg-aside col-sm-3"><h4>Contents</h4><ul class="hsg-toc">{toc}</ul>'
        f'<div class="hsg-cite"><h4>Cite this resource</h4><p>{esc(doc.volume_title or volume)}, '
        f"Document {number}.</p></div></aside>\n"
        f'</div></div>\n<footer class="hsg-footer">{chrome.footer}</footer>\n</body>\n</html>\n'
    )
    return _filled(head, body, chrome, rng, doc.layout)
