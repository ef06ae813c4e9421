"""Model registry: resolves a registry name, a local folder or a hub id to a `ModelSpec`.

The registry itself is data (`models/registry.toml`); model-specific defaults (prefixes,
input limits, decoding settings) live there, not in pipeline code. A local folder may carry
a `tomtat.json` with the same fields, written by the training and export recipes.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from summarizer.errors import ConfigurationError, ModelNotFoundError
from summarizer.options import GenerationOptions

TASKS = ("headline", "summary")
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")
METADATA_FILE = "tomtat.json"
EXTRACTIVE_FILE = "model.json"  # a learned extractive model folder (`tomtat train-extractor`)


@dataclass(frozen=True)
class ModelSpec:
    """Everything the pipeline needs to know about one model."""

    name: str
    kind: str  # "seq2seq" | "extractive"
    source: str = ""  # hub id or local folder (seq2seq only)
    revision: str = ""
    description: str = ""  # the developers' note (English)
    description_vi: str = ""  # for editors (the page); empty: none written
    preview: bool = False  # not fit for use: said wherever the model is listed
    license: str = ""
    max_input_tokens: int = 512
    prefixes: dict[str, str] = field(default_factory=dict)
    generation: dict[str, GenerationOptions] = field(default_factory=dict)
    extractive: dict[str, Any] = field(default_factory=dict)
    # extract, then rewrite: {"selector": "<extractive model>"}; empty for whole-document models
    rewrite: dict[str, Any] = field(default_factory=dict)
    backend: str = "transformers"  # "ct2" when source is a CTranslate2 folder
    # measured cost of a faster CTranslate2 compute type against the default float32 (e.g. "int8":
    # ROUGE change and speed on a seeded sample, with the CPU): `tomtat models` and the card show it
    compute_types: dict[str, str] = field(default_factory=dict)

    @property
    def is_local(self) -> bool:
        return bool(self.source) and Path(self.source).is_dir()

    @property
    def is_hub(self) -> bool:
        """Whether the weights come from the Hugging Face hub (`source` is "owner/name", not a folder)."""
        return bool(self.source) and not Path(self.source).exists() and bool(_HUB_ID.match(self.source))

    @property
    def has_headline_task(self) -> bool:
        return "headline" in self.prefixes

    @property
    def needs_selector(self) -> bool:
        """Whether the model selects sentences with a learned extractive model (ext-vi, rewriters)."""
        return self.extractive.get("method") == "learned" or bool(self.rewrite)

    def options_for(self, task: str) -> GenerationOptions:
        return self.generation.get(task, GenerationOptions())

    def card(self) -> dict[str, Any]:
        """A JSON-friendly description (for `tomtat models` and `GET /v1/models`)."""
        return {
            "name": self.name,
            "kind": self.kind,
            "source": self.source,
            "revision": self.revision,
            "backend": self.backend if self.kind == "seq2seq" else "extractive",
            "description": self.description,
            "description_vi": self.description_vi,
            "preview": self.preview,
            "license": self.license,
            "max_input_tokens": self.max_input_tokens,
            "prefixes": dict(self.prefixes),
            "generation": {k: v.as_dict() for k, v in self.generation.items()},
            "extractive": dict(self.extractive),
            "rewrite": dict(self.rewrite),
            "compute_types": dict(self.compute_types),
        }


def folder_metadata(spec: ModelSpec, **extra: Any) -> dict[str, Any]:
    """The `tomtat.json` fields that make a model folder carry `spec`'s settings.

    A folder passed as `--model` is read with these (prefixes, input limit, decoding
    defaults) instead of generic defaults; `extra` adds fields such as the quantization.
    """
    meta: dict[str, Any] = {
        "name": spec.name,
        "kind": spec.kind,
        "revision": spec.revision,
        "description": spec.description,
        "description_vi": spec.description_vi,
        "preview": spec.preview,
        "license": spec.license,
        "max_input_tokens": spec.max_input_tokens,
        "prefixes": dict(spec.prefixes),
        "generation": {task: opts.as_dict() for task, opts in spec.generation.items()},
    }
    meta.update(extra)
    return meta


def _models_dir() -> Path:
    return Path(str(resources.files("models")))


@cache
def _registry() -> dict[str, Any]:
    with resources.files("models").joinpath("registry.toml").open("rb") as fh:
        return tomllib.load(fh)


def default_model_name() -> str:
    """The model used when none is named."""
    return str(_registry()["default"])


def known_models() -> dict[str, ModelSpec]:
    """All registry entries, by name, in registry order."""
    return {name: _spec_from_entry(name, entry) for name, entry in _registry()["models"].items()}


def _generation(entries: dict[str, Any]) -> dict[str, GenerationOptions]:
    try:
        return {task: GenerationOptions(**opts) for task, opts in entries.items()}
    except TypeError as exc:
        raise ConfigurationError(f"bad generation settings in model metadata: {exc}") from exc


def _spec_from_entry(name: str, entry: dict[str, Any], source: str | None = None) -> ModelSpec:
    src = source if source is not None else str(entry.get("source", ""))
    if src.startswith("bundled:"):
        src = str(_models_dir() / src.removeprefix("bundled:"))
    backend = entry.get("backend") or ("ct2" if Path(src, "model.bin").is_file() else "transformers")
    return ModelSpec(
        name=name,
        kind=entry.get("kind", "seq2seq"),
        source=src,
        revision=str(entry.get("revision", "")),
        description=entry.get("description", ""),
        description_vi=entry.get("description_vi", ""),
        preview=bool(entry.get("preview", False)),
        license=entry.get("license", ""),
        max_input_tokens=int(entry.get("max_input_tokens", 512)),
        prefixes=dict(entry.get("prefixes", {"summary": ""})),
        generation=_generation(entry.get("generation", {})),
        extractive=dict(entry.get("extractive", {})),
        rewrite=dict(entry.get("rewrite", {})),
        backend=backend,
        compute_types={str(k): str(v) for k, v in entry.get("compute_types", {}).items()},
    )


def _spec_from_folder(path: Path) -> ModelSpec:
    meta: dict[str, Any] = {}
    meta_file = path / METADATA_FILE
    if (path / EXTRACTIVE_FILE).is_file() and not meta_file.is_file():
        entry = {"kind": "extractive", "extractive": {"method": "learned"}, "description": "learned extractive model"}
        return _spec_from_entry(path.name, entry, source=str(path))
    if meta_file.is_file():
        try:
            meta = json.loads(meta_file.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise ConfigurationError(f"{meta_file} is not valid JSON: {exc}") from exc
    elif not (path / "config.json").is_file() and not (path / "model.bin").is_file():
        raise ModelNotFoundError(
            f"{path} is a folder but holds no model (no config.json, model.bin or {METADATA_FILE})"
        )
    return _spec_from_entry(meta.get("name", path.name), meta, source=str(path))


def resolve_model(name_or_path: str | None = None) -> ModelSpec:
    """Resolve a registry name, a local model folder, or a hub id ("owner/name").

    Raises:
        ModelNotFoundError: listing the registry names, when nothing matches.
    """
    name = name_or_path or default_model_name()
    models = known_models()
    if name in models:
        return models[name]
    path = Path(name).expanduser()
    if path.is_dir():
        return _spec_from_folder(path)
    if _HUB_ID.match(name) and not path.exists():
        return ModelSpec(name=name, kind="seq2seq", source=name, revision="main")
    raise ModelNotFoundError(
        f"unknown model {name!r}: not a registry name, a model folder or a hub id. Known names: {', '.join(models)}"
    )
