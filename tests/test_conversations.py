"""The conversation service: history policy units, and multi-turn conversations against the real server."""

import asyncio
import json
from contextlib import aclosing
from pathlib import Path

from conftest import run_cli
from db_lock import WriteLockHolder
from hypothesis import given, settings
from hypothesis import strategies as st

from devsynth_tui.config import app_home
from devsynth_tui.services.llm.backend import Backend
from devsynth_tui.services.llm.client import LLMClient
from devsynth_tui.services.llm.results import Delta
from devsynth_tui.services.pipeline.messages import build_messages
from devsynth_tui.services.pipeline.pipeline import Pipeline
from devsynth_tui.services.pipeline.request import ChatRequest, Done
from devsynth_tui.services.requests import RequestRun
from devsynth_tui.services.store import database as store_module
from devsynth_tui.services.store.conversations import Conversations, Message, fit_history, turn_pairs
from devsynth_tui.services.store.database import Store, db_path
from devsynth_tui.services.store.ledger import Ledger

REPO = Path(__file__).resolve().parent.parent


def roles_alternate(messages: list[dict]) -> bool:
    """One system message, then user/assistant strictly alternating, ending with the user."""
    roles = [m["role"] for m in messages]
    body = roles[1:] if roles and roles[0] == "system" else roles
    return (
        "system" not in body
        and bool(body)
        and all(r == ("user" if n % 2 == 0 else "assistant") for n, r in enumerate(body))
        and body[-1] == "user"
    )


def exchange(n: int, words: int = 20, ts: float = 0.0, status: str = "ok") -> list[Message]:
    return [
        Message("user", f"question {n} " + "q " * words, ts),
        Message("assistant", f"answer {n} " + "a " * words, ts, status),
    ]


# --- the history policy ----------------------------------------------------------------


def test_unanswered_questions_drop_out_so_roles_alternate():
    history = [
        Message("user", "first"),
        Message("assistant", "one"),
        Message("user", "failed before any text"),
        Message("assistant", "", status="error"),
        Message("user", "asked twice"),
        Message("user", "asked again"),
        Message("assistant", "two"),
        Message("user", "still streaming elsewhere"),
    ]
    pairs, unanswered = turn_pairs(history)
    assert [(q.content, a.content) for q, a in pairs] == [("first", "one"), ("asked again", "two")]
    assert unanswered == 3


async def test_newest_exchanges_whole_oldest_dropped_first_when_over_budget():
    history = [m for n in range(5) for m in exchange(n)]
    everything = await fit_history(history, 100_000, None)
    assert [m["content"].split()[:2] for m in everything.messages][::2] == [["question", str(n)] for n in range(5)]
    fit = await fit_history(history, 130, None)
    kept = [m["content"].split()[1] for m in fit.messages if m["role"] == "user"]
    assert kept == ["3", "4"] and fit.summary == ""
    assert any("dropped, oldest first" in note for note in fit.report.notes)
    assert fit.report.tokens_after <= 130


async def test_the_history_notes_count_in_words_one_exchange_or_several():
    fit = await fit_history(exchange(0) + exchange(1), 80, None)  # the newest fits, the older one does not
    assert fit.report.notes == [
        "1 of 2 exchanges sent whole",
        "1 older exchange dropped, oldest first (summarization is not a pruning strategy)",
    ]


async def test_older_turns_are_summarized_when_summarization_is_on():
    seen = []

    async def summarizer(transcript: str, limit: int) -> str:
        seen.append((transcript, limit))
        return "They discussed questions 0 to 2."

    history = [m for n in range(5) for m in exchange(n)]
    fit = await fit_history(history, 200, summarizer)
    assert fit.summary == "They discussed questions 0 to 2."
    transcript, limit = seen[0]
    assert "question 0" in transcript and "answer 2" in transcript and "question 3" not in transcript
    assert 0 < limit <= 200


async def test_max_age_drops_stale_exchanges_but_never_the_newest():
    history = exchange(0, ts=100.0) + exchange(1, ts=200.0) + exchange(2, ts=300.0)
    fit = await fit_history(history, 100_000, None, max_age=250, now=400.0)
    assert [m["content"].split()[1] for m in fit.messages if m["role"] == "user"] == ["1", "2"]
    stale = await fit_history(exchange(0, ts=100.0), 100_000, None, max_age=1, now=10_000.0)
    assert len(stale.messages) == 2  # the newest exchange stays, however old


