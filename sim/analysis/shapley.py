"""Shapley values: what each group of levers adds to an effect, interactions shared out.

The game is ``v(S)``, the outcome of the world where the groups in coalition ``S`` are
as in the base and every other group as in the counterfactual; ``v(all) - v(none)`` is
the effect to share out. Group i's Shapley value is the mean, over every order in which
the groups could be switched on, of what switching i on adds:

    phi_i = sum over S not containing i of |S|! (k - |S| - 1)! / k! * (v(S + i) - v(S))

The values add up to the effect exactly (efficiency); a group that adds nothing in any
coalition gets 0; in an additive game each group gets its own effect. Coalitions are
bit masks: group i is on in mask m when ``m >> i & 1``.
"""

from __future__ import annotations

from math import factorial

import numpy as np
import pandas as pd


def weights(k: int) -> np.ndarray:
    """The ``(2**k, k)`` matrix W with ``phi = v @ W`` for games ``v`` of k players
    (``v[m]`` the value of coalition mask ``m``)."""
    W = np.zeros((2 ** k, k))
    for m in range(2 ** k):
        s = bin(m).count("1")
        for i in range(k):
            if m >> i & 1:
                continue
            w = factorial(s) * factorial(k - s - 1) / factorial(k)
            W[m | (1 << i), i] += w
            W[m, i] -= w
    return W


def shapley(v: np.ndarray) -> np.ndarray:
    """Shapley values of games ``v`` (last axis: the ``2**k`` coalition values)."""
    v = np.asarray(v, dtype=float)
    k = int(round(np.log2(v.shape[-1])))
    if 2 ** k != v.shape[-1]:
        raise ValueError(f"a game of k players has 2**k coalition values, not {v.shape[-1]}")
    phi = v @ weights(k)
    # the weights are fractions: clear the float noise of exact zeros (|phi| < 1e-12 of
    # the game's scale), so a group that adds nothing shows 0
    tiny = 1e-12 * (np.abs(v).max(axis=-1, keepdims=True) + 1.0)
    return np.where(np.abs(phi) < tiny, 0.0, phi)


def attribution_table(rows: pd.DataFrame, groups: list[str]) -> pd.DataFrame:
    """Per outcome and group: the Shapley value's mean and 90% interval over replicates,
    its share of the total effect, and a row ``total`` (the effect, all on minus none).

    ``rows`` has columns ``coalition`` (mask), ``replicate``, ``outcome``, ``value``; every
    replicate must have all ``2**len(groups)`` coalitions (replicates missing some are
    left out and counted in ``replicates``).
    """
    k = len(groups)
    out = []
    for outcome, g in rows.groupby("outcome", sort=False):
        wide = g.pivot_table(index="replicate", columns="coalition", values="value",
                             aggfunc="first").reindex(columns=range(2 ** k)).dropna()
        if wide.empty:
            continue
        v = wide.to_numpy(float)
        phi = shapley(v)
        total = v[:, -1] - v[:, 0]
        mean_total = float(total.mean())
        for name, x in [*zip(groups, phi.T, strict=True), ("total", total)]:
            out.append({"outcome": outcome, "group": name, "mean": float(x.mean()),
                        "p05": float(np.quantile(x, 0.05)),
                        "p95": float(np.quantile(x, 0.95)),
                        "share": float(x.mean() / mean_total) if mean_total else np.nan,
                        "replicates": int(x.size)})
    return pd.DataFrame(out, columns=["outcome", "group", "mean", "p05", "p95", "share",
                                      "replicates"])
