"""The embedded llama.cpp server's speed by thread count, idle and beside busy cores, side by side in one run.

One server per thread count (one per core, and one), each on the same GGUF; 48 tokens of one prompt, requests
interleaved, medians of RUNS. ``--busy N`` spins N processes meanwhile (a build on a laptop). What
``llm.embedded.threads: 0`` picks (one per core that others leave free) rests on these figures.

    .venv/bin/python bench/bench_embedded_threads.py [--runs 4] [--busy 1]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SERVER = """
import sys, xllamacpp
from devsynth_tui.services.llm.embedded import model_path
p = xllamacpp.CommonParams()
p.model.path, p.hostnames, p.port = str(model_path(None)), ["127.0.0.1"], int(sys.argv[1])
p.n_parallel, p.n_ctx, p.model_alias = 1, 4096, {"m"}
p.cpuparams.n_threads = p.cpuparams_batch.n_threads = int(sys.argv[2])
server = xllamacpp.Server(p)
print("ready", flush=True)
sys.stdin.read()
"""
BODY = {
    "model": "m",
    "messages": [{"role": "user", "content": "Write a long story about a dragon. " * 10}],
    "max_tokens": 48,
    "temperature": 0,
    "ignore_eos": True,
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(threads: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    proc = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(port), str(threads)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(240):
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"the server with {threads} threads did not start")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=4)
    parser.add_argument("--busy", type=int, default=0, help="processes spinning meanwhile")
    args = parser.parse_args()
    counts = sorted({os.cpu_count() or 1, 1}, reverse=True)
    servers = {n: start(n) for n in counts}
    busy = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(args.busy)]
    times: dict[int, list[float]] = {n: [] for n in counts}
    try:
        for _ in range(args.runs + 1):  # the first round warms each server up and is not counted
            for n in counts:
                started = time.perf_counter()
                httpx.post(f"{servers[n][1]}/v1/chat/completions", json=BODY, timeout=600).raise_for_status()
                times[n].append(time.perf_counter() - started)
    finally:
        for p in busy:
            p.kill()
        for proc, _ in servers.values():
            proc.kill()
    base = statistics.median(times[counts[0]][1:])
    print(f"48 tokens, {args.busy} busy process(es) beside, medians of {args.runs}:")
    for n in counts:
        median = statistics.median(times[n][1:])
        print(f"  {n} thread(s): {median:.2f} s  ({median / base:.2f}x of {counts[0]} threads)")


if __name__ == "__main__":
    main()
