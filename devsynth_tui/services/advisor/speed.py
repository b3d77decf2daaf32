"""The advisor (guide §6, troubleshooting): live figures and the effective config turned into findings.

Each check reads what devsynth-tui already holds (the ledger, the resource
sampler's history, stored benchmark runs, the server's models, the cache
folder, the machine) and returns findings: what it saw and where that figure
came from, why it matters, and the exact change (config keys and values, or the
step in LM Studio when the setting lives there). A healthy setup gives none.
Ledger figures are SQL aggregates, never Python loops over rows.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import statistics
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from devsynth_tui.config import ALL_KEYS, Config

if TYPE_CHECKING:
    from devsynth_tui.services.llm.client import ModelInfo
    from devsynth_tui.services.resources.monitor import Sample
    from devsynth_tui.services.store.database import Store

SEVERITIES = ("info", "warning", "critical")  # worst last
AREAS = ("tokens", "speed", "memory")  # §6's three headings: high token usage, slow responses, high memory
MB = 1024 * 1024
DEFAULT_DAYS = 7

MIN_REQUESTS = 5  # fewer requests say nothing about a habit
LARGE_INPUT = 4000  # tokens of input from which pruning should pay
LOW_SAVED_SHARE = 0.10
OVERSIZED_REQUESTS = 3
SIMPLE_SHARE = 0.5
BIG_MODEL_BYTES = 4 * 10**9  # about a 7B model at 4 bits
LOAD_PER_CORE = 1.5
MEMORY_FULL_PERCENT = 90.0
SWAP_MB = 512
LOW_AVAILABLE_SHARE = 0.2
MODEL_OVERHEAD = 1.2  # weights plus KV cache and buffers
GUIDE_TEMPERATURE = (0.1, 0.4)
GUIDE_MAX_EXAMPLES = 2
MAX_TOKENS_MIN_ANSWERS = MIN_REQUESTS
MAX_TOKENS_SLACK = 4  # max_tokens this many times the longest answers (p99)
# the user's answers: the benchmark's own requests (operation "benchmark", "benchmark warmup", "benchmark sweep")
# run with their own max_tokens and say nothing about what answers need
ANSWER = "status = 'ok' AND cached = 0 AND operation NOT LIKE 'benchmark%'"
THREADS_GAIN = 0.10
CONTEXT_SLACK = 2  # a window this many times what is ever sent
CONTEXT_MARGIN = 1000  # system prompt and question beside the context
LEAK_MB = 50.0
LEAK_REQUESTS = 5
CACHE_SLACK = 1.1


@dataclass
class Finding:
    """One piece of advice: what was seen (figure and source), why it matters, and the exact change."""

    check: str
    area: Literal["tokens", "speed", "memory"]
    severity: Literal["info", "warning", "critical"]
    title: str
    saw: str
    why: str
    change: dict[str, Any] = field(default_factory=dict)  # config keys -> values
    step: str = ""  # what to do where the setting is not ours (LM Studio), or what --fix does
    action: str | None = None  # something --fix does besides config keys: "trim-cache"
    measure: str | None = None  # the ledger column the change should improve, per request ("total_tokens", "tps")

    @property
    def rank(self) -> int:
        return SEVERITIES.index(self.severity)

    @property
    def fixable(self) -> bool:
        return bool(self.change) or self.action is not None

    def as_dict(self) -> dict:
        return asdict(self)

    def change_text(self) -> str:
        """The change as config lines (``key: value``), or the step."""
        lines = [f"{key}: {json.dumps(value)}" for key, value in self.change.items()]
        return "; ".join(lines + ([self.step] if self.step else []))


@dataclass
class Machine:
    """The machine now (psutil, os.getloadavg)."""

    cores: int
    memory_total_mb: float
    memory_available_mb: float
    swap_total_mb: float = 0.0
    swap_used_mb: float = 0.0
    load_1m: float | None = None

    @classmethod
    def now(cls) -> Machine:
        import psutil

        vm, swap = psutil.virtual_memory(), psutil.swap_memory()
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
        return cls(os.cpu_count() or 1, vm.total / MB, vm.available / MB, swap.total / MB, swap.used / MB, load)


@dataclass
class Facts:
    """Everything the checks read. The ledger window is the rows with ``ts >= since``."""

    cfg: Config
    store: Store
    since: float
    machine: Machine
    samples: list[Sample] = field(default_factory=list)  # the sampler's history, oldest first (dashboard only)
    models: list[ModelInfo] = field(default_factory=list)  # the server's models; empty when unknown
    active_model: str | None = None
    backend: str | None = None  # lmstudio | llamacpp | openai | embedded; None when unknown
    cache_dir: Path | None = None
    own_pids: set[int] = field(default_factory=set)  # us and the embedded server: not "other programs"

    @cached_property
    def window(self) -> Any:
        """The window's figures that several checks read, in one pass over the rows."""
        return self.one(
            "SELECT COUNT(*) n, COALESCE(SUM(total_tokens), 0) tokens,"
            f" COALESCE(SUM({ANSWER}), 0) answers,"
            f" COALESCE(SUM({ANSWER} AND completion_tokens * :slack >= :max_tokens), 0) long_answers,"
            " COALESCE(SUM(cached = 0 AND tokens_before >= :large), 0) large_n,"
            " COALESCE(SUM(CASE WHEN cached = 0 AND tokens_before >= :large THEN tokens_before END), 0) large_before,"
            " COALESCE(SUM(CASE WHEN cached = 0 AND tokens_before >= :large THEN tokens_saved END), 0) large_saved,"
            " COALESCE(SUM(tokens_before > :budget), 0) over_n, MAX(CASE WHEN tokens_before > :budget THEN "
            "tokens_before END) over_max,"
            " COALESCE(MAX(prompt_tokens + completion_tokens), 0) largest FROM requests WHERE ts >= :since",
            large=LARGE_INPUT,
            budget=self.cfg.get("memory.max_context_size"),
            slack=MAX_TOKENS_SLACK,
            max_tokens=self.cfg.get("llm.max_tokens"),
        )

    def one(self, sql: str, **params: Any) -> Any:
        """One row of an aggregate over the window (``:since`` is bound)."""
        return self.all(sql, **params)[0]

    def all(self, sql: str, **params: Any) -> list:
        return self.store.query(sql, {"since": self.since, **params})

    def window_text(self) -> str:
        return (
            f"since {datetime.fromtimestamp(self.since).isoformat(sep=' ', timespec='minutes')}"
            if self.since
            else "all time"
        )


