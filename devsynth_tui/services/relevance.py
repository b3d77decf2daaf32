"""Relevance: structure-aware chunking and scoring of context against a request.

Chunks follow code structure (Python functions and classes via ``ast``, Markdown
sections, paragraphs elsewhere) so a kept chunk is a whole unit. Scoring is
BM25 over identifier-aware terms, boosted when the request names a symbol a
chunk defines, and blended with embedding similarity when the server has one.
"""

from __future__ import annotations

import ast
import functools
import math
import re
from collections import Counter
from dataclasses import dataclass, field

from devsynth_tui.services.token_accounting import count_tokens

TARGET_CHUNK_TOKENS = 300

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|\d+")
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")
_HEADING = re.compile(r"^#{1,6}\s")
_DOTTED = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")
_QUOTED = re.compile(r"'([^'\n]{2,40})'|\"([^\"\n]{2,40})\"|`([^`\n]{2,40})`")
_SYMBOL = re.compile(r"^[A-Za-z_][\w]*(\.[A-Za-z_]\w*)*$")
STOPWORDS = frozenset(
    "a an and are as at be by can could do does for from has have how i if in into is it its me my not of on or "
    "our please should so that the their them then there these this to was we what when where which while who "
    "why will with would you your self none true false return def class import "
    # words every coding question uses, which say nothing about where the answer is
    "code explain function method module work works handle handles happen happens exactly step".split()
)


def _stem(word: str) -> str:
    if len(word) >= 6 and word.endswith("our"):  # British spelling: colour, behaviour
        word = word[:-3] + "or"
    for suffix in ("ations", "ation", "ings", "ing", "ers", "ies", "ied", "ed", "es", "er", "ly", "s"):
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            return word[: -len(suffix)] + ("y" if suffix in ("ies", "ied") else "")
    return word


@functools.lru_cache(maxsize=65536)
def _word_terms(word: str) -> tuple[str, ...]:
    lower = word.lower()
    parts = [p.lower() for piece in word.split("_") for p in _CAMEL.findall(piece)]
    return tuple(_stem(t) for t in {lower, *parts} if len(t) > 1 and t not in STOPWORDS)


def terms(text: str) -> list[str]:
    """Search terms: words, identifiers and their snake/camel parts, lowercased and stemmed."""
    return [t for word in _WORD.findall(text) for t in _word_terms(word)]


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


