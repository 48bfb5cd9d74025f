"""The extract stage's speed-ups (checks in front of slow patterns, patterns re can skip ahead in, lazy
splitting, a fast answer for phrases of prose) give the same answers as the plain rules they stand in for."""

import re
from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.extract import citation, people
from pipeline.models import Person

SETTINGS = settings(max_examples=400, deadline=None, derandomize=True)
GAPS = (" ", " ", " ", ", ", "  ", "\t", "\n", "")


def _texts(*words: str, max_size: int = 10) -> st.SearchStrategy[str]:
    """Words joined by assorted gaps (none, several spaces, tabs, newlines, commas)."""
    return st.lists(st.tuples(st.sampled_from(words), st.sampled_from(GAPS)), max_size=max_size).map(
        lambda pairs: "".join(word + gap for word, gap in pairs))


# --- title dates: where one can start is tested before the date pattern

_TITLE_DATE_WITHOUT_START = re.compile(people._TITLE_DATE.pattern.replace(people._TITLE_DATE_START, "", 1), re.I)
_TITLE_WORDS = ("Letter", "from", "A.", "Doe", "of", "on", "dated", "Wednesday", "THURSDAY", "Sunday", "5",
                "12th", "1956", "Sept.", "September", "MARCH", "mar", "May", "june", "Jul.", "Aug", "apr", "Oct.",
                "nov", "DEC", "3.4.1960", "31.XII.56", "10:30", "p.m.", "hours", "ſept", "ſunday", "Bejan", "1/2",
                "x1956", "the", "to", "Office", "Thus", "Dec-", "on,")


@SETTINGS
@given(_texts(*_TITLE_WORDS))
def test_title_date_start_check_keeps_every_date(title):
    assert people._TITLE_DATE.pattern != _TITLE_DATE_WITHOUT_START.pattern
    assert people._TITLE_DATE.sub("", title) == _TITLE_DATE_WITHOUT_START.sub("", title)


def test_title_date_start_covers_every_weekday_and_month():
    names = ("Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June "
             "July August September October November December Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec").split()
    for name in names:
        for spelling in (name, name.upper(), name.lower(), name.replace("s", "ſ")):
            for title in (f"Letter {spelling} 5, 1956", f"Letter, {spelling}. 1956", f"Letter of {spelling} 1956",
                          f"Letter dated {spelling}, 5 May 1956", f"{spelling} 5 1956", f"Letter\t {spelling} 1956"):
                assert people._TITLE_DATE.sub("", title) == _TITLE_DATE_WITHOUT_START.sub("", title), title
    assert people._TITLE_DATE.sub("", "Telegram from A. Doe dated Thursday, 3 May 1956") == "Telegram from A. Doe"


def _clean_title_plainly(title: str) -> str:
    """_clean_title as every pattern would do it, without the checks in front of them."""
    text = people._FRUS_NUMBER.sub("", " ".join(title.split()))
    text = people._GLUED_FOOTNOTE.sub("", text)
    text = people._LOWER_PARENTHETICAL.sub("", text)
    text = _TITLE_DATE_WITHOUT_START.sub("", text)
    text = re.sub(r"\s+,", ",", text)
    if not people._LOWERCASE.search(text):
        text = people.title_case_caps(text)
    return text.strip(" ,;")


@SETTINGS
@given(_texts(*_TITLE_WORDS, "12.", "(excerpt)", "(Doe)", "Roe12", "Roe’", "1.", ",", "LETTER", "FROM", "No.",
              "25553", "195", "2.3", "4.12.51", "1.2.10"))
def test_title_cleaning_checks_agree_with_the_plain_patterns(title):
    assert people._clean_title.__wrapped__(title) == _clean_title_plainly(title)


@SETTINGS
@given(_texts(*_TITLE_WORDS, "12.", "4.12.51", "195", "1500"))
def test_every_title_date_holds_four_digits_or_a_dotted_year(title):
    if people._TITLE_DATE.search(title):
        assert people._FOUR_DIGITS.search(title) or people._DOTTED_YEAR.search(title)


# --- patterns that start with a lone "\s" so that re skips ahead to spaces

_SPACE_WORDS = ("to", "For", "from", "BY", "and", "&", "Doe", ",", "Roe,", "tomorrow", "band", "x")


