"""`symderiv derive EXPR`: f, f′ and f′ in terms of the output a = f(z), each checked."""

import json
from functools import cache

# An unverified derivative is a failed check (contract §4's 1), never a quiet success.
EXIT_VERIFIED, EXIT_NOT_VERIFIED = 0, 1

# SymPy and the activation registry are imported by run() (and the functions it calls),
# not at import: `symderiv --help` and the other commands do not load them for this one.


def add_parser(sub) -> None:
    p = sub.add_parser(
        "derive", help="derivative of an activation or formula, and in terms of its output",
        description="EXPR is an activation name (tanh, sigmoid, swish, gelu, ...) or a formula. "
                    "Prints f, f', and f' written in the output a = f(z) where one exists, "
                    "each checked. Exit 0 when f' is verified (it matches mpmath finite "
                    "differences), 1 when it is not (the output says why), 2 on bad input.")
    p.add_argument("expr", metavar="EXPR", help="activation name or formula, e.g. 'x*sigmoid(beta*x)'")
    p.add_argument("--wrt", metavar="VAR", help="variable to differentiate by (default z, x, or the only one)")
    p.add_argument("--format", choices=("text", "latex", "json"), default="text")
    p.set_defaults(run=run)


def run(args) -> int:
    from symderiv.calculus.activations import derive

    d = derive(args.expr, args.wrt)
    print({"text": as_text, "latex": as_latex, "json": as_json}[args.format](d))
    return EXIT_VERIFIED if d.verified else EXIT_NOT_VERIFIED


def as_text(d) -> str:
    import sympy as sp

    (_, how_df), (_, how_out) = d.checks
    if isinstance(d.f, sp.MatrixBase):  # a layer function (softmax): a_j and ∂a_j/∂z_k
        labels = ("a_j", "da_j/dz_k", "da_j/dz_k in a")
    else:
        v, a = d.variable, d.output
        labels = (f"f({v})", f"f'({v})", f"f' in {a} = f({v})")
    rows = [(labels[0], _human(d.f), None), (labels[1], _human(d.df), how_df)]
    if d.df_in_output is None:
        rows.append((labels[2], how_out, None))
    else:
        rows.append((labels[2], _human(d.df_in_output, order="none"), how_out))
    width = max(len(label) for label, _, _ in rows)
    indent = " " * (width + 5)
    lines = [d.name]
    for label, body, how in rows:
        lines.append(f"  {label.ljust(width)} = " + body.replace("\n", "\n" + indent))
        if how:
            lines.append(f"{indent}[{how}]")
    lines.append(f"  verified: {'yes' if d.verified else 'NO'}")
    return "\n".join(lines)


def as_latex(d) -> str:
    import sympy as sp

    from symderiv.calculus.expr import symbol
    from symderiv.calculus.latex import latex

    if isinstance(d.f, sp.MatrixBase):  # softmax: a_j and ∂a_j/∂z_k
        f, df = symbol("a_j"), sp.Derivative(symbol("a_j"), symbol("z_k"))
        where = ""
    else:
        f = sp.Function("f")(d.variable)
        df = sp.Derivative(f, d.variable)
        where = rf", \quad {latex(d.output)} = {latex(f)}"
    lines = [f"{latex(f)} = {latex(d.f)}", f"{latex(df)} = {latex(d.df)}"]
    if d.df_in_output is not None:
        lines.append(f"{latex(df)} = {latex(d.df_in_output, order='none')}{where}")
    lines += [f"% {what}: {how}" for what, how in d.checks]
    return "\n".join(lines)


def as_json(d) -> str:
    from symderiv.calculus.outputform import form_text

    return json.dumps({
        "name": d.name, "variable": str(d.variable),
        "f": _plain(d.f), "df": _plain(d.df),
        "df_in_output": form_text(d.df_in_output), "output": str(d.output), "verified": d.verified,
        "checks": [{"what": what, "method": how} for what, how in d.checks],
    }, ensure_ascii=False, indent=2)


@cache
def _human_printer_class():
    import sympy as sp
    from sympy.printing.str import StrPrinter

    class HumanPrinter(StrPrinter):
        """SymPy's str form, with a piecewise function written as a teacher reads it."""

        def _print_Piecewise(self, expr):
            parts = [f"{self._print(e)} if {self._print(c)}" if c is not sp.true else
                     f"{self._print(e)} otherwise" for e, c in expr.args]
            return "{" + "; ".join(parts) + "}"

    return HumanPrinter


def _human(e, order: str | None = None) -> str:
    """Text for people, matrices row by row; ``order="none"`` keeps a product as the
    output form built it ((1 + a)*(1 - a), not (1 - a)*(a + 1))."""
    import sympy as sp

    printer = _human_printer_class()({"order": order})
    if isinstance(e, sp.MatrixBase):
        return "\n".join("[" + ", ".join(printer.doprint(x) for x in e.row(i)) + "]"
                         for i in range(e.rows))
    return printer.doprint(e)


def _plain(e) -> str:
    """SymPy's str form (the contract's JSON), on one line."""
    import sympy as sp

    return sp.sstr(e.tolist() if isinstance(e, sp.MatrixBase) else e)
