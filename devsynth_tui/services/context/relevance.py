"""Relevance: structure-aware chunking and scoring of context against a request.

Chunks follow code structure (Python functions and classes, Markdown
sections, paragraphs elsewhere) so a kept chunk is a whole unit. Scoring is
BM25 over identifier-aware terms, boosted when the request names a symbol a
chunk defines, and blended with embedding similarity when the server has one.
"""

from __future__ import annotations

import functools
import math
import re
import string
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field
from itertools import chain

from devsynth_tui.services.context.token_accounting import count_tokens

TARGET_CHUNK_TOKENS = 300

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|\d+")
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")
_HEADING = re.compile(r"^#{1,6}\s")
_DOTTED = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")
_QUOTED = re.compile(r"'([^'\n]{2,40})'|\"([^\"\n]{2,40})\"|`([^`\n]{2,40})`")
_SYMBOL = re.compile(r"^[A-Za-z_][\w]*(\.[A-Za-z_]\w*)*$")
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "can",
        "could",
        "do",
        "does",
        "for",
        "from",
        "has",
        "have",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "me",
        "my",
        "not",
        "of",
        "on",
        "or",
        "our",
        "please",
        "should",
        "so",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "this",
        "to",
        "was",
        "we",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "self",
        "none",
        "true",
        "false",
        "return",
        "def",
        "class",
        "import",
        "code",
        "explain",
        "function",
        "method",
        "module",
        "work",
        "works",
        "handle",
        "handles",
        "happen",
        "happens",
        "exactly",
        "step",
    ]
)


_SUFFIXES = ("ations", "ation", "ings", "ing", "ers", "ies", "ied", "ed", "es", "er", "ly", "s")
_SUFFIXES_BY_LAST: dict[str, list[str]] = {}  # last letter -> the suffixes ending in it, in the order above
for _suffix in _SUFFIXES:
    _SUFFIXES_BY_LAST.setdefault(_suffix[-1], []).append(_suffix)


def _stem(word: str) -> str:
    if len(word) >= 6 and word.endswith("our"):  # British spelling: colour, behaviour
        word = word[:-3] + "or"
    for suffix in _SUFFIXES_BY_LAST.get(word[-1:], ()):
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            return word[: -len(suffix)] + ("y" if suffix in ("ies", "ied") else "")
    return word


@functools.lru_cache(maxsize=65536)
def _word_terms(word: str) -> tuple[str, ...]:
    if word[:1].isdigit() and not word.isdigit():  # "2to3" from _words: the terms of _WORD's "2" and "to3"
        return tuple(t for w in _WORD.findall(word) for t in _word_terms(w))
    lower = word.lower()
    if word.isalpha() and (word.isupper() or word[1:].islower()):  # one part only: ``name``, ``Name``, ``HTTP``
        return (_stem(lower),) if len(lower) > 1 and lower not in STOPWORDS else ()
    if word.islower() and word.replace("_", "").isalpha():  # snake_case: its parts need no camel split
        parts = [p for p in word.split("_") if p]
    else:
        parts = [p.lower() for piece in word.split("_") for p in _CAMEL.findall(piece)]
    return tuple(_stem(t) for t in {lower, *parts} if len(t) > 1 and t not in STOPWORDS)


_NOT_WORD = bytes(c if chr(c).isascii() and (chr(c).isalnum() or c == ord("_")) else ord(" ") for c in range(256))


def _words(text: str) -> list[str]:
    """The words of ``text`` for ``_word_terms``: ``_WORD``'s, except that a word starting with
    digits stays whole ("2to3"). ASCII text is split in C, several times faster than the regex."""
    return text.encode().translate(_NOT_WORD).decode().split() if text.isascii() else _WORD.findall(text)


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
    score: float = 0.0

    @property
    def tokens(self) -> int:
        """Counted on first use (most chunks never are), and remembered per text."""
        return _chunk_tokens(self.text)

    @property
    def min_tokens(self) -> int:
        """A floor under ``tokens`` without encoding it (see ``min_tokens``)."""
        return min_tokens(self.text)


def _byte_table(keep: str, rest: str) -> bytes:
    """A ``bytes.translate`` table: each ASCII character of a class in ``keep`` to its class letter, else ``rest``."""
    classes = {ch: cls for cls, chars in _CLASSES.items() if cls in keep for ch in chars}
    return bytes(ord(classes.get(chr(c), rest)) for c in range(256))


_CLASSES = {"a": string.ascii_letters, "0": string.digits, " ": " \t\n\r\x0b\x0c"}
_CLASSIFY = _byte_table("a0 ", ".")  # letters, digits, whitespace, and the rest (punctuation, controls)
_RUNS = {cls: bytes(c if chr(c) == cls else ord(" ") for c in range(256)) for cls in "a0."}


