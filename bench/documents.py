"""Invented archival documents: what a page shows, independent of the layout that renders it.

A Document holds the document text as typed parts (dateline, salutation, paragraphs, signature...)
plus the page metadata the sites show around it (summary, pills, source, footnotes). The layouts in
``bench.layouts`` turn one into the HTML of a Wilson Center or FRUS page.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

from bench.textgen import (
    ARCHIVE_NAMES,
    CLASSIFICATIONS,
    CLOSINGS,
    COUNTRIES,
    COVER_NAMES,
    FUNDERS,
    LANGUAGE_NAMES,
    MONTHS,
    ORGS,
    ROLES,
    SALUTATIONS,
    TOPICS,
    TextGen,
)

# Document kinds per site, with their weights.
WILSON_KINDS = {
    "letter": 5,
    "telegram": 6,
    "cable": 3,
    "conversation": 4,
    "report": 3,
    "minutes": 2,
    "journal": 1,
}
FRUS_KINDS = {"telegram": 6, "letter": 3, "memorandum": 4, "conversation": 3, "minutes": 1}
# How many paragraphs a body has: mostly short documents, some very long ones.
BODY_SIZES = ((1, 3), (2, 6), (4, 12), (10, 30), (25, 60))
BODY_SIZE_WEIGHTS = (3, 5, 4, 2, 1)

MINUTES_ITEMS = (
    "the visit to {city}", "the talks with {country}", "the plan for {year}", "the note of {surname}",
)

_SLUG_JUNK = re.compile(r"[^a-z0-9]+")
_UNDECOMPOSABLE = str.maketrans({"ł": "l", "ß": "ss", "đ": "d", "ø": "o"})


@dataclass
class Part:
    """One piece of document text: kind says how a layout marks it up."""

    kind: str  # p | dateline | salute | closer | signed | heading | label | address | list | table
    text: str = ""
    items: tuple = ()  # list items, address lines, signature lines, table rows (tuples of cells)


@dataclass
class Document:
    index: int
    site: str  # "wilson" | "frus"
    layout: str  # "wilson-current" | "wilson-legacy" | "wilson-wayback" | "frus-tei"
    local_id: str
    url: str
    kind: str
    title: str
    date: dt.date
    date_text: str | None  # the page's own date line (Wilson header date, FRUS dateline date)
    body: list[Part]
    language: str = "English"
    summary: str | None = None
    credit: str | None = None
    citation: str | None = None
    original_archive: str | None = None
    classification: str | None = None
    record_id: str | None = None
    uploaded: str | None = None
    authors: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    people: list[str] = field(default_factory=list)
    original: list[str] = field(default_factory=list)  # the original-language transcript tab
    related: list[tuple[str, str, str]] = field(default_factory=list)  # (date, title, summary) teasers
    # FRUS
    number: int | None = None
    file_number: str | None = None
    place: str | None = None
    type_label: str | None = None
    received: str | None = None
    footnotes: list[str] = field(default_factory=list)
    volume_title: str | None = None


def slug(title: str) -> str:
    """A URL slug as the sites make them: ASCII words of the title, lowercase, joined by hyphens."""
    ascii_title = unicodedata.normalize("NFKD", title.lower().translate(_UNDECOMPOSABLE))
    ascii_title = ascii_title.encode("ascii", "ignore").decode("ascii")
    return "-".join(_SLUG_JUNK.sub(" ", ascii_title).split()[:14])


def _body_paragraphs(gen: TextGen) -> list[Part]:
    low, high = BODY_SIZES[gen.rng.choices(range(len(BODY_SIZES)), BODY_SIZE_WEIGHTS)[0]]
    parts = []
    numbered = gen.rng.random() < 0.2
    for number in range(1, gen.rng.randint(low, high) + 1):
        text = gen.paragraph()
        parts.append(Part("p", f"{number}. {text}" if numbered else text))
        if gen.rng.random() < 0.04:
            parts.append(Part("list", items=tuple(gen.sentence() for _ in range(gen.rng.randint(2, 6)))))
        if gen.rng.random() < 0.02:
            rows = [("Item", "Quantity", "Delivered")]
            rows += [
                (gen.pick(ORGS), str(gen.rng.randint(1, 900)), gen.pick(MONTHS))
                for _ in range(gen.rng.randint(2, 8))
            ]
            parts.append(Part("table", items=tuple(rows)))
    return parts


def _letter(gen: TextGen, sender: str, role: str, recipient: str, dateline: str | None) -> list[Part]:
    parts = [Part("dateline", dateline)] if dateline else []
    if gen.rng.random() < 0.3:
        parts.append(Part("address", items=(f"To {gen.pick(ROLES)}", f"Comrade {recipient}", gen.city())))
    parts.append(Part("salute", gen.fill(gen.pick(SALUTATIONS))))
    parts += _body_paragraphs(gen)
    parts.append(Part("closer", gen.pick(CLOSINGS)))
    parts.append(Part("signed", items=(sender, role) if gen.rng.random() < 0.6 else (sender,)))
    return parts


def _telegram(gen: TextGen, signature: str, recipient: str) -> list[Part]:
    parts = []
    if gen.rng.random() < 0.6:
        parts.append(Part("heading", f"CIPHERED TELEGRAM No. {gen.rng.randint(100, 99999)}"))
    if gen.rng.random() < 0.5:
        parts.append(Part("label", gen.pick(CLASSIFICATIONS)))
    addressee = f"To Comrade {recipient}"
    address = (addressee,) if gen.rng.random() < 0.7 else (f"To {gen.city()}", addressee)
    parts.append(Part("address", items=address))
    parts += _body_paragraphs(gen)
    parts.append(Part("signed", items=(signature,)))
    return parts


def _conversation(gen: TextGen, first: str, second: str, date_line: str) -> list[Part]:
    parts = [Part("heading", gen.pick(("RECORD OF CONVERSATION", "MEMORANDUM OF CONVERSATION", "MEMCON")))]
    present = [first, second] + [gen.person() for _ in range(gen.rng.randint(0, 4))]
    parts.append(Part("list", items=("Participants:", *present)))
    parts.append(Part("label", f"Date and place: {date_line}"))
    speakers = (first.split()[-1], second.split()[-1])
    for index in range(gen.rng.randint(3, 30)):
        verb = gen.pick(("said", "replied", "noted", "stressed", "added"))
        parts.append(Part("p", f"{speakers[index % 2]} {verb}: {gen.paragraph((1, 5))}"))
    parts.append(Part("signed", items=(f"Recorded by {gen.person()}",)))
    return parts


def _report(gen: TextGen, author: str) -> list[Part]:
    parts = [
        Part("heading", gen.pick(("REPORT", "INFORMATION", "MEMORANDUM", "NOTE"))),
        Part("label", f"On the situation in {gen.pick(COUNTRIES)}"),
    ]
    parts += _body_paragraphs(gen)
    parts.append(Part("signed", items=(author, gen.pick(ROLES))))
    return parts


def _minutes(gen: TextGen) -> list[Part]:
    parts = [
        Part("heading", f"MINUTES No. {gen.rng.randint(1, 90)}"),
        Part("list", items=("Present:", *(gen.person() for _ in range(gen.rng.randint(3, 9))))),
    ]
    for item in range(1, gen.rng.randint(2, 6) + 1):
        subject = gen.fill(gen.pick(MINUTES_ITEMS))
        parts.append(Part("heading", f"{item}. On {subject}"))
        parts += _body_paragraphs(gen)[:6]
    return parts


def _journal(gen: TextGen, day: dt.date) -> list[Part]:
    parts = []
    for offset in range(gen.rng.randint(2, 6)):
        entry = dt.date.fromordinal(day.toordinal() + offset * gen.rng.randint(1, 3))
        parts.append(Part("dateline", gen.date_text(entry, "eu")))
        parts += _body_paragraphs(gen)[:8]
    return parts


def _header_date(gen: TextGen, day: dt.date) -> str:
    roll = gen.rng.random()
    if roll < 0.85:
        return gen.date_text(day, "us")
    if roll < 0.93:
        return gen.date_text(day, "month")
    if roll < 0.97:
        return gen.date_text(day, "year")
    return gen.date_text(day, "approx")


def _citation(gen: TextGen) -> str:
    """Archive reference, sometimes an edition, then translator or donor credits."""
    parts = [gen.archival_reference()]
    if gen.rng.random() < 0.3:
        parts.append(gen.edition())
    if credit := gen.credit():
        parts.append(credit)
    return " ".join(parts)


def _related(gen: TextGen) -> list[tuple[str, str, str]]:
    teasers = []
    for _ in range(gen.rng.randint(3, 8)):
        nation = gen.nation()
        title = f"{gen.pick(('Telegram', 'Letter', 'Cable', 'Note'))}, {gen.person(nation)} to {gen.person()}"
        teasers.append((gen.date_text(gen.date(), "us"), title, gen.paragraph((1, 2))))
    return teasers


def wilson_document(gen: TextGen, index: int, layout: str) -> Document:
    """A Wilson Center document; its id and URL are given by the caller, which keeps ids unique."""
    rng = gen.rng
    kind = rng.choices(tuple(WILSON_KINDS), tuple(WILSON_KINDS.values()))[0]
    nation, other = gen.nation(), gen.nation()
    sender, recipient = gen.person(nation), gen.person(other)
    role = gen.pick(ROLES)
    day = gen.date(1945, 1991)
    dateline = f"{gen.city(nation)}, {gen.date_text(day)}" if rng.random() < 0.6 else None
    cover = None
    if kind == "letter":
        title = gen.pick(
            (
                f"Letter from {sender}, {role}, to {recipient}",
                f"Letter, {sender} to {recipient}",
                f"Letter of reply, from {sender} to {recipient}",
            )
        )
        body = _letter(gen, sender, role, recipient, dateline)
    elif kind in ("telegram", "cable"):
        cover = f"{gen.pick(COVER_NAMES)} [{sender.split()[-1]}]" if rng.random() < 0.4 else sender
        word = "Ciphered Telegram" if kind == "telegram" else "Cable"
        number = f" No. {rng.randint(1000, 99999)}" if rng.random() < 0.3 else ""
        title = f"{word}{number}, {cover} to {recipient}"
        if rng.random() < 0.2:
            title += f" [via {gen.person()}]"
        body = _telegram(gen, cover.upper() if rng.random() < 0.5 else cover, recipient)
    elif kind == "conversation":
        title = f"Record of Conversation between {sender} and {recipient}, {gen.date_text(day, 'eu')}"
        body = _conversation(gen, sender, recipient, f"{gen.city(nation)}, {gen.date_text(day)}")
    elif kind == "report":
        title = gen.pick(
            (
                f"Report by {sender} on the Situation in {gen.pick(COUNTRIES)}",
                f"Information from the {gen.pick(ORGS)} on {gen.pick(TOPICS)}",
            )
        )
        body = _report(gen, sender)
    elif kind == "minutes":
        title = f"Minutes of the Meeting of the {gen.pick(ORGS)}, {gen.date_text(day, 'eu')}"
        body = _minutes(gen)
    else:
        title = f"Journal of {role} {sender}, {gen.date_text(day, 'eu')}"
        body = _journal(gen, day)

    citation = _citation(gen)
    language = LANGUAGE_NAMES[nation]
    return Document(
        index=index,
        site="wilson",
        layout=layout,
        local_id="",
        url="",
        kind=kind,
        title=title,
        date=day,
        date_text=_header_date(gen, day),
        body=body,
        language=language,
        summary=None
        if rng.random() < 0.1
        else f"{kind.capitalize()} from {sender} to {recipient}. " + gen.paragraph((1, 3)),
        credit=f"This document was made possible with support from {gen.pick(FUNDERS)}"
        if rng.random() < 0.35
        else None,
        citation=citation,
        original_archive=gen.pick(ARCHIVE_NAMES) if rng.random() < 0.5 else None,
        classification=gen.pick(CLASSIFICATIONS) if rng.random() < 0.3 else None,
        record_id=str(100000 + index),
        uploaded=f"20{rng.randint(10, 23)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        authors=[sender] + ([gen.person()] if rng.random() < 0.15 else []),
        places=sorted({gen.pick(COUNTRIES) for _ in range(rng.randint(1, 4))}),
        topics=sorted({gen.pick(TOPICS) for _ in range(rng.randint(1, 5))}),
        people=sorted({gen.person() for _ in range(rng.randint(0, 6))} | {recipient}),
        original=[gen.original_paragraph(nation) for _ in range(rng.randint(1, 12))]
        if nation != "en"
        else [],
        related=_related(gen),
    )


def frus_document(gen: TextGen, index: int, volume: str, number: int) -> Document:
    rng = gen.rng
    kind = rng.choices(tuple(FRUS_KINDS), tuple(FRUS_KINDS.values()))[0]
    year = int(volume[4:8])
    modern = year >= 1945
    day = gen.date(year, min(year + 2, 1991))
    country = gen.pick(COUNTRIES)
    sender, recipient = gen.person("en"), gen.person("en")
    place = gen.city("en" if kind != "telegram" else gen.nation())
    if kind == "telegram":
        heading = gen.pick(
            (
                f"Telegram From the Embassy in {country} to the Department of State",
                f"Telegram From the Department of State to the Embassy in {country}",
                f"The Ambassador in {country} ({sender.split()[-1]}) to the Secretary of State",
            )
        )
    elif kind == "letter":
        office = gen.pick(("President", "Secretary of State", "Ambassador"))
        heading = f"Letter From {office} {sender} to {recipient}"
    elif kind == "memorandum":
        heading = f"Memorandum From the {gen.pick(ROLES)} ({sender}) to President {recipient}"
    elif kind == "conversation":
        heading = gen.pick(
            ("Memorandum of Conversation", f"Memorandum of a Conversation Between {sender} and {recipient}")
        )
    else:
        heading = f"Minutes of a Meeting of the {gen.pick(ORGS)}"

    time_of_day = f", {rng.randint(1, 12)} {gen.pick(('a.m.', 'p.m.'))}" if rng.random() < 0.5 else ""
    date_text = gen.date_text(day, "us") + time_of_day if rng.random() < 0.85 else None
    body: list[Part] = []
    if kind in ("letter", "memorandum") and rng.random() < 0.7:
        body.append(
            Part("salute", gen.pick(("Dear Mr. President:", f"Dear {recipient.split()[-1]}:", "Sir:")))
        )
    body += _body_paragraphs(gen)
    if kind in ("letter", "memorandum", "telegram"):
        if rng.random() < 0.5:
            body.append(Part("closer", gen.pick(CLOSINGS)))
        body.append(Part("signed", items=(sender.split()[-1] if kind == "telegram" else sender,)))

    decimal = f"{rng.randint(100, 999)}.{rng.randint(0, 99):02d}"
    file_number = f"{decimal}/{rng.randint(1, 12)}–{rng.randint(1, 28)}{year % 100:02d}"
    footnotes = []
    if modern:
        footnotes.append(
            f"Source: Department of State, Central Files, {file_number}. {gen.pick(CLASSIFICATIONS)}. "
            f"Drafted by {gen.person('en')} and approved by {gen.person('en')}."
        )
        for _ in range(rng.randint(0, 5)):
            footnotes.append(
                gen.pick(
                    (
                        f"Telegram {rng.randint(100, 9999)} from {gen.city()}, {gen.date_text(day, 'us')}, "
                        f"is printed as Document {rng.randint(1, number)}.",
                        "Not printed.",
                        f"See footnote {rng.randint(1, 4)}, Document {rng.randint(1, 400)}.",
                        "Printed from an unsigned copy.",
                        gen.paragraph((1, 3)),
                    )
                )
            )
    return Document(
        index=index,
        site="frus",
        layout="frus-tei",
        local_id=f"{volume}_d{number}",
        url=f"https://history.state.gov/historicaldocuments/{volume}/d{number}",
        kind=kind,
        title=heading,
        date=day,
        date_text=date_text,
        body=body,
        number=number if modern else None,
        file_number=None if modern else f"File No. {file_number}" if rng.random() < 0.5 else file_number,
        place=place if date_text else None,
        type_label="[Telegram]" if kind == "telegram" and not modern and rng.random() < 0.6 else None,
        received=f"[Received {gen.date_text(day, 'us')}—{rng.randint(1, 12)}:{rng.randint(0, 59):02d} a.m.]"
        if kind == "telegram" and rng.random() < 0.4
        else None,
        footnotes=footnotes,
        volume_title=f"Foreign Relations of the United States, {year}, "
        f"Volume {rng.randint(1, 30)}, {gen.pick(COUNTRIES)}",
        language="English",
    )
