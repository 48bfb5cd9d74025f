"""Harvest configuration: the sources in pipeline.toml and the settings that govern each one.

Every table is checked against the keys it may hold, so a misspelt option fails loudly instead of
silently falling back to a default while a scheduled job runs against a real site.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pipeline.fetch.urls import page_key


class ConfigError(ValueError):
    """The configuration file is missing, malformed or names an unknown source."""


@dataclass(frozen=True)
class Politeness:
    min_delay: float = 1.0        # seconds between two request starts to one host
    concurrency: int = 1          # requests in flight at once per host
    obey_robots: bool = True


@dataclass(frozen=True)
class HttpSettings:
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    body_timeout: float = 120.0   # whole-body deadline: a read timeout alone lets a trickle run forever
    max_tries: int = 4
    backoff_base: float = 2.0
    backoff_max: float = 120.0
    retry_after_cap: float = 300.0
    max_bytes: int = 20_000_000
    max_redirects: int = 5


@dataclass(frozen=True)
class Discovery:
    listings: tuple[str, ...] = ()    # listing URLs; "{page}" in one is replaced by page numbers
    first_page: int = 1
    follow: tuple[re.Pattern[str], ...] = ()   # links on a listing that are more listing pages
    sitemaps: tuple[str, ...] = ()
    url_file: Path | None = None
    max_listing_pages: int = 10_000


@dataclass(frozen=True)
class Source:
    name: str
    site: str
    base_url: str
    hosts: frozenset[str]
    documents: tuple[re.Pattern[str], ...]
    discovery: Discovery
    politeness: Politeness
    http: HttpSettings
    user_agent: str
    refresh_after_days: float

    @property
    def host(self) -> str:
        return (urlsplit(self.base_url).hostname or "").lower()

    def resolve(self, url: str) -> str:
        """A configured URL: paths hang off base_url, absolute URLs on a source host move to base_url.

        Moving absolute URLs is what lets --base-url point a whole source (its sitemaps included)
        at a staging or test server.
        """
        parts = urlsplit(url)
        if not parts.scheme:
            return self.base_url + "/" + url.lstrip("/")
        if (parts.hostname or "").lower() in self.hosts:
            base = urlsplit(self.base_url)
            return parts._replace(scheme=base.scheme, netloc=base.netloc).geturl()
        return url

    def is_document(self, url: str) -> bool:
        if (urlsplit(url).hostname or "").lower() not in self.hosts:
            return False
        return any(p.search(page_key(url)) for p in self.documents)

    def with_base_url(self, base_url: str) -> Source:
        new_host = (urlsplit(base_url).hostname or "").lower()
        if not new_host:
            raise ConfigError(f"--base-url needs a scheme and host: {base_url!r}")
        return replace(self, base_url=base_url.rstrip("/"), hosts=self.hosts | {new_host})


@dataclass(frozen=True)
class Config:
    sources: dict[str, Source]
    default_source: str | None
    raw_dir: Path | None
    path: Path = field(default=Path("pipeline.toml"))

    def source(self, name: str | None) -> Source:
        name = name or self.default_source
        if not name:
            raise ConfigError("no --source given and no default_source in the configuration")
        try:
            return self.sources[name]
        except KeyError:
            known = ", ".join(sorted(self.sources)) or "none"
            raise ConfigError(f"unknown source {name!r} (configured: {known})") from None


_FETCH_KEYS = {
    "default_source", "user_agent", "contact", "raw_dir", "refresh_after_days", "politeness", "http",
}
_SOURCE_KEYS = {
    "site", "base_url", "hosts", "documents", "listings", "first_page", "follow", "sitemaps", "url_file",
    "max_listing_pages", "politeness", "http", "refresh_after_days",
}


def load_config(path: Path) -> Config:
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"configuration file not found: {path}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: {exc}") from None
    return parse_config(data, path)


def parse_config(data: dict[str, Any], path: Path = Path("pipeline.toml")) -> Config:
    _check_keys(data, {"fetch", "sources"}, "top level", allow_other=True)
    fetch = _table(data.get("fetch", {}), "[fetch]")
    _check_keys(fetch, _FETCH_KEYS, "[fetch]")
    agent = str(fetch.get("user_agent", "archive-pipeline/0.1"))
    contact = fetch.get("contact")
    if not contact:
        raise ConfigError("[fetch] contact is required: a URL or mailto: where site operators reach you")
    user_agent = f"{agent} (+{contact})"
    politeness = _politeness(_table(fetch.get("politeness", {}), "[fetch.politeness]"), Politeness())
    http = _http(_table(fetch.get("http", {}), "[fetch.http]"), HttpSettings())
    refresh = _number(fetch.get("refresh_after_days", 30), "[fetch] refresh_after_days", minimum=0)

    sources = {}
    for name, table in _table(data.get("sources", {}), "[sources]").items():
        sources[name] = _source(name, _table(table, f"[sources.{name}]"), politeness, http, user_agent,
                                refresh, path.parent)
    default = fetch.get("default_source")
    if default is not None and default not in sources:
        raise ConfigError(f"[fetch] default_source {default!r} is not a configured source")
    raw_dir = Path(fetch["raw_dir"]) if "raw_dir" in fetch else None
    return Config(sources=sources, default_source=default, raw_dir=raw_dir, path=path)


def _source(name: str, table: dict[str, Any], politeness: Politeness, http: HttpSettings,
            user_agent: str, refresh: float, config_dir: Path) -> Source:
    where = f"[sources.{name}]"
    _check_keys(table, _SOURCE_KEYS, where)
    base_url = str(table.get("base_url", "")).rstrip("/")
    host = (urlsplit(base_url).hostname or "").lower()
    if urlsplit(base_url).scheme not in ("http", "https") or not host:
        raise ConfigError(f"{where} base_url must be an http(s) URL, got {base_url!r}")
    hosts = frozenset({host} | {h.lower() for h in _strings(table.get("hosts", []), f"{where} hosts")})
    documents = _patterns(table.get("documents", []), f"{where} documents")
    if not documents:
        raise ConfigError(f"{where} documents: give at least one regex for document URL paths")
    url_file = table.get("url_file")
    discovery = Discovery(
        listings=_strings(table.get("listings", []), f"{where} listings"),
        first_page=int(_number(table.get("first_page", 1), f"{where} first_page", minimum=0)),
        follow=_patterns(table.get("follow", []), f"{where} follow"),
        sitemaps=_strings(table.get("sitemaps", []), f"{where} sitemaps"),
        url_file=(config_dir / url_file) if url_file else None,
        max_listing_pages=int(_number(table.get("max_listing_pages", 10_000), f"{where} max_listing_pages",
                                      minimum=1)),
    )
    return Source(
        name=name,
        site=str(table.get("site", name)),
        base_url=base_url,
        hosts=hosts,
        documents=documents,
        discovery=discovery,
        politeness=_politeness(_table(table.get("politeness", {}), f"{where}.politeness"), politeness),
        http=_http(_table(table.get("http", {}), f"{where}.http"), http),
        user_agent=user_agent,
        refresh_after_days=_number(table.get("refresh_after_days", refresh), f"{where} refresh_after_days",
                                   minimum=0),
    )


def _politeness(table: dict[str, Any], base: Politeness) -> Politeness:
    _check_keys(table, set(Politeness.__dataclass_fields__), "politeness")
    values = {k: _number(v, f"politeness {k}", minimum=0) for k, v in table.items() if k != "obey_robots"}
    if "concurrency" in values:
        values["concurrency"] = max(1, int(values["concurrency"]))
    if "obey_robots" in table:
        values["obey_robots"] = bool(table["obey_robots"])
    return replace(base, **values)


def _http(table: dict[str, Any], base: HttpSettings) -> HttpSettings:
    _check_keys(table, set(HttpSettings.__dataclass_fields__), "http")
    values: dict[str, Any] = {k: _number(v, f"http {k}", minimum=0) for k, v in table.items()}
    for key in ("max_tries", "max_bytes", "max_redirects"):
        if key in values:
            values[key] = int(values[key])
    if values.get("max_tries", 1) < 1:
        raise ConfigError("http max_tries must be at least 1")
    return replace(base, **values)


def _check_keys(table: dict[str, Any], allowed: set[str], where: str, allow_other: bool = False) -> None:
    unknown = set(table) - allowed
    if unknown and not allow_other:
        raise ConfigError(f"{where}: unknown option(s) {', '.join(sorted(unknown))}")


def _table(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where} must be a table")
    return value


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where} must be a list of strings")
    return tuple(value)


def _patterns(value: Any, where: str) -> tuple[re.Pattern[str], ...]:
    try:
        return tuple(re.compile(p) for p in _strings(value, where))
    except re.error as exc:
        raise ConfigError(f"{where}: bad regex: {exc}") from None


def _number(value: Any, where: str, minimum: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < minimum:
        raise ConfigError(f"{where} must be a number >= {minimum}, got {value!r}")
    return float(value)
