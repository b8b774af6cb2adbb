"""Write tests/data/check/public/: twelve worked solutions written the way other people write.

They stand in for the public solutions issue 13 is measured on: forward passes, losses,
chain rules and updates, in English and Chinese, Markdown and LaTeX, in the notations
people use (h2, E_y2, lr, i1 beside i_1, w_{1,1}, primes, z^{(1)}_1, \\hat{y1}, \\delta{_2},
x[0], e as a variable, net_{h1}/out_{h1}, \\nabla_{w_5}E, w_5^+, w_5^{new}, ...).

Every number is computed here with mpmath at 30 digits, from the values the document printed
before it (as a person computing by hand carries them), never from symderiv. Each template
line may end in an annotation the generator turns into a comment check never sees:

    ⟦n⟧                   the line holds n statements a careful reader can check
    ⟦n planted: KIND⟧     ... and one planted error (arithmetic, result or rounding)
    ⟦n inherits⟧          ... right, given the planted error it carries
    ⟦n spec: wrong⟧       ... wrong only against the problem (check --spec)

    python tests/data/check/make_public.py        # rewrites the documents
"""

import re
from pathlib import Path

import mpmath

DIGITS = 30  # set only while a document is made (see at_30_digits): importing changes nothing
HERE = Path(__file__).parent / "public"
ANNOTATION = re.compile(r"\s*⟦(\d+)(?: (planted: \w+|inherits|spec: \w+))?⟧\s*$")


def m(x) -> mpmath.mpf:
    return mpmath.mpf(x)


def sig(x) -> mpmath.mpf:
    return 1 / (1 + mpmath.exp(-m(x)))


def r(x, d: int = 4) -> str:
    """x rounded to d decimals, as printed."""
    s = f"{float(mpmath.nint(m(x) * 10**d)) / 10**d:.{d}f}" if d else str(int(mpmath.nint(x)))
    return "0" + s[2:] if s.startswith("-0") and not s.strip("-0.") else s


def slip(x, d: int = 4) -> str:
    """x rounded the wrong way in its last digit: a rounding slip."""
    x = m(x)
    k = mpmath.nint(x * 10**d)
    k = k + 1 if x * 10**d > k else k - 1
    return f"{float(k) / 10**d:.{d}f}"


def fill(template: str, values: dict, latex: bool) -> tuple[str, dict]:
    """The document text with values filled in, and what its annotations say."""
    lines, meta = [], {"statements": 0, "counts": {}, "planted": {}, "inherits": [], "spec": []}
    for n, line in enumerate(template.strip("\n").splitlines(), 1):
        line = re.sub(r"«(\w+)»", lambda g: values[g.group(1)], line)
        a = ANNOTATION.search(line)
        if a:
            line = line[:a.start()]
            meta["statements"] += int(a.group(1))
            meta["counts"][n] = int(a.group(1))
            mark = a.group(2)
            if mark:
                comment = (f" % {mark}" if latex or not line.rstrip().endswith("$")
                           else f" <!-- {mark} -->")
                line += comment
                if mark.startswith("planted"):
                    meta["planted"][n] = mark.split(": ")[1]
                elif mark == "inherits":
                    meta["inherits"].append(n)
                else:
                    meta["spec"].append(n)
        lines.append(line)
    return "\n".join(lines) + "\n", meta


# -- 1. the classic 2-2-2 note, Markdown, English ------------------------------------------------

MAZUR = r"""
# Backpropagation by hand: the 2-2-2 example

The inputs are $i_1 = 0.05$ and $i_2 = 0.10$, the weights $w_1 = 0.15$, $w_2 = 0.20$, $w_3 = 0.25$,
$w_4 = 0.30$, $w_5 = 0.40$, $w_6 = 0.45$, $w_7 = 0.50$, $w_8 = 0.55$, the biases $b_1 = 0.35$ and
$b_2 = 0.60$. We want the outputs $target_{o1} = 0.01$ and $target_{o2} = 0.99$, and we take
the learning rate $\eta = 0.5$.

## The forward pass

First the total net input to $h_1$, then we squash it with the logistic function:

$$net_{h1} = w_1 \times i1 + w_2 \times i2 + b_1 \times 1 = 0.15 \times 0.05 + 0.2 \times 0.1 + 0.35 \times 1 = «nh1»$$ ⟦2⟧

$$out_{h1} = \frac{1}{1+e^{-net_{h1}}} = \frac{1}{1+e^{-«nh1»}} = «oh1»$$ ⟦2⟧

$$net_{h2} = w_3 \times i1 + w_4 \times i2 + b_1 \times 1 = 0.25 \times 0.05 + 0.3 \times 0.1 + 0.35 = «nh2»$$ ⟦2⟧

$$out_{h2} = \frac{1}{1+e^{-«nh2»}} = «oh2»$$ ⟦1⟧

We repeat this for the output layer neurons, using the hidden outputs as inputs:

$$net_{o1} = w_5 \times out_{h1} + w_6 \times out_{h2} + b_2 \times 1 = 0.4 \times «oh1» + 0.45 \times «oh2» + 0.6 = «no1»$$ ⟦2⟧

$$out_{o1} = \frac{1}{1+e^{-«no1»}} = «oo1»$$ ⟦1⟧

$$net_{o2} = w_7 \times out_{h1} + w_8 \times out_{h2} + b_2 \times 1 = 0.5 \times «oh1» + 0.55 \times «oh2» + 0.6 = «no2»$$ ⟦2⟧

$$out_{o2} = \frac{1}{1+e^{-«no2»}} = «oo2»$$ ⟦1⟧

## The total error

$$E_{o1} = \frac{1}{2}(target_{o1} - out_{o1})^2 = \frac{1}{2}(0.01 - «oo1»)^2 = «eo1»$$ ⟦2⟧

$$E_{o2} = \frac{1}{2}(0.99 - «oo2»)^2 = «eo2»$$ ⟦1 planted: rounding⟧

$$E_{total} = E_{o1} + E_{o2} = «eo1» + «eo2» = «etot»$$ ⟦2 planted: arithmetic⟧

## The backward pass: output layer

$$\frac{\partial E_{total}}{\partial out_{o1}} = -(target_{o1} - out_{o1}) = -(0.01 - «oo1») = «dEdo1»$$ ⟦2⟧

$$\frac{\partial out_{o1}}{\partial net_{o1}} = out_{o1}(1 - out_{o1}) = «oo1»(1 - «oo1») = «do1»$$ ⟦2⟧

$$\frac{\partial net_{o1}}{\partial w_5} = out_{h1} = «oh1»$$ ⟦1⟧

$$\frac{\partial E_{total}}{\partial w_5} = «dEdo1» \times «do1» \times «oh1» = «g5»$$ ⟦1⟧

$$w_5^+ = w_5 - \eta \times \frac{\partial E_{total}}{\partial w_5} = 0.4 - 0.5 \times «g5» = «w5p»$$ ⟦2⟧

Writing $\delta_{o1} = \frac{\partial E_{total}}{\partial out_{o1}} \times \frac{\partial out_{o1}}{\partial net_{o1}} = «d1»$, ⟦1⟧

$$\frac{\partial E_{total}}{\partial w_6} = \delta_{o1} \times out_{h2} = «d1» \times «oh2» = «g6»$$ ⟦2⟧

$$w_6^+ = 0.45 - 0.5 \times «g6» = «w6p»$$ ⟦1⟧

For the second output, $\delta_{o2} = (out_{o2} - target_{o2}) \times out_{o2}(1 - out_{o2}) = «d2»$. ⟦1⟧

$$w_7^+ = w_7 - \eta \times \delta_{o2} \times out_{h1} = 0.5 - 0.5 \times «d2» \times «oh1» = «w7p»$$ ⟦2⟧

$$w_8^+ = 0.55 - 0.5 \times «d2» \times «oh2» = «w8p»$$ ⟦1⟧

## The hidden layer

$$\frac{\partial E_{o1}}{\partial out_{h1}} = \delta_{o1} \times w_5 = «d1» \times 0.40 = «eo1h1»$$ ⟦2 planted: result⟧

$$\frac{\partial E_{o2}}{\partial out_{h1}} = \delta_{o2} \times w_7 = «d2» \times 0.50 = «eo2h1»$$ ⟦2⟧

$$\frac{\partial E_{total}}{\partial out_{h1}} = «eo1h1» + «eo2h1» = «dEdh1»$$ ⟦1 inherits⟧

$$\frac{\partial out_{h1}}{\partial net_{h1}} = out_{h1}(1 - out_{h1}) = «oh1»(1 - «oh1») = «dh1»$$ ⟦2⟧

$$\frac{\partial E_{total}}{\partial w_1} = «dEdh1» \times «dh1» \times 0.05 = «g1»$$ ⟦1 inherits⟧

Collecting the new output-layer weights and the new biases:

$$[w_5^+, w_6^+, w_7^+, w_8^+] = [«w5p», «w6p», «w7p», «w8p»]$$ ⟦4⟧

$$[b_1^+, b_2^+] = [«w1pc», «w7p»]$$ ⟦0 spec: wrong⟧
"""


