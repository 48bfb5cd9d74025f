"""Extract stage: CleanDoc -> Record.

Each field comes from the most trusted source that has it (page metadata, then the title or heading,
then the document's own opener and signature) and records the rule and text span that produced it in
`provenance.evidence`, so a reviewer can check any value quickly.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace

from pipeline import SCHEMA_VERSION, __version__
from pipeline.extract.citation import find_contributors, find_translators, parse_citation
from pipeline.extract.dates import parse_date, parse_dateline
from pipeline.extract.doctype import classify
from pipeline.extract.people import (
    author_from_title,
    merge_parties,
    parse_party,
    parties_from_address_line,
    parties_from_title,
    read_letter_end,
    recipients_from_salutation,
    split_salutation,
)
from pipeline.models import Block, Citation, CleanDoc, DateValue, Person, Provenance, RawPage, Record, Source
from pipeline.storage import safe_name

# Types whose sender is the author or recorder and which are addressed to no one unless the text says so.
CATALOGUE_NAME = re.compile(r"^(?P<last>[A-ZÀ-Ž][\w'’-]+(?: [A-ZÀ-Ž][\w'’-]+)?), (?P<first>[A-ZÀ-Ž][\w.'’ -]*)$")
# Capitalised words that start a sentence rather than qualify an institution's name.
QUALIFIER_STOPWORDS = {"The", "This", "That", "These", "Our", "Your", "His", "Her", "Their", "Its", "A", "An", "To",
                       "From", "Dear", "And", "Comrade", "Comrades", "Cde", "Of", "By", "For", "With", "In", "On"}
UNADDRESSED_TYPES = {"journal", "diary", "conversation_record", "report", "minutes"}
MAX_SIGNATURE_LINES = 6
# Openers, address lines and signatures are short; the party rules never need more of a line (or title).
MAX_PARTY_LINE = 500


class _Evidence:
    def __init__(self, text: str):
        self.text = text
        self.fields: dict[str, dict] = {}

    def block(self, field: str, block: Block) -> None:
        self.fields[field] = {"rule": f"block:{block.kind}@{block.origin}", "span": None}

    def rule(self, field: str, rule: str, value: str | None = None) -> None:
        span = None
        if value:
            start = self.text.find(value)
            if start >= 0:
                span = [start, start + len(value)]
        self.fields[field] = {"rule": rule, "span": span}


class _DocView:
    """A CleanDoc as the field rules read it, each part worked out once per page: blocks by kind, the
    joined text, the first lines (dateline, address line and salutation) and the last ones (closing,
    signature and the signer it names)."""

    def __init__(self, doc: CleanDoc):
        self.text = doc.text
        self._blocks: dict[str, list[Block]] = {}
        for block in doc.blocks:
            self._blocks.setdefault(block.kind, []).append(block)
        self.head = _head_lines(doc.paragraphs)
        self.tail = _tail_lines(doc.paragraphs)
        self.salutation = split_salutation(self.head)
        self.closing, self.signature, self.signer = read_letter_end(self.tail)

    def first(self, kind: str) -> Block | None:
        blocks = self._blocks.get(kind)
        return blocks[0] if blocks else None

    def all(self, kind: str) -> list[Block]:
        return self._blocks.get(kind, [])


def record_id(doc: CleanDoc, page: RawPage) -> str:
    local = page.local_id or page.path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return f"{doc.site}:{safe_name(local)}"


def _extract_date(doc: _DocView, evidence: _Evidence, warnings: list[str]) -> tuple[DateValue | None, str | None]:
    place = doc.first("place").text if doc.first("place") else None
    for kind in ("date", "dateline"):
        for block in doc.all(kind):
            if kind == "date":
                value = parse_date(block.text)
            else:
                found_place, value = parse_dateline(block.text)
                place = place or found_place
            if value:
                evidence.block("date", block)
                return value, place
            warnings.append(f"unreadable {kind} {block.text!r}: date left empty")
    value, found_place = _dateline_in_text(doc, evidence)
    return value, place or found_place


def _dateline_in_text(doc: _DocView, evidence: _Evidence) -> tuple[DateValue | None, str | None]:
    """A letter's own dateline heading its text, when the page gives no date of its own."""
    lines = doc.head[:3]
    for index, line in enumerate(lines):
        candidate = f"{line} {lines[index + 1]}" if line.endswith(",") and index + 1 < len(lines) else line
        if len(candidate) <= 80:
            place, value = parse_dateline(candidate)
            if value:
                evidence.rule("date", "text:dateline", line)
                return value, place
    return None, None


