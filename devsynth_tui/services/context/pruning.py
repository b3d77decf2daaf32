"""Context pruning (guide 2.2): relevance, recency, priority and summarization strategies.

``tokens.context_pruning.strategy`` names one strategy or a list applied in
order; afterwards the budget (``memory.max_context_size``, and never more than
the model's context minus ``max_tokens``) is always enforced by priority.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import re
import time
from asyncio import to_thread
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from devsynth_tui.atomic import atomic_write
from devsynth_tui.services.context.chunking import Chunk, chunk_text
from devsynth_tui.services.context.items import (
    NAMED,
    ContextItem,
    StageReport,
    header_tokens,
    item_cost,
    live,
    sent_tokens,
)
from devsynth_tui.services.context.relevance import STOPWORDS, Scorer, blend, cosine, propagate
from devsynth_tui.services.context.token_accounting import count_joined, count_tokens, truncate_tokens
from devsynth_tui.services.errors import ServiceError

LEVEL_ORDER = {"low": 0, "medium": 1, "high": 2}
EMBED_CANDIDATES = 16  # chunks re-ranked with embeddings (the rest keep their lexical score)
SUMMARY_RATIO = 3  # a summary is at most a third of what it replaces, or it does not pay
MIN_SUMMARY_TOKENS = 16
MARKER_TOKENS = 12  # "... (lines 120-245 omitted)" and its line break

Embedder = Callable[[list[str]], Awaitable[list[list[float]]]]
Summarizer = Callable[[ContextItem, int], Awaitable[str]]


@dataclass
class PruneContext:
    """What the strategies need besides the items."""

    query: str
    budget: int
    settings: dict  # tokens.context_pruning
    embedder: Embedder | None = None
    summarizer: Summarizer | None = None
    gate: asyncio.Semaphore | None = None  # the pipeline's worker limit (cpu.parallel_processing)
    now: float = 0.0


async def prune(items: list[ContextItem], ctx: PruneContext) -> list[StageReport]:
    """Apply the configured strategies in order, then the budget; items are updated in place."""
    strategies = ctx.settings["strategy"]
    names = [strategies] if isinstance(strategies, str) else list(strategies)
    reports = []
    for name in names:
        before = sent_tokens(items)
        notes = await STRATEGIES[name](items, ctx)
        reports.append(StageReport(f"context:{name}", before, sent_tokens(items), notes))
    before = sent_tokens(items)
    notes = enforce_budget(items, ctx)
    if notes:
        reports.append(StageReport("context:budget", before, sent_tokens(items), notes))
    for item in live(items):
        item.note = item.note or f"whole: {sent_tokens(items):,} tokens fit the budget of {ctx.budget:,}"
    return reports


# --- relevance ---------------------------------------------------------------------


async def relevance(items: list[ContextItem], ctx: PruneContext) -> list[str]:
    """Files the user named are sent whole while they fit the budget, whatever the
    question's wording (DESIGN rule 13); when they do not fit, their worst-scoring chunks
    are cut first, never those defining what the question names. Folder items fill what
    is left: the chunks at or above ``threshold`` and what they need, then the best down
    to the adaptive cutoff. Chunking, scoring and selection run in a worker thread: the
    event loop (the dashboard's keys) never waits for them."""
    named = [i for i in live(items) if i.origin == NAMED]
    if _fits_whole(named, ctx.budget) and len(named) == len(live(items)):
        return _keep_whole(named, ctx.budget)
    chunks, is_test, scorer, scores = await to_thread(_lexical, items, ctx.query)
    if not chunks:
        return []
    method = "BM25 with symbol matching" + ("" if ctx.embedder else " (no embedding model in use)")
    if ctx.embedder:
        try:
            scores = propagate(await _with_embeddings(ctx.embedder, ctx.query, chunks, scores), scorer.groups)
            method = "BM25 with symbol matching + embeddings"
        except ServiceError as e:  # the lexical scores stand; say why
            method += f" (embeddings unavailable: {str(e).splitlines()[0][:120]})"
    asked = scorer.named(ctx.query)
    return await to_thread(_keep_relevant, items, ctx, chunks, is_test, scores, asked, method)


_SCORERS: OrderedDict[tuple, tuple[list[Chunk], list[bool], Scorer]] = OrderedDict()
SCORERS_KEPT = 4  # the chunks and BM25 statistics of the last few sets of files read through the folder cache


def _lexical(items: list[ContextItem], query: str) -> tuple[list[Chunk], list[bool], Scorer, list[float]]:
    """The live items' chunks, which of them are tests, their scorer and their lexical scores for ``query``.

    Items read through the folder cache (``parsed``) are not chunked again, and the same
    set of them asked a second question reuses its BM25 statistics."""
    alive = [(n, item) for n, item in enumerate(items) if item.status != "dropped"]
    key = tuple((n, item.type, item.parsed) for n, item in alive)
    known = all(item.parsed is not None and item.parsed.text is item.text for _, item in alive)
    if known and key in _SCORERS:
        _SCORERS.move_to_end(key)
        chunks, is_test, scorer = _SCORERS[key]
    else:
        chunks = [
            c
            for n, item in alive
            for c in chunk_text(item.text, item.name, n, item.parsed.spans if known and item.parsed else None)
        ]
        is_test = [items[c.item].type == "tests" for c in chunks]
        scorer = Scorer(chunks, is_test)
        if known:
            _SCORERS[key] = (chunks, is_test, scorer)
            while len(_SCORERS) > SCORERS_KEPT:
                _SCORERS.popitem(last=False)
    return chunks, is_test, scorer, scorer.scores(query) if chunks else []


def _keep_relevant(items, ctx: PruneContext, chunks, is_test, scores, asked: set[int], method) -> list[str]:
    """Named files whole if they fit (then folder items picked in what is left), else cut worst-first."""
    for chunk, score in zip(chunks, scores):
        chunk.score = score
    named = [n for n, i in enumerate(items) if i.status != "dropped" and i.origin == NAMED]
    found = [n for n, i in enumerate(items) if i.status != "dropped" and i.origin != NAMED]  # in index order
    if _fits_whole([items[n] for n in named], ctx.budget):
        notes = _keep_whole([items[n] for n in named], ctx.budget)
        room = ctx.budget - sum(item_cost(items[n]) for n in named)
        return notes + _pick(items, found, chunks, is_test, ctx, room, method)
    for n in found:
        _drop(items[n], "not picked: the named files alone are over the budget")
    notes = [f"{len(found)} folder items not picked: the named files alone are over the budget"] if found else []
    return notes + _cut_named(items, named, chunks, is_test, asked, ctx.budget)


def _keep_whole(named: list[ContextItem], budget: int) -> list[str]:
    used = sum(item_cost(i) for i in named)
    for item in named:
        item.note = f"whole: the named files fit the budget ({used:,} of {budget:,} tokens)"
    return [f"kept the {len(named)} named files whole ({used:,} tokens fit the budget of {budget:,})"] if named else []


def _pick(items, found: list[int], chunks, is_test, ctx: PruneContext, room: int, method: str) -> list[str]:
    """Folder items: whole when the question singles out none of them and they fit, else chunks by relevance."""
    if not found:
        return []
    wanted = set(found)
    mine = [(c, t) for c, t in zip(chunks, is_test) if c.item in wanted]
    if not mine or (max(c.score for c, _ in mine) <= 0 and _fits_whole([items[n] for n in found], room)):
        for n in found:
            items[n].note = "picked whole: the question singles out none of the folder's files, and they fit"
        return [f"picked the {len(found)} folder items whole (the question singles out none of them; they fit)"]
    sub, sub_test = [c for c, _ in mine], [t for _, t in mine]
    settings = ctx.settings
    threshold, floor = settings["threshold"], settings.get("fill_floor", 0.0)
    cutoff = adaptive_cutoff([c.score for c in sub], threshold, floor)
    ranked = sorted(sub, key=lambda c: -c.score)
    core = [c for c in ranked if c.score >= threshold] or ranked[:1]
    kept, rendered, pulled = _select(items, sub, sub_test, core, cutoff, room)
    notes = [
        f"scored {len(sub)} chunks of {len(found)} folder items by {method}; kept {len(kept)}: at or above "
        f"{threshold:g}, {pulled} needed by those, the rest down to the cutoff {cutoff:.2f}"
    ]
    return notes + _apply(items, found, rendered, "not picked: below the relevance cutoff", "picked {} by relevance")


def _cut_named(items, named: list[int], chunks, is_test, asked: set[int], budget: int) -> list[str]:
    """Named files over the budget: keep what the question names and what it needs, then
    every other chunk best first while it fits (the worst-scoring are the ones cut)."""
    wanted = set(named)
    sub = [(n, c, t) for n, (c, t) in enumerate(zip(chunks, is_test)) if c.item in wanted]
    ranked = sorted((c for _, c, _ in sub), key=lambda c: -c.score)
    core = [c for n, c, _ in sub if n in asked] or ranked[:1]
    need = sum(item_cost(items[n]) for n in named)
    _, rendered, _ = _select(items, [c for _, c, _ in sub], [t for _, _, t in sub], core, -1.0, budget)
    why = f"the named files need {need:,} tokens, the budget is {budget:,}"
    notes = [f"named files cut to fit: {why}; the worst-scoring parts left out"]
    kept_note = "cut to fit (" + why + "): kept {}, the worst-scoring parts left out"
    return notes + _apply(items, named, rendered, f"dropped: {why}, and its parts score lowest", kept_note)


def adaptive_cutoff(scores: list[float], threshold: float, floor: float) -> float:
    """Where filling below ``threshold`` stops: the knee of the descending score curve
    (the point farthest below the line from its first to its last point: the first one
    past the steepest bend), never under ``floor`` (a share of the best score) nor over
    ``threshold``. A curve without a bend is kept down to its end."""
    curve = sorted((s for s in scores if floor <= s < threshold), reverse=True)
    if len(curve) < 3:
        return max(floor, curve[-1]) if curve else threshold
    first, last, n = curve[0], curve[-1], len(curve) - 1
    drop = [(first + (last - first) * k / n) - v for k, v in enumerate(curve)]
    knee = max(range(len(curve)), key=drop.__getitem__)
    return max(floor, curve[knee] if drop[knee] > 1e-9 else last)


def _fits_whole(items: list[ContextItem], budget: int) -> bool:
    return sent_tokens(items) <= budget


def _select(items, chunks: list[Chunk], is_test: list[bool], core: list[Chunk], cutoff: float, budget: int):
    """Chunks best first: the ``core`` ones, then what they need (class header, same-file
    helpers, tests naming them), then the rest down to ``cutoff``; each one only while
    the items as rendered (headers and omission markers included) fit."""
    ranked = sorted(chunks, key=lambda c: -c.score)
    kept: list[Chunk] = []
    per_item: dict[int, list[Chunk]] = {}
    spent: dict[int, tuple[int, int]] = {}  # per item: its chunks' tokens, and its estimate as rendered
    cost = {"used": 0}

    def take(chunk: Chunk) -> bool:
        mine = per_item.setdefault(chunk.item, [])
        if any(c is chunk for c in mine):
            return False
        text, before = spent.get(chunk.item, (0, 0))
        room = budget - cost["used"] + before
        overhead = _overhead(items[chunk.item], [*mine, chunk])
        if text + chunk.min_tokens + overhead > room:
            return False  # even its fewest possible tokens do not fit: not worth encoding it to know
        after = text + chunk.tokens + overhead
        if after > room:
            return False
        mine.append(chunk)
        kept.append(chunk)
        spent[chunk.item] = (text + chunk.tokens, after)
        cost["used"] += after - before
        return True

    for chunk in core:
        take(chunk)
    code: dict[int, list[Chunk]] = {}
    for chunk, test in zip(chunks, is_test):
        if not test:
            code.setdefault(chunk.item, []).append(chunk)
    tests = [c for c, test in zip(chunks, is_test) if test]
    pulled = sum(take(d) for chunk in list(kept) for d in needs(chunk, code.get(chunk.item, []), tests))
    for chunk in ranked:
        if chunk.score < cutoff:
            break
        take(chunk)
    while True:
        rendered = _render_all(items, kept)
        if not kept or sum(n + header_tokens(items[i]) for i, (_, _, n) in rendered.items()) <= budget:
            return kept, rendered, pulled
        kept.pop()  # the estimate was short: give up the last chunk taken


def _overhead(item: ContextItem, mine: list[Chunk]) -> int:
    """What an item rendered with these chunks costs besides their text: line breaks, omission markers, header."""
    return len(mine) + MARKER_TOKENS * (len(_ranges(mine)) + 1) + header_tokens(item)


_IDENTIFIER = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")
_CALL = re.compile(r"(?<![\w.])(self\.|cls\.)?([A-Za-z_]\w*)\s*\(")


def needs(chunk: Chunk, code: list[Chunk], tests: list[Chunk]) -> list[Chunk]:
    """What a definition needs to be understood: its class header, the helpers it calls
    that the same file defines (smallest first), and the tests that name it or them.
    ``code``: the chunks of its item that are not tests; ``tests``: the test chunks."""
    same = [c for c in code if c is not chunk]
    classes = {s.split(".")[0] for s in chunk.symbols if "." in s}
    out = [c for c in same if c.symbols & classes and c.start < chunk.start][:1]
    called = set()
    for prefix, name in _CALL.findall(chunk.text):
        called |= {f"{cls}.{name}" for cls in classes} if prefix else {name}
    helpers = sorted((c for c in same if c.symbols & called), key=lambda c: c.tokens)
    names = {s.rsplit(".", 1)[-1] for c in (chunk, *helpers) for s in c.symbols if not s.startswith("__")}
    if names:
        named = re.compile(r"\b(?:{})\b".format("|".join(map(re.escape, sorted(names)))))
        naming = [c for c in tests if named.search(c.text)]
    else:
        naming = []
    return out + helpers + naming


async def _with_embeddings(embedder: Embedder, query: str, chunks: list[Chunk], lexical: list[float]) -> list[float]:
    order = sorted(range(len(chunks)), key=lambda i: -lexical[i])[:EMBED_CANDIDATES]
    vectors = await embedder([query] + [chunks[i].text for i in order])
    query_vector, rest = vectors[0], vectors[1:]
    mixed = blend([lexical[i] for i in order], [cosine(query_vector, v) for v in rest])
    scores = list(lexical)
    for i, score in zip(order, mixed):
        scores[i] = score
    return scores


def _ranges(chunks: list[Chunk]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for c in sorted(chunks, key=lambda c: c.start):
        if out and c.start <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], c.end))
        else:
            out.append((c.start, c.end))
    return out


