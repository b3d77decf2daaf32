"""``ask`` (one prompt through the pipeline, streamed) and ``optimize`` (the same prompt, dry run)."""

from __future__ import annotations

import json
import sys

from devsynth_tui.cli.common import (
    EXIT_ERROR,
    CliError,
    load_config,
    load_context,
    open_ledger,
    run_async,
    with_backend,
)

SAMPLING_FLAGS = ("temperature", "top_p", "top_k", "max_tokens", "seed")


def cmd_ask(args) -> int:
    from devsynth_tui.services.context.attachments import earlier_attachments
    from devsynth_tui.services.sanitize import safe_line
    from devsynth_tui.services.session import Session

    cfg = load_config(args)
    for warning in cfg.warnings:  # bad keys in the overrides file: ignored, said
        print(f"devsynth-tui: note: {safe_line(warning)}", file=sys.stderr)
    req = load_context(args)  # a bad file is refused here, before any connection: exit 2, no request, no row
    params = {f"llm.{k}": getattr(args, k) for k in SAMPLING_FLAGS if getattr(args, k) is not None}
    cfg = cfg.with_values(params, "command line") if params else cfg
    if not args.prompt.strip():
        raise CliError("empty prompt: pass the question as the first argument")
    session = Session(cfg)
    session.store.waiting.append(_note_waiting)
    try:
        conversation = _conversation_to_continue(session.conversations, args)
        if conversation is not None:  # files attached earlier in it are sent again (README: attachments)
            earlier = earlier_attachments(session.conversations.messages(conversation))
            if set(earlier) - {str(a) for a in req.attachments}:
                req = load_context(args, earlier)
        req.operation = "ask"
        done = run_async(_answer(session, conversation, req, args))
    finally:
        session.close()  # queued writes land first (waiting for a lock if another program holds it)
    if done.status == "partial":
        print(
            f"devsynth-tui: {safe_line(done.error)}; the partial answer above is kept (ledger status: partial)",
            file=sys.stderr,
        )
    elif done.status == "error":
        print(f"devsynth-tui: {safe_line(done.error)}", file=sys.stderr)
    return EXIT_ERROR if done.status in ("error", "partial") else 0


def _note_waiting(note: str | None) -> None:
    """The store's note while another program holds the database's write lock (the answer is kept meanwhile)."""
    if note:
        print(f"devsynth-tui: {note}", file=sys.stderr, flush=True)


def _conversation_to_continue(conversations, args) -> int | None:
    """The conversation ``-c`` or ``--conversation ID`` names (checked before any model call), else None."""
    if args.cont:
        latest = conversations.latest()
        if latest is None:
            raise CliError("nothing to continue: there is no stored conversation yet (ask without -c first)")
        return latest.id
    if args.conversation is not None:
        if conversations.get(args.conversation) is None:
            raise CliError(
                f"--conversation {args.conversation}: no such conversation; see `devsynth-tui conversations list`"
            )
        return args.conversation
    return None


async def _answer(session, conversation: int | None, req, args):
    """Connect (a model the server lacks is bad input: exit 2, nothing stored), then stream the answer."""
    try:
        await session.connect()
        cid = conversation or session.conversations.create(args.prompt)
        return await _stream_answer(session, cid, req, args)
    finally:
        await session.disconnect()


async def _stream_answer(session, cid: int, req, args):
    from devsynth_tui.services.context.items import StageReport
    from devsynth_tui.services.llm.results import Delta
    from devsynth_tui.services.pipeline.request import Notice
    from devsynth_tui.services.requests import ask
    from devsynth_tui.services.sanitize import safe_line, safe_text

    stages: list[StageReport] = []
    show = (lambda text: text) if args.raw else safe_text
    thinking_line_open = False  # the thinking shown on stderr ends its own line before anything else is printed

    def on_event(event) -> None:
        nonlocal thinking_line_open
        if isinstance(event, Delta) and not args.json:
            if event.thinking and args.show_thinking:
                sys.stderr.write(safe_text(event.text))
                sys.stderr.flush()
                thinking_line_open = not event.text.endswith("\n")
                return
            if thinking_line_open and not event.thinking:
                sys.stderr.write("\n")
                thinking_line_open = False
            if not event.thinking:
                sys.stdout.write(show(event.text))
                sys.stdout.flush()
        elif isinstance(event, Notice):
            print(f"devsynth-tui: {safe_line(event.text)}", file=sys.stderr)
        elif isinstance(event, StageReport):
            stages.append(event)

    done = await ask(session.pipeline, req, session.conversations, cid, on_event=on_event)
    backend = session.backend
    if args.json:
        print(json.dumps(_answer_json(backend, done, stages, cid)))
    else:
        if done.text and not done.text.endswith("\n"):
            print()
        if thinking_line_open:
            sys.stderr.write("\n")
        print(_footer(backend, done, cid), file=sys.stderr)
    return done


