"""``tokens``: the ledger's report, history and reset."""

from __future__ import annotations

import json
import sys

from devsynth_tui.cli.common import CliError, load_config, open_ledger, parse_since

COST_NOTE = (
    "(cost: what these tokens would cost at hosted prices, the config's `pricing` as it was at each request;"
    " a local model costs nothing)"
)


def cmd_tokens(args) -> int:
    load_config(args)  # a bad config is said, as by every command that takes one (the ledger holds the figures)
    ledger = open_ledger()
    if args.tokens_command == "report" and args.by:
        rows = ledger.breakdown(args.by, all_time=args.all)
        print(json.dumps(rows) if args.json else _breakdown_text(args.by, rows))
    elif args.tokens_command == "report":
        report = ledger.report(all_time=args.all)
        if args.json:
            from dataclasses import asdict

            print(json.dumps(asdict(report)))
        else:
            print(report.text())
            print(COST_NOTE)
    elif args.tokens_command == "history":
        if args.limit <= 0:
            raise CliError(f"--limit {args.limit}: expected a positive number")
        rows = ledger.history(args.limit, parse_since(args.since) if args.since else None)
        if args.json:
            print(json.dumps(rows))
        else:
            _print_history(rows)
    else:
        return _reset(ledger, args)
    return 0


def _breakdown_text(by: str, rows: list[dict]) -> str:
    from devsynth_tui.services.sanitize import safe_text

    if not rows:
        return f"No requests with a {by} breakdown in this period (try --all)."
    if by == "stage":
        lines = [f"{'stage':34} {'requests':>8} {'before':>10} {'after':>10} {'saved':>10}"]
        lines += [
            f"{r['key'][:34]:34} {r['requests']:>8,} {r['tokens_before']:>10,} {r['tokens_after']:>10,} "
            f"{r['tokens_saved']:>10,}"
            for r in rows
        ]
        return "\n".join(lines)
    lines = [f"{by:34} {'requests':>8} {'prompt':>10} {'completion':>10} {'total':>10} {'saved':>10} {'cost':>9}"]
    lines += [
        f"{safe_text(str(r['key']))[:34]:34} {r['requests']:>8,} {r['prompt_tokens']:>10,} "
        f"{r['completion_tokens']:>10,} "
        f"{r['total_tokens']:>10,} {r['tokens_saved']:>10,} ${r['cost']:>8.4f}"
        for r in rows
    ]
    return "\n".join(lines)


def _print_history(rows: list[dict]) -> None:
    """One line a request; the operation and model columns as wide as their longest value (never cut)."""
    from devsynth_tui.services.sanitize import safe_text
    from devsynth_tui.services.store.ledger import format_ts

    if not rows:
        print("no requests recorded yet")
        return
    ops = [safe_text(r["operation"]) for r in rows]
    models = [safe_text(r["model"] or "-") for r in rows]
    ow, mw = max([9, *map(len, ops)]), max([5, *map(len, models)])
    print(f"{'time':19}  {'operation':{ow}} {'model':{mw}} {'prompt':>7} {'compl':>6} {'saved':>6} {'cost':>8}  status")
    for r, op, model in zip(rows, ops, models):
        print(
            f"{format_ts(r['ts']):19}  {op:{ow}} {model:{mw}} "
            f"{r['prompt_tokens']:>7,} {r['completion_tokens']:>6,} {r['tokens_saved']:>6,} ${r['cost']:>7.4f}  "
            f"{r['status']}"
        )
    print(COST_NOTE)


def _reset(ledger, args) -> int:
    from devsynth_tui.services.store.ledger import format_ts

    if args.purge and not args.yes:
        if not sys.stdin.isatty():
            raise CliError("tokens reset --purge deletes every row: add --yes to confirm")
        if input("Delete every ledger row for good? Type 'purge' to confirm: ").strip() != "purge":
            print("Nothing deleted.")
            return 1
    when = ledger.reset(purge=args.purge)
    what = "Purged all rows" if args.purge else "Archived the current period (see `tokens history`)"
    print(f"{what}; new period from {format_ts(when)}.")
    return 0
