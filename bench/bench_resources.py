"""Resource layer figures: sampler overhead, cache hit latency against the embedded server,
and cache size on disk at compression levels 1, 6 and 9.

    .venv/bin/python bench/bench_resources.py
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_corpus import build

from devsynth_tui.config import load
from devsynth_tui.services.llm.backend import Backend
from devsynth_tui.services.llm.client import LLMClient
from devsynth_tui.services.llm.embedded import EmbeddedServer
from devsynth_tui.services.pipeline.pipeline import Pipeline
from devsynth_tui.services.pipeline.request import ChatRequest
from devsynth_tui.services.resources.disk_cache import DiskCache
from devsynth_tui.services.resources.monitor import Sampler
from devsynth_tui.services.store.database import Store
from devsynth_tui.services.store.ledger import Ledger


def corpus_files() -> list[Path]:
    """The files of the pruning corpus, built from this interpreter (bench/make_corpus.py)."""
    folder = Path(tempfile.mkdtemp(prefix="devsynth-corpus-"))
    build(folder)
    return sorted(p for p in folder.rglob("*") if p.is_file())


def sampler_overhead(home: Path) -> None:
    sampler = Sampler(1.0, 60, home, 500, server_pid=None)
    proc = psutil.Process()
    n = 300
    t0 = sum(proc.cpu_times()[:2])
    for _ in range(n):
        sampler.sample()
    per_sample = (sum(proc.cpu_times()[:2]) - t0) / n
    print(
        f"sampler: {per_sample * 1000:.2f} ms CPU per sample (mean of {n}) -> {per_sample * 100:.3f} % of one core at "
        "a 1 s interval"
    )


async def cache_latency(home: Path) -> None:
    server = EmbeddedServer(home)
    server.start()
    try:
        cfg = load(use_overrides=False, base_url=server.base_url).with_values(
            {"llm.temperature": 0.0, "llm.max_tokens": 64, "cpu.background_operations": False}
        )
        backend = Backend(LLMClient(server.base_url), "embedded", server, active_model="SmolLM2-135M-Instruct")
        pipe = Pipeline(cfg, backend, Ledger(Store(home / "db")), home)
        prompts = [f"Write one sentence about the number {n}." for n in range(5)]
        miss, hit = [], []
        for prompt in prompts:
            for bucket in (miss, hit):
                t0 = time.perf_counter()
                done = [e async for e in pipe.run(ChatRequest(prompt))][-1]
                bucket.append(time.perf_counter() - t0)
                assert done.cached == (bucket is hit)
        m, h = statistics.median(miss), statistics.median(hit)
        print(
            f"cache: hit {h * 1000:.2f} ms vs server {m * 1000:.0f} ms for the same request (median of 5): "
            f"{m / h:,.0f}x faster"
        )
        await backend.client.aclose()
    finally:
        server.stop()


def cache_sizes(home: Path) -> None:
    answers = [
        {"text": p.read_text()[:6000], "usage": {"prompt_tokens": 100, "completion_tokens": 900}}
        for p in corpus_files()
    ]
    raw = None
    for level in (None, 1, 6, 9):
        cache = DiskCache(home / f"cache-{level}", 100, level)
        t0 = time.perf_counter()
        for n, a in enumerate(answers):
            cache.put(f"k{n}", a)
        elapsed = time.perf_counter() - t0
        size = cache.size()
        raw = raw or size
        label = "uncompressed" if level is None else f"zlib level {level}"
        print(
            f"cache size, {len(answers)} answers of code/docs: {label:13} {size / 1024:7.1f} KB (ratio "
            f"{raw / size:.2f}), "
            f"write {elapsed / len(answers) * 1000:.2f} ms/entry"
        )


def main() -> None:
    home = Path(tempfile.mkdtemp())
    sampler_overhead(home)
    cache_sizes(home)
    asyncio.run(cache_latency(home))


if __name__ == "__main__":
    main()
