"""How long `symderiv vary` takes against one `symderiv solve` of the same spec (issue 12).

Each row runs the command in a fresh interpreter, as a user meets it, and reports the
median of ``--runs`` runs, wall and CPU (the command and its worker processes); the
ratio is to the median `solve` of the spec. The targets: 20 variants with
tex,json,csv,moodle in at most 8 solves' time, 200 in at most 40.

    python benchmarks/variants.py [--runs N] [--spec FILE] [--large 200]
"""

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FORMATS = "tex,json,csv,moodle"


def timed(args: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of ``python -m symderiv ARGS``."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "symderiv", *args], check=True, env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def median_of(runs: int, args: list[str]) -> tuple[float, float]:
    times = [timed(args) for _ in range(runs)]
    return (statistics.median(t[0] for t in times), statistics.median(t[1] for t in times))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--spec", default=str(ROOT / "examples" / "variants.toml"))
    parser.add_argument("--large", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as out:
        solve = median_of(args.runs, ["solve", args.spec, "-o", out, "--format", "tex,json"])
        rows = [("solve (tex,json)", None, solve)]
        for n, jobs, limit in ((20, None, 8), (args.large, None, 40), (args.large, "1", 40)):
            command = ["vary", args.spec, "-n", str(n), "--seed", "1", "-o", out,
                       "--format", FORMATS] + (["--jobs", jobs] if jobs else [])
            label = f"vary -n {n} ({FORMATS})" + (f", --jobs {jobs}" if jobs else "")
            rows.append((label, limit, median_of(args.runs, command)))
    print(f"| command | wall (s) | CPU (s) | wall / solve | CPU / solve | target |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, limit, (wall, cpu) in rows:
        target = f"≤ {limit}×" if limit else ""
        print(f"| {label} | {wall:.2f} | {cpu:.2f} | {wall / solve[0]:.1f}× | "
              f"{cpu / solve[1]:.1f}× | {target} |")


if __name__ == "__main__":
    main()
