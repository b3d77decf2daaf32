"""The Tasks pane: an instruction in your own words (the configured tasks are starting wordings) run on typed
context files and folders, as a conversation exchange."""

from __future__ import annotations

import asyncio
from contextlib import aclosing
from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, DataTable, Input, Select, Static

from devsynth_tui.services.context.items import item_cost, sent_tokens
from devsynth_tui.services.errors import ServiceError
from devsynth_tui.services.sanitize import safe_line, safe_text
from devsynth_tui.services.wording import things
from devsynth_tui.ui.chat import STREAMING, AssistantMessage, show_stopped
from devsynth_tui.ui.failures import ReportsFailures
from devsynth_tui.ui.keys import Field
from devsynth_tui.ui.state import RequestCancelled, RequestEnded

if TYPE_CHECKING:  # the pipeline (httpx, tiktoken) loads after the first screen
    from collections.abc import Mapping

    from textual.worker import Worker

    from devsynth_tui.services.context.items import StageReport
    from devsynth_tui.services.pipeline.request import Prepared
    from devsynth_tui.ui.main_screen import MainScreen


class TaskOutput(VerticalScroll):
    """A task's output: while ``following``, once the answer is taller than the view its live end stays in view,
    as in the chat, until the user scrolls up. Not before: Textual draws an anchored, shorter content at the
    bottom, under blank lines."""

    following = False

    def watch_virtual_size(self) -> None:
        if self.following and not self.is_anchored and self.max_scroll_y:
            self.anchor()


