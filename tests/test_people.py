"""Sender and recipient rules over invented titles, openers and signature blocks."""

import pytest

from pipeline.extract.people import (
    author_from_title,
    merge_parties,
    parse_party,
    parties_from_address_line,
    parties_from_title,
    read_letter_end,
    recipients_from_salutation,
    split_salutation,
    title_case_caps,
)
from pipeline.models import Person as P


@pytest.mark.parametrize(("text", "expected"), [
    ("V.I. Petrenko, First Secretary of the CC of the XWP",
     P("V.I. Petrenko", "First Secretary of the CC of the XWP", "CC of the XWP")),
    ("The Minister in Ruritania (Halloway)", P("Halloway", "Minister in Ruritania")),
    ("the Secretary of State", P(role="Secretary of State")),
    ("President Marlowe", P("Marlowe", "President")),
    ("Minister Quist", P("Quist", "Minister")),
    ("Secretary of State Brandeis", P("Brandeis", "Secretary of State")),
    ("Foreign Minister Tanabe", P("Tanabe", "Foreign Minister")),
    ("Soviet Ambassador Orlovsky", P("Orlovsky", "Soviet Ambassador")),
    ("Chairman of the Council of Ministers Tikhonov", P("Tikhonov", "Chairman of the Council of Ministers",
                                                        "Council of Ministers")),
    ("Chargé d’affaires ad interim Nakamura", P("Nakamura", "Chargé d’affaires ad interim")),
    ("the Chairman of the XDP, Hartmann", P("Hartmann", "Chairman of the XDP", "XDP")),
    ("Chief of the Mission to the Disarmament Conference (Harlan)",
     P("Harlan", "Chief of the Mission to the Disarmament Conference")),
    ("Ambassadors and Ministers in Neutral States", P(role="Ambassadors and Ministers in Neutral States")),
    ("Mr. President", P(role="President")),
], ids=lambda v: v if isinstance(v, str) else "")
def test_parse_party_people_and_offices(text, expected):
    assert parse_party(text) == expected


@pytest.mark.parametrize(("text", "org"), [
    ("the XYZ CC Politburo", "XYZ CC Politburo"),
    ("the Soviet leadership", "Soviet leadership"),
    ("KPU CC", "KPU CC"),
    ("GDR Foreign Ministry", "GDR Foreign Ministry"),
    ("VWP Central Committee", "VWP Central Committee"),
    ("the Polish Embassy in Hanoi", "Polish Embassy in Hanoi"),
    ("the Department of Commerce", "Department of Commerce"),
    ("Warsaw", "Warsaw"),
])
def test_parse_party_institutions(text, org):
    assert parse_party(text) == P(org=org)


@pytest.mark.parametrize(("text", "expected"), [
    ("Com[rade] P. Vasilenko", P("P. Vasilenko")),
    ("Cde. Barsukov", P("Barsukov")),
    ("Comrade [Wang] Jiaxiang", P("Wang Jiaxiang")),
    ("Chairman [Hua Guofeng]", P("Hua Guofeng", "Chairman")),
    ("Ivanov [Molotov]", P("Molotov")),                # the bracket names the person behind a cover name
    ("Pak Jong-ae [Pak Chong Ae]", P("Pak Jong-ae")),  # after a full name it is another spelling
    ("Ivan Sidorov [sic]", P("Ivan Sidorov")),
])
def test_parse_party_honorifics_and_brackets(text, expected):
    assert parse_party(text) == expected


@pytest.mark.parametrize("text", ["the proposal made by them", "", "we agree with your analysis"])
def test_parse_party_of_non_party_is_empty(text):
    assert parse_party(text) == P()