def _answer_json(backend, done, stages, conversation: int) -> dict:
    from dataclasses import asdict

    from devsynth_tui.services.context.view import view_of
    from devsynth_tui.services.sanitize import safe_text

    r = done.result
    return {
        "text": safe_text(done.text),
        "thinking": safe_text(done.thinking),
        "conversation": conversation,
        "status": done.status,
        "error": done.error,
        "backend": backend.label,
        "ledger": asdict(done.row) | {"total_tokens": done.row.total_tokens},
        "usage": r.usage if r else None,
        "server_timings": r.server_timings if r else None,
        "server_stats": r.server_stats if r else None,
        "stages": [asdict(s) for s in stages],
        "context": view_of(done.prepared).as_json() if done.prepared else None,
    }


def _footer(backend, done, conversation: int) -> str:
    """The stats line on stderr: the answer's summary, the backend, the wall time, the conversation."""
    from devsynth_tui.services.sanitize import safe_line

    summary, took = safe_line(done.summary()), done.row.duration
    serves = safe_line(f"{backend.label} ({backend.note})" if backend.note else backend.label)
    return f"-- {summary} · {serves} · {took:.2f} s · conversation {conversation} (-c continues)"


def cmd_optimize(args) -> int:

    from devsynth_tui.services.pipeline.pipeline import Pipeline

    cfg = load_config(args)
    req = load_context(args)
    req.operation = "optimize"

    async def run(backend):
        return backend, await Pipeline(cfg, backend, open_ledger()).prepare(req)

    backend, prep = run_async(with_backend(cfg, run))
    report = _optimize_report(req, prep, backend.label)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        _print_optimize(report)
    return 0


def _optimize_report(req, prep, backend_label: str) -> dict:
    from dataclasses import asdict

    from devsynth_tui.services.context.items import item_cost, sent_tokens
    from devsynth_tui.services.context.view import view_of

    items = []
    for original, item in zip(req.context, prep.items):
        items.append(
            {
                "path": original.name,
                "type": item.type,
                "status": item.status,
                "lines_kept": [list(r) for r in item.lines_kept],
                "lines_total": original.text.count("\n") + 1,
                "tokens_before": item_cost(original),  # as sent, headers included, as the stages count
                "tokens_after": sent_tokens([item]),
                "note": item.note,
            }
        )
    return {
        "backend": backend_label,
        "model": prep.payload["model"],
        "model_reason": prep.model_reason,
        "tokens_before": prep.tokens_before,
        "tokens_after": prep.tokens_after,
        "saved_percent": round(100 * (1 - prep.tokens_after / prep.tokens_before), 1) if prep.tokens_before else 0.0,
        "stages": [asdict(r) for r in prep.reports],
        "items": items,
        "context": view_of(prep).as_json(),
        "payload": prep.payload,
    }


def _print_optimize(report: dict) -> None:
    from devsynth_tui.services.context.view import view_lines
    from devsynth_tui.services.sanitize import safe_line, safe_text

    print(f"# {safe_line(report['backend'])} · model {safe_line(report['model'])}")
    for stage in report["stages"]:
        print(f"[{stage['stage']}] {stage['tokens_before']:,} -> {stage['tokens_after']:,} tokens")
        for note in stage["notes"]:
            print(f"    {safe_line(note)}")
    for item in report["items"]:
        kept = ", ".join(f"{s}-{e}" for s, e in item["lines_kept"]) or "-"
        path, before, after = safe_line(item["path"]), item["tokens_before"], item["tokens_after"]
        print(f"  {item['status']:10} {path}  lines {kept}  {before:,} -> {after:,}")
        if item["note"]:
            print(f"      why: {safe_line(item['note'])}")
    print("--- the context view: what fills the window ---")
    for line in view_lines(report["context"]):
        print(safe_line(line))
    print(
        f"Prompt tokens: {report['tokens_before']:,} -> {report['tokens_after']:,} ({report['saved_percent']}% fewer)"
    )
    print("--- what would be sent ---")
    for m in report["payload"]["messages"]:
        print(f"[{m['role']}]\n{safe_text(m['content'])}\n")
