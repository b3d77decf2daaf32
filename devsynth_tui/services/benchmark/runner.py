"""The benchmark runner (guide 5.3): the guide's stages, serving metrics, SLOs, sweeps, stored runs.

Every model request goes through the one pipeline, with a fixed seed, fixed
prompts and the response cache off, so runs on one machine are comparable.
The serving metrics are defined as vLLM's ``benchmark_serving`` defines them
(docs/benchmark-metrics.md): TTFT from the request sent to the first token of
any kind; ITL as every gap between consecutive tokens, pooled over all requests;
TPOT = (e2e - TTFT) / (output tokens - 1); e2e from the request sent to the
last byte; percentiles by linear interpolation. The server's own figures sit
beside the client's, never mixed into them, and the pipeline's own costs
(preparation, ledger) are reported apart from the request timings.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import platform
import re
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import psutil

from devsynth_tui.config import Config, ConfigError
from devsynth_tui.services.context.items import load_files
from devsynth_tui.services.context.token_accounting import count_tokens, encoding
from devsynth_tui.services.llm.client import Delta
from devsynth_tui.services.pipeline import ChatRequest, Done, Pipeline
from devsynth_tui.services.requests import ask
from devsynth_tui.services.resources.monitor import CompetingLoad, competing_text
from devsynth_tui.services.store.database import Store

SCHEMA = 2  # 2: vLLM's metric definitions, server figures as summaries, SLO, sweep tok/s
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
METRIC_NAMES = {
    "ttft": "time to first token (ms)",
    "itl": "inter-token latency (ms)",
    "tpot": "time per output token (ms)",
    "e2e": "end-to-end latency (ms)",
}
STATS = ("mean", "p50", "p90", "p99")
SWEEP_ALIASES = {
    "temperature": "llm.temperature",
    "top_p": "llm.top_p",
    "top_k": "llm.top_k",
    "max_tokens": "llm.max_tokens",
    "seed": "llm.seed",
}
SERVER_SETTINGS = "llm.embedded."  # swept by restarting the embedded server
GUIDE_STAGES = (
    "Command initialization",
    "Context loading",
    "Prompt construction",
    "LLM query (small)",
    "LLM query (medium)",
    "File operations",
    "Memory usage (peak)",
)
# the server's own per-request figures: llama.cpp `timings`, LM Studio `stats` (kept apart from ours)
SERVER_FIGURES = {
    "llama.cpp timings": ("predicted_per_second", "prompt_per_second", "prompt_ms", "predicted_ms"),
    "LM Studio stats": ("tokens_per_second", "time_to_first_token", "generation_time"),
}


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
    done: int
    total: int
    label: str


@dataclass
class RunResult:
    """One stored benchmark run."""

    id: int | None
    started: float
    status: Literal["complete", "incomplete"]
    machine: dict
    server: str
    model: str
    options: dict
    config_hash: str
    stages: dict = field(default_factory=dict)  # guide stage -> seconds (MB for memory)
    serving: list = field(default_factory=list)  # one dict per concurrency level
    sweep: list = field(default_factory=list)  # one dict per combination
    requests: list = field(default_factory=list)  # per-request figures of every level (gaps left out)
    wall: float = 0.0
    slo: dict = field(default_factory=dict)  # the SLO answer across levels
    best: dict = field(default_factory=dict)  # the sweep's best combination by tok/s and by TTFT

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__} | {"schema": SCHEMA}


# --- parameters ------------------------------------------------------------------------------


def parse_sweep(text: str) -> tuple[str, list]:
    """``temperature=0,0.7``, ``llm.embedded.threads=1,2,4`` or any config key."""
    name, sep, values = text.partition("=")
    name = name.strip()
    if not sep or not values.strip():
        raise BenchmarkError(f"--sweep {text!r}: expected NAME=V1,V2 (e.g. temperature=0,0.7)")
    from devsynth_tui.config import ALL_KEYS

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


@dataclass(frozen=True)
class Objective:
    """One service-level objective: a metric's statistic below a bound (seconds)."""

    metric: str
    stat: str
    bound: float
    strict: bool
    text: str

    def met(self, value: float | None) -> bool:
        return value is not None and (value < self.bound if self.strict else value <= self.bound)


_SLO_PART = re.compile(r"^(ttft|itl|tpot|e2e)_(p50|p90|p99|mean)\s*(<=|<)\s*([0-9]*\.?[0-9]+)\s*(ms|s)$")


