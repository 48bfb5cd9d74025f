"""The extract stage's fast paths (pre-checks, combined or guarded patterns, lazy splitting) give the
same answers as the plain rules they stand in for."""

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.extract import citation, doctype, people

SETTINGS = settings(max_examples=300, deadline=None, derandomize=True)


def _words(*vocabulary: str) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(vocabulary), max_size=9).map(" ".join)


# --- document types: one combined scan, then the patterns at its position

def _type_by_every_pattern(text: str) -> tuple[str, str] | None:
    """The plain rule: each pattern's first match; the earliest wins, then the longest, then table order."""
    best = None
    for pattern, doc_type in doctype._TITLE_PATTERNS:
        if match := pattern.search(text):
            key = (match.start(), -len(match.group(0)))
            if best is None or key < best[0]:
                best = (key, (doc_type, match.group(0)))
    return best[1] if best else None


@SETTINGS
@given(_words("Memorandum", "of", "Conversation", "record", "the", "Meeting", "minutes", "Letter", "letters",
              "Circular", "telegram", "Ciphered", "Telegram", "note", "verbale", "Notes", "Report", "Plenum",
              "session", "X.", "Ivanov,", "to", "with", "between", "Journal", "TELEGRAM", "aide-mémoire"))
def test_type_from_words_matches_every_pattern_scanned_alone(title):
    assert doctype.type_from_words(title) == _type_by_every_pattern(title)


# --- title dates: grouped month names, initial look-aheads and the digit pre-check

_PLAIN_MONTH = (r"(?:January|February|March|April|May|June|July|August|September|October|November|December|"
                r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?")
_PLAIN_TITLE_DATE = re.compile(
    people._TITLE_DATE.pattern.replace(people._MONTH, _PLAIN_MONTH).replace("(?=[fmstw])", ""), re.I)


@SETTINGS
@given(_words("Letter", "from", "A.", "Doe", "of", "on", "dated", "Wednesday,", "MONDAY", "5", "12th", "1956",
              "1956,", "Sept.", "September", "MARCH", "mar", "May", "june", "Jul.", "3.4.1960", "31.XII.56",
              "10:30", "p.m.", "hours", "ſept", "Bejan", "1/2", "x1956"))
def test_title_dates_are_removed_as_by_the_plain_pattern(title):
    assert people._TITLE_DATE.pattern != _PLAIN_TITLE_DATE.pattern
    assert people._TITLE_DATE.sub("", title) == _PLAIN_TITLE_DATE.sub("", title)


def test_title_dates_in_any_spelling_leave_the_parties():
    for title in ("Letter from A. Doe to B. Roe, Sept. 5, 1956",
                  "Letter from A. Doe to B. Roe dated Wednesday, 5 September 1956, 10:30 a.m.",
                  "LETTER FROM A. DOE TO B. ROE, SEPTEMBER 1956"):
        senders, recipients, _ = people.parties_from_title(title)
        assert [s.name for s in senders] == ["A. Doe"]
        assert [r.name for r in recipients] == ["B. Roe"]


# --- title shapes behind the pre-checks and guarded patterns

def test_reply_is_found_by_any_of_its_words():
    for title in ("Cable from the Embassy in Utopia, reply to Ivan Petrov’s cable",
                  "Letter from the Utopian Workers Party in answer to Ivan Petrov's letter"):
        _, recipients, _ = people.parties_from_title(title)
        assert [r.name for r in recipients] == ["Ivan Petrov"]


def test_document_word_addressed_to_someone():
    senders, recipients, _ = people.parties_from_title("Politburo Directive to the Embassy in Utopia")
    assert senders == []
    assert [r.org for r in recipients] == ["Embassy in Utopia"]


@SETTINGS
@given(_words("Ivan", "Petrov,", "the", "Ambassador", "in", "Utopia", "and", "Comrade", "Doe,", "on", "Trade",
              "expressing", "thanks", "Central", "Committee", "(Roe)", "[Stalin]", "Com[rade]", ":", "Minister"))
def test_party_list_check_agrees_with_the_phrases(text):
    phrases, complete = people._party_phrases(text)
    assert people._is_party_list(text) == (bool(phrases) and complete)


@SETTINGS
@given(st.lists(st.sampled_from(["To", "to:", "FROM", "from:", "“To", "«", ",", "\t", "Comrade", "Ivan", "Petrov",
                                 "the", "Ambassador", "Minister", "Doe.", "Tomorrow", "fromage"]), max_size=8)
       .map(" ".join))
def test_address_opening_check_lets_every_address_line_through(line):
    text = people._strip_edges(line)
    if any(pattern.match(text) for pattern in (people._ADDRESS_TO_FROM, people._ADDRESS_FROM_TO)):
        assert people._ADDRESS_OPENING.match(line)


# --- citation brackets: depth worked out at the brackets only

def _nesting_char_by_char(text: str) -> list[int]:
    total = [0] * (len(text) + 1)
    for opener, closer in citation._BRACKET_PAIRS:
        depth, levels = 0, []
        for char in text:
            levels.append(depth)
            if char == opener:
                depth += 1
            elif char == closer and depth:
                depth -= 1
        levels.append(depth)
        if depth == 0:
            total = [a + b for a, b in zip(total, levels, strict=True)]
    return total


@SETTINGS
@given(st.text(alphabet="ab ,;()[]“”", max_size=30))
def test_bracket_depth_matches_a_character_walk(text):
    assert citation._nesting(text) == _nesting_char_by_char(text)


def test_credits_need_their_words():
    assert citation.find_translators("Drafted by A. Doe and approved by B. Roe.") == []
    assert citation.find_translators("Translated for the Archive by A. Doe and B. Roe.") == ["A. Doe", "B. Roe"]
    assert citation.find_contributors("Obtained by C. Poe.") == ["C. Poe"]
