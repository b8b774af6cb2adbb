"""Write the worked documents of tests/data/check/arrays/ (numbers computed with mpmath).

One 2-2-2 sigmoid network (half the squared error) worked in matrix form, four times:
English and Chinese, Markdown and LaTeX, each in other notations (bmatrix or pmatrix,
⊙ or ∘, x^T or x^{\\top}, δ^{(2)}_1 or ∂E/∂z^{(2)}_1, ← or :=), followed by a second problem
in layout syntax (\\underbrace, an aligned block in a blockquote with \\\\[0.8em], cases, a
norm, thin-space thousands). Each document plants four errors, marked on their lines
("planted: arithmetic", "result", "rounding", "entry": one wrong entry of a matrix).
net.toml is the problem in a spec, for check --spec. Nothing here calls symderiv.

    python tests/data/check/make_arrays.py        # rewrites the documents
"""

import sys
from pathlib import Path

import mpmath

sys.path.insert(0, str(Path(__file__).parent))
from make_corpus import cut, f, m, sig, write  # noqa: E402 - the sibling generator's helpers

mpmath.mp.dps = 40
HERE = Path(__file__).parent / "arrays"

X = ["1.0", "0.5"]
W1 = [["0.15", "0.20"], ["0.25", "0.30"]]
B1 = ["0.35", "0.35"]
W2 = [["0.40", "0.45"], ["0.50", "0.55"]]
B2 = ["0.60", "0.60"]
Y = ["0.01", "0.99"]
ETA = "0.5"


def r(x) -> mpmath.mpf:
    """What the document carries on with: the value as it printed it."""
    return m(f(x))


def worked():
    """Every number the documents print, from the rounded values they carry."""
    x, y, eta = [m(v) for v in X], [m(v) for v in Y], m(ETA)
    w1, w2 = [[m(v) for v in row] for row in W1], [[m(v) for v in row] for row in W2]
    b1, b2 = [m(v) for v in B1], [m(v) for v in B2]
    n = {}
    z1 = [w1[j][0] * x[0] + w1[j][1] * x[1] + b1[j] for j in range(2)]
    a1 = [r(sig(z)) for z in z1]
    z2 = [r(w2[j][0] * a1[0] + w2[j][1] * a1[1] + b2[j]) for j in range(2)]
    a2 = [r(sig(z)) for z in z2]
    loss = ((y[0] - a2[0]) ** 2 + (y[1] - a2[1]) ** 2) / 2
    d2 = [r((a2[j] - y[j]) * a2[j] * (1 - a2[j])) for j in range(2)]
    g2 = [[r(d2[j] * a1[k]) for k in range(2)] for j in range(2)]
    back = [r(w2[0][k] * d2[0] + w2[1][k] * d2[1]) for k in range(2)]
    slope = [r(a * (1 - a)) for a in a1]
    d1 = [r(back[k] * slope[k]) for k in range(2)]
    g1 = [[r(d1[j] * x[k]) for k in range(2)] for j in range(2)]
    w2new = [[r(w2[j][k] - eta * g2[j][k]) for k in range(2)] for j in range(2)]
    b2new = [r(b2[j] - eta * d2[j]) for j in range(2)]
    n.update(z1=z1, a1=a1, z2=z2, a2=a2, loss=loss, d2=d2, g2=g2, back=back, slope=slope,
             d1=d1, g1=g1, w2new=w2new, b2new=b2new, sig_z1=[sig(z) for z in z1])
    return n


def matrix(rows, env: str) -> str:
    body = r" \\ ".join(" & ".join(row) for row in rows)
    return rf"\begin{{{env}}} {body} \end{{{env}}}"


def column(values, env: str) -> str:
    return matrix([[v] for v in values], env)


