"""The token budget, the task runner and summaries against the real embedded server."""

import httpx
import pytest
from conftest import REPO
from test_corpus import corpus, load_items  # noqa: F401  (the corpus fixture)

from devsynth_tui.config import app_home
from devsynth_tui.services.context.items import ContextItem
from devsynth_tui.services.context.pruning import named_identifiers
from devsynth_tui.services.llm.backend import Backend
from devsynth_tui.services.llm.client import LLMClient
from devsynth_tui.services.pipeline.pipeline import Pipeline
from devsynth_tui.services.pipeline.request import ChatRequest, Done
from devsynth_tui.services.store.database import Store, db_path
from devsynth_tui.services.store.ledger import Ledger

pytestmark = pytest.mark.integration
REAL_REQUESTS = 3  # questions sent for real (prompt processing is slow on CPU); the rest counted by /tokenize


def pipeline(cfg) -> Pipeline:
    return Pipeline(
        cfg,
        Backend(LLMClient(cfg.get("llm.base_url"), timeout=cfg.get("llm.timeout")), "openai"),
        Ledger(Store(db_path(app_home()))),
    )


async def server_prompt_tokens(http: httpx.AsyncClient, messages: list[dict]) -> int:
    """What the server will count: its own chat template, tokenized by the model's tokenizer."""
    prompt = (await http.post("/apply-template", json={"messages": messages})).json()["prompt"]
    return len((await http.post("/tokenize", json={"content": prompt, "add_special": True})).json()["tokens"])


async def test_tokenize_uses_the_models_own_tokenizer(server_url):
    client = LLMClient(server_url)
    tokens = await client.tokenize("def add(a, b):\n    return a + b\n")
    assert tokens and all(isinstance(t, int) for t in tokens)
    await client.aclose()
    for status, body in ((404, {"error": "not found"}), (200, {"error": "Unexpected endpoint or method."})):

        def answer(request, status=status, body=body):
            return httpx.Response(status, json=body)

        other = LLMClient("http://other", transport=httpx.MockTransport(answer), retries=0)  # LM Studio and the like
        assert await other.tokenize("x") is None
        await other.aclose()


async def test_every_corpus_question_stays_within_the_budget_as_the_server_counts(corpus, cfg_for, server_url):  # noqa: F811
    folder, questions, _ = corpus
    http = httpx.AsyncClient(base_url=server_url.removesuffix("/v1"), timeout=120)
    checked, real = [], 0
    sampled = {n * len(questions) // REAL_REQUESTS for n in range(REAL_REQUESTS)}
    for n, q in enumerate(questions):
        items = load_items(q, folder)
        for budget in (900, int(q["budget_share"] * sum(i.tokens for i in items))):
            pipe = pipeline(cfg_for(memory__max_context_size=budget, llm__max_tokens=1))
            prep = await pipe.prepare(ChatRequest(q["question"], context=load_items(q, folder)))
            limit = min(budget, 8192 - 1)
            counted = await server_prompt_tokens(http, prep.messages)
            assert counted <= limit, (q["id"], budget, counted, prep.tokens_sent)
            assert prep.tokens_sent >= counted - 2  # the pipeline's own count is not optimistic
            if budget == 900 and n in sampled:
                result = await pipe.backend.client.chat(prep.payload)
                assert result.usage["prompt_tokens"] <= budget
                assert abs(result.usage["prompt_tokens"] - counted) <= 1  # the independent count is the server's
                real += 1
            checked.append(counted / limit)
            await pipe.backend.client.aclose()
    await http.aclose()
    assert real == REAL_REQUESTS and len(checked) == 2 * len(questions)


SUBJECTS = ["devsynth_tui/services/sanitize.py", "devsynth_tui/services/resources/cpu.py"]


async def test_each_shipped_task_sends_its_subject_files_whole(cfg_for):
    cfg = cfg_for(llm__max_tokens=4)
    pipe = pipeline(cfg)
    for task, template in cfg.get("tasks").items():
        items = [ContextItem(path, (REPO / path).read_text()) for path in SUBJECTS]
        prep = await pipe.prepare(ChatRequest(template, context=items, operation=task, prompt_is_template=True))
        sent = "\n".join(m["content"] for m in prep.messages)
        for path, item in zip(SUBJECTS, prep.items):
            assert item.status == "kept", (task, item.note)
            assert (REPO / path).read_text().rstrip() in sent, (task, path)
    tight = cfg.with_values({"memory.max_context_size": 300})  # too small for them: the limit still holds
    items = [ContextItem(path, (REPO / path).read_text()) for path in SUBJECTS]
    events = [
        e
        async for e in pipeline(tight).run(
            ChatRequest(
                cfg.get("tasks")["explain file"], context=items, operation="explain file", prompt_is_template=True
            )
        )
    ]
    done = events[-1]
    assert isinstance(done, Done) and done.status == "ok"
    assert done.row.usage_source == "server" and done.row.prompt_tokens <= 300
    stages = pipe.ledger.last_stages()
    assert (
        stages and stages[0]["stage"].startswith("context:") and stages[0]["tokens_before"] > stages[-1]["tokens_after"]
    )
    await pipe.backend.client.aclose()


SUMMARIZED = ["09-named", "14-named", "39-named"]  # difflib, bisect and rich._wrap: named functions


async def test_a_summary_pays_and_keeps_every_identifier_the_question_names(corpus, cfg_for):  # noqa: F811
    folder, questions, _ = corpus
    for q in (q for q in questions if q["id"] in SUMMARIZED):
        subject = load_items(q, folder)[0]
        start, end = q["gold"][0]["lines"]  # the named function and what is around it: short reading for a CPU
        subject = ContextItem(subject.name, "\n".join(subject.text.splitlines()[max(0, start - 40) : end + 10]))
        names = named_identifiers(q["question"], subject.text)
        assert names, q["id"]
        pipe = pipeline(  # a limit the file does not fit: a file that fits is sent whole, never summarized
            cfg_for(
                tokens__context_pruning__strategy="summarization",
                tokens__context_pruning__max_tokens=150,
                memory__max_context_size=subject.tokens // 2 + 60,  # the room left for the file is below its size
                llm__timeout=600,
            )
        )
        prep = await pipe.prepare(ChatRequest(q["question"], context=[subject]))
        item = prep.items[0]
        assert item.status == "summarized", item.note
        assert 3 * item.tokens <= subject.tokens, (q["id"], item.tokens, subject.tokens)
        for name in names:
            assert name.rsplit(".", 1)[-1] in item.text, (q["id"], name)
        await pipe.backend.client.aclose()
    rows = pipe.ledger.history(10)
    assert [r["operation"] for r in rows] == ["summarize"] * len(SUMMARIZED)  # the model wrote them
