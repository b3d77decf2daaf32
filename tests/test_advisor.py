"""The advisor: each check on a situation built for real (ledger rows, config files, a loaded CPU,
LM Studio's model list, a cache folder), and no finding on a healthy setup."""

from __future__ import annotations

import asyncio
import os
import time
from dataclasses import replace

import pytest
import yaml

from devsynth_tui.config import app_home, load
from devsynth_tui.services.advisor import checks as advisor
from devsynth_tui.services.advisor.facts import Facts, Machine
from devsynth_tui.services.advisor.findings import Skip
from devsynth_tui.services.resources.monitor import Sample, Sampler
from devsynth_tui.services.store.database import Store, db_path
from devsynth_tui.services.store.ledger import Ledger, LedgerRow

HEALTHY_MACHINE = Machine(
    cores=2, memory_total_mb=24_000, memory_available_mb=20_000, swap_total_mb=0, swap_used_mb=0, load_1m=0.4
)


def config(tmp_path, **values):
    """A user config file holding ``values`` (dotted keys), loaded as the app loads it."""
    data: dict = {}
    for dotted, value in values.items():
        node = data
        *parents, last = dotted.replace("__", ".").split(".")
        for p in parents:
            node = node.setdefault(p, {})
        node[last] = value
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(data))
    return load(path)


def store_with(rows: list[LedgerRow]) -> Store:
    store = Store(db_path(app_home()))
    ledger = Ledger(store)
    for row in rows:
        ledger.record(row)
    return store


def facts(cfg, rows=(), **kw) -> Facts:
    kw.setdefault("machine", HEALTHY_MACHINE)
    return Facts(cfg, store_with(list(rows)), 0.0, **kw)


def checks(found) -> list[str]:
    return [f.check for f in found.findings]


def healthy_rows(n=30, model="google/gemma-3-1b", t0=None) -> list[LedgerRow]:
    """Requests as a well-tuned setup makes them: large inputs pruned hard, small answers well under max_tokens."""
    t0 = t0 or time.time() - 3600
    return [
        LedgerRow(
            "chat",
            model,
            "lmstudio",
            prompt_tokens=1800,
            completion_tokens=400 + i * 10,
            est_prompt_tokens=1800,
            tokens_before=9000,
            tokens_saved=7200,
            ttft=0.3,
            tps=40.0,
            duration=10.0,
            ts=t0 + i * 20,
        )
        for i in range(n)
    ]


def idle_samples(rows: list[LedgerRow]) -> list[Sample]:
    """An idle machine's readings every second across the rows' time."""
    start, end = rows[0].ts - rows[0].duration - 1, rows[-1].ts + 2
    return [
        Sample(
            t=start + i,
            cpu_percent=25.0,
            process_cpu_percent=5.0,
            memory_used_mb=4000,
            memory_total_mb=24_000,
            memory_percent=17.0,
            rss_mb=120.0,
            server_rss_mb=None,
            disk_percent=40.0,
            disk_free_gb=100.0,
            disk_read_bps=0.0,
            disk_write_bps=0.0,
            server_cpu_percent=None,
        )
        for i in range(int(end - start))
    ]


@pytest.fixture
def lmstudio_models(lmstudio):
    """LM Studio's models as the advisor reads them: /v1/models plus the native /api/v0 and /api/v1 lists."""

    def read(cfg):
        return asyncio.run(advisor.server_models(cfg))

    return read


# --- healthy: no findings ----------------------------------------------------------------


def test_healthy_setup_built_gives_no_findings(tmp_path, lmstudio, lmstudio_models):
    cfg = config(tmp_path, llm__base_url=lmstudio.base_url, llm__model="google/gemma-3-1b", llm__max_tokens=1000)
    lmstudio.load("google/gemma-3-1b")
    models, backend = lmstudio_models(cfg)
    rows = healthy_rows()
    found = advisor.advise(
        facts(cfg, rows, samples=idle_samples(rows), models=models, backend=backend, cache_dir=app_home() / "cache")
    )
    assert found.findings == [] and found.healthy
    assert found.usage["model"][0]["name"] == "google/gemma-3-1b" and found.usage["model"][0]["share"] == 1.0


