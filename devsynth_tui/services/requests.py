"""The one request runner: a request in, events out; chat, tasks, ``ask`` and the benchmark all use it.

A ``RequestRun`` sends one ``ChatRequest`` through the pipeline (which writes
the ledger row, once) and accumulates the streamed answer, once, in its
``Answer``; in a conversation it also stores the question and the answer (or
what arrived before it was cut short). Consumers differ only in how they show
the events. A task is a conversation message made from a task's wording and files.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Callable
from contextlib import aclosing
from dataclasses import dataclass, field, replace

from devsynth_tui.services.app_log import record
from devsynth_tui.services.context.items import ContextItem
from devsynth_tui.services.context.view import view_of
from devsynth_tui.services.llm.results import Delta
from devsynth_tui.services.pipeline.pipeline import Pipeline
from devsynth_tui.services.pipeline.request import ChatRequest, Done, Event, Notice, Prepared
from devsynth_tui.services.store.conversations import Conversations, Message


@dataclass
class Answer:
    """The answer as it streams: text and thinking so far, the last notice, and the Done once it ends."""

    parts: list[str] = field(default_factory=list)
    thinking_parts: list[str] = field(default_factory=list)
    notice: str = ""
    pieces: int = 0  # network reads so far: the live counters' estimate of tokens still streaming
    prepared: Prepared | None = None  # what was sent, once it is
    done: Done | None = None

    @property
    def text(self) -> str:
        return "".join(self.parts)

    @property
    def thinking(self) -> str:
        return "".join(self.thinking_parts)

    def take(self, event: Event) -> None:
        """Account for one event."""
        if isinstance(event, Delta):
            (self.thinking_parts if event.thinking else self.parts).append(event.text)
            self.pieces += 1
            self.notice = ""
        elif isinstance(event, Notice):
            self.notice = event.text
        elif isinstance(event, Prepared):
            self.prepared = event
        elif isinstance(event, Done):
            self.done = event


class RequestRun:
    """One request through ``pipeline``; in a conversation when ``conversations`` and ``conversation_id`` are given,
    or, without ``conversation_id``, in a new one titled ``title``, stored with its question (``created`` is told
    its id).

    Iterate ``events()`` once. Cancel-safe: whatever ends the run (done, error, the
    consumer cancelling or closing), the pipeline has written its ledger row and,
    in a conversation, the answer so far is stored, marked.
    """

    def __init__(
        self,
        pipeline: Pipeline,
        request: ChatRequest,
        conversations: Conversations | None = None,
        conversation_id: int | None = None,
        title: str | None = None,
        created: Callable[[int], None] | None = None,
    ):
        self.pipeline, self.request = pipeline, request
        self.conversations, self.conversation_id = conversations, conversation_id
        self.title, self.created = title, created
        self.answer = Answer()

    async def events(self) -> AsyncGenerator[Event, None]:
        convs, question = self.conversations, None
        if convs is not None and (self.conversation_id is not None or self.title is not None):
            if self.conversation_id is not None and not self.request.history:  # unless its caller read it already
                self.request.history = await asyncio.to_thread(convs.messages, self.conversation_id)
            question = asyncio.ensure_future(self._store_question(convs))  # while it is answered: a write waiting
        try:  # for a lock another program holds on the database holds neither the question nor its answer
            async with aclosing(self.pipeline.run(self.request)) as events:  # a consumer that stops closes it here
                async for event in events:
                    self.answer.take(event)
                    yield event
        finally:
            if convs is not None and question is not None:
                await self._store_answer(convs, question)

    async def _store_answer(self, convs: Conversations, question: asyncio.Future[int]) -> None:
        """Store the answer once its question is. A cancel meanwhile (Esc while a lock held elsewhere keeps the
        question waiting, the app quitting) ends this wait, not the storing: both land once the lock goes."""

        async def after_question() -> None:
            conversation_id = await question
            answer = await self._as_ended()
            await convs.store.arun(convs.add, conversation_id, answer_message(answer))

        storing = asyncio.ensure_future(after_question())
        _STORING.add(storing)  # the loop keeps only weak references to tasks
        storing.add_done_callback(_stored)
        await asyncio.shield(storing)

    async def _as_ended(self) -> Answer:
        """The answer to store: as it ended if its stream had ended when its consumer was cancelled (its count and
        row went on: the ledger says how it ended), else as it is."""
        ending = self.answer.prepared.ending if self.answer.prepared else None
        if self.answer.done is None and ending is not None:
            try:
                return replace(self.answer, done=(await ending)[1])
            except Exception as e:  # stored as cut short
                record(e, "a cancelled answer's count or ledger row failed")
        return self.answer

    async def _store_question(self, convs: Conversations) -> int:
        """Store the question, in a new conversation if it starts one; the conversation's id."""
        meta = {"attachments": self.request.attachments} if self.request.attachments else {}
        question = Message("user", self.request.prompt, meta=meta)
        if self.conversation_id is not None:
            await convs.store.arun(convs.add, self.conversation_id, question)
            return self.conversation_id
        self.conversation_id = await convs.store.arun(convs.start, self.title or self.request.prompt, question)
        if self.created:
            self.created(self.conversation_id)
        return self.conversation_id


