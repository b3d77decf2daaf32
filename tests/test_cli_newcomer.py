"""What a newcomer reads from the headless commands: whole names, headers, what the cost means."""

import time

import pytest
from conftest import run_cli

from devsynth_tui.config import app_home
from devsynth_tui.services.benchmark import runner as bm
from devsynth_tui.services.store.database import Store, db_path
from devsynth_tui.services.store.ledger import Ledger, LedgerRow


def store():
    return Store(db_path(app_home()))


def test_tokens_history_never_cuts_an_operation_or_model_name():
    ledger = Ledger(store())
    ledger.record(
        LedgerRow("explain file", "qwen2.5-coder-7b-instruct-q4_k_m-long-name", "lmstudio", 120, 30, cost=0.0021)
    )
    ledger.record(LedgerRow("ask", "m", "embedded", 10, 2))
    r = run_cli("tokens", "history")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].split()[:3] == ["time", "operation", "model"]
    assert "explain file qwen2.5-coder-7b-instruct-q4_k_m-long-name" in lines[2]
    assert lines[0].index("model") == lines[1].index(" m ") + 1  # columns line up with the longest name
    assert "hosted prices" in lines[-1] and "pricing" in lines[-1]


def test_tokens_report_says_what_the_estimated_cost_is():
    r = run_cli("tokens", "report")
    assert "Estimated cost: $0.0000" in r.stdout and "at hosted prices" in r.stdout


def test_tokens_says_a_bad_config_as_every_command_does(tmp_path):
    """`--config broken.yaml tokens report` printed the report and exited 0, the file unread."""
    broken = tmp_path / "broken.yaml"
    broken.write_text("llm: [\n")
    for command in (("tokens", "report"), ("tokens", "history")):
        r = run_cli("--config", str(broken), *command)
        assert r.returncode == 2 and r.stderr.startswith(f"devsynth-tui: your config file is at fault: {broken} line")


def test_an_empty_history_says_so():
    assert run_cli("tokens", "history").stdout.startswith("no requests recorded yet")


def test_benchmark_list_has_a_header():
    s = store()
    assert "no stored runs yet" in run_cli("benchmark", "list").stdout
    bm.save_run(s, bm.RunResult(None, time.time(), "complete", {}, "embedded llama.cpp", "SmolLM2", {}, "abc"))
    lines = run_cli("benchmark", "list").stdout.splitlines()
    assert lines[0].split() == ["run", "started", "status", "model", "server"]
    assert lines[1].split()[0] == "1" and "SmolLM2" in lines[1] and "complete" in lines[1]


def test_monitor_cpu_reports_the_servers_process(embedded_server):
    r = run_cli("monitor", "cpu", "--once")
    assert r.returncode == 0, r.stderr
    assert "% of one core" in r.stdout.split("· server ")[1] and "devsynth-tui" in r.stdout


def test_the_readme_lists_every_command_and_every_ask_flag():
    import argparse
    from pathlib import Path

    from devsynth_tui.cli import build_parser

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    commands = readme.split("## Commands")[1].split("##")[0]
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    for name, parser in sub.choices.items():
        assert f"devsynth-tui {name}" in commands, name
        if name == "ask":
            for action in parser._actions:
                flags = [f for f in action.option_strings if f.startswith("--") and f not in ("--help", "--cid")]
                flags = [f for f in flags if f not in ("--config", "--base-url", "--model")]  # global, listed apart
                assert not flags or any(f in commands for f in flags), flags
    assert all(flag in readme for flag in ("--config PATH", "--base-url URL", "--model NAME"))


def test_an_answer_cut_by_max_tokens_says_so_and_names_its_sampling(server_url):
    r = run_cli(
        "ask",
        "Write a long story about a dragon.",
        "--base-url",
        server_url,
        "--max-tokens",
        "5",
        "--temperature",
        "0.3",
    )
    assert r.returncode == 0, r.stderr
    stats = r.stderr.strip().splitlines()[-1]
    assert "stopped at max_tokens (5)" in stats and "temperature 0.3" in stats and "top_p" in stats, stats
    assert "max_tokens 5" not in stats  # said once, as the reason it stopped
    r = run_cli("ask", "Say hi.", "--base-url", server_url, "--max-tokens", "400", "--temperature", "0")
    stats = r.stderr.strip().splitlines()[-1]
    assert "stopped at" not in stats and "temperature 0.0, " in stats and "max_tokens 400" in stats, stats


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["--config", "c.yaml", "--model", "m"],
        ["ask", "hi", "-c", "--temperature", "0.2", "--context", "a.py", "--type", "a.py=code"],
        ["--base-url", "http://localhost:1/v1", "tokens", "history", "--limit", "3", "--json"],
        ["benchmark", "--sweep", "top_k=1,2", "--slo", "ttft_p90<=1s", "--no-stages"],
        ["conversations", "delete", "4"],
        ["config", "check", "x.yaml"],
        ["doctor", "--fix", "--yes"],
        ["monitor", "disk", "--once"],
        ["serve-embedded", "--port", "9", "--model", "m"],
    ],
)
def test_a_command_line_parses_as_with_every_command_built(argv):
    """The parser builds the flags of the commands a command line names only; what it parses is the same."""
    import argparse

    from devsynth_tui.cli import build_parser

    assert vars(build_parser(argv).parse_args(argv)) == vars(build_parser().parse_args(argv))
    sub = next(a for a in build_parser(argv)._actions if isinstance(a, argparse._SubParsersAction))
    named = [name for name in sub.choices if name in argv]
    assert list(sub.choices) == list(next(a for a in build_parser()._actions if a.dest == "command").choices)
    assert all(len(p._actions) == 4 for name, p in sub.choices.items() if name not in named)  # -h and the globals
