"""The benchmark runner (guide 5.3): the guide's stages, serving metrics, sweeps, stored runs.

Every model request goes through the one pipeline, with a fixed seed, fixed
prompts and the response cache off, so runs on one machine are comparable.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import AsyncIterator

import psutil

from devsynth_tui.config import Config, ConfigError
from devsynth_tui.services.context import load_files
from devsynth_tui.services.lmstudio_client import Delta
from devsynth_tui.services.pipeline import ChatRequest, Done, Pipeline
from devsynth_tui.services.store import Store

SCHEMA = 1
SEED = 1234
SMALL_PROMPT = "What is a Python list comprehension? Answer in two sentences."
MEDIUM_PROMPT = (
    "Review this function and explain, step by step, what it does, what could go wrong, and how to test it:\n\n"
    "```python\ndef merge_intervals(intervals):\n    intervals.sort(key=lambda x: x[0])\n    merged = []\n"
    "    for start, end in intervals:\n        if merged and start <= merged[-1][1]:\n"
    "            merged[-1][1] = max(merged[-1][1], end)\n        else:\n            merged.append([start, end])\n"
    "    return merged\n```"
)
METRICS = ("ttft", "itl", "tpot", "e2e")
SWEEP_ALIASES = {"temperature": "llm.temperature", "top_p": "llm.top_p", "top_k": "llm.top_k",
                 "max_tokens": "llm.max_tokens", "seed": "llm.seed"}
GUIDE_STAGES = ("Command initialization", "Context loading", "Prompt construction", "LLM query (small)",
                "LLM query (medium)", "File operations", "Memory usage (peak)")


class BenchmarkError(ValueError):
    """Bad benchmark input; the message names the parameter and what is allowed."""


@dataclass
class Options:
    requests: int = 5
    warmup: int = 1
    concurrency: list[int] = field(default_factory=lambda: [1])
    max_tokens: int = 64
    sweeps: dict[str, list] = field(default_factory=dict)  # dotted config key -> values
    stages: bool = True

    def check(self) -> None:
        if self.requests <= 0:
            raise BenchmarkError(f"--requests {self.requests}: expected a positive number of requests")
        if self.warmup < 0:
            raise BenchmarkError(f"--warmup {self.warmup}: expected 0 or more")
        for level in self.concurrency:
            if level <= 0:
                raise BenchmarkError(f"--concurrency {level}: expected positive levels, e.g. 1,2,4")
        if self.max_tokens <= 0:
            raise BenchmarkError(f"--max-tokens {self.max_tokens}: expected a positive number")


@dataclass
class Progress:
    done: int
    total: int
    label: str


@dataclass
class RunResult:
    """One stored benchmark run."""

    id: int | None
    started: float
    status: str  # complete | incomplete
    machine: dict
    server: str
    model: str
    options: dict
    config_hash: str
    stages: dict = field(default_factory=dict)  # guide stage -> seconds (MB for memory)
    serving: list = field(default_factory=list)  # one dict per concurrency level
    sweep: list = field(default_factory=list)  # one dict per combination
    requests: list = field(default_factory=list)  # per-request figures of the first level (for charts)
    wall: float = 0.0

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__} | {"schema": SCHEMA}


def parse_sweep(text: str) -> tuple[str, list]:
    """``temperature=0,0.7`` or ``tokens.prompt_optimization.instruction_compression=true,false``."""
    name, sep, values = text.partition("=")
    name = name.strip()
    if not sep or not values.strip():
        raise BenchmarkError(f"--sweep {text!r}: expected NAME=V1,V2 (e.g. temperature=0,0.7)")
    from devsynth_tui.config import ALL_KEYS

    key = SWEEP_ALIASES.get(name, name)
    if key not in ALL_KEYS:
        raise BenchmarkError(f"--sweep {name!r}: unknown parameter; use one of {', '.join(SWEEP_ALIASES)} "
                             f"or a config key such as tokens.prompt_optimization.instruction_compression")
    return key, [_value(v.strip()) for v in values.split(",")]


def _value(text: str):
    lowered = text.lower()
    if lowered in ("true", "on", "yes"):
        return True
    if lowered in ("false", "off", "no"):
        return False
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def check_sweeps(cfg: Config, sweeps: dict[str, list]) -> None:
    """Every swept value must be valid for its key (ConfigError names the key and range)."""
    for key, values in sweeps.items():
        for value in values:
            try:
                cfg.with_values({key: value}, "--sweep")
            except ConfigError as e:
                raise BenchmarkError(f"--sweep {key}={value!r}: {e.expected}") from None


def summarize(values: list[float]) -> dict:
    """mean, p50, p90, p99, min, max (nearest-rank percentiles)."""
    if not values:
        return {}
    ordered = sorted(values)

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))]

    return {"mean": statistics.fmean(ordered), "p50": pct(50), "p90": pct(90), "p99": pct(99),
            "min": ordered[0], "max": ordered[-1]}


def machine_info() -> dict:
    return {"cpu": platform.processor() or platform.machine(), "cores": os.cpu_count(),
            "ram_gb": round(psutil.virtual_memory().total / 1024**3, 1), "python": platform.python_version(),
            "os": platform.platform(terse=True)}


class Runner:
    """Runs a benchmark through a pipeline and stores it."""

    def __init__(self, pipeline: Pipeline, store: Store):
        self.original = pipeline.cfg
        base = pipeline.cfg.with_values({"disk.caching.enabled": False, "llm.seed": SEED}, "benchmark")
        self.pipeline, self.store, self.base = pipeline, store, base
        self.last_id: int | None = None  # the stored run, also when interrupted

    def _cfg(self, opts: Options, values: dict | None = None) -> Config:
        return self.base.with_values({"llm.max_tokens": opts.max_tokens, **(values or {})}, "benchmark")

    async def run(self, opts: Options) -> AsyncIterator[Progress | RunResult]:
        """Yields progress, then the stored RunResult (status incomplete if cancelled midway)."""
        opts.check()
        check_sweeps(self.base, opts.sweeps)
        backend = self.pipeline.backend
        model = await backend.resolve_model(self.base.get("llm.model"))
        result = RunResult(None, time.time(), "incomplete", machine_info(), backend.label, model,
                           opts.__dict__ | {"seed": SEED}, self.base.digest())
        combos = _combinations(opts.sweeps)
        total = (len(GUIDE_STAGES) if opts.stages else 0) + len(opts.concurrency) * (opts.requests + opts.warmup) \
            + len(combos) * opts.requests
        counter = itertools.count(1)
        t0 = time.perf_counter()
        try:
            if opts.stages:
                async for label in self._stages(opts, result):
                    yield Progress(next(counter), total, label)
            for level in opts.concurrency:
                async for label in self._serving(opts, level, result):
                    yield Progress(next(counter), total, label)
            for combo in combos:
                async for label in self._sweep(opts, combo, result):
                    yield Progress(next(counter), total, label)
            result.status = "complete"
        finally:  # a cancelled run is stored too, marked incomplete, with what finished
            result.wall = time.perf_counter() - t0
            self.pipeline.cfg = self.original
            result.id = self.last_id = await self.store.arun(save_run, self.store, result)
        yield result

    async def _request(self, cfg: Config, prompt: str, operation: str) -> dict:
        """One request through the pipeline; per-request figures from the stream's timestamps."""
        self.pipeline.cfg = cfg
        # a fixed output length where the server supports it (llama.cpp); others keep their own stopping
        extra = {"ignore_eos": True} if self.pipeline.backend.kind in ("embedded", "llamacpp") else {}
        req = ChatRequest(prompt, operation=operation, params={"extra": extra})
        start = time.perf_counter()
        stamps: list[float] = []
        done: Done | None = None
        async for event in self.pipeline.run(req):
            if isinstance(event, Delta):
                stamps.append(event.t)
            elif isinstance(event, Done):
                done = event
        end = time.perf_counter()
        if done is None or done.status != "ok":
            raise BenchmarkFailed(done.error if done else "no answer")
        n = done.row.completion_tokens
        # time to first token from the HTTP request (as serving benchmarks count it); e2e includes the pipeline
        ttft = done.result.ttft if done.result and done.result.ttft is not None else end - start
        itl = statistics.fmean(b - a for a, b in zip(stamps, stamps[1:])) if len(stamps) > 1 else 0.0
        timings = (done.result.server_timings or {}) if done.result else {}
        return {"ttft": ttft, "itl": itl, "tpot": (end - start - ttft) / (n - 1) if n > 1 else 0.0, "e2e": end - start,
                "output_tokens": n, "prompt_tokens": done.row.prompt_tokens, "tokens_saved": done.row.tokens_saved,
                "server_tps": done.result.server_tps if done.result else None,
                "server_prompt_ms": timings.get("prompt_ms"), "client_tps": done.result.client_tps if done.result else None}

    async def _stages(self, opts: Options, result: RunResult):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "devsynth_tui", "--version"], capture_output=True, check=True)
        result.stages["Command initialization"] = time.perf_counter() - t
        yield "Command initialization"
        files = [str(p) for p in sorted(Path(__file__).parent.glob("*.py"))]
        t = time.perf_counter()
        items, _ = await asyncio.to_thread(load_files, files)
        result.stages["Context loading"] = time.perf_counter() - t
        yield "Context loading"
        self.pipeline.cfg = self._cfg(opts)
        t = time.perf_counter()
        await self.pipeline.prepare(ChatRequest("How does the pipeline record a ledger row?", context=items))
        result.stages["Prompt construction"] = time.perf_counter() - t
        yield "Prompt construction"
        for stage, prompt in (("LLM query (small)", SMALL_PROMPT), ("LLM query (medium)", MEDIUM_PROMPT)):
            result.stages[stage] = (await self._request(self._cfg(opts), prompt, "benchmark"))["e2e"]
            yield stage
        result.stages["File operations"] = await asyncio.to_thread(_file_operations, self.pipeline.home)
        yield "File operations"
        result.stages["Memory usage (peak)"] = _peak_rss_mb()
        yield "Memory usage (peak)"

    async def _serving(self, opts: Options, level: int, result: RunResult):
        cfg = self._cfg(opts)
        for n in range(opts.warmup):
            await self._request(cfg, SMALL_PROMPT, "benchmark warmup")
            yield f"warm-up {n + 1}/{opts.warmup}"
        level_gate = asyncio.Semaphore(level)
        figures: list[dict] = []

        async def one() -> dict:
            async with level_gate, self.pipeline.gate:  # bounded by the shared worker limit too
                return await self._request(cfg, SMALL_PROMPT, "benchmark")

        t = time.perf_counter()
        tasks = [asyncio.ensure_future(one()) for _ in range(opts.requests)]
        try:
            for n, task in enumerate(asyncio.as_completed(tasks)):
                figures.append(await task)
                yield f"concurrency {level}: request {n + 1}/{opts.requests}"
        finally:
            for task in tasks:
                task.cancel()
            wall = time.perf_counter() - t
            if figures:
                result.serving.append(_level_summary(level, figures, wall, opts.requests))
                if not result.requests:
                    result.requests = figures

    async def _sweep(self, opts: Options, combo: dict, result: RunResult):
        cfg = self._cfg(opts, combo)
        figures = []
        try:
            for n in range(opts.requests):
                figures.append(await self._request(cfg, MEDIUM_PROMPT, "benchmark sweep"))
                yield f"sweep {_label(combo)}: {n + 1}/{opts.requests}"
        finally:
            if figures:
                result.sweep.append({
                    "params": combo, "requests": len(figures),
                    "prompt_tokens": statistics.fmean(f["prompt_tokens"] for f in figures),
                    "output_tokens": statistics.fmean(f["output_tokens"] for f in figures),
                    "tokens_saved": statistics.fmean(f["tokens_saved"] for f in figures),
                    "e2e_p50": summarize([f["e2e"] for f in figures])["p50"],
                    "ttft_p50": summarize([f["ttft"] for f in figures])["p50"],
                })


