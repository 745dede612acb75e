"""Paired differences: a variant against the base, replicate by replicate (common random
numbers), per metric and checkpoint, with 90% intervals and the cost per unit."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.analysis.summaries import counted
from sim.analysis.targets import value_at_checkpoint
from sim.core.calendar import q_index

# what a comparison reports, for all modelled zones (ALL)
COMPARE_METRICS = ["hte", "enterprises", "gazelles", "specialised", "revenue_wan", "rd_wan",
                   "employees", "projects_landed", "investment_credited_wan", "subsidy_wan"]
# the money a comparison reads: obligations, payments and arrears (docs/levers.md)
MONEY_METRICS = ["awards_earned_wan", "awards_paid_from_transfer_wan", "awards_waiting_wan",
                 "tax_expenditure_wan"]
# cost rows: per basis, the cumulative money row it divides
BASES = {"earned": "obligations_to_date_wan", "paid": "awards_to_date_wan"}


def to_date(metrics: pd.DataFrame, metric: str, quarter: str, zone: str = "ALL"
            ) -> pd.DataFrame:
    """Per variant and replicate: a flow summed over every quarter up to ``quarter``.
    Rows replicates, columns variants."""
    sel = metrics[(metrics.metric == metric) & (metrics.zone == zone)
                  & (metrics.sector == "ALL")]
    sel = sel[sel.quarter.map(q_index) <= q_index(quarter)]
    return sel.groupby(["variant", "replicate"])["value"].sum().unstack("variant")


def _money_tables(metrics: pd.DataFrame, ledger: pd.DataFrame, cp: str, start_q: int,
                  n: int) -> dict[str, pd.DataFrame]:
    """Cumulative payments (the ledger, counted once), obligations (awards earned, less
    a zone's payments out of the province's transfers, which the transfer already
    counts) and arrears (the waiting stock) at checkpoint ``cp``."""
    paid = (ledger[ledger.quarter.map(q_index) <= q_index(cp)]
            .groupby(["variant", "replicate"])["amount_wan"].sum()
            .unstack("variant").reindex(range(n)).fillna(0.0))
    out = {"awards_to_date_wan": paid}
    if (metrics.metric == "awards_earned_wan").any():
        earned = to_date(metrics, "awards_earned_wan", cp)
        via = to_date(metrics, "awards_paid_from_transfer_wan", cp)
        out["obligations_to_date_wan"] = (earned - via.reindex_like(earned).fillna(0.0)) \
            .reindex(range(n)).fillna(0.0)
        out["arrears_wan"] = value_at_checkpoint(metrics, "awards_waiting_wan", cp, start_q)
    if (metrics.metric == "tax_expenditure_wan").any():
        out["tax_expenditure_to_date_wan"] = to_date(metrics, "tax_expenditure_wan", cp) \
            .reindex(range(n)).fillna(0.0)
    return out


def paired_differences(metrics: pd.DataFrame, ledger: pd.DataFrame, base: str,
                       variants: list[str], checkpoints: list[str], start_q: int,
                       n: int) -> pd.DataFrame:
    """One row per variant, metric and checkpoint: the paired difference variant - base."""
    rows = []
    ledger = counted(ledger)
    for cp in checkpoints:
        money = _money_tables(metrics, ledger, cp, start_q, n)
        for metric in COMPARE_METRICS + list(money):
            if metric in money:
                table = money[metric]
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
    return pd.concat([df, cost_rows(df, base)], ignore_index=True)


def cost_rows(df: pd.DataFrame, base: str) -> pd.DataFrame:
    """Cost per unit of outcome, on the obligations basis (``earned``: what the variant
    commits) and the payments basis (``paid``): the change in money to date per extra
    高企 and per extra 亿元 of revenue (mean paired differences). Only where the effect's
    90% interval excludes 0; otherwise the value is empty and the note says "no measurable
    effect". A variant that costs less and does better is noted "cheaper and better"."""
    out = []
    for (v, cp), g in df.groupby(["variant", "checkpoint"], sort=False):
        rows = {r.metric: r for r in g.itertuples()}
        for basis, money in BASES.items():
            if money not in rows:
                continue
            c = rows[money]
            for metric, unit, name in (("hte", 1.0, "wan_per_extra_hte"),
                                       ("revenue_wan", 1e4, "wan_per_extra_yi_revenue")):
                if metric not in rows:
                    continue
                e = rows[metric]
                measurable = e.diff_p05 > 0 or e.diff_p95 < 0
                if not measurable:
                    value, note = np.nan, "no measurable effect"
                else:
                    value = float(c.diff_mean / (e.diff_mean / unit)) if e.diff_mean else np.nan
                    note = ("cheaper and better" if c.diff_mean < 0 < e.diff_mean else
                            "costlier and worse" if c.diff_mean > 0 > e.diff_mean else "")
                out.append({"variant": v, "base": base, "metric": name, "checkpoint": cp,
                            "diff_mean": value, "basis": basis, "note": note})
    return pd.DataFrame(out)


def money_shifts(ledger: pd.DataFrame, base: str, variants: list[str], quarter: str,
                 n: int) -> pd.DataFrame:
    """Per variant and lever: the mean paired change in awards paid up to ``quarter``
    (counted once): where money a variant frees or takes goes when budgets bind."""
    led = counted(ledger)
    led = led[led.quarter.map(q_index) <= q_index(quarter)]
    t = led.groupby(["variant", "lever"])["amount_wan"].sum().unstack("lever").fillna(0.0) / n
    rows = []
    for v in variants:
        if v not in t.index or base not in t.index:
            continue
        d = t.loc[v] - t.loc[base]
        rows += [{"variant": v, "lever": lv, "paid_change_wan": float(x)} for lv, x in d.items()]
    return pd.DataFrame(rows, columns=["variant", "lever", "paid_change_wan"])


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
    if "basis" in diffs.columns and "basis" in src.columns:
        key.append("basis")  # cost rows: one per basis
    side = src[key + LUCK_ONLY_COLUMNS].rename(
        columns={c: f"luck_only_{c}" for c in LUCK_ONLY_COLUMNS})
    return diffs.merge(side, on=key, how="left")


def difference_bands(metrics: pd.DataFrame, base: str, variant: str, metric: str,
                     cumulative: bool = False, zone: str = "ALL") -> pd.DataFrame:
    """Per quarter, the paired difference variant − base of one metric over replicates:
    columns ``quarter``, ``p05``, ``median``, ``p95``, ``mean``. ``cumulative`` sums a flow
    from the start (money to date)."""
    sel = metrics[(metrics.metric == metric) & (metrics.zone == zone)
                  & (metrics.sector == "ALL") & metrics.variant.isin([base, variant])]
    w = sel.pivot_table(index=["replicate", "quarter"], columns="variant", values="value",
                        aggfunc="sum").fillna(0.0)
    if base not in w or variant not in w:
        return pd.DataFrame(columns=["quarter", "p05", "median", "p95", "mean"])
    d = (w[variant] - w[base]).unstack("quarter")
    d = d[sorted(d.columns, key=q_index)]
    if cumulative:
        d = d.cumsum(axis=1)
    q = d.quantile([0.05, 0.5, 0.95]).T
    return pd.DataFrame({"quarter": list(d.columns), "p05": q[0.05].to_numpy(),
                         "median": q[0.5].to_numpy(), "p95": q[0.95].to_numpy(),
                         "mean": d.mean().to_numpy()})