def mazur() -> tuple[str, dict]:
    v = {}
    v["nh1"] = r(m("0.15") * m("0.05") + m("0.2") * m("0.1") + m("0.35"), 4)
    v["oh1"] = r(sig(v["nh1"]), 9)
    v["nh2"] = r(m("0.25") * m("0.05") + m("0.3") * m("0.1") + m("0.35"), 4)
    v["oh2"] = r(sig(v["nh2"]), 9)
    oh1, oh2 = m(v["oh1"]), m(v["oh2"])
    v["no1"] = r(m("0.4") * oh1 + m("0.45") * oh2 + m("0.6"), 9)
    v["oo1"] = r(sig(v["no1"]), 9)
    v["no2"] = r(m("0.5") * oh1 + m("0.55") * oh2 + m("0.6"), 9)
    v["oo2"] = r(sig(v["no2"]), 9)
    oo1, oo2 = m(v["oo1"]), m(v["oo2"])
    v["eo1"] = r((m("0.01") - oo1) ** 2 / 2, 9)
    v["eo2"] = slip((m("0.99") - oo2) ** 2 / 2, 9)
    right = m(v["eo1"]) + m(v["eo2"])
    v["etot"] = r(right - m("0.001"), 9)  # a carry dropped in the third decimal
    v["dEdo1"] = r(-(m("0.01") - oo1), 9)
    v["do1"] = r(oo1 * (1 - oo1), 9)
    v["g5"] = r(m(v["dEdo1"]) * m(v["do1"]) * oh1, 9)
    v["w5p"] = r(m("0.4") - m("0.5") * m(v["g5"]), 9)
    v["d1"] = r(m(v["dEdo1"]) * m(v["do1"]), 9)
    v["g6"] = r(m(v["d1"]) * oh2, 9)
    v["w6p"] = r(m("0.45") - m("0.5") * m(v["g6"]), 9)
    v["d2"] = r((oo2 - m("0.99")) * oo2 * (1 - oo2), 9)
    v["w7p"] = r(m("0.5") - m("0.5") * m(v["d2"]) * oh1, 9)
    v["w8p"] = r(m("0.55") - m("0.5") * m(v["d2"]) * oh2, 9)
    true = m(v["d1"]) * m("0.40")
    s = r(true, 9)
    v["eo1h1"] = s[:4] + s[5] + s[4] + s[6:]   # two digits swapped when copying
    assert abs(m(v["eo1h1"]) - true) > 1e-6
    v["eo2h1"] = r(m(v["d2"]) * m("0.50"), 9)
    v["dEdh1"] = r(m(v["eo1h1"]) + m(v["eo2h1"]), 9)
    v["dh1"] = r(oh1 * (1 - oh1), 9)
    v["g1"] = r(m(v["dEdh1"]) * m(v["dh1"]) * m("0.05"), 9)
    v["w1pc"] = r(m("0.15") - m("0.5") * m(v["g1"]), 9)  # b_1^+ copied from w_1^+
    return fill(MAZUR, v, latex=False)


# -- 2. a lecture's 2-2-1 ReLU network, LaTeX, English ------------------------------------------

LECTURE = r"""
\documentclass{article}
\usepackage{amsmath,amssymb}
\begin{document}

\section{Setup}
A 2-2-1 network with ReLU hidden units and a linear output unit. The input is $x_1 = 1.5$,
$x_2 = -0.5$ and the target $y = 2$. The weights are $w^{(1)}_{11} = 0.4$,
$w^{(1)}_{12} = -0.3$, $w^{(1)}_{21} = 0.2$, $w^{(1)}_{22} = 0.6$, the biases
$b^{(1)}_1 = 0.1$, $b^{(1)}_2 = -0.2$, and $w^{(2)}_1 = 0.7$, $w^{(2)}_2 = -0.5$,
$b^{(2)} = 0.05$. The learning rate is $\eta = 0.1$.

\section{Forward pass}
\begin{align*}
z^{(1)}_1 &= w^{(1)}_{11} x_1 + w^{(1)}_{12} x_2 + b^{(1)}_1 = 0.4 \cdot 1.5 + (-0.3)(-0.5) + 0.1 = «z1» \\[0.8em] ⟦2 planted: arithmetic⟧
z^{(1)}_2 &= w^{(1)}_{21} x_1 + w^{(1)}_{22} x_2 + b^{(1)}_2 = 0.2 \cdot 1.5 + 0.6 \cdot (-0.5) - 0.2 = «z2» \\[0.8em] ⟦2⟧
a^{(1)}_1 &= \max(0, z^{(1)}_1) = «z1» \\ ⟦2 inherits⟧
a^{(1)}_2 &= \max(0, z^{(1)}_2) = 0 ⟦2⟧
\end{align*}
The output is
\begin{equation*}
\hat{y} = w^{(2)}_1 a^{(1)}_1 + w^{(2)}_2 a^{(1)}_2 + b^{(2)} = 0.7 \cdot «z1» + (-0.5) \cdot 0 + 0.05 = «yh» ⟦2 inherits⟧
\end{equation*}
and the loss
\begin{equation*}
L = \frac{1}{2}(\hat{y} - y)^2 = \underbrace{\frac{1}{2}(«yh» - 2)^2}_{\text{squared error}} = «L» ⟦2 planted: rounding⟧
\end{equation*}

\section{Backward pass}
\begin{align*}
\frac{\partial L}{\partial \hat{y}} &= \hat{y} - y = «yh» - 2 = «dy» \\ ⟦2⟧
\nabla_{w^{(2)}_1} L &= \frac{\partial L}{\partial \hat{y}} \, a^{(1)}_1 = «dy» \times «z1» = «g21» \\ ⟦2⟧
\nabla_{w^{(2)}_2} L &= \frac{\partial L}{\partial \hat{y}} \, a^{(1)}_2 = «dy» \times 0 = 0 \\ ⟦2⟧
\frac{\partial L}{\partial a^{(1)}_1} &= \frac{\partial L}{\partial \hat{y}} \, w^{(2)}_1 = «dy» \times 0.7 = «da1» \\ ⟦2⟧
\frac{\partial L}{\partial z^{(1)}_1} &= \frac{\partial L}{\partial a^{(1)}_1} \times 1 = «da1» \\ ⟦2⟧
\frac{\partial L}{\partial w^{(1)}_{11}} &= \frac{\partial L}{\partial z^{(1)}_1} \, x_1 = «da1» \times 1.5 = «g11» \\ ⟦2⟧
\frac{\partial L}{\partial w^{(1)}_{12}} &= \frac{\partial L}{\partial z^{(1)}_1} \, x_2 = «da1» \times (-0.5) = «g12» ⟦2 planted: result⟧
\end{align*}
Since $z^{(1)}_2 < 0$, the second hidden unit passes no gradient:
$\frac{\partial L}{\partial z^{(1)}_2} = 0$.

\section{Update}
\begin{align*}
w^{(2)}_1 &\leftarrow w^{(2)}_1 - \eta \nabla_{w^{(2)}_1} L = 0.7 - 0.1 \times («g21») = «w21» \\ ⟦2⟧
w^{(1)}_{11} &\leftarrow 0.4 - 0.1 \times («g11») = «w11» \\ ⟦1⟧
w^{(1)}_{12} &\leftarrow -0.3 - 0.1 \times «g12» = «w12» \\ ⟦1 inherits⟧
b^{(2)} &\leftarrow 0.05 - 0.1 \times («dy») = «b2» ⟦1⟧
\end{align*}
\end{document}
"""