class BenchmarkFailed(Exception):
    """A request of the run failed; the run stops and is stored incomplete."""


def _level_summary(level: int, figures: list[dict], wall: float, planned: int) -> dict:
    out = {"concurrency": level, "requests": len(figures), "planned": planned, "wall": wall,
           "output_tokens_per_s": sum(f["output_tokens"] for f in figures) / wall if wall else 0.0,
           "requests_per_s": len(figures) / wall if wall else 0.0}
    for metric in METRICS + ("output_tokens",):
        out[metric] = summarize([f[metric] for f in figures])
    server_tps = [f["server_tps"] for f in figures if f["server_tps"]]
    client_tps = [f["client_tps"] for f in figures if f["client_tps"]]
    prompt_ms = [f["server_prompt_ms"] for f in figures if f["server_prompt_ms"] is not None]
    if server_tps:
        out["server"] = {"predicted_per_second": statistics.fmean(server_tps), "prompt_ms": statistics.fmean(prompt_ms) if prompt_ms else None,
                         "client_tps": statistics.fmean(client_tps) if client_tps else None}
    return out


def _combinations(sweeps: dict[str, list]) -> list[dict]:
    if not sweeps:
        return []
    keys = list(sweeps)
    return [dict(zip(keys, values)) for values in itertools.product(*(sweeps[k] for k in keys))]


