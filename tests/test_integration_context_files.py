"""Named files and folders reach the real embedded server as the rule says: whole while they fit."""

import fnmatch
from pathlib import Path

import pytest

from devsynth_tui.config import app_home
from devsynth_tui.services.context.attachments import parse_attachments
from devsynth_tui.services.context.folders import read_folder
from devsynth_tui.services.context.items import ContextItem
from devsynth_tui.services.llm.backend import Backend
from devsynth_tui.services.llm.client import LLMClient
from devsynth_tui.services.pipeline.pipeline import Pipeline
from devsynth_tui.services.pipeline.request import ChatRequest, Done
from devsynth_tui.services.store.database import Store, db_path
from devsynth_tui.services.store.ledger import Ledger

pytestmark = pytest.mark.integration
FNMATCH = Path(fnmatch.__file__).read_text()


def pipeline(cfg, url: str) -> Pipeline:
    return Pipeline(cfg, Backend(LLMClient(url), "openai"), Ledger(Store(db_path(app_home()))))


async def test_a_named_file_reaches_the_server_whole_whatever_the_wording(cfg_for, recording_proxy):
    pipe = pipeline(cfg_for(llm__max_tokens=4), recording_proxy.url)
    wordings = ["Write pytest tests for the code in the context, covering normal and edge cases.", "Explain this file"]
    for wording in wordings:
        events = [e async for e in pipe.run(ChatRequest(wording, context=[ContextItem("fnmatch.py", FNMATCH)]))]
        assert isinstance(events[-1], Done) and events[-1].status == "ok", events[-1].error
    bodies = recording_proxy.bodies()
    assert len(bodies) == 2
    for body in bodies:
        assert FNMATCH.rstrip() in body["messages"][0]["content"]
    await pipe.backend.client.aclose()


async def test_an_at_folder_sends_what_relevance_picks_within_the_limit(cfg_for, recording_proxy, tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "shapes.py").write_text(
        "def rectangle_area(w, h):\n    return w * h\n\n\n"
        + "".join(f"def helper_{n}(x):\n    return x * {n} + {n}\n\n\n" for n in range(300))
    )
    (tmp_path / "pkg" / "notes.md").write_text("# Holidays\n\nThe office is closed in August.\n" * 200)
    text, attached = parse_attachments("How is rectangle_area computed in @pkg/?", tmp_path)
    assert [a.typed for a in attached] == ["pkg/"] and text == "How is rectangle_area computed in pkg/?"
    listing = read_folder(str(attached[0].path))
    pipe = pipeline(cfg_for(llm__max_tokens=4, memory__max_context_size=1500), recording_proxy.url)
    events = [e async for e in pipe.run(ChatRequest(text, context=listing.items))]
    done = events[-1]
    assert isinstance(done, Done) and done.status == "ok", done.error
    sent = recording_proxy.bodies()[-1]["messages"][0]["content"]
    assert "def rectangle_area" in sent and "helper_250" not in sent
    assert done.row.prompt_tokens <= 1500  # the server's own count
    await pipe.backend.client.aclose()
