"""Thinking: a model's reasoning text kept apart from its answer.

Servers that parse reasoning send it in ``delta.reasoning_content`` or ``delta.reasoning``;
others leave ``<think>...</think>`` inline in the content, where a stream may split the tags
at any character. ``ThinkTags`` separates the inline form incrementally.
"""

from __future__ import annotations

OPEN, CLOSE = "<think>", "</think>"
TAIL = len(CLOSE) - 1  # the longest partial tag a piece can end with


class ThinkTags:
    """Feed content pieces in order; get ``(text, thinking)`` segments back, tags removed.

    A piece ending in what may be the start of a tag holds that tail back until the next
    piece (or ``close()``). Whitespace between a think block and the answer is dropped, as
    is a stray ``</think>`` outside a block. A block still open at the end is all thinking.
    """

    def __init__(self) -> None:
        self.thinking = False
        self._held = ""  # a possible partial tag
        self._lead = ""  # whitespace before anything else: dropped if a think block follows
        self._trim = False  # drop whitespace at the start of the answer after </think>
        self._started = False  # text or a tag seen

    def feed(self, text: str) -> list[tuple[str, bool]]:
        if self._started and not self._held and not self._trim and "<" not in text:
            return [(text, self.thinking)] if text else []  # the common case, kept cheap
        text, self._held = self._held + text, ""
        out: list[tuple[str, bool]] = []
        while text:
            pos, tag = self._next_tag(text)
            if tag is None:
                keep = _partial_tail(text, self.thinking)
                self._emit(out, text[: len(text) - keep])
                self._held = text[len(text) - keep :]
                break
            self._emit(out, text[:pos])
            self._trim = self.thinking and tag == CLOSE  # a stray </think> only disappears
            self.thinking = tag == OPEN
            self._started, self._lead = True, ""
            text = text[pos + len(tag) :]
        return out

    def close(self) -> list[tuple[str, bool]]:
        """What was held back, once the stream has ended."""
        out: list[tuple[str, bool]] = []
        self._emit(out, self._held)
        if self._lead:
            out.append((self._lead, False))
        self._held = self._lead = ""
        return out

    def _next_tag(self, text: str) -> tuple[int, str | None]:
        close = text.find(CLOSE)
        if not self.thinking:
            open_ = text.find(OPEN)
            if open_ >= 0 and (close < 0 or open_ < close):
                return open_, OPEN
        return close, (CLOSE if close >= 0 else None)

    def _emit(self, out: list[tuple[str, bool]], text: str) -> None:
        if not self.thinking:
            if self._trim:
                text = text.lstrip()
                self._trim = not text
            if not self._started:
                text, self._lead = self._lead + text, ""
                if text.isspace():  # wait to see whether a think block follows
                    self._lead, text = text, ""
        if not text:
            return
        self._started = True
        if out and out[-1][1] == self.thinking:
            out[-1] = (out[-1][0] + text, self.thinking)
        else:
            out.append((text, self.thinking))


def _partial_tail(text: str, thinking: bool) -> int:
    """Length of the end of ``text`` that may begin a tag we are looking for."""
    at = text.rfind("<", max(0, len(text) - TAIL))
    if at < 0:
        return 0
    tail = text[at:]
    return len(tail) if CLOSE.startswith(tail) or (not thinking and OPEN.startswith(tail)) else 0


def split_think(text: str) -> tuple[str, str]:
    """``(answer, reasoning)`` of a whole content string with inline think tags."""
    tags = ThinkTags()
    segments = tags.feed(text) + tags.close()
    return "".join(t for t, k in segments if not k), "".join(t for t, k in segments if k)
