"""Hub models: `tomtat download`, and failing at once (one line, exit 2) without network.

No test here reaches the network: the hub's answers are stand-ins, and the Hugging Face cache
is a temporary folder.
"""

from __future__ import annotations

import fnmatch
import logging
import re
import time
from pathlib import Path
from typing import Any

import huggingface_hub
import pytest
from huggingface_hub import constants
from huggingface_hub.errors import LocalEntryNotFoundError

from summarizer.cli import main
from summarizer.errors import ModelLoadError
from summarizer.generation import HUB_FILES, hub_weights, quiet_hub_logging
from summarizer.registry import resolve_model

BASE_REPO = "VietAI/vit5-base-vietnews-summarization"
LARGE_REPO = "VietAI/vit5-large-vietnews-summarization"


class FakeHub:
    """Stands in for huggingface_hub's network calls and records them."""

    def __init__(self, *, reachable: bool = True, cached: Path | None = None) -> None:
        self.reachable = reachable
        self.cached = cached
        self.probes: list[tuple[str, str | None]] = []
        self.downloads: list[dict[str, Any]] = []

    def model_info(self, repo_id: str, *, revision: str | None = None, timeout: float | None = None):
        self.probes.append((repo_id, revision))
        assert timeout is not None and timeout <= 10, "the probe must not wait long"
        if not self.reachable:
            raise ConnectionError("[Errno -2] Name or service not known")
        return object()

    def snapshot_download(self, repo_id: str, **kwargs: Any) -> str:
        if kwargs.get("local_files_only"):
            if self.cached is None:
                raise LocalEntryNotFoundError("not in the cache")
            return str(self.cached)
        assert self.reachable, "a download was attempted without network"
        self.downloads.append({"repo_id": repo_id, **kwargs})
        folder = Path(kwargs["local_dir"] or Path(constants.HF_HUB_CACHE) / "snapshots" / str(kwargs["revision"]))
        _checkpoint(folder)
        return str(folder)


def _checkpoint(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.json").write_text("{}", encoding="utf-8")
    (folder / "pytorch_model.bin").write_bytes(b"weights")
    return folder


@pytest.fixture
def hub(monkeypatch, tmp_path: Path):
    """A hub without network calls, online unless a test switches it off."""

    def install(**kwargs: Any) -> FakeHub:
        fake = FakeHub(**kwargs)
        monkeypatch.setattr(huggingface_hub.HfApi, "model_info", fake.model_info)
        monkeypatch.setattr(huggingface_hub, "snapshot_download", fake.snapshot_download)
        return fake

    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "hf-cache"))
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    return install


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_vit5_revisions_are_pinned_commits() -> None:
    for name, repo in (("vit5-base-vietnews", BASE_REPO), ("vit5-large-vietnews", LARGE_REPO)):
        spec = resolve_model(name)
        assert spec.source == repo and spec.is_hub
        assert re.fullmatch(r"[0-9a-f]{40}", spec.revision), f"{name} is not pinned to a commit"
    assert resolve_model("vit5-base-vietnews").prefixes == {"summary": ""}
    assert resolve_model("vit5-large-vietnews").prefixes == {"summary": "vietnews: "}


def test_download_fetches_the_repo_at_its_pinned_revision(hub, capsys) -> None:
    fake = hub()
    code, out, err = run(capsys, "download", "vit5-base-vietnews")
    assert code == 0, err
    [call] = fake.downloads
    assert call["repo_id"] == BASE_REPO
    assert call["revision"] == resolve_model("vit5-base-vietnews").revision == fake.probes[0][1]
    assert call["local_dir"] is None  # the Hugging Face cache, where --model NAME finds it
    patterns = call["allow_patterns"]
    for needed in ("config.json", "pytorch_model.bin", "model.safetensors", "spiece.model", "tokenizer.json"):
        assert any(fnmatch.fnmatch(needed, p) for p in patterns), needed
    for skipped in ("tf_model.h5", "flax_model.msgpack"):  # the ViT5 repos' other copies of the weights
        assert not any(fnmatch.fnmatch(skipped, p) for p in patterns), skipped
    assert "--model vit5-base-vietnews" in out and str(Path(constants.HF_HUB_CACHE)) in out


def test_download_dir_carries_the_registry_settings(hub, capsys, tmp_path: Path) -> None:
    fake = hub()
    target = tmp_path / "large"
    code, out, _ = run(capsys, "download", "vit5-large-vietnews", "--dir", str(target))
    assert code == 0
    assert fake.downloads[0]["local_dir"] == str(target) and fake.downloads[0]["repo_id"] == LARGE_REPO
    spec = resolve_model(str(target))  # the folder alone gives the registry's prefix and limits
    assert spec.prefixes == {"summary": "vietnews: "} and spec.max_input_tokens == 1024
    assert spec.revision == resolve_model("vit5-large-vietnews").revision
    assert f"--model {target}" in out


