"""Relevance: scoring of context chunks (``chunking``) against a request.

Scoring is BM25 over identifier-aware terms, boosted when the request names a
symbol a chunk defines, and blended with embedding similarity when the server
has one.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from itertools import chain

from devsynth_tui.services.context.chunking import Chunk

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|\d+")
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")
_DOTTED = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")
_QUOTED = re.compile(r"'([^'\n]{2,40})'|\"([^\"\n]{2,40})\"|`([^`\n]{2,40})`")
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


@functools.lru_cache(maxsize=16384)
def chunk_terms(text: str) -> Counter:
    """How often each of ``terms`` occurs in a chunk, remembered per text: a file seen
    again is not tokenized again. Read-only."""
    return Counter(chain.from_iterable(map(_word_terms, _words(text))))  # one pass, all in C


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
