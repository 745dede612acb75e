"""``hitech-sim compare``: variants against a base on the same replicate seeds.

Every variant runs replicates 0..N-1 with the base's seed (common random numbers), so
a difference between a variant and the base is read replicate by replicate: the
comparison reports the distribution of paired differences (mean, median, 5% and 95%
quantiles = the 90% interval), per metric and checkpoint, and the fiscal cost from
the ledger with the cost per unit of outcome.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.calendar import q_index, q_label
from sim.metrics import FLOW_METRICS
from sim.results import evaluate_targets, versions
from sim.scenario.loader import Problem, ScenarioError

# what a comparison reports, for all modelled zones (ALL)
COMPARE_METRICS = ["hte", "enterprises", "gazelles", "specialised", "revenue_wan", "rd_wan",
                   "projects_landed", "investment_credited_wan", "subsidy_wan"]


@dataclass
class CompareResult:
    """The tables of a comparison (as written to its results folder)."""

    manifest: dict
    metrics: pd.DataFrame
    ledger: pd.DataFrame
    targets: list[dict]
    differences: pd.DataFrame


def value_at_checkpoint(metrics: pd.DataFrame, metric: str, quarter: str, start_q: int,
                        zone: str = "ALL") -> pd.DataFrame:
    """Per variant and replicate: a stock at ``quarter``, or a flow summed over the four
    quarters ending there (within the calendar)."""
    sel = metrics[(metrics.metric == metric) & (metrics.zone == zone)
                  & (metrics.sector == "ALL")]
    q = q_index(quarter)
    if metric in FLOW_METRICS:
        qs = [q_label(x) for x in range(max(q - 3, start_q), q + 1)]
        sel = sel[sel.quarter.isin(qs)]
    else:
        sel = sel[sel.quarter == quarter]
    return sel.groupby(["variant", "replicate"])["value"].sum().unstack("variant")


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


def compare(base_loaded, variant_loaded: list, *, replicates: int | None = None,
            seed: int | None = None, workers: int = 1, out: str | Path | None = None,
            overwrite: bool = False, resume: bool = False, progress: bool = False,
            sample_behaviour: bool = False, scheduler: str | None = None) -> CompareResult:
    """Run the base and each variant on the same seeds and compare them."""
    from sim.api import (begin, collect, make_tasks, probability_kind, read_ledger,
                         read_metrics)
    from sim.ensemble import _atomic_write_text

    b = base_loaded.model
    names = [b.name] + [v.model.name for v in variant_loaded]
    dup = {x for x in names if names.count(x) > 1}
    if dup:
        raise ScenarioError([Problem(str(variant_loaded[0].path), 0, "name",
                                     f"two scenarios are named {sorted(dup)[0]!r} (valid: "
                                     "give each variant its own name:)")])
    for v in variant_loaded:
        if (v.model.calendar.start, v.model.calendar.end) != (b.calendar.start, b.calendar.end):
            raise ScenarioError([Problem(str(v.path), 0, "calendar", "differs from the "
                                         "base's calendar (valid: the same start and end, so "
                                         "quarters can be paired)")])
    n, seed, out, started = begin(b, replicates, seed, out, overwrite, resume)
    allv = [base_loaded] + list(variant_loaded)
    tasks = [t for L in allv for t in make_tasks(L, n, seed, False, sample_behaviour)]
    tables, failed = collect(tasks, out=out, workers=workers, scheduler=scheduler,
                             resume=resume, progress=progress)
    wanted = sorted(set(COMPARE_METRICS) | {t["metric"] for t in
                                            base_loaded.resolved["targets"]})
    if tables is None:
        metrics, ledger = read_metrics(out, wanted), read_ledger(out)
    else:
        metrics, ledger = tables[0], tables[1]
    start_q, end_q = q_index(b.calendar.start), q_index(b.calendar.end)
    targets = evaluate_targets(base_loaded.resolved["targets"], metrics, names, start_q, end_q)
    checkpoints = [c for c in b.calendar.checkpoints if q_index(c) <= end_q] or [
        b.calendar.end]
    diffs = paired_differences(metrics, ledger, b.name, names[1:], checkpoints, start_q, n)
    manifest = {
        "schema_version": 1, "command": "compare", "scenario": b.name,
        "scenario_sha256": base_loaded.sha256, "seed": seed, "replicates": n,
        "population_scale": b.population.scale, "workers": workers, "scheduler": scheduler,
        "versions": versions(), "started": started, "finished": None,
        "status": "complete" if not failed else "partial", "failed": failed,
        "variants": names,
        "variant_sha256": {L.model.name: L.sha256 for L in allv},
        "sample_behaviour": sample_behaviour,
        "probability_kind": probability_kind(sample_behaviour),
        "pairing": "common random numbers: every variant runs replicates 0..N-1 of the "
                   "base's seed",
        "resolved": {L.model.name: L.resolved for L in allv},
    }
    if out is not None:
        from sim.api import write_manifest

        diffs.to_csv(out / ".comparison.csv.tmp", index=False, encoding="utf-8-sig")
        (out / ".comparison.csv.tmp").replace(out / "comparison.csv")
        _atomic_write_text(json.dumps(targets, ensure_ascii=False, indent=1),
                           out / "targets.json")
        write_manifest(out, manifest)
    return CompareResult(manifest, metrics, ledger, targets, diffs)
