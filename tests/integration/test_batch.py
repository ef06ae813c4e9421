"""`tomtat batch`: bad records, compressed input, resume after SIGKILL and Ctrl-C, Ray."""

from __future__ import annotations

import gzip
import json
import lzma
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from summarizer import Summarizer
from summarizer.batch import EXIT_SOME_FAILED, BatchConfig, run_batch
from summarizer.options import LoadOptions
from tests.conftest import REPO

TOMTAT = str(Path(sys.executable).with_name("tomtat"))
REPORT = (REPO / "examples" / "bao-cao-mau.txt").read_text(encoding="utf-8").splitlines()[1]  # one paragraph


def write_input(path: Path, n: int, *, bad: bool = True, opener=open) -> Path:
    with opener(path, "wt", encoding="utf-8") as fh:
        for i in range(n):
            fh.write(json.dumps({"id": f"d{i}", "text": f"{REPORT}\nSố thứ tự {i}."}, ensure_ascii=False) + "\n")
        if bad:
            fh.write("{không phải json\n")
            fh.write(json.dumps({"id": "d1", "text": "Trùng mã."}, ensure_ascii=False) + "\n")
            fh.write(json.dumps({"id": "rong", "text": "  "}) + "\n")
            fh.write(json.dumps({"id": "so", "text": 42}) + "\n")
            fh.write(json.dumps({"id": "thieu"}) + "\n")
    return path


def read_output(path: Path) -> list[dict]:
    raw = path.read_text(encoding="utf-8")
    assert raw == "" or raw.endswith("\n"), "partial last line"
    return [json.loads(line) for line in raw.splitlines()]


def assert_each_line_once(output: Path, n_lines: int) -> list[dict]:
    rows = read_output(output)
    assert sorted(r["line"] for r in rows) == list(range(1, n_lines + 1))
    return rows


@pytest.mark.parametrize(("suffix", "opener"), [(".jsonl", open), (".jsonl.xz", lzma.open), (".jsonl.gz", gzip.open)])
def test_bad_records_are_reported_and_counted(tmp_path: Path, suffix: str, opener) -> None:
    source = write_input(tmp_path / f"in{suffix}", 6, opener=opener)
    stats = run_batch(Summarizer.from_pretrained("lead"), BatchConfig(str(source), str(tmp_path / "out.jsonl")))
    rows = assert_each_line_once(tmp_path / "out.jsonl", 11)
    assert (stats.done, stats.failed, stats.skipped) == (6, 5, 0)
    assert stats.errors == {"invalid_json": 1, "duplicate_id": 1, "invalid_text": 3}
    errors = {r["line"]: r["error"] for r in rows if "error" in r}
    assert errors[7]["code"] == "invalid_json" and "line 7" in errors[7]["message"]
    assert "duplicate id 'd1'" in errors[8]["message"] and "missing field 'text'" in errors[11]["message"]
    assert {r["id"] for r in rows if "error" not in r} == {f"d{i}" for i in range(6)}


def test_a_batch_warms_ext_vi_up_before_its_first_record(tmp_path: Path) -> None:
    pytest.importorskip("lightgbm")
    source = write_input(tmp_path / "in.jsonl", 2, bad=False)
    summarizer = Summarizer.from_pretrained("ext-vi")
    stats = run_batch(summarizer, BatchConfig(str(source), str(tmp_path / "out.jsonl")))
    assert stats.done == 2 and summarizer.selector.headline_booster.compiled  # 2 records: far below the switch


def test_rerun_skips_what_is_done_and_repairs_a_cut_line(tmp_path: Path) -> None:
    source = write_input(tmp_path / "in.jsonl", 8, bad=False)
    out = tmp_path / "out.jsonl"
    lines = [json.dumps({"id": "d0", "line": 1, "headline": "x", "abstract": "x", "bullets": [], "warnings": []})]
    out.write_text(lines[0] + "\n" + '{"id": "d1", "line": 2, "headl', encoding="utf-8")  # killed mid-write
    (tmp_path / "out.jsonl.meta.json").unlink(missing_ok=True)
    stats = run_batch(
        Summarizer.from_pretrained("lead"), BatchConfig(str(source), str(out), load=LoadOptions(batch_size=3))
    )
    assert stats.skipped == 1 and stats.done == 7
    assert_each_line_once(out, 8)


