"""The benchmark pane: start and stop a run, live progress, results, and plotext charts."""

from __future__ import annotations

import asyncio
import math
from typing import TYPE_CHECKING, cast

from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Checkbox, Input, Label, ProgressBar, Static

from devsynth_tui.services.errors import ServiceError
from devsynth_tui.services.sanitize import safe_line
from devsynth_tui.ui.failures import ReportsFailures
from devsynth_tui.ui.keys import Field

if TYPE_CHECKING:
    from textual.worker import Worker

    from devsynth_tui.ui.main_screen import MainScreen

# services.benchmark (the pipeline, httpx) and plotext load when the pane is first used, not at start-up


class BenchPane(ReportsFailures, Vertical):
    """Parameters, Start/Stop, a progress bar, then the results and two charts, which scroll.

    Every control fits in 80 columns; Enter in a field starts a run, Esc stops it.
    """

    worker: Worker | None = None  # the run while it runs

    def compose(self) -> ComposeResult:
        with Horizontal(classes="row"):
            yield Label("requests")
            yield Field("5", id="bench-requests", classes="bench-number", compact=True)
            yield Label("concurrency")
            yield Field("1", id="bench-concurrency", classes="bench-number", compact=True)
            yield Label("max tokens")
            yield Field("64", id="bench-max-tokens", classes="bench-number", compact=True)
            yield Checkbox("guide stages", True, id="bench-stages", compact=True)
        with Horizontal(classes="row"):
            yield Label("SLO")
            yield Field(
                "",
                placeholder="e.g. ttft_p90<=500ms (with concurrency 1,2,4: the highest level meeting it)",
                id="bench-slo-input",
                classes="bench-slo",
                compact=True,
            )
            yield Button("Start", id="bench-start", variant="primary", compact=True)
            yield Button("Stop", id="bench-stop", variant="error", disabled=True, compact=True)
        yield ProgressBar(total=100, id="bench-progress", show_eta=False)  # determinate: no animation when idle
        yield Static("Enter in a field or Start runs a benchmark; Esc stops it.", id="bench-status", markup=False)
        yield Static("", id="bench-slo", markup=False)
        from textual_plotext import PlotextPlot

        with VerticalScroll(id="bench-results"):
            yield Static("No run yet.", id="bench-text", markup=False)
            with Horizontal(id="bench-charts"):
                yield PlotextPlot(id="bench-latency")
                yield PlotextPlot(id="bench-history")

    def on_mount(self) -> None:
        self._show_last()

    @work(thread=True, group="bench-last", exit_on_error=False)
    def _show_last(self) -> None:
        """The last stored run, as it was shown when it ended: the pane opened after a restart is not empty."""
        from devsynth_tui.services.benchmark import runner as bm  # show() needs it: its import held the pane's opening

        store = cast("MainScreen", self.screen).session.store
        if runs := bm.list_runs(store, 1):
            run, history = bm.load_run(store, runs[0]["id"]), serving_history(store)
            self.app.call_from_thread(self._show_unless_running, run, history)

    def _show_unless_running(self, run, history: list[tuple[int, float]]) -> None:
        """A run stored before: the bar full if it completed; hidden if not (how far it got is not stored)."""
        if self.worker is None:  # a run started meanwhile shows its own
            self.show(run, history)
            bar = self.query_one(ProgressBar)
            bar.update(total=1, progress=1)
            bar.display = run.status == "complete"

    def options(self):
        """The run's parameters (an Options), checked; BenchmarkError names a bad one."""
        from devsynth_tui.services.benchmark.runner import BenchmarkError, Options

        def number(widget_id: str, name: str) -> int:
            text = self.query_one(f"#{widget_id}", Input).value.strip()
            try:
                return int(text)
            except ValueError:
                raise BenchmarkError(f"{name} {text!r}: expected a whole number") from None

        levels = self.query_one("#bench-concurrency", Input).value
        try:
            concurrency = [int(v) for v in levels.split(",") if v.strip()]
        except ValueError:
            raise BenchmarkError(f"concurrency {levels!r}: expected whole numbers like 1,2,4") from None
        slo = self.query_one("#bench-slo-input", Input).value.strip() or None
        opts = Options(
            number("bench-requests", "requests"),
            1,
            concurrency or [1],
            number("bench-max-tokens", "max tokens"),
            stages=self.query_one("#bench-stages", Checkbox).value,
            slo=slo,
        )
        opts.check()
        return opts

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "bench-start":
            self.start()
        elif event.button.id == "bench-stop":
            self.cancel()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if not self.query_one("#bench-start", Button).disabled:
            self.start()

    def start(self) -> None:
        from devsynth_tui.services.benchmark.runner import BenchmarkError

        try:
            options = self.options()
        except BenchmarkError as e:
            self.query_one("#bench-status", Static).update(f"refused: {e}")
            return
        main = cast("MainScreen", self.screen)
        if main.session.backend is None:
            self.notify(f"no model server yet ({main.backend_label})", severity="warning")
            return
        self.worker = self.run_benchmark(options)

    def cancel(self) -> None:
        """Esc or Stop: the run ends, stored as incomplete with what finished."""
        if self.worker and self.worker.is_running:
            self.worker.cancel()

    @work(exclusive=True, group="benchmark", exit_on_error=False)
    async def run_benchmark(self, options) -> None:
        """A run in the background on a pipeline of its own (cache off, fixed seed): the chat stays usable.

        Its requests are this session's like any other: the ledger, hence every figure, counts them."""
        from devsynth_tui.services.benchmark import runner as bm

        session = cast("MainScreen", self.screen).session
        runner = bm.Runner(session.new_pipeline(), session.store)
        self.running(True)
        try:
            async for event in runner.run(options):
                if isinstance(event, bm.Progress):
                    self.progress(event.done, event.total, event.label)
                else:
                    self.show_run(event)
        except asyncio.CancelledError:
            self.show_stopped(runner, "stopped before the run began: nothing stored")
            raise
        except (bm.BenchmarkFailed, ServiceError) as e:
            self.notify(f"benchmark stopped: {e}", severity="error")
            self.show_stopped(runner, f"stopped: {e}")
        finally:
            self.running(False)

    def show_stopped(self, runner, why: str) -> None:
        """A stopped run: what it stored (as incomplete), else ``why`` nothing was."""
        from devsynth_tui.services.benchmark import runner as bm

        if runner.last_id:
            self.show_run(bm.load_run(cast("MainScreen", self.screen).session.store, runner.last_id))
        else:
            self.query_one("#bench-status", Static).update(safe_line(why))

    def show_run(self, run) -> None:
        """A run's results, with the serving speed of the last 20 runs."""
        self.show(run, serving_history(cast("MainScreen", self.screen).session.store))

    def running(self, on: bool) -> None:
        self.query_one("#bench-start", Button).disabled = on
        self.query_one("#bench-stop", Button).disabled = not on
        if on:
            bar = self.query_one(ProgressBar)
            bar.display, bar.progress = True, 0  # not the full bar of a run shown before
            self.query_one("#bench-status", Static).update("starting… (Esc stops)")

    def progress(self, done: int, total: int, label: str) -> None:
        self.query_one(ProgressBar).update(total=total, progress=done)
        self.query_one("#bench-status", Static).update(f"{done}/{total} · {label} (Esc stops)")

    def show(self, run, history: list[tuple[int, float]]) -> None:
        """A stored RunResult as text and charts; ``history`` is (run id, output tokens/s) of stored runs."""
        from textual_plotext import PlotextPlot

        from devsynth_tui.services.benchmark.runner import format_run, format_slo

        self.query_one("#bench-text", Static).update(format_run(run))
        self.query_one("#bench-status", Static).update(f"run {run.id}: {run.status}")
        self.query_one("#bench-slo", Static).update(format_slo(run.slo))
        latency = self.query_one("#bench-latency", PlotextPlot)
        latency.plt.clear_figure()
        if run.slo and len(run.serving) > 1:
            self._draw_slo(latency.plt, run)
        else:
            draw_latency(latency.plt, [r["e2e"] * 1000 for r in run.requests])
        latency.refresh()
        chart = self.query_one("#bench-history", PlotextPlot)
        chart.plt.clear_figure()
        chart.plt.title("output tokens/s, stored runs")
        if history:
            chart.plt.bar([str(run_id) for run_id, _ in history], [tps for _, tps in history])
        chart.refresh()

    @staticmethod
    def _draw_slo(plt, run) -> None:
        """Each objective's measured value per concurrency level (ms), its bound as a line, and the answer as title."""
        from devsynth_tui.services.benchmark.runner import parse_slo

        levels = [lvl["concurrency"] for lvl in run.serving]
        best = run.slo.get("best")
        plt.title(f"SLO met up to concurrency {best}" if best else "SLO met at no level")
        plt.xlabel("concurrency")
        for objective in parse_slo(",".join(run.slo["objectives"])):
            values = [(lvl.get(objective.metric) or {}).get(objective.stat, 0) * 1000 for lvl in run.serving]
            plt.plot(levels, values, label=f"{objective.metric} {objective.stat} (ms)", marker="braille")
            plt.hline(objective.bound * 1000)


