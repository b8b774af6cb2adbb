"""Write the worked documents of tests/data/check/corpus/ (numbers computed with mpmath).

Each document works the same kind of problem in another notation (English and Chinese,
Markdown and LaTeX) and plants three errors, each marked on its line ("planted: arithmetic",
"planted: result", "planted: rounding"). mazur.md is the classic 2-2-2 sigmoid note, with no
error a reader of the math alone can see, and final lists whose two bias updates are wrong
("spec: wrong"). Nothing here calls symderiv: the numbers are the oracle.

    python tests/data/check/make_corpus.py        # rewrites the documents
"""

from pathlib import Path

import mpmath

mpmath.mp.dps = 40
HERE = Path(__file__).parent / "corpus"


def sig(x):
    return 1 / (1 + mpmath.exp(-x))


def f(x, d: int = 4) -> str:
    """x rounded to d decimals, as printed."""
    return mpmath.nstr(mpmath.mpf(x), d + 8, min_fixed=-50, max_fixed=50) if d is None else \
        f"{float(mpmath.nint(mpmath.mpf(x) * 10**d)) / 10**d:.{d}f}"


def cut(x, d: int = 4) -> str:
    """x rounded the wrong way in its last digit: a rounding slip (off by less than a unit)."""
    x = mpmath.mpf(x)
    r = mpmath.nint(x * 10**d)
    slip = r + 1 if x * 10**d > r else r - 1
    return f"{float(slip) / 10**d:.{d}f}"


def m(x: str):
    return mpmath.mpf(x)


# -- the classic 2-2-2 note ---------------------------------------------------------------------

