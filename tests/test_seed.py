"""The seed page (raw/wilson/seed-romania-1958.txt) gives the values the project promises."""

import hashlib

import pytest

from pipeline.clean import clean
from pipeline.extract.record import extract
from pipeline.models import RawPage
from pipeline.validate import record_problems
from tests.conftest import SEED


@pytest.fixture(scope="module")
def record():
    data = SEED.read_bytes()
    page = RawPage(
        path="raw/wilson/seed-romania-1958.txt", data=data, media_type="text/plain",
        sha256=hashlib.sha256(data).hexdigest(), site="wilson", local_id="seed-romania-1958",
    )
    return extract(clean(page), page).to_dict()


def test_seed_record_is_valid(record):
    assert record_problems(record) == []
    assert record["id"] == "wilson:seed-romania-1958"


def test_seed_title_and_type(record):
    assert record["title"].startswith("Letter of reply, from Gheorghe Gheorgiu-Dej, First Secretary of the CC")
    assert record["title"].endswith("to withdraw its troops from Romania")
    assert record["doc_type"] == "letter"


def test_seed_date_is_the_header_date_not_the_body_date(record):
    assert record["date"]["edtf"] == "1958-04-23"
    assert record["date"]["precision"] == "day"
    assert record["date"]["start"] == record["date"]["end"] == "1958-04-23"


def test_seed_sender_uses_signature_spelling(record):
    names = [p["name"] for p in record["senders"]]
    assert names == ["Gheorghe Gheorghiu-Dej"]
    assert record["senders"][0]["role"] == "First Secretary of the CC of the RWP"


def test_seed_recipient_is_the_soviet_leadership(record):
    assert any("Soviet leadership" in (p["org"] or "") for p in record["recipients"])


def test_seed_summary(record):
    assert record["summary"] == (
        "Letter from the RWP CC Politburo to the Soviet leadership agreeing with the Soviet proposal for the "
        "withdrawal of Soviet troops from Romania."
    )


def test_seed_body_has_no_chrome(record):
    body = record["body"]
    assert body.startswith("We acknowledge receipt")
    assert body.endswith("(ss) Gheorghe Gheorghiu-Dej")
    for chrome in ("Skip to content", "Associated Places", "Associated Topics", "Document Information",
                   "welcomes reuse", "Original Uploaded Date", "Record ID", "Letter from the RWP CC Politburo"):
        assert chrome not in body
    assert record["closing"] == "With communist greetings,"


def test_seed_citation_parts(record):
    citation = record["citation"]
    assert citation["text"].startswith("ANIC, CC RCP")
    assert citation["text"].endswith("Translated by Delia Razdolescu.")
    assert citation["archive"] == "ANIC"
    assert citation["file"] == "9U/1956-1958"
    assert "227-228" in citation["pages"]
    assert citation["translators"] == ["Delia Razdolescu"]
    assert any("1996" in edition for edition in citation["published_in"])


def test_seed_rights_is_the_rights_paragraph(record):
    assert record["rights"].startswith("The History and Public Policy Program welcomes reuse")
    assert record["record_id"] is None
