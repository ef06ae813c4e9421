"""The real `tomtat serve` process, started and stopped around a test."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# the service's own readiness helpers (one copy, used at run time by serve_bench); tests import them from here
from evaluation.serve_bench import free_port, wait_until_ready

TOMTAT = str(Path(sys.executable).with_name("tomtat"))
TEXT = "Hà Nội mưa lớn. Nhiều tuyến phố ngập sâu. Giao thông ùn tắc đến tối."


@contextmanager
def server(tmp_path: Path, *args: str, env: dict[str, str] | None = None, port: int | None = None) -> Iterator[str]:
    port = port or free_port()
    environment = {**os.environ, "TOMTAT_JOBS_DB": str(tmp_path / "jobs.db"), **(env or {})}
    log = (tmp_path / f"server-{port}.log").open("ab")
    process = subprocess.Popen([TOMTAT, "serve", "--port", str(port), *args], env=environment, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    try:
        if not wait_until_ready(url, process):
            log.flush()
            raise AssertionError("server never became ready:\n" + (tmp_path / f"server-{port}.log").read_text())
        yield url
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
        log.close()
        server.last_pid = process.pid  # type: ignore[attr-defined]
