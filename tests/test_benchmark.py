"""The benchmark runner against the embedded server, and its bad input."""

import json
import signal
import subprocess
import sys
import time

import pytest

from conftest import run_cli
from devsynth_tui.config import app_home
from devsynth_tui.services import benchmark as bm
from devsynth_tui.services.store import Store, db_path

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
        assert 0 < s["min"] <= s["p50"] <= s["p90"] <= s["p99"] <= s["max"], metric
    assert level["output_tokens"]["mean"] == 16  # fixed output length: comparable runs
    assert level["server"]["predicted_per_second"] > 0 and level["server"]["prompt_ms"] is not None


def test_text_output_is_the_guides_table(server_url):
    r = bench(server_url, "--requests", "2", "--max-tokens", "8")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].startswith("Performance Benchmark Results:")
    for stage in bm.GUIDE_STAGES[:-1]:
        assert any(line.startswith(f"{stage}: ") and line.endswith("s") for line in lines), stage
    assert any(line.startswith("Memory usage (peak): ") and line.endswith("MB") for line in lines)


def test_sweep_one_row_per_combination(server_url):
    r = bench(server_url, "--no-stages", "--requests", "1", "--warmup", "0", "--sweep", "temperature=0,0.7",
              "--sweep", "max_tokens=8,16", "--sweep", "tokens.prompt_optimization.instruction_compression=on,off", "--json")
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)["sweep"]
    assert len(rows) == 8
    assert {(row["params"]["llm.temperature"], row["params"]["llm.max_tokens"]) for row in rows} == {(0, 8), (0, 16), (0.7, 8), (0.7, 16)}
    by_tokens = {row["params"]["llm.max_tokens"]: row["output_tokens"] for row in rows}
    assert by_tokens[8] <= 8 and by_tokens[16] <= 16


def test_list_show_compare(server_url):
    for _ in range(2):
        assert bench(server_url, "--no-stages", "--requests", "3", "--max-tokens", "8").returncode == 0
    listing = bench(server_url, "list")
    assert listing.returncode == 0 and len(listing.stdout.strip().splitlines()) == 2
    shown = bench(server_url, "show", "1")
    assert shown.returncode == 0 and "Serving, concurrency 1" in shown.stdout
    r = bench(server_url, "--compare", "1", "2")
    assert r.returncode == 0, r.stderr
    assert "e2e (ms)" in r.stdout and "beyond spread" in r.stdout
    rows = json.loads(bench(server_url, "--compare", "1", "2", "--json").stdout)["rows"]
    assert {row["metric"] for row in rows} >= {"ttft", "itl", "tpot", "e2e", "output_tokens_per_s"}
    assert all(isinstance(row["significant"], bool) for row in rows if row["metric"] == "e2e")


def test_interrupted_run_is_stored_incomplete(server_url):
    p = subprocess.Popen([sys.executable, "-m", "devsynth_tui", "--base-url", server_url, "benchmark", "--no-stages",
                          "--requests", "200", "--max-tokens", "16"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for _ in range(600):  # wait until some requests are done (a slow machine takes longer), then interrupt
        time.sleep(0.1)
        runs = Store(db_path(app_home())).query("SELECT COUNT(*) FROM requests WHERE operation = 'benchmark'")[0][0]
        if runs >= 2:
            break
    p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=30)
    assert p.returncode == 130 and "incomplete" in err and "Traceback" not in err
    run = bm.load_run(Store(db_path(app_home())), 1)
    assert run.status == "incomplete" and 0 < run.serving[0]["requests"] < 200


def test_older_schema_run_still_shows():
    store = Store(db_path(app_home()))
    old = {"started": 1.0, "status": "complete", "server": "LM Studio at x", "model": "m", "stages": {"Context loading": 0.1}}
    store.write("INSERT INTO bench_runs(started, status, server, model, config_hash, data) VALUES (1, 'complete', 'x', 'm', '', ?)",
                (json.dumps(old),))
    r = run_cli("benchmark", "show", "1")
    assert r.returncode == 0 and "Context loading: 0.10s" in r.stdout


@pytest.mark.parametrize("args, message", [
    (["--requests", "0"], "--requests 0"),
    (["--concurrency", "1,0"], "--concurrency 0"),
    (["--concurrency", "two"], "--concurrency 'two'"),
    (["--sweep", "warp=1,2"], "'warp': unknown parameter"),
    (["--sweep", "temperature=0,5"], "between 0 and 2"),
    (["--sweep", "temperature"], "expected NAME=V1,V2"),
    (["show", "99"], "no benchmark run 99"),
])
def test_bad_input(args, message):
    r = run_cli("--base-url", "http://127.0.0.1:9/v1", "benchmark", *args)
    assert r.returncode == 2 and message in r.stderr and r.stderr.count("\n") == 1, r.stderr


def test_unreachable_server_fails_before_any_stage(tmp_path):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("llm:\n  embedded: never\n")
    r = run_cli("--config", str(cfg), "--base-url", "http://127.0.0.1:9/v1", "benchmark")
    assert r.returncode == 2 and "no server answers at http://127.0.0.1:9/v1" in r.stderr
    assert bm.list_runs(Store(db_path(app_home()))) == []


def test_summarize_percentiles():
    s = bm.summarize([float(v) for v in range(1, 101)])
    assert (s["p50"], s["p90"], s["p99"], s["min"], s["max"]) == (50, 90, 99, 1, 100)
