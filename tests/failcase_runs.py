"""The failure cases of ../shared/failcases run end to end (ingest → extract → verify) on the default
model's recorded answers; shared by tests/test_extract_failcases.py and the recording command.

Record (or re-record after a prompt or schema change) with the real local model::

    CLAUSEWISE_RECORD=1 CLAUSEWISE_LLM_TIMEOUT_S=3000 .venv/bin/python -m tests.failcase_runs [CASE ...]

which ingests each case into a temporary SQLite database with the ``replay`` backend: a request
without a recording calls the local model (qwen2.5-coder-1.5b) and writes its answer under
``tests/recordings/failcases``. Without ``CLAUSEWISE_RECORD`` a missing answer raises ReplayMiss.
"""

from __future__ import annotations

import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline.store.engine import make_engine, upgrade
from pipeline.ingest import ingest_paths
from pipeline.store.tables import Document, FindingRow
from pipeline.run import process_documents
from pipeline.settings import Settings
from pipeline.store.queries import latest_extraction
from schemas import ContractExtraction

REPO = Path(__file__).resolve().parents[1]
FAILCASES = REPO.parent / "shared" / "failcases"
RECORDINGS = REPO / "tests" / "recordings" / "failcases"
MODEL = "qwen2.5-coder-1.5b"

#: case id -> (file inside ../shared/failcases/<case>/, password). Cost order: short texts first.
CASES: dict[str, tuple[str, str | None]] = {
    "F14": ("contract.txt", None),
    "F15": ("contract.txt", None),
    "F16": ("contract.txt", None),
    "F18": ("contract.txt", None),
    "F21": ("contract.txt", None),
    "F22": ("contract.txt", None),
    "F24": ("contract.txt", None),
    "F28": ("contract.txt", None),
    "F30": ("contract.txt", None),
    "F01": ("contract.pdf", None),
    "F02": ("contract.pdf", None),
    "F03": ("contract.pdf", None),
    "F04": ("contract.pdf", None),
    "F05": ("contract.pdf", None),
    "F08": ("contract_user_password.pdf", "secret"),
    "F08-owner": ("contract_owner_password_only.pdf", None),
    "F12": ("contract.pdf", None),
    "F27": ("contract.pdf", None),
    "F07": ("contract.pdf", None),
    "F26": ("contract.pdf", None),
    "F32": ("contract.txt", None),
}


@dataclass
class CaseRun:
    """One case after ingest, extraction and verification."""

    case: str
    status: str
    extraction: ContractExtraction | None
    findings: list[tuple[str, str, str]] = field(default_factory=list)  # (rule_id, severity, field_path)
    messages: dict[tuple[str, str], str] = field(default_factory=dict)  # (rule_id, field_path) -> message

    def flagged(self, field_prefix: str) -> bool:
        """Whether a warning or error finding names a field path starting with ``field_prefix``."""
        return any(p.startswith(field_prefix) and sev in ("warning", "error") for _, sev, p in self.findings)


def case_path(case: str) -> Path:
    name, _ = CASES[case]
    return FAILCASES / case.split("-")[0] / name


def run_cases(cases: list[str], data_dir: Path, settings_kw: dict | None = None) -> dict[str, CaseRun]:
    """Ingest, extract and verify each case into a fresh SQLite database under ``data_dir``."""
    data_dir.mkdir(parents=True, exist_ok=True)
    settings = Settings(data_dir=data_dir, backend="replay", model=MODEL, replay_dir=RECORDINGS, **(settings_kw or {}))
    engine = make_engine(f"sqlite:///{data_dir / 'failcases.db'}")
    upgrade(engine)
    out: dict[str, CaseRun] = {}
    for case in cases:
        _, password = CASES[case]
        outcomes = ingest_paths(engine, [case_path(case)], settings, password=password)
        ids = [o.document_id for o in outcomes if o.document_id]
        process_documents(engine, ids, settings)
        with Session(engine) as s:
            doc = s.get(Document, ids[0])
            rows = s.scalars(select(FindingRow).where(FindingRow.document_id == doc.id)).all()
            out[case] = CaseRun(case, doc.status, latest_extraction(s, doc.id),
                                [(f.rule_id, f.severity, f.field_path or "") for f in rows],
                                {(f.rule_id, f.field_path or ""): f.message for f in rows})
    engine.dispose()
    return out


def main(argv: list[str]) -> int:
    cases = argv or list(CASES)
    with tempfile.TemporaryDirectory() as tmp:
        for case in cases:
            run = run_cases([case], Path(tmp) / case)[case]
            x = run.extraction
            print(case, run.status, x.model_dump_json(exclude_none=True)[:3000] if x else None, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
