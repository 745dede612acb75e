"""Shared pieces of the results folder (docs/interface.md "Results folder"): versions,
target evaluation, time stamps. The folder itself is written in parts by
:mod:`sim.ensemble`."""

from __future__ import annotations

import datetime as dt
import platform

import numpy as np
import pandas as pd

from sim.calendar import q_index, q_label
from sim.metrics import FLOW_METRICS

SCHEMA_VERSION = 1


class OutputError(Exception):
    """A results folder that cannot be written as asked (exit 2)."""


def versions() -> dict:
    """Versions of the package and what it runs on."""
    import mesa

    from sim import __version__

    return {"hitech_sim": __version__, "mesa": mesa.__version__, "numpy": np.__version__,
            "pandas": pd.__version__, "python": platform.python_version()}


def evaluate_targets(targets: list[dict], metrics: pd.DataFrame, variants: list[str],
                     start_q: int, end_q: int) -> list[dict]:
    """Per variant and target: probability of meeting it, median, 5% and 95% quantiles.

    A stock is read at quarter ``by``; a flow is summed over the four quarters ending at
    ``by`` (those inside the calendar). A target dated after the calendar's end is not
    evaluated (``probability: null``).
    """
    out = []
    for v in variants:
        mv = metrics[metrics["variant"] == v]
        for t in targets:
            rec = {"variant": v, **{k: t[k] for k in ("id", "metric", "zone", "sector", "by",
                                                      "op", "threshold")}}
            by = q_index(t["by"])
            if by > end_q:
                rec.update(probability=None, median=None, p05=None, p95=None,
                           note="not evaluated: after the calendar's end")
                out.append(rec)
                continue
            sel = mv[(mv["metric"] == t["metric"]) & (mv["zone"] == t["zone"])
                     & (mv["sector"] == t["sector"])]
            if t["metric"] in FLOW_METRICS:
                qs = [q_label(q) for q in range(max(by - 3, start_q), by + 1)]
                vals = sel[sel["quarter"].isin(qs)].groupby("replicate")["value"].sum()
            else:
                vals = sel[sel["quarter"] == t["by"]].set_index("replicate")["value"]
            x = vals.to_numpy(dtype=float)
            if x.size == 0:
                rec.update(probability=None, median=None, p05=None, p95=None,
                           note="not evaluated: no values")
            else:
                met = x >= t["threshold"] if t["op"] == ">=" else x <= t["threshold"]
                rec.update(probability=float(met.mean()), median=float(np.median(x)),
                           p05=float(np.quantile(x, 0.05)), p95=float(np.quantile(x, 0.95)),
                           replicates=int(x.size))
            out.append(rec)
    return out


def now() -> str:
    """The time now, ISO 8601 with time zone."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
