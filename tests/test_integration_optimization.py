"""The optimization pipeline against the real embedded server."""

import asyncio
import json

import httpx
import pytest
from conftest import run_cli

from devsynth_tui.config import app_home
from devsynth_tui.services.context.items import FOLDER, ContextItem
from devsynth_tui.services.llm.backend import Backend
from devsynth_tui.services.llm.client import LLMClient
from devsynth_tui.services.llm.results import Delta
from devsynth_tui.services.pipeline.pipeline import Pipeline
from devsynth_tui.services.pipeline.request import ChatRequest
from devsynth_tui.services.store.database import Store, db_path
from devsynth_tui.services.store.ledger import Ledger

pytestmark = pytest.mark.integration
CODE_PROMPT = "Write a Python function add(a, b) that returns a + b, in a code block."


def pipeline(cfg) -> Pipeline:
    return Pipeline(cfg, Backend(LLMClient(cfg.get("llm.base_url")), "openai"), Ledger(Store(db_path(app_home()))))


async def collect(pipe, req):
    return [e async for e in pipe.run(req)]


async def test_relevance_uses_embeddings(cfg_for):
    pipe = pipeline(
        cfg_for(tokens__context_pruning__strategy="relevance", tokens__context_pruning__embeddings="always")
    )
    items = [
        ContextItem("a.py", "def add(a, b):\n    return a + b\n", origin=FOLDER),  # found in a folder: picked
        ContextItem("b.md", "# Weather\nSunny today.\n", "documentation", origin=FOLDER),
    ]
    prep = await pipe.prepare(ChatRequest("How does add work?", context=items))
    assert "+ embeddings" in prep.reports[0].notes[0]
    assert [i.status for i in prep.items] == ["kept", "dropped"]
    auto = await pipeline(cfg_for(tokens__context_pruning__strategy="relevance")).prepare(
        ChatRequest("How does add work?", context=items)
    )
    assert "no embedding model in use" in auto.reports[0].notes[0]  # SmolLM2 is a chat model: auto skips it
    await pipe.backend.client.aclose()


async def test_summarization_by_model_is_cached(cfg_for):
    pipe = pipeline(  # a budget the file does not fit: a file that fits is never summarized
        cfg_for(
            tokens__context_pruning__strategy="summarization",
            tokens__context_pruning__max_tokens=40,
            memory__max_context_size=300,
        )
    )
    big = ContextItem("notes.md", "The cache stores answers keyed by prompt. " * 60, "documentation")
    prep = await pipe.prepare(ChatRequest("Summarize", context=[big]))
    item = prep.items[0]
    assert item.status == "summarized" and 0 < item.tokens <= 40 and item.text != big.text
    rows = pipe.ledger.history(10)
    assert [r["operation"] for r in rows] == ["summarize"] and rows[0]["completion_tokens"] <= 40
    again = await pipe.prepare(ChatRequest("Summarize", context=[big]))
    assert again.items[0].text == item.text and len(pipe.ledger.history(10)) == 1  # no second model call
    await pipe.backend.client.aclose()


async def test_early_termination_by_stop_string_shortens_completion(cfg_for):
    cfg = cfg_for(
        tokens__response_optimization__early_termination=True,
        tokens__response_optimization__termination_patterns=["return"],
        llm__max_tokens=120,
    )
    pipe = pipeline(cfg)
    events = await collect(pipe, ChatRequest(CODE_PROMPT, params={"extra": {"ignore_eos": True}}))
    done = events[-1]
    assert done.result.usage["completion_tokens"] < 120 and "def add" in done.text and "return" not in done.text
    assert done.row.usage_source == "server"
    await pipe.backend.client.aclose()


async def _processing(url: str) -> bool:
    async with httpx.AsyncClient() as c:
        return any(s["is_processing"] for s in (await c.get(url.removesuffix("/v1") + "/slots")).json())


async def test_early_termination_at_code_block_end_closes_stream(cfg_for, server_url):
    cfg = cfg_for(tokens__response_optimization__early_termination=True, llm__max_tokens=400)
    pipe = pipeline(cfg)
    events = await collect(pipe, ChatRequest(CODE_PROMPT, params={"extra": {"ignore_eos": True}}))
    done = events[-1]
    assert done.terminated_early and done.text.rstrip().endswith("```") and "def add" in done.text
    assert done.row.completion_tokens < 400
    for _ in range(50):
        if not await _processing(server_url):
            break
        await asyncio.sleep(0.1)
    assert not await _processing(server_url)
    await pipe.backend.client.aclose()


