"""Smooth functions of estimates written as text, with their exact gradient (for R `svycontrast`'s nonlinear form).

R's ``svycontrast(stat, quote(exp(E - H)))`` differentiates the expression with `deriv()` and takes the delta
method Var(g(theta)) = J V J', J = dg/dtheta at the estimates (R `nlcon`). Here the text is read with Python's
`ast` module -- never evaluated -- and only this grammar is accepted:

    numbers, names of estimates (`backquoted` when not identifiers, e.g. `E:api00`, as in R),
    + - * / ** (power), unary - and +, parentheses, and the one-argument functions of R's deriv()
    exp log log1p expm1 log2 log10 sqrt sin cos tan asin acos atan pnorm dnorm.

The value and the gradient are computed together by forward-mode differentiation on the syntax tree (every
node carries its value and its derivatives with respect to all the estimates; the chain rule at each operation),
which gives the derivatives deriv() writes out symbolically, to rounding. A power with an exponent free of the
estimates uses d(u^c) = c u^(c-1) du (R deriv: the same when c is a number). Text outside the grammar, and names
that are not estimates, are refused with a `riset.errors.DataError` naming them.

>>> f = Expression("exp(E - H)", ["E", "H"])
>>> value, gradient = f.evaluate({"E": 1.0, "H": 1.0}, gradient=True)
>>> float(value), gradient.tolist()
(1.0, [1.0, -1.0])
"""

from __future__ import annotations

import ast
import re
from typing import Mapping, Sequence

import numpy as np
from scipy import stats

from riset.errors import DataError

__all__ = ["Expression", "FUNCTIONS"]

#: function name -> (f, f'): the one-argument functions R's deriv() differentiates
FUNCTIONS = {
    "exp": (np.exp, np.exp),
    "log": (np.log, lambda x: 1 / x),
    "log1p": (np.log1p, lambda x: 1 / (1 + x)),
    "expm1": (np.expm1, np.exp),
    "log2": (np.log2, lambda x: 1 / (x * np.log(2))),
    "log10": (np.log10, lambda x: 1 / (x * np.log(10))),
    "sqrt": (np.sqrt, lambda x: 0.5 / np.sqrt(x)),
    "sin": (np.sin, np.cos),
    "cos": (np.cos, lambda x: -np.sin(x)),
    "tan": (np.tan, lambda x: 1 / np.cos(x) ** 2),
    "asin": (np.arcsin, lambda x: 1 / np.sqrt(1 - x ** 2)),
    "acos": (np.arccos, lambda x: -1 / np.sqrt(1 - x ** 2)),
    "atan": (np.arctan, lambda x: 1 / (1 + x ** 2)),
    "pnorm": (stats.norm.cdf, stats.norm.pdf),
    "dnorm": (stats.norm.pdf, lambda x: -x * stats.norm.pdf(x)),
}

_BACKQUOTED = re.compile(r"`([^`]*)`")
_GRAMMAR = ("numbers, names of estimates (`backquoted` if not identifiers), + - * / ** (power), unary minus, "
            "and the functions " + " ".join(FUNCTIONS))


class Expression:
    """g(theta): a text over the names of the estimates, checked against the grammar of the module docstring.

    `evaluate(values)` gives g at the values (numbers, or arrays of equal shape: e.g. one value per replicate)
    and, with ``gradient=True`` (numbers only), the exact gradient dg/dtheta in the order of `names`.
    """

    def __init__(self, text: str, names: Sequence[str]):
        if not isinstance(text, str):
            raise DataError(f"contrast expression {text!r} must be text, e.g. 'exp(E - H)'")
        self.text = text
        self.names = [str(n) for n in names]
        self._aliases: dict[str, str] = {}  # placeholder identifier -> backquoted name
        source = _BACKQUOTED.sub(self._alias, text)
        if "`" in source:
            raise DataError(f"contrast expression {text!r} has an unmatched backquote (`)")
        try:
            self._tree = ast.parse(source.strip(), mode="eval").body
        except SyntaxError as exc:
            raise DataError(f"contrast expression {text!r} cannot be read ({exc.msg}); it may use {_GRAMMAR}") \
                from None
        self._check(self._tree)

    def _alias(self, match: re.Match) -> str:
        alias = f"_backquoted_{len(self._aliases)}_"
        self._aliases[alias] = match.group(1)
        return f" {alias} "

    def _name(self, node: ast.Name) -> str:
        return self._aliases.get(node.id, node.id)

    def _check(self, node: ast.AST) -> None:
        """Refuse anything outside the grammar, and names that are not estimates."""
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            return
        if isinstance(node, ast.Name):
            if self._name(node) not in self.names:
                raise DataError(f"contrast expression {self.text!r}: {self._name(node)!r} is not an estimate; "
                                f"estimates: {', '.join(self.names)}")
            return
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow)):
            self._check(node.left)
            self._check(node.right)
            return
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            self._check(node.operand)
            return
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in FUNCTIONS
                and len(node.args) == 1 and not node.keywords and not isinstance(node.args[0], ast.Starred)):
            self._check(node.args[0])
            return
        hint = " (powers are written **)" if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitXor) else ""
        raise DataError(f"contrast expression {self.text!r}: {ast.unparse(node)!r} is not allowed{hint}; "
                        f"allowed are {_GRAMMAR}")

    def evaluate(self, values: Mapping[str, object], gradient: bool = False):
        """g at `values` (name -> number or array), and with `gradient` the vector dg/dtheta_j over `names`."""
        unit = np.eye(len(self.names)) if gradient else np.zeros((len(self.names), 1))
        seeds = {n: (np.asarray(values[n], dtype="float64"), unit[j] if gradient else 0.0)
                 for j, n in enumerate(self.names)}
        with np.errstate(all="ignore"):  # a log of a negative estimate is NaN, as in R
            value, derivative = self._forward(self._tree, seeds)
        if not gradient:
            return value
        return value, np.broadcast_to(derivative, (len(self.names),)).astype("float64")

    def _forward(self, node: ast.AST, seeds) -> tuple:
        """(value, derivatives) of a node: forward-mode differentiation, the chain rule at each operation."""
        if isinstance(node, ast.Constant):
            return np.float64(node.value), 0.0
        if isinstance(node, ast.Name):
            return seeds[self._name(node)]
        if isinstance(node, ast.UnaryOp):
            v, d = self._forward(node.operand, seeds)
            return (-v, -d) if isinstance(node.op, ast.USub) else (v, d)
        if isinstance(node, ast.Call):
            v, d = self._forward(node.args[0], seeds)
            f, df = FUNCTIONS[node.func.id]
            return f(v), df(v) * d
        (u, du), (v, dv) = self._forward(node.left, seeds), self._forward(node.right, seeds)
        if isinstance(node.op, ast.Add):
            return u + v, du + dv
        if isinstance(node.op, ast.Sub):
            return u - v, du - dv
        if isinstance(node.op, ast.Mult):
            return u * v, du * v + u * dv
        if isinstance(node.op, ast.Div):
            return u / v, (du * v - u * dv) / v ** 2
        power = u ** v  # ast.Pow
        if not np.any(dv):  # exponent free of the estimates
            return power, v * u ** (v - 1) * du
        return power, power * (dv * np.log(u) + v * du / u)

    def __repr__(self) -> str:
        return f"Expression({self.text!r})"
