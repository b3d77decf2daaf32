"""The fast paths of relevance (no server): they give what the plain definitions give."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from devsynth_tui.services.context.chunking import Chunk, _statement_starts, chunk_text
from devsynth_tui.services.context.relevance import chunk_terms, terms
from devsynth_tui.services.context.token_accounting import count_joined, count_tokens

TRICKY = '''"""Module docstring with (brackets and 'quotes
at column zero: def not_a_function():
"""
import os  # a comment with an open ( bracket


def f(a,
      b=[1,
2]):
    s = "a \\" quote and a ( bracket"
    t = 'it\\'s'
    return {
        "k": (a, b),
    }
@decorator
class C:
    x = """one line"""
    def m(self):
        pass
'''


def test_statement_starts_skip_what_is_inside_brackets_and_strings():
    starts = _statement_starts(TRICKY.splitlines())
    # 0-based lines: the docstring, the import, def f and its three statements, the decorator, the class,
    # its attribute, its method and the method's body; never a line inside the docstring, the call or the dict
    assert starts == [(0, 0), (3, 0), (6, 0), (9, 4), (10, 4), (11, 4), (14, 0), (15, 0), (16, 4), (17, 4), (18, 8)]


def test_statement_starts_refuse_what_does_not_look_like_python():
    assert _statement_starts(["x = (", "1"]) is None
    assert _statement_starts(['"""never closed', "x = 1"]) is None


def test_chunk_terms_are_the_terms_of_the_text():
    text = "2to3 x86_64 HTTPServer getX colours naïveValue __init__ 42 _private snake_case_name Flies tied\nx"
    assert chunk_terms(text) == Counter(terms(text))


def test_min_tokens_never_exceeds_the_count():
    texts = [TRICKY, "a\u00a0b\tc\x0bd\x0ce  \n\n   f", "naïve café — déjà vu", "x" * 500, " ".join(["(", ")"] * 50)]
    texts += ["self.foo.bar", "!\x1c!", " .foo", "x.'s !'sorry don't", "2to3 == 12345 0x1F", "a+-b", "\t\r\n:\n  pass"]
    texts += [c.text for c in chunk_text(Path(__file__).read_text(), "test_relevance_cost.py")]
    for text in texts:
        chunk = Chunk(0, 1, 1, text)
        assert 0 < chunk.min_tokens <= count_tokens(text), text[:40]


def test_count_joined_is_the_count_of_the_joined_text():
    chunks = [c.text for c in chunk_text(TRICKY + "\n\n\n# trailing comment\n", "m.py")]
    odd = ["", "   ", "\n\n", "x:", "x  ", "  \n  y", "\n\nz", "... (lines 3-9 omitted)", "'s", "):\n\n   ", "a\u00a0"]
    for n in range(len(odd) + 1):
        parts = chunks[n % len(chunks) :] + odd[:n] + chunks[: n % len(chunks)]
        for known in (True, False):
            given = [(t, count_tokens(t) if known else None) for t in parts]
            assert count_joined(given) == count_tokens("\n".join(parts)), parts
