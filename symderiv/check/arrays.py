"""Vectors and matrices as a document writes them: the arithmetic of ``W x + b``,
``δ a^T``, ``(W^T δ) ⊙ f'(z)`` and ``W - η ∇W``, entry by entry, on SymPy expressions.

A :class:`Tup` is a column (a tuple ``(i_1, i_2)`` reads as one too), a :class:`Row` a row,
a :class:`Matrix` a tuple of rows. A product of two arrays is the matrix product when the
shapes allow it (a row times a column is a number); ``\\odot`` and ``\\circ`` multiply entry
by entry. Anything else on arrays (a vector plus a number, shapes that do not fit) is not
read: the caller raises its Unreadable with the reason returned here.

Entries have names, so that a vector or a matrix the document names (``W^{(1)}``,
``\\delta^{(2)}``, ``x``) stands for its entries wherever the document uses it:
entry (j, k) of ``W^{(1)}`` is ``w^{(1)}_{jk}`` (``w1_j_k``; ``W1_j_k`` also),
entry k of ``\\delta^{(2)}`` is ``\\delta^{(2)}_k`` or, where the document only wrote those,
``\\partial E / \\partial z^{(2)}_k``; of ``\\partial E / \\partial W^{(2)}`` it is
``\\partial E / \\partial w^{(2)}_{jk}``.
"""

import re

import sympy as sp

from symderiv.calculus.expr import symbol

MAX_ENTRIES = 400   # entries of one array
MAX_SIDE = 64       # rows or columns found by a name's entries
LOSS_LETTERS = ("E", "L", "J", "C", "Etotal")


class Tup(tuple):
    """A tuple or column vector: ``(i_1, i_2)``, ``\\begin{bmatrix} h_1 \\\\ h_2 \\end{bmatrix}``."""


class Row(Tup):
    """A row vector: a one-row matrix, or a column vector transposed (``x^T``)."""


class Matrix(Tup):
    """A matrix, row by row: ``W = \\begin{bmatrix} 0.1 & 0.2 \\\\ 0.3 & 0.4 \\end{bmatrix}``
    gives W_{11}, W_{12}, … (and w_{11}, …) their values; ``W x + b`` is a matrix product."""


class Misfit(Exception):
    """Arithmetic these arrays do not allow (the message says why)."""


def is_array(value) -> bool:
    return isinstance(value, Tup)


def rows(value) -> list[list]:
    """The entries as rows (a column is n rows of one)."""
    if isinstance(value, Matrix):
        return [list(r) for r in value]
    if isinstance(value, Row):
        return [list(value)]
    return [[v] for v in value]


def build(table: list[list]):
    """The array (or the number, for 1×1) with these rows."""
    if not table or not table[0]:
        raise Misfit("an empty array")
    if len(table) == 1 and len(table[0]) == 1:
        return table[0][0]
    if len(table[0]) == 1:
        return Tup(r[0] for r in table)
    if len(table) == 1:
        return Row(table[0])
    return Matrix(Tup(r) for r in table)


def shape(value) -> tuple[int, int]:
    table = rows(value)
    return len(table), len(table[0]) if table else 0


def entries(value) -> list:
    """Every entry, row by row."""
    return [v for r in rows(value) for v in r] if is_array(value) else [value]


def flat(value) -> Tup:
    return Tup(entries(value))


def entry_labels(value) -> list[str]:
    """How the report names each entry of ``entries(value)``: "2" or "(2, 3)"."""
    if isinstance(value, Matrix):
        return [f"({j}, {k})" for j, r in enumerate(value, 1) for k in range(1, len(r) + 1)]
    return [str(k) for k in range(1, len(value) + 1)]


def transpose(value):
    if not is_array(value):
        raise Misfit("a transpose of a number")
    table = rows(value)
    return build([list(c) for c in zip(*table)])


def _entrywise(left, right, op, what: str):
    if shape(left) != shape(right):
        raise Misfit(f"{what} of arrays of different shapes")
    table = [[op(a, b) for a, b in zip(ra, rb)] for ra, rb in zip(rows(left), rows(right))]
    return _like(left, table)


def _like(template, table):
    """An array of ``template``'s kind (a tuple stays a column, a row a row)."""
    if isinstance(template, Matrix):
        return Matrix(Tup(r) for r in table)
    if isinstance(template, Row):
        return Row(table[0])
    return Tup(r[0] for r in table)


def add(left, right, sign: int = 1):
    if is_array(left) != is_array(right):
        raise Misfit("a vector plus a number")
    if not is_array(left):
        return left + right if sign == 1 else left - right
    return _entrywise(left, right, (lambda a, b: _kept(sp.Add, a, b)) if sign == 1
                      else (lambda a, b: _kept(sp.Add, a, -b)), "a sum")


def negate(value):
    return map_entries(lambda v: -v, value)


def map_entries(function, value):
    if not is_array(value):
        return function(value)
    return _like(value, [[function(v) for v in r] for r in rows(value)])


def multiply(left, right):
    """``a · b``: numbers, a number times an array, or the matrix product."""
    if not is_array(left) and not is_array(right):
        return left * right
    if not is_array(left):
        return map_entries(lambda v: _kept(sp.Mul, left, v), right)
    if not is_array(right):
        return map_entries(lambda v: _kept(sp.Mul, v, right), left)
    a, b = rows(left), rows(right)
    if len(a[0]) != len(b):
        if shape(left) == shape(right) and len(a[0]) == 1:
            raise Misfit("a product of two column vectors (write ⊙ or a transpose)")
        raise Misfit(f"a product of a {len(a)}×{len(a[0])} and a {len(b)}×{len(b[0])} array")
    if len(a) * len(b[0]) > MAX_ENTRIES:
        raise Misfit(f"an array of more than {MAX_ENTRIES} entries")
    return build([[sp.Add(*(a[i][t] * b[t][j] for t in range(len(b))))
                   for j in range(len(b[0]))] for i in range(len(a))])