def document(lang: str, latex: bool, env: str, odot: str, top: str, delta: str,
             update: str) -> str:
    """One worked document. ``delta``: "index" (δ^{(2)}_1) or "partial" (∂E/∂z^{(2)}_1);
    ``update``: "leftarrow" (W ← W − η∇) or "prime" (W'^{(2)} := …)."""
    n = worked()
    zh = lang == "zh"
    mark = (lambda kind: f" % planted: {kind}") if latex else (lambda kind: f" <!-- planted: {kind} -->")

    def math(body: str, plant: str = "") -> str:
        line = rf"\[ {body} \]" if latex else f"$${body}$$"
        return line + (mark(plant) if plant else "")

    def d(j: int) -> str:
        return rf"\delta^{{(2)}}_{j}" if delta == "index" else rf"\frac{{\partial E}}{{\partial z^{{(2)}}_{{{j}}}}}"

    a1, a2, d2, d1 = n["a1"], n["a2"], n["d2"], n["d1"]
    z2_rows = [[rf"{W2[j][0]} \times {f(a1[0])} + {W2[j][1]} \times {f(a1[1])} + {B2[j]}"]
               for j in range(2)]
    # planted: arithmetic (δ^{(2)}_2 substitutes a wrong output; its result is right)
    slip_a = f(a2[1] + m("0.05"))
    delta_rows = [
        math(rf"{d(1)} = (a^{{(2)}}_1 - y_1)\, a^{{(2)}}_1 (1 - a^{{(2)}}_1) = ({f(a2[0])} - 0.01) "
             rf"\times {f(a2[0])} \times (1 - {f(a2[0])}) = {f(d2[0])}"),
        math(rf"{d(2)} = (a^{{(2)}}_2 - y_2)\, a^{{(2)}}_2 (1 - a^{{(2)}}_2) = ({f(a2[1])} - 0.99) "
             rf"\times {slip_a} \times (1 - {f(a2[1])}) = {f(d2[1])}", "arithmetic"),
    ]
    if delta == "index":
        vector_d2 = r"\delta^{(2)}"
        gradient_w2 = r"\frac{\partial E}{\partial W^{(2)}}"
    else:
        vector_d2 = column([rf"\frac{{\partial E}}{{\partial z^{{(2)}}_{{{j}}}}}" for j in (1, 2)], env)
        gradient_w2 = r"\nabla_{W^{(2)}} E"
    wrong_entry = [[f(v) for v in row] for row in n["g1"]]
    wrong_entry[1][0] = f(n["g1"][1][0] * 2)  # planted: entry
    assert abs(n["g1"][1][0]) > m("0.002")
    if update == "leftarrow":
        head_w, head_b = r"W^{(2)} \leftarrow W^{(2)}", r"b^{(2)} \leftarrow b^{(2)}"
    else:
        head_w, head_b = r"W'^{(2)} := W^{(2)}", r"b'^{(2)} := b^{(2)}"
    b2new = [cut(n["b2new"][0]), f(n["b2new"][1])]  # planted: rounding
    text = {
        "title": "第 1 题：矩阵形式的反向传播" if zh else "Problem 1: backpropagation in matrix form",
        "given": "已知输入、权重与目标：" if zh else "The input, the weights and the target:",
        "forward": "前向传播：" if zh else "The forward pass:",
        "loss": "损失（平方误差的一半）：" if zh else "The loss (half the squared error):",
        "backward": "反向传播：" if zh else "The backward pass:",
        "step": "一步梯度下降：" if zh else "One step of gradient descent:",
        "layout": "第 2 题：其他写法" if zh else "Problem 2: layout",
    }
    lines = [
        (rf"\section*{{{text['title']}}}" if latex else f"# {text['title']}"), "",
        text["given"], "",
        math(rf"x = {column(X, env)}, \quad W^{{(1)}} = {matrix(W1, env)}, \quad b^{{(1)}} = {column(B1, env)}"),
        "",
        math(rf"W^{{(2)}} = {matrix(W2, env)}, \quad b^{{(2)}} = {column(B2, env)}, \quad "
             rf"y = {column(Y, env)}, \quad \eta = {ETA}"),
        "", text["forward"], "",
        math(rf"z^{{(1)}} = W^{{(1)}} x + b^{{(1)}} = "
             + column([rf"{W1[j][0]} \times {X[0]} + {W1[j][1]} \times {X[1]} + {B1[j]}" for j in range(2)], env)
             + " = " + column([f(z) for z in n["z1"]], env)),
        "",
        math(rf"a^{{(1)}} = \sigma(z^{{(1)}}) = [\sigma({f(n['z1'][0])}), \sigma({f(n['z1'][1])})] "
             rf"\approx [{f(a1[0])}, {f(a1[1])}]"),
        "",
        math(rf"z^{{(2)}} = W^{{(2)}} a^{{(1)}} + b^{{(2)}} = {matrix(z2_rows, env)} = "
             + column([f(z) for z in n["z2"]], env)),
        "",
        math(rf"a^{{(2)}} = \sigma(z^{{(2)}}) \approx {column([f(a) for a in a2], env)}"),
        "", text["loss"], "",
        math(rf"E = \frac{{1}}{{2}} \|y - a^{{(2)}}\|^2 = \frac{{1}}{{2}} \left((0.01 - {f(a2[0])})^2 + "
             rf"(0.99 - {f(a2[1])})^2\right) = {f(n['loss'] + m('0.02'))}", "result"),
        "", text["backward"], "",
        delta_rows[0], "", delta_rows[1], "",
        math(rf"{gradient_w2} = {vector_d2} \left(a^{{(1)}}\right){top} = "
             + column([f(v) for v in d2], env) + " " + matrix([[f(a1[0]), f(a1[1])]], env) + " = "
             + matrix([[f(v) for v in row] for row in n["g2"]], env)),
        "",
        math(rf"\delta^{{(1)}} = \left(\left(W^{{(2)}}\right){top} {vector_d2}\right) {odot} "
             + column([rf"a^{{(1)}}_{k} (1 - a^{{(1)}}_{k})" for k in (1, 2)], env) + " = "
             + column([f(v) for v in n["back"]], env) + rf" {odot} "
             + column([f(v) for v in n["slope"]], env) + " = " + column([f(v) for v in d1], env)),
        "",
        math(rf"\nabla_{{W^{{(1)}}}} E = \delta^{{(1)}} x{top} = " + column([f(v) for v in d1], env)
             + " " + matrix([X], env) + " = " + matrix(wrong_entry, env), "entry"),
        "", text["step"], "",
        math(rf"{head_w} - \eta {gradient_w2} = "
             + matrix([[rf"{W2[j][k]} - {ETA} \times {f(n['g2'][j][k])}" for k in range(2)] for j in range(2)], env)
             + " = " + matrix([[f(v) for v in row] for row in n["w2new"]], env)),
        "",
        math(rf"{head_b} - \eta {vector_d2} = " + column(b2new, env), "rounding"),
        "",
        (rf"\section*{{{text['layout']}}}" if latex else f"# {text['layout']}"), "",
        math(r"s = \underbrace{0.5 \times 0.2}_{w_1 x_1} + \underbrace{0.3}_{b} = 0.4"), "",
    ]
    if latex:
        lines += [r"\begin{align*}", r"  r &= 0.2 \times 3 - 1 \\[0.8em]", r"    &= -0.4",
                  r"\end{align*}", ""]
    else:
        lines += ["> $$", r"> \begin{aligned}", r"> r &= 0.2 \times 3 - 1 \\[0.8em]",
                  r">   &= -0.4", r"> \end{aligned}", "> $$", ""]
    otherwise = r"\text{其他}" if zh else r"\text{otherwise}"
    lines += [
        math(r"f'(z) = \begin{cases} 1 & z > 0 \\ 0 & " + otherwise + r" \end{cases}"), "",
        math(r"f'(r) = 0, \quad g = \begin{cases} 2 & r \ge 0 \\ -1 & r < 0 \end{cases} = -1"), "",
        math(r"v = [0.6, 0.8], \quad \|v\|^2 = 0.36 + 0.64 = 1"), "",
        math(r"N = 101\,770 + 230 = 102\,000"), "",
    ]
    body = "\n".join(lines)
    if latex:
        preamble = r"\documentclass{ctexart}" if zh else r"\documentclass{article}"
        return f"{preamble}\n\\usepackage{{amsmath}}\n\\begin{{document}}\n{body}\\end{{document}}\n"
    return body