def lecture() -> tuple[str, dict]:
    v = {}
    v["z1"] = r(m("0.4") * m("1.5") - m("0.15") + m("0.1"), 2)  # (−0.3)(−0.5) taken as −0.15
    v["z2"] = r(m("0.2") * m("1.5") + m("0.6") * m("-0.5") - m("0.2"), 1)
    z1 = m(v["z1"])
    v["yh"] = r(m("0.7") * z1 + m("0.05"), 3)
    yh = m(v["yh"])
    v["L"] = slip((yh - 2) ** 2 / 2, 4)
    v["dy"] = r(yh - 2, 3)
    dy = m(v["dy"])
    v["g21"] = r(dy * z1, 5)
    v["da1"] = r(dy * m("0.7"), 4)
    da1 = m(v["da1"])
    v["g11"] = r(da1 * m("1.5"), 5)
    v["g12"] = r(da1 * m("0.5"), 5)   # the sign of x_2 dropped: written as a result
    v["w21"] = r(m("0.7") - m("0.1") * m(v["g21"]), 6)
    v["w11"] = r(m("0.4") - m("0.1") * m(v["g11"]), 6)
    v["w12"] = r(m("-0.3") - m("0.1") * m(v["g12"]), 6)
    v["b2"] = r(m("0.05") - m("0.1") * dy, 4)
    return fill(LECTURE, v, latex=True)


# -- 3. a Chinese homework answer, Markdown: h2, E_y2, lr, e -------------------------------------

ZH_HOMEWORK = r"""
# 第三次作业 参考解答

## 题目

两层网络：输入 $x1 = 0.6$，$x2 = 0.9$；隐藏层用 sigmoid，权重 $w1 = 0.1$，$w2 = 0.4$，
$w3 = 0.3$，$w4 = 0.2$；输出层为线性，$w5 = 0.5$，$w6 = -0.7$，$w7 = 0.8$，$w8 = 0.2$。
目标 $t1 = 0.3$，$t2 = 0.5$，学习率 $lr = 0.2$。

## 解

> 前向传播：
>
> - $net1 = w1 x1 + w3 x2 = 0.1 \times 0.6 + 0.3 \times 0.9 = «n1»$ ⟦2⟧
> - $h1 = \sigma(net1) = \sigma(«n1») = «h1»$ ⟦2⟧
> - $net2 = w2 x1 + w4 x2 = 0.4 \times 0.6 + 0.2 \times 0.9 = «n2»$ ⟦2⟧
> - $h2 = \sigma(«n2») = «h2»$ ⟦1 planted: rounding⟧

输出：

$$y1 = w5 h1 + w7 h2 = 0.5 \times «h1» + 0.8 \times «h2» = «y1»$$ ⟦2⟧

$$y2 = w6 h1 + w8 h2 = -0.7 \times «h1» + 0.2 \times «h2» = «y2»$$ ⟦2⟧

误差记为 $e = y1 - t1 = «y1» - 0.3 = «e»$， ⟦2⟧

$$E_y1 = \frac{1}{2} e^2 = \frac{1}{2} \times «e»^2 = «Ey1»$$ ⟦2⟧

$$E_y2 = \frac{1}{2}(y2 - t2)^2 = \frac{1}{2}(«y2» - 0.5)^2 = «Ey2»$$ ⟦2 planted: result⟧

$$E = E_y1 + E_y2 = «Ey1» + «Ey2» = «E»$$ ⟦2 inherits⟧

反向传播（链式法则）：

$$\frac{\partial E}{\partial w5} = \frac{\partial E}{\partial y1} \cdot \frac{\partial y1}{\partial w5} = e \cdot h1 = «e» \times «h1» = «g5»$$ ⟦2⟧

$$\frac{\partial E}{\partial w8} = (y2 - t2) \cdot h2 = («y2» - 0.5) \times «h2» = «g8»$$ ⟦2⟧

$$\frac{\partial E}{\partial h1} = e \cdot w5 + (y2 - t2) \cdot w6 = «e» \times 0.5 + («y2» - 0.5) \times (-0.7) = «dh1»$$ ⟦2⟧

$$\frac{\partial E}{\partial w1} = \frac{\partial E}{\partial h1} \cdot h1 (1 - h1) \cdot x1 = «dh1» \times «h1» \times (1 - «h1») \times 0.6 = «g1»$$ ⟦2⟧

更新（$lr = 0.2$）：

1. $w5 = w5 - lr \cdot \frac{\partial E}{\partial w5} = 0.5 - 0.2 \times «g5» = «w5n»$ ⟦1⟧
2. $w8 = 0.2 - 0.2 \times («g8») = «w8n»$ ⟦1 planted: arithmetic⟧
3. $w1 = 0.1 - 0.2 \times «g1» = «w1n»$ ⟦1⟧
"""


def zh_homework() -> tuple[str, dict]:
    v = {}
    v["n1"] = r(m("0.1") * m("0.6") + m("0.3") * m("0.9"), 2)
    v["h1"] = r(sig(v["n1"]), 4)
    v["n2"] = r(m("0.4") * m("0.6") + m("0.2") * m("0.9"), 2)
    v["h2"] = slip(sig(v["n2"]), 4)
    h1, h2 = m(v["h1"]), m(v["h2"])
    v["y1"] = r(m("0.5") * h1 + m("0.8") * h2, 4)
    v["y2"] = r(m("-0.7") * h1 + m("0.2") * h2, 4)
    v["e"] = r(m(v["y1"]) - m("0.3"), 4)
    e = m(v["e"])
    v["Ey1"] = r(e ** 2 / 2, 4)
    v["Ey2"] = r((m(v["y2"]) - m("0.5")) ** 2, 4)   # the ½ forgotten in the result
    v["E"] = r(m(v["Ey1"]) + m(v["Ey2"]), 4)
    v["g5"] = r(e * h1, 4)
    v["g8"] = r((m(v["y2"]) - m("0.5")) * h2, 4)
    v["dh1"] = r(e * m("0.5") + (m(v["y2"]) - m("0.5")) * m("-0.7"), 4)
    v["g1"] = r(m(v["dh1"]) * h1 * (1 - h1) * m("0.6"), 4)
    v["w5n"] = r(m("0.5") - m("0.2") * m(v["g5"]), 4)
    v["w8n"] = r(m("0.2") + m("0.2") * m(v["g8"]), 4)   # minus a negative taken as minus
    v["w1n"] = r(m("0.1") - m("0.2") * m(v["g1"]), 4)
    return fill(ZH_HOMEWORK, v, latex=False)