@dataclass
class Advice:
    """The findings, worst first, the checks that lacked data, and where the tokens went."""

    findings: list[Finding]
    skipped: list[str]
    usage: dict[str, list[dict]]
    window: str

    @property
    def healthy(self) -> bool:
        """No finding at warning level or worse."""
        return all(f.rank < SEVERITIES.index("warning") for f in self.findings)

    def as_dict(self) -> dict:
        return {
            "healthy": self.healthy,
            "window": self.window,
            "findings": [f.as_dict() for f in self.findings],
            "skipped": self.skipped,
            "usage": self.usage,
        }


class Skip(Exception):
    """A check that lacks the data it needs; the message says which."""


# --- the window ---------------------------------------------------------------------


def default_since(cfg: Config, now: float | None = None) -> float:
    """The last week, or since the config last changed when that is later: older rows ran under other settings."""
    since = (now or time.time()) - DEFAULT_DAYS * 86400
    for source in cfg.sources:
        path = Path(source)
        if path.is_file():
            since = max(since, path.stat().st_mtime)
    return since


def _pct(part: float, whole: float) -> str:
    """A share in whole percent, never rounded up to 100 % or down to 0 % when it is not all or none."""
    if not whole:
        return "-"
    share = 100 * part / whole
    if 0 < part < whole:
        share = min(max(share, 1), 99)
    return f"{share:.0f} %"


def _origin(cfg: Config, key: str) -> str:
    origin = getattr(cfg, "origin", None)
    return f"{key} is {json.dumps(cfg.get(key))}" + (f" (from {origin(key)})" if origin else "")


