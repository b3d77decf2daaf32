"""The next prompt after a 10 MB answer: time to count that answer, time to prepare the next prompt, peak RSS.

A loopback server (tests/fault_server.py) stands in for the model server: prepare makes no chat call. Counting
is measured side by side with an exact count of the whole text (what every count did before), in one run.

    .venv/bin/python bench/bench_heavy_history.py
"""

from __future__ import annotations

import asyncio
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from fault_server import FaultServer  # noqa: E402

from devsynth_tui.config import load  # noqa: E402
from devsynth_tui.services.context.token_accounting import _count_long, count_tokens, encoding  # noqa: E402
from devsynth_tui.services.llm.backend import Backend  # noqa: E402
from devsynth_tui.services.llm.client import LLMClient  # noqa: E402
from devsynth_tui.services.pipeline.pipeline import Pipeline  # noqa: E402
from devsynth_tui.services.pipeline.request import ChatRequest  # noqa: E402
from devsynth_tui.services.store.conversations import Message  # noqa: E402
from devsynth_tui.services.store.database import Store  # noqa: E402
from devsynth_tui.services.store.ledger import Ledger  # noqa: E402

RUNS = 5
SIZE = 10_000_000


def timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


async def prepare_times(answer: str, home: Path, url: str) -> list[float]:
    cfg = load(base_url=url).with_values({"llm.embedded.mode": "never", "disk.caching.enabled": False})
    pipeline = Pipeline(cfg, Backend(LLMClient(url, retries=0), "openai"), Ledger(Store(home / "db")), home)
    history = [Message("user", "write a lot"), Message("assistant", answer)]
    times = []
    for n in range(RUNS):
        t = time.perf_counter()
        _count_long.cache_clear()  # cold: as the first prepare after the answer came
        await pipeline.prepare(ChatRequest(f"and now a short question {n}", history=history))
        times.append(time.perf_counter() - t)
    await pipeline.backend.aclose()
    return times


def main() -> None:
    text = (ROOT / "devsynth_tui" / "services" / "pipeline" / "pipeline.py").read_text()
    answer = (text * (SIZE // len(text) + 1))[:SIZE]
    encoding()
    texts = [answer + str(n) for n in range(RUNS)]  # a new text each time: no cache
    counted = [timed(lambda t=t: count_tokens(t)) for t in texts]
    exact = [timed(lambda: encoding().encode_ordinary(answer)) for _ in range(2)]
    server = FaultServer().start()
    with tempfile.TemporaryDirectory() as home:
        prepared = asyncio.run(prepare_times(answer, Path(home), server.url("ok")))
    server.stop()
    print(
        f"count a {SIZE / 1e6:.0f} MB answer: median {statistics.median(counted):.3f} s (whole-text encode, as "
        f"before: {statistics.median(exact):.3f} s, {statistics.median(exact) / statistics.median(counted):.0f}x)"
    )
    print(f"prepare the next prompt: median {statistics.median(prepared):.3f} s over {RUNS} runs")
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
