"""The command line itself: formulas that start with '-', a closed output pipe, and the
last resort for run-time failures no input check caught.

Most cases run in-process through the same main() the console script runs (fast); the
pipe and the "no traceback" cases go through a real `python -m symderiv` subprocess.
"""

import json
import os
import subprocess
import sys

import mpmath
import pytest

from symderiv import cli
from symderiv.cli import main


def one_error_line(captured) -> str:
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("symderiv: error: ") and "Traceback" not in captured.err
    return lines[0]


# -- formulas starting with '-' (finding 5) --------------------------------------------------

def test_verify_minus_x_against_itself(capsys):
    assert main(["verify", "-x", "-x"]) == 0
    assert capsys.readouterr().out.startswith("equal (")


@pytest.mark.parametrize("argv", [
    ["verify", "-x", "x", "--format", "json"],
    ["verify", "--format", "json", "--", "x", "-x"],
    ["verify", "-x*sigmoid(x)", "x*sigmoid(x)", "--format", "json"],
])
def test_a_leading_minus_is_read_as_part_of_the_formula(capsys, argv):
    assert main(argv) == 1
    answer = json.loads(capsys.readouterr().out)
    point = mpmath.mpf(answer["counterexample"]["point"]["x"])
    # the two sides are -u and u (or u and -u): check the values shown with mpmath
    sides = {"x": point, "-x": -point,
             "x*sigmoid(x)": point / (1 + mpmath.exp(-point)),
             "-x*sigmoid(x)": -point / (1 + mpmath.exp(-point))}
    lhs, rhs = [a for a in argv[1:] if a not in ("--format", "json", "--")]
    assert sides[lhs] != sides[rhs]
    assert abs(mpmath.mpf(answer["counterexample"]["lhs"]) - sides[lhs]) < 1e-13
    assert abs(mpmath.mpf(answer["counterexample"]["rhs"]) - sides[rhs]) < 1e-13


def test_negative_numbers_are_formulas_too(capsys):
    assert main(["verify", "-1", "-(3-2)"]) == 0
    assert main(["verify", "-0.5", "-1/3"]) == 1
    assert "LHS = -0.5" in capsys.readouterr().out


