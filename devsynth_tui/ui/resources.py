"""The Resources pane: CPU per core and total, memory, disk and token throughput over time, full width, with the
requests marked on the time axis so a spike can be tied to the request that caused it.

Charts share one time axis (seconds before now) over the last minute, 10 minutes or hour (``w`` switches);
each value axis has a stated range: CPU 0-100 %, memory 0 to the machine's total, disk and tokens/s 0 to the
window's peak. Each request is a vertical line where it was sent; the throughput chart also marks its first
token (●) and its end (■).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from devsynth_tui.services.resources.monitor import Sample

WINDOWS = ((60, "last minute"), (600, "last 10 minutes"), (3600, "last hour"))
BUCKETS = 120  # throughput buckets across the window
CHARTS = ("cpu", "memory", "disk", "tokens")


def time_ticks(window: int) -> tuple[list[int], list[str]]:
    """Ticks on the time axis (seconds before now, negative) with labels like "-10 min" and "now"."""
    step, unit, name = {60: (15, 1, "s"), 600: (120, 60, "min"), 3600: (900, 60, "min")}[window]
    ticks = [-window + i * step for i in range(window // step + 1)]
    return ticks, [f"{t // unit} {name}" if t else "now" for t in ticks]


def request_marks(requests: Iterable[dict], now: float, window: int) -> list[tuple[float | None, float | None, float]]:
    """(sent, first token, end) of each request ending within the window, in seconds before ``now`` (at most 0);
    from ledger rows (``ts`` is the end, ``duration`` the whole request, ``ttft`` to the first token). A moment
    before the window is None: plotext would draw it over the axis's numbers, or fail on a labelled series with no
    point to draw."""
    marks = []
    for r in requests:
        end = r["ts"] - now  # after the last sample (at most an interval): drawn at "now"
        if end < -window:
            continue
        sent = end - (r.get("duration") or 0.0)
        first = sent + r["ttft"] if r.get("ttft") is not None else None
        marks.append((_inside(sent, window), _inside(first, window), min(end, 0.0)))
    return marks


def _inside(moment: float | None, window: int) -> float | None:
    return min(moment, 0.0) if moment is not None and moment >= -window else None


def throughput(requests: Iterable[dict], now: float, window: int) -> tuple[list[float], list[float]]:
    """Tokens per second generated across the window (each answer's tokens spread from its first token to its
    end), in BUCKETS buckets: (bucket ends in seconds before now, tokens/s)."""
    width = window / BUCKETS
    ends = [-window + (i + 1) * width for i in range(BUCKETS)]
    rates = [0.0] * BUCKETS
    for r in requests:
        end = r["ts"] - now
        start = end - (r.get("duration") or 0.0) + (r.get("ttft") or 0.0)
        tokens = r.get("completion_tokens") or 0
        if not tokens or end <= -window:
            continue
        span = max(end - start, 1e-3)
        for i, b_end in enumerate(ends):
            overlap = min(end, b_end) - max(start, b_end - width)
            if overlap > 0:
                rates[i] += tokens * overlap / span / width
    return ends, rates


class ResourcesPane(VerticalScroll):
    """The resource graphs, full width. ``show(samples, requests)`` after each sample: it keeps up to an hour
    of the samples it is given (the sampler itself may keep fewer)."""

    BINDINGS = [Binding("w", "window", "1 min/10 min/1 h")]
    DEFAULT_CSS = """
    ResourcesPane { height: 1fr; }
    ResourcesPane > #resources-head { height: auto; }
    ResourcesPane > PlotextPlot { height: 12; min-height: 8; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.window = WINDOWS[0][0]
        self.history: deque[Sample] = deque(maxlen=7200)  # an hour at 0.5 s
        self.requests: list[dict] = []
        self.now: float | None = None

    def compose(self) -> ComposeResult:
        from textual_plotext import PlotextPlot

        yield Static("", id="resources-head", markup=False)
        for chart in CHARTS:
            yield PlotextPlot(id=f"resources-{chart}")

    def show(self, samples: Iterable[Sample], requests: list[dict], now: float | None = None) -> None:
        """New samples (those already kept are skipped) and the ledger's recent rows (dicts with ts, duration,
        ttft, completion_tokens); ``now`` is the right edge of the time axis (the last sample's time by default)."""
        last = self.history[-1].t if self.history else float("-inf")
        self.history.extend(s for s in samples if s.t > last)
        self.requests = requests
        self.now = now
        self.draw()

    def action_window(self) -> None:
        """The next time window: last minute, 10 minutes, hour."""
        sizes = [w for w, _ in WINDOWS]
        self.window = sizes[(sizes.index(self.window) + 1) % len(sizes)]
        self.draw()

    def draw(self) -> None:
        if not self.history or not self.is_mounted:
            return
        now = self.now if self.now is not None else self.history[-1].t
        shown = [s for s in self.history if s.t >= now - self.window]
        marks = request_marks(self.requests, now, self.window)
        name = dict(WINDOWS)[self.window]
        self.query_one("#resources-head", Static).update(
            f"Resources · {name} (w: 1 min / 10 min / 1 h) · │ request sent, ● first token, ■ end"
        )
        xs = [s.t - now for s in shown]
        self._cpu(xs, shown)
        self._memory(xs, shown)
        self._disk(xs, shown)
        self._tokens(now)
        for chart in CHARTS:
            plot = self.query_one(f"#resources-{chart}")
            plt = plot.plt  # type: ignore[attr-defined]
            for sent in (sent for sent, _, _ in marks if sent is not None):
                plt.vline(sent, "gray")
            plt.xlim(-self.window, 0)
            plt.xticks(*time_ticks(self.window))
            plot.refresh()

    def _plot(self, chart: str, title: str, top: float):
        plt = self.query_one(f"#resources-{chart}").plt  # type: ignore[attr-defined]
        plt.clear_data()
        plt.clear_figure()
        plt.title(title)
        plt.ylim(0, top)
        return plt

    def _cpu(self, xs: list[float], shown: list[Sample]) -> None:
        plt = self._plot("cpu", "CPU % (0-100): total, each core, model server (share of the machine)", 100)
        plt.plot(xs, [s.cpu_percent for s in shown], label="total", marker="braille")
        cores = max((len(s.cpu_per_core) for s in shown), default=0)
        for i in range(cores):
            values = [s.cpu_per_core[i] if i < len(s.cpu_per_core) else 0.0 for s in shown]
            plt.plot(xs, values, label=f"core {i}", marker="dot")
        if any(s.server_cpu_percent is not None for s in shown):
            n = cores or 1
            plt.plot(xs, [(s.server_cpu_percent or 0.0) / n for s in shown], label="server", marker="braille")

    def _memory(self, xs: list[float], shown: list[Sample]) -> None:
        total = shown[-1].memory_total_mb
        plt = self._plot("memory", f"memory MB (0-{total:,.0f}, the machine's total)", total)
        plt.plot(xs, [s.memory_used_mb for s in shown], label="machine", marker="braille")
        plt.plot(xs, [s.rss_mb for s in shown], label="devsynth-tui", marker="braille")
        if any(s.server_rss_mb is not None for s in shown):
            plt.plot(xs, [s.server_rss_mb or 0.0 for s in shown], label="server", marker="braille")
        if any(s.swap_total_mb for s in shown):
            plt.plot(xs, [s.swap_used_mb for s in shown], label="swap used", marker="braille")

    def _disk(self, xs: list[float], shown: list[Sample]) -> None:
        reads = [(s.disk_read_bps or 0.0) / 1024**2 for s in shown]
        writes = [(s.disk_write_bps or 0.0) / 1024**2 for s in shown]
        top = max([*reads, *writes, 0.0]) or 1.0
        plt = self._plot("disk", f"disk MB/s (0-{top:.2f}, the window's peak)", top * 1.05)
        plt.plot(xs, reads, label="read", marker="braille")
        plt.plot(xs, writes, label="write", marker="braille")

    def _tokens(self, now: float) -> None:
        ends, rates = throughput(self.requests, now, self.window)
        top = max([*rates, 0.0]) or 1.0
        plt = self._plot("tokens", f"tokens/s generated (0-{top:.0f}, the window's peak)", top * 1.1)
        plt.plot(ends, rates, label="tokens/s", marker="braille")
        marks = request_marks(self.requests, now, self.window)
        firsts = [first for _, first, _ in marks if first is not None]
        if firsts:
            plt.scatter(firsts, [0.0] * len(firsts), marker="●", label="first token")
        if marks:
            plt.scatter([end for _, _, end in marks], [0.0] * len(marks), marker="■", label="end")
