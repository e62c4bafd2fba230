"""The house by concern: pipeline/ holds only its stages at the top, each concern has its room, and the
pure rooms load no database, PDF library or LLM client when imported (import-linter checks the static
imports; this checks what an import really loads)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PIPELINE = REPO / "pipeline"
ROOMS = ("cli", "evaluation", "extraction", "extraction/readers", "llm", "reading", "review", "store")
HEAVY = ("sqlalchemy", "pymupdf", "fitz", "instructor", "openai", "llama_cpp")


def test_pipeline_top_level_holds_at_most_six_modules():
    modules = sorted(p.name for p in PIPELINE.glob("*.py"))
    assert len(modules) <= 6, modules
    assert {"ingest.py", "extract.py", "verify.py"} <= set(modules)


@pytest.mark.parametrize("room", ROOMS)
def test_each_room_is_a_documented_package(room):
    init = PIPELINE / room / "__init__.py"
    assert init.is_file(), room
    assert init.read_text().lstrip().startswith('"""'), f"{room}/__init__.py has no docstring"


def _loaded_by(module: str) -> list[str]:
    code = (f"import sys, json; import {module}; "
            f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {list(HEAVY)!r})))")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


@pytest.mark.parametrize("module", [
    "rules", "rules.text", "pipeline.extraction", "pipeline.extraction.readers", "pipeline.extraction.grounding",
    "pipeline.extraction.merge", "pipeline.extraction.prompts",
])
def test_pure_rooms_load_no_database_pdf_or_llm_library(module):
    assert _loaded_by(module) == []


def test_the_llm_boundary_loads_no_backend_until_one_is_named():
    assert _loaded_by("pipeline.llm.base") == []
