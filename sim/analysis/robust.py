"""Robust-levers statistics: sampled worlds, PRIM (Friedman & Fisher 1999, peeling
only), regret against the best setting in each world, the per-setting summary and
scenario discovery tables of ``hitech-sim robust``.

PRIM is implemented here (``prim``, ~40 lines) rather than taken from ema_workbench,
whose dependencies (scikit-learn, statsmodels, seaborn, platypus) outweigh the peeling
this needs. DataFrames and arrays in, DataFrames out; the study
(:mod:`sim.studies.robust`) runs the worlds and writes the tables.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.analysis.sensitivity import derived_seed
from sim.scenario.params import BEHAVIOUR


def worlds_of(names: list[str], n: int, seed: int) -> pd.DataFrame:
    """``n`` worlds: a Latin hypercube over the parameters' plausible ranges."""
    from scipy.stats import qmc

    u = qmc.LatinHypercube(d=len(names), seed=np.random.default_rng(derived_seed(seed, 5))) \
        .random(n)
    lo = np.array([BEHAVIOUR[k].low for k in names])
    hi = np.array([BEHAVIOUR[k].high for k in names])
    return pd.DataFrame(lo + u * (hi - lo), columns=names)


def prim(X: np.ndarray, y: np.ndarray, *, peel: float = 0.05, min_mass: float = 0.05,
         min_coverage: float = 0.5, keep_gain: float = 0.05) -> dict | None:
    """PRIM (Friedman & Fisher 1999) for the box where ``y`` (0..1: share failing) is high.

    Peeling: each step removes the ``peel`` share of the box's points from the low or
    high end of one dimension, whichever leaves the highest mean ``y``, until the box
    would hold less than ``min_mass`` of the points. Of that trajectory, the box with the
    highest density (mean ``y`` inside) among those keeping at least ``min_coverage`` of
    all failure is chosen; then each restriction whose removal lowers the density by
    less than ``keep_gain`` (relative) is dropped, weakest first, so that only the
    conditions that matter are reported. Returns None when nothing fails.
    """
    n, d = X.shape
    total = float(y.sum())
    if total <= 0:
        return None
    lo, hi = X.min(0).astype(float), X.max(0).astype(float)
    full = (lo.copy(), hi.copy())

    def members(a, b):
        return np.all((X >= a) & (X <= b), axis=1)

    inside = np.ones(n, bool)
    boxes = [(lo.copy(), hi.copy())]
    floor = max(min_mass * n, 2)
    while True:
        best = None
        for j in range(d):
            xj = X[inside, j]
            for side in (0, 1):
                cut = np.quantile(xj, peel if side == 0 else 1 - peel)
                keep = inside & ((X[:, j] >= cut) if side == 0 else (X[:, j] <= cut))
                if keep.sum() == inside.sum():  # ties at the edge: drop the edge value
                    edge = xj.min() if side == 0 else xj.max()
                    keep = inside & ((X[:, j] > edge) if side == 0 else (X[:, j] < edge))
                if keep.sum() < floor or keep.sum() == inside.sum():
                    continue
                m = float(y[keep].mean())
                if best is None or m > best[0] + 1e-12:
                    best = (m, j, side, keep)
        if best is None:
            break
        _, j, side, inside = best
        if side == 0:
            lo[j] = X[inside, j].min()
        else:
            hi[j] = X[inside, j].max()
        boxes.append((lo.copy(), hi.copy()))

    def stats(a, b):
        m = members(a, b)
        return {"coverage": float(y[m].sum()) / total, "density": float(y[m].mean()),
                "mass": float(m.mean())}

    traj = [stats(a, b) for a, b in boxes]
    ok = [i for i, t in enumerate(traj) if t["coverage"] >= min_coverage] or [0]
    i = max(ok, key=lambda i: (traj[i]["density"], traj[i]["coverage"]))
    lo, hi = boxes[i][0].copy(), boxes[i][1].copy()
    while True:  # drop restrictions that add little
        dens = stats(lo, hi)["density"]
        cands = []
        for j in range(d):
            if lo[j] > full[0][j] or hi[j] < full[1][j]:
                a, b = lo.copy(), hi.copy()
                a[j], b[j] = full[0][j], full[1][j]
                cands.append((stats(a, b)["density"], j))
        cands = [c for c in cands if c[0] >= dens * (1 - keep_gain)]
        if not cands:
            break
        j = max(cands)[1]
        lo[j], hi[j] = full[0][j], full[1][j]
    return {**stats(lo, hi), "low": lo, "high": hi, "inside": members(lo, hi),
            "trajectory": traj, "step": i,
            "restricted": [j for j in range(d) if lo[j] > full[0][j] or hi[j] < full[1][j]]}


