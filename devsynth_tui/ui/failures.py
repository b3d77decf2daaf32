"""The one error path for the dashboard's workers: a failure's traceback to the log file, one line on screen.

Textual tells a worker's state only to the node that started it (the message does not bubble), so every
node that runs workers takes this one handler by inheriting ``ReportsFailures``.
"""

from __future__ import annotations

from textual.dom import DOMNode
from textual.worker import Worker, WorkerState

from devsynth_tui.services.app_log import LOG_NAME, record


def report(node: DOMNode, error: Exception, what: str) -> None:
    """Something failed unexpectedly: its traceback to the log file, one line naming the file on screen (said
    once: the same failure again, e.g. a check that fails at every recheck, is logged but not said again)."""
    from devsynth_tui.services.errors import describe

    record(error, f"{what} failed")
    log = getattr(node.app, "log_file", LOG_NAME)
    line = f"{what} failed: {describe(error)} — details in {log}"
    said: set[str] = getattr(node.app, "failures_said", set())
    if line not in said:
        said.add(line)
        node.app.notify(line, severity="error", timeout=10)


class ReportsFailures:
    """A node whose failed workers are reported (never swallowed): mix in before the Textual base class."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        error = event.worker.error
        if event.state is WorkerState.ERROR and isinstance(error, Exception):
            assert isinstance(self, DOMNode)
            report(self, error, event.worker.group)
