"""Citation parsing: archival references, printed editions and credits, on invented citations."""

from __future__ import annotations

import pytest

from pipeline.extract.citation import find_contributors, find_translators, parse_citation
from pipeline.models import Citation

REFERENCES = [
    # Russian fond / opis / delo / list, abbreviated and spelled out
    ("RGANI, f. 3, op. 14, d. 207, ll. 41-44.", ("RGANI", "f. 3, op. 14", "d. 207", "41-44")),
    ("APRF, Fond 3, Opis 65, Delo 812, List 17.", ("APRF", "Fond 3, Opis 65", "Delo 812", "17")),
    ("APRF: F. 45, Op. 1, D. 12, L.7.", ("APRF", "F. 45, Op. 1", "D. 12", "7")),
    ("GARF, f. 9401, op. 2, d. 64, p. 7", ("GARF", "f. 9401, op. 2", "d. 64", "7")),
    # a papka is a container of the file level, whether it comes before or after the delo
    (
        "AVP RF, Fond 07, Opis 28, Delo 14, Papka 41, listy 3-6.",
        ("AVP RF", "Fond 07, Opis 28", "Delo 14, Papka 41", "3-6"),
    ),
    ("AVP RF, f. 06, op. 9, p. 12, d. 140, ll. 5-8", ("AVP RF", "f. 06, op. 9", "p. 12, d. 140", "5-8")),
    # Ukrainian sprava is the file
    ("TsDAHOU, F. 1, Op. 24, Spr. 4411, Ll. 15-19", ("TsDAHOU", "F. 1, Op. 24", "Spr. 4411", "15-19")),
    # two references: the first one fills the fields
    (
        "AP RF, f. 3, op. 66, d. 71, l. 9; and RGASPI, f. 17, op. 3, d. 1090, ll. 9-10.",
        ("AP RF", "f. 3, op. 66", "d. 71", "9"),
    ),
    (
        "APRF, Fond 3, Opis 1, Delo 9, List 4 and AVPRF, Fond 6, Opis 2, Delo 7, List 1",
        ("APRF", "Fond 3, Opis 1", "Delo 9", "4"),
    ),
    # unlabelled section name, labelled file, page numbers without their "pp."
    (
        "ANIC, CC RWP - Chancellery Section, File 12/1961, pp. 88-91.",
        ("ANIC", "CC RWP - Chancellery Section", "12/1961", "88-91"),
    ),
    # a Romanian "f." after the dosar is a leaf, not a fond
    (
        "Arhivele Naţionale ale României, fond CC al PCR - Secţia Externă, dosar 14/1964, f. 2-5.",
        ("Arhivele Naţionale ale României", "fond CC al PCR - Secţia Externă", "dosar 14/1964", "2-5"),
    ),
    ("AAN, KC PZPR, sygn. 2947, k. 101-103.", ("AAN", "KC PZPR", "sygn. 2947", "101-103")),
    ("TsDA, f. 1-B, op. 64, a.e. 337, l. 12-14", ("TsDA", "f. 1-B, op. 64", "a.e. 337", "12-14")),
    # German signatures and Seite / Blatt
    ("SAPMO-BArch, DY 30/IV 2/2.202/88, S. 4-9.", ("SAPMO-BArch", None, "DY 30/IV 2/2.202/88", "4-9")),
    ("BStU, MfS, ZAIG 5382, Bl. 1-20.", ("BStU", "MfS", "ZAIG 5382", "1-20")),
    # Chinese Foreign Ministry file numbers, with and without pages
    ("PRC FMA 105-00512-03; original Record No. 105-B0101.", ("PRC FMA", None, "105-00512-03", None)),
    ("PRC FMA 109-01234-02, 11-14.", ("PRC FMA", None, "109-01234-02", "11-14")),
    # an acronym that is not in the table, followed by archival levels
    ("ZAGV, f. 12, op. 3, d. 45, l. 6.", ("ZAGV", "f. 12, op. 3", "d. 45", "6")),
    # an institution named in full keeps its acronym; "ob." (verso) stays with the leaf number
    (
        "Russian State Archive of Modern History (RGANI), fond 5, opis 30, delo 8, listy 12-14 ob.",
        ("Russian State Archive of Modern History (RGANI)", "fond 5, opis 30", "delo 8", "12-14 ob"),
    ),
    # American record groups, boxes and folders
    (
        "National Archives, RG 84, Central Decimal File 1955-59, Box 412",
        ("National Archives", "RG 84, Central Decimal File 1955-59", "Box 412", None),
    ),
    (
        "Hoover Institution Archives, Smith Papers, Box 7, Folder 2.",
        ("Hoover Institution Archives", "Smith Papers", "Box 7, Folder 2", None),
    ),
    (
        "Truman Library, President's Secretary's Files, Box 81.",
        ("Truman Library", "President's Secretary's Files", "Box 81", None),
    ),
    # an institution named in full, the file in a parenthesis, the city after it
    (
        "Diplomatic Archives of the Foreign Ministry of Japan (“Fisheries Talks: 1956-60” file), Tokyo.",
        ("Diplomatic Archives of the Foreign Ministry of Japan", None, "Fisheries Talks: 1956-60", None),
    ),
]


