"""The dashboard while another process holds the database's write lock (BEGIN IMMEDIATE), against the
real embedded server: keys are handled while the answer's rows wait, and they land once the lock goes."""

import asyncio
import sqlite3
import time

from db_lock import WriteLockHolder

from devsynth_tui.config import load
from devsynth_tui.services.store import database as store_module
from devsynth_tui.services.store.database import db_path
from devsynth_tui.ui.app import DevsynthApp
from devsynth_tui.ui.chat import AssistantMessage, UserMessage
from ui.test_newcomer import screen_text
from ui.test_pilot import SIZE, answered, connected, until

PROMPT = "Write a Python function that adds two numbers, with a docstring."


class LoopLag:
    """The event loop's worst stall while it runs: how late a 5 ms sleep wakes up."""

    def __init__(self) -> None:
        self.worst = 0.0
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        while True:
            t = time.perf_counter()
            await asyncio.sleep(0.005)
            self.worst = max(self.worst, time.perf_counter() - t - 0.005)

    def stop(self) -> float:
        self._task.cancel()
        return self.worst


def chat_rows(app) -> list[tuple]:
    conn = sqlite3.connect(db_path(app.session.home))  # a reader of its own: WAL readers don't wait for a writer
    try:
        return conn.execute("SELECT status, completion_tokens FROM requests WHERE operation = 'chat'").fetchall()
    finally:
        conn.close()


def make_app(server_url: str, max_tokens: int) -> DevsynthApp:
    return DevsynthApp(load(base_url=server_url).with_values({"llm.embedded": "never", "llm.max_tokens": max_tokens}))


async def start_answer(app, pilot, holder) -> tuple[AssistantMessage, asyncio.Event]:
    """Send the prompt; take the lock once the answer streams. The answer's ledger row is written only
    after the lock is held (``recording`` is set when the pipeline asks for it)."""
    recording, locked = asyncio.Event(), asyncio.Event()
    ledger = app.session.ledger
    real = ledger.arecord

    async def arecord(row):
        recording.set()
        await locked.wait()
        return await real(row)

    ledger.arecord = arecord
    app.query_one("#prompt").text = PROMPT
    await pilot.press("enter")
    for _ in range(1200):
        views = app.query(AssistantMessage)
        if views and views.last().text:
            break
        await pilot.pause(0.05)
    holder.lock()
    locked.set()
    return app.query(AssistantMessage).last(), recording


async def test_keys_are_handled_and_the_row_lands_when_the_lock_goes(server_url, app_home, monkeypatch):
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_MS", 120_000)  # the lock never outlasts it here
    app = make_app(server_url, 64)
    async with app.run_test(size=SIZE) as pilot:
        await connected(app, pilot)
        prompt = app.query_one("#prompt")
        with WriteLockHolder(db_path(app.session.home)) as holder:
            view, recording = await start_answer(app, pilot, holder)
            lag = LoopLag()
            await pilot.press(*"abc")  # typed while the answer streams and the lock is held elsewhere
            await until(pilot, lambda: prompt.text == "abc", 30, "the keys typed")  # gathered, then put in
            await asyncio.wait_for(recording.wait(), 120)  # the stream is over: its row waits for the lock
            await pilot.pause(0.5)
            await pilot.press("d")
            await until(pilot, lambda: prompt.text == "abcd", 30, "the key typed")
            assert app.main.chat_pane.live and chat_rows(app) == []  # still waiting, and nothing froze meanwhile
            holder.release()
            await answered(app, pilot)
            worst = lag.stop()
        print(f"\nworst event-loop stall while another process held the write lock: {worst * 1000:.0f} ms")
        rows = chat_rows(app)
        assert len(rows) == 1 and rows[0][0] == "ok" and rows[0][1] > 0
        stored = app.session.conversations.messages(app.main.chat_pane.conversation_id)
        assert [m.role for m in stored] == ["user", "assistant"] and stored[1].content == view.text
        assert "tokens" in str(view.query_one(".stats").render())


async def test_esc_once_the_answer_is_whole_leaves_it_stored_and_shown_as_it_ended(server_url, app_home, monkeypatch):
    """The stream is over and its ledger row waits for the lock (the line under it says so): Esc then leaves the
    answer as it ended, once the lock goes: stored and shown as answered, as the ledger says (it was stored and
    shown as cancelled beside an "ok" row)."""
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_MS", 120_000)
    app = make_app(server_url, 24)
    async with app.run_test(size=SIZE) as pilot:
        await connected(app, pilot)
        with WriteLockHolder(db_path(app.session.home)) as holder:
            view, recording = await start_answer(app, pilot, holder)
            await asyncio.wait_for(recording.wait(), 120)  # the stream is over: its row waits for the lock
            stats = view.query_one(".stats")
            await until(pilot, lambda: "being counted and recorded" in str(stats.render()), 30, "the ending note")
            await pilot.press("escape")
            await pilot.pause(0.3)
            holder.release()
            await until(pilot, lambda: not app.main.chat_pane.live, 60, "the run's end")
        assert "tokens" in str(stats.render()) and not view.has_class("cancelled")  # its own stats line
        assert [row[0] for row in chat_rows(app)] == ["ok"]
        stored = app.session.conversations.messages(app.main.chat_pane.conversation_id)[-1]
        assert (stored.status, stored.content) == ("ok", view.text) and stored.meta["stats"] == str(stats.render())


