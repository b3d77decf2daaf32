"""The one ledger row of every model call: its tokens (the server's count, else estimated), what the
stages saved, its cost, timings and status, and the tokens before and after each stage."""

from __future__ import annotations

import contextlib
import time

from devsynth_tui.services.context.token_accounting import count_tokens, estimate_cost
from devsynth_tui.services.errors import ServiceError
from devsynth_tui.services.llm.results import ChatResult
from devsynth_tui.services.pipeline.request import ChatRequest, Prepared
from devsynth_tui.services.store.ledger import Ledger, LedgerRow, RequestStatus, stage_rows


def ledger_row(
    req: ChatRequest,
    prep: Prepared | None,
    text: str,
    result: ChatResult | None,
    status: RequestStatus,
    error: str | None,
    started: float,
    thinking: str,
    backend: str,
    session: str | None,
    pricing: dict,
) -> LedgerRow:
    """The row of one call: ``prep`` None when nothing was sent, ``started`` its ``time.perf_counter()``,
    ``backend`` the backend's kind, ``session`` the front end's tag, ``pricing`` the config's section."""
    usage = (result.usage if result else None) or {}
    est_prompt = prep.tokens_after if prep else count_tokens(req.prompt)
    answered = bool(text or thinking)  # the server read the prompt; else it was never sent, or refused
    # no usage (a cancel): the model's own count when it was asked before sending (ctrl+k's), else cl100k's
    prompt = usage.get("prompt_tokens", (prep.prompt_tokens if prep else est_prompt) if answered else 0)
    reasoning = result.reasoning_tokens if result and result.reasoning_tokens is not None else count_tokens(thinking)
    completion = usage["completion_tokens"] if "completion_tokens" in usage else count_tokens(text) + reasoning
    saved = max(0, prep.tokens_before - prep.tokens_after) if prep and prompt else 0  # of a prompt counted sent
    return LedgerRow(
        operation=req.operation,
        model=(result.model if result and result.model else None) or (prep.payload["model"] if prep else None),
        backend=backend,
        prompt_tokens=prompt,
        completion_tokens=completion,
        reasoning_tokens=reasoning,
        est_prompt_tokens=est_prompt,
        tokens_before=prep.tokens_before if prep else None,
        tokens_saved=saved,
        cost=estimate_cost(prompt, completion, pricing),
        ttft=result.ttft if result else None,
        ttft_answer=result.ttft_answer if result else None,
        tps=result.tps if result else None,
        duration=time.perf_counter() - started,
        status=status,
        error=error,
        usage_source="server" if usage else "estimate",
        session=session,
    )


async def record_row(ledger: Ledger, row: LedgerRow, prep: Prepared | None = None) -> None:
    """One ledger row and the tokens before and after each optimization stage, on the store's writer thread."""
    request_id = await ledger.arecord(row)  # the store's writer thread: in order, never waiting on the loop
    if prep and (row.prompt_tokens or row.tokens_saved):  # a prompt not counted as sent saved nothing, stage by stage
        # the row itself is stored; a stage breakdown lost to a held lock is not worth failing the answer
        with contextlib.suppress(ServiceError):
            await ledger.arecord_stages(request_id, stage_rows(prep.reports))


def merge_results(results: list[ChatResult]) -> ChatResult | None:
    """One result whose usage adds up the parts (chunked generation)."""
    if not results:
        return None
    merged = ChatResult(text="".join(r.text for r in results), model=results[0].model, t_start=results[0].t_start)
    usages = [r.usage for r in results if r.usage]
    if len(usages) == len(results):
        merged.usage = {
            k: sum(u.get(k, 0) for u in usages) for k in ("prompt_tokens", "completion_tokens", "total_tokens")
        }
    merged.t_first, merged.t_end = results[0].t_end, results[-1].t_end
    return merged
