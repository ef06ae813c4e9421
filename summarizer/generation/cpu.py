"""What the CPU has that decides which arithmetic pays, read from /proc/cpuinfo.

`cpu_info` parses a /proc/cpuinfo text (the evaluation records it beside every speed figure);
`cpu_flags` is this machine's, read once. On a CPU with AMX (bfloat16 matrix units), PyTorch in
bfloat16 is the fastest batched generation path measured (evaluation/RESULTS.md §2, table B),
which is what `load_generator` picks for a batch job there. The choice rests on the flags alone:
a PyTorch build or an `ONEDNN_MAX_CPU_ISA` setting that keeps oneDNN off AMX is not detected
(`--compute-type float32` then keeps CTranslate2 float32).
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

# the instruction sets that decide which arithmetic pays on a CPU, in /proc/cpuinfo's spelling:
# AVX-512 (wide fp32), VNNI (int8 dot products: CTranslate2's int8 GEMM), AVX-512 bf16 and AMX
# (bfloat16/int8 matrix units: PyTorch bf16 through oneDNN)
SPEED_FLAGS = (
    "avx2",
    "avx512f",
    "avx512_vnni",
    "avx_vnni",
    "avx512_bf16",
    "amx_tile",
    "amx_int8",
    "amx_bf16",
)
CPUINFO = Path("/proc/cpuinfo")


def cpu_info(cpuinfo: str) -> dict[str, Any]:
    """The first processor of a /proc/cpuinfo text: `cpu` (model name), `cpu_vendor`, `cpu_family`
    ("vendor family/model", e.g. "AuthenticAMD 26/2": Zen 5), and `cpu_flags`, the `SPEED_FLAGS` it has."""
    fields: dict[str, str] = {}
    for line in cpuinfo.splitlines():
        if not line.strip():
            if fields:
                break  # the first processor is enough: all cores of a machine are the same model
            continue
        key, sep, value = line.partition(":")
        if sep:
            fields.setdefault(key.strip(), value.strip())
    flags = set(fields.get("flags", "").split())
    info: dict[str, Any] = {"cpu_flags": [flag for flag in SPEED_FLAGS if flag in flags]}
    if "model name" in fields:
        info["cpu"] = fields["model name"]
    if "vendor_id" in fields:
        info["cpu_vendor"] = fields["vendor_id"]
        info["cpu_family"] = f"{fields['vendor_id']} {fields.get('cpu family', '?')}/{fields.get('model', '?')}"
    return info


@functools.cache
def cpu_flags() -> frozenset[str]:
    """This machine's `SPEED_FLAGS` (empty where /proc/cpuinfo cannot be read: not Linux)."""
    try:
        text = CPUINFO.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return frozenset()
    return frozenset(cpu_info(text)["cpu_flags"])


def has_amx_bf16() -> bool:
    """Whether this CPU has AMX bfloat16 matrix units (`amx_bf16`)."""
    return "amx_bf16" in cpu_flags()