def parse_slo(text: str) -> list[Objective]:
    """``ttft_p90<=500ms,tpot_p50<=50ms``: every part METRIC_STAT<=NUMBER(ms|s)."""
    objectives = []
    for part in (p.strip() for p in text.split(",")):
        m = _SLO_PART.match(part.lower())
        if not m:
            raise BenchmarkError(
                f"--slo {part!r}: expected METRIC_STAT<=VALUE with METRIC ttft|itl|tpot|e2e, "
                f"STAT p50|p90|p99|mean and a unit ms|s, e.g. ttft_p90<=500ms,tpot_p50<=50ms"
            )
        metric, stat, op, number, unit = m.groups()
        bound = float(number) / (1000 if unit == "ms" else 1)
        objectives.append(Objective(metric, stat, bound, op == "<", f"{metric}_{stat}{op}{number}{unit}"))
    return objectives


# --- statistics -------------------------------------------------------------------------------


def summarize(values: list[float]) -> dict:
    """mean, p50, p90, p99, min, max (percentiles linearly interpolated)."""
    if not values:
        return {}
    ordered = sorted(values)
    cuts = statistics.quantiles(ordered, n=100, method="inclusive") if len(ordered) > 1 else [ordered[0]] * 99
    return {
        "mean": statistics.fmean(ordered),
        "p50": cuts[49],
        "p90": cuts[89],
        "p99": cuts[98],
        "min": ordered[0],
        "max": ordered[-1],
    }


def split_tokens(estimates: list[int], total: int | None) -> list[int]:
    """Tokens per streamed piece: the server's ``total`` split over the pieces in proportion to
    their estimated (tiktoken) counts, every piece at least one token; the estimates when the
    server gave no count, one a piece when it counted fewer tokens than pieces."""
    n = len(estimates)
    if not total:
        return [max(1, e) for e in estimates]
    if total < n:
        return [1] * n
    weights = [max(1, e) for e in estimates]
    shares = [total * w / sum(weights) for w in weights]
    counts = [max(1, int(share)) for share in shares]
    missing = total - sum(counts)
    by_fraction = sorted(range(n), key=lambda i: shares[i] - int(shares[i]), reverse=True)
    for i in range(missing):  # what rounding down left over, to the largest fractions
        counts[by_fraction[i % n]] += 1
    for _ in range(-missing):  # what "at least one" added, from the largest counts
        counts[counts.index(max(counts))] -= 1
    return counts


def token_gaps(pieces: list[tuple[float, str]], total: int | None) -> list[float]:
    """Every gap between consecutive tokens of one answer: a piece carrying k tokens counts k gaps,
    its time since the previous piece split evenly; tokens that came with the first have a gap of 0."""
    counts = split_tokens([count_tokens(text) for _, text in pieces], total)
    gaps: list[float] = []
    previous = None
    for (t, _), k in zip(pieces, counts):
        gaps += [0.0] * (k - 1) if previous is None else [(t - previous) / k] * k
        previous = t
    return gaps


def machine_info() -> dict:
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
        model = await backend.resolve_model(self.base.get("llm.model"))
        await asyncio.to_thread(encoding)  # the tokenizer's first load (a quarter second) kept off the event loop
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
        async for label in self._warmup(cfg, opts.warmup, MEDIUM_PROMPT, f"sweep {_label(combo)}"):
            yield label
        figures = []
        try:
            for n in range(opts.requests):
                figures.append(await self._request(cfg, MEDIUM_PROMPT, "benchmark sweep"))
                yield f"sweep {_label(combo)}: {n + 1}/{opts.requests}"
        finally:
            if figures:
                result.sweep.append(sweep_row(combo, figures))


class BenchmarkFailed(Exception):
    """A request of the run failed; the run stops and is stored incomplete."""


def request_figures(start: float, finished: float, done: Done, pieces: list[tuple[float, str]]) -> dict:
    """One request's figures: TTFT, e2e, TPOT, its token gaps, the pipeline's costs around it, the server's own."""
    r = done.result
    assert r is not None  # only answered requests are measured (a failed one stops the run)
    n = done.row.completion_tokens
    streamed = r.t_first is not None  # an answer not streamed arrives whole: its first token is its last
    e2e = r.t_end - r.t_start
    ttft = r.t_first - r.t_start if r.t_first is not None else e2e
    tpot = (e2e - ttft) / (n - 1) if streamed and n > 1 else None
    return {
        "ttft": ttft,
        "e2e": e2e,
        "tpot": tpot,
        "gaps": token_gaps(pieces, n) if streamed else [],
        "output_tokens": n,
        "decode_tps": 1 / tpot if tpot else None,
        "prompt_tokens": done.row.prompt_tokens,
        "tokens_saved": done.row.tokens_saved,
        "model": done.row.model,
        "sent": r.t_start,
        "preparation": r.t_start - start,
        "after": finished - r.t_end,  # outside the request timings
        "server": server_figures(r),
    }