# -- 4. a Chinese exam answer, LaTeX: cases, hypotheticals, \delta{_2}, w_{1,1} ------------------

ZH_EXAM = r"""
\documentclass{ctexart}
\usepackage{amsmath}
\begin{document}

\section{第一题}
单个 ReLU 神经元：$x_1 = 2$，$x_2 = -1$，$w_{1,1} = 0.5$，$w_{1,2} = 0.25$，$b = -0.3$，
目标 $t = 1$，损失 $L = \frac{1}{2}(a - t)^2$。
\[
\mathrm{ReLU}(z) = \begin{cases} z, & z > 0 \\ 0, & z \le 0 \end{cases}
\]
前向：$z = w_{11} x_1 + w_{12} x_2 + b = 0.5 \times 2 + 0.25 \times (-1) - 0.3 = «z»$， ⟦2⟧
$a = \mathrm{ReLU}(z) = «z»$， ⟦2⟧
$L = \frac{1}{2}(«z» - 1)^2 = «L»$。 ⟦1⟧

若 $z < 0$，则 $\mathrm{ReLU}'(z) = 0$，梯度消失；本题 $z > 0$，故 $\mathrm{ReLU}'(z) = 1$。

\[
\delta{_1} = \frac{\partial L}{\partial z} = (a - t) \cdot 1 = «z» - 1 = «d» ⟦2⟧
\]
\[
\frac{\partial L}{\partial w_{1,1}} = \delta{_1} \, x_1 = «d» \times 2 = «g1», \quad ⟦2⟧
\frac{\partial L}{\partial w_{1,2}} = \delta{_1} \, x_2 = «d» \times (-1) = «g2» ⟦2 planted: arithmetic⟧
\]

\section{第二题}
两个样本 $x^{(1)} = 1$，$x^{(2)} = 3$，标签 $t^{(1)} = 2$，$t^{(2)} = 5$，线性模型 $y = w x + b$，
$w = 1.2$，$b = 0.4$，损失取均方误差 $L = \frac{1}{2}\sum_n (y^{(n)} - t^{(n)})^2 / 2$。
\begin{align*}
y^{(1)} &= 1.2 \times 1 + 0.4 = «y1» \\ ⟦1⟧
y^{(2)} &= 1.2 \times 3 + 0.4 = «y2» \\ ⟦1⟧
\delta{_2} &= y^{(2)} - t^{(2)} = «y2» - 5 = «d2» \\ ⟦2⟧
L &= \frac{1}{4}\left((«y1» - 2)^2 + («y2» - 5)^2\right) = «L2» ⟦1⟧
\end{align*}
梯度：
\begin{align*}
\frac{\partial L}{\partial w} &= \frac{1}{2}\left((y^{(1)} - t^{(1)}) x^{(1)} + \delta{_2} x^{(2)}\right) = \frac{1}{2}(«r1» \times 1 + «d2» \times 3) = «gw» \\ ⟦2⟧
\frac{\partial L}{\partial b} &= \frac{1}{2}(«r1» + «d2») = «gb» ⟦1 planted: result⟧
\end{align*}
取学习率 $\eta = 0.05$：$w \leftarrow 1.2 - 0.05 \times «gw» = «wn»$，$b \leftarrow 0.4 - 0.05 \times («gb») = «bn»$。 ⟦2 inherits⟧
\end{document}
"""


def zh_exam() -> tuple[str, dict]:
    v = {}
    z = m("0.5") * 2 + m("0.25") * -1 - m("0.3")
    v["z"] = r(z, 2)
    v["L"] = r((z - 1) ** 2 / 2, 4)
    v["d"] = r(z - 1, 2)
    d = m(v["d"])
    v["g1"] = r(d * 2, 2)
    v["g2"] = r(d * 1, 2)   # the sign of x_2 lost
    v["y1"] = r(m("1.2") + m("0.4"), 1)
    v["y2"] = r(m("1.2") * 3 + m("0.4"), 1)
    v["d2"] = r(m(v["y2"]) - 5, 1)
    v["r1"] = r(m(v["y1"]) - 2, 1)
    v["L2"] = r(((m(v["y1"]) - 2) ** 2 + (m(v["y2"]) - 5) ** 2) / 4, 2)
    v["gw"] = r((m(v["r1"]) * 1 + m(v["d2"]) * 3) / 2, 2)
    v["gb"] = r((m(v["r1"]) + m(v["d2"])), 2)   # the ½ left out of the stated result
    v["wn"] = r(m("1.2") - m("0.05") * m(v["gw"]), 3)
    v["bn"] = r(m("0.4") - m("0.05") * m(v["gb"]), 3)
    return fill(ZH_EXAM, v, latex=True)


# -- 5. vectors and a weight matrix, Markdown, English -------------------------------------------

VECTORS = r"""
# Exercise 2: the same network in vector form

Let $x_1 = 1.0$, $x_2 = 2.0$ and

$$W = \begin{bmatrix} 0.4 & 0.8 \\ -0.6 & 1.5 \end{bmatrix}, \quad b_1 = 0.0, \quad b_2 = -0.2$$

so that $z_1 = W_{11} x_1 + W_{12} x_2 + b_1 = 0.4 + 1.6 = «z1»$ and ⟦2⟧
$z_2 = W_{21} x_1 + W_{22} x_2 + b_2 = -0.6 + 3.0 - 0.2 = «z2»$. ⟦2⟧

Applying the sigmoid entry by entry:

$$[\sigma(z_1), \sigma(z_2)] = [\sigma(«z1»), \sigma(«z2»)] \approx [«s1», «s2»]$$ ⟦4⟧

The output layer has $v_1 = 1.0$, $v_2 = -1.0$ and $c = 0.5$:

$$o = v_1 \sigma(z_1) + v_2 \sigma(z_2) + c = «s1» - «s2» + 0.5 = «o»$$ ⟦2⟧

With target $t = 0$ and $E = \frac{1}{2} o^2$:

$$E = \frac{1}{2} \times «o»^2 = «E»$$ ⟦1 planted: arithmetic⟧

The local derivatives of the hidden layer, again entry by entry:

$$[\sigma'(z_1), \sigma'(z_2)] = [«s1»(1 - «s1»), «s2»(1 - «s2»)] = [«ds1», «ds2»]$$ ⟦4⟧

$$\frac{\partial E}{\partial z_1} = o \, v_1 \, \sigma'(z_1) = «o» \times 1.0 \times «ds1» = «gz1»$$ ⟦2⟧

$$\frac{\partial E}{\partial z_2} = o \, v_2 \, \sigma'(z_2) = «o» \times (-1.0) \times «ds2» = «gz2»$$ ⟦2⟧

and the gradient of the first row of $W$ is

$$\left[\frac{\partial E}{\partial W_{11}}, \frac{\partial E}{\partial W_{12}}\right] = [«gz1» \times 1.0, «gz1» \times 2.0] = [«g11», «g12»]$$ ⟦4 planted: result⟧

A second input gives two more pre-activations: $[\sigma(-1.0), \sigma(0.5)] \approx [«s3», «s4»]$. ⟦2⟧
"""


