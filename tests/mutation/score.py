"""Print the mutation score of the access layer from mutmut's results (``make mutation``).

Reads ``mutants/**/*.meta`` (mutmut 3's per-file results: mutant name -> the exit code of the
tests run against it) and prints killed / survived / total and every survivor by name, so that
each can be matched with its explanation in docs/mutation.md (``--diff`` adds each survivor's
changed lines). Exit status 0 always: the score is a figure to read, the explanations the gate.
"""

from __future__ import annotations

import ast
import difflib
import functools
import json
import sys
from collections import Counter
from pathlib import Path

# mutmut's meaning of a test run's exit code (mutmut/stats.py); anything else is "suspicious".
KILLED = {1, 3, 37}
SURVIVED = {0}
TIMEOUT = {36, 24, -24, 152, 255}
NO_TESTS = {5, 33}


def classify(code: int | None) -> str:
    if code is None:
        return "not checked"
    if code in KILLED:
        return "killed"
    if code in SURVIVED:
        return "survived"
    if code in TIMEOUT:
        return "timeout"
    if code in NO_TESTS:
        return "no tests"
    return "suspicious"


@functools.cache
def _functions(path: Path) -> dict[str, str]:
    """Source of every function in a trampolined module, by name."""
    source = path.read_text(encoding="utf-8")
    return {
        node.name: ast.get_source_segment(source, node) or ""
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }


def mutant_diff(root: Path, name: str) -> str:
    """The changed lines of mutant ``name`` (``pkg.module.x_function__mutmut_N``), read from
    the trampolined copy of the module mutmut writes under ``root``."""
    module, function = name.rsplit(".", 1)
    bodies = _functions(root / (module.replace(".", "/") + ".py"))
    original = bodies.get(function.rsplit("__mutmut_", 1)[0] + "__mutmut_orig", "")
    mutated = bodies.get(function, "")
    lines = difflib.unified_diff(original.splitlines(), mutated.splitlines(), lineterm="", n=0)
    return " | ".join(
        line.strip() for line in lines if line[:1] in "+-" and line[:3] not in {"+++", "---"}
    )


def main(root: Path, *, diffs: bool = False) -> int:
    counts: Counter[str] = Counter()
    survivors: list[str] = []
    for meta in sorted(root.glob("**/*.py.meta")):
        codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
        for name, code in sorted(codes.items()):
            status = classify(code)
            counts[status] += 1
            if status in {"survived", "no tests"}:
                diff = f"  {mutant_diff(root, name)}" if diffs else ""
                survivors.append(f"{status}: {name}{diff}")
    total = sum(counts.values())
    detail = ", ".join(f"{status} {count}" for status, count in sorted(counts.items()))
    killed = counts["killed"] + counts["timeout"]
    out = sys.stdout
    out.write(f"access layer mutation score: killed {killed} / {total}\n")
    out.write(f"({detail}; a timeout counts as killed)\n")
    for line in survivors:
        out.write(f"  {line}\n")
    return 0


if __name__ == "__main__":
    arguments = [arg for arg in sys.argv[1:] if arg != "--diff"]
    sys.exit(main(Path(arguments[0] if arguments else "mutants"), diffs="--diff" in sys.argv))
