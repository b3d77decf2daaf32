"""LM Studio as users have it (emulated: JIT with nothing loaded, thinking models, an API token, strict
templates), through the CLI and the conversation service."""

import json

from conftest import run_cli

from devsynth_tui.config import app_home
from devsynth_tui.services.store.conversations import Conversations, Message
from devsynth_tui.services.store.database import Store, db_path
from devsynth_tui.services.store.ledger import Ledger


def ask(lmstudio, *args, env=None):
    return run_cli("--base-url", lmstudio.base_url, "ask", *args, env=env)


def last_row() -> dict:
    return Ledger(Store(db_path(app_home()))).history(1)[0]


def test_nothing_loaded_loads_the_first_chat_model_and_says_so(lmstudio):
    lmstudio.load_delay = 0.4
    r = ask(lmstudio, "hi")
    assert r.returncode == 0, r.stderr
    assert "LM Studio is loading qwen/qwen3-4b…" in r.stderr
    assert [c.body["model"] for c in lmstudio.chats()] == ["qwen/qwen3-4b"]  # never the embedding model listed first
    assert r.stdout.strip() == lmstudio.answer and lmstudio.reasoning not in r.stdout
    assert last_row()["status"] == "ok"


def test_a_named_model_that_is_not_loaded_is_sent_and_loaded(lmstudio):
    r = run_cli("--base-url", lmstudio.base_url, "--model", "google/gemma-3-1b", "ask", "hi")
    assert r.returncode == 0, r.stderr
    assert "LM Studio is loading google/gemma-3-1b…" in r.stderr and lmstudio.loads == 1


def test_thinking_is_kept_apart_counted_and_never_sent_back(lmstudio):
    first = ask(lmstudio, "hi", "--show-thinking")
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == lmstudio.answer and lmstudio.reasoning in first.stderr
    row = last_row()
    reasoning = len(lmstudio.reasoning.split())  # the emulator's own reasoning_tokens
    assert row["reasoning_tokens"] == reasoning and row["completion_tokens"] == reasoning + len(lmstudio.answer.split())
    assert row["ttft"] < row["ttft_answer"]
    assert f"({reasoning:,} thinking)" in first.stderr
    stats = first.stderr.splitlines()[-1]
    assert stats.startswith("-- ") and lmstudio.reasoning.split()[-1] not in stats  # the thinking ended its line
    second = ask(lmstudio, "-c", "and again?")
    assert second.returncode == 0, second.stderr
    sent = lmstudio.chats()[-1].body["messages"]
    assert sent[2] == {"role": "assistant", "content": lmstudio.answer}
    assert all(lmstudio.reasoning not in m["content"] for m in sent)


def test_inline_think_tags_are_thinking_not_answer(lmstudio):
    lmstudio.model("qwen/qwen3-4b").thinking = "inline"
    lmstudio.token_chars = 3  # tags split across chunks
    r = ask(lmstudio, "hi", "--json")
    answer = json.loads(r.stdout)
    assert answer["text"].strip() == lmstudio.answer and answer["thinking"].strip() == lmstudio.reasoning
    assert "<think>" not in answer["text"] and "</think>" not in answer["text"]


def test_api_token_from_the_environment_and_a_wrong_one_named_in_one_line(lmstudio):
    lmstudio.api_token = "sk-right"
    ok = ask(lmstudio, "hi", env={"DEVSYNTH_TUI_API_KEY": "sk-right"})
    assert ok.returncode == 0, ok.stderr
    wrong = ask(lmstudio, "hi", env={"DEVSYNTH_TUI_API_KEY": "sk-wrong-secret"})
    assert wrong.returncode == 2 and wrong.stderr.count("\n") == 1
    assert "DEVSYNTH_TUI_API_KEY" in wrong.stderr and "sk-wrong-secret" not in wrong.stderr
    missing = ask(lmstudio, "hi")
    assert missing.returncode == 2 and "DEVSYNTH_TUI_API_KEY" in missing.stderr


def test_a_strict_template_accepts_a_conversation_with_a_failed_turn(lmstudio):
    lmstudio.strict_template = True
    convs = Conversations(Store(db_path(app_home())))
    cid = convs.create("strict")
    for message in [
        Message("user", "first"),
        Message("assistant", "one"),
        Message("user", "this one failed"),
        Message("assistant", "", status="error"),
        Message("user", "cut short"),
        Message("assistant", "partial ans", status="cancelled"),
    ]:
        convs.add(cid, message)
    r = ask(lmstudio, "--conversation", str(cid), "next")
    assert r.returncode == 0, r.stderr
    roles = [m["role"] for m in lmstudio.chats()[-1].body["messages"]]
    assert roles == ["system", "user", "assistant", "user", "assistant", "user"]


def test_a_model_lmstudio_does_not_have_is_refused_naming_the_ones_it_has(lmstudio):
    r = run_cli("--base-url", lmstudio.base_url, "--model", "nope-7b", "ask", "hi")
    assert r.returncode == 2 and "qwen/qwen3-4b" in r.stderr and "google/gemma-3-1b" in r.stderr
    assert lmstudio.chats() == []


def test_models_lists_state_size_and_quantization(lmstudio):
    lmstudio.load("google/gemma-3-1b")
    listed = json.loads(run_cli("--base-url", lmstudio.base_url, "models", "--json").stdout)
    by_id = {m["id"]: m for m in listed["models"]}
    assert by_id["google/gemma-3-1b"]["loaded"] is True and by_id["qwen/qwen3-4b"]["loaded"] is False
    assert by_id["qwen/qwen3-4b"]["size_bytes"] == 2_497_280_256 and by_id["qwen/qwen3-4b"]["quantization"] == "Q4_K_M"
    assert listed["backend"].startswith("LM Studio at")


async def test_after_a_jit_load_the_answers_window_is_the_one_the_model_was_loaded_with(lmstudio, app_home):
    """Nothing loaded: the list says the model's maximum (40,960); LM Studio loads it with 4,096. The answer's
    context view (its "ctx %" and ctrl+k) uses the loaded window, not the maximum."""
    from devsynth_tui.config import load
    from devsynth_tui.services.pipeline.request import ChatRequest, Done
    from devsynth_tui.services.session import Session

    session = Session(load(base_url=lmstudio.base_url).with_values({"llm.embedded.mode": "never"}), app_home)
    model = await session.connect()
    try:
        listed = await session.backend.context_length(model)
        events = [e async for e in session.pipeline.run(ChatRequest("hi"))]
    finally:
        await session.disconnect()
        session.close()
    done = events[-1]
    assert isinstance(done, Done) and done.prepared.loading and done.status == "ok"
    assert listed == lmstudio.model(model).max_context_length
    assert done.prepared.window == lmstudio.model(model).loaded_context_length < listed
