"""The Advisor pane against the real embedded server: findings from this session's requests, Enter applies
one, ctrl+s saves it, and the before/after figure once the next requests ran."""

from statistics import mean

import pytest
import yaml

from devsynth_tui.config import load, overrides_path
from devsynth_tui.services.advisor import checks as advisor
from devsynth_tui.ui.advisor import OUTCOME_REQUESTS, AdvisorPane
from devsynth_tui.ui.app import DevsynthApp

from .test_pilot import SIZE, ask, connected, ledger_rows, open_pane, until

pytestmark = pytest.mark.integration


MACHINE = {"cpu", "memory-pressure", "swap"}  # about this shared machine as it is now: not the test's to decide


def checks(app) -> list[str]:
    """The findings about this session's settings and requests."""
    return [f.check for f in app.query_one(AdvisorPane).findings if f.check not in MACHINE]


async def test_findings_apply_save_and_before_after(server_url, tmp_path):
    mine = tmp_path / "mine.yaml"
    mine.write_text(
        yaml.safe_dump(
            {
                "llm": {"base_url": server_url, "embedded": "never", "max_tokens": 24, "temperature": 0.9},
                "tokens": {"prompt_optimization": {"template_trimming": False}},
            }
        )
    )
    before_bytes = mine.read_bytes()
    app = DevsynthApp(load(mine))
    async with app.run_test(size=SIZE) as pilot:
        await connected(app, pilot)
        await ask(app, pilot, "What is 2+2?")
        await open_pane(app, pilot, "advisor")  # the pane is mounted when first shown, and checks then
        await until(pilot, lambda: "prompt-optimization" in checks(app))
        assert checks(app) == ["prompt-optimization", "temperature"]  # both info; nothing else on a healthy run
        pane = app.query_one(AdvisorPane)  # a loaded machine adds a finding about the CPU, maybe first: select ours
        pane.query_one("#advisor-table").move_cursor(row=[f.check for f in pane.findings].index("prompt-optimization"))
        await pilot.pause()
        assert "template_trimming is false" in str(pane.query_one("#advisor-detail").render())
        await pilot.press("enter")
        await pilot.pause()
        assert app.session.cfg.get("tokens.prompt_optimization.template_trimming") is True
        assert app.main.changes == {"tokens.prompt_optimization.template_trimming": True}
        applied = app.query_one(AdvisorPane).applied[0]
        assert "waiting for the next 5 requests" in str(pane.query_one("#advisor-outcomes").render())
        await pilot.press("ctrl+s")
        await pilot.pause()
        saved = yaml.safe_load(overrides_path().read_text())
        assert saved["tokens"]["prompt_optimization"]["template_trimming"] is True
        assert mine.read_bytes() == before_bytes  # the user's own file is never written
        await app.main.action_tab("chat")
        for n in range(OUTCOME_REQUESTS):
            await ask(app, pilot, f"Name the number {n}.")
        await until(pilot, lambda: applied.outcome != "")
        rows = [r for r in ledger_rows() if r["status"] == "ok" and not r["cached"]]  # newest first
        before = mean(r["prompt_tokens"] for r in rows if r["ts"] < applied.at)  # the one request before
        after = mean([r["prompt_tokens"] for r in rows if r["ts"] >= applied.at][-OUTCOME_REQUESTS:])
        change = (after - before) / before  # figured from the ledger's rows, apart from the advisor's code
        verb = "saved" if change < 0 else "cost"
        assert applied.outcome.startswith(f"{verb} {abs(change) * 100:.0f} %"), (applied.outcome, before, after)
        assert applied.outcome.endswith("prompt tokens on the next 5 requests")
        assert f"— {applied.outcome}" in str(pane.query_one("#advisor-outcomes").render())
        assert checks(app) == ["temperature"]  # the applied finding is gone; the other one stays


async def test_a_finding_with_only_a_step_applies_nothing(server_url, tmp_path):
    app = DevsynthApp(load(base_url=server_url).with_values({"llm.embedded": "never"}))
    async with app.run_test(size=SIZE) as pilot:
        await connected(app, pilot)
        step_only = advisor.Finding(
            "swap",
            "speed",
            "warning",
            "Swap is in use",
            "3,100 MB of swap used",
            "paging",
            step="In LM Studio, load a smaller quantization",
        )
        await open_pane(app, pilot, "advisor")
        app.query_one(AdvisorPane).apply(step_only)
        await pilot.pause()
        assert app.query_one(AdvisorPane).applied == [] and app.main.changes == {}
