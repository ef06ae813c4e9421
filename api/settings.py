"""The service's configuration: one pydantic-settings class, environment prefix TOMTAT_."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from summarizer.options import LoadOptions


def default_jobs_db() -> Path:
    """The jobs database in the per-user data folder, never the current folder.

    platformdirs' user data dir when it is installed; otherwise $XDG_DATA_HOME/tomtat or
    ~/.local/share/tomtat.
    """
    try:
        import platformdirs
    except ImportError:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "tomtat"
    else:
        base = Path(platformdirs.user_data_dir("tomtat"))
    return base / "jobs.sqlite3"


class Settings(BaseSettings):
    """Every setting of `tomtat serve`; each can be set as TOMTAT_<NAME> in the environment.

    Validated once at start-up and passed into `create_app(settings)`.
    """

    model_config = SettingsConfigDict(env_prefix="TOMTAT_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    workers: int = Field(1, ge=1, le=64)
    model: str | None = None  # registry name, folder or hub id; None: the registry default
    # how the model is loaded: the fields of summarizer.options.LoadOptions (see `load_options`)
    backend: str | None = None  # None: auto (CTranslate2 on CPU, see summarizer.generation)
    device: str = "auto"
    dtype: str = Field("auto", description="torch dtype for the transformers backend (auto: bf16 on GPU, fp32 on CPU)")
    compute_type: str = Field(
        "auto",
        description="CTranslate2 arithmetic: auto (float32 on CPU, the same outputs as PyTorch) or int8 (faster, "
        "slightly different outputs: see the model card); float32, int8_float32... (summarizer.options.COMPUTE_TYPES)",
    )
    threads: int = Field(0, ge=0)

    max_chars: int = Field(100_000, ge=100, description="longest text accepted (characters); longer: 413")
    max_body_bytes: int = Field(8_000_000, ge=1_000, description="largest request body; larger: 413")
    max_batch_documents: int = Field(32, ge=1, description="documents per /v1/summaries:batch call")
    max_job_documents: int = Field(10_000, ge=1, description="documents per job")
    max_digest_documents: int = Field(
        100, ge=1, description="documents per POST /v1/digests call; more: 413 (send a digest job instead)"
    )
    # uploaded files (.docx, .pdf, .html: summarizer.formats); their bytes count in max_body_bytes
    max_pages: int = Field(200, ge=1, description="pages of an uploaded PDF; more: 413 too_many_pages")
    max_unpacked_bytes: int = Field(
        50_000_000, ge=1_000, description="an uploaded .docx unzipped (a zip bomb); more: 413 document_too_large"
    )

    batch_max_size: int = Field(8, ge=1, description="requests gathered into one model call")
    batch_wait_ms: float = Field(20.0, ge=0, le=1000, description="how long the first request waits for others")
    queue_size: int = Field(64, ge=1, description="requests waiting for the model; more: 429")
    request_timeout_s: float = Field(120.0, gt=0, description="per-request limit; longer: 504")

    # slow and heavy clients (api.guard, api.protocol)
    header_timeout_s: float = Field(
        10.0, gt=0, description="a connection that has not sent a request's headers this long is closed"
    )
    body_timeout_s: float = Field(
        30.0, gt=0, description="a body not received this long after the route starts reading it: 408, closed"
    )
    large_body_bytes: int = Field(
        1_000_000, ge=0, description="bodies over this (or chunked, size unknown) count as large uploads"
    )
    # 1: parsing is Python CPU work under the GIL, so a second one at a time adds no throughput,
    # only a thread more for the event loop to wait behind
    max_uploads: int = Field(1, ge=1, description="requests with a large body handled at a time")
    upload_queue: int = Field(16, ge=0, description="large uploads that may wait for a slot; more: 429")

    jobs_db: Path = Field(default_factory=default_jobs_db, description="the jobs' SQLite file (per-user data dir)")
    job_batch_size: int = Field(16, ge=1, description="documents per model call in background jobs")
    job_retention_hours: float = Field(
        168.0, gt=0, description="finished jobs, with their texts and results, are deleted after this long"
    )
    job_max_attempts: int = Field(3, ge=1, description="tries per job document before it is marked failed")
    job_claim_timeout_s: float = Field(
        120.0, gt=0, description="a worker's claim on documents not renewed this long is taken back"
    )
    job_retry_backoff_s: float = Field(1.0, gt=0, description="first wait after a job runner error (doubles)")
    job_db_timeout_s: float = Field(5.0, gt=0, description="wait for another connection's lock on the jobs DB")

    api_keys: list[str] = Field(default_factory=list, description="sha256 hex digests of accepted keys")
    api_keys_file: Path | None = None  # one sha256 hex digest per line ('#' comments allowed)
    metrics_require_key: bool = Field(False, description="/metrics needs an API key too (when keys are set)")
    cors_origins: list[str] = Field(default_factory=list)
    log_level: str = "INFO"

    @model_validator(mode="after")
    def _valid_load_options(self) -> Settings:
        self.load_options()  # ConfigurationError is a ValueError: reported as a bad setting at start-up
        return self

    def load_options(self) -> LoadOptions:
        """How `default_loader` loads the model (device, dtype, backend, compute type, threads)."""
        return LoadOptions.from_attributes(self)

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