@pytest.mark.parametrize(("title", "senders", "recipients"), [
    ("Letter from Ivan Petrov to Karl Weber", [P("Ivan Petrov")], [P("Karl Weber")]),
    ("Letter to Karl Weber from Ivan Petrov", [P("Ivan Petrov")], [P("Karl Weber")]),
    ("Cable, Kim Chaek to Ivanov [Molotov]", [P("Kim Chaek")], [P("Molotov")]),
    ("Ciphered Telegram No. 40112, Panyushkin to Ivanov [Molotov]", [P("Panyushkin")], [P("Molotov")]),
    ("Telegram, Deng Xiaoping to Peng Zhen, Chen Yi, and CCP Secretariat (excerpt)",
     [P("Deng Xiaoping")], [P("Peng Zhen"), P("Chen Yi"), P(org="CCP Secretariat")]),
    ("Letter addressed by Todor Kolev to Walter Brandner", [P("Todor Kolev")], [P("Walter Brandner")]),
    ("Memorandum from A. Kirilenko to CPSU CC", [P("A. Kirilenko")], [P(org="CPSU CC")]),
    ("Memorandum from the Chief of Staff for the Defense Council",
     [P(role="Chief of Staff")], [P(org="Defense Council")]),
    ("Letter by the Chairman of the XDP, Hartmann, to President of Freedonia, Ortega",
     [P("Hartmann", "Chairman of the XDP", "XDP")], [P("Ortega", "President of Freedonia")]),
    ("Telegram from Kim Chaek and Pak Jong-ae to Ivanov", [P("Kim Chaek"), P("Pak Jong-ae")], [P("Ivanov")]),
    ("Report by the Hungarian Embassy in Hanoi on the Situation in Laos",
     [P(org="Hungarian Embassy in Hanoi")], []),
])
def test_title_letter_forms(title, senders, recipients):
    assert parties_from_title(title)[:2] == (senders, recipients)


@pytest.mark.parametrize(("title", "senders", "recipients"), [
    ("The Minister in Siam (Hamilton) to the Secretary of State",
     [P("Hamilton", "Minister in Siam")], [P(role="Secretary of State")]),
    ("President Harding to the Secretary of State",
     [P("Harding", "President")], [P(role="Secretary of State")]),
    ("Minister Crane to the Secretary of State", [P("Crane", "Minister")], [P(role="Secretary of State")]),
    ("The Secretary of State to the Ambassadors and Ministers in Neutral Countries",
     [P(role="Secretary of State")], [P(role="Ambassadors and Ministers in Neutral Countries")]),
    ("Memorandum From President Truman to Secretary of Defense Forrestal",
     [P("Truman", "President")], [P("Forrestal", "Secretary of Defense")]),
    ("Backchannel Message From the Chief of the Delegation to the Mutual Force Reduction Talks (Resor) to "
     "the President’s Assistant for National Security Affairs (Scowcroft)",
     [P("Resor", "Chief of the Delegation to the Mutual Force Reduction Talks")],
     [P("Scowcroft", "President’s Assistant for National Security Affairs")]),
    ("Telegram From the Embassy in Poland to the Department of State",
     [P(org="Embassy in Poland")], [P(org="Department of State")]),
    ("Telegram From the Mission to the United Nations to the Department of State",
     [P(org="Mission to the United Nations")], [P(org="Department of State")]),
    ("87. Letter From President Truman to Prime Minister Attlee2",        # number and footnote marker
     [P("Truman", "President")], [P("Attlee", "Prime Minister")]),
])
def test_title_frus_headings(title, senders, recipients):
    assert parties_from_title(title)[:2] == (senders, recipients)


