"""A page's source block (citation) into archive, collection, file, pages, printed editions and credits.

Field conventions:
  archive     the holding institution as written ("RGANI", "AP RF", "National Archives",
              "Diplomatic Archives of the Ministry of Foreign Affairs of Japan"); never the Digital Archive
              that publishes the page.
  collection  the levels above the file, labels kept as written ("f. 5, op. 49", "RG 59, Central Decimal
              File 1950-54", "CC RCP - Foreign Relations Section").
  file        the file and any container below the collection, labels kept ("d. 131", "Box 1234",
              "Delo 3, Papka 11"); a papka/box is a container, so it belongs to the file level.
  pages       the page or leaf numbers only, without their label: "ll. 193-194" gives "193-194",
              "S. 12-15" gives "12-15", "L.68" gives "68".
Only the first archival reference fills these fields; a second one ("...; and RGASPI, ...") is ignored.
Printed editions ("Reprinted in ...", "See also ...", a citation that is itself a book reference) go to
published_in, without the lead phrase and the closing period.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from pipeline.models import Citation

# Archive names recognised at the start of any reference (other archives are found by the generic
# rules: a leading institution phrase or an acronym, in the first reference of a citation only).
KNOWN_ARCHIVES = (
    # Russia and the USSR
    "RGANI", "RGASPI", "RTsKhIDNI", "TsKhSD", "GARF", "RGAE", "RGVA", "RGIA", "RGALI", "RGANTD", "RGAVMF",
    "TsAMO", "TsA FSB", "AVPRF", "AVP RF", "AVP SSSR", "APRF", "AP RF",
    # Ukraine, Belarus, the Baltics, the Caucasus
    "TsDAHOU", "TsDAVO", "HDA SBU", "SBU", "NARB", "LYA",
    # Central and Eastern Europe
    "ANIC", "AMAE", "ACNSAS", "AMR", "SAPMO-BArch", "SAPMO", "BArch", "BStU", "PA AA", "PAAA", "BA-MA",
    "AMZV", "NAČR", "NA ČR", "SÚA", "SUA", "VHA", "ABS", "AAN", "AMSZ", "AIPN", "IPN", "MOL", "MNL OL",
    "ÁBTL", "ABTL", "HIL", "TsDA", "AMVnR", "DAMSP", "AJ", "AJBT", "HDA", "AQSH", "AQSh", "AMPJ",
    # Asia
    "PRC FMA", "PRCFMA", "CFMA", "KPA", "MFA",
    # United States and elsewhere
    "NARA", "National Archives and Records Administration", "National Archives", "TNA", "PRO",
    "Department of State", "Central Intelligence Agency", "National Security Council",
    "Department of Defense", "White House",
)

# Words that make a leading phrase an institution that keeps records.
ARCHIVE_WORDS = (
    "Archive", "Archives", "Archiv", "Archivum", "Archiwum", "Arhiva", "Arhivele", "Arkiv", "Arkivet",
    "Archivo", "Archivio", "Arquivo", "Archief", "Library", "Libraries",
    "Bibliothek", "Records Center", "Records Centre", "Record Office", "Records Administration",
)

# Places that follow an archive name in some citations ("..., Tokyo."): not a level of the reference.
ARCHIVE_CITIES = (
    "Moscow", "Moscova", "Bucharest", "București", "Bucureşti", "Berlin", "Bonn", "Koblenz", "Potsdam",
    "Freiburg", "Prague", "Praha", "Warsaw", "Warszawa", "Budapest", "Sofia", "Belgrade", "Tirana",
    "Kyiv", "Kiev", "Minsk", "Vilnius", "Riga", "Tallinn", "Tbilisi", "Yerevan", "Baku", "Bratislava",
    "Ljubljana", "Zagreb", "Vienna", "Bern", "Geneva", "Stockholm", "Helsinki", "London", "Kew", "Paris",
    "Rome", "Beijing", "Peking", "Nanjing", "Shanghai", "Taipei", "Tokyo", "Seoul", "Pyongyang", "Hanoi",
    "Ulaanbaatar", "Ulan Bator", "New Delhi", "Islamabad", "Havana", "Ottawa", "Canberra", "Washington",
    "College Park", "Stanford",
)

# Reference levels by label. "f." and "p." are ambiguous and resolved by position (see _level).
COLLECTION_LABELS = (
    "fond", "fonds", "fondul", "op", "opis", "opis'", "inventar", "inv", "RG", "Record Group", "Bestand",
    "Series", "Lot", "cs",
)
FILE_LABELS = (
    "d", "delo", "dela", "spr", "sprava", "file", "dosar", "dos", "dossier", "a.e", "a.j", "ő.e", "o.e",
    "sygn", "sygnatura", "box", "folder", "papka", "pap", "karton", "kart", "krabice", "sv", "svazek",
    "Akte", "Mappe", "vol", "volume", "item", "doboz",
)
PAGE_LABELS = (
    "l", "ll", "list", "listy", "listi", "pp", "page", "pages", "S", "Bl", "Blatt", "k", "str", "ff",
    "fol", "fols", "folio", "folios", "fila", "filele", "s", "ss",
)
FOND_OR_FOLIO = ("f",)      # fond before the file level, folio (page) after it
CONTAINER_OR_PAGE = ("p",)  # papka when a file or page label follows, else a page

# Security markings of FRUS source notes; never an archive, collection or edition.
CLASSIFICATIONS = (
    "top secret", "secret", "confidential", "unclassified", "limited official use", "official use only",
    "for official use only", "restricted", "sensitive", "exclusive", "eyes only", "exclusively eyes only",
    "nodis", "exdis", "limdis", "noforn", "niact", "priority", "immediate", "flash", "personal",
    "strictly confidential", "no distribution", "administratively confidential", "strictly personal",
    "personal and confidential", "top secret sensitive", "secret sensitive", "umbra", "codeword",
)

# Abbreviations whose period does not end a sentence (single letters are handled as initials).
ABBREVIATIONS = frozenset({
    "ff", "op", "ll", "pp", "ss", "vol", "vols", "no", "nos", "nr", "ed", "eds", "comp", "trans", "transl",
    "spr", "sv", "bl", "fol", "fols", "str", "ob", "cf", "jr", "sr", "mr", "mrs", "ms", "dr", "prof", "st",
    "gen", "col", "lt", "capt", "cde", "cdes", "com", "dept", "div", "univ", "ca", "approx", "ibid", "art",
    "ch", "chap", "pt", "ser", "fig", "kart", "inv", "sygn", "dos", "cs", "rev", "repr", "orig",
})

NAME_PARTICLES = frozenset({
    "de", "da", "del", "della", "di", "do", "dos", "das", "du", "la", "le", "van", "von", "der", "den", "ter",
    "bin", "ibn", "al", "el", "y", "e",
})


def _alternation(words: tuple[str, ...]) -> str:
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True))


_KNOWN_ARCHIVE = re.compile(rf"^(?:{_alternation(KNOWN_ARCHIVES)})(?=$|[\s,:;(.])")
_ARCHIVE_WORD = re.compile(rf"\b(?:{_alternation(ARCHIVE_WORDS)})\b")
_NOT_AN_ARCHIVE = re.compile(r"\bDigital\s+Archive\b", re.I)
_CITIES = frozenset(c.lower() for c in ARCHIVE_CITIES)
_CLASSIFICATIONS = frozenset(CLASSIFICATIONS)

_LEVEL_BY_LABEL = {
    **{w.lower(): "collection" for w in COLLECTION_LABELS},
    **{w.lower(): "file" for w in FILE_LABELS},
    **{w.lower(): "pages" for w in PAGE_LABELS},
    **{w.lower(): "fond_or_folio" for w in FOND_OR_FOLIO},
    **{w.lower(): "container_or_page" for w in CONTAINER_OR_PAGE},
}
_LABELLED = re.compile(
    rf"^(?P<label>{_alternation(tuple(_LEVEL_BY_LABEL))})(?:\.\s*|\s+)(?P<value>\S.*)$", re.I
)
# Hungarian puts the label after the number: "288. f.", "47. cs.", "763. ő.e.", "11. doboz".
_LABEL_AFTER = re.compile(r"^(?P<value>\S+?)\.?\s+(?P<label>f|cs|ő\.\s*e|o\.\s*e|doboz)\.?$")
# Page and leaf numbers, ranges and lists: 12, 12-15, 12a, 12 ob. (verso), XII, 5 and 7.
_PAGE_NUMBER = r"(?:\d+|[IVXLC]+\b|[ivxlc]+\b)(?:\s*ob\.?|[a-z](?![a-z]))?"
_PAGE_SPAN = re.compile(rf"^{_PAGE_NUMBER}(?:\s*(?:[-–—]|&|\band\b)\s*{_PAGE_NUMBER})*")
_WORDY = re.compile(r"[A-Z]?[a-z]{2,}")
# "Diplomatic Archives of ... (“Cuban Domestic Policies” file)": the parenthesis names the file.
_NAMED_FILE = re.compile(r"\(\s*[“\"](?P<file>[^”\"]+)[”\"]\s*(?:file|folder|dossier)\s*\)", re.I)
_PARENTHESIS = re.compile(r"\s*\([^()]*\)")
_FIRST_TOKENS = re.compile(r"^(\S+)(?:\s+(\S+))?(?:\s+(\S+))?")  # an acronym has at most three words

_LEADING_LABEL = re.compile(r"^(?:Sources?|Original\s+Archive|Citation)\s*:\s*", re.I)
# The citation line Wilson prints: "“Title,” Date, History and Public Policy Program Digital Archive, ..."
_WILSON_BOILERPLATE = re.compile(
    r"^(?:[“\"„‘'].*?|.*?(?:History\s+and\s+Public\s+Policy\s+Program|Wilson\s+Center|"
    r"Cold\s+War\s+International\s+History\s+Project)\s+)Digital\s+Archive\b[\s,.;:]*"
)
# The English word "File" names the field itself; labels in the archive's language (delo, dosar) are kept.
_FILE_WORD = re.compile(r"^File(?:\s+No\.?)?\s+(?=\S*\d)", re.I)
_URL = re.compile(r"\s*https?://\S+")

_SENTENCE_GAP = re.compile(r"[.!?][\"”’)\]]*\s+")
_LAST_WORD = re.compile(r"([^\W\d_]+)$")
_LONGEST_ABBREVIATION = max(map(len, ABBREVIATIONS)) + 1  # a longer word before a period is no abbreviation
_BRACKET_PAIRS = ("()", "[]", "“”")
# The separators references are split at (see _top_level).
_SEPARATORS = {separators: re.compile(f"[{re.escape(separators)}]") for separators in (";", ",", ",:")}
_BRACKET_PATTERNS = tuple((pair[0], re.compile(f"[{re.escape(pair)}]")) for pair in _BRACKET_PAIRS)
_LEADING_JOINER = re.compile(r"^(?:and|also|as\s+well\s+as)\s+", re.I)

_PUBLISHED_LEAD = re.compile(
    r"^(?:(?:also|originally|first|partly|partially)\s+)?(?:"
    r"see\s+also|"
    r"(?:re)?printed(?:\s+in\s+(?:part|full))?\s+in|"
    r"published(?:\s+in\s+(?:part|full)|\s+partially|\s+in\s+abridged\s+form)?\s+in|"
    r"excerpt(?:s|ed)?\s+(?:published\s+)?in|"
    r"reproduced\s+in|cited\s+in|quoted\s+in|also\s+in|"
    r"for\s+(?:the\s+)?(?:full\s+)?text(?:\s+of\s+[^,]+)?,?\s+see|"
    r"(?P<from>translation\s+from)"
    r")\s*:?\s+",
    re.I,
)
_CROSS_REFERENCE = re.compile(r"^(?:Documents?|footnote|note)\s+\d", re.I)
_CREDIT_START = re.compile(
    r"^(?:[\w-]+\s+){0,2}?(?:translat\w*|trans\.|obtained|contributed|donated|provided|courtesy)\b", re.I
)
_NOTE = re.compile(
    r"^(?:(?:the|an?|in)\s+)?(?:original|originals|copy|copies|typescript|typed|manuscript|handwritten|"
    r"draft|excerpts?|translated|translation|published|reprinted|see|cited|quoted|courtesy|obtained|"
    r"contributed|donated|record\s+no)\b(?!\s+(?:Division|Department|Collections?|Section|Room))"
    r"|^in\s+[A-Z][a-z]+$",
    re.I,
)
_PROSE_START = re.compile(
    r"^(?:The|A|An|This|That|These|Those|It|Its|He|She|His|Her|They|Their|We|Our|On|At|According|Copies|"
    r"Copy|Drafted|Cleared|Approved|Sent|Repeated|Attached|There|Both|See)\b"
)
_MARKING_SEPARATOR = re.compile(r"[;,/—–]|\s+and\s+")
_COMPLETE_EDITION = re.compile(r"[\d)\]#]\W*$|\b[IVXLC]+\W*$")
_MAX_EDITION_SENTENCES = 5

# Book references: "(City: Publisher, 2005)", "Publisher, City, 1996", "vol. 1", "p. 363", "eds.".
_BIBLIOGRAPHIC = re.compile(
    r"\([^()]*:[^()]*\b\d{4}\)"
    r"|,\s*[^,]+,\s*[A-Z][^\W\d_]+,\s*\d{4}\b"
    r"|\b(?:vol|vols|no|nos|pp?|tom|t)\.\s*[\dIVXLC]"
    r"|\beds?\.(?=[,\s]|$)"
    r"|\b(?:Bulletin|Journal|Review|Quarterly|Yearbook|Press|Publishers?|Publishing|Editura|Verlag|"
    r"Izdatel\w*|chubanshe|nianpu|wengao|wenxuan)\b"
    r"|#\d"
)

# Credits. The qualifiers between the verb and "by" are what real credit lines put there:
# "and edited", "for CWIHP", "for the Woodrow Wilson Center", "from (the) Russian", "into English".
_QUALIFIERS = (
    r"(?:,?\s+(?:and\s+(?:edited|annotated|introduced|transcribed|summarized|abridged|commentary|notes)"
    r"|for\s+(?:the\s+)?[A-Z][\w’'.-]*(?:\s+(?:[A-Z][\w’'.-]*|of|for|and|the|on))*?"
    r"|from\s+(?:the\s+)?(?:original\s+)?[A-Z][a-z]+(?:\s+(?:and|or)\s+[A-Z][a-z]+)?"
    r"|into\s+[A-Z][a-z]+))*"
)
_TRANSLATED_BY = re.compile(
    rf"\b(?:[Tt]ranslated|[Tt]ranslations?|[Tt]ransl?\.){_QUALIFIERS}\s+by:?\s+|\b[Tt]ranslators?:\s+"
)
_CONTRIBUTED_BY = re.compile(
    r"\b(?:[Oo]btained|[Cc]ontributed|[Dd]onated|[Pp]rovided)"
    rf"(?:,?\s+(?:and\s+)?(?:translated|edited|annotated|transcribed))*{_QUALIFIERS}\s+by:?\s+"
)
# Words every credit of the kind contains (lower-cased): most texts credit no one, and the patterns above
# are slow to scan, so they only run on a text that has one of these.
_TRANSLATION_WORDS = ("trans",)
_CONTRIBUTION_WORDS = ("obtained", "contributed", "donated", "provided")
_NAMES_END = re.compile(
    r"\s+(?:for|from|with|in|into|at|on|under|as|via|who|which|of\s+the)\b|[;:()\[\]“”\"]|(?<!\b[A-Z])\.(?=\s|$)"
)
_NAME_SEPARATOR = re.compile(r"\s*,\s*(?:and\s+)?|\s+and\s+|\s*&\s*")
_NAME_SUFFIX = re.compile(r"(?:Jr|Sr|II|III|IV)\.?")
_ARTICLE = re.compile(r"^the\s+(?=[A-Z])")
_NAME_TOKEN = re.compile(r"[^\W\d_][\w’'.-]*")


def parse_citation(text: str) -> Citation:
    """The fields a citation names; an unknown shape gives just the text (and any credits)."""
    text = " ".join((text or "").split())
    citation = Citation(text=text, translators=find_translators(text), contributors=find_contributors(text))
    first_substantive = True
    for kind, clause in _clauses(_reference_text(text)):
        if kind == "published":
            _add_edition(citation, clause)
        elif kind == "other":
            _read_clause(citation, clause, first_substantive)
        else:
            continue
        first_substantive = False
    return citation


def find_translators(text: str) -> list[str]:
    """Names credited with the translation: "Translated for CWIHP by X", "translated and edited by X, Y"."""
    return _credited(_TRANSLATED_BY, _TRANSLATION_WORDS, text)


def find_contributors(text: str) -> list[str]:
    """Names credited with obtaining the document: "Obtained by X", "Contributed by X", "Donated by X"."""
    return _credited(_CONTRIBUTED_BY, _CONTRIBUTION_WORDS, text)


def _credited(pattern: re.Pattern[str], words: tuple[str, ...], text: str) -> list[str]:
    lowered = (text or "").lower()
    for word in words:
        if word in lowered:
            break
    else:
        return []
    text = " ".join((text or "").split())
    names: list[str] = []
    for match in pattern.finditer(text):
        for name in _names(text[match.end():]):
            if name not in names:
                names.append(name)
    return names


def _names(tail: str) -> list[str]:
    """The list of names a credit starts with, up to the first thing that is not a name."""
    names: list[str] = []
    for piece in _NAME_SEPARATOR.split(_NAMES_END.split(tail, maxsplit=1)[0]):
        piece = _ARTICLE.sub("", piece.strip())  # an institution: "Donated by the Sejong Institute"
        if names and _NAME_SUFFIX.fullmatch(piece):
            names[-1] = f"{names[-1]}, {piece}"
        elif _is_name(piece):
            names.append(piece)
        else:
            break
    return names


def _is_name(piece: str) -> bool:
    tokens = piece.split()
    if not 1 <= len(tokens) <= 5 or not all(_NAME_TOKEN.fullmatch(t) for t in tokens):
        return False
    capitalized = [t for t in tokens if t[0].isupper()]
    return bool(capitalized) and all(t[0].isupper() or t in NAME_PARTICLES for t in tokens)


def _reference_text(text: str) -> str:
    """The citation without its label, the Wilson title/date/Digital Archive lead-in and URLs."""
    # Both patterns are slow to scan (they start with a repeat); each needs a string most citations lack.
    text = _LEADING_LABEL.sub("", text)
    if "://" in text:
        text = _URL.sub("", text)
    if "Digital" in text:
        text = _WILSON_BOILERPLATE.sub("", text, count=1)
    return text.strip()


def _clauses(text: str) -> list[tuple[str, str]]:
    """Sentences classified as published / credit / classification / other.

    A "See also" edition whose title has periods in it ("România. Retragerea ...") is cut into several
    sentences; they are joined back until the edition ends in a page, year or bracket.
    """
    clauses: list[tuple[str, str]] = []
    for sentence in _sentences(text):
        kind = _clause_kind(sentence)
        previous_kind, previous = clauses[-1] if clauses else ("", "")
        if previous_kind == "published" and kind == "other" and _continues_edition(previous, sentence):
            clauses[-1] = ("published", f"{previous} {sentence}")
        else:
            clauses.append((kind, sentence))
    return clauses


def _continues_edition(edition: str, sentence: str) -> bool:
    return (
        not _COMPLETE_EDITION.search(edition)
        and not _PROSE_START.match(sentence)
        and len(_sentences(edition)) < _MAX_EDITION_SENTENCES
    )


def _edition_lead(text: str) -> re.Match[str] | None:
    """"Reprinted in", "See also", ...; "translation from" only when it names an edition, not a translator."""
    lead = _PUBLISHED_LEAD.match(text)
    if lead and lead.group("from") and find_translators(text):
        return None
    return lead


def _clause_kind(sentence: str) -> str:
    if _edition_lead(sentence):
        return "published"
    if find_translators(sentence) or find_contributors(sentence) or _CREDIT_START.match(sentence):
        return "credit"
    if _is_classification(sentence):
        return "classification"
    return "other"


def _is_classification(sentence: str) -> bool:
    words = [w.strip(" .").lower() for w in _MARKING_SEPARATOR.split(sentence)]
    return all(w in _CLASSIFICATIONS for w in words if w) and any(words)


def _read_clause(citation: Citation, clause: str, first_substantive: bool) -> None:
    """One sentence: an archival reference, editions after it, or (first sentence only) a book."""
    for index, part in enumerate(_split_top_level(clause, ";")):
        part = _LEADING_JOINER.sub("", part)
        if _edition_lead(part):
            _add_edition(citation, part)
            continue
        reference = _parse_reference(part.rstrip(" ."), allow_generic=first_substantive and index == 0)
        if reference is not None:
            if citation.archive is None:
                citation.archive, citation.collection, citation.file, citation.pages = reference
        elif first_substantive and _BIBLIOGRAPHIC.search(part) and not _NOTE.match(part):
            _add_edition(citation, part)


def _add_edition(citation: Citation, text: str) -> None:
    lead = _edition_lead(text)
    edition = _tidy_edition(text[lead.end():] if lead else text)
    if edition and not _CROSS_REFERENCE.match(edition) and edition not in citation.published_in:
        citation.published_in.append(edition)


def _tidy_edition(text: str) -> str:
    """Without the closing period and brackets that close nothing ("pp. 273-274.]")."""
    text = text.strip().rstrip(" .;,")
    while text and text[-1] in ")]" and text.count(text[-1]) > text.count("(" if text[-1] == ")" else "["):
        text = text[:-1].rstrip(" .;,")
    return text


# --- archival references ---------------------------------------------------------------------------

def _parse_reference(part: str, allow_generic: bool) -> tuple[str, str | None, str | None, str | None] | None:
    """(archive, collection, file, pages) when the text starts with an archive, else None."""
    head = _archive_head(part, allow_generic)
    if head is None:
        return None
    archive, rest, named_file = head
    upper: list[tuple[str, bool]] = []   # levels above the file: (text, labelled)
    file_parts = [named_file] if named_file else []
    pages: str | None = None
    previous = ("", True)                # the component read last: (text, labelled)
    components = _split_top_level(rest, ",")
    for index, component in enumerate(components):
        if _NOTE.match(component):
            break
        if component.rstrip(".").lower() in _CITIES:
            continue
        level, value = _level(component, bool(file_parts), components[index + 1:])
        if level == "pages":
            pages = _page_span(value)
            if pages is not None:
                pages = _more_pages(pages, components[index + 1:])
            break
        if level == "file":
            file_parts.append(_FILE_WORD.sub("", component))
        elif level == "collection":
            if file_parts:
                break
            upper.append((component, True))
        elif _is_page_span(component) and _ends_in_identifier([previous]):
            # "PRC FMA 109-01234-02, 11-14": bare numbers right after a file number are its pages
            pages = _more_pages(component, components[index + 1:])
            break
        elif file_parts:
            file_parts.append(component)
        else:
            upper.append((component, False))
        previous = (component, level != "unlabelled")
    if not file_parts and _ends_in_identifier(upper):
        file_parts.append(upper.pop()[0])
    collection = ", ".join(text for text, _ in upper) or None
    return archive, collection, ", ".join(file_parts) or None, pages


def _archive_head(part: str, allow_generic: bool) -> tuple[str, str, str | None] | None:
    """(archive, the rest of the reference, a file named in a parenthesis after the archive)."""
    first = _first_component(part)
    if not part or _NOT_AN_ARCHIVE.search(first):
        return None
    is_institution = bool(_ARCHIVE_WORD.search(first)) and not _BIBLIOGRAPHIC.search(first)
    known = _KNOWN_ARCHIVE.match(part)
    if known:
        after = part[known.end():]
        continues = _first_component(after).strip() if after[:1].isspace() else ""
        if not continues or continues.startswith("(") or _is_identifier(continues):
            return _with_parenthesis(known.group(0), after)
        return _institution(first, part[len(first):]) if is_institution else None
    if not allow_generic:
        return None
    if is_institution and first[:1].isupper():
        return _institution(first, part[len(first):])
    return _acronym_head(part)


def _institution(first: str, rest: str) -> tuple[str, str, str | None]:
    """"Diplomatic Archives of ... (“Cuban ... ” file)": the name, and the file the parenthesis names."""
    named = _NAMED_FILE.search(first)
    if named is None:
        return first.strip(), rest.lstrip(" ,:"), None
    name = (first[:named.start()] + first[named.end():]).strip()
    return " ".join(name.split()), rest.lstrip(" ,:"), named.group("file").strip()


def _with_parenthesis(archive: str, after: str) -> tuple[str, str, str | None]:
    paren = _PARENTHESIS.match(after)
    if paren:
        _, _, named_file = _institution(archive + paren.group(0), "")
        return archive, after[paren.end():].lstrip(" ,:"), named_file
    return archive, after.lstrip(" ,:"), None


def _acronym_head(part: str) -> tuple[str, str, str | None] | None:
    """A leading all-caps acronym ("TsDAHOU, ...", "XYZ 123-45"), followed by something."""
    tokens = _FIRST_TOKENS.match(part)
    if tokens is None:
        return None
    acronym: list[str] = []
    for token in filter(None, tokens.groups()):
        bare = token.rstrip(",:;")
        if not _is_acronym(bare):
            break
        acronym.append(bare)
        if bare != token:
            break
    if not acronym:
        return None
    name = " ".join(acronym)
    if name.lower() in _CLASSIFICATIONS:
        return None
    rest = part[len(name):] if part.startswith(name) else ""
    following = _first_component(rest).strip() if rest[:1].isspace() else ""
    if following and not _is_identifier(following):
        return None
    rest = rest.lstrip(" ,:")
    return (name, rest, None) if rest else None


def _is_acronym(token: str) -> bool:
    return (
        2 <= len(token) <= 15
        and token[0].isupper()
        and sum(c.isupper() for c in token) >= 2
        and all(c.isalpha() or c in "-./" for c in token)
    )


def _level(component: str, after_file: bool, following: list[str]) -> tuple[str, str]:
    """The reference level a component belongs to ("collection", "file", "pages", "unlabelled")."""
    labelled = _LABELLED.match(component)
    if labelled is None:
        labelled = _LABEL_AFTER.match(component)
    if labelled is None:
        return "unlabelled", component
    level = _LEVEL_BY_LABEL.get("".join(labelled.group("label").split()).lower(), "unlabelled")
    if level == "fond_or_folio":
        level = "pages" if after_file else "collection"
    elif level == "container_or_page":
        later_levels = {_level(c, True, [])[0] for c in following}
        level = "file" if later_levels & {"file", "pages"} else "pages"
    if level == "unlabelled":
        return level, component
    return level, labelled.group("value")


def _page_span(value: str) -> str | None:
    match = _PAGE_SPAN.match(value.strip())
    return match.group(0).strip() if match else None


def _is_page_span(component: str) -> bool:
    match = _PAGE_SPAN.match(component)
    return match is not None and match.end() == len(component)


def _more_pages(pages: str, following: list[str]) -> str:
    """"ll. 12, 14, 17" is one page list although commas separate its parts."""
    for component in following:
        if not _is_page_span(component):
            break
        pages = f"{pages}, {component}"
    return pages


def _is_identifier(text: str) -> bool:
    """A file number or signature ("762.00/8-2861", "DY 30/IV 2/2.035/4", "206-00049-01"), not words."""
    return any(c.isdigit() for c in text) and not _WORDY.search(text)


def _ends_in_identifier(upper: list[tuple[str, bool]]) -> bool:
    return bool(upper) and not upper[-1][1] and _is_identifier(upper[-1][0])


# --- splitting ---------------------------------------------------------------------------------------

def _nesting(text: str) -> list[int]:
    """Bracket depth at each position; a bracket kind opened and never closed is not counted at all."""
    total: list[int] | None = None
    for opener, brackets in _BRACKET_PATTERNS:
        if opener not in text:
            continue      # the depth stays 0 throughout
        depth, levels = 0, []
        for bracket in brackets.finditer(text):   # the depth only changes at brackets
            levels.extend([depth] * (bracket.start() + 1 - len(levels)))
            if bracket.group() == opener:
                depth += 1
            elif depth:
                depth -= 1
        levels.extend([depth] * (len(text) + 1 - len(levels)))
        if depth == 0:
            total = levels if total is None else [a + b for a, b in zip(total, levels, strict=True)]
    return total or [0] * (len(text) + 1)


def _top_level(text: str, separators: str) -> Iterator[int]:
    """Where the separators outside brackets are. The scan visits the separators only, and the depth is
    worked out when there is one."""
    depth = None
    for separator in _SEPARATORS[separators].finditer(text):
        if depth is None:
            depth = _nesting(text)
        if depth[separator.start()] == 0:
            yield separator.start()


def _split_top_level(text: str, separators: str) -> list[str]:
    """The non-empty pieces between separators outside brackets."""
    pieces, start = [], 0
    for index in _top_level(text, separators):
        pieces.append(text[start:index])
        start = index + 1
    pieces.append(text[start:])
    return [p.strip() for p in pieces if p.strip()]


def _first_component(text: str) -> str:
    """The text up to the first comma or colon outside brackets, unstripped so the rest can be sliced off."""
    index = next(_top_level(text, ",:"), None)
    return text if index is None else text[:index]


def _sentences(text: str) -> list[str]:
    depth = _nesting(text)
    sentences, start = [], 0
    for gap in _SENTENCE_GAP.finditer(text):
        if depth[gap.start()] == 0 and _ends_sentence(text, gap):
            sentences.append(text[start:gap.end()].strip())
            start = gap.end()
    sentences.append(text[start:].strip())
    return [s for s in sentences if s]


def _ends_sentence(text: str, gap: re.Match[str]) -> bool:
    """A period ends a sentence unless it closes an abbreviation or an initial, or lower case follows."""
    if gap.end() < len(text) and text[gap.end()].islower():
        return False
    word = _LAST_WORD.search(text, max(0, gap.start() - _LONGEST_ABBREVIATION), gap.start())
    if word is None:
        return True
    return len(word.group(1)) > 1 and word.group(1).lower() not in ABBREVIATIONS
