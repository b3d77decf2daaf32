"""The benchmark runner (guide 5.3): the guide's stages, serving metrics at each concurrency level, SLOs,
sweeps; every run stored, a cancelled one marked incomplete.

Every model request goes through the one request runner (``requests.ask``), with a fixed seed, fixed
prompts and the response cache off, so runs on one machine are comparable. What the figures mean is in
``metrics``; stored runs in ``runs``; reports in ``reports``. This module also names all of them, as it did
before they were split (``from devsynth_tui.services.benchmark import runner as bm``).
"""

from __future__ import annotations

import asyncio
import itertools
import os
import platform
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import psutil

from devsynth_tui.config import Config
from devsynth_tui.config_schema import ALL_KEYS, ConfigError
from devsynth_tui.services.benchmark.metrics import (
    METRIC_NAMES,
    METRICS,
    SERVER_FIGURES,
    BenchmarkError,
    Objective,
    best_combination,
    level_summary,
    parse_slo,
    request_figures,
    server_figures,
    server_summary,
    slo_answer,
    split_tokens,
    summarize,
    sweep_row,
    token_gaps,
)
from devsynth_tui.services.benchmark.reports import combo_label, format_best, format_run, format_slo, to_csv
from devsynth_tui.services.benchmark.runs import (
    GUIDE_STAGES,
    SCHEMA,
    RunResult,
    compare,
    list_runs,
    load_run,
    save_run,
)
from devsynth_tui.services.context.items import load_files
from devsynth_tui.services.context.token_accounting import load_off_the_loop
from devsynth_tui.services.llm.results import Delta
from devsynth_tui.services.pipeline.pipeline import Pipeline
from devsynth_tui.services.pipeline.request import ChatRequest
from devsynth_tui.services.requests import ask
from devsynth_tui.services.resources.monitor import CompetingLoad, competing_text
from devsynth_tui.services.store.database import Store

__all__ = [
    "GUIDE_STAGES",
    "METRICS",
    "METRIC_NAMES",
    "SCHEMA",
    "SERVER_FIGURES",
    "BenchmarkError",
    "BenchmarkFailed",
    "Objective",
    "Options",
    "Progress",
    "RunResult",
    "Runner",
    "best_combination",
    "check_sweeps",
    "compare",
    "competing_text",
    "format_best",
    "format_run",
    "format_slo",
    "level_summary",
    "list_runs",
    "load_run",
    "parse_slo",
    "parse_sweep",
    "request_figures",
    "save_run",
    "server_figures",
    "server_summary",
    "slo_answer",
    "split_tokens",
    "summarize",
    "sweep_row",
    "to_csv",
    "token_gaps",
]

SEED = 1234
SMALL_PROMPT = "What is a Python list comprehension? Answer in two sentences."
MEDIUM_PROMPT = (
    "Review this function and explain, step by step, what it does, what could go wrong, and how to test it:\n\n"
    "```python\ndef merge_intervals(intervals):\n    intervals.sort(key=lambda x: x[0])\n    merged = []\n"
    "    for start, end in intervals:\n        if merged and start <= merged[-1][1]:\n"
    "            merged[-1][1] = max(merged[-1][1], end)\n        else:\n            merged.append([start, end])\n"
    "    return merged\n```"
)
SWEEP_ALIASES = {
    "temperature": "llm.temperature",
    "top_p": "llm.top_p",
    "top_k": "llm.top_k",
    "max_tokens": "llm.max_tokens",
    "seed": "llm.seed",
}
SERVER_SETTINGS = "llm.embedded."  # swept by restarting the embedded server


@dataclass
class Options:
    """What a run is asked: requests per level, warm-ups, concurrency levels, output length, sweeps, SLO."""

    requests: int = 5
    warmup: int = 1
    concurrency: list[int] = field(default_factory=lambda: [1])
    max_tokens: int = 64
    sweeps: dict[str, list] = field(default_factory=dict)  # dotted config key -> values
    stages: bool = True
    slo: str | None = None  # e.g. "ttft_p90<=500ms,tpot_p50<=50ms"

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
        if self.slo is not None:
            parse_slo(self.slo)


@dataclass
class Progress:
    """A step of the run done (``done`` of ``total``), named."""

    done: int
    total: int
    label: str


# --- parameters ------------------------------------------------------------------------------


def parse_sweep(text: str) -> tuple[str, list]:
    """``temperature=0,0.7``, ``llm.embedded.threads=1,2,4`` or any config key."""
    name, sep, values = text.partition("=")
    name = name.strip()
    if not sep or not values.strip():
        raise BenchmarkError(f"--sweep {text!r}: expected NAME=V1,V2 (e.g. temperature=0,0.7)")
    key = SWEEP_ALIASES.get(name, name)
    if key not in ALL_KEYS:
        raise BenchmarkError(
            f"--sweep {name!r}: unknown parameter; use one of {', '.join(SWEEP_ALIASES)} "
            f"or a config key such as llm.embedded.threads"
        )
    if key == "llm.embedded.mode":
        raise BenchmarkError(
            "--sweep llm.embedded.mode: the mode picks a server, it can't be swept; "
            "sweep llm.embedded.threads, batch_size, context_size, gpu_layers, parallel or model"
        )
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


