"""tomtat: Vietnamese abstractive summarization (headline, abstract, bullets).

>>> from summarizer import Summarizer
>>> summary = Summarizer.from_pretrained("lead").summarize("Hà Nội mưa lớn. Nhiều tuyến phố ngập.")
>>> summary.bullets
('Nhiều tuyến phố ngập.',)

Importing this package loads no model and no deep-learning framework.
"""

from summarizer.errors import (
    ConfigurationError,
    InputTooLongError,
    InvalidInputError,
    ModelLoadError,
    ModelNotFoundError,
    SummarizerError,
)
from summarizer.options import GenerationOptions, LoadOptions, SummarizeOptions
from summarizer.pipeline import Summarizer
from summarizer.registry import ModelSpec, known_models, resolve_model
from summarizer.types import Evidence, ModelInfo, SourceSpan, Summary, SummaryInfo

__all__ = [
    "ConfigurationError",
    "Evidence",
    "GenerationOptions",
    "InputTooLongError",
    "InvalidInputError",
    "LoadOptions",
    "ModelInfo",
    "ModelLoadError",
    "ModelNotFoundError",
    "ModelSpec",
    "SourceSpan",
    "SummarizeOptions",
    "Summarizer",
    "SummarizerError",
    "Summary",
    "SummaryInfo",
    "known_models",
    "resolve_model",
]
