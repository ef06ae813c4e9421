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
# words of headline + abstract + bullets when the caller sets no budget: a long report's
# summary stays within DEFAULT_WORDS with the default bullets; each bullet asked for beyond
# them adds WORDS_PER_EXTRA_BULLET, so `max_bullets=10` can be honoured
DEFAULT_WORDS = 200
WORDS_PER_EXTRA_BULLET = 25
MIN_WORDS, MAX_WORDS = 30, 2000
# a digest's abstract (`Summarizer.digest`): about as long as the AbMuSu cluster summaries
DEFAULT_DIGEST_SYLLABLES = 190
MIN_DIGEST_SYLLABLES, MAX_DIGEST_SYLLABLES = 30, 1000


@dataclass(frozen=True)
class SummarizeOptions:
    """Document-level settings of a summarize call, passed down to every stage.

    Attributes:
        max_bullets: at most this many bullets (1 to `MAX_BULLETS`).
        max_chunks: at most this many model-sized chunks per document; beyond it the rest
            is not read and `info.truncated` is set.
        faithfulness: for generated bullets that name a number or person absent from the
            source: "drop" them (default) or only "flag" them in `info.warnings`.
        max_words: at most this many words (whitespace-separated) in headline + abstract +
            bullets, from `MIN_WORDS` to `MAX_WORDS`; None: `word_budget`'s default. In a
            digest it bounds the headline and bullets (the abstract has `digest_syllables`).
        digest_syllables: target length of a digest's abstract, in syllables (`Summarizer.digest`),
            from `MIN_DIGEST_SYLLABLES` to `MAX_DIGEST_SYLLABLES`.
    """

    max_bullets: int = DEFAULT_BULLETS
    max_chunks: int = 32
    faithfulness: str = "drop"
    max_words: int | None = None
    digest_syllables: int = DEFAULT_DIGEST_SYLLABLES

    def __post_init__(self) -> None:
        if isinstance(self.max_bullets, bool) or not isinstance(self.max_bullets, int):
            raise ConfigurationError(f"max_bullets must be an integer from 1 to {MAX_BULLETS}")
        if not 1 <= self.max_bullets <= MAX_BULLETS:
            raise ConfigurationError(f"max_bullets must be between 1 and {MAX_BULLETS}")
        if self.max_chunks < 1:
            raise ConfigurationError("max_chunks must be at least 1")
        if self.faithfulness not in ("drop", "flag"):
            raise ConfigurationError("faithfulness must be 'drop' or 'flag'")
        if self.max_words is not None and (
            isinstance(self.max_words, bool)
            or not isinstance(self.max_words, int)
            or not MIN_WORDS <= self.max_words <= MAX_WORDS
        ):
            raise ConfigurationError(f"max_words must be an integer from {MIN_WORDS} to {MAX_WORDS}")
        if (
            isinstance(self.digest_syllables, bool)
            or not isinstance(self.digest_syllables, int)
            or not MIN_DIGEST_SYLLABLES <= self.digest_syllables <= MAX_DIGEST_SYLLABLES
        ):
            raise ConfigurationError(
                f"digest_syllables must be an integer from {MIN_DIGEST_SYLLABLES} to {MAX_DIGEST_SYLLABLES}"
            )

    @property
    def word_budget(self) -> int:
        """Words allowed for headline + abstract + bullets: `max_words`, else `DEFAULT_WORDS`
        plus `WORDS_PER_EXTRA_BULLET` for each bullet asked for beyond `DEFAULT_BULLETS`."""
        if self.max_words is not None:
            return self.max_words
        return DEFAULT_WORDS + WORDS_PER_EXTRA_BULLET * max(0, self.max_bullets - DEFAULT_BULLETS)

    def updated(self, **overrides: Any) -> SummarizeOptions:
        """Return a copy with the given non-None fields replaced."""
        return _updated(self, "document", overrides)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# CTranslate2's arithmetic (`LoadOptions.compute_type`): "auto" keeps the weights' own type on CPU (float32
# for a model converted there: the same outputs as PyTorch); "int8" is the "faster, slightly different"
# choice (int8 weights and matrix products; on CPU the same as "int8_float32"); its measured ROUGE
# cost and speed are in models/compact-vi/README.md.
COMPUTE_TYPES = (
    "auto",
    "default",
    "float32",
    "int8",
    "int8_float32",
    "int8_float16",
    "int8_bfloat16",
    "int16",
    "float16",
    "bfloat16",
)


@dataclass(frozen=True)
class LoadOptions:
    """How and where to load a model: one object for the CLI, evaluation, batch and service.

    Attributes:
        device: "cpu", "cuda" or "auto" (a GPU when there is one).
        dtype: torch dtype for the transformers backend: "auto" (bf16 on GPU, fp32 on CPU; see
            `batch_job` for a batch job on a CPU with AMX),
            "float32", "bfloat16" or "float16".
        backend: "transformers", "ct2", or None: CTranslate2 on CPU (converted once and
            cached; a batch job on a CPU with AMX: see `batch_job`), transformers on GPU.
        compute_type: CTranslate2 compute type, one of `COMPUTE_TYPES`: "auto" (the weights' type:
            float32 on CPU), "int8" (faster where the CPU has VNNI, outputs slightly different)...
        threads: CPU threads for generation (0: the library's default).
        batch_size: documents or chunks per model call.
        batch_job: loading for a batch job (`tomtat batch`): with backend, dtype and compute
            type all "auto", a T5 model on a CPU with AMX runs in PyTorch bfloat16, the fastest
            batched path there, with slightly different outputs (evaluation/RESULTS.md §2,
            table B); an explicit choice (e.g. dtype "float32") wins.
    """

    device: str = "auto"
    dtype: str = "auto"
    backend: str | None = None
    compute_type: str = "auto"
    threads: int = 0
    batch_size: int = 8
    batch_job: bool = False

    def __post_init__(self) -> None:
        if self.backend not in (None, "transformers", "ct2"):
            raise ConfigurationError(f"unknown backend {self.backend!r}; use transformers or ct2 (or leave it out)")
        if self.compute_type not in COMPUTE_TYPES:
            raise ConfigurationError(
                f"unknown compute type {self.compute_type!r}; use one of: {', '.join(COMPUTE_TYPES)} "
                "(int8: faster, slightly different outputs)"
            )
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
