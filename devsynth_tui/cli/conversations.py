"""``conversations``: list, show and delete stored conversations."""

from __future__ import annotations

import json

from devsynth_tui.cli.common import CliError, load_config, open_conversations


def cmd_conversations(args) -> int:
    from dataclasses import asdict

    from devsynth_tui.services.sanitize import safe_text
    from devsynth_tui.services.store.ledger import format_ts

    conversations = open_conversations(load_config(args))
    if args.conversations_command == "list":
        found = conversations.list()
        if args.json:
            print(json.dumps([asdict(c) for c in found]))
        elif not found:
            print('no stored conversations yet: `devsynth-tui ask "..."` or the dashboard starts one')
        else:
            print(f"{'id':>5}  {'updated':19}  {'msgs':>4}  title")
            for c in found:
                print(f"{c.id:>5}  {format_ts(c.updated):19}  {c.messages:>4}  {safe_text(c.title)}")
        return 0
    if conversations.get(args.id) is None:
        raise CliError(f"no conversation {args.id}: see `devsynth-tui conversations list`")
    if args.conversations_command == "delete":
        conversations.delete(args.id)
        print(f"deleted conversation {args.id}")
        return 0
    messages = conversations.messages(args.id)
    if args.json:
        print(json.dumps({"id": args.id, "messages": [asdict(m) for m in messages]}))
        return 0
    for m in messages:
        status = "" if m.status == "ok" else f" ({m.status})"
        print(f"--- {m.role}{status} · {format_ts(m.ts)}")
        if m.thinking and args.show_thinking:
            print(f"[thinking]\n{safe_text(m.thinking)}\n[/thinking]")
        print(safe_text(m.content))
    return 0