def test_derive_minus_z(capsys):
    assert main(["derive", "-z", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["f"] == "-z" and data["df"] == "-1" and data["verified"] is True


def test_a_mistyped_long_option_is_still_an_error(capsys):
    assert main(["verify", "x", "x", "--fromat", "json"]) == 2
    line = one_error_line(capsys.readouterr())
    assert "--fromat" in line


def test_an_extra_dash_word_is_an_extra_argument(capsys):
    # "-fromat" is read as a third formula, which verify does not take
    assert main(["verify", "x", "x", "-fromat"]) == 2
    assert "-fromat" in one_error_line(capsys.readouterr())


def test_registered_short_options_still_work():
    parser = cli._build_parser()
    assert parser.parse_args(["solve", "-o", "out"]).output == "out"
    assert parser.parse_args(["solve", "-oout"]).output == "out"
    assert parser.parse_args(["derive", "-z"]).expr == "-z"
    with pytest.raises(SystemExit):
        parser.parse_args(["derive", "-h"])


# -- a closed pipe (finding 14) ---------------------------------------------------------------

def test_a_closed_pipe_ends_quietly_without_a_traceback():
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before anything is written, as with `| head -0`
    try:
        done = subprocess.run([sys.executable, "-m", "symderiv", "derive", "tanh"],
                              stdout=write_end, stderr=subprocess.PIPE, text=True, timeout=120)
    finally:
        os.close(write_end)
    assert done.stderr == ""
    assert done.returncode == cli.EXIT_BROKEN_PIPE == 1


def test_piping_into_head_shows_the_first_line():
    # Python ignores SIGPIPE, so the writer sees EPIPE as an exception: it must stay quiet.
    done = subprocess.run(f"'{sys.executable}' -m symderiv derive softmax | head -1",
                          shell=True, capture_output=True, text=True, timeout=120)
    assert done.stdout == "softmax\n" and done.stderr == ""


# -- the last resort (finding 17) ---------------------------------------------------------

@pytest.mark.parametrize("failure, says", [
    (MemoryError(), "ran out of memory"),
    (OverflowError("(34, 'Numerical result out of range')"), "too large to compute with"),
    (RecursionError("maximum recursion depth exceeded"), "nested too deeply"),
])
def test_resource_failures_are_one_line_and_exit_2(capsys, monkeypatch, failure, says):
    import symderiv.calculus.activations

    def fail(*args, **kwargs):
        raise failure

    monkeypatch.setattr(symderiv.calculus.activations, "derive", fail)
    assert main(["derive", "tanh"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    line = one_error_line(captured)
    assert line.startswith("symderiv: error: derive: ") and says in line


def test_the_last_resort_through_a_real_process():
    # A real subprocess: the console script prints the one line, and no traceback.
    code = ("import sys, symderiv.calculus.verify as v\n"
            "def boom(*a, **k): raise RecursionError('deep')\n"
            "v.decide = boom\n"
            "from symderiv.cli import main\n"
            "sys.exit(main(['verify', 'x', 'x+0*y']))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, cwd=os.path.dirname(os.path.dirname(__file__)))
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.splitlines() == [
        "symderiv: error: verify: an expression is nested too deeply to compute with"]


# -- the process: only the command it runs, the collector tuned (issue 14) --------------------

def _parsed(parser, argv):
    """What a parser makes of argv: its namespace (without the run function), or the
    error it raises, or how --help/--version exit, with everything it printed."""
    import contextlib
    import io
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            args = parser.parse_args(argv)
    except cli.InputError as e:
        return ("error", str(e))
    except SystemExit as e:
        return ("exit", e.code, out.getvalue())
    return ("args", {k: v for k, v in vars(args).items() if k != "run"})


@pytest.mark.parametrize("argv", [
    ["solve"], ["solve", "a.toml", "b.toml", "-oout", "--lang", "en", "--format", "tex,md"],
    ["solve", "--fromat", "tex"], ["solve", "--lang", "fr"], ["solve", "--help"],
    ["derive", "-z", "--wrt", "z"], ["verify", "x"], ["verify", "-x", "x", "--timeout", "2"],
    ["check", "-", "--given", "w5=0.3", "--format", "json"], ["check"],
    ["vary", "s.toml", "-n", "3"], ["export", "gelu", "--to", "python"], ["export", "gelu"],
])
def test_a_command_parses_alike_with_its_own_parser_alone(argv):
    """The oracle is the parser with every command: the one that reads argv whichever
    command comes first gives the same arguments, errors and help."""
    assert cli._commands_named(argv) == (argv[0],)
    assert _parsed(cli._build_parser((argv[0],)), argv) == _parsed(cli._build_parser(), argv)


@pytest.mark.parametrize("argv", [[], ["--help"], ["--version"], ["-h", "solve"], ["sovle"]])
def test_without_a_command_first_every_command_is_there(argv):
    assert cli._commands_named(argv) == cli.COMMANDS


def test_a_command_imports_no_other_command():
    code = ("import sys\nfrom symderiv.cli import main\n"
            "code = main(['verify', 'x', 'x'])\n"
            "print(code, sorted(m for m in sys.modules if m.startswith('symderiv.commands.')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, cwd=os.path.dirname(os.path.dirname(__file__)))
    assert done.stdout.splitlines()[-1] == "0 ['symderiv.commands.verify']"


def test_the_process_runs_main_with_the_collector_tuned_and_frozen_at_the_end():
    code = ("import gc, sys\nfrom symderiv.cli import command_line\n"
            "sys.argv = ['symderiv', 'verify', 'x', '2*x - x']\n"
            "code = command_line()\n"
            "print(code, gc.get_threshold(), gc.get_freeze_count() > 0)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, cwd=os.path.dirname(os.path.dirname(__file__)))
    assert done.stdout.splitlines()[-1] == f"0 {cli.COLLECTOR_THRESHOLDS} True"