@pytest.mark.parametrize(("title", "recipients"), [
    # the subject clause after the recipients is not a recipient
    ("Telegram, Deng Xiaoping to Peng Zhen, Regarding the Talks with the Indian Side", [P("Peng Zhen")]),
    ("Telegram, Deng Xiaoping to Peng Zhen, Chen Yi, and CCP Secretariat, 'Leaving for Kunming Tomorrow'",
     [P("Peng Zhen"), P("Chen Yi"), P(org="CCP Secretariat")]),
    ("Telegram from Kim Chaek to Ivanov on the Question of Supplies", [P("Ivanov")]),
    # a date in the title is not a party
    ("Telegram, Deng Xiaoping to Peng Zhen and Chen Yi, 4 March 1955 (excerpt)",
     [P("Peng Zhen"), P("Chen Yi")]),
    ("Cable from the VWP Central Committee, reply to Pham Van Dong’s cable of 5 May 1954",
     [P("Pham Van Dong")]),
    # the trailing clause of a "Letter of reply" is neither role nor recipient
    ("Letter of reply, from Wladyslaw Gomulka, First Secretary of the CC of the PUWP welcoming the "
     "proposal to hold a conference in Warsaw", []),
    ("Politburo Decision to Approve the Following Instruction to the Soviet Ambassador in Hungary",
     [P(role="Soviet Ambassador in Hungary")]),
])
def test_title_traps(title, recipients):
    assert parties_from_title(title)[1] == recipients


def test_title_reply_names_sender_and_recipient():
    senders, recipients, _ = parties_from_title(
        "Cable from the VWP Central Committee, reply to Pham Van Dong’s cable of 5 May 1954")
    assert senders == [P(org="VWP Central Committee")]
    assert recipients == [P("Pham Van Dong")]


def test_title_sender_with_role_stops_before_the_trailing_clause():
    senders, _, _ = parties_from_title(
        "Letter of reply, from Wladyslaw Gomulka, First Secretary of the CC of the PUWP welcoming it")
    assert senders == [P("Wladyslaw Gomulka", "First Secretary of the CC of the PUWP", "CC of the PUWP")]


def test_title_go_between_is_an_extra_recipient():
    senders, recipients, _ = parties_from_title("Cable, Petrov to Molotov [via Yudin]")
    assert senders == [P("Petrov")]
    assert recipients == [P("Molotov"), P("Yudin")]


def test_title_cover_name_settled_by_the_signature():
    title = "Cable, Molotov [Ivanov] to Kim Chaek [via Yudin]"
    assert parties_from_title(title)[0] == [P("Ivanov")]
    senders, recipients, warnings = parties_from_title(title, signed_as="Ivanov")
    assert senders == [P("Molotov")]
    assert recipients == [P("Kim Chaek"), P("Yudin")]
    assert any("cover name" in w for w in warnings)
    # a signature that itself resolves the cover name confirms the bracket
    assert parties_from_title("Cable, Ivanov [Molotov] to Kim Chaek", signed_as="IVANOV [Molotov]")[0] == [
        P("Molotov")]


def test_title_capital_city_is_an_institution():
    senders, recipients, warnings = parties_from_title("Cable from Polish Embassy in Hanoi to Warsaw")
    assert senders == [P(org="Polish Embassy in Hanoi")]
    assert recipients == [P(org="Warsaw")]
    assert warnings


def test_title_in_capitals():
    senders, recipients, _ = parties_from_title("TELEGRAM, DENG XIAOPING TO PENG ZHEN, 4 MARCH 1955")
    assert (senders, recipients) == ([P("Deng Xiaoping")], [P("Peng Zhen")])


@pytest.mark.parametrize("title", [
    "Record of a Conversation between P. Ivanov and K. Weber on 3 May 1961",
    "Minutes of the Meeting of the Political Consultative Committee, Friday, March 4, 1960",
    "Memorandum on a Proposed Exchange between Section B of the StB and the 2nd Directorate of the KGB",
    "Ivanov Report, 2 March 1957",
    "Journal of Soviet Ambassador Yudin, Memorandum of Conversation with Deng Xiaoping",
    "Memorandum of a Telephone Conversation Between the President and the Secretary of Defense, Washington, "
    "May 3, 1961, 4:05 p.m.",
    "Summary of Conclusions of a Policy Review Committee Meeting",
    "Memorandum for the Record",
    "Editorial Note",
    "Approaches to the Soviet Union",
    "Concessions to Khrushchev",
])
def test_titles_naming_no_parties(title):
    assert parties_from_title(title) == ([], [], [])


