"""How long each `symderiv` command (and `import symderiv`) takes from start to exit,
and what it imports.

Each command runs ``--runs`` times in a fresh interpreter (``python -m symderiv …``),
in rounds with an empty one (``python -c pass``) and ``python -c "import sympy"`` for
reference; the table shows the medians of wall and CPU time (CPU stays steady on a
loaded machine) and which heavy packages the command loaded (``-X importtime``). ``--root DIR`` times another checkout the same way.

    python benchmarks/startup.py [--runs N] [--root DIR]
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
HEAVY = ("sympy", "mpmath", "jinja2", "symderiv.check", "symderiv.render")


def commands(out: str) -> list[tuple[str, list[str]]]:
    return [
        ("python -c pass", ["-c", "pass"]),
        ("python -c 'import sympy'", ["-c", "import sympy"]),
        ("python -c 'import symderiv'", ["-c", "import symderiv"]),
        ("import symderiv; sd.InputError", ["-c", "import symderiv as sd; sd.InputError"]),
        ("import symderiv; sd.derive('tanh')",
         ["-c", "import symderiv as sd; sd.derive('tanh')"]),
        ("symderiv --help", ["-m", "symderiv", "--help"]),
        ("symderiv solve --help", ["-m", "symderiv", "solve", "--help"]),
        ("symderiv verify x x", ["-m", "symderiv", "verify", "x", "x"]),
        ("symderiv derive tanh", ["-m", "symderiv", "derive", "tanh"]),
        ("symderiv derive 'z*sigmoid(z)'", ["-m", "symderiv", "derive", "z*sigmoid(z)"]),
        ("symderiv check (a two-line chain)", ["-m", "symderiv", "check", f"{out}/doc.md"]),
        ("symderiv solve --format tex", ["-m", "symderiv", "solve", "-o", out,
                                          "--format", "tex"]),
    ]


def timed(args: list[str], cwd: Path, env: dict) -> tuple[float, float]:
    """Wall and CPU time (user + system, the child's resource usage) of ``python args``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, *args], cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (time.perf_counter() - start,
            after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)


def heavy_imports(args: list[str], cwd: Path, env: dict) -> str:
    """The HEAVY packages the command imports (top-level names, from -X importtime)."""
    r = subprocess.run([sys.executable, "-X", "importtime", *args], cwd=cwd, env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    modules = {line.rsplit("|", 1)[-1].strip() for line in r.stderr.splitlines()
               if line.startswith("import time:")}
    return ", ".join(h for h in HEAVY if any(m == h or m.startswith(h + ".") for m in modules))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout to time")
    args = parser.parse_args()
    root = args.root.resolve()
    env = {**os.environ, "PYTHONPATH": str(root)}
    with tempfile.TemporaryDirectory() as out:
        Path(out, "doc.md").write_text("$\\sigma(0) = 0.5$\n\n$2 \\cdot 3 = 6$\n")
        table = commands(out)
        times = {name: [] for name, _ in table}
        for _ in range(args.runs):  # rounds, so load drifts touch every command alike
            for name, argv in table:
                times[name].append(timed(argv, root, env))
        loads = {name: heavy_imports(argv, root, env) for name, argv in table}
    width = max(len(name) for name, _ in table)
    bytecode = "off (PYTHONDONTWRITEBYTECODE)" if sys.dont_write_bytecode else "on"
    print(f"symderiv at {root}; median of {args.runs} runs; bytecode caching {bytecode}; "
          f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}")
    print(f"{'command':<{width}}  {'wall s':>7}  {'CPU s':>7}  imports")
    for name, _ in table:
        seconds = [statistics.median(t[i] for t in times[name]) for i in (0, 1)]
        print(f"{name:<{width}}  {seconds[0]:7.3f}  {seconds[1]:7.3f}  {loads[name]}")


if __name__ == "__main__":
    main()
