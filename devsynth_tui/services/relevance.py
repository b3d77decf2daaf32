"""Relevance: structure-aware chunking and scoring of context against a request.

Chunks follow code structure (Python functions and classes via ``ast``, Markdown
sections, paragraphs elsewhere) so a kept chunk is a whole unit. Scoring is
BM25 over identifier-aware terms, boosted when the request names a symbol a
chunk defines, and blended with embedding similarity when the server has one.
"""

from __future__ import annotations

import ast
import math
import re
from collections import Counter
from dataclasses import dataclass, field

from devsynth_tui.services.token_accounting import count_tokens

TARGET_CHUNK_TOKENS = 300

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|\d+")
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")
_HEADING = re.compile(r"^#{1,6}\s")
STOPWORDS = frozenset(
    "a an and are as at be by can could do does for from has have how i if in into is it its me my not of on or "
    "our please should so that the their them then there these this to was we what when where which while who "
    "why will with would you your self none true false return def class import".split()
)


def _stem(word: str) -> str:
    for suffix in ("ations", "ation", "ings", "ing", "ers", "ies", "ied", "ed", "es", "er", "ly", "s"):
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            return word[: -len(suffix)] + ("y" if suffix in ("ies", "ied") else "")
    return word


def terms(text: str) -> list[str]:
    """Search terms: words, identifiers and their snake/camel parts, lowercased and stemmed."""
    out = []
    for word in _WORD.findall(text):
        lower = word.lower()
        parts = [p.lower() for piece in word.split("_") for p in _CAMEL.findall(piece)]
        for t in {lower, *parts}:
            if len(t) > 1 and t not in STOPWORDS:
                out.append(_stem(t))
    return out


@dataclass
class Chunk:
    """A whole unit of one item: lines ``start``..``end`` (1-based, inclusive)."""

    item: int
    start: int
    end: int
    text: str
    symbols: set[str] = field(default_factory=set)
    tokens: int = 0
    score: float = 0.0

    def __post_init__(self) -> None:
        self.tokens = self.tokens or count_tokens(self.text)


