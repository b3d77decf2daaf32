"""Context pruning on the corpus: prompt-token reduction and gold recall, per strategy.

Recall is counted two ways: gold items touched (some of the gold range survives)
and gold line ranges kept whole (a function cut in half does not count). The
baseline is plain BM25 over ~300-token line windows keeping 30 % of the tokens.
With --embeddings, the embedded llama.cpp server is started for relevance scoring.

    .venv/bin/python bench/bench_pruning.py [--embeddings]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from devsynth_tui.config import defaults  # noqa: E402
from devsynth_tui.services.context import ContextItem, total_tokens  # noqa: E402
from devsynth_tui.services.context_pruning import PruneContext, prune  # noqa: E402
from devsynth_tui.services.relevance import BM25  # noqa: E402
from devsynth_tui.services.token_accounting import count_tokens  # noqa: E402

CORPUS = Path(__file__).parent / "corpus"
BUDGET = defaults()["memory"]["max_context_size"]


def load_task(task: dict) -> list[ContextItem]:
    return [ContextItem(c["path"], (CORPUS / "files" / c["path"]).read_text(), c["type"]) for c in task["context"]]


def recall(task: dict, items: list[ContextItem]) -> list[tuple[str, bool, bool]]:
    """Per gold range: (kind, item touched, range kept whole)."""
    by_path = {i.name: i for i in items}
    out = []
    for gold in task["gold"]:
        item = by_path[gold["path"]]
        s, e = gold["lines"]
        kept = [] if item.status == "dropped" else item.lines_kept
        out.append((gold["kind"], any(a <= e and b >= s for a, b in kept), any(a <= s and b >= e for a, b in kept)))
    return out


def baseline(task: dict, items: list[ContextItem]) -> None:
    """Plain BM25 over 300-token line windows, keeping the best 30 % of the tokens."""
    windows = []
    for idx, item in enumerate(items):
        lines, start, used = item.text.splitlines(), 1, 0
        for n, line in enumerate(lines, 1):
            used += count_tokens(line) + 1
            if used >= 300 or n == len(lines):
                windows.append((idx, start, n, "\n".join(lines[start - 1 : n]), used))
                start, used = n + 1, 0
    plain = lambda text: [w.lower() for w in __import__("re").findall(r"\w+", text)]  # noqa: E731
    scores = BM25([plain(w[3]) for w in windows]).scores(plain(task["question"]))
    limit = 0.3 * sum(i.tokens for i in items)
    kept, used = [], 0
    for score, w in sorted(zip(scores, windows), key=lambda p: -p[0]):
        if used + w[4] <= limit:
            kept.append(w)
            used += w[4]
    for idx, item in enumerate(items):
        mine = sorted((w[1], w[2]) for w in kept if w[0] == idx)
        item.lines_kept = mine
        item.status = "partial" if mine else "dropped"
        item.tokens = sum(w[4] for w in kept if w[0] == idx)


async def run_strategy(task, strategy, embedder, threshold):
    items = load_task(task)
    before = total_tokens(items)
    if strategy == "baseline":
        baseline(task, items)
    else:
        settings = dict(defaults()["tokens"]["context_pruning"], strategy=strategy, threshold=threshold)
        await prune(items, PruneContext(task["question"], BUDGET, settings, embedder=embedder, now=time.time()))
    return 1 - total_tokens(items) / before, recall(task, items)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--embeddings", action="store_true", help="also score with the embedded server's embeddings")
    args = parser.parse_args()
    tasks = json.loads((CORPUS / "tasks.json").read_text())
    threshold = defaults()["tokens"]["context_pruning"]["threshold"]
    default = defaults()["tokens"]["context_pruning"]["strategy"]
    runs = [("baseline: BM25 over 300-token windows", "baseline", None),
            ("relevance", "relevance", None), ("recency", "recency", None), ("priority", "priority", None),
            (f"default {default}", default, None)]
    server = client = None
    if args.embeddings:
        from devsynth_tui.services.embedded import EmbeddedServer
        from devsynth_tui.services.lmstudio_client import LLMClient

        server = EmbeddedServer(Path(tempfile.mkdtemp()))
        server.start()
        client = LLMClient(server.base_url)
        cache: dict[str, list[float]] = {}

        async def embedder(texts):
            from devsynth_tui.services.pipeline import EMBED_MAX_TOKENS, _truncate_tokens

            missing = [t for t in dict.fromkeys(texts) if t not in cache]
            if missing:
                cache.update(zip(missing, await client.embed([_truncate_tokens(t, EMBED_MAX_TOKENS) for t in missing])))
            return [cache[t] for t in texts]

        runs.append((f"default {default} + embeddings", default, embedder))
    sizes = [sum(i.tokens for i in load_task(t)) for t in tasks[::2]]
    print(f"{len(tasks)} questions ({len(tasks) // 2} tasks x named/paraphrased); context {min(sizes):,}-{max(sizes):,} tokens "
          f"(median {statistics.median(sizes):,.0f}); budget {BUDGET:,}; threshold {threshold}")
    print(f"{'strategy':42} {'reduction':>9} {'items':>6} {'whole':>6} {'whole(para)':>11} {'whole(code)':>11} {'whole(code,para)':>16}")
    try:
        for label, strategy, embedder in runs:
            rows = [(t, await run_strategy(t, strategy, embedder, threshold)) for t in tasks]
            golds = [(t["style"], g) for t, (_, rec) in rows for g in rec]

            def rate(pick, style=None, kind=None):
                hits = [pick(g) for s, g in golds if (style in (None, s)) and (kind in (None, g[0]))]
                return sum(hits) / len(hits)

            whole, touched = (lambda g: g[2]), (lambda g: g[1])
            print(f"{label:42} {statistics.mean(r[0] for _, r in rows):9.1%} {rate(touched):6.3f} {rate(whole):6.3f} "
                  f"{rate(whole, 'paraphrased'):11.3f} {rate(whole, kind='code'):11.3f} {rate(whole, 'paraphrased', 'code'):16.3f}")
    finally:
        if server:
            await client.aclose()
            server.stop()


if __name__ == "__main__":
    asyncio.run(main())
