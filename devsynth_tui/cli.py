"""Command line: the headless commands and the dashboard's entry point.

Headless commands never import Textual; heavy modules load inside the command
that needs them, so ``--help`` and ``tokens report`` start fast.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime

from devsynth_tui import __version__

EXIT_ERROR, EXIT_USAGE, EXIT_CANCELLED = 1, 2, 130
SAMPLING_FLAGS = ("temperature", "top_p", "top_k", "max_tokens", "seed")
COST_NOTE = "(cost: what these tokens would cost at hosted prices, the config's `pricing`; a local model costs nothing)"
BENCHMARK_HELP = """\
The guide's stages, then serving metrics per concurrency level, defined as vLLM's
benchmark_serving defines them (docs/benchmark-metrics.md):
  TTFT  request sent to the first token of any kind (reasoning included)
  ITL   every gap between consecutive tokens, pooled over all requests; a streamed
        piece carrying k tokens counts k gaps, its gap split evenly
  TPOT  per request, (e2e - TTFT) / (output tokens - 1)
  e2e   request sent to the last byte of the answer
Percentiles interpolate linearly (as numpy does). Output tokens/s and requests/s are over
the level's wall time. The server's own figures (llama.cpp timings, LM Studio stats) are
shown beside these, never mixed in; the pipeline's preparation and ledger costs are on
their own line, outside the request timings."""


class CliError(Exception):
    """A one-line error for the user; ``code`` is the exit status."""

    def __init__(self, message: str, code: int = EXIT_USAGE):
        super().__init__(message)
        self.code = code


def _parser() -> argparse.ArgumentParser:
    # SUPPRESS: a global flag given before the command is not reset by the command's parser
    common = argparse.ArgumentParser(add_help=False, argument_default=argparse.SUPPRESS)
    common.add_argument(
        "--config", metavar="PATH", help="config file (else $DEVSYNTH_TUI_CONFIG, else the user config dir)"
    )
    common.add_argument("--base-url", metavar="URL", help="OpenAI-compatible server, e.g. http://localhost:1234/v1")
    common.add_argument("--model", metavar="NAME", help="model id to use")

    p = argparse.ArgumentParser(
        prog="devsynth-tui",
        parents=[common],
        description="Terminal dashboard for coding with a local LLM. With no command, opens the dashboard.",
    )
    p.add_argument("--version", action="version", version=f"devsynth-tui {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    ask = sub.add_parser("ask", parents=[common], help="send one prompt through the pipeline and stream the answer")
    ask.add_argument("prompt")
    _context_args(ask)
    thread = ask.add_mutually_exclusive_group()
    thread.add_argument(
        "-c",
        "--continue",
        dest="cont",
        action="store_true",
        help="continue the most recent conversation (one from the dashboard too)",
    )
    thread.add_argument("--conversation", "--cid", metavar="ID", type=int, help="continue conversation ID")
    ask.add_argument("--show-thinking", action="store_true", help="write a thinking model's reasoning to stderr")
    ask.add_argument("--json", action="store_true", help="print one JSON object instead of streaming text")
    ask.add_argument("--raw", action="store_true", help="pass the model's escape sequences through unfiltered")
    for name, kind in (("temperature", float), ("top-p", float), ("top-k", int), ("max-tokens", int), ("seed", int)):
        ask.add_argument(f"--{name}", type=kind, help=f"override llm.{name.replace('-', '_')} for this request")

    opt = sub.add_parser(
        "optimize", parents=[common], help="dry run: show what the pipeline would send, stage by stage"
    )
    opt.add_argument("prompt")
    _context_args(opt)
    opt.add_argument("--json", action="store_true", help="per-item status, kept line ranges and tokens as JSON")

    tokens = sub.add_parser("tokens", parents=[common], help="token usage: report, history, reset")
    tsub = tokens.add_subparsers(dest="tokens_command", metavar="ACTION", required=True)
    rep = tsub.add_parser("report", parents=[common], help="totals since the last reset")
    rep.add_argument("--all", action="store_true", help="all time instead of since the last reset")
    rep.add_argument(
        "--by",
        choices=("operation", "model", "stage", "day"),
        help="break the usage down: per operation, model, optimization stage (tokens saved) or day",
    )
    rep.add_argument("--json", action="store_true")
    hist = tsub.add_parser("history", parents=[common], help="recent requests, newest first")
    hist.add_argument("--limit", type=int, default=20)
    hist.add_argument("--since", metavar="DATE", help="only rows since DATE (YYYY-MM-DD or ISO time)")
    hist.add_argument("--json", action="store_true")
    reset = tsub.add_parser("reset", parents=[common], help="start a new period; history is kept unless --purge")
    reset.add_argument("--purge", action="store_true", help="delete every row (asks to confirm)")
    reset.add_argument("--yes", action="store_true", help="confirm --purge without asking")

    mon = sub.add_parser("monitor", parents=[common], help="live memory, CPU or disk readings")
    mon.add_argument("what", choices=("memory", "cpu", "disk"))
    mon.add_argument("--interval", type=float, help="seconds between samples (default: monitor.interval)")
    mon.add_argument("--duration", type=float, help="stop after this many seconds")
    mon.add_argument("--once", action="store_true", help="print one sample and exit")
    mon.add_argument("--json", action="store_true", help="one JSON object per sample")

    bench = sub.add_parser(
        "benchmark",
        parents=[common],
        help="the guide's benchmark stages and serving metrics; list, show, compare runs",
        description=BENCHMARK_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    bench.add_argument("action", nargs="?", choices=("list", "show"), help="list stored runs, or show one")
    bench.add_argument("run", nargs="?", type=int, help="the run to show")
    bench.add_argument("--requests", type=int, default=5, help="requests per concurrency level (default 5)")
    bench.add_argument("--warmup", type=int, default=1, help="warm-up requests before each level (default 1)")
    bench.add_argument("--concurrency", default="1", help="comma-separated levels, e.g. 1,2,4")
    bench.add_argument("--max-tokens", type=int, default=64, help="output tokens per request (default 64)")
    bench.add_argument(
        "--sweep",
        action="append",
        default=[],
        metavar="NAME=V1,V2",
        help="a parameter to sweep: temperature, top_p, top_k, max_tokens, seed, or any config key; "
        "llm.embedded.* (threads, batch_size, context_size, gpu_layers, parallel, model) restarts "
        "the embedded server per value",
    )
    bench.add_argument(
        "--slo",
        metavar="OBJECTIVES",
        help="e.g. ttft_p90<=500ms,tpot_p50<=50ms: the highest concurrency "
        "level meeting every objective, and goodput (requests/s meeting them all) per level",
    )
    bench.add_argument("--no-stages", action="store_true", help="skip the guide's stages; serving metrics only")
    bench.add_argument("--compare", nargs=2, type=int, metavar=("RUN_A", "RUN_B"), help="compare two stored runs")
    bench.add_argument("--json", action="store_true")
    bench.add_argument(
        "--output", metavar="FILE", help="also write the result to FILE as JSON (CSV when FILE ends in .csv)"
    )

    conv = sub.add_parser("conversations", parents=[common], help="stored conversations: list, show, delete")
    vsub = conv.add_subparsers(dest="conversations_command", metavar="ACTION", required=True)
    vlist = vsub.add_parser("list", parents=[common], help="conversations, most recent first")
    vlist.add_argument("--json", action="store_true")
    vshow = vsub.add_parser("show", parents=[common], help="one conversation's messages")
    vshow.add_argument("id", type=int)
    vshow.add_argument("--show-thinking", action="store_true", help="include a thinking model's reasoning")
    vshow.add_argument("--json", action="store_true")
    vdel = vsub.add_parser("delete", parents=[common], help="delete a conversation and its messages")
    vdel.add_argument("id", type=int)

    cfg = sub.add_parser("config", parents=[common], help="check or show configuration")
    csub = cfg.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    check = csub.add_parser("check", parents=[common], help="validate a config file")
    check.add_argument("path", nargs="?")
    show = csub.add_parser("show", parents=[common], help="print the effective config (secrets redacted)")
    show.add_argument("--json", action="store_true")
    csub.add_parser(
        "default", parents=[common], help="print the shipped default.yaml: every key, its default and a comment"
    )

    doc = sub.add_parser(
        "doctor",
        parents=[common],
        help="the guide's troubleshooting checklist (section 6) run on your own figures, worst first",
    )
    doc.add_argument(
        "--since",
        metavar="DATE",
        help="ledger rows since DATE (default: the last 7 days, or since your config last changed)",
    )
    doc.add_argument("--json", action="store_true")
    doc.add_argument(
        "--fix", action="store_true", help="write the suggested keys to overrides.yaml (shows the diff, asks)"
    )
    doc.add_argument("--yes", action="store_true", help="with --fix: write without asking")

    models = sub.add_parser("models", parents=[common], help="list the server's models")
    models.add_argument(
        "--local",
        action="store_true",
        help="list GGUF files on this machine (LM Studio's model folders, the embedded default) instead",
    )
    models.add_argument("--json", action="store_true")

    serve = sub.add_parser(
        "serve-embedded",
        parents=[common],
        help="run the embedded llama.cpp server in the foreground (settings: llm.embedded)",
    )
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument("--ctx", type=int, help="context tokens (default: llm.embedded.context_size)")
    return p


def _context_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--context", metavar="FILE", action="append", default=[], help="a context file (repeatable)")
    p.add_argument(
        "--type",
        metavar="FILE=TYPE",
        action="append",
        default=[],
        help="context type of a file: requirements, tests, code or documentation",
    )
    p.add_argument("--example", metavar="TEXT", action="append", default=[], help="a few-shot example (repeatable)")


def _types(pairs: list[str]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        path, sep, ctype = pair.partition("=")
        if not sep:
            raise CliError(f"--type {pair!r}: expected FILE=TYPE, e.g. --type spec.md=requirements")
        out[path] = ctype
    return out


def _load_config(args):
    from devsynth_tui.config import load

    return load(args.config, base_url=args.base_url, model=args.model)


def _store():
    from devsynth_tui.config import app_home
    from devsynth_tui.services.store.database import Store, db_path

    return Store(db_path(app_home()))


def _ledger(store=None):
    from devsynth_tui.services.store.ledger import Ledger

    return Ledger(store or _store())


def _conversations(cfg, store=None):
    from devsynth_tui.services.store.conversations import Conversations

    compression = cfg["disk"]["compression"]
    return Conversations(store or _store(), compression["level"] if compression["enabled"] else None)


# --- tokens -------------------------------------------------------------------


def _parse_since(text: str) -> float:
    try:
        return datetime.fromisoformat(text).timestamp()
    except ValueError:
        raise CliError(f"--since {text!r}: expected a date like 2026-05-10 or 2026-05-10T15:30") from None


def cmd_tokens(args) -> int:
    ledger = _ledger()
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
        rows = ledger.history(args.limit, _parse_since(args.since) if args.since else None)
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


# --- conversations ---------------------------------------------------------------


def cmd_conversations(args) -> int:
    from dataclasses import asdict

    from devsynth_tui.services.sanitize import safe_text
    from devsynth_tui.services.store.ledger import format_ts

    conversations = _conversations(_load_config(args))
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


# --- config -------------------------------------------------------------------


def cmd_config(args) -> int:
    from devsynth_tui.config import redacted

    if args.config_command == "check":
        return _check_config(args)
    if args.config_command == "default":
        from devsynth_tui.shipped import default_config

        print(default_config().read_text(encoding="utf-8"), end="")
        return 0
    cfg = _load_config(args)
    data = redacted(cfg.data)
    if args.json:
        print(json.dumps(data, indent=2))
    else:
        import yaml

        print(f"# effective config from: {' < '.join(cfg.sources)}")
        print(yaml.safe_dump(data, sort_keys=False).rstrip())
    return 0


def _check_config(args) -> int:
    """The whole effective stack (defaults, your file, the dashboard's overrides, environment, flags), as `ask`
    loads it.

    A bad value raises ConfigError (main names the layer at fault); a good stack lists what each layer sets.
    """
    from devsynth_tui.config import load, overrides_path

    cfg = load(args.path or args.config, base_url=args.base_url, model=args.model)
    print(f"ok: the effective config is valid ({' < '.join(cfg.sources)})")
    for source in cfg.sources:
        keys = sorted(k for k, origin in cfg.origins.items() if origin == source)
        label = f"{source} (the dashboard's saved changes)" if source == str(overrides_path()) else source
        print(f"  {label}: {'every key' if source == 'defaults' else ', '.join(keys) or 'sets nothing'}")
    return 0


def _config_fault(e) -> str:
    """A ConfigError's one line, saying which layer of the stack (see `config check`) is at fault and how to fix it."""
    import os

    from devsynth_tui.config import ENV_BASE_URL, ENV_LM_STUDIO, ENV_MODEL, overrides_path

    try:
        overrides = str(overrides_path())
    except OSError:  # an app home that can't be created is reported by whatever needs it
        overrides = None
    if e.source == overrides:
        return (
            f"the dashboard's overrides are at fault: {e}; edit or delete that file (the dashboard writes it on ctrl+s)"
        )
    if e.source == "environment":
        var = ENV_MODEL if e.key == "llm.model" else ENV_BASE_URL if os.environ.get(ENV_BASE_URL) else ENV_LM_STUDIO
        return f"the environment is at fault: {var}: {e.expected}; fix or unset it"
    if e.source == "command line":
        return f"the command line is at fault: {e.key}: {e.expected}"
    if " < " in e.source:  # a rule across keys, checked once the layers are merged
        return f"the layers together are at fault ({e.source}): {e.key}: {e.expected}"
    return f"your config file is at fault: {e}"


# --- doctor -------------------------------------------------------------------------


def cmd_doctor(args) -> int:
    """Findings worst first; exit 1 when one is at warning level or worse."""
    import asyncio

    from devsynth_tui.config import app_home
    from devsynth_tui.services.advisor import checks as advisor
    from devsynth_tui.services.resources.monitor import find_embedded_server

    if args.fix and not args.yes and not sys.stdin.isatty():
        raise CliError("doctor --fix asks before it writes overrides.yaml: run it in a terminal, or add --yes")
    cfg = _load_config(args)
    since = _parse_since(args.since) if args.since else advisor.default_since(cfg)
    models, backend = asyncio.run(advisor.server_models(cfg))
    server = find_embedded_server()
    facts = advisor.Facts(
        cfg,
        _store(),
        since,
        advisor.Machine.now(),
        models=models,
        backend=backend,
        cache_dir=app_home() / "cache",
        own_pids={server} if server else set(),
    )
    advice = advisor.advise(facts)
    if args.json:
        print(json.dumps(advice.as_dict()))
    else:
        _print_advice(advice)
    if args.fix:
        _fix(advice, cfg, args.yes)
    return 0 if advice.healthy else EXIT_ERROR


def _print_advice(advice) -> None:
    from devsynth_tui.services.sanitize import safe_text

    print(f"devsynth-tui doctor: ledger {advice.window}")
    for what, rows in advice.usage.items():
        if rows:
            print(
                f"  most tokens by {what}: "
                + ", ".join(f"{safe_text(r['name'])} {r['tokens']:,} ({r['share']:.0%})" for r in rows)
            )
    if not advice.findings:
        print("No findings: nothing in the guide's troubleshooting checklist applies.")
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

    from devsynth_tui.config import app_home, render_overrides, save_overrides
    from devsynth_tui.services.advisor.checks import apply_actions

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


# --- server commands ------------------------------------------------------------


async def _with_backend(cfg, fn):
    from devsynth_tui.config import app_home
    from devsynth_tui.services.llm.backend import connect

    backend = await connect(cfg, app_home())
    try:
        return await fn(backend)
    finally:
        await backend.aclose()


def cmd_models(args) -> int:
    import asyncio
    from dataclasses import asdict

    if args.local:
        return _local_models(args)
    cfg = _load_config(args)

    async def run(backend):
        models = await backend.models()
        if args.json:
            print(json.dumps({"backend": backend.label, "models": [asdict(m) for m in models]}))
            return
        print(f"# {backend.label}")
        for m in models:
            state = {True: "loaded", False: "not loaded", None: "-"}[m.loaded]
            print(f"{m.id:40} {state:10} ctx {m.context_length or '-':>6}  {m.quantization or ''}")

    asyncio.run(_with_backend(cfg, run))
    return 0


def _local_models(args) -> int:
    from devsynth_tui.services.llm.embedded import LMSTUDIO_MODEL_DIRS, NO_MODEL, local_models

    found = local_models()
    if args.json:
        print(json.dumps([{"path": str(m.path), "size": m.size, "source": m.source} for m in found]))
        return 0
    for m in found:
        print(f"{m.size / 2**20:9.0f} MB  {m.source:16}  {m.path}")
    if not found:
        print(f"no GGUF files in {' or '.join(LMSTUDIO_MODEL_DIRS)}, and {NO_MODEL}")
    elif all(m.source != "embedded default" for m in found):
        print(f"(the embedded default is not installed: {NO_MODEL.split(': ', 1)[1]})")
    else:
        print("use one with llm.embedded.model: PATH")
    return 0


def cmd_ask(args) -> int:
    import asyncio

    from devsynth_tui.services.pipeline import ChatRequest

    cfg = _load_config(args)
    items = _load_context(args)  # a bad file is refused here, before any connection: exit 2, no request, no row
    params = {f"llm.{k}": getattr(args, k) for k in SAMPLING_FLAGS if getattr(args, k) is not None}
    cfg = cfg.with_values(params, "command line") if params else cfg
    if not args.prompt.strip():
        raise CliError("empty prompt: pass the question as the first argument")
    store = _store()
    conversations = _conversations(cfg, store)
    conversation = _conversation_to_continue(conversations, args)
    req = ChatRequest(args.prompt, context=items, examples=args.example, operation="ask")

    async def run(backend):
        await backend.resolve_model(
            cfg.get("llm.model")
        )  # a model the server lacks is bad input: exit 2, nothing stored
        cid = conversation or conversations.create(args.prompt)
        return await _stream_answer(cfg, backend, conversations, cid, req, args, store)

    done = asyncio.run(_with_backend(cfg, run))
    if done.status == "partial":
        print(f"devsynth-tui: {done.error}; the partial answer above is kept (ledger status: partial)", file=sys.stderr)
    elif done.status == "error":
        print(f"devsynth-tui: {done.error}", file=sys.stderr)
    return EXIT_ERROR if done.status in ("error", "partial") else 0


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


async def _stream_answer(cfg, backend, conversations, cid, req, args, store):
    from devsynth_tui.services.llm.client import Delta
    from devsynth_tui.services.pipeline import Done, Notice, Pipeline, StageReport
    from devsynth_tui.services.sanitize import safe_text

    pipeline = Pipeline(cfg, backend, _ledger(store))
    stages, done = [], None
    show = (lambda text: text) if args.raw else safe_text
    async for event in conversations.exchange(pipeline, cid, req):
        if isinstance(event, Delta) and not args.json:
            if not event.thinking:
                sys.stdout.write(show(event.text))
                sys.stdout.flush()
            elif args.show_thinking:
                sys.stderr.write(safe_text(event.text))
                sys.stderr.flush()
        elif isinstance(event, Notice):
            print(f"devsynth-tui: {event.text}", file=sys.stderr)
        elif isinstance(event, StageReport):
            stages.append(event)
        elif isinstance(event, Done):
            done = event
    if args.json:
        print(json.dumps(_answer_json(backend, done, stages, cid)))
    else:
        if done.text and not done.text.endswith("\n"):
            print()
        print(_footer(backend, done, cid), file=sys.stderr)
    return done


def _answer_json(backend, done, stages, conversation: int) -> dict:
    from dataclasses import asdict

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
    }


