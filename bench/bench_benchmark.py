"""The benchmark runner's fidelity and its own overhead, on the embedded server.

- 5 requests: client generation tokens/s over the server's timings.predicted_per_second, and
  client time to first token minus the server's prompt_ms (means over the requests)
- overhead: a run's wall time minus the sum of its requests' end-to-end times (a run without warm-up)

    .venv/bin/python bench/bench_benchmark.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from devsynth_tui.services.embedded import EmbeddedServer  # noqa: E402


def main() -> None:
    server = EmbeddedServer(Path(tempfile.mkdtemp()))
    server.start()
    env = {**os.environ, "DEVSYNTH_TUI_HOME": tempfile.mkdtemp()}

    def bench(warmup: int) -> dict:
        out = subprocess.run([sys.executable, "-m", "devsynth_tui", "--base-url", server.base_url, "benchmark", "--no-stages",
                              "--requests", "5", "--warmup", str(warmup), "--max-tokens", "128", "--json"],
                             env=env, capture_output=True, text=True, check=True).stdout
        return json.loads(out)

    try:
        run, bare = bench(1), bench(0)
    finally:
        server.stop()
    level = run["serving"][0]
    sv = level["server"]
    e2e_sum = sum(r["e2e"] for r in bare["requests"])
    print(f"fidelity: client {sv['client_tps']:.2f} tok/s vs server predicted_per_second {sv['predicted_per_second']:.2f}: "
          f"{100 * (sv['client_tps'] / sv['predicted_per_second'] - 1):+.2f} %")
    print(f"fidelity: client TTFT {level['ttft']['mean'] * 1000:.1f} ms - server prompt_ms {sv['prompt_ms']:.1f} ms "
          f"= {level['ttft']['mean'] * 1000 - sv['prompt_ms']:.1f} ms")
    print(f"overhead (no warm-up): run wall {bare['wall']:.3f} s - sum of 5 requests {e2e_sum:.3f} s = {(bare['wall'] - e2e_sum) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