def _render(text: str, chunks: list[Chunk]) -> tuple[str, list[tuple[int, int]], int]:
    """An item's text cut down to its kept chunks, gaps marked; the line ranges kept; its tokens,
    counted from the chunks' own counts (``count_joined``) where a range is just its chunks joined."""
    lines = text.splitlines()
    ranges = _ranges(chunks)
    if ranges == [(1, len(lines))]:
        return text, ranges, count_tokens(text)
    ordered = sorted(chunks, key=lambda c: c.start)
    parts: list[tuple[str, int | None]] = []
    for n, (s, e) in enumerate(ranges):
        gap_start = ranges[n - 1][1] + 1 if n else 1
        if s > gap_start:
            parts.append((f"... (lines {gap_start}-{s - 1} omitted)", None))
        kept = "\n".join(lines[s - 1 : e])
        mine = [c for c in ordered if s <= c.start <= e]
        if kept == "\n".join(c.text for c in mine):
            parts.extend((c.text, c.tokens) for c in mine)
        else:  # a chunk that left out blank lines between its paragraphs
            parts.append((kept, None))
    if ranges[-1][1] < len(lines):
        parts.append((f"... (lines {ranges[-1][1] + 1}-{len(lines)} omitted)", None))
    return "\n".join(t for t, _ in parts), ranges, count_joined(parts)


