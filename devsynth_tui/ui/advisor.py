"""The Advisor pane: the guide's troubleshooting checklist (§6) as findings from this session's figures.

It checks again by itself (every ADVISOR_SECONDS while idle, after every request) and tracks what was applied
from it, with the before/after figure once the next requests ran.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from devsynth_tui.services.sanitize import safe_line, safe_text
from devsynth_tui.ui.failures import ReportsFailures

if TYPE_CHECKING:
    from devsynth_tui.services.advisor.checks import Advice, Finding
    from devsynth_tui.ui.main_screen import MainScreen

SEVERITY_MARK = {"critical": "✖ critical", "warning": "▲ warning", "info": "● info"}
ADVISOR_SECONDS = 30  # between two checks while idle (and after every answer)
OUTCOME_REQUESTS = 5  # an applied finding's before/after figure covers this many requests


@dataclass
class Applied:
    """A finding applied from the Advisor pane, and its before/after figure once the next requests ran."""

    finding: Finding
    at: float
    outcome: str = ""


class AdvisorPane(ReportsFailures, Vertical):
    """Findings worst first: Enter applies one to this session, ctrl+s saves it, r checks again."""

    BINDINGS = [("r", "recheck", "Check again")]

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.findings: list[Finding] = []
        self.applied: list[Applied] = []
        self.advised_at = time.monotonic()

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
            table.add_row(
                SEVERITY_MARK[f.severity], f.area, Text(safe_line(f.title)), "yes" if f.fixable else "step", key=str(n)
            )
        checks = [f.check for f in advice.findings]
        if current and current.check in checks:
            table.move_cursor(row=checks.index(current.check))
        if not advice.findings:
            skipped = "".join(f"\n  not checked: {reason}" for reason in advice.skipped)
            self.query_one("#advisor-detail", Static).update(
                f"No findings on the ledger {advice.window} (requests: {advice.requests:,}): nothing in the guide's"
                f" checklist applies.{skipped}"
            )
        else:
            self._describe(self._current())

    def show_outcomes(self, lines: list[str]) -> None:
        self.query_one("#advisor-outcomes", Static).update(safe_text("\n".join(lines)))

    def _current(self) -> Finding | None:
        table = self.query_one(DataTable)
        if not table.row_count or not self.findings:
            return None
        return self.findings[min(table.cursor_row, len(self.findings) - 1)]

    def _describe(self, f: Finding | None) -> None:
        if f is None:
            return
        self.query_one("#advisor-detail", Static).update(
            safe_text(f"{f.title}\n  saw:    {f.saw}\n  why:    {f.why}\n  change: {f.change_text()}")
        )

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._describe(self._current())

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if (finding := self._current()) is not None:
            self.apply(finding)

    def apply(self, finding: Finding) -> None:
        """Apply a finding's change to this session (ctrl+s saves it); a finding with only a step says it."""
        from devsynth_tui.services.advisor.checks import apply_actions

        if not finding.fixable:
            self.notify(f"nothing to apply here: {finding.step}", timeout=10)
            return
        main = self.main
        for key, value in finding.change.items():
            main.set_param(key, value)
        if finding.action and (done := apply_actions(finding, main.cfg, main.session.home)):
            self.notify(done)
        keys = ", ".join(finding.change) or finding.action
        self.notify(f"applied to this session: {keys}" + (" (ctrl+s saves)" if finding.change else ""))
        self.track(finding)

    def action_recheck(self) -> None:
        self.recheck()

    @property
    def main(self) -> MainScreen:
        return cast("MainScreen", self.screen)

    def due(self) -> bool:
        """Is it time to check again while idle?"""
        return time.monotonic() - self.advised_at >= ADVISOR_SECONDS

    @work(thread=True, exclusive=True, group="advisor", exit_on_error=False)
    def recheck(self) -> None:
        """The checks on this session's figures, off the event loop (SQL aggregates, a psutil reading)."""
        from devsynth_tui.services.advisor import checks as advisor
        from devsynth_tui.services.advisor.facts import gather_facts

        self.advised_at = time.monotonic()
        main = self.main
        session, backend = main.session, main.session.backend
        facts = gather_facts(
            session.cfg,
            session.store,
            session.home,
            since=max(advisor.default_since(session.cfg), main.config_changed_at),
            server_pid=backend.embedded.pid if backend and backend.embedded else None,
            models=main.models,
            active_model=main.model,
            backend=backend.kind if backend else None,
            samples=main.sampler.samples if main.sampler else (),
        )
        advice = advisor.advise(facts)
        outcomes = {}
        for applied in self.applied:
            measure = applied.finding.measure
            if measure and not applied.outcome:
                result = advisor.outcome(session.store, measure, applied.at, OUTCOME_REQUESTS)
                if result:
                    outcomes[id(applied)] = result.text()
        self.app.call_from_thread(self.advised, advice, outcomes)

    def advised(self, advice: Advice, outcomes: dict[int, str]) -> None:
        """Show a check's findings and the outcomes it measured (by ``id`` of the Applied), all in one go."""
        for applied in self.applied:
            if id(applied) in outcomes:
                applied.outcome = outcomes[id(applied)]
                self.notify(f"{applied.finding.title}: {applied.outcome}")
        self.show(advice)
        self.show_applied()

    def track(self, finding: Finding) -> None:
        """A finding was applied to this session: its outcome is measured on the next requests."""
        self.applied.append(Applied(finding, time.time()))
        self.show_applied()
        self.recheck()

    def show_applied(self) -> None:
        lines = []
        for a in self.applied:
            waiting = f"waiting for the next {OUTCOME_REQUESTS} requests" if a.finding.measure else "applied"
            lines.append(f"applied: {a.finding.title} — {a.outcome or waiting}")
        self.show_outcomes(lines)
