"""Side panels: live token counters and resource sparklines; the status line."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Sparkline, Static

from devsynth_tui.services.ledger import LedgerRow, Report
from devsynth_tui.services.resource_monitor import Sample, sparkline


def _counts(prompt: int, completion: int, saved: int, cost: float) -> str:
    return (f"prompt {prompt:>9,}   completion {completion:>7,}\n"
            f"total  {prompt + completion:>9,}   saved      {saved:>7,}\n"
            f"estimated cost ${cost:.4f}")


class TokenPanel(Vertical):
    """Session and all-time counters, the last request, and tokens per request."""

    def compose(self) -> ComposeResult:
        yield Static("Tokens · this session", classes="panel-title")
        yield Static("", id="session-counts", markup=False)
        yield Static("Tokens · all time", classes="panel-title")
        yield Static("", id="all-time-counts", markup=False)
        yield Static("Last request", classes="panel-title")
        yield Static("none yet", id="last-request", markup=False)
        yield Sparkline([], id="tokens-per-request")
        yield StageWaterfall(id="stage-waterfall")

    def show(self, session: Report, all_time: Report, live_completion: int = 0) -> None:
        """Counters from the ledger; ``live_completion`` is the estimate for answers still streaming."""
        self.query_one("#session-counts", Static).update(
            _counts(session.prompt_tokens, session.completion_tokens + live_completion, session.tokens_saved, session.cost))
        self.query_one("#all-time-counts", Static).update(
            _counts(all_time.prompt_tokens, all_time.completion_tokens + live_completion, all_time.tokens_saved, all_time.cost))

    def show_last(self, row: LedgerRow, history: list[int]) -> None:
        ttft = f"{row.ttft:.2f} s" if row.ttft is not None else "-"
        tps = f"{row.tps:.1f} tok/s" if row.tps else "-"
        source = {"server": "server usage", "estimate": "estimated", "cache": "cache hit"}[row.usage_source]
        self.query_one("#last-request", Static).update(
            f"{row.model or '?'} · {row.status}\n{row.prompt_tokens:,} + {row.completion_tokens:,} tokens ({source})"
            f"\nsaved {row.tokens_saved:,} · ttft {ttft} · {tps}")
        self.query_one("#tokens-per-request", Sparkline).data = history[-40:] or [0]


class StageWaterfall(Vertical):
    """The last request's optimization stages as bars: tokens kept after each stage, and saved by it.

    Hidden until a request has stages; the plot widget (plotext) is created on first use
    and drawn once per request."""

    DEFAULT_CSS = "StageWaterfall { display: none; height: 12; } StageWaterfall.shown { display: block; }"

    def show_stages(self, stages: list[tuple[str, int, int]]) -> None:
        """``stages``: (stage, tokens before, tokens after), in order."""
        from textual_plotext import PlotextPlot

        if not stages:
            return
        if not self.children:
            self.mount(PlotextPlot())
        plot = self.query_one(PlotextPlot)
        plt = plot.plt
        plt.clear_figure()
        plt.title("last request: tokens saved per stage")
        labels = [stage.split(":")[-1].replace("_", " ")[:14] for stage, _, _ in stages]
        kept = [after for _, _, after in stages]
        saved = [max(0, before - after) for _, before, after in stages]
        plt.stacked_bar(labels, [kept, saved], labels=["kept", "saved"], orientation="horizontal", width=0.6)
        self.add_class("shown")
        plot.refresh()


class ResourcePanel(Static):
    """CPU, memory and disk sparklines from the shared sampler, drawn as one text block.

    One widget redrawn once a sample (instead of a dozen) keeps the idle dashboard cheap.
    """

    SERIES = [
        ("cpu_percent", "CPU (machine)"),
        ("memory_percent", "Memory (machine)"),
        ("rss_mb", "devsynth-tui memory"),
        ("server_rss_mb", "Embedded server memory"),
        ("disk_read_bps", "Disk read"),
        ("disk_write_bps", "Disk write"),
    ]

    def show(self, samples: list[Sample], alerts: list[str]) -> None:
        if not samples:
            return
        last, width = samples[-1], max(10, self.size.width or 40)
        lines = ["Resources"]
        for field, title in self.SERIES:
            values = [getattr(s, field) for s in samples if getattr(s, field) is not None]
            lines += [f"{title}: {_format(field, getattr(last, field))}", sparkline(values, width) or "-"]
        lines.append(f"Disk: {last.disk_percent:.1f}% used, {last.disk_free_gb:.1f} GB free")
        lines += [f"⚠ {a}" for a in alerts[-3:]]
        self.update("\n".join(lines))


def _format(field: str, value: float | None) -> str:
    if value is None:
        return "-"
    if field.endswith("percent"):
        return f"{value:.1f}%"
    if field.endswith("_mb"):
        return f"{value:.0f} MB"
    return f"{value / 1024 / 1024:.2f} MB/s"


class StatusLine(Static):
    """Backend, active model and alerts, in one line."""

    def show(self, backend: str, model: str | None, alerts: list[str], session: Report) -> None:
        alert = f" · ⚠ {alerts[-1]}" if alerts else ""
        tokens = f"{session.total_tokens:,} tokens, {session.tokens_saved:,} saved"
        self.update(f"{backend} · model {model or '-'} · {tokens}{alert}")
        self.set_class(bool(alerts), "alert")