def _label(combo: dict) -> str:
    return ", ".join(f"{k.rsplit('.', 1)[-1]}={v}" for k, v in combo.items())


def _peak_rss_mb() -> float:
    """Peak resident memory of this process so far."""
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 / 1024 if sys.platform == "darwin" else peak / 1024  # bytes on macOS, KB on Linux


def _file_operations(home: Path) -> float:
    """The ledger row and cache entry a request writes, in a scratch folder of the app home's filesystem."""
    from devsynth_tui.services.disk_cache import DiskCache
    from devsynth_tui.services.ledger import Ledger, LedgerRow

    with tempfile.TemporaryDirectory(dir=home) as scratch:
        t = time.perf_counter()
        Ledger(Store(Path(scratch) / "bench.db")).record(LedgerRow("benchmark", "m", prompt_tokens=100, completion_tokens=50))
        cache = DiskCache(Path(scratch) / "cache", 10)
        cache.put("k", {"text": MEDIUM_PROMPT * 4, "usage": {"prompt_tokens": 100, "completion_tokens": 50}})
        cache.get("k")
        return time.perf_counter() - t


# --- storage -------------------------------------------------------------------------------


def save_run(store: Store, result: RunResult) -> int:
    data = result.as_dict()
    return store.write(
        "INSERT INTO bench_runs(started, status, server, model, config_hash, data) VALUES (?, ?, ?, ?, ?, ?)",
        (result.started, result.status, result.server, result.model, result.config_hash, json.dumps(data)),
    )