def server_figures(result) -> dict:
    """The server's own figures for one answer, named by where they came from."""
    for source, data in (("llama.cpp timings", result.server_timings), ("LM Studio stats", result.server_stats)):
        if data:
            return {"source": source} | {
                k: data[k] for k in SERVER_FIGURES[source] if isinstance(data.get(k), (int, float))
            }
    return {}


def level_summary(level: int, figures: list[dict], wall: float, planned: int, slo: list[Objective]) -> dict:
    """A concurrency level: client metrics (ITL pooled over every request), throughput over the level's
    wall time, the pipeline's overhead, the server's own figures apart, and goodput under the SLO."""
    out = {
        "concurrency": level,
        "requests": len(figures),
        "planned": planned,
        "wall": wall,
        "output_tokens_per_s": sum(f["output_tokens"] for f in figures) / wall if wall else 0.0,
        "requests_per_s": len(figures) / wall if wall else 0.0,
        "ttft": summarize([f["ttft"] for f in figures]),
        "itl": summarize([g for f in figures for g in f["gaps"]]),
        "tpot": summarize([f["tpot"] for f in figures if f["tpot"] is not None]),
        "e2e": summarize([f["e2e"] for f in figures]),
        "output_tokens": summarize([f["output_tokens"] for f in figures]),
        "decode_tps": summarize([f["decode_tps"] for f in figures if f["decode_tps"]]),
        "overhead": {
            "preparation": summarize([f["preparation"] for f in figures]),
            "after": summarize([f["after"] for f in figures]),
        },
        "server": server_summary([f["server"] for f in figures]),
    }
    if slo:
        good = sum(all(o.met(_request_value(f, o)) for o in slo) for f in figures)
        out["goodput"] = good / wall if wall else 0.0
        out["good_requests"] = good
    return out


def _request_value(figures: dict, objective: Objective) -> float | None:
    """A request's own value for an objective (its gaps' statistic for ITL)."""
    if objective.metric == "itl":
        return summarize(figures["gaps"]).get(objective.stat)
    return figures[objective.metric]


def server_summary(per_request: list[dict]) -> dict:
    rows = [r for r in per_request if r]
    if not rows:
        return {}
    source = rows[0]["source"]
    return {"source": source} | {
        k: summarize([r[k] for r in rows if k in r]) for k in SERVER_FIGURES[source] if any(k in r for r in rows)
    }


def slo_answer(slo: list[Objective], levels: list[dict]) -> dict:
    """Per level whether every objective holds, what misses, goodput; and the highest level meeting all."""
    rows = []
    for lvl in sorted(levels, key=lambda level: level["concurrency"]):
        misses = [
            {"objective": o.text, "value": (lvl.get(o.metric) or {}).get(o.stat)}
            for o in slo
            if not o.met((lvl.get(o.metric) or {}).get(o.stat))
        ]
        rows.append(
            {"concurrency": lvl["concurrency"], "met": not misses, "misses": misses, "goodput": lvl.get("goodput", 0.0)}
        )
    met = [row for row in rows if row["met"]]
    return {"objectives": [o.text for o in slo], "levels": rows, "best": met[-1]["concurrency"] if met else None}


def sweep_row(combo: dict, figures: list[dict]) -> dict:
    server = server_summary([f["server"] for f in figures])
    return {
        "params": combo,
        "requests": len(figures),
        "prompt_tokens": statistics.fmean(f["prompt_tokens"] for f in figures),
        "output_tokens": statistics.fmean(f["output_tokens"] for f in figures),
        "tokens_saved": statistics.fmean(f["tokens_saved"] for f in figures),
        "e2e_p50": summarize([f["e2e"] for f in figures])["p50"],
        "ttft_p50": summarize([f["ttft"] for f in figures])["p50"],
        "tpot_p50": summarize([f["tpot"] for f in figures if f["tpot"]]).get("p50"),
        "tps_p50": summarize([f["decode_tps"] for f in figures if f["decode_tps"]]).get("p50"),
        "server_tps_p50": (server.get("predicted_per_second") or server.get("tokens_per_second") or {}).get("p50"),
    }


