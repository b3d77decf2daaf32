"""Context pruning on two corpora side by side: prompt-token reduction and gold recall, per configuration.

Both corpora are built first from this interpreter's code (bench/make_corpus.py):
"tuned" (tasks.json, the one the defaults were tuned on) and "held-out"
(heldout.json: other packages, other authors' wordings). Each task's files are
run as named files (sent whole while they fit, else cut worst-first), as the
same files found in a folder (relevance with the threshold), and at repo scale
(every file of the subject's installed package as a folder, the same budget;
gold: the code range). Each question goes through the real pipeline's ``prepare`` (what ``optimize
--json`` prints) with ``memory.max_context_size`` set to the question's budget
(20-40 % of its context). Recall counts gold line ranges kept whole (a
function cut in half does not count), overall and by question kind; "over"
counts questions whose prompt, as counted by the pipeline, exceeds the budget.
The baseline is plain BM25 over ~300-token line windows filling the budget.

    .venv/bin/python bench/bench_pruning.py              # the table
    .venv/bin/python bench/bench_pruning.py --frontier   # reduction against recall, per setting
    .venv/bin/python bench/bench_pruning.py --wordllama  # also the hybrid with wordllama static embeddings
    .venv/bin/python bench/bench_pruning.py --server     # prompt tokens as the embedded llama.cpp server counts them
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_corpus import HELDOUT, TASKS, build, load_items

from devsynth_tui.config import load
from devsynth_tui.services.context import relevance
from devsynth_tui.services.context.folders import read_folder
from devsynth_tui.services.context.items import FOLDER, ContextItem
from devsynth_tui.services.context.pruning import EMBED_CANDIDATES
from devsynth_tui.services.context.relevance import BM25
from devsynth_tui.services.context.token_accounting import count_tokens
from devsynth_tui.services.llm.backend import Backend
from devsynth_tui.services.llm.client import LLMClient
from devsynth_tui.services.llm.results import ModelInfo
from devsynth_tui.services.pipeline.messages import CL100K_MARGIN
from devsynth_tui.services.pipeline.pipeline import Pipeline
from devsynth_tui.services.pipeline.request import ChatRequest
from devsynth_tui.services.store.database import Store
from devsynth_tui.services.store.ledger import Ledger

CORPUS = Path(tempfile.mkdtemp(prefix="devsynth-corpus-"))


def recall(question: dict, items: list[ContextItem], code_only: bool = False) -> list[tuple[str, bool]]:
    """Per gold range: (kind, range kept whole); an item named ``.../<gold path>`` counts (repo scale)."""
    by_path = {i.name: i for i in items}
    out = []
    for gold in question["gold"]:
        if code_only and gold["kind"] != "code":
            continue
        item = by_path.get(gold["path"]) or next(i for i in items if i.name.endswith("/" + gold["path"]))
        s, e = gold["lines"]
        kept = [] if item.status in ("dropped", "summarized") else item.lines_kept
        out.append((gold["kind"], any(a <= s and b >= e for a, b in kept)))
    return out


def baseline(question: dict, items: list[ContextItem], budget: int) -> None:
    """Plain BM25 over ~300-token line windows, best first while they fit the budget."""
    windows = []
    for idx, item in enumerate(items):
        lines, start, used = item.text.splitlines(), 1, 0
        for n, line in enumerate(lines, 1):
            used += count_tokens(line) + 1
            if used >= 300 or n == len(lines):
                windows.append((idx, start, n, "\n".join(lines[start - 1 : n]), used))
                start, used = n + 1, 0
    words = lambda text: [w.lower() for w in re.findall(r"\w+", text)]  # noqa: E731
    scores = BM25([words(w[3]) for w in windows]).scores(words(question["question"]))
    kept, used = [], 0
    for _, w in sorted(zip(scores, windows), key=lambda p: -p[0]):
        if used + w[4] <= budget:
            kept.append(w)
            used += w[4]
    for idx, item in enumerate(items):
        mine = sorted((w[1], w[2]) for w in kept if w[0] == idx)
        item.lines_kept, item.status = mine, "partial" if mine else "dropped"
        item.tokens = sum(w[4] for w in kept if w[0] == idx)


class Runner:
    """Questions through one pipeline per configuration; the chat server is never called."""

    def __init__(self, questions: list[dict], corpus: Path = CORPUS):
        self.questions, self.corpus = questions, corpus
        self.home = Path(tempfile.mkdtemp())
        self.backend = Backend(
            LLMClient("http://127.0.0.1:9"), "openai", active_model="bench", _models=[ModelInfo("bench")]
        )
        self.backend.client.tokenize = _no_tokenizer  # a server without /tokenize: cl100k with the margin
        self.ledger = Ledger(Store(self.home / "db"))

    def budget(self, q: dict) -> int:
        return int(q["budget_share"] * sum(c.tokens for c in load_items(q, self.corpus)))

    def items(self, q: dict, scope: str) -> list[ContextItem]:
        """The question's context: its files as named files, the same files as found in a folder,
        or (repo) every file of the subject's package as found in a folder."""
        if scope == "repo":
            return read_folder(package_folder(q)).items
        items = load_items(q, self.corpus)
        if scope == "folder":
            for item in items:
                item.origin, item.folder = FOLDER, "corpus"
        return items

    async def one(self, q: dict, values: dict) -> tuple[float, list, bool, int]:
        scope = values.pop("scope", "named")
        items = self.items(q, scope)
        budget = self.budget(q)
        if values.get("baseline"):
            before = sum(i.tokens for i in items)
            baseline(q, items, budget)
            after = sum(i.tokens for i in items)
            return 1 - after / before, recall(q, items, scope == "repo"), False, after
        embed = values.pop("embedder", None)
        cfg = load(use_overrides=False).with_values({"memory.max_context_size": budget, **values})
        pipe = Pipeline(cfg, self.backend, self.ledger, self.home)
        if embed:
            pipe._embed = embed
        prep = await pipe.prepare(ChatRequest(q["question"], context=items))
        reduction = 1 - prep.tokens_after / prep.tokens_before
        return reduction, recall(q, prep.items, scope == "repo"), prep.tokens_sent > budget, prep.tokens_after

    async def run(self, values: dict) -> dict:
        questions = self.questions
        if values.get("scope") == "repo":
            questions = [q for q in questions if package_folder(q)]
        rows = [(q, await self.one(q, dict(values))) for q in questions]
        golds = [(q["style"], g) for q, (_, rec, _, _) in rows for g in rec]

        def whole(style=None, kind=None):
            hits = [ok for s, (k, ok) in golds if style in (None, s) and kind in (None, k)]
            return sum(hits) / len(hits)

        def reduction(style=None):
            return statistics.mean(r for q, (r, _, _, _) in rows if style in (None, q["style"]))

        return {
            "reduction": reduction(),
            "whole": whole(),
            "named": whole("named"),
            "para": whole("paraphrased"),
            "code": whole(kind="code"),
            "red_named": reduction("named"),
            "red_para": reduction("paraphrased"),
            "over": sum(o for _, (_, _, o, _) in rows),
            "sent": statistics.mean(t for _, (_, _, _, t) in rows),
            "tasks": len(rows) // 2,
        }


