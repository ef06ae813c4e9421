"""Option dataclasses: every default the library uses lives here."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from typing import Any, TypeVar

from summarizer.errors import ConfigurationError

Options = TypeVar("Options", "GenerationOptions", "SummarizeOptions", "LoadOptions")


def _updated(options: Options, kind: str, overrides: dict[str, Any]) -> Options:
    """`options` with the given non-None fields replaced; an unknown name is a ConfigurationError."""
    given = {k: v for k, v in overrides.items() if v is not None}
    names = {f.name for f in fields(options)}
    unknown = set(given) - names
    if unknown:
        raise ConfigurationError(
            f"unknown {kind} option(s): {', '.join(sorted(unknown))}; {kind} options are {', '.join(sorted(names))}"
        )
    return replace(options, **given)


@dataclass(frozen=True)
class GenerationOptions:
    """Decoding settings for one generation task (headline or summary).

    Defaults come from the model's registry entry; any field can be overridden per call.
    """

    max_new_tokens: int = 128
    min_new_tokens: int = 0
    num_beams: int = 1
    length_penalty: float = 1.0
    no_repeat_ngram_size: int = 0
    repetition_penalty: float = 1.0
    # read only the first N tokens of each input, in whole sentences (0: all the model takes);
    # compact-vi's headline reads 256: as good as the whole chunk and twice as fast
    max_source_tokens: int = 0
    # faithful decoding: names and numbers only as copied from the input (generation/faithful.py)
    copy_names_numbers: bool = False

    def __post_init__(self) -> None:
        if self.max_new_tokens < 1:
            raise ConfigurationError("max_new_tokens must be at least 1")
        if not 0 <= self.min_new_tokens <= self.max_new_tokens:
            raise ConfigurationError("min_new_tokens must be between 0 and max_new_tokens")
        if self.num_beams < 1:
            raise ConfigurationError("num_beams must be at least 1")
        if self.no_repeat_ngram_size < 0:
            raise ConfigurationError("no_repeat_ngram_size must be 0 (off) or positive")
        if self.max_source_tokens < 0:
            raise ConfigurationError("max_source_tokens must be 0 (the whole input) or positive")

    def updated(self, **overrides: Any) -> GenerationOptions:
        """Return a copy with the given non-None fields replaced."""
        return _updated(self, "generation", overrides)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


DEFAULT_BULLETS = 5
MAX_BULLETS = 10  # the one upper bound: library, CLI, batch and API


@dataclass(frozen=True)
class SummarizeOptions:
    """Document-level settings of a summarize call, passed down to every stage.

    Attributes:
        max_bullets: at most this many bullets (1 to `MAX_BULLETS`).
        max_chunks: at most this many model-sized chunks per document; beyond it the rest
            is not read and `info.truncated` is set.
        faithfulness: for generated bullets that name a number or person absent from the
            source: "drop" them (default) or only "flag" them in `info.warnings`.
    """

    max_bullets: int = DEFAULT_BULLETS
    max_chunks: int = 32
    faithfulness: str = "drop"

    def __post_init__(self) -> None:
        if isinstance(self.max_bullets, bool) or not isinstance(self.max_bullets, int):
            raise ConfigurationError(f"max_bullets must be an integer from 1 to {MAX_BULLETS}")
        if not 1 <= self.max_bullets <= MAX_BULLETS:
            raise ConfigurationError(f"max_bullets must be between 1 and {MAX_BULLETS}")
        if self.max_chunks < 1:
            raise ConfigurationError("max_chunks must be at least 1")
        if self.faithfulness not in ("drop", "flag"):
            raise ConfigurationError("faithfulness must be 'drop' or 'flag'")

    def updated(self, **overrides: Any) -> SummarizeOptions:
        """Return a copy with the given non-None fields replaced."""
        return _updated(self, "document", overrides)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class LoadOptions:
    """How and where to load a model: one object for the CLI, evaluation, batch and service.

    Attributes:
        device: "cpu", "cuda" or "auto" (a GPU when there is one).
        dtype: torch dtype for the transformers backend: "auto" (bf16 on GPU, fp32 on CPU),
            "float32", "bfloat16" or "float16".
        backend: "transformers", "ct2", or None: CTranslate2 on CPU (converted once and
            cached), transformers on GPU.
        compute_type: CTranslate2 compute type ("auto", "int8", "float32"...).
        threads: CPU threads for generation (0: the library's default).
        batch_size: documents or chunks per model call.
    """

    device: str = "auto"
    dtype: str = "auto"
    backend: str | None = None
    compute_type: str = "auto"
    threads: int = 0
    batch_size: int = 8

    def __post_init__(self) -> None:
        if self.backend not in (None, "transformers", "ct2"):
            raise ConfigurationError(f"unknown backend {self.backend!r}; use transformers or ct2 (or leave it out)")
        if self.threads < 0:
            raise ConfigurationError("threads must be 0 (library default) or positive")
        if self.batch_size < 1:
            raise ConfigurationError("batch_size must be at least 1")

    def updated(self, **overrides: Any) -> LoadOptions:
        """Return a copy with the given non-None fields replaced."""
        return _updated(self, "load", overrides)

    @classmethod
    def from_attributes(cls, source: Any, **overrides: Any) -> LoadOptions:
        """The options named like `source`'s attributes (CLI arguments, service settings...);
        fields `source` lacks keep their defaults, `overrides` win."""
        present = {f.name: getattr(source, f.name) for f in fields(cls) if hasattr(source, f.name)}
        return cls(**present).updated(**overrides)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)
