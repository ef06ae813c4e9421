"""The service's configuration: one pydantic-settings class, environment prefix TOMTAT_."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every setting of `tomtat serve`; each can be set as TOMTAT_<NAME> in the environment.

    Validated once at start-up and passed into `create_app(settings)`.
    """

    model_config = SettingsConfigDict(env_prefix="TOMTAT_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    workers: int = Field(1, ge=1, le=64)
    model: str | None = None  # registry name, folder or hub id; None: the registry default
    backend: str | None = None  # None: auto (CTranslate2 on CPU, see summarizer.generation)
    device: str = "auto"
    threads: int = Field(0, ge=0)

    max_chars: int = Field(100_000, ge=100, description="longest text accepted (characters); longer: 413")
    max_body_bytes: int = Field(8_000_000, ge=1_000, description="largest request body; larger: 413")
    max_batch_documents: int = Field(32, ge=1, description="documents per /v1/summaries:batch call")
    max_job_documents: int = Field(10_000, ge=1, description="documents per job")

    batch_max_size: int = Field(8, ge=1, description="requests gathered into one model call")
    batch_wait_ms: float = Field(20.0, ge=0, le=1000, description="how long the first request waits for others")
    queue_size: int = Field(64, ge=1, description="requests waiting for the model; more: 429")
    request_timeout_s: float = Field(120.0, gt=0, description="per-request limit; longer: 504")

    jobs_db: Path = Path("tomtat-jobs.sqlite3")
    job_batch_size: int = Field(16, ge=1, description="documents per model call in background jobs")

    api_keys: list[str] = Field(default_factory=list, description="sha256 hex digests of accepted keys")
    api_keys_file: Path | None = None  # one sha256 hex digest per line ('#' comments allowed)
    cors_origins: list[str] = Field(default_factory=list)
    log_level: str = "INFO"

    @field_validator("api_keys")
    @classmethod
    def _hex_digests(cls, keys: list[str]) -> list[str]:
        for key in keys:
            if len(key) != 64 or any(c not in "0123456789abcdef" for c in key.lower()):
                raise ValueError("api_keys must be sha256 hex digests (64 hex characters), never plain keys")
        return [k.lower() for k in keys]

    def key_digests(self) -> list[str]:
        """Configured key digests, from the setting and the file together."""
        digests = list(self.api_keys)
        if self.api_keys_file is not None:
            for line in self.api_keys_file.read_text(encoding="utf-8").splitlines():
                line = line.split("#", 1)[0].strip()
                if line:
                    digests.extend(self._hex_digests([line]))
        return digests