def regret_table(W: pd.DataFrame, measures: list[dict]) -> pd.DataFrame:
    """Per setting, world and measure: its value, the best setting's in that world, and
    the regret (how far it falls short of the best, >= 0)."""
    rows = []
    for o in measures:
        v = W.pivot(index="world", columns="setting", values=o["id"])
        best = v.max(axis=1) if o["sense"] == "max" else v.min(axis=1)
        reg = (best.to_numpy()[:, None] - v.to_numpy()) * (1 if o["sense"] == "max" else -1)
        for c, s in enumerate(v.columns):
            for r, w in enumerate(v.index):
                rows.append({"setting": s, "world": int(w), "outcome": o["id"],
                             "value": float(v.iloc[r, c]), "best": float(best.iloc[r]),
                             "regret": float(reg[r, c])})
    return pd.DataFrame(rows)


def summary(W: pd.DataFrame, rg: pd.DataFrame, measures: list[dict],
            order: list[str]) -> pd.DataFrame:
    """robust.csv: per setting and measure, the mean over worlds (a target: probability
    of meeting it), 5%/95% over worlds, regret and how often the setting is best."""
    rows = []
    for s in order:
        w = W[W.setting == s]
        for o in measures:
            x = w[o["id"]].to_numpy(float)
            r = rg[(rg.setting == s) & (rg.outcome == o["id"])]["regret"].to_numpy(float)
            rows.append({"setting": s, "outcome": o["id"], "quantity": o["quantity"],
                         "sense": o["sense"], "value": float(np.mean(x)),
                         "p05": float(np.quantile(x, 0.05)), "p95": float(np.quantile(x, 0.95)),
                         "regret_mean": float(r.mean()), "regret_p90": float(np.quantile(r, 0.9)),
                         "regret_max": float(r.max()), "best_share": float((r <= 1e-12).mean())})
    return pd.DataFrame(rows)


def discovery(W: pd.DataFrame, worlds: pd.DataFrame, targets: list[dict], order: list[str],
              opts) -> pd.DataFrame:
    """prim.csv: per setting and target, the box of worlds where it misses the target."""
    names = list(worlds.columns)
    X = worlds.to_numpy(float)
    rows = []
    for s in order:
        w = W[W.setting == s].set_index("world").reindex(worlds.index)
        for t in targets:
            y = 1.0 - w[t["id"]].to_numpy(float)
            base = {"setting": s, "target": t["id"], "failure_rate": float(y.mean())}
            box = prim(X, y, peel=opts.peel, min_mass=opts.min_mass,
                       min_coverage=opts.min_coverage, keep_gain=opts.keep_gain)
            if box is None:
                rows.append({**base, "note": "never misses the target"})
                continue
            if not box["restricted"]:
                rows.append({**base, "coverage": 1.0, "density": box["density"], "mass": 1.0,
                             "note": "no box: misses it across the whole space"
                             if y.mean() > 0.5 else "no box sharper than the whole space"})
                continue
            for j in box["restricted"]:
                n = names[j]
                rows.append({**base, "coverage": box["coverage"], "density": box["density"],
                             "mass": box["mass"], "parameter": n,
                             "low": float(box["low"][j]), "high": float(box["high"][j]),
                             "range_low": BEHAVIOUR[n].low, "range_high": BEHAVIOUR[n].high,
                             "note": ""})
    return pd.DataFrame(rows)