def min_tokens(text: str) -> int:
    """A floor under the cl100k count of ``text``, found without encoding it.

    cl100k's pre-tokenizer splits text into pieces and no token spans two: runs of
    non-space characters never share a piece, and in ASCII text neither do runs of
    letters, runs of digits, or runs of punctuation (one punctuation character just
    before letters may join them: it is not counted)."""
    data = text.encode()
    fields = len(data.split())
    if not text.isascii():
        return fields
    kinds = data.translate(_CLASSIFY)
    runs = sum(len(kinds.translate(_RUNS[cls]).split()) for cls in "a0.")
    return max(fields, runs - (kinds.count(b".a") - kinds.count(b"..a")))


@functools.lru_cache(maxsize=16384)
def _chunk_tokens(text: str) -> int:
    return count_tokens(text)


@functools.lru_cache(maxsize=16384)
def chunk_terms(text: str) -> Counter:
    """How often each of ``terms`` occurs in a chunk, remembered per text: a file seen
    again is not tokenized again. Read-only."""
    return Counter(chain.from_iterable(map(_word_terms, _words(text))))  # one pass, all in C


def _python_units(text: str, lines: list[str]) -> list[tuple[int, int, set[str]]] | None:
    """Top-level statements as units; a large class becomes its header plus one unit per method.

    Found by scanning lines (strings, brackets and decorators followed), which is several
    times faster than ``ast`` on files seen for the first time; None if the file does not
    look like Python (unbalanced brackets or strings)."""
    starts = _statement_starts(lines)
    if starts is None:
        return None
    units = []
    for start, end, def_line in _blocks(starts, 0, 0, len(lines), lines):
        head = _DEF.match(lines[def_line])
        if head and head.group(1) == "class":
            name = head.group(2)
            methods = _methods(starts, def_line, end, lines)
            if methods and sum(map(len, lines[start:end])) > CHARS_PER_TOKEN * TARGET_CHUNK_TOKENS * 2:
                units.extend(_class_units(name, methods, start + 1, end))
            else:
                units.append((start + 1, end, {name} | {f"{name}.{m}" for _, _, m in methods}))
        else:
            units.append((start + 1, end, {head.group(2)} if head else set()))
    return units


CHARS_PER_TOKEN = 4  # for sizing units before they are counted
_DEF = re.compile(r"\s*(?:async\s+)?(def|class)\s+([A-Za-z_]\w*)")
_CONTINUES = re.compile(r"\s*(?:except\b|else\s*:|elif\b|finally\s*:)")  # the rest of a compound statement
_LEX = re.compile(  # brackets, triple quotes, strings (as unrolled loops: twice as fast), comments
    r'[()\[\]{}]|"""|\'\'\'|"[^"\\\n]*(?:\\.[^"\\\n]*)*"|\'[^\'\\\n]*(?:\\.[^\'\\\n]*)*\'|#.*'
)


def _statement_starts(lines: list[str]) -> list[tuple[int, int]] | None:
    """(line index, indent) of each line that begins a statement: outside strings and brackets.

    The text is scanned once for the stretches inside brackets and triple-quoted strings;
    a line with code that does not start inside one of them begins a statement."""
    text = "\n".join(lines)
    spans = _nested_spans(text)
    if spans is None:
        return None
    inside = bytearray(len(lines))
    line, at = 0, 0  # the line holding offset ``at``
    for a, b in spans:  # the lines starting after a and before b
        first = line = line + text.count("\n", at, a)
        stop = line = line + text.count("\n", a, b - 1)
        at = b - 1
        inside[first + 1 : stop + 1] = b"\x01" * (stop - first)
    return [
        (n, len(line) - len(code))
        for n, line in enumerate(lines)
        if not inside[n] and (code := line.lstrip()) and code[0] != "#"
    ]


def _nested_spans(text: str) -> list[tuple[int, int]] | None:
    """(start, end) of each outermost bracketed or triple-quoted stretch of ``text``
    (a line starting strictly inside one continues a statement); None if one is left open."""
    spans, depth, opened, pos = [], 0, 0, 0
    while True:
        for m in _LEX.finditer(text, pos):
            tok = m.group()
            if tok in ('"""', "'''"):  # skip to its end, and scan on from there
                end = text.find(tok, m.end())
                if end < 0:
                    return None
                pos = end + 3
                if depth == 0:
                    spans.append((m.start(), pos))
                break
            if tok in "([{":
                if depth == 0:
                    opened = m.start()
                depth += 1
            elif tok in ")]}" and depth:
                depth -= 1
                if depth == 0:
                    spans.append((opened, m.end()))
        else:
            return spans if depth == 0 else None


def _blocks(starts, indent: int, lo: int, hi: int, lines: list[str]):
    """(first line, last line, definition line) of each statement at ``indent`` in lines lo..hi,
    decorators joined to what they decorate; the last line is the last one of code (1-based)."""
    rows = starts[bisect_left(starts, (lo, -1)) : bisect_left(starts, (hi, -1))]
    mine = [n for n, ind in rows if ind == indent and not _CONTINUES.match(lines[n])]
    blocks, n = [], 0
    while n < len(mine):
        first = head = mine[n]
        while lines[head].lstrip().startswith("@") and n + 1 < len(mine):
            n += 1
            head = mine[n]
        stop = mine[n + 1] if n + 1 < len(mine) else hi
        blocks.append((first, _last_line(lines, head, stop), head))
        n += 1
    return blocks