def mazur() -> str:
    i1, i2 = m("0.05"), m("0.10")
    w = {k: m(v) for k, v in zip(range(1, 9), ("0.15", "0.20", "0.25", "0.30", "0.40", "0.45",
                                              "0.50", "0.55"))}
    b1, b2, t1, t2, eta = m("0.35"), m("0.60"), m("0.01"), m("0.99"), m("0.5")
    net_h1 = w[1] * i1 + w[2] * i2 + b1
    net_h2 = w[3] * i1 + w[4] * i2 + b1
    h1, h2 = sig(net_h1), sig(net_h2)
    net_o1 = w[5] * h1 + w[6] * h2 + b2
    net_o2 = w[7] * h1 + w[8] * h2 + b2
    o1, o2 = sig(net_o1), sig(net_o2)
    e1, e2 = (t1 - o1) ** 2 / 2, (t2 - o2) ** 2 / 2
    d1 = (o1 - t1) * o1 * (1 - o1)   # δ_{o1}
    d2 = (o2 - t2) * o2 * (1 - o2)
    g5, g6, g7, g8 = d1 * h1, d1 * h2, d2 * h1, d2 * h2
    dh1 = d1 * w[5] + d2 * w[7]
    dh2 = d1 * w[6] + d2 * w[8]
    g1 = dh1 * h1 * (1 - h1) * i1
    gb1 = dh1 * h1 * (1 - h1) + dh2 * h2 * (1 - h2)
    gb2 = d1 + d2
    new = {5: w[5] - eta * g5, 6: w[6] - eta * g6, 7: w[7] - eta * g7, 8: w[8] - eta * g8,
           1: w[1] - eta * g1}
    b1_new, b2_new = b1 - eta * gb1, b2 - eta * gb2
    n = lambda x: f(x, 9)  # noqa: E731 - the note prints nine decimals
    wrong_b1 = n(new[1])   # the note repeats w_1^+ for b_1^+ and w_7^+ for b_2^+
    wrong_b2 = n(new[7])
    assert abs(m(wrong_b1) - b1_new) > 1e-3 and abs(m(wrong_b2) - b2_new) > 1e-3
    return f"""# Backpropagation, step by step

The network has inputs $i_1 = 0.05$, $i_2 = 0.10$, weights $w_1 = 0.15$, $w_2 = 0.20$,
$w_3 = 0.25$, $w_4 = 0.30$, $w_5 = 0.40$, $w_6 = 0.45$, $w_7 = 0.50$, $w_8 = 0.55$,
biases $b_1 = 0.35$, $b_2 = 0.60$, targets $target_{{o1}} = 0.01$ and $target_{{o2}} = 0.99$,
and the learning rate $\\eta = 0.5$.

## The forward pass

$$net_{{h1}} = w_1 \\times i1 + w_2 \\times i2 + b_1 \\times 1 = 0.15 \\times 0.05 + 0.2 \\times 0.1 + 0.35 \\times 1 = {f(net_h1)}$$

$$out_{{h1}} = \\frac{{1}}{{1+e^{{-net_{{h1}}}}}} = \\frac{{1}}{{1+e^{{-{f(net_h1)}}}}} = {n(h1)}$$

Carrying out the same process for $h2$ we get $out_{{h2}} = {n(h2)}$.

$$net_{{o1}} = w_5 \\times out_{{h1}} + w_6 \\times out_{{h2}} + b_2 \\times 1 = 0.4 \\times {n(h1)} + 0.45 \\times {n(h2)} + 0.6 \\times 1 = {n(net_o1)}$$

$$out_{{o1}} = \\frac{{1}}{{1+e^{{-net_{{o1}}}}}} = \\frac{{1}}{{1+e^{{-{n(net_o1)}}}}} = {n(o1)}$$

And for $o2$: $out_{{o2}} = {n(o2)}$.

## The total error

$$E_{{o1}} = \\frac{{1}}{{2}}(target_{{o1}} - out_{{o1}})^{{2}} = \\frac{{1}}{{2}}(0.01 - {n(o1)})^{{2}} = {n(e1)}$$

$$E_{{o2}} = {n(e2)}$$

$$E_{{total}} = E_{{o1}} + E_{{o2}} = {n(e1)} + {n(e2)} = {n(e1 + e2)}$$

## The backward pass

$$\\frac{{\\partial E_{{total}}}}{{\\partial out_{{o1}}}} = -(target_{{o1}} - out_{{o1}}) = -(0.01 - {n(o1)}) = {n(o1 - t1)}$$

$$\\frac{{\\partial out_{{o1}}}}{{\\partial net_{{o1}}}} = out_{{o1}}(1 - out_{{o1}}) = {n(o1)}(1 - {n(o1)}) = {n(o1 * (1 - o1))}$$

$$\\frac{{\\partial E_{{total}}}}{{\\partial w_5}} = {n(o1 - t1)} \\times {n(o1 * (1 - o1))} \\times {n(h1)} = {n(g5)}$$

$$w_5^+ = w_5 - \\eta \\times \\frac{{\\partial E_{{total}}}}{{\\partial w_5}} = 0.4 - 0.5 \\times {n(g5)} = {n(new[5])}$$

Repeating this for the other weights:

$$[w_5^+, w_6^+, w_7^+, w_8^+] = [{n(new[5])}, {n(new[6])}, {n(new[7])}, {n(new[8])}]$$

$$w_1^+ = {n(new[1])}$$

and the biases:

$$[b_1^+, b_2^+] = [{wrong_b1}, {wrong_b2}]$$ <!-- spec: wrong -->
"""


def mazur_spec() -> str:
    return """# The classic 2-2-2 sigmoid example (the note tests/data/check/corpus/mazur.md works it).
[sheet]
title = "2-2-2"
lang = "en"

[[problem]]
id = "1"
kind = "backprop"

[problem.network]
inputs = ["i1", "i2"]
layers = [
  { neurons = ["h1", "h2"], activation = "sigmoid" },
  { neurons = ["o1", "o2"], activation = "sigmoid" },
]

[problem.network.weights]
w1 = { from = "i1", to = "h1", value = 0.15 }
w2 = { from = "i2", to = "h1", value = 0.20 }
w3 = { from = "i1", to = "h2", value = 0.25 }
w4 = { from = "i2", to = "h2", value = 0.30 }
w5 = { from = "h1", to = "o1", value = 0.40 }
w6 = { from = "h2", to = "o1", value = 0.45 }
w7 = { from = "h1", to = "o2", value = 0.50 }
w8 = { from = "h2", to = "o2", value = 0.55 }

[problem.network.biases]
b1 = { to = ["h1", "h2"], value = 0.35 }
b2 = { to = ["o1", "o2"], value = 0.60 }

[problem.data]
inputs  = { i1 = 0.05, i2 = 0.10 }
targets = { o1 = 0.01, o2 = 0.99 }

[problem.training]
loss = "half-sse"
loss_symbol = "E"
learning_rate = 0.5
gradients = ["w5"]
"""


