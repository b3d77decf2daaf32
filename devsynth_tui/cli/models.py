"""``models``: the server's models, or the GGUF files on this machine."""

from __future__ import annotations

import json

from devsynth_tui.cli.common import load_config, run_async, with_backend


def cmd_models(args) -> int:
    from dataclasses import asdict

    from devsynth_tui.services.sanitize import safe_line

    if args.local:
        return _local_models(args)
    cfg = load_config(args)

    async def run(backend):
        models = await backend.models()
        if args.json:
            print(json.dumps({"backend": backend.label, "models": [asdict(m) for m in models]}))
            return
        print(f"# {safe_line(backend.label)}" + (f" ({safe_line(backend.note)})" if backend.note else ""))
        for m in models:
            state = {True: "loaded", False: "not loaded", None: "-"}[m.loaded]
            quantization = safe_line(m.quantization or "")
            print(f"{safe_line(m.id):40} {state:10} ctx {m.context_length or '-':>6}  {quantization}")

    run_async(with_backend(cfg, run))
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