def test_output_of_another_input_is_refused(tmp_path: Path) -> None:
    from summarizer.errors import InvalidInputError

    first = write_input(tmp_path / "a.jsonl", 2, bad=False)
    second = write_input(tmp_path / "b.jsonl", 3, bad=False)
    run_batch(Summarizer.from_pretrained("lead"), BatchConfig(str(first), str(tmp_path / "out.jsonl")))
    with pytest.raises(InvalidInputError, match="another input"):
        run_batch(Summarizer.from_pretrained("lead"), BatchConfig(str(second), str(tmp_path / "out.jsonl")))


def _batch_command(source: Path, out: Path, model: Path) -> list[str]:
    return [
        TOMTAT,
        "batch",
        str(source),
        "-o",
        str(out),
        "--model",
        str(model),
        "--backend",
        "transformers",
        "--device",
        "cpu",
        "--batch-size",
        "2",
    ]


def test_sigkill_at_a_random_point_then_rerun_gives_every_line_once(tmp_path: Path, tiny_model_dir: Path) -> None:
    source = write_input(tmp_path / "in.jsonl.xz", 40, opener=lzma.open)
    out = tmp_path / "out.jsonl"
    target = random.Random(os.getpid()).randint(2, 20)
    process = subprocess.Popen(_batch_command(source, out, tiny_model_dir), stderr=subprocess.DEVNULL)
    deadline = time.time() + 240
    while time.time() < deadline and process.poll() is None:
        if out.exists() and out.read_bytes().count(b"\n") >= target:
            break
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait(10)
    before = out.read_bytes().count(b"\n")
    assert 0 < before < 45, f"kill came at {before} lines"
    rerun = subprocess.run(_batch_command(source, out, tiny_model_dir), capture_output=True, text=True, timeout=300)
    assert rerun.returncode == EXIT_SOME_FAILED, rerun.stderr  # the 5 bad records
    assert f"skipped {before}" in rerun.stderr
    rows = assert_each_line_once(out, 45)
    assert len({r["id"] for r in rows if "error" not in r}) == 40


