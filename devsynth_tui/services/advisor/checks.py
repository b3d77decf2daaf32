"""The advisor's checklist (guide §6, troubleshooting): every check, by area, run on the facts into advice.

Each check reads what devsynth-tui already holds (the ledger, the resource
sampler's history, stored benchmark runs, the server's models, the cache
folder, the machine) and returns findings: what it saw and where that figure
came from, why it matters, and the exact change (config keys and values, or the
step in LM Studio when the setting lives there). A healthy setup gives none.
Ledger figures are SQL aggregates, never Python loops over rows.

The checks live by area (``tokens``, ``speed``, ``memory``); the findings' types in ``findings``, the facts in
``facts``, applied advice in ``outcomes``. This module also names them all, as it did before they were split
(``from devsynth_tui.services.advisor import checks as advisor``).
"""

from __future__ import annotations

from collections.abc import Callable

from devsynth_tui.services.advisor.facts import MB, Facts, Machine, default_since, gather_facts, server_models
from devsynth_tui.services.advisor.findings import AREAS, SEVERITIES, Advice, Finding, Skip, pct
from devsynth_tui.services.advisor.memory import (
    cache_bytes,
    check_cache,
    check_context_window,
    check_gc,
    check_model_ram,
)
from devsynth_tui.services.advisor.outcomes import MEASURES, Outcome, apply_actions, outcome
from devsynth_tui.services.advisor.speed import (
    busiest_processes,
    check_cpu,
    check_max_tokens,
    check_memory_pressure,
    check_swap,
    check_temperature,
    check_threads,
)
from devsynth_tui.services.advisor.tokens import (
    check_chunking,
    check_model_choice,
    check_prompt_optimization,
    check_pruning,
    usage,
)

__all__ = [
    "AREAS",
    "CHECKS",
    "MB",
    "MEASURES",
    "SEVERITIES",
    "Advice",
    "Facts",
    "Finding",
    "Machine",
    "Outcome",
    "Skip",
    "advise",
    "apply_actions",
    "busiest_processes",
    "cache_bytes",
    "default_since",
    "gather_facts",
    "outcome",
    "pct",
    "server_models",
    "usage",
]

CHECKS: list[Callable[[Facts], list[Finding]]] = [
    check_pruning,
    check_prompt_optimization,
    check_chunking,
    check_model_choice,
    check_cpu,
    check_memory_pressure,
    check_swap,
    check_model_ram,
    check_temperature,
    check_max_tokens,
    check_threads,
    check_context_window,
    check_gc,
    check_cache,
]


def advise(facts: Facts) -> Advice:
    """Run every check; findings worst first."""
    findings, skipped = [], []
    for check in CHECKS:
        try:
            findings += check(facts)
        except Skip as e:
            skipped.append(str(e))
    findings.sort(key=lambda f: (-f.rank, AREAS.index(f.area)))
    return Advice(findings, skipped, usage(facts), facts.window_text(), facts.window["n"])