def _strategies(cfg: Config) -> list[str]:
    value = cfg.get("tokens.context_pruning.strategy")
    return [value] if isinstance(value, str) else list(value)


def usage(facts: Facts, limit: int = 3) -> dict[str, list[dict]]:
    """The operations and models using the most tokens in the window, with their share (one grouped query)."""
    groups = facts.all(
        "SELECT operation, COALESCE(model, '-') model, COUNT(*) n, SUM(total_tokens) t FROM requests"
        " WHERE ts >= :since GROUP BY operation, model"
    )
    total = sum(g["t"] for g in groups)
    out = {}
    for key in ("operation", "model"):
        sums: dict[str, list[int]] = {}
        for g in groups:
            acc = sums.setdefault(g[key], [0, 0])
            acc[0], acc[1] = acc[0] + g["n"], acc[1] + g["t"]
        top = sorted(sums.items(), key=lambda kv: -kv[1][1])[:limit]
        out[key] = [
            {"name": name, "requests": n, "tokens": t, "share": t / total if total else 0.0} for name, (n, t) in top
        ]
    return out


def _top_text(facts: Facts) -> str:
    top = usage(facts, 1)
    parts = [f"{what} {rows[0]['name']!r} {rows[0]['share']:.0%}" for what, rows in top.items() if rows]
    return f"; most tokens: {', '.join(parts)} of the window" if parts else ""


# --- high token usage -------------------------------------------------------------------


def check_pruning(facts: Facts) -> list[Finding]:
    """Large inputs sent with little saved: pruning off or ineffective."""
    w = facts.window
    r = {"n": w["large_n"], "b": w["large_before"], "s": w["large_saved"]}
    if r["n"] < MIN_REQUESTS or r["s"] >= LOW_SAVED_SHARE * r["b"]:
        return []
    cfg = facts.cfg
    strategies = _strategies(cfg)
    if "relevance" not in strategies:
        change = {"tokens.context_pruning.strategy": ["relevance", *strategies]}
        how = "relevance pruning keeps what the question is about and drops the rest"
    else:
        threshold = round(min(0.9, cfg.get("tokens.context_pruning.threshold") + 0.1), 2)
        change = {"tokens.context_pruning.threshold": threshold}
        how = "a higher relevance threshold keeps fewer chunks"
    return [
        Finding(
            "pruning",
            "tokens",
            "warning",
            "Context pruning saves little on large inputs",
            f"{r['n']:,} requests with at least {LARGE_INPUT:,} tokens of input saved {_pct(r['s'], r['b'])} "
            f"({r['s']:,} of {r['b']:,} tokens; ledger, {facts.window_text()}){_top_text(facts)}; strategy {strategies}"
            f"{_stages_text(facts)}",
            f"every token sent costs prompt-processing time and money; {how}",
            change,
            measure="prompt_tokens",
        )
    ]


def _stages_text(facts: Facts) -> str:
    """What each optimization stage saved on the large requests (the ledger's request_stages), or ""."""
    rows = facts.all(
        "SELECT s.stage, SUM(s.tokens_before) b, SUM(s.tokens_before - s.tokens_after) saved FROM request_stages s"
        " JOIN requests r ON r.id = s.request_id WHERE r.ts >= :since AND r.cached = 0 AND r.tokens_before >= :large"
        " GROUP BY s.stage ORDER BY saved DESC",
        large=LARGE_INPUT,
    )
    parts = [f"{row['stage']} {_pct(row['saved'], row['b'])}" for row in rows if row["b"]]
    return f"; saved by stage: {', '.join(parts)}" if parts else ""


def check_prompt_optimization(facts: Facts) -> list[Finding]:
    """Template trimming or instruction compression off, or more examples than the guide's 2."""
    n = facts.window["n"]
    cfg = facts.cfg
    change: dict[str, object] = {}
    opts = "tokens.prompt_optimization."
    for key in ("template_trimming", "instruction_compression"):
        if not cfg.get(opts + key):
            change[opts + key] = True
    if cfg.get(opts + "max_examples") > GUIDE_MAX_EXAMPLES:
        change[opts + "max_examples"] = GUIDE_MAX_EXAMPLES
    if not n or not change:
        return []
    return [
        Finding(
            "prompt-optimization",
            "tokens",
            "info",
            "Prompt optimization is partly off",
            "; ".join(_origin(cfg, key) for key in change) + f"; {n:,} requests {facts.window_text()} (ledger)",
            "trimmed templates, compressed instructions and at most two examples cut tokens from every request "
            "without touching your question (guide 2.3)",
            change,
            measure="prompt_tokens",
        )
    ]