def machine_info() -> dict:
    """The machine a run is stored with."""
    return {
        "cpu": platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
        "ram_gb": round(psutil.virtual_memory().total / 1024**3, 1),
        "python": platform.python_version(),
        "os": platform.platform(terse=True),
    }


# --- the runner -------------------------------------------------------------------------------


class Runner:
    """Runs a benchmark through a pipeline and stores it."""

    def __init__(self, pipeline: Pipeline, store: Store):
        self.original = pipeline.cfg
        base = pipeline.cfg.with_values({"disk.caching.enabled": False, "llm.seed": SEED}, "benchmark")
        self.pipeline, self.store, self.base = pipeline, store, base
        self.last_id: int | None = None  # the stored run, also when interrupted

    def _cfg(self, opts: Options, values: dict | None = None) -> Config:
        return self.base.with_values({"llm.max_tokens": opts.max_tokens, **(values or {})}, "benchmark")

    def check_server_sweeps(self, sweeps: dict[str, list]) -> None:
        """Server settings can be swept only on the embedded server we started (BenchmarkError otherwise)."""
        backend = self.pipeline.backend
        for key in sweeps:
            if key.startswith(SERVER_SETTINGS) and (backend.kind != "embedded" or backend.embedded is None):
                raise BenchmarkError(
                    f"--sweep {key}: {backend.label} was not started by devsynth-tui, so its settings live there "
                    "(LM Studio: the model's load settings); sweep them on the embedded server (llm.embedded.mode: "
                    "always)"
                )

    async def run(self, opts: Options) -> AsyncIterator[Progress | RunResult]:
        """Yields progress, then the stored RunResult (status incomplete if cancelled midway)."""
        opts.check()
        check_sweeps(self.base, opts.sweeps)
        self.check_server_sweeps(opts.sweeps)
        slo = parse_slo(opts.slo) if opts.slo else []
        backend = self.pipeline.backend
        model = await backend.resolve_model(self.base.llm.model)
        await load_off_the_loop()  # the tokenizer's first load kept off the event loop, once if the chat loads it too
        result = RunResult(
            None,
            time.time(),
            "incomplete",
            await asyncio.to_thread(machine_info),
            backend.label,
            model,
            opts.__dict__ | {"seed": SEED},
            self.base.digest(),
        )
        embedded_pid = backend.embedded.pid if backend.embedded else None
        competing = await asyncio.to_thread(CompetingLoad, backend.client.url, embedded_pid)  # other programs' CPU
        combos = _combinations(opts.sweeps)
        total = (
            (len(GUIDE_STAGES) if opts.stages else 0)
            + len(opts.concurrency) * (opts.requests + opts.warmup)
            + len(combos) * (opts.requests + opts.warmup)
        )
        counter = itertools.count(1)
        t0 = time.perf_counter()
        try:
            if opts.stages:
                async for label in self._stages(opts, result):
                    yield Progress(next(counter), total, label)
            for level in opts.concurrency:
                async for label in self._serving(opts, level, result, slo):
                    yield Progress(next(counter), total, label)
            async for label in self._sweeps(opts, combos, result):
                yield Progress(next(counter), total, label)
            result.status = "complete"
        finally:  # a cancelled run is stored too, marked incomplete, with what finished
            result.wall = time.perf_counter() - t0
            result.machine["competing_load"] = competing.finish()  # stored with the run; shown by format_run
            self.pipeline.cfg = self.original
            if slo:
                result.slo = slo_answer(slo, result.serving)
            result.best = best_combination(result.sweep)
            result.id = self.last_id = await self.store.arun(save_run, self.store, result)
        yield result

    async def _request(self, cfg: Config, prompt: str, operation: str) -> dict:
        """One request through the pipeline; its figures from the stream's timestamps (seconds)."""
        self.pipeline.cfg = cfg
        # a fixed output length where the server supports it (llama.cpp); others keep their own stopping
        extra = {"ignore_eos": True} if self.pipeline.backend.kind in ("embedded", "llamacpp") else {}
        req = ChatRequest(prompt, operation=operation, params={"extra": extra})
        start = time.perf_counter()
        pieces: list[tuple[float, str]] = []  # one per network read; reasoning text counts as tokens too

        def timed(event) -> None:
            if isinstance(event, Delta):
                pieces.append((event.t, event.text))

        done = await ask(self.pipeline, req, on_event=timed)
        finished = time.perf_counter()
        if done.status != "ok" or done.result is None:
            raise BenchmarkFailed(done.error or "no answer")
        return request_figures(start, finished, done, pieces)

    async def _stages(self, opts: Options, result: RunResult):
        t = time.perf_counter()
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "devsynth_tui",
            "--version",
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        if await proc.wait() != 0:
            raise BenchmarkFailed(f"`{sys.executable} -m devsynth_tui --version` exited with {proc.returncode}")
        result.stages["Command initialization"] = time.perf_counter() - t
        yield "Command initialization"
        files = [str(p) for p in sorted(Path(__file__).parent.glob("*.py"))]
        t = time.perf_counter()
        items = await asyncio.to_thread(load_files, files)
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

    async def _warmup(self, cfg: Config, n: int, prompt: str, label: str):
        for i in range(n):
            await self._request(cfg, prompt, "benchmark warmup")
            yield f"{label}: warm-up {i + 1}/{n}"

    async def _serving(self, opts: Options, level: int, result: RunResult, slo: list[Objective]):
        cfg = self._cfg(opts)
        async for label in self._warmup(cfg, opts.warmup, SMALL_PROMPT, f"concurrency {level}"):
            yield label
        level_gate = asyncio.Semaphore(level)
        figures: list[dict] = []

        async def one() -> dict:
            async with level_gate:  # the concurrency asked for, not capped by cpu.parallel_processing
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
                result.serving.append(level_summary(level, figures, wall, opts.requests, slo))
                for f in figures:  # times relative to the level's start show the overlap at a glance
                    f |= {"concurrency": level, "sent_at": f["sent"] - t, "ended_at": f["sent"] - t + f["e2e"]}
                    result.requests.append({k: v for k, v in f.items() if k != "gaps"})

    async def _sweeps(self, opts: Options, combos: list[dict], result: RunResult):
        """Each combination in turn; server settings restart the embedded server, restored at the end."""
        server = self.pipeline.backend.embedded
        original = server.settings if server else None
        try:
            for combo in combos:
                await self._apply_server_settings(combo, original)
                async for label in self._sweep(opts, combo, result):
                    yield label
        finally:
            if server and server.settings != original:
                await asyncio.shield(self._restart(original))

    async def _apply_server_settings(self, combo: dict, original) -> None:
        wanted = {k[len(SERVER_SETTINGS) :]: v for k, v in combo.items() if k.startswith(SERVER_SETTINGS)}
        server = self.pipeline.backend.embedded
        if wanted and server is not None and server.settings != replace(original, **wanted):
            await self._restart(replace(original, **wanted))

    async def _restart(self, settings) -> None:
        """The embedded server again with ``settings``; the client follows it if it had to change port."""
        backend, server = self.pipeline.backend, self.pipeline.backend.embedded
        assert server is not None  # server settings are swept only on the embedded server (checked before the run)
        await asyncio.to_thread(server.restart, settings)
        await backend.follow_embedded()
        backend.active_model, backend._models = server.model_name, None

    async def _sweep(self, opts: Options, combo: dict, result: RunResult):
        cfg = self._cfg(opts, combo)
        async for label in self._warmup(cfg, opts.warmup, MEDIUM_PROMPT, f"sweep {combo_label(combo)}"):
            yield label
        figures = []
        try:
            for n in range(opts.requests):
                figures.append(await self._request(cfg, MEDIUM_PROMPT, "benchmark sweep"))
                yield f"sweep {combo_label(combo)}: {n + 1}/{opts.requests}"
        finally:
            if figures:
                result.sweep.append(sweep_row(combo, figures))


