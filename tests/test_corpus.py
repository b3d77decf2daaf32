"""The pruning corpus, built from this interpreter, and budget-aware relevance on it (no server)."""

import ast
import asyncio
import json
import sys
import textwrap

import pytest
from conftest import REPO, run_cli

from devsynth_tui.config_schema import defaults
from devsynth_tui.services.context.items import FOLDER, NAMED, ContextItem, StageReport
from devsynth_tui.services.context.pruning import PruneContext, adaptive_cutoff, prune
from devsynth_tui.services.store.database import Store, db_path
from devsynth_tui.services.store.ledger import Ledger, LedgerRow, stage_rows

sys.path.insert(0, str(REPO / "bench"))
from make_corpus import TASKS, build, load_items


@pytest.fixture(scope="session")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("corpus")
    questions, skipped = build(folder)
    return folder, questions, skipped


def test_corpus_is_built_from_the_installed_code_with_gold_ranges_from_ast(corpus):
    folder, questions, skipped = corpus
    tasks = json.loads(TASKS.read_text())
    assert not skipped and len(questions) == 2 * len(tasks)
    assert {q["style"] for q in questions} == {"named", "paraphrased"}
    assert {q["context"][0]["path"].split("/")[0] for q in questions} >= {"textual", "httpx", "rich"}
    for q in questions[::2]:
        code = q["gold"][0]
        lines = (folder / code["path"]).read_text().splitlines()
        first = " ".join(lines[code["lines"][0] - 1 : code["lines"][1]])
        assert f"def {q['target'].rsplit('.', 1)[-1]}" in first, q["id"]
        node = ast.parse(textwrap.dedent("\n".join(lines[code["lines"][0] - 1 : code["lines"][1]]))).body[0]
        assert node.name == q["target"].rsplit(".", 1)[-1]  # the range is exactly one whole definition
        assert 0.2 <= q["budget_share"] <= 0.4


def test_no_verbatim_third_party_text_is_committed():
    assert not (REPO / "bench" / "corpus" / "files").exists()
    assert not (REPO / "docs" / "devsynth-performance-guide.md").exists()
    assert "guide-map.md" in (REPO / "README.md").read_text()


def _prune(items, query, budget, **settings):
    values = dict(defaults()["tokens"]["context_pruning"], strategy="relevance", **settings)
    return asyncio.run(prune(items, PruneContext(query, budget, values)))


def test_default_keeps_the_gold_of_named_questions_and_cuts_most_tokens(corpus):
    folder, questions, _ = corpus
    for q in questions[:20:2]:  # named questions
        items = load_items(q, folder)
        before = sum(i.tokens for i in items)
        budget = int(q["budget_share"] * before)
        _prune(items, q["question"], budget)
        by_path = {i.name: i for i in items}
        s, e = q["gold"][0]["lines"]
        code = by_path[q["gold"][0]["path"]]
        assert any(a <= s and b >= e for a, b in code.lines_kept), q["id"]
        assert sum(i.tokens for i in items if i.status != "dropped") <= budget
        assert sum(i.tokens for i in items if i.status != "dropped") < 0.5 * before


def test_a_definition_pulls_in_its_class_header_helpers_and_tests():
    code = (
        "class Store:\n    '''Keeps things.'''\n    limit = 3\n\n"
        + "".join(f"    def unrelated_{n}(self):\n        return {n} + {n} * {n}\n\n" for n in range(90))
        + "    def put(self, key):\n        return self._check(key)\n\n"
        "    def _check(self, key):\n        return key in self.__dict__\n"
    )
    tests = "def test_check():\n    assert Store()._check('x') is False\n\n\ndef test_other():\n    assert True\n"
    items = [ContextItem("store.py", code, origin=FOLDER), ContextItem("test_store.py", tests, "tests", origin=FOLDER)]
    _prune(items, "Why does Store.put refuse keys?", 10_000, threshold=0.99, fill_floor=1.0)
    kept = items[0].text
    assert "def put" in kept and "def _check" in kept and "class Store:" in kept
    assert "unrelated_7" not in kept
    assert "test_check" in items[1].text and "test_other" not in items[1].text


def test_a_question_that_names_nothing_keeps_the_attached_file_whole():
    text = "def area(w, h):\n    return w * h\n\n\ndef perimeter(w, h):\n    return 2 * (w + h)\n" * 3
    for query, origin in (("What does this do?", FOLDER), ("Explain what the code does: its purpose.", NAMED)):
        items = [ContextItem("shapes.py", text, origin=origin)]
        notes = _prune(items, query, 10_000)
        assert items[0].status == "kept" and items[0].text == text, notes
    items = [ContextItem("shapes.py", text)]
    _prune(items, "What does this do?", 20)  # does not fit: the budget still holds
    assert items[0].tokens <= 20


def test_adaptive_cutoff_stops_at_the_knee_within_floor_and_threshold():
    scores = [1.0, 0.39, 0.38, 0.37, 0.12, 0.11, 0.1, 0.09, 0.08, 0.0]
    assert adaptive_cutoff(scores, threshold=0.4, floor=0.05) == 0.12  # the first point past the cliff
    assert adaptive_cutoff(scores, threshold=0.4, floor=0.3) == 0.37
    assert adaptive_cutoff(scores, threshold=0.4, floor=1.0) == 0.4  # floor 1: nothing below the threshold
    assert adaptive_cutoff([1.0, 0.2], threshold=0.4, floor=0.1) == 0.2


def _ledger_with_stages() -> Ledger:
    from devsynth_tui.config import app_home

    ledger = Ledger(Store(db_path(app_home())))
    reports = [
        StageReport("context:relevance", 9000, 1500),
        StageReport("context:priority", 1500, 1500),
        StageReport("prompt:template_trimming", 60, 52),
        StageReport("limit", 1600, 1600),
    ]
    for op, model in (("chat", "small"), ("explain file", "big"), ("chat", "small")):
        rid = ledger.record(LedgerRow(op, model, prompt_tokens=1600, completion_tokens=100, tokens_saved=7508))
        ledger.record_stages(rid, stage_rows(reports))
    return ledger


def test_ledger_keeps_tokens_per_stage_and_breaks_usage_down():
    ledger = _ledger_with_stages()
    assert [s["stage"] for s in ledger.last_stages()] == [
        "context:relevance",
        "context:priority",
        "prompt:template_trimming",
    ]
    stages = {r["key"]: r for r in ledger.breakdown("stage")}
    assert stages["context:relevance"]["tokens_saved"] == 3 * 7500 and stages["context:relevance"]["requests"] == 3
    assert "limit" not in stages
    ops = ledger.breakdown("operation")
    assert [r["key"] for r in ops] == ["chat", "explain file"] and ops[0]["total_tokens"] == 3400
    assert [r["key"] for r in ledger.breakdown("model")] == ["small", "big"]
    assert len(ledger.breakdown("day")) == 1
    ledger.reset(purge=True)
    assert ledger.breakdown("stage") == [] and ledger.last_stages() == []


def test_tokens_report_by_prints_the_breakdown_and_json():
    _ledger_with_stages().store.close()
    out = run_cli("tokens", "report", "--by", "stage")
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[1].split()[:2] == ["context:relevance", "3"] and "22,500" in out.stdout
    rows = json.loads(run_cli("tokens", "report", "--by", "operation", "--json").stdout)
    assert rows[0]["key"] == "chat" and rows[0]["requests"] == 2
    bad = run_cli("tokens", "report", "--by", "colour")
    assert bad.returncode == 2 and "invalid choice" in bad.stderr and "Traceback" not in bad.stderr
