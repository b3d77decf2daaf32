"""Files, folders and @path attachments as context: whole when they fit, folders picked by relevance, the view."""

import asyncio
import fnmatch
import json
import os
import subprocess
from pathlib import Path

import pytest

from devsynth_tui.config import load
from devsynth_tui.config_schema import defaults
from devsynth_tui.services.context import folders
from devsynth_tui.services.context.attachments import complete_path, parse_attachments
from devsynth_tui.services.context.folders import read_folder
from devsynth_tui.services.context.items import ContextItem
from devsynth_tui.services.context.pruning import PruneContext, prune
from devsynth_tui.services.context.view import build_view
from devsynth_tui.services.llm.backend import Backend
from devsynth_tui.services.llm.client import LLMClient
from devsynth_tui.services.llm.results import ModelInfo
from devsynth_tui.services.pipeline.pipeline import Pipeline
from devsynth_tui.services.pipeline.request import ChatRequest
from devsynth_tui.services.store.database import Store
from devsynth_tui.services.store.ledger import Ledger

FNMATCH = Path(fnmatch.__file__).read_text()
WORDINGS = [
    "Write pytest tests for the code in the context, covering normal and edge cases.",
    "Explain this file",
    "Why does translate turn [!abc] into a negated character class?",
    "Refactor fnmatchcase for speed.",
    "What happens when the pattern ends with a backslash?",
]


def _prune(items, query, budget, **settings):
    values = dict(defaults()["tokens"]["context_pruning"], **settings)
    return asyncio.run(prune(items, PruneContext(query, budget, values)))


async def _no_tokenizer(text):
    return None


def _prepare(req: ChatRequest, tmp_path, limit: int = 8192):
    """``Pipeline.prepare`` against a server that is never called (no /tokenize: cl100k with the margin)."""

    async def go():
        backend = Backend(LLMClient("http://127.0.0.1:9"), "openai", active_model="m", _models=[ModelInfo("m")])
        backend.client.tokenize = _no_tokenizer
        cfg = load(use_overrides=False).with_values({"memory.max_context_size": limit})
        try:
            return await Pipeline(cfg, backend, Ledger(Store(tmp_path / "db")), tmp_path).prepare(req)
        finally:
            await backend.client.aclose()

    return asyncio.run(go())


# --- whole when it fits ------------------------------------------------------------------


@pytest.mark.parametrize("wording", WORDINGS)
def test_a_named_file_that_fits_is_sent_whole_whatever_the_wording(wording, tmp_path):
    prep = _prepare(ChatRequest(wording, context=[ContextItem("fnmatch.py", FNMATCH)]), tmp_path)
    item = prep.items[0]
    assert item.status == "kept" and item.text == FNMATCH, item.note
    assert FNMATCH.rstrip() in prep.messages[0]["content"]
    assert item.note.startswith("whole: the named files fit the budget")


def test_a_named_file_over_the_budget_is_cut_worst_first_keeping_the_named_symbol():
    start = FNMATCH.splitlines().index(next(ln for ln in FNMATCH.splitlines() if ln.startswith("def translate")))
    items = [ContextItem("fnmatch.py", FNMATCH)]
    _prune(items, "Why does translate turn [!abc] into a negated character class?", 1100)
    item = items[0]
    assert item.status == "partial" and 0 < item.tokens <= 1100
    assert any(s <= start + 1 <= e for s, e in item.lines_kept)  # the definition the question names
    assert "def translate" in item.text
    assert item.note.startswith("cut to fit (the named files need") and "worst-scoring" in item.note
    # worst first: what fills the rest of the budget is used, not left empty
    assert item.tokens > 1100 * 0.6


def test_summarization_leaves_what_fits_alone():
    calls = []

    async def summarize(item, limit):
        calls.append(item.name)
        return "short"

    items = [ContextItem("fnmatch.py", FNMATCH)]
    settings = dict(defaults()["tokens"]["context_pruning"], strategy="summarization", max_tokens=100)
    asyncio.run(prune(items, PruneContext("explain", 5000, settings, summarizer=summarize)))
    assert calls == [] and items[0].status == "kept"


