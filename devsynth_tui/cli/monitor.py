"""``monitor``: live memory, CPU or disk readings, one line a sample."""

from __future__ import annotations

import json
from datetime import datetime

from devsynth_tui.cli.common import CliError, load_config


def cmd_monitor(args) -> int:
    import time

    from devsynth_tui.config import app_home
    from devsynth_tui.config_schema import parse_number
    from devsynth_tui.services.resources.monitor import Sampler, find_embedded_server

    cfg = load_config(args)
    interval = cfg.monitor.interval if args.interval is None else parse_number(args.interval, "--interval")
    if interval <= 0:
        raise CliError(f"--interval {interval:g}: expected a number of seconds above 0")
    duration = None if args.duration is None else parse_number(args.duration, "--duration")  # finite: no nan, inf
    if duration is not None and duration <= 0:
        raise CliError(f"--duration {duration:g}: expected a number of seconds above 0")
    alerts = cfg.memory.monitoring
    threshold = alerts.threshold if alerts.enabled else None
    sampler = Sampler(interval, cfg.monitor.window, app_home(), threshold, find_embedded_server())
    end = time.monotonic() + duration if duration else None
    sampler.sample()  # primes the rates; the first line covers one interval
    try:
        while True:
            time.sleep(min(interval, 0.5) if args.once else interval)
            sample = sampler.sample()
            if args.json:
                print(json.dumps({"metric": args.what, **sample.as_dict()}), flush=True)
            else:
                print(MONITOR_LINES[args.what](sampler, sample), flush=True)
            if args.once or (end and time.monotonic() >= end):
                return 0
    except KeyboardInterrupt:
        return 0


def _window(sampler, name: str, fmt: str = "{:.1f}") -> str:
    from devsynth_tui.services.resources.sparkline import sparkline

    values = [v for v in sampler.series(name) if v is not None]
    if not values:
        return ""
    return f"(min {fmt.format(min(values))} max {fmt.format(max(values))}) {sparkline(values, 30)}"


def _clock(sample) -> str:
    return datetime.fromtimestamp(sample.t).strftime("%H:%M:%S")


def _memory_line(sampler, s) -> str:
    server = f" · embedded server {s.server_rss_mb:.0f} MB" if s.server_rss_mb is not None else ""
    alerts = "".join(f" · ALERT: {a}" for a in s.alerts)
    return (
        f"{_clock(s)} memory  system {s.memory_used_mb / 1024:.1f}/{s.memory_total_mb / 1024:.1f} GB "
        f"{s.memory_percent:.1f}% {_window(sampler, 'memory_percent')} · devsynth-tui {s.rss_mb:.0f} MB{server}{alerts}"
    )


def _cpu_line(sampler, s) -> str:
    server = (
        "server not found on this machine"
        if s.server_cpu_percent is None
        else f"server {s.server_cpu_percent:.1f}% of one core {_window(sampler, 'server_cpu_percent')}".rstrip()
    )
    return (
        f"{_clock(s)} cpu  system {s.cpu_percent:.1f}% {_window(sampler, 'cpu_percent')} · {server} "
        f"· devsynth-tui {s.process_cpu_percent:.1f}% of one core"
    )


def _disk_line(sampler, s) -> str:
    mb = 1024 * 1024
    read = "-" if s.disk_read_bps is None else f"{s.disk_read_bps / mb:.2f} MB/s"
    write = "-" if s.disk_write_bps is None else f"{s.disk_write_bps / mb:.2f} MB/s"
    return (
        f"{_clock(s)} disk  {s.disk_percent:.1f}% used, {s.disk_free_gb:.1f} GB free "
        f"· read {read} {_window(sampler, 'disk_read_bps', '{:.0f}')} · write {write} "
        f"{_window(sampler, 'disk_write_bps', '{:.0f}')}"
    )


MONITOR_LINES = {"memory": _memory_line, "cpu": _cpu_line, "disk": _disk_line}
