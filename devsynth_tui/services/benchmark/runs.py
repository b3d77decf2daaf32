"""Stored benchmark runs: what a run holds, saving, loading and listing them, and comparing two."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

from devsynth_tui.services.benchmark.metrics import METRICS, BenchmarkError
from devsynth_tui.services.store.database import Store

SCHEMA = 2  # 2: vLLM's metric definitions, server figures as summaries, SLO, sweep tok/s
GUIDE_STAGES = (
    "Command initialization",
    "Context loading",
    "Prompt construction",
    "LLM query (small)",
    "LLM query (medium)",
    "File operations",
    "Memory usage (peak)",
)


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
