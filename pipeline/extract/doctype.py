"""Document type from the words of the title, the page's type label and the form of the text."""

from __future__ import annotations

import re

# (pattern, type). In a title the earliest match wins and, at one position, the longest: "Journal of
# Ambassador X, Memorandum of Conversation" is a journal, "Memorandum of Conversation" is not a memorandum.
TYPE_WORDS: tuple[tuple[str, str], ...] = (
    (r"(memorandum|record|minutes|notes?|transcript|summary) of (a |the )?(telephone |tele-)?conversations?",
     "conversation_record"),
    (r"(record|memorandum|minutes|notes?) of (a |the )?(talks?|discussions?|meetings? with)", "conversation_record"),
    (r"conversations? (between|with)", "conversation_record"),
    (r"(memorandum|memo) for the record", "memorandum"),
    (r"summary of conclusions", "minutes"),
    (r"(minutes|protocol|transcript|record|notes) of (a |the )?[\w\s-]{0,40}?"
     r"(meeting|session|sitting|conference|plenum)", "minutes"),
    (r"minutes", "minutes"),
    (r"circular (telegram|note|letter|despatch|instruction)|circular", "circular"),
    (r"backchannel (message|cable)|cable(gram)?s?|telex", "cable"),
    (r"(ciphered |coded |encrypted )?telegrams?|wire", "telegram"),
    (r"journal", "journal"),
    (r"diary|diaries", "diary"),
    (r"letters?|message|epistle", "letter"),
    (r"memorandum|memoranda|memo|aide[- ]m[ée]moire", "memorandum"),
    (r"reports?|reporting", "report"),
    (r"speech|address|remarks|toast|lecture", "speech"),
    (r"resolution|decision|decree|ordinance", "resolution"),
    (r"instructions?|directives?|guidance", "instruction"),
    (r"information|informational note|bulletin", "information"),
    (r"interview", "interview"),
    (r"despatch|dispatch", "despatch"),
    (r"note verbale|verbal note|notes?", "note"),
)
_TITLE_PATTERNS = tuple((re.compile(rf"\b(?:{p})\b", re.I), t) for p, t in TYPE_WORDS)
# Any of them, to find where the earliest type phrase starts in one scan rather than one per pattern. Each
# is a group, so the scan also tells the first pattern (in table order) matching there: the ones before it
# do not, and need no trying.
_ANY_TYPE_WORDS = re.compile(r"\b(?:" + "|".join(f"(?P<type{i}>{p})" for i, (p, _) in enumerate(TYPE_WORDS))
                             + r")\b", re.I)
_PATTERN_OF_GROUP = {_ANY_TYPE_WORDS.groupindex[f"type{i}"]: i for i in range(len(TYPE_WORDS))}

DESPATCH_FORM = re.compile(r"^(Sir|Excellency|Your Excellency):|\bI have the honou?r to\b", re.M)
LETTER_FORM = re.compile(r"^(My )?Dear\b", re.M)


def type_from_words(text: str) -> tuple[str, str] | None:
    """(doc_type, matched words) for the earliest, longest type phrase in a title or label; of equally
    long ones, the first in TYPE_WORDS."""
    earliest = _ANY_TYPE_WORDS.search(text)
    if earliest is None:
        return None
    best: tuple[str, str] | None = None
    for pattern, doc_type in _TITLE_PATTERNS[_PATTERN_OF_GROUP[earliest.lastindex]:]:
        match = pattern.match(text, earliest.start())
        if match and (best is None or len(match.group(0)) > len(best[1])):
            best = (doc_type, match.group(0))
    return best


def classify(title: str | None, type_labels: list[str], body: str) -> tuple[str, str]:
    """(doc_type, rule) with the title first, then the page's own type label, then the text's form."""
    if title and (found := type_from_words(title)):
        return found[0], f"title:{found[1]}"
    for label in type_labels:
        if found := type_from_words(label):
            return found[0], f"type_label:{found[1]}"
    opening = body[:600]
    if DESPATCH_FORM.search(opening):
        return "despatch", "form:despatch-opening"
    if LETTER_FORM.search(opening):
        return "letter", "form:letter-salutation"
    return "other", "default"
