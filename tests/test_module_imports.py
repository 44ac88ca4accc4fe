"""Imports sit at the top of a module; one tucked inside a function must say which cycle it breaks.

A function-level import hides a dependency from import-linter and from the reader, and usually dodges
a cycle that a better layering would remove. `AppConfig.ready()` is the one place where importing late
is the rule (models load after the app registry), so it needs no comment.
"""

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("portal", "members", "events", "elections")


def _modules() -> list[Path]:
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts and path.name != "gunicorn.conf.py":
                found.append(path)
    return found


def _late_imports_without_reason(path: Path) -> list[str]:
    """`line: import` for each import inside a function (other than ready()) with no comment on it or above."""
    source = path.read_text()
    lines = source.splitlines()
    problems = []
    for function in ast.walk(ast.parse(source)):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef) or function.name == "ready":
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.Import | ast.ImportFrom):
                text = lines[node.lineno - 1 : node.end_lineno]
                above = node.lineno - 2  # a comment above a block of imports speaks for the block
                while lines[above].strip().startswith(("from ", "import ")):
                    above -= 1
                if not any("#" in line for line in text) and not lines[above].strip().startswith("#"):
                    problems.append(f"{node.lineno}: {text[0].strip()}")
    return problems


def test_every_import_inside_a_function_names_the_cycle_it_breaks():
    problems = [
        f"{path.relative_to(ROOT)}:{problem}" for path in _modules() for problem in _late_imports_without_reason(path)
    ]

    assert problems == [], "move these imports to the top of the module, or say why they stay:\n" + "\n".join(problems)


def test_the_checker_sees_a_late_import_without_a_reason(tmp_path):
    module = tmp_path / "module.py"
    module.write_text(
        "def f():\n    from os import path\n\n"
        "def g():\n    from os import sep  # a cycle: os imports this module\n\n"
        "def h():\n    # not at the top: an optional extra\n    import json\n    import csv\n\n"
        "class C:\n    def ready(self):\n        from os import linesep\n"
    )

    assert _late_imports_without_reason(module) == ["2: from os import path"]


CHECK_EACH_MODULE_FIRST = """
import importlib, os, sys
import django
django.setup()
failed = []
for name in sys.argv[1:]:
    pid = os.fork()
    if pid == 0:
        try:
            importlib.import_module(name)
        except Exception as error:
            print(name, type(error).__name__, error, flush=True)
            os._exit(1)
        os._exit(0)
    failed += [name] if os.waitpid(pid, 0)[1] else []
sys.exit(1 if failed else 0)
"""


@pytest.mark.process
@pytest.mark.skipif(not hasattr(os, "fork"), reason="forks one child per module")
def test_every_module_can_be_the_first_imported_after_setup():
    """With imports at the top, a cycle shows as an ImportError depending on which module loads first."""
    names = [".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__") for path in _modules()]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings_test"}

    result = subprocess.run(
        [sys.executable, "-c", CHECK_EACH_MODULE_FIRST, *names],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert result.returncode == 0, result.stdout + result.stderr
