"""Side panels: live token counters and resource sparklines, each one text block; the stages waterfall; the status
line."""

from __future__ import annotations

from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static

from devsynth_tui.services.resources.monitor import Sample, sparkline
from devsynth_tui.services.store.ledger import LedgerRow, Report

TITLE_STYLE = "bold $primary"


def _counts(prompt: int, completion: int, saved: int, cost: float) -> str:
    return (
        f"prompt {prompt:>9,}   completion {completion:>7,}\n"
        f"total  {prompt + completion:>9,}   saved      {saved:>7,}\n"
        f"cost at hosted prices ${cost:.4f}"
    )  # the config's `pricing`: a local model costs nothing


def _block(sections: list[tuple[str, str]]) -> Content:
    """Titled sections as one text block, a blank line between them: each title styled, its text literal."""
    return Content("\n\n").join(Content.styled(title, TITLE_STYLE) + "\n" + text for title, text in sections)


class TextBlock(Static):
    """A panel drawn as one text block: redrawn in place, with no layout pass, while its height stays."""

    _lines = -1

    def draw(self, content: Content) -> None:
        lines = content.plain.count("\n")
        self.update(content, layout=lines != self._lines)
        self._lines = lines


class TokenPanel(TextBlock):
    """Session and all-time counters, the last request, and tokens per request, drawn as one text block.

    One widget redrawn once per change (instead of eight) keeps start-up and streaming cheap.
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._counts = ("", "")
        self._last = "none yet"
        self._history: list[int] = []

    def show(self, session: Report, all_time: Report, live_completion: int = 0) -> None:
        """Counters from the ledger; ``live_completion`` is the estimate for answers still streaming."""
        self._counts = (
            _counts(
                session.prompt_tokens, session.completion_tokens + live_completion, session.tokens_saved, session.cost
            ),
            _counts(
                all_time.prompt_tokens,
                all_time.completion_tokens + live_completion,
                all_time.tokens_saved,
                all_time.cost,
            ),
        )
        self._draw()

    def show_last(self, row: LedgerRow | None, history: list[int]) -> None:
        """The last request's figures (None before the first) and a sparkline of tokens per request."""
        if row is not None:
            ttft = f"{row.ttft:.2f} s" if row.ttft is not None else "-"
            tps = f"{row.tps:.1f} tok/s" if row.tps else "-"
            source = {"server": "server usage", "estimate": "estimated", "cache": "cache hit"}[row.usage_source]
            self._last = (
                f"{row.model or '?'} · {row.status}\n{row.prompt_tokens:,} + {row.completion_tokens:,} tokens"
                f" ({source})\nsaved {row.tokens_saved:,} · ttft {ttft} · {tps}"
            )
        self._history = history[-40:]
        self._draw()

    def _draw(self) -> None:
        history = "\ntokens per request, last 40:\n" + sparkline(self._history, 40) if self._history else ""
        last = self._last + history
        self.draw(
            _block(
                [
                    ("Tokens · this session", self._counts[0]),
                    ("Tokens · all time", self._counts[1]),
                    ("Last request", last),
                ]
            )
        )


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
        plt.stacked_bar(  # type: ignore[call-arg]  # plotext takes labels; textual-plotext's signature omits it
            labels, [kept, saved], labels=["kept", "saved"], orientation="horizontal", width=0.6
        )
        self.add_class("shown")
        plot.refresh()


