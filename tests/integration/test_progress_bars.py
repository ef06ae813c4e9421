"""Loading a model draws progress bars only on a terminal (never into a log or a pipe)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from summarizer import LoadOptions, Summarizer

BAR_MARKS = ("Loading weights", "it/s", "\r")


@pytest.fixture
def bars_on() -> Iterator[None]:
    """Progress bars on, as in a fresh process (whatever earlier tests did)."""
    import huggingface_hub.utils as hub
    import transformers.utils.logging as transformers_logging

    transformers_logging.enable_progress_bar()
    hub.enable_progress_bars()
    yield
    transformers_logging.enable_progress_bar()
    hub.enable_progress_bars()


@pytest.mark.usefixtures("bars_on")
@pytest.mark.parametrize("backend", ["transformers", None])  # None: converted to CTranslate2 on CPU
def test_loading_prints_no_progress_bars_to_a_non_terminal(
    tiny_model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd, backend: str | None
) -> None:
    monkeypatch.setenv("TOMTAT_CACHE", str(tmp_path))  # a fresh conversion, not a cached one
    Summarizer.from_pretrained(str(tiny_model_dir), LoadOptions(device="cpu", backend=backend))
    err = capfd.readouterr().err
    assert not any(mark in err for mark in BAR_MARKS), err[:500]


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.usefixtures("bars_on")
def test_bars_stay_on_a_terminal_and_come_back_after_a_load() -> None:
    import huggingface_hub.utils as hub
    import transformers.utils.logging as transformers_logging

    from summarizer.generation.progress import terminal_progress_only

    with terminal_progress_only(Terminal()):
        assert transformers_logging.is_progress_bar_enabled() and not hub.are_progress_bars_disabled()
    with terminal_progress_only(io.StringIO()):
        assert not transformers_logging.is_progress_bar_enabled() and hub.are_progress_bars_disabled()
    assert transformers_logging.is_progress_bar_enabled() and not hub.are_progress_bars_disabled()