@pytest.mark.parametrize(("title", "author"), [
    ("Journal of Soviet Ambassador Yudin, Memorandum of Conversation with Deng Xiaoping",
     P("Yudin", "Soviet Ambassador")),
    ("From the journal of B.N. Yudin", P("B.N. Yudin")),
    ("Ivanov Report, 2 March 1957", P("Ivanov")),
    ("Diary of Anatoly Petrenko", P("Anatoly Petrenko")),
    ("Report by the Hungarian Embassy in Hanoi on the Situation", P(org="Hungarian Embassy in Hanoi")),
    ("Petrenko's Report on the Visit to Hanoi", P("Petrenko")),
    ("Politburo Decision to Approve the Following Instruction", P(org="Politburo")),
    ("Letter from Ivan Petrov to Karl Weber", P("Ivan Petrov")),
    ("Record of a Conversation between P. Ivanov and K. Weber", None),
    ("Weekly Report", None),
    ("Editorial Note", None),
])
def test_author_from_title(title, author):
    assert author_from_title(title) == author


@pytest.mark.parametrize(("line", "expected"), [
    ("Dear Comrade Zhivkov,", [P("Zhivkov")]),
    ("To the CC SED", [P(org="CC SED")]),
    ("Chairman [Hua], Comrade [Deng] Xiaoping and the Central Committee:",
     [P("Hua", "Chairman"), P("Deng Xiaoping"), P(org="Central Committee")]),
    ("[To] Comrade [Peng] Zhen:", [P("Peng Zhen")]),
    ("To Cde. Ivanov.", [P("Ivanov")]),
    ("To Com[rade] P. Vasilenko", [P("P. Vasilenko")]),
    ("Com[rade] Ivanov [Molotov]:", [P("Molotov")]),
    ("To Cdes. Ivanov and Peng Zhen.", [P("Ivanov"), P("Peng Zhen")]),
    ("To Cdes. Ivanov and Peng Zhen. I agree with your telegram.", [P("Ivanov"), P("Peng Zhen")]),
    ("for Comrade Kim Chaek", [P("Kim Chaek")]),
    ("“Comrade Kim Chaek!", [P("Kim Chaek")]),
    ("Dear Mr. President,", [P(role="President")]),
    ("My Dear Mr. Secretary:", [P(role="Secretary")]),
    ("My Dear Mr. Secretary: I write to ask you a favour.", [P(role="Secretary")]),
    ("412. Dear Walter:", [P("Walter")]),
    ("To Foreign Minister Tanabe from Chargé d’affaires Nakamura", [P("Tanabe", "Foreign Minister")]),
    ("Sir:", []),
    ("Dear Comrades,", []),
])
def test_recipients_from_salutation(line, expected):
    assert recipients_from_salutation(line) == expected


@pytest.mark.parametrize("line", [
    "We acknowledge receipt of your letter of 3 May.",
    "To the question of grain deliveries, we reply as follows.",
    "Copies to Ivanov, Petrov, Sidorov.",
    "SUBJECT: Grain deliveries",
    "PARTICIPANTS:",
    "Ivanov: We cannot agree to this.",
    "Commission Comrade Ivanov to meet with the minister and to declare the following:",   # body mention
    "Top Secret",
])
def test_lines_that_are_no_openers(line):
    assert recipients_from_salutation(line) == []
    assert split_salutation([line]) is None


@pytest.mark.parametrize(("lines", "salutation"), [
    (["(Top Secret)", "Chairman [Hua], Comrade [Deng] Xiaoping and the Central Committee:", "(1) Text."],
     "Chairman [Hua], Comrade [Deng] Xiaoping and the Central Committee:"),
    (["My Dear Mr. Secretary: I write to ask you a favour."], "My Dear Mr. Secretary:"),
    (["412. Dear Walter:", "Here is my report."], "Dear Walter:"),
    (["Sir: Referring to my despatch No. 12, I have the honor to report."], "Sir:"),
    (["March 3, 1975", "The President of the Republic of Freedonia", "Mr. Rufus Firefly",
      "Dear Mr. President,"], "Dear Mr. President,"),
    (["Sent from Hanoi 3/4/1962 10:06", "To Foreign Minister Tanabe from Chargé d’affaires Nakamura"],
     "To Foreign Minister Tanabe from Chargé d’affaires Nakamura"),
    (["The situation has worsened since our last report. The government is divided.", "Dear Walter:"],
     None),
])
def test_split_salutation(lines, salutation):
    assert split_salutation(lines) == salutation


