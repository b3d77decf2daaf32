"""The context view: what one request sends, by component, with tokens and share of the window.

Built from what ``Pipeline.prepare`` returns: the system prompt, the conversation
(turns sent whole, the summary of older ones, what was dropped), each named file
(whole, the line ranges kept, or dropped, and why), each folder (files picked,
cut, not picked, skipped and why) and the question. ``as_json`` is what
``ask --json`` and ``optimize --json`` carry; a screen renders the same data.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field

from devsynth_tui.services.context.folders import FolderListing
from devsynth_tui.services.context.items import NAMED, ContextItem, item_cost, live, sent_tokens
from devsynth_tui.services.context.token_accounting import count_tokens, framing_tokens, known_counts
from devsynth_tui.services.pipeline.messages import CONTEXT_BLOCK_TOKENS, context_block
from devsynth_tui.services.pipeline.request import Prepared
from devsynth_tui.services.wording import things

SUMMARY_TITLE = "Summary of the earlier conversation:\n"
EXAMPLES_TITLE = "Examples:\n\n"
FRAMING_WHY = "the chat format's tokens around each message and before the answer"


@dataclass
class Part:
    """One component of a request."""

    kind: str  # system | examples | history | summary | file | folder | question
    name: str
    tokens: int  # as the pipeline counted it: the model's own count (ContextView.by_model), else cl100k's
    share: float | None  # of the model's context window (None: window unknown)
    status: str  # sent | whole | partial | summarized | dropped
    why: str = ""
    lines: list[list[int]] = field(default_factory=list)  # a file's line ranges kept
    files: dict[str, int] = field(default_factory=dict)  # a folder's files: picked whole, cut, not picked
    skipped: dict[str, int] = field(default_factory=dict)  # a folder's files skipped, by reason


@dataclass
class ContextView:
    """Every component of one request; ``fill`` is the share of the window the request takes (by the model's own
    count when the server has a tokenizer, else by cl100k's, as its parts are counted)."""

    model: str
    window: int | None
    tokens: int  # the whole prompt, as its parts are counted
    tokens_sent: int | None  # as the server will count it (its tokenizer, else cl100k with the margin)
    fill: float | None
    parts: list[Part]
    sent_exact: bool = False  # tokens_sent is the model tokenizer's own count
    by_model: bool = False  # the parts too are counted by the model's tokenizer (else by cl100k)

    def as_json(self) -> dict:
        return asdict(self)


def build_view(prepared: Prepared, window: int | None, listings: list[FolderListing] | None = None) -> ContextView:
    """The view of a prepared request; ``window``: the model's context length (server, else config);
    ``listings``: the folders read for it (their skipped files and caps). Its texts count as the request's did."""
    with known_counts(prepared.counts):
        return _build_view(prepared, window, listings)


def _build_view(prepared: Prepared, window: int | None, listings: list[FolderListing] | None) -> ContextView:
    share = (lambda n: n / window) if window else (lambda n: None)
    messages = prepared.messages
    system_text = str(messages[0]["content"])
    files = live(prepared.items)
    block = context_block(files) if files else ""
    rest, _, summary = system_text.partition("\n\n" + SUMMARY_TITLE)
    rest, _, examples = rest.partition("\n\n" + EXAMPLES_TITLE)
    system = rest.replace("\n\n" + block, "", 1) if block else rest
    parts = [Part("system", "system prompt", count_tokens(system), None, "sent")]
    if examples:
        parts.append(Part("examples", "examples", count_tokens(examples), None, "sent"))
    parts += _history(prepared, summary)
    parts += [_file(item) for item in prepared.items if item.origin == NAMED]
    parts += _folders(prepared.items, listings or [])
    question = str(messages[-1]["content"])
    parts.append(Part("question", "question", count_tokens(question), None, "sent"))
    if files:
        parts.append(Part("framing", "context block headers", CONTEXT_BLOCK_TOKENS, None, "sent"))
    parts.append(Part("framing", "message framing", framing_tokens(len(messages)), None, "sent", FRAMING_WHY))
    for part in parts:
        part.share = share(part.tokens)
    tokens, sent, exact = prepared.tokens_after, prepared.tokens_sent, prepared.sent_exact
    filled = share(sent if exact and sent is not None else tokens)
    model, by_model = str(prepared.payload.get("model", "")), prepared.counts is not None
    return ContextView(model, window, tokens, sent, filled, parts, exact, by_model)


def _history(prepared: Prepared, summary: str) -> list[Part]:
    turns = prepared.messages[1:-1]
    report = next((r for r in prepared.reports if r.stage == "history"), None)
    why = "; ".join(report.notes) if report else ""
    out = []
    if turns:
        tokens = sum(count_tokens(str(m["content"])) for m in turns)
        out.append(Part("history", things(len(turns) // 2, "exchange"), tokens, None, "whole", why))
    if summary:
        out.append(Part("summary", "older exchanges", count_tokens(summary), None, "summarized", why))
    if report and not out:
        out.append(Part("history", "earlier exchanges", 0, None, "dropped", why))
    return out


def _file(item: ContextItem) -> Part:
    status = {"kept": "whole"}.get(item.status, item.status)
    tokens = item_cost(item) if item.status != "dropped" else 0
    lines = [list(r) for r in item.lines_kept] if item.status == "partial" else []
    return Part("file", item.name, tokens, None, status, item.note, lines)


def _folders(items: list[ContextItem], listings: list[FolderListing]) -> list[Part]:
    by_folder: dict[str, list[ContextItem]] = {}
    for item in items:
        if item.origin != NAMED:
            by_folder.setdefault(item.folder, []).append(item)
    known = {listing.root: listing for listing in listings}
    out = []
    for folder in dict.fromkeys([*by_folder, *known]):
        mine = by_folder.get(folder, [])
        counts = Counter({"kept": "picked whole", "partial": "cut"}.get(i.status, "not picked") for i in mine)
        tokens = sent_tokens(mine)
        listing = known.get(folder)
        reasons = Counter(i.note for i in mine if i.status == "dropped")
        why = "; ".join(f"{n} {note}" for note, n in reasons.most_common())
        if listing and listing.capped:
            why = "; ".join(p for p in (why, listing.capped) if p)
        status = "partial" if counts["cut"] or counts["not picked"] else "whole"
        skipped = dict(listing.skipped) if listing else {}
        out.append(Part("folder", folder, tokens, None, status, why, files=dict(counts), skipped=skipped))
    return out


def view_of(prepared: Prepared) -> ContextView:
    """The view of a prepared request with the window and folders it carries."""
    return build_view(prepared, prepared.window, prepared.listings)


def sent_as(part: dict) -> str:
    """Which case applied to one component (of ``as_json()``), in words: whole, the line ranges, a folder's counts."""
    status = part["status"]
    if part["kind"] == "folder":
        files = ", ".join(f"{n} {what}" for what, n in part["files"].items() if n)
        skipped = ", ".join(f"{n} {why}" for why, n in part["skipped"].items())
        return "; ".join(p for p in (files or "no files", f"skipped {skipped}" if skipped else "") if p)
    if status == "partial" and part["lines"]:
        return "lines " + ", ".join(f"{a}-{b}" for a, b in part["lines"])
    return status


def tokens_said(view: dict) -> str:
    """The whole prompt's tokens (of ``ContextView.as_json()``): the model's own count when the server gave one
    (the fill is its share), with cl100k's (the parts') beside it when they were counted so."""
    if view.get("sent_exact") and view.get("tokens_sent") is not None:
        by_cl100k = "" if view.get("by_model") else f" ({view['tokens']:,} by cl100k)"
        return f"{view['tokens_sent']:,} tokens by the model's count{by_cl100k}"
    return f"{view['tokens']:,} tokens"


def view_lines(view: dict) -> list[str]:
    """The context view (``ContextView.as_json()``) as plain lines: one per component, then why when known.

    What ``optimize`` prints and the dashboard's context view shows; names are the caller's to sanitize."""
    window, fill = view["window"], view["fill"]
    of = f" of a {window:,}-token window ({fill:.0%})" if window and fill is not None else " (window unknown)"
    out = [f"{tokens_said(view)}{of} · model {view['model'] or '-'}"]
    for part in view["parts"]:
        share = f"{part['share']:6.1%}" if part["share"] is not None else "     -"
        out.append(f"  {part['name']}  {part['tokens']:,} tokens {share}  {sent_as(part)}")
        if part["why"]:
            out.append(f"      why: {part['why']}")
    return out
