"""Cost of the request pipeline without model calls: prepare() on ~50,000 tokens of context.

Default strategies (relevance + priority, lexical), prompt stage, limit check,
payload, on files of the corpus built from this interpreter (bench/make_corpus.py).
The server has no tokenizer here, so the count is cl100k with its margin. Cold =
chunking and token-count caches cleared before each run (files never seen);
warm = the same files again, as in a conversation that keeps its context. Each run
alternates with a plain cl100k encoding of the same text, so the cost is also given
as a multiple of that (stable when the machine is loaded; about 15 ms per 50,000
tokens on an idle core).

    .venv/bin/python bench/bench_pipeline_cost.py
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_corpus import build

from devsynth_tui.config import load
from devsynth_tui.services.backend import Backend
from devsynth_tui.services.context import ContextItem
from devsynth_tui.services.ledger import Ledger
from devsynth_tui.services.lmstudio_client import LLMClient, ModelInfo
from devsynth_tui.services.pipeline import ChatRequest, Pipeline
from devsynth_tui.services.relevance import _chunk_spans, _chunk_tokens, _word_terms, chunk_terms
from devsynth_tui.services.store import Store
from devsynth_tui.services.token_accounting import _count_cached, count_tokens, encoding

CORPUS = Path(tempfile.mkdtemp(prefix="devsynth-corpus-"))


def context(target_tokens: int) -> list[tuple[str, str, str]]:
    files, total = [], 0
    for task in build(CORPUS)[0]:
        for c in task["context"]:
            if total >= target_tokens or any(f[0] == c["path"] for f in files):
                continue
            text = (CORPUS / c["path"]).read_text()
            files.append((c["path"], text, c["type"]))
            total += count_tokens(text)
    return files


async def _no_tokenizer(text: str) -> None:
    return None


async def main() -> None:
    home = Path(tempfile.mkdtemp())
    cfg = load(use_overrides=False).with_values({"memory.max_context_size": 10000})
    backend = Backend(LLMClient("http://127.0.0.1:9"), "openai", active_model="bench", _models=[ModelInfo("bench")])
    backend.client.tokenize = _no_tokenizer
    pipe = Pipeline(cfg, backend, Ledger(Store(home / "db")), home)
    files = context(50_000)
    question = "How are %(name)s references in option values expanded recursively?"
    total = sum(count_tokens(t) for _, t, _ in files)
    texts = [t for _, t, _ in files]
    for label, clear in (("cold", True), ("warm", False)):
        times, reference = [], []
        for _ in range(9):
            t0 = time.perf_counter()
            encoding().encode_ordinary_batch(texts, num_threads=1)  # this machine's speed, right now
            reference.append(time.perf_counter() - t0)
            if clear:
                for cache in (_count_cached, _chunk_spans, _chunk_tokens, chunk_terms, _word_terms):
                    cache.cache_clear()
            items = [ContextItem(p, t, ty) for p, t, ty in files]
            t0 = time.perf_counter()
            prep = await pipe.prepare(ChatRequest(question, context=items))
            times.append(time.perf_counter() - t0)
        med, ref = statistics.median(times), statistics.median(reference)
        print(
            f"prepare() {label}: {len(files)} files, {total:,} tokens of context -> {prep.tokens_after:,}: "
            f"median {med * 1000:.0f} ms (min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f}); "
            f"{med * 1000 * 50_000 / total:.0f} ms per 50,000 tokens; {med / ref:.2f}x the time to "
            f"cl100k-encode the same text once ({ref * 1000:.0f} ms, measured alternately)"
        )
    await backend.client.aclose()


if __name__ == "__main__":
    asyncio.run(main())
