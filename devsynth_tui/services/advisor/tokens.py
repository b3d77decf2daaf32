"""Checks for high token usage (guide §6): pruning, prompt optimization, chunked generation, the model for simple
requests; and where the window's tokens went (``usage``)."""

from __future__ import annotations

import math

from devsynth_tui.services.advisor.facts import LARGE_INPUT, MIN_REQUESTS, Facts
from devsynth_tui.services.advisor.findings import Finding, Skip, origin_text, pct

LOW_SAVED_SHARE = 0.10
OVERSIZED_REQUESTS = 3
SIMPLE_SHARE = 0.5
BIG_MODEL_BYTES = 4 * 10**9  # about a 7B model at 4 bits
GUIDE_MAX_EXAMPLES = 2


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


def check_pruning(facts: Facts) -> list[Finding]:
    """Large inputs sent with little saved: pruning off or ineffective."""
    w = facts.window
    r = {"n": w["large_n"], "b": w["large_before"], "s": w["large_saved"]}
    if r["n"] < MIN_REQUESTS:
        raise Skip(f"pruning: inputs of {LARGE_INPUT:,}+ tokens in the window: {r['n']} of the {MIN_REQUESTS} needed")
    if r["s"] >= LOW_SAVED_SHARE * r["b"]:
        return []
    pruning = facts.cfg.tokens.context_pruning
    strategies = [pruning.strategy] if isinstance(pruning.strategy, str) else list(pruning.strategy)
    change: dict[str, object]
    if "relevance" not in strategies:
        change = {"tokens.context_pruning.strategy": ["relevance", *strategies]}
        how = "relevance pruning keeps what the question is about and drops the rest"
    else:
        change = {"tokens.context_pruning.threshold": round(min(0.9, pruning.threshold + 0.1), 2)}
        how = "a higher relevance threshold keeps fewer chunks"
    return [
        Finding(
            "pruning",
            "tokens",
            "warning",
            "Context pruning saves little on large inputs",
            f"{r['n']:,} requests with at least {LARGE_INPUT:,} tokens of input saved {pct(r['s'], r['b'])} "
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
    parts = [f"{row['stage']} {pct(row['saved'], row['b'])}" for row in rows if row["b"]]
    return f"; saved by stage: {', '.join(parts)}" if parts else ""


def check_prompt_optimization(facts: Facts) -> list[Finding]:
    """Template trimming or instruction compression off, or more examples than the guide's 2."""
    n = facts.window["n"]
    cfg = facts.cfg
    prompts = cfg.tokens.prompt_optimization
    change: dict[str, object] = {}
    if not prompts.template_trimming:
        change["tokens.prompt_optimization.template_trimming"] = True
    if not prompts.instruction_compression:
        change["tokens.prompt_optimization.instruction_compression"] = True
    if prompts.max_examples > GUIDE_MAX_EXAMPLES:
        change["tokens.prompt_optimization.max_examples"] = GUIDE_MAX_EXAMPLES
    if not n or not change:
        return []
    return [
        Finding(
            "prompt-optimization",
            "tokens",
            "info",
            "Prompt optimization is partly off",
            "; ".join(origin_text(cfg, key) for key in change) + f"; {n:,} requests {facts.window_text()} (ledger)",
            "trimmed templates, compressed instructions and at most two examples cut tokens from every request "
            "without touching your question (guide 2.3)",
            change,
            measure="prompt_tokens",
        )
    ]


def check_chunking(facts: Facts) -> list[Finding]:
    """Inputs larger than the context budget, cut by pruning, that chunked generation would split."""
    cfg = facts.cfg
    if cfg.tokens.prompt_optimization.chunked_generation:
        return []
    budget = cfg.memory.max_context_size
    r = {"n": facts.window["over_n"], "m": facts.window["over_max"]}
    if r["n"] < OVERSIZED_REQUESTS:
        return []
    size = cfg.tokens.prompt_optimization.chunk_size
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
    dms = facts.cfg.llm.dynamic_model_selection
    sizes = {m.id: m.size_bytes for m in facts.models if m.size_bytes and not m.is_embedding}
    if dms.enabled or not sizes:
        return []
    rows = facts.all(
        "SELECT model, COUNT(*) n, SUM(COALESCE(est_prompt_tokens, prompt_tokens) <= :simple) simple"
        " FROM requests WHERE ts >= :since AND cached = 0 GROUP BY model",
        simple=dms.simple_max_tokens,
    )
    out = []
    for r in rows:
        size = sizes.get(r["model"])
        if not size or size < BIG_MODEL_BYTES or r["n"] < MIN_REQUESTS or r["simple"] < SIMPLE_SHARE * r["n"]:
            continue
        smaller = sorted((s, m) for m, s in sizes.items() if s <= size / 2)
        saw = (
            f"{r['simple']:,} of {r['n']:,} requests to {r['model']} ({size / 1e9:.1f} GB, server's model list) "
            f"had at most {dms.simple_max_tokens:,} tokens of prompt (ledger, {facts.window_text()})"
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
