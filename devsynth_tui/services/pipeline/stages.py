"""The stages ``Pipeline.prepare`` runs that need no more than the request and their config section:
prompt optimization, the conversation's history policy, dynamic model selection. Each reports a
``StageReport`` when it acts; context pruning, which calls the model, is the pipeline's own."""

from __future__ import annotations

from typing import TYPE_CHECKING

from devsynth_tui.services.context import prompt_optimization as prompts
from devsynth_tui.services.context.items import StageReport, live
from devsynth_tui.services.context.token_accounting import count_tokens
from devsynth_tui.services.llm.backend import Backend
from devsynth_tui.services.llm.model_routing import classify, route
from devsynth_tui.services.pipeline.request import ChatRequest, Prepared
from devsynth_tui.services.store.conversations import HistoryFit, Summarizer, fit_history

if TYPE_CHECKING:
    from devsynth_tui.config_sections import ContextPruning, PromptOptimization


def prompt_stage(req: ChatRequest, opts: PromptOptimization) -> tuple[str, list[str], str, list[StageReport]]:
    """Template trimming, example reduction and instruction compression, one report each when it acts.

    The user's own question is never rewritten: only the app's instructions
    (the system prompt, a task's template) are trimmed and compressed.
    """
    system, prompt, examples, reports = req.system, req.prompt, list(req.examples), []

    def size() -> int:
        return count_tokens(system) + count_tokens(prompt) + sum(map(count_tokens, examples))

    if opts.template_trimming:
        start = size()
        system = prompts.trim_template(system)
        if req.prompt_is_template:
            prompt = prompts.trim_template(prompt)
        reports.append(StageReport("prompt:template_trimming", start, size(), ["templates trimmed"]))
    if len(examples) > opts.max_examples:
        start = size()
        examples = prompts.select_examples(examples, req.prompt, opts.max_examples)
        note = f"kept {len(examples)} of {len(req.examples)} examples (max_examples {opts.max_examples})"
        reports.append(StageReport("prompt:example_selection", start, size(), [note]))
    if opts.instruction_compression:
        start = size()
        system = prompts.compress_instructions(system)
        prompt = prompts.compress_instructions(prompt) if req.prompt_is_template else prompt
        reports.append(
            StageReport("prompt:instruction_compression", start, size(), [f"instructions: {start} -> {size()} tokens"])
        )
    return system, examples, prompt, reports


async def history_stage(
    req: ChatRequest, room: int, settings: ContextPruning, summarizer: Summarizer | None
) -> HistoryFit:
    """The conversation's own policy (newest whole, older summarized or dropped), in what the context left."""
    strategies = [settings.strategy] if isinstance(settings.strategy, str) else settings.strategy
    max_age = settings.max_age if "recency" in strategies else None
    return await fit_history(req.history, max(0, room), summarizer if "summarization" in strategies else None, max_age)


async def model_stage(req: ChatRequest, prepared: Prepared, active: str, dms: dict, backend: Backend) -> None:
    """Dynamic model selection (``dms``: llm.dynamic_model_selection): the model for the request's complexity,
    unless the request names its own."""
    if not dms["enabled"] or req.params.get("model"):
        return
    types = [i.type for i in live(prepared.items)]
    complexity, reason = classify(prepared.tokens_after, types, req.operation, dms)
    available = [m.id for m in await backend.models()]
    chosen = route(complexity, reason, dms, available, active)
    prepared.payload["model"], prepared.complexity, prepared.model_reason = chosen.model, complexity, chosen.reason
    prepared.reports.append(
        StageReport(
            "model", prepared.tokens_after, prepared.tokens_after, [f"{complexity}: {chosen.model} ({chosen.reason})"]
        )
    )
