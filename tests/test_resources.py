"""The resource layer: sampler, alerts, priority, disk cache, compression, monitor command."""

import json
import os
import subprocess
import sys
import zlib

import psutil
import pytest
from conftest import run_cli

from devsynth_tui.services.resources.disk_cache import DiskCache, cache_key, is_deterministic
from devsynth_tui.services.resources.monitor import Sampler, ThresholdAlert, memory_alerts
from devsynth_tui.services.resources.sparkline import sparkline

FIELDS = {
    "t",
    "cpu_per_core",
    "swap_used_mb",
    "swap_total_mb",
    "cpu_percent",
    "process_cpu_percent",
    "memory_used_mb",
    "memory_total_mb",
    "memory_percent",
    "rss_mb",
    "server_rss_mb",
    "disk_percent",
    "disk_free_gb",
    "disk_read_bps",
    "disk_write_bps",
    "server_cpu_percent",
    "alerts",
}


def test_sampler_ring_buffer_and_fields(tmp_path):
    s = Sampler(interval=0.01, window=5, home=tmp_path, server_pid=os.getpid())
    for _ in range(8):
        sample = s.sample()
    assert len(s.samples) == 5
    assert set(sample.as_dict()) == FIELDS
    assert sample.rss_mb > 1 and sample.server_rss_mb == pytest.approx(sample.rss_mb, rel=0.2)
    assert sample.server_cpu_percent is not None and sample.server_cpu_percent >= 0
    assert 0 <= sample.disk_percent <= 100 and sample.memory_total_mb > sample.memory_used_mb > 0
    assert sample.disk_read_bps is not None and len(s.series("rss_mb")) == 5
    assert len(sample.cpu_per_core) == psutil.cpu_count() and sample.swap_total_mb >= sample.swap_used_mb >= 0


def test_alert_fires_once_per_crossing_and_rearms_below_the_slack():
    alert = ThresholdAlert(lambda v, limit: f"{v:g} > {limit:g}", 100)
    fired = [alert.check(v) for v in (50, 150, 160, 98, 101, 90, 120, 130)]
    assert fired == [None, "150 > 100", None, None, None, None, "120 > 100", None]  # 98 is within the 5 % slack
    assert alert.standing == "120 > 100"
    alert.check(10)
    assert alert.standing is None


def test_server_alert_is_against_the_free_ram_and_worded_to_fit():
    app, server = memory_alerts(500)
    assert app.check(400) is None and server.check(504, 8000) is None  # the embedded server's usual size: no alert
    assert server.check(3000, 2500) == "server 3000 MB > 2500 MB free RAM"
    assert app.check(612) == "devsynth-tui 612 MB > 500 MB limit"
    big_app, big_server = memory_alerts(1000)
    longest = [big_app.check(12345), big_server.check(12345, 10000)]
    assert all(len(f"⚠ {a}") <= 41 for a in longest), longest  # the sidebar's 41 columns


def test_sampler_alert_on_small_threshold(tmp_path):
    s = Sampler(home=tmp_path, threshold_mb=1)  # any process is above 1 MB
    assert any(a.startswith("devsynth-tui ") and a.endswith("> 1 MB limit") for a in s.sample().alerts)
    assert s.sample().alerts == [] and len(s.standing()) == 1  # once per crossing; it still stands


def test_sparkline_on_a_stated_scale():
    assert sparkline([0, 1, 2, 3, 4, 5, 6, 7], top=7) == "▁▂▃▄▅▆▇█"
    assert sparkline([100, 101], top=24_000) == "▁▁"  # 100 -> 101 MB of 24 GB is no jump
    assert sparkline([5, 5, 5]) == "███" and sparkline([]) == ""  # no top given: 0 to the largest
    assert sparkline([50, 200], top=100) == "▅█"  # above the top draws full


