"""Issue 21 in the dashboard: outside strings on screen, reconnecting under a live answer, the database's lock."""

from fault_server import EVIL_MODEL, FaultServer
from rich.text import Text
from textual.worker import WorkerState

from devsynth_tui.config import load
from devsynth_tui.services.sanitize import safe_line
from devsynth_tui.services.store.database import Store, db_path
from devsynth_tui.services.store.ledger import Ledger, LedgerRow
from devsynth_tui.ui.app import DevsynthApp
from devsynth_tui.ui.chat import AssistantMessage
from devsynth_tui.ui.panes import ModelsPane

from .test_newcomer import text_of
from .test_pilot import SIZE, until


def no_controls(text: str) -> bool:
    return not any((ord(c) < 0x20 and c != "\n") or 0x7F <= ord(c) < 0xA0 or c in "\u202a\u202e" for c in text)


def dashboard(url: str, **values) -> DevsynthApp:
    return DevsynthApp(load(base_url=url).with_values({"llm.embedded.mode": "never", **values}))


async def send(app, pilot, text: str) -> None:
    app.query_one("#prompt").text = text
    await pilot.press("enter")
    await until(pilot, lambda: app.query(AssistantMessage), what="the answer's view")


async def test_a_hostile_model_id_is_literal_and_inert_in_every_place_it_is_shown(faults, app_home):
    app = dashboard(faults.url("evil"))
    shown = safe_line(EVIL_MODEL)
    assert "[bold red]model[/]" in shown and "\u241b" in shown  # what the screen must show: literal, ESC visible
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.session.pipeline is not None, what="connecting")
        await send(app, pilot, "hi")
        view = app.query_one(AssistantMessage)
        await until(pilot, lambda: not app.main.chat_pane.live and "tokens" in str(view.query_one(".stats").render()))
        status = str(app.query_one("#status").render())
        stats = str(view.query_one(".stats").render())
        await until(pilot, lambda: "evil" in str(app.query_one("#tokens").render()), what="the sidebar's last request")
        sidebar = str(app.query_one("#tokens").render())
        for where, text in (("status line", status), ("stats line", stats), ("sidebar", sidebar)):
            assert no_controls(text) and shown[:40] in text.replace("\n", ""), (where, text)
        assert "[bold red]model[/]" in status  # not read as markup
        await pilot.press("f5")
        await until(pilot, lambda: app.query(ModelsPane) and app.query_one("#models-table").row_count)
        cell = app.query_one("#models-table").get_row_at(0)[1]
        assert isinstance(cell, Text) and cell.plain == shown  # a Text cell: never parsed as markup
        await pilot.press("enter")  # makes it active: the toast names it
        await until(pilot, lambda: any("active model" in n.message for n in app._notifications))
        assert all(no_controls(n.message) and not n.markup for n in app._notifications)


async def test_a_servers_hostile_error_body_is_inert_in_the_error_line_and_toast(faults, app_home):
    app = dashboard(faults.url("hostile500"))
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.session.pipeline is not None, what="connecting")
        await send(app, pilot, "hi")
        view = app.query_one(AssistantMessage)
        await until(pilot, lambda: "server error 500" in str(view.query_one(".stats").render()))
        await until(pilot, lambda: any("server error 500" in n.message for n in app._notifications))
        stats = str(view.query_one(".stats").render())
        assert no_controls(stats) and "[bold red]rich[/]" in stats
        assert all(no_controls(n.message) and not n.markup for n in app._notifications)


async def test_ctrl_r_during_a_held_answer_lets_it_finish_and_be_stored(faults, app_home):
    app = dashboard(faults.url("stepped"), **{"llm.max_tokens": 6})
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.session.pipeline is not None, what="connecting")
        first = app.session.backend
        await send(app, pilot, "go")
        faults.release(2)
        view = app.query_one(AssistantMessage)
        await until(pilot, lambda: "line1" in view.text, what="the answer mid-stream")
        await pilot.press("ctrl+r")
        await until(pilot, lambda: app.session.backend not in (None, first), what="the reconnect")
        assert app.main.chat_pane.live  # still streaming on the old backend
        faults.release(4)
        await until(pilot, lambda: not app.main.chat_pane.live, what="the answer's end")
        assert "line5" in view.text and "tokens" in str(view.query_one(".stats").render())
        await until(pilot, lambda: first.client.closed.is_set(), what="the old client closing once idle")
    [row] = Ledger(Store(db_path(app_home))).history(5)
    assert row["status"] == "ok" and not row["error"]


