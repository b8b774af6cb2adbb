"""How ``check`` does on worked solutions written the way other people write them.

The corpus is tests/data/check/public/ (written by tests/data/check/make_public.py, every
number from mpmath): twelve documents with 30 planted errors, each marked on its line by a
comment check never sees. Per document and in total:

- read: the links check judged (ok, WRONG or rounding), then those of them on the lines
  a careful reader can check, at most as many per line as the generator counts there,
  out of its count (check also judges links a reader may pass over, such as
  ∂E/∂w_5 = e·h_1 against the formulas, so the first figure can exceed the count);
- found: planted errors flagged (WRONG or rounding) at their line;
- false: flags on a line with no planted error (with --spec, lines marked as inheriting a
  planted error or as wrong against the problem are not false alarms);
- skipped: links check could not judge; seconds: in-process time.

    python benchmarks/check_corpus.py [--spec] [--verbose]
"""

import argparse
import importlib.util
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from symderiv.check.grade import grade_text  # noqa: E402
from symderiv.check.judge import check_text  # noqa: E402
from symderiv.spec import load_sheet  # noqa: E402

DATA = ROOT / "tests" / "data" / "check"
FLAGS = ("WRONG", "rounding")


def generator():
    spec = importlib.util.spec_from_file_location("make_public", DATA / "make_public.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def measure(name: str, make, spec_path: str | None = None) -> dict:
    """check (or check --spec) on one document, scored against its annotations."""
    text, meta = make()
    start = time.perf_counter()
    if spec_path:
        report = grade_text(text, load_sheet(ROOT / spec_path), filename=name)
    else:
        report = check_text(text, filename=name)
    seconds = time.perf_counter() - start
    links = [link for item in report.items for link in item.links]
    flagged = {item.line: item for item in report.items if item.status in FLAGS}
    expected = dict(meta["planted"])
    excused = set(meta["inherits"]) | set(meta["spec"]) if spec_path else set()
    if spec_path:
        expected.update({n: "spec" for n in meta["spec"]})
    return {
        "name": name, "statements": meta["statements"], "planted": len(expected),
        "read": sum(link.status in ("ok",) + FLAGS for link in links),
        "counted": sum(min(n, sum(link.line == line and link.status in ("ok",) + FLAGS
                                  for link in links))
                       for line, n in meta["counts"].items()),
        "found": sorted(n for n in expected if n in flagged),
        "missed": sorted(n for n in expected if n not in flagged),
        "false": sorted(n for n in flagged if n not in expected and n not in excused),
        "skipped": sum(link.status == "skipped" for link in links),
        "seconds": seconds, "report": report, "kinds": expected,
    }


def table(rows: list[dict], verbose: bool) -> None:
    head = (f"{'document':<16} {'read':>5} {'of counted':>10} {'found':>7} {'false':>6} "
            f"{'skipped':>8} {'seconds':>8}")
    print(head)
    print("-" * len(head))
    for row in rows:
        print(f"{row['name']:<16} {row['read']:>5} {row['counted']:>5}/{row['statements']:<4} "
              f"{len(row['found']):>3}/{row['planted']:<3} {len(row['false']):>6} "
              f"{row['skipped']:>8} {row['seconds']:>8.2f}")
    total = {key: sum(len(r[key]) if isinstance(r[key], list) else r[key] for r in rows)
             for key in ("read", "counted", "statements", "found", "planted", "false", "skipped",
                         "seconds")}
    print("-" * len(head))
    print(f"{'total':<16} {total['read']:>5} {total['counted']:>5}/{total['statements']:<4} "
          f"{total['found']:>3}/{total['planted']:<3} {total['false']:>6} "
          f"{total['skipped']:>8} {total['seconds']:>8.2f}")
    for row in rows:
        lines = row["report"].items
        for n in row["missed"]:
            item = next((i for i in lines if i.first_line <= n <= i.last_line), None)
            print(f"  missed {row['name']}:{n} ({row['kinds'][n]}): "
                  + (f"{item.status}" + (f" ({item.reason})" if item.reason else "")
                     if item else "not read"))
        for n in row["false"]:
            item = next(i for i in lines if i.line == n)
            print(f"  false  {row['name']}:{n}: {item.status} expected {item.expected}")
        if verbose:
            print(row["report"].text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", action="store_true",
                        help="grade the documents that have a spec against it (check --spec)")
    parser.add_argument("--verbose", action="store_true", help="print each document's report")
    parser.add_argument("documents", nargs="*", help="only these documents")
    args = parser.parse_args()
    gen = generator()
    names = args.documents or list(gen.DOCUMENTS)
    check_text("$$a = 1 + 1 = 2$$")  # warm SymPy's caches
    rows = [measure(name, gen.DOCUMENTS[name]) for name in names]
    print("check, on the public-style corpus")
    table(rows, args.verbose)
    if args.spec:
        specs = [name for name in names if name in gen.SPECS]
        print("\ncheck --spec")
        table([measure(name, gen.DOCUMENTS[name], gen.SPECS[name]) for name in specs], args.verbose)


if __name__ == "__main__":
    main()