@pytest.mark.integration
async def test_healthy_real_requests_against_the_embedded_server_give_no_findings(cfg_for):
    """Real requests through the pipeline, the real server's model list: 0 findings (false positives 0)."""
    from devsynth_tui.services.llm.backend import connect
    from devsynth_tui.services.pipeline.pipeline import Pipeline
    from devsynth_tui.services.pipeline.request import ChatRequest, Done

    cfg = cfg_for(llm__max_tokens=48)
    store = Store(db_path(app_home()))
    backend = await connect(cfg, app_home())
    try:
        pipeline = Pipeline(cfg, backend, Ledger(store), app_home())
        for question in (
            "What is 2+2?",
            "Name a Python keyword.",
            "What does len() return?",
            "Say hi.",
            "What is a list?",
        ):
            async for event in pipeline.run(ChatRequest(question)):
                if isinstance(event, Done):
                    assert event.status == "ok", event.error
        models = await backend.models()
    finally:
        await backend.aclose()
    found = advisor.advise(
        Facts(cfg, store, 0.0, HEALTHY_MACHINE, models=models, backend=backend.kind, cache_dir=app_home() / "cache")
    )
    assert found.findings == [], [f.title for f in found.findings]
    assert store.query("SELECT COUNT(*) n FROM requests")[0]["n"] == 5


# --- high token usage ------------------------------------------------------------------------


def test_pruning_that_saves_little_on_large_inputs(tmp_path):
    cfg = config(tmp_path, tokens__context_pruning__strategy="recency")
    rows = [
        LedgerRow(
            "explain file", "qwen", prompt_tokens=8000, completion_tokens=300, tokens_before=8100, tokens_saved=100
        )
        for _ in range(6)
    ] + [LedgerRow("chat", "qwen", prompt_tokens=200, completion_tokens=100)]
    store = store_with(rows)
    ledger = Ledger(store)
    for request_id in range(1, 7):
        ledger.record_stages(request_id, [("context:recency", 8100, 8100), ("prompt:template_trimming", 60, 50)])
    (f,) = advisor.check_pruning(Facts(cfg, store, 0.0, HEALTHY_MACHINE))
    assert f.severity == "warning" and "6 requests" in f.saw and "saved 1 %" in f.saw
    assert "saved by stage: prompt:template_trimming 17 %, context:recency 0 %" in f.saw
    assert "operation 'explain file'" in f.saw
    assert f.change == {"tokens.context_pruning.strategy": ["relevance", "recency"]}
    # relevance already on: the threshold goes up
    cfg = config(tmp_path, tokens__context_pruning__threshold=0.5)
    (f,) = advisor.check_pruning(Facts(cfg, store_with([]), 0.0, HEALTHY_MACHINE))
    assert f.change == {"tokens.context_pruning.threshold": 0.6}


def test_prompt_optimization_off_and_too_many_examples(tmp_path):
    cfg = config(
        tmp_path, tokens__prompt_optimization__template_trimming=False, tokens__prompt_optimization__max_examples=6
    )
    assert advisor.check_prompt_optimization(facts(cfg)) == []  # no requests: nothing it would have changed
    (f,) = advisor.check_prompt_optimization(facts(cfg, [LedgerRow("chat", "m", prompt_tokens=100)]))
    assert f.severity == "info" and str(tmp_path / "config.yaml") in f.saw
    assert f.change == {
        "tokens.prompt_optimization.template_trimming": True,
        "tokens.prompt_optimization.max_examples": 2,
    }