def test_folder_items_are_picked_by_relevance_after_the_named_files(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "shapes.py").write_text(
        "def area(w, h):\n    return w * h\n\n\n"
        + "".join(f"def helper_{n}(x):\n    return x * {n} + {n}\n\n\n" for n in range(60))
    )
    (tmp_path / "pkg" / "money.py").write_text("def convert(amount, rate):\n    return amount * rate\n" * 30)
    listing = read_folder(str(tmp_path / "pkg"))
    named = ContextItem("fnmatch.py", FNMATCH)
    items = [named, *listing.items]
    _prune(items, "How is the area of a rectangle computed by area?", named.tokens + 400)
    assert named.status == "kept"
    shapes = next(i for i in items if i.name.endswith("shapes.py"))
    money = next(i for i in items if i.name.endswith("money.py"))
    assert shapes.status == "partial" and "def area" in shapes.text and "helper_50" not in shapes.text
    assert money.status == "dropped" and money.note.startswith("not picked")
    items = [ContextItem("fnmatch.py", FNMATCH), *read_folder(str(tmp_path / "pkg")).items]
    _prune(items, "How is the area of a rectangle computed by area?", 600)  # the named file alone is over
    assert all(i.status == "dropped" for i in items[1:]) and "named files alone" in items[1].note


# --- @path ----------------------------------------------------------------------------------


