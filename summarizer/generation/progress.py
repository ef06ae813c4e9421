"""Progress bars of transformers and huggingface_hub: on a terminal only.

Loading or converting a model makes transformers draw tqdm bars ("Loading weights", "Writing
model shards") on stderr. On a terminal they help; in a log file, a pipe or a service's
journal they are noise made of carriage returns. `terminal_progress_only` turns them off for
the duration of a load when stderr is not a terminal, and puts back what was set before.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import TextIO


@contextlib.contextmanager
def terminal_progress_only(stream: TextIO | None = None) -> Iterator[None]:
    """Within the block, no progress bars unless `stream` (default: sys.stderr) is a terminal."""
    stream = stream if stream is not None else sys.stderr
    if _is_terminal(stream):
        yield
        return
    import huggingface_hub.utils as hub
    import transformers.utils.logging as transformers_logging

    transformers_was_on = transformers_logging.is_progress_bar_enabled()
    hub_was_on = not hub.are_progress_bars_disabled()
    transformers_logging.disable_progress_bar()
    hub.disable_progress_bars()
    try:
        yield
    finally:
        if transformers_was_on:
            transformers_logging.enable_progress_bar()
        if hub_was_on:
            hub.enable_progress_bars()


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False
