"""Issue 21 via the CLI: outside strings reach the terminal inert; bad overrides keys and bad numbers are one line."""

import pytest
from conftest import run_cli
from fault_server import EVIL_MODEL

from devsynth_tui.services.sanitize import safe_line


def inert(text: str) -> bool:
    """Nothing a terminal would act on: no C0 (newline aside), DEL, C1 or bidi override characters."""
    return not any((ord(c) < 0x20 and c != "\n") or 0x7F <= ord(c) < 0xA0 or c in "\u202a\u202e" for c in text)


@pytest.mark.parametrize(
    "args, mode, code",
    [
        (("ask", "hi"), "evil", 0),  # the stats line names the model
        (("models",), "evil", 0),
        (("ask", "hi", "--model", "absent"), "evil", 2),  # "model ... is not on the server; it has: ..."
        (("ask", "hi"), "hostile500", 1),  # the stats line and the error line carry the 500's body
    ],
)
def test_outside_strings_reach_the_terminal_inert(faults, args, mode, code):
    done = run_cli(*args, "--base-url", faults.url(mode))
    assert done.returncode == code, done.stderr
    out = done.stdout + done.stderr
    assert inert(out), out
    assert safe_line(EVIL_MODEL) in out or "[bold red]rich[/]" in out  # shown, literally


def test_optimize_shows_a_context_files_name_inert(faults, tmp_path):
    name = tmp_path / "evil\x1b]52;c;c2VjcmV0\x07.py"
    name.write_text("def f():\n    return 1\n")
    done = run_cli("optimize", "explain", "--context", str(name), "--base-url", faults.url("ok"))
    assert done.returncode == 0, done.stderr
    assert inert(done.stdout + done.stderr) and "evil\u241b]52" in done.stdout


def test_bad_overrides_keys_fail_config_check_and_are_a_note_in_ask(faults, app_home):
    app_home.mkdir(parents=True, exist_ok=True)
    (app_home / "overrides.yaml").write_text("llm:\n  top_p: .nan\n  temperature: 0.5\n")
    check = run_cli("config", "check")
    assert check.returncode == 2 and "llm.top_p" in check.stdout and "finite" in check.stdout, check.stdout
    ask = run_cli("ask", "hi", "--base-url", faults.url("ok"))
    assert ask.returncode == 0, ask.stderr
    [note] = [line for line in ask.stderr.splitlines() if "llm.top_p" in line]
    assert "ignored" in note and "Traceback" not in ask.stderr


@pytest.mark.parametrize("flag, value", [("--interval", "nan"), ("--interval", "inf"), ("--duration", "nan")])
def test_monitor_refuses_a_number_that_is_not_finite_in_one_line(flag, value):
    done = run_cli("monitor", "memory", flag, value, "--once")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and flag in done.stderr and "finite" in done.stderr


def test_output_piped_into_a_reader_that_stops_early_ends_without_a_traceback(app_home):
    """``devsynth-tui conversations show 1 | head -1``: the reader goes after one line; the rest of the output has
    nowhere to go, and the command stops there as a tool stopped by SIGPIPE does (141), with nothing on stderr."""
    import os
    import subprocess
    import sys

    from devsynth_tui.services.store.conversations import Conversations, Message
    from devsynth_tui.services.store.database import Store, db_path

    app_home.mkdir(parents=True)
    conversations = Conversations(Store(db_path(app_home)))
    cid = conversations.start("long", Message("user", "Print the numbers."))
    conversations.add(cid, Message("assistant", "\n".join(map(str, range(100_000)))))  # far more than a pipe holds
    command = [sys.executable, "-m", "devsynth_tui", "conversations", "show", str(cid)]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=os.environ) as reader:
        assert reader.stdout and reader.stderr
        reader.stdout.readline()
        reader.stdout.close()  # as head does once it has its line
        errors = reader.stderr.read().decode()
        assert reader.wait(timeout=120) == 141 and errors == ""


def test_a_pipe_other_than_the_output_closing_is_an_error_said_in_one_line(monkeypatch, capfd):
    """Only a reader gone from standard output is the quiet 141: another pipe closing (a child's, say) is a failure,
    said as one, while the output's own reader is still there."""
    from devsynth_tui import cli
    from devsynth_tui.cli import tokens

    def fails(args):
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(tokens, "cmd_tokens", fails)
    assert cli.main(["tokens", "report"]) == 1
    said = capfd.readouterr().err
    assert said == "devsynth-tui: a pipe closed under this command: [Errno 32] Broken pipe\n"


def test_an_answer_piped_into_a_reader_gone_ends_quietly(server_url, app_home):
    """``devsynth-tui ask ... | head -c 1`` against the real server: the reader goes before the answer ends. The run
    stops there with 141, and no error is printed (its generators were left to close as Python exited: a traceback).
    As after Esc, its ledger row says it was cut short and the answer so far is stored."""
    import os
    import subprocess
    import sys

    from devsynth_tui.services.store.conversations import Conversations
    from devsynth_tui.services.store.database import Store, db_path
    from devsynth_tui.services.store.ledger import Ledger

    command = [sys.executable, "-m", "devsynth_tui", "--base-url", server_url, "ask", "Count from 1 to 200."]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=os.environ) as writer:
        assert writer.stdout and writer.stderr
        writer.stdout.read(1)
        writer.stdout.close()  # as head -c 1 does once it has its byte
        said = writer.stderr.read().decode()  # the prompt's progress notes only
        assert writer.wait(timeout=120) == 141 and "Error" not in said and "Traceback" not in said, said
    store = Store(db_path(app_home))
    [row] = Ledger(store).history(10)
    assert row["operation"] == "ask" and row["status"] == "cancelled" and row["prompt_tokens"] > 0, row
    [question, answer] = Conversations(store).messages(Conversations(store).latest().id)
    assert question.content == "Count from 1 to 200." and answer.status == "cancelled" and answer.content, answer


@pytest.mark.parametrize(
    "name, proxy",
    [("ALL_PROXY", "socks5://127.0.0.1:9"), ("ALL_PROXY", "foo://127.0.0.1:9"), ("HTTP_PROXY", "http://p:notaport")],
)
def test_a_proxy_in_the_environment_that_cant_be_used_is_one_line_naming_it(faults, name, proxy):
    """httpx raises at its client's build for a SOCKS proxy (without socksio), an unknown scheme, a bad port."""
    r = run_cli("--base-url", faults.url("ok"), "models", env={name: proxy})
    assert r.returncode != 0 and "Traceback" not in r.stderr
    assert r.stderr.count("\n") == 1 and "a proxy set in the environment can't be used" in r.stderr


def test_a_server_unreached_through_a_proxy_says_the_proxy_was_in_the_way(faults):
    """A proxy for the internet in the environment: every request to this machine's server went through it."""
    r = run_cli("--base-url", faults.url("ok"), "models", env={"HTTP_PROXY": "http://127.0.0.1:9"})
    assert r.returncode == 2 and r.stderr.count("\n") == 1
    assert "no server answers" in r.stderr and "sent through the proxy set in the environment: no_proxy=" in r.stderr
    r = run_cli(
        "--base-url", faults.url("ok"), "models", env={"HTTP_PROXY": "http://127.0.0.1:9", "NO_PROXY": "127.0.0.1"}
    )
    assert r.returncode == 0, r.stderr  # as the advice says