def _last_line(lines: list[str], head: int, stop: int) -> int:
    """A statement starting at ``head`` ends at the last non-blank, non-comment line before ``stop``."""
    for k in range(stop - 1, head, -1):  # from the end: usually a line or two
        stripped = lines[k].strip()
        if stripped and not stripped.startswith("#"):
            return k + 1
    return head + 1


def _methods(starts, head: int, end: int, lines: list[str]) -> list[tuple[int, int, str]]:
    """(first line, last line, name) of each method of the class defined on line ``head``
    (0-based) and ending on line ``end`` (1-based)."""
    first_statement = bisect_left(starts, (head + 1, -1))
    if first_statement == len(starts) or starts[first_statement][0] >= end:
        return []
    out = []
    for first, last, def_line in _blocks(starts, starts[first_statement][1], head + 1, end, lines):
        m = _DEF.match(lines[def_line])
        if m and m.group(1) == "def":
            out.append((first + 1, last, m.group(2)))
    return out


def _class_units(name: str, methods: list, start: int, end: int) -> list[tuple[int, int, set[str]]]:
    units, cursor = [], start
    for first, last, method in methods:
        if first > cursor:
            units.append((cursor, first - 1, {name}))
        units.append((first, last, {f"{name}.{method}"}))
        cursor = last + 1
    if cursor <= end:
        units.append((cursor, end, {name}))
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
    units: list[tuple[int, int, set[str]]] = []
    start = None
    for i, line in enumerate(lines, 1):
        if line.strip() and start is None:
            start = i
        elif not line.strip() and start is not None:
            units.append((start, i - 1, set()))
            start = None
    if start is not None:
        units.append((start, len(lines), set()))
    return units


def chunk_text(text: str, name: str, item: int = 0, spans: tuple | None = None) -> list[Chunk]:
    """Whole structural units of ``text``, small neighbours merged up to ~300 tokens
    (``spans``: its ``chunk_spans`` when already known)."""
    return [Chunk(item, s, e, t, set(sym)) for s, e, t, sym in (spans or chunk_spans(text, name))]


@functools.lru_cache(maxsize=256)
def chunk_spans(text: str, name: str) -> tuple:
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
    return tuple((c.start, c.end, c.text, frozenset(c.symbols)) for c in _merge_small(units, lines, 0, merge))


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
        small = len(prev.text) + len(text) <= TARGET_CHUNK_TOKENS * CHARS_PER_TOKEN if prev else False
        if merge and prev and not prev.symbols and not chunk.symbols and small:
            chunks[-1] = Chunk(item, prev.start, e, prev.text + "\n" + text, set())
        else:
            chunks.append(chunk)
    return chunks


class BM25:
    """Okapi BM25 over a fixed set of documents."""

    def __init__(self, docs: list[list[str] | Counter], k1: float = 1.2, b: float = 0.75):
        """``docs``: each a list of terms, or a Counter of them."""
        self.k1, self.b = k1, b
        self.tfs = [d if isinstance(d, Counter) else Counter(d) for d in docs]
        self.lens = [sum(tf.values()) for tf in self.tfs]
        self.avg = (sum(self.lens) / len(docs)) if docs else 1.0
        df = Counter(chain.from_iterable(self.tfs))  # each term once per document it is in
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


class Scorer:
    """What scoring needs of a fixed set of chunks (BM25 statistics, symbols, groups),
    built once and asked any number of questions."""

    def __init__(self, chunks: list[Chunk], is_test: list[bool] | None = None):
        self.chunks = chunks
        self.index = SymbolIndex(chunks, is_test or [False] * len(chunks))
        self.bm25 = BM25([chunk_terms(c.text) for c in chunks])
        self.groups = self.index.groups()

    def scores(self, query: str) -> list[float]:
        """BM25 relevance in 0..1 (1 = the best chunk). A chunk defining a symbol the
        query names scores 1, quoted text found verbatim counts, and a symbol's
        definition, documentation and tests share the best score among them."""
        scores = _normalize(self.bm25.scores(terms(query)))
        for n in self.named(query):
            scores[n] = 1.0
        literals = quoted(query)
        if literals:  # the more of the quoted literals a chunk holds, the stronger
            hits = [sum(q in c.text for q in literals) / len(literals) for c in self.chunks]
            scores = [max(s, h) for s, h in zip(scores, hits)]
        return propagate(scores, self.groups)

    def named(self, query: str) -> set[int]:
        """The chunks defining a symbol the query names: the part a question is about."""
        return {n for name in self.index.resolve(query) for n in self.index.definers(name)}


def lexical_scores(query: str, chunks: list[Chunk], is_test: list[bool] | None = None) -> list[float]:
    """``Scorer.scores`` for one question."""
    return Scorer(chunks, is_test).scores(query)


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