def test_oversized_inputs_that_chunked_generation_would_split(tmp_path):
    cfg = config(tmp_path, memory__max_context_size=10_000)
    rows = [
        LedgerRow("review diff", "m", prompt_tokens=9800, tokens_before=before) for before in (12_000, 30_000, 45_500)
    ]
    (f,) = advisor.check_chunking(facts(cfg, rows))
    assert "3 requests" in f.saw and "largest 45,500" in f.saw and "46 for the largest" in f.why
    assert f.change == {"tokens.prompt_optimization.chunked_generation": True}
    assert (
        advisor.check_chunking(
            Facts(
                config(tmp_path, tokens__prompt_optimization__chunked_generation=True),
                store_with([]),
                0.0,
                HEALTHY_MACHINE,
            )
        )
        == []
    )


def test_simple_requests_sent_to_a_big_model(tmp_path, lmstudio, lmstudio_models):
    from lmstudio_emulator import EmulatedModel

    lmstudio.models.append(EmulatedModel("meta/llama-3-8b", size_bytes=8_540_000_000, params="8B"))
    cfg = config(tmp_path, llm__base_url=lmstudio.base_url)
    models, _ = lmstudio_models(cfg)
    rows = [LedgerRow("chat", "meta/llama-3-8b", prompt_tokens=150, est_prompt_tokens=150) for _ in range(8)]
    (f,) = advisor.check_model_choice(facts(cfg, rows, models=models))
    assert f.severity == "warning" and "8 of 8 requests to meta/llama-3-8b (8.5 GB" in f.saw
    assert f.change == {
        "llm.dynamic_model_selection.enabled": True,
        "llm.dynamic_model_selection.models": {
            "simple": "qwen/qwen3-4b",
            "medium": "meta/llama-3-8b",
            "complex": "meta/llama-3-8b",
        },
    }
    load(tmp_path / "config.yaml").with_values(f.change)  # the change is valid config


# --- slow responses ---------------------------------------------------------------------------


def loaded_samples(rows: list[LedgerRow], machine_percent: float) -> list[Sample]:
    """Readings across the rows' time with the machine's CPU at ``machine_percent`` and the server's share known
    (5 % of a core): the load figure is given, whatever else runs on this machine."""
    return [
        replace(s, cpu_percent=machine_percent, server_cpu_percent=5.0, process_cpu_percent=2.0)
        for s in idle_samples(rows)
    ]


def test_cpu_taken_by_other_programs_during_requests(tmp_path):
    """Other programs at 90 % of both cores while requests ran: a warning; at 30 %, none (same rows)."""
    cfg = config(tmp_path, cpu__process_priority="low", monitor__interval=1.0)
    t0 = time.time() - 60
    rows = [LedgerRow("chat", "m", prompt_tokens=100, duration=4.0, ts=t0 + 5 * i) for i in range(1, 4)]
    (f,) = advisor.check_cpu(facts(cfg, rows, samples=loaded_samples(rows, 90.0)))
    assert "other programs used a median 1.7 of 2 cores during your requests" in f.saw and "resource samples" in f.saw
    assert f.severity == "warning" and f.change == {"cpu.process_priority": "normal"}
    assert f.step.startswith("Close or pause other busy programs")
    assert advisor.check_cpu(facts(cfg, samples=loaded_samples(rows, 30.0))) == []


def test_cpu_load_average_without_samples(tmp_path):
    cfg = config(tmp_path)
    loaded = Machine(cores=2, memory_total_mb=24_000, memory_available_mb=20_000, load_1m=6.3)
    (f,) = advisor.check_cpu(facts(cfg, machine=loaded))
    assert "load average 6.3" in f.saw and "2 cores" in f.saw and f.change == {}
    assert advisor.check_cpu(facts(cfg)) == []


def test_memory_full_during_requests(tmp_path):
    cfg = config(tmp_path)
    rows = healthy_rows(5)
    samples = idle_samples(rows)
    for s in samples:
        s.memory_percent = 96.0
    (f,) = advisor.check_memory_pressure(facts(cfg, rows, samples=samples))
    assert "96 % full during your requests" in f.saw and "Eject" in f.step
    assert advisor.check_memory_pressure(facts(cfg, rows, samples=idle_samples(rows))) == []


