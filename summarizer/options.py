"""Option dataclasses: every default the library uses lives here."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

from summarizer.errors import ConfigurationError


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
        known = {k: v for k, v in overrides.items() if v is not None}
        unknown = set(known) - set(asdict(self))
        if unknown:
            raise ConfigurationError(f"unknown generation option(s): {', '.join(sorted(unknown))}")
        return replace(self, **known)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class SummarizeOptions:
    """Document-level settings of one `Summarizer.summarize` call."""

    max_bullets: int = 5
    max_chunks: int = 32
    faithfulness: str = "drop"  # "drop" invented-number bullets, or only "flag" them

    def __post_init__(self) -> None:
        if not 1 <= self.max_bullets <= 20:
            raise ConfigurationError("max_bullets must be between 1 and 20")
        if self.max_chunks < 1:
            raise ConfigurationError("max_chunks must be at least 1")
        if self.faithfulness not in ("drop", "flag"):
            raise ConfigurationError("faithfulness must be 'drop' or 'flag'")

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)