def list_runs(store: Store, limit: int = 50) -> list[dict]:
    rows = store.query("SELECT id, started, status, server, model FROM bench_runs ORDER BY id DESC LIMIT ?", (limit,))
    return [dict(r) for r in rows]


def load_run(store: Store, run_id: int) -> RunResult:
    rows = store.query("SELECT id, data FROM bench_runs WHERE id = ?", (run_id,))
    if not rows:
        raise BenchmarkError(f"no benchmark run {run_id}: see `devsynth-tui benchmark list`")
    data = json.loads(rows[0]["data"])
    data.pop("schema", None)
    known = {k: data[k] for k in RunResult.__dataclass_fields__ if k in data}  # older runs lack newer fields
    known["id"] = rows[0]["id"]
    defaults = {"id": None, "started": 0.0, "status": "complete", "machine": {}, "server": "?", "model": "?",
                "options": {}, "config_hash": ""}
    return RunResult(**(defaults | known))


def compare(a: RunResult, b: RunResult) -> list[dict]:
    """Per metric at each shared concurrency level: p50 of A and B, the delta, and whether it is
    beyond both runs' own spread (|delta| larger than p90 - p50 of either run)."""
    out = []
    levels_b = {lvl["concurrency"]: lvl for lvl in b.serving}
    for la in a.serving:
        lb = levels_b.get(la["concurrency"])
        if not lb:
            continue
        for metric in METRICS:
            sa, sb = la.get(metric) or {}, lb.get(metric) or {}
            if "p50" not in sa or "p50" not in sb:
                continue
            delta = sb["p50"] - sa["p50"]
            spread = max(sa["p90"] - sa["p50"], sb["p90"] - sb["p50"])
            out.append({"concurrency": la["concurrency"], "metric": metric, "a": sa["p50"], "b": sb["p50"],
                        "delta": delta, "percent": 100 * delta / sa["p50"] if sa["p50"] else None,
                        "significant": abs(delta) > spread})
        for metric in ("output_tokens_per_s", "requests_per_s"):
            delta = lb[metric] - la[metric]
            out.append({"concurrency": la["concurrency"], "metric": metric, "a": la[metric], "b": lb[metric], "delta": delta,
                        "percent": 100 * delta / la[metric] if la[metric] else None, "significant": None})
    return out


