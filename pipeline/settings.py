"""Effective settings of Clausewise.

Read, in order of precedence, from keyword arguments, environment variables with the
prefix ``CLAUSEWISE_`` and an optional ``clausewise.toml`` in the working directory
(or the file named by ``CLAUSEWISE_CONFIG``). Defaults are documented per field.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

Backend = Literal["local", "openai", "replay"]


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
    second_pass: bool = Field(
        True, description="Ask the model again, one small call per field, about a sentence that seems to state "
                          "a field the chunks' answers left empty (the sentences rule K004 reports).")
    n_threads: int = Field(2, description="CPU threads for the local backend.")
    review_all: bool = Field(False, description="Send every document to review, even with no finding.")
    playbook: Path | None = Field(None, description="Playbook YAML; default rules/playbooks/default.yaml.")
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
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls))

    def model_post_init(self, __context: Any) -> None:
        self.data_dir = self.data_dir.expanduser().resolve()
        self.cache_dir = self.cache_dir.expanduser().resolve()
        if self.openai_api_key is None and os.environ.get("OPENAI_API_KEY"):
            self.openai_api_key = SecretStr(os.environ["OPENAI_API_KEY"])

    @property
    def effective_database_url(self) -> str:
        """The database URL in force: ``database_url`` or SQLite in ``data_dir``."""
        return self.database_url or f"sqlite:///{self.data_dir / 'clausewise.db'}"

    def masked(self) -> dict[str, Any]:
        """Settings as a plain dict with secrets (API keys, URL passwords) masked as ``***``."""
        from sqlalchemy.engine import make_url

        out: dict[str, Any] = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, SecretStr):
                value = "***" if value.get_secret_value() else None
            elif isinstance(value, Path):
                value = str(value)
            out[name] = value
        url = make_url(self.effective_database_url)
        out["database_url"] = url.render_as_string(hide_password=True)
        if self.playbook is None:
            out["playbook"] = str(Path(__file__).resolve().parents[1] / "rules" / "playbooks" / "default.yaml")
        return out


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once. Tests build their own ``Settings``."""
    return Settings()
