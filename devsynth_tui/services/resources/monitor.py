"""Resource monitoring (guide 3.1 monitoring, 5.2): one psutil sampler per process.

CPU (system and ours), memory (system, our RSS, the model server's RSS and CPU) and
disk (usage of the app home's filesystem, read/write bytes per second), kept
in bounded ring buffers. Memory alerts fire once per threshold crossing. The
server's process is the embedded one, or for a server on this machine the
process listening on its port; a server elsewhere has none to watch.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections import deque
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psutil

MB = 1024 * 1024
BUSY_SHARE = 0.5  # other programs' share of all cores from which a machine counts as busy (doctor, benchmark)


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
    server_rss_mb: float | None  # the model server's (embedded, or found listening on its port)
    disk_percent: float  # the app home's filesystem
    disk_free_gb: float
    disk_read_bps: float | None
    disk_write_bps: float | None
    server_cpu_percent: float | None = None  # the model server's, % of one core
    alerts: list[str] = field(default_factory=list)
    cpu_per_core: list[float] = field(default_factory=list)  # each core, 0-100
    swap_used_mb: float = 0.0
    swap_total_mb: float = 0.0

    def as_dict(self) -> dict:
        return asdict(self)


class ThresholdAlert:
    """Fires once when a value rises above its limit, and again only after it fell back below.

    Falling back means below 95 % of the limit, so a value hovering at the limit does not fire again and again.
    ``standing`` is the message while the value stays above.
    """

    REARM = 0.95

    def __init__(self, say, threshold_mb: float | None = None):
        self.say, self.threshold = say, threshold_mb
        self.standing: str | None = None

    def check(self, value_mb: float | None, limit_mb: float | None = None) -> str | None:
        """The message when ``value_mb`` crosses the limit (the fixed threshold unless ``limit_mb`` is given)."""
        limit = self.threshold if limit_mb is None else limit_mb
        if value_mb is None or limit is None:
            return None
        if self.standing is None and value_mb > limit:
            self.standing = self.say(value_mb, limit)
            return self.standing
        if self.standing is not None and value_mb < limit * self.REARM:
            self.standing = None
        return None


def memory_alerts(threshold_mb: float) -> tuple[ThresholdAlert, ThresholdAlert]:
    """What the user can act on, worded to fit the status line and the sidebar (41 columns with its "⚠ "):
    this app's own memory against ``memory.monitoring.threshold``, and the model server's against the free RAM
    (a server that outgrows what is left makes the machine swap)."""
    return (
        ThresholdAlert(lambda v, limit: f"devsynth-tui {v:.0f} MB > {limit:g} MB limit", threshold_mb),
        ThresholdAlert(lambda v, limit: f"server {v:.0f} MB > {limit:.0f} MB free RAM"),
    )


class Sampler:
    """Samples on demand (the caller's timer); keeps the last ``window`` samples."""

    def __init__(
        self,
        interval: float = 1.0,
        window: int = 60,
        home: Path | None = None,
        threshold_mb: float | None = None,
        server_pid: int | None = None,
    ):
        self.home = str(home or Path.home())
        self.samples: deque[Sample] = deque(maxlen=window)
        self.server_pid = server_pid
        self.configure(interval, window, threshold_mb)
        self._proc = psutil.Process()
        self._server: psutil.Process | None = None
        self._last_io: tuple[float, int, int] | None = None
        psutil.cpu_percent(None)  # prime the counters: the first real reading covers one interval
        psutil.cpu_percent(None, percpu=True)
        self._proc.cpu_percent(None)

    def configure(self, interval: float, window: int, threshold_mb: float | None) -> None:
        """Apply the current settings (``monitor.*``, ``memory.monitoring``); the window keeps its samples."""
        self.interval = interval
        if window != self.samples.maxlen:
            self.samples = deque(self.samples, maxlen=window)
        self.alerts = memory_alerts(threshold_mb) if threshold_mb else ()

    def set_server_pid(self, pid: int | None) -> None:
        self.server_pid, self._server = pid, None

    def _server_usage(self) -> tuple[float | None, float | None]:
        """The model server's (RSS in MB, CPU % of one core); None where unknown."""
        if not self.server_pid:
            return None, None
        try:
            if self._server is None or self._server.pid != self.server_pid:
                self._server = psutil.Process(self.server_pid)
                self._server.cpu_percent(None)  # primes it: the next reading covers one interval
            return self._server.memory_info().rss / MB, self._server.cpu_percent(None)
        except psutil.Error:
            return None, None

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
        server_rss, server_cpu = self._server_usage()
        swap = psutil.swap_memory()
        s = Sample(
            t=now,
            cpu_percent=psutil.cpu_percent(None),
            process_cpu_percent=self._proc.cpu_percent(None),
            memory_used_mb=(vm.total - vm.available) / MB,
            memory_total_mb=vm.total / MB,
            memory_percent=vm.percent,
            rss_mb=self._proc.memory_info().rss / MB,
            server_rss_mb=server_rss,
            disk_percent=du.percent,
            disk_free_gb=du.free / 1024**3,
            disk_read_bps=read,
            disk_write_bps=write,
            server_cpu_percent=server_cpu,
            cpu_per_core=psutil.cpu_percent(None, percpu=True),
            swap_used_mb=swap.used / MB,
            swap_total_mb=swap.total / MB,
        )
        if self.alerts:
            app, server = self.alerts
            free = s.memory_total_mb - s.memory_used_mb
            s.alerts = [a for a in (app.check(s.rss_mb), server.check(s.server_rss_mb, free)) if a]
        self.samples.append(s)
        return s

    def standing(self) -> list[str]:
        """The alerts whose value is still above its limit."""
        return [text for a in self.alerts if (text := a.standing)]

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


def is_this_machine(host: str) -> bool:
    """Is ``host`` this machine: a loopback name or address, or one of its interfaces' (may resolve a name)?"""
    host = host.strip("[]").lower()
    if host in ("localhost", "localhost.localdomain", "ip6-localhost"):
        return True
    try:
        addresses = {str(ipaddress.ip_address(host))}
    except ValueError:
        try:
            addresses = {str(info[4][0]) for info in socket.getaddrinfo(host, None)}
        except (OSError, UnicodeError):
            return False
    local = {a.address.split("%")[0] for nics in psutil.net_if_addrs().values() for a in nics}
    return any(ipaddress.ip_address(a.split("%")[0]).is_loopback or a in local for a in addresses)


def listening_pid(port: int) -> int | None:
    """The process listening on TCP ``port`` on this machine; None if none is, or it is not ours to see."""
    try:
        sockets: list[tuple[int | None, Any]] = [(c.pid, c) for c in psutil.net_connections(kind="tcp")]
    except psutil.AccessDenied:  # macOS without root: each of our own processes' sockets instead
        sockets = []
        for process in psutil.process_iter():
            try:
                sockets += [(process.pid, c) for c in process.net_connections(kind="tcp")]
            except psutil.Error:
                continue
    for pid, c in sockets:
        if pid and c.status == psutil.CONN_LISTEN and c.laddr and c.laddr.port == port:
            return pid
    return None


def server_process(base_url: str, embedded_pid: int | None = None) -> tuple[int | None, str]:
    """The model server's process and how to name it: the embedded one, the one listening on a server's
    port on this machine, or (None, "remote") for a server elsewhere. Scans sockets: call it off the UI loop."""
    if embedded_pid:
        return embedded_pid, f"embedded llama.cpp, pid {embedded_pid}"
    url = urlsplit(base_url)
    if not is_this_machine(url.hostname or ""):
        return None, "remote"
    port = url.port or (443 if url.scheme == "https" else 80)
    pid = listening_pid(port)
    if pid is None:
        return None, f"no process visible on port {port}"
    try:
        name = psutil.Process(pid).name()
    except psutil.Error:
        name = "server"
    return pid, f"{name}, pid {pid}"


def find_embedded_server() -> int | None:
    """The pid of a running embedded server started by any devsynth-tui, if one runs."""
    for p in psutil.process_iter(["cmdline"]):
        if "devsynth_tui.services.llm.embedded" in " ".join(p.info["cmdline"] or []):
            return p.pid
    return None


def _cpu_seconds(process: psutil.Process) -> float:
    t = process.cpu_times()
    return t.user + t.system


class CompetingLoad:
    """The CPU other programs used over a span (a benchmark run), in cores: the machine's busy time less ours and
    the model server's with its children. From psutil's cumulative CPU times, so nothing samples in between;
    the server's share is known for the embedded one or one listening on this machine, else nothing is claimed."""

    def __init__(self, base_url: str, embedded_pid: int | None = None):
        """Reads the counters now; finds the server's process (scans sockets: call it off the UI loop)."""
        self.server_pid, self.server = server_process(base_url, embedded_pid)
        self.started = time.monotonic()
        self.busy = self._machine_busy()
        self.seconds = self._watched()

    @staticmethod
    def _machine_busy() -> float:
        t = psutil.cpu_times()
        return sum(t) - t.idle - getattr(t, "iowait", 0.0)

    def _watched(self) -> dict[int, float]:
        """CPU seconds so far of us (waited children included) and the server's processes, by pid."""
        me = psutil.Process()
        t = me.cpu_times()
        seconds = {me.pid: t.user + t.system + t.children_user + t.children_system}
        if self.server_pid:
            try:
                server = psutil.Process(self.server_pid)
                for p in [server, *server.children(recursive=True)]:
                    seconds[p.pid] = _cpu_seconds(p)
            except psutil.Error:
                pass
        return seconds

    def finish(self) -> dict:
        """{"other_cores", "cores", "busy", "server", "load_1m"}; other_cores is None when the server's share is
        unknown (a server on this machine whose process is not visible)."""
        wall = max(time.monotonic() - self.started, 1e-6)
        cores = psutil.cpu_count() or 1
        figures: dict[str, Any] = {"cores": cores, "server": self.server, "other_cores": None, "busy": False}
        figures["load_1m"] = round(psutil.getloadavg()[0], 2)
        if self.server_pid is None and self.server != "remote":
            return figures
        now = self._watched()
        ours = sum(now[pid] - self.seconds.get(pid, 0.0) for pid in now)
        others = max(0.0, (self._machine_busy() - self.busy - ours) / wall)
        figures |= {"other_cores": round(others, 2), "busy": others >= BUSY_SHARE * cores}
        return figures


def competing_text(load: dict | None) -> str:
    """One line when other programs took the cores during a run, else ""."""
    if not load or not load.get("busy"):
        return ""
    return (
        f"⚠ busy machine: other programs used {load['other_cores']:.1f} of {load['cores']} cores during this run "
        f"(load average {load['load_1m']:.1f}): its speeds are lower than this machine gives; run it again when idle"
    )


def collect_garbage() -> str:
    """Memory management (``memory.aggressive_gc``): a full collection; says what it freed."""
    import gc

    before = psutil.Process().memory_info().rss
    found = gc.collect()
    after = psutil.Process().memory_info().rss
    freed = (before - after) / MB
    rss = f"RSS {before / MB:.1f} -> {after / MB:.1f} MB ({freed:+.1f} MB freed)"
    return f"gc: {found} unreachable objects collected, {rss}"