# -- four worked documents with planted errors ----------------------------------------------------

def forward(x1, x2, v, c, u, d, t):
    """A 2-2-1 network, sigmoid everywhere, half squared error."""
    z1 = v[0] * x1 + v[1] * x2 + c
    z2 = v[2] * x1 + v[3] * x2 + c
    a1, a2 = sig(z1), sig(z2)
    zo = u[0] * a1 + u[1] * a2 + d
    o = sig(zo)
    return z1, z2, a1, a2, zo, o, (o - t) ** 2 / 2


def english_markdown() -> str:
    x1, x2, t, eta = m("0.5"), m("0.8"), m("1"), m("0.1")
    v, c, u, d = [m("0.2"), m("0.4"), m("0.3"), m("0.1")], m("0.1"), [m("0.6"), m("0.5")], m("0.2")
    z1, z2, a1, a2, zo, o, loss = forward(x1, x2, v, c, u, d, t)
    # the rounded values the document carries on with
    A1, A2 = m(f(a1)), m(f(a2))
    ZO = u[0] * A1 + u[1] * A2 + d
    O = m(f(sig(m(f(ZO)))))
    delta = (O - t) * O * (1 - O)
    D = m(f(delta))
    g = D * A1
    wrong_z2 = z2 + m("0.1")  # planted: arithmetic
    return f"""# Problem 1: a 2-2-1 sigmoid network

Inputs x1 = 0.5 and x2 = 0.8: $x1 = 0.5$, $x2 = 0.8$, target $y = 1$, learning rate $lr = 0.1$.
Weights $v1 = 0.2$, $v2 = 0.4$, $v3 = 0.3$, $v4 = 0.1$, $c = 0.1$, $u1 = 0.6$, $u2 = 0.5$, $d = 0.2$.

If $z_1 < 0$ then $\\text{{ReLU}}'(z_1) = 0$, but here every unit is a sigmoid.

$$
z1 = v1 x1 + v2 x2 + c = 0.2 \\cdot 0.5 + 0.4 \\cdot 0.8 + 0.1 = {f(z1)} \\\\
h1 = \\sigma(z1) = {cut(a1)} % planted: rounding
$$

> $$
> \\begin{{aligned}}
> z2 &= v3 x1 + v4 x2 + c \\\\
>    &= 0.3 \\cdot 0.5 + 0.1 \\cdot 0.8 + 0.1 = {f(wrong_z2)} % planted: arithmetic
> \\end{{aligned}}
> $$

$$[\\sigma(z1), \\sigma({f(z2)})] \\approx [{f(a1)}, {f(a2)}]$$

$$h2 = {f(a2)}$$

$$z_o = u1 h1 + u2 h2 + d = 0.6 \\times {f(a1)} + 0.5 \\times {f(a2)} + 0.2 = {f(ZO)}$$

$$\\hat{{y}} = \\sigma(z_o) = \\sigma({f(ZO)}) = {f(O)}$$

$$E = \\frac{{1}}{{2}}(\\hat{{y}} - y)^2 = \\frac{{1}}{{2}}({f(O)} - 1)^2 = {f(loss + m('0.01'))}$$ <!-- planted: result -->

$$\\delta = (\\hat{{y}} - y)\\,\\hat{{y}}(1 - \\hat{{y}}) = ({f(O)} - 1) \\times {f(O)} \\times (1 - {f(O)}) = {f(delta)}$$

$$\\frac{{\\partial E}}{{\\partial u1}} = \\delta \\cdot h1 = {f(D)} \\times {f(a1)} = {f(g)}$$

$$u1 \\leftarrow u1 - lr \\cdot \\frac{{\\partial E}}{{\\partial u1}} = 0.6 - 0.1 \\times ({f(g)}) = {f(u[0] - eta * m(f(g)))}$$
"""


