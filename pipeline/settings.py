"""Effective settings of Clausewise.

Read, in order of precedence, from keyword arguments, environment variables with the
prefix ``CLAUSEWISE_`` and an optional ``clausewise.toml`` in the working directory
(or the file named by ``CLAUSEWISE_CONFIG``). Defaults are documented per field.

Loading settings puts their audit key in force for the process (:func:`audit.use_key`: the key of the settings
loaded last, or none) and registers every secret they hold (:func:`audit.add_secret`: the API key, the audit
key, passwords in the database and server URLs), so that no error text, log event or printout shows them.
"""

from __future__ import annotations

import base64
import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

from pydantic import Field, SecretStr
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

import audit
from schemas import ClausewiseError

Backend = Literal["local", "openai", "replay"]
MASK = "***"


def mask_url(url: str | None) -> str | None:
    """``url`` with its credentials masked as ``***``: the password of ``scheme://user:password@host`` and the
    value of every query parameter whose name names a secret (``api_key``, ``token``, ``...password``:
    :func:`audit.is_secret_key`; and ``key``, ``sig``, ``signature``). ``None`` and text that is not a URL come back unchanged."""
    if not url or "://" not in url:
        return url
    try:
        parts = urlsplit(url)
        netloc = parts.netloc
        if "@" not in netloc and not parts.query:
            return url  # nothing to mask: as written ("sqlite:////abs/path.db" would lose a slash when rebuilt)
        if "@" in netloc:
            userinfo, _, hostport = netloc.rpartition("@")
            user, colon, _password = userinfo.partition(":")
            netloc = f"{user}:{MASK}@{hostport}" if colon else f"{userinfo}@{hostport}"
        query = parts.query
        if query:
            pairs = parse_qsl(query, keep_blank_values=True)
            if any(_secret_name(k) for k, _ in pairs):
                query = urlencode([(k, MASK if _secret_name(k) else v) for k, v in pairs], safe="*")
        return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
    except ValueError:
        return url


def url_secrets(url: str | None) -> list[str]:
    """The secrets written in ``url``: the password of its userinfo, and the Basic credentials an HTTP client
    sends for that userinfo (base64 of ``user:password``, RFC 7617; a server may echo them), and the values of
    secret-named query parameters (see :func:`mask_url`); ``[]`` when there are none."""
    if not url or "://" not in url:
        return []
    try:
        parts = urlsplit(url)
        out = []
        if parts.password:
            userinfo = f"{unquote(parts.username or '')}:{unquote(parts.password)}"
            out += [parts.password, unquote(parts.password), base64.b64encode(userinfo.encode("utf-8")).decode("ascii")]
        out += [v for k, v in parse_qsl(parts.query, keep_blank_values=True) if _secret_name(k) and v]
    except ValueError:
        return []
    return out


def _secret_name(name: str) -> bool:
    return audit.is_secret_key(name) or name.lower().replace("-", "_") in {"key", "sig", "signature"}


class SettingsFileError(ClausewiseError, ValueError):
    """The settings file holds a key that is no setting (a misspelt one would otherwise be ignored silently)."""


def _check_keys(source: TomlConfigSettingsSource, settings_cls: type[BaseSettings]) -> None:
    """Raise :class:`SettingsFileError` naming the file, each unknown key and the nearest setting names."""
    import difflib

    known = set(settings_cls.model_fields)
    unknown = [k for k in getattr(source, "toml_data", {}) or {} if k not in known]
    if unknown:
        hints = "; ".join(f"{k!r}" + (f" (did you mean {m[0]!r}?)" if (m := difflib.get_close_matches(k, known, 1))
                                      else "") for k in unknown)
        path = settings_cls.model_config.get("toml_file")
        raise SettingsFileError(f"{path}: unknown setting {hints}; the keys are the CLAUSEWISE_ variable names "
                                "without the prefix, in lower case (README: Settings)")


def postgres_driver(url: str | None) -> str | None:
    """``url`` with the driver this project installs (psycopg 3) where a PostgreSQL URL names none:
    ``postgresql://`` and ``postgres://`` (the forms libpq, Heroku and most hosts print) become
    ``postgresql+psycopg://``; any other URL is returned as written."""
    if url is None:
        return None
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


