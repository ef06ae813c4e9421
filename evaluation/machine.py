"""Where a measurement comes from: the machine, its libraries and its load."""

from __future__ import annotations

import contextlib
import os
import platform
from collections.abc import Sequence
from typing import Any

from summarizer.generation.cpu import CPUINFO, SPEED_FLAGS, cpu_info

__all__ = ["SPEED_FLAGS", "cpu_info", "format_cpu", "format_load_avg", "machine_info"]


def machine_info(device: str, threads: int) -> dict[str, Any]:
    """CPU/GPU, threads, library versions and the load average at the time of the call."""
    info: dict[str, Any] = {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpu_count": os.cpu_count(),
        "threads": threads or "library default",
        "device": device,
        "load_avg": os.getloadavg(),
    }
    with contextlib.suppress(OSError):
        info.update(cpu_info(CPUINFO.read_text()))
    for module in ("torch", "transformers", "ctranslate2"):
        try:
            info[module] = __import__(module).__version__
        except ImportError:
            info[module] = "not installed"
    if info["torch"] != "not installed":
        import torch

        # the widest vector ISA PyTorch's CPU kernels dispatch to here ("AVX512", "AVX2"...)
        info["torch_cpu_capability"] = torch.backends.cpu.get_cpu_capability()
    if device.startswith("cuda"):
        import torch

        info["gpu"] = torch.cuda.get_device_name()
    return info


def format_cpu(machine: dict[str, Any]) -> str:
    """`machine_info`'s CPU as one line: "AMD EPYC (AuthenticAMD 26/2; avx2 avx512f ...; no amx_tile ...)"."""
    if "cpu_flags" not in machine:
        return str(machine.get("cpu", "unknown CPU"))
    have = machine["cpu_flags"]
    missing = [flag for flag in SPEED_FLAGS if flag not in have]
    parts = [machine.get("cpu_family", ""), " ".join(have) or "none of " + " ".join(SPEED_FLAGS)]
    if have and missing:
        parts.append("no " + " ".join(missing))
    return f"{machine.get('cpu', 'unknown CPU')} ({'; '.join(p for p in parts if p)})"


def format_load_avg(load_avg: Sequence[float] | None) -> str:
    """`machine_info`'s 1/5/15-minute load as "1.02 / 0.87 / 0.55" ("unknown" when missing)."""
    if not load_avg:
        return "unknown"
    return " / ".join(f"{value:.2f}" for value in load_avg)
