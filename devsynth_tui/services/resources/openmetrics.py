"""Usage a team can collect: OpenMetrics at ``/metrics`` (prometheus-client), when ``metrics.port`` is set.

The dashboard serves it; one-shot commands such as ``ask`` don't (a scrape would
rarely find them running). Token and request counters and the TTFT and tokens/s
histograms are built from ledger rows as they are recorded (``Ledger.listeners``),
so they equal the rows this process recorded. Memory and CPU of the app and of the
embedded server are read at scrape time.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING

from devsynth_tui.services.errors import ServiceError

if TYPE_CHECKING:
    from wsgiref.simple_server import WSGIServer

    from devsynth_tui.services.store.ledger import LedgerRow

TTFT_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 300.0)
TPS_BUCKETS = (1.0, 2.5, 5.0, 10.0, 20.0, 40.0, 80.0, 160.0, 320.0)
TOKEN_KINDS = ("prompt", "completion", "thinking", "saved")


class MetricsError(ServiceError):
    """The endpoint can't be served; the message names the address and what to change."""


class Metrics:
    """A registry of devsynth-tui's counters, fed by ledger rows, optionally served over HTTP."""

    def __init__(self, server_pid: Callable[[], int | None] = lambda: None):
        from prometheus_client import CollectorRegistry, Counter, Histogram

        self.registry = CollectorRegistry()
        self.tokens = Counter(
            "devsynth_tokens",
            "Tokens by kind (prompt, completion, thinking, saved), operation and model",
            ["kind", "operation", "model"],
            registry=self.registry,
        )
        self.requests = Counter(
            "devsynth_requests",
            "Requests by status (ok, partial, error, cancelled), operation and model",
            ["status", "operation", "model"],
            registry=self.registry,
        )
        self.ttft = Histogram(
            "devsynth_time_to_first_token_seconds",
            "Time to the first token (thinking included)",
            ["model"],
            buckets=TTFT_BUCKETS,
            registry=self.registry,
        )
        self.tps = Histogram(
            "devsynth_tokens_per_second",
            "Generation speed of each answer",
            ["model"],
            buckets=TPS_BUCKETS,
            registry=self.registry,
        )
        self.registry.register(_ProcessUsage(server_pid))
        self._http: WSGIServer | None = None

    def record(self, row: LedgerRow) -> None:
        """Count one ledger row (the Ledger listener)."""
        model = row.model or "-"
        for kind, value in zip(
            TOKEN_KINDS, (row.prompt_tokens, row.completion_tokens, row.reasoning_tokens, row.tokens_saved)
        ):
            self.tokens.labels(kind, row.operation, model).inc(value)
        self.requests.labels(row.status, row.operation, model).inc()
        if row.ttft is not None:
            self.ttft.labels(model).observe(row.ttft)
        if row.tps:
            self.tps.labels(model).observe(row.tps)

    def serve(self, host: str, port: int) -> str:
        """Serve ``/metrics`` from a background thread; returns its URL."""
        from prometheus_client import start_http_server

        try:
            server, _ = start_http_server(port, host, registry=self.registry)
        except OSError as e:
            raise MetricsError(
                f"metrics.port {port} on {host}: {e.strerror or e}; pick another port or leave metrics.port empty"
            ) from None
        self._http = server
        return f"http://{host}:{server.server_port}/metrics"

    def stop(self) -> None:
        if self._http:
            self._http.shutdown()
            self._http.server_close()
            self._http = None


class _ProcessUsage:
    """Memory and CPU of this process and of the embedded server, read at scrape time."""

    def __init__(self, server_pid: Callable[[], int | None]):
        self.server_pid = server_pid

    def collect(self):
        import psutil
        from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

        memory = GaugeMetricFamily("devsynth_process_resident_memory_bytes", "Resident memory", labels=["process"])
        cpu = CounterMetricFamily("devsynth_process_cpu_seconds", "CPU time, user and system", labels=["process"])
        for name, pid in (("app", os.getpid()), ("server", self.server_pid())):
            if not pid:
                continue
            try:
                proc = psutil.Process(pid)
                with proc.oneshot():
                    rss, times = proc.memory_info().rss, proc.cpu_times()
            except psutil.Error:
                continue
            memory.add_metric([name], rss)
            cpu.add_metric([name], times.user + times.system)
        yield memory
        yield cpu