def vectors() -> tuple[str, dict]:
    v = {}
    v["z1"] = r(m("0.4") + m("1.6"), 1)
    v["z2"] = r(m("-0.6") + m("3.0") - m("0.2"), 1)
    v["s1"], v["s2"] = r(sig(v["z1"]), 4), r(sig(v["z2"]), 4)
    s1, s2 = m(v["s1"]), m(v["s2"])
    v["o"] = r(s1 - s2 + m("0.5"), 4)
    o = m(v["o"])
    v["E"] = r(o ** 2, 4)   # the ½ dropped in the last step
    v["ds1"], v["ds2"] = r(s1 * (1 - s1), 4), r(s2 * (1 - s2), 4)
    v["gz1"] = r(o * m(v["ds1"]), 5)
    v["gz2"] = r(-o * m(v["ds2"]), 5)
    gz1 = m(v["gz1"])
    v["g11"] = r(gz1, 5)
    v["g12"] = r(gz1 * 3, 5)   # a stated entry that is not twice the first
    v["s3"], v["s4"] = r(sig(-1), 4), r(sig(m("0.5")), 4)
    return fill(VECTORS, v, latex=False)


# -- 6. two problems reusing names, Markdown, English --------------------------------------------

SECTIONS = r"""
# Quiz 4 solutions

## Problem 1

A single linear unit $y = w x + b$ with $w = 0.8$, $b = 0.1$, input $x = 2.5$, target $t = 1.5$.

- Prediction: $y = 0.8 \times 2.5 + 0.1 = «y»$. ⟦1⟧
- Loss: $L = (y - t)^2 = («y» - 1.5)^2 = «L»$. ⟦2⟧
- Gradient: $\frac{\partial L}{\partial w} = 2(y - t)x = 2 \times «r» \times 2.5 = «gw»$. ⟦2⟧
- Update with $\alpha = 0.05$: $w = 0.8 - 0.05 \times «gw» = «wn»$. ⟦1⟧

## Problem 2

Now a logistic unit with $w = -1.2$, $b = 0.3$, input $x = 0.5$, label $t = 1$.

$$z = w x + b = -1.2 \times 0.5 + 0.3 = «z»$$ ⟦2⟧

$$y = \sigma(z) = \frac{1}{1 + e^{0.3}} = «y2»$$ ⟦2⟧

The cross-entropy loss is

$$L = -t \ln y - (1 - t)\ln(1 - y) = -\ln(«y2») = «L2»$$ ⟦2 planted: rounding⟧

$$\frac{\partial L}{\partial z} = y - t = «y2» - 1 = «dz»$$ ⟦2⟧

$$\frac{\partial L}{\partial w} = (y - t)\,x = «dz» \times 0.5 = «gw2»$$ ⟦2⟧

$$\frac{\partial L}{\partial b} = y - t = «dz»$$ ⟦1⟧

With $\alpha = 0.05$ again, $w = -1.2 - 0.05 \times («gw2») = «wn2»$ and $b = 0.3 - 0.05 \times («dz») = «bn2»$. ⟦2 planted: arithmetic⟧

## Problem 3

The same logistic unit after the update, on the same input:

$$z = «wn2» \times 0.5 + «bn2» = «z3»$$ ⟦1 inherits⟧

$$L = -\ln \sigma(«z3») = «L3»$$ ⟦1 inherits⟧

The loss went down from «L2» to «L3».
"""


def sections() -> tuple[str, dict]:
    v = {}
    y = m("0.8") * m("2.5") + m("0.1")
    v["y"] = r(y, 1)
    v["L"] = r((y - m("1.5")) ** 2, 2)
    v["r"] = r(y - m("1.5"), 1)
    v["gw"] = r(2 * m(v["r"]) * m("2.5"), 1)
    v["wn"] = r(m("0.8") - m("0.05") * m(v["gw"]), 3)
    z = m("-1.2") * m("0.5") + m("0.3")
    v["z"] = r(z, 1)
    v["y2"] = r(sig(z), 4)
    y2 = m(v["y2"])
    v["L2"] = slip(-mpmath.log(y2), 4)
    v["dz"] = r(y2 - 1, 4)
    v["gw2"] = r(m(v["dz"]) * m("0.5"), 5)
    v["wn2"] = r(m("-1.2") - m("0.05") * m(v["gw2"]), 6)
    v["bn2"] = r(m("0.3") - m("0.05") * m(v["dz"]) - m("0.05"), 6)   # a slip in the bias update
    v["z3"] = r(m(v["wn2"]) * m("0.5") + m(v["bn2"]), 6)
    v["L3"] = r(-mpmath.log(sig(v["z3"])), 4)
    return fill(SECTIONS, v, latex=False)


# -- 7. frozen values, rounded substitutions, exact zeros, Markdown ------------------------------

FROZEN = r"""
# Notes on one gradient step

**Part A.** For a single weight, $L(w) = (w x - y)^2$ with $x = 2$ and $y = 3$. By the chain rule

$$\frac{dL}{dw} = 2(w x - y) \cdot x$$

At the starting point $w = 0.5$ this is

$$\frac{dL}{dw} = 2(0.5 \times 2 - 3) \times 2 = «g»$$ ⟦1⟧

and after one step with $\eta = 0.1$, $w = 0.5 - 0.1 \times («g») = «w1»$, where ⟦1⟧

$$L = («w1» \times 2 - 3)^2 = «L1»$$ ⟦1⟧

**Part B.** A sigmoid unit with net input $s = 0.3775$:

$$h = \sigma(0.3775) = «h»$$ ⟦2⟧

$$k = 2h = 2 \times «hr» = «k»$$ ⟦2⟧

$$h(1 - h) = «hr» \times (1 - «hr») = «dh»$$ ⟦2⟧

$$q = 3h - 1 = 3 \times «h» - 1 = «q»$$ ⟦2 planted: rounding⟧

**Part C.** A ReLU unit with a tiny negative input $u = -0.00003$:

$$\mathrm{ReLU}(u) = \max(0, -0.00003) = 0.0000$$ ⟦2⟧

so the unit is off: $r = 0.0$ and $r \times 5 = 0.0$. ⟦1⟧

For the other unit, with $g = 0.0704$ and $\eta = 0.1$, the step is

$$\Delta w = \eta g = 0.1 \times 0.0704 = «dw»$$ ⟦2 planted: arithmetic⟧

$$\Delta b = \eta \times 0.5 g = 0.1 \times 0.5 \times 0.0704 = «db»$$ ⟦2⟧

**Part D.** Two steps of gradient descent on $f(v) = v^2 - 4v$, whose derivative is
$f'(v) = 2v - 4$, from $v = 0$ with step size $0.25$:

1. $f'(0) = -4$, so $v = 0 - 0.25 \times (-4) = 1$; ⟦2⟧
2. $f'(1) = 2 - 4 = -2$, so $v = 1 - 0.25 \times (-2) = «v2»$; ⟦3 planted: result⟧
3. $f(«v2») = «v2»^2 - 4 \times «v2» = «fv2»$. ⟦2 inherits⟧
"""


