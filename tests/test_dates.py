"""Date expressions: parse_date, find_dates, parse_dateline, is_date_line."""

from __future__ import annotations

import dataclasses
import re
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.extract.dates import DateMatch, find_dates, is_date_line, parse_date, parse_dateline

# The pattern the record JSON Schema puts on date.edtf.
EDTF = re.compile(r"^[0-9X]{4}(-[0-9X]{2}){0,2}[?~%]?(/[0-9X]{4}(-[0-9X]{2}){0,2}[?~%]?)?$")
NEXT_YEAR = date.today().year + 1
# Characters that make dates, near-dates and the numbers around them, for the property tests.
DATE_ALPHABET = list("0123456789 .,-/–?[]()年月日十二三AprilMayDecJan c.ca\n")


@pytest.mark.parametrize(
    ("text", "edtf", "precision"),
    [
        # English
        ("April 23, 1958", "1958-04-23", "day"),
        ("23 April 1958", "1958-04-23", "day"),
        ("18 April, 1918", "1918-04-18", "day"),
        ("Apr. 23, 1958", "1958-04-23", "day"),
        ("Sept. 3, 1961", "1961-09-03", "day"),
        ("APRIL 23, 1958", "1958-04-23", "day"),
        ("Jan 13 1950", "1950-01-13", "day"),
        ("April 23rd, 1958", "1958-04-23", "day"),
        ("August 3d, 1917", "1917-08-03", "day"),
        ("the 23rd of April, 1958", "1958-04-23", "day"),
        ("Monday, February 24, 1919", "1919-02-24", "day"),
        ("April 1958", "1958-04", "month"),
        ("April, 1958", "1958-04", "month"),
        ("in April of 1958", None, None),  # prose, not a date expression
        ("1958", "1958", "year"),
        ("Spring 1958", "1958-21", "season"),
        ("the summer of 1958", "1958-22", "season"),
        ("Fall 1958", "1958-23", "season"),
        ("Winter 1958", "1958-24", "season"),
        ("1950s", "195X", "decade"),
        ("1950's", "195X", "decade"),
        ("20th century", "19XX", "century"),
        # qualifiers
        ("c. 1958", "1958~", "year"),
        ("ca. 1958", "1958~", "year"),
        ("circa 1958", "1958~", "year"),
        ("ca. April 1958", "1958-04~", "month"),
        ("1958?", "1958?", "year"),
        ("[1958]", "1958?", "year"),
        ("[April 1958]", "1958-04?", "month"),
        ("[c. 1958]", "1958%", "year"),
        # ranges
        ("April 17-19, 1958", "1958-04-17/1958-04-19", "day"),
        ("April 17–19, 1958", "1958-04-17/1958-04-19", "day"),
        ("17-19 April 1958", "1958-04-17/1958-04-19", "day"),
        ("April 30-May 2, 1958", "1958-04-30/1958-05-02", "day"),
        ("30 April - 2 May 1958", "1958-04-30/1958-05-02", "day"),
        ("December 30, 1957 - January 2, 1958", "1957-12-30/1958-01-02", "day"),
        ("April-June 1958", "1958-04/1958-06", "month"),
        ("1958-1960", "1958/1960", "year"),
        ("1958–60", "1958/1960", "year"),
        ("1946-February 1950", "1946/1950-02", "year"),
        # numeric
        ("1958-04-23", "1958-04-23", "day"),
        ("1958-04", "1958-04", "month"),
        ("17.IV.1958", "1958-04-17", "day"),
        ("16.XII.1947", "1947-12-16", "day"),
        ("13.1.1951", "1951-01-13", "day"),
        ("13.1.51", "1951-01-13", "day"),
        ("23/4/1958", "1958-04-23", "day"),
        ("4/23/1958", "1958-04-23", "day"),
        # other languages
        ("23 апреля 1958 г.", "1958-04-23", "day"),
        ("«23» апреля 1958 года", "1958-04-23", "day"),
        ("в апреле 1958 г.", None, None),
        ("апрель 1958 г.", "1958-04", "month"),
        ("весной 1958 г.", "1958-21", "season"),
        ("23 aprilie 1958", "1958-04-23", "day"),
        ("23. April 1958", "1958-04-23", "day"),
        ("3. März 1958", "1958-03-03", "day"),
        ("23 avril 1958", "1958-04-23", "day"),
        ("1er mai 1958", "1958-05-01", "day"),
        ("15 de enero de 1962", "1962-01-15", "day"),
        ("23 kwietnia 1958 r.", "1958-04-23", "day"),
        ("1958. április 23.", "1958-04-23", "day"),
        ("1958年4月23日", "1958-04-23", "day"),
        ("1958年4月", "1958-04", "month"),
        ("1958年", "1958", "year"),
        ("一九五八年四月二十三日", "1958-04-23", "day"),
        ("1950年代", "195X", "decade"),
    ],
)
def test_parse_date_forms(text, edtf, precision):
    value = parse_date(text)
    if edtf is None:
        assert value is None
        return
    assert value is not None
    assert (value.edtf, value.precision) == (edtf, precision)
    assert EDTF.match(value.edtf)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("April 23, 1958", "1958-04-23", "1958-04-23"),
        ("April 1958", "1958-04-01", "1958-04-30"),
        ("February 1956", "1956-02-01", "1956-02-29"),
        ("1958", "1958-01-01", "1958-12-31"),
        ("Spring 1958", "1958-03-01", "1958-05-31"),
        ("Winter 1958", "1958-12-01", "1959-02-28"),
        ("1950s", "1950-01-01", "1959-12-31"),
        ("20th century", "1900-01-01", "1999-12-31"),
        ("April 30-May 2, 1958", "1958-04-30", "1958-05-02"),
        ("1958-1960", "1958-01-01", "1960-12-31"),
    ],
)
def test_parse_date_bounds(text, start, end):
    value = parse_date(text)
    assert (value.start, value.end) == (start, end)