def hadamard(left, right):
    """``a ⊙ b``: entry by entry (a number times an array is a scaling)."""
    if not is_array(left) or not is_array(right):
        return multiply(left, right)
    return _entrywise(left, right, lambda a, b: _kept(sp.Mul, a, b), "an entry-wise product")


def _kept(operation, a, b):
    """a + b or a · b; left unevaluated where it would fold into one printed number
    (0.5 − 0.5 · 0 is a computation, not the result 0.5 printed: printed numbers are
    SymPy Dummies)."""
    value = operation(a, b)
    bare = value.is_Atom or isinstance(value, sp.Mul) and len(value.args) == 2 \
        and value.args[0] == -1 and value.args[1].is_Atom
    if bare and value.atoms(sp.Dummy):
        return operation(a, b, evaluate=False)
    return value


# -- names of entries ----------------------------------------------------------------------

_MARKS = re.compile(r"(?:'|\+|\*|new|hat|bar|tilde|vec)*$")


def entry_names(name: str, index: tuple[int, ...]) -> list[str]:
    """The names entry ``index`` of the array ``name`` goes by, the usual one first."""
    derivative = _derivative_parts(name)
    if derivative is not None:
        top, variable = derivative
        return [f"d{top}/d{v}" for v in entry_names(variable, index)]
    marks = _MARKS.search(name).group(0)
    stem = name[:len(name) - len(marks)]
    if stem.endswith("_"):
        core = stem + "_".join(map(str, index))
    elif all(k < 10 for k in index):
        core = stem + "".join(map(str, index))
    else:
        core = stem + "_".join(map(str, index))
    spellings = [core + marks]
    if len(index) == 2 and stem[:1].isupper():  # W^{(1)} holds w^{(1)}_{jk}
        spellings.insert(0, core[0].lower() + core[1:] + marks)
    if stem.startswith("delta") and len(index) == 1 and not marks:  # δ^{(2)}_k is ∂E/∂z^{(2)}_k
        layer = stem[len("delta"):]
        spellings += [f"d{loss}/dz{layer}{index[0]}" for loss in LOSS_LETTERS]
    return spellings


def _derivative_parts(name: str):
    if name.startswith("d") and "/d" in name:
        top, variable = name[1:].split("/d", 1)
        if top and variable:
            return top, variable
    return None


def named_array(name: str, known, force: bool = False):
    """The array of entry names the name ``name`` stands for, found from the entries the
    document has given values (``known``: ``symbol in known``), or None.

    Only names that read as arrays qualify (a layer label, ``W^{(1)}``, a capital, a
    derivative by one) unless ``force`` (the name is transposed): ``x`` with x_1 and x_2
    known stays the name x in ``σ(x) = …``.
    """
    if _symbol(name) in known:
        return None
    stem = name.rstrip("'+*")
    variable = _derivative_parts(stem)
    target = variable[1] if variable is not None else stem
    labelled = target.endswith("_") or force      # z^{(1)}, δ^{(2)}: vectors or matrices
    capital = target[:1].isupper()                 # W: a matrix (E stays a number)
    if not (labelled or capital):
        return None

    def found(index):
        return next((n for n in entry_names(name, index) if _symbol(n) in known), None)

    if found((1, 1)) is not None and (found((1, 2)) is not None or found((2, 1)) is not None):
        height = _count(lambda j: found((j, 1)))
        width = _count(lambda k: found((1, k)))
        table = [[found((j, k)) for k in range(1, width + 1)] for j in range(1, height + 1)]
        if all(e is not None for r in table for e in r):
            return build([[_symbol(e) for e in r] for r in table])
    length = _count(lambda k: found((k,))) if labelled else 0
    if length >= (1 if force else 2):
        return Tup(_symbol(found((k,))) for k in range(1, length + 1))
    return None


def _count(exists) -> int:
    n = 0
    while n < MAX_SIDE and exists(n + 1) is not None:
        n += 1
    return n


def _symbol(name: str):
    return symbol(name)


def _index(name: str, like, j: int, k: int) -> tuple[int, ...]:
    """Entry (j, k) of a matrix, k of a vector; a capital's one row is a 1×n matrix."""
    variable = _derivative_parts(name)
    capital = (variable[1] if variable else name)[:1].isupper()
    if isinstance(like, Matrix) or capital and isinstance(like, Row):
        return (j, k)
    return (max(j, k),)


def array_of_names(name: str, like):
    """The array of entry names of ``name`` shaped like ``like`` (the chain's value)."""
    table = [[_symbol(entry_names(name, _index(name, like, j, k))[0]) for k in range(1, len(r) + 1)]
             for j, r in enumerate(rows(like), 1)]
    return _like(like, table)


def aliases(name: str, like) -> list[tuple]:
    """(entry, its other spelling) for a matrix's entries: W^{(1)}'s w1_1_1 is also W1_1_1."""
    pairs = []
    for j, r in enumerate(rows(like), 1):
        for k in range(1, len(r) + 1):
            index = _index(name, like, j, k)
            spellings = entry_names(name, index)
            if len(index) == 2 and len(spellings) > 1:
                pairs.append((_symbol(spellings[0]), _symbol(spellings[1])))
    return pairs
