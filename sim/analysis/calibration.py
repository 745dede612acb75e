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