def frozen() -> tuple[str, dict]:
    v = {}
    g = 2 * (m("0.5") * 2 - 3) * 2
    v["g"] = r(g, 0)
    v["w1"] = r(m("0.5") - m("0.1") * g, 1)
    v["L1"] = r((m(v["w1"]) * 2 - 3) ** 2, 2)
    h = sig(m("0.3775"))
    v["h"] = r(h, 9)
    v["hr"] = r(h, 8)                      # the value carried one digit shorter
    v["k"] = r(2 * m(v["hr"]), 8)
    v["dh"] = r(m(v["hr"]) * (1 - m(v["hr"])), 8)
    v["q"] = slip(3 * m(v["h"]) - 1, 9)
    v["dw"] = r(m("0.1") * m("0.0704") / 10, 5)   # one place too far
    v["db"] = r(m("0.1") * m("0.5") * m("0.0704"), 5)
    v["v2"] = r(1 + m("0.25") * 2 + 1, 1)     # states 2.5 for 1.5
    v["fv2"] = r(m(v["v2"]) ** 2 - 4 * m(v["v2"]), 2)
    return fill(FROZEN, v, latex=False)


# -- 8. parameter counts, norms and weight decay, LaTeX, English ---------------------------------

PARAMS = r"""
\documentclass{article}
\usepackage{amsmath}
\begin{document}
\section*{Problem 5: an MLP for MNIST}
The network is 784--128--10, fully connected with biases. Its parameters number
\[
784 \times 128 + 128 + 128 \times 10 + 10 = «count» ⟦1⟧
\]
of which the first layer holds $784 \times 128 + 128 = «first»$. ⟦1⟧

\section*{Problem 6: $L_2$ regularisation}
Take $w = (0.5, -1.2, 0.3)$, the data loss $L_0 = 0.42$ and $\lambda = 0.01$.
\begin{equation*}
\|w\|^2 = 0.5^2 + (-1.2)^2 + 0.3^2 = «n2» ⟦1⟧
\end{equation*}
\begin{equation*}
L = L_0 + \frac{\lambda}{2}\|w\|^2 = 0.42 + 0.005 \times «n2» = «L» ⟦2⟧
\end{equation*}
The gradient of the penalty is $\lambda w$, so with the data gradients $g_1 = 0.2$,
$g_2 = -0.1$, $g_3 = 0.05$ and $\eta = 0.5$:
\begin{align*}
w_1 &\leftarrow w_1 - \eta (g_1 + \lambda w_1) = 0.5 - 0.5 \times (0.2 + 0.005) = «w1» \\ ⟦2⟧
w_2 &\leftarrow -1.2 - 0.5 \times (-0.1 + 0.01 \times (-1.2)) = «w2» \\ ⟦1 planted: arithmetic⟧
w_3 &\leftarrow 0.3 - 0.5 \times (0.05 + 0.003) = «w3» ⟦1⟧
\end{align*}
The new squared norm is
\begin{equation*}
\|w\|^2 = «w1»^2 + («w2»)^2 + «w3»^2 = «n2b» ⟦1 inherits⟧
\end{equation*}

\section*{Problem 7: Adam's first step}
With $g = 0.2$, $\beta_1 = 0.9$, $\beta_2 = 0.999$, $\epsilon = 10^{-8}$ and $\alpha = 0.001$:
\begin{align*}
m_1 &= (1 - \beta_1) g = 0.1 \times 0.2 = «m1» \\ ⟦2⟧
v_1 &= (1 - \beta_2) g^2 = 0.001 \times 0.04 = «v1» \\ ⟦2⟧
\hat{m}_1 &= \frac{m_1}{1 - \beta_1} = \frac{«m1»}{0.1} = «mh» \\ ⟦2⟧
\hat{v}_1 &= \frac{v_1}{1 - \beta_2} = \frac{«v1»}{0.001} = «vh» \\ ⟦2⟧
\Delta\theta &= -\alpha \frac{\hat{m}_1}{\sqrt{\hat{v}_1} + \epsilon} = -0.001 \times \frac{«mh»}{«sq»} = «step» ⟦2 planted: result⟧
\end{align*}
\end{document}
"""


def params() -> tuple[str, dict]:
    v = {}
    count = 784 * 128 + 128 + 128 * 10 + 10
    v["count"] = f"{count // 1000}\\,{count % 1000:03d}"
    first = 784 * 128 + 128
    v["first"] = f"{first // 1000}\\,{first % 1000:03d}"
    n2 = m("0.5") ** 2 + m("1.2") ** 2 + m("0.3") ** 2
    v["n2"] = r(n2, 2)
    v["L"] = r(m("0.42") + m("0.005") * n2, 4)
    v["w1"] = r(m("0.5") - m("0.5") * m("0.205"), 4)
    v["w2"] = r(m("-1.2") - m("0.5") * (m("-0.1") + m("0.012")), 3)   # λw's sign flipped
    v["w3"] = r(m("0.3") - m("0.5") * m("0.053"), 4)
    v["n2b"] = r(m(v["w1"]) ** 2 + m(v["w2"]) ** 2 + m(v["w3"]) ** 2, 4)
    v["m1"] = r(m("0.02"), 2)
    v["v1"] = r(m("0.00004"), 5)
    v["mh"] = r(m("0.2"), 1)
    v["vh"] = r(m("0.04"), 2)
    v["sq"] = r(mpmath.sqrt(m("0.04")), 1)
    v["step"] = r(-m("0.001") * m("0.2") / m("0.2") * 10, 2)   # −0.01 for −0.001
    return fill(PARAMS, v, latex=True)


# -- 9. primes, hats and index brackets, Markdown, English ---------------------------------------

PRIMES = r"""
# Worked example: one tanh neuron, two outputs

Input vector: $x[0] = 0.5$, $x[1] = -1.0$. Weights $w_1 = 0.3$, $w_2 = 0.6$, bias $b = 0.1$.

$$s = w_1 x[0] + w_2 x[1] + b = 0.3 \times 0.5 + 0.6 \times (-1.0) + 0.1 = «s»$$ ⟦2⟧

$$a = \tanh(s) = \tanh(«s») = «a»$$ ⟦2⟧

Its derivative is $a' = 1 - a^2 = 1 - («a»)^2 = «ad»$. ⟦2 planted: rounding⟧

Two outputs read the neuron: $\hat{y1} = 2a = «y1»$ and $\hat{y2} = -a + 0.5 = «y2»$, ⟦4⟧
with targets $y1 = -0.5$ and $y2 = 1.0$.

$$E = (\hat{y1} - y1)^2 + (\hat{y2} - y2)^2 = («y1» + 0.5)^2 + («y2» - 1.0)^2 = «E»$$ ⟦2⟧

$$\frac{\partial E}{\partial a} = 2(\hat{y1} - y1) \times 2 - 2(\hat{y2} - y2) = 2 \times «r1» \times 2 - 2 \times («r2») = «dEa»$$ ⟦2 planted: arithmetic⟧

$$\frac{\partial E}{\partial s} = \frac{\partial E}{\partial a} \, a' = «dEa» \times «ad» = «dEs»$$ ⟦2 inherits⟧

$$\frac{\partial E}{\partial w_1} = \frac{\partial E}{\partial s} \, x[0] = «dEs» \times 0.5 = «g1»$$ ⟦2 inherits⟧

$$\frac{\partial E}{\partial w_2} = \frac{\partial E}{\partial s} \, x[1] = «g2»$$ ⟦1 inherits⟧

With learning rate $0.1$ the new weights are

$$w_1' = w_1 - 0.1 \frac{\partial E}{\partial w_1} = 0.3 - 0.1 \times («g1») = «w1p»$$ ⟦2⟧

$$w_2^{new} = 0.6 - 0.1 \times «g2» = «w2p»$$ ⟦1⟧

$$b' = b - 0.1 \frac{\partial E}{\partial s} = 0.1 - 0.1 \times («dEs») = «bp»$$ ⟦2 planted: result⟧
"""


