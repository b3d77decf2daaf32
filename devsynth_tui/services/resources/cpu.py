"""CPU utilization (guide 3.2): process priority and background operations.

The worker limit (``cpu.parallel_processing``) is the pipeline's one semaphore.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

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
            notes.append(
                f"process_priority {level}: raising priority needs privileges (run as root or "
                f"set CAP_SYS_NICE); pid {pid} stays at niceness {psutil.Process(pid).nice()}"
            )
        except psutil.NoSuchProcess:
            pass
    return notes


async def background(work: Awaitable[T], enabled: bool) -> asyncio.Task | T:
    """``cpu.background_operations``: start ``work`` as a background task (returned), or run it inline (its result)."""
    if enabled:
        task = asyncio.ensure_future(work)
        _running.add(task)  # the loop keeps only weak references to tasks
        task.add_done_callback(_running.discard)
        return task
    return await work


_running: set[asyncio.Task] = set()
