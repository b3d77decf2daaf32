"""Build bench/corpus/: realistic coding tasks over real code (CPython's standard library).

Each task has context items typed as the guide's classes (code, tests,
documentation, requirements), a question that names the symbol and one that
paraphrases it, and the gold line ranges an answer needs. Run once; the
output is committed so every run measures the same corpus:

    .venv/bin/python bench/make_corpus.py
"""

from __future__ import annotations

import ast
import json
import shutil
import sysconfig
from pathlib import Path

OUT = Path(__file__).parent / "corpus"
STDLIB = Path(sysconfig.get_paths()["stdlib"])

# (module file, target symbol, question naming it, question paraphrasing it)
TASKS = [
    ("textwrap.py", "dedent", "Why does dedent keep whitespace-only lines untouched? Add an option to strip them.",
     "How is the common leading indentation removed from every line of a multi-line string?"),
    ("textwrap.py", "TextWrapper._split", "Explain TextWrapper._split and how it breaks hyphenated words.",
     "Where is text broken into word chunks, and how are hyphenated compounds handled?"),
    ("textwrap.py", "shorten", "Change shorten so the placeholder can be put at the start of the text.",
     "How does the module collapse and truncate a string to fit a width, ending with a marker?"),
    ("shlex.py", "split", "Explain how split handles comments and the posix flag.",
     "How is a command line string tokenized into an argument list the way a Unix shell would?"),
    ("shlex.py", "quote", "Why does quote wrap unsafe strings in single quotes?",
     "How does the code make an arbitrary string safe to paste into a shell command?"),
    ("csv.py", "Sniffer._guess_quote_and_delimiter", "Explain Sniffer._guess_quote_and_delimiter step by step.",
     "How does CSV dialect detection infer which character surrounds quoted fields?"),
    ("csv.py", "DictReader.__next__", "Fix DictReader.__next__ so short rows raise instead of padding.",
     "When reading rows as dictionaries, what happens when a row has fewer or more values than the header?"),
    ("fnmatch.py", "translate", "Explain translate for character classes like [!a-z].",
     "How is a shell-style wildcard pattern converted into a regular expression?"),
    ("glob.py", "has_magic", "What exactly does has_magic check?",
     "How does the code decide whether a path contains wildcard characters?"),
    ("difflib.py", "SequenceMatcher.find_longest_match", "Speed up SequenceMatcher.find_longest_match for long inputs.",
     "How is the longest common contiguous block between two sequences located, and how is junk treated?"),
    ("difflib.py", "unified_diff", "Add a color option to unified_diff.",
     "Where are the '---' and '+++' headers and the '@@' hunk markers produced for a patch-style comparison?"),
    ("difflib.py", "get_close_matches", "Why does get_close_matches use a cutoff of 0.6 by default?",
     "How are the best good-enough fuzzy matches for a word chosen from a list of possibilities?"),
    ("heapq.py", "merge", "Explain merge with the key and reverse arguments.",
     "How are several already-sorted inputs combined lazily into one sorted stream?"),
    ("heapq.py", "nsmallest", "Review nsmallest for the n == 1 fast path.",
     "How does the module efficiently find the few lowest items of a big dataset?"),
    ("bisect.py", "insort_right", "What does insort_right do with lo and hi?",
     "How is an item inserted into a sorted list so it stays sorted, after any equal entries?"),
    ("calendar.py", "Calendar.itermonthdates", "Fix Calendar.itermonthdates for the year 9999.",
     "How are all the dates of a month, padded to whole weeks, generated?"),
    ("calendar.py", "isleap", "Explain isleap.",
     "How does the code determine whether a year has a February 29?"),
    ("configparser.py", "RawConfigParser._read", "Explain RawConfigParser._read and continuation lines.",
     "How are multi-line values and section headers recognized while parsing an INI file?"),
    ("configparser.py", "BasicInterpolation._interpolate_some", "Why does _interpolate_some raise InterpolationDepthError?",
     "How are %(name)s references in option values expanded recursively, and when does expansion give up?"),
    ("argparse.py", "ArgumentParser._parse_known_args", "Explain _parse_known_args and how optionals interleave with positionals.",
     "How does the command-line parser walk through the argument strings, matching options and positionals?"),
    ("argparse.py", "HelpFormatter._format_usage", "Fix HelpFormatter._format_usage wrapping of long usage lines.",
     "Where is the 'usage:' line built and wrapped when it is too long for the terminal?"),
    ("ipaddress.py", "ip_network", "Explain ip_network's fallback from IPv4 to IPv6.",
     "How does the factory decide whether a string is a version 4 or a version 6 network?"),
    ("ipaddress.py", "collapse_addresses", "Explain collapse_addresses.",
     "How are overlapping and adjacent networks merged into the shortest equivalent list?"),
    ("statistics.py", "median", "Explain median for even-length data.",
     "How is the middle value of a dataset computed, averaging the two central points for an even count?"),
    ("statistics.py", "variance", "Why does variance require at least two data points?",
     "How is the sample spread with n-1 in the denominator calculated?"),
    ("fractions.py", "Fraction.limit_denominator", "Explain Fraction.limit_denominator.",
     "How does the code find the closest rational approximation whose denominator is bounded?"),
    ("gettext.py", "GNUTranslations._parse", "Explain GNUTranslations._parse and the magic number check.",
     "How are compiled .mo message catalogs decoded, including detecting their byte order?"),
    ("string.py", "Template.substitute", "Explain Template.substitute when a key is missing.",
     "How are $-placeholders replaced by values, and what happens when one has no value?"),
    ("json/decoder.py", "py_scanstring", "Explain py_scanstring's handling of surrogate pairs.",
     "How are escape sequences such as \\u and surrogate pairs decoded inside a JSON string literal?"),
    ("json/encoder.py", "py_encode_basestring_ascii", "Explain py_encode_basestring_ascii.",
     "How are non-ASCII characters escaped when a string is serialized to ASCII-only JSON?"),
    ("base64.py", "a85encode", "Explain a85encode's foldspaces and wrapcol arguments.",
     "How is binary data turned into Ascii85 text, with optional line wrapping and a shortcut for spaces?"),
    ("shutil.py", "which", "Explain which and how it uses PATHEXT on Windows.",
     "How does the code locate an executable by searching the directories listed in the PATH variable?"),
    ("tokenize.py", "detect_encoding", "Explain detect_encoding with a UTF-8 BOM.",
     "How is a source file's character encoding determined from a coding cookie or a byte order mark?"),
    ("netrc.py", "netrc._parse", "Explain netrc._parse.",
     "How are machine, login and password entries read from the credentials file?"),
]
REQUIREMENTS = (
    "# Requirements\n\n"
    "- Answers must point at the exact function involved and quote its current behaviour.\n"
    "- Public behaviour stays backwards compatible unless the question asks to change it.\n"
    "- Every change comes with a test.\n"
)


