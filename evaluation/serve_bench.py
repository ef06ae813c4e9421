"""Throughput of the HTTP service with 1 and with N concurrent clients (micro-batching).

    python -m evaluation.serve_bench --model compact-vi --requests 48 --clients 8 [--ceiling]

Starts `tomtat serve` on a free port, warms it up, then sends the same documents
sequentially from one client and concurrently from N clients; prints documents/s, p50/p95
latency and the N-vs-1 ratio as JSON (and writes it with --out). Clients keep their
connection alive between requests, as editors' tools do. With --ceiling it also measures,
in-process, how much batching N documents into one call gains on this machine: the upper
bound of what micro-batching can add.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from evaluation.bench_runner import percentile
from evaluation.datasets import read_records
from evaluation.machine import machine_info


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_ready(url: str, process: subprocess.Popen, timeout_s: float = 120) -> bool:
    """Poll `url`/readyz until it answers 200; False if `process` exits or the time runs out."""
    import httpx

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        if process.poll() is not None:
            return False
        time.sleep(0.2)
    return False


def _texts(data: str | None, count: int) -> list[str]:
    if data:
        return [r.text for r in read_records(data, limit=count)]
    example = Path(__file__).resolve().parents[1] / "examples" / "bao-cao-mau.txt"
    return [example.read_text(encoding="utf-8")] * count


def _run(url: str, texts: list[str], clients: int) -> dict[str, Any]:
    """Send `texts` from `clients` threads, each on its own kept-alive connection (as editors' tools do)."""
    import httpx

    local = threading.local()
    sessions: list[httpx.Client] = []

    def one(text: str) -> float:
        if not hasattr(local, "client"):
            local.client = httpx.Client(base_url=url, timeout=300)
            sessions.append(local.client)
        started = time.perf_counter()
        response = local.client.post("/v1/summaries", json={"text": text})
        response.raise_for_status()
        return time.perf_counter() - started

    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(clients) as pool:
        latencies = list(pool.map(one, texts))
    wall = time.perf_counter() - started
    for session in sessions:
        session.close()
    return {
        "clients": clients,
        "requests": len(texts),
        "docs_per_s": len(texts) / wall,
        "latency_p50_s": statistics.median(latencies),
        "latency_p95_s": percentile(latencies, 95),
    }


def batching_ceiling(model: str, texts: list[str], clients: int, backend: str | None = None) -> dict[str, Any]:
    """The most micro-batching can give: in-process docs/s, one document a call vs `clients` a call.

    Same model, same documents, no HTTP: if a batch of N costs nearly N single calls on this
    machine, no batcher can make N concurrent clients much faster than one.
    """
    from summarizer import Summarizer

    summarizer = Summarizer.from_pretrained(model, backend=backend)
    summarizer.summarize_many(texts[:2])  # warm-up
    rates = {}
    for size in (1, clients):
        started = time.perf_counter()
        for i in range(0, len(texts), size):
            summarizer.summarize_many(texts[i : i + size], batch_size=max(size, summarizer.batch_size))
        rates[size] = len(texts) / (time.perf_counter() - started)
    return {"docs_per_s_1": rates[1], f"docs_per_s_{clients}": rates[clients], "ratio": rates[clients] / rates[1]}


def main(argv: list[str] | None = None) -> int:

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="lead")
    parser.add_argument("--backend", default=None)
    parser.add_argument("--data", help="JSONL(.xz) of documents (default: the shipped example report)")
    parser.add_argument("--requests", type=int, default=48)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--ceiling", action="store_true", help="also measure batching in-process (no HTTP)")
    parser.add_argument("--out")
    args = parser.parse_args(argv)

    port = free_port()
    tomtat = str(Path(sys.executable).with_name("tomtat"))
    env = {**os.environ, "TOMTAT_JOBS_DB": str(Path(tempfile.mkdtemp()) / "jobs.db")}
    command = [tomtat, "serve", "--port", str(port), "--model", args.model]
    if args.backend:
        command += ["--backend", args.backend]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        if not wait_until_ready(url, server):
            raise SystemExit(f"serve_bench: `{' '.join(command)}` did not become ready")
        texts = _texts(args.data, args.requests)
        _run(url, texts[:4], 1)  # warm-up
        single = _run(url, texts, 1)
        concurrent_run = _run(url, texts, args.clients)
    finally:
        server.terminate()
        server.wait(30)
    report = {
        "command": " ".join([sys.executable, "-m", "evaluation.serve_bench", *(argv or sys.argv[1:])]),
        "model": args.model,
        "machine": machine_info("cpu", 0),
        "single": single,
        "concurrent": concurrent_run,
        "throughput_ratio": concurrent_run["docs_per_s"] / single["docs_per_s"],
    }
    if args.ceiling:
        report["in_process_batching"] = batching_ceiling(args.model, texts, args.clients, args.backend)
    text = json.dumps(report, indent=2, ensure_ascii=False)
    print(text)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
