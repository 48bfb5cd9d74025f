"""Date expressions of archival pages as EDTF ``DateValue``s.

One grammar serves three readers:
  find_dates(text)       scan a long text; matches carry character offsets into it
  parse_date(text)       a short string that is a date (maybe with a place, weekday, time, brackets)
  parse_dateline(line)   "Place, date[, time]." -> (place, date)

Month, weekday and season names are tabled per language below; dateparser is not used because it fills
missing parts from today's date and reads "ca. 1958" as Azerbaijani, and a table is much faster.

Decisions the archive's conventions leave open:
- Editorial brackets mark a supplied date, so a date wholly in brackets is uncertain: "[1958]" is
  ``1958?``, "[April 1958]" is ``1958-04?``, "[Paris, April 9, 1918]" gives ``1918-04-09?``.
  "[c. 1958]" is both approximate and uncertain (``1958%``).
- Numbers with dots are day first, as in European documents: "13.1.1951" is 13 January 1951. Slash dates
  are taken only when unambiguous ("23/4/1958"); "4/5/1958" gives nothing.
- Two-digit years ("13.1.51") are read as 19xx, and only when the whole string is the date
  (parse_date, parse_dateline, is_date_line), never by find_dates, where "1.2.10" is more likely a
  section number. "1958-60" is a year range when the second part cannot be a month (> 12).
- "Winter 1958" is December 1958 to February 1959 (meteorological seasons, northern hemisphere).
- A bare four-digit number is a year unless a numbering word precedes it ("No.", "Fond", "Deptel"), a
  unit follows it ("1500 tons", "1800 hours"), a date without a year follows it (the FRUS message
  reference "telegram 1253, April 11") or it sits in a file or phone number ("8-1958", "/1958", "647 1958").
- A weekday belongs to the date expression ("Monday, February 24, 1919"); place and time do not.
- A date whose longest reading is impossible ("31 February 1958") gives nothing, not a shorter reading
  ("February 1958").
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from pipeline.models import DateValue

# --- names ------------------------------------------------------------------------------------------------
# Twelve entries per line, January first; "a/b" are spellings of one month, "-" none. Abbreviations are
# listed only where they are not ordinary words in another of these languages.
_MONTHS_BY_LANGUAGE = {
    "en": "january february march april may june july august september october november december",
    "en abbr.": "jan feb/febr mar apr - jun jul aug sep/sept oct nov dec",
    "fr": "janvier février/fevrier mars avril mai juin juillet août/aout septembre octobre novembre "
          "décembre/decembre",
    "fr abbr.": "janv févr/fevr - avr - - juil - - - - déc",
    "de": "januar/jänner februar märz/marz april mai juni juli august september oktober november dezember",
    "de abbr.": "- - - - - - - - - okt - dez",
    "ro": "ianuarie februarie martie aprilie mai iunie iulie august septembrie octombrie noiembrie decembrie",
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre/setiembre octubre noviembre "
          "diciembre",
    "it": "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre",
    "pt": "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro dezembro",
    "pl": "styczeń/stycznia luty/lutego marzec/marca kwiecień/kwietnia maj/maja czerwiec/czerwca "
          "lipiec/lipca sierpień/sierpnia wrzesień/września październik/października listopad/listopada "
          "grudzień/grudnia",
    "cs": "leden/ledna únor/února březen/března duben/dubna květen/května červen/června červenec/července "
          "srpen/srpna září říjen/října listopad/listopadu prosinec/prosince",
    "hu": "január február március április május június július augusztus szeptember október november december",
    "ru": "январь/января/январе февраль/февраля/феврале март/марта/марте апрель/апреля/апреле май/мая/мае "
          "июнь/июня/июне июль/июля/июле август/августа/августе сентябрь/сентября/сентябре "
          "октябрь/октября/октябре ноябрь/ноября/ноябре декабрь/декабря/декабре",
    "ru abbr.": "янв фев/февр - апр - - - авг сент окт нояб дек",
    "bg": "януари февруари март април май юни юли август септември октомври ноември декември",
}
_SEASONS_BY_LANGUAGE = {  # spring summer autumn winter, as EDTF codes 21-24
    "en": "spring summer autumn/fall winter",
    "fr": "printemps été/ete automne hiver",
    "de": "frühling/frühjahr sommer herbst winter",
    "ro": "primăvara/primavara vara toamna iarna",
    "es": "primavera verano otoño/otono invierno",
    "ru": "весна/весной/весны/весну лето/летом/лета осень/осенью/осени зима/зимой/зимы/зиму",
}
_WEEKDAYS = (
    "monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs fri sat sun "
    "lundi mardi mercredi jeudi vendredi samedi dimanche "
    "montag dienstag mittwoch donnerstag freitag samstag sonnabend sonntag "
    "luni marți marti miercuri joi vineri sâmbătă sambata duminică duminica "
    "lunes martes miércoles miercoles jueves viernes sábado sabado domingo "
    "poniedziałek wtorek środa czwartek piątek sobota niedziela "
    "понедельник вторник среда четверг пятница суббота воскресенье"
).split()
# Words after which a bare four-digit number is a reference number, not a year ("No. 1958", "Delo 1336").
_NUMBERING_WORDS = (
    "no nos nr number p pp page pages vol volume box folder file fond opis op delo papka list doc document "
    "item art article para paragraph section chapter ch tel telegram cable despatch dispatch deptel urtel "
    "mytel embtel circtel your my our his her their its room flight hill code series record id nº n°"
).split()
# Units after which it is a quantity ("1500 tons", "1800 hours").
_UNIT_WORDS = (
    "hours hour hrs hr h tons ton tonnes men troops soldiers people persons workers families households "
    "km kilometers kilometres miles meters metres feet ft kg dollars rubles roubles yuan francs marks lei "
    "pounds copies pages units tanks guns aircraft planes rounds"
).split()
_APPROX_WORDS = ("circa", "approx.", "approximately", "ca.", "ca", "c.")
_UNDATED_WORDS = ("undated", "not dated", "no date", "n.d.", "n. d.", "sans date", "ohne datum", "fără dată",
                  "без даты")
_PLACE_CONNECTORS = frozenset(
    "de del della di da do dos das du des la le les el al am an der den im on upon near the of sur bei y"
    .split()
)
# A title line "Andropov Report, 1 November 1956" looks like a dateline; these words are never a place.
_NOT_PLACE_WORDS = frozenset(
    "received sent dated date delivered copy file no report letter cable telegram memorandum minutes record "
    "note journal diary speech resolution conversation instruction information interview despatch dispatch "
    "circular message".split()
)
_PLACE_MAX_WORDS = 6
_PLACE_MAX_CHARS = 60
_DATELINE_MAX_CHARS = 120
_PRECISIONS = ("day", "month", "season", "year", "decade", "century")


def _names(table: dict[str, str], first_number: int = 1) -> dict[str, int]:
    return {name: number
            for line in table.values()
            for number, entry in enumerate(line.split(), start=first_number)
            for name in entry.split("/") if name != "-"}


_MONTH_BY_NAME = _names(_MONTHS_BY_LANGUAGE)
_SEASON_BY_NAME = _names(_SEASONS_BY_LANGUAGE, first_number=21)
_ROMAN_MONTHS = {r: i for i, r in enumerate("I II III IV V VI VII VIII IX X XI XII".split(), start=1)}
_CJK_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "○": 0}
_SEASON_MONTHS = {21: (3, 5), 22: (6, 8), 23: (9, 11), 24: (12, 2)}


def _alternation(words: Iterable[str]) -> str:
    """A regex matching any of the words, as a trie: hundreds of names cost a few character tests."""
    trie: dict = {}
    for word in words:
        node = trie
        for char in word.lower():
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: dict) -> str:
        branches = [re.escape(char) + emit(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        group = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{group})?" if "" in node else group

    return emit(trie)


# --- grammar ----------------------------------------------------------------------------------------------
# The grammar is split by what a date starts with (a month name, a day number, a year, a season), each
# family a group of branches, one per form, so a position is tried once per family, not once per form.
_NO_LETTER_BEFORE = r"(?<![^\W\d_])"
_NO_LETTER_AFTER = r"(?![^\W\d_])"
_TOKEN_START = r"(?<!\w)"
_MONTH_ALT = _alternation(_MONTH_BY_NAME)
_HUNGARIAN_MONTH_ALT = _alternation(_MONTHS_BY_LANGUAGE["hu"].split())
_THE = r"(?:the\s+)?"
_OF = r"(?:of\s+|de\s+|du\s+)?"
_COMMA_OR_SPACE = r"(?:,\s*|\s+)"
_RANGE_SEP = r"\s*(?:[-–—]|(?<=\s)(?:to|through|until|till|bis|au|до|по)(?=\s))\s*"
_CJK_NUMBER = r"[0-9０-９]{1,2}|[一二三]?十[一二三四五六七八九]?|[一二三四五六七八九]"  # 1-39


def _month(group: str) -> str:
    return rf"{_NO_LETTER_BEFORE}(?P<{group}>{_MONTH_ALT}){_NO_LETTER_AFTER}\.?"


def _day(group: str) -> str:
    # «23» апреля: Soviet documents quote the day; "1er", "23rd", "3d" (old US style), "23-го".
    return (rf"(?:[«\"“]\s*)?(?<![0-9])(?P<{group}>[0-3]?[0-9])(?![0-9])(?:st|nd|rd|th|d|er|-го)?"
            rf"{_NO_LETTER_AFTER}(?:\s*[»\"”])?")


def _year(group: str) -> str:
    # The Russian/Polish/Bulgarian "г."/"года"/"r." that may follow a year is part of the expression.
    return (rf"(?<![0-9])(?P<{group}>[0-9]{{4}})(?![0-9])"
            rf"(?:\s?(?:года|году|год|гг|г|roku|r)(?:\.|{_NO_LETTER_AFTER}))?{_NO_LETTER_AFTER}")


_MONTH_LED = (
    rf"{_TOKEN_START}{_month('m')}(?:"
    rf"\s*{_day('mdr_d1')}{_RANGE_SEP}(?:{_month('mdr_m2')}\s*)?{_day('mdr_d2')}{_COMMA_OR_SPACE}{_year('mdr_y')}"
    rf"|\s*{_day('md_d')}{_COMMA_OR_SPACE}{_year('md_y')}"
    rf"|{_RANGE_SEP}{_month('mr_m2')}{_COMMA_OR_SPACE}{_OF}{_year('mr_y')}"
    rf"|{_COMMA_OR_SPACE}{_OF}{_year('m_y')})"
)
# _DAY_LED and _YEAR_LED are left open: the grammars below close them, the whole-string one after adding
# the branches that are dates only when nothing else is on the line.
_DAY_LED = (
    rf"{_TOKEN_START}{_THE}{_day('d')}(?:"
    rf"\.?(?:\s*{_OF}{_month('dmr_m1')})?{_RANGE_SEP}{_THE}{_day('dmr_d2')}\.?\s*{_OF}{_month('dmr_m2')}"
    rf"{_COMMA_OR_SPACE}(?:del?\s+)?{_year('dmr_y')}"
    rf"|\.?\s*{_OF}{_month('dm_m')}{_COMMA_OR_SPACE}(?:del?\s+)?{_year('dm_y')}"
    rf"|\.\s?(?P<num_mo>[01]?[0-9])\.\s?{_year('num_y')}"
    rf"|/(?P<sl_b>[0-3]?[0-9])/{_year('sl_y')}"
    rf"|(?:\.\s?|\s|-)(?-i:(?P<rm>XII|XI|X|IX|VIII|VII|VI|V|IV|III|II|I))(?![A-Za-z])(?:\.\s?|\s|-){_year('rm_y')}"
)
# In running text "1.2.10" is a section number and "1905-10" a reference.
_SHORT_YEAR_BRANCH = r"|\.(?P<sy_mo>[01]?[0-9])\.(?P<sy_yy>[0-9]{2})(?![0-9]|\.[0-9])"
_YEAR_LED = (
    rf"{_TOKEN_START}(?P<y>[0-9]{{4}})(?![0-9])(?:"
    r"-(?P<iso_mo>[0-9]{2})-(?P<iso_d>[0-9]{2})(?![0-9])"
    rf"|(?P<decade>['’]?s){_NO_LETTER_AFTER}"
    rf"|\.[ \t]?(?P<hu_m>{_HUNGARIAN_MONTH_ALT}){_NO_LETTER_AFTER}[ \t]?{_day('hu_d')}"
)
_ISO_MONTH_BRANCH = r"|-(?P<isom_mo>[01][0-9])(?![0-9]|-[0-9])"
_BARE_YEAR_BRANCH = rf"|(?:\s?(?:года|году|год|гг|г|roku|r)(?:\.|{_NO_LETTER_AFTER}))?{_NO_LETTER_AFTER})"
_SEASON_LED = (
    rf"{_TOKEN_START}{_THE}(?P<s>{_alternation(_SEASON_BY_NAME)}){_NO_LETTER_AFTER}"
    rf"{_COMMA_OR_SPACE}{_OF}{_year('s_y')}"
)
_CJK = (
    r"(?<![0-9０-９〇○零一二三四五六七八九])(?P<y>[0-9０-９]{4}|[〇○零一二三四五六七八九]{4})\s*年(?:"
    rf"(?P<decade>代)|\s*(?P<mo>{_CJK_NUMBER})\s*月(?:\s*(?P<d>{_CJK_NUMBER})\s*[日号])?)?"
)
_CENTURY = rf"{_TOKEN_START}(?P<c>[0-9]{{1,2}})(?:st|nd|rd|th)[\s-]+century{_NO_LETTER_AFTER}"


@dataclass(frozen=True)
class _Span:
    """One date or period, without qualifiers."""

    edtf: str
    first: date
    last: date
    precision: str


# --- spans ------------------------------------------------------------------------------------------------
def _plausible_year(year: int) -> bool:
    return 1000 <= year <= date.today().year


def _not_future(span: _Span) -> _Span | None:
    return span if span.first <= date.today() else None


def _day_span(year: int, month: int | None, day: int) -> _Span | None:
    if month is None or not _plausible_year(year):
        return None
    try:
        d = date(year, month, day)
    except ValueError:
        return None
    return _not_future(_Span(d.isoformat(), d, d, "day"))


def _month_span(year: int, month: int | None) -> _Span | None:
    if month is None or not _plausible_year(year) or not 1 <= month <= 12:
        return None
    last = calendar.monthrange(year, month)[1]
    first = date(year, month, 1)
    return _not_future(_Span(f"{year:04d}-{month:02d}", first, first.replace(day=last), "month"))


def _season_span(year: int, code: int) -> _Span | None:
    if not _plausible_year(year):
        return None
    first_month, last_month = _SEASON_MONTHS[code]
    last_year = year + 1 if last_month < first_month else year
    last = date(last_year, last_month, calendar.monthrange(last_year, last_month)[1])
    return _not_future(_Span(f"{year:04d}-{code}", date(year, first_month, 1), last, "season"))


def _year_span(year: int) -> _Span | None:
    if not _plausible_year(year):
        return None
    return _not_future(_Span(f"{year:04d}", date(year, 1, 1), date(year, 12, 31), "year"))


def _decade_span(year: int) -> _Span | None:
    if not _plausible_year(year) or year % 10:
        return None
    return _not_future(_Span(f"{year // 10:03d}X", date(year, 1, 1), date(year + 9, 12, 31), "decade"))


def _century_span(ordinal: int) -> _Span | None:
    year = (ordinal - 1) * 100  # the 20th century is EDTF 19XX: 1900-1999
    if not _plausible_year(year):
        return None
    return _not_future(_Span(f"{year // 100:02d}XX", date(year, 1, 1), date(year + 99, 12, 31), "century"))


def _range(left: _Span | None, right: _Span | None) -> tuple[_Span, ...] | None:
    if left is None or right is None or left.first > right.first or left.last > right.last:
        return None
    return left, right


# --- builders: a match -> its span(s), None when the date is impossible ----------------------------------
_Spans = tuple[_Span, ...] | None


def _month_no(name: str | None) -> int | None:
    return _MONTH_BY_NAME.get(name.lower()) if name else None


def _one(span: _Span | None) -> _Spans:
    return (span,) if span else None


def _build_month_led(m: re.Match[str]) -> _Spans:
    month = _month_no(m["m"])
    if m["mdr_y"]:
        year = int(m["mdr_y"])
        return _range(_day_span(year, month, int(m["mdr_d1"])),
                      _day_span(year, _month_no(m["mdr_m2"]) or month, int(m["mdr_d2"])))
    if m["md_y"]:
        return _one(_day_span(int(m["md_y"]), month, int(m["md_d"])))
    if m["mr_y"]:
        year = int(m["mr_y"])
        return _range(_month_span(year, month), _month_span(year, _month_no(m["mr_m2"])))
    return _one(_month_span(int(m["m_y"]), month))


def _build_day_led(m: re.Match[str]) -> _Spans:
    day = int(m["d"])
    if m["dmr_y"]:
        year, last_month = int(m["dmr_y"]), _month_no(m["dmr_m2"])
        return _range(_day_span(year, _month_no(m["dmr_m1"]) or last_month, day),
                      _day_span(year, last_month, int(m["dmr_d2"])))
    if m["dm_y"]:
        return _one(_day_span(int(m["dm_y"]), _month_no(m["dm_m"]), day))
    if m["num_y"]:
        return _one(_day_span(int(m["num_y"]), int(m["num_mo"]), day))
    if m["sl_y"]:
        other = int(m["sl_b"])
        if (day > 12) == (other > 12):  # either could be the month (or neither): US or European order?
            return None
        day, month = (day, other) if day > 12 else (other, day)
        return _one(_day_span(int(m["sl_y"]), month, day))
    if m["rm_y"]:
        return _one(_day_span(int(m["rm_y"]), _ROMAN_MONTHS[m["rm"]], day))
    if m.groupdict().get("sy_yy"):
        return _one(_day_span(1900 + int(m["sy_yy"]), int(m["sy_mo"]), day))
    return None


def _build_year_led(m: re.Match[str]) -> _Spans:
    year = int(m["y"])
    if m["iso_mo"]:
        return _one(_day_span(year, int(m["iso_mo"]), int(m["iso_d"])))
    if m["decade"]:
        return _one(_decade_span(year))
    if m["hu_m"]:
        return _one(_day_span(year, _month_no(m["hu_m"]), int(m["hu_d"])))
    if m.groupdict().get("isom_mo"):
        return _one(_month_span(year, int(m["isom_mo"])))
    return _one(_year_span(year))


def _build_season(m: re.Match[str]) -> _Spans:
    # Case-insensitive matching also takes look-alikes ("ſpring") that are not in the table.
    code = _SEASON_BY_NAME.get(m["s"].lower())
    return _one(_season_span(int(m["s_y"]), code)) if code else None


def _cjk_int(digits: str) -> int:
    """'1958', '１９５８', '一九五八', '二十三', '十二' -> int."""
    if digits.isdecimal():
        return int(digits)
    if "十" not in digits:
        return int("".join(str(_CJK_DIGITS[c]) for c in digits))
    tens, _, units = digits.partition("十")
    return (_CJK_DIGITS[tens] if tens else 1) * 10 + (_CJK_DIGITS[units] if units else 0)


def _build_cjk(m: re.Match[str]) -> _Spans:
    year = _cjk_int(m["y"])
    if m["decade"]:
        return _one(_decade_span(year))
    if m["d"]:
        return _one(_day_span(year, _cjk_int(m["mo"]), _cjk_int(m["d"])))
    if m["mo"]:
        return _one(_month_span(year, _cjk_int(m["mo"])))
    return _one(_year_span(year))


def _build_century(m: re.Match[str]) -> _Spans:
    return _one(_century_span(int(m["c"])))


def _build_number(m: re.Match[str]) -> _Spans:
    if m["m"]:
        return _build_month_led(m)
    if m["d"]:
        return _build_day_led(m)
    if m["s"]:
        return _build_season(m)
    return _build_year_led(m)


@dataclass(frozen=True)
class _Grammar:
    regex: re.Pattern[str]
    build: Callable[[re.Match[str]], _Spans]


def _grammar(build: Callable[[re.Match[str]], _Spans], *alternatives: str) -> _Grammar:
    return _Grammar(re.compile("|".join(f"(?:{a})" for a in alternatives), re.IGNORECASE), build)


_NUMBER_GRAMMAR = _grammar(_build_number, _MONTH_LED, _DAY_LED + ")", _YEAR_LED + _BARE_YEAR_BRANCH,
                           _SEASON_LED)
_WHOLE_STRING_GRAMMAR = _grammar(_build_number, _MONTH_LED, _DAY_LED + _SHORT_YEAR_BRANCH + ")",
                                 _YEAR_LED + _ISO_MONTH_BRANCH + _BARE_YEAR_BRANCH, _SEASON_LED)
_CJK_GRAMMAR = _grammar(_build_cjk, _CJK)
_CENTURY_GRAMMAR = _grammar(_build_century, _CENTURY)

# Every date holds one of these; the grammar is tried only in a window around it.
_ANCHOR = re.compile(r"(?<![0-9])[0-9]{4}(?![0-9])|(?P<cjk>年)|(?P<century>century)", re.IGNORECASE)
_WHOLE_STRING_ANCHOR = re.compile(
    r"(?<![0-9])(?:[0-9]{4}(?![0-9])|[0-9]{1,2}\.[0-9]{1,2}\.[0-9]{2}(?![0-9]))"
    r"|(?P<cjk>年)|(?P<century>century)", re.IGNORECASE)
_LOOK_BEHIND = 48   # longest lead before a year: "the 30th of September to the 2nd of October, 1958"
_LOOK_AHEAD = 40    # longest tail after it: "1958. szeptember 23", "一九五八年十二月二十三日"

_APPROX_BEFORE = re.compile(rf"{_NO_LETTER_BEFORE}(?:{_alternation(_APPROX_WORDS)})\s*\Z", re.IGNORECASE)
_APPROX_AT = re.compile(rf"(?:{_alternation(_APPROX_WORDS)})\s*", re.IGNORECASE)
_WEEKDAY_BEFORE = re.compile(rf"{_NO_LETTER_BEFORE}(?:{_alternation(_WEEKDAYS)})\.?,?\s+\Z", re.IGNORECASE)
_UNCERTAIN_AFTER = re.compile(r"\s?\(\?\)|\?")
_RANGE_LINK = re.compile(r"\s*(?:[-–—/]|(?<=\s)(?:to|through|until|till|bis|au|до|по)(?=\s))\s*",
                         re.IGNORECASE)
_SHORT_YEAR_END = re.compile(r"[-–/](?P<yy>[0-9]{2})(?![0-9])")
_IN_NUMBER_BEFORE = re.compile(r"(?:[0-9][ ./:–-]|/)\Z")
_IN_NUMBER_AFTER = re.compile(r"[-–/.:,][0-9]")
_NUMBERING_BEFORE = re.compile(
    rf"(?:{_NO_LETTER_BEFORE}(?:{_alternation(_NUMBERING_WORDS)})\.?|[#№§])\s*\Z", re.IGNORECASE)
_UNIT_AFTER = re.compile(rf"\s*(?:{_alternation(_UNIT_WORDS)}){_NO_LETTER_AFTER}", re.IGNORECASE)
# "telegram 1253, April 11": a message number followed by its date without a year.
_YEARLESS_DATE_AFTER = re.compile(
    rf",\s*{_month('ya_m')}\s*[0-9]{{1,2}}(?![0-9])(?!,?\s*[0-9]{{4}}(?![0-9]))", re.IGNORECASE)


# --- scanning ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Found:
    start: int
    end: int
    edtf: str
    first: date
    last: date
    precision: str


def _qualified(edtf: str, approx: bool, uncertain: bool) -> str:
    """Add EDTF qualifiers to each part of a date or range, merged with those it has."""
    parts = []
    for part in edtf.split("/"):
        mark = part[-1] if part[-1] in "?~%" else ""
        a = approx or mark in ("~", "%")
        u = uncertain or mark in ("?", "%")
        parts.append(part.rstrip("?~%") + ("%" if a and u else "~" if a else "?" if u else ""))
    return "/".join(parts)


def _covering(grammar: _Grammar, text: str, start: int, end: int, cover: tuple[int, int]) -> re.Match | None:
    """The first match in text[start:end] that covers the anchor span ``cover``: the longest there is,
    as matches do not overlap and all of them end near the anchor."""
    for m in grammar.regex.finditer(text, start, end):
        if m.start() > cover[0]:
            return None
        if m.end() >= cover[1]:
            return m
    return None


def _single_at(text: str, pos: int, grammar: _Grammar) -> tuple[str, _Span, int] | None:
    """The single date starting exactly at pos: (qualified edtf, span, end)."""
    approx = _APPROX_AT.match(text, pos)
    m = grammar.regex.match(text, approx.end() if approx else pos)
    spans = grammar.build(m) if m else None
    if not spans or len(spans) != 1:
        return None
    uncertain = _UNCERTAIN_AFTER.match(text, m.end())
    return (_qualified(spans[0].edtf, bool(approx), bool(uncertain)), spans[0],
            uncertain.end() if uncertain else m.end())


def _is_reference_number(text: str, start: int, end: int) -> bool:
    """A bare four-digit number that is a file, page or phone number or a quantity, not a year."""
    lead = max(0, start - 24)
    return bool(_IN_NUMBER_BEFORE.search(text, lead, start) or _NUMBERING_BEFORE.search(text, lead, start)
                or _IN_NUMBER_AFTER.match(text, end) or _UNIT_AFTER.match(text, end)
                or _YEARLESS_DATE_AFTER.match(text, end))


def _read_at(text: str, anchor: re.Match[str], last_end: int, grammar: _Grammar) -> _Found | None:
    """The date expression around an anchor, with its qualifiers, weekday, brackets and range end."""
    if anchor["cjk"]:
        grammar = _CJK_GRAMMAR
    elif anchor["century"]:
        grammar = _CENTURY_GRAMMAR
    window_start = max(last_end, anchor.start() - _LOOK_BEHIND)
    m = _covering(grammar, text, window_start, min(len(text), anchor.end() + _LOOK_AHEAD), anchor.span())
    spans = grammar.build(m) if m else None
    if spans is None:
        return None
    start, end = m.start(), m.end()
    approx = _APPROX_BEFORE.search(text, max(last_end, start - 16), start)
    if approx:
        start = approx.start()
    uncertain = _UNCERTAIN_AFTER.match(text, end)
    if uncertain:
        end = uncertain.end()
    weekday = _WEEKDAY_BEFORE.search(text, max(last_end, start - 16), start)
    if weekday and spans[0].precision == "day":
        start = weekday.start()
    edtfs = [_qualified(span.edtf, bool(approx), bool(uncertain)) for span in spans]
    first, last, precision = spans[0].first, spans[-1].last, spans[0].precision
    is_bare_year = text[m.start():m.end()].isdigit() and not approx and not uncertain

    if len(spans) == 1 and (link := _RANGE_LINK.match(text, end)):
        right = _single_at(text, link.end(), grammar)
        if right and _range(spans[0], right[1]):  # "1946-February 1950" mixes precisions
            edtfs.append(right[0])
            last, end = right[1].last, right[2]
            precision = max(precision, right[1].precision, key=_PRECISIONS.index)
        elif is_bare_year and (short := _SHORT_YEAR_END.match(text, end)):
            yy = int(short["yy"])
            right_year = _year_span(first.year // 100 * 100 + yy)
            if yy > 12 and right_year and right_year.first > first:
                edtfs.append(right_year.edtf)
                last, end = right_year.last, short.end()
    if is_bare_year and len(edtfs) == 1 and _is_reference_number(text, start, end):
        return None
    if start > 0 and text[start - 1] == "[" and text[end:end + 1] == "]":
        start, end = start - 1, end + 1
        edtfs = [_qualified(e, False, True) for e in edtfs]
    return _Found(start, end, "/".join(edtfs), first, last, precision)


def _scan(text: str, whole_string: bool = False) -> list[_Found]:
    anchors, grammar = ((_WHOLE_STRING_ANCHOR, _WHOLE_STRING_GRAMMAR) if whole_string
                        else (_ANCHOR, _NUMBER_GRAMMAR))
    found: list[_Found] = []
    last_end = 0
    for anchor in anchors.finditer(text):
        if anchor.start() >= last_end and (date_found := _read_at(text, anchor, last_end, grammar)):
            found.append(date_found)
            last_end = date_found.end
    return found


def _date_value(text: str, f: _Found) -> DateValue:
    return DateValue(edtf=f.edtf, text=" ".join(text[f.start:f.end].split()), start=f.first.isoformat(),
                     end=f.last.isoformat(), precision=f.precision)


# --- public API -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DateMatch:
    """A date expression found in a text: ``text[start:end]`` is what ``value`` was read from."""

    start: int
    end: int
    value: DateValue


def find_dates(text: str) -> list[DateMatch]:
    """Every date expression in a (long) text, in order, with character offsets into it."""
    if not isinstance(text, str):
        return []
    return [DateMatch(f.start, f.end, _date_value(text, f)) for f in _scan(text)]


_TIME = (r"(?:at\s+)?(?:[0-9]{1,2}(?:[:.][0-9]{2})?\s*[ap]\.?\s?m\.?"
         r"|[0-9]{1,2}[:.h][0-9]{2}(?:\s*(?:hours|hrs|h)\.?)?"
         r"|[0-9]{1,2}\s*(?:hours|hrs|h)\.?(?:\s*[0-9]{1,2}\s*(?:minutes|mins?)\.?)?"
         r"|[0-9]{3,4}\s*(?:hours|hrs)\.?|[0-9]{1,2}\s*o['’]clock|noon|midnight|midday)"
         r"(?:\s*\([^()]{1,40}\))?")
_DATELINE_TAIL = re.compile(rf"(?:(?:\s*[,;]\s*|\s*[—–-]\s*|\s+){_TIME})?\s*\.?\s*", re.IGNORECASE)
_UNDATED = re.compile(rf"(?P<head>.*?){_NO_LETTER_BEFORE}(?:{_alternation(_UNDATED_WORDS)})\.?\s*",
                      re.IGNORECASE)
_PLACE_TOKEN_SPLIT = re.compile(r"[\s,]+")


def _place(head: str) -> str | None:
    """The place of a dateline from what precedes its date ("Mexico, D. F., "); None if not a place."""
    head = head.strip()
    if not head.endswith((",", "，", ",]")):
        return None
    place = head.removesuffix("]").rstrip(",，").strip().strip("[]").strip()
    tokens = [t.strip("[]()\"'.") for t in _PLACE_TOKEN_SPLIT.split(place) if t.strip("[]()\"'.")]
    if not tokens or len(tokens) > _PLACE_MAX_WORDS or len(place) > _PLACE_MAX_CHARS:
        return None
    for i, token in enumerate(tokens):
        if any(c.isdigit() for c in token) or not token[0].isalpha() or token.lower() in _NOT_PLACE_WORDS:
            return None
        if token[0].islower() and (i == 0 or token.lower() not in _PLACE_CONNECTORS):
            return None
    return place.replace("[", "").replace("]", "")


@lru_cache(maxsize=1024)     # a page's lines are read several times; small, so memory levels off early
def _read_dateline(line: str) -> tuple[str | None, _Found | None, str]:
    """(place, date, collapsed line); place is "" for a date alone and None when the line is no dateline."""
    line = " ".join(line.split())
    if not line or len(line) > _DATELINE_MAX_CHARS:
        return None, None, line
    found = _scan(line, whole_string=True)
    if not found:
        undated = _UNDATED.fullmatch(line)
        if undated and undated["head"]:
            return _place(undated["head"]), None, line
        return None, None, line
    last = found[-1]
    head, tail = line[:last.start], line[last.end:]
    # "[Paris, April 9, 1918]": the editors supplied the whole dateline.
    editorial = head.startswith("[") and tail.endswith("]") and line.count("[") == 1
    if editorial:
        head, tail = head[1:], tail[:-1]
    if not _DATELINE_TAIL.fullmatch(tail):
        return None, None, line
    place = _place(head) if head.strip() else ""
    if place is None:
        return None, None, line
    if editorial:
        last = _Found(last.start, last.end, _qualified(last.edtf, False, True), last.first, last.last,
                      last.precision)
    return place, last, line


def parse_dateline(line: str) -> tuple[str | None, DateValue | None]:
    """A dateline "Vologda, April 9, 1918, 8 p.m." -> ("Vologda", date); no place -> (None, date).

    A line that is not a dateline (prose mentioning a date, a "[Received ...]" stamp) gives (None, None);
    "Washington, undated." gives ("Washington", None).
    """
    if not isinstance(line, str):
        return None, None
    place, found, collapsed = _read_dateline(line)
    return place or None, _date_value(collapsed, found) if found else None


def parse_date(text: str) -> DateValue | None:
    """A short string that is a date expression, maybe after a place or weekday and before a time."""
    if not isinstance(text, str):
        return None
    _, found, collapsed = _read_dateline(text)
    return _date_value(collapsed, found) if found else None


def is_date_line(line: str) -> bool:
    """True when the whole line is a date expression (a time may follow it), with no place or prose."""
    if not isinstance(line, str):
        return False
    place, found, _ = _read_dateline(line)
    return found is not None and place == ""