def _render_all(items: list[ContextItem], kept: list[Chunk]) -> dict[int, tuple[str, list, int]]:
    return {
        i: _render(item.text, mine)
        for i, item in enumerate(items)
        if item.status != "dropped" and (mine := [c for c in kept if c.item == i])
    }


def _apply(items: list[ContextItem], indices: list[int], rendered: dict, dropped: str, kept: str) -> list[str]:
    """Rewrite each of these items from its rendering (text, line ranges, tokens), or drop it;
    each item's ``note`` says which and why (``kept`` formats the lines kept)."""
    notes = []
    for i in indices:
        item = items[i]
        if i not in rendered:
            _drop(item, dropped)
            notes.append(f"{item.name}: {item.note}")
            continue
        text, ranges, tokens = rendered[i]
        lines = "lines " + ", ".join(f"{s}-{e}" for s, e in ranges)
        item.note = kept.format(lines if text is not item.text else "every line")
        if text is not item.text:
            item.text, item.status, item.lines_kept, item.tokens = text, "partial", ranges, tokens
            notes.append(f"{item.name}: kept {lines}")
    return notes


def _drop(item: ContextItem, why: str) -> None:
    item.status, item.note, item.lines_kept, item.tokens = "dropped", why, [], 0


# --- recency -------------------------------------------------------------------------


