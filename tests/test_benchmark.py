"""The benchmark runner against the embedded server, and its bad input."""

import csv
import json
import signal
import subprocess
import sys
import time

import pytest
from conftest import run_cli

from devsynth_tui.config import app_home
from devsynth_tui.services.benchmark import runner as bm
from devsynth_tui.services.store.database import Store, db_path

pytestmark = pytest.mark.integration


def bench(server_url, *args):
    return run_cli("--base-url", server_url, "benchmark", *args)


def test_small_run_has_every_stage_and_metric(server_url, tmp_path):
    out = tmp_path / "run.json"
    r = bench(server_url, "--requests", "3", "--max-tokens", "16", "--json", "--output", str(out))
    assert r.returncode == 0, r.stderr
    run = json.loads(r.stdout)
    assert json.loads(out.read_text()) == run
    assert run["status"] == "complete" and run["machine"]["cores"] >= 1
    assert set(run["stages"]) == set(bm.GUIDE_STAGES) and all(v > 0 for v in run["stages"].values())
    level = run["serving"][0]
    assert level["requests"] == 3 and level["output_tokens_per_s"] > 0 and level["requests_per_s"] > 0
    for metric in ("ttft", "itl", "tpot", "e2e"):
        s = level[metric]
        assert 0 <= s["min"] <= s["p50"] <= s["p90"] <= s["p99"] <= s["max"] and s["max"] > 0, metric
    assert level["output_tokens"]["mean"] == 16  # fixed output length: comparable runs
    server = level["server"]  # the server's own figures, apart from ours
    assert (
        server["source"] == "llama.cpp timings"
        and server["predicted_per_second"]["mean"] > 0
        and server["prompt_ms"]["p50"] > 0
    )
    assert level["overhead"]["preparation"]["p50"] > 0 and level["overhead"]["after"]["p50"] > 0


def test_text_output_is_the_guides_table(server_url):
    r = bench(server_url, "--requests", "2", "--max-tokens", "8")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].startswith("Performance Benchmark Results:")
    for stage in bm.GUIDE_STAGES[:-1]:
        assert any(line.startswith(f"{stage}: ") and line.endswith("s") for line in lines), stage
    assert any(line.startswith("Memory usage (peak): ") and line.endswith("MB") for line in lines)


def test_sweep_one_row_per_combination(server_url):
    r = bench(
        server_url,
        "--no-stages",
        "--requests",
        "1",
        "--warmup",
        "0",
        "--sweep",
        "temperature=0,0.7",
        "--sweep",
        "max_tokens=8,16",
        "--sweep",
        "tokens.prompt_optimization.instruction_compression=on,off",
        "--json",
    )
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)["sweep"]
    assert len(rows) == 8
    assert {(row["params"]["llm.temperature"], row["params"]["llm.max_tokens"]) for row in rows} == {
        (0, 8),
        (0, 16),
        (0.7, 8),
        (0.7, 16),
    }
    by_tokens = {row["params"]["llm.max_tokens"]: row["output_tokens"] for row in rows}
    assert by_tokens[8] <= 8 and by_tokens[16] <= 16


def test_concurrency_4_overlaps_on_parallel_slots_and_ledgers_every_request(server_url):
    r = bench(
        server_url,
        "--no-stages",
        "--requests",
        "4",
        "--warmup",
        "1",
        "--max-tokens",
        "24",
        "--concurrency",
        "4",
        "--json",
    )
    assert r.returncode == 0, r.stderr
    run = json.loads(r.stdout)
    requests = sorted(run["requests"], key=lambda q: q["sent_at"])
    assert len(requests) == 4 and all(q["concurrency"] == 4 for q in requests)
    # a later request's first token came before an earlier one ended: the server generated them side by side
    firsts = [q["sent_at"] + q["ttft"] for q in requests]
    assert any(firsts[j] < requests[i]["ended_at"] for i in range(4) for j in range(i + 1, 4))
    rows = Store(db_path(app_home())).query("SELECT operation, status FROM requests")
    assert sorted(tuple(row) for row in rows) == [("benchmark", "ok")] * 4 + [("benchmark warmup", "ok")]


