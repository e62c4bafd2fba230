"""Helpers for the batch tests: files that make a reader fail, built here (never shipped), and the
``clausewise`` command run as a real process, optionally without root's file-access capabilities."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO, unavailable

CONTRACT = (
    "MASTER SUPPLY AGREEMENT\n\n"
    "This Master Supply Agreement is made on March 1, 2024 between Acme Components Inc., a Delaware corporation "
    "(\"Supplier\"), and Beta Retail LLC, a Texas limited liability company (\"Buyer\").\n\n"
    "1. Term. This Agreement begins on the Effective Date and continues for two (2) years.\n\n"
    "2. Payment. Buyer shall pay each invoice within thirty (30) days of receipt.\n\n"
    "3. Governing Law. This Agreement is governed by the laws of the State of New York.\n"
)


def contract_text(tag: str) -> str:
    """A short contract whose bytes differ per ``tag`` (each file its own document)."""
    return CONTRACT.replace("Beta Retail LLC", f"Beta Retail {tag} LLC")


def pdf_bytes(objects: list[bytes]) -> bytes:
    """A PDF file of ``objects`` (numbered 1..n, the first the catalog) with a correct cross-reference table."""
    out = b"%PDF-1.7\n"
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


def _stream(data: bytes) -> bytes:
    return f"<< /Length {len(data)} >>\nstream\n".encode() + data + b"\nendstream"


_TEXT = b"BT /F1 12 Tf 72 720 Td (This Agreement is made between Acme Inc. and Beta LLC.) Tj ET"
_FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
_PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>"


def page_tree_cycle_pdf(path: Path) -> Path:
    """A PDF whose page tree (/Pages) lists itself among its /Kids, after one real page."""
    path.write_bytes(pdf_bytes([b"<< /Type /Catalog /Pages 2 0 R >>",
                                b"<< /Type /Pages /Kids [3 0 R 2 0 R] /Count 2 >>",
                                _PAGE, _stream(_TEXT), _FONT]))
    return path


def nested_graphics_states_pdf(path: Path, depth: int = 300_000) -> Path:
    """A one-page PDF whose content stream nests ``depth`` graphics states (``q`` ... ``Q``)."""
    path.write_bytes(pdf_bytes([b"<< /Type /Catalog /Pages 2 0 R >>",
                                b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                                _PAGE, _stream(b"q " * depth + _TEXT + b" Q" * depth), _FONT]))
    return path


def large_text(size: int) -> str:
    """``size`` characters of ONE line of short numbered clauses (as some exports write a whole document)."""
    parts, n, i = [], 0, 0
    while n < size:
        i += 1
        s = f"Fee {i} is due in {i % 90 + 1} days. Late fees apply. Buyer pays by wire. "
        parts.append(s)
        n += len(s)
    return "".join(parts)[:size]


def large_text_file(path: Path, size: int = 5_300_000) -> Path:
    """A text contract of ``size`` bytes of :func:`large_text`. One Punkt call over it takes about 3 s a MB on
    2 cores here: over NLTK's 5 s limit."""
    path.write_text(large_text(size).rstrip() + "\n", encoding="ascii")
    return path


def unprivileged() -> list[str]:
    """The command prefix that runs a process without root's capabilities to bypass file permissions
    (``setpriv`` dropping every capability, inheritable and bounding), or nothing when not root."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        unavailable("setpriv (util-linux) is needed to drop root's file-access capabilities")
    return ["setpriv", "--inh-caps=-all", "--bounding-set=-all"]


def clausewise(*args: str, env: dict[str, str] | None = None, as_unprivileged: bool = False,
               timeout: float = 900, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run ``clausewise ARGS`` as a new process (this checkout first on the path); returns the completed
    process with text stdout/stderr."""
    full_env = {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "250", "NO_COLOR": "1", **(env or {})}
    cmd = [sys.executable, "-c", "from pipeline.cli import main; main()", *args]
    return subprocess.run((unprivileged() if as_unprivileged else []) + cmd, env=full_env, cwd=cwd or REPO,
                          capture_output=True, text=True, timeout=timeout)


def clausewise_hooked(hook: str, *args: str, env: dict[str, str] | None = None,
                      timeout: float = 900) -> subprocess.CompletedProcess:
    """Run ``clausewise ARGS`` as a new process with a :mod:`tests.proc_hooks` hook (``kill:MOMENT``)."""
    full_env = {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "250", "NO_COLOR": "1", **(env or {})}
    return subprocess.run([sys.executable, "-m", "tests.proc_hooks", hook, "--", *args], env=full_env, cwd=REPO,
                          capture_output=True, text=True, timeout=timeout)


def start_clausewise(*args: str, hook: str | None = None, env: dict[str, str] | None = None) -> subprocess.Popen:
    """Start ``clausewise ARGS`` as a new process (with a :mod:`tests.proc_hooks` hook if given) and return at
    once; read its output with ``communicate()``."""
    full_env = {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "250", "NO_COLOR": "1", **(env or {})}
    cmd = ([sys.executable, "-m", "tests.proc_hooks", hook, "--", *args] if hook else
           [sys.executable, "-c", "from pipeline.cli import main; main()", *args])
    return subprocess.Popen(cmd, env=full_env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for(path: Path, proc: subprocess.Popen, limit_s: float = 600) -> None:
    """Wait until ``path`` exists (a paused process reached its moment); fail if ``proc`` ended first."""
    import time

    deadline = time.monotonic() + limit_s
    while not path.exists():
        if proc.poll() is not None:
            out, err = proc.communicate()
            raise AssertionError(f"the process ended before reaching its moment (rc {proc.returncode}):\n{out}\n{err}")
        if time.monotonic() > deadline:
            proc.kill()
            raise AssertionError(f"the process never reached its moment ({path})")
        time.sleep(0.02)


def replay_env(data_dir: Path) -> dict[str, str]:
    """Settings for ``clausewise ingest samples/`` on the default model's recorded answers (its tokenizer sets
    the chunks the recordings were made for: unavailable without it)."""
    from pipeline.llm.registry import is_installed
    from pipeline.settings import Settings

    model = "qwen2.5-coder-1.5b"
    if not is_installed(model, Settings().cache_dir):
        unavailable(f"{model} is not installed: its tokenizer sets the chunks the recordings were made for")
    return {"CLAUSEWISE_BACKEND": "replay", "CLAUSEWISE_MODEL": model,
            "CLAUSEWISE_REPLAY_DIR": str(REPO / "tests" / "recordings" / "samples"),
            "CLAUSEWISE_DATA_DIR": str(data_dir)}
