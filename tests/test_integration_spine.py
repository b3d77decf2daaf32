"""The spine against the real embedded llama.cpp server."""

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from contextlib import aclosing
from pathlib import Path

import httpx
import psutil
import pytest
from conftest import run_cli

from devsynth_tui.config import app_home
from devsynth_tui.services.context import token_accounting
from devsynth_tui.services.context.view import view_lines, view_of
from devsynth_tui.services.llm.backend import Backend
from devsynth_tui.services.llm.client import LLMClient
from devsynth_tui.services.llm.results import Delta
from devsynth_tui.services.pipeline.pipeline import Pipeline
from devsynth_tui.services.pipeline.request import ChatRequest, Done, Prepared
from devsynth_tui.services.store.conversations import Message
from devsynth_tui.services.store.database import Store, db_path
from devsynth_tui.services.store.ledger import Ledger
from devsynth_tui.ui.context_view import headline

pytestmark = pytest.mark.integration


def _ledger():
    return Ledger(Store(db_path(app_home())))


def test_cli_ask_records_server_usage(server_url):
    r = run_cli("--base-url", server_url, "ask", "What is 2+2?", "--max-tokens", "24", "--temperature", "0", "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["text"].strip() and out["status"] == "ok"
    row = _ledger().history(1)[0]
    assert row["prompt_tokens"] == out["usage"]["prompt_tokens"] > 0
    assert row["completion_tokens"] == out["usage"]["completion_tokens"] > 0
    assert row["usage_source"] == "server" and row["operation"] == "ask"
    assert out["server_timings"]["predicted_n"] == row["completion_tokens"]


def test_cli_ask_streams_text_and_footer(server_url, tmp_path):
    ctx = tmp_path / "add.py"
    ctx.write_text("def add(a, b):\n    return a + b\n")
    r = run_cli("--base-url", server_url, "ask", "Explain this function.", "--context", str(ctx), "--max-tokens", "20")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip()
    assert "embedded SmolLM2" not in r.stderr  # we pointed at a running llama.cpp server, and it says so
    assert f"llama.cpp server at {server_url}" in r.stderr and " tokens · " in r.stderr and "ttft" in r.stderr


async def _pipeline(cfg):
    backend = Backend(LLMClient(cfg.get("llm.base_url")), "openai")
    return Pipeline(cfg, backend, _ledger())


@pytest.mark.parametrize("streaming", [True, False])
async def test_pipeline_streaming_and_not(cfg_for, streaming):
    cfg = cfg_for(tokens__response_optimization__streaming=streaming, llm__max_tokens=16)
    pipe = await _pipeline(cfg)
    events = [e async for e in pipe.run(ChatRequest("Say hello."))]
    deltas = [e for e in events if isinstance(e, Delta)]
    done = events[-1]
    assert isinstance(done, Done) and done.status == "ok"
    assert "".join(d.text for d in deltas) == done.text
    assert (len(deltas) > 1) == streaming
    assert done.row.completion_tokens == done.result.usage["completion_tokens"]
    await pipe.backend.client.aclose()


async def test_same_seed_same_text(cfg_for):
    pipe = await _pipeline(cfg_for(llm__max_tokens=20, disk__caching__enabled=False))
    texts = []
    for _ in range(2):
        done = [e async for e in pipe.run(ChatRequest("Name a color."))][-1]
        assert not done.cached and done.row.usage_source == "server"
        texts.append(done.text)
    assert texts[0] == texts[1]
    await pipe.backend.client.aclose()


async def _processing(url: str) -> bool:
    async with httpx.AsyncClient() as c:
        slots = (await c.get(url.removesuffix("/v1") + "/slots")).json()
    return any(s["is_processing"] for s in slots)


async def test_cancel_closes_stream_and_server_stops(server_url, cfg_for):
    client = LLMClient(server_url)
    payload = {
        "model": "x",
        "messages": [{"role": "user", "content": "Write a very long story."}],
        "max_tokens": 3000,
        "ignore_eos": True,
    }
    seen = 0
    async with aclosing(client.stream_chat(payload)) as stream:
        async for _ in stream:
            seen += 1
            if seen == 3:
                assert await _processing(server_url)
                break
    for _ in range(50):  # 3000 tokens would take ~40 s; a closed stream stops within moments
        if not await _processing(server_url):
            break
        await asyncio.sleep(0.1)
    assert not await _processing(server_url)
    await client.aclose()


async def _cancelled_at_first_text(pipe, request: ChatRequest) -> list:
    """Run ``request`` and cancel its consumer at the answer's first text: the events seen until then."""
    streaming, seen = asyncio.Event(), []

    async def consume():
        async for event in pipe.run(request):
            seen.append(event)
            if isinstance(event, Delta):
                streaming.set()

    task = asyncio.ensure_future(consume())
    await streaming.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    return seen


async def test_pipeline_cancel_records_cancelled_row(cfg_for):
    pipe = await _pipeline(cfg_for(llm__max_tokens=3000))
    await _cancelled_at_first_text(pipe, ChatRequest("Write a very long story."))
    row = pipe.ledger.history(1)[0]
    assert row["status"] == "cancelled" and row["usage_source"] == "estimate" and row["completion_tokens"] >= 1
    assert row["ttft"] is not None and 0 < row["ttft"] <= row["duration"]  # its first token came: its time is kept
    await pipe.backend.client.aclose()


def _figures(prep) -> tuple:
    """What a Prepared says it sent and how it was counted."""
    stages = [(r.stage, r.tokens_before, r.tokens_after, r.notes) for r in prep.reports]
    return prep.payload, prep.tokens_before, prep.tokens_after, prep.tokens_sent, prep.sent_exact, prep.window, stages


QUESTION = "Name ten colours, one per line, each with a sentence about it."


async def _exact(pipe: Pipeline, request: ChatRequest, counts: dict[str, int] | None) -> Prepared:
    """``request`` prepared exactly, its texts counted as ``counts`` says (the model's counts a run took)."""
    with token_accounting.known_counts(counts):
        return await pipe.prepare(request)


async def test_a_first_question_is_sent_at_once_and_counted_by_the_model_without_building_cl100k(cfg_for):
    """A question alone, with the tokenizer not loaded (as after start-up), is prepared by bytes and sent at once.
    Once its stream ended its texts are counted by the server's tokenizer, the model's own count: its figures are
    told before its Done, equal to an exact prepare's with those counts, and cl100k (26 MB) is never built."""
    pipe = await _pipeline(cfg_for(llm__max_tokens=96, disk__caching__enabled=False))
    token_accounting.encoding.cache_clear()
    events = [event async for event in pipe.run(ChatRequest(QUESTION, examples=["red", "blue"]))]
    kinds = [type(e).__name__ for e in events]
    assert kinds.index("Prepared") < kinds.index("Delta") < kinds.index("StageReport") < kinds.index("Done")
    done = events[-1]
    assert done.status == "ok" and done.prepared.counted and not token_accounting.loaded()
    counts = done.prepared.counts
    assert counts and counts[QUESTION] == len(await pipe.backend.client.tokenize(QUESTION))
    assert counts[done.text] == len(await pipe.backend.client.tokenize(done.text))  # the answer too (its usage may
    # count one more: a stop token, or a cut the text's own tokens do not repeat)
    exact = await _exact(pipe, ChatRequest(QUESTION, examples=["red", "blue"]), counts)
    assert _figures(done.prepared) == _figures(exact) and not token_accounting.loaded()
    view = view_of(done.prepared).as_json()  # its parts (the examples as one) by the same counts
    assert view["by_model"] and [p["kind"] for p in view["parts"]][:2] == ["system", "examples"]
    assert not token_accounting.loaded()
    row = pipe.ledger.history(1)[0]
    assert row["tokens_before"] == exact.tokens_before and row["est_prompt_tokens"] == exact.tokens_after
    await pipe.backend.client.aclose()


async def test_the_context_view_counts_what_was_sent_as_the_server_does_when_it_can(cfg_for):
    """The server tokenizes: what was sent is counted by the model's own tokenizer, as its usage counts it, and
    the context view's headline and its fill (the status line's) say that count, not cl100k's."""
    pipe = await _pipeline(cfg_for(llm__max_tokens=8, disk__caching__enabled=False))
    done = [e async for e in pipe.run(ChatRequest(QUESTION))][-1]
    view = view_of(done.prepared).as_json()
    assert done.prepared.sent_exact and view["tokens_sent"] == done.result.usage["prompt_tokens"]
    assert view["fill"] == view["tokens_sent"] / view["window"] and view["by_model"]
    question = next(part for part in view["parts"] if part["kind"] == "question")
    assert question["tokens"] == len(await pipe.backend.client.tokenize(QUESTION))  # its parts: the model's count
    said = f"{view['tokens_sent']:,} tokens by the model's count of a "
    assert headline(view, "Last answer").startswith(f"Last answer: {said}") and view_lines(view)[0].startswith(said)
    exact = view_of(await pipe.prepare(ChatRequest(QUESTION))).as_json()  # counted before sending: parts by cl100k
    said = f"{exact['tokens_sent']:,} tokens by the model's count ({exact['tokens']:,} by cl100k)"
    assert not exact["by_model"] and view_lines(exact)[0].startswith(said)
    await pipe.backend.client.aclose()


async def test_a_follow_up_that_fits_by_bytes_is_sent_before_it_is_counted(cfg_for):
    """A conversation that fits by bytes has nothing cut: sent at once, its figures counted after its first text,
    equal to an exact prepare's."""
    pipe = await _pipeline(cfg_for(llm__max_tokens=96, disk__caching__enabled=False))
    history = [Message("user", "Hello."), Message("assistant", "Hi. What would you like to know?")]
    events = [e async for e in pipe.run(ChatRequest(QUESTION, history=list(history)))]
    kinds = [type(e).__name__ for e in events]
    assert kinds.index("Prepared") < kinds.index("Delta") < kinds.index("StageReport") < kinds.index("Done")
    exact = await _exact(pipe, ChatRequest(QUESTION, history=list(history)), events[-1].prepared.counts)
    assert _figures(events[-1].prepared) == _figures(exact) and len(exact.messages) == 4
    await pipe.backend.client.aclose()


async def test_a_conversation_that_must_be_cut_is_counted_before_it_is_sent(cfg_for):
    """What to cut is decided by exact counts: the reports come before sending, and older turns are cut."""
    pipe = await _pipeline(cfg_for(llm__max_tokens=8, memory__max_context_size=400, disk__caching__enabled=False))
    turn = "Tell me about the history of the number seven in mathematics and culture. " * 4
    history = [Message(role, turn) for _ in range(6) for role in ("user", "assistant")]
    events = [e async for e in pipe.run(ChatRequest(QUESTION, history=history))]
    kinds = [type(e).__name__ for e in events]
    assert kinds.index("StageReport") < kinds.index("Prepared") < kinds.index("Delta")
    done = events[-1]
    assert done.status == "ok" and done.prepared.counted
    assert len(done.prepared.messages) < 2 + len(history)  # older turns were not sent whole
    await pipe.backend.client.aclose()


async def test_a_first_question_cancelled_at_its_first_text_is_recorded_with_exact_figures(cfg_for):
    """Cancelled before its figures were counted: the ledger row still has the exact ones, not bytes."""
    pipe = await _pipeline(cfg_for(llm__max_tokens=3000, disk__caching__enabled=False))
    token_accounting.encoding.cache_clear()
    seen = await _cancelled_at_first_text(pipe, ChatRequest("Write a very long story."))
    sent = [e for e in seen if isinstance(e, Prepared)]
    exact = await pipe.prepare(ChatRequest("Write a very long story."), ask_server=False)
    assert sent[0].counted and _figures(sent[0]) == _figures(exact)  # the view of what was sent, counted
    assert "the server not asked" in sent[0].reports[-1].notes[0]  # it may be why the answer was cancelled
    row = pipe.ledger.history(1)[0]
    assert row["status"] == "cancelled" and row["tokens_before"] == exact.tokens_before
    await pipe.backend.client.aclose()


async def test_models_listed_with_context_length(server_url):
    client = LLMClient(server_url + "/")
    models = await client.list_models()
    assert models and models[0].context_length and models[0].loaded is True
    vectors = await client.embed(["def add(a, b): return a + b", "the weather is nice"])
    assert len(vectors) == 2 and len(vectors[0]) == 576
    await client.aclose()


def test_cli_models(server_url):
    r = run_cli("--base-url", server_url, "models", "--json")
    assert r.returncode == 0 and json.loads(r.stdout)["models"][0]["id"]


def test_unreachable_with_embedded_never_exits_2(tmp_path):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("llm:\n  embedded:\n    mode: never\n")
    r = run_cli("--config", str(cfg), "--base-url", "http://127.0.0.1:9/v1", "ask", "hi")
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and "http://127.0.0.1:9/v1" in r.stderr and "LM Studio" in r.stderr


def _embedded_children(home: Path) -> list[int]:
    """Embedded servers started for ``home`` (other test sessions on the machine start their own)."""
    found = []
    for p in psutil.process_iter(["cmdline"]):
        try:
            ours = p.environ().get("DEVSYNTH_TUI_HOME") == str(home)
            if ours and "devsynth_tui.services.llm.embedded" in " ".join(p.info["cmdline"] or []):
                found.append(p.pid)
        except psutil.Error:  # gone meanwhile, or not ours to read
            pass
    return found


def test_always_starts_embedded_and_leaves_no_orphan(tmp_path):
    cfg, home = tmp_path / "c.yaml", tmp_path / "home"
    cfg.write_text("llm:\n  embedded: always\n")
    r = run_cli("--config", str(cfg), "ask", "What is 2+2?", "--max-tokens", "12", env={"DEVSYNTH_TUI_HOME": str(home)})
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() and "embedded SmolLM2-135M-Instruct" in r.stderr
    for _ in range(100):  # the child exits when our stdin closes: moments, not a fixed time
        if not _embedded_children(home):
            break
        time.sleep(0.1)
    assert _embedded_children(home) == []


def test_a_named_server_that_does_not_answer_is_an_error_not_smollm2(tmp_path):
    r = run_cli("--base-url", "http://127.0.0.1:9/v1", "ask", "hi", env={"DEVSYNTH_TUI_HOME": str(tmp_path)})
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.count("\n") == 1 and "http://127.0.0.1:9/v1" in r.stderr and "command line" in r.stderr
    assert _embedded_children(tmp_path) == []  # no embedded server was started in its place


async def test_the_default_url_not_answering_falls_back_to_embedded_and_says_so(tmp_path):
    from devsynth_tui.config import load
    from devsynth_tui.services.llm.backend import connect

    cfg = load()
    cfg.data["llm"]["base_url"] = "http://127.0.0.1:9/v1"  # nothing listens there; the key stays a default
    assert cfg.origin("llm.base_url") == "defaults"
    told: list[str] = []
    backend = await connect(cfg, tmp_path, starting=told.append)
    try:
        assert told == ["starting the embedded llama.cpp server (LM Studio not running at http://127.0.0.1:9/v1)…"]
        assert backend.kind == "embedded"
        assert backend.label.startswith("embedded SmolLM2")  # what serves comes first
        assert backend.note == "LM Studio not running at http://127.0.0.1:9/v1"
        [model] = await backend.models()
        assert model.size_bytes == backend.embedded.model_file.stat().st_size and model.params == "135M"
        assert "loads its one model (SmolLM2-135M-Instruct) itself" in backend.loads_models_itself
    finally:
        await backend.aclose()


def test_a_model_the_server_does_not_have_is_an_error_naming_what_it_has(server_url):
    r = run_cli("--base-url", server_url, "--model", "nope-7b", "ask", "hi")
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.count("\n") == 1 and "'nope-7b'" in r.stderr and "SmolLM2-135M-Instruct" in r.stderr


def test_embedded_child_dies_with_killed_parent(tmp_path):
    code = (
        "import sys; from pathlib import Path; from devsynth_tui.services.llm.embedded import EmbeddedServer;"
        "s = EmbeddedServer(Path(sys.argv[1])); s.start(); print(s.pid, flush=True); import time; time.sleep(60)"
    )
    parent = subprocess.Popen([sys.executable, "-c", code, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    child = psutil.Process(int(parent.stdout.readline()))
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()
    child.wait(timeout=15)
    assert not child.is_running()


def test_a_server_that_answers_but_not_with_a_model_list_is_named_as_answering(server_url):
    """A 404 at /v1/models (a wrong path under a server) was "no server answers … start LM Studio's server": now the
    status it answered, and what to check."""
    wrong = server_url.removesuffix("/v1") + "/nowhere/v1"
    r = run_cli("--base-url", wrong, "ask", "hi")
    assert r.returncode == 2 and r.stderr.count("\n") == 1
    assert f"answered 404 at {wrong}/models (llm.base_url from command line), not a model list" in r.stderr
    assert "no server answers" not in r.stderr


def test_what_an_answered_status_means_is_said_for_each_kind():
    from devsynth_tui.services.llm.backend import answered

    url, where = "http://localhost:1234/v1", "llm.base_url from command line"
    assert answered(503, url, where).startswith(f"answered 503 at {url}/models ({where}): the server is there but")
    assert "a redirect: give the address it redirects to" in answered(301, url, where)
    assert "not a model list: is this an OpenAI-compatible server's address?" in answered(404, url, "")


async def test_a_named_file_has_one_token_count_in_the_stages_and_in_the_context_view(cfg_for, tmp_path):
    """The stage lines (the sidebar's waterfall) count a file as the context view and the attachment bar do: as sent,
    with its header (the waterfall said 206 where ctrl+k said 226 for the same whole file)."""
    from devsynth_tui.services.context.attachments import attach

    (tmp_path / "prices.py").write_text("def total(prices):\n    return sum(prices)\n" * 20)
    pipe = await _pipeline(cfg_for(disk__caching__enabled=False))
    prep = await pipe.prepare(attach("write tests for @prices.py", tmp_path))
    stage = next(r for r in prep.reports if r.stage.startswith("context:"))
    part = next(p for p in view_of(prep).as_json()["parts"] if p["kind"] == "file")
    assert part["status"] == "whole" and stage.tokens_before == stage.tokens_after == part["tokens"]
    await pipe.backend.client.aclose()
