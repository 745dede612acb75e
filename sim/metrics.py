"""Metric names and kinds (docs/interface.md "Metrics"), and the long-table layout.

Metrics are array reductions over the firm table, stored per quarter in a
``(quarters, zones + 1, metrics)`` array whose last zone row is ``ALL``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

STOCKS = ["enterprises", "startups", "tech_smes", "hte", "gazelles", "leaders", "unicorns",
          "listed", "specialised", "incubatees", "national_clusters", "national_zones",
          "national_rank", "enclaves"]
FLOWS = ["births", "exits", "revenue_wan", "rd_wan", "projects_arrived", "projects_landed",
         "projects_referred", "projects_lost", "investment_landed_wan",
         "investment_credited_wan", "subsidy_wan", "awards_unpaid_wan", "claims_lapsed",
         "vc_invested_wan", "loans_wan", "graduations", "pilots"]
RATIOS = ["rd_intensity", "local_supply_share"]
METRICS = STOCKS + FLOWS + RATIOS
M = {name: i for i, name in enumerate(METRICS)}
SECTOR_METRICS = ["enterprises", "hte", "revenue_wan"]

METRIC_NAMES = set(METRICS)
FLOW_METRICS = set(FLOWS)
# ALL is not a sum for these
NOT_SUMMED = {"national_rank", "rd_intensity", "local_supply_share"}


def finish_all(arr: np.ndarray) -> None:
    """Fill the ALL row (last) of a ``(zones+1, metrics)`` array from the zone rows."""
    z = arr[:-1]
    arr[-1] = np.nansum(z, axis=0)
    arr[-1, M["national_rank"]] = np.nan
    arr[-1, M["local_supply_share"]] = np.nanmean(z[:, M["local_supply_share"]])
    rev, rd = arr[:, M["revenue_wan"]], arr[:, M["rd_wan"]]
    with np.errstate(invalid="ignore", divide="ignore"):
        arr[:, M["rd_intensity"]] = np.where(rev > 0, rd / rev, np.nan)


def long_table(variant: str, replicate: int, quarters: list[str], zone_ids: list[str],
               sector_ids: list[str], main: np.ndarray, sector: np.ndarray,
               initial_label: str) -> pd.DataFrame:
    """The metrics of one replicate as the long table of interface.md.

    ``main`` is (Q, Z+1, M) with quarter 0 the initial state; ``sector`` is
    (Q, Z+1, S, len(SECTOR_METRICS)).
    """
    Q, Z1, NM = main.shape
    zones = np.array(zone_ids + ["ALL"], dtype=object)
    qs = np.array(quarters, dtype=object)
    names = np.array(METRICS, dtype=object)
    qi, zi, mi = np.meshgrid(np.arange(Q), np.arange(Z1), np.arange(NM), indexing="ij")
    val = main.reshape(-1)
    keep = ~np.isnan(val)
    # the initial state has stocks only
    flowmask = np.isin(names, FLOWS + RATIOS)
    keep &= ~((qi.reshape(-1) == 0) & flowmask[mi.reshape(-1)])
    df1 = pd.DataFrame({
        "quarter": qs[qi.reshape(-1)[keep]],
        "zone": zones[zi.reshape(-1)[keep]],
        "sector": "ALL",
        "metric": names[mi.reshape(-1)[keep]],
        "value": val[keep],
    })
    Q2, Z2, S, K = sector.shape
    snames = np.array(SECTOR_METRICS, dtype=object)
    sect = np.array(sector_ids, dtype=object)
    qi, zi, si, ki = np.meshgrid(np.arange(Q2), np.arange(Z2), np.arange(S), np.arange(K),
                                 indexing="ij")
    sval = sector.reshape(-1)
    keep = ~((qi.reshape(-1) == 0) & (snames[ki.reshape(-1)] == "revenue_wan"))
    df2 = pd.DataFrame({
        "quarter": qs[qi.reshape(-1)[keep]],
        "zone": zones[zi.reshape(-1)[keep]],
        "sector": sect[si.reshape(-1)[keep]],
        "metric": snames[ki.reshape(-1)[keep]],
        "value": sval[keep],
    })
    df = pd.concat([df1, df2], ignore_index=True)
    df.insert(0, "replicate", np.int64(replicate))
    df.insert(0, "variant", variant)
    df["quarter"] = df["quarter"].astype(str)
    df["zone"] = df["zone"].astype(str)
    df["sector"] = df["sector"].astype(str)
    df["metric"] = df["metric"].astype(str)
    return df
