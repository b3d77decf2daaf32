"""``doctor``: the guide's troubleshooting checklist on your own figures, and ``--fix``."""

from __future__ import annotations

import json
import sys

from devsynth_tui.cli.common import EXIT_ERROR, CliError, load_config, open_store, parse_since, run_async


def cmd_doctor(args) -> int:
    """Findings worst first; exit 1 when one is at warning level or worse."""
    from devsynth_tui.config import app_home
    from devsynth_tui.services.advisor.checks import advise
    from devsynth_tui.services.advisor.facts import gather_facts, server_models
    from devsynth_tui.services.resources.monitor import find_embedded_server

    if args.fix and not args.yes and not sys.stdin.isatty():
        raise CliError("doctor --fix asks before it writes overrides.yaml: run it in a terminal, or add --yes")
    cfg = load_config(args)
    since = parse_since(args.since) if args.since else None
    models, backend = run_async(server_models(cfg))
    facts = gather_facts(
        cfg, open_store(), app_home(), since=since, server_pid=find_embedded_server(), models=models, backend=backend
    )
    advice = advise(facts)
    if args.json:
        print(json.dumps(advice.as_dict()))
    else:
        _print_advice(advice)
    if args.fix:
        _fix(advice, cfg, args.yes)
    return 0 if advice.healthy else EXIT_ERROR


def _print_advice(advice) -> None:
    from devsynth_tui.services.sanitize import safe_text

    print(f"devsynth-tui doctor: ledger {advice.window} (requests: {advice.requests:,})")
    for what, rows in advice.usage.items():
        if rows:
            print(
                f"  most tokens by {what}: "
                + ", ".join(f"{safe_text(r['name'])} {r['tokens']:,} ({r['share']:.0%})" for r in rows)
            )
    if not advice.findings:
        checked = " to what could be checked:" if advice.skipped else "."
        print(f"No findings: nothing in the guide's troubleshooting checklist applies{checked}")
    for f in advice.findings:
        print(f"\n[{f.severity.upper()}] {f.title} ({f.area})")
        print(f"  saw:    {safe_text(f.saw)}")
        print(f"  why:    {f.why}")
        print(f"  change: {safe_text(f.change_text())}")
    for reason in advice.skipped:
        print(f"  (not checked: {reason})")


def _fix(advice, cfg, yes: bool) -> None:
    """Show the overrides.yaml diff of every suggested key, ask, write; the user's own file is never touched."""
    import difflib

    from devsynth_tui.config import app_home
    from devsynth_tui.config_overrides import render_overrides, save_overrides
    from devsynth_tui.services.advisor.outcomes import apply_actions

    changes: dict = {}
    for f in advice.findings:  # worst first: a key two findings change keeps the worse one's value
        for key, value in f.change.items():
            changes.setdefault(key, value)
    actions = [f for f in advice.findings if f.action]
    if not changes and not actions:
        print("\n--fix: nothing to write (the findings' steps are yours to take).")
        return
    print()
    if changes:
        path, old, new = render_overrides(changes)
        sys.stdout.writelines(
            difflib.unified_diff(old.splitlines(True), new.splitlines(True), f"{path} (now)", f"{path} (after --fix)")
        )
    for f in actions:
        print(f"and: {f.step}")
    if not yes and input("Write these changes? [y/N] ").strip().lower() not in ("y", "yes"):
        print("Nothing written.")
        return
    if changes:
        print(f"written: {save_overrides(changes)}")
    for f in actions:
        print(apply_actions(f, cfg, app_home()))
