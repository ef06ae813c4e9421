"""A FLOPs model of T5 generation, to turn documents/s into achieved TFLOP/s."""

from __future__ import annotations

from typing import Any


def t5_flops_per_doc(config: Any, source_tokens: int, new_tokens: int) -> float:
    """Approximate forward FLOPs of one greedy document (2 × params × tokens + attention).

    `config` is a `T5Config` (or anything with its fields). Counted: the encoder over
    `source_tokens` once, then `new_tokens` decoder steps with self- and cross-attention
    over the growing output and the source, and the output projection onto the vocabulary.
    """
    d, ff, layers, dec_layers = (
        config.d_model,
        config.d_ff,
        config.num_layers,
        config.num_decoder_layers,
    )
    inner = config.num_heads * config.d_kv
    ff_mult = 3 if config.is_gated_act else 2
    enc_layer = 4 * d * inner + ff_mult * d * ff
    dec_layer = 8 * d * inner + ff_mult * d * ff
    encoder = 2 * enc_layer * layers * source_tokens + 4 * layers * source_tokens**2 * inner
    decoder = new_tokens * (
        2 * dec_layer * dec_layers + 2 * d * config.vocab_size + 4 * dec_layers * inner * (source_tokens + new_tokens)
    )
    return float(encoder + decoder)