def best_combination(rows: list[dict]) -> dict:
    """The sweep's best combination by generation tok/s (p50), and by TTFT (p50) when another wins there."""
    rated = [row for row in rows if row.get("tps_p50")]
    if len(rows) < 2 or not rated:
        return {}
    fastest = max(rated, key=lambda row: row["tps_p50"])
    quickest = min(rows, key=lambda row: row["ttft_p50"])
    return {"tps": fastest["params"], "ttft": quickest["params"]}


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
    defaults: dict[str, Any] = {
        "id": None,
        "started": 0.0,
        "status": "complete",
        "machine": {},
        "server": "?",
        "model": "?",
        "options": {},
        "config_hash": "",
    }
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
            out.append(
                {
                    "concurrency": la["concurrency"],
                    "metric": metric,
                    "a": sa["p50"],
                    "b": sb["p50"],
                    "delta": delta,
                    "percent": 100 * delta / sa["p50"] if sa["p50"] else None,
                    "significant": abs(delta) > spread,
                }
            )
        for metric in ("output_tokens_per_s", "requests_per_s"):
            delta = lb[metric] - la[metric]
            out.append(
                {
                    "concurrency": la["concurrency"],
                    "metric": metric,
                    "a": la[metric],
                    "b": lb[metric],
                    "delta": delta,
                    "percent": 100 * delta / la[metric] if la[metric] else None,
                    "significant": None,
                }
            )
    return out


# --- output ----------------------------------------------------------------------------------------


def format_slo(answer: dict) -> str:
    """The SLO answer in one line: the highest level meeting every objective, its goodput, what misses elsewhere."""
    if not answer or not answer["levels"]:
        return ""
    head = f"SLO {', '.join(answer['objectives'])}: "
    misses = "; ".join(
        f"concurrency {row['concurrency']} misses "
        + ", ".join(f"{m['objective']} ({_ms(m['value'])})" for m in row["misses"])
        for row in answer["levels"]
        if not row["met"]
    )
    if answer["best"] is None:
        return head + f"no level meets it ({misses})"
    best = next(row for row in answer["levels"] if row["concurrency"] == answer["best"])
    return (
        head
        + f"met up to concurrency {best['concurrency']} (goodput {best['goodput']:.2f} req/s)"
        + (f"; {misses}" if misses else "")
    )


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value * 1000:.0f} ms"


def format_run(r: RunResult) -> str:
    """The guide's table, then serving metrics, server figures, overhead, the SLO answer and sweeps."""
    lines = [f"Performance Benchmark Results: run {r.id} ({r.status}) · {r.model} on {r.server}"]
    lines += [warning] if (warning := competing_text(r.machine.get("competing_load"))) else []
    for stage in GUIDE_STAGES:
        if stage in r.stages:
            value = r.stages[stage]
            lines.append(f"{stage}: {value:.0f}MB" if stage.startswith("Memory") else f"{stage}: {value:.2f}s")
    for lvl in r.serving:
        lines += _format_level(lvl)
    if slo_line := format_slo(r.slo):
        lines.append("\n" + slo_line)
    if r.sweep:
        lines += _format_sweep(r)
    lines.append(
        f"\nwall time {r.wall:.1f} s · config {r.config_hash} · {r.machine.get('cores', '?')} cores, "
        f"{r.machine.get('ram_gb', '?')} GB RAM"
    )
    return "\n".join(lines)


def _format_level(lvl: dict) -> list[str]:
    good = f", goodput {lvl['goodput']:.2f} req/s" if "goodput" in lvl else ""
    lines = [
        f"\nServing, concurrency {lvl['concurrency']}: {lvl['requests']}/{lvl['planned']} requests, "
        f"{lvl['output_tokens_per_s']:.1f} output tokens/s, {lvl['requests_per_s']:.2f} requests/s{good}",
        f"  {'client':28} {'mean':>8} {'p50':>8} {'p90':>8} {'p99':>8} {'min':>8} {'max':>8}",
    ]
    for metric, name in METRIC_NAMES.items():
        s = lvl.get(metric) or {}
        if s:
            lines.append(
                f"  {name:28} " + " ".join(f"{s[k] * 1000:8.1f}" for k in ("mean", "p50", "p90", "p99", "min", "max"))
            )
    decode = lvl.get("decode_tps") or {}
    if decode:
        lines.append(
            f"  {'generation tok/s (1/TPOT)':28} "
            + " ".join(f"{decode[k]:8.1f}" for k in ("mean", "p50", "p90", "p99", "min", "max"))
        )
    server = lvl.get("server") or {}
    if server:
        lines.append(f"  server's own figures ({server.get('source', 'timings')}):")
        for name, value in server.items():
            if isinstance(value, dict):
                lines.append(
                    f"    {name:26} "
                    + " ".join(f"{value[k]:8.1f}" for k in ("mean", "p50", "p90", "p99", "min", "max"))
                )
            elif name != "source":  # runs stored before schema 2 kept plain means
                lines.append(f"    {name:26} {value:8.1f}")
    overhead = lvl.get("overhead") or {}
    if overhead.get("preparation"):
        lines.append(
            f"  pipeline, outside the request timings (p50): preparation {overhead['preparation']['p50'] * 1000:.1f} "
            "ms, "
            f"ledger and after {overhead['after']['p50'] * 1000:.1f} ms"
        )
    return lines