@pytest.mark.parametrize("level, nice", [("low", 10), ("normal", 0)])
def test_process_priority_visible_through_psutil(level, nice):
    code = (
        f"import os, psutil; from devsynth_tui.services.resources.cpu import set_priority; "
        f"print(set_priority('{level}', [os.getpid()])); print(psutil.Process().nice())"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.stdout.split("\n")[1] == str(nice), r.stdout + r.stderr


def test_high_priority_without_privileges_is_a_note():
    code = (
        "import os, psutil; from devsynth_tui.services.resources.cpu import set_priority; os.nice(3); "
        "os.setuid(65534) if os.getuid() == 0 else None; print(set_priority('high', [os.getpid()])); "
        "print(psutil.Process().nice())"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert "needs privileges" in r.stdout and r.stdout.strip().endswith("3"), r.stdout + r.stderr


# --- disk cache -------------------------------------------------------------------------


def test_cache_stays_under_max_size_with_lru_eviction(tmp_path):
    cache = DiskCache(tmp_path, max_size_mb=0.05, level=None)  # 52 KB
    for i in range(200):
        cache.put(f"k{i}", {"text": "x" * (100 + (i * 997) % 3000)})
        assert cache.size() <= cache.limit
        assert sum(f.stat().st_size for f in tmp_path.iterdir()) <= cache.limit
    assert cache.get("k199") is not None and cache.get("k0") is None


def test_lru_order_is_by_use_not_insertion(tmp_path):
    cache = DiskCache(tmp_path, max_size_mb=0.01, level=None)  # ~10 KB, room for 3 entries
    for k in "abc":
        cache.put(k, {"text": "y" * 3000})
    os.utime(tmp_path / "a.entry", ns=(1, 1))
    os.utime(tmp_path / "b.entry", ns=(2, 2))
    os.utime(tmp_path / "c.entry", ns=(3, 3))
    assert cache.get("a")  # a is now the most recently used
    cache.put("d", {"text": "y" * 3000})
    assert cache.get("b") is None and cache.get("a") and cache.get("c") and cache.get("d")


@pytest.mark.parametrize(
    "damage",
    [lambda b: b[:7], lambda b: b[:-5], lambda b: b[:12] + b"garbage" + b[19:], lambda b: b"", lambda b: b"\x00" * 40],
)
def test_corrupt_or_truncated_entry_is_a_miss_and_removed(tmp_path, damage):
    cache = DiskCache(tmp_path, 1, level=6)
    cache.put("k", {"text": "hello " * 100})
    path = tmp_path / "k.entry"
    path.write_bytes(damage(path.read_bytes()))
    assert cache.get("k") is None and not path.exists()


def test_compression_round_trips_and_honours_level(tmp_path):
    value = {"text": "def add(a, b):\n    return a + b\n" * 200}
    sizes = {}
    for level in (None, 1, 9):
        cache = DiskCache(tmp_path / str(level), 10, level=level)
        cache.put("k", value)
        assert cache.get("k") == value
        sizes[level] = cache.size()
        if level:
            raw = (tmp_path / str(level) / "k.entry").read_bytes()[9:]
            assert zlib.decompress(raw) == json.dumps(value).encode()
    assert sizes[9] <= sizes[1] < sizes[None] / 5
    assert DiskCache(tmp_path / "9", 10, 9).stats().ratio > 5


def test_read_only_home_turns_cache_off_with_warning(tmp_path):
    folder = tmp_path / "cache"
    cache = DiskCache(folder, 1)
    cache.put("kept", {"text": "stored before"})
    os.chmod(folder, 0o500)
    try:
        if os.access(folder, os.W_OK):  # root ignores permission bits: make writes fail another way
            cache.folder = tmp_path / "missing" / "nested"
        cache.put("new", {"text": "x"})
        assert not cache.enabled and "turned off" in cache.warning
        assert cache.get("new") is None
    finally:
        os.chmod(folder, 0o700)
    assert DiskCache(folder, 1).get("kept") == {"text": "stored before"}


def test_deterministic_and_key():
    assert is_deterministic({"temperature": 0}) and is_deterministic({"temperature": 0.7, "seed": 1})
    assert not is_deterministic({"temperature": 0.7})
    assert cache_key({"a": 1, "b": [1]}) == cache_key({"b": [1], "a": 1}) != cache_key({"a": 2, "b": [1]})


# --- monitor ------------------------------------------------------------------------------


@pytest.mark.parametrize("what", ["memory", "cpu", "disk"])
def test_monitor_once_json(what):
    r = run_cli("monitor", what, "--once", "--json")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.strip().splitlines()
    assert len(lines) == 1
    sample = json.loads(lines[0])
    assert sample["metric"] == what and set(sample) >= FIELDS


def test_monitor_lines_and_duration():
    r = run_cli("monitor", "cpu", "--interval", "0.2", "--duration", "1")
    assert r.returncode == 0
    lines = r.stdout.strip().splitlines()
    assert 2 <= len(lines) <= 7 and all("cpu" in line and "min" in line for line in lines)


def test_monitor_ctrl_c_ends_cleanly():
    import signal
    import time

    p = subprocess.Popen(
        [sys.executable, "-m", "devsynth_tui", "monitor", "memory", "--interval", "0.1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    first = p.stdout.readline()  # it is running and printing
    time.sleep(0.3)
    p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=10)
    assert p.returncode == 0 and "Traceback" not in err and "memory" in first


@pytest.mark.parametrize("args, msg", [(["--interval", "0"], "--interval"), (["--duration", "-1"], "--duration")])
def test_monitor_bad_input(args, msg):
    r = run_cli("monitor", "cpu", *args)
    assert r.returncode == 2 and msg in r.stderr


def test_monitor_imports_no_textual():
    code = (
        "import sys; from devsynth_tui.cli import main; main(['monitor','cpu','--once']); "
        "assert 'textual' not in sys.modules"
    )
    assert subprocess.run([sys.executable, "-c", code], capture_output=True).returncode == 0