class Settings(BaseSettings):
    """All knobs of the pipeline. Sizes in tokens, times in seconds, paths absolute after load."""

    model_config = SettingsConfigDict(
        env_prefix="CLAUSEWISE_",
        toml_file=os.environ.get("CLAUSEWISE_CONFIG", "clausewise.toml"),
        extra="ignore",
    )

    data_dir: Path = Field(Path(".clausewise"), description="Working data; the SQLite database lives here.")
    cache_dir: Path = Field(
        Path("~/.cache/clausewise"),
        description="Models and other large downloads, shared by every clone.",
    )
    database_url: str | None = Field(
        None, description="SQLAlchemy URL; default sqlite:///<data_dir>/clausewise.db."
    )
    backend: Backend = Field("local", description="LLM backend: local (llama-cpp), openai, replay.")
    model: str = Field("qwen2.5-coder-1.5b", description="Registry name or path to a GGUF file (local) or model id (openai).")
    openai_base_url: str | None = Field(None, description="Base URL of an OpenAI-compatible server.")
    openai_api_key: SecretStr | None = Field(None, description="API key; also read from OPENAI_API_KEY.")
    replay_dir: Path | None = Field(Path("tests/recordings"), description="Folder of recorded answers for the replay backend.")
    context_tokens: int = Field(8192, description="Model context window in tokens (n_ctx).")
    chunk_tokens: int = Field(1500, description="Chunk budget in tokens of the model's tokenizer.")
    chunk_overlap_tokens: int = Field(100, description="Overlap between neighbouring chunks in tokens.")
    max_output_tokens: int = Field(1024, description="Upper bound on generated tokens per call.")
    llm_timeout_s: float = Field(600.0, description="Wall-clock limit of one LLM call in seconds.")
    llm_max_attempts: int = Field(2, description="Attempts per call; the second gets the validation error.")
    llm_retry_attempts: int = Field(
        5, ge=1, description="HTTP tries of one call in all (openai backend) while the server answers 429 (rate "
                             "limited) or 502/503/504 (overloaded), or the connection drops; each retry waits the "
                             "server's Retry-After, else exponential backoff with jitter (1 s doubling, at most "
                             "30 s), and is audited (llm.retry). Past them the chunk fails as rate_limited or "
                             "unavailable and the batch goes on. A call that times out (llm_timeout_s) is not "
                             "retried.")
    llm_retry_max_s: float = Field(
        120.0, ge=0, description="Seconds one call may spend retrying (from its first try): a retry whose wait "
                                 "would end later is not made, and the chunk fails at once.")
    concurrency: int | None = Field(
        None, ge=1, description="Model calls in flight at once in one process (chunks of a document, and "
                                "documents, together). Default by backend: local 1 (llama-cpp-python decodes "
                                "one sequence at a time per model instance, and the model uses every core), "
                                "replay 1, openai 16 (benchmarks/bench_batch.py, a server answering in 2 s, 64 "
                                "chunks: 0.97, 0.97 and 0.95 of the ideal ceil(64/C) x 2 s at C = 1, 4, 16).")
    second_pass: bool = Field(
        True, description="Ask the model again, one small call per field, about a sentence that seems to state "
                          "a field the chunks' answers left empty (the sentences rule K004 reports).")
    second_pass_lists: bool = Field(
        False, description="With second_pass, also ask about the sentences rules K005 and K006 report (a duty "
                           "with a deadline, an amount of money that no value cites), one call per sentence, at "
                           "most one per page.")
    answer_cache: bool = Field(
        True, description="Reuse a model answer stored for the very same request (same model file or id, "
                          "prompt version, messages and schema) instead of calling the model again; every "
                          "answer is stored as soon as it arrives, so a killed run resumes where it stopped. "
                          "`ingest --no-cache` asks again.")
    max_pages_per_file: int = Field(
        2000, ge=1, description="Pages of one PDF; a longer file is stored as failed (too_many_pages) unread.")
    max_ocr_pages_per_file: int = Field(
        100, ge=0, description="Scanned pages OCR'd in one file; one more scanned page fails the file (ocr_limit).")
    max_ocr_seconds_per_file: float = Field(
        1800.0, ge=0, description="Wall seconds of OCR in one file, checked before each scanned page; past it the "
                                  "file fails (ocr_limit).")
    max_text_chars: int = Field(
        20_000_000, ge=1, description="Characters of text of one document; more fails the file (text_too_large).")
    lease_seconds: float = Field(
        60.0, gt=0, description="Length of a document's lease: a process carrying a document through extraction "
                                "and verification renews it every third of this; a lease not renewed for this "
                                "long (its process killed on another machine) lets another process take over.")
    queue_max_attempts: int = Field(
        3, ge=1, description="Attempts of one document's job in the queue (`ingest --queue`, `clausewise worker`), "
                             "a worker lost mid-job counting as one; after the last, the document ends failed "
                             "(extraction_failed) and the job failed.")
    queue_retry_seconds: float = Field(
        10.0, ge=0, description="Seconds before a job that raised an error is tried again (on any worker).")
    worker_heartbeat_seconds: float = Field(
        10.0, gt=0, description="A worker writes its heartbeat to the database every this many seconds "
                                "(procrastinate's default).")
    worker_stalled_seconds: float = Field(
        30.0, gt=0, description="A worker whose heartbeat is older than this is taken as lost (killed, machine "
                                "gone): the other workers put its jobs back in the queue (procrastinate's "
                                "default; keep it a few heartbeats long).")
    worker_poll_seconds: float = Field(
        5.0, gt=0, description="A worker looks for new jobs (besides being notified) and for the jobs of lost "
                               "workers every this many seconds.")
    n_threads: int = Field(2, description="CPU threads for the local backend.")
    review_all: bool = Field(False, description="Send every document to review, even with no finding.")
    playbook: Path | None = Field(None, description="Playbook YAML; default rules/playbooks/default.yaml.")
    audit_key_file: Path | None = Field(
        None, description="File holding the audit key (64 hex digits; `clausewise audit keygen`) that MACs every "
                          "audit event and signs checkpoints; kept where the database and its users cannot read it.")
    audit_key: SecretStr | None = Field(None, description="The audit key itself (64 hex digits), instead of a file.")
    database_owner_url: str | None = Field(
        None, description="PostgreSQL: URL of the role that owns the schema; `clausewise db upgrade` migrates "
                          "with it and grants the database_url role what it may do (audit tables: SELECT, INSERT).")
    review_idle_minutes: float = Field(
        30.0, gt=0, description="A review UI session with no action for this many minutes ends (sign in again); "
                                "OWASP Session Management Cheat Sheet: 15-30 minutes for low-risk applications.")
    signin_max_failures: int = Field(
        5, ge=1, description="Failed sign-ins on one user name within signin_throttle_minutes after which further "
                             "attempts on it are refused unchecked (NIST SP 800-63B 5.2.2 allows at most 100).")
    signin_throttle_minutes: float = Field(
        15.0, gt=0, description="The window, in minutes, in which failed sign-ins are counted; a throttled name "
                                "is checked again once its oldest counted failure is this old.")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml = TomlConfigSettingsSource(settings_cls)
        _check_keys(toml, settings_cls)
        return (init_settings, env_settings, toml)

    def model_post_init(self, __context: Any) -> None:
        self.database_url = postgres_driver(self.database_url)
        self.database_owner_url = postgres_driver(self.database_owner_url)
        self.data_dir = self.data_dir.expanduser().resolve()
        self.cache_dir = self.cache_dir.expanduser().resolve()
        if self.openai_api_key is None and os.environ.get("OPENAI_API_KEY"):
            self.openai_api_key = SecretStr(os.environ["OPENAI_API_KEY"])
        if self.audit_key_file is not None:
            self.audit_key_file = self.audit_key_file.expanduser().resolve()
        for secret in self.secret_values():
            audit.add_secret(secret)
        audit.use_key(self.audit_signing_key())

    def audit_signing_key(self) -> audit.AuditKey | None:
        """The configured audit key: ``audit_key``, or the key in ``audit_key_file``; ``None`` when neither is
        set. Raises :class:`audit.AuditKeyError` naming the file or variable when both are set, the file is
        missing or unreadable, or the text is not 64 hex digits."""
        if self.audit_key is not None and self.audit_key_file is not None:
            raise audit.AuditKeyError("set CLAUSEWISE_AUDIT_KEY or CLAUSEWISE_AUDIT_KEY_FILE, not both")
        if self.audit_key is not None:
            return audit.AuditKey.from_text(self.audit_key.get_secret_value(), source="CLAUSEWISE_AUDIT_KEY")
        if self.audit_key_file is not None:
            return audit.AuditKey.from_file(self.audit_key_file)
        return None

    def secret_values(self) -> list[str]:
        """Every secret these settings hold, as text: the OpenAI API key, the audit key, and the credentials
        written in ``database_url``, ``database_owner_url`` and ``openai_base_url`` (:func:`url_secrets`)."""
        out = [v.get_secret_value() for v in (self.openai_api_key, self.audit_key) if v is not None]
        for url in (self.database_url, self.database_owner_url, self.openai_base_url):
            out += url_secrets(url)
        return [v for v in out if v]

    @property
    def effective_database_url(self) -> str:
        """The database URL in force: ``database_url`` or SQLite in ``data_dir``."""
        return self.database_url or f"sqlite:///{self.data_dir / 'clausewise.db'}"

    def masked(self) -> dict[str, Any]:
        """Settings as a plain dict with secrets masked as ``***``: API and audit keys, and the credentials in
        the database URLs and the OpenAI base URL (:func:`mask_url`)."""
        out: dict[str, Any] = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, SecretStr):
                value = MASK if value.get_secret_value() else None
            elif isinstance(value, Path):
                value = str(value)
            out[name] = value
        out["database_url"] = mask_url(self.effective_database_url)
        out["database_owner_url"] = mask_url(self.database_owner_url)
        out["openai_base_url"] = mask_url(self.openai_base_url)
        if self.playbook is None:
            out["playbook"] = str(Path(__file__).resolve().parents[1] / "rules" / "playbooks" / "default.yaml")
        return out


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once. Tests build their own ``Settings``."""
    return Settings()