def primes() -> tuple[str, dict]:
    v = {}
    s = m("0.3") * m("0.5") + m("0.6") * m("-1.0") + m("0.1")
    v["s"] = r(s, 2)
    v["a"] = r(mpmath.tanh(s), 4)
    a = m(v["a"])
    # one unit low: rounding 0.886835 up would give what the full-precision a gives (0.8869)
    v["ad"] = r(1 - a ** 2 - m("0.0001"), 4)
    v["y1"] = r(2 * a, 4)
    v["y2"] = r(-a + m("0.5"), 4)
    v["r1"] = r(m(v["y1"]) + m("0.5"), 4)
    v["r2"] = r(m(v["y2"]) - 1, 4)
    v["E"] = r(m(v["r1"]) ** 2 + m(v["r2"]) ** 2, 4)
    v["dEa"] = r(2 * m(v["r1"]) * 2 + 2 * m(v["r2"]), 4)   # − (−x) taken as −x
    v["dEs"] = r(m(v["dEa"]) * m(v["ad"]), 4)
    v["g1"] = r(m(v["dEs"]) * m("0.5"), 4)
    v["g2"] = r(-m(v["dEs"]), 4)
    v["w1p"] = r(m("0.3") - m("0.1") * m(v["g1"]), 5)
    v["w2p"] = r(m("0.6") - m("0.1") * m(v["g2"]), 5)
    v["bp"] = r(m("0.1") + m("0.1") * m(v["dEs"]), 5)   # the step taken uphill
    return fill(PRIMES, v, latex=False)


# -- 10. softmax and cross-entropy, Markdown, English --------------------------------------------

SOFTMAX = r"""
# Softmax and cross-entropy, worked

Logits $z_1 = 2.0$, $z_2 = 1.0$, $z_3 = 0.1$; the true class is 1.

$$e^{z_1} = e^{2.0} = «e1», \quad e^{z_2} = e^{1.0} = «e2», \quad e^{z_3} = e^{0.1} = «e3»$$ ⟦6⟧

$$S = e^{z_1} + e^{z_2} + e^{z_3} = «e1» + «e2» + «e3» = «S»$$ ⟦2⟧

$$p_1 = \frac{e^{z_1}}{S} = \frac{«e1»}{«S»} = «p1»$$ ⟦2⟧

$$p_2 = \frac{«e2»}{«S»} = «p2», \quad p_3 = \frac{«e3»}{«S»} = «p3»$$ ⟦2 planted: result⟧

$$L = -\log p_1 = -\ln(«p1») = «L»$$ ⟦2⟧

The gradient of the loss by the logits is $p - y$:

$$\frac{\partial L}{\partial z_1} = p_1 - 1 = «p1» - 1 = «g1»$$ ⟦2⟧

$$\frac{\partial L}{\partial z_2} = p_2 = «p2r», \quad \frac{\partial L}{\partial z_3} = p_3 = «p3»$$ ⟦2 inherits⟧

The gradients sum to zero: $«g1» + «p2r» + «p3» = «sum»$. ⟦1 planted: arithmetic⟧

A temperature $T = 2$ softens the distribution: $\frac{e^{1.0}}{e^{1.0} + e^{0.5} + e^{0.05}} = «pT1»$. ⟦1⟧
"""


def softmax() -> tuple[str, dict]:
    v = {}
    e = [mpmath.exp(m(z)) for z in ("2.0", "1.0", "0.1")]
    v["e1"], v["e2"], v["e3"] = (r(x, 4) for x in e)
    S = sum(m(v[k]) for k in ("e1", "e2", "e3"))
    v["S"] = r(S, 4)
    S = m(v["S"])
    v["p1"] = r(m(v["e1"]) / S, 4)
    p2 = m(v["e2"]) / S
    v["p2"] = r(p2 + m("0.01"), 4)   # a digit misread when copying the result
    v["p2r"] = v["p2"]
    v["p3"] = r(m(v["e3"]) / S, 4)
    v["L"] = r(-mpmath.log(m(v["p1"])), 4)
    v["g1"] = r(m(v["p1"]) - 1, 4)
    v["sum"] = r(m(v["g1"]) + m(v["p2r"]) + m(v["p3"]) - m("0.01"), 4)   # forced to zero
    eT = [mpmath.exp(m(z)) for z in ("1.0", "0.5", "0.05")]
    v["pT1"] = r(eT[0] / sum(eT), 4)
    return fill(SOFTMAX, v, latex=False)


# -- 11. a tanh chain in Chinese LaTeX: aligned inside equation*, updates ------------------------

ZH_TANH = r"""
\documentclass{ctexart}
\usepackage{amsmath}
\begin{document}
\section{题目}
两层 tanh 网络：$x = 0.8$，$w_1 = 0.5$，$w_2 = -0.4$，$w_3 = 1.1$，目标 $t = 0.2$，
$h_1 = \tanh(w_1 x)$，$h_2 = \tanh(w_2 h_1)$，$y = w_3 h_2$，$E = \frac{1}{2}(y - t)^2$，学习率 $\eta = 0.3$。

\section{前向计算}
\begin{equation*}
\begin{aligned}
h_1 &= \tanh(w_1 x) = \tanh(0.5 \times 0.8) = \tanh(0.4) = «h1» \\ ⟦3⟧
h_2 &= \tanh(w_2 h_1) = \tanh(-0.4 \times «h1») = «h2» \\ ⟦2 planted: rounding⟧
y &= w_3 h_2 = 1.1 \times («h2») = «y» \\ ⟦2⟧
E &= \frac{1}{2}(y - t)^2 = \frac{1}{2}(«y» - 0.2)^2 = «E» ⟦2⟧
\end{aligned}
\end{equation*}

\section{反向计算}
由链式法则，
\begin{align}
\frac{\partial E}{\partial y} &= y - t = «y» - 0.2 = «dy» \\ ⟦2⟧
\frac{\partial E}{\partial w_3} &= \frac{\partial E}{\partial y} \cdot h_2 = «dy» \times («h2») = «g3» \\ ⟦2⟧
\frac{\partial E}{\partial h_2} &= \frac{\partial E}{\partial y} \cdot w_3 = «dy» \times 1.1 = «dh2» \\ ⟦2⟧
\frac{\partial E}{\partial w_2} &= \frac{\partial E}{\partial h_2} (1 - h_2^2) h_1 = «dh2» \times (1 - («h2»)^2) \times «h1» = «g2» \\ ⟦2 planted: arithmetic⟧
\frac{\partial E}{\partial h_1} &= \frac{\partial E}{\partial h_2} (1 - h_2^2) w_2 = «dh2» \times (1 - («h2»)^2) \times (-0.4) = «dh1» \\ ⟦2⟧
\frac{\partial E}{\partial w_1} &= \frac{\partial E}{\partial h_1} (1 - h_1^2) x = «dh1» \times (1 - «h1»^2) \times 0.8 = «g1» ⟦2⟧
\end{align}

\section{参数更新}
\begin{align*}
w_3 &\leftarrow 1.1 - 0.3 \times («g3») = «w3» \\ ⟦1⟧
w_2 &\leftarrow -0.4 - 0.3 \times «g2» = «w2» \\ ⟦1 inherits⟧
w_1 &\leftarrow 0.5 - 0.3 \times («g1») = «w1» ⟦1 planted: result⟧
\end{align*}
\end{document}
"""


