"""Exceptions raised by tomtat. Each subclasses a builtin so callers can catch broadly."""

from __future__ import annotations


class SummarizerError(Exception):
    """Base class of every error tomtat raises on purpose."""


class InvalidInputError(SummarizerError, ValueError):
    """The submitted text cannot be summarized (empty, binary, not UTF-8...)."""


class InputTooLongError(InvalidInputError):
    """The submitted text exceeds a configured size limit."""


class ModelNotFoundError(SummarizerError, LookupError):
    """A model name is neither in the registry, nor a local folder, nor a hub id."""


class ModelLoadError(SummarizerError, RuntimeError):
    """A model exists in the registry but its weights could not be loaded."""


class ConfigurationError(SummarizerError, ValueError):
    """An option or combination of options is not valid (e.g. fp16 for a T5 model)."""


class GenerationError(SummarizerError, RuntimeError):
    """The model failed on a document (an error of the backend: torch, CTranslate2, the tokenizer...).

    The backend's own exception is the `__cause__`.
    """


class DocumentFormatError(InvalidInputError):
    """A file that cannot be read as a document (`summarizer.formats`): damaged, encrypted, a
    scanned PDF without a text layer, not UTF-8 text...

    `code` names the problem in a stable, machine-readable way (the service's error code).
    """

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


class UnsupportedFormatError(DocumentFormatError):
    """Content that is none of the formats tomtat reads (text, .docx, .pdf, .html)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, "unsupported_format")


class DocumentTooLargeError(DocumentFormatError, InputTooLongError):
    """A file over a reading limit: too many bytes, pages, or unpacked bytes of a .docx."""