async def recency(items: list[ContextItem], ctx: PruneContext) -> list[str]:
    """Drop items that entered the context more than ``max_age`` seconds ago (conversation turns: see conversations)."""
    max_age, now = ctx.settings["max_age"], ctx.now or time.time()
    notes = []
    for item in live(items):
        if item.timestamp and now - item.timestamp > max_age:
            _drop(item, f"older than max_age {max_age} s")
            notes.append(f"{item.name}: dropped ({item.note})")
    return notes


# --- priority -------------------------------------------------------------------------


def _level(item: ContextItem, priorities: dict) -> str:
    return priorities.get(item.type, "medium")


async def priority(items: list[ContextItem], ctx: PruneContext) -> list[str]:
    """When over budget, drop low before medium before high; largest first within a class."""
    return _drop_by_priority(items, ctx, "over budget, lowest priority")


def _drop_by_priority(items: list[ContextItem], ctx: PruneContext, why: str) -> list[str]:
    priorities = ctx.settings["priorities"]
    order = sorted(live(items), key=lambda i: (LEVEL_ORDER[_level(i, priorities)], -i.tokens))
    notes = []
    for item in order:
        if sent_tokens(items) <= ctx.budget:
            break
        level = _level(item, priorities)
        _drop(item, f"{why} ({item.type}: {level})")
        notes.append(f"{item.name}: dropped ({item.note})")
    return notes


