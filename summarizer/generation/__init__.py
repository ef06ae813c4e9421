"""Generation backends: the only place that imports torch, transformers or ctranslate2.

Every backend implements `Generator`; `load_generator` picks one for a `ModelSpec`.
Heavy imports happen inside the backend modules, which are imported lazily here.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

from summarizer.batching import sorted_batches
from summarizer.errors import ConfigurationError, ModelLoadError
from summarizer.generation.cpu import has_amx_bf16
from summarizer.generation.progress import terminal_progress_only
from summarizer.options import GenerationOptions
from summarizer.registry import ModelSpec
from summarizer.types import ModelInfo

logger = logging.getLogger(__name__)

__all__ = ["BACKENDS", "Generated", "Generator", "describe", "load_generator", "sorted_batches"]

BACKENDS = ("transformers", "ct2")

# On CPU, when no backend is named, a transformers model is converted once to CTranslate2
# and cached. float32, not int8: on compact-vi, CTranslate2 float32 gives exactly PyTorch's
# greedy outputs at 2.2x its speed (batch 1), while int8 (2.65x) moved syllable ROUGE-1 by
# 0.58 on 500 VietNews validation articles, past the 0.5 we accept (evaluation/RESULTS.md).
CPU_DEFAULT_QUANTIZATION = "float32"


@dataclass(frozen=True)
class Generated:
    """One generated text, with its length in tokens and whether its input was cut."""

    text: str
    n_tokens: int
    input_truncated: bool = False


class Generator(Protocol):
    """What the pipeline needs from a seq2seq backend.

    The attributes say what actually runs, as resolved at load time (not as requested):
    `backend` ("transformers" or "ct2"), `device` ("cpu", "cuda"), `dtype` (the weights'
    type: "float32", "bfloat16", "int8"...) and `compute_type` (the arithmetic: the torch
    dtype for transformers, CTranslate2's resolved compute type such as "int8_float32").
    """

    backend: str
    device: str
    dtype: str
    compute_type: str

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Tokens of each text, special tokens excluded."""
        ...

    def generate(
        self,
        texts: Sequence[str],
        options: GenerationOptions,
        *,
        max_input_tokens: int,
        batch_size: int = 8,
    ) -> list[Generated]:
        """Generate one output per input, in input order."""
        ...


def count_tokens_with(tokenizer: Any, texts: Sequence[str]) -> list[int]:
    """Tokens of each text by a Hugging Face tokenizer, special tokens excluded (both backends)."""
    if not texts:
        return []
    return [len(ids) for ids in tokenizer(list(texts), add_special_tokens=False)["input_ids"]]


# How long the hub may take to answer before it counts as unreachable. huggingface_hub
# itself retries a failed connection for about 23 s; tomtat asks once and says what to do.
HUB_TIMEOUT_S = 5.0

# The files a transformers T5 checkpoint needs. The ViT5 repos also hold TensorFlow and Flax
# copies of the weights (tf_model.h5, flax_model.msgpack), which would triple the download.
HUB_FILES = ("*.json", "*.model", "*.safetensors", "pytorch_model*.bin", "*.txt", "README.md")


class HubUnreachableError(ModelLoadError):
    """A hub model is not downloaded and the hub cannot be reached (no network, offline mode).

    Attributes:
        reason: why the hub cannot be reached, e.g. "hub access is switched off (HF_HUB_OFFLINE)".
    """

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


def download_hint(spec: ModelSpec) -> str:
    """How to get a hub model's weights: one line, with the commands to run."""
    revision = spec.revision or "main"
    folder = spec.name.rsplit("/", 1)[-1]
    return (
        f"run `tomtat download {spec.name}` once this machine reaches huggingface.co; for a machine "
        f"that never does, run `hf download {spec.source} --revision {revision} --local-dir {folder}` "
        f"on one that does, copy {folder} here, run `tomtat download {spec.name} --dir {folder}` "
        f"(it adds the registry settings) and pass --model {folder}"
    )


def hub_offline() -> bool:
    """Whether hub access is switched off (HF_HUB_OFFLINE or TRANSFORMERS_OFFLINE)."""
    from huggingface_hub import constants

    flags = (os.environ.get("HF_HUB_OFFLINE", ""), os.environ.get("TRANSFORMERS_OFFLINE", ""))
    return bool(getattr(constants, "HF_HUB_OFFLINE", False)) or any(
        flag.strip().upper() in {"1", "ON", "YES", "TRUE"} for flag in flags
    )


def quiet_hub_logging() -> None:
    """Make huggingface_hub's warnings print once, not twice.

    huggingface_hub gives its logger its own stderr handler and lets records propagate, so
    once an application configures the root logger (as `tomtat` does) each warning prints
    twice. transformers turns propagation off for its own handler; this does the same for
    huggingface_hub, and only while that library handler is in place.
    """
    hub_logger = logging.getLogger("huggingface_hub")
    if hub_logger.handlers:
        hub_logger.propagate = False


def has_weights(folder: Path) -> bool:
    """Whether `folder` holds a transformers checkpoint: config.json and a weights file."""
    weights = [*folder.glob("*.safetensors"), *folder.glob("pytorch_model*.bin")]
    return (folder / "config.json").is_file() and bool(weights)


def cached_hub_weights(spec: ModelSpec) -> Path | None:
    """The local Hugging Face cache folder of `spec`'s files at its revision, or None.

    Never touches the network. A snapshot without config.json or weights counts as absent.
    """
    import huggingface_hub

    quiet_hub_logging()
    try:
        folder = Path(
            huggingface_hub.snapshot_download(
                spec.source, revision=spec.revision or None, allow_patterns=list(HUB_FILES), local_files_only=True
            )
        )
    except (OSError, ValueError):  # LocalEntryNotFoundError and IncompleteSnapshotError are OSErrors
        return None
    return folder if has_weights(folder) else None


def hub_unreachable(spec: ModelSpec, *, timeout: float = HUB_TIMEOUT_S) -> str:
    """Why the hub cannot serve `spec` now ("" when it can): one request, no retries.

    Raises:
        ModelLoadError: the hub answers that the repository or the revision does not exist.
    """
    if hub_offline():
        return "hub access is switched off (HF_HUB_OFFLINE)"
    import huggingface_hub
    from huggingface_hub.errors import HfHubHTTPError, RepositoryNotFoundError, RevisionNotFoundError

    try:
        huggingface_hub.HfApi().model_info(spec.source, revision=spec.revision or None, timeout=timeout)
    except RevisionNotFoundError:
        raise ModelLoadError(
            f"the hub has no revision {spec.revision!r} of {spec.source} (model {spec.name!r}); "
            "fix the revision in the registry entry"
        ) from None
    except RepositoryNotFoundError:
        raise ModelLoadError(
            f"the hub has no model {spec.source} (model {spec.name!r}), or it is private or gated; check the "
            "name, or log in with `hf auth login` if you have access"
        ) from None
    except HfHubHTTPError as exc:
        status = getattr(exc.response, "status_code", None) or "with an error"
        return f"huggingface.co answered {status}"
    except (AttributeError, NameError, TypeError):
        raise  # a bug, not the network
    except Exception as exc:  # the transport's own errors (DNS, refused, timeout, proxy) vary by version
        return f"huggingface.co cannot be reached ({type(exc).__name__}: {exc})"
    return ""


def download_hub_weights(spec: ModelSpec, *, local_dir: Path | None = None, announce: bool = False) -> Path:
    """Download `spec`'s hub files at its revision; the folder that holds them.

    Into the Hugging Face cache, or into `local_dir`. The hub is asked once first, with a
    short timeout, so a machine without network fails at once instead of after retries.
    `announce` logs a warning before a download starts (for downloads nobody asked for).

    Raises:
        HubUnreachableError: the hub cannot be reached; the message says what to run instead.
        ModelLoadError: the repository or revision does not exist, or the download failed.
    """
    quiet_hub_logging()
    reason = hub_unreachable(spec)
    if reason:
        message = f"model {spec.name!r} is not downloaded and {reason}: {download_hint(spec)}"
        raise HubUnreachableError(message, reason=reason)
    import huggingface_hub

    where = str(local_dir) if local_dir else "the Hugging Face cache"
    log = logger.warning if announce else logger.info
    log("downloading %s at revision %s into %s", spec.source, spec.revision or "main", where)
    try:
        folder = huggingface_hub.snapshot_download(
            spec.source,
            revision=spec.revision or None,
            allow_patterns=list(HUB_FILES),
            local_dir=str(local_dir) if local_dir else None,
        )
    except Exception as exc:  # connection lost, disk full...: one line, not a traceback
        raise ModelLoadError(
            f"downloading {spec.source} for model {spec.name!r} failed ({type(exc).__name__}: {exc}); run "
            f"`tomtat download {spec.name}` again, it resumes"
        ) from exc
    return Path(folder)


def hub_weights(spec: ModelSpec) -> Path:
    """The local folder with `spec`'s weights, downloading hub weights once if needed.

    A local model is its own folder. A hub model is looked up in the Hugging Face cache at its
    pinned revision first (no network); only when it is not there is the hub asked.

    Raises:
        ModelLoadError: not downloaded and the hub cannot be reached: at once, with the
            commands that fix it.
    """
    if not spec.is_hub:
        return Path(spec.source)
    # a multi-GB transfer on first use is worth a line even when logging is quiet
    return cached_hub_weights(spec) or download_hub_weights(spec, announce=True)


def cache_dir() -> Path:
    """Where converted models are kept: $TOMTAT_CACHE, else ~/.cache/tomtat (read at call time)."""
    return Path(os.environ.get("TOMTAT_CACHE") or Path.home() / ".cache" / "tomtat")


def _conversion_target(spec: ModelSpec) -> Path:
    """Where the CPU conversion of `spec` is cached (keyed by source, revision and weight files)."""
    stamp = spec.source + spec.revision
    weights = [p for p in Path(spec.source).glob("*.safetensors")] if Path(spec.source).is_dir() else []
    stamp += "".join(f"{p.name}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in sorted(weights))
    key = hashlib.sha256(stamp.encode()).hexdigest()[:12]
    return cache_dir() / "ct2" / f"{spec.name.replace('/', '--')}-{CPU_DEFAULT_QUANTIZATION}-{key}"


def _converted_for_cpu(spec: ModelSpec) -> ModelSpec:
    """The spec of a cached CTranslate2 conversion of `spec`, converting it if needed."""
    from summarizer.generation.ct2 import convert

    target = _conversion_target(spec)
    if not (target / "model.bin").is_file():
        logger.info("converting %s to CTranslate2 %s in %s (once)", spec.name, CPU_DEFAULT_QUANTIZATION, target)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + f".partial-{os.getpid()}")
        convert(spec, partial, quantization=CPU_DEFAULT_QUANTIZATION, force=True)
        partial.replace(target)  # atomic: a crash never leaves a half-written cache entry
    return replace(spec, source=str(target), backend="ct2")


def _on_cpu(device: str) -> bool:
    """Whether `device` means the CPU ("auto": when there is no GPU)."""
    if device == "auto":
        import torch

        return not torch.cuda.is_available()
    return device == "cpu"


def _auto_ct2(spec: ModelSpec, device: str, dtype: str) -> bool:
    """Whether auto mode should run this transformers model through CTranslate2 on CPU."""
    if spec.backend != "transformers" or dtype != "auto" or not importlib.util.find_spec("ctranslate2"):
        return False
    return _on_cpu(device)


def _auto_bf16(spec: ModelSpec, device: str, dtype: str, compute_type: str, batch_job: bool) -> bool:
    """Whether auto mode should run this transformers model in PyTorch bfloat16: a batch job on
    a CPU with AMX, where that is the fastest batched path measured (evaluation/RESULTS.md §2,
    table B: 1.22x CTranslate2 float32 for compact-vi's `tomtat eval`, 1.9x per ViT5-base call
    at batch 8; 74 of 100 abstracts unchanged) and one document at a time gains nothing."""
    if not batch_job or spec.backend != "transformers" or dtype != "auto" or compute_type != "auto":
        return False
    return has_amx_bf16() and _on_cpu(device)  # the flags first: a GPU is looked for only then


def load_generator(
    spec: ModelSpec,
    *,
    device: str = "auto",
    dtype: str = "auto",
    backend: str | None = None,
    compute_type: str = "auto",
    threads: int = 0,
    batch_job: bool = False,
) -> Generator:
    """Load the backend for `spec`.

    With `backend=None` (auto): a CTranslate2 folder runs on ct2; a transformers model runs
    on ct2 float32 on CPU (converted once into `cache_dir()`, when ctranslate2 is installed)
    and on transformers (bf16) on GPU. For a `batch_job` on a CPU with AMX, with dtype and
    compute type "auto" too, a transformers model runs on transformers in bfloat16 (see
    `_auto_bf16`). Name a backend to force it.

    Progress bars (download, conversion, loading) are drawn only when stderr is a terminal.

    Raises:
        ModelLoadError: the weights cannot be loaded; the message says how to get them.
        ConfigurationError: an unsupported device/dtype/backend combination.
    """
    with terminal_progress_only():
        return _load_generator(
            spec,
            device=device,
            dtype=dtype,
            backend=backend,
            compute_type=compute_type,
            threads=threads,
            batch_job=batch_job,
        )


def _load_generator(
    spec: ModelSpec, *, device: str, dtype: str, backend: str | None, compute_type: str, threads: int, batch_job: bool
) -> Generator:
    # a hub model whose CPU conversion is cached can run without its weights
    converted = spec.is_hub and backend is None and (_conversion_target(spec) / "model.bin").is_file()
    if spec.is_hub and not converted:
        # before torch and transformers are imported (seconds): a hub model that is neither
        # downloaded nor reachable fails at once; one that is downloaded costs a cache lookup
        hub_weights(spec)
    chosen = backend or spec.backend
    if backend is None and _auto_bf16(spec, device, dtype, compute_type, batch_job):
        if converted and cached_hub_weights(spec) is None:
            # only the CPU conversion is here: it runs rather than a download of the weights
            logger.info("%s: no PyTorch weights here, so its cached CTranslate2 float32 conversion runs", spec.name)
            spec, chosen = _converted_for_cpu(spec), "ct2"
        else:
            logger.info("a batch job on a CPU with AMX: %s runs in PyTorch bfloat16", spec.name)
            dtype = "bfloat16"
    elif backend is None and _auto_ct2(spec, device, dtype):
        spec, chosen = _converted_for_cpu(spec), "ct2"
    if chosen == "transformers":
        from summarizer.generation.hf import TransformersGenerator

        return TransformersGenerator.load(spec, device=device, dtype=dtype, threads=threads)
    if chosen == "ct2":
        from summarizer.generation.ct2 import CT2Generator

        return CT2Generator.load(spec, device=device, compute_type=compute_type, threads=threads)
    raise ConfigurationError(f"unknown backend {chosen!r}; choose one of: {', '.join(BACKENDS)}")


def describe(spec: ModelSpec, generator: Generator | None) -> ModelInfo:
    """What runs (`ModelInfo`), from the loaded generator rather than the registry entry: e.g. backend
    "ct2" after the CPU conversion; "extractive" when there is no generator."""
    if generator is None:
        return ModelInfo(spec.name, spec.revision, spec.kind, "extractive", "cpu")
    dtype = str(getattr(generator, "dtype", "n/a"))
    return ModelInfo(
        name=spec.name,
        revision=spec.revision,
        kind=spec.kind,
        backend=generator.backend,
        device=generator.device,
        dtype=dtype,
        compute_type=str(getattr(generator, "compute_type", dtype)),
    )
