"""`evaluation.machine`: which CPU a speed figure comes from, with the flags that decide int8 and bf16 speed."""

from __future__ import annotations

from evaluation.machine import SPEED_FLAGS, cpu_info, format_cpu, machine_info

XEON = """processor\t: 0
vendor_id\t: GenuineIntel
cpu family\t: 6
model\t\t: 143
model name\t: Intel(R) Xeon(R) Platinum 8480+
flags\t\t: fpu avx2 avx512f avx512_vnni avx512_bf16 amx_bf16 amx_tile amx_int8

processor\t: 1
vendor_id\t: GenuineIntel
model name\t: a second core that is not read
flags\t\t: fpu
"""

OLD_EPYC = """processor\t: 0
vendor_id\t: AuthenticAMD
cpu family\t: 23
model\t\t: 1
model name\t: AMD EPYC 7551 32-Core Processor
flags\t\t: fpu sse4_2 avx avx2 fma
"""


def test_cpu_info_names_the_model_family_and_the_speed_flags_of_the_first_core() -> None:
    info = cpu_info(XEON)
    assert info["cpu"] == "Intel(R) Xeon(R) Platinum 8480+"
    assert info["cpu_family"] == "GenuineIntel 6/143"
    assert info["cpu_flags"] == ["avx2", "avx512f", "avx512_vnni", "avx512_bf16", "amx_tile", "amx_int8", "amx_bf16"]
    assert format_cpu(info) == (
        "Intel(R) Xeon(R) Platinum 8480+ (GenuineIntel 6/143; avx2 avx512f avx512_vnni avx512_bf16 amx_tile "
        "amx_int8 amx_bf16; no avx_vnni)"
    )


def test_a_cpu_without_the_matrix_units_says_what_it_lacks() -> None:
    info = cpu_info(OLD_EPYC)
    assert info["cpu_flags"] == ["avx2"] and info["cpu_family"] == "AuthenticAMD 23/1"
    assert format_cpu(info).endswith("(AuthenticAMD 23/1; avx2; no " + " ".join(SPEED_FLAGS[1:]) + ")")
    assert format_cpu({"cpu": "Test CPU"}) == "Test CPU"  # reports written before the flags were recorded


def test_machine_info_records_this_cpu_and_torch_dispatch() -> None:
    info = machine_info("cpu", 2)
    assert isinstance(info["cpu_flags"], list) and set(info["cpu_flags"]) <= set(SPEED_FLAGS)
    assert info["torch_cpu_capability"]  # e.g. "AVX512" or "AVX2"


def test_this_machines_flags_are_read_once_from_cpuinfo(tmp_path, monkeypatch) -> None:
    from summarizer.generation import cpu

    (tmp_path / "cpuinfo").write_text(XEON, encoding="utf-8")
    monkeypatch.setattr(cpu, "CPUINFO", tmp_path / "cpuinfo")
    cpu.cpu_flags.cache_clear()
    try:
        assert cpu.has_amx_bf16() and "avx512_vnni" in cpu.cpu_flags()
        (tmp_path / "cpuinfo").write_text(OLD_EPYC, encoding="utf-8")
        assert cpu.has_amx_bf16()  # read once: the same answer for the whole process
        cpu.cpu_flags.cache_clear()
        assert not cpu.has_amx_bf16() and cpu.cpu_flags() == {"avx2"}
        monkeypatch.setattr(cpu, "CPUINFO", tmp_path / "missing")
        cpu.cpu_flags.cache_clear()
        assert cpu.cpu_flags() == frozenset()  # not Linux: no flags, never an error
    finally:
        cpu.cpu_flags.cache_clear()
