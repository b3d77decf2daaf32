"""Resource monitoring (guide 3.1 monitoring, 5.2): one psutil sampler per process.

CPU (system and ours), memory (system, our RSS, the embedded server's RSS) and
disk (usage of the app home's filesystem, read/write bytes per second), kept
in bounded ring buffers. Memory alerts fire once per threshold crossing.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import asdict, dataclass, field
from pathlib import Path

import psutil

MB = 1024 * 1024
SPARK = "▁▂▃▄▅▆▇█"


@dataclass
class Sample:
    """One reading. Rates are per second since the previous sample; None where unknown."""

    t: float
    cpu_percent: float  # whole machine, 0-100
    process_cpu_percent: float  # ours, % of one core
    memory_used_mb: float
    memory_total_mb: float
    memory_percent: float
    rss_mb: float  # ours
    server_rss_mb: float | None  # the embedded llama.cpp server's
    disk_percent: float  # the app home's filesystem
    disk_free_gb: float
    disk_read_bps: float | None
    disk_write_bps: float | None
    alerts: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


class ThresholdAlert:
    """Fires once when a value rises above the threshold; re-arms when it falls back below."""

    def __init__(self, name: str, threshold_mb: float):
        self.name, self.threshold, self.armed = name, threshold_mb, True

    def check(self, value_mb: float | None) -> str | None:
        if value_mb is None:
            return None
        if self.armed and value_mb > self.threshold:
            self.armed = False
            return f"{self.name} memory {value_mb:.0f} MB is above the {self.threshold:g} MB threshold"
        if not self.armed and value_mb <= self.threshold:
            self.armed = True
        return None


def sparkline(values: list[float], width: int | None = None) -> str:
    """A text sparkline of the last ``width`` values, scaled to their own min..max."""
    values = [v for v in values if v is not None][-width:] if width else [v for v in values if v is not None]
    if not values:
        return ""
    lo, hi = min(values), max(values)
    span = (hi - lo) or 1.0
    return "".join(SPARK[min(len(SPARK) - 1, int((v - lo) / span * (len(SPARK) - 1) + 0.5))] for v in values)


class Sampler:
    """Samples on demand (the caller's timer); keeps the last ``window`` samples."""

    def __init__(self, interval: float = 1.0, window: int = 60, home: Path | None = None,
                 threshold_mb: float | None = None, server_pid: int | None = None):
        self.home = str(home or Path.home())
        self.samples: deque[Sample] = deque(maxlen=window)
        self.server_pid = server_pid
        self.configure(interval, window, threshold_mb)
        self._proc = psutil.Process()
        self._server: psutil.Process | None = None
        self._last_io: tuple[float, int, int] | None = None
        psutil.cpu_percent(None)  # prime the counters: the first real reading covers one interval
        self._proc.cpu_percent(None)

    def configure(self, interval: float, window: int, threshold_mb: float | None) -> None:
        """Apply the current settings (``monitor.*``, ``memory.monitoring``); the window keeps its samples."""
        self.interval = interval
        if window != self.samples.maxlen:
            self.samples = deque(self.samples, maxlen=window)
        self.alerts = [ThresholdAlert("devsynth-tui", threshold_mb), ThresholdAlert("embedded server", threshold_mb)] if threshold_mb else []

    def set_server_pid(self, pid: int | None) -> None:
        self.server_pid, self._server = pid, None

    def _server_rss(self) -> float | None:
        if not self.server_pid:
            return None
        try:
            if self._server is None or self._server.pid != self.server_pid:
                self._server = psutil.Process(self.server_pid)
            return self._server.memory_info().rss / MB
        except psutil.Error:
            return None

    def _disk_rates(self, now: float) -> tuple[float | None, float | None]:
        io = psutil.disk_io_counters()
        if io is None:
            return None, None
        last, self._last_io = self._last_io, (now, io.read_bytes, io.write_bytes)
        if last is None or now <= last[0]:
            return None, None
        dt = now - last[0]
        return (io.read_bytes - last[1]) / dt, (io.write_bytes - last[2]) / dt

    def sample(self) -> Sample:
        """Take one reading now, store it and check the alerts."""
        now = time.time()
        vm = psutil.virtual_memory()
        du = psutil.disk_usage(self.home)
        read, write = self._disk_rates(now)
        s = Sample(
            t=now,
            cpu_percent=psutil.cpu_percent(None),
            process_cpu_percent=self._proc.cpu_percent(None),
            memory_used_mb=(vm.total - vm.available) / MB,
            memory_total_mb=vm.total / MB,
            memory_percent=vm.percent,
            rss_mb=self._proc.memory_info().rss / MB,
            server_rss_mb=self._server_rss(),
            disk_percent=du.percent,
            disk_free_gb=du.free / 1024**3,
            disk_read_bps=read,
            disk_write_bps=write,
        )
        if self.alerts:
            s.alerts = [a for a in (self.alerts[0].check(s.rss_mb), self.alerts[1].check(s.server_rss_mb)) if a]
        self.samples.append(s)
        return s

    def series(self, name: str) -> list[float]:
        """The window of one field, oldest first."""
        return [getattr(s, name) for s in self.samples]


_shared: Sampler | None = None


def shared_sampler(interval: float, window: int, home: Path, threshold_mb: float | None) -> Sampler:
    """The one sampler of this process: created on first use, then reconfigured by each caller."""
    global _shared
    if _shared is None:
        _shared = Sampler(interval, window, home, threshold_mb)
    else:
        _shared.configure(interval, window, threshold_mb)
    return _shared


def find_embedded_server() -> int | None:
    """The pid of a running embedded server started by any devsynth-tui, if one runs."""
    for p in psutil.process_iter(["cmdline"]):
        if "devsynth_tui.services.embedded" in " ".join(p.info["cmdline"] or []):
            return p.pid
    return None


def collect_garbage() -> str:
    """Memory management (``memory.aggressive_gc``): a full collection; says what it freed."""
    import gc

    before = psutil.Process().memory_info().rss
    found = gc.collect()
    after = psutil.Process().memory_info().rss
    return f"gc: {found} unreachable objects collected, RSS {before / MB:.1f} -> {after / MB:.1f} MB ({(before - after) / MB:+.1f} MB freed)"