def test_missing_parts_never_come_from_today():
    value = parse_date("April 1958")
    assert value.precision == "month"
    assert value.edtf == "1958-04"
    assert (value.start, value.end) == ("1958-04-01", "1958-04-30")
    assert parse_date("1958").edtf == "1958"


@pytest.mark.parametrize(
    ("text", "expression"),
    [
        ("Washington, April 18, 1918", "April 18, 1918"),
        ("Monday, February 24, 1919", "Monday, February 24, 1919"),
        ("April 15, 1918—6 p.m.", "April 15, 1918"),
        ("23 June 1954, 3:00 a.m.", "23 June 1954"),
        ("1918, 8 p.m.", "1918"),
        ("[1958]", "[1958]"),
        ("Peking, August 10, 1917.", "August 10, 1917"),
        ("  April   23,\n 1958 ", "April 23, 1958"),
        ("c. 1958", "c. 1958"),
    ],
)
def test_parse_date_text_is_the_expression_as_written(text, expression):
    assert parse_date(text).text == expression


@pytest.mark.parametrize(
    "text",
    [
        "undated",
        "n.d.",
        "",
        "   ",
        "31 February 1958",
        "29 February 1958",
        "April 31, 1958",
        "13.13.1958",
        "32 April 1958",
        "April 3058",
        "0999",
        f"April 23, {NEXT_YEAR}",
        f"{NEXT_YEAR}",
        "4/5/1958",  # month-first or day-first? unknowable
        "15 years",
        "and 57",
        "No. 2390",
        "April 13",
        "8 p.m.",
        "The talks of April 23, 1958 went on.",
        "April 23, 1958 (draft)",
    ],
)
def test_parse_date_rejects(text):
    assert parse_date(text) is None


@pytest.mark.parametrize("text", ["ſpring 1958", "KApril 1958", "İApril 1958", "1958年十十月", "二十十日"])
def test_case_folding_look_alikes_do_not_break_parsing(text):
    parse_date(text)
    find_dates(text)


@pytest.mark.parametrize("value", [None, 1958, b"April 1958"])
def test_parse_functions_never_raise_on_non_strings(value):
    assert parse_date(value) is None
    assert parse_dateline(value) == (None, None)
    assert find_dates(value) == []
    assert is_date_line(value) is False


def test_returned_values_are_not_shared_with_the_cache():
    parse_date("April 1958").edtf = "changed"
    assert parse_date("April 1958").edtf == "1958-04"


@pytest.mark.parametrize(
    "text",
    [
        "a delay of 15 years",
        "between them and 57 others",
        "see No. 2390",
        "see No. 1958",
        "call 202-647-1958 today",
        "call (202) 647 1958 today",
        "File 762.00/8-2861 refers",
        "File 795.00/6–2850 refers",
        "File 711.11/1–1950 refers",
        "filed as 511.954/6–2750",
        "at 2:17 p.m. and at 20 hours 05 minutes",
        "some 1500 tons of grain",
        "at 1800 hours sharp",
        "Deptel 1958 repeated",
        "Fond 45, Opis 1, Delo 1336, List 122",
        "Reference telegram 1253, April 11, from the delegation",
        "Your 51, April 6, 6 p.m.",
        "on 13.1.51 the reply came",  # two-digit years only when the whole string is the date
        "section 1.2.10 applies",
        "value 1958.5 units",
        "",
    ],
)
def test_find_dates_traps(text):
    assert find_dates(text) == []


def test_find_dates_offsets_point_at_the_expressions():
    text = ("Letter of April 17, 1958, answered on 23 April 1958 [1958]; see also the 1950s, "
            "13.1.1951 and the note of Jan 13 1950.\nDone c. 1958. No. 1958 is a file.")
    found = find_dates(text)
    assert [(text[m.start:m.end], m.value.edtf) for m in found] == [
        ("April 17, 1958", "1958-04-17"),
        ("23 April 1958", "1958-04-23"),
        ("[1958]", "1958?"),
        ("1950s", "195X"),
        ("13.1.1951", "1951-01-13"),
        ("Jan 13 1950", "1950-01-13"),
        ("c. 1958", "1958~"),
    ]
    assert all(isinstance(m, DateMatch) for m in found)