async def test_a_lock_outlasting_the_timeout_is_waited_on_and_the_answer_lands(server_url, app_home, monkeypatch):
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_MS", 1000)
    app = make_app(server_url, 24)
    async with app.run_test(size=SIZE) as pilot:
        await connected(app, pilot)
        waits: list = []
        app.session.store.waiting.append(waits.append)
        with WriteLockHolder(db_path(app.session.home)) as holder:
            view, recording = await start_answer(app, pilot, holder)
            await asyncio.wait_for(recording.wait(), 120)
            await until(pilot, lambda: waits, what="the answer's write waiting past the busy timeout")
            await pilot.press(*"ok")
            await until(pilot, lambda: app.query_one("#prompt").text == "ok", 30, "the keys typed")  # usable meanwhile
            assert chat_rows(app) == []
            holder.release()
            await answered(app, pilot)
        assert waits[-1] is None  # it got the lock
        rows = chat_rows(app)
        assert len(rows) == 1 and rows[0][0] == "ok" and rows[0][1] > 0  # the answer was not dropped
        stored = app.session.conversations.messages(app.main.chat_pane.conversation_id)
        assert [m.role for m in stored] == ["user", "assistant"] and stored[1].content == view.text
        assert "locked" not in str(view.query_one(".stats").render()) and "error" not in view.classes


async def test_a_first_question_shows_at_once_while_the_lock_is_held_and_is_stored_when_it_goes(
    server_url, app_home, monkeypatch
):
    """A new conversation's first question, sent while a database browser holds the write lock: the question is
    on screen, answered, and the keys work at once, the status line says why nothing is stored yet, and all lands
    later."""
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_MS", 500)
    app = make_app(server_url, 16)
    async with app.run_test(size=SIZE) as pilot:
        await connected(app, pilot)
        with WriteLockHolder(db_path(app.session.home)) as holder:
            holder.lock()
            app.query_one("#prompt").text = PROMPT
            await pilot.press("enter")
            await until(pilot, lambda: app.main.query(UserMessage), 30, "the question on screen")
            await pilot.press(*"ok")
            # the keys work while the conversation waits to be stored
            await until(pilot, lambda: app.query_one("#prompt").text == "ok", 30, "the keys typed")
            await until(pilot, lambda: "waiting for the database" in screen_text(app), 30, "the waiting note")
            assert "another program holds its write lock" in str(app.query_one("#status").render())  # not cut off
            answer = app.query(AssistantMessage).last()
            await until(pilot, lambda: answer.text, 60, "the answer, streamed while the question waits for the lock")
            assert app.main.chat_pane.conversation_id is None and chat_rows(app) == []
            holder.release()
            await answered(app, pilot)
        cid = app.main.chat_pane.conversation_id
        assert cid is not None and app.main.chat_pane.title_of(cid)
        stored = app.session.conversations.messages(cid)
        assert [m.role for m in stored] == ["user", "assistant"] and stored[0].content == PROMPT
        assert [row[0] for row in chat_rows(app)] == ["ok"]
        assert "waiting for the database" not in screen_text(app)


async def test_a_new_chat_opened_while_the_last_waits_to_be_stored_is_a_conversation_of_its_own(
    server_url, app_home, monkeypatch
):
    """A first question answered while a lock held elsewhere keeps it from being stored, then ctrl+n: the new chat
    is not that conversation. Esc there cancels nothing of the other's, a question there is sent, and once the lock
    goes each conversation is stored with its own question and answer."""
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_MS", 500)
    app = make_app(server_url, 16)
    async with app.run_test(size=SIZE) as pilot:
        await connected(app, pilot)
        pane = app.main.chat_pane
        with WriteLockHolder(db_path(app.session.home)) as holder:
            holder.lock()
            app.query_one("#prompt").text = "Name a colour."
            await pilot.press("enter")
            await until(pilot, lambda: pane.live and next(iter(pane.live.values())).answer.parts, 60, "the answer")
            first = next(iter(pane.live.values()))
            await pilot.press("ctrl+n")
            await until(pilot, lambda: not app.query(UserMessage), 30, "the new chat")
            await pilot.press("escape")
            app.query_one("#prompt").text = "Name a fruit."
            await pilot.press("enter")
            await until(pilot, lambda: len(pane.live) == 2, 30, "the second question sent")
            await until(pilot, lambda: all(live.answer.parts for live in pane.live.values()), 60, "both answering")
            holder.release()
            await until(pilot, lambda: not pane.live, 60, "both stored")
        assert first.answer.done is not None and first.answer.done.status == "ok"
        conversations = app.session.conversations
        stored = {m[0].content: m for m in (conversations.messages(c.id) for c in conversations.list())}
        assert sorted(stored) == ["Name a colour.", "Name a fruit."]
        assert all([m.role for m in messages] == ["user", "assistant"] for messages in stored.values())
        assert pane.conversation_id is not None and pane.title_of(pane.conversation_id) == "Name a fruit."
        assert [row[0] for row in chat_rows(app)] == ["ok", "ok"]