def _tail_lines(paragraphs: list[str]) -> list[str]:
    lines = [line for p in paragraphs[-MAX_SIGNATURE_LINES:] for line in p.split("\n") if line.strip()]
    return [line[:MAX_PARTY_LINE] for line in lines[-MAX_SIGNATURE_LINES:]]


def _head_lines(paragraphs: list[str]) -> list[str]:
    lines = [line for p in paragraphs[:4] for line in p.split("\n") if line.strip()][:6]
    return [line[:MAX_PARTY_LINE] for line in lines]


def _parties(doc: _DocView, title: str | None, doc_type: str, evidence: _Evidence,
             warnings: list[str]) -> tuple[list[Person], list[Person]]:
    """Title or heading first; then the text's address line, salutation and signature refine it."""
    heading = doc.first("heading")
    source_title = (heading.text if heading else title or "")[:MAX_PARTY_LINE]
    senders, recipients, notes = parties_from_title(source_title, signed_as=doc.signature)
    warnings.extend(notes)
    if senders or recipients:
        evidence.rule("senders" if senders else "recipients", "title:parties")
        if senders and recipients:
            evidence.rule("recipients", "title:parties")

    authors = doc.first("authors")
    if authors and authors.items:
        listed = [parse_party(_catalogue_name(item)) for item in authors.items]
        if len(senders) == 1 and senders[0].org and not senders[0].name:
            listed = [replace(p, org=p.org or senders[0].org) if p.name else p for p in listed]
            senders = []
        senders, notes = merge_parties(listed, senders)
        warnings.extend(notes)
        evidence.block("senders", authors)

    head = doc.head
    if not senders:
        author = author_from_title(source_title) or next(filter(None, map(author_from_title, head[:2])), None)
        if author:
            senders = [author]
            evidence.rule("senders", "title:author")

    text_senders: list[Person] = []
    text_recipients: list[Person] = []
    for line in head:
        line_senders, line_recipients = parties_from_address_line(line)
        if line_senders and line_recipients:
            # The document's own "To X from Y" header is more specific than the page title's places.
            if len(senders) == 1 and senders[0].org and not senders[0].name:
                line_senders = [replace(p, org=p.org or senders[0].org) for p in line_senders]
            senders, recipients = line_senders, line_recipients
            evidence.rule("senders", "text:address-line", line)
            evidence.rule("recipients", "text:address-line", line)
            break
    if doc.salutation and doc_type not in UNADDRESSED_TYPES:
        addressed = recipients_from_salutation(doc.salutation)
        if addressed:
            text_recipients += addressed
            evidence.rule("recipients", "text:salutation", doc.salutation)
    if doc.signer and doc_type not in {"conversation_record", "minutes"}:
        text_senders.append(doc.signer)

    senders, notes = merge_parties(senders, text_senders)
    warnings.extend(notes)
    recipients, notes = merge_parties(recipients, text_recipients)
    warnings.extend(notes)
    summary = doc.first("summary")
    if summary and doc_type not in UNADDRESSED_TYPES and not (senders and recipients):
        # The page's description often says what the text leaves implicit: "Letter from X to Y agreeing ..."
        described_senders, described_recipients, _ = parties_from_title(summary.text.split(". ")[0])
        if not recipients and described_recipients:
            recipients = described_recipients
            evidence.block("recipients", summary)
        if not senders and described_senders:
            senders = described_senders
            evidence.block("senders", summary)
    if not any(map(_is_unqualified_org, senders + recipients)):
        return senders, recipients
    page_text = "\n".join(filter(None, [title, summary.text if summary else None, doc.text]))
    return _qualified_orgs(senders, page_text), _qualified_orgs(recipients, page_text)


