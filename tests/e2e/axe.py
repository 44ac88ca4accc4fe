"""axe-core in the browser tests: inject the vendored file, run it, list violations of any impact.

    violations = run_axe(page)          # [] when the page passes
    assert violations == [], format_violations(violations)

The page's context must be opened with `bypass_csp=True` (the injected script is inline code the
site's CSP rightly refuses); the CSP itself is checked by tests/e2e/test_csp.py with it enforced.
"""

from pathlib import Path

AXE_VERSION = "4.14.1"
AXE_FILE = Path(__file__).parent / "vendor" / "axe.min.js"
# Every rule axe ships that applies to the page (WCAG 2.0/2.1/2.2 A and AA, and best practices).
RUN_OPTIONS = {"resultTypes": ["violations"]}


def run_axe(page) -> list[dict]:
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=AXE_FILE.read_text(encoding="utf-8"))
    results = page.evaluate("(options) => axe.run(document, options)", RUN_OPTIONS)
    return results["violations"]


def format_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"[{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})")
        for node in violation["nodes"][:5]:
            lines.append(f"    {' '.join(node['target'])}: {node.get('failureSummary', '').splitlines()[-1:]}")
            lines.append(f"      {node['html'][:200]}")
    return "\n".join(lines)
