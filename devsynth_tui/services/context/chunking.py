"""Chunking: a file cut into whole structural units, the pieces relevance scores.

Chunks follow code structure (Python functions and classes, Markdown
sections, paragraphs elsewhere) so a kept chunk is a whole unit.
"""

from __future__ import annotations

import functools
import re
import string
from bisect import bisect_left
from dataclasses import dataclass, field

from devsynth_tui.services.context.token_accounting import count_tokens

TARGET_CHUNK_TOKENS = 300

_HEADING = re.compile(r"^#{1,6}\s")
_SYMBOL = re.compile(r"^[A-Za-z_][\w]*(\.[A-Za-z_]\w*)*$")


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
