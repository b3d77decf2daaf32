"""The context view: what one request sends (or would send), by component, with tokens and share of the window.

Opened with ctrl+k from the chat: for the prompt being written with its attachments
(before sending), else for the last answer. It shows the data ``ContextView.as_json()``
holds (the same ``ask --json`` and ``optimize --json`` carry): each component, its
tokens and share of the model's window, how it was sent (whole, which line ranges,
summarized, dropped) and why; a folder's files picked, cut and skipped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from devsynth_tui.services.context.view import sent_as, tokens_said
from devsynth_tui.services.sanitize import safe_line

if TYPE_CHECKING:
    from rich.console import JustifyMethod

COLUMNS = ("component", "tokens", "window", "sent as", "why")  # sent as: services.context.view.sent_as
JUSTIFY: tuple[JustifyMethod, ...] = ("left", "right", "right", "left", "left")
WHY_MIN = 20  # columns the why needs to be worth showing cut; with fewer, only the line under the table shows it


def _cells(part: dict) -> list[str]:
    """One component's row, as text shown literally."""
    share = f"{part['share']:.1%}" if part["share"] is not None else "-"
    return [
        safe_line(part["name"], 48),
        f"{part['tokens']:,}",
        share,
        safe_line(sent_as(part), 40),
        safe_line(part["why"], 120),
    ]


def headline(view: dict, when: str) -> str:
    """The view's first line: tokens, the window and its fill, the model; ``when`` says which request."""
    window, fill = view.get("window"), view.get("fill")
    of = f" of a {window:,}-token window: {fill:.0%} full" if window and fill is not None else " (window unknown)"
    return f"{when}: {tokens_said(view)}{of} · model {safe_line(view['model'] or '-', 40)}  (Esc closes)"


class ContextViewScreen(ModalScreen[None]):
    """One request's context view; Esc (or ctrl+k again) closes it."""

    BINDINGS = [("escape", "dismiss(None)", "Close"), ("ctrl+k", "dismiss(None)", "Close")]

    def __init__(self, view: dict, when: str = "Last answer") -> None:
        super().__init__()
        self.view, self.when = view, when

    def compose(self) -> ComposeResult:
        with Vertical(id="context-view"):
            yield Static(headline(self.view, self.when), id="context-headline", markup=False)
            yield DataTable(id="context-parts", cursor_type="row", zebra_stripes=True)
            yield Static("", id="context-why", markup=False)

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        self.call_after_refresh(self._fill)  # once the table has its width

    def on_resize(self) -> None:
        self.call_after_refresh(self._fill)

    def _fill(self) -> None:
        """The table fitted to its width: the last column shown cut with "…" to the room left, and the why column not
        shown at all when too little room is left for it (the highlighted row's is in full under the table)."""
        table = self.query_one(DataTable)
        rows = [_cells(part) for part in self.view["parts"]]
        widths = [max(cell_len(text) for text in [label, *(row[n] for row in rows)]) for n, label in enumerate(COLUMNS)]
        scrollbar = 0 if table.show_vertical_scrollbar else table.styles.scrollbar_size_vertical  # room for it kept
        room = table.scrollable_content_region.width - scrollbar - 2 * table.cell_padding * len(COLUMNS)
        shown = len(COLUMNS) if room - sum(widths[:-1]) >= min(widths[-1], WHY_MIN) else len(COLUMNS) - 1
        room += 2 * table.cell_padding * (len(COLUMNS) - shown)
        widths[shown - 1] = max(3, min(widths[shown - 1], room - sum(widths[: shown - 1])))
        row = table.cursor_row
        table.clear(columns=True)
        for label, width in zip(COLUMNS[:shown], widths):
            table.add_column(label, width=width)
        for cells in rows:
            table.add_row(
                *(
                    Text(cell, justify=JUSTIFY[n], no_wrap=True, overflow="ellipsis")
                    for n, cell in enumerate(cells[:shown])
                )
            )
        table.move_cursor(row=row)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """The highlighted component in full under the table (a narrow terminal cuts the why column)."""
        part = self.view["parts"][event.cursor_row]
        detail = f"{part['name']}: {sent_as(part)}" + (f" - {part['why']}" if part["why"] else "")
        self.query_one("#context-why", Static).update(safe_line(detail, 400))