def test_at_paths_name_existing_files_and_folders_only(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text("x = 1\n")
    (tmp_path / "my notes.md").write_text("# n\n")
    abs_file = tmp_path / "src" / "app.py"
    text, found = parse_attachments(
        'Write tests for @src/app.py, see @src/ and @"my notes.md" or @my\\ notes.md; '
        f"mail me@example.org, use @property and @missing.py; also @{abs_file}",
        tmp_path,
    )
    assert [(a.typed, a.is_dir) for a in found] == [("src/app.py", False), ("src/", True), ("my notes.md", False)]
    assert text.startswith('Write tests for src/app.py, see src/ and "my notes.md" or "my notes.md";')
    assert "me@example.org" in text and "@property" in text and "@missing.py" in text
    assert text.endswith(f"also {abs_file}")  # the same file again: one attachment


def test_path_completion(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text("")
    (tmp_path / "src" / "api.py").write_text("")
    (tmp_path / "setup.py").write_text("")
    (tmp_path / ".env").write_text("")
    (tmp_path / "a b.txt").write_text("")
    assert complete_path("@s", tmp_path) == ["@setup.py", "@src/"]
    assert complete_path("@src/ap", tmp_path) == ["@src/api.py", "@src/app.py"]
    assert complete_path("@.e", tmp_path) == ["@.env"] and "@.env" not in complete_path("@", tmp_path)
    assert complete_path("@a", tmp_path) == ['@"a b.txt"']
    assert complete_path("@nowhere/x", tmp_path) == []


# --- folders ----------------------------------------------------------------------------------


def _tree(root: Path) -> None:
    files = {
        "app.py": "def main():\n    return 1\n",
        "notes.md": "# Notes\n",
        "build.log": "ignored by .gitignore\n",
        "secret.txt": "ignored by info/exclude\n",
        "poetry.lock": "lock\n",
        "vendor/lib.py": "x = 1\n",
        "node_modules/m/index.js": "x\n",
        "dist/app.min.js": "x\n",
        "gen_pb2.py": "x = 1\n",
        "stamp.py": "# @generated by a tool\nx = 1\n",
        "logo.png": "\x89PNG",
        "blob.dat": "a\0b",
        "docs/screenshot.svg": '<svg xmlns="http://www.w3.org/2000/svg"><text>a picture, as markup</text></svg>\n',
        "sub/util.py": "def util():\n    return 2\n",
        "sub/tmp/scratch.py": "y = 1\n",
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    (root / ".gitignore").write_text("*.log\n")
    (root / "sub" / ".gitignore").write_text("tmp/\n")


def _names(listing) -> set[str]:
    return {os.path.relpath(i.name, listing.root) for i in listing.items}


def test_a_git_repository_respects_gitignore_and_info_exclude(tmp_path):
    _tree(tmp_path)
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / ".git" / "info" / "exclude").write_text("secret.txt\n")
    subprocess.run(["git", "-C", str(tmp_path), "add", "app.py"], check=True)  # tracked and untracked both count
    listing = read_folder(str(tmp_path))
    assert listing.how == "git ls-files"
    assert _names(listing) == {".gitignore", "app.py", "notes.md", "sub/.gitignore", "sub/util.py"}
    assert listing.skipped == {"lockfiles": 1, "vendored": 2, "generated": 3, "binary": 2, "images": 1}
    assert all(i.origin == "folder" and i.folder == str(tmp_path) for i in listing.items)


def test_a_plain_folder_applies_its_gitignore_files_with_pathspec(tmp_path):
    _tree(tmp_path)
    listing = read_folder(str(tmp_path))
    assert listing.how == ".gitignore (pathspec)"
    assert _names(listing) == {".gitignore", "app.py", "notes.md", "secret.txt", "sub/.gitignore", "sub/util.py"}
    assert "skipped 3 generated, 2 binary, 2 vendored, 1 images, 1 lockfiles" in listing.summary()


def test_caps_on_files_and_bytes_say_so(tmp_path):
    for n in range(10):
        (tmp_path / f"f{n}.py").write_text(f"x{n} = {n}\n" * 50)
    listing = read_folder(str(tmp_path), max_files=4)
    assert len(listing.items) == 4 and "stopped at 4 files" in listing.capped and "6 files not read" in listing.capped
    size = (tmp_path / "f0.py").stat().st_size
    listing = read_folder(str(tmp_path), max_bytes=3 * size)
    assert len(listing.items) == 3 and "7 files not read" in listing.summary()


def test_a_fifo_is_never_opened(tmp_path):
    os.mkfifo(tmp_path / "pipe.py")  # opening it for reading would block
    (tmp_path / "ok.py").write_text("x = 1\n")
    listing = read_folder(str(tmp_path))
    assert _names(listing) == {"ok.py"} and listing.skipped == {"not regular files": 1}


def test_a_second_pass_reads_from_the_cache_without_chunking_again(tmp_path, monkeypatch):
    for n in range(5):
        (tmp_path / f"m{n}.py").write_text(f"def f{n}(x):\n    return x + {n}\n")
    calls = []
    real = folders.chunk_spans.__wrapped__  # past its own per-text cache: every real chunking counts

    def counting(text, name):
        calls.append(name)
        return real(text, name)

    monkeypatch.setattr(folders, "chunk_spans", counting)
    folders.clear_cache()
    first = read_folder(str(tmp_path))
    assert len(calls) == 5
    second = read_folder(str(tmp_path))
    assert len(calls) == 5 and [i.parsed for i in second.items] == [i.parsed for i in first.items]
    (tmp_path / "m0.py").write_text("def f0(x):\n    return x - 100\n")  # changed: size differs
    read_folder(str(tmp_path))
    assert calls[5:] == ["m0.py"]


# --- the view --------------------------------------------------------------------------------


def test_the_view_says_what_each_component_costs_and_why(tmp_path):
    (tmp_path / "pkg").mkdir()
    for n in range(3):
        (tmp_path / "pkg" / f"mod{n}.py").write_text(f"def thing_{n}(x):\n    return x * {n}\n" * 40)
    (tmp_path / "pkg" / "uv.lock").write_text("lock\n")
    listing = read_folder(str(tmp_path / "pkg"))
    req = ChatRequest("What does thing_1 return?", context=[ContextItem("fnmatch.py", FNMATCH), *listing.items])
    prep = _prepare(req, tmp_path, limit=2600)
    view = build_view(prep, 8192, [listing])
    data = json.loads(json.dumps(view.as_json()))
    kinds = [p["kind"] for p in data["parts"]]
    assert kinds[0] == "system" and "question" in kinds and kinds.count("file") == 1
    file = next(p for p in data["parts"] if p["kind"] == "file")
    assert file["status"] == "whole" and file["why"].startswith("whole:") and 0 < file["share"] < 1
    folder = next(p for p in data["parts"] if p["kind"] == "folder")
    assert folder["skipped"] == {"lockfiles": 1} and sum(folder["files"].values()) == 3
    assert data["window"] == 8192 and abs(data["fill"] - prep.tokens_after / 8192) < 1e-9
    assert sum(p["tokens"] for p in data["parts"]) == prep.tokens_after  # framing is a row: they add up


def test_every_item_says_why_it_is_sent_as_it_is():
    items = [ContextItem("a.py", "x = 1\n"), ContextItem("b.md", "# B\n" + "text " * 400, "documentation")]
    _prune(items, "what is x?", 10_000, strategy="priority")
    assert all(i.note.startswith("whole:") for i in items)
    items = [ContextItem("a.py", "x = 1\n"), ContextItem("b.md", "# B\n" + "text " * 400, "documentation")]
    _prune(items, "what is x?", 60, strategy="priority")
    assert items[1].status == "dropped" and "over budget" in items[1].note and items[0].note.startswith("whole:")


def test_a_second_question_over_a_folder_reuses_its_chunks_and_statistics(tmp_path, monkeypatch):
    from devsynth_tui.services.context import pruning

    for n in range(4):
        (tmp_path / f"m{n}.py").write_text("".join(f"def f{n}_{k}(x):\n    return x + {k}\n\n\n" for k in range(40)))
    calls = []
    real = pruning.chunk_text
    monkeypatch.setattr(pruning, "chunk_text", lambda *a: calls.append(a[1]) or real(*a))
    pruning._SCORERS.clear()
    for question in ("What does f1_3 add?", "Explain f2_7"):
        items = read_folder(str(tmp_path)).items
        _prune(items, question, 300)
        assert any(i.status == "partial" for i in items)
    assert len(calls) == 4  # the first question only
