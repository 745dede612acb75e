"""Calibration statistics: the moments of one replicate's metrics (growth of a metric
between year ends, or a ratio at a quarter) and the tables of a calibration result
(fitted parameters, moments fitted vs target), for ``hitech-sim calibrate``
(:mod:`sim.studies.calibrate`, which simulates, fits and writes) and notebooks.

DataFrames in, arrays and DataFrames out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.core.calendar import q_index, q_label
from sim.core.metrics import FLOW_METRICS
from sim.scenario.studies import Moment


def moments_of(metrics: pd.DataFrame, moments: list[Moment], resolved: dict) -> np.ndarray:
    """The moments of one replicate's metrics table (long format of interface.md).

    A growth moment of a flow in the first simulated year compares with the scenario's
    input annual revenue (``zones[].firms.revenue_wan`` x ``population.scale``).
    """
    m = metrics[metrics["sector"] == "ALL"]
    piv = m.pivot_table(index=["zone", "quarter"], columns="metric", values="value")
    scale = resolved["population"]["scale"]
    start = q_index(resolved["calendar"]["start"])
    base_rev = {z["id"]: z["firms"]["revenue_wan"] * scale for z in resolved["zones"]}
    base_rev["ALL"] = sum(base_rev.values())
    def value(metric: str, zone: str, year: int) -> float:
        if metric in FLOW_METRICS:
            if year * 4 < start:  # the year before the start: the input; else not known
                if metric != "revenue_wan" or year * 4 + 3 != start - 1:
                    return np.nan
                return base_rev[zone]
            qs = [q_label(year * 4 + i) for i in range(4)]
            return float(np.nansum([piv.loc[(zone, q), metric] for q in qs]))
        return float(piv.loc[(zone, f"{year}Q4"), metric])

    out = np.empty(len(moments))
    for i, mo in enumerate(moments):
        if mo.kind == "growth":
            g = [value(mo.metric, mo.zone, y) / value(mo.metric, mo.zone, y - 1) - 1.0
                 for y in mo.years]
            out[i] = float(np.mean(g))
        else:
            num = piv.loc[(mo.zone, mo.quarter), mo.metric]
            den = piv.loc[(mo.zone, mo.quarter), mo.denominator]
            out[i] = float(num / den) if den else np.nan
    return out


def moments_table(result: dict) -> pd.DataFrame:
    """Moments fitted vs target as a table (one row per moment)."""
    cols = ["id", "zone", "metric", "target", "se", "at_default", "fitted", "replicate_sd", "z",
            "source"]
    return pd.DataFrame([{k: m[k] for k in cols} for m in result["moments"]], columns=cols)


def parameters_table(result: dict) -> pd.DataFrame:
    """Fitted parameters as a table (one row per parameter)."""
    return pd.DataFrame([{"parameter": n, "default": p["default"], "fitted": p["value"],
                          "se": p["se"], "p05": p["p05"], "p95": p["p95"],
                          "range_low": p["range"][0], "range_high": p["range"][1],
                          "unit": p["unit"]} for n, p in result["parameters"].items()])


def backtest_table(result: dict) -> pd.DataFrame:
    """The held-out moments of a calibration result (a backtest out of sample), one row
    each: the published target and its se, the prediction at the fitted values (mean over
    replicates), its 90% interval (replicates' luck plus the fitted parameters'
    uncertainty, ``p05``..``p95``), the error (predicted - target), ``z`` = error /
    sqrt(predictive_sd² + se²) and whether the interval contains the target. Empty
    (with the columns) without held-out moments."""
    cols = ["id", "zone", "metric", "years", "target", "se", "predicted", "replicate_sd",
            "parameter_sd", "p05", "p95", "error", "abs_error", "z", "inside", "source"]
    rows = []
    for h in result.get("holdout", []):
        err = h["predicted"] - h["target"]
        rows.append({"id": h["id"], "zone": h["zone"], "metric": h["metric"],
                     "years": "-".join(str(y) for y in h["years"]), "target": h["target"],
                     "se": h["se"], "predicted": h["predicted"],
                     "replicate_sd": h["replicate_sd"], "parameter_sd": h["parameter_sd"],
                     "p05": h["p05"], "p95": h["p95"], "error": err, "abs_error": abs(err),
                     "z": err / float(np.sqrt(h["predictive_sd"] ** 2 + h["se"] ** 2)),
                     "inside": bool(h["p05"] <= h["target"] <= h["p95"]),
                     "source": h["source"]})
    return pd.DataFrame(rows, columns=cols)


def backtest_summary(result: dict) -> pd.DataFrame:
    """The backtest's errors by zone and for all held-out points (``zone`` = ``all
    points``): number of held-out points, mean error (bias), mean absolute error, root
    mean square error, mean |z| and how many lie inside their 90% interval."""
    t = backtest_table(result)
    cols = ["zone", "points", "mean_error", "mae", "rmse", "mean_abs_z", "inside"]
    if t.empty:
        return pd.DataFrame(columns=cols)
    out = []
    for zone, g in [("all points", t)] + list(t.groupby("zone", sort=True)):
        out.append({"zone": zone, "points": int(len(g)), "mean_error": float(g.error.mean()),
                    "mae": float(g.abs_error.mean()),
                    "rmse": float(np.sqrt((g.error ** 2).mean())),
                    "mean_abs_z": float(g.z.abs().mean()), "inside": int(g.inside.sum())})
    return pd.DataFrame(out, columns=cols)


def parameter_widths(result: dict) -> pd.DataFrame:
    """Each fitted parameter's prior and fitted widths: the plausible range (the prior's
    support, prior sd = half of it), the fitted 90% interval and its width as a share of
    the range (1 = the data taught nothing beyond the range)."""
    rows = []
    for n, p in result["parameters"].items():
        lo, hi = p["range"]
        rows.append({"parameter": n, "default": p["default"], "fitted": p["value"],
                     "prior_low": lo, "prior_high": hi, "prior_sd": 0.5 * (hi - lo),
                     "fitted_p05": p["p05"], "fitted_p95": p["p95"], "fitted_se": p["se"],
                     "width_share": (p["p95"] - p["p05"]) / (hi - lo) if hi > lo else np.nan})
    return pd.DataFrame(rows)


def moment_bands(result: dict) -> pd.DataFrame:
    """Every moment of a result, fitted and held out, with the replicates' 5%, 50% and
    95% values and the published target (what the backtest figure draws): columns id,
    zone, metric, year (the last of the moment's years), role (``fitted`` /
    ``held out``), target, se, p05, p50, p95."""
    rows = []
    for role, key in (("fitted", "moments"), ("held out", "holdout")):
        for m in result.get(key, []):
            v = np.asarray(m.get("values", []), float)
            v = v[np.isfinite(v)]
            q = np.quantile(v, [0.05, 0.5, 0.95]) if v.size else [np.nan] * 3
            rows.append({"id": m["id"], "zone": m["zone"], "metric": m["metric"],
                         "year": max(m["years"]) if m["years"] else np.nan, "role": role,
                         "target": m["target"], "se": m["se"], "p05": float(q[0]),
                         "p50": float(q[1]), "p95": float(q[2])})
    return pd.DataFrame(rows, columns=["id", "zone", "metric", "year", "role", "target", "se",
                                       "p05", "p50", "p95"])