def zh_tanh() -> tuple[str, dict]:
    v = {}
    v["h1"] = r(mpmath.tanh(m("0.4")), 4)
    h1 = m(v["h1"])
    v["h2"] = slip(mpmath.tanh(m("-0.4") * h1), 4)
    h2 = m(v["h2"])
    v["y"] = r(m("1.1") * h2, 4)
    y = m(v["y"])
    v["E"] = r((y - m("0.2")) ** 2 / 2, 4)
    v["dy"] = r(y - m("0.2"), 4)
    dy = m(v["dy"])
    v["g3"] = r(dy * h2, 4)
    v["dh2"] = r(dy * m("1.1"), 4)
    dh2 = m(v["dh2"])
    v["g2"] = r(dh2 * (1 + h2 ** 2) * h1, 4)   # 1 + h² for 1 − h²
    v["dh1"] = r(dh2 * (1 - h2 ** 2) * m("-0.4"), 4)
    v["g1"] = r(m(v["dh1"]) * (1 - h1 ** 2) * m("0.8"), 4)
    v["w3"] = r(m("1.1") - m("0.3") * m(v["g3"]), 4)
    v["w2"] = r(m("-0.4") - m("0.3") * m(v["g2"]), 4)
    v["w1"] = r(m("0.5") - m("0.3") * m(v["g1"]) + m("0.01"), 4)   # a stated result off by 0.01
    return fill(ZH_TANH, v, latex=True)


# -- 12. momentum, two steps, Markdown with a numbered list --------------------------------------

MOMENTUM = r"""
# SGD with momentum on a one-weight model

### Setting

The model is $\hat{y} = w x$ with one example $x = 2$, $y = 1$ and the loss
$J = \frac{1}{2}(\hat{y} - y)^2$, so $\frac{\partial J}{\partial w} = (\hat{y} - y) x$.
We start from $w = 1.0$ with velocity $v = 0$, learning rate $\alpha = 0.1$ and momentum $\mu = 0.9$.

### Step 1

1. $\hat{y} = 1.0 \times 2 = 2.0$, $J = \frac{1}{2}(2.0 - 1)^2 = 0.5$ ⟦2⟧
2. $\frac{\partial J}{\partial w} = (2.0 - 1) \times 2 = 2.0$ ⟦1⟧
3. $v = \mu v - \alpha \frac{\partial J}{\partial w} = 0.9 \times 0 - 0.1 \times 2.0 = -0.2$ ⟦2⟧
4. $w = w + v = 1.0 + (-0.2) = 0.8$ ⟦2⟧

### Step 2

1. $\hat{y} = 0.8 \times 2 = 1.6$, $J = \frac{1}{2}(1.6 - 1)^2 = «J2»$ ⟦2⟧
2. $\frac{\partial J}{\partial w} = (1.6 - 1) \times 2 = «g2»$ ⟦1⟧
3. $v = 0.9 \times (-0.2) - 0.1 \times «g2» = «v2»$ ⟦1 planted: arithmetic⟧
4. $w = 0.8 + («v2») = «w2»$ ⟦1 inherits⟧

### Step 3

1. $\hat{y} = «w2» \times 2 = «y3»$, $J = \frac{1}{2}(«y3» - 1)^2 = «J3»$ ⟦2 inherits⟧
2. $\frac{\partial J}{\partial w} = («y3» - 1) \times 2 = «g3»$ ⟦1 inherits⟧
3. $v = 0.9 \times («v2») - 0.1 \times («g3») = «v3»$ ⟦1 planted: result⟧
4. $w = «w2» + («v3») = «w3»$ ⟦1 inherits⟧

### Step 4

$$
\hat{y} = «w3» \times 2 = «y4» \\ ⟦1 inherits⟧
J = \frac{1}{2}(«y4» - 1)^2 = «J4» \\ ⟦1 inherits⟧
\frac{\partial J}{\partial w} = («y4» - 1) \times 2 = «g4» \\ ⟦1 inherits⟧
v = 0.9 \times («v3») - 0.1 \times («g4») = «v4» ⟦1 inherits⟧
$$

> Without momentum the second step would have given
>
> $$
> \begin{aligned}
> w &= 0.8 - 0.1 \times «g2» = «w2plain» \\ ⟦1⟧
> J &= \frac{1}{2}(2 \times «w2plain» - 1)^2 = «Jplain» ⟦1⟧
> \end{aligned}
> $$
"""


def momentum() -> tuple[str, dict]:
    v = {}
    v["J2"] = r((m("1.6") - 1) ** 2 / 2, 2)
    v["g2"] = r((m("1.6") - 1) * 2, 1)
    v["v2"] = r(m("0.9") * m("-0.2") + m("0.1") * m(v["g2"]), 2)   # − α g taken as + α g
    v["w2"] = r(m("0.8") + m(v["v2"]), 2)
    v["y3"] = r(m(v["w2"]) * 2, 2)
    v["J3"] = r((m(v["y3"]) - 1) ** 2 / 2, 4)
    v["g3"] = r((m(v["y3"]) - 1) * 2, 2)
    v["v3"] = r(m("0.9") * m(v["v2"]) - m("0.1") * m(v["g3"]) - m("0.05"), 3)   # a stated slip
    v["w3"] = r(m(v["w2"]) + m(v["v3"]), 3)
    v["y4"] = r(m(v["w3"]) * 2, 3)
    v["J4"] = r((m(v["y4"]) - 1) ** 2 / 2, 6)
    v["g4"] = r((m(v["y4"]) - 1) * 2, 3)
    v["v4"] = r(m("0.9") * m(v["v3"]) - m("0.1") * m(v["g4"]), 4)
    v["w2plain"] = r(m("0.8") - m("0.1") * m(v["g2"]), 2)
    v["Jplain"] = r((2 * m(v["w2plain"]) - 1) ** 2 / 2, 4)
    return fill(MOMENTUM, v, latex=False)


def at_30_digits(make):
    """The same text whatever precision the caller's mpmath is set to."""
    def made() -> tuple[str, dict]:
        with mpmath.workdps(DIGITS):
            return make()
    return made


DOCUMENTS = {
    "mazur_note.md": mazur, "lecture.tex": lecture, "zh_homework.md": zh_homework,
    "zh_exam.tex": zh_exam, "vectors.md": vectors, "sections.md": sections,
    "frozen.md": frozen, "params.tex": params, "primes.md": primes, "softmax.md": softmax,
    "zh_tanh.tex": zh_tanh, "momentum.md": momentum,
}
DOCUMENTS = {name: at_30_digits(make) for name, make in DOCUMENTS.items()}
SPECS = {"mazur_note.md": "examples/mazur.toml"}


def main() -> None:
    HERE.mkdir(exist_ok=True)
    total = planted = 0
    for name, make in DOCUMENTS.items():
        text, meta = make()
        (HERE / name).write_text(text, encoding="utf-8")
        total += meta["statements"]
        planted += len(meta["planted"])
        print(f"{name:<16} {meta['statements']:>4} statements, {len(meta['planted'])} planted")
    print(f"{'total':<16} {total:>4} statements, {planted} planted")


if __name__ == "__main__":
    main()