def test_swap_in_use_with_little_memory_left(tmp_path):
    cfg = config(tmp_path)
    swapping = Machine(cores=2, memory_total_mb=16_000, memory_available_mb=900, swap_total_mb=8000, swap_used_mb=3100)
    (f,) = advisor.check_swap(facts(cfg, machine=swapping))
    assert "3,100 MB of swap used" in f.saw and "900 of 16,000 MB available" in f.saw
    # old pages in swap with plenty of memory free are no finding
    idle_swap = Machine(
        cores=2, memory_total_mb=16_000, memory_available_mb=12_000, swap_total_mb=8000, swap_used_mb=3100
    )
    assert advisor.check_swap(facts(cfg, machine=idle_swap)) == []


def test_model_too_big_for_free_memory(tmp_path, lmstudio, lmstudio_models):
    """Sizes from LM Studio's /api/v1/models; the machine's memory is psutil's."""
    from lmstudio_emulator import EmulatedModel

    lmstudio.models.append(EmulatedModel("meta/llama-3.3-70b", size_bytes=42_500_000_000, params="70B"))
    cfg = config(tmp_path, llm__base_url=lmstudio.base_url, llm__model="meta/llama-3.3-70b")
    models, _ = lmstudio_models(cfg)
    (f,) = advisor.check_model_ram(facts(cfg, models=models, machine=Machine.now()))
    assert f.severity == "critical" and "meta/llama-3.3-70b is 42.5 GB" in f.saw and "available memory" in f.saw
    assert f.change == {"llm.model": "qwen/qwen3-4b"} and "smaller quantization" in f.step


def test_temperature_above_the_guide(tmp_path):
    cfg = config(tmp_path, llm__temperature=0.9)
    (f,) = advisor.check_temperature(facts(cfg, [LedgerRow("chat", "m")]))
    assert "llm.temperature is 0.9" in f.saw and f.change == {"llm.temperature": 0.2}


def test_max_tokens_far_above_the_answers(tmp_path):
    cfg = config(tmp_path, llm__max_tokens=4000)
    rows = [LedgerRow("chat", "m", prompt_tokens=100, completion_tokens=100 + i * 10) for i in range(25)]
    rows.append(LedgerRow("chat", "m", completion_tokens=3999, status="error"))  # failed rows don't count
    (f,) = advisor.check_max_tokens(facts(cfg, rows))
    # exact: 24 of 25 within 330, and the one above it named
    assert "24 of 25 answers (96 %) used at most 330 tokens, the longest 340" in f.saw
    assert f.change == {"llm.max_tokens": 700}


def test_max_tokens_fires_on_a_few_short_answers(tmp_path):
    """llm.max_tokens 8000 and six answers of 64 tokens: far above what the answers use."""
    cfg = config(tmp_path, llm__max_tokens=8000)
    rows = [LedgerRow("chat", "m", prompt_tokens=40, completion_tokens=64) for _ in range(6)]
    (f,) = advisor.check_max_tokens(facts(cfg, rows))
    assert "all 6 answers used at most 64 tokens" in f.saw and f.change == {"llm.max_tokens": 200}


def test_share_is_exact_never_rounded_to_all():
    assert advisor.pct(36, 37) == "97 %" and advisor.pct(199, 200) == "99 %" and advisor.pct(1, 500) == "1 %"
    assert advisor.pct(37, 37) == "100 %" and advisor.pct(0, 37) == "0 %"