def spec() -> str:
    return f"""# The network of tests/data/check/arrays/*: 2-2-2, sigmoid, half the squared error.

[sheet]
title = "A 2-2-2 network in matrix form"
lang = "en"
precision = 4

[[problem]]
id = "1"
kind = "backprop"

[problem.network]
inputs = 2
layers = [
  {{ size = 2, activation = "sigmoid", W = [[{W1[0][0]}, {W1[0][1]}], [{W1[1][0]}, {W1[1][1]}]], b = [{B1[0]}, {B1[1]}] }},
  {{ size = 2, activation = "sigmoid", W = [[{W2[0][0]}, {W2[0][1]}], [{W2[1][0]}, {W2[1][1]}]], b = [{B2[0]}, {B2[1]}] }},
]

[problem.data]
inputs = {{ x1 = {X[0]}, x2 = {X[1]} }}
targets = {{ n2_1 = {Y[0]}, n2_2 = {Y[1]} }}

[problem.training]
loss = "half-sse"
learning_rate = {ETA}
gradients = "all"
"""


DOCUMENTS = {
    "en.md": lambda: document("en", False, "bmatrix", r"\odot", "^T", "index", "leftarrow"),
    "zh.md": lambda: document("zh", False, "pmatrix", r"\circ", r"^{\top}", "partial", "prime"),
    "en.tex": lambda: document("en", True, "bmatrix", r"\circ", r"^{T}", "partial", "leftarrow"),
    "zh.tex": lambda: document("zh", True, "pmatrix", r"\odot", "^T", "index", "prime"),
    "net.toml": spec,
}


def main() -> None:
    write(DOCUMENTS, HERE)


if __name__ == "__main__":
    main()
