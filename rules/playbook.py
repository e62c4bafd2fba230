"""Playbooks: an organization's positions as YAML rules with CEL expressions (cel-python), no Python.

File shape (see ``rules/playbooks/default.yaml``, whose header documents every variable)::

    playbook: default
    rules:
      - id: PB002
        title: Payment terms at most 45 days
        severity: warning            # info | warning | error
        field: payment_terms         # field path the finding is filed under
        when: stated(payment_terms_days)   # optional CEL precondition; the rule is skipped when false
        expr: payment_terms_days <= 45     # CEL that must hold; a finding when false
        message: Payment terms exceed 45 days.

Variables are a plain view of the extraction (:func:`view`): absent values are ``null`` (test with the
function ``stated(x)``, since cel-python 0.5 cannot compare a number with null); durations are in
days (months = 30.4375 days, years = 365.25 days, business day = 1.4 days, as :meth:`schemas.Duration.approx_days`).
Any failure (unreadable YAML, missing key, CEL syntax error, unknown variable, non-boolean result, an
evaluation error on an extraction) raises :class:`PlaybookError` naming the file and the rule id.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import celpy
import yaml

from rules.completeness import stated_in
from rules.registry import RuleInfo
from rules.text import jurisdiction_of
from schemas import ClausewiseError, ContractExtraction, Finding, Severity, SourceDocument, TerminationKind

DEFAULT_PLAYBOOK = Path(__file__).with_name("playbooks") / "default.yaml"


class PlaybookError(ClausewiseError, ValueError):
    """A playbook file that cannot be loaded or a rule that cannot be evaluated; the message names file and rule."""


def _days(claim) -> float | None:
    if claim is None or claim.value is None:
        return None
    return round(claim.value.approx_days(), 4)


def _law(x: ContractExtraction) -> tuple[str | None, str | None]:
    """``(name, ISO 3166 code)`` of the governing law's place: the canonical name and code when
    :func:`rules.text.jurisdiction_of` knows the place, else the text as written and ``None``."""
    g = x.governing_law
    written = (g.jurisdiction or g.raw_text) if g is not None else None
    if not written:
        return None, None
    place = jurisdiction_of(g.jurisdiction) or jurisdiction_of(g.raw_text)
    return (place.name, place.code) if place is not None else (written, None)


def view(x: ContractExtraction, doc: SourceDocument | None = None) -> dict[str, Any]:
    """The CEL variables for ``x`` (JSON types only; ``None`` = not stated). Documented in default.yaml.
    ``doc`` gives the variables read from the text (``liability_cap_in_text``; ``None`` without it)."""
    tfc = [t for t in x.termination_rights if t.kind == TerminationKind.FOR_CONVENIENCE]
    tfc_notice = [t.notice.approx_days() for t in tfc if t.notice is not None]
    lc = x.liability_cap
    pt = x.payment_terms
    survival = _days(x.confidentiality_survival)
    law_name, law_code = _law(x)
    return {
        "party_count": len(x.parties),
        "party_names": [p.name for p in x.parties],
        "agreement_date": x.agreement_date.value.isoformat() if x.agreement_date and x.agreement_date.value else None,
        "effective_date": x.effective_date.value.isoformat() if x.effective_date and x.effective_date.value else None,
        "expiration_date": (x.expiration_date.value.isoformat()
                            if x.expiration_date and x.expiration_date.value else None),
        "initial_term_days": _days(x.initial_term),
        "auto_renewal": x.auto_renewal.value if x.auto_renewal is not None else None,
        "renewal_term_days": _days(x.renewal_term),
        "renewal_notice_days": _days(x.renewal_notice),
        "governing_law": law_name,
        "governing_law_code": law_code,
        "payment_terms_days": pt.days if pt is not None else None,
        "payment_terms_day_type": pt.day_type if pt is not None else None,
        "liability_cap_present": lc is not None and (lc.amount is not None or bool(lc.formula)),
        "liability_cap_in_text": None if doc is None else stated_in(doc.text, "liability_cap") is not None,
        "liability_cap_amount": lc.amount.amount if lc is not None and lc.amount is not None else None,
        "liability_cap_currency": lc.amount.currency if lc is not None and lc.amount is not None else None,
        "confidentiality_survival_days": survival,
        "confidentiality_survival_years": round(survival / 365.25, 4) if survival is not None else None,
        "termination_for_convenience": bool(tfc),
        "termination_for_convenience_notice_days": min(tfc_notice) if tfc_notice else None,
        "fee_count": len(x.fees),
        "obligation_count": len(x.obligations),
    }


# A view with every variable stated, used to dry-run each rule at load time (unknown names, type errors).
_SAMPLE = {
    "party_count": 2, "party_names": ["Acme Corp.", "Beta LLC"], "agreement_date": "2024-01-01",
    "effective_date": "2024-01-01", "expiration_date": "2025-01-01", "initial_term_days": 365.25,
    "auto_renewal": True, "renewal_term_days": 365.25, "renewal_notice_days": 60.0, "governing_law": "Delaware", "governing_law_code": "US-DE",
    "payment_terms_days": 30, "payment_terms_day_type": "calendar", "liability_cap_present": True, "liability_cap_in_text": True,
    "liability_cap_amount": 100000.0, "liability_cap_currency": "USD", "confidentiality_survival_days": 1095.75,
    "confidentiality_survival_years": 3.0, "termination_for_convenience": True,
    "termination_for_convenience_notice_days": 90.0, "fee_count": 1, "obligation_count": 3,
}
VARIABLES = tuple(_SAMPLE)

_ENV = celpy.Environment()


def _stated(value: Any) -> celpy.celtypes.BoolType:
    """CEL ``stated(x)``: x is not null. (cel-python 0.5 raises on ``30 != null``, so numbers need this.)"""
    return celpy.celtypes.BoolType(value is not None)


FUNCTIONS = {"stated": _stated}


def _short(exc: Exception) -> str:
    msg = exc.args[0] if exc.args and isinstance(exc.args[0], str) else str(exc)
    return msg.split(" (in activation")[0].replace("\n", " ")[:200]


@dataclass(frozen=True)
class PlaybookRule:
    id: str
    title: str
    severity: Severity
    field: str
    expr: str
    message: str
    when: str | None
    _when: Any
    _expr: Any


@dataclass(frozen=True)
class Playbook:
    """A loaded playbook: its file, name and compiled rules (in file order)."""

    path: Path
    name: str
    rules: tuple[PlaybookRule, ...]

    def _run(self, r: PlaybookRule, program: Any, text: str, what: str, variables: dict[str, Any]) -> bool:
        try:
            result = program.evaluate({k: celpy.json_to_cel(v) for k, v in variables.items()})
        except Exception as exc:  # noqa: BLE001 - every CEL failure becomes one clear error
            raise PlaybookError(f"{self.path}: rule {r.id}: {what} {text!r} failed: {_short(exc)}") from None
        if not isinstance(result, bool):  # celpy BoolType subclasses int, not bool
            if type(result).__name__ != "BoolType":
                raise PlaybookError(f"{self.path}: rule {r.id}: {what} {text!r} gave {result!r}, not true/false")
        return bool(result)

    def check(self, r: PlaybookRule, variables: dict[str, Any]) -> bool:
        """Whether rule ``r`` holds for ``variables`` (True when its ``when`` is false). Raises PlaybookError."""
        if r._when is not None and not self._run(r, r._when, r.when or "", "when", variables):
            return True
        return self._run(r, r._expr, r.expr, "expr", variables)

    def evaluate(self, x: ContractExtraction, doc: SourceDocument | None = None) -> list[Finding]:
        """A finding for every rule that does not hold for ``x`` (and the text of ``doc``, when given: see
        :func:`view`). Raises PlaybookError on an evaluation error."""
        variables = view(x, doc)
        out = []
        for r in self.rules:
            if not self.check(r, variables):
                top = r.field.split(".")[0].split("[")[0]
                ev = getattr(getattr(x, top, None), "evidence", None)
                out.append(Finding(rule_id=r.id, severity=r.severity, field_path=r.field, message=r.message,
                                   evidence=ev, details={"playbook": self.name, "expr": r.expr}))
        return out

    def rule_infos(self) -> list[RuleInfo]:
        """The playbook's rules as catalogue entries (source: the file)."""
        return [RuleInfo(r.id, r.title, r.severity, (r.field,), f"playbook {self.path.name}", None, "playbook")
                for r in self.rules]


