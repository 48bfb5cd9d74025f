"""Extraction rules over whole (short, invented) pages: which source wins for each field, and the traps."""

import hashlib

from pipeline.clean import clean
from pipeline.extract.record import extract
from pipeline.models import RawPage
from pipeline.validate import record_problems


def record_of(text: str, site: str = "wilson") -> dict:
    data = text.encode()
    page = RawPage(path=f"raw/{site}/x.txt", data=data, media_type="text/plain",
                   sha256=hashlib.sha256(data).hexdigest(), site=site, local_id="x")
    record = extract(clean(page), page).to_dict()
    assert record_problems(record) == []
    return record


def wilson_page(date: str, title: str, body: str, summary: str = "", source: str = "") -> str:
    parts = ["Skip to content", date, title, body]
    if summary:
        parts.append(summary)
    parts += ["Document Information"]
    if source:
        parts += ["Source", source]
    parts += ["Rights", "The History and Public Policy Program welcomes reuse of Digital Archive materials."]
    return "\n\n".join(parts) + "\n"


def names(parties):
    return [p["name"] or p["org"] or p["role"] for p in parties]


def test_header_date_wins_over_dates_in_the_body():
    record = record_of(wilson_page("June 2, 1961", "Letter from A. Ivanov to B. Petrov",
                                   "Dear Comrade Petrov,\n\nYour letter of May 30, 1961 arrived.\n\nA. Ivanov"))
    assert record["date"]["edtf"] == "1961-06-02"
    assert record["provenance"]["evidence"]["date"]["rule"].startswith("block:date")


def test_unreadable_header_date_leaves_date_null_with_a_warning():
    record = record_of(wilson_page("February 30, 1958", "Letter from A. Ivanov to B. Petrov", "Body text here."))
    assert record["date"] is None
    assert any("unreadable date" in w for w in record["provenance"]["warnings"])


def test_signature_spelling_wins_and_is_warned_about():
    record = record_of(wilson_page("June 2, 1961", "Letter from Ivan Petrovv to the Central Committee",
                                   "Dear Comrades,\n\nWe report progress.\n\nWith greetings,\n(ss) Ivan Petrov"))
    assert names(record["senders"]) == ["Ivan Petrov"]
    assert any("Petrovv" in w for w in record["provenance"]["warnings"])
    assert record["closing"] == "With greetings,"


def test_salutation_adds_addressees_the_title_leaves_out():
    record = record_of(wilson_page(
        "June 7, 1954", "Telegram, Zhou Enlai to Mao Zedong, Concerning the Talks",
        "Chairman [Mao], Comrade [Liu] Shaoqi and the Central Committee:\n\nThe talks went well.\n\nZhou Enlai"))
    assert names(record["senders"]) == ["Zhou Enlai"]
    assert names(record["recipients"]) == ["Mao Zedong", "Liu Shaoqi", "Central Committee"]


def test_cover_name_resolved_to_the_person_the_title_names():
    record = record_of(wilson_page("May 3, 1950", "Ciphered Telegram, Filippov [Stalin] to Mao Zedong",
                                   "For Comrade Mao Zedong.\n\nWe agree.\n\nFILIPPOV [Stalin]."))
    assert names(record["senders"]) == ["Stalin"]
    assert names(record["recipients"]) == ["Mao Zedong"]


def test_address_line_in_the_text_names_sender_and_recipient():
    record = record_of(wilson_page(
        "October 2, 1962", "Cable from the Embassy in Utopia to Capital City",
        "To Foreign Minister Kato from Ambassador Sato\n\nThe situation is calm."))
    assert names(record["senders"]) == ["Sato"] and record["senders"][0]["role"] == "Ambassador"
    assert names(record["recipients"]) == ["Kato"]


def test_implicit_recipient_is_read_from_the_page_description():
    record = record_of(wilson_page("April 1, 1958", "Letter of reply from the First Secretary A. Popescu",
                                   "We agree with your proposal.\n\n(ss) A. Popescu",
                                   summary="Letter from the Politburo to the Soviet leadership agreeing to a plan."))
    assert names(record["recipients"]) == ["Soviet leadership"]
    assert record["provenance"]["evidence"]["recipients"]["rule"].startswith("block:summary")


def test_conversation_record_has_no_sender_or_recipient_from_participants():
    record = record_of(wilson_page(
        "July 25, 1965", "Record of a Conversation between A. Ivanov and B. Popescu on 25 July 1965",
        "Cde. Ivanov said the talks were useful.\n\nCde. Popescu agreed."))
    assert record["doc_type"] == "conversation_record"
    assert record["senders"] == [] and record["recipients"] == []


def test_journal_sender_is_the_author_and_it_is_addressed_to_no_one():
    record = record_of(wilson_page(
        "July 11, 1978", "Journal of Soviet Ambassador Ivanov, Memorandum of Conversation with Minister Khan",
        "From the journal of A.B. Ivanov\n\nI visited Minister Khan today.\n\nDear friends, he said, welcome."))
    assert record["doc_type"] == "journal"
    assert names(record["senders"])[0].endswith("Ivanov")
    assert record["recipients"] == []


def test_frus_heading_gives_holder_and_office_and_dateline_gives_place():
    text = ("File No. 111.22/333\nThe Ambassador in Utopia (Doe) to the Secretary of State\n[Telegram]\n"
            "Capital City, June 3,\n1920, 5 p.m.\n[Received June 4, 1 a.m.]\nSituation unchanged.\nDoe\n")
    record = record_of(text, site="frus")
    assert record["senders"] == [{"name": "Doe", "role": "Ambassador in Utopia", "org": None}]
    assert record["recipients"] == [{"name": None, "role": "Secretary of State", "org": None}]
    assert record["date"]["edtf"] == "1920-06-03"
    assert record["place"] == "Capital City"
    assert record["file_number"] == "111.22/333"
    assert record["body"] == "Situation unchanged.\n\nDoe"


def test_frus_page_without_a_dateline_has_no_date_even_with_dates_in_the_text():
    text = ("57. Memorandum From President Roe to Secretary of State Doe1\n\nOn August 28 we met; see the "
            "telegram of June 3, 1961.\n\nRichard Roe\n  1. Source: Department of State, Central Files, "
            "611.00/8-2861. Secret.\n")
    record = record_of(text, site="frus")
    assert record["date"] is None
    assert record["title"] == "Memorandum From President Roe to Secretary of State Doe"
    assert names(record["senders"]) == ["Richard Roe"]
    assert record["citation"]["archive"] == "Department of State"
    assert record["footnotes"][0].startswith("Source:")


def test_every_extracted_field_names_its_rule():
    record = record_of(wilson_page("June 2, 1961", "Letter from A. Ivanov to B. Petrov",
                                   "Dear Comrade Petrov,\n\nAll is well.\n\nA. Ivanov",
                                   summary="Ivanov tells Petrov that all is well.",
                                   source="Example Archive, f. 1, op. 2, d. 3, l. 4. Translated by C. Doe."))
    evidence = record["provenance"]["evidence"]
    for field in ("title", "date", "doc_type", "senders", "recipients", "summary", "citation", "salutation"):
        assert evidence[field]["rule"], field
    start, end = evidence["salutation"]["span"]
    assert record["body"][start:end] == "Dear Comrade Petrov,"
    assert record["citation"]["translators"] == ["C. Doe"]