async def test_incremental_parsing_emits_block_before_stream_ends(cfg_for):
    pipe = pipeline(cfg_for(llm__max_tokens=150))
    events = await collect(pipe, ChatRequest(CODE_PROMPT, params={"extra": {"ignore_eos": True}}))
    kinds = [type(e).__name__ for e in events]
    first_block = kinds.index("CodeBlock")
    assert "Delta" in kinds[first_block + 1 :]  # more answer arrived after the block was emitted
    block = events[first_block]
    assert "def add" in block.code and block.language in ("python", "py")
    await pipe.backend.client.aclose()


async def test_chunked_generation_merges_parts(cfg_for):
    cfg = cfg_for(
        tokens__prompt_optimization__chunked_generation=True,
        tokens__prompt_optimization__chunk_size=60,
        tokens__context_pruning__strategy="priority",
        llm__max_tokens=16,
    )
    pipe = pipeline(cfg)
    item = ContextItem("m.py", "\n\n".join(f"def f{i}(x):\n    return x * {i}\n" for i in range(20)))
    events = await collect(pipe, ChatRequest("What do these functions do?", context=[item]))
    done = events[-1]
    parts = [e for e in events if isinstance(e, Delta)]
    assert len(parts) > 1 and done.status == "ok" and "**Part 1/" in done.text
    assert done.row.completion_tokens == done.result.usage["completion_tokens"] > 0
    await pipe.backend.client.aclose()


async def test_dynamic_model_selection_falls_back_and_says_why(cfg_for):
    pipe = pipeline(cfg_for(llm__dynamic_model_selection__enabled=True))
    prep = await pipe.prepare(ChatRequest("hi"))
    assert prep.complexity == "simple" and "not on the server" in prep.model_reason
    assert prep.payload["model"] == (await pipe.backend.models())[0].id
    await pipe.backend.client.aclose()


def test_optimize_json_reports_items(server_url, tmp_path):
    code = tmp_path / "calc.py"
    code.write_text("def add(a, b):\n    return a + b\n\n\ndef weather():\n    return 'sunny'\n" + "\n# filler\n" * 200)
    r = run_cli("--base-url", server_url, "optimize", "How does add work?", "--context", str(code), "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    item = out["items"][0]  # a named file that fits is sent whole, whatever the question names (DESIGN rule 13)
    assert item["path"] == str(code) and item["status"] == "kept"
    assert item["lines_kept"] == [[1, len(code.read_text().splitlines())]]  # its lines, not one past the last
    assert item["tokens_after"] == item["tokens_before"]
    stage = next(s for s in out["stages"] if s["stage"].startswith("context:"))
    assert item["tokens_after"] == stage["tokens_after"]  # the file as sent, as its stage counts it (headers too)
    assert not _ledger_rows()  # a dry run calls no chat model


def _ledger_rows():
    return Ledger(Store(db_path(app_home()))).history(10)


async def test_deterministic_request_is_cached_without_server_call(cfg_for):
    pipe = pipeline(cfg_for(llm__max_tokens=24, cpu__background_operations=False))  # the write is done when run() ends
    first = (await collect(pipe, ChatRequest("Name three fruits.")))[-1]
    assert not first.cached and first.status == "ok"
    await pipe.backend.client.aclose()
    pipe.backend.client = LLMClient("http://127.0.0.1:9/v1", retries=0)  # no server there: a call would fail
    events = await collect(pipe, ChatRequest("Name three fruits."))
    second = events[-1]
    assert second.cached and second.status == "ok" and second.text == first.text
    assert [e.text for e in events if isinstance(e, Delta)] == [first.text]
    row = pipe.ledger.history(1)[0]
    assert row["cached"] == 1 and row["prompt_tokens"] == 0 and row["usage_source"] == "cache"
    assert row["tokens_saved"] >= first.row.total_tokens
    random = pipeline(cfg_for(llm__max_tokens=8, llm__temperature=0.9, llm__seed=None))
    await collect(random, ChatRequest("Name three fruits."))
    assert not (await collect(random, ChatRequest("Name three fruits.")))[-1].cached  # not deterministic: never cached
    await random.backend.client.aclose()