def _compile(path: Path, rid: str, what: str, text: Any) -> Any:
    if not isinstance(text, str) or not text.strip():
        raise PlaybookError(f"{path}: rule {rid}: {what} must be a non-empty CEL string")
    try:
        return _ENV.program(_ENV.compile(text), functions=FUNCTIONS)
    except Exception as exc:  # noqa: BLE001 - CELParseError and lark errors
        raise PlaybookError(f"{path}: rule {rid}: {what} {text!r} does not compile: {_short(exc)}") from None


def load_playbook(path: str | Path) -> Playbook:
    """Load and compile a playbook YAML file; each rule is dry-run on a full sample view.

    Raises PlaybookError (message: file, rule id, reason) for unreadable or invalid YAML, missing or
    unknown keys, a bad severity, duplicate ids, ids that clash with built-in rules, CEL errors.
    """
    from rules.registry import builtin_rules

    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PlaybookError(f"{path}: cannot read: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise PlaybookError(f"{path}: invalid YAML{where}: {getattr(exc, 'problem', None) or exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        raise PlaybookError(f"{path}: expected a mapping with a 'rules' list")
    builtin_ids = {r.id for r in builtin_rules()}
    compiled: list[PlaybookRule] = []
    seen: set[str] = set()
    for i, raw in enumerate(data["rules"]):
        rid = str(raw.get("id")) if isinstance(raw, dict) and raw.get("id") else f"rules[{i}]"
        if not isinstance(raw, dict):
            raise PlaybookError(f"{path}: rule {rid}: expected a mapping")
        missing = [k for k in ("id", "title", "severity", "field", "expr", "message") if not raw.get(k)]
        unknown = sorted(set(raw) - {"id", "title", "severity", "field", "when", "expr", "message"})
        if missing or unknown:
            raise PlaybookError(f"{path}: rule {rid}: " + "; ".join(
                ([f"missing {', '.join(missing)}"] if missing else []) + ([f"unknown {', '.join(unknown)}"] if unknown else [])))
        if rid in seen or rid in builtin_ids:
            raise PlaybookError(f"{path}: rule {rid}: id used twice (or by a built-in rule)")
        seen.add(rid)
        try:
            severity = Severity(str(raw["severity"]).lower())
        except ValueError:
            raise PlaybookError(f"{path}: rule {rid}: severity {raw['severity']!r} is not info, warning or error") from None
        when = raw.get("when")
        r = PlaybookRule(rid, str(raw["title"]), severity, str(raw["field"]), raw["expr"], str(raw["message"]),
                         when, _compile(path, rid, "when", when) if when is not None else None,
                         _compile(path, rid, "expr", raw["expr"]))
        compiled.append(r)
    pb = Playbook(path, str(data.get("playbook") or path.stem), tuple(compiled))
    for r in pb.rules:
        pb.check(r, _SAMPLE)  # unknown variables and type errors surface now, naming the rule
    return pb