@pytest.mark.parametrize(("text", "expected"), REFERENCES)
def test_archival_reference_levels(text: str, expected: tuple[str | None, ...]) -> None:
    citation = parse_citation(text)
    assert (citation.archive, citation.collection, citation.file, citation.pages) == expected


FRUS_NOTES = [
    (
        "Source: Department of State, Central Files, 611.61/4-1457. Top Secret; Eyes Only. Drafted by Hale.",
        ("Department of State", "Central Files", "611.61/4-1457", None),
        [],
    ),
    (
        "Source: National Archives, Nixon Presidential Materials, NSC Files, Box 88, Country Files, Europe, "
        "1971. Secret; Sensitive. Copies were sent to Adams and Burke.",
        (
            "National Archives",
            "Nixon Presidential Materials, NSC Files",
            "Box 88, Country Files, Europe, 1971",
            None,
        ),
        [],
    ),
    (
        "Source: Department of State, Central Files, 740.5/3-1160. Secret. Published in part in Declassified "
        "Documents, 1991, 1204. A later draft (Eisenhower Library, Whitman File, Box 9) differs in wording.",
        ("Department of State", "Central Files", "740.5/3-1160", None),
        ["Declassified Documents, 1991, 1204"],
    ),
    (
        "Source: Library of Congress, Manuscript Division, Ward Papers, Box 48. Secret. Drafted by Lane.",
        ("Library of Congress", "Manuscript Division, Ward Papers", "Box 48", None),
        [],
    ),
    (
        "Source: Kennedy Library, National Security Files, Countries Series, Laos. Confidential.",
        ("Kennedy Library", "National Security Files, Countries Series, Laos", None, None),
        [],
    ),
]


@pytest.mark.parametrize(("text", "expected", "published"), FRUS_NOTES)
def test_frus_source_notes(text: str, expected: tuple[str | None, ...], published: list[str]) -> None:
    citation = parse_citation(text)
    assert (citation.archive, citation.collection, citation.file, citation.pages) == expected
    assert citation.published_in == published
    assert citation.translators == [] and citation.contributors == []


WILSON_LEAD_INS = [
    '"Letter from Ivan Orlov to the CC CPSU," March 3, 1957, History and Public Policy Program Digital '
    "Archive, RGANI, f. 89, op. 2, d. 7, ll. 1-3, original in Russian. Translated for CWIHP by Anna Kowal.",
    "“Note on the Talks with the Polish Delegation, 12 May 1957,” May 12, 1957, Wilson Center Digital "
    "Archive, RGANI, f. 89, op. 2, d. 7, ll. 1-3. Translated for CWIHP by Anna Kowal. "
    "https://digitalarchive.wilsoncenter.org/document/123456",
]


