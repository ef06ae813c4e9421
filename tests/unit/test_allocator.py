"""The process-wide malloc arena setting used for CTranslate2 int8 speed."""

from __future__ import annotations

import os
import platform
import subprocess
import sys

import pytest

CALL = "from summarizer.generation.allocator import share_malloc_arena as f; print(f())"

glibc_only = pytest.mark.skipif(
    platform.system() != "Linux" or platform.libc_ver()[0] != "glibc", reason="the setting exists only in glibc"
)


def _run(env: dict[str, str]) -> str:
    clean = {k: v for k, v in os.environ.items() if k not in ("MALLOC_ARENA_MAX", "GLIBC_TUNABLES")}
    done = subprocess.run([sys.executable, "-c", CALL], env={**clean, **env}, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@glibc_only
def test_limits_arenas_in_a_fresh_process() -> None:
    assert _run({}) == "True"


@glibc_only
@pytest.mark.parametrize(
    "env",
    [{"MALLOC_ARENA_MAX": "4"}, {"GLIBC_TUNABLES": "glibc.malloc.arena_max=2"}],
)
def test_leaves_a_users_own_arena_setting_alone(env: dict[str, str]) -> None:
    assert _run(env) == "False"


def test_worker_environment_adds_the_tunable_or_respects_the_users(monkeypatch: pytest.MonkeyPatch) -> None:
    from summarizer.generation.allocator import worker_environment

    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    monkeypatch.setenv("GLIBC_TUNABLES", "glibc.malloc.hugetlb=1")
    assert worker_environment() == {"GLIBC_TUNABLES": "glibc.malloc.hugetlb=1:glibc.malloc.arena_max=1"}
    monkeypatch.setenv("GLIBC_TUNABLES", "glibc.malloc.arena_max=4")
    assert worker_environment() == {}
