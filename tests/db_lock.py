"""Another process that takes and releases the database's write lock on command (BEGIN IMMEDIATE)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HOLDER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
print("ready", flush=True)
for line in sys.stdin:
    command = line.strip()
    if command == "lock":
        conn.execute("BEGIN IMMEDIATE")
    elif command == "release":
        conn.execute("COMMIT")
    elif command.startswith("exec "):
        conn.execute(command[5:])
    elif command == "quit":
        break
    print(command, flush=True)
"""


class WriteLockHolder:
    """``with WriteLockHolder(path) as holder: holder.lock(); ...; holder.release()``"""

    def __init__(self, path: Path):
        self.proc = subprocess.Popen(
            [sys.executable, "-c", HOLDER, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        self._expect("ready")

    def _expect(self, word: str) -> None:
        line = self.proc.stdout.readline().strip()
        assert line == word, f"lock holder said {line!r}, expected {word!r}"

    def _say(self, command: str) -> None:
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        self._expect(command)

    def lock(self) -> None:
        """Returns once the other process holds the write lock."""
        self._say("lock")

    def execute(self, sql: str) -> None:
        """One statement (one line) in the other process, inside the lock it holds."""
        self._say(f"exec {sql}")

    def release(self) -> None:
        """Commits what the other process did under the lock."""
        self._say("release")

    def __enter__(self) -> WriteLockHolder:
        return self

    def __exit__(self, *exc) -> None:
        self.proc.kill()
        self.proc.wait()
