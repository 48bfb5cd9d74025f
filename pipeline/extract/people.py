"""Senders and recipients: who a document is from and to, read off its title, opener and signature.

Every function here is pure and works on short strings. A party is a ``Person``: a named person (with the
office they hold, if given), an office without a holder ("the Secretary of State") or an institution
alone ("CPSU CC"). The rules follow the archive's conventions: the holder named in parentheses after an
office is the person ("The Ambassador in Russia (Francis)"), an editorial bracket after a cover name names
the real person ("Filippov [Stalin]"), a go-between ("[via Terebin]") is an extra recipient, and the
document's own signature spells names better than the page title.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from functools import lru_cache, wraps

from pipeline.models import Person

# --- Word tables (compared case- and accent-insensitively; a plural "s" and a possessive "'s" are ignored).

ROLE_WORDS = frozenset({
    "ambassador", "secretary", "undersecretary", "minister", "chairman", "chairwoman", "president",
    "premier", "chief", "director", "counsellor", "counselor", "charge", "consul", "general", "commissioner",
    "assistant", "deputy", "envoy", "representative", "delegate", "attache", "adviser", "advisor", "governor",
    "chancellor", "head", "leader", "commander", "marshal", "admiral", "colonel", "officer", "agent", "king",
    "queen", "emperor", "shah", "senator", "attorney", "plenipotentiary", "ministre", "resident", "editor",
})
# Lower-case words that continue an office title: "Chargé d'affaires ad interim".
ROLE_TAILS = frozenset({"d'affaires", "ad", "interim", "a.i"})

ORG_WORDS = frozenset({
    "committee", "cc", "politburo", "ministry", "embassy", "department", "government", "party", "leadership",
    "directorate", "secretariat", "presidium", "council", "office", "legation", "consulate", "delegation",
    "commission", "bureau", "service", "mission", "command", "headquarters", "section", "administration",
    "cabinet", "agency", "front", "league", "federation", "division", "institute", "academy", "assembly",
    "congress", "parliament", "board", "group", "staff", "army", "navy", "kremlin",
})

# Words that stand in front of a name and are no part of it.
HONORIFICS = frozenset({
    "comrade", "comrades", "com", "cde", "cdes", "tov", "mr", "mrs", "ms", "dr", "drs", "messrs", "mister",
    "herr", "monsieur", "senor", "sr", "madame", "mme", "sir", "his", "her", "excellency", "h.e",
})

# Words linking an office or body to what it is of, in, to or for.
CONNECTORS = frozenset({"of", "in", "to", "for", "at"})
ARTICLES = frozenset({"the"})
NAME_PARTICLES = frozenset({
    "de", "du", "da", "di", "del", "della", "van", "von", "der", "den", "ter", "la", "le", "bin", "ibn", "al",
    "el", "y", "dos", "das",
})

# Capitalized words that may end the place or field an office is of ("of Foreign Affairs", "in the Soviet
# Union"): a name after an office starts only after them.
COMPLEMENT_TAILS = frozenset({
    "affairs", "union", "states", "nations", "republic", "republics", "kingdom", "islands", "countries",
    "capitals", "powers", "ministers", "forces", "talks", "security", "defense", "defence", "state",
    "commerce", "treasury", "interior", "agriculture", "labor", "labour", "justice", "council", "committee",
    "party", "front", "army", "navy", "assembly", "congress", "presidium", "bureau", "intelligence",
})

# Words naming a kind of document: a phrase headed by one of them is not a party ("Politburo Decision").
DOC_TYPE_WORDS = frozenset({
    "letter", "telegram", "cable", "cablegram", "memorandum", "memo", "note", "notes", "message", "report",
    "record", "minutes", "journal", "diary", "instruction", "instructions", "directive", "decision",
    "resolution", "decree", "despatch", "dispatch", "circular", "airgram", "radiogram", "telex", "speech",
    "statement", "protocol", "summary", "transcript", "excerpt", "extract", "draft", "information",
    "conversation", "reply", "answer", "communique", "declaration", "order", "appeal", "request", "remarks",
    "proposal", "briefing", "paper", "study", "assessment", "analysis", "notebook", "memoirs", "meeting",
    "response",
})
# Adjectives and numbering that may stand with a document word at the head of a title.
DOC_TYPE_MODIFIERS = frozenset({
    "ciphered", "coded", "encrypted", "secret", "top", "urgent", "personal", "backchannel", "special",
    "official", "joint", "brief", "short", "circular", "of", "no", "nr", "number", "oral", "written",
})

# Words that open a title's subject clause after the parties ("..., Concerning Consultations ...").
SUBJECT_OPENERS = frozenset({
    "concerning", "regarding", "re", "about", "on", "with", "requesting", "reporting", "informing",
    "transmitting", "enclosing", "expressing", "proposing", "containing", "describing", "discussing",
    "announcing", "asking", "agreeing", "conveying", "approving", "explaining", "summarizing", "outlining",
    "responding", "replying", "thanking", "inviting", "urging", "confirming", "suggesting", "criticizing",
    "providing", "accepting", "rejecting", "arriving", "notifying", "forwarding", "recommending",
})

# Capital cities that titles use for the government seated there ("Cable from ... Embassy in Havana to
# Tokyo"): such a party is an institution, not a person.
SEATS_OF_GOVERNMENT = frozenset({
    "moscow", "beijing", "peking", "washington", "tokyo", "pyongyang", "seoul", "hanoi", "saigon", "havana",
    "berlin", "bonn", "east berlin", "prague", "warsaw", "budapest", "bucharest", "sofia", "belgrade",
    "tirana", "london", "paris", "rome", "vienna", "new delhi", "delhi", "ulaanbaatar", "ulan bator",
    "kabul", "tehran", "cairo", "damascus", "baghdad", "jakarta", "vientiane", "phnom penh", "ottawa",
    "mexico city", "taipei", "rangoon", "karachi", "islamabad", "ankara", "athens", "madrid", "lisbon",
    "brussels", "the hague", "stockholm", "helsinki", "oslo", "copenhagen", "bern", "tel aviv", "jerusalem",
    "beirut", "amman", "riyadh", "tripoli", "algiers", "addis ababa", "nairobi", "pretoria", "canberra",
    "wellington", "manila", "bangkok", "brasilia", "buenos aires", "santiago", "lima", "caracas", "bogota",
})

# Salutations that address nobody in particular.
IMPERSONAL_SALUTES = frozenset({
    "sir", "sirs", "dear sir", "dear sirs", "gentlemen", "madam", "excellency", "your excellency",
    "comrades", "dear comrades", "dear friends", "friends",
})

# Words marking a line as the formula before a signature ("With communist greetings,", "I have [etc.]").
CLOSING_WORDS = frozenset({
    "greetings", "regards", "respectfully", "sincerely", "faithfully", "cordially", "truly", "yours",
    "wishes", "salutations", "assurances", "consideration", "respect",
})

# Capitalized words that never belong to a personal name (markings, function words).
NOT_NAME_WORDS = frozenset({
    "the", "from", "to", "for", "about", "on", "in", "at", "with", "top", "secret", "confidential", "urgent",
    "copy", "copies", "attachment", "enclosure", "note", "yes", "no", "please", "today", "yesterday",
    "subject", "present", "participants", "and", "or", "but", "this", "that", "we", "i", "it", "our",
    "your", "my", "not", "only", "strictly", "personal", "received", "sent", "file", "signed", "signature",
    # adjectives that open descriptive titles ("Soviet Report on ...", "Weekly Report")
    "soviet", "american", "chinese", "british", "french", "german", "polish", "czechoslovak", "hungarian",
    "romanian", "bulgarian", "korean", "vietnamese", "japanese", "cuban", "mexican", "weekly", "daily",
    "monthly", "annual", "final", "special", "intelligence", "situation", "progress", "status",
    "preliminary", "central", "federal", "national", "foreign", "first", "second", "third", "editorial",
})

# Labels of matter appended after a signature (a reference note, a distribution list).
NOTE_LABELS = ("spravka", "note", "notes", "p.s", "ps", "reference", "enclosure", "enclosures", "attachment",
               "distribution", "copies to", "cc", "copy to")

# Acronyms that have vowels, so that recasing an all-caps line keeps them (consonant-only ones such as
# DPRK, KGB or CC are kept anyway).
ACRONYMS_WITH_VOWELS = frozenset({
    "cpsu", "ussr", "sed", "nato", "un", "uno", "usa", "us", "uk", "uar", "oas", "seato", "cento", "unesco",
    "cia", "rok", "cdu", "csu", "puwp", "oss", "fbi", "icbm", "abm", "salt", "nsc", "jcs", "omb", "ksc",
    "fmvd", "stb", "urss", "onu", "otan",
})

# --- Patterns.

# Titles are scanned for dates at every position, and re tries case-insensitive alternatives one by one:
# so month names are grouped under their abbreviations (the longest spelling is still tried first), and
# look-aheads for the initials of month and weekday names reject most positions with one test.
_MONTH = (r"(?=[adfjmnos])(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
          r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?")
_DATE = (
    r"(?:(?=[fmstw])(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?\s+)?"
    rf"(?:\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH},?\s+\d{{4}}"
    rf"|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    rf"|{_MONTH}\s+\d{{4}}"
    r"|\d{1,2}\.(?:\d{1,2}|[IVX]{1,4})\.\d{2,4}"
    r"|(?<![\w/])(?:1[5-9]|20)\d{2}(?![\w/]))"
)
_TIME = r"\d{1,2}[:.]\d{2}\s*(?:a\.\s?m\.|p\.\s?m\.|hours)?|\d{1,2}\s*(?:a\.\s?m\.|p\.\s?m\.)"
# Where a title date can start: a comma, spaces before "of", "on", "dated" or the date, or the date itself,
# which starts with a digit or the first three letters of a weekday or month name (the first two letters
# are tested as a pair of sets first, which most letters fail). Tested at each position before the date
# pattern, it spares that pattern nearly all of a title's letters and spaces.
_NAME_START = ("(?=[adfjmnostw][aceohpru])"
               "(?:mon|tue|wed|thu|fri|sat|sun|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)")
_TITLE_DATE_START = rf"(?=,|\s+(?:\d|of|on|dated|{_NAME_START})|\d|{_NAME_START})"
_TITLE_DATE = re.compile(
    rf"{_TITLE_DATE_START}(?:,\s*|\s+(?:of|on|dated)\s+|\s+)?{_DATE}(?:,?\s*(?:{_TIME}))?", re.I)
_DATE_LINE = re.compile(rf"^(?:[A-Z][\w.\- ]{{0,30}},\s*)?{_DATE}(?:,?\s*(?:{_TIME}))?\.?$", re.I)
_LEADING_DATE = re.compile(rf"^{_DATE}\s+", re.I)
_LOWER_PARENTHETICAL = re.compile(r"\s*\((?:[a-z][^()]*|(?i:excerpts?|extracts?|summary|abridged|draft))\)")
_GLUED_FOOTNOTE = re.compile(r"(?<=[A-Za-z)’'])\d{1,2}$")
_FRUS_NUMBER = re.compile(r"^\d{1,4}\.\s+")
_GLUED_BRACKET = re.compile(r"(?<=\w)\[([^\[\]]+)\]|\[([^\[\]]+)\](?=\w)")
_BRACKET = re.compile(r"\[([^\[\]]*)\]")
_VIA = re.compile(r"\[\s*via\s+([^\]]+)\]", re.I)
_OFFICE_HOLDER = re.compile(r"^(?P<office>.+?)\s*\((?P<name>[^()]+)\)$")
_REPLY_WORDS = ("reply", "response", "answer")
_REPLY_TO = re.compile(
    rf",?\s*\b(?:in\s+)?(?:{'|'.join(_REPLY_WORDS)})\s+to\s+(?P<who>.+?)(?:’s|'s)\b.*$", re.I)
# Patterns that scan long lines (this one, _SPACE_BEFORE_COMMA, _AND) start with a lone "\s" rather than
# "\s+": then re skips ahead from space to space instead of trying the whole pattern at every character.
_SPLIT_MARKER = re.compile(r"\s\s*(to|for|from|by)\s+", re.I)
# The look-ahead (implied by the rest) spares trying every document word at words not followed by to/for.
_DOC_WORD_TO = re.compile(
    r"\b(?=\w++\s+(?:to|for)\s)(?:" + "|".join(sorted(DOC_TYPE_WORDS, key=len, reverse=True))
    + r")s?\s+(?:to|for)\s+", re.I)
_AUTHOR_OF = re.compile(
    r"^(?:from\s+the\s+)?(?:journal|diary|diaries|notebook|memoirs?|notes|report)\s+of\s+(?P<who>.+)$", re.I)
_AUTHORED_WORDS = (r"(?:report|journal|diary|notes|memorandum|memo|speech|statement|remarks|letter|note|decision|"
                   r"resolution|directive|instruction|information|proposal|message|draft)s?\b")
_AUTHOR_FIRST = re.compile(rf"^(?P<who>.+?)(?:’s|'s)?\s+{_AUTHORED_WORDS}", re.I)
# What _AUTHOR_FIRST needs somewhere, found by a scan that skips from space to space (that pattern tries
# every position of a long line).
_AUTHORED_WORD = re.compile(rf"\s{_AUTHORED_WORDS}", re.I)
_BRACKETED_OPENER = re.compile(r"^\[(to|for)\]", re.I)
_BARE_OPENER = re.compile(r"^(?P<rest>[^:!]+)[:!]\s*$")
_ADDRESS_FROM = re.compile(r"\s+from:?\s+", re.I)
_SENTENCE_BREAK = re.compile(r"[a-z]{2,}[.?!]\s+[A-Z]")
_OPENER = re.compile(
    r"^(?:(?P<dear>(?:my\s+)?dear(?:est)?)|(?P<to>to|for|attention))\b:?\s*(?P<rest>.*)$", re.I)
_ADDRESS_TO_FROM = re.compile(r"^to:?\s+(?P<to>.+?)\s+from:?\s+(?P<from>.+?)[.:]?$", re.I)
_ADDRESS_FROM_TO = re.compile(r"^from:?\s+(?P<from>.+?)\s+to:?\s+(?P<to>.+?)[.:]?$", re.I)
_MESSAGE_NUMBER = re.compile(r"^\d{1,5}\.\s+")
# Marks that a line is signed: at its start, and anywhere (kept apart so that the look for the latter can
# skip from bracket to bracket; the two start with different characters, so one never hides the other).
_SIGNED_OPENING = re.compile(r"^/s/\s*|^s/\s*|^signed:?\s+", re.I)
_SIGNED_MARK = re.compile(r"\((?:ss|s|signed|sgd\.?)\)|\[signature\]|\(signature\)", re.I)
_REFERENCE_LINE = re.compile(r"^(?:N[º°o]\.?|No\.|Nr\.|#)\s*\d[\w/\-.]*\.?$", re.I)
_INITIALS = re.compile(r"^(?:[A-Z][a-z]?\.-?)+$")
_ACRONYM = re.compile(r"^[A-Z][A-Z0-9&]*[A-Z]$")
_PARENTHETICAL = re.compile(r"\s*\([^()]*\)")
_POSSESSIVE = re.compile(r"[’']s$")
_OF_BODY = re.compile(r"\bof\s+(?:the\s+)?(.+)$")
_TO_WORD = re.compile(r"\bto\b")
_SPACE_BEFORE_COMMA = re.compile(r"\s\s*,")
_LOWERCASE = re.compile(r"[a-z]")
# Every title date holds a year of four digits or ends in a dotted one ("13.1.51"): quick scans that rule
# out most texts without dates (each starts with a set of characters, which re skips ahead to).
_FOUR_DIGITS = re.compile(r"\d\d\d\d")
_DOTTED_YEAR = re.compile(r"\.\d\d")
_VOWEL = re.compile(r"[AEIOU]")
_LETTER_RUN = re.compile(r"[^\W\d_]+")
_NUMBERING = re.compile(r"[\d/-]+")
_COVER = re.compile(r"(?P<outside>[^\[\]]+?)\s*\[(?P<inside>[A-Z][^\]]*)\]")
_SALUTATION_END = re.compile(r"[,:!]")
_ANY_BRACKET = re.compile(r"\[[^\]]*\]")
_SIGNATURE_MARK = re.compile(r"\[signature\]|\(signature\)|\(signed\)|\(ss\)", re.I)
_COPIES = re.compile(r"\bcop(?:y|ies)\b")
_NOTE_LABEL = re.compile(r"^(?:" + "|".join(re.escape(label) for label in NOTE_LABELS) + r")\b\.?\s*:")
_NOT_NAME_CHARS = re.compile(r"[^\w\s-]")
# Letters that Unicode does not decompose into a base letter and an accent, and typographic apostrophes.
_PLAIN_LETTER_OF = {"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ı": "i", "ß": "ss", "æ": "ae",
                    "Æ": "Ae", "œ": "oe", "Œ": "Oe", "’": "'", "‘": "'"}
_PLAIN_LETTERS = str.maketrans(_PLAIN_LETTER_OF)
# Translating looks up every character of a (long) line; most lines have none of those letters.
_ANY_PLAIN_LETTER = re.compile(f"[{''.join(_PLAIN_LETTER_OF)}]")
_QUOTES = "“”\"'‘’«»„"
# How an address line ("To X from Y", "From X to Y") starts before its edges are stripped: a cheap test,
# as most lines of a text are none.
_ADDRESS_OPENING = re.compile(rf"[\s,;:!{re.escape(_QUOTES)}]*(?:to|from):?\s", re.I)
_NON_ASCII_CHARACTER = re.compile("[^\x00-\x7f]")
_PLAIN_LOWER_WORD = re.compile(r"(?<!\S)[a-z]+(?!\S)")     # a whole word, as str.split() cuts words
_AND = re.compile(r"\s\s*(?:and|&)\s+")
_LEADING_AND = re.compile(r"(?:and|&)\s+")
# The separators lists of parties are split at (see _top_level_pieces), each with the brackets.
_BRACKET_OR_SEPARATOR = {separator: re.compile(rf"[\[\]()]|{separator}") for separator in ",:"}


def _remembered_party(function: Callable[[str], Person | None]) -> Callable[[str], Person | None]:
    """The party rules meet the same phrases several times per page: their answers are kept (for about
    a page's worth of phrases), and each caller gets a Person of its own."""
    @lru_cache(maxsize=1024)
    def fields(text: str) -> tuple[str | None, str | None, str | None] | None:
        person = function(text)
        return None if person is None else (person.name, person.role, person.org)

    @wraps(function)
    def party(text: str) -> Person | None:
        found = fields(text)
        return None if found is None else Person(*found)

    party.cache_clear = fields.cache_clear  # type: ignore[attr-defined]
    return party


# --- Words.

# The same few thousand words come back on every page; their keys are worked out once. The caches are
# small enough to fill within the first pages of a run, so a run's memory levels off early instead of
# creeping up for tens of thousands of pages (lines are cached too, and they are long).
@lru_cache(maxsize=4096)
def _norm(text: str) -> str:
    """Casefolded, accents stripped, typographic apostrophes made plain: the form tables are keyed by."""
    if not text.isascii():     # ASCII has nothing to decompose or strip
        if _ANY_PLAIN_LETTER.search(text):
            text = text.translate(_PLAIN_LETTERS)
        text = unicodedata.normalize("NFKD", text)
        text = _NON_ASCII_CHARACTER.sub(_without_combining_mark, text)
    return text.casefold()


def _without_combining_mark(match: re.Match[str]) -> str:
    return "" if unicodedata.combining(match.group()) else match.group()


@lru_cache(maxsize=512)
def _bare(token: str) -> str:
    """A token as a table key: normalized, without surrounding punctuation, final dot or possessive 's."""
    word = _norm(token).strip(",;:!?()[]\"“”")
    if word.endswith("'s"):
        word = word[:-2]
    return word.rstrip(".")


def _in_table(token: str, table: frozenset[str]) -> bool:
    word = _bare(token)
    if word in table or (word.endswith("s") and word[:-1] in table):
        return True
    return "-" in word and any(part in table for part in word.split("-"))


def _is_role_word(token: str) -> bool:
    return _in_table(token, ROLE_WORDS)


def _is_org_word(token: str) -> bool:
    return _in_table(token, ORG_WORDS)


def _is_doc_word(token: str) -> bool:
    return _bare(token) in DOC_TYPE_WORDS


def _is_honorific(token: str) -> bool:
    return _bare(token) in HONORIFICS


@lru_cache(maxsize=512)     # a word's answers are as reusable as its key (see _norm)
def _is_acronym(token: str) -> bool:
    """CPSU, CC, DPRK, CPCz, KPdSU: mostly capitals without dots, so that initials such as "N.S." and names
    such as "McCoy" are not one."""
    core = _POSSESSIVE.sub("", token).strip(",;:()")
    if _ACRONYM.match(core):
        return True
    capitals = sum(c.isupper() for c in core)
    return core.isalnum() and capitals >= 2 and capitals * 2 > len(core) and core[0].isupper()


def _is_connector(token: str) -> bool:
    return token in CONNECTORS


@lru_cache(maxsize=512)
def _is_name_token(token: str, first: bool = False) -> bool:
    """A word that can be part of a personal name: a capitalized word or initials, not an office,
    body, honorific, marking or document word; particles ("de", "von") only inside a name."""
    if not first and token in NAME_PARTICLES:
        return True
    word = _bare(token)
    if word in NOT_NAME_WORDS or word in HONORIFICS or word in SUBJECT_OPENERS:
        return False
    if _INITIALS.match(token):
        return True
    core = token.rstrip(",.")
    if not core or not core[0].isupper() or _is_acronym(core):
        return False
    return all(c.isalpha() or c in "-'’" for c in core) and not (
        _is_role_word(core) or _is_org_word(core) or _is_doc_word(core))


def _is_name_tokens(tokens: list[str]) -> bool:
    return 1 <= len(tokens) <= 6 and _is_name_token(tokens[0], first=True) and all(
        _is_name_token(t) for t in tokens[1:])


def _allowed_lowercase(token: str) -> bool:
    word = _bare(token)
    return (word in CONNECTORS or word in ARTICLES or word == "and" or word in NAME_PARTICLES
            or word in ROLE_TAILS or _is_org_word(token) or _is_role_word(token))


@lru_cache(maxsize=512)
def _is_prose_token(token: str) -> bool:
    first = token.lstrip("([“\"'‘")[:1]
    return first.islower() and not _allowed_lowercase(token)


def title_case_caps(text: str, names: bool = False) -> str:
    """Recase an all-caps line: words get an initial capital and connectors go lower case; unless the line
    is a personal name, acronyms (no vowels, or known ones such as CPSU) stay as they are."""
    out = []
    for i, token in enumerate(text.split()):
        letters = "".join(c for c in token if c.isalpha())
        if not letters.isupper() or _INITIALS.match(token):
            out.append(token)
        elif i and letters.lower() in CONNECTORS | ARTICLES | {"and"} | NAME_PARTICLES:
            out.append(token.lower())
        elif not names and (not _VOWEL.search(letters) or letters.lower() in ACRONYMS_WITH_VOWELS):
            out.append(token)
        else:
            out.append(_LETTER_RUN.sub(lambda m: m.group(0).capitalize(), token))
    return " ".join(out)


# --- Phrases.

@lru_cache(maxsize=4096)     # the phrase rules strip the same phrases again and again
def _strip_edges(text: str) -> str:
    """Text without surrounding quotes and punctuation; a final dot stays when it closes an initial."""
    text = " ".join(text.split())
    while True:
        stripped = text.strip(" ,;:!" + _QUOTES)
        if stripped.endswith(".") and not _INITIALS.match(stripped.split()[-1]):
            stripped = stripped[:-1]
        if stripped == text:
            return text
        text = stripped


def _drop_leading(tokens: list[str]) -> list[str]:
    """Remove articles and honorifics in front of a party ("the", "Comrade", "Mr.", "Cde.")."""
    while tokens and (_bare(tokens[0]) in ARTICLES or _is_honorific(tokens[0])):
        tokens = tokens[1:]
    return tokens


def _resolve_brackets(text: str) -> str:
    """Apply the editor's brackets: completions are read in, notes dropped, cover names resolved.

    "Com[rade]" and "[Zhou] Enlai" are completions; "[sic]" and "[via X]" are notes; after a lone name,
    "Filippov [Stalin]", the bracket names the real person behind the cover name; after a fuller name
    ("Pak Heon-yeong [Pak Hon Yong]") it is an alternative spelling and the name as written stays.
    """
    text = _join_glued_brackets(text)
    for match in reversed(list(_BRACKET.finditer(text))):
        content = match.group(1).strip()
        before = text[:match.start()].rstrip()
        after = text[match.end():]
        prev = before.split()[-2:] if before else []
        if not content or not content[0].isupper():
            replacement_start, replacement = match.start(), ""
        elif (prev and _is_name_token(prev[-1], first=True)
              and (len(prev) == 1 or not _is_name_token(prev[-2], first=True))
              and _is_name_tokens(content.split())):
            replacement_start, replacement = before.rfind(prev[-1]), content
        elif prev and len(prev) == 2 and _is_name_token(prev[-1]) and _is_name_token(prev[-2], first=True):
            replacement_start, replacement = match.start(), ""
        else:
            replacement_start, replacement = match.start(), content
        text = text[:replacement_start] + replacement + after
    return " ".join(text.split())


def _join_glued_brackets(text: str) -> str:
    """Brackets glued to a word are completions, read in: "Com[rade]" is "Comrade"."""
    # Most phrases have no brackets, and the pattern is slow to scan (it starts with a look-behind).
    return _GLUED_BRACKET.sub(lambda m: m.group(1) or m.group(2), text) if "[" in text else text


def _drop_lower_parentheticals(text: str) -> str:
    """Without asides such as "(excerpt)" or "(with attachments)"."""
    # Most phrases have no parenthesis, and the pattern is slow to scan (it starts with optional space).
    return _LOWER_PARENTHETICAL.sub("", text) if "(" in text else text


def _prepare(text: str) -> str:
    text = _drop_lower_parentheticals(_strip_edges(text))
    text = _resolve_brackets(text)
    return _strip_edges(" ".join(_drop_leading(text.split())))


def _head_end(tokens: list[str]) -> int:
    return next((i for i, t in enumerate(tokens) if i and _is_connector(t)), len(tokens))


def _org_of_role(role: str) -> str | None:
    """The body an office belongs to, when the office names one: "Chairman of the SPD" gives "SPD".

    A delegation *to* talks, a minister *of* a country or a bare "Chief of Staff" names no such body."""
    match = _OF_BODY.search(role)
    if not match or _TO_WORD.search(match.group(1)):
        return None
    words = match.group(1).split()
    if any(_is_acronym(t) for t in words) or (len(words) > 1 and any(_is_org_word(t) for t in words)):
        return match.group(1)
    return None


def _office_and_holder(tokens: list[str], last_role: int, head_end: int) -> Person | None:
    """Split "Secretary of State Rusk" into office and holder: after the office word comes its complement
    chain ("of State", "in the Soviet Union"), and only what follows that chain can be a name. None when
    more linked words follow ("President Kennedy to Secretary ..." is two parties, not one office)."""
    i = last_role + 1
    while i < len(tokens) and _bare(tokens[i]) in ROLE_TAILS:
        i += 1
    links = 0
    last_segment_closed = True
    while i < len(tokens) and _is_connector(tokens[i]):
        links += 1
        i += 1
        if i < len(tokens) and tokens[i] in ARTICLES:
            i += 1
        if i >= len(tokens):
            break
        last_segment_closed = _bare(tokens[i]) in COMPLEMENT_TAILS or _is_acronym(tokens[i])
        i += 1
        while i < len(tokens) and (_bare(tokens[i]) in COMPLEMENT_TAILS or _is_acronym(tokens[i])):
            last_segment_closed = True
            i += 1
    rest = tokens[i:]
    if any(_is_connector(t) for t in rest):
        return None
    several_offices = "and" in tokens[:head_end]
    name_allowed = bool(rest) and len(rest) <= 4 and _is_name_tokens(rest) and not several_offices and (
        links <= 1 or last_segment_closed)
    office = tokens if not name_allowed else tokens[:i]
    role = " ".join(office).strip(",")
    return Person(name=" ".join(rest) if name_allowed else None, role=role, org=_org_of_role(role))


@_remembered_party
def _classify(phrase: str) -> Person | None:
    """A prepared phrase as a party, or None when it names none."""
    tokens = phrase.split()
    if not tokens or any(_is_prose_token(t) for t in tokens) or not (tokens[0][0].isupper()
                                                                     or tokens[0][0].isdigit()):
        return None
    if _norm(phrase) in SEATS_OF_GOVERNMENT:
        return Person(org=phrase)
    head_end = _head_end(tokens)
    head = tokens[:head_end]
    if any(_is_doc_word(t) for t in head) or _bare(tokens[0]) in SUBJECT_OPENERS:
        return None
    role_positions = [i for i, t in enumerate(head) if _is_role_word(t)]
    if role_positions:
        return _office_and_holder(tokens, role_positions[-1], head_end)
    if any(_is_org_word(t) or _is_acronym(t) for t in head):
        return Person(org=phrase)
    if head_end == len(tokens) and _is_name_tokens(tokens):
        return Person(name=phrase)
    return None


def _has_prose_word(text: str) -> bool:
    """Whether a phrase keeps a word of running prose through _prepare, so that _classify turns it down
    (and each part of it): a word of lower-case letters only that is not an honorific _drop_leading might
    drop, in a phrase without the brackets and parentheses that _prepare reads. The title rules try long
    stretches of prose as parties; this answers for them without preparing them."""
    if "(" in text or "[" in text:
        return False
    for word in _PLAIN_LOWER_WORD.finditer(text):
        if _is_prose_token(word[0]) and not _is_honorific(word[0]):
            return True
    return False


@_remembered_party
def _party(text: str) -> Person | None:
    """One party phrase as a Person, or None when the phrase is not one."""
    if _has_prose_word(text):
        return None
    phrase = _prepare(text)
    if not phrase:
        return None
    # The pattern needs a final ")" (a prepared phrase has no "\n" for "$" to stop before), and tries
    # every position of a long phrase before failing.
    holder = _OFFICE_HOLDER.match(phrase) if phrase.endswith(")") else None
    if holder and _is_name_tokens(holder.group("name").split()):
        office = _strip_edges(" ".join(_drop_leading(holder.group("office").split())))
        office_party = _classify(office)
        if office_party and office_party.org and not office_party.role:
            return Person(name=holder.group("name").strip(), org=office)
        return Person(name=holder.group("name").strip(), role=office, org=_org_of_role(office))
    if "(" in phrase:     # as in _drop_lower_parentheticals: rare, and the pattern scans slowly
        phrase = _PARENTHETICAL.sub("", phrase)
    parts = [p.strip() for p in _top_level_pieces(phrase, ",") if p.strip()]
    if len(parts) == 2:
        first, second = (_classify(_strip_edges(" ".join(_drop_leading(p.split())))) for p in parts)
        if first and second:
            if first.name and not (first.role or first.org) and second.role and not second.name:
                return Person(name=first.name, role=second.role, org=second.org)
            if second.name and not (second.role or second.org) and first.role and not first.name:
                return Person(name=second.name, role=first.role, org=first.org)
            if first.name and not (first.role or first.org) and second.org and not second.name:
                return Person(name=first.name, org=second.org)
    return _classify(phrase)


def parse_party(text: str) -> Person:
    """Split one party phrase into name, role and organization.

    "N.S. Khrushchev, First Secretary of the CC of the CPSU" is a name with its office; "The Ambassador in
    Russia (Francis)" is Francis in that office; "the Secretary of State" an office alone; "CPSU CC" an
    institution alone. Honorifics are dropped and editorial brackets applied. Text that names no party
    gives an empty Person.
    """
    return _party(text) or Person()


# --- Lists of parties.

def _top_level_pieces(text: str, separator: str) -> Iterable[str]:
    """The pieces between separators outside brackets; lazily where brackets make it a walk, as the list
    readers stop at the first item that is no party, often early in a long sentence."""
    if "[" not in text and "(" not in text and ")" not in text and "]" not in text:
        return text.split(separator)
    return _pieces_around_brackets(text, separator)


def _pieces_around_brackets(text: str, separator: str) -> Iterator[str]:
    """_top_level_pieces of a text with brackets: the scan visits only brackets and separators, as nothing
    else changes anything."""
    depth, start = 0, 0
    for mark in _BRACKET_OR_SEPARATOR[separator].finditer(text):
        char = mark.group()
        if char in "[(":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif depth == 0:
            yield text[start:mark.start()]
            start = mark.end()
    yield text[start:]


def _before_prose(text: str) -> str:
    """The part of a phrase before its first word of running prose ("... of the RWP expressing ...")."""
    tokens = []
    for token in text.split():
        if _is_prose_token(token):
            break
        tokens.append(token)
    while tokens and (tokens[-1] in CONNECTORS or tokens[-1] in ARTICLES or tokens[-1] == "and"):
        tokens.pop()
    return " ".join(tokens)


def _party_prefix(item: str) -> str:
    """The longest start of an item that is a party, cut before a subject word ("X on Y", "X re Y") or
    before running prose."""
    tokens = item.split()
    for end in range(len(tokens) - 1, 0, -1):
        if _bare(tokens[end]) in SUBJECT_OPENERS and _party(" ".join(tokens[:end])):
            return " ".join(tokens[:end])
    return _before_prose(item)


def _opens_subject(item: str) -> bool:
    return item[:1] in _QUOTES or _bare(item.split(maxsplit=1)[0]) in SUBJECT_OPENERS


def _is_bare_office(person: Person) -> bool:
    return person.name is None and person.role is not None and " " not in person.role.strip()


def _list_items(text: str) -> Iterator[tuple[str, str]]:
    """(separator, item) pairs of the list "A, B, and C" a text starts with (up to a colon), without empty
    items; the separator is "" for the first item, "," or "and". Lazily: readers stop at the first item
    that is no party, often early in a long sentence."""
    for n, chunk in enumerate(_top_level_pieces(next(iter(_top_level_pieces(text, ":"))), ",")):
        chunk = chunk.strip()
        leading_and = _LEADING_AND.match(chunk)
        if leading_and:
            chunk = chunk[leading_and.end():]
        # most chunks have no "and" at all, and splitting at the pattern costs a scan
        pieces = _AND.split(chunk) if "and" in chunk or "&" in chunk else [chunk]
        for m, piece in enumerate(pieces):
            item = piece.strip().strip(" ,;")
            if item:
                yield ("and" if m or leading_and else "," if n else ""), item


def _is_party_list(text: str) -> bool:
    """Whether a text is parties and nothing else: _party_phrases would find some and call it complete,
    but this stops at the first item that is not a party instead of looking for where its party ends."""
    found = False
    for _, item in _list_items(text):
        if _opens_subject(item) or _party(item) is None:
            return False
        found = True
    return found


# The title rules try the same stretch of a title from several sides (each split candidate, then the
# chosen sides again), and a page's opener is read more than once.
@lru_cache(maxsize=1024)
def _party_phrases(text: str) -> tuple[tuple[str, ...], bool]:
    """The party phrases a list starts with, and whether the whole text was parties.

    The list stops at the first item that is not a party: a subject clause, a quoted heading or prose.
    "Name, Office" and "Office, Name" pairs are one party; "Ambassadors and Ministers in ..." is one office.
    """
    found: list[tuple[str, str, Person]] = []
    complete = True
    for separator, item in _list_items(text):
        if _opens_subject(item):
            complete = False
            break
        person = _party(item)
        if person is None:
            head = _party_prefix(item)
            if head and (person := _party(head)):
                found.append((separator, head, person))
            complete = False
            break
        found.append((separator, item, person))
    phrases: list[tuple[str, Person]] = []
    for separator, item, person in found:
        if phrases:
            last_text, last = phrases[-1]
            name_only = person.name and not (person.role or person.org)
            last_name_only = last.name and not (last.role or last.org)
            if separator == "," and ((last_name_only and person.role and not person.name)
                                     or (name_only and last.role and not last.name)):
                phrases[-1] = (f"{last_text}, {item}", _party(f"{last_text}, {item}") or last)
                continue
            if separator == "and" and _is_bare_office(last) and person.role and not person.name:
                phrases[-1] = (f"{last_text} and {item}", person)
                continue
        phrases.append((item, person))
    return tuple(text for text, _ in phrases), complete


def _persons(phrases: Iterable[str]) -> list[Person]:
    return [p for p in (_party(phrase) for phrase in phrases) if p]


# --- Titles.

@lru_cache(maxsize=256)     # asked for the same title several times per page
def _clean_title(title: str) -> str:
    text = _FRUS_NUMBER.sub("", " ".join(title.split()))
    if text[-1:].isdecimal():   # the footnote pattern, slow to scan, ends in a digit (and there is no "\n")
        text = _GLUED_FOOTNOTE.sub("", text)
    text = _drop_lower_parentheticals(text)
    if _FOUR_DIGITS.search(text) or _DOTTED_YEAR.search(text):     # the date pattern is slow to scan
        text = _TITLE_DATE.sub("", text)
    if "," in text:
        text = _SPACE_BEFORE_COMMA.sub(",", text)
    if not _LOWERCASE.search(text):
        text = title_case_caps(text)
    return text.strip(" ,;")


def _doc_prefix_end(tokens: list[str]) -> int | None:
    """Where a title's leading document-kind phrase ends ("Ciphered Telegram No. 25553,", "Letter of
    reply,", "Memorandum"): the index of the next token, or None when the title does not open so."""
    saw_doc_word = False
    for i, token in enumerate(tokens):
        word = _bare(token)
        if word in DOC_TYPE_WORDS:
            saw_doc_word = True
        elif not (word in DOC_TYPE_MODIFIERS or _NUMBERING.fullmatch(word)):
            return i if saw_doc_word else None
        if token.endswith(","):
            return i + 1 if saw_doc_word else None
    return None


def _split_parties(text: str, first_is_sender: bool) -> tuple[str, str | None]:
    """Split "A to B" (or "B from A") where the words on both sides are parties; an office holder's
    parenthesis closes the first side when there is one ("... Talks (Smith) to ...")."""
    markers = ("to", "for") if first_is_sender else ("from", "by")
    candidates = [m for m in _SPLIT_MARKER.finditer(text) if m.group(1).lower() in markers]
    candidates.sort(key=lambda m: (not text[:m.start()].rstrip(" ,").endswith(")"),
                                   markers.index(m.group(1).lower()), m.start()))
    for match in candidates:
        left, right = text[:match.start()], text[match.end():]
        if _is_party_list(left) and _party_phrases(right)[0]:
            return left, right
    return text, None


def _with_go_betweens(phrases: Iterable[str]) -> list[Person]:
    """Recipients with the go-between of each "X [via Y]" listed after X."""
    people = []
    for phrase in phrases:
        people.extend(_persons([phrase]))
        people.extend(_persons([via.strip() for via in _VIA.findall(phrase)]))
    return people


def _uncover(phrase: str, signed_as: str | None, warnings: list[str]) -> str:
    """"A [B]" names the real person B behind cover name A, unless the document is signed plainly "B":
    then B is the name the document goes under and A the person."""
    match = _COVER.fullmatch(phrase.strip())
    if not match or not signed_as or not _is_name_tokens(match.group("outside").split()):
        return phrase
    inside = " ".join(_name_tokens(match.group("inside")))
    signed_plainly = " ".join(_name_tokens(_ANY_BRACKET.sub(" ", signed_as)))
    if inside and f" {inside} " in f" {signed_plainly} ":
        outside = match.group("outside")
        warnings.append(f"cover name: signed '{match.group('inside')}', so '{phrase}' is {outside}")
        return outside
    return phrase


def parties_from_title(
        title: str, signed_as: str | None = None) -> tuple[list[Person], list[Person], list[str]]:
    """Senders, recipients and warnings named by a document title.

    Reads "Letter from X to Y", "Cable, X to Y, Subject", "Letter by X, Office, to Y", FRUS headings "The
    Ambassador in Russia (Francis) to the Secretary of State", "Directive to X" and "reply to X's cable".
    Dates, "(excerpt)" and subject clauses are never parties; titles that only describe a document
    ("Record of a Conversation between A and B", "Andropov Report") give nothing (see author_from_title).
    ``signed_as``, the document's signature when known, settles which side of "A [B]" is the cover name.
    """
    sender_phrases, recipient_phrases, replied_to_text = _title_phrases(title)
    warnings: list[str] = []
    senders = _persons([_uncover(p, signed_as, warnings) for p in sender_phrases])
    recipients = _with_go_betweens(recipient_phrases)
    for person in _persons([replied_to_text] if replied_to_text else []):
        if not any(_same_party(person, r) for r in recipients):
            recipients.append(person)
    for person in senders + recipients:
        if person.org and _norm(person.org) in SEATS_OF_GOVERNMENT:
            warnings.append(f"'{person.org}' is a capital standing for its government")
    return senders, recipients, warnings


# A page asks about its title more than once: with its signature, and again when looking for an author.
@lru_cache(maxsize=256)
def _title_phrases(title: str) -> tuple[tuple[str, ...], tuple[str, ...], str | None]:
    """(sender phrases, recipient phrases, whom the title replies to) named by a title."""
    text = _clean_title(title)
    replied_to = None
    # Few titles reply to anything, and the pattern is slow to scan: look for its words first.
    folded = text.casefold()
    if any(word in folded for word in _REPLY_WORDS) and (reply := _REPLY_TO.search(text)):
        replied_to = reply.group("who")
        text = text[:reply.start()]
    sender_text, recipient_text = _party_texts(text)
    return (_party_phrases(sender_text)[0] if sender_text else (),
            _party_phrases(recipient_text)[0] if recipient_text else (), replied_to)


def _party_texts(text: str) -> tuple[str | None, str | None]:
    """The parts of a cleaned title naming the senders and the recipients, in the title's three shapes:
    a document word then from/by/to ("Cable from X to Y", "Cable, X to Y"), a FRUS heading ("X to Y"),
    and a document word addressed to someone ("... Directive to X")."""
    tokens = text.split()
    prefix_end = _doc_prefix_end(tokens)
    sender_text = recipient_text = None
    if prefix_end is not None and prefix_end < len(tokens):
        marker = _norm(tokens[prefix_end])
        if marker == "addressed" and prefix_end + 1 < len(tokens) and _norm(tokens[prefix_end + 1]) == "by":
            prefix_end += 1
            marker = "by"
        rest = " ".join(tokens[prefix_end + 1:])
        if marker in ("from", "by"):
            sender_text, recipient_text = _split_parties(rest, first_is_sender=True)
        elif marker in ("to", "for"):
            recipient_text, sender_text = _split_parties(rest, first_is_sender=False)
        elif tokens[prefix_end - 1].endswith(","):
            sender_text, recipient_text = _split_parties(" ".join(tokens[prefix_end:]), first_is_sender=True)
            if recipient_text is None:
                sender_text = None
    if sender_text is None and recipient_text is None:
        left, right = _split_parties(text, first_is_sender=True)
        heading_sender = _persons(_party_phrases(left)[0]) if right is not None else []
        # a heading names its sender by office or full name: "Response to Khrushchev" names no sender
        if len(heading_sender) == 1 and (heading_sender[0].role or heading_sender[0].org
                                         or " " in (heading_sender[0].name or "")):
            sender_text, recipient_text = left, right
    if sender_text is None and recipient_text is None:
        for match in _DOC_WORD_TO.finditer(text):
            phrases, _ = _party_phrases(text[match.end():])
            if phrases:
                return None, text[match.end():]
    return sender_text, recipient_text


def author_from_title(title: str) -> Person | None:
    """The author a descriptive title names: "Journal of Soviet Ambassador Puzanov, ...", "Diary of X",
    "Report by X", "Andropov Report, ...", "X's Report on ...", "Politburo Decision ...". Also reads the
    same shapes in a document's first line ("From the journal of A.M. Puzanov")."""
    text = _clean_title(title)
    if match := _AUTHOR_OF.match(text):
        phrases, _ = _party_phrases(match.group("who"))
        if phrases and (person := _party(phrases[0])):
            return person
    senders, _, _ = parties_from_title(title)
    if senders:
        return senders[0]
    if _AUTHORED_WORD.search(text) and (match := _AUTHOR_FIRST.match(text)):
        who = match.group("who")
        if not any(_is_doc_word(t) for t in who.split()) and (person := _party(who)):
            return person
    return None


# --- Openers.

@lru_cache(maxsize=1024)     # the head and tail lines of a page are looked at several times
def _opener(line: str) -> tuple[str, str] | None:
    """(salutation as written, addressee text) when the line opens with a salutation or an address
    ("Dear X,", "To X", "for Comrade X", "Chairman [Mao], Comrade [Liu] Shaoqi ...:", "Sir:"); None
    otherwise. The addressee text is "" for a salutation that addresses nobody by name."""
    written = _MESSAGE_NUMBER.sub("", line.strip())
    text = _join_glued_brackets(written.lstrip(_QUOTES + " "))
    if text.startswith("["):
        text = _BRACKETED_OPENER.sub(r"\1", text)
    if ":" in text and _norm(_strip_edges(text.split(":")[0])) in IMPERSONAL_SALUTES:
        return written[:written.index(":") + 1], ""
    opener = _OPENER.match(text)
    if opener and opener.group("dear"):
        end = _SALUTATION_END.search(text)
        addressees = _strip_edges(_OPENER.match(text[:end.start()] if end else text).group("rest"))
        salutation = written[:written.index(end.group(0)) + 1] if end else written
        return salutation, "" if _norm(addressees) in IMPERSONAL_SALUTES else addressees
    if opener and opener.group("to"):
        addressees = _first_sentence(_ADDRESS_FROM.split(opener.group("rest"), maxsplit=1)[0])
        return (written, addressees) if _party_phrases(_strip_edges(addressees))[0] else None
    # the pattern backtracks through a whole line of prose; it needs the line to end in ":" or "!"
    bare = _BARE_OPENER.match(text) if text.rstrip().endswith((":", "!")) else None
    if bare and any(_is_honorific(t) or _is_role_word(t) or _is_org_word(t)
                    for t in _resolve_brackets(bare.group("rest")).split()):
        # a bare line must consist of addressees only: "Comrade X to do Y:" is prose
        phrases, complete = _party_phrases(bare.group("rest"))
        return (written, bare.group("rest")) if phrases and complete else None
    return None


def _first_sentence(text: str) -> str:
    """Text up to its first full stop that ends a word (not an initial or "Cde.") before a capital."""
    tokens = text.split()
    for i, token in enumerate(tokens[:-1]):
        if (token.endswith(".") and not _INITIALS.match(token) and not _is_honorific(token)
                and tokens[i + 1][:1].isupper()):
            return " ".join(tokens[:i + 1])
    return text


def recipients_from_salutation(line: str) -> list[Person]:
    """The addressees of an opener line: "Dear Comrade Khrushchev,", "To the CC CPSU", "Chairman [Mao],
    Comrade [Liu] Shaoqi and the Central Committee:", "Dear Mr. President," (the office alone). "Sir:" and
    lines that are no opener give []."""
    opener = _opener(line)
    if not opener or not opener[1].strip():
        return []
    return _persons(_party_phrases(_strip_edges(opener[1]))[0])


def _at_most_words(text: str, count: int) -> bool:
    """len(text.split()) <= count, without splitting all of a long line."""
    return len(text.split(maxsplit=count)) <= count


def _is_header_line(line: str) -> bool:
    """A short line that may stand above an opener: a marking, a number, a stamp, an address line."""
    return _at_most_words(line, 12) and not _SENTENCE_BREAK.search(line)


def split_salutation(first_lines: list[str]) -> str | None:
    """The salutation the document opens with, as written ("Dear Henry:", "To Cde. Filippov."), looking
    past markings and address lines; None when the text starts without one."""
    for line in first_lines[:8]:
        line = line.strip()
        if not line:
            continue
        if opener := _opener(line):
            return opener[0]
        if not _is_header_line(line):
            return None
    return None


def parties_from_address_line(line: str) -> tuple[list[Person], list[Person]]:
    """(senders, recipients) of an address line naming both sides: "To Foreign Minister X from Chargé
    d'affaires Y", "From X to Y". Other lines give ([], [])."""
    if not _ADDRESS_OPENING.match(line):
        return [], []
    text = _strip_edges(line)
    for pattern in (_ADDRESS_TO_FROM, _ADDRESS_FROM_TO):
        if match := pattern.match(text):
            senders = _persons(_party_phrases(match.group("from"))[0])
            recipients = _persons(_party_phrases(match.group("to"))[0])
            if senders and recipients:
                return senders, recipients
    return [], []


# --- Signatures.

def _is_date_line(line: str) -> bool:
    return bool(_DATE_LINE.match(line.strip()))


@lru_cache(maxsize=1024)
def _is_closing(line: str) -> bool:
    """A closing formula: "With communist greetings,", "Warm regards.", "I have [etc.]", "Accept, Sir, the
    renewed assurances of my highest consideration."."""
    norm = _norm(line)
    if "[etc" in norm:
        return True
    spaced = norm.replace(",", " ").replace(".", " ")
    short_enough = _at_most_words(spaced, 6) or norm.startswith(("accept", "i have the hono", "i remain"))
    return short_enough and any(w in CLOSING_WORDS for w in spaced.split())


@lru_cache(maxsize=1024)
def _is_trailer(line: str) -> bool:
    """Matter after a signature: dates, message numbers, copy counts, appended notes, back-links."""
    norm = _norm(line)
    return (_is_date_line(line) or bool(_REFERENCE_LINE.match(line)) or "↩" in line
            or (_at_most_words(line, 10) and _COPIES.search(norm) is not None) or bool(_NOTE_LABEL.match(norm))
            or norm.strip("[]() ") in ("signature", "seal", "stamp"))


def _recase(text: str, names: bool) -> str:
    """An all-caps signature line recased; brackets (editorial, mixed case) do not count."""
    return text if _LOWERCASE.search(_ANY_BRACKET.sub("", text)) else title_case_caps(text, names=names)


@_remembered_party
def _signature_person(line: str) -> Person | None:
    """The signer one signature line names: "(ss) Name", "FILIPPOV [Stalin].”", "13.1.51 ROSHCHIN",
    "SOVIET AMBASSADOR IN THE DPRK [signature] /A. PUZANOV/", "Central Committee"."""
    text = _LEADING_DATE.sub("", line.strip())
    office = None
    marked = _SIGNATURE_MARK.split(text, maxsplit=1)
    if len(marked) == 2 and marked[0].strip():
        office, text = marked[0].strip(" ,"), marked[1]
    text = _strip_edges(_SIGNED_MARK.sub("", _SIGNED_OPENING.sub("", text, count=1)).strip().strip("/"))
    if not text or not _at_most_words(text, 6):
        return None
    person = _party(_recase(text, names=True))
    if person is None or not (person.name or person.org):
        return None
    if office and (office_party := _party(_recase(office, names=False))) and office_party.role:
        person = replace(person, role=person.role or office_party.role, org=person.org or office_party.org)
    return person


def _office_line(line: str) -> Person | None:
    if not _at_most_words(line, 12):
        return None
    person = _party(_recase(line.strip(), names=False))
    return person if person and person.role and not person.name else None


def _is_block_line(line: str) -> bool:
    """A short line of a signature block above the name (rank, office): no running prose."""
    return _at_most_words(line, 8) and not any(_is_prose_token(t) for t in line.split())


def _locate_end(lines: list[str]) -> tuple[int | None, int | None, int | None, Person | None]:
    """(closing index, first signature line, name line, signer) in the non-empty last lines."""
    i = len(lines) - 1
    while i >= 0 and _is_trailer(lines[i]):
        i -= 1
    if i < 0:
        return None, None, None, None
    if _is_closing(lines[i]):
        return i, None, None, None
    person = _signature_person(lines[i])
    if person is None:
        return None, None, None, None
    j = i - 1
    while j >= 0 and i - j <= 3 and not _is_closing(lines[j]) and _is_block_line(lines[j]):
        j -= 1
    closing = j if j >= 0 and i - j <= 4 and _is_closing(lines[j]) else None
    office = _office_line(lines[i - 1]) if i >= 1 and i - 1 != closing else None
    if office and not person.role:
        person = replace(person, role=office.role, org=person.org or office.org)
    start = closing + 1 if closing is not None else (i - 1 if office else i)
    return closing, start, i, person


def _non_empty(lines: list[str]) -> list[str]:
    return [line.strip() for line in lines if line.strip()]


def read_letter_end(lines: list[str]) -> tuple[str | None, str | None, Person | None]:
    """(closing, signature, signer) of a document's last lines.

    closing and signature are texts: ("With communist greetings,", "First Secretary ...\n(ss) Name"); the
    signature runs from after the closing to the name line. The signer is read from the last non-empty
    lines, in order: the name line (after skipping trailing dates, numbers and notes) with the office line
    above it. An elided signature ("I have [etc.]"), a closing formula or a line of prose gives None;
    initials alone ("W. W.") are returned as the name for the caller to match."""
    lines = _non_empty(lines)
    closing, start, name_line, signer = _locate_end(lines)
    signature = "\n".join(lines[start:name_line + 1]) if start is not None and name_line is not None else None
    return (lines[closing] if closing is not None else None), signature, signer


# --- Merging.

# Merging compares every party of a page with every other, each time looking at the same few names.
@lru_cache(maxsize=1024)
def _name_tokens(name: str) -> tuple[str, ...]:
    return tuple(_NOT_NAME_CHARS.sub(" ", _norm(name)).split())


@lru_cache(maxsize=1024)
def _is_initials(name: str) -> bool:
    return all(_INITIALS.match(t) for t in name.split())


def _edit_distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def _name_match(a: str, b: str) -> str | None:
    """"exact" when two names are one person's (same surname; one a part of the other, "Kennedy" and "John
    Kennedy", "Mao" and "Mao Zedong"; initials fitting a surname), "near" for a slightly different
    spelling of the surname, None otherwise."""
    ta, tb = _name_tokens(a), _name_tokens(b)
    if not ta or not tb:
        return None
    if _is_initials(a) or _is_initials(b):
        initials, full = (ta, tb) if _is_initials(a) else (tb, ta)
        return "exact" if initials[-1][0] == full[-1][0] else None
    if ta[-1] == tb[-1]:
        return "exact"
    short, long_ = (ta, tb) if len(ta) <= len(tb) else (tb, ta)
    if len(short) == 1 and short[0] == long_[0]:
        return "exact"
    limit = 2 if min(len(ta[-1]), len(tb[-1])) >= 6 else 1 if min(len(ta[-1]), len(tb[-1])) >= 4 else 0
    if limit and _edit_distance(ta[-1], tb[-1]) <= limit and (len(ta) == 1 or len(tb) == 1 or ta[0] == tb[0]):
        return "near"
    return None


def _content_words(text: str) -> set[str]:
    return {w for w in _name_tokens(text) if w not in ARTICLES and w not in CONNECTORS}


def _nested(a: str, b: str) -> bool:
    """Whether the content words of one of two offices or bodies contain the other's."""
    wa, wb = _content_words(a), _content_words(b)
    return bool(wa and wb) and (wa <= wb or wb <= wa)


def _same_party(a: Person, b: Person) -> bool:
    """Whether two readings are one party: names that match, institutions whose words contain the other's,
    offices alike, or an office named alone that a named party holds."""
    if a.name and b.name:
        return _name_match(a.name, b.name) is not None
    if a.name or b.name:
        office, holder = (b, a) if a.name else (a, b)
        return office.org is None and _fits_unnamed(office, holder)
    if a.org and b.org:
        return _nested(a.org, b.org)
    return bool(a.role and b.role) and _nested(a.role, b.role)


def _fits_unnamed(unnamed: Person, named: Person) -> bool:
    """A document's named party may be the holder of an office the title names without a holder."""
    return bool(unnamed.role and named.role) and _nested(unnamed.role, named.role)


def _combine(kept: Person, found: Person) -> tuple[Person, str | None]:
    """One party from a title's (kept) and the document's (found) reading of it."""
    name, note = kept.name or found.name, None
    if kept.name and found.name and not _is_initials(found.name):
        if _name_match(kept.name, found.name) == "near":
            name = found.name if len(found.name.split()) >= len(kept.name.split()) else " ".join(
                kept.name.split()[:-1] + found.name.split()[-1:])
            note = f"name spelt '{kept.name}' in the title and '{found.name}' in the document; kept '{name}'"
        elif len(_name_tokens(found.name)) >= len(_name_tokens(kept.name)):
            name = found.name
    org = kept.org or found.org
    if kept.org and found.org and not (kept.name or found.name):
        org = max(kept.org, found.org, key=len)
    return Person(name=name, role=kept.role or found.role, org=org), note


def _describe(person: Person) -> str:
    return person.name or person.role or person.org or "?"


def merge_parties(primary: list[Person], secondary: list[Person]) -> tuple[list[Person], list[str]]:
    """Combine the parties a title names (primary) with those the document itself gives (secondary:
    salutation, signature, address line) into one list, and warnings.

    A secondary party that is a primary one (same surname, ignoring case and accents; a name contained in
    the other; a surname within two edits) fills in what the primary lacks, and its spelling and fuller
    name win. One that is new joins when the title named nobody or the document confirms the title
    elsewhere, fills the title's only unnamed office or institution, and is otherwise left out with a
    warning (a quoted document's signer, a cover name the title resolved differently).
    """
    merged = [replace(p) for p in primary]
    warnings: list[str] = []
    leftovers: list[Person] = []
    corroborated = False
    for found in secondary:
        if _merge_into(merged, found, warnings):
            corroborated = True
        else:
            leftovers.append(found)
    for found in leftovers:
        if _merge_into(merged, found, warnings):
            continue
        if found.name and len(merged) == 1 and not merged[0].name:
            merged[0], _ = _combine(merged[0], found)
        elif not merged or (corroborated and (found.name or found.org)):
            merged.append(found)
        else:
            warnings.append(f"'{_describe(found)}' from the document matches no party of the title; left out")
    return merged, warnings


def _merge_into(merged: list[Person], found: Person, warnings: list[str]) -> bool:
    """Combine ``found`` into the entry of ``merged`` it is one party with; False when there is none."""
    index = next((i for i, p in enumerate(merged) if _same_party(p, found)), None)
    if index is None:
        return False
    merged[index], note = _combine(merged[index], found)
    if note:
        warnings.append(note)
    return True
