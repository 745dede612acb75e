"""Paired differences: a variant against the base, replicate by replicate (common random
numbers), per metric and checkpoint, with 90% intervals and the cost per unit."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.analysis.targets import value_at_checkpoint
from sim.core.calendar import q_index

# what a comparison reports, for all modelled zones (ALL)
COMPARE_METRICS = ["hte", "enterprises", "gazelles", "specialised", "revenue_wan", "rd_wan",
                   "projects_landed", "investment_credited_wan", "subsidy_wan"]


def paired_differences(metrics: pd.DataFrame, ledger: pd.DataFrame, base: str,
                       variants: list[str], checkpoints: list[str], start_q: int,
                       n: int) -> pd.DataFrame:
    """One row per variant, metric and checkpoint: the paired difference variant - base."""
    rows = []
    for cp in checkpoints:
        cost = (ledger[ledger.quarter.map(q_index) <= q_index(cp)]
                .groupby(["variant", "replicate"])["amount_wan"].sum()
                .unstack("variant").reindex(range(n)).fillna(0.0))
        for metric in COMPARE_METRICS + ["awards_to_date_wan"]:
            if metric == "awards_to_date_wan":
                table = cost
            else:
                table = value_at_checkpoint(metrics, metric, cp, start_q)
            if base not in table:
                continue
            for v in variants:
                if v not in table:
                    continue
                d = (table[v] - table[base]).to_numpy(dtype=float)
                rows.append({"variant": v, "base": base, "metric": metric, "checkpoint": cp,
                             "base_median": float(np.median(table[base])),
                             "variant_median": float(np.median(table[v])),
                             "diff_mean": float(d.mean()), "diff_median": float(np.median(d)),
                             "diff_p05": float(np.quantile(d, 0.05)),
                             "diff_p95": float(np.quantile(d, 0.95)),
                             "share_positive": float((d > 0).mean()), "replicates": int(d.size)})
    df = pd.DataFrame(rows)
    if df.empty:
        return df
    # cost per unit of outcome: extra awards (万元) per extra 高企 / per extra 亿元 revenue
    out = []
    for (v, cp), g in df.groupby(["variant", "checkpoint"], sort=False):
        c = g[g.metric == "awards_to_date_wan"]["diff_mean"]
        h = g[g.metric == "hte"]["diff_mean"]
        r = g[g.metric == "revenue_wan"]["diff_mean"]
        if len(c) and len(h):
            out.append({"variant": v, "base": base, "metric": "wan_per_extra_hte",
                        "checkpoint": cp,
                        "diff_mean": float(c.iloc[0] / h.iloc[0]) if h.iloc[0] else np.nan})
        if len(c) and len(r):
            out.append({"variant": v, "base": base, "metric": "wan_per_extra_yi_revenue",
                        "checkpoint": cp,
                        "diff_mean": float(c.iloc[0] / (r.iloc[0] / 1e4)) if r.iloc[0] else
                        np.nan})
    return pd.concat([df, pd.DataFrame(out)], ignore_index=True)


LUCK_ONLY_COLUMNS = ["diff_mean", "diff_p05", "diff_p95"]


def beside_luck_only(diffs: pd.DataFrame, luck: pd.DataFrame | None) -> pd.DataFrame:
    """The headline paired differences with the luck-only ones beside them: columns
    ``luck_only_diff_mean``, ``luck_only_diff_p05``, ``luck_only_diff_p95`` matched on
    variant, metric and checkpoint. ``luck`` None: the headline is itself luck only, and
    the columns repeat it."""
    if diffs.empty:
        return diffs
    key = ["variant", "metric", "checkpoint"]
    src = diffs if luck is None or luck.empty else luck
    side = src[key + LUCK_ONLY_COLUMNS].rename(
        columns={c: f"luck_only_{c}" for c in LUCK_ONLY_COLUMNS})
    return diffs.merge(side, on=key, how="left")