_STORING: set[asyncio.Task] = set()  # answers being stored, also after their run was cancelled


def _stored(task: asyncio.Task) -> None:
    """An answer's storing ended; its error is logged (a run cancelled meanwhile is not there to say it)."""
    _STORING.discard(task)
    if not task.cancelled() and (error := task.exception()) is not None:
        record(error, "an answer was not stored")


async def ask(
    pipeline: Pipeline,
    request: ChatRequest,
    conversations: Conversations | None = None,
    conversation_id: int | None = None,
    on_event: Callable[[Event], None] | None = None,
) -> Done:
    """Run one request to its end and return its Done; ``on_event`` sees every event on the way (e.g. to print).

    The simple API for headless callers (the CLI's ``ask``): stored in the
    conversation when one is given, one ledger row either way.
    """
    run = RequestRun(pipeline, request, conversations, conversation_id)
    async with aclosing(run.events()) as events:  # a failing on_event (a closed pipe) ends the run here, recorded
        async for event in events:
            if isinstance(event, Done) and event.collect:  # memory.aggressive_gc: no frame to wait for here
                from devsynth_tui.services.resources.monitor import collect_garbage

                event.notes.append(collect_garbage())
            if on_event:
                on_event(event)
    assert run.answer.done is not None  # the pipeline always ends in a Done
    return run.answer.done


def stopped_summary(text: str) -> str:
    """The line under an answer cancelled before its end: whether any of it came (and is kept)."""
    return "cancelled · the partial answer is kept" if text else "cancelled before any answer came"


def answer_message(answer: Answer) -> Message:
    """The stored assistant turn: the final answer, or what arrived before the exchange was cut short."""
    done = answer.done
    prepared = done.prepared if done is not None else answer.prepared
    meta: dict = {"stats": done.summary() if done is not None else stopped_summary(answer.text)}
    if prepared is not None and prepared.counted:  # what was sent, for the context view of this answer (reopened too)
        meta["context"] = view_of(prepared).as_json()
    if done is None:
        return Message("assistant", answer.text, status="cancelled", thinking=answer.thinking, meta=meta)
    thinking = done.thinking or answer.thinking
    if thinking:
        meta["thinking_title"] = done.thinking_title()
    return Message("assistant", done.text, status=done.status, thinking=thinking, meta=meta)


def task_request(wording: str, task: str, files: list[ContextItem], template: bool = True) -> ChatRequest:
    """A task as a conversation message with its files as context: a configured task's wording is the app's own
    template (trimmed and compressed); the user's own words (``template=False``) are a question like any other."""
    return ChatRequest(wording, context=files, operation=task, prompt_is_template=template)


def task_title(task: str, files: list[ContextItem]) -> str:
    """The conversation a task run is stored in: "Task explain: retry.py, client.py"."""
    names = ", ".join(f.name.rsplit("/", 1)[-1] for f in files[:3]) + (" …" if len(files) > 3 else "")
    return f"Task {task}: {names}"
