"""PyTorch backend over transformers' AutoModelForSeq2SeqLM."""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from typing import Any

from summarizer.errors import ConfigurationError, ModelLoadError
from summarizer.generation import Generated, count_tokens_with, hub_weights, sorted_batches
from summarizer.generation.faithful import logits_processor, protected_pieces
from summarizer.options import GenerationOptions
from summarizer.registry import ModelSpec

logger = logging.getLogger(__name__)

_DTYPES = ("auto", "float32", "bfloat16", "float16")


def load_tokenizer(source: str, *, revision: str = "", local_only: bool = False) -> Any:
    """The model's tokenizer (AutoTokenizer; T5 SentencePiece models need protobuf)."""
    from transformers import AutoTokenizer

    kwargs: dict[str, Any] = {"local_files_only": local_only}
    if revision:
        kwargs["revision"] = revision
    return AutoTokenizer.from_pretrained(source, **kwargs)


def resolve_device(device: str) -> str:
    """The device to run on: "auto" picks CUDA when a GPU is visible.

    Raises:
        ConfigurationError: an unknown device, or CUDA asked for without a GPU.
    """
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise ConfigurationError("--device cuda was asked for but no CUDA GPU is visible; use cpu")
    if device != "cpu" and not device.startswith("cuda"):
        raise ConfigurationError(f"unknown device {device!r}; use cpu, cuda or auto")
    return device


def _resolve_dtype(dtype: str, device: str, model_type: str) -> str:
    import torch

    if dtype not in _DTYPES:
        raise ConfigurationError(f"unknown dtype {dtype!r}; choose one of {', '.join(_DTYPES)}")
    if dtype == "float16" and model_type in ("t5", "mt5", "umt5"):
        raise ConfigurationError("float16 overflows in T5 models (NaN outputs); use bfloat16 on GPU or float32")
    if dtype == "auto":
        if device.startswith("cuda") and torch.cuda.is_bf16_supported():
            return "bfloat16"
        return "float32"
    return dtype


class TransformersGenerator:
    """Batched generation with a transformers seq2seq model on CPU or CUDA.

    `dtype` is the torch dtype the weights were loaded in ("float32", "bfloat16"), which is
    also the arithmetic, so `compute_type` is the same name.
    """

    backend = "transformers"

    def __init__(self, model: Any, tokenizer: Any, *, device: str, dtype: str) -> None:
        self.model = model
        self.tokenizer = tokenizer
        self.device = device
        self.dtype = dtype
        self.compute_type = dtype
        # On a GPU, batches are also capped by padded input tokens, so a large batch_size
        # fills the card on short inputs without running out of memory on long ones
        # (512 x 512 tokens used 20 GB for ViT5-base on an H100).
        self.max_batch_tokens = 512 * 512 if device.startswith("cuda") else 0

    @classmethod
    def load(
        cls, spec: ModelSpec, *, device: str = "auto", dtype: str = "auto", threads: int = 0
    ) -> TransformersGenerator:
        """Load `spec` from its folder, or from the Hugging Face cache at its pinned revision.

        Raises:
            ModelLoadError: the weights are missing or unreadable; for a hub model that is not
                downloaded and cannot be, at once and with the command that fixes it.
            ConfigurationError: an unknown or unsupported device or dtype.
        """
        import torch
        from transformers import AutoConfig, AutoModelForSeq2SeqLM

        if threads > 0:
            torch.set_num_threads(threads)
        device = resolve_device(device)
        folder = hub_weights(spec)  # no network when the files are here; fails fast when they cannot be
        try:
            config = AutoConfig.from_pretrained(folder, local_files_only=True)
            torch_dtype = _resolve_dtype(dtype, device, config.model_type)
            tokenizer = load_tokenizer(str(folder), local_only=True)
            model = AutoModelForSeq2SeqLM.from_pretrained(
                folder, local_files_only=True, dtype=getattr(torch, torch_dtype)
            )
        except ConfigurationError:
            raise
        except (OSError, ValueError) as exc:
            reason = " ".join(str(exc).split())  # one line: the CLI prints errors as one line
            raise ModelLoadError(f"cannot load model {spec.name!r} from {folder}: {reason}") from exc
        model.to(device).eval()
        logger.info("loaded %s on %s (%s)", spec.name, device, torch_dtype)
        return cls(model, tokenizer, device=device, dtype=torch_dtype)

    @functools.cached_property
    def _protected(self) -> frozenset[int]:
        return protected_pieces(tuple(self.tokenizer.convert_ids_to_tokens(list(range(len(self.tokenizer))))))

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return count_tokens_with(self.tokenizer, texts)

    def generate(
        self,
        texts: Sequence[str],
        options: GenerationOptions,
        *,
        max_input_tokens: int,
        batch_size: int = 8,
    ) -> list[Generated]:
        import torch
        from transformers import LogitsProcessorList

        lengths = [n + 1 for n in self.count_tokens(texts)]  # + </s>
        results: list[Generated | None] = [None] * len(texts)
        kwargs = {
            "max_new_tokens": options.max_new_tokens,
            "min_new_tokens": options.min_new_tokens,
            "num_beams": options.num_beams,
            "length_penalty": options.length_penalty,
            "no_repeat_ngram_size": options.no_repeat_ngram_size,
            "repetition_penalty": options.repetition_penalty,
            "do_sample": False,
            "early_stopping": options.num_beams > 1,
        }
        pad_id = self.tokenizer.pad_token_id
        for batch in sorted_batches(lengths, batch_size, self.max_batch_tokens):
            enc = self.tokenizer(
                [texts[i] for i in batch],
                max_length=max_input_tokens,
                truncation=True,
                padding=True,
                return_tensors="pt",
            ).to(self.device)
            extra = {}
            if options.copy_names_numbers:
                processor = logits_processor(
                    self._protected, enc["input_ids"], self.model.config.vocab_size, options.num_beams
                )
                extra["logits_processor"] = LogitsProcessorList([processor])
            with torch.inference_mode():
                out = self.model.generate(**enc, **kwargs, **extra)
            decoded = self.tokenizer.batch_decode(out, skip_special_tokens=True)
            counts = (out[:, 1:] != pad_id).sum(dim=1).tolist()
            for row, index in enumerate(batch):
                results[index] = Generated(
                    text=decoded[row],
                    n_tokens=int(counts[row]),
                    input_truncated=lengths[index] > max_input_tokens,
                )
        return [r for r in results if r is not None]
