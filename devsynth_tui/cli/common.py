"""What every command shares: the one-line error, exit codes, the config, the store and the backend."""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Coroutine
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from devsynth_tui.config import Config

EXIT_ERROR, EXIT_USAGE, EXIT_CANCELLED = 1, 2, 130
# The one signal path: each ends a command as Esc ends a request in the dashboard.
SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
T = TypeVar("T")


class CliError(Exception):
    """A one-line error for the user; ``code`` is the exit status."""

    def __init__(self, message: str, code: int = EXIT_USAGE):
        super().__init__(message)
        self.code = code


class Interrupted(Exception):
    """A signal (INT, TERM or HUP) ended the command after what it was doing was stored; ``code`` is 128 + signal."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.code = 128 + signum


def run_async(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` to its end. SIGINT, SIGTERM and SIGHUP cancel it, so a request in flight stores its partial
    answer and a ``cancelled`` row (as Esc does), then raise :class:`Interrupted`. A second signal acts as it
    would by default (a stuck clean-up can still be ended)."""
    import asyncio

    received: list[int] = []

    async def cancelled_by_signals() -> T:
        loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        assert task is not None

        def stop(signum: int) -> None:
            received.append(signum)
            for sig in SIGNALS:
                loop.remove_signal_handler(sig)
            task.cancel()

        for sig in SIGNALS:
            loop.add_signal_handler(sig, stop, sig)
        try:
            return await coro
        finally:
            for sig in SIGNALS:
                loop.remove_signal_handler(sig)

    try:
        return asyncio.run(cancelled_by_signals())
    except asyncio.CancelledError:
        if received:
            raise Interrupted(received[0]) from None
        raise


def load_config(args) -> Config:
    """The effective config: --config, --base-url and --model over the usual layers."""
    from devsynth_tui.config import load

    return load(args.config, base_url=args.base_url, model=args.model)


def open_store():
    """The app home's SQLite store."""
    from devsynth_tui.config import app_home
    from devsynth_tui.services.store.database import Store, db_path

    return Store(db_path(app_home()))


def open_ledger(store=None):
    """The token ledger, on ``store`` or the app home's."""
    from devsynth_tui.services.store.ledger import Ledger

    return Ledger(store or open_store())


def open_conversations(cfg: Config, store=None):
    """Stored conversations, compressed as ``disk.compression`` says."""
    from devsynth_tui.services.store.conversations import Conversations

    compression = cfg.disk.compression
    return Conversations(store or open_store(), compression.level if compression.enabled else None)


def parse_since(text: str) -> float:
    """A --since date or ISO time as a timestamp; anything else is a CliError."""
    try:
        return datetime.fromisoformat(text).timestamp()
    except ValueError:
        raise CliError(f"--since {text!r}: expected a date like 2026-05-10 or 2026-05-10T15:30") from None


async def with_backend(cfg, fn):
    """``await fn(backend)`` on the connected backend, closed afterwards."""
    from devsynth_tui.config import app_home
    from devsynth_tui.services.llm.backend import connect

    backend = await connect(cfg, app_home())
    try:
        return await fn(backend)
    finally:
        await backend.aclose()


def load_context(args, earlier: list[str] | None = None):
    """The request ``args`` ask for: the prompt's ``@path`` attachments and the --context files and folders (a
    folder's one-line summary on stderr: what was read, skipped and why, a cap when hit), plus ``earlier`` paths
    (attached to the conversation continued). A file that can't be used is bad input (ContextError: exit 2)."""
    from devsynth_tui.services.context.attachments import attach
    from devsynth_tui.services.sanitize import safe_line

    request = attach(args.prompt, os.getcwd(), earlier, args.context, _types(args.type))
    for listing in request.listings:
        print(f"devsynth-tui: {safe_line(listing.summary())}", file=sys.stderr)
    request.examples = args.example
    return request


def _types(pairs: list[str]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        path, sep, ctype = pair.partition("=")
        if not sep:
            raise CliError(f"--type {pair!r}: expected FILE=TYPE, e.g. --type spec.md=requirements")
        out[path] = ctype
    return out