def chinese_markdown() -> str:
    x1, x2, t, eta = m("1.0"), m("-0.5"), m("0"), m("0.2")
    v, c, u, d = [m("0.3"), m("-0.2"), m("0.5"), m("0.4")], m("0.05"), [m("0.7"), m("-0.3")], m("0.1")
    z1, z2, a1, a2, zo, o, loss = forward(x1, x2, v, c, u, d, t)
    A1, A2 = m(f(a1)), m(f(a2))
    ZO = u[0] * A1 + u[1] * A2 + d
    O = m(f(sig(m(f(ZO)))))
    e = O - t
    delta = e * O * (1 - O)
    D = m(f(delta))
    return f"""# 第 1 题

已知 $x_1 = 1.0$，$x_2 = -0.5$，目标 $y = 0$，学习率 $\\eta = 0.2$。
参数：$w_{{1,1}} = 0.3$，$w_{{1,2}} = -0.2$，$w_{{2,1}} = 0.5$，$w_{{2,2}} = 0.4$，$b = 0.05$，
$u_1 = 0.7$，$u_2 = -0.3$，$c = 0.1$。

【解】隐藏层：

$$z_1 = w_{{11}} x_1 + w_{{12}} x_2 + b = 0.3 \\times 1.0 + (-0.2) \\times (-0.5) + 0.05 = {f(z1 + m('0.02'))}$$ <!-- planted: arithmetic -->

$$h_1 = \\sigma({f(z1)}) = {f(a1)}$$

$$z_2 = w_{{21}} x_1 + w_{{22}} x_2 + b = 0.5 \\times 1.0 + 0.4 \\times (-0.5) + 0.05 = {f(z2)}$$

$$h_2 = \\sigma(z_2) = {cut(a2)}$$ <!-- planted: rounding -->

输出层：

$$z = u_1 h_1 + u_2 h_2 + c = 0.7 \\times {f(a1)} + (-0.3) \\times {f(a2)} + 0.1 = {f(ZO)}$$

$$o = \\sigma({f(ZO)}) = {f(O)}$$

误差 $e = o - y = {f(e)}$，损失

$$L = \\frac{{1}}{{2}} e^2 = \\frac{{1}}{{2}} \\times {f(e)}^2 = {f(e * e / 2)}$$

当 $z$ 很大时，$\\sigma'(z) \\approx 0$。

$$\\delta{{_o}} = e \\cdot o(1 - o) = {f(e)} \\times {f(O)} \\times (1 - {f(O)}) = {f(D + m('0.003'))}$$ <!-- planted: result -->

$$\\nabla_{{u_1}} L = \\delta_o h_1 = {f(D + m('0.003'))} \\times {f(a1)} = {f(m(f(D + m('0.003'))) * A1)}$$
"""


def english_latex() -> str:
    x1, x2, t, eta = m("0.25"), m("0.75"), m("1"), m("0.5")
    v, c, u, d = [m("0.1"), m("0.6"), m("-0.4"), m("0.2")], m("0.3"), [m("0.8"), m("0.9")], m("-0.1")
    z1, z2, a1, a2, zo, o, loss = forward(x1, x2, v, c, u, d, t)
    A1, A2 = m(f(a1)), m(f(a2))
    ZO = u[0] * A1 + u[1] * A2 + d
    O = m(f(sig(m(f(ZO)))))
    delta = (O - t) * O * (1 - O)
    D = m(f(delta))
    g2 = D * A2
    return f"""\\documentclass{{article}}
\\usepackage{{amsmath}}
\\begin{{document}}
\\section*{{Problem 1}}
Given $x_1 = 0.25$, $x_2 = 0.75$, $t = 1$, $\\eta = 0.5$, $W_{{1,1}} = 0.1$, $W_{{1,2}} = 0.6$,
$W_{{2,1}} = -0.4$, $W_{{2,2}} = 0.2$, $b^{{(1)}} = 0.3$, $u_1 = 0.8$, $u_2 = 0.9$, $b^{{(2)}} = -0.1$.
\\begin{{align*}}
z^{{(1)}}_1 &= W_{{11}} x_1 + W_{{12}} x_2 + b^{{(1)}} = 0.1 \\cdot 0.25 + 0.6 \\cdot 0.75 + 0.3 = {f(z1)} \\\\[0.8em]
a^{{(1)}}_1 &= \\sigma({f(z1)}) = {f(a1)} \\\\
z^{{(1)}}_2 &= W_{{21}} x_1 + W_{{22}} x_2 + b^{{(1)}} = \\underbrace{{-0.4 \\cdot 0.25}}_{{\\text{{first}}}} + 0.2 \\cdot 0.75 + 0.3 = {f(z2 - m('0.05'))} % planted: arithmetic
\\end{{align*}}
\\[ a^{{(1)}}_2 = \\sigma({f(z2)}) = {f(a2)} \\]
\\[ z^{{(2)}} = u_1 a^{{(1)}}_1 + u_2 a^{{(1)}}_2 + b^{{(2)}} = 0.8 \\cdot {f(a1)} + 0.9 \\cdot {f(a2)} - 0.1 = {f(ZO)} \\]
\\[ \\hat{{y}} = \\sigma({f(ZO)}) = {cut(sig(m(f(ZO))))} \\] % planted: rounding
\\[ J = \\tfrac{{1}}{{2}}(\\hat{{y}} - t)^2 = \\tfrac{{1}}{{2}}({f(O)} - 1)^2 = {f((O - 1) ** 2 / 2)} \\]
\\[ \\delta^{{(2)}} = (\\hat{{y}} - t)\\,\\hat{{y}}\\,(1 - \\hat{{y}}) = ({f(O)} - 1) \\cdot {f(O)} \\cdot (1 - {f(O)}) = {f(delta)} \\]
\\[ \\frac{{\\partial J}}{{\\partial u_2}} = \\delta^{{(2)}} a^{{(1)}}_2 = {f(D)} \\cdot {f(a2)} = {f(g2 * 2)} \\] % planted: result
\\end{{document}}
"""


