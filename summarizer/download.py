"""`tomtat download NAME [--dir DIR]`: a registry model's hub weights, at its pinned revision.

A hub model is also downloaded on first use; this command does it ahead of time and says
where the files are. With `--dir` the files go to a folder of their own, with the registry
settings beside them (`tomtat.json`: prefixes, input limit, decoding defaults), so the folder
can be copied to a machine without network and passed as `--model DIR`. Run there on a
folder filled by `hf download ... --local-dir DIR`, it only adds those settings.

The command is registered through the "tomtat.commands" entry-point group (pyproject.toml),
like the other commands outside the library's core.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from summarizer.generation import (
    HubUnreachableError,
    cached_hub_weights,
    download_hub_weights,
    has_weights,
)
from summarizer.registry import METADATA_FILE, ModelSpec, folder_metadata, resolve_model


@dataclass(frozen=True)
class Download:
    """What `download_model` did.

    Attributes:
        spec: the resolved model.
        folder: where its files are; None when it has nothing to download.
        note: one line for the user: what happened and how to use the result.
    """

    spec: ModelSpec
    folder: Path | None
    note: str


def _nothing_to_download(spec: ModelSpec) -> str:
    if not spec.source:
        return f"{spec.name} has no weights ({spec.kind} model): nothing to download"
    return f"{spec.name} is already on this machine ({spec.source}): nothing to download"


def _write_settings(spec: ModelSpec, folder: Path) -> None:
    meta = folder_metadata(spec, downloaded_from=spec.source)
    (folder / METADATA_FILE).write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")


def download_model(name: str, directory: Path | None = None) -> Download:
    """Download registry model `name` (or a hub id) at its pinned revision.

    Into the Hugging Face cache, where `--model NAME` finds it, or into `directory` with the
    registry settings, for `--model DIRECTORY`. Without network, files already in place are
    kept (and a `directory` gets the settings) instead of failing.

    Raises:
        ModelNotFoundError: `name` is not a registry name, a model folder or a hub id.
        ModelLoadError: the hub cannot be reached and the files are not here (the message
            says what to run instead), or the download failed.
    """
    spec = resolve_model(name)
    if not spec.is_hub:
        return Download(spec, None, _nothing_to_download(spec))
    directory = directory.expanduser().resolve() if directory is not None else None
    unchecked = ""
    try:
        folder = download_hub_weights(spec, local_dir=directory)
    except HubUnreachableError as exc:
        existing = cached_hub_weights(spec) if directory is None else directory
        if existing is None or not has_weights(existing):
            raise
        folder, unchecked = existing, f" (already here; not checked against the hub: {exc.reason})"
    what = f"{spec.name}: {spec.source} at revision {spec.revision or 'main'} is in {folder}"
    if directory is None:
        return Download(spec, folder, f"{what}; use --model {spec.name}{unchecked}")
    _write_settings(spec, folder)
    return Download(spec, folder, f"{what} with the registry settings; use --model {folder}{unchecked}")


def _cmd_download(args: argparse.Namespace) -> int:
    result = download_model(args.name, args.dir)
    print(result.note, file=sys.stdout)
    return 0


def add_download_command(subparsers: Any) -> None:
    """Register `tomtat download` (entry point "tomtat.commands": download)."""
    parser = subparsers.add_parser(
        "download",
        help="fetch a hub model's weights at its pinned revision (needs network to huggingface.co)",
        description=(
            "Download a registry model's weights from the Hugging Face hub at the revision the registry "
            "pins, into the Hugging Face cache (where --model NAME finds them) or into --dir."
        ),
    )
    parser.add_argument("name", help="registry name (see `tomtat models`) or hub id owner/name")
    parser.add_argument(
        "--dir",
        type=Path,
        default=None,
        help="put the files in this folder with the registry settings (to copy elsewhere; then --model DIR)",
    )
    parser.set_defaults(func=_cmd_download)
