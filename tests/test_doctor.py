"""`devsynth-tui doctor`: findings worst first, exit codes, --json, --fix (diff, ask, overrides.yaml only)."""

from __future__ import annotations

import json
import os

import pytest
import yaml
from conftest import run_cli

from devsynth_tui.cli import main
from devsynth_tui.config import app_home, overrides_path
from devsynth_tui.services.advisor import checks as advisor
from devsynth_tui.services.store.database import Store, db_path
from devsynth_tui.services.store.ledger import Ledger, LedgerRow

HEALTHY = advisor.Machine(cores=2, memory_total_mb=24_000, memory_available_mb=20_000, load_1m=0.3)


@pytest.fixture
def machine(monkeypatch):
    """The machine doctor sees: a healthy one, whatever else runs on this shared test machine."""
    monkeypatch.setattr(advisor.Machine, "now", classmethod(lambda cls: HEALTHY))


@pytest.fixture
def user_config(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text(
        "# my own settings\nllm:\n  temperature: 0.9\n  embedded: never\n  base_url: http://127.0.0.1:9/v1\n"
    )
    os.utime(path, (0, 0))  # written long ago: the window is the last week
    return path


def record(rows):
    ledger = Ledger(Store(db_path(app_home())))
    for row in rows:
        ledger.record(row)


OVERSIZED = [LedgerRow("review diff", "m", prompt_tokens=9000, tokens_before=30_000) for _ in range(3)]


def test_healthy_exits_0(machine, capsys):
    record([LedgerRow("chat", "m", prompt_tokens=100, completion_tokens=50)])
    assert main(["doctor", "--base-url", "http://127.0.0.1:9/v1"]) == 0
    out = capsys.readouterr().out
    assert "No findings" in out and "most tokens by operation: chat 150 (100%)" in out
    assert out.splitlines()[0].endswith("(requests: 1)")  # too few for a habit: said, not passed as healthy
    assert "(not checked: max_tokens: answers in the window: 1 of the 5 needed)" in out
    assert "(not checked: pruning: inputs of 4,000+ tokens in the window: 0 of the 5 needed)" in out


def test_warning_exits_1_worst_first_as_json(machine, user_config, capsys):
    record(OVERSIZED)
    assert main(["doctor", "--json", "--config", str(user_config)]) == 1
    data = json.loads(capsys.readouterr().out)
    assert [f["check"] for f in data["findings"]] == ["chunking", "temperature"] and data["healthy"] is False
    assert data["findings"][0]["change"] == {"tokens.prompt_optimization.chunked_generation": True}


def test_since_limits_the_window(machine, user_config, capsys):
    record([LedgerRow("review diff", "m", tokens_before=30_000, ts=1_000_000.0) for _ in range(3)])
    assert main(["doctor", "--json", "--config", str(user_config), "--since", "2001-01-01"]) == 0
    assert [f["check"] for f in json.loads(capsys.readouterr().out)["findings"]] == []
    assert main(["doctor", "--json", "--config", str(user_config), "--since", "1970-01-02"]) == 1


def test_fix_yes_writes_overrides_only_and_trims_the_cache(machine, user_config, capsys):
    from devsynth_tui.services.resources.disk_cache import DiskCache

    record(OVERSIZED)
    cache = DiskCache(app_home() / "cache", 50, level=None)
    for n in range(3):
        cache.put(f"k{n}", {"text": os.urandom(1024 * 1024).hex(), "usage": {}})
    user_config.write_text(user_config.read_text() + "disk:\n  caching:\n    max_size: 1\n")
    mine = user_config.read_bytes()
    os.utime(user_config, (0, 0))
    assert main(["doctor", "--fix", "--yes", "--config", str(user_config)]) == 1  # the findings as they were
    out = capsys.readouterr().out
    assert "+    chunked_generation: true" in out and "+  temperature: 0.2" in out and "written:" in out
    assert "entries removed" in out
    saved = yaml.safe_load(overrides_path().read_text())
    assert saved["tokens"]["prompt_optimization"]["chunked_generation"] is True and saved["llm"]["temperature"] == 0.2
    assert user_config.read_bytes() == mine
    assert advisor.cache_bytes(app_home() / "cache") <= 1024 * 1024
    # with the overrides, the same ledger window is judged under the new settings: only older rows remain
    assert main(["doctor", "--json", "--config", str(user_config)]) == 0


def test_fix_asks_and_no_writes_nothing(machine, user_config, capsys, monkeypatch):
    record(OVERSIZED)
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: "n")
    main(["doctor", "--fix", "--config", str(user_config)])
    assert "Nothing written." in capsys.readouterr().out and not overrides_path().exists()


def test_fix_without_a_terminal_or_yes_refuses_in_one_line(user_config):
    r = run_cli("doctor", "--fix", "--config", str(user_config), input="")
    assert r.returncode == 2 and r.stderr.strip().count("\n") == 0
    assert "add --yes" in r.stderr and "Traceback" not in r.stderr and not overrides_path().exists()


def test_bad_since_is_one_line(user_config):
    r = run_cli("doctor", "--since", "yesterday", "--config", str(user_config))
    assert (
        r.returncode == 2
        and r.stderr.strip() == "devsynth-tui: --since 'yesterday': expected a date like 2026-05-10 or 2026-05-10T15:30"
    )


def test_doctor_never_imports_textual(user_config):
    import subprocess
    import sys

    code = (
        "import sys; from devsynth_tui.cli import main; main(['doctor', '--json', '--config', sys.argv[1]]); "
        "print('TEXTUAL' if any(m.startswith('textual') for m in sys.modules) else 'CLEAN', file=sys.stderr)"
    )
    r = subprocess.run([sys.executable, "-c", code, str(user_config)], capture_output=True, text=True, timeout=120)
    assert r.stderr.strip().endswith("CLEAN"), r.stderr
