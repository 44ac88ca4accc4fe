"""A status changes only through a model's transitions table (portal.core.status): no service writes one directly."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("events", "members", "portal/payments", "portal/adoption")
ALLOWED = {Path("portal/core/status.py")}


def _names(target: ast.expr):
    if isinstance(target, ast.Tuple | ast.List):
        for element in target.elts:
            yield from _names(element)
    else:
        yield target


def _direct_status_writes(source: str) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if any(isinstance(name, ast.Attribute) and name.attr == "status" for name in _names(target)):
                    found.append((node.lineno, "assigns .status; use move_to()"))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "update":
            if any(keyword.arg == "status" for keyword in node.keywords):
                found.append((node.lineno, "passes status= to update(); use move_all()"))
    return found


def _modules():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if "migrations" not in relative.parts and relative not in ALLOWED:
                yield relative


def test_the_scanner_sees_each_kind_of_direct_write():
    source = "a.status = 1\nx, b.status = 1, 2\nQ.objects.filter().update(status='paid')\nc.move_to('paid')\n"
    assert [line for line, _ in _direct_status_writes(source)] == [1, 2, 3]


def test_no_module_of_the_domain_apps_writes_a_status_directly():
    offences = [
        f"{path}:{line}: {what}"
        for path in _modules()
        for line, what in _direct_status_writes((ROOT / path).read_text())
    ]
    assert list(_modules()), "no modules found: the scan would prove nothing"
    assert not offences, "Statuses move through portal.core.status only:\n" + "\n".join(offences)