class ResourcePanel(TextBlock):
    """CPU, memory and disk sparklines from the shared sampler, and the server's process beside ours: one text block.

    One widget redrawn once a sample (instead of a dozen) keeps the idle dashboard cheap.
    """

    SERIES = [
        ("cpu_percent", "CPU (machine)"),
        ("memory_percent", "Memory (machine)"),
        ("rss_mb", "devsynth-tui memory"),
        ("server_rss_mb", "Server memory"),
        ("disk_read_bps", "Disk read"),
        ("disk_write_bps", "Disk write"),
    ]

    def show(self, samples: list[Sample], alerts: list[str], server: str = "") -> None:
        """The window of samples; ``server`` names the server's process ("remote" for a server elsewhere)."""
        if not samples:
            return
        last, width = samples[-1], max(10, self.content_size.width or 40)
        lines = [
            f"{'':<14}{'CPU':>8}{'memory':>10}",
            f"{'devsynth-tui':<14}{_format('process_cpu_percent', last.process_cpu_percent):>8}"
            f"{_format('rss_mb', last.rss_mb):>10}",
        ]
        if server:
            figures = (
                f"{_format('server_cpu_percent', last.server_cpu_percent):>8}"
                f"{_format('rss_mb', last.server_rss_mb):>10}"
                if last.server_rss_mb is not None
                else ""
            )
            lines.append(f"{'server':<14}{figures}" if figures else f"server  {server}")
            if figures:
                lines.append(f"  {server}")
        for field, title in self.SERIES:
            values = [getattr(s, field) for s in samples if getattr(s, field) is not None]
            if field == "server_rss_mb" and not values:
                continue
            lines += [f"{title}: {_format(field, getattr(last, field))}", sparkline(values, width) or "-"]
        lines.append(f"Disk: {last.disk_percent:.1f}% used, {last.disk_free_gb:.1f} GB free")
        lines += [f"⚠ {a}" for a in alerts[-3:]]
        self.draw(_block([("Resources", "\n".join(lines))]))


def _format(field: str, value: float | None) -> str:
    if value is None:
        return "-"
    if field.endswith("percent"):
        return f"{value:.1f}%"
    if field.endswith("_mb"):
        return f"{value:.0f} MB"
    return f"{value / 1024 / 1024:.2f} MB/s"


class StatusLine(Static):
    """Backend, active model, this session's tokens, the last garbage collection and any standing alert, in one line.

    When the line is too narrow, parts give way in priority order: the gc figure first, the backend, the model, then
    the key to press (a backend label's trailing "(ctrl+r reconnects)"), then a standing alert; the token
    counts always stay.
    """

    MIN_PART = 12  # a part cut shorter than this says nothing: it is left out instead

    gc = ""  # the last garbage collection's figure (memory.aggressive_gc), shown until the next one

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.parts: list[tuple[str, int]] = []

    def show_gc(self, figure: str) -> None:
        """Keep the figure for the line's next drawing (it gives way first when the line is narrow)."""
        self.gc = figure

    def show(self, backend: str, model: str | None, alerts: list[str], session: Report) -> None:
        """``alerts``: the ones still standing (an alert that fell back below its limit is gone)."""
        backend, key = _key_hint(backend)
        tokens = f"{session.total_tokens:,} tokens, {session.tokens_saved:,} saved"
        self.parts = [(backend, 4), (key, 2), (f"model {model or '-'}", 3), (tokens, 0), (self.gc, 5)]  # 0 stays
        self.parts += [(f"⚠ {alerts[-1]}", 1)] if alerts else []
        self.parts = [(text, priority) for text, priority in self.parts if text]
        self.set_class(bool(alerts), "alert")
        self._draw()

    def on_resize(self) -> None:
        self._draw()

    def _draw(self) -> None:
        width = self.content_size.width
        self.update(fit_line(self.parts, width, self.MIN_PART) if width else " · ".join(t for t, _ in self.parts))


def _key_hint(label: str) -> tuple[str, str]:
    """("unreachable: …", "ctrl+r reconnects") from "unreachable: … (ctrl+r reconnects)"; else (label, "")."""
    head, sep, tail = label.rpartition(" (")
    if sep and tail.endswith(")") and tail.startswith(("ctrl+", "alt+")):
        return head, tail[:-1]
    return label, ""


def fit_line(parts: list[tuple[str, int]], width: int, min_part: int = 12, sep: str = " · ") -> str:
    """``parts`` (text, priority: 0 first) in their order within ``width`` columns.

    Room goes to the parts by priority: each takes what it needs of what is left, cut short (with an
    ellipsis) when it is not all there, left out when less than ``min_part`` is; priority 0 always stays.
    """
    kept: dict[int, str] = {}
    left = width
    for i in sorted(range(len(parts)), key=lambda i: parts[i][1]):
        text, priority = parts[i]
        room = left - (len(sep) if kept else 0)
        if room < min(len(text), min_part) and priority:
            continue
        kept[i] = text if len(text) <= room else text[: max(room - 1, 0)] + "…"
        left = room - len(kept[i])
    return sep.join(kept[i] for i in sorted(kept))