class TasksPane(ReportsFailures, Vertical):
    """Tasks from config, run on typed context files.

    The answer streams in as in the chat (Esc cancels, the partial answer stays), with the same stats line
    under it, then what the pipeline did with each file; the whole output scrolls. A context file that
    can't be used is refused in place, before any model call.
    """

    HINT = "Enter or Run sends the task; its answer streams below (Esc cancels)."

    def __init__(self, tasks: Mapping[str, str], **kwargs) -> None:
        super().__init__(**kwargs)
        self.tasks = tasks
        self.running = False
        self.stages: list[str] = []
        self.worker: Worker | None = None  # the run while it runs

    def compose(self) -> ComposeResult:
        with Horizontal(classes="row"):
            yield Select(
                [(name, name) for name in self.tasks],
                value=next(iter(self.tasks), Select.BLANK),
                allow_blank=not self.tasks,
                id="task-select",
                compact=True,
            )
            yield Button("Run", id="task-run", variant="primary", compact=True)
        yield Field(
            value=str(next(iter(self.tasks.values()), "")),
            placeholder="the instruction, in your own words (picking a task above fills in its wording)",
            id="task-instruction",
            compact=True,
            select_on_focus=False,  # a wording to edit: a first key typed in it must not replace it whole
        )
        yield Field(
            placeholder="context files or folders: path[=requirements|tests|code|documentation], ...",
            id="task-files",
            compact=True,
            select_on_focus=False,  # paths to add to: shown again (F3), a first key typed must not replace them
        )
        yield Static(self.HINT, id="task-refusal", classes="hint", markup=False)
        with TaskOutput(id="task-output"):
            yield Static("", id="task-stages", markup=False)
            yield DataTable(id="task-items", cursor_type="row")

    def on_mount(self) -> None:
        self.query_one("#task-items", DataTable).add_columns("file", "type", "status", "lines kept", "tokens")
        self.query_one("#task-items").display = False

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "task-run":
            await self.submit()

    def on_select_changed(self, event: Select.Changed) -> None:
        """Picking a task fills the instruction with its wording, to run as it is or to edit."""
        if event.select.id == "task-select" and event.value is not Select.BLANK:
            self.query_one("#task-instruction", Input).value = str(self.tasks[str(event.value)])

    async def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id in ("task-files", "task-instruction"):
            event.stop()
            await self.submit()

    async def submit(self) -> None:
        task = self.query_one("#task-select", Select).value
        instruction = self.query_one("#task-instruction", Input).value.strip()
        if not instruction:
            self.refuse("type the instruction (or pick a task to start from its wording)")
            return
        if self.running:
            self.refuse("a task is still running: Esc cancels it")
            return
        files, types = [], {}
        for part in self.query_one("#task-files", Input).value.split(","):
            path, _, ctype = part.strip().partition("=")
            if path:
                files.append(path)
                if ctype:
                    types[path] = ctype.strip()
        if not files:
            self.refuse("name at least one context file: the task works on them (e.g. src/app.py=code)")
            return
        if not self.main.connection.can_send():
            self.refuse(f"no model server ({self.main.backend_label})")
            return
        template = task is not Select.BLANK and instruction == str(self.tasks[str(task)]).strip()
        name = str(task) if template else "own words"
        self.running = True
        self.say(f"{name}: running on {things(len(files), 'file')}… (Esc cancels)")  # this frame, until it ends
        view = await self.start(len(files))  # the run shows from its first frame
        self.worker = self.run_task(view, name, instruction, template, files, types)

    @property
    def main(self) -> MainScreen:
        return cast("MainScreen", self.screen)

    def cancel(self) -> None:
        """Esc: stop the task that runs (the partial answer stays)."""
        if self.worker and self.worker.is_running:
            self.worker.cancel()

    @work(exclusive=True, group="task", exit_on_error=False)
    async def run_task(
        self, view: AssistantMessage, task: str, wording: str, template: bool, files: list[str], types: dict[str, str]
    ) -> None:
        """Run a task as the chat runs an answer, as a conversation exchange: progress, streaming, live counters,
        Esc cancels (the partial answer stays), the stats line under it; a context file that can't be used is
        refused before any call. The user's own words are a question like any other (not the app's template), so
        named files are sent whole while they fit; a folder's files are picked by relevance."""
        from devsynth_tui.services.context.attachments import load_paths
        from devsynth_tui.services.context.items import ContextError, StageReport
        from devsynth_tui.services.context.view import view_of
        from devsynth_tui.services.llm.results import Delta
        from devsynth_tui.services.pipeline.request import Done, Notice, StreamEnded
        from devsynth_tui.services.requests import RequestRun, task_request, task_title

        main, session, state = self.main, self.main.session, self.main.state
        output = self.query_one("#task-output", TaskOutput)
        run = None
        try:
            try:
                items, listings = await asyncio.to_thread(load_paths, files, types)
            except ContextError as e:
                await self.drop(view, str(e))
                return
            pipeline = await main.connection.pipeline_when_connected(view.notice)
            if pipeline is None:
                await self.drop(view, f"no model server ({main.backend_label})")
                return
            tokens = sent_tokens(items)
            view.notice(f"preparing the request: {things(len(items), 'file')}, {tokens:,} tokens…")
            request = task_request(wording, task, items, template)
            request.listings = listings
            run = RequestRun(pipeline, request, session.conversations, title=task_title(task, items))
            async with aclosing(run.events()) as events:  # a cancel closes it here: the answer is stored
                async for event in events:
                    if isinstance(event, StageReport):  # before sending; a task alone, sent by bytes: once counted
                        self.show_stage(event)
                        if not run.answer.pieces:
                            view.notice("sent: waiting for the first token…")
                    elif isinstance(event, Notice):
                        view.notice(event.text)
                        state.set(notice=event.text)
                    elif isinstance(event, Delta):
                        if run.answer.pieces == 1:  # what it waited for (the prompt's processing) is over
                            view.notice(STREAMING)
                            state.set(notice="")
                        await view.take(event.text, event.thinking)
                        state.streamed("task", run.answer.pieces, run.answer.prepared)
                    elif isinstance(event, StreamEnded):  # on screen whole before it is counted
                        await view.stream_ended()
                        if output.is_anchored:  # it may have begun to follow in that frame: its scroll paints next
                            await view.painted()
                    elif isinstance(event, Done):
                        await view.finish(event.text, event.summary(), event.status, event.thinking_title())
                        if event.prepared:
                            self.show_prepared(event.prepared, {i.name: item_cost(i) for i in items})
                            state.set(fill=view_of(event.prepared).fill)  # the status line's "ctx 31 %"
                        self.post_message(RequestEnded(event))
        except asyncio.CancelledError:
            if run is None or run.answer.done is None:  # else it was shown whole: its storing's wait was cancelled
                await show_stopped(view, run.answer if run else None)
            self.post_message(RequestCancelled(run.answer.prepared if run else None))
            raise
        except ServiceError as e:  # the database refused the request's row (e.g. locked past the timeout)
            await view.finish(view.text, f"error: {e}", "error")
            self.notify(str(e), title="Not recorded", severity="error", timeout=10)
        finally:
            self.finished()
            state.stream_ended("task")
            state.set(notice="")

    def say(self, text: str, refused: bool = False) -> None:
        line = self.query_one("#task-refusal", Static)
        line.update(safe_text(text))
        line.set_class(refused, "refused")

    def refuse(self, reason: str) -> None:
        """Say in place why the task was not sent (nothing was asked of the model)."""
        self.running = False
        self.say(f"refused: {reason}", refused=True)

    def finished(self) -> None:
        """The run is over (done, failed or cancelled): what the pipeline did shows; the pane takes the next one."""
        self.running = False
        self.call_after_refresh(self._draw_stages)  # after the answer's last scroll: its end stays in view
        if not self.query_one("#task-refusal").has_class("refused"):
            self.say(self.HINT)

    async def start(self, files: int) -> AssistantMessage:
        """Clear the last run and show the new one from its first moment; returns the answer's view."""
        output = self.query_one("#task-output", TaskOutput)
        await output.query(AssistantMessage).remove()
        self.stages = []
        self.query_one("#task-stages", Static).update("")
        table = self.query_one("#task-items", DataTable)
        table.clear()
        table.display = False
        view = AssistantMessage()
        await output.mount(view, before=0)
        view.notice(f"reading {things(files, 'context file')}…")
        view.start_stream()
        output.anchor(False)
        output.scroll_home(animate=False)
        output.following = True
        return view

    async def drop(self, view: AssistantMessage, reason: str) -> None:
        """A run refused before anything was sent: its view goes, the reason stays in place."""
        await view.remove()
        self.refuse(reason)

    def show_stage(self, report: StageReport) -> None:
        """One stage of the pipeline, as it reports; drawn under the answer once it is over, so that while it
        streams the answer is the end of the output (the live bottom follows it)."""
        self.stages.append(
            f"[{report.stage}] {report.tokens_before:,} → {report.tokens_after:,} tokens"
            + "".join(f"\n    {n}" for n in report.notes)
        )

    def _draw_stages(self) -> None:
        if self.running:  # the next run started before this was drawn: its output is not this one's
            return
        output = self.query_one("#task-output", TaskOutput)
        output.following = False
        output.anchor(False)  # what is drawn under the answer does not scroll it away
        if self.stages:
            self.query_one("#task-stages", Static).update(
                safe_text("\n".join(["What the pipeline did:", *self.stages]))
            )
        table = self.query_one("#task-items", DataTable)
        table.display = table.row_count > 0

    def show_prepared(self, prep: Prepared, originals: dict[str, int]) -> None:
        """Each file's fate once the request is done: kept, cut, summarized or dropped, and its tokens (drawn
        with the stages when the run is over)."""
        table = self.query_one("#task-items", DataTable)
        table.clear()
        for item in prep.items:
            kept = ", ".join(f"{s}-{e}" for s, e in item.lines_kept) or "-"
            table.add_row(
                Text(safe_line(item.name)),
                item.type,
                item.status,
                kept,
                f"{originals.get(item.name, item_cost(item)):,} → {sent_tokens([item]):,}",  # as sent: dropped, 0
            )
        self.stages.append(f"prompt tokens {prep.tokens_before:,} → {prep.tokens_after:,}")
