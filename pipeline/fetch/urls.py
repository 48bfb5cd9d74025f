"""URL normalization (one spelling per page, so dedup and the crawl state agree) and log redaction."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

_TRACKING = re.compile(
    r"^(utm_[a-z_]+|gclid|gclsrc|dclid|fbclid|msclkid|yclid|mc_cid|mc_eid|_ga|_gl|igshid|mkt_tok|"
    r"hsa_[a-z]+|_hsenc|_hsmi|oly_anon_id|oly_enc_id|vero_id|wt\.mc_id|s_cid|ref_src)$",
    re.I,
)
_SECRET_PARAM = re.compile(
    r"(^|[_.-])(access_?token|token|api_?key|key|secret|password|passwd|pwd|auth|signature|sig|"
    r"session(_?id)?|sid|code)$",
    re.I,
)
_PERCENT = re.compile(r"%[0-9A-Fa-f]{2}")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_PATH_SAFE = "/:@!$&'()*+,;=-._~%"
_QUERY_SAFE = "/:@!$'()*,;?[]-._~%"


def normalize_url(url: str) -> str:
    """One spelling per page: lower-case scheme and host, no default port, no fragment, no tracking
    parameters, sorted query, resolved dot segments, canonical escapes, no trailing slash."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    netloc = host
    if parts.port is not None and parts.port != _DEFAULT_PORTS.get(scheme):
        netloc = f"{host}:{parts.port}"
    if parts.username is not None:
        userinfo = parts.username + (f":{parts.password}" if parts.password is not None else "")
        netloc = f"{userinfo}@{netloc}"
    # Unreserved escapes are decoded first, so %2E%2E is the ".." segment it spells.
    path = quote(_remove_dot_segments(_unescape_unreserved(parts.path or "/")), safe=_PATH_SAFE)
    path = _PERCENT.sub(lambda m: m.group(0).upper(), path)
    if len(path) > 1:
        path = path.rstrip("/") or "/"
    pairs = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)]
    query = urlencode(sorted(pairs), quote_via=quote, safe=_QUERY_SAFE)
    return urlunsplit((scheme, netloc, path, query, ""))


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def page_key(url: str) -> str:
    """The URL's path and query: one document served from several hosts (a mirror, a test server)
    is one page of its site."""
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


def redact_url(url: str) -> str:
    """url fit for a log line or report: no password in userinfo, no token-like query values."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if parts.password is not None:
        netloc = netloc.replace(f":{parts.password}@", ":REDACTED@", 1)
    if not parts.query:
        return urlunsplit(parts._replace(netloc=netloc))
    pairs = [(k, "REDACTED" if _SECRET_PARAM.search(k) else v)
             for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    query = urlencode(pairs, quote_via=quote, safe=_QUERY_SAFE)
    return urlunsplit(parts._replace(netloc=netloc, query=query))


def _unescape_unreserved(path: str) -> str:
    def unescape(match: re.Match[str]) -> str:
        char = chr(int(match.group(0)[1:], 16))
        return char if char in _UNRESERVED else match.group(0)

    return _PERCENT.sub(unescape, path)


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4, so /a/./b/../c and /a/c are one page."""
    output: list[str] = []
    for segment in path.split("/"):
        if segment == "..":
            if len(output) > 1:
                output.pop()
        elif segment != ".":
            output.append(segment)
    result = "/".join(output)
    if path.endswith(("/.", "/..")):
        result += "/"
    return result if result.startswith("/") else "/" + result
