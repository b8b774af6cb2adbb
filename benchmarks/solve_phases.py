"""One `symderiv solve --format tex,json -o DIR` of the built-in sheet, run through the
command line's own entry point in this process, with a clock reading at the edge of each
phase; prints the readings as one JSON object (run by ``solve_speed.py``).

    python benchmarks/solve_phases.py DIR

The first reading is taken before anything else is imported, so the CPU time spent until
then is the interpreter's start (Python, ``site``, the editable install's finder). Phases
are marked by wrapping the functions the command calls (``api.load``, each problem's
``solve``, ``api.render``, ``write_all``), never by changing them. Inside the command (so
with its collector settings), SymPy, the reader and the solvers are imported on their own
just before the spec is loaded, each a row of its own instead of falling into "load".
"""

import time

_START = (time.process_time(), time.time())

import json  # noqa: E402 - after the first reading (json is imported by the command too)
import resource  # noqa: E402
import sys  # noqa: E402

_marks = [("interpreter start", *_START)]


def mark(name: str) -> None:
    _marks.append((name, time.process_time(), time.time()))


def main() -> None:
    out = sys.argv[1]
    from symderiv import api, cli
    import symderiv.commands.solve as command
    import symderiv.files as files
    mark("import the command line (cli, the solve command)")
    _wrap_phases(api, command, files)
    sys.argv = ["symderiv", "solve", "--format", "tex,json", "-o", out]
    entry = getattr(cli, "command_line", cli.main)   # older checkouts: main() alone
    with _quiet():
        code = entry()
    mark("print the paths, leave main")
    assert code == 0, code
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({"marks": _marks,
                      "children_cpu": children.ru_utime + children.ru_stime}))
    sys.stdout.flush()


def _wrap_phases(api, command, files) -> None:
    load, render, write_all = api.load, api.render, files.write_all

    def loaded(*args, **kwargs):
        mark("parse the command line")
        import sympy  # noqa: F401
        mark("import sympy")
        import symderiv.spec  # noqa: F401
        mark("import symderiv's reader")
        sheet = load(*args, **kwargs)
        from symderiv import problems
        mark("load the spec")
        solve_one = problems.solve

        def solved(problem):
            solution = solve_one(problem)
            mark(f"solve problem {problem.id} ({problem.kind})")
            return solution

        problems.solve = solved
        return sheet

    def rendered(solutions, format, **kwargs):
        if format == "tex":
            import symderiv.render.latex_sheet  # noqa: F401
            mark("import the renderer")
        text = render(solutions, format, **kwargs)
        mark({"tex": "render .tex", "json": "JSON"}.get(format, format))
        return text

    def written(*args, **kwargs):
        result = write_all(*args, **kwargs)
        mark("write the files")
        return result

    api.load, api.render, command.write_all = loaded, rendered, written


class _quiet:
    """The command's own output (the paths it wrote) away from stdout, which carries the
    readings."""

    def __enter__(self):
        self.stdout, sys.stdout = sys.stdout, open("/dev/null", "w")

    def __exit__(self, *exc):
        sys.stdout.close()
        sys.stdout = self.stdout


if __name__ == "__main__":
    main()
