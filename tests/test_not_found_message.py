"""The message of rule G001 quotes what grounding did not find: the model's span as the model gave it, then
the sentence it cited, so a reviewer sees the model's words next to the source's."""

from __future__ import annotations

import shutil

from sqlalchemy import select
from sqlalchemy.orm import Session

import rules
from pipeline.extraction.grounding import ground_evidence
from pipeline.ingest import ingest_paths
from pipeline.llm.registry import is_installed
from pipeline.run import process_documents
from pipeline.settings import Settings
from pipeline.store.engine import make_engine, upgrade
from pipeline.store.queries import latest_run
from pipeline.store.tables import Document, FindingRow
from rules.grounding import not_found_message
from rules.text import split_sentences
from schemas import ContractExtraction, Evidence, MatchStatus, Obligation, SourceDocument, SourcePage
from tests.conftest import REPO, unavailable
from tests.rules_fixtures import fires

MODEL = "qwen2.5-coder-1.5b"
RECORDINGS = REPO / "tests" / "recordings" / "samples"

# the model's answer for obligations[2] of samples/mutual_nda.pdf, as recorded (its span ends in a word the
# source does not hold: "illegal" where the source says "unauthorized use or disclosure")
RECORDED_SPAN = ("the Recipient shall notify the Disclosing Party in writing within five (5) Business Days after "
                 "discovering any illegal")
RECORDED_SENTENCE_START = ("3.3 The Recipient shall notify the Disclosing Party in writing within five (5) Business "
                           "Days after discovering any unauthorized use or disclosure of Confidential Information "
                           "and shall cooperate with ")


def test_recorded_wrong_span_of_the_sample_nda_is_quoted_as_the_model_gave_it(tmp_path):
    settings = Settings(data_dir=tmp_path, backend="replay", model=MODEL, replay_dir=RECORDINGS)
    if not is_installed(MODEL, settings.cache_dir):
        unavailable(f"{MODEL} is not installed: its tokenizer sets the chunks the recordings were made for "
                    f"(`clausewise model install {MODEL}`)")
    # the span is the model's own text: it is in the recorded answer, not in the source
    assert any(RECORDED_SPAN in p.read_text() for p in RECORDINGS.glob("*.json"))
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(REPO / "samples" / "mutual_nda.pdf", src)
    engine = make_engine(f"sqlite:///{tmp_path / 'clausewise.db'}")
    try:
        upgrade(engine)
        outcomes = ingest_paths(engine, [src], settings)
        process_documents(engine, [o.document_id for o in outcomes], settings)
        with Session(engine) as s:
            doc = s.scalars(select(Document)).one()
            assert RECORDED_SPAN not in doc.text
            run = latest_run(s, doc.id)
            messages = [f.message for f in s.scalars(select(FindingRow).where(
                FindingRow.run_id == run.id, FindingRow.rule_id == "G001", FindingRow.field_path == "obligations[2]"))]
    finally:
        engine.dispose()
    assert messages == [f"cited text not found in the source: {RECORDED_SPAN!r}; "
                        f"cited sentence: {RECORDED_SENTENCE_START + '…'!r}"]


TEXT = ("1. Term. This Agreement begins on the Effective Date. "
        "2. Notice. The Supplier shall notify the Buyer within ten (10) days of any defect.")


def _doc() -> tuple[SourceDocument, list]:
    doc = SourceDocument(text=TEXT, pages=[SourcePage(number=1, start=0, end=len(TEXT))])
    return doc, split_sentences(TEXT)


def _g001(evidence: Evidence) -> str:
    doc, sentences = _doc()
    grounded = ground_evidence(evidence, sentences, doc)
    assert grounded.match == MatchStatus.NOT_FOUND
    x = ContractExtraction(obligations=[Obligation(obligor="Supplier", action="notify", evidence=grounded)])
    return fires(rules.evaluate(x, doc), "G001", "obligations[0]").message


def test_hand_written_wrong_span_is_quoted_not_the_sentence_it_cites():
    doc, sentences = _doc()
    notice = next(s for s in sentences if "notify" in s.text)
    # a wrong answer written for this test: the model's span says "thirty (30) days", the source "ten (10)"
    wrong = "The Supplier shall notify the Buyer within thirty (30) days"
    message = _g001(Evidence(sentence_ids=[notice.id], span=wrong))
    assert message == ("cited text not found in the source: 'The Supplier shall notify the Buyer within thirty (30) "
                       "days'; cited sentence: 'The Supplier shall notify the Buyer within ten (10) days "
                       "of any defect.'")


def test_cited_sentence_that_does_not_exist_is_named_with_its_span():
    wrong = "The Buyer shall pay within 90 days"  # a wrong answer written for this test: sentence 9 does not exist
    assert _g001(Evidence(sentence_ids=[9], span=wrong)) == (
        "cited text not found in the source: 'The Buyer shall pay within 90 days'")
    assert _g001(Evidence(sentence_ids=[9])) == "cited sentence(s) [9] not found in the source"


def test_a_long_span_keeps_its_start_and_its_end():
    span = "a" * 300 + " the invented end" + "b" * 300
    message = not_found_message(Evidence(span=span, match=MatchStatus.NOT_FOUND))
    quoted = message.removeprefix("cited text not found in the source: ")
    assert quoted == repr("a" * 198 + " … " + "b" * 198)