def chinese_latex() -> str:
    x1, x2, t = m("2"), m("1"), m("0")
    v, c, u, d = [m("0.15"), m("-0.25"), m("0.35"), m("0.05")], m("0"), [m("-0.5"), m("0.45")], m("0.25")
    z1, z2, a1, a2, zo, o, loss = forward(x1, x2, v, c, u, d, t)
    A1, A2 = m(f(a1)), m(f(a2))
    ZO = u[0] * A1 + u[1] * A2 + d
    O = m(f(sig(m(f(ZO)))))
    return f"""\\documentclass{{ctexart}}
\\usepackage{{amsmath}}
\\begin{{document}}
\\section*{{第 1 题}}
输入 $(x_1, x_2) = (2, 1)$，目标 $t = 0$。
\\[ (w_1, w_2, w_3, w_4) = (0.15, -0.25, 0.35, 0.05), \\quad (u_1, u_2) = (-0.5, 0.45), \\quad d = 0.25 \\]
隐藏层的净输入与输出：
\\[ \\begin{{aligned}}
\\mathrm{{net}}_1 &= w_1 x_1 + w_2 x_2 = 0.15 \\times 2 + (-0.25) \\times 1 = {f(z1)} \\\\
\\mathrm{{net}}_2 &= w_3 x_1 + w_4 x_2 = 0.35 \\times 2 + 0.05 \\times 1 = {f(z2)}
\\end{{aligned}} \\]
\\[ (h_1, h_2) = (\\sigma({f(z1)}), \\sigma({f(z2)})) = ({f(a1)}, {f(a2 + m('0.01'))}) \\] % planted: result
\\[ s = u_1 h_1 + u_2 h_2 + d = -0.5 \\times {f(a1)} + 0.45 \\times {f(a2)} + 0.25 = {f(ZO + m('0.1'))} \\] % planted: arithmetic
\\[ o = \\sigma(s) = \\sigma({f(ZO)}) = {cut(sig(m(f(ZO))))} \\] % planted: rounding
\\[ \\|(3, 4)\\|^2 = 25 \\]
\\end{{document}}
"""


DOCUMENTS = {
    "mazur.md": mazur, "mazur.toml": mazur_spec, "en.md": english_markdown,
    "zh.md": chinese_markdown, "en.tex": english_latex, "zh.tex": chinese_latex,
}


def write(documents: dict, folder: Path) -> None:
    folder.mkdir(exist_ok=True)
    for name, make in documents.items():
        (folder / name).write_text(make(), encoding="utf-8")


def main() -> None:
    write(DOCUMENTS, HERE)


if __name__ == "__main__":
    main()
