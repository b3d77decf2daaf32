"""OpenMetrics at /metrics: scraped with a real HTTP client while real requests run against the embedded
server; every counter equals the ledger."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from devsynth_tui.config import app_home
from devsynth_tui.services.llm.embedded import free_port
from devsynth_tui.services.pipeline.request import ChatRequest, Done
from devsynth_tui.services.resources.openmetrics import MetricsError
from devsynth_tui.services.session import Session

pytestmark = pytest.mark.integration


def samples(text: str) -> dict[tuple, float]:
    """(sample name, sorted labels) -> value, from an OpenMetrics scrape."""
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def ledger_figures(session: Session) -> dict[tuple, float]:
    """What the counters must say, from the ledger's own rows (SQL)."""
    out = {}
    rows = session.store.query(
        "SELECT operation, COALESCE(model, '-') model, status, COUNT(*) n, SUM(prompt_tokens) p, "
        "SUM(completion_tokens) c,"
        " SUM(reasoning_tokens) r, SUM(tokens_saved) s FROM requests WHERE session = ? GROUP BY operation, model, "
        "status",
        (session.id,),
    )
    for r in rows:
        out[
            ("devsynth_requests_total", (("model", r["model"]), ("operation", r["operation"]), ("status", r["status"])))
        ] = r["n"]
        for kind, col in (("prompt", "p"), ("completion", "c"), ("thinking", "r"), ("saved", "s")):
            key = ("devsynth_tokens_total", (("kind", kind), ("model", r["model"]), ("operation", r["operation"])))
            out[key] = out.get(key, 0) + r[col]
    return out


async def test_counters_equal_the_ledger_while_requests_run(cfg_for):
    port = free_port()
    session = Session(cfg_for(metrics__port=port, llm__max_tokens=40), app_home())
    await session.connect()
    url = session.serve_metrics()
    assert url == f"http://127.0.0.1:{port}/metrics"
    scrapes = []

    async def ask(question: str, **params) -> Done:
        async for event in session.pipeline.run(ChatRequest(question, operation="ask", params=params)):
            if isinstance(event, Done):
                return event

    async def scrape_while(task) -> None:
        async with httpx.AsyncClient() as client:
            while not task.done():
                r = await client.get(url, headers={"Accept": "application/openmetrics-text"})
                scrapes.append(r)
                await asyncio.sleep(0.2)

    try:
        for question in ("What is 2+2?", "Name a colour."):
            task = asyncio.ensure_future(ask(question))
            await scrape_while(task)
            assert task.result().status == "ok"
        failed = await ask("Hello", model="no-such-model")  # an error row: requests by status
        assert failed.status == "error"
        async with httpx.AsyncClient() as client:
            final = await client.get(url, headers={"Accept": "application/openmetrics-text"})
    finally:
        session.stop_metrics()
        await session.disconnect()
    assert scrapes and all(r.status_code == 200 for r in scrapes)
    assert final.headers["content-type"].startswith("application/openmetrics-text")
    scraped = samples(final.text)
    expected = ledger_figures(session)
    assert len(expected) == 2 * (1 + len(("prompt", "completion", "thinking", "saved")))  # ok and error groups
    for key, value in expected.items():
        assert scraped.get(key) == value, key
    ok_rows = session.store.query("SELECT COUNT(*) n, SUM(ttft IS NOT NULL) t FROM requests WHERE status = 'ok'")[0]
    model = session.store.query("SELECT model FROM requests WHERE status = 'ok' LIMIT 1")[0]["model"]
    assert scraped[("devsynth_time_to_first_token_seconds_count", (("model", model),))] == ok_rows["t"] == 2
    assert scraped[("devsynth_tokens_per_second_count", (("model", model),))] == 2
    assert scraped[("devsynth_process_resident_memory_bytes", (("process", "app"),))] > 10_000_000
    assert scraped[("devsynth_process_cpu_seconds_total", (("process", "app"),))] > 0
    # stopped: the port is free again
    with pytest.raises(httpx.ConnectError):
        httpx.get(url)


def test_port_in_use_is_one_line(cfg_for):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        session = Session(cfg_for(metrics__port=port), app_home())
        with pytest.raises(MetricsError) as e:
            session.serve_metrics()
    assert str(e.value).startswith(f"metrics.port {port} on 127.0.0.1:") and "\n" not in str(e.value)
    assert session.metrics is None


def test_off_by_default(cfg_for):
    session = Session(cfg_for(), app_home())
    assert session.serve_metrics() is None and session.metrics is None