@SETTINGS
@given(_texts(*_SPACE_WORDS))
def test_patterns_starting_with_one_space_match_as_with_spaces(text):
    for pattern in (people._SPLIT_MARKER, people._AND, people._SPACE_BEFORE_COMMA):
        plain = re.compile(pattern.pattern.replace(r"\s\s*", r"\s+", 1), pattern.flags)
        assert plain.pattern != pattern.pattern
        assert [m.span() for m in pattern.finditer(text)] == [m.span() for m in plain.finditer(text)]
        assert pattern.split(text) == plain.split(text)


# --- lists of parties: split at the brackets and separators only, and lazily

def _split_char_by_char(text: str, separator: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for i, char in enumerate(text):
        if char in "[(":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == separator and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


@SETTINGS
@given(st.text(alphabet="ab ,:;()[]", max_size=30), st.sampled_from(",:"))
def test_top_level_pieces_match_a_character_walk(text, separator):
    assert list(people._top_level_pieces(text, separator)) == _split_char_by_char(text, separator)


def _list_items_plainly(text: str) -> list[tuple[str, str]]:
    """The list items as split whole: at the colon, the commas, then every " and "."""
    items = []
    for n, chunk in enumerate(_split_char_by_char(_split_char_by_char(text, ":")[0], ",")):
        chunk = chunk.strip()
        leading_and = people._LEADING_AND.match(chunk)
        if leading_and:
            chunk = chunk[leading_and.end():]
        for m, piece in enumerate(re.split(r"\s+(?:and|&)\s+", chunk)):
            separator = "and" if m or leading_and else "," if n else ""
            if piece.strip() and piece.strip().strip(" ,;"):
                items.append((separator, piece.strip().strip(" ,;")))
    return items


@SETTINGS
@given(_texts("Ivan", "Petrov", "and", "&", "Doe", ":", ";", "(Roe, Poe)", "[and]", "band", "and,", "the"))
def test_list_items_match_the_whole_split(text):
    assert list(people._list_items(text)) == _list_items_plainly(text)


# --- phrases of running prose are no party, without preparing them

_PHRASE_WORDS = ("The", "the", "Ambassador", "ambassador", "in", "Utopia", "reported", "agreed", "his", "her",
                 "Excellency", "comrade", "Comrade", "mr", "Mr.", "de", "la", "Gaulle", "of", "and", "committee",
                 "Central", "Committee", "(Roe)", "(excerpt)", "[Stalin]", "Com[rade]", "“said", "said”", "«said",
                 "d’", "de’", "x", "on", "to", "A.", "Doe", "Moscow", "a.i", "d'affaires", "said,", "sent.",
                 "(with", "copies)", "(with some copies)", "[as", "here]", "[as reported here]", "[Ivan]",
                 "Roe)", "]")


@SETTINGS
@given(_texts(*_PHRASE_WORDS, max_size=8))
def test_prose_check_agrees_with_preparing_the_phrase(text):
    fast = people._party.__wrapped__(text)
    with mock.patch.object(people, "_has_prose_word", return_value=False):
        slow = people._party.__wrapped__(text)
    assert fast == slow


def test_prose_in_brackets_or_parentheses_is_left_to_the_preparation():
    assert people._party("Ivan Petrov (with some copies)") == Person(name="Ivan Petrov")
    assert people._party("Ivan Petrov [as reported here]") == Person(name="Ivan Petrov")


def test_prose_is_no_party_but_a_leading_honorific_is_dropped():
    assert people._has_prose_word("The Soviet side refuses to send a delegation")
    assert people._party("The Soviet side refuses to send a delegation") is None
    assert not people._has_prose_word("his Excellency Ivan Petrov")
    assert people._party("his Excellency Ivan Petrov") == Person(name="Ivan Petrov")


# --- checks in front of patterns that try every position of a long line

@SETTINGS
@given(_texts("Doe", "Ivan", "Petrov", "(Roe)", "(", ")", ":", "!", "to", "Comrade", "\n", "report", "Report",
              "’s", "'s", "reports", "ſpeech", "ınformation", "REMARKS", "rεport", "letters", "memo"))
def test_front_checks_let_every_match_through(text):
    if people._OFFICE_HOLDER.match(text) and "\n" not in text:
        assert text.endswith(")")
    if people._BARE_OPENER.match(text):
        assert text.rstrip().endswith((":", "!"))
    if people._BRACKETED_OPENER.match(text):
        assert text.startswith("[")
    if people._AUTHOR_FIRST.match(text):
        assert people._AUTHORED_WORD.search(text)


_SIGNED_MARK_AS_ONE = re.compile(
    r"\((?:ss|s|signed|sgd\.?)\)|^/s/\s*|^s/\s*|^signed:?\s+|\[signature\]|\(signature\)", re.I)


@SETTINGS
@given(_texts("(ss)", "(s)", "(SIGNED)", "(sgd.)", "/s/", "s/", "ſ/", "signed:", "Signed", "[signature]",
              "(signature)", "A.", "Doe", "/A. DOE/", "s"))
def test_signature_marks_removed_in_two_steps_as_in_one(line):
    two_steps = people._SIGNED_MARK.sub("", people._SIGNED_OPENING.sub("", line, count=1))
    assert two_steps == _SIGNED_MARK_AS_ONE.sub("", line)


@SETTINGS
@given(st.text(alphabet="aé ,.\t\nß’Łı", max_size=20))
def test_words_are_counted_without_splitting_everything(text):
    for count in range(8):
        assert people._at_most_words(text, count) == (len(text.split()) <= count)


def _is_closing_plainly(line: str) -> bool:
    norm = people._norm(line)
    words = norm.replace(",", " ").replace(".", " ").split()
    if "[etc" in norm:
        return True
    short_enough = len(words) <= 6 or norm.startswith(("accept", "i have the hono", "i remain"))
    return short_enough and any(w in people.CLOSING_WORDS for w in words)


@SETTINGS
@given(_texts("With", "communist", "greetings,", "Accept,", "Sir,", "the", "assurances", "of", "my", "highest",
              "consideration.", "I", "have", "[etc.]", "Yours", "truly,", "regards.", "and", "we", "agreed"))
def test_closing_check_agrees_with_splitting_every_word(line):
    assert people._is_closing.__wrapped__(line) == _is_closing_plainly(line)


@SETTINGS
@given(st.text(alphabet="aAéÉłŁøßæŒ’‘ı\u0301İK ", max_size=20))
def test_plain_letters_are_translated_only_where_there_are_some(text):
    plainly = people.unicodedata.normalize("NFKD", text.translate(people._PLAIN_LETTERS))
    plainly = people._NON_ASCII_CHARACTER.sub(people._without_combining_mark, plainly).casefold()
    assert people._norm.__wrapped__(text) == (plainly if not text.isascii() else text.casefold())


def test_letter_end_reads_closing_signature_and_signer():
    lines = ["We agreed on the terms.", "With communist greetings,", "First Secretary", "(ss) Ivan Petrov", "12.1.51"]
    closing, signature, signer = people.read_letter_end(lines)
    assert (closing, signature) == ("With communist greetings,", "First Secretary\n(ss) Ivan Petrov")
    assert signer.name == "Ivan Petrov"
    for line in ("/s/ Ivan Petrov", "s/ Ivan Petrov", "Signed: Ivan Petrov", "(s) Ivan Petrov"):
        assert people.read_letter_end(["We agreed on the terms.", line])[2].name == "Ivan Petrov", line


# --- citations: separators found by a scan, the depth worked out only when there is one

def _split_top_level_char_by_char(text: str, separators: str) -> list[str]:
    depth = citation._nesting(text)
    pieces, start = [], 0
    for index, char in enumerate(text):
        if char in separators and depth[index] == 0:
            pieces.append(text[start:index])
            start = index + 1
    pieces.append(text[start:])
    return [p.strip() for p in pieces if p.strip()]


@SETTINGS
@given(st.text(alphabet="ab ,:;()[]“”", max_size=30))
def test_citation_splitting_matches_a_character_walk(text):
    for separators in (";", ","):
        assert citation._split_top_level(text, separators) == _split_top_level_char_by_char(text, separators)
    cut = next((i for i, c in enumerate(text) if c in ",:" and citation._nesting(text)[i] == 0), len(text))
    assert citation._first_component(text) == text[:cut]


@SETTINGS
@given(_texts("Source:", "RGANI,", "f.", "5", "https://example.org/x", "http://a", "Digital", "Archive,",
              "“Title,”", "Wilson Center", "History and Public Policy Program", "Digital Archive,",
              "Digital\tArchive", "Digital  Archive", "digital archive"))
def test_reference_text_checks_agree_with_the_plain_patterns(text):
    plainly = citation._URL.sub("", citation._LEADING_LABEL.sub("", text))
    plainly = citation._WILSON_BOILERPLATE.sub("", plainly, count=1).strip()
    assert citation._reference_text(text) == plainly


def test_credits_need_their_words():
    assert citation.find_contributors("Drafted by A. Doe.") == []
    assert citation.find_contributors("Provided by the Utopian Institute.") == ["Utopian Institute"]
