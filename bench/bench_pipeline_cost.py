"""Cost of the request pipeline without model calls: prepare() on ~50,000 tokens of context.

Default strategies (relevance + priority, lexical), prompt stage, limit check,
payload, on files of the corpus built from this interpreter (bench/make_corpus.py).
The server has no tokenizer here, so the count is cl100k with its margin. Cold =
chunking and token-count caches cleared before each run (files never seen);
warm = the same files again, as in a conversation that keeps its context. Each run
alternates with a plain cl100k encoding of the same text, so the cost is also given
as a multiple of that (stable when the machine is loaded; about 15 ms per 50,000
tokens on an idle core), in wall time and in the process's CPU time.

The code of another commit (default: 4635c8e, before the cold-path work) runs
alternately in the same process, its relevance, context_pruning and
token_accounting modules loaded from git, so before and after are measured side
by side under the same load, and their selections are checked to be the same.

    .venv/bin/python bench/bench_pipeline_cost.py [--before COMMIT | --before none]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
import types
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_corpus import build

from devsynth_tui.config import load
from devsynth_tui.services.context import chunking, relevance, token_accounting
from devsynth_tui.services.context import pruning as context_pruning
from devsynth_tui.services.context.items import ContextItem
from devsynth_tui.services.context.token_accounting import count_tokens, encoding
from devsynth_tui.services.llm.backend import Backend
from devsynth_tui.services.llm.client import LLMClient
from devsynth_tui.services.llm.results import ModelInfo
from devsynth_tui.services.pipeline import messages, pipeline
from devsynth_tui.services.pipeline.pipeline import Pipeline
from devsynth_tui.services.pipeline.request import ChatRequest
from devsynth_tui.services.store.database import Store
from devsynth_tui.services.store.ledger import Ledger

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


def module_at(commit: str, name: str, renames: dict[str, str]) -> types.ModuleType:
    """``devsynth_tui.services.<name>`` as of ``commit``, its imports of the other renamed modules redirected."""
    root = Path(__file__).resolve().parent.parent
    path = f"{commit}:devsynth_tui/services/{name}.py"
    source = subprocess.run(["git", "show", path], cwd=root, capture_output=True, text=True, check=True).stdout
    for old, new in renames.items():
        source = source.replace(f"devsynth_tui.services.{old} ", f"{new} ").replace(
            f"devsynth_tui.services import {old} ", f"{new} "
        )
    module = types.ModuleType(renames[name])
    sys.modules[renames[name]] = module
    exec(compile(source, f"{commit}:{name}.py", "exec"), module.__dict__)
    return module


def code_at(commit: str) -> tuple[types.ModuleType, list]:
    """The pruning module of ``commit`` and the caches to clear for a cold run of it."""
    names = ("token_accounting", "relevance", "context_pruning")
    renames = {n: f"before_{n}" for n in names}
    modules = [module_at(commit, n, renames) for n in names]
    return modules[-1], caches(*modules)


def caches(*modules: types.ModuleType) -> list:
    """Every memo of these modules but the loaded encoding (a new process pays that once, not per file)."""
    return [f for m in modules for n, f in vars(m).items() if hasattr(f, "cache_clear") and n != "encoding"]


async def _no_tokenizer(text: str) -> None:
    return None


async def run(pipe: Pipeline, pruning: types.ModuleType, clear: list, files, question: str):
    """One prepare() with ``pruning`` as the pipeline's context stage: its time, its CPU time
    (all threads of the process: less sensitive to other processes' load) and what it kept."""
    for cache in clear:
        cache.cache_clear()
    items = [ContextItem(p, t, ty) for p, t, ty in files]
    pipeline.pruning = messages.pruning = pruning
    try:
        t0, c0 = time.perf_counter(), time.process_time()
        prep = await pipe.prepare(ChatRequest(question, context=items))
        return time.perf_counter() - t0, time.process_time() - c0, prep
    finally:
        pipeline.pruning = messages.pruning = context_pruning


def kept(prep) -> list:
    return [(i.name, i.status, i.lines_kept, i.tokens) for i in prep.items]


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--before", default="4635c8e", help="commit to compare with, or 'none'")
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp())
    cfg = load(use_overrides=False).with_values({"memory.max_context_size": 10000})
    backend = Backend(LLMClient("http://127.0.0.1:9"), "openai", active_model="bench", _models=[ModelInfo("bench")])
    backend.client.tokenize = _no_tokenizer
    pipe = Pipeline(cfg, backend, Ledger(Store(home / "db")), home)
    files = context(50_000)
    question = "How are %(name)s references in option values expanded recursively?"
    total = sum(count_tokens(t) for _, t, _ in files)
    texts = [t for _, t, _ in files]
    versions = {"now": (context_pruning, caches(token_accounting, chunking, relevance, context_pruning))}
    if args.before != "none":
        versions[args.before] = code_at(args.before)
    for label, cold in (("cold", True), ("warm", False)):
        times: dict[str, list[float]] = {v: [] for v in versions}
        cpu: dict[str, list[float]] = {v: [] for v in versions}
        reference, reference_cpu, preps = [], [], {}
        for _ in range(11):
            t0, c0 = time.perf_counter(), time.process_time()
            encoding().encode_ordinary_batch(texts, num_threads=1)  # this machine's speed, right now
            reference.append(time.perf_counter() - t0)
            reference_cpu.append(time.process_time() - c0)
            for version, (pruning, clear) in versions.items():
                elapsed, used, preps[version] = await run(pipe, pruning, clear if cold else [], files, question)
                times[version].append(elapsed)
                cpu[version].append(used)
        ref, ref_cpu = statistics.median(reference), statistics.median(reference_cpu)
        print(
            f"prepare() {label}, {len(files)} files, {total:,} tokens of context; "
            f"one encoding {ref * 1000:.0f} ms ({ref_cpu * 1000:.0f} ms CPU)"
        )
        for version, ts in times.items():
            med, med_cpu = statistics.median(ts), statistics.median(cpu[version])
            print(
                f"  {version:>8}: -> {preps[version].tokens_after:,} tokens, median {med * 1000:.0f} ms "
                f"(min {min(ts) * 1000:.0f}, max {max(ts) * 1000:.0f}); {med * 1000 * 50_000 / total:.0f} ms per "
                f"50,000 tokens; {med / ref:.2f}x one encoding; CPU {med_cpu * 1000:.0f} ms, "
                f"{med_cpu / ref_cpu:.2f}x one encoding's"
            )
        same = all(kept(p) == kept(preps["now"]) for p in preps.values())
        print(f"  same selection and counts in every version: {same}")
    await backend.client.aclose()


if __name__ == "__main__":
    asyncio.run(main())