async def test_a_failed_reconnect_does_not_name_the_gone_servers_model_nor_list_its_models(app_home):
    gone = FaultServer().start()
    app = dashboard(gone.url("ok"))
    async with app.run_test(size=SIZE) as pilot:
        try:
            await until(pilot, lambda: "model fault-model" in text_of(app.query_one("#status")), what="the model named")
            await pilot.press("f5")
            await until(pilot, lambda: app.query("#models-table") and app.query_one("#models-table").row_count == 1)
        finally:
            gone.stop()
        await pilot.press("ctrl+r")
        await until(pilot, lambda: "not connected" in text_of(app.query_one("#status")), what="the failed reconnect")
        assert "fault-model" not in text_of(app.query_one("#status"))
        await pilot.pause()
        assert app.main.models == [] and app.query_one("#models-table").row_count == 0  # the advisor reads main.models
        none = app.query_one("#models-none")
        assert none.display and text_of(none).startswith("No models listed: not connected")


async def test_a_model_not_on_the_server_leaves_the_models_it_has_listed(faults, app_home):
    """Connected, yet the model asked for is not there: the Models pane lists the ones it has (to pick from)."""
    app = dashboard(faults.url("ok"), **{"llm.model": "missing-model"})
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: "not connected" in text_of(app.query_one("#status")), what="the failed connect")
        await pilot.press("f5")
        await until(pilot, lambda: app.query("#models-table") and app.query_one("#models-table").row_count == 1)
        assert not app.query_one("#models-none").display and [m.id for m in app.main.models] == ["fault-model"]


async def test_a_server_that_refuses_its_model_list_is_said_once_and_not_asked_again(lmstudio, app_home):
    """LM Studio wanting a token the config lacks: the connect fails with one line, and listing its models for the
    Models pane is not tried again (it failed the same way, as a second, bare failure toast)."""
    lmstudio.api_token = "sekrit"
    app = dashboard(lmstudio.base_url)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: "not connected" in text_of(app.query_one("#status")), what="the failed connect")
        worker = app.main.connection.worker
        await until(pilot, lambda: worker.is_finished, what="the connect's end")
        await pilot.pause()
        assert worker.state == WorkerState.SUCCESS  # its failure said by the connect, not as the worker's
        assert len([n for n in app._notifications if n.severity == "error"]) == 1


async def test_an_answer_cancelled_before_any_of_it_came_says_so(faults, app_home):
    """Esc while the server held the answer: the line under it said a partial answer was kept, of nothing."""
    app = dashboard(faults.url("gated"))
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.session.pipeline is not None, what="connecting")
        app.query_one("#prompt").text = "hello"
        await pilot.press("enter")
        await until(pilot, lambda: faults.inflight == 1, what="the request held by the server")
        await pilot.press("escape")
        view = app.query(AssistantMessage).last()
        await until(pilot, lambda: view.has_class("cancelled"), what="the cancel")
        assert text_of(view.query_one(".stats")) == "cancelled before any answer came" and not view.text
        stored = app.session.conversations.messages(app.main.chat_pane.conversation_id)[-1]
        assert stored.status == "cancelled" and stored.meta["stats"] == "cancelled before any answer came"
    faults.open_gate(1)


async def test_bad_overrides_keys_are_said_once_and_nan_in_the_params_pane_is_refused_in_place(faults, app_home):
    app_home.mkdir(parents=True, exist_ok=True)
    (app_home / "overrides.yaml").write_text("llm:\n  top_p: .nan\n")
    app = dashboard(faults.url("ok"))
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.session.pipeline is not None, what="connecting")
        said = [n for n in app._notifications if "llm.top_p" in n.message]
        assert len(said) == 1 and "ignored" in said[0].message
        await pilot.press("f4")
        await until(pilot, lambda: app.query("#p-llm-temperature"), what="the Params pane")
        before = app.session.cfg.get("llm.temperature")
        field = app.query_one("#p-llm-temperature")
        field.value = "nan"
        await until(pilot, lambda: "refused" in str(app.query_one("#p-llm-temperature-error").render()))
        assert "finite" in str(app.query_one("#p-llm-temperature-error").render())
        assert app.session.cfg.get("llm.temperature") == before and "llm.temperature" not in app.main.changes
        await pilot.pause()
        assert len([n for n in app._notifications if "llm.top_p" in n.message]) == 1  # once


def test_a_damaged_database_ends_the_dashboard_with_one_line_and_a_failure_status(app_home):
    import os
    import sqlite3
    import subprocess
    import sys

    app_home.mkdir(parents=True, exist_ok=True)
    path = db_path(app_home)
    with Store(path) as store:
        for i in range(300):
            Ledger(store).record(LedgerRow("chat", model="m" * 200, prompt_tokens=i))
    page = sqlite3.connect(path).execute("PRAGMA page_size").fetchone()[0]
    with open(path, "r+b") as f:  # every page but the header's is garbage: opening works, the first read fails
        f.seek(page)
        f.write(os.urandom(path.stat().st_size - page))
    code = "from devsynth_tui.cli import main; raise SystemExit(main(['--base-url', 'http://127.0.0.1:9/v1']))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "Traceback" not in done.stdout + done.stderr
    [line] = done.stderr.strip().splitlines()
    assert f"the database at {path} is damaged" in line
