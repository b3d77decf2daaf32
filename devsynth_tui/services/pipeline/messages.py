"""The messages sent: one system message (instructions, context, examples, summary), the turns, the question;
and the token counts of their parts (cl100k, plus the chat template's framing)."""

from __future__ import annotations

from devsynth_tui.services.context.items import ContextItem, live, sent_tokens
from devsynth_tui.services.context.token_accounting import count_tokens
from devsynth_tui.services.store.conversations import HistoryFit, Message, as_messages, turn_pairs

CL100K_MARGIN = 1.35  # model tokens per cl100k token, worst file of the corpus with SmolLM2 (1.14 over all of it)
FRAMING_TOKENS = 5  # chat-template tokens around each message (ChatML: <|im_start|>role\n ... <|im_end|>\n)
REPLY_TOKENS = 3  # the template's opening of the answer (<|im_start|>assistant\n)
CONTEXT_BLOCK_TOKENS = 8  # the context block's own title and separators


def context_block(items: list[ContextItem]) -> str:
    """Context items as one block, each under a header naming it."""
    parts = []
    for item in items:
        label = f"{item.name} ({item.type}{', ' + item.status if item.status != 'kept' else ''})"
        parts.append(f"### {label}\n{item.text.rstrip()}")
    return "Context:\n\n" + "\n\n".join(parts)


def build_messages(
    system: str, items: list[ContextItem], examples: list[str], history: HistoryFit | None, prompt: str
) -> list[dict]:
    """One system message (instructions, context, examples, earlier-conversation summary), the turns, the question.

    Strict chat templates (Gemma, Mistral) take at most one system message and
    roles that alternate, so nothing else is ever sent.
    """
    parts = [system]
    files = live(items)
    if files:
        parts.append(context_block(files))
    if examples:
        parts.append("Examples:\n\n" + "\n\n".join(examples))
    if history and history.summary:
        parts.append("Summary of the earlier conversation:\n" + history.summary)
    messages = [{"role": "system", "content": "\n\n".join(p for p in parts if p)}]
    messages.extend(history.messages if history else [])
    messages.append({"role": "user", "content": prompt})
    return messages


def context_tokens(items: list[ContextItem]) -> int:
    """cl100k tokens the items add to the system message: the context block, headers included."""
    return sent_tokens(items) + (CONTEXT_BLOCK_TOKENS if live(items) else 0)


def history_tokens(history: HistoryFit) -> int:
    """cl100k tokens of the turns sent and the earlier conversation's summary."""
    return sum(count_tokens(str(m["content"])) for m in history.messages) + count_tokens(history.summary or "")


def whole_history(history: list[Message]) -> HistoryFit:
    """Every stored turn, none summarized or dropped: what the request would send with no optimization."""
    pairs, _ = turn_pairs(history)
    return HistoryFit([m for p in pairs for m in as_messages(p)], "", None)
