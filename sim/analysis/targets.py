"""Targets: reading a metric at a checkpoint, and the one rule for "is the target met".

A stock is read at the checkpoint quarter; a flow is summed over the four quarters
ending there (those inside the calendar). Every place that asks whether a value meets a
target (run, compare, sweep, sensitivity, robust, reports) calls :func:`meets`, against
the threshold :func:`scaled_threshold` gives for the run's ``population.scale`` (counts
and money shrink with the world; ratios, shares and ranks do not).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.core.calendar import q_index, q_label
from sim.core.metrics import FLOW_METRICS, scaled_threshold, scales_with_population

__all__ = ["checkpoint_quarters", "evaluate_targets", "max_probability_se", "meets",
           "probability_kind", "probability_se", "scaled_target", "scaled_threshold",
           "scales_with_population", "summarise", "target_values", "uncertainty_counted",
           "value_at_checkpoint"]


def meets(x, op: str, threshold: float):
    """Whether values ``x`` meet a target ``op threshold`` (``>=`` or ``<=``)."""
    x = np.asarray(x, dtype=float)
    if op == ">=":
        return x >= threshold
    if op == "<=":
        return x <= threshold
    raise ValueError(f"unknown target operator {op!r} (valid: >=, <=)")


def checkpoint_quarters(metric: str, quarter: str, start_q: int) -> list[str]:
    """The quarters whose values make a metric's value at a checkpoint: the quarter for
    a stock, the four quarters ending there (from ``start_q`` on) for a flow."""
    q = q_index(quarter)
    if metric in FLOW_METRICS:
        return [q_label(x) for x in range(max(q - 3, start_q), q + 1)]
    return [quarter]


def value_at_checkpoint(metrics: pd.DataFrame, metric: str, quarter: str, start_q: int,
                        zone: str = "ALL") -> pd.DataFrame:
    """Per variant and replicate: a stock at ``quarter``, or a flow summed over the four
    quarters ending there (within the calendar). Rows replicates, columns variants."""
    sel = metrics[(metrics.metric == metric) & (metrics.zone == zone)
                  & (metrics.sector == "ALL")]
    sel = sel[sel.quarter.isin(checkpoint_quarters(metric, quarter, start_q))]
    return sel.groupby(["variant", "replicate"])["value"].sum().unstack("variant")


def probability_se(p: float, n: int) -> float:
    """Monte Carlo standard error of a probability ``p`` estimated from ``n`` independent
    replicates: sqrt(p (1 - p) / n) (0 when p is 0 or 1: read it with ``n``)."""
    return float(np.sqrt(p * (1.0 - p) / n)) if n > 0 else float("nan")


def max_probability_se(n: int) -> float:
    """The largest standard error ``n`` replicates allow (at p = 0.5): 0.5 / sqrt(n)."""
    return float(0.5 / np.sqrt(n)) if n > 0 else float("nan")


def summarise(x, target: dict) -> dict:
    """Probability of meeting ``target`` with its Monte Carlo standard error, median and
    90% interval of values ``x`` (one per replicate)."""
    x = np.asarray(x, dtype=float)
    p = float(meets(x, target["op"], target["threshold"]).mean())
    return {"probability": p, "probability_se": probability_se(p, x.size),
            "median": float(np.median(x)), "p05": float(np.quantile(x, 0.05)),
            "p95": float(np.quantile(x, 0.95)), "replicates": int(x.size)}


def target_values(metrics: pd.DataFrame, variant: str, t: dict, start_q: int) -> np.ndarray:
    """A target's metric per replicate of ``variant``: the stock at ``t['by']``, or the
    flow summed over the four quarters to it."""
    mv = metrics[(metrics["variant"] == variant) & (metrics["metric"] == t["metric"])
                 & (metrics["zone"] == t["zone"]) & (metrics["sector"] == t["sector"])]
    mv = mv[mv["quarter"].isin(checkpoint_quarters(t["metric"], t["by"], start_q))]
    return mv.groupby("replicate")["value"].sum().to_numpy(dtype=float)


def scaled_target(t: dict, scale: float) -> dict:
    """Target ``t`` as evaluated in a world of ``population.scale`` ``scale``: its
    ``threshold`` kept as written, ``threshold_scaled`` (:func:`scaled_threshold`, what
    the values are compared with) and ``population_scale``."""
    return {**t, "threshold_scaled": scaled_threshold(t["metric"], t["threshold"], scale),
            "population_scale": float(scale)}


_NOT_EVALUATED = dict(probability=None, probability_se=None, probability_luck_only=None,
                      probability_luck_only_se=None, median=None, p05=None, p95=None)


def evaluate_targets(targets: list[dict], metrics: pd.DataFrame, variants: list[str],
                     start_q: int, end_q: int,
                     luck_only: pd.DataFrame | None = None,
                     scale: float | dict = 1.0) -> list[dict]:
    """Per variant and target: where it comes from (``source``), the probability of
    meeting it as the headline counts it (``metrics``: the run's replicates) and counting
    luck only (``luck_only``: metrics of the same replicates at the scenario's own
    behaviour; None when the run itself is luck only, so both are the same), each with its
    Monte Carlo standard error; median, 5% and 95% quantiles (headline).

    Values are compared with the threshold scaled to the run's ``population.scale``
    (``scale``: one number, or one per variant): each record keeps ``threshold`` as the
    scenario writes it and adds ``threshold_scaled`` and ``population_scale``.

    A target dated after the calendar's end is not evaluated (``probability: null``).
    """
    out = []
    for v in variants:
        s = scale.get(v, 1.0) if isinstance(scale, dict) else scale
        for t0 in targets:
            t = scaled_target(t0, s)
            rec = {"variant": v, **{k: t[k] for k in ("id", "metric", "zone", "sector", "by",
                                                      "op", "threshold", "threshold_scaled",
                                                      "population_scale")},
                   "source": t.get("source")}
            if q_index(t["by"]) > end_q:
                rec.update(_NOT_EVALUATED, note="not evaluated: after the calendar's end")
                out.append(rec)
                continue
            x = target_values(metrics, v, t, start_q)
            if x.size == 0:
                rec.update(_NOT_EVALUATED, note="not evaluated: no values")
                out.append(rec)
                continue
            rec.update(summarise(x, {**t, "threshold": t["threshold_scaled"]}))
            lo = x if luck_only is None else target_values(luck_only, v, t, start_q)
            p = float(meets(lo, t["op"], t["threshold_scaled"]).mean()) if lo.size else None
            rec.update(probability_luck_only=p,
                       probability_luck_only_se=None if p is None else probability_se(p, lo.size),
                       replicates_luck_only=int(lo.size))
            out.append(rec)
    return out


def uncertainty_counted(sample: bool | list, inputs: list[str] | None = None) -> list[str]:
    """What the spread over replicates counts: ``luck`` always, ``behaviour`` when the
    behaviour parameters are drawn, ``inputs`` when the scenario's inputs are drawn."""
    return (["luck"] + (["behaviour"] if sample else [])
            + (["inputs"] if inputs else []))


def probability_kind(sample: bool | list, inputs: list[str] | None = None) -> str:
    """What a target probability counts, for manifests and reports: ``sample`` is the
    behaviour sampling (True: every parameter; a list: those), ``inputs`` the keys of
    the scenario's ``inputs:`` drawn per replicate (none: not drawn)."""
    what = []
    if isinstance(sample, list) and sample:
        what.append("each replicate draws these behaviour parameters from their plausible "
                    f"ranges: {', '.join(sample)}")
    elif sample:
        what.append("each replicate draws every behaviour parameter from its plausible range")
    if inputs:
        what.append("each replicate draws these inputs from their ranges: "
                    f"{', '.join(inputs)}")
    kinds = uncertainty_counted(sample, inputs)
    if kinds == ["luck"]:
        return "luck only (replicates with the scenario's behaviour and input values)"
    names = {"behaviour": "behaviour uncertainty", "inputs": "input uncertainty"}
    if len(kinds) == 2:
        head = f"luck and {names[kinds[1]]}"
    else:
        head = "luck, behaviour uncertainty and input uncertainty"
    return f"{head} ({'; '.join(what)})"
