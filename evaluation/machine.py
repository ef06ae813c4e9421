"""Where a measurement comes from: the machine, its libraries and its load."""

from __future__ import annotations

import contextlib
import os
import platform
from collections.abc import Sequence
from pathlib import Path
from typing import Any


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
    with contextlib.suppress(OSError, StopIteration):
        info["cpu"] = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    for module in ("torch", "transformers", "ctranslate2"):
        try:
            info[module] = __import__(module).__version__
        except ImportError:
            info[module] = "not installed"
    if device.startswith("cuda"):
        import torch

        info["gpu"] = torch.cuda.get_device_name()
    return info


def format_load_avg(load_avg: Sequence[float] | None) -> str:
    """`machine_info`'s 1/5/15-minute load as "1.02 / 0.87 / 0.55" ("unknown" when missing)."""
    if not load_avg:
        return "unknown"
    return " / ".join(f"{value:.2f}" for value in load_avg)
