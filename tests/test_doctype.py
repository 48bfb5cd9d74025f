import pytest

from pipeline.extract.doctype import classify


@pytest.mark.parametrize(
    ("title", "labels", "body", "expected"),
    [
        ("Letter of reply, from A. Person to the Committee", [], "", "letter"),
        ("Ciphered Telegram No. 123, Ivanov to Petrov", [], "", "telegram"),
        ("Cable from the Embassy in Utopia to the Ministry", [], "", "cable"),
        ("Backchannel Message From the Chief of Delegation (Doe) to the Adviser (Roe)", [], "", "cable"),
        ("Memorandum of a Telephone Conversation Between the President and the Secretary", [], "", "conversation_record"),
        ("Record of a Conversation between A. Ivanov and B. Petrescu on 3 May 1960", [], "", "conversation_record"),
        ("Journal of Ambassador Doe, Memorandum of Conversation with the Prime Minister", [], "", "journal"),
        ("Memorandum on a Proposed Meeting in Vienna", [], "", "memorandum"),
        ("Minutes of the Daily Meetings of the Commission, Monday, March 3, 1919", [], "", "minutes"),
        ("Summary of Conclusions of a Policy Committee Meeting", [], "", "minutes"),
        ("Politburo Decision to Confirm the Following Directive to the Ambassador", [], "", "resolution"),
        ("Ivanov Report, 2 March 1957", [], "", "report"),
        ("Speech by the First Secretary at the Plenum", [], "", "speech"),
        ("Interview with the Foreign Minister", [], "", "interview"),
        ("The Ambassador in Utopia (Doe) to the Secretary of State", ["Telegram"], "", "telegram"),
        ("The Secretary of State to the Ministers in Neutral Countries", ["Circular telegram"], "", "circular"),
        ("Minister Doe to the Secretary of State", [], "Sir: I have the honor to report", "despatch"),
        ("President Roe to the Secretary of State", [], "My Dear Mr. Secretary: Will you", "letter"),
        ("The Ambassador in Utopia to the Secretary of State", [], "Nothing to go by.", "other"),
    ],
)
def test_classify(title, labels, body, expected):
    assert classify(title, labels, body)[0] == expected


def test_report_word_in_the_subject_does_not_override_the_leading_type():
    assert classify("Telegram from Doe to Roe on the Report of the Commission", [], "")[0] == "telegram"