async def test_an_answer_cut_short_is_sent_marked():
    fit = await fit_history(exchange(0, status="cancelled"), 100_000, None)
    assert fit.messages[1]["content"].endswith("[this answer was cut short: cancelled by the user]")


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["user", "assistant"]),
            st.sampled_from(["ok", "error", "cancelled", "partial"]),
            st.sampled_from(["", "text"]),
        ),
        max_size=12,
    ),
    st.integers(min_value=0, max_value=400),
)
def test_whatever_was_stored_the_messages_sent_alternate(stored, budget):
    history = [
        Message(role, content and f"{content} {n}", status=status) for n, (role, status, content) in enumerate(stored)
    ]
    fit = asyncio.run(fit_history(history, budget, None))
    assert roles_alternate(build_messages("system", [], ["example"], fit, "the question"))


# --- against the real llama.cpp server ------------------------------------------------


def conversations() -> Conversations:
    return Conversations(Store(db_path(app_home())))


def pipeline_for(cfg, url) -> Pipeline:
    return Pipeline(cfg, Backend(LLMClient(url), "llamacpp"), Ledger(Store(db_path(app_home()))))


async def converse(pipe, convs, cid, prompt) -> Done:
    done = None
    async for event in RequestRun(pipe, ChatRequest(prompt, params={"max_tokens": 48}), convs, cid).events():
        if isinstance(event, Done):
            done = event
    return done


async def test_three_turns_reach_the_server_whole_and_alternating(cfg_for, recording_proxy):
    convs = conversations()
    pipe = pipeline_for(cfg_for(), recording_proxy.url)
    cid = convs.create("iso dates")
    prompts = ["Write a function that parses ISO dates.", "Now make it handle timezones too.", "Add a docstring."]
    answers = [(await converse(pipe, convs, cid, p)).text for p in prompts]
    bodies = recording_proxy.bodies()
    assert len(bodies) == 3
    for n, body in enumerate(bodies):
        messages = body["messages"]
        assert roles_alternate(messages)
        sent = [m["content"] for m in messages[1:]]
        assert sent == [x for pair in zip(prompts[:n], answers[:n]) for x in pair] + [prompts[n]]
    stored = convs.messages(cid)
    assert [m.role for m in stored] == ["user", "assistant"] * 3 and all(m.status == "ok" for m in stored)
    rows = Ledger(Store(db_path(app_home()))).history(10)
    assert len(rows) == 3 and all(r["status"] == "ok" for r in rows)


async def test_a_cancelled_answer_is_kept_marked_and_the_next_turn_still_alternates(cfg_for, recording_proxy):
    convs = conversations()
    pipe = pipeline_for(cfg_for(), recording_proxy.url)
    cid = convs.create("cancel")
    request = ChatRequest("Write a very long story about a lighthouse.", params={"max_tokens": 400})
    async with aclosing(RequestRun(pipe, request, convs, cid).events()) as events:
        async for event in events:
            if isinstance(event, Delta) and event.text.strip():
                break  # the user pressed Esc
    cut = convs.messages(cid)[-1]
    assert cut.role == "assistant" and cut.status == "cancelled" and cut.content.strip()
    await converse(pipe, convs, cid, "Summarize it in one line.")
    messages = recording_proxy.bodies()[-1]["messages"]
    assert roles_alternate(messages)
    assert messages[2]["content"].startswith(cut.content) and "cut short" in messages[2]["content"]
    statuses = [r["status"] for r in Ledger(Store(db_path(app_home()))).history(10)]
    assert statuses == ["ok", "cancelled"]


async def test_a_new_conversation_is_answered_while_another_program_holds_the_database(
    cfg_for, recording_proxy, monkeypatch
):
    """A database browser holds the write lock as a conversation starts: its question is sent and answered all the
    same, and the conversation (its title, the question, then the answer) is stored once the lock goes."""
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_MS", 200)
    convs, created = conversations(), []
    pipe = pipeline_for(cfg_for(), recording_proxy.url)
    request = ChatRequest("Name a colour.", params={"max_tokens": 8})
    run = RequestRun(pipe, request, convs, title="Colours", created=created.append)

    async def first_text(events) -> None:
        async for event in events:
            if isinstance(event, Delta) and event.text:
                return

    with WriteLockHolder(db_path(app_home())) as holder:
        holder.lock()
        async with aclosing(run.events()) as events:
            answering = asyncio.ensure_future(first_text(events))
            await asyncio.wait([answering], timeout=60)
            answered_meanwhile = answering.done() and created == [] and convs.list() == []
            holder.release()
            await answering
            rest = [event async for event in events]
    assert answered_meanwhile, "the answer waited for the question to be stored"
    assert isinstance(rest[-1], Done) and rest[-1].status == "ok"
    assert created and [c.title for c in convs.list()] == ["Colours"]
    stored = convs.messages(created[0])
    assert [(m.role, m.content) for m in stored] == [("user", "Name a colour."), ("assistant", run.answer.text)]
    dates = convs.store.query("SELECT created, updated FROM conversations WHERE id = ?", (created[0],))[0]
    assert dates["created"] == stored[0].ts < stored[1].ts == dates["updated"]  # from its question, not the lock


