"""Checks for slow responses (guide §6): other programs on the CPU, memory nearly full, swap, the sampling
settings (temperature, max_tokens), and the embedded server's thread count against a benchmark sweep."""

from __future__ import annotations

import json
import math
import os
import statistics
import time
from typing import TYPE_CHECKING

from devsynth_tui.services.advisor.facts import ANSWER, MAX_TOKENS_SLACK, MIN_REQUESTS, Facts
from devsynth_tui.services.advisor.findings import Finding, Skip, origin_text, pct

if TYPE_CHECKING:
    from devsynth_tui.services.resources.monitor import Sample
    from devsynth_tui.services.store.database import Store

LOAD_PER_CORE = 1.5
MEMORY_FULL_PERCENT = 90.0
SWAP_MB = 512
LOW_AVAILABLE_SHARE = 0.2
GUIDE_TEMPERATURE = (0.1, 0.4)
MAX_TOKENS_MIN_ANSWERS = MIN_REQUESTS
THREADS_GAIN = 0.10


def _during_requests(facts: Facts) -> list[Sample]:
    interval = facts.cfg.monitor.interval
    spans = facts.request_spans()
    # a sample covers the interval before it
    return [s for s in facts.samples if any(start < s.t and s.t - interval < end for start, end in spans)]


def busiest_processes(exclude: set[int], limit: int = 3, interval: float = 0.2) -> list[tuple[str, int, float]]:
    """(name, pid, CPU % of one core) of the busiest other processes, measured over ``interval``."""
    import psutil

    procs = []
    for p in psutil.process_iter(["name", "cmdline"]):
        if p.pid in exclude or p.pid == os.getpid():
            continue
        try:
            p.cpu_percent(None)
            procs.append(p)
        except psutil.Error:
            continue
    time.sleep(interval)
    busy = []
    for p in procs:
        try:
            busy.append((" ".join(p.info["cmdline"] or [])[:60] or p.info["name"] or "?", p.pid, p.cpu_percent(None)))
        except psutil.Error:
            continue
    return sorted((b for b in busy if b[2] >= 10), key=lambda b: -b[2])[:limit]


def _close_step(facts: Facts) -> str:
    busy = busiest_processes(facts.own_pids)
    named = ", ".join(f"{name} (pid {pid}, {cpu:.0f} % of a core)" for name, pid, cpu in busy)
    return f"Close or pause other busy programs{': ' + named if named else ''}"


def _others_cores(s: Sample, cores: int) -> float:
    """Cores busy with programs other than us and the embedded server."""
    return max(0.0, s.cpu_percent * cores - s.process_cpu_percent - (s.server_cpu_percent or 0.0)) / 100


def check_cpu(facts: Facts) -> list[Finding]:
    """Other programs taking the cores: during requests when the server's own share is known (the embedded one),
    else while no request ran (LM Studio's share can't be told apart), else the load average now."""
    cores = facts.machine.cores
    during = _during_requests(facts)
    known = [s for s in during if s.server_cpu_percent is not None]
    idle = [s for s in facts.samples if s not in during]
    if len(known) >= 3 or len(idle) >= 3:
        picked, when = (known, "during your requests") if len(known) >= 3 else (idle, "while no request ran")
        busy = statistics.median(_others_cores(s, cores) for s in picked)
        from devsynth_tui.services.resources.monitor import BUSY_SHARE

        if busy < BUSY_SHARE * cores:
            return []
        saw = (
            f"other programs used a median {busy:.1f} of {cores} cores {when} "
            f"({len(picked)} resource samples from this dashboard's sampler)"
        )
    elif facts.samples:
        return []
    elif facts.machine.load_1m is not None:
        load = facts.machine.load_1m
        if load < LOAD_PER_CORE * cores:
            return []
        saw = f"load average {load:.1f} over the last minute on {cores} cores (os.getloadavg, now)"
    else:
        raise Skip("cpu: no resource samples and no load average")
    change = {"cpu.process_priority": "normal"} if facts.cfg.cpu.process_priority == "low" else {}
    return [
        Finding(
            "cpu",
            "speed",
            "warning",
            "Other programs compete for the CPU",
            saw,
            "a CPU-bound model server generates only as fast as the cores it gets (guide §6: close other "
            "resource-intensive applications)",
            change,
            _close_step(facts),
            measure="tps",
        )
    ]


def check_memory_pressure(facts: Facts) -> list[Finding]:
    """Memory nearly full while requests run (the sampler's history), else now."""
    during = _during_requests(facts)
    m = facts.machine
    if during:
        used = statistics.median(s.memory_percent for s in during)
        saw = (
            f"memory a median {used:.0f} % full during your requests "
            f"({len(during)} resource samples from this dashboard's sampler)"
        )
        if len(during) < 3:
            return []
    else:
        used = 100 * (1 - m.memory_available_mb / m.memory_total_mb)
        saw = (
            f"memory {used:.0f} % full now "
            f"({m.memory_available_mb:,.0f} of {m.memory_total_mb:,.0f} MB available, psutil)"
        )
    if used < MEMORY_FULL_PERCENT:
        return []
    return [
        Finding(
            "memory-pressure",
            "speed",
            "warning",
            "Memory is nearly full",
            saw,
            "with no room left the system pages the model out and generation slows to a crawl",
            step="Close other programs, or in LM Studio unload models you are not using "
            "(Developer → Loaded models → Eject)",
        )
    ]


