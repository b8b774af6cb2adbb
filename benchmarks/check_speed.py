"""How long ``symderiv check`` takes on documents of growing length.

The page is the planted-error test document (tests/data/check/planted.md, about one page of
worked backpropagation with 15 chains and four identities); a document of N pages repeats
it N times, each copy a new problem ("Problem k"), so every copy is checked afresh. Also
timed: the hw6 sheet in output/ and the seed, when they are present. In-process times
(after imports); the command's start-up (importing SymPy) comes on top, once.

    python benchmarks/check_speed.py [--pages 1 10 40]
"""

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from symderiv.check.judge import check_text  # noqa: E402

PAGE = (ROOT / "tests" / "data" / "check" / "planted.md").read_text(encoding="utf-8")
OTHERS = {"hw6.tex (output/)": ROOT / "output" / "hw6.tex",
          "seed": Path("/work/shared/seed/000_0cfd6da7759735d3.txt")}


def timed(text: str, name: str = "") -> tuple[float, object]:
    start = time.perf_counter()
    report = check_text(text, filename=name)
    return time.perf_counter() - start, report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, nargs="+", default=[1, 10, 40])
    args = parser.parse_args()
    timed(PAGE)  # warm caches (SymPy, the first identity proof)
    print(f"{'document':<22} {'chains':>7} {'links':>6} {'seconds':>8} {'ms/chain':>9}")
    rows = [(f"{n} page(s)", "".join(f"\n## Problem {k}\n\n{PAGE}" for k in range(1, n + 1)), "x.md")
            for n in args.pages]
    rows += [(name, path.read_text(encoding="utf-8"), path.name)
             for name, path in OTHERS.items() if path.exists()]
    for name, text, filename in rows:
        seconds, report = timed(text, filename)
        links = sum(report.link_counts().values())
        chains = len(report.items)
        print(f"{name:<22} {chains:>7} {links:>6} {seconds:>8.2f} {1000 * seconds / max(chains, 1):>9.1f}")


if __name__ == "__main__":
    main()
