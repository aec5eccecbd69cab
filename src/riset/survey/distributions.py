"""Tail probabilities of linear combinations of chi-squares, for the Rao-Scott tests (R survey's
`pchisqsum` and `pFsum`), and R's root finder `uniroot`, which the saddlepoint and the score interval of a
quantile share.

A Rao-Scott statistic X^2 is asymptotically distributed as Q = sum_i a_i chi^2_{1,i}, a_i the eigenvalues of
the design-effect matrix Delta; with a denominator of `ddf` degrees of freedom, as
P(X^2 > x) = P(sum_i a_i chi^2_1 - (x / ddf) chi^2_ddf > 0) (R `pFsum`, Lumley & Scott 2013). Methods:

- ``"satterthwaite"``: Q ~ scale x chi^2_nu with the mean and variance of Q (scale = sum a^2 / sum a,
  nu = (sum a)^2 / sum a^2), and for a finite ddf the F(nu, ddf) of x / (nu scale);
- ``"saddlepoint"``: Lugannani-Rice saddlepoint approximation (Kuonen 1999), R survey's `saddle`:
  with K(z) = -1/2 sum log(1 - 2 z a_i) and the root z^ of K'(z) = x,
  P(Q > x) = 1 - Phi(w + log(v / w) / w), w = sign(z^) sqrt(2 (z^ x - K(z^))), v = z^ sqrt(K''(z^));
  the Satterthwaite value where |z^| < 1e-4 (R returns NA there and keeps it);
- ``"integration"``: the exact distribution by Imhof's (1961) inversion of the characteristic function,
  P(Q > x) = 1/2 + 1/pi int_0^inf sin(theta(u)) / (u rho(u)) du, theta(u) = 1/2 sum h_i atan(a_i u) - x u / 2,
  rho(u) = prod (1 + a_i^2 u^2)^(h_i / 4). R gets the same quantity from CompQuadForm's `davies` (finite
  ddf, or any a_i <= 0) or `farebrother` (error bound 1e-7); as in R's call of `davies`, the denominator's
  degrees of freedom are truncated to an integer there (but not in x / ddf). Without CompQuadForm R itself
  falls back to the saddlepoint, with a warning.

`uniroot` is R's `uniroot` (Brent's zeroin as in R's src/library/stats/src/zeroin.c, `R_zeroin2`), step for
step, so that a root of a step function -- where the tolerance decides which side of a jump it lands on --
is R's.

>>> round(pchisqsum(3.84, [1.0], method="satterthwaite"), 4)
0.05
>>> round(pchisqsum(5.0, [1.0, 1.0], method="integration"), 6) == round(float(np.exp(-2.5)), 6)
True
"""

from __future__ import annotations

import sys
import warnings
from typing import Callable

import numpy as np
from scipy import integrate, stats

from riset.errors import DataError

__all__ = ["CHISQSUM_METHODS", "pchisqsum", "pfsum", "saddle", "uniroot"]

#: How the tail of a linear combination of chi-squares is computed (R pchisqsum's `method`).
CHISQSUM_METHODS = ("satterthwaite", "saddlepoint", "integration")

_EPSILON = sys.float_info.epsilon


def uniroot(f: Callable[[float], float], lower: float, upper: float, tol: float = _EPSILON ** 0.25,
            maxiter: int = 1000) -> float:
    """A root of `f` in [lower, upper] as R `uniroot(f, c(lower, upper), tol = tol)$root`.

    >>> round(uniroot(lambda x: x * x - 2, 0.0, 2.0, tol=1e-12), 10)
    1.4142135624
    """
    a, b = float(lower), float(upper)
    fa, fb = f(a), f(b)
    if fa * fb > 0:
        raise DataError(f"f() values at the end points of [{a}, {b}] are not of opposite sign")
    if fa == 0.0:
        return a
    if fb == 0.0:
        return b
    c, fc = a, fa
    for _ in range(maxiter + 1):
        prev_step = b - a
        if abs(fc) < abs(fb):
            a, b, c = b, c, b
            fa, fb, fc = fb, fc, fb
        tol_act = 2 * _EPSILON * abs(b) + tol / 2
        new_step = (c - b) / 2
        if abs(new_step) <= tol_act or fb == 0.0:
            return b
        if abs(prev_step) >= tol_act and abs(fa) > abs(fb):
            cb = c - b
            if a == c:
                t1 = fb / fa
                p, q = cb * t1, 1.0 - t1
            else:
                q, t1, t2 = fa / fc, fb / fc, fb / fa
                p = t2 * (cb * q * (q - t1) - (b - a) * (t1 - 1.0))
                q = (q - 1.0) * (t1 - 1.0) * (t2 - 1.0)
            if p > 0:
                q = -q
            else:
                p = -p
            if p < 0.75 * cb * q - abs(tol_act * q) / 2 and p < abs(prev_step * q / 2):
                new_step = p / q
        if abs(new_step) < tol_act:
            new_step = tol_act if new_step > 0 else -tol_act
        a, fa = b, fb
        b += new_step
        fb = f(b)
        if (fb > 0 and fc > 0) or (fb < 0 and fc < 0):
            c, fc = a, fa
    return b