def symbols(tree: ast.Module) -> dict[str, ast.AST]:
    """Qualified name -> node, for top-level functions, classes and their methods."""
    out = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            out[node.name] = node
        if isinstance(node, ast.ClassDef):
            for sub in node.body:
                if isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    out[f"{node.name}.{sub.name}"] = sub
    return out


def span(node) -> tuple[int, int]:
    start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
    return start, node.end_lineno


def make_docs(module: str, syms: dict) -> tuple[str, dict[str, tuple[int, int]]]:
    """A reference page: one section per documented symbol."""
    lines, ranges = [f"# {module} reference", "", f"Reference for `{module}`, generated from its docstrings.", ""], {}
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
    mod = module.removesuffix(".py").replace("/", ".")
    lines, ranges = [f"import {mod}", "", ""], {}
    for name, node in syms.items():
        if isinstance(node, ast.ClassDef):
            continue
        test = "test_" + name.replace(".", "_").strip("_").lower()
        start = len(lines) + 1
        args = ", ".join(a.arg for a in node.args.args if a.arg != "self")
        lines += [
            f"def {test}():",
            f'    """{name}({args}) keeps its documented behaviour."""',
            f"    target = {mod}.{name}",
            "    assert callable(target)",
            "",
            "",
        ]
        ranges[name] = (start, len(lines) - 2)
    return "\n".join(lines), ranges


def main() -> None:
    if OUT.exists():
        shutil.rmtree(OUT)
    (OUT / "files").mkdir(parents=True)
    (OUT / "files" / "REQUIREMENTS.md").write_text(REQUIREMENTS)
    modules = sorted({t[0] for t in TASKS})
    info = {}
    for module in modules:
        source = (STDLIB / module).read_text()
        flat = module.replace("/", "_")
        (OUT / "files" / flat).write_text(source)
        syms = symbols(ast.parse(source))
        docs, doc_ranges = make_docs(module, syms)
        tests, test_ranges = make_tests(module, syms)
        stem = flat.removesuffix(".py")
        (OUT / "files" / f"{stem}_reference.md").write_text(docs)
        (OUT / "files" / f"test_{stem}.py").write_text(tests)
        info[module] = (flat, syms, doc_ranges, test_ranges)
    tasks = []
    for n, (module, target, named, paraphrased) in enumerate(TASKS):
        flat, syms, doc_ranges, test_ranges = info[module]
        if target not in syms:
            raise SystemExit(f"{module} has no {target}")
        stem = flat.removesuffix(".py")
        others = [info[m][0] for m in modules if m != module]
        distractors = [others[(n * 3 + k) % len(others)] for k in range(2)]
        context = [
            {"path": flat, "type": "code"},
            *({"path": d, "type": "code"} for d in distractors),
            {"path": f"test_{stem}.py", "type": "tests"},
            {"path": f"{stem}_reference.md", "type": "documentation"},
            {"path": "REQUIREMENTS.md", "type": "requirements"},
        ]
        gold = [{"path": flat, "lines": list(span(syms[target])), "kind": "code"}]
        if target in test_ranges:
            gold.append({"path": f"test_{stem}.py", "lines": list(test_ranges[target]), "kind": "tests"})
        if target in doc_ranges:
            gold.append({"path": f"{stem}_reference.md", "lines": list(doc_ranges[target]), "kind": "documentation"})
        for style, question in (("named", named), ("paraphrased", paraphrased)):
            tasks.append({"id": f"{n:02d}-{style}", "style": style, "question": question, "target": target,
                          "context": context, "gold": gold})
    (OUT / "tasks.json").write_text(json.dumps(tasks, indent=1) + "\n")
    (OUT / "README.md").write_text(
        "# Pruning corpus\n\nGenerated by `bench/make_corpus.py` from CPython's standard library "
        "(PSF licence): real code as context, generated test and reference files, one requirements file. "
        f"{len(TASKS)} tasks, each asked twice (naming the symbol, and paraphrased): {len(tasks)} questions. "
        "`gold` lists the line ranges an answer needs.\n"
    )
    print(f"wrote {len(tasks)} questions over {len(modules)} modules to {OUT}")


if __name__ == "__main__":
    main()