def test_find_dates_across_a_line_break():
    text = "The Ambassador to the Secretary\nVologda, April 9,\n1918, 8 p.m.\n[Received April 13, 5.43 p.m.]"
    (match,) = find_dates(text)
    assert text[match.start:match.end] == "April 9,\n1918"
    assert match.value.text == "April 9, 1918"
    assert match.value.edtf == "1918-04-09"


def test_find_dates_in_a_title_with_dateline_and_footnote_marker():
    text = "Memorandum of a Conversation, Washington, October 30, 1956, 2:17 p.m.1"
    assert [m.value.edtf for m in find_dates(text)] == ["1956-10-30"]


def test_find_dates_ranges_and_weekdays():
    text = "Met on Wednesday, April 30-May 2, 1958; archive years 1946-February 1950 and 1958-60."
    assert [(text[m.start:m.end], m.value.edtf) for m in find_dates(text)] == [
        ("Wednesday, April 30-May 2, 1958", "1958-04-30/1958-05-02"),
        ("1946-February 1950", "1946/1950-02"),
        ("1958-60", "1958/1960"),
    ]


def test_find_dates_rejects_impossible_dates_without_a_shorter_reading():
    assert find_dates("dated 31 February 1958 in error") == []


def test_find_dates_in_other_scripts():
    text = "Москва, 23 апреля 1958 г. — 北京，1958年4月23日 — Bucureşti, 23 aprilie 1958"
    assert [m.value.edtf for m in find_dates(text)] == ["1958-04-23"] * 3


def test_date_match_is_frozen():
    match = find_dates("April 23, 1958")[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        match.start = 3


@pytest.mark.parametrize(
    ("line", "place", "edtf"),
    [
        ("Vologda, April 9, 1918, 8 p.m.", "Vologda", "1918-04-09"),
        (" ".join(["Vologda, April 9,", "1918, 8 p.m."]), "Vologda", "1918-04-09"),  # two lines joined
        ("Peking, August 10, 1917.", "Peking", "1917-08-10"),
        ("Mexico, D. F., 15 January 1962", "Mexico, D. F.", "1962-01-15"),
        ("Washington, October 30, 1956, 2:17 p.m.", "Washington", "1956-10-30"),
        ("Washington, April 15, 1918—6 p.m.", "Washington", "1918-04-15"),
        ("Rio de Janeiro, May 3, 1942, midnight.", "Rio de Janeiro", "1942-05-03"),
        ("Moscow, the Kremlin, 23 April 1958", "Moscow, the Kremlin", "1958-04-23"),
        ("Москва, 23 апреля 1958 г.", "Москва", "1958-04-23"),
        ("[Washington,] April 9, 1918", "Washington", "1918-04-09"),
        ("[Paris, April 9, 1918]", "Paris", "1918-04-09?"),
        ("April 23, 1958", None, "1958-04-23"),
        ("23 June 1954, 3:00 a.m.", None, "1954-06-23"),
        ("Monday, February 24, 1919", None, "1919-02-24"),
        ("13.1.51", None, "1951-01-13"),
        ("Washington, undated.", "Washington", None),
        ("[Received April 13, 5.43 p.m.]", None, None),
        ("[Received April 13, 1918, 5.43 p.m.]", None, None),
        ("The reply of April 23, 1958 was read out.", None, None),
        ("We met the minister on April 23, 1958.", None, None),
        ("Memorandum of a Conversation Between the Two Ministers, Washington, October 30, 1956", None, None),
        ("From the capital No. 1309 20 hours 05 minutes, 13.1.1951", None, None),
        ("13.1.51 IVANOV", None, None),
        ("Petrov Report, 2 March 1957", None, None),  # a title, not a dateline
        ("", None, None),
    ],
)
def test_parse_dateline(line, place, edtf):
    found_place, value = parse_dateline(line)
    assert found_place == place
    assert (value.edtf if value else None) == edtf


def test_parse_dateline_text_is_the_date_expression():
    _, value = parse_dateline("Vologda, April 9,\n1918, 8 p.m.")
    assert value.text == "April 9, 1918"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("April 23, 1958", True),
        ("23 June 1954, 3:00 a.m.", True),
        ("Monday, February 24, 1919", True),
        ("[1958]", True),
        ("Washington, April 23, 1958", False),
        ("On April 23, 1958 the reply came", False),
        ("April 13", False),
        ("Record ID", False),
    ],
)
def test_is_date_line(line, expected):
    assert is_date_line(line) is expected


@settings(deadline=None, max_examples=300)
@given(st.text(alphabet=st.sampled_from(DATE_ALPHABET), max_size=80))
def test_find_dates_matches_are_ordered_disjoint_and_well_formed(text):
    previous_end = 0
    for match in find_dates(text):
        assert previous_end <= match.start < match.end <= len(text)
        assert EDTF.match(match.value.edtf)
        assert match.value.start <= match.value.end
        previous_end = match.end


@settings(deadline=None, max_examples=300)
@given(st.text(max_size=60))
def test_parsers_never_raise(text):
    value = parse_date(text)
    assert value is None or EDTF.match(value.edtf)
    parse_dateline(text)
    is_date_line(text)