def _python_units(text: str, lines: list[str]) -> list[tuple[int, int, set[str]]] | None:
    """Top-level statements as units; a large class becomes its header plus one unit per method."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return None
    units = []
    for node in tree.body:
        start, end = _span(node)
        if isinstance(node, ast.ClassDef):
            methods = [n for n in node.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
            if count_tokens("\n".join(lines[start - 1 : end])) > TARGET_CHUNK_TOKENS * 2 and methods:
                units.extend(_class_units(node, methods, start, end))
            else:
                units.append((start, end, {node.name} | {f"{node.name}.{m.name}" for m in methods}))
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            units.append((start, end, {node.name}))
        else:
            units.append((start, end, set()))
    return units


def _span(node) -> tuple[int, int]:
    start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
    return start, node.end_lineno or start


def _class_units(cls: ast.ClassDef, methods: list, start: int, end: int) -> list[tuple[int, int, set[str]]]:
    units, cursor = [], start
    for method in methods:
        first, last = _span(method)
        if first > cursor:
            units.append((cursor, first - 1, {cls.name}))
        units.append((first, last, {f"{cls.name}.{method.name}"}))
        cursor = last + 1
    if cursor <= end:
        units.append((cursor, end, {cls.name}))
    return units


def _markdown_units(lines: list[str]) -> list[tuple[int, int, set[str]]]:
    """One unit per section; a heading that is a symbol (``## TextWrapper.wrap``) names it."""
    starts = [i + 1 for i, line in enumerate(lines) if _HEADING.match(line)] or [1]
    if starts[0] != 1:
        starts.insert(0, 1)
    ends = [s - 1 for s in starts[1:]] + [len(lines)]
    return [(s, e, _heading_symbols(lines[s - 1])) for s, e in zip(starts, ends)]


def _heading_symbols(line: str) -> set[str]:
    title = _HEADING.sub("", line).strip().strip("`").split("(")[0]
    return {title} if _SYMBOL.match(title) else set()


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
    return [Chunk(item, s, e, t, set(sym), n) for s, e, t, sym, n in _chunk_spans(text, name)]


@functools.lru_cache(maxsize=256)
def _chunk_spans(text: str, name: str) -> tuple:
    """Chunk boundaries per (text, name): a file seen again is not parsed again."""
    lines = text.splitlines()
    if not lines:
        return ()
    units = _python_units(text, lines) if name.endswith(".py") else None
    merge = True
    if units is not None:
        units = _fill_gaps(units, len(lines))
    elif name.endswith((".md", ".rst", ".markdown")):
        units, merge = _markdown_units(lines), False  # a section is a unit of its own
    else:
        units = _paragraph_units(lines)
    return tuple((c.start, c.end, c.text, frozenset(c.symbols), c.tokens) for c in _merge_small(units, lines, 0, merge))


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


class SymbolIndex:
    """Which chunk defines which symbol, and which chunks are about a symbol.

    A symbol is a qualified name (``median``, ``NormalDist.median``); a bare
    method name resolves only when one class defines it. Names defined more than
    once (``__init__``) resolve to nothing: they say nothing about relevance.
    """

    def __init__(self, chunks: list[Chunk], is_test: list[bool]):
        self.chunks, self.is_test = chunks, is_test
        qualified: dict[str, list[int]] = {}
        bare: dict[str, list[int]] = {}
        for n, c in enumerate(chunks):
            if not is_test[n]:
                for name in c.symbols:
                    qualified.setdefault(name, []).append(n)
                    bare.setdefault(name.rsplit(".", 1)[-1], []).append(n)
        self.qualified = {k: v for k, v in qualified.items() if self._once(v)}
        self.bare = {k: v for k, v in bare.items() if self._once(v)}

    def _once(self, members: list[int]) -> bool:
        """One code definition, plus at most one documentation section in another item."""
        return len({self.chunks[m].item for m in members}) == len(members) <= 2

    def resolve(self, text: str) -> set[str]:
        """The symbols ``text`` names: dotted words and their suffixes (``mod.Class.meth``)."""
        found = set()
        for word in _DOTTED.findall(text):
            parts = word.split(".")
            for i in range(len(parts)):
                name = ".".join(parts[i:])
                if name in self.qualified or (i == len(parts) - 1 and name in self.bare):
                    found.add(name)
                    break
        return found

    def definers(self, name: str) -> list[int]:
        return self.qualified.get(name) or self.bare.get(name) or []

    def groups(self) -> list[list[int]]:
        """Per symbol: its definition, its documentation section and the tests that use it."""
        groups = {name: list(members) for name, members in self.qualified.items()}
        for n, c in enumerate(self.chunks):
            if self.is_test[n]:
                for name in self.resolve(c.text):
                    groups.setdefault(name, list(self.definers(name))).append(n)
        return [g for g in groups.values() if len(g) > 1]


def quoted(query: str) -> list[str]:
    """Literal strings the query quotes ('---', `@@`, "usage:")."""
    return [q for groups in _QUOTED.findall(query) for q in groups if len(q.strip()) >= 2]


def lexical_scores(query: str, chunks: list[Chunk], is_test: list[bool] | None = None) -> list[float]:
    """BM25 relevance in 0..1 (1 = the best chunk). A chunk defining a symbol the
    query names scores 1, quoted text found verbatim counts, and a symbol's
    definition, documentation and tests share the best score among them."""
    index = SymbolIndex(chunks, is_test or [False] * len(chunks))
    scores = _normalize(BM25([terms(c.text) for c in chunks]).scores(terms(query)))
    for name in index.resolve(query):
        for n in index.definers(name):
            scores[n] = 1.0
    literals = quoted(query)
    if literals:  # the more of the quoted literals a chunk holds, the stronger
        hits = [sum(q in c.text for q in literals) / len(literals) for c in chunks]
        scores = [max(s, h) for s, h in zip(scores, hits)]
    return propagate(scores, index.groups())


def propagate(scores: list[float], groups: list[list[int]]) -> list[float]:
    """Each chunk scores at least the best score of any symbol group it belongs to."""
    out = list(scores)
    for members in groups:
        best = max(scores[m] for m in members)
        for m in members:
            out[m] = max(out[m], best)
    return out


def blend(lexical: list[float], similarities: list[float], weight: float = 0.35) -> list[float]:
    """Mix lexical scores with embedding similarities rescaled to 0..1."""
    lo, hi = min(similarities, default=0), max(similarities, default=0)
    emb = [(s - lo) / (hi - lo) if hi > lo else 0.0 for s in similarities]
    return [1.0 if lx >= 1.0 else (1 - weight) * lx + weight * e for lx, e in zip(lexical, emb)]