def test_server_settings_sweep_is_refused_on_a_server_we_did_not_start(server_url):
    r = bench(server_url, "--no-stages", "--requests", "1", "--sweep", "llm.embedded.threads=1,2")
    assert r.returncode == 2 and r.stderr.count("\n") == 1, r.stderr
    assert "llm.embedded.threads" in r.stderr and "was not started by devsynth-tui" in r.stderr
    assert bm.list_runs(Store(db_path(app_home()))) == []


def test_thread_sweep_restarts_the_embedded_server_per_value_and_names_the_best(tmp_path):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("llm:\n  embedded:\n    mode: always\n    context_size: 2048\n")
    out = tmp_path / "sweep.csv"
    r = run_cli(
        "--config",
        str(cfg),
        "benchmark",
        "--no-stages",
        "--requests",
        "2",
        "--warmup",
        "0",
        "--max-tokens",
        "8",
        "--sweep",
        "llm.embedded.threads=1,2",
        "--json",
        "--output",
        str(out),
    )
    assert r.returncode == 0, r.stderr
    run = json.loads(r.stdout)
    assert [row["params"] for row in run["sweep"]] == [{"llm.embedded.threads": 1}, {"llm.embedded.threads": 2}]
    assert all(row["tps_p50"] > 0 and row["server_tps_p50"] > 0 and row["ttft_p50"] > 0 for row in run["sweep"])
    assert run["best"]["tps"] in [row["params"] for row in run["sweep"]]
    log = (app_home() / "embedded-server.log").read_text()
    assert "n_threads = 1" in log and "n_threads = 2" in log  # a server per value
    assert [row["kind"] for row in csv.DictReader(out.open())] == ["serving", "sweep", "sweep"]


def test_list_show_compare(server_url):
    for _ in range(2):
        assert bench(server_url, "--no-stages", "--requests", "3", "--max-tokens", "8").returncode == 0
    listing = bench(server_url, "list")
    lines = listing.stdout.strip().splitlines()
    assert (
        listing.returncode == 0
        and lines[0].split()[0] == "run"
        and [line.split()[0] for line in lines[1:]] == ["2", "1"]
    )
    shown = bench(server_url, "show", "1")
    assert shown.returncode == 0 and "Serving, concurrency 1" in shown.stdout
    r = bench(server_url, "--compare", "1", "2")
    assert r.returncode == 0, r.stderr
    assert "e2e (ms)" in r.stdout and "beyond spread" in r.stdout
    rows = json.loads(bench(server_url, "--compare", "1", "2", "--json").stdout)["rows"]
    assert {row["metric"] for row in rows} >= {"ttft", "itl", "tpot", "e2e", "output_tokens_per_s"}
    assert all(isinstance(row["significant"], bool) for row in rows if row["metric"] == "e2e")


def test_interrupted_run_is_stored_incomplete(server_url):
    p = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "devsynth_tui",
            "--base-url",
            server_url,
            "benchmark",
            "--no-stages",
            "--requests",
            "200",
            "--max-tokens",
            "16",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 300  # some requests done, then interrupt: a loaded machine takes minutes to get there
    with Store(db_path(app_home())) as store:
        while store.query("SELECT COUNT(*) FROM requests WHERE operation = 'benchmark'")[0][0] < 2:
            assert p.poll() is None, f"the benchmark ended before 2 requests: {p.communicate()[1]}"
            assert time.monotonic() < deadline, "the benchmark did not finish 2 requests in 300 s"
            time.sleep(0.1)
    p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=30)
    assert p.returncode == 130 and "incomplete" in err and "Traceback" not in err
    run = bm.load_run(Store(db_path(app_home())), 1)
    assert run.status == "incomplete" and 0 < run.serving[0]["requests"] < 200