def _footer(backend, done, conversation: int) -> str:
    """The stats line on stderr: the answer's summary, the backend, the wall time, the conversation."""
    summary, took = done.summary(), done.row.duration
    return f"-- {summary} · {backend.label} · {took:.2f} s · conversation {conversation} (-c continues)"


def cmd_optimize(args) -> int:
    import asyncio

    from devsynth_tui.services.pipeline import ChatRequest, Pipeline

    cfg = _load_config(args)
    items = _load_context(args)
    req = ChatRequest(args.prompt, context=items, examples=args.example, operation="optimize")

    async def run(backend):
        return backend, await Pipeline(cfg, backend, _ledger()).prepare(req)

    backend, prep = asyncio.run(_with_backend(cfg, run))
    report = _optimize_report(req, prep, backend.label)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        _print_optimize(report)
    return 0


def _load_context(args):
    """The --context files, read whole; a file that can't be used is bad input (ContextError: exit 2)."""
    from devsynth_tui.services.context.items import load_files

    return load_files(args.context, _types(args.type))


def _optimize_report(req, prep, backend_label: str) -> dict:
    from dataclasses import asdict

    items = []
    for original, item in zip(req.context, prep.items):
        items.append(
            {
                "path": original.name,
                "type": item.type,
                "status": item.status,
                "lines_kept": [list(r) for r in item.lines_kept],
                "lines_total": original.text.count("\n") + 1,
                "tokens_before": original.tokens,
                "tokens_after": item.tokens,
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
        "payload": prep.payload,
    }


def _print_optimize(report: dict) -> None:
    from devsynth_tui.services.sanitize import safe_text

    print(f"# {report['backend']} · model {report['model']}")
    for stage in report["stages"]:
        print(f"[{stage['stage']}] {stage['tokens_before']:,} -> {stage['tokens_after']:,} tokens")
        for note in stage["notes"]:
            print(f"    {note}")
    for item in report["items"]:
        kept = ", ".join(f"{s}-{e}" for s, e in item["lines_kept"]) or "-"
        print(
            f"  {item['status']:10} {item['path']}  lines {kept}  {item['tokens_before']:,} -> {item['tokens_after']:,}"
        )
    print(
        f"Prompt tokens: {report['tokens_before']:,} -> {report['tokens_after']:,} ({report['saved_percent']}% fewer)"
    )
    print("--- what would be sent ---")
    for m in report["payload"]["messages"]:
        print(f"[{m['role']}]\n{safe_text(m['content'])}\n")


def cmd_monitor(args) -> int:
    import time

    from devsynth_tui.config import app_home
    from devsynth_tui.services.resources.monitor import Sampler, find_embedded_server

    cfg = _load_config(args)
    interval = cfg.get("monitor.interval") if args.interval is None else args.interval
    if interval <= 0:
        raise CliError(f"--interval {interval:g}: expected a number of seconds above 0")
    if args.duration is not None and args.duration <= 0:
        raise CliError(f"--duration {args.duration:g}: expected a number of seconds above 0")
    threshold = cfg.get("memory.monitoring.threshold") if cfg.get("memory.monitoring.enabled") else None
    sampler = Sampler(interval, cfg.get("monitor.window"), app_home(), threshold, find_embedded_server())
    end = time.monotonic() + args.duration if args.duration else None
    sampler.sample()  # primes the rates; the first line covers one interval
    try:
        while True:
            time.sleep(min(interval, 0.5) if args.once else interval)
            sample = sampler.sample()
            if args.json:
                print(json.dumps({"metric": args.what, **sample.as_dict()}), flush=True)
            else:
                print(MONITOR_LINES[args.what](sampler, sample), flush=True)
            if args.once or (end and time.monotonic() >= end):
                return 0
    except KeyboardInterrupt:
        return 0


def _window(sampler, name: str, fmt: str = "{:.1f}") -> str:
    from devsynth_tui.services.resources.monitor import sparkline

    values = [v for v in sampler.series(name) if v is not None]
    if not values:
        return ""
    return f"(min {fmt.format(min(values))} max {fmt.format(max(values))}) {sparkline(values, 30)}"


def _clock(sample) -> str:
    return datetime.fromtimestamp(sample.t).strftime("%H:%M:%S")


def _memory_line(sampler, s) -> str:
    server = f" · embedded server {s.server_rss_mb:.0f} MB" if s.server_rss_mb is not None else ""
    alerts = "".join(f" · ALERT: {a}" for a in s.alerts)
    return (
        f"{_clock(s)} memory  system {s.memory_used_mb / 1024:.1f}/{s.memory_total_mb / 1024:.1f} GB "
        f"{s.memory_percent:.1f}% {_window(sampler, 'memory_percent')} · devsynth-tui {s.rss_mb:.0f} MB{server}{alerts}"
    )


def _cpu_line(sampler, s) -> str:
    server = (
        "server not found on this machine"
        if s.server_cpu_percent is None
        else f"server {s.server_cpu_percent:.1f}% of one core {_window(sampler, 'server_cpu_percent')}".rstrip()
    )
    return (
        f"{_clock(s)} cpu  system {s.cpu_percent:.1f}% {_window(sampler, 'cpu_percent')} · {server} "
        f"· devsynth-tui {s.process_cpu_percent:.1f}% of one core"
    )


def _disk_line(sampler, s) -> str:
    mb = 1024 * 1024
    read = "-" if s.disk_read_bps is None else f"{s.disk_read_bps / mb:.2f} MB/s"
    write = "-" if s.disk_write_bps is None else f"{s.disk_write_bps / mb:.2f} MB/s"
    return (
        f"{_clock(s)} disk  {s.disk_percent:.1f}% used, {s.disk_free_gb:.1f} GB free "
        f"· read {read} {_window(sampler, 'disk_read_bps', '{:.0f}')} · write {write} "
        f"{_window(sampler, 'disk_write_bps', '{:.0f}')}"
    )


MONITOR_LINES = {"memory": _memory_line, "cpu": _cpu_line, "disk": _disk_line}


def cmd_benchmark(args) -> int:
    from devsynth_tui.services.benchmark import runner as bm

    ledger = _ledger()
    store = ledger.store
    try:
        if args.compare:
            a, b = (bm.load_run(store, n) for n in args.compare)
            return _emit(args, {"a": a.id, "b": b.id, "rows": bm.compare(a, b)}, _compare_text(a, b, bm.compare(a, b)))
        if args.action == "list":
            runs = bm.list_runs(store)
            return _emit(
                args,
                runs,
                "\n".join([RUN_HEADER, *map(_run_line, runs)])
                if runs
                else "no stored runs yet: `devsynth-tui benchmark` or the Benchmark pane (F6) makes one",
            )
        if args.action == "show":
            if args.run is None:
                raise CliError("benchmark show RUN: which run? see `devsynth-tui benchmark list`")
            run = bm.load_run(store, args.run)
            return _emit(args, run.as_dict(), bm.format_run(run), bm.to_csv(run))
        opts = bm.Options(
            args.requests,
            args.warmup,
            _levels(args.concurrency),
            args.max_tokens,
            dict(bm.parse_sweep(s) for s in args.sweep),
            not args.no_stages,
            args.slo,
        )
        opts.check()
        return _run_benchmark(args, opts, ledger)
    except bm.BenchmarkError as e:
        raise CliError(str(e)) from None


def _levels(text: str) -> list[int]:
    try:
        return [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise CliError(f"--concurrency {text!r}: expected comma-separated whole numbers, e.g. 1,2,4") from None


def _run_benchmark(args, opts, ledger) -> int:
    import asyncio

    from devsynth_tui.services.benchmark import runner as bm
    from devsynth_tui.services.pipeline import Pipeline

    cfg = _load_config(args)
    bm.check_sweeps(cfg, opts.sweeps)
    runner = None
    show_progress = sys.stderr.isatty()

    async def run(backend):
        nonlocal runner
        runner = bm.Runner(Pipeline(cfg, backend, ledger), ledger.store)
        async for event in runner.run(opts):
            if isinstance(event, bm.Progress) and show_progress:
                print(f"\r[{event.done}/{event.total}] {event.label[:60]:60}", end="", file=sys.stderr, flush=True)
            elif isinstance(event, bm.RunResult):
                return event

    try:
        result = asyncio.run(_with_backend(cfg, run))
    except KeyboardInterrupt:
        stored = runner.last_id if runner else None
        print(
            f"\ndevsynth-tui: benchmark interrupted; what finished is stored as run {stored} (incomplete)",
            file=sys.stderr,
        )
        return EXIT_CANCELLED
    except bm.BenchmarkFailed as e:
        print(
            f"\ndevsynth-tui: benchmark stopped, a request failed: {e}; "
            f"stored as run {runner.last_id if runner else None} (incomplete)",
            file=sys.stderr,
        )
        return EXIT_ERROR
    if show_progress:
        print(file=sys.stderr)
    return _emit(args, result.as_dict(), bm.format_run(result), bm.to_csv(result))


def _emit(args, data, text: str, csv_text: str | None = None) -> int:
    """Print text (or JSON with --json); --output FILE also gets JSON, or CSV when FILE ends in .csv."""
    print(json.dumps(data, indent=2) if args.json else text)
    if getattr(args, "output", None):
        from pathlib import Path

        path = Path(args.output)
        if path.suffix.lower() == ".csv":
            path.write_text(
                csv_text if csv_text is not None else _rows_csv(data if isinstance(data, list) else data["rows"])
            )
        else:
            path.write_text(json.dumps(data, indent=2) + "\n")
    return 0


def _rows_csv(rows: list[dict]) -> str:
    import csv
    import io

    buf = io.StringIO()
    writer = csv.DictWriter(buf, list(rows[0]) if rows else [], lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


RUN_HEADER = f"{'run':>4}  {'started':19}  {'status':10}  {'model':28}  server"


def _run_line(r: dict) -> str:
    from devsynth_tui.services.store.ledger import format_ts

    return f"{r['id']:>4}  {format_ts(r['started'])}  {r['status']:10}  {r['model'] or '?':28}  {r['server']}"


def _compare_text(a, b, rows: list[dict]) -> str:
    lines = [
        f"Run {a.id} ({a.model}, {a.status}) vs run {b.id} ({b.model}, {b.status})",
        f"{'level':>5} {'metric':22} {'A':>10} {'B':>10} {'delta':>10} {'%':>7}  beyond spread",
    ]
    for r in rows:
        scale = 1000 if r["metric"] in ("ttft", "itl", "tpot", "e2e") else 1
        pct = f"{r['percent']:+.1f}" if r["percent"] is not None else "-"
        flag = {True: "yes", False: "no", None: "-"}[r["significant"]]
        lines.append(
            f"{r['concurrency']:>5} {r['metric'] + (' (ms)' if scale == 1000 else ''):22} {r['a'] * scale:10.2f} "
            f"{r['b'] * scale:10.2f} {r['delta'] * scale:+10.2f} {pct:>7}  {flag}"
        )
    if len(lines) == 2:
        lines.append("no concurrency level in common")
    return "\n".join(lines)


def cmd_serve_embedded(args) -> int:
    from dataclasses import replace

    from devsynth_tui.services.llm.embedded import EmbeddedSettings
    from devsynth_tui.services.llm.embedded import main as serve_main

    settings = EmbeddedSettings.from_config(_load_config(args))
    if args.ctx:
        settings = replace(settings, context_size=args.ctx)
    return serve_main(["--port", str(args.port), *settings.args()])


def cmd_dashboard(args) -> int:
    cfg = _load_config(args)
    from devsynth_tui.ui.app import run_app

    return run_app(cfg)


COMMANDS = {
    "tokens": cmd_tokens,
    "config": cmd_config,
    "models": cmd_models,
    "doctor": cmd_doctor,
    "ask": cmd_ask,
    "conversations": cmd_conversations,
    "optimize": cmd_optimize,
    "monitor": cmd_monitor,
    "benchmark": cmd_benchmark,
    "serve-embedded": cmd_serve_embedded,
    None: cmd_dashboard,
}


def main(argv: list[str] | None = None) -> int:
    """Entry point: run a command; every expected failure is one line on stderr."""
    args = _parser().parse_args(argv)
    for name in ("config", "base_url", "model"):
        setattr(args, name, getattr(args, name, None))
    from devsynth_tui.config import ConfigError
    from devsynth_tui.services.errors import ServiceError

    try:
        return COMMANDS[args.command](args)
    except KeyboardInterrupt:
        print("\ndevsynth-tui: interrupted", file=sys.stderr)
        return EXIT_CANCELLED
    except ConfigError as e:
        print(f"devsynth-tui: {_config_fault(e)}", file=sys.stderr)
        return EXIT_USAGE
    except CliError as e:
        print(f"devsynth-tui: {e}", file=sys.stderr)
        return e.code
    except ServiceError as e:
        print(f"devsynth-tui: {e}", file=sys.stderr)
        return EXIT_USAGE
