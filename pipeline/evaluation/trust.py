"""The trust figures of an evaluation: how often an auto-accepted value is wrong, how many wrong values the
findings catch, and how much review the findings cost.

Input: one :class:`FieldRecord` per document and labelled field (its :data:`~pipeline.evaluation.scoring.Outcome`,
whether a warning or error finding is on it, whether a completeness rule reports it; :func:`field_records`
builds them). :func:`summarize` counts them per field and overall (:class:`FieldSummary`):

- agreement = recall = right / (right + wrong + missing) (a missing value counts against it);
- precision = right / (right + wrong + invented) (of the values given where the gold is known);
- auto-accept precision: of the values given (right, wrong, invented) that carry no warning or error finding,
  the share right, with a Wilson 95 % interval (:func:`wilson`);
- flag recall: of the wrong and invented values, the share that carry a finding;
- missing values flagged by a completeness rule: of the missing values, the share a K rule reports;
- review load: the share of fields that carry a finding, the share of right values flagged anyway, and (in
  :class:`TrustSummary`) the share of documents sent to review and findings per document.

Every ratio is a :class:`Rate` (count, total; its value is ``None`` when the total is 0). All classes are
plain frozen dataclasses; ``to_dict()`` gives JSON-serialisable dicts.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pipeline.evaluation.labels import SCORED_FIELDS
from pipeline.evaluation.scoring import Outcome, flagged, flagged_by_completeness



def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score interval of ``k`` successes in ``n`` trials, clipped to [0, 1]; ``(0.0, 1.0)`` when
    ``n == 0``. ``z``: the normal quantile (1.96 for 95 %). Source: E. B. Wilson, "Probable inference, the
    law of succession, and statistical inference", JASA 22 (1927); recommended over the normal (Wald) interval
    by A. Agresti and B. A. Coull, "Approximate is better than 'exact' for interval estimation of binomial
    proportions", The American Statistician 52 (1998). Example: ``wilson(8, 10)`` ≈ ``(0.490, 0.943)``.
    Raises :class:`ValueError` unless ``0 <= k <= n``."""
    if n == 0:
        return 0.0, 1.0
    if not 0 <= k <= n:
        raise ValueError(f"need 0 <= k <= n, got k={k}, n={n}")
    p = k / n
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class Rate:
    """``count`` of ``total``: :attr:`value` is the share (``None`` when ``total`` is 0), :attr:`interval`
    its Wilson 95 % interval (``None`` when ``total`` is 0)."""

    count: int
    total: int

    @property
    def value(self) -> float | None:
        return self.count / self.total if self.total else None

    @property
    def interval(self) -> tuple[float, float] | None:
        return wilson(self.count, self.total) if self.total else None

    def __str__(self) -> str:
        return f"{self.count}/{self.total}"

    def to_dict(self) -> dict[str, Any]:
        """``{"count", "total", "value", "interval": [low, high] | None}``."""
        iv = self.interval
        return {"count": self.count, "total": self.total, "value": self.value,
                "interval": None if iv is None else [iv[0], iv[1]]}


@dataclass(frozen=True)
class FieldRecord:
    """One labelled field of one document: its outcome, whether a warning or error finding is on it
    (``flagged``) and whether a completeness rule reports it (``completeness_flagged``)."""

    document: str
    field: str
    outcome: Outcome
    flagged: bool
    completeness_flagged: bool

    def to_dict(self) -> dict[str, Any]:
        """The record's attributes as a dict."""
        return {"document": self.document, "field": self.field, "outcome": self.outcome,
                "flagged": self.flagged, "completeness_flagged": self.completeness_flagged}


def field_records(document: str, outcomes: Mapping[str, Outcome], findings: Iterable[Any]) -> list[FieldRecord]:
    """The records of one document: each field of ``outcomes`` (from
    :func:`~pipeline.evaluation.scoring.score`) with :func:`~pipeline.evaluation.scoring.flagged` and
    :func:`~pipeline.evaluation.scoring.flagged_by_completeness` over ``findings`` (the document's)."""
    findings = list(findings)
    return [FieldRecord(document, fld, outcome, flagged(fld, findings), flagged_by_completeness(fld, findings))
            for fld, outcome in outcomes.items()]


_GIVEN = ("right", "wrong", "invented")  # the extraction has a value whose correctness is known