def check_chunking(facts: Facts) -> list[Finding]:
    """Inputs larger than the context budget, cut by pruning, that chunked generation would split."""
    cfg = facts.cfg
    if cfg.get("tokens.prompt_optimization.chunked_generation"):
        return []
    budget = cfg.get("memory.max_context_size")
    r = {"n": facts.window["over_n"], "m": facts.window["over_max"]}
    if r["n"] < OVERSIZED_REQUESTS:
        return []
    size = cfg.get("tokens.prompt_optimization.chunk_size")
    return [
        Finding(
            "chunking",
            "tokens",
            "warning",
            "Inputs larger than the context budget were cut",
            f"{r['n']:,} requests had more input than memory.max_context_size {budget:,} (largest {r['m']:,} tokens; "
            f"ledger, {facts.window_text()})",
            f"pruning had to drop what did not fit; chunked generation sends it in pieces of {size:,} tokens "
            f"({math.ceil(r['m'] / size)} for the largest) and merges the answers (guide 2.3)",
            {"tokens.prompt_optimization.chunked_generation": True},
        )
    ]


def check_model_choice(facts: Facts) -> list[Finding]:
    """Dynamic model selection off while simple requests go to a big model."""
    dms = facts.cfg["llm"]["dynamic_model_selection"]
    sizes = {m.id: m.size_bytes for m in facts.models if m.size_bytes and not m.is_embedding}
    if dms["enabled"] or not sizes:
        return []
    rows = facts.all(
        "SELECT model, COUNT(*) n, SUM(COALESCE(est_prompt_tokens, prompt_tokens) <= :simple) simple"
        " FROM requests WHERE ts >= :since AND cached = 0 GROUP BY model",
        simple=dms["simple_max_tokens"],
    )
    out = []
    for r in rows:
        size = sizes.get(r["model"])
        if not size or size < BIG_MODEL_BYTES or r["n"] < MIN_REQUESTS or r["simple"] < SIMPLE_SHARE * r["n"]:
            continue
        smaller = sorted((s, m) for m, s in sizes.items() if s <= size / 2)
        saw = (
            f"{r['simple']:,} of {r['n']:,} requests to {r['model']} ({size / 1e9:.1f} GB, server's model list) "
            f"had at most {dms['simple_max_tokens']:,} tokens of prompt (ledger, {facts.window_text()})"
        )
        why = "a small model answers simple requests several times faster and with less memory (guide 4.1)"
        if smaller:
            small = smaller[-1][1]
            change = {
                "llm.dynamic_model_selection.enabled": True,
                "llm.dynamic_model_selection.models": {"simple": small, "medium": r["model"], "complex": r["model"]},
            }
            out.append(
                Finding(
                    "model-choice",
                    "tokens",
                    "warning",
                    "Simple requests go to a big model",
                    saw,
                    why + f"; {small} ({sizes[small] / 1e9:.1f} GB) is on the server",
                    change,
                    measure="duration",
                )
            )
        else:
            out.append(
                Finding(
                    "model-choice",
                    "tokens",
                    "info",
                    "Simple requests go to a big model",
                    saw,
                    why,
                    {},
                    "In LM Studio, download a small model (1B-3B, e.g. Phi-2 2.7B), then turn on "
                    "llm.dynamic_model_selection with it as the simple model",
                )
            )
    return out


# --- slow responses ---------------------------------------------------------------------


