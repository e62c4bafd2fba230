"""Builders for rule-engine tests: a clean contract whose every field is grounded and consistent.

``clean()`` returns (extraction, document); tests change one thing and check which rule fires.
``fires``/``silent`` are the only assertions on rule ids, so that tests/test_rules_catalogue.py can
check statically that every catalogue rule has a failing and a passing test.
"""

from __future__ import annotations

import datetime as dt

from schemas import (
    BoolClaim, ContractExtraction, DateClaim, Duration, DurationClaim, Evidence, Finding, GoverningLaw,
    LiabilityCap, MatchStatus, Obligation, Party, PaymentTerms, SourceDocument, SourcePage, TerminationKind,
    TerminationRight,
)

TEXT = (
    "MASTER SERVICES AGREEMENT\n"
    "This Master Services Agreement is entered into as of March 1, 2021 (the \"Effective Date\") by and between "
    "Acme Widgets, Inc., a Delaware corporation (\"Supplier\"), and Beta Retail LLC, a New York limited "
    "liability company (\"Customer\").\n"
    "1. Term. The initial term of this Agreement is three (3) years from the Effective Date and ends on "
    "February 29, 2024.\n"
    "2. Renewal. This Agreement shall automatically renew for successive one (1) year terms unless either party "
    "gives written notice of non-renewal at least sixty (60) days before the end of the then-current term.\n"
    "3. Payment. Customer shall pay each invoice within thirty (30) days after receipt.\n"
    "4. Termination for Convenience. Either party may terminate this Agreement for convenience upon ninety (90) "
    "days' prior written notice.\n"
    "5. Confidentiality. The obligations of confidentiality shall survive for three (3) years after termination.\n"
    "6. Liability. Each party's aggregate liability shall not exceed the fees paid in the prior twelve (12) months.\n"
    "7. Governing Law. This Agreement is governed by the laws of the State of Delaware.\n"
)

PREAMBLE = TEXT.split("\n")[1]
TERM = TEXT.split("\n")[2]
RENEWAL = TEXT.split("\n")[3]
PAYMENT = TEXT.split("\n")[4]
TFC = TEXT.split("\n")[5]
CONF = TEXT.split("\n")[6]
LIAB = TEXT.split("\n")[7]
LAW = TEXT.split("\n")[8]


def ev(quote: str, span: str | None = None, match: MatchStatus = MatchStatus.EXACT, text: str = TEXT) -> Evidence:
    """Evidence for ``quote`` as grounding would set it (offsets into ``text``, page 1)."""
    start = text.find(quote)
    assert start >= 0 or match == MatchStatus.NOT_FOUND, quote
    span = span or quote
    vs = text.find(span, max(start, 0))
    return Evidence(
        sentence_ids=[0], span=span, quote=quote if start >= 0 else None, page=1 if start >= 0 else None,
        start=start if start >= 0 else None, end=start + len(quote) if start >= 0 else None,
        value_start=vs if vs >= 0 else None, value_end=vs + len(span) if vs >= 0 else None, match=match,
    )


def days(n: float, unit: str = "days") -> Duration:
    return Duration(value=n, unit=unit)


def clean() -> tuple[ContractExtraction, SourceDocument]:
    """A faithful extraction of :data:`TEXT`; the engine must find nothing in it."""
    x = ContractExtraction(
        document_id="doc1",
        parties=[
            Party(name="Acme Widgets, Inc.", role="Supplier", defined_terms=["Supplier"], entity_type="corporation",
                  jurisdiction="Delaware", evidence=ev(PREAMBLE, "Acme Widgets, Inc.")),
            Party(name="Beta Retail LLC", role="Customer", defined_terms=["Customer"],
                  entity_type="limited liability company", jurisdiction="New York",
                  evidence=ev(PREAMBLE, "Beta Retail LLC")),
        ],
        effective_date=DateClaim(value=dt.date(2021, 3, 1), parsed=dt.date(2021, 3, 1), raw_text="March 1, 2021",
                                 evidence=ev(PREAMBLE, "March 1, 2021")),
        expiration_date=DateClaim(value=dt.date(2024, 2, 29), parsed=dt.date(2024, 2, 29),
                                  raw_text="February 29, 2024", evidence=ev(TERM, "February 29, 2024")),
        initial_term=DurationClaim(value=days(3, "years"), parsed=days(3, "years"), raw_text="three (3) years",
                                   evidence=ev(TERM, "three (3) years")),
        auto_renewal=BoolClaim(value=True, evidence=ev(RENEWAL, "shall automatically renew")),
        renewal_term=DurationClaim(value=days(1, "years"), parsed=days(1, "years"), evidence=ev(RENEWAL, "one (1) year")),
        renewal_notice=DurationClaim(value=days(60), parsed=days(60), evidence=ev(RENEWAL, "sixty (60) days")),
        governing_law=GoverningLaw(jurisdiction="Delaware", evidence=ev(LAW, "State of Delaware")),
        payment_terms=PaymentTerms(days=30, day_type="calendar", trigger="receipt of invoice",
                                   evidence=ev(PAYMENT, "thirty (30) days")),
        liability_cap=LiabilityCap(formula="fees paid in the prior twelve (12) months",
                                   evidence=ev(LIAB, "fees paid in the prior twelve (12) months")),
        termination_rights=[TerminationRight(kind=TerminationKind.FOR_CONVENIENCE, notice=days(90),
                                             evidence=ev(TFC, "ninety (90) days"))],
        confidentiality_survival=DurationClaim(value=days(3, "years"), parsed=days(3, "years"),
                                               evidence=ev(CONF, "three (3) years")),
        obligations=[Obligation(obligor="Beta Retail LLC", obligee="Acme Widgets, Inc.", action="pay each invoice",
                                category="payment", evidence=ev(PAYMENT, "Customer shall pay each invoice"))],
    )
    doc = SourceDocument(document_id="doc1", text=TEXT, pages=[SourcePage(number=1, start=0, end=len(TEXT))])
    return x, doc


def fires(findings: list[Finding], rule_id: str, field_path: str | None = None) -> Finding:
    """Assert ``rule_id`` fired (on ``field_path`` when given); return the finding."""
    hits = [f for f in findings if f.rule_id == rule_id and (field_path is None or f.field_path == field_path)]
    assert hits, f"{rule_id} on {field_path} expected; got {[(f.rule_id, f.field_path) for f in findings]}"
    return hits[0]


def silent(findings: list[Finding], rule_id: str) -> None:
    """Assert ``rule_id`` did not fire."""
    hits = [f for f in findings if f.rule_id == rule_id]
    assert not hits, f"{rule_id} should not fire: {[(f.field_path, f.message) for f in hits]}"