def test_older_schema_run_still_shows():
    store = Store(db_path(app_home()))
    old = {
        "started": 1.0,
        "status": "complete",
        "server": "LM Studio at x",
        "model": "m",
        "stages": {"Context loading": 0.1},
    }
    store.write(
        "INSERT INTO bench_runs(started, status, server, model, config_hash, data) VALUES (1, 'complete', 'x', 'm', "
        "'', ?)",
        (json.dumps(old),),
    )
    r = run_cli("benchmark", "show", "1")
    assert r.returncode == 0 and "Context loading: 0.10s" in r.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["--requests", "0"], "--requests 0"),
        (["--concurrency", "1,0"], "--concurrency 0"),
        (["--concurrency", "two"], "--concurrency 'two'"),
        (["--sweep", "warp=1,2"], "'warp': unknown parameter"),
        (["--sweep", "temperature=0,5"], "between 0 and 2"),
        (["--sweep", "temperature"], "expected NAME=V1,V2"),
        (["show", "99"], "no benchmark run 99"),
        (["--slo", "ttft_p90<=fast"], "--slo 'ttft_p90<=fast'"),
        (["--sweep", "llm.embedded.mode=auto,never"], "can't be swept"),
        (["--sweep", "llm.embedded.batch_size=64"], "llm.embedded.batch_size=64"),
    ],
)
def test_bad_input(args, message):
    r = run_cli("--base-url", "http://127.0.0.1:9/v1", "benchmark", *args)
    assert r.returncode == 2 and message in r.stderr and r.stderr.count("\n") == 1, r.stderr


def test_unreachable_server_fails_before_any_stage(tmp_path):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("llm:\n  embedded:\n    mode: never\n")
    r = run_cli("--config", str(cfg), "--base-url", "http://127.0.0.1:9/v1", "benchmark")
    assert r.returncode == 2 and "no server answers at http://127.0.0.1:9/v1" in r.stderr
    assert bm.list_runs(Store(db_path(app_home()))) == []


def busy_loops(n: int) -> list[subprocess.Popen]:
    """``n`` processes spinning for up to 120 s, each already spinning when this returns.

    Each in a session of its own, as programs started from other terminals are: with the kernel's
    autogroup scheduling, loops sharing the test's session would share one group's CPU, while the
    model server (its own session) takes a whole core, and the others would add up to one core."""
    code = "import sys, time\nend = time.time() + 120\nprint(flush=True)\nwhile time.time() < end: pass"
    loops = [
        subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, start_new_session=True) for _ in range(n)
    ]
    for loop in loops:
        loop.stdout.readline()
    return loops


def test_run_on_a_busy_machine_says_so_and_stores_it(server_url):
    """Other programs loading every core while the run goes: the run says so, and keeps the figure."""
    import os

    busy = busy_loops(2 * (os.cpu_count() or 1))  # others must outweigh the server, whose threads spin
    try:
        r = bench(server_url, "--no-stages", "--requests", "3", "--max-tokens", "16", "--json")
    finally:
        for p in busy:
            p.kill()
            p.wait()
    assert r.returncode == 0, r.stderr
    load = json.loads(r.stdout)["machine"]["competing_load"]
    assert load["busy"] is True and load["other_cores"] >= 0.5 * load["cores"], load
    assert "pid" in load["server"]  # the server found on its port: its own CPU is not counted as others'
    shown = bench(server_url, "show", str(json.loads(r.stdout)["id"]))
    assert f"busy machine: other programs used {load['other_cores']:.1f} of {load['cores']} cores" in shown.stdout


def test_competing_text_only_when_busy():
    quiet = {"other_cores": 0.2, "cores": 2, "busy": False, "server": "remote", "load_1m": 0.3}
    assert bm.competing_text(quiet) == "" and bm.competing_text(None) == ""
    assert "1.6 of 2 cores" in bm.competing_text(quiet | {"other_cores": 1.6, "busy": True})