def test_address_line_names_both_sides():
    senders, recipients = parties_from_address_line(
        "To Foreign Minister Tanabe from Chargé d’affaires ad interim Nakamura")
    assert senders == [P("Nakamura", "Chargé d’affaires ad interim")]
    assert recipients == [P("Tanabe", "Foreign Minister")]
    assert parties_from_address_line("From Warsaw") == ([], [])


@pytest.mark.parametrize(("lines", "signer"), [
    (["We await your reply.", "With comradely greetings,", "First-Secretary of the CC of the XWP",
      "(ss) Ion Popescu-Vlad", "May 2, 1960"],
     P("Ion Popescu-Vlad", "First-Secretary of the CC of the XWP", "CC of the XWP")),
    (["Please inform us.", "IVANOV [Molotov].”"], P("Molotov")),
    (["I will tell you later.", "Kim Chaek."], P("Kim Chaek")),
    (["(2) The rest follows.", "Peng Zhen", "9 June 1955"], P("Peng Zhen")),
    (["(2) The rest follows.", "Peng Zhen", "9 June 1955, 4:00 a.m."], P("Peng Zhen")),
    (["It was done.", "SOVIET AMBASSADOR IN THE MPR [signature] /B. ORLOVSKY/"],
     P("B. Orlovsky", "Soviet Ambassador in the MPR")),
    (["They will meet weekly.", "Respectfully", "EL CORONEL X. Y. Z.", "CHIEF OF THE POLICE SERVICE",
      "JUAN PEREZ ORTIZ"], P("Juan Perez Ortiz", "Chief of the Police Service", "Police Service")),
    (["Your instruction has been carried out.", "14.2.52 PANYUSHKIN"], P("Panyushkin")),
    (["Your instruction has been carried out.", "14.2.52 PANYUSHKIN",
      "Spravka: instruction no. 12 of 2 Feb 1952 concerned the visit."], P("Panyushkin")),
    (["Situation unchanged.", "Harlan"], P("Harlan")),
    (["Let me know.", "Harry Truman"], P("Harry Truman")),
    (["I should have read it.", "Faithfully yours,", "H. T."], P("H. T.")),    # initials: the caller decides
    (["Agree with your proposal.", "Central Committee", "8 June 1954"], P(org="Central Committee")),
    (["Send the answer at once.", "Ivanov", "16.XII.1948"], P("Ivanov")),
    (["Our troops will wait.", 'Kim Chaek".', "Nº 2411", "14 October 1950.",
      "Two copies printed. Nº 2 to file."], P("Kim Chaek")),
])
def test_sender_from_signature(lines, signer):
    assert read_letter_end(lines)[2] == signer


@pytest.mark.parametrize("lines", [
    ["The matter grows worse.", "I have [etc.]"],
    ["Airfield lost.", "Evacuation continuing through the night."],
    ["Ivanov said he would not come to Moscow before the end of the month."],   # a body mention is no signer
    ["About Warsaw."],
    ["Top Secret"],
    [],
])
def test_no_signer(lines):
    assert read_letter_end(lines)[2] is None


