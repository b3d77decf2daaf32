"""Issue 20, wired to the user: ``@path`` and folders in ``ask``, whole-when-fits checked on the bytes the real
server received, the context view in ``ask --json`` and ``optimize``, and a follow-up sending earlier attachments."""

import fnmatch
import json
from pathlib import Path

import pytest
from conftest import run_cli

from devsynth_tui.services.context.attachments import (
    ALREADY_ATTACHED,
    attach,
    earlier_attachments,
    parse_attachments,
    shown_path,
)
from devsynth_tui.services.context.items import ContextError
from devsynth_tui.services.context.view import view_lines
from devsynth_tui.services.store.conversations import Message

FNMATCH = Path(fnmatch.__file__).read_text()
WORDING = "Write pytest tests for the code in the context, covering normal and edge cases."


def _project(tmp_path: Path) -> Path:
    (tmp_path / "fnmatch_copy.py").write_text(FNMATCH)
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "shapes.py").write_text("def rectangle_area(w, h):\n    return w * h\n")
    (pkg / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    (pkg / "poetry.lock").write_text("[[package]]\nname = 'x'\n")
    return tmp_path


@pytest.mark.parametrize(
    "prompt",
    ["Explain how @me@example.org is parsed", "What does @property do here?", "mail a@b.org", "@nothing/here.py"],
)
def test_an_at_word_that_names_nothing_stays_text(prompt, tmp_path):
    text, found = parse_attachments(prompt, tmp_path)
    assert (text, found) == (prompt, [])


def test_attach_reads_files_named_and_folders_found(tmp_path):
    root = _project(tmp_path)
    req = attach("Test @fnmatch_copy.py and look at @pkg/, mail me@x.org", root)
    assert req.prompt == "Test fnmatch_copy.py and look at pkg/, mail me@x.org"
    assert req.attachments == [str(root / "fnmatch_copy.py"), str(root / "pkg")]
    assert [(i.name.rsplit("/", 1)[-1], i.origin) for i in req.context] == [
        ("fnmatch_copy.py", "named"),
        ("shapes.py", "folder"),
    ]
    assert sum(req.listings[0].skipped.values()) == 2  # the image and the lockfile


def test_an_at_path_that_names_nothing_is_refused_in_one_line(tmp_path):
    """Written as a path (a file's suffix, a folder's slash, ./), an @word naming nothing is a typo to say before
    anything is sent, not text; a decorator or an npm scope stays text."""
    root = _project(tmp_path)
    for prompt, typed in (("explain @pkg/nope.py please", "pkg/nope.py"), ("sum up @doc/.", "doc/")):
        with pytest.raises(ContextError) as e:
            attach(prompt, root)
        assert str(e.value).startswith(f"@{typed}: no such file or folder in {root}; fix the path")
    with pytest.raises(ContextError, match=r"@README\.MD: no such file"):
        attach("sum up @README.MD", root)  # a suffix in capitals is a file's too
    text = 'What do @property, @types/node, @/components/Foo.vue (an alias), @scr/x.py and @app.get("/a.js") mean?'
    assert attach(text, root).prompt == text  # a decorator, a scope, an alias, code, a folder that is not there
    assert attach("In @pkg/shapes.py?", root).prompt == "In pkg/shapes.py?"


def test_a_file_attached_beside_its_folder_is_sent_once(tmp_path):
    root = _project(tmp_path)
    for req in (
        attach("Test @pkg/shapes.py, then sum up @pkg/", root),
        attach("Sum up @pkg/", root, earlier=[str(root / "pkg" / "shapes.py")]),  # a follow-up
    ):
        assert [(i.name, i.origin) for i in req.context] == [("pkg/shapes.py", "named")]
        assert req.listings[0].skipped[ALREADY_ATTACHED] == 1  # said in the folder's summary, not sent again


def test_a_file_given_twice_in_two_spellings_is_sent_once(tmp_path, monkeypatch):
    root = _project(tmp_path)
    monkeypatch.chdir(root)
    req = attach("Test @pkg/shapes.py", root, context=["pkg/shapes.py", str(root / "pkg" / "shapes.py")])
    assert [i.name for i in req.context] == ["pkg/shapes.py"]  # ask --context and @path, relative and absolute


def test_a_follow_up_finds_the_earlier_attachments_that_still_exist(tmp_path):
    root = _project(tmp_path)
    gone = str(root / "gone.py")
    messages = [
        Message("user", "a", meta={"attachments": [str(root / "pkg"), gone]}),
        Message("assistant", "b"),
        Message("user", "c", meta={"attachments": [str(root / "pkg"), str(root / "fnmatch_copy.py")]}),
    ]
    assert earlier_attachments(messages) == [str(root / "pkg"), str(root / "fnmatch_copy.py")]


@pytest.mark.integration
def test_ask_sends_a_file_named_with_at_whole_and_a_folder_with_its_summary(recording_proxy, tmp_path, monkeypatch):
    root = _project(tmp_path)
    monkeypatch.chdir(root)
    r = run_cli(
        "ask", f"{WORDING} @fnmatch_copy.py", "--context", "pkg", "--base-url", recording_proxy.url,
        "--max-tokens", "4", "--temperature", "0", "--json",
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    sent = recording_proxy.bodies()[-1]["messages"]
    assert FNMATCH.rstrip() in sent[0]["content"]  # whole, whatever the wording
    assert "fnmatch_copy.py" in sent[0]["content"] and str(root) not in sent[0]["content"]  # named as typed
    assert "def rectangle_area" in sent[0]["content"]
    assert sent[-1]["content"] == f"{WORDING} fnmatch_copy.py"
    assert "pkg: 1 files" in r.stderr and "skipped" in r.stderr
    view = json.loads(r.stdout)["context"]
    named = next(p for p in view["parts"] if p["kind"] == "file")
    assert named["status"] == "whole" and named["share"] > 0
    folder = next(p for p in view["parts"] if p["kind"] == "folder")
    assert folder["files"] == {"picked whole": 1} and sum(folder["skipped"].values()) == 2
    assert view["window"] and 0 < view["fill"] < 1
    assert sum(p["tokens"] for p in view["parts"]) == view["tokens"]  # the rows add up, message framing with them
    print("ask tokens sent:", view["tokens"], "server:", json.loads(r.stdout)["ledger"]["prompt_tokens"])


@pytest.mark.integration
def test_ask_with_an_at_path_naming_nothing_says_so_and_sends_nothing(recording_proxy, tmp_path, monkeypatch):
    monkeypatch.chdir(_project(tmp_path))
    r = run_cli("ask", "explain @pkg/nope.py please", "--base-url", recording_proxy.url)
    assert r.returncode == 2 and r.stderr.count("\n") == 1, r.stderr
    assert "@pkg/nope.py: no such file or folder in" in r.stderr and "Traceback" not in r.stderr
    assert recording_proxy.bodies() == []


@pytest.mark.integration
def test_ask_continued_sends_the_files_attached_earlier(recording_proxy, tmp_path, monkeypatch):
    root = _project(tmp_path)
    monkeypatch.chdir(root)
    common = ["--base-url", recording_proxy.url, "--max-tokens", "4", "--temperature", "0"]
    first = run_cli("ask", "Read @fnmatch_copy.py", *common)
    assert first.returncode == 0, first.stderr
    follow = run_cli("ask", "And what does translate return?", "-c", *common)
    assert follow.returncode == 0, follow.stderr
    assert FNMATCH.rstrip() in recording_proxy.bodies()[-1]["messages"][0]["content"]


@pytest.mark.integration
def test_optimize_says_which_case_applied_and_why(server_url, tmp_path, monkeypatch):
    root = _project(tmp_path)
    monkeypatch.chdir(root)
    r = run_cli("optimize", WORDING, "--context", "fnmatch_copy.py", "--context", "pkg", "--base-url", server_url)
    assert r.returncode == 0, r.stderr
    assert "why: whole: the named files fit the budget" in r.stdout
    assert "--- the context view: what fills the window ---" in r.stdout
    view = json.loads(run_cli("optimize", WORDING, "--context", "pkg", "--base-url", server_url, "--json").stdout)
    lines = view_lines(view["context"])
    assert any("pkg" in line and "picked whole" in line for line in lines)


def test_a_path_is_shown_from_the_working_directory_when_under_it(tmp_path):
    assert shown_path(str(tmp_path / "..notes.md"), tmp_path) == "..notes.md"  # a name, not the parent folder
    assert shown_path(str(tmp_path / "src" / "a.py"), tmp_path) == "src/a.py"
    assert shown_path(str(tmp_path.parent / "b.py"), tmp_path) == str(tmp_path.parent / "b.py")  # outside: whole