def _request_spans(facts: Facts) -> list[tuple[float, float]]:
    """(start, end) of the requests the sampler's history covers."""
    if not facts.samples:
        return []
    first = facts.samples[0].t - facts.cfg.get("monitor.interval")  # the first sample covers the interval before it
    rows = facts.store.query(
        "SELECT ts - COALESCE(duration, 0) s, ts e FROM requests WHERE ts >= ?", (max(first, facts.since),)
    )
    return [(r["s"], r["e"]) for r in rows]


def _during_requests(facts: Facts) -> list[Sample]:
    interval = facts.cfg.get("monitor.interval")
    spans = _request_spans(facts)
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
    change = {"cpu.process_priority": "normal"} if facts.cfg.get("cpu.process_priority") == "low" else {}
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


def _sent_model(facts: Facts) -> ModelInfo | None:
    wanted = facts.active_model or facts.cfg.get("llm.model")
    chats = [m for m in facts.models if not m.is_embedding]
    return next((m for m in chats if m.id == wanted), None) or next((m for m in chats if m.loaded), None)


def check_model_ram(facts: Facts) -> list[Finding]:
    """The model in use is too big for the machine's memory."""
    model = _sent_model(facts)
    if model is None or not model.size_bytes:
        return []
    m = facts.machine
    need_mb = model.size_bytes * MODEL_OVERHEAD / MB
    room = m.memory_total_mb * 0.8 if model.loaded else m.memory_available_mb
    if need_mb <= room:
        return []
    where = "80 % of total memory" if model.loaded else "available memory"
    fits = sorted(
        (x.size_bytes, x.id)
        for x in facts.models
        if x.size_bytes and not x.is_embedding and x.size_bytes * MODEL_OVERHEAD / MB <= room
    )
    change = {"llm.model": fits[-1][1]} if fits else {}
    return [
        Finding(
            "model-ram",
            "memory",
            "critical",
            "The model is too big for this machine's memory",
            f"{model.id} is {model.size_bytes / 1e9:.1f} GB (server's model list); with KV cache it needs about "
            f"{need_mb:,.0f} MB, more than {where} ({room:,.0f} MB, psutil)",
            "a model that does not fit is swapped or refused: answers slow to seconds per token (guide 4.1)",
            change,
            "In LM Studio, pick a smaller quantization of the model or a smaller model",
        )
    ]


def check_temperature(facts: Facts) -> list[Finding]:
    """Temperature above the guide's 0.1-0.4."""
    t = facts.cfg.get("llm.temperature")
    n = facts.window["n"]
    if t <= GUIDE_TEMPERATURE[1] or not n:
        return []
    return [
        Finding(
            "temperature",
            "speed",
            "info",
            "Temperature above the guide's range",
            f"{_origin(facts.cfg, 'llm.temperature')}; {n:,} requests {facts.window_text()} (ledger)",
            "lower temperatures (0.1-0.4) give more deterministic, often shorter answers (guide 4.2)",
            {"llm.temperature": 0.2},
        )
    ]


def check_max_tokens(facts: Facts) -> list[Finding]:
    """max_tokens far above what the user's answers use (the benchmark's own requests left out)."""
    limit = facts.cfg.get("llm.max_tokens")
    n = facts.window["answers"]
    if n < MAX_TOKENS_MIN_ANSWERS or facts.window["long_answers"] > 0.01 * n:
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
    share = f"all {n:,} answers" if within == n else f"{within:,} of {n:,} answers ({_pct(within, n)})"
    rest = "" if within == n else f", the longest {longest:,}"
    suggested = max(100, math.ceil(max(p99 * 2, longest) / 100) * 100)
    return [
        Finding(
            "max-tokens",
            "speed",
            "info",
            "max_tokens is far above what answers use",
            f"{share} used at most {p99:,} tokens{rest} (ledger, {facts.window_text()}, benchmark requests left "
            f"out); {_origin(facts.cfg, 'llm.max_tokens')}",
            "max_tokens is reserved from the model's window (less room for context) and lets a runaway "
            "answer go on that long (guide 4.2)",
            {"llm.max_tokens": suggested},
        )
    ]


def _embedded_threads(cfg: Config) -> int | None:
    """The embedded server's configured threads (0: one per core), when the config has that key."""
    return cfg.get("llm.embedded.threads") if "llm.embedded.threads" in ALL_KEYS else None


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
    configured = _embedded_threads(facts.cfg)
    if configured is None:
        raise Skip("threads: this config has no llm.embedded.threads")
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