@pytest.mark.parametrize(("lines", "closing", "signature"), [
    (["We await your reply.", "With comradely greetings,", "First-Secretary of the CC of the XWP",
      "(ss) Ion Popescu-Vlad", "May 2, 1960"],
     "With comradely greetings,", "First-Secretary of the CC of the XWP\n(ss) Ion Popescu-Vlad"),
    (["They will meet weekly.", "Respectfully", "EL CORONEL X. Y. Z.", "CHIEF OF THE POLICE SERVICE",
      "JUAN PEREZ ORTIZ"],
     "Respectfully", "EL CORONEL X. Y. Z.\nCHIEF OF THE POLICE SERVICE\nJUAN PEREZ ORTIZ"),
    (["I detected no change.", "Warm regards.", "Gerald Hume"], "Warm regards.", "Gerald Hume"),
    (["(2) The rest follows.", "Peng Zhen", "9 June 1955"], None, "Peng Zhen"),
    (["The matter grows worse.", "I have [etc.]"], "I have [etc.]", None),
    (["Airfield lost."], None, None),
])
def test_split_letter_end(lines, closing, signature):
    assert read_letter_end(lines)[:2] == (closing, signature)


def test_merge_keeps_signature_spelling_with_a_warning():
    merged, warnings = merge_parties([P("Ion Popescu-Vald", "First Secretary of the CC of the XWP")],
                                     [P("Ion Popescu-Vlad")])
    assert merged == [P("Ion Popescu-Vlad", "First Secretary of the CC of the XWP")]
    assert len(warnings) == 1 and "Popescu-Vald" in warnings[0]


@pytest.mark.parametrize(("primary", "secondary", "merged"), [
    ([P("Truman", "President")], [P("Harry Truman")], [P("Harry Truman", "President")]),
    ([P("Harding", "President")], [P("W. H.")], [P("Harding", "President")]),
    ([P("Gomułka")], [P("Wladyslaw GOMULKA".title())], [P("Wladyslaw Gomulka")]),
    ([P("Hua Guofeng")], [P("Hua", "Chairman"), P("Deng Xiaoping"), P(org="Central Committee")],
     [P("Hua Guofeng", "Chairman"), P("Deng Xiaoping"), P(org="Central Committee")]),
    ([P(org="VWP Central Committee")], [P(org="Central Committee")], [P(org="VWP Central Committee")]),
    ([P(org="Polish Embassy in Hanoi")], [P("Nowak", "Chargé d’affaires")],
     [P("Nowak", "Chargé d’affaires", "Polish Embassy in Hanoi")]),
    ([P(role="Secretary of State")], [P("Lansdale")], [P("Lansdale", "Secretary of State")]),
    ([P("Ortega", "President of Freedonia")], [P(role="President")], [P("Ortega", "President of Freedonia")]),
    ([], [P("Ivanov")], [P("Ivanov")]),
])
def test_merge_parties(primary, secondary, merged):
    assert merge_parties(primary, secondary) == (merged, [])


@pytest.mark.parametrize(("primary", "secondary"), [
    ([P("Panyushkin")], [P("Kim Chaek")]),                   # signer of a quoted document
    ([P("Scowcroft", "Assistant")], [P("Brent")]),           # a first-name salutation
    ([P("Molotov")], [P("Ivanov")]),                          # the cover name the title resolved
])
def test_merge_leaves_out_unconfirmed_parties(primary, secondary):
    merged, warnings = merge_parties(primary, secondary)
    assert merged == primary
    assert len(warnings) == 1


def test_merge_does_not_change_its_inputs():
    primary = [P(role="Secretary of State")]
    merge_parties(primary, [P("Lansdale")])
    assert primary == [P(role="Secretary of State")]


@pytest.mark.parametrize(("text", "names", "expected"), [
    ("SOVIET AMBASSADOR IN THE DPRK", False, "Soviet Ambassador in the DPRK"),
    ("CHAIRMAN OF THE CPSU CC", False, "Chairman of the CPSU CC"),
    ("MANUEL GARCIA DE LA TORRE", True, "Manuel Garcia de la Torre"),
    ("A. POPESCU-VLAD", True, "A. Popescu-Vlad"),
])
def test_title_case_caps(text, names, expected):
    assert title_case_caps(text, names=names) == expected