async def test_an_answer_cancelled_again_and_again_while_its_question_waits_for_the_lock_is_stored_after_it(
    cfg_for, recording_proxy, monkeypatch
):
    """Esc, then more cancels (the app quitting) while the question still waits for a lock held elsewhere: the
    waits end, the storing does not; once the lock goes, the question and the partial answer are both stored."""
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_MS", 200)
    convs, created = conversations(), []
    pipe = pipeline_for(cfg_for(), recording_proxy.url)
    request = ChatRequest("Write a very long story about a lighthouse.", params={"max_tokens": 400})
    run = RequestRun(pipe, request, convs, title="Story", created=created.append)
    texts = asyncio.Event()

    async def consume() -> None:
        async with aclosing(run.events()) as events:
            async for event in events:
                if isinstance(event, Delta) and event.text.strip():
                    texts.set()

    with WriteLockHolder(db_path(app_home())) as holder:
        holder.lock()
        consumer = asyncio.ensure_future(consume())
        await asyncio.wait_for(texts.wait(), 60)
        for _ in range(6):
            consumer.cancel()
            await asyncio.sleep(0.25)
        assert consumer.done() and created == []
        holder.release()
    for _ in range(600):
        if created and len(convs.messages(created[0])) == 2:
            break
        await asyncio.sleep(0.05)
    stored = convs.messages(created[0]) if created else []
    assert [(m.role, m.status) for m in stored] == [("user", "ok"), ("assistant", "cancelled")]
    assert stored[1].content and run.answer.text.startswith(stored[1].content)


def test_get_and_latest_read_one_conversation_with_its_title_and_message_count():
    convs = conversations()
    assert convs.latest() is None
    first = convs.start("first  question", Message("user", "q"))
    empty = convs.create("")
    convs.add(first, Message("assistant", "a"))
    assert [(c.id, c.title, c.messages) for c in (convs.get(first), convs.get(empty))] == [
        (first, "first question", 2),
        (empty, "New conversation", 0),
    ]
    assert convs.get(empty + 1) is None
    assert convs.latest() == convs.get(first)  # updated by its answer, after the empty one was made
    convs.add(empty, Message("user", "q"))
    assert convs.latest() == convs.get(empty)


def test_ask_continue_sends_the_earlier_turns(recording_proxy, tmp_path):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("llm:\n  embedded: never\n  temperature: 0\n  max_tokens: 32\n")
    base = ["--config", str(cfg), "--base-url", recording_proxy.url]
    first = run_cli(*base, "ask", "Name a Python web framework.", "--json")
    assert first.returncode == 0, first.stderr
    answer = json.loads(first.stdout)
    second = run_cli(*base, "ask", "-c", "Which year was it released?")
    assert second.returncode == 0, second.stderr
    assert f"conversation {answer['conversation']}" in second.stderr
    messages = recording_proxy.bodies()[-1]["messages"]
    assert [m["content"] for m in messages[1:]] == [
        "Name a Python web framework.",
        answer["text"],
        "Which year was it released?",
    ]
    shown = run_cli(*base, "conversations", "show", str(answer["conversation"]), "--json")
    assert [m["role"] for m in json.loads(shown.stdout)["messages"]] == ["user", "assistant"] * 2


def test_continue_with_nothing_stored_or_a_missing_id_is_refused_before_any_request(recording_proxy):
    r = run_cli("--base-url", recording_proxy.url, "ask", "-c", "hi")
    assert r.returncode == 2 and "nothing to continue" in r.stderr and r.stderr.count("\n") == 1
    r = run_cli("--base-url", recording_proxy.url, "ask", "--conversation", "42", "hi")
    assert r.returncode == 2 and "no such conversation" in r.stderr
    assert recording_proxy.bodies() == []


