"""Faithful decoding: a rewrite may copy names and numbers from its input, never make new ones.

"Protected" vocabulary pieces are those that carry a digit or start a capitalised word
("▁Hà", "▁14", "%" is not). While decoding one input, every protected piece that does not
occur in that input's own tokens is forbidden. Both backends apply it:
- transformers: a `LogitsProcessor` masks the forbidden pieces row by row (beams included);
- CTranslate2: `suppress_sequences` with the forbidden pieces, one input per call (the option
  applies to a whole call, so inputs cannot share one).
Pieces can still combine into a new number or name ("1" + "4"), so the faithfulness guard
still checks every output; the constraint makes such failures rare, the guard catches them.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any


def is_protected(piece: str) -> bool:
    """A vocabulary piece that carries a digit or starts a capitalised word."""
    word = piece.lstrip("▁")
    return any(ch.isdigit() for ch in word) or (bool(word) and word[0].isupper())


@lru_cache(maxsize=8)
def protected_pieces(vocabulary: tuple[str, ...]) -> frozenset[int]:
    """Ids of the protected pieces of a vocabulary (cached per vocabulary)."""
    return frozenset(i for i, piece in enumerate(vocabulary) if is_protected(piece))


def forbidden_ids(protected: frozenset[int], input_ids: Sequence[int]) -> list[int]:
    """The protected ids that one input does not contain: the decoder may not produce them."""
    return sorted(protected.difference(input_ids))


def logits_processor(protected: frozenset[int], batch_input_ids: Any, vocab_size: int, num_beams: int) -> Any:
    """A transformers LogitsProcessor forbidding, per input row, the protected ids it lacks."""
    import torch
    from transformers import LogitsProcessor

    rows = batch_input_ids.shape[0]
    mask = torch.zeros((rows, vocab_size), dtype=torch.bool)
    ids = torch.tensor(sorted(i for i in protected if i < vocab_size), dtype=torch.long)
    mask[:, ids] = True
    present = batch_input_ids.detach().cpu()
    for row in range(rows):
        mask[row, present[row]] = False
    mask = mask.repeat_interleave(num_beams, dim=0).to(batch_input_ids.device)

    class CopyNamesAndNumbers(LogitsProcessor):
        def __call__(self, input_ids: Any, scores: Any) -> Any:
            width = min(scores.shape[-1], mask.shape[-1])
            scores[:, :width] = scores[:, :width].masked_fill(mask[:, :width], float("-inf"))
            return scores

    return CopyNamesAndNumbers()