def package_folder(q: dict) -> str:
    """The installed folder of the subject module's top-level package ("" for the standard library)."""
    import importlib.util

    top = q["target_module"].split(".")[0]
    if top in sys.stdlib_module_names:
        return ""
    spec = importlib.util.find_spec(top)
    return spec.submodule_search_locations[0] if spec and spec.submodule_search_locations else ""


async def _no_tokenizer(text: str) -> None:
    return None


HEADER = (
    f"{'run':54} {'corpus':8} {'tasks':>5} {'fewer tokens':>12} {'whole':>6} {'named':>6} {'paraphr.':>8} "
    f"{'code':>6} {'over':>5} {'sent':>7}"
)


def line(label: str, corpus: str, r: dict) -> str:
    return (
        f"{label:54} {corpus:8} {r['tasks']:5d} {r['reduction']:12.1%} {r['whole']:6.3f} {r['named']:6.3f} "
        f"{r['para']:8.3f} {r['code']:6.3f} {r['over']:5d} {r['sent']:7,.0f}"
    )


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--frontier", action="store_true", help="sweep the cutoff settings")
    parser.add_argument("--wordllama", action="store_true", help="also the hybrid score with wordllama")
    parser.add_argument(
        "--server", action="store_true", help="only: prompt tokens counted by the embedded server against the budget"
    )
    args = parser.parse_args()
    if args.server:
        await server_counts()
        return
    runners = {}
    for label, tasks in (("tuned", TASKS), ("held-out", HELDOUT)):
        folder = CORPUS if tasks is TASKS else Path(tempfile.mkdtemp(prefix="devsynth-heldout-"))
        questions, skipped = build(folder, tasks)
        runner = runners[label] = Runner(questions, folder)
        budgets = [runner.budget(q) for q in questions[::2]]
        print(
            f"{label}: {len(questions)} questions ({len(questions) // 2} tasks x named/paraphrased) from {tasks.name}; "
            f"budgets {min(budgets):,}-{max(budgets):,} tokens (20-40 % of each context); skipped {len(skipped)}"
        )
    print("whole/named/paraphr./code: gold ranges kept whole; over: prompts over the budget; sent: mean prompt tokens")
    print(HEADER)
    for label, values in FRONTIER if args.frontier else RUNS:
        for corpus, runner in runners.items():
            print(line(label, corpus, await runner.run(dict(values))), flush=True)
    if args.wordllama:
        embed = WordLlamaEmbedder()
        for weight in (0.35, 0.6):
            values = {PRUNING + "embeddings": "always", "embedder": embed, "scope": "folder"}
            relevance.blend.__defaults__ = (weight,)
            for corpus, runner in runners.items():
                print(line(f"folder + wordllama (weight {weight})", corpus, await runner.run(dict(values))), flush=True)
        print(
            f"wordllama: loaded in {embed.load_s * 1000:.0f} ms; embedding cost {embed.cost_per_50k():.0f} ms "
            f"per 50,000 tokens of chunks (only the {EMBED_CANDIDATES} best chunks are embedded per question)"
        )
    for runner in runners.values():
        await runner.backend.client.aclose()