def enforce_budget(items: list[ContextItem], ctx: PruneContext) -> list[str]:
    """The budget always holds, whatever the strategies did: drop by priority until it fits."""
    return _drop_by_priority(items, ctx, "still over the budget")


# --- summarization ---------------------------------------------------------------------


async def summarization(items: list[ContextItem], ctx: PruneContext) -> list[str]:
    """When the items do not fit the budget, replace each one over ``max_tokens`` by a
    model-written summary that pays: at most a third of the item (and ``max_tokens``),
    ending with the lines that define or use each identifier the question names, so none
    of them is lost."""
    limit = ctx.settings["max_tokens"]
    if _fits_whole(items, ctx.budget):
        return []  # what fits is sent as it is: a summary would only lose what the user named
    large = [i for i in live(items) if i.tokens > limit]
    if not large:
        return []
    summarizer = ctx.summarizer
    if summarizer is None:
        return [f"{len(large)} items over {limit} tokens left whole: no model to summarize with"]
    gate = ctx.gate or asyncio.Semaphore(1)

    async def one(item: ContextItem) -> str:
        target = min(limit, item.tokens // SUMMARY_RATIO)
        anchors = anchor_lines(item.text, named_identifiers(ctx.query, item.text))
        room = target - count_tokens(anchors) - 1
        if room < MIN_SUMMARY_TOKENS:
            return f"{item.name}: left whole (a summary would not be {SUMMARY_RATIO}x smaller)"
        async with gate:
            summary = truncate_tokens((await summarizer(item, room)).strip(), room)
        before = item.tokens
        text = f"{summary}\n{anchors}" if anchors else summary
        item.text, item.status, item.tokens, item.lines_kept = text, "summarized", count_tokens(text), []
        item.note = f"summarized {before:,} -> {item.tokens:,} tokens: the items did not fit the budget"
        return f"{item.name}: summarized {before} -> {item.tokens} tokens"

    return list(await asyncio.gather(*(one(i) for i in large)))


def named_identifiers(query: str, text: str) -> list[str]:
    """Identifiers the question names that ``text`` holds (``parse_config``, ``Cache.get``, ``isleap``)."""
    found = []
    for word in dict.fromkeys(_IDENTIFIER.findall(query)):
        bare = word.rsplit(".", 1)[-1]
        looks_like_code = "_" in word or "." in word or (word[1:] != word[1:].lower())
        if bare.lower() in STOPWORDS or not (
            looks_like_code or re.search(rf"\b(?:def|class)\s+{re.escape(bare)}\b", text)
        ):
            continue
        if re.search(rf"\b{re.escape(bare)}\b", text):
            found.append(word)
    return found


def anchor_lines(text: str, names: list[str]) -> str:
    """For each name, the line that defines it (else the first that uses it)."""
    lines = text.splitlines()
    out = []
    for name in names:
        bare = re.escape(name.rsplit(".", 1)[-1])
        define = re.compile(rf"^\s*(?:async\s+)?(?:def|class)\s+{bare}\b")
        use = re.compile(rf"\b{bare}\b")
        line = next((ln for ln in lines if define.search(ln)), None) or next((ln for ln in lines if use.search(ln)), "")
        if line.strip() and line.strip() not in out:
            out.append(line.strip())
    return "\n".join(out)


class SummaryCache:
    """Summaries on disk, keyed by content hash, model and length limit: a file is summarized once."""

    def __init__(self, folder: Path):
        self.folder = folder

    def _path(self, text: str, model: str, limit: int) -> Path:
        key = hashlib.sha256(f"{model}\0{limit}\0{text}".encode()).hexdigest()
        return self.folder / f"{key}.txt"

    def get(self, text: str, model: str, limit: int) -> str | None:
        try:
            return self._path(text, model, limit).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None

    def put(self, text: str, model: str, limit: int, summary: str) -> None:
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        with contextlib.suppress(OSError):  # a cache that can't write is only slower
            atomic_write(self._path(text, model, limit), summary.encode(), durable=False)


STRATEGIES = {"relevance": relevance, "recency": recency, "priority": priority, "summarization": summarization}
