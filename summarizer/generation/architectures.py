"""T5 shapes used by tomtat: the compact default, a tiny one for tests, and ViT5-base's.

Training (`models.train`) builds compact-vi from a preset; the speed benchmark
(`evaluation.bench_runner`) builds random-weight models of a preset's shape; tests build the
tiny one. Here, in the library, both of them depend on it and neither on the other.
"""

from __future__ import annotations

from typing import Any

# feed_forward_proj "relu" with tied embeddings is the original T5 / ViT5-base layout.
PRESETS: dict[str, dict[str, Any]] = {
    # ~26M parameters with a 16k vocabulary: fast on 2 CPU cores, small enough to ship.
    # A deeper encoder than decoder: decoding runs once per output token, encoding once.
    "compact": {
        "d_model": 384,
        "d_ff": 1024,
        "d_kv": 64,
        "num_heads": 6,
        "num_layers": 6,
        "num_decoder_layers": 4,
        "feed_forward_proj": "gated-gelu",
        "tie_word_embeddings": True,
        "dropout_rate": 0.1,
    },
    # A few thousand parameters: for tests only.
    "tiny": {
        "d_model": 32,
        "d_ff": 64,
        "d_kv": 16,
        "num_heads": 2,
        "num_layers": 2,
        "num_decoder_layers": 2,
        "feed_forward_proj": "relu",
        "tie_word_embeddings": True,
        "dropout_rate": 0.0,
    },
    # ViT5-base (VietAI/vit5-base): stands for the production model in speed benchmarks.
    "vit5-base": {
        "d_model": 768,
        "d_ff": 3072,
        "d_kv": 64,
        "num_heads": 12,
        "num_layers": 12,
        "num_decoder_layers": 12,
        "feed_forward_proj": "relu",
        "tie_word_embeddings": True,
        "dropout_rate": 0.1,
        "vocab_size": 36096,
    },
}


def t5_config(preset: str, *, vocab_size: int | None = None, **overrides: Any) -> Any:
    """A `T5Config` for a preset; `vocab_size` defaults to the preset's (or must be given)."""
    from transformers import T5Config

    if preset not in PRESETS:
        raise ValueError(f"unknown preset {preset!r}; known: {', '.join(PRESETS)}")
    values = {**PRESETS[preset], **overrides}
    values["vocab_size"] = vocab_size or values.get("vocab_size")
    if not values["vocab_size"]:
        raise ValueError("vocab_size is required for this preset")
    # Untied T5 v1.1-style models rescale nothing; tied ones scale decoder outputs.
    values.setdefault("scale_decoder_outputs", values["tie_word_embeddings"])
    return T5Config(pad_token_id=0, eos_token_id=1, decoder_start_token_id=0, **values)


def random_t5(preset: str, *, vocab_size: int | None = None, seed: int = 0, **overrides: Any) -> Any:
    """A randomly initialised `T5ForConditionalGeneration` of a preset shape."""
    import torch
    from transformers import T5ForConditionalGeneration

    torch.manual_seed(seed)
    return T5ForConditionalGeneration(t5_config(preset, vocab_size=vocab_size, **overrides))