# --- high memory -----------------------------------------------------------------------


def check_context_window(facts: Facts) -> list[Finding]:
    """A model loaded with a context window far beyond what devsynth-tui ever sends."""
    model = _sent_model(facts)
    if model is None or not model.loaded or not model.context_length:
        return []
    cfg = facts.cfg
    sent = cfg.get("memory.max_context_size") + cfg.get("llm.max_tokens") + CONTEXT_MARGIN
    largest = facts.window["largest"]
    if model.context_length < CONTEXT_SLACK * max(sent, largest):
        return []
    wanted = 1 << math.ceil(math.log2(max(sent, largest)))
    change = (
        {"llm.embedded.context_size": wanted}
        if facts.backend == "embedded" and "llm.embedded.context_size" in ALL_KEYS
        else {}
    )
    return [
        Finding(
            "context-window",
            "memory",
            "warning",
            "The model's context window is far larger than what is sent",
            f"{model.id} is loaded with a {model.context_length:,}-token window (server's model list); devsynth-tui "
            f"sends at most {sent:,} (memory.max_context_size + llm.max_tokens + {CONTEXT_MARGIN:,}); the largest "
            f"request was {largest:,} tokens (ledger, {facts.window_text()})",
            "the server allocates its KV cache for the whole window: memory held for tokens never sent",
            change,
            ""
            if change
            else f"In LM Studio, load {model.id} with Context Length {wanted:,} (model settings, then reload)",
        )
    ]


def check_gc(facts: Facts) -> list[Finding]:
    """The app's memory growing request after request."""
    ends = sorted(e for _, e in _request_spans(facts))
    after = [next((s.rss_mb for s in facts.samples if s.t >= end), None) for end in ends]
    rss = [r for r in after if r is not None]
    if len(rss) < LEAK_REQUESTS:
        raise Skip("memory growth: needs the dashboard's samples over at least 5 requests")
    growth = rss[-1] - rss[0]
    rising = sum(b >= a for a, b in itertools.pairwise(rss)) / (len(rss) - 1)
    if growth < LEAK_MB or rising < 0.8:
        return []
    saw = (
        f"devsynth-tui's memory grew {growth:.0f} MB ({rss[0]:.0f} → {rss[-1]:.0f} MB) across {len(rss)} requests "
        f"(resource samples after each request)"
    )
    if not facts.cfg.get("memory.aggressive_gc"):
        return [
            Finding(
                "memory-growth",
                "memory",
                "warning",
                "Memory grows with every request",
                saw,
                "memory.aggressive_gc runs a full collection after large requests (guide 3.1)",
                {"memory.aggressive_gc": True},
            )
        ]
    return [
        Finding(
            "memory-growth",
            "memory",
            "info",
            "Memory grows with every request, garbage collection on",
            saw,
            "growth that survives full collections may be a leak (guide §6: identify memory leaks)",
            step="Report it with `devsynth-tui monitor memory` output attached",
        )
    ]


def cache_bytes(folder: Path) -> int:
    """Bytes of cache entries on disk."""
    try:
        return sum(e.stat().st_size for e in os.scandir(folder) if e.name.endswith(".entry"))
    except OSError:
        return 0


def check_cache(facts: Facts) -> list[Finding]:
    """The response cache over its cap (another process wrote to it, or the cap was lowered)."""
    cap = facts.cfg.get("disk.caching.max_size")
    if not facts.cfg.get("disk.caching.enabled") or facts.cache_dir is None:
        return []
    size = cache_bytes(facts.cache_dir) / MB
    if size <= cap * CACHE_SLACK:
        return []
    return [
        Finding(
            "cache",
            "memory",
            "warning",
            "The response cache is over its cap",
            f"{size:,.1f} MB of entries in {facts.cache_dir}; disk.caching.max_size is {cap:g} MB",
            "the cap is what you allowed the cache on disk; it is trimmed when this process writes",
            step="the next cached answer trims it; doctor --fix trims it now",
            action="trim-cache",
        )
    ]


