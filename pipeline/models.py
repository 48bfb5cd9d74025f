"""The values that flow between stages: RawPage -> CleanDoc -> Record.

Every stage is a pure function of its input value; these classes are the whole contract between them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

# Block kinds a cleaner may emit. Extraction reads blocks by these names only.
BLOCK_KINDS = (
    "title",           # the document title as the page shows it
    "date",            # the page's header date line for the document
    "heading",         # FRUS head naming sender and recipient / document heading
    "dateline",        # place and date line of the document itself
    "place",           # place of writing, from the dateline
    "received",        # "[Received ...]" stamps: never the document date
    "type_label",      # "[Telegram]", "[Circular telegram]", a "Type" metadata value
    "credit",          # "This document was made possible with support from ..."
    "summary",         # the page's one-paragraph description
    "authors",         # author pills / metadata (items)
    "places",          # associated places (items)
    "topics",          # subjects / topics (items)
    "people",          # associated people and organizations (items)
    "citation",        # the source block
    "original_archive",
    "rights",
    "language",
    "classification",
    "record_id",
    "uploaded_date",
    "file_number",
    "document_number",  # a despatch's or telegram's own serial number ("No. 1234")
    "footnote",        # one block per footnote, text without its marker
    "download",        # links to scans/PDFs (items: URLs)
    "donor",
)


@dataclass(frozen=True)
class RawPage:
    """A page as stored in raw/: its bytes and what we know of where they came from."""

    path: str                 # path relative to the raw directory, POSIX separators
    data: bytes
    media_type: str           # "text/html" or "text/plain"
    sha256: str
    site: str | None = None   # resolved site name ("wilson", "frus", "generic", ...)
    local_id: str = ""        # file-safe id within the site
    url: str | None = None
    retrieved_at: str | None = None
    charset: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Block:
    """A labelled piece of a page that is not document text (or not only)."""

    kind: str
    text: str
    origin: str               # where it came from: "css:h1.title", "line:12", "label:Source"
    items: tuple[str, ...] = ()


@dataclass
class CleanDoc:
    """The document's own text as paragraphs plus the page's labelled blocks."""

    site: str
    profile: str
    paragraphs: list[str]
    blocks: list[Block] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)

    def first(self, kind: str) -> Block | None:
        return next((b for b in self.blocks if b.kind == kind), None)

    def all(self, kind: str) -> list[Block]:
        return [b for b in self.blocks if b.kind == kind]


@dataclass
class Person:
    name: str | None = None
    role: str | None = None
    org: str | None = None


@dataclass
class DateValue:
    edtf: str
    text: str
    start: str | None          # ISO date of the earliest day covered
    end: str | None            # ISO date of the last day covered
    precision: str             # day | month | season | year | decade | century


@dataclass
class Citation:
    text: str
    archive: str | None = None
    collection: str | None = None
    file: str | None = None
    pages: str | None = None
    published_in: list[str] = field(default_factory=list)
    translators: list[str] = field(default_factory=list)
    contributors: list[str] = field(default_factory=list)


@dataclass
class Source:
    site: str
    url: str | None
    retrieved_at: str | None
    raw_path: str
    raw_sha256: str
    media_type: str


@dataclass
class Provenance:
    pipeline_version: str
    profile: str
    warnings: list[str] = field(default_factory=list)
    # field name -> {"rule": str, "span": [start, end] | None} into the cleaned text
    evidence: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass
class Record:
    schema_version: str
    id: str
    source: Source
    title: str | None
    doc_type: str
    date: DateValue | None
    place: str | None
    senders: list[Person]
    recipients: list[Person]
    summary: str | None
    body: str
    salutation: str | None
    closing: str | None
    signature: str | None
    footnotes: list[str]
    citation: Citation | None
    places: list[str]
    topics: list[str]
    people: list[str]
    language: str | None
    rights: str | None
    record_id: str | None
    file_number: str | None
    uploaded_date: str | None
    provenance: Provenance

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


DOC_TYPES = (
    "letter", "telegram", "cable", "memorandum", "conversation_record", "minutes", "report", "journal",
    "diary", "note", "speech", "resolution", "instruction", "information", "interview", "despatch",
    "circular", "other",
)


class PipelineError(Exception):
    """Base of the errors a stage raises for a page it cannot turn into a record."""

    stage = "pipeline"


class DecodeError(PipelineError):
    stage = "decode"


class NotADocumentError(PipelineError):
    """The page is not a document (challenge page, error page, listing, binary)."""

    stage = "clean"


class ExtractError(PipelineError):
    stage = "extract"


class PageReadError(PipelineError):
    """The raw file cannot be taken as a page at all (too large, or a link leading outside raw/)."""

    stage = "read"


class PageTooLargeError(PageReadError):
    pass


class UnsafePathError(PageReadError):
    pass


class InvalidRecordError(PipelineError):
    """Extraction produced a record that does not satisfy the published JSON Schema."""

    stage = "validate"


class DuplicateRecordIdError(PipelineError):
    """Two pages give the same record id; the first page (in path order) keeps it."""

    stage = "write"
