"""Build the pruning corpus at bench time from the code installed with this interpreter.

Only the task lists are committed (module, symbol, a question naming it and one
paraphrasing it): ``bench/corpus/tasks.json``, and ``heldout.json``, a second
corpus on other packages with questions worded as their users would, never tuned
on. The context files are read from the running interpreter's standard library
and installed packages (textual, httpx, rich; pyyaml, psutil, pygments, ...),
and the gold line ranges are computed with ``ast``, so they are right on any
Python or package version. Each task's context is the
subject module, two other modules as distractors, a test module and a
reference page generated from the modules' own definitions, and a short
requirements file; its budget is 20-40 % of that context.

    .venv/bin/python bench/make_corpus.py [--out DIR]     # default bench/corpus/build/

Other scripts and the tests call ``build(folder)``.
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).parent / "corpus"
TASKS = HERE / "tasks.json"
HELDOUT = HERE / "heldout.json"  # the held-out corpus: other packages (pyyaml, psutil, pygments, markdown-it,
# idna, h11, platformdirs), questions worded as their users would, never tuned on
DEFAULT_OUT = HERE / "build"
BUDGET_SHARES = (0.20, 0.25, 0.30, 0.35, 0.40)  # of the task's context, in turn
REQUIREMENTS = (
    "# Requirements\n\n"
    "- Answers must point at the exact function involved and quote its current behaviour.\n"
    "- Public behaviour stays backwards compatible unless the question asks to change it.\n"
    "- Every change comes with a test.\n"
)


@dataclass
class Module:
    """One subject module: its file in the corpus and where its symbols are."""

    name: str
    path: str  # relative to the corpus folder, e.g. "httpx/_utils.py"
    symbols: dict[str, tuple[int, int]]
    test_ranges: dict[str, tuple[int, int]]
    doc_ranges: dict[str, tuple[int, int]]

    @property
    def stem(self) -> str:
        return self.name.replace(".", "_")


def symbols(tree: ast.Module) -> dict[str, ast.AST]:
    """Qualified name -> node, for top-level functions, classes and their methods."""
    out: dict[str, ast.AST] = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            out.setdefault(node.name, node)
        if isinstance(node, ast.ClassDef):
            for sub in node.body:
                if isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    out.setdefault(f"{node.name}.{sub.name}", sub)
    return out


def span(node) -> tuple[int, int]:
    """First line (decorators included) and last line of a definition."""
    start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
    return start, node.end_lineno


def reference_page(module: str, syms: dict) -> tuple[str, dict[str, tuple[int, int]]]:
    """A reference page: one section per function with a docstring."""
    lines = [f"# {module} reference", "", f"Reference for `{module}`, generated from its docstrings.", ""]
    ranges = {}
    for name, node in syms.items():
        doc = ast.get_docstring(node)
        if not doc or isinstance(node, ast.ClassDef):
            continue
        start = len(lines) + 1
        lines += [f"## {name}", "", *doc.strip().splitlines(), ""]
        ranges[name] = (start, len(lines))
    return "\n".join(lines) + "\n", ranges


def make_tests(module: str, syms: dict) -> tuple[str, dict[str, tuple[int, int]]]:
    """A test module: one test per function, named after it."""
    lines, ranges = [f"import {module}", "", ""], {}
    for name, node in syms.items():
        if isinstance(node, ast.ClassDef):
            continue
        test = "test_" + name.replace(".", "_").strip("_").lower()
        args = ", ".join(a.arg for a in node.args.args if a.arg not in ("self", "cls"))
        start = len(lines) + 1
        lines += [
            f"def {test}():",
            f'    """{name}({args}) keeps its documented behaviour."""',
            f"    target = {module}.{name}",
            "    assert callable(target)",
            "",
            "",
        ]
        ranges[name] = (start, len(lines) - 2)
    return "\n".join(lines), ranges


def _source(module: str) -> str:
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.origin or not spec.origin.endswith(".py"):
        raise LookupError(f"{module} is not installed as Python source")
    return Path(spec.origin).read_text(encoding="utf-8")


def _write(folder: Path, rel: str, text: str) -> None:
    path = folder / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _module(folder: Path, name: str) -> Module:
    source = _source(name)
    syms = symbols(ast.parse(source))
    mod = Module(name, name.replace(".", "/") + ".py", {k: span(v) for k, v in syms.items()}, {}, {})
    _write(folder, mod.path, source)
    docs, mod.doc_ranges = reference_page(name, syms)
    tests, mod.test_ranges = make_tests(name, syms)
    _write(folder, f"docs/{mod.stem}.md", docs)
    _write(folder, f"tests/test_{mod.stem}.py", tests)
    return mod


def build(folder: Path = DEFAULT_OUT, tasks: Path = TASKS) -> tuple[list[dict], list[str]]:
    """Write the corpus files into ``folder``; return the questions and what was skipped (and why).

    A question: id, style (named | paraphrased), question, target, budget_share,
    context [{path, type}], gold [{path, lines [start, end], kind}].
    """
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    _write(folder, "REQUIREMENTS.md", REQUIREMENTS)
    specs = json.loads(tasks.read_text())
    modules, skipped = {}, []
    for name in dict.fromkeys(t["module"] for t in specs):
        try:
            modules[name] = _module(folder, name)
        except (LookupError, OSError, SyntaxError, UnicodeDecodeError) as e:
            skipped.append(f"{name}: {e}")
    pool = sorted(modules)
    questions = []
    for n, spec in enumerate(specs):
        mod = modules.get(spec["module"])
        if mod is None or spec["symbol"] not in mod.symbols:
            if mod is not None:
                skipped.append(f"{spec['module']} has no {spec['symbol']} on this version")
            continue
        others = [m for m in pool if m != mod.name]
        distractors = [modules[others[(n * 3 + k) % len(others)]] for k in range(2)]
        context = [
            {"path": mod.path, "type": "code"},
            *({"path": d.path, "type": "code"} for d in distractors),
            {"path": f"tests/test_{mod.stem}.py", "type": "tests"},
            {"path": f"docs/{mod.stem}.md", "type": "documentation"},
            {"path": "REQUIREMENTS.md", "type": "requirements"},
        ]
        questions += _questions(n, spec, mod, context)
    return questions, skipped


def _questions(n: int, spec: dict, mod: Module, context: list[dict]) -> list[dict]:
    target = spec["symbol"]
    gold = [{"path": mod.path, "lines": list(mod.symbols[target]), "kind": "code"}]
    if target in mod.test_ranges:
        gold.append({"path": f"tests/test_{mod.stem}.py", "lines": list(mod.test_ranges[target]), "kind": "tests"})
    if target in mod.doc_ranges:
        gold.append({"path": f"docs/{mod.stem}.md", "lines": list(mod.doc_ranges[target]), "kind": "documentation"})
    share = BUDGET_SHARES[n % len(BUDGET_SHARES)]
    return [
        {
            "id": f"{n:02d}-{style}",
            "style": style,
            "question": spec[style],
            "target": target,
            "target_module": mod.name,
            "budget_share": share,
            "context": context,
            "gold": gold,
        }
        for style in ("named", "paraphrased")
    ]


def load_items(question: dict, folder: Path = DEFAULT_OUT) -> list:
    """The question's context as pipeline items (ContextItem), read from a built corpus."""
    from devsynth_tui.services.context.items import ContextItem

    return [
        ContextItem(c["path"], (folder / c["path"]).read_text(encoding="utf-8"), c["type"]) for c in question["context"]
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder to build into (replaced)")
    parser.add_argument("--heldout", action="store_true", help="the held-out corpus (heldout.json)")
    args = parser.parse_args()
    questions, skipped = build(args.out, HELDOUT if args.heldout else TASKS)
    for line in skipped:
        print(f"skipped: {line}")
    print(f"wrote {len(questions)} questions ({len(questions) // 2} tasks) to {args.out}")


if __name__ == "__main__":
    main()
