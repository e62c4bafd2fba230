"""K009: a value answered by a second-pass question about one sentence goes to a reviewer (the second pass
itself: tests/test_second_pass.py)."""

from __future__ import annotations

import rules
from schemas import ContractExtraction, Duration, DurationClaim, Evidence, Party, SourceDocument
from tests.rules_fixtures import fires, silent


def test_k009_fires_on_an_asked_value_only():
    text = "The initial term of this Agreement is two (2) years.\n"
    doc = SourceDocument(document_id="d", text=text, pages=[])
    x = ContractExtraction(parties=[Party(name="A Corp."), Party(name="B LLC")])
    x.initial_term = DurationClaim(value=Duration(value=2, unit="years"), raw_text="two (2) years",
                                   evidence=Evidence(span="two (2) years", asked=True))
    assert fires(rules.evaluate(x, doc), "K009", "initial_term").severity == "warning"
    x.initial_term.evidence = Evidence(span="two (2) years")
    silent(rules.evaluate(x, doc), "K009")
