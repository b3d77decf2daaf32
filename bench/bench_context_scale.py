"""Preparing a request over a whole package as a folder: cold and warm, against one tiktoken encoding.

The folder is an installed package (rich by default: about 350,000 cl100k tokens),
read as ``@folder`` would be (services/context/folders.py), then the real
pipeline's ``prepare`` picks within an 8,192-token limit. Cold: every cache
emptied first (folder cache, chunking, term and token caches, BM25 statistics);
warm: a second, different question over the same folder. Both are compared with
one tiktoken ``encode_ordinary`` of the same files' text, measured in the same
run. Goals: cold within 3x one encoding, warm within 0.3x. Medians of the runs.

    .venv/bin/python bench/bench_context_scale.py [--package rich] [--runs 5]
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from devsynth_tui.config import load
from devsynth_tui.services.context import chunking, folders, pruning, relevance, token_accounting
from devsynth_tui.services.context.folders import read_folder
from devsynth_tui.services.llm.backend import Backend
from devsynth_tui.services.llm.client import LLMClient
from devsynth_tui.services.llm.results import ModelInfo
from devsynth_tui.services.pipeline.pipeline import Pipeline
from devsynth_tui.services.pipeline.request import ChatRequest
from devsynth_tui.services.store.database import Store
from devsynth_tui.services.store.ledger import Ledger

QUESTIONS = (
    "Why does the table renderer wrap a cell's text when the column is too narrow?",
    "write tests for Console.export_html with inline styles",
)


def clear_caches() -> None:
    """Every cache a first question over a folder fills."""
    folders.clear_cache()
    pruning._SCORERS.clear()
    for cached in (
        chunking.chunk_spans,
        relevance.chunk_terms,
        chunking._chunk_tokens,
        relevance._word_terms,
        token_accounting._count_cached,
    ):
        cached.cache_clear()


async def _no_tokenizer(text: str) -> None:
    return None


async def prepare(pipe: Pipeline, folder: str, question: str):
    started = time.perf_counter()
    listing = read_folder(folder)
    prep = await pipe.prepare(ChatRequest(question, context=listing.items))
    return time.perf_counter() - started, listing, prep


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--package", default="rich")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    spec = importlib.util.find_spec(args.package)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(f"{args.package} is not an installed package")
    folder = spec.submodule_search_locations[0]
    home = Path(tempfile.mkdtemp())
    backend = Backend(LLMClient("http://127.0.0.1:9"), "openai", active_model="bench", _models=[ModelInfo("bench")])
    backend.client.tokenize = _no_tokenizer  # no server: cl100k with the margin
    cfg = load(use_overrides=False).with_values({"memory.max_context_size": 8192})
    pipe = Pipeline(cfg, backend, Ledger(Store(home / "db")), home)
    token_accounting.encoding()  # loaded once per process, by both sides alike
    cold, warm, encode = [], [], []
    for _ in range(args.runs):
        clear_caches()
        seconds, listing, prep = await prepare(pipe, folder, QUESTIONS[0])
        cold.append(seconds)
        seconds, _, again = await prepare(pipe, folder, QUESTIONS[1])
        warm.append(seconds)
        text = "\n".join(item.text for item in listing.items)
        started = time.perf_counter()
        tokens = len(token_accounting.encoding().encode_ordinary(text))
        encode.append(time.perf_counter() - started)
    await backend.client.aclose()
    enc = statistics.median(encode)
    print(listing.summary())
    print(f"{len(listing.items)} files, {tokens:,} cl100k tokens, {len(text) / 1e6:.2f} MB; {args.runs} runs, medians")
    print(f"one tiktoken encoding of the text : {enc * 1000:8.1f} ms")
    for label, runs, goal in (("cold (first question) ", cold, 3), ("warm (second question)", warm, 0.3)):
        median = statistics.median(runs)
        print(f"prepare, {label}    : {median * 1000:8.1f} ms  = {median / enc:.2f}x (goal <= {goal}x)")
    for label, p in (("first", prep), ("second", again)):
        picked = [i for i in p.items if i.status != "dropped"]
        print(
            f"{label} question: {len(picked)} files picked, {p.tokens_after:,} tokens prepared, "
            f"{p.tokens_sent:,} counted against the 8,192-token limit"
        )


if __name__ == "__main__":
    asyncio.run(main())