def _python_units(text: str) -> list[tuple[int, int, set[str]]] | None:
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return None
    units = []
    for node in tree.body:
        start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
        names = {node.name} if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) else set()
        if isinstance(node, ast.ClassDef):
            names |= {n.name for n in node.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
        units.append((start, node.end_lineno or start, names))
    return units


def _split_class(lines: list[str], start: int, end: int, text_tokens: int) -> list[tuple[int, int, set[str]]]:
    """Split a large class into its header and one unit per method."""
    src = "\n".join(lines[start - 1 : end])
    try:
        cls = ast.parse(src).body[0]
    except (SyntaxError, ValueError, IndexError):
        return [(start, end, set())]
    if not isinstance(cls, ast.ClassDef) or text_tokens <= TARGET_CHUNK_TOKENS * 2:
        return [(start, end, set())]
    units, cursor = [], start
    for node in cls.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            first = min([node.lineno] + [d.lineno for d in node.decorator_list]) + start - 1
            last = node.end_lineno + start - 1
            if first > cursor:
                units.append((cursor, first - 1, {cls.name}))
            units.append((first, last, {node.name, cls.name}))
            cursor = last + 1
    if cursor <= end:
        units.append((cursor, end, {cls.name}))
    return units


def _markdown_units(lines: list[str]) -> list[tuple[int, int, set[str]]]:
    starts = [i + 1 for i, line in enumerate(lines) if _HEADING.match(line)] or [1]
    if starts[0] != 1:
        starts.insert(0, 1)
    ends = [s - 1 for s in starts[1:]] + [len(lines)]
    return [(s, e, set()) for s, e in zip(starts, ends)]


def _paragraph_units(lines: list[str]) -> list[tuple[int, int, set[str]]]:
    units, start = [], None
    for i, line in enumerate(lines, 1):
        if line.strip() and start is None:
            start = i
        elif not line.strip() and start is not None:
            units.append((start, i - 1, set()))
            start = None
    if start is not None:
        units.append((start, len(lines), set()))
    return units


def chunk_text(text: str, name: str, item: int = 0) -> list[Chunk]:
    """Whole structural units of ``text``, small neighbours merged up to ~300 tokens."""
    lines = text.splitlines()
    if not lines:
        return []
    units = _python_units(text) if name.endswith(".py") else None
    merge = True
    if units is not None:
        expanded = []
        for s, e, names in units:
            block_tokens = count_tokens("\n".join(lines[s - 1 : e]))
            parts = _split_class(lines, s, e, block_tokens) if block_tokens > TARGET_CHUNK_TOKENS * 2 else [(s, e, names)]
            expanded.extend((ps, pe, pn or names) for ps, pe, pn in parts)
        units = _fill_gaps(expanded, len(lines))
    elif name.endswith((".md", ".rst", ".markdown")):
        units, merge = _markdown_units(lines), False  # a section is a unit of its own
    else:
        units = _paragraph_units(lines)
    return _merge_small(units, lines, item, merge)


def _fill_gaps(units, n_lines):
    """Attach lines between units (comments, blank lines) to the following unit."""
    out, cursor = [], 1
    for s, e, names in sorted(units):
        out.append((min(cursor, s), e, names))
        cursor = e + 1
    if cursor <= n_lines:
        if out:
            s, _, names = out[-1]
            out[-1] = (s, n_lines, names)
        else:
            out.append((1, n_lines, set()))
    return out


def _merge_small(units, lines, item, merge: bool = True) -> list[Chunk]:
    """Merge neighbouring units that carry no symbol while they stay under the target size."""
    chunks: list[Chunk] = []
    for s, e, names in units:
        text = "\n".join(lines[s - 1 : e])
        if not text.strip():
            continue
        chunk = Chunk(item, s, e, text, set(names))
        prev = chunks[-1] if chunks else None
        if merge and prev and not prev.symbols and not chunk.symbols and prev.tokens + chunk.tokens <= TARGET_CHUNK_TOKENS:
            chunks[-1] = Chunk(item, prev.start, e, prev.text + "\n" + text, set())
        else:
            chunks.append(chunk)
    return chunks


class BM25:
    """Okapi BM25 over a fixed set of documents."""

    def __init__(self, docs: list[list[str]], k1: float = 1.2, b: float = 0.75):
        self.k1, self.b = k1, b
        self.tfs = [Counter(d) for d in docs]
        self.lens = [len(d) for d in docs]
        self.avg = (sum(self.lens) / len(docs)) if docs else 1.0
        df = Counter(t for tf in self.tfs for t in tf)
        n = len(docs)
        self.idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}

    def scores(self, query: list[str]) -> list[float]:
        q = Counter(query)
        out = []
        for tf, length in zip(self.tfs, self.lens):
            s = 0.0
            norm = self.k1 * (1 - self.b + self.b * length / (self.avg or 1))
            for t, qn in q.items():
                f = tf.get(t)
                if f:
                    s += self.idf[t] * f * (self.k1 + 1) / (f + norm) * (1 + math.log(qn))
            out.append(s)
        return out


def _normalize(values: list[float]) -> list[float]:
    hi = max(values, default=0.0)
    return [v / hi if hi > 0 else 0.0 for v in values]


def cosine(a: list[float], b: list[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b))
    na = math.sqrt(sum(x * x for x in a))
    nb = math.sqrt(sum(y * y for y in b))
    return dot / (na * nb) if na and nb else 0.0


def mentioned_symbols(query: str, chunks: list[Chunk]) -> set[str]:
    """Symbols defined in ``chunks`` that the query names literally."""
    words = set(_WORD.findall(query))
    return {s for c in chunks for s in c.symbols if s in words}


def lexical_scores(query: str, chunks: list[Chunk]) -> list[float]:
    """BM25 relevance in 0..1 (1 = the best chunk), with named symbols scoring 1."""
    bm = BM25([terms(c.text) for c in chunks])
    scores = _normalize(bm.scores(terms(query)))
    named = mentioned_symbols(query, chunks)
    return [1.0 if c.symbols & named else s for c, s in zip(chunks, scores)]


def blend(lexical: list[float], similarities: list[float], weight: float = 0.35) -> list[float]:
    """Mix lexical scores with embedding similarities rescaled to 0..1."""
    lo, hi = min(similarities, default=0), max(similarities, default=0)
    emb = [(s - lo) / (hi - lo) if hi > lo else 0.0 for s in similarities]
    return [1.0 if lx >= 1.0 else (1 - weight) * lx + weight * e for lx, e in zip(lexical, emb)]