def _catalogue_name(item: str) -> str:
    """Catalogues list people as 'Surname, Forename'; documents write 'Forename Surname'."""
    match = CATALOGUE_NAME.match(item.strip())
    return f"{match.group('first')} {match.group('last')}" if match else item


def _is_unqualified_org(party: Person) -> bool:
    """An institution named by a short phrase alone ("Central Committee"), which may want a qualifier."""
    return bool(party.org and not party.name and len(party.org.split()) <= 3 and party.org[0].isupper())


def _qualified_orgs(parties: list[Person], text: str) -> list[Person]:
    """'Central Committee' becomes 'CCP Central Committee' when the page names it so elsewhere."""
    qualified = []
    for party in parties:
        if _is_unqualified_org(party):
            # capital first, the word boundary as a look-behind: re then skips straight to capitals
            pattern = re.compile(rf"([A-Z](?<!\w[A-Z])[\w-]+) {re.escape(party.org)}\b")
            counts = Counter(m.group(1) for m in pattern.finditer(text) if m.group(1) not in QUALIFIER_STOPWORDS)
            if counts:
                qualifier = counts.most_common(1)[0][0]
                party = replace(party, org=f"{qualifier} {party.org}")
        qualified.append(party)
    return qualified


def _citation(doc: _DocView, evidence: _Evidence) -> Citation | None:
    block = doc.first("citation")
    credit = " ".join(b.text for b in doc.all("credit"))
    if not block:
        translators = find_translators(credit)
        contributors = find_contributors(credit)
        if translators or contributors:
            return Citation(text=credit, translators=translators, contributors=contributors)
        return None
    evidence.block("citation", block)
    citation = parse_citation(block.text)
    for name in find_translators(credit):
        if name not in citation.translators:
            citation.translators.append(name)
    for name in find_contributors(credit):
        if name not in citation.contributors:
            citation.contributors.append(name)
    return citation


def _text_of(doc: _DocView, kind: str, evidence: _Evidence, field: str | None = None) -> str | None:
    block = doc.first(kind)
    if not block or not block.text.strip():
        return None
    evidence.block(field or kind, block)
    return block.text.strip()


def _items(doc: _DocView, kind: str) -> list[str]:
    return [item for block in doc.all(kind) for item in block.items]


def extract(doc: CleanDoc, page: RawPage) -> Record:
    view = _DocView(doc)
    evidence = _Evidence(view.text)
    warnings = list(doc.warnings)

    title = _text_of(view, "title", evidence)
    date, place = _extract_date(view, evidence, warnings)
    type_labels = [b.text for b in view.all("type_label")]
    doc_type, type_rule = classify(title or (view.first("heading").text if view.first("heading") else None),
                                   type_labels, view.text)
    evidence.rule("doc_type", type_rule)
    senders, recipients = _parties(view, title, doc_type, evidence, warnings)
    for field, value in (("salutation", view.salutation), ("closing", view.closing),
                         ("signature", view.signature)):
        if value:
            evidence.rule(field, f"text:{field}", value)

    return Record(
        schema_version=SCHEMA_VERSION,
        id=record_id(doc, page),
        source=Source(
            site=doc.site,
            url=page.url,
            retrieved_at=page.retrieved_at,
            raw_path=page.path,
            raw_sha256=page.sha256,
            media_type=page.media_type,
        ),
        title=title,
        doc_type=doc_type,
        date=date,
        place=place,
        senders=senders,
        recipients=recipients,
        summary=_text_of(view, "summary", evidence),
        body=view.text,
        salutation=view.salutation,
        closing=view.closing,
        signature=view.signature,
        footnotes=[b.text for b in view.all("footnote")],
        citation=_citation(view, evidence),
        places=_items(view, "places"),
        topics=_items(view, "topics"),
        people=_items(view, "people"),
        language=_text_of(view, "language", evidence),
        rights=_text_of(view, "rights", evidence),
        record_id=_text_of(view, "record_id", evidence),
        file_number=_text_of(view, "file_number", evidence),
        uploaded_date=_text_of(view, "uploaded_date", evidence),
        provenance=Provenance(
            pipeline_version=__version__,
            profile=doc.profile,
            warnings=warnings,
            evidence=dict(sorted(evidence.fields.items())),
        ),
    )