def check_swap(facts: Facts) -> list[Finding]:
    """Swap in use while available memory is low."""
    m = facts.machine
    if m.swap_used_mb < SWAP_MB or m.memory_available_mb >= LOW_AVAILABLE_SHARE * m.memory_total_mb:
        return []
    return [
        Finding(
            "swap",
            "speed",
            "warning",
            "Swap is in use and memory is low",
            f"{m.swap_used_mb:,.0f} MB of swap used, {m.memory_available_mb:,.0f} of {m.memory_total_mb:,.0f} MB "
            f"available (psutil, now)",
            "model weights paged to disk make every token wait for the disk",
            step="In LM Studio, load a smaller quantization (e.g. Q4_K_M) or a smaller model; close other programs",
        )
    ]


def check_temperature(facts: Facts) -> list[Finding]:
    """Temperature above the guide's 0.1-0.4."""
    t = facts.cfg.llm.temperature
    n = facts.window["n"]
    if t <= GUIDE_TEMPERATURE[1] or not n:
        return []
    return [
        Finding(
            "temperature",
            "speed",
            "info",
            "Temperature above the guide's range",
            f"{origin_text(facts.cfg, 'llm.temperature')}; {n:,} requests {facts.window_text()} (ledger)",
            "lower temperatures (0.1-0.4) give more deterministic, often shorter answers (guide 4.2)",
            {"llm.temperature": 0.2},
        )
    ]


def check_max_tokens(facts: Facts) -> list[Finding]:
    """max_tokens far above what the user's answers use (the benchmark's own requests left out)."""
    limit = facts.cfg.llm.max_tokens
    n = facts.window["answers"]
    if n < MAX_TOKENS_MIN_ANSWERS:
        raise Skip(f"max_tokens: answers in the window: {n} of the {MAX_TOKENS_MIN_ANSWERS} needed")
    if facts.window["long_answers"] > 0.01 * n:
        return []
    # from the top: SQLite keeps only the top 1 % while it scans, no full sort
    p99 = facts.one(
        f"SELECT completion_tokens c FROM requests WHERE ts >= :since AND {ANSWER}"
        " ORDER BY completion_tokens DESC LIMIT 1 OFFSET :k",
        k=n - 1 - int(0.99 * (n - 1)),
    )["c"]
    if limit < MAX_TOKENS_SLACK * max(p99, 1) or limit - p99 < 500:
        return []
    spread = facts.one(
        f"SELECT SUM(completion_tokens <= :p) k, MAX(completion_tokens) longest FROM requests"
        f" WHERE ts >= :since AND {ANSWER}",
        p=p99,
    )
    within, longest = spread["k"], spread["longest"]
    share = f"all {n:,} answers" if within == n else f"{within:,} of {n:,} answers ({pct(within, n)})"
    rest = "" if within == n else f", the longest {longest:,}"
    suggested = max(100, math.ceil(max(p99 * 2, longest) / 100) * 100)
    return [
        Finding(
            "max-tokens",
            "speed",
            "info",
            "max_tokens is far above what answers use",
            f"{share} used at most {p99:,} tokens{rest} (ledger, {facts.window_text()}, benchmark requests left "
            f"out); {origin_text(facts.cfg, 'llm.max_tokens')}",
            "max_tokens is reserved from the model's window (less room for context) and lets a runaway "
            "answer go on that long (guide 4.2)",
            {"llm.max_tokens": suggested},
        )
    ]


def _thread_sweep(store: Store) -> tuple[int, list[dict]] | None:
    """The newest stored benchmark run that swept llm.embedded.threads: (run id, its sweep rows)."""
    rows = store.query(
        "SELECT id, data FROM bench_runs WHERE data LIKE '%llm.embedded.threads%' ORDER BY id DESC LIMIT 1"
    )
    if not rows:
        return None
    sweep = [r for r in json.loads(rows[0]["data"]).get("sweep", []) if "llm.embedded.threads" in r.get("params", {})]
    return (rows[0]["id"], sweep) if sweep else None


def _speed(row: dict) -> float | None:
    return row.get("tps_p50") or row.get("server_tps_p50")


def check_threads(facts: Facts) -> list[Finding]:
    """The embedded backend's thread count against the best one a benchmark sweep measured."""
    configured = facts.cfg.llm.embedded.threads  # 0: one per core
    found = _thread_sweep(facts.store)
    if found is None:
        raise Skip(
            "threads: no stored benchmark swept llm.embedded.threads (devsynth-tui benchmark --sweep "
            "llm.embedded.threads=1,2,4)"
        )
    run, sweep = found
    rated = [(speed, r["params"]["llm.embedded.threads"]) for r in sweep if (speed := _speed(r))]
    if not rated:
        return []
    best_tps, best = max(rated)
    threads = configured or facts.machine.cores
    mine = next((tps for tps, n in rated if (n or facts.machine.cores) == threads), None)
    if mine is None or best == threads or best_tps < (1 + THREADS_GAIN) * mine:
        return []
    return [
        Finding(
            "threads",
            "speed",
            "warning",
            "The embedded server runs with a slower thread count",
            f"benchmark run {run} measured {best_tps:.1f} tok/s with {best} threads against {mine:.1f} tok/s "
            f"with {threads} (llm.embedded.threads {configured})",
            "llama.cpp on a CPU is fastest at a thread count that matches the free physical cores (guide 4.3)",
            {"llm.embedded.threads": best},
            measure="tps",
        )
    ]
