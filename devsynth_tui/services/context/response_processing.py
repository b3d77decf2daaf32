"""Response processing (guide 2.4): incremental parsing and early termination of a stream.

Both work on the stream as it arrives and keep only what they still need (the
unfinished line, the open block), never a second copy of the whole answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

FENCE_PATTERN = "```"  # the guide's "stop when code block ends"
_FENCE_LINE = re.compile(r"^\s*(```|~~~)\s*([\w+#.-]*)")
_HEADING = re.compile(r"^(#{1,6})\s+(.*)")


@dataclass
class CodeBlock:
    """A fenced code block that just completed."""

    language: str
    code: str
    index: int


@dataclass
class Section:
    """A Markdown section that just completed (the next heading began, or the answer ended)."""

    title: str
    text: str


class IncrementalParser:
    """Feed stream text; get CodeBlock and Section events as soon as each completes."""

    def __init__(self) -> None:
        self._line = ""
        self._code: list[str] | None = None
        self._lang = ""
        self._blocks = 0
        self._section: tuple[str, list[str]] | None = None

    def feed(self, text: str) -> list[CodeBlock | Section]:
        events: list[CodeBlock | Section] = []
        self._line += text
        while "\n" in self._line:
            line, self._line = self._line.split("\n", 1)
            events.extend(self._on_line(line))
        return events

    def close(self) -> list[CodeBlock | Section]:
        """Flush at the end of the stream (an unclosed code block still counts)."""
        events = self._on_line(self._line) if self._line else []
        self._line = ""
        if self._code is not None:
            events.append(self._finish_block())
        if self._section:
            events.append(Section(self._section[0], "\n".join(self._section[1])))
            self._section = None
        return events

    def _on_line(self, line: str) -> list[CodeBlock | Section]:
        fence = _FENCE_LINE.match(line)
        if self._code is not None:
            if fence and not fence.group(2):
                return [self._finish_block()]
            self._code.append(line)
            return []
        if fence:
            self._code, self._lang = [], fence.group(2)
            return []
        heading = _HEADING.match(line)
        if heading:
            done: list[CodeBlock | Section] = (
                [Section(self._section[0], "\n".join(self._section[1]))] if self._section else []
            )
            self._section = (heading.group(2).strip(), [])
            return done
        if self._section:
            self._section[1].append(line)
        return []

    def _finish_block(self) -> CodeBlock:
        block = CodeBlock(self._lang, "\n".join(self._code or []), self._blocks)
        self._blocks += 1
        self._code = None
        if self._section:
            self._section[1].append(f"```{block.language}\n{block.code}\n```")
        return block


def _is_plain(pattern: str) -> bool:
    """True when a pattern has no regex syntax, so the server can match it literally."""
    return re.escape(pattern).replace("\\ ", " ") == pattern


class EarlyTerminator:
    """Watches a stream for ``termination_patterns``.

    ``"```"`` means "stop when the first code block ends": the answer is kept up
    to and including the closing fence. Any other pattern is a regular
    expression; the answer is cut where it matches. Plain-string patterns are
    also sent to the server as ``stop`` so it stops by itself.
    """

    def __init__(self, patterns: list[str]):
        self.fence = FENCE_PATTERN in patterns
        self.regexes = [re.compile(p) for p in patterns if p != FENCE_PATTERN]
        self.stop_strings = [p for p in patterns if p != FENCE_PATTERN and _is_plain(p)]
        self._window = max([len(p) for p in patterns] + [64]) * 4
        self._tail = ""
        self._seen = 0  # characters of the answer before the tail
        self._line = ""
        self._in_code = False

    def feed(self, text: str) -> int | None:
        """Feed the next piece; returns the answer length to keep once a pattern matched, else None."""
        cut = self._fence_cut(text) if self.fence else None
        tail = self._tail + text
        for rx in self.regexes:
            m = rx.search(tail)
            if m:
                pos = self._seen + m.start()
                cut = pos if cut is None else min(cut, pos)
        overflow = max(0, len(tail) - self._window)
        self._seen += overflow
        self._tail = tail[overflow:]
        return cut

    def _fence_cut(self, text: str) -> int | None:
        start = self._seen + len(self._tail)
        buffer = self._line + text
        offset = start - len(self._line)
        cut = None
        while "\n" in buffer:
            line, buffer = buffer.split("\n", 1)
            offset += len(line) + 1
            fence = _FENCE_LINE.match(line)
            if fence and self._in_code and not fence.group(2):
                self._in_code = False
                if cut is None:
                    cut = offset - 1  # keep the closing fence, not its newline
            elif fence and not self._in_code:
                self._in_code = True
        self._line = buffer
        return cut
