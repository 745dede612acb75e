"""Summaries the report draws and tabulates: per-variant replicate tables, four-quarter
sums of flows, quantiles over replicates, medians at a quarter, the ladder, awards per
year, lever and payer, budgets per year, sweep responses. Pure functions: DataFrames
in, DataFrames out; no files, no drawing."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.core.calendar import q_index
from sim.scenario.budgets import payer_budget, zone_budget_spec

QUANTILES = [0.05, 0.25, 0.5, 0.75, 0.95]  # the fan charts' bands (90% and 50%) and median


def by_variant(df: pd.DataFrame, quarters: list[str]) -> dict:
    """variant -> table (replicates x quarters) of a one-metric, one-zone long table
    (columns variant, replicate, quarter, value; several sectors are summed)."""
    out = {}
    for v, g in df.groupby("variant", sort=False):
        w = g.pivot_table(index="replicate", columns="quarter", values="value",
                          aggfunc="sum")
        out[v] = w.reindex(columns=[q for q in quarters if q in w.columns])
    return out


def annualise(w: pd.DataFrame, flow_quarters: list[str]) -> pd.DataFrame:
    """Flows: the sum of the four quarters to each quarter (as targets are read); with
    fewer than four simulated quarters, the sum so far."""
    w = w.reindex(columns=flow_quarters)
    minp = 4 if len(flow_quarters) >= 4 else 1
    return w.T.rolling(4, min_periods=minp).sum().T.dropna(axis=1, how="all")


def fan_table(fans: dict, metric: str) -> pd.DataFrame:
    """Quantiles over replicates (p05, p25, median, p75, p95) per variant and quarter of
    ``fans`` (variant -> replicates x quarters)."""
    tab = []
    for v, w in fans.items():
        qs = np.nanquantile(w.to_numpy(float), QUANTILES, axis=0)
        for j, qq in enumerate(w.columns):
            tab.append({"variant": v, "quarter": qq, "metric": metric, "p05": qs[0, j],
                        "p25": qs[1, j], "median": qs[2, j], "p75": qs[3, j],
                        "p95": qs[4, j]})
    return pd.DataFrame(tab)


def median_at(df: pd.DataFrame, quarter: str) -> pd.Series:
    """Median over replicates at ``quarter`` per zone, sector and metric."""
    s = df[df.quarter == quarter]
    return s.groupby(["zone", "sector", "metric", "replicate"])["value"].sum().groupby(
        ["zone", "sector", "metric"]).median()


def growth_table(met: pd.DataFrame, variant: str, metrics: list[str], by: str,
                 order: list[str], init_q: str, first_flow: str,
                 last_q: str) -> pd.DataFrame | None:
    """Growth by zone or sector (``by``) of ``variant``: per metric the median over
    replicates at the start (stocks: the initial state ``init_q``; revenue, a flow: the
    first simulated quarter ``first_flow``) and at ``last_q``, and the growth in %;
    rows in ``order`` (the scenario's ids; else as found). None if there is no data."""
    df = met[(met.variant == variant) & met.metric.isin(metrics)]
    a0 = median_at(df[df.metric != "revenue_wan"], init_q)
    r0 = median_at(df[df.metric == "revenue_wan"], first_flow)
    a1 = median_at(df, last_q)
    start = pd.concat([a0, r0])
    other = "sector" if by == "zone" else "zone"
    sel0 = start[(start.index.get_level_values(other) == "ALL")
                 & (start.index.get_level_values(by) != "ALL")]
    sel1 = a1[(a1.index.get_level_values(other) == "ALL")
              & (a1.index.get_level_values(by) != "ALL")]
    if sel1.empty:
        return None
    t0 = sel0.droplevel(other).unstack("metric")
    t1 = sel1.droplevel(other).unstack("metric")
    ids = [i for i in order if i in t1.index] or list(t1.index)
    t0, t1 = t0.reindex(ids), t1.reindex(ids)
    raw = pd.DataFrame({by: ids})
    for mtr in metrics:
        raw[f"{mtr}_start"] = t0.get(mtr, pd.Series(index=ids, dtype=float)).to_numpy()
        raw[f"{mtr}_{last_q}"] = t1.get(mtr, pd.Series(index=ids, dtype=float)).to_numpy()
        with np.errstate(divide="ignore", invalid="ignore"):
            raw[f"{mtr}_growth_pct"] = 100 * (raw[f"{mtr}_{last_q}"] / raw[f"{mtr}_start"]
                                              - 1)
    return raw


def median_per_quarter(df: pd.DataFrame, quarters: list[str]) -> pd.DataFrame:
    """Median over replicates per quarter (rows ``quarters``) and metric (columns)."""
    return df.groupby(["quarter", "metric"])["value"].median().unstack("metric").reindex(
        quarters)


def median_total(df: pd.DataFrame, by: list[str]) -> pd.Series:
    """Median over replicates of each metric's total over the quarters, per ``by``
    (e.g. ``["zone"]``; ``[]``: per metric only)."""
    return df.groupby(by + ["metric", "replicate"])["value"].sum().groupby(
        by + ["metric"]).median()


def ladder_means(allz: pd.DataFrame, variant: str, quarters: list[str],
                 rungs: list[str]) -> pd.DataFrame:
    """Mean over replicates of each rung per quarter (all zones), with ``hte_only``: the
    高企 that are neither gazelles nor leaders."""
    df = allz[(allz.variant == variant) & allz.metric.isin(rungs)]
    mean = df.groupby(["quarter", "metric"])["value"].mean().unstack("metric").reindex(
        quarters)
    mean["hte_only"] = mean["hte"] - mean.get("gazelles", 0) - mean.get("leaders", 0)
    return mean


def counted(ledger: pd.DataFrame) -> pd.DataFrame:
    """The ledger rows that count in totals across payers: all but a zone's payments out of
    money the province transferred to it (``from_transfer``), which the transfer's own row
    already counts (docs/levers.md, "Transfers"). The one place this rule lives."""
    if "from_transfer" not in ledger.columns:
        return ledger
    return ledger[~ledger["from_transfer"].astype(bool)]


def awards_by_year(led: pd.DataFrame, replicates: int, by: str,
                   years: list[int]) -> pd.DataFrame:
    """Mean over replicates of awards paid (万元) per year (rows ``years``) and ``by``
    (columns: lever or payer) of a ledger with a ``year`` column."""
    return (led.groupby(["year", by])["amount_wan"].sum() / replicates).unstack(by) \
        .reindex(years).fillna(0.0)


def awards_table(led: pd.DataFrame, replicates: int) -> pd.DataFrame:
    """Mean over replicates of awards paid (万元) per variant, year, lever and payer."""
    return (led.groupby(["variant", "year", "lever", "payer"])["amount_wan"].sum()
            / replicates).rename("mean_amount_wan").reset_index()


def budgets(resolved: dict, scale: float, flow_qs: list[str]) -> pd.DataFrame:
    """Budget per year (rows) and payer (province, zone: all zones'), 万元, as the ledger
    opens them (:func:`sim.scenario.budgets.payer_budget`), of a resolved scenario."""
    pol = (resolved.get("policy") or {}).get("budget", {})
    start = q_index(flow_qs[0])
    rows = []
    for y in sorted({int(q[:4]) for q in flow_qs}):
        prov = payer_budget(pol.get("province_wan_per_year", 0), y, start, scale)
        zone = 0.0
        for z in resolved.get("zones", []):
            spec = zone_budget_spec(z.get("budget_wan_per_year"),
                                    pol.get("zone_wan_per_year", 0))
            zone += payer_budget(spec, y, start, scale)
        rows.append({"year": y, "province": prov, "zone": zone})
    return pd.DataFrame(rows)


def responses(outcomes: pd.DataFrame, points: pd.DataFrame) -> pd.DataFrame:
    """A sweep's 5%, 50% and 95% quantiles over replicates per point and outcome, with
    the points' lever values (columns "0.05", "0.5", "0.95")."""
    summ = (outcomes.groupby(["point", "outcome"])["value"]
            .quantile([0.05, 0.5, 0.95]).unstack().reset_index()
            .merge(points, on="point"))
    summ.columns = [str(c) for c in summ.columns]
    return summ


# ------------------------------------------------------------------- the answer first
ANSWER_CHECKPOINTS = ("2028Q4", "2030Q4")  # the plan's dates ("三年见效、五年成势")
ANSWER_METRICS = ["hte", "revenue_wan", "gazelles", "employees"]  # after the targets' metrics
ANSWER_COST = {"obligations": "obligations_to_date_wan", "payments": "awards_to_date_wan"}


def answer_checkpoints(comparison: pd.DataFrame, targets: list[dict]) -> list[str]:
    """The checkpoints a compare report answers at: 2028Q4 and 2030Q4 and the dates of
    the targets, among the comparison's checkpoints; without any of those, its last."""
    have = set(comparison["checkpoint"]) if len(comparison) else set()
    want = set(ANSWER_CHECKPOINTS) | {t.get("by") for t in targets}
    cps = sorted((c for c in have if c in want), key=q_index)
    return cps or (sorted(have, key=q_index)[-1:] if have else [])


def answer_metrics(targets: list[dict]) -> list[str]:
    """The metrics a compare report answers on: its targets' metrics (in their order),
    then 高企, revenue and gazelles (the headline a director asks for first) and jobs."""
    return list(dict.fromkeys([t["metric"] for t in targets] + list(ANSWER_METRICS)))


def answer(comparison: pd.DataFrame, targets: list[dict], base: str) -> pd.DataFrame:
    """The answer a compare report opens with, read from the comparison table and the
    target probabilities already computed (no new simulation): per variant, checkpoint
    (:func:`answer_checkpoints`), metric (:func:`answer_metrics`) and target on that
    metric dated at that checkpoint (none: one row, ``target`` empty), the mean paired
    change of the metric (all modelled zones) with its 90% interval, the target's
    probability in the base and the variant and their difference, and the change in
    obligations and payments to that checkpoint (mean and 90% interval). Full precision;
    English column names."""
    base_targets = [t for t in targets if t.get("variant", base) == base]
    cps = answer_checkpoints(comparison, base_targets)
    metrics = answer_metrics(base_targets)
    if len(comparison):  # only what the comparison holds (employees: newer folders)
        metrics = [x for x in metrics if x in set(comparison["metric"])]
    prob = {(t.get("variant", base), t["id"]): t.get("probability") for t in targets}
    d = comparison.set_index(["variant", "metric", "checkpoint"]) if len(comparison) else None
    variants = [v for v in dict.fromkeys(comparison["variant"]) if v != base] \
        if len(comparison) else []

    def cell(v, metric, cp, col):
        if d is None or (v, metric, cp) not in d.index:
            return np.nan
        x = d.loc[(v, metric, cp), col]
        return float(x.iloc[0] if isinstance(x, pd.Series) else x)

    rows = []
    for v in variants:
        for cp in cps:
            money = {}
            for what, mm in ANSWER_COST.items():
                for col, name in (("diff_mean", ""), ("diff_p05", "_p05"),
                                  ("diff_p95", "_p95")):
                    money[f"{what}_change_wan{name}"] = cell(v, mm, cp, col)
            for metric in metrics:
                change = {"diff_mean": cell(v, metric, cp, "diff_mean"),
                          "diff_p05": cell(v, metric, cp, "diff_p05"),
                          "diff_p95": cell(v, metric, cp, "diff_p95"),
                          "replicates": cell(v, metric, cp, "replicates")}
                tg = [t for t in base_targets if t["metric"] == metric and t.get("by") == cp]
                for t in tg or [None]:
                    pb = pv = None
                    if t is not None:
                        pb, pv = prob.get((base, t["id"])), prob.get((v, t["id"]))
                    rows.append({
                        "variant": v, "base": base, "checkpoint": cp, "metric": metric,
                        **change,
                        "target": None if t is None else t["id"],
                        "target_zone": None if t is None else t.get("zone", "ALL"),
                        "probability_base": pb, "probability_variant": pv,
                        "probability_change": (pv - pb if pb is not None and pv is not None
                                               else None),
                        **money})
    return pd.DataFrame(rows, columns=[
        "variant", "base", "checkpoint", "metric", "diff_mean", "diff_p05", "diff_p95",
        "replicates", "target", "target_zone", "probability_base", "probability_variant",
        "probability_change"] + [f"{w}_change_wan{s}" for w in ANSWER_COST
                                 for s in ("", "_p05", "_p95")])


def zone_changes(met: pd.DataFrame, metric: str, base: str, variants: list[str],
                 quarters: list[str]) -> pd.DataFrame:
    """Per zone (rows) and variant (columns): the mean paired change (variant − base) of a
    metric summed over ``quarters`` (a flow's total), replicate by replicate; the base's
    mean total in the first column, ``base``."""
    sel = met[(met.metric == metric) & (met.sector == "ALL") & (met.zone != "ALL")
              & met.quarter.isin(quarters) & met.variant.isin([base] + list(variants))]
    tot = sel.groupby(["zone", "variant", "replicate"])["value"].sum().unstack("variant")
    if base not in tot:
        return pd.DataFrame()
    out = {base: tot[base].groupby(level="zone").mean()}
    for v in variants:
        if v in tot and v != base:
            out[v] = (tot[v] - tot[base]).groupby(level="zone").mean()
    return pd.DataFrame(out)