def apply_actions(finding: Finding, cfg: Config, home: Path) -> str | None:
    """Carry out a finding's action (besides config keys); says what it did."""
    if finding.action == "trim-cache":
        from devsynth_tui.services.resources.disk_cache import DiskCache

        level = cfg.get("disk.compression.level") if cfg.get("disk.compression.enabled") else None
        removed = DiskCache(home / "cache", cfg.get("disk.caching.max_size"), level).evict()
        return f"cache trimmed: {removed} entries removed"
    return None


# --- before and after -------------------------------------------------------------------

MEASURES = {
    "total_tokens": ("tokens", False),
    "prompt_tokens": ("prompt tokens", False),
    "duration": ("time per request", False),
    "tps": ("tokens/s", True),
}


@dataclass
class Outcome:
    """A change's effect: the mean of its measure over the requests before and after it was applied."""

    measure: str
    before: float
    after: float
    requests: int

    def text(self) -> str:
        label, higher_better = MEASURES[self.measure]
        if not self.before:
            return f"{label}: no figure from before the change"
        change = (self.after - self.before) / self.before
        better = change > 0 if higher_better else change < 0
        verb = ("gained" if higher_better else "saved") if better else ("lost" if higher_better else "cost")
        amount = f"{abs(change) * 100:.0f} %" + ("" if better or higher_better else " more")
        return f"{verb} {amount} {label} on the next {self.requests} requests"


def outcome(store: Store, measure: str, applied_at: float, requests: int = 5) -> Outcome | None:
    """The measure's mean over the ``requests`` rows before ``applied_at`` and the first ones after; None until they
    ran."""
    if measure not in MEASURES:
        raise ValueError(f"unknown measure {measure!r}")
    after = store.query(
        f"SELECT AVG(v) a, COUNT(*) n FROM (SELECT {measure} v FROM requests WHERE ts >= ? AND cached = 0"
        f" AND status = 'ok' AND {measure} IS NOT NULL ORDER BY ts LIMIT ?)",
        (applied_at, requests),
    )[0]
    if after["n"] < requests:
        return None
    before = store.query(
        f"SELECT AVG(v) a FROM (SELECT {measure} v FROM requests WHERE ts < ? AND cached = 0"
        f" AND status = 'ok' AND {measure} IS NOT NULL ORDER BY ts DESC LIMIT ?)",
        (applied_at, requests),
    )[0]
    return Outcome(measure, before["a"] or 0.0, after["a"], after["n"])


# --- gathering the facts --------------------------------------------------------------


async def server_models(cfg: Config) -> tuple[list[ModelInfo], str | None]:
    """The configured server's models without starting anything; else the embedded model, as far as the file tells."""
    if _listening(cfg.get("llm.base_url")):  # nothing listening: no HTTP client (and its TLS setup) at all
        from devsynth_tui.services.llm.client import LLMClient, LLMError

        client = LLMClient(cfg.get("llm.base_url"), api_key=cfg.api_key, timeout=3.0, first_byte_timeout=3.0)
        try:
            if await client.probe():
                models = await client.list_models()
                return models, "lmstudio" if client.lmstudio else "openai"
        except LLMError:
            pass
        finally:
            await client.aclose()
    mode = cfg.get("llm.embedded")
    mode = mode.get("mode") if isinstance(mode, dict) else mode
    if mode == "never":
        return [], None
    from devsynth_tui.services.llm.client import ModelInfo
    from devsynth_tui.services.llm.embedded import DEFAULT_CTX, MODEL_NAME, EmbeddedUnavailable, model_path

    try:
        size = model_path().stat().st_size
    except (EmbeddedUnavailable, OSError):
        return [], None
    return [ModelInfo(MODEL_NAME, None, DEFAULT_CTX, size_bytes=size, type="llm")], "embedded"


def _listening(url: str) -> bool:
    """True when something accepts a TCP connection at the URL's host and port."""
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    try:
        with socket.create_connection(
            (parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)), timeout=0.5
        ):
            return True
    except (OSError, ValueError):
        return False
