"""The Advisor pane: the guide's troubleshooting checklist (§6) as findings from this session's figures."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Static

if TYPE_CHECKING:
    from devsynth_tui.services.advisor.checks import Advice, Finding

SEVERITY_MARK = {"critical": "✖ critical", "warning": "▲ warning", "info": "● info"}


class AdvisorPane(Vertical):
    """Findings worst first: Enter applies one to this session, ctrl+s saves it, r checks again."""

    BINDINGS = [("r", "recheck", "Check again")]

    class Apply(Message):
        def __init__(self, finding: Finding) -> None:
            super().__init__()
            self.finding = finding

    class Recheck(Message):
        pass

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.findings: list[Finding] = []

    def compose(self) -> ComposeResult:
        yield Static(
            "Findings from your own figures (guide §6): Enter applies one to this session · ctrl+s saves · "
            "r checks again",
            classes="hint",
            markup=False,
        )
        yield DataTable(id="advisor-table", cursor_type="row")
        yield Static("checking…", id="advisor-detail", markup=False)
        yield Static("", id="advisor-outcomes", markup=False)

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns("severity", "area", "finding", "change")

    def show(self, advice: Advice) -> None:
        """The findings, the cursor staying on the check it was on."""
        table = self.query_one(DataTable)
        current = self._current()
        self.findings = advice.findings
        table.clear()
        for n, f in enumerate(advice.findings):
            table.add_row(SEVERITY_MARK[f.severity], f.area, Text(f.title), "yes" if f.fixable else "step", key=str(n))
        checks = [f.check for f in advice.findings]
        if current and current.check in checks:
            table.move_cursor(row=checks.index(current.check))
        if not advice.findings:
            skipped = "".join(f"\n  not checked: {reason}" for reason in advice.skipped)
            self.query_one("#advisor-detail", Static).update(
                f"No findings on the ledger {advice.window}: nothing in the guide's checklist applies.{skipped}"
            )
        else:
            self._describe(self._current())

    def show_outcomes(self, lines: list[str]) -> None:
        self.query_one("#advisor-outcomes", Static).update("\n".join(lines))

    def _current(self) -> Finding | None:
        table = self.query_one(DataTable)
        if not table.row_count or not self.findings:
            return None
        return self.findings[min(table.cursor_row, len(self.findings) - 1)]

    def _describe(self, f: Finding | None) -> None:
        if f is None:
            return
        from devsynth_tui.services.sanitize import safe_text

        self.query_one("#advisor-detail", Static).update(
            safe_text(f"{f.title}\n  saw:    {f.saw}\n  why:    {f.why}\n  change: {f.change_text()}")
        )

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._describe(self._current())

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if (finding := self._current()) is not None:
            self.post_message(self.Apply(finding))

    def action_recheck(self) -> None:
        self.post_message(self.Recheck())