# --- text output -------------------------------------------------------------------------------


def format_run(r: RunResult) -> str:
    """The guide's table, then serving metrics, server figures and sweeps."""
    lines = [f"Performance Benchmark Results: run {r.id} ({r.status}) · {r.model} on {r.server}"]
    for stage in GUIDE_STAGES:
        if stage in r.stages:
            value = r.stages[stage]
            lines.append(f"{stage}: {value:.0f}MB" if stage.startswith("Memory") else f"{stage}: {value:.2f}s")
    for lvl in r.serving:
        lines.append(f"\nServing, concurrency {lvl['concurrency']}: {lvl['requests']}/{lvl['planned']} requests, "
                     f"{lvl['output_tokens_per_s']:.1f} output tokens/s, {lvl['requests_per_s']:.2f} requests/s")
        lines.append(f"  {'metric':28} {'mean':>8} {'p50':>8} {'p90':>8} {'p99':>8} {'min':>8} {'max':>8}")
        names = {"ttft": "time to first token (ms)", "itl": "inter-token latency (ms)", "tpot": "time per output token (ms)",
                 "e2e": "end-to-end latency (ms)"}
        for metric, name in names.items():
            s = lvl.get(metric) or {}
            if s:
                lines.append(f"  {name:28} " + " ".join(f"{s[k] * 1000:8.1f}" for k in ("mean", "p50", "p90", "p99", "min", "max")))
        if lvl.get("server"):
            sv = lvl["server"]
            client = f"{sv['client_tps']:.1f}" if sv.get("client_tps") else "-"
            prompt_ms = f"{sv['prompt_ms']:.1f} ms" if sv.get("prompt_ms") is not None else "-"
            lines.append(f"  server timings: {sv['predicted_per_second']:.1f} tok/s generation (client {client}), prompt {prompt_ms}")
    if r.sweep:
        lines.append(f"\nSweep ({len(r.sweep)} combinations):")
        lines.append(f"  {'parameters':40} {'prompt tok':>10} {'output tok':>10} {'saved':>7} {'e2e p50 ms':>11} {'ttft p50 ms':>11}")
        for row in r.sweep:
            lines.append(f"  {_label(row['params']):40} {row['prompt_tokens']:10.0f} {row['output_tokens']:10.0f} "
                         f"{row['tokens_saved']:7.0f} {row['e2e_p50'] * 1000:11.0f} {row['ttft_p50'] * 1000:11.0f}")
    lines.append(f"\nwall time {r.wall:.1f} s · config {r.config_hash} · {r.machine.get('cores', '?')} cores, {r.machine.get('ram_gb', '?')} GB RAM")
    return "\n".join(lines)