def serving_history(store, runs: int = 20) -> list[tuple[int, float]]:
    """(run id, output tokens/s) of the last ``runs`` stored runs that served, oldest first."""
    from devsynth_tui.services.benchmark.runs import list_runs, load_run

    history = []
    for row in reversed(list_runs(store, runs)):
        stored = load_run(store, row["id"])
        if stored.serving:
            history.append((row["id"], stored.serving[0]["output_tokens_per_s"]))
    return history


def draw_latency(plt, e2e_ms: list[float]) -> None:
    """Each request's end-to-end latency as a bar, in the order stored, on a value axis in ms from 0."""
    plt.title("e2e latency per request (ms)")
    if not e2e_ms:
        return
    plt.bar(list(range(1, len(e2e_ms) + 1)), e2e_ms)
    plt.xlabel("request")
    ticks, labels = ms_ticks(max(e2e_ms))
    plt.ylim(0, ticks[-1])
    plt.yticks(ticks, labels)


def ms_ticks(top: float, steps: int = 4) -> tuple[list[float], list[str]]:
    """Round ticks from 0 past ``top`` (ms), labelled as whole milliseconds: "0", "1,000", "2,000"…"""
    raw = top / steps or 1.0
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    ticks = [i * step for i in range(math.ceil(top / step) + 1)]
    return ticks, [f"{t:,.0f}" for t in ticks]
