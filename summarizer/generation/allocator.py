"""Process-wide malloc setting that CTranslate2's int8 kernels need on glibc.

Measured on the project's 2-core AMD EPYC (evaluation/RESULTS.md): when CTranslate2's worker
threads allocate from per-thread glibc arenas, its int8 CPU path runs 1.6-1.9x slower than
when every thread shares the main arena (ViT5-base shape, 512 tokens in, 64 out: 5.3 s vs
2.8-3.4 s a document; compact-vi `summarize`: 0.81 s vs 0.50 s). float32 CTranslate2 and
PyTorch run at the same speed either way. Setting the environment variable
`GLIBC_TUNABLES=glibc.malloc.arena_max=1` before the process starts has the same effect.
"""

from __future__ import annotations

import ctypes
import logging
import os
import platform

logger = logging.getLogger(__name__)

_M_ARENA_MAX = -8  # from glibc's <malloc.h>
_TUNABLE = "glibc.malloc.arena_max=1"


def _user_chose_arenas() -> bool:
    return "MALLOC_ARENA_MAX" in os.environ or "arena_max" in os.environ.get("GLIBC_TUNABLES", "")


def worker_environment() -> dict[str, str]:
    """Environment variables that give a process started elsewhere (a Ray worker) the same setting."""
    if _user_chose_arenas():
        return {}
    tunables = ":".join(filter(None, [os.environ.get("GLIBC_TUNABLES", ""), _TUNABLE]))
    return {"GLIBC_TUNABLES": tunables}


def share_malloc_arena() -> bool:
    """Make threads created from now on allocate from glibc's main arena.

    Call it first thing in a program's entry point: threads that have already allocated
    keep their own arena. Leaves the process alone (returns False) where the C library is
    not glibc, or where the user chose an arena setting (`MALLOC_ARENA_MAX`, or
    `GLIBC_TUNABLES` naming `arena_max`).
    """
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return False
    if _user_chose_arenas():
        return False
    try:
        done = ctypes.CDLL(None).mallopt(_M_ARENA_MAX, 1) == 1
    except (OSError, AttributeError):
        return False
    logger.debug("malloc arenas limited to the main one: %s", done)
    return done
