"""Two versions of the code, benchmarked in turns in one sitting: did a change make the site faster?

    python -m bench.ab BASE [--pairs 3] [--only order] [-- any `python -m bench` options]

BASE is a git revision (a commit, a tag, `HEAD~3`); it is checked out in a temporary worktree.
The other side is this checkout as it is, uncommitted changes included. Each pair runs both, one
`python -m bench --only …` each, and every other pair the other one first, so a host that speeds up
or slows down during the sitting favours neither. Each side has its own PostgreSQL database (when
DATABASE_URL is PostgreSQL) and its own Redis database, so neither reads the other's schema or
cache. Printed: each run's figures, then per scenario the median of the pairs' ratios (this ÷ BASE):
requests (or journeys) per second, and for a journey the CPU per journey on the whole machine.

On a shared host absolute figures move by half from one hour to the next (the bench's speed probe
shows it); the ratio of two runs a minute apart moves far less.
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bench import databases
from bench.run import ROOT, log

REDIS_DATABASES = {"base": "14", "this": "15"}  # away from db 0, which the site and the suite use


@dataclass
class Figures:
    rps: float
    cpu_ms: float | None  # a journey's CPU on the whole machine ("… in all"), None for a page
    cpu_split: str = ""  # that CPU by process ("celery 31, gunicorn 85, …")


def figures(markdown: str) -> dict[str, Figures]:
    """Each scenario's req/s (journeys/s) and journey CPU, read back from a `python -m bench` report."""
    lines = markdown.splitlines()
    try:
        start = next(i for i, line in enumerate(lines) if line.startswith("| Scenario | Path |"))
    except StopIteration:
        raise ValueError("no results table in the report") from None
    header = [cell.strip() for cell in lines[start].strip("|").split("|")]
    out: dict[str, Figures] = {}
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        cells = dict(zip(header, (cell.strip() for cell in line.strip("|").split("|")), strict=False))
        try:
            rps = float(cells["Req/s"].replace(",", ""))
        except ValueError:  # "—": not measured
            continue
        total = re.search(r": ([^:;]*); ([\d.]+) in all", cells.get("Notes", ""))
        if total:
            out[cells["Scenario"]] = Figures(rps, float(total.group(2)), total.group(1))
        else:
            out[cells["Scenario"]] = Figures(rps, None)
    return out


def ratios(pairs: list[tuple[dict[str, Figures], dict[str, Figures]]]) -> dict[str, tuple[float, float | None]]:
    """Per scenario in every pair: the median of this ÷ base for req/s, and for the journey CPU."""
    out: dict[str, tuple[float, float | None]] = {}
    for name in pairs[0][1]:
        if not all(name in base and name in this and base[name].rps for base, this in pairs):
            continue
        rps = statistics.median(this[name].rps / base[name].rps for base, this in pairs)
        cpus = [
            this[name].cpu_ms / base[name].cpu_ms for base, this in pairs if this[name].cpu_ms and base[name].cpu_ms
        ]
        out[name] = (rps, statistics.median(cpus) if cpus else None)
    return out


def _side_env(side: str) -> dict[str, str]:
    env = dict(os.environ)
    if redis := env.get("REDIS_URL"):
        parts = urlsplit(redis)
        env["REDIS_URL"] = urlunsplit(parts._replace(path="/" + REDIS_DATABASES[side]))
    database = env.get("DATABASE_URL", "")
    if databases.is_postgres(database):
        # The revision compared may predate bench runs making their own database: one per side here.
        env["DATABASE_URL"] = databases.recreate(database, _database_name(database, side))
    return env


def _database_name(url: str, side: str) -> str:
    return databases.throwaway_name(url, f"ab_{side}")


def _drop_databases() -> None:
    database = os.environ.get("DATABASE_URL", "")
    if databases.is_postgres(database):
        for side in REDIS_DATABASES:
            databases.recreate(database, _database_name(database, side), create=False)


def _run(side: str, tree: Path, args: argparse.Namespace, output: Path) -> dict[str, Figures]:
    command = [sys.executable, "-m", "bench", "--only", args.only, "--output", str(output), *args.bench_args]
    log(f"{side}: {' '.join(command[1:])} in {tree}")
    proc = subprocess.run(command, cwd=tree, env=_side_env(side), capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"the {side} run failed:\n{proc.stdout[-3000:]}{proc.stderr[-3000:]}")
    return figures(output.read_text())


def split_argv(argv: list[str]) -> tuple[list[str], list[str]]:
    """(our options, the options after "--" for each bench run): split by hand, since Python 3.11's
    argparse refuses "--" before a nargs="*" positional."""
    if "--" not in argv:
        return list(argv), []
    at = argv.index("--")
    return list(argv[:at]), list(argv[at + 1 :])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ab", description=__doc__.splitlines()[0])
    parser.add_argument("base", help="the git revision to compare this checkout with")
    parser.add_argument("--pairs", type=int, default=3, help="runs of each side (default 3)")
    parser.add_argument("--only", default="order", help="scenarios, as `python -m bench --only` (default order)")
    parser.epilog = "After --: options for each `python -m bench` run (e.g. -- --duration 8)."
    ours, bench_args = split_argv(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(ours)
    args.bench_args = bench_args
    with tempfile.TemporaryDirectory(prefix="guildhall-ab-") as tmp:
        base_tree = Path(tmp) / "base"
        subprocess.run(["git", "worktree", "add", "--detach", str(base_tree), args.base], cwd=ROOT, check=True)
        try:
            pairs = []
            for n in range(args.pairs):
                order = ("base", "this") if n % 2 == 0 else ("this", "base")
                runs = {
                    side: _run(side, base_tree if side == "base" else ROOT, args, Path(tmp) / f"{side}-{n}.md")
                    for side in order
                }
                pairs.append((runs["base"], runs["this"]))
                for name, this in runs["this"].items():
                    base = runs["base"].get(name)
                    if base:
                        cpu = ""
                        if base.cpu_ms and this.cpu_ms:
                            cpu = (
                                f", CPU {base.cpu_ms:.0f} → {this.cpu_ms:.0f} ms ({base.cpu_split} → {this.cpu_split})"
                            )
                        log(f"pair {n + 1}, {name}: {base.rps:,.1f} → {this.rps:,.1f}/s{cpu}")
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(base_tree)], cwd=ROOT, check=False)
            _drop_databases()
    print(f"\nthis checkout ÷ {args.base}, median of {args.pairs} pairs run in turns:")
    for name, (rps, cpu) in ratios(pairs).items():
        print(f"  {name}: ×{rps:.2f} per second" + (f", ×{cpu:.2f} CPU per journey" if cpu else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
