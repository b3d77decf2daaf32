"""Command line: the headless commands and the dashboard's entry point.

One module per command group (tokens, conversations, config, doctor, models, ask/optimize, monitor,
benchmark, serve-embedded, dashboard); ``parser`` holds every flag, ``common`` what they share.
Headless commands never import Textual; a command's module is imported only when that command runs,
and heavy modules load inside the command that needs them, so ``--help`` and ``tokens report`` start fast.
"""

from __future__ import annotations

import contextlib
import os
import sys
from importlib import import_module

from devsynth_tui.cli.common import EXIT_CANCELLED, EXIT_ERROR, EXIT_USAGE, CliError, Interrupted
from devsynth_tui.cli.parser import build_parser

EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE: what a shell reports for a writer whose reader has gone
# command -> (module of devsynth_tui.cli, function)
COMMANDS = {
    "tokens": ("tokens", "cmd_tokens"),
    "config": ("config", "cmd_config"),
    "models": ("models", "cmd_models"),
    "doctor": ("doctor", "cmd_doctor"),
    "ask": ("ask", "cmd_ask"),
    "conversations": ("conversations", "cmd_conversations"),
    "optimize": ("ask", "cmd_optimize"),
    "monitor": ("monitor", "cmd_monitor"),
    "benchmark": ("benchmark", "cmd_benchmark"),
    "serve-embedded": ("serve_embedded", "cmd_serve_embedded"),
    None: ("dashboard", "cmd_dashboard"),
}


def stdout_reader_gone() -> bool:
    """Whether standard output is a pipe whose reader has closed it (``| head`` has its lines)."""
    import select

    try:
        fd = sys.stdout.fileno()
    except (AttributeError, ValueError, OSError):  # replaced, closed, or no descriptor (io.UnsupportedOperation)
        return False
    poller = select.poll()
    poller.register(fd, 0)  # errors are reported whatever is asked: a pipe with no reader is one
    return any(events & select.POLLERR for _, events in poller.poll(0))


def main(argv: list[str] | None = None) -> int:
    """Entry point: run a command; every expected failure is one line on stderr."""
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser(argv).parse_args(argv)
    for name in ("config", "base_url", "model"):
        setattr(args, name, getattr(args, name, None))
    from devsynth_tui.cli.config import config_fault
    from devsynth_tui.config_schema import ConfigError
    from devsynth_tui.services.errors import ServiceError
    from devsynth_tui.services.sanitize import safe_text

    module, function = COMMANDS[args.command]
    command = getattr(import_module(f"{__name__}.{module}"), function)
    try:
        code = command(args)
        sys.stdout.flush()  # a reader gone (``| head``) shows here, not as Python exits
        return code
    except BrokenPipeError as e:
        if not stdout_reader_gone():  # another pipe (a child's): a failure, said as one
            with contextlib.suppress(BrokenPipeError):  # that pipe may be standard error itself
                print(f"devsynth-tui: a pipe closed under this command: {e}", file=sys.stderr)
            return EXIT_ERROR
        # the reader has what it wanted: stop, as a tool stopped by SIGPIPE does
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # the flush at exit must not fail again
        return EXIT_BROKEN_PIPE
    except Interrupted as e:
        print(f"\ndevsynth-tui: interrupted by {e}; what was answered so far is kept", file=sys.stderr)
        return e.code
    except KeyboardInterrupt:
        print("\ndevsynth-tui: interrupted", file=sys.stderr)
        return EXIT_CANCELLED
    except ConfigError as e:
        print(f"devsynth-tui: {safe_text(config_fault(e))}", file=sys.stderr)
        return EXIT_USAGE
    except CliError as e:
        print(f"devsynth-tui: {safe_text(str(e))}", file=sys.stderr)
        return e.code
    except ServiceError as e:
        print(f"devsynth-tui: {safe_text(str(e))}", file=sys.stderr)
        return EXIT_USAGE