def _p50(value) -> float | None:
    return value.get("p50") if isinstance(value, dict) else value  # runs stored before schema 2 kept plain means


def _format_sweep(r: RunResult) -> list[str]:
    lines = [
        f"\nSweep ({len(r.sweep)} combinations):",
        f"  {'parameters':36} {'prompt tok':>10} {'output tok':>10} {'saved':>6} {'tok/s p50':>9} "
        f"{'server tok/s':>12} {'ttft p50 ms':>11} {'e2e p50 ms':>10}",
    ]
    for row in r.sweep:
        tps, server = row.get("tps_p50"), row.get("server_tps_p50")
        lines.append(
            f"  {_label(row['params']):36} {row['prompt_tokens']:10.0f} {row['output_tokens']:10.0f} "
            f"{row['tokens_saved']:6.0f} {tps or 0:9.1f} {server or 0:12.1f} {row['ttft_p50'] * 1000:11.0f} "
            f"{row['e2e_p50'] * 1000:10.0f}"
        )
    if r.best:
        lines.append("  " + format_best(r))
    return lines


def format_best(r: RunResult) -> str:
    rows = {json.dumps(row["params"], sort_keys=True): row for row in r.sweep}
    fastest, quickest = (rows[json.dumps(r.best[k], sort_keys=True)] for k in ("tps", "ttft"))
    text = (
        f"best: {_label(fastest['params'])} ({fastest['tps_p50']:.1f} tok/s, TTFT {fastest['ttft_p50'] * 1000:.0f} ms)"
    )
    if quickest is not fastest:
        text += f"; lowest TTFT: {_label(quickest['params'])} ({quickest['ttft_p50'] * 1000:.0f} ms)"
    return text


CSV_STATS = ("mean", "p50", "p90", "p99")


def to_csv(r: RunResult) -> str:
    """One row per concurrency level and per sweep combination; times in milliseconds."""
    import csv
    import io

    metric_cols = [f"{m}_{s}_ms" for m in METRICS for s in CSV_STATS]
    cols = [
        "run",
        "kind",
        "concurrency",
        "params",
        "requests",
        "requests_per_s",
        "output_tokens_per_s",
        "goodput",
        *metric_cols,
        "generation_tps_p50",
        "server_source",
        "server_tps_p50",
    ]
    buf = io.StringIO()
    writer = csv.DictWriter(buf, cols, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for lvl in r.serving:
        server = lvl.get("server") or {}
        tps = server.get("predicted_per_second") or server.get("tokens_per_second")
        row = {
            "run": r.id,
            "kind": "serving",
            "concurrency": lvl["concurrency"],
            "requests": lvl["requests"],
            "requests_per_s": lvl["requests_per_s"],
            "output_tokens_per_s": lvl["output_tokens_per_s"],
            "goodput": lvl.get("goodput"),
            "generation_tps_p50": (lvl.get("decode_tps") or {}).get("p50"),
            "server_source": server.get("source"),
            "server_tps_p50": _p50(tps) if tps else None,
        }
        for m in METRICS:
            for s in CSV_STATS:
                value = (lvl.get(m) or {}).get(s)
                row[f"{m}_{s}_ms"] = None if value is None else value * 1000
        writer.writerow(row)
    for sweep in r.sweep:
        writer.writerow(
            {
                "run": r.id,
                "kind": "sweep",
                "concurrency": 1,
                "params": _label(sweep["params"]),
                "requests": sweep["requests"],
                "ttft_p50_ms": sweep["ttft_p50"] * 1000,
                "e2e_p50_ms": sweep["e2e_p50"] * 1000,
                "tpot_p50_ms": sweep["tpot_p50"] * 1000 if sweep.get("tpot_p50") else None,
                "generation_tps_p50": sweep.get("tps_p50"),
                "server_tps_p50": sweep.get("server_tps_p50"),
            }
        )
    return buf.getvalue()
