"""CPU utilization (guide 3.2): process priority and background operations.

The worker limit (``cpu.parallel_processing``) is the pipeline's one semaphore.
"""

from __future__ import annotations

import asyncio
from typing import Awaitable, Callable, TypeVar

import psutil

T = TypeVar("T")
NICENESS = {"low": 10, "normal": 0, "high": -5}

def set_priority(level: str, pids: list[int | None]) -> list[str]:
    """Set the niceness of our process and the embedded server's; a refusal is a note, not an error."""
    target = NICENESS[level]
    notes = []
    for pid in [p for p in pids if p]:
        try:
            proc = psutil.Process(pid)
            if proc.nice() != target:
                proc.nice(target)
        except psutil.AccessDenied:
            notes.append(f"process_priority {level}: raising priority needs privileges (run as root or "
                         f"set CAP_SYS_NICE); pid {pid} stays at niceness {psutil.Process(pid).nice()}")
        except psutil.NoSuchProcess:
            pass
    return notes


async def background(work: Awaitable[T], enabled: bool, on_done: Callable[[T], None] | None = None) -> asyncio.Task | T:
    """``cpu.background_operations``: run ``work`` as a background task (returned) or inline (its result)."""
    if not enabled:
        result = await work
        if on_done:
            on_done(result)
        return result
    task = asyncio.ensure_future(work)
    if on_done:
        task.add_done_callback(lambda t: t.cancelled() or t.exception() or on_done(t.result()))
    return task
