"""Reading a chat stream: the server-sent events of each network read, applied to the answer's ``ChatResult``
(answer and thinking apart, timestamps, the server's figures), and the deadline the reads keep."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

import orjson

from devsynth_tui.services.llm.errors import MalformedStream, ServerError, one_line
from devsynth_tui.services.llm.results import (
    ChatResult,
    Delta,
    PromptProgress,
    finite_figures,
    str_or_none,
    usage_counts,
)
from devsynth_tui.services.llm.thinking import ThinkTags

if TYPE_CHECKING:
    from devsynth_tui.services.llm.client import LLMClient

SSE_FIELDS = (":", "event:", "id:", "retry:")
FIGURES = frozenset(("usage", "timings", "stats", "prompt_progress"))  # a chunk's keys other than its text


class Watch:
    """A response's read deadline: the first-byte deadline until the first progress, then ``timeout`` after
    the latest progress (event-loop time)."""

    def __init__(self, first_deadline: float, timeout: float):
        self.deadline, self.timeout, self.progressed = first_deadline, timeout, False

    def progress(self) -> None:
        self.progressed = True
        self.deadline = asyncio.get_running_loop().time() + self.timeout


async def complete_lines(reads: AsyncIterator[str]) -> AsyncIterator[list[str]]:
    """The complete lines of each network read."""
    pending = ""
    async for text in reads:
        lines = (pending + text).split("\n")
        pending = lines.pop()
        yield [line.rstrip("\r") for line in lines]
    if pending:
        yield [pending.rstrip("\r")]


def parse_chunk(data: str):
    """An event's JSON: orjson's parse, or json's for what only json takes (NaN, Infinity, a number past a
    double's range)."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return json.loads(data)


class StreamReader:
    """One stream's SSE events applied to its ChatResult: answer and thinking apart, timestamps, server figures."""

    def __init__(self, client: LLMClient, result: ChatResult):
        self.client, self.result = client, result
        self.tags = ThinkTags()
        self.answer: list[str] = []
        self.reasoning: list[str] = []
        self.progress: PromptProgress | None = None  # the newest prompt_progress not yet yielded

    def apply_lines(self, lines: list[str], segments: list[tuple[str, bool]]) -> bool:
        """Apply one read's SSE lines, collecting (text, thinking) segments; True at ``[DONE]``."""
        events = 0
        try:
            for line in lines:
                if not line.startswith("data:"):
                    if line and not line.startswith(SSE_FIELDS):
                        raise MalformedStream(
                            f"{self.client.url} sent a line that is not server-sent events: {line[:60]!r}"
                        )
                    continue  # blank separators, comments, event/id/retry fields
                data = line[5:].strip()
                if data == "[DONE]":
                    return True
                events += self._apply_chunk(data, segments)
        finally:
            if events:
                self._stamp(events)
        return False

    def _stamp(self, events: int) -> None:
        r, now = self.result, time.perf_counter()
        if r.t_first is None:
            r.t_first, r.first_chunks = now, events
        r.t_last = now
        r.chunks += events

    def _apply_chunk(self, data: str, segments: list[tuple[str, bool]]) -> int:
        """Apply one event; 1 when it carried text (of either kind)."""
        try:
            chunk = parse_chunk(data)
        except (json.JSONDecodeError, RecursionError):  # nested past what json's parser recurses into
            raise MalformedStream(f"{self.client.url} sent a stream chunk that is not JSON: {data[:80]!r}") from None
        if not isinstance(chunk, dict):
            raise MalformedStream(f"{self.client.url} sent a stream chunk that is not an object: {data[:80]!r}")
        if "error" in chunk:
            err = chunk["error"]
            raise ServerError(
                0,
                self.client.redact(one_line(str(err.get("message") if isinstance(err, dict) else err))),
                self.client.url,
            )
        r = self.result
        if (model := chunk.get("model")) != r.model:
            r.model = str_or_none(model) or r.model
        if not FIGURES.isdisjoint(chunk):  # most chunks carry text only: the figures come with a few
            r.usage = usage_counts(chunk.get("usage")) or r.usage
            r.server_timings = finite_figures(chunk.get("timings")) or r.server_timings
            r.server_stats = finite_figures(chunk.get("stats")) or r.server_stats
            self.progress = PromptProgress.read(chunk.get("prompt_progress")) or self.progress
        carried = 0
        for choice in chunk.get("choices") or []:
            if not isinstance(choice, dict):
                raise MalformedStream(f"{self.client.url} sent a choice that is not an object: {data[:80]!r}")
            if choice.get("finish_reason"):
                r.finish_reason = choice["finish_reason"]
            delta = choice.get("delta") or {}
            thought = delta.get("reasoning_content") or delta.get("reasoning")
            if thought:
                segments.append((thought, True))
            content = delta.get("content")
            if content:
                segments.extend(self.tags.feed(content))
            carried = carried or bool(thought or content)
        return int(carried)

    def deltas(self, segments: list[tuple[str, bool]]) -> list[Delta]:
        """One Delta per run of one kind (a read is one moment); answer text timestamps the first answer."""
        out: list[Delta] = []
        for text, thinking in segments:
            (self.reasoning if thinking else self.answer).append(text)
            if out and out[-1].thinking == thinking:
                out[-1].text += text
            else:
                out.append(Delta(text, self.result.t_last or time.perf_counter(), thinking))
        if self.result.t_first_answer is None and any(not d.thinking for d in out):
            self.result.t_first_answer = next(d.t for d in out if not d.thinking)
        return out

    def finish(self) -> None:
        """Fill the result's texts (held-back tag text included) and end time."""
        for text, thinking in self.tags.close():
            (self.reasoning if thinking else self.answer).append(text)
        self.result.text, self.result.reasoning = "".join(self.answer), "".join(self.reasoning)
        self.result.t_end = time.perf_counter()
