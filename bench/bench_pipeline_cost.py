"""Cost of the request pipeline without model calls: prepare() on ~50,000 tokens of context.

Default strategies (relevance + priority, lexical), prompt stage, payload. Cold
= chunking and token-count caches cleared before each run (files never seen);
warm = the same files again, as in a conversation that keeps its context.

    .venv/bin/python bench/bench_pipeline_cost.py
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from devsynth_tui.config import load  # noqa: E402
from devsynth_tui.services.backend import Backend  # noqa: E402
from devsynth_tui.services.context import ContextItem  # noqa: E402
from devsynth_tui.services.ledger import Ledger  # noqa: E402
from devsynth_tui.services.lmstudio_client import LLMClient, ModelInfo  # noqa: E402
from devsynth_tui.services.pipeline import ChatRequest, Pipeline  # noqa: E402
from devsynth_tui.services.store import Store  # noqa: E402
from devsynth_tui.services.relevance import _chunk_spans  # noqa: E402
from devsynth_tui.services.token_accounting import _count_cached, count_tokens  # noqa: E402

CORPUS = Path(__file__).parent / "corpus"


def context(target_tokens: int) -> list[tuple[str, str, str]]:
    files, total = [], 0
    for task in json.loads((CORPUS / "tasks.json").read_text()):
        for c in task["context"]:
            if total >= target_tokens or any(f[0] == c["path"] for f in files):
                continue
            text = (CORPUS / "files" / c["path"]).read_text()
            files.append((c["path"], text, c["type"]))
            total += count_tokens(text)
    return files


async def main() -> None:
    home = Path(tempfile.mkdtemp())
    cfg = load(use_overrides=False).with_values({"memory.max_context_size": 10000})
    backend = Backend(LLMClient("http://127.0.0.1:9"), "openai", active_model="bench", _models=[ModelInfo("bench")])
    pipe = Pipeline(cfg, backend, Ledger(Store(home / "db")), home)
    files = context(50_000)
    question = "How are %(name)s references in option values expanded recursively?"
    total = sum(count_tokens(t) for _, t, _ in files)
    for label, clear in (("cold", True), ("warm", False)):
        times = []
        for _ in range(7):
            if clear:
                _count_cached.cache_clear()
                _chunk_spans.cache_clear()
            items = [ContextItem(p, t, ty) for p, t, ty in files]
            t0 = time.perf_counter()
            prep = await pipe.prepare(ChatRequest(question, context=items))
            times.append(time.perf_counter() - t0)
        med = statistics.median(times)
        print(f"prepare() {label}: {len(files)} files, {total:,} tokens of context -> {prep.tokens_after:,}: "
              f"median {med * 1000:.0f} ms (min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f}); "
              f"{med * 1000 * 50_000 / total:.0f} ms per 50,000 tokens")
    await backend.client.aclose()


if __name__ == "__main__":
    asyncio.run(main())