class BenchmarkFailed(Exception):
    """A request of the run failed; the run stops and is stored incomplete."""


def _combinations(sweeps: dict[str, list]) -> list[dict]:
    if not sweeps:
        return []
    keys = list(sweeps)
    return [dict(zip(keys, values)) for values in itertools.product(*(sweeps[k] for k in keys))]


def _peak_rss_mb() -> float:
    """Peak resident memory of this process so far."""
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 / 1024 if sys.platform == "darwin" else peak / 1024  # bytes on macOS, KB on Linux


def _file_operations(home: Path) -> float:
    """The ledger row and cache entry a request writes, in a scratch folder of the app home's filesystem."""
    from devsynth_tui.services.resources.disk_cache import DiskCache
    from devsynth_tui.services.store.ledger import Ledger, LedgerRow

    with tempfile.TemporaryDirectory(dir=home) as scratch:
        t = time.perf_counter()
        Ledger(Store(Path(scratch) / "bench.db")).record(
            LedgerRow("benchmark", "m", prompt_tokens=100, completion_tokens=50)
        )
        cache = DiskCache(Path(scratch) / "cache", 10)
        cache.put("k", {"text": MEDIUM_PROMPT * 4, "usage": {"prompt_tokens": 100, "completion_tokens": 50}})
        cache.get("k")
        return time.perf_counter() - t