@dataclass(frozen=True)
class FieldSummary:
    """Counts and rates of one field (or of all, ``field == "overall"``); see the module docstring."""

    field: str
    right: int = 0
    wrong: int = 0
    missing: int = 0
    invented: int = 0
    absent: int = 0
    unlabelled: int = 0
    flagged: int = 0
    """Records with a warning or error finding (any outcome)."""
    right_flagged_count: int = 0
    auto_accepted: int = 0
    """Values given (right, wrong, invented) with no warning or error finding."""
    auto_accepted_right: int = 0
    wrong_or_invented_flagged: int = 0
    missing_completeness_flagged: int = 0

    @classmethod
    def from_records(cls, fld: str, records: Iterable[FieldRecord]) -> FieldSummary:
        """Count ``records`` (all of them, whatever their field) under the name ``fld``."""
        c = {k: 0 for k in ("right", "wrong", "missing", "invented", "absent", "unlabelled", "flagged",
                            "right_flagged_count", "auto_accepted", "auto_accepted_right",
                            "wrong_or_invented_flagged", "missing_completeness_flagged")}
        for r in records:
            c[r.outcome] += 1
            c["flagged"] += r.flagged
            if r.outcome == "right":
                c["right_flagged_count"] += r.flagged
            if r.outcome in _GIVEN and not r.flagged:
                c["auto_accepted"] += 1
                c["auto_accepted_right"] += r.outcome == "right"
            if r.outcome in ("wrong", "invented"):
                c["wrong_or_invented_flagged"] += r.flagged
            if r.outcome == "missing":
                c["missing_completeness_flagged"] += r.completeness_flagged
        return cls(fld, **c)

    @property
    def records(self) -> int:
        """Every record counted, unlabelled ones included."""
        return self.right + self.wrong + self.missing + self.invented + self.absent + self.unlabelled

    @property
    def correct(self) -> int:
        """Right values plus values rightly left empty (``absent``): what ``scripts/compare_samples.py``
        counts as right."""
        return self.right + self.absent

    @property
    def agreement(self) -> Rate:
        """right / (right + wrong + missing): ``scripts/eval_cuad.py``'s "agree / with answer"."""
        return Rate(self.right, self.right + self.wrong + self.missing)

    @property
    def recall(self) -> Rate:
        """right / (right + wrong + missing): the same ratio as :attr:`agreement`."""
        return self.agreement

    @property
    def precision(self) -> Rate:
        """right / (right + wrong + invented)."""
        return Rate(self.right, self.right + self.wrong + self.invented)

    @property
    def auto_accept_precision(self) -> Rate:
        """Of the values given with no warning or error finding, the share right (its Wilson interval in
        :attr:`Rate.interval`)."""
        return Rate(self.auto_accepted_right, self.auto_accepted)

    @property
    def flag_recall(self) -> Rate:
        """Of the wrong and invented values, the share with a warning or error finding."""
        return Rate(self.wrong_or_invented_flagged, self.wrong + self.invented)

    @property
    def missing_flagged_by_completeness(self) -> Rate:
        """Of the missing values, the share a completeness rule reports."""
        return Rate(self.missing_completeness_flagged, self.missing)

    @property
    def fields_flagged(self) -> Rate:
        """Of all records, the share with a warning or error finding (review load)."""
        return Rate(self.flagged, self.records)

    @property
    def right_flagged(self) -> Rate:
        """Of the right values, the share flagged anyway (review load that finds nothing)."""
        return Rate(self.right_flagged_count, self.right)

    def to_dict(self) -> dict[str, Any]:
        """Counts and every rate (:meth:`Rate.to_dict`)."""
        return {
            "field": self.field, "right": self.right, "wrong": self.wrong, "missing": self.missing,
            "invented": self.invented, "absent": self.absent, "unlabelled": self.unlabelled,
            "correct": self.correct, "flagged": self.flagged, "auto_accepted": self.auto_accepted,
            **{name: getattr(self, name).to_dict() for name in (
                "agreement", "precision", "recall", "auto_accept_precision", "flag_recall",
                "missing_flagged_by_completeness", "fields_flagged", "right_flagged")},
        }


@dataclass(frozen=True)
class TrustSummary:
    """The figures of one evaluation: per field (in :data:`~pipeline.evaluation.labels.SCORED_FIELDS` order),
    overall, and the document-level review load."""

    fields: dict[str, FieldSummary]
    overall: FieldSummary
    documents: int
    documents_to_review: int
    findings: int
    """Warning and error findings, or whatever the caller counts: :attr:`findings_per_document` divides it."""

    @property
    def documents_to_review_share(self) -> Rate:
        """Of the documents, the share sent to review."""
        return Rate(self.documents_to_review, self.documents)

    @property
    def findings_per_document(self) -> float | None:
        """Findings per document; ``None`` with no document."""
        return self.findings / self.documents if self.documents else None

    def to_dict(self) -> dict[str, Any]:
        """``{"fields": {field: ...}, "overall": ..., "documents", "documents_to_review",
        "documents_to_review_share", "findings", "findings_per_document"}``."""
        return {
            "fields": {f: s.to_dict() for f, s in self.fields.items()},
            "overall": self.overall.to_dict(),
            "documents": self.documents, "documents_to_review": self.documents_to_review,
            "documents_to_review_share": self.documents_to_review_share.to_dict(),
            "findings": self.findings, "findings_per_document": self.findings_per_document,
        }


def summarize(records: Iterable[FieldRecord], documents: int, documents_to_review: int,
              findings: int) -> TrustSummary:
    """Count ``records`` per field and overall. ``documents``: documents evaluated; ``documents_to_review``:
    how many of them went to review; ``findings``: the findings on them (for findings per document)."""
    records = list(records)
    order = {f: i for i, f in enumerate(SCORED_FIELDS)}
    names = sorted(dict.fromkeys(r.field for r in records), key=lambda f: (order.get(f, len(order)), f))
    fields = {f: FieldSummary.from_records(f, [r for r in records if r.field == f]) for f in names}
    return TrustSummary(fields, FieldSummary.from_records("overall", records), documents, documents_to_review,
                        findings)