def saddle(x: float, weights) -> float:
    """P(sum_i a_i chi^2_1 > x) by the saddlepoint approximation, NaN where the saddlepoint is within 1e-4 of
    zero (R survey's `saddle(x, lambda)`)."""
    lam = np.asarray(weights, dtype=float)
    d = lam.max()
    lam, x = lam / d, x / d

    def k0(z):
        return -np.log(1 - 2 * z * lam).sum() / 2

    def k1(z):
        return float((lam / (1 - 2 * z * lam)).sum())

    def k2(z):
        return 2 * float((lam ** 2 / (1 - 2 * z * lam) ** 2).sum())

    if (lam < 0).any():
        lmin = (1 / (2 * lam[lam < 0])).max() * 0.99999
    elif x > lam.sum():
        lmin = -0.01
    else:
        lmin = -len(lam) / (2 * x)
    lmax = (1 / (2 * lam[lam > 0])).min() * 0.99999
    z = uniroot(lambda zeta: k1(zeta) - x, lmin, lmax, tol=1e-8)
    if abs(z) < 1e-4:
        return np.nan
    w = np.sign(z) * np.sqrt(2 * (z * x - k0(z)))
    v = z * np.sqrt(k2(z))
    return float(stats.norm.sf(w + np.log(v / w) / w))


def _satterthwaite(a: np.ndarray) -> tuple[float, float]:
    mean, rel2 = a.mean(), (a ** 2).mean() / a.mean() ** 2
    return mean * rel2, len(a) / rel2


def _imhof(q: float, a: np.ndarray, h: np.ndarray) -> float:
    """P(sum_i a_i chi^2_{h_i} > q), Imhof's integral, on the scale max |a_i| = 1. The integral is summed over
    pieces [u_k, u_k+1] (geometric up to where 1 / (u rho(u)) < 1e-17, or, for q != 0, a few periods of
    sin(q u / 2)); the slowly decaying oscillating tail of q != 0 is integrated with Fourier weights
    (QUADPACK's QAWF), sin(A - q u / 2) = sin A cos(q u / 2) - cos A sin(q u / 2), A = 1/2 sum h_i atan(a_i u)."""
    d = np.abs(a).max()
    a, q = a / d, q / d

    def angle(u):
        return 0.5 * (h * np.arctan(a * u)).sum()

    def envelope(u):  # 1 / (u rho(u))
        return np.exp(-np.log(u) - 0.25 * (h * np.log1p((a * u) ** 2)).sum())

    def integrand(u):
        return np.sin(angle(u) - 0.5 * q * u) * envelope(u)

    omega = 0.5 * q
    end = 10 * np.pi / abs(omega) if q != 0 else 1.0
    while q == 0 and envelope(end) > 1e-17 and end < 1e12:
        end *= 2
    edges = np.concatenate([[0.0], np.geomspace(1e-3, end, 40)])
    with warnings.catch_warnings():  # QUADPACK's round-off warnings for p-values below ~1e-8 (R warns too)
        warnings.simplefilter("ignore", integrate.IntegrationWarning)
        return 0.5 + _imhof_integral(integrand, angle, envelope, edges, omega) / np.pi


def _imhof_integral(integrand, angle, envelope, edges, omega) -> float:
    value = sum(integrate.quad(integrand, lo, hi, limit=200, epsabs=1e-15, epsrel=1e-13)[0]
                for lo, hi in zip(edges[:-1], edges[1:]))
    if omega != 0:
        end = edges[-1]
        value += integrate.quad(lambda u: np.sin(angle(u)) * envelope(u), end, np.inf, weight="cos", wvar=omega,
                                limlst=200, epsabs=1e-15)[0]
        value -= integrate.quad(lambda u: np.cos(angle(u)) * envelope(u), end, np.inf, weight="sin", wvar=omega,
                                limlst=200, epsabs=1e-15)[0]
    return value


def _check(method: str) -> None:
    if method not in CHISQSUM_METHODS:
        raise DataError(f"method={method!r}; allowed: {', '.join(CHISQSUM_METHODS)}")


def pchisqsum(x: float, a, method: str = "saddlepoint") -> float:
    """P(sum_i a_i chi^2_1 > x) (R ``pchisqsum(x, df = 1, a, lower.tail = FALSE, method)``)."""
    _check(method)
    a = np.asarray(a, dtype=float)
    scale, nu = _satterthwaite(a)
    guess = float(stats.chi2.sf(x / scale, nu))
    if method == "satterthwaite":
        return guess
    if method == "integration":
        return _imhof(x, a, np.ones(len(a)))
    sad = saddle(x, a)
    return guess if np.isnan(sad) else sad


def pfsum(x: float, a, ddf: float, method: str = "saddlepoint") -> float:
    """P(X^2 > x) for X^2 ~ sum_i a_i chi^2_1 / (chi^2_ddf / ddf) (R ``pFsum(x, df = 1, a, ddf, lower.tail =
    FALSE, method)``); an infinite `ddf` is `pchisqsum`."""
    if np.isinf(ddf):
        return pchisqsum(x, a, method)
    _check(method)
    a = np.asarray(a, dtype=float)
    if method == "integration":
        return _imhof(0.0, np.append(a, -x / ddf), np.append(np.ones(len(a)), int(ddf)))
    scale, nu = _satterthwaite(a)
    value = float(stats.f.sf(x / nu / scale, nu, ddf))
    if method == "saddlepoint":
        sad = saddle(0.0, np.append(a, np.full(int(ddf), -x / ddf)))
        value = value if np.isnan(sad) else sad
    return value