def test_conversations_list_and_delete(recording_proxy):
    convs = conversations()
    cid = convs.create("to delete")
    convs.add(cid, Message("user", "hello"))
    listed = run_cli("conversations", "list", "--json")
    assert [(c["id"], c["messages"]) for c in json.loads(listed.stdout)] == [(cid, 1)]
    assert run_cli("conversations", "delete", str(cid)).returncode == 0
    assert convs.list() == [] and convs.messages(cid) == []
    missing = run_cli("conversations", "delete", str(cid))
    assert missing.returncode == 2 and "no conversation" in missing.stderr


# --- the user's question is never rewritten ----------------------------------------------

EXTRA_QUESTIONS = [
    "Could you please explain what this regex does: ^(\\d{3})-(\\d{4})$ ?",
    "How can you tell whether a year is a leap year? What would you recommend, e.g. please fix it",
    "I would like you to refactor parse_config so it can basically handle missing files.",
    "Can you kindly write pytest tests for the retry helper? Thanks in advance!",
    "It is important to note that the cache is not thread safe; make sure that the fix keeps that in mind.",
    "In order to speed this up, should I use asyncio or threads?",
    "Please review this diff and tell me if it is able to handle empty input.",
    "Why is my list comprehension slower than a for loop, as mentioned above?",
    "Would you please convert this function to use pathlib instead of os.path?",
    "I need you to find the bug: the loop never ends when n is 0.",
    "Actually, what is the difference between a generator and an iterator?",
    "Make sure to keep the public API: how do I rename the internal helper safely?",
    "What does `functools.lru_cache` do with unhashable arguments, kind of a corner case?",
    "Can you explain due to the fact that my tests fail only in CI?",
    "At this point in time, is it worth moving from setup.py to pyproject.toml?",
    "Thank you so much! Now please add type hints to the whole module.",
    "Could you show a minimal FastAPI app with one POST endpoint, if possible?",
    "How do I read a 2 GB CSV file without running out of memory?",
    "Explain this traceback: KeyError: 'user_id' in handlers/auth.py line 42.",
    "Is it safe to call json.loads on untrusted input?",
    "Please note that I use Python 3.11; which match statement features can I use?",
    "What is a great number of open file handles going to do to my server?",
    "Rewrite the SQL query so that it is able to use the index on created_at.",
    "Which is faster for membership tests, a list or a set, and why?",
    "I'd like to understand how the GIL affects CPU-bound threads.",
    "Would you write a bash one-liner that counts lines in all *.py files?",
    "Kindly explain what `yield from` does in this coroutine.",
    "Can you basically summarize the difference between git rebase and merge?",
    "How should I structure a Textual app with several screens?",
    "Please make sure that the function returns None when the key is missing.",
    "What would you recommend for caching HTTP responses in httpx?",
    "Could you please tell me why mypy says 'Incompatible return value type'?",
]


def real_questions() -> list[str]:
    tasks = json.loads((REPO / "bench" / "corpus" / "tasks.json").read_text())
    return [q for t in tasks for q in (t["named"], t["paraphrased"])] + EXTRA_QUESTIONS


async def test_instruction_compression_never_changes_the_question(cfg_for, server_url):
    questions = real_questions()
    assert len(questions) >= 100
    pipe = pipeline_for(cfg_for(**{"tokens__prompt_optimization__instruction_compression": True}), server_url)
    for question in questions:
        prepared = await pipe.prepare(ChatRequest(question))
        assert prepared.messages[-1] == {"role": "user", "content": question}
    template = ChatRequest("Could you please explain the code in the context?", prompt_is_template=True)
    assert (await pipe.prepare(template)).messages[-1]["content"] == "Explain the code in the context?"


async def test_a_question_larger_than_the_window_is_refused_before_any_model_call(cfg_for, recording_proxy):
    """A pasted 20,000-token file as the question: one line, a ledger row, no request to the model."""
    pasted = "\n".join(f"def function_{n}(value):\n    return value * {n} + {n * 7}\n" for n in range(1200))
    pipe = pipeline_for(cfg_for(), recording_proxy.url)
    (done,) = [e async for e in pipe.run(ChatRequest("Explain this:\n" + pasted)) if isinstance(e, Done)]
    assert done.status == "error" and "8,192-token window" in done.error and "--context" in done.error
    assert "\n" not in done.error and recording_proxy.bodies() == []
    assert done.summary() == f"not sent: {done.error}"
    row = Ledger(Store(db_path(app_home()))).history(1)[0]
    assert row["status"] == "error" and row["prompt_tokens"] == row["completion_tokens"] == 0 and row["cost"] == 0
    assert row["est_prompt_tokens"] > 20_000  # what it would have cost is kept apart
