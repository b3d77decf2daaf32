"""Side panels: live token counters and resource sparklines, each one text block; the stages waterfall; the status
line."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from devsynth_tui.services.resources.sparkline import sparkline
from devsynth_tui.services.sanitize import safe_line
from devsynth_tui.services.store.ledger import LedgerRow, Report

if TYPE_CHECKING:
    from devsynth_tui.services.resources.monitor import Sample  # psutil loads with the sampler, not with the panels

TITLE_STYLE = "bold $primary"
NOTE = 5  # the status line's note about its backend ("LM Studio not running at URL"), the first part to go
ADDRESS = re.compile(r"://|^[\w.-]+:\d+(/|$)|^\d+(\.\d+)+$")  # a URL, host:port or IP: cut short, it reads as another


def _counts(report: Report, live_prompt: int, live_completion: int) -> str:
    """The token counters of ``report`` with the answers still streaming (``live_prompt``, their prompts counted
    before sending; ``live_completion``, their reads so far): those figures marked ~ until the answers end and are
    counted exactly."""
    prompt, completion = report.prompt_tokens + live_prompt, report.completion_tokens + live_completion
    total = _estimated(prompt + completion, live_prompt + live_completion)
    return (
        f"prompt {_estimated(prompt, live_prompt):>9}   completion {_estimated(completion, live_completion):>7}\n"
        f"total  {total:>9}   saved      {report.tokens_saved:>7,}\n"
        f"cost at hosted prices ${report.cost:.4f}"
    )  # the config's `pricing`: a local model costs nothing


def _estimated(tokens: int, live: int) -> str:
    """``tokens`` with thousands separators, marked ~ when ``live`` (an estimate) is part of it."""
    return f"{'~' if live else ''}{tokens:,}"


def _block(sections: list[tuple[str, str]]) -> Content:
    """Titled sections as one text block, a blank line between them: each title styled, its text literal."""
    return Content("\n\n").join(Content.styled(title, TITLE_STYLE) + "\n" + text for title, text in sections)


class Sidebar(VerticalScroll):
    """The sidebar's panels; once focused (Tab, or ctrl+b when narrow) its keys scroll it. A click leaves the focus
    where it was: what is typed next still goes to the prompt."""

    FOCUS_ON_CLICK = False


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

    def show(self, session: Report, all_time: Report, live_prompt: int = 0, live_completion: int = 0) -> None:
        """Counters from the ledger, with the estimates for answers still streaming (their prompts, their reads)."""
        self._counts = (_counts(session, live_prompt, live_completion), _counts(all_time, live_prompt, live_completion))
        self._draw()

    def show_last(self, row: LedgerRow | None, history: list[int]) -> None:
        """The last request's figures (None before the first) and a sparkline of tokens per request."""
        if row is not None:
            ttft = f"{row.ttft:.2f} s" if row.ttft is not None else "-"
            tps = f"{row.tps:.1f} tok/s" if row.tps else "-"
            source = {"server": "server usage", "estimate": "estimated", "cache": "cache hit"}[row.usage_source]
            self._last = (
                f"{safe_line(row.model or '?', 60)} · {row.status}\n"
                f"{row.prompt_tokens:,} + {row.completion_tokens:,} tokens"
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


class StageWaterfall(TextBlock):
    """The last request's optimization stages: each stage's name in full, its tokens in and out, and a bar of what
    it kept (█) and saved (░), all bars on one scale (0 to the tokens the first stage received).

    Text, not a plot: names are never cut, no legend lies over the bars, and a stage that saved nothing draws
    no saved part. Hidden until a request has stages."""

    DEFAULT_CSS = "StageWaterfall { display: none; height: auto; } StageWaterfall.shown { display: block; }"

    def show_stages(self, stages: list[tuple[str, int, int]]) -> None:
        """``stages``: (stage, tokens before, tokens after), in order; none: the last request had none to show."""
        if not stages:
            self.hide()
            return
        self.add_class("shown")
        self.draw(_block([("Last request · tokens per stage", waterfall_text(stages, self.content_size.width))]))

    def hide(self) -> None:
        """The last request has no stages shown here (none ran, or the benchmark's): no other request's stay."""
        self.remove_class("shown")


def waterfall_text(stages: list[tuple[str, int, int]], width: int = 0) -> str:
    """The waterfall as text ``width`` columns wide (40 when unknown)."""
    width = max(20, width or 40)
    scale = max(before for _, before, _ in stages) or 1
    total = sum(max(0, before - after) for _, before, after in stages)
    lines = [f"█ kept  ░ saved · bars: 0-{scale:,} tokens" if total else "nothing saved: every stage kept all"]
    for stage, before, after in stages:
        saved = max(0, before - after)
        name = stage.split(":")[-1].replace("_", " ")
        lines.append(f"{name}: {before:,} → {after:,}" + (f" (saved {saved:,})" if saved else ""))
        kept_cells = round(after / scale * width)
        saved_cells = max(1, round(saved / scale * width)) if saved else 0
        lines.append("█" * min(kept_cells, width - saved_cells) + "░" * saved_cells)
    return "\n".join(lines)


class ResourcePanel(TextBlock):
    """CPU, memory and disk sparklines from the shared sampler, and the server's process beside ours: one text block.

    Each sparkline is drawn on a stated scale, named beside its title: CPU and memory 0-100 %, the processes'
    memory 0 to the machine's total (or a given limit), disk 0 to the window's peak. The last garbage
    collection's figure (memory.aggressive_gc) is shown here, not on the status line. One widget redrawn once a
    sample (instead of a dozen) keeps the idle dashboard cheap.
    """

    SERIES = [
        ("cpu_percent", "CPU (machine)"),
        ("memory_percent", "Memory (machine)"),
        ("rss_mb", "devsynth-tui memory"),
        ("server_rss_mb", "Server memory"),
        ("disk_read_bps", "Disk read"),
        ("disk_write_bps", "Disk write"),
    ]

    gc = ""  # the last garbage collection's figure, shown until the next one
    _last: tuple[list[Sample], list[str], str, float | None] | None = None

    def show_gc(self, figure: str) -> None:
        """The last garbage collection's figure, drawn with the resources."""
        self.gc = figure
        if self._last:
            self.show(*self._last)
        else:
            self.draw(_block([("Resources", figure)]))

    def show(self, samples: list[Sample], alerts: list[str], server: str = "", limit_mb: float | None = None) -> None:
        """The window of samples; ``server`` names the server's process ("remote" for a server elsewhere);
        ``limit_mb`` scales devsynth-tui's memory (memory.monitoring.threshold), else the machine's total does."""
        if not samples:
            return
        self._last = (samples, alerts, server, limit_mb)
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
            top = series_top(field, values, last, limit_mb if field == "rss_mb" else None)
            head = f"{title}: {_format(field, getattr(last, field))}"
            scale = f"0-{_format(field, top)}"
            lines += [f"{head}{scale:>{max(width - len(head), len(scale) + 1)}}", sparkline(values, width, top) or "-"]
        lines.append(f"Disk: {last.disk_percent:.1f}% used, {last.disk_free_gb:.1f} GB free")
        lines += [self.gc] if self.gc else []
        lines += [f"⚠ {a}" for a in alerts[-3:]]
        self.draw(_block([("Resources", "\n".join(lines))]))


def series_top(field: str, values: list[float], last: Sample, limit: float | None = None) -> float:
    """The top of a series' stated scale: 100 % for shares, the limit or the machine's memory for a process's
    memory, else the window's peak (disk rates have no natural top)."""
    if field.endswith("percent"):
        return 100.0
    if field.endswith("_mb"):
        return limit or last.memory_total_mb
    return max(values, default=0.0) or 1.0


def _format(field: str, value: float | None) -> str:
    """A figure as the panel shows it: shares in %, memory in MB, rates in MB/s."""
    if value is None:
        return "-"
    if field.endswith("percent"):
        return f"{value:.1f}%"
    if field.endswith("_mb"):
        return f"{value:.0f} MB"
    return f"{value / 1024 / 1024:.2f} MB/s"


class StatusLine(Static):
    """What serves, the active model, this session's tokens and any standing alert, in one line.

    When the line is too narrow, parts give way in priority order: a note about the backend first (e.g. "LM
    Studio not running at …"), the backend, the model, then the key to press (a backend label's trailing
    "(ctrl+r reconnects)"), then a standing alert; the token counts always stay.
    """

    MIN_PART = 12  # a part cut shorter than this says nothing: it is left out instead

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.parts: list[tuple[str, int]] = []

    def show(
        self,
        backend: str,
        model: str | None,
        alerts: list[str],
        session: Report,
        note: str = "",
        ctx: str = "",
        live: int = 0,
    ) -> None:
        """``backend``: what serves, first; ``note``: what else to say about it, dropped first when narrow;
        ``alerts``: the ones still standing (an alert that fell back below its limit is gone); the session's
        tokens count answers still streaming as the sidebar does (``live``: their estimate)."""
        backend, key = _key_hint(backend)
        tokens = f"{_estimated(session.total_tokens + live, live)} tokens, {session.tokens_saved:,} saved"
        self.parts = [(backend, 4), (note, NOTE), (key, 2), (f"model {model or '-'}", 3), (tokens, 0)]  # 0 stays
        self.parts += [(f"⚠ {alerts[-1]}", 1)] if alerts else []
        self.parts += [(ctx, 1)]  # the last request's window fill ("ctx 31 %")
        self.parts = [(safe_line(text), priority) for text, priority in self.parts if text]
        self.set_class(bool(alerts), "alert")
        self._draw()

    def on_resize(self) -> None:
        self._draw()

    def _draw(self) -> None:
        width = self.content_size.width
        line = fit_line(self.parts, width, self.MIN_PART) if width else " · ".join(text for text, _ in self.parts)
        # literal: a model id or server note is never read as markup; one line whatever its text: no layout pass
        self.update(Content(line), layout=False)


def _key_hint(label: str) -> tuple[str, str]:
    """("not connected: …", "ctrl+r reconnects") from "not connected: … (ctrl+r reconnects)"; else (label, "")."""
    head, sep, tail = label.rpartition(" (")
    if sep and tail.endswith(")") and tail.startswith(("ctrl+", "alt+")):
        return head, tail[:-1]
    return label, ""


def fit_line(parts: list[tuple[str, int]], width: int, min_part: int = 12, sep: str = " · ") -> str:
    """``parts`` (text, priority: 0 first) in their order within ``width`` columns.

    Room goes to the parts by priority: each takes what it needs of what is left, cut short (with an
    ellipsis, never inside an address: ``cut``) when it is not all there, left out when less than
    ``min_part`` is; priority 0 always stays.
    """
    kept: dict[int, str] = {}
    left = width
    for i in sorted(range(len(parts)), key=lambda i: parts[i][1]):
        text, priority = parts[i]
        room = left - (len(sep) if kept else 0)
        text = cut(text, room)
        if len(text) < min(len(parts[i][0]), min_part) and priority:
            continue
        kept[i] = text
        left = room - len(text)
    return sep.join(kept[i] for i in sorted(kept))


def cut(text: str, room: int) -> str:
    """``text`` within ``room`` columns, cut short with an ellipsis; an address in it (a URL, host:port, IP) is
    whole or not there: "http://localhost:1…" reads as another port."""
    if len(text) <= room:
        return text
    head = text[: max(room - 1, 0)]
    start = head.rfind(" ") + 1  # the word the cut falls in
    if ADDRESS.search(text[start:].split(" ", 1)[0]):
        head = head[:start].rstrip()
    return head + "…" if head else ""