def test_ctrl_c_stops_cleanly_and_the_rerun_finishes(tmp_path: Path, tiny_model_dir: Path) -> None:
    source = write_input(tmp_path / "in.jsonl", 30, bad=False)
    out = tmp_path / "out.jsonl"
    # as in a terminal, whatever ran the tests: a shell's background job ignores SIGINT, and so
    # would the batch it starts
    process = subprocess.Popen(
        _batch_command(source, out, tiny_model_dir),
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    while process.poll() is None and not (out.exists() and out.read_bytes().count(b"\n") >= 2):
        time.sleep(0.01)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130 and "interrupted" in err and "Traceback" not in err
    subprocess.run(_batch_command(source, out, tiny_model_dir), check=True, capture_output=True, timeout=300)
    assert_each_line_once(out, 30)


def test_ray_engine_on_a_local_instance(tmp_path: Path, tiny_model_dir: Path) -> None:
    pytest.importorskip("ray")
    source = write_input(tmp_path / "in.jsonl", 12)
    out = tmp_path / "out.jsonl"
    result = subprocess.run(
        [
            TOMTAT,
            "batch",
            str(source),
            "-o",
            str(out),
            "--engine",
            "ray",
            "--concurrency",
            "1",
            "--model",
            str(tiny_model_dir),
            "--backend",
            "transformers",
            "--device",
            "cpu",
            "--batch-size",
            "4",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == EXIT_SOME_FAILED, result.stderr[-2000:]
    assert "failed 5" in result.stderr
    rows = assert_each_line_once(out, 17)
    assert sum("error" in r for r in rows) == 5 and all(r["abstract"] for r in rows if "error" not in r)


HOSTILE_LINES = [
    b'{"id": "deep", "text": ' + b"[" * 5000 + b"]" * 5000 + b"}",
    b'{"id": "big", "text": "x", "n": ' + b"9" * 5000 + b"}",
    b'{"id": "\\ud800", "text": "C\xc3\xa2u m\xe1\xbb\x99t."}',
    b'{"id": "latin", "text": "C\xe2u m\xf4t."}',
    b'{"id": "so-title", "text": "C\xc3\xa2u m\xe1\xbb\x99t.", "title": 5}',
]


def test_hostile_lines_become_error_lines_and_the_rerun_is_stable(tmp_path: Path, capsys) -> None:
    from summarizer.cli import main

    source = tmp_path / "in.jsonl"
    good = json.dumps({"id": "ok", "text": REPORT}, ensure_ascii=False).encode()
    source.write_bytes(b"\n".join([good, *HOSTILE_LINES, good.replace(b'"ok"', b'"ok2"')]) + b"\n")
    out = tmp_path / "out.jsonl"
    for _ in range(2):  # the rerun must not stop on the same line either
        assert main(["batch", str(source), "-o", str(out), "--model", "lead"]) == EXIT_SOME_FAILED
    rows = assert_each_line_once(out, 7)
    errors = {r["line"]: r["error"]["message"] for r in rows if "error" in r}
    assert sorted(errors) == [2, 3, 4, 5, 6]
    assert "nested too deeply" in errors[2] and "cannot be read" in errors[3]
    assert "lone surrogate" in errors[4] and "not UTF-8" in errors[5] and "title must be a string" in errors[6]
    assert {r["id"] for r in rows if "error" not in r} == {"ok", "ok2"}
    assert "failed 5" in capsys.readouterr().err


def test_truncated_xz_keeps_the_records_before_the_damage_and_exits_2(tmp_path: Path, capsys) -> None:
    from summarizer.cli import main

    whole = tmp_path / "whole.jsonl.xz"
    write_input(whole, 300, bad=False, opener=lzma.open)
    data = whole.read_bytes()
    cut = tmp_path / "cut.jsonl.xz"
    cut.write_bytes(data[: len(data) // 2])
    out = tmp_path / "out.jsonl"
    assert main(["batch", str(cut), "-o", str(out), "--model", "lead"]) == 2
    err = capsys.readouterr().err
    assert "damaged after line" in err and "Traceback" not in err and len(err.strip().splitlines()) <= 2
    rows = read_output(out)
    assert rows and all("error" not in r for r in rows)
    assert sorted(r["line"] for r in rows) == list(range(1, len(rows) + 1))


@pytest.mark.parametrize("problem", ["folder", "unwritable"])
def test_unusable_output_is_one_line_and_exit_2(tmp_path: Path, capsys, problem: str) -> None:
    from summarizer.cli import main

    source = write_input(tmp_path / "in.jsonl", 2, bad=False)
    if problem == "folder":
        out = tmp_path / "somewhere"
        out.mkdir()
    else:
        if os.geteuid() == 0:
            pytest.skip("root can write into read-only folders")
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        out = locked / "out.jsonl"
    assert main(["batch", str(source), "-o", str(out), "--model", "lead"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("tomtat: error:") and "--output" in err and "\n" not in err


def test_corrupt_xz_and_a_damaged_meta_file_are_one_line_and_exit_2(tmp_path: Path, capsys) -> None:
    from summarizer.cli import main

    whole = tmp_path / "whole.jsonl.xz"
    write_input(whole, 300, bad=False, opener=lzma.open)
    data = bytearray(whole.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 64] = bytes(64)  # corrupt, not truncated
    corrupt = tmp_path / "corrupt.jsonl.xz"
    corrupt.write_bytes(bytes(data))
    assert main(["batch", str(corrupt), "-o", str(tmp_path / "a.jsonl"), "--model", "lead"]) == 2
    err = capsys.readouterr().err
    assert "damaged" in err and "Traceback" not in err

    source = write_input(tmp_path / "in.jsonl", 3, bad=False)
    out = tmp_path / "b.jsonl"
    assert main(["batch", str(source), "-o", str(out), "--model", "lead"]) == 0
    (tmp_path / "b.jsonl.meta.json").write_text("{not json", encoding="utf-8")  # e.g. a kill mid-write
    capsys.readouterr()
    assert main(["batch", str(source), "-o", str(out), "--model", "lead"]) == 2
    assert "meta.json is damaged" in capsys.readouterr().err


def test_the_batch_command_loads_its_model_for_a_batch_job(tmp_path: Path, monkeypatch) -> None:
    from summarizer.cli import main
    from summarizer.pipeline import Summarizer

    loads = []
    real = Summarizer.from_pretrained.__func__

    def recording(cls, name=None, load=None, **overrides):
        loads.append(load)
        return real(cls, name, load, **overrides)

    monkeypatch.setattr(Summarizer, "from_pretrained", classmethod(recording))
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"id": "a", "text": REPORT}, ensure_ascii=False) + "\n", encoding="utf-8")
    assert main(["batch", str(source), "-o", str(tmp_path / "out.jsonl"), "--model", "lead"]) == 0
    assert [load.batch_job for load in loads] == [True]
    assert BatchConfig("in", "out").load.batch_job  # a library batch (Ray actors load with it) too
