"""The advisor's checklist (guide §6, troubleshooting): every check run on the facts into advice.

The checks themselves, the findings and the facts are in ``speed`` for now (being split by area); this
module names them all, as before (``from devsynth_tui.services.advisor import checks as advisor``).
"""

from __future__ import annotations

from collections.abc import Callable

from devsynth_tui.services.advisor.speed import (
    AREAS,
    MB,
    MEASURES,
    SEVERITIES,
    Advice,
    Facts,
    Finding,
    Machine,
    Outcome,
    Skip,
    _pct,
    apply_actions,
    busiest_processes,
    cache_bytes,
    check_cache,
    check_chunking,
    check_context_window,
    check_cpu,
    check_gc,
    check_max_tokens,
    check_memory_pressure,
    check_model_choice,
    check_model_ram,
    check_prompt_optimization,
    check_pruning,
    check_swap,
    check_temperature,
    check_threads,
    default_since,
    outcome,
    server_models,
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
    "_pct",
    "advise",
    "apply_actions",
    "busiest_processes",
    "cache_bytes",
    "default_since",
    "outcome",
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
    return Advice(findings, skipped, usage(facts), facts.window_text())