async def server_counts(real_requests: int = 4) -> None:
    """Default config, every question at its budget (and at 900 tokens), through the embedded
    llama.cpp server: what its own template and tokenizer make of the prompt, against the budget;
    a few requests sent for real to read ``usage.prompt_tokens``."""
    import httpx

    from devsynth_tui.services.llm.embedded import EmbeddedServer

    questions, _ = build(CORPUS)
    server = EmbeddedServer(Path(tempfile.mkdtemp()))
    server.start()
    client = LLMClient(server.base_url, timeout=600)
    http = httpx.AsyncClient(base_url=server.base_url.removesuffix("/v1"), timeout=600)
    backend = Backend(client, "llamacpp")
    ledger = Ledger(Store(Path(tempfile.mkdtemp()) / "db"))
    ratios, over, usage = [], 0, []
    try:
        for n, q in enumerate(questions):
            share_budget = int(q["budget_share"] * sum(c.tokens for c in load_items(q, CORPUS)))
            for budget in (share_budget, 900):
                cfg = load(use_overrides=False).with_values({"memory.max_context_size": budget, "llm.max_tokens": 1})
                prep = await Pipeline(cfg, backend, ledger).prepare(
                    ChatRequest(q["question"], context=load_items(q, CORPUS))
                )
                prompt = (await http.post("/apply-template", json={"messages": prep.messages})).json()["prompt"]
                counted = len(
                    (await http.post("/tokenize", json={"content": prompt, "add_special": True})).json()["tokens"]
                )
                limit = min(budget, 8192 - 1)
                ratios.append(counted / limit)
                over += counted > limit
                if budget == 900 and n % (len(questions) // real_requests) == 0:
                    result = await client.chat(prep.payload)
                    usage.append((q["id"], result.usage["prompt_tokens"], budget))
        print(
            f"{len(ratios)} prompts (92 questions at their budget and at 900 tokens), counted by the server's "
            f"template + /tokenize: over the limit {over}; sent/limit median {statistics.median(ratios):.3f}, "
            f"max {max(ratios):.3f}"
        )
        for qid, prompt_tokens, budget in usage:
            print(f"  real request {qid}: usage.prompt_tokens {prompt_tokens} against a budget of {budget}")
        per_file, model_total, cl_total = [], 0, 0
        for path in sorted(p for p in CORPUS.rglob("*") if p.is_file()):
            text = path.read_text()
            model = len((await http.post("/tokenize", json={"content": text})).json()["tokens"])
            per_file.append(model / count_tokens(text))
            model_total, cl_total = model_total + model, cl_total + count_tokens(text)
        print(
            f"SmolLM2 tokens per cl100k token over {len(per_file)} corpus files: {model_total / cl_total:.3f} overall, "
            f"per file {min(per_file):.3f}-{max(per_file):.3f} (median {statistics.median(per_file):.3f}); "
            f"the margin used without /tokenize: {CL100K_MARGIN}"
        )
    finally:
        await http.aclose()
        await client.aclose()
        server.stop()


class WordLlamaEmbedder:
    """wordllama's static 256-dimension embeddings, loaded offline from its wheel (not a project dependency)."""

    def __init__(self):
        import shutil

        try:
            import wordllama
        except ImportError:
            raise SystemExit("--wordllama needs it installed: .venv/bin/pip install wordllama==0.4.0.post1") from None
        t0 = time.perf_counter()
        cache = Path(tempfile.mkdtemp())
        (cache / "tokenizers").mkdir()
        shutil.copy(
            Path(wordllama.__file__).parent / "tokenizers" / "l2_supercat_tokenizer_config.json", cache / "tokenizers"
        )
        self.model = wordllama.WordLlama.load(cache_dir=cache, disable_download=True)
        self.load_s = time.perf_counter() - t0
        self.seconds, self.tokens = 0.0, 0

    async def __call__(self, texts: list[str]) -> list[list[float]]:
        t0 = time.perf_counter()
        vectors = self.model.embed(texts, norm=True).tolist()
        self.seconds += time.perf_counter() - t0
        self.tokens += sum(count_tokens(t) for t in texts)
        return vectors

    def cost_per_50k(self) -> float:
        return self.seconds * 1000 * 50_000 / max(1, self.tokens)


PRUNING = "tokens.context_pruning."
FOLDER_SCOPE = {"scope": "folder"}
RUNS = [
    ("BM25 over ~300-token windows (baseline)", {"baseline": True}),
    ("named files: whole if they fit, else cut worst-first", {}),
    ("as a folder: relevance (default threshold 0.4)", FOLDER_SCOPE),
    (
        "as a folder: threshold 0.7, no fill (the old default)",
        {**FOLDER_SCOPE, PRUNING + "threshold": 0.7, PRUNING + "fill_floor": 1.0},
    ),
    ("repo scale: the whole package as a folder", {"scope": "repo"}),
    ("repo scale: BM25 windows (baseline)", {"scope": "repo", "baseline": True}),
]
FRONTIER = [
    (f"folder, threshold {t}, no fill", {**FOLDER_SCOPE, PRUNING + "threshold": t, PRUNING + "fill_floor": 1.0})
    for t in (0.7, 0.5, 0.3, 0.2)
] + [
    (f"folder, threshold {t}, fill_floor {f}", {**FOLDER_SCOPE, PRUNING + "threshold": t, PRUNING + "fill_floor": f})
    for t in (0.7, 0.5, 0.4)
    for f in (0.4, 0.3, 0.2, 0.1)
]

if __name__ == "__main__":
    asyncio.run(main())