@pytest.mark.integration
def test_max_tokens_leaves_out_the_benchmarks_own_requests(server_url, tmp_path):
    """A real benchmark (its own max_tokens 64, warm-up included) and real chat answers: only the answers count."""
    from conftest import run_cli

    r = run_cli("--base-url", server_url, "benchmark", "--no-stages", "--requests", "6", "--max-tokens", "64")
    assert r.returncode == 0, r.stderr
    cfg = config(tmp_path, llm__base_url=server_url, llm__max_tokens=4000, llm__embedded__mode="never")
    store = Store(db_path(app_home()))
    bench_rows = store.query("SELECT COUNT(*) n FROM requests WHERE operation LIKE 'benchmark%'")[0]["n"]
    assert bench_rows == 7  # six and a warm-up
    with pytest.raises(Skip, match="answers in the window: 0 of the 5 needed"):  # no answer of the user's yet
        advisor.check_max_tokens(Facts(cfg, store, 0.0, HEALTHY_MACHINE))
    for question in ("Say hi.", "Name a colour.", "What is 2+2?", "Say yes.", "Name a fruit."):
        r = run_cli("--config", str(tmp_path / "config.yaml"), "ask", question, "--temperature", "0", "--seed", "7")
        assert r.returncode == 0, r.stderr
    (f,) = advisor.check_max_tokens(Facts(cfg, store, 0.0, HEALTHY_MACHINE))
    assert " 5 answers" in f.saw and "benchmark requests left out" in f.saw


# --- high memory --------------------------------------------------------------------------------


def test_context_window_far_beyond_what_is_sent(tmp_path, lmstudio, lmstudio_models):
    lmstudio.model("qwen/qwen3-4b").loaded_context_length = 40960
    lmstudio.load("qwen/qwen3-4b")
    cfg = config(tmp_path, llm__base_url=lmstudio.base_url, llm__model="qwen/qwen3-4b", memory__max_context_size=6000)
    models, backend = lmstudio_models(cfg)
    rows = [LedgerRow("chat", "qwen/qwen3-4b", prompt_tokens=5000, completion_tokens=700)]
    (f,) = advisor.check_context_window(facts(cfg, rows, models=models, backend=backend))
    assert "40,960-token window" in f.saw and "sends at most 8,000" in f.saw and "largest request was 5,700" in f.saw
    assert "Context Length 8,192" in f.step


def test_embedded_context_window_far_beyond_what_is_sent_names_its_key(tmp_path, server_url):
    """The real embedded server's model list (an 8,192-token window) against a small context budget."""
    from devsynth_tui.services.llm.client import LLMClient

    async def listed():
        client = LLMClient(server_url)
        try:
            return await client.list_models()
        finally:
            await client.aclose()

    models = asyncio.run(listed())
    cfg = config(tmp_path, llm__base_url=server_url, memory__max_context_size=1000, llm__max_tokens=500)
    rows = [LedgerRow("chat", models[0].id, "embedded", prompt_tokens=900, completion_tokens=300)]
    (f,) = advisor.check_context_window(facts(cfg, rows, models=models, backend="embedded", active_model=models[0].id))
    assert f"{models[0].context_length:,}-token window" in f.saw
    assert f.change == {"llm.embedded.context_size": 4096} and f.step == ""


def test_threads_slower_than_the_best_the_benchmark_measured(tmp_path):
    from devsynth_tui.services.benchmark.runs import RunResult, save_run

    sweep = [
        {"params": {"llm.embedded.threads": n}, "tps_p50": tps, "ttft_p50": 0.03}
        for n, tps in ((1, 54.0), (2, 7.0), (4, 22.9))
    ]
    store = store_with([])
    run = save_run(
        store,
        RunResult(None, time.time(), "complete", {"cores": 2}, "embedded SmolLM2", "SmolLM2", {}, "x", sweep=sweep),
    )
    cfg = config(tmp_path, llm__embedded__threads=2)
    (f,) = advisor.check_threads(Facts(cfg, store, 0.0, HEALTHY_MACHINE))
    assert f.change == {"llm.embedded.threads": 1}
    assert f"benchmark run {run} measured 54.0 tok/s with 1 threads against 7.0 tok/s with 2" in f.saw
    assert advisor.check_threads(Facts(config(tmp_path, llm__embedded__threads=1), store, 0.0, HEALTHY_MACHINE)) == []
    (tmp_path / "empty").mkdir()
    with pytest.raises(advisor.Skip, match="no stored benchmark swept"):
        advisor.check_threads(Facts(cfg, Store(db_path(tmp_path / "empty")), 0.0, HEALTHY_MACHINE))