def test_download_without_network_is_one_line_and_exit_2(hub, capsys, monkeypatch) -> None:
    fake = hub()
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    started = time.monotonic()
    code, out, err = run(capsys, "download", "vit5-base-vietnews")
    assert code == 2 and not out
    assert time.monotonic() - started < 5
    [line] = err.splitlines()
    revision = resolve_model("vit5-base-vietnews").revision
    assert line.startswith("tomtat: error: model 'vit5-base-vietnews' is not downloaded")
    assert "tomtat download vit5-base-vietnews" in line
    assert f"hf download {BASE_REPO} --revision {revision} --local-dir" in line
    assert "huggingface-cli" not in line
    assert not fake.probes and not fake.downloads  # offline mode: not even one request


def test_unreachable_hub_fails_summarize_at_once(hub, capsys, tmp_path: Path) -> None:
    fake = hub(reachable=False)
    text = tmp_path / "a.txt"
    text.write_text("Hà Nội mưa lớn suốt đêm qua. Nhiều tuyến phố ngập sâu.", encoding="utf-8")
    started = time.monotonic()
    code, out, err = run(capsys, "summarize", "--model", "vit5-base-vietnews", str(text))
    assert code == 2 and not out
    assert time.monotonic() - started < 5  # one request, no retries (huggingface_hub's own take ~23 s)
    [line] = err.splitlines()
    assert "cannot be reached" in line and "tomtat download vit5-base-vietnews" in line
    assert len(fake.probes) == 1 and not fake.downloads


def test_offline_download_reports_files_already_in_the_cache(hub, capsys, monkeypatch, tmp_path: Path) -> None:
    cached = _checkpoint(tmp_path / "snapshot")
    hub(cached=cached)
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    code, out, _ = run(capsys, "download", "vit5-base-vietnews")
    assert code == 0 and str(cached) in out and "not checked against the hub" in out
    assert hub_weights(resolve_model("vit5-base-vietnews")) == cached  # and summarize would load them


def test_offline_dir_from_hf_download_gets_the_settings(hub, capsys, monkeypatch, tmp_path: Path) -> None:
    hub()
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    copied = _checkpoint(tmp_path / "vit5-large-vietnews")  # as `hf download --local-dir` leaves it
    code, _, _ = run(capsys, "download", "vit5-large-vietnews", "--dir", str(copied))
    assert code == 0 and resolve_model(str(copied)).prefixes == {"summary": "vietnews: "}


def test_cached_model_loads_without_asking_the_hub(hub, tmp_path: Path) -> None:
    cached = _checkpoint(tmp_path / "snapshot")
    fake = hub(reachable=False, cached=cached)
    assert hub_weights(resolve_model("vit5-large-vietnews")) == cached
    assert not fake.probes


@pytest.mark.parametrize("name", ["ext-vi", "lead", "compact-vi"])
def test_models_without_hub_weights_have_nothing_to_download(hub, capsys, name: str) -> None:
    fake = hub()
    code, out, _ = run(capsys, "download", name)
    assert code == 0 and "nothing to download" in out
    assert not fake.probes and not fake.downloads


def test_unknown_name_lists_the_registry(hub, capsys) -> None:
    code, _, err = run(capsys, "download", "vit5-huge")
    [line] = err.splitlines()
    assert code == 2 and "unknown model 'vit5-huge'" in line and "vit5-base-vietnews" in line


def test_missing_revision_on_the_hub_is_a_load_error(hub, monkeypatch) -> None:
    from types import SimpleNamespace

    from huggingface_hub.errors import RevisionNotFoundError

    hub()
    answer = SimpleNamespace(status_code=404, headers={}, request=None)  # the parts the error reads

    def no_such_revision(*_args: Any, **_kwargs: Any) -> None:
        raise RevisionNotFoundError("404 Revision Not Found", response=answer)

    monkeypatch.setattr(huggingface_hub.HfApi, "model_info", no_such_revision)
    with pytest.raises(ModelLoadError, match="has no revision"):
        hub_weights(resolve_model("vit5-base-vietnews"))


def test_hub_warnings_print_once(monkeypatch) -> None:
    hub_logger = logging.getLogger("huggingface_hub")
    monkeypatch.setattr(hub_logger, "propagate", True)  # restored after the test
    root_records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = root_records.append  # type: ignore[method-assign]
    logging.getLogger().addHandler(handler)
    try:
        quiet_hub_logging()
        logging.getLogger("huggingface_hub.utils._http").warning("Retrying in 1s [Retry 1/5].")
    finally:
        logging.getLogger().removeHandler(handler)
    assert hub_logger.handlers, "huggingface_hub's own handler still prints it"
    assert not root_records, "the root handler printed it a second time"


def test_hub_files_skip_other_frameworks() -> None:
    assert not any(fnmatch.fnmatch("tf_model.h5", p) or fnmatch.fnmatch("flax_model.msgpack", p) for p in HUB_FILES)
