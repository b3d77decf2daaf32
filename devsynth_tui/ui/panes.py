"""The models pane, the task runner, and the dialogs: conversations, renaming, questions before anything is lost."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Input, Label, ListItem, ListView, Select, Static

from devsynth_tui.ui.chat import AssistantMessage

if TYPE_CHECKING:  # the pipeline (httpx, tiktoken) loads after the first screen
    from devsynth_tui.services.context.items import StageReport
    from devsynth_tui.services.llm.client import ModelInfo
    from devsynth_tui.services.pipeline import Prepared
    from devsynth_tui.services.store.conversations import Conversation


class ModelsPane(Vertical):
    """The server's models: Enter makes one active, l loads, u unloads (LM Studio 0.4), r refreshes.

    Shows how the last request was routed.
    """

    BINDINGS = [("l", "load", "Load"), ("u", "unload", "Unload"), ("r", "refresh", "Refresh")]

    class Picked(Message):
        def __init__(self, model: str) -> None:
            super().__init__()
            self.model = model

    class Manage(Message):
        """Load, unload or refresh: ``action`` is load | unload | refresh."""

        def __init__(self, action: str, model: str | None) -> None:
            super().__init__()
            self.action, self.model = action, model

    def compose(self) -> ComposeResult:
        yield Static(
            "Models on the server: Enter makes one active · l loads · u unloads · r refreshes",
            classes="hint",
            markup=False,
        )
        yield DataTable(id="models-table", cursor_type="row")
        yield Static("", id="routing", markup=False)

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns("", "model", "state", "size", "params", "quantization", "context", "type")

    def show(self, models: list[ModelInfo], active: str | None) -> None:
        """The models, the cursor staying on the model it was on."""
        table = self.query_one(DataTable)
        current = self._current()
        table.clear()
        for m in models:
            state = {True: "loaded", False: "not loaded", None: "-"}[m.loaded]
            size = f"{m.size_bytes / 1e9:.2f} GB" if m.size_bytes else "-"
            table.add_row(
                "●" if m.id == active else "",
                m.id,
                state,
                size,
                m.params or "-",
                m.quantization or "-",
                str(m.context_length or "-"),
                m.type or "-",
                key=m.id,
            )
        if current is not None and current in {m.id for m in models}:
            table.move_cursor(row=table.get_row_index(current))

    def show_routing(self, text: str) -> None:
        self.query_one("#routing", Static).update(text)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.post_message(self.Picked(str(event.row_key.value)))

    def _current(self) -> str | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    def action_load(self) -> None:
        self.post_message(self.Manage("load", self._current()))

    def action_unload(self) -> None:
        self.post_message(self.Manage("unload", self._current()))

    def action_refresh(self) -> None:
        self.post_message(self.Manage("refresh", None))


class TasksPane(Vertical):
    """Tasks from config, run on typed context files.

    The answer streams in as in the chat (Esc cancels, the partial answer stays), with the same stats line
    under it, then what the pipeline did with each file; the whole output scrolls. A context file that
    can't be used is refused in place, before any model call.
    """

    HINT = "Enter or Run sends the task; its answer streams below (Esc cancels)."

    class Run(Message):
        def __init__(self, task: str, files: list[str], types: dict[str, str]) -> None:
            super().__init__()
            self.task, self.files, self.types = task, files, types

    def __init__(self, tasks: dict[str, str], **kwargs) -> None:
        super().__init__(**kwargs)
        self.tasks = tasks
        self.running = False
        self.stages: list[str] = []

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
        yield Input(
            placeholder="context files: path[=requirements|tests|code|documentation], ...",
            id="task-files",
            compact=True,
        )
        yield Static(self.HINT, id="task-refusal", classes="hint", markup=False)
        with VerticalScroll(id="task-output"):
            yield Static("", id="task-stages", markup=False)
            yield DataTable(id="task-items", cursor_type="row")

    def on_mount(self) -> None:
        self.query_one("#task-items", DataTable).add_columns("file", "type", "status", "lines kept", "tokens")
        self.query_one("#task-items").display = False

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "task-run":
            self.submit()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "task-files":
            event.stop()
            self.submit()

    def submit(self) -> None:
        task = self.query_one("#task-select", Select).value
        if task is Select.BLANK:
            self.refuse("define a task under `tasks:` in your config first")
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
        self.running = True
        self.say(f"{task}: starting on {len(files)} file{'s' if len(files) != 1 else ''}… (Esc cancels)")  # this frame
        self.post_message(self.Run(str(task), files, types))

    def say(self, text: str, refused: bool = False) -> None:
        line = self.query_one("#task-refusal", Static)
        line.update(text)
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
        output = self.query_one("#task-output", VerticalScroll)
        await output.query(AssistantMessage).remove()
        self.stages = []
        self.query_one("#task-stages", Static).update("")
        table = self.query_one("#task-items", DataTable)
        table.clear()
        table.display = False
        view = AssistantMessage()
        await output.mount(view, before=0)
        view.notice(f"reading {files} context file{'s' if files != 1 else ''}…")
        view.start_stream()
        output.scroll_home(animate=False)
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
        if self.stages:
            self.query_one("#task-stages", Static).update("\n".join(["What the pipeline did:", *self.stages]))
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
                Text(item.name),
                item.type,
                item.status,
                kept,
                f"{originals.get(item.name, item.tokens):,} → {item.tokens:,}",
            )
        self.stages.append(f"prompt tokens {prep.tokens_before:,} → {prep.tokens_after:,}")


class ConversationPicker(ModalScreen[int | None]):
    """Pick a stored conversation to reopen."""

    BINDINGS = [("escape", "dismiss(None)", "Close")]

    def __init__(self, conversations: list[Conversation]) -> None:
        super().__init__()
        self.conversations = conversations

    def compose(self) -> ComposeResult:
        from devsynth_tui.services.store.ledger import format_ts

        with Vertical():
            if not self.conversations:
                yield Label(
                    "No stored conversations yet: a first message in the Chat pane starts one. (Esc closes)",
                    id="no-conversations",
                )
                return
            yield Label("Conversations (Enter opens, Esc closes)")
            yield ListView(
                *[
                    ListItem(Label(f"{format_ts(c.updated)}  {c.title}", markup=False), id=f"c{c.id}")
                    for c in self.conversations
                ]
            )

    def on_list_view_selected(self, event: ListView.Selected) -> None:
        if event.item.id:  # c<conversation id>
            self.dismiss(int(event.item.id[1:]))


class RenameScreen(ModalScreen[str | None]):
    """Ask for a new conversation title."""

    BINDINGS = [("escape", "dismiss(None)", "Close")]

    def __init__(self, title: str) -> None:
        super().__init__()
        self.current = title

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("New title (Enter saves, Esc cancels)")
            yield Input(self.current, id="rename-input")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)


class Choice(ModalScreen[str | None]):
    """A question with a few answers, each on a key and a button (Enter takes the first); Esc answers None."""

    BINDINGS = [("escape", "dismiss(None)", "Cancel")]

    def __init__(self, question: str, answers: list[tuple[str, str, str]]) -> None:
        """``answers``: (key, label, value) each."""
        super().__init__()
        self.question, self.answers = question, answers

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.question, markup=False)
            with Horizontal(classes="row"):
                for key, label, value in self.answers:
                    yield Button(f"{label} ({key})", id=f"choice-{value}", compact=True)
                yield Button("Cancel (Esc)", id="choice-cancel", compact=True)

    def on_key(self, event) -> None:
        for key, _, value in self.answers:
            if event.key == key:
                event.stop()
                self.dismiss(value)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        value = (event.button.id or "").removeprefix("choice-")
        self.dismiss(None if value == "cancel" else value)