def test_memory_growing_across_requests_with_gc_off(tmp_path):
    """This process really grows by ~20 MB a request; the sampler reads its RSS after each."""
    cfg = config(tmp_path, memory__aggressive_gc=False)
    sampler, held, rows = Sampler(interval=0.05, window=60), [], []
    for _ in range(6):
        start = time.time()
        held.append(bytearray(os.urandom(20 * 1024 * 1024)))
        rows.append(LedgerRow("chat", "m", duration=time.time() - start + 0.01, ts=time.time()))
        time.sleep(0.06)
        sampler.sample()
    (f,) = advisor.check_gc(facts(cfg, rows, samples=list(sampler.samples)))
    assert f.severity == "warning" and "across 6 requests" in f.saw and f.change == {"memory.aggressive_gc": True}
    held.clear()


def test_cache_over_its_cap_and_the_fix_trims_it(tmp_path):
    from devsynth_tui.services.resources.disk_cache import DiskCache

    cache = DiskCache(app_home() / "cache", 50, level=None)
    for n in range(6):
        cache.put(f"k{n}", {"text": os.urandom(1024 * 1024).hex(), "usage": {}})
    cfg = config(tmp_path, disk__caching__max_size=5)
    (f,) = advisor.check_cache(facts(cfg, cache_dir=app_home() / "cache"))
    assert "disk.caching.max_size is 5 MB" in f.saw and f.action == "trim-cache"
    assert "entries removed" in advisor.apply_actions(f, cfg, app_home())
    assert advisor.cache_bytes(app_home() / "cache") <= 5 * advisor.MB
    assert advisor.check_cache(facts(cfg, cache_dir=app_home() / "cache")) == []


# --- the whole run, and before/after ----------------------------------------------------------


def test_findings_worst_first_and_healthy_flag(tmp_path):
    cfg = config(tmp_path, llm__temperature=0.9, tokens__prompt_optimization__chunked_generation=False)
    swapping = Machine(cores=2, memory_total_mb=16_000, memory_available_mb=900, swap_total_mb=8000, swap_used_mb=3100)
    rows = [LedgerRow("chat", "m", tokens_before=20_000, prompt_tokens=9000) for _ in range(3)]
    found = advisor.advise(facts(cfg, rows, machine=swapping))
    assert checks(found) == ["chunking", "memory-pressure", "swap", "temperature"]  # warnings by area, then info
    assert not found.healthy


def test_info_findings_alone_are_healthy(tmp_path):
    found = advisor.advise(facts(config(tmp_path, llm__temperature=0.9), [LedgerRow("chat", "m")]))
    assert checks(found) == ["temperature"] and found.healthy  # doctor exits 0


def test_outcome_before_and_after_a_change():
    store = store_with(
        [LedgerRow("chat", "m", prompt_tokens=1000, ts=100.0 + i) for i in range(5)]
        + [LedgerRow("chat", "m", prompt_tokens=690, ts=200.0 + i) for i in range(4)]
    )
    assert advisor.outcome(store, "prompt_tokens", 150.0) is None  # 4 of 5 requests ran since
    Ledger(store).record(LedgerRow("chat", "m", prompt_tokens=690, ts=210.0))
    result = advisor.outcome(store, "prompt_tokens", 150.0)
    assert (result.before, result.after, result.requests) == (1000, 690, 5)
    assert result.text() == "saved 31 % prompt tokens on the next 5 requests"


def test_default_window_starts_when_the_config_last_changed(tmp_path):
    cfg = config(tmp_path)
    os.utime(tmp_path / "config.yaml", (1000.0, time.time() - 3600))
    assert abs(advisor.default_since(cfg) - (time.time() - 3600)) < 5
    os.utime(tmp_path / "config.yaml", (1000.0, 1000.0))
    assert abs(advisor.default_since(cfg) - (time.time() - 7 * 86400)) < 5