@pytest.mark.parametrize("text", WILSON_LEAD_INS)
def test_the_digital_archive_lead_in_is_skipped(text: str) -> None:
    citation = parse_citation(text)
    assert (citation.archive, citation.collection, citation.file, citation.pages) == (
        "RGANI", "f. 89, op. 2", "d. 7", "1-3",
    )
    assert citation.translators == ["Anna Kowal"]
    assert citation.published_in == []


def test_the_digital_archive_alone_is_no_archive() -> None:
    citation = parse_citation('"Memo on Grain," 1953, History and Public Policy Program Digital Archive.')
    assert citation.archive is None and citation.published_in == []


EDITIONS = [
    (
        "AAN, KC PZPR, sygn. 11/3, pp. 5-6. See also Polska. Stosunki z ZSRR. 1956 [Poland, Relations "
        "with the USSR. 1956], Wydawnictwo Sejmowe, Warsaw, 1998 (editor: Dr. Jan Nowak), pp. 10-12.] "
        "Translated by Ewa Lis.",
        "AAN",
        [
            "Polska. Stosunki z ZSRR. 1956 [Poland, Relations with the USSR. 1956], Wydawnictwo Sejmowe, "
            "Warsaw, 1998 (editor: Dr. Jan Nowak), pp. 10-12"
        ],
    ),
    (
        "APRF: F. 3, Op. 1, D. 5, L. 12. Reprinted in Ivan Sokolov and Petr Belov, Sovetskaia vneshniaia "
        "politika, Vol. 2, Book 1 (Moscow: Nauka, 1999), p. 45. Translated for CWIHP from Russian by Olga "
        "Ivanova. Published in CWIHP Bulletin #12.",
        "APRF",
        [
            "Ivan Sokolov and Petr Belov, Sovetskaia vneshniaia politika, Vol. 2, Book 1 (Moscow: Nauka, "
            "1999), p. 45",
            "CWIHP Bulletin #12",
        ],
    ),
    # a citation that is only a book reference has no archive
    (
        "Mao Zedong junshi wenji, vol. 6, p. 112. Translated for CWIHP by Liu Wen.",
        None,
        ["Mao Zedong junshi wenji, vol. 6, p. 112"],
    ),
    (
        "Li Hua ed., Waijiao dang'an xuanbian (Selected Files) (Beijing: Renmin chubanshe, 2001), 57. "
        "Translated by Wang Lei.",
        None,
        ["Li Hua ed., Waijiao dang'an xuanbian (Selected Files) (Beijing: Renmin chubanshe, 2001), 57"],
    ),
    (
        "Zhou Enlai wenji [Collected Works], vol. 2 (Beijing: Zhongyang wenxian, 1990), 88; translation from "
        "Wu Ming and Li Na, eds., Documents on Sino-Soviet Relations, 77.",
        None,
        [
            "Zhou Enlai wenji [Collected Works], vol. 2 (Beijing: Zhongyang wenxian, 1990), 88",
            "Wu Ming and Li Na, eds., Documents on Sino-Soviet Relations, 77",
        ],
    ),
    # a journal whose title starts like an institution is not an archive
    (
        "Department of State Bulletin, May 6, 1957, p. 720.",
        None,
        ["Department of State Bulletin, May 6, 1957, p. 720"],
    ),
]


@pytest.mark.parametrize(("text", "archive", "published"), EDITIONS)
def test_printed_editions(text: str, archive: str | None, published: list[str]) -> None:
    citation = parse_citation(text)
    assert citation.archive == archive
    assert citation.published_in == published


