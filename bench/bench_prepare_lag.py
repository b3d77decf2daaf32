"""The event loop while the pipeline prepares a request over many context files.

Relevance pruning (chunking, BM25 scoring, selection) is CPU work. This prepares one question
over this package's sources (about 40 files) against the real embedded server, with that work
in a worker thread (as shipped) and on the event loop (as before), interleaved, and prints the
medians of a 5 ms timer's worst lateness during each prepare (what a key pressed then waits)
and of the prepare's own time.

    .venv/bin/python bench/bench_prepare_lag.py
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from devsynth_tui.config import load  # noqa: E402
from devsynth_tui.services.context import pruning as context_pruning  # noqa: E402
from devsynth_tui.services.context.items import load_files  # noqa: E402
from devsynth_tui.services.llm.backend import start_embedded  # noqa: E402
from devsynth_tui.services.pipeline.pipeline import Pipeline  # noqa: E402
from devsynth_tui.services.pipeline.request import ChatRequest  # noqa: E402
from devsynth_tui.services.store.database import Store  # noqa: E402
from devsynth_tui.services.store.ledger import Ledger  # noqa: E402

RUNS = 7
QUESTION = "How does the pipeline record a ledger row after a request?"


async def inline(fn, *args):
    """The old behaviour: the work on the event loop."""
    return fn(*args)


async def measured(pipeline: Pipeline, items) -> tuple[float, float]:
    """(worst lateness of a 5 ms timer, prepare time) for one prepare."""
    worst, probing = 0.0, True

    async def probe() -> None:
        nonlocal worst
        while probing:
            due = time.perf_counter() + 0.005
            await asyncio.sleep(0.005)
            worst = max(worst, time.perf_counter() - due)

    prober = asyncio.ensure_future(probe())
    await asyncio.sleep(0.02)
    t = time.perf_counter()
    await pipeline.prepare(ChatRequest(QUESTION, context=items))
    took = time.perf_counter() - t
    probing = False
    await prober
    return worst, took


async def main() -> None:
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start")
    home = Path(tempfile.mkdtemp())
    cfg = load().with_values({"llm.embedded.mode": "always", "disk.caching.enabled": False})
    backend = await start_embedded(cfg, home)
    pipeline = Pipeline(cfg, backend, Ledger(Store(home / "bench.db")), home)
    files = sorted(str(p) for p in (ROOT / "devsynth_tui").rglob("*.py"))
    items = load_files(files)
    await pipeline.prepare(ChatRequest(QUESTION, context=items))  # warm: tokenizer, model info
    shipped = context_pruning.to_thread
    figures: dict[str, list[tuple[float, float]]] = {"worker thread (shipped)": [], "event loop (before)": []}
    try:
        for _ in range(RUNS):
            for label, runner in (("worker thread (shipped)", shipped), ("event loop (before)", inline)):
                context_pruning.to_thread = runner
                figures[label].append(await measured(pipeline, items))
    finally:
        context_pruning.to_thread = shipped
        await backend.client.aclose()
        backend.embedded.stop()
    print(f"{len(items)} files, {sum(i.tokens for i in items):,} tokens; medians of {RUNS}, interleaved")
    base = statistics.median(w for w, _ in figures["event loop (before)"])
    for label, rows in figures.items():
        lag, took = statistics.median(w for w, _ in rows), statistics.median(t for _, t in rows)
        print(f"  {label:25} worst loop lag {lag * 1000:6.1f} ms ({lag / base:.2f}x)   prepare {took * 1000:6.0f} ms")
    print(f"load average at the end {os.getloadavg()[0]:.1f} (other work shares the machine: figures are noisy)")


if __name__ == "__main__":
    asyncio.run(main())