TRANSLATORS = [
    ("Translated by Delia Popa.", ["Delia Popa"]),
    ("Translated for CWIHP by Mark Ellis.", ["Mark Ellis"]),
    ("Translated for CWIHP from Russian by Olga Ivanova.", ["Olga Ivanova"]),
    ("Translated from the Chinese for CWIHP by Zhang Wei.", ["Zhang Wei"]),
    ("Translated for the Cold War International History Project by Ivo Horvat.", ["Ivo Horvat"]),
    ("Translated and edited by Ann Lee, Bo Chen and Carla Diaz.", ["Ann Lee", "Bo Chen", "Carla Diaz"]),
    ("Translation by Peter Novak.", ["Peter Novak"]),
    ("Translation and commentary by Jane Roe.", ["Jane Roe"]),
    ("Translated by Ann Lee and Bo Chen for CWIHP.", ["Ann Lee", "Bo Chen"]),
    ("Translated by J. R. Smith. Published in CWIHP Bulletin #3.", ["J. R. Smith"]),
    ("Obtained and translated by Karel Dvorak.", ["Karel Dvorak"]),
    ("Edited and translated by Maria de la Cruz.", ["Maria de la Cruz"]),
    # editors of a published translation are not translators
    ("translation from Wu Ming and Li Na, eds., Documents on Sino-Soviet Relations, 77.", []),
    ("Edited by Jan Kowalski.", []),
    ("Translated by the author.", []),
    ("RGANI, f. 5, op. 30, d. 1, l. 2.", []),
]


@pytest.mark.parametrize(("text", "names"), TRANSLATORS)
def test_find_translators(text: str, names: list[str]) -> None:
    assert find_translators(text) == names


CONTRIBUTORS = [
    ("Obtained by Pavel Novak.", ["Pavel Novak"]),
    ("Contributed by Lena Berg.", ["Lena Berg"]),
    ("Donated by Tom Hale and Ruth Ames.", ["Tom Hale", "Ruth Ames"]),
    ("Obtained and translated for CWIHP by Karel Dvorak.", ["Karel Dvorak"]),
    ("Donated by the Sejong Institute.", ["Sejong Institute"]),
    ("Translated by Delia Popa.", []),
]


@pytest.mark.parametrize(("text", "names"), CONTRIBUTORS)
def test_find_contributors(text: str, names: list[str]) -> None:
    assert find_contributors(text) == names


def test_credits_are_collected_into_the_citation() -> None:
    citation = parse_citation("Obtained and translated by Karel Dvorak.")
    assert citation == Citation(
        text="Obtained and translated by Karel Dvorak.",
        translators=["Karel Dvorak"],
        contributors=["Karel Dvorak"],
    )


def test_editors_are_not_translators_in_a_citation() -> None:
    citation = parse_citation(
        "Mao wengao, vol. 2 (Beijing: Wenxian, 1988), 40; translation from Wu Ming and Li Na, eds., Mao, 12."
    )
    assert citation.translators == []
    assert citation.archive is None


def test_text_is_kept_verbatim_with_whitespace_collapsed() -> None:
    citation = parse_citation("  RGANI,\n f. 5,\top. 30,  d. 1 ")
    assert citation.text == "RGANI, f. 5, op. 30, d. 1"


@pytest.mark.parametrize(
    "text",
    [
        "Some remark that names no source at all.",
        "SECRET. NODIS.",
        "Top Secret; Sensitive; Exclusive.",
        "The original was returned to the ministry in 1961.",
    ],
)
def test_unknown_shapes_give_only_the_text(text: str) -> None:
    assert parse_citation(text) == Citation(text=text)


@pytest.mark.parametrize(
    "text",
    ["", "   ", ".", "(((", "]]] [[", "“", "Translated by", "RGANI", "f. 5, op.", "Source:", ";;;", ", , ,",
     "A. B. C. D.", "See also", "PRC FMA", "APRF: ", "p. 3, p. 4, p.", "Reprinted in .", "x" * 5000],
)
def test_never_raises(text: str) -> None:
    citation = parse_citation(text)
    assert citation.text == " ".join(text.split())
