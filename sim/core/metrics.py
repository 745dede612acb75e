"""Metric names and kinds (docs/interface.md "Metrics").

Metrics are array reductions over the firm table, stored per quarter in a
``(quarters, zones + 1, metrics)`` array whose last zone row is ``ALL``.
"""

from __future__ import annotations

import numpy as np

STOCKS = ["enterprises", "startups", "tech_smes", "hte", "gazelles", "leaders", "unicorns",
          "listed", "specialised", "incubatees", "national_clusters", "national_zones",
          "national_rank", "enclaves", "awards_waiting_wan", "employees"]
FLOWS = ["births", "exits", "revenue_wan", "rd_wan", "projects_arrived", "projects_landed",
         "projects_referred", "projects_lost", "investment_landed_wan",
         "investment_credited_wan", "subsidy_wan", "awards_unpaid_wan", "claims_lapsed",
         "awards_earned_wan", "awards_lapsed_wan", "awards_paid_from_transfer_wan",
         "tax_expenditure_wan",
         "vc_invested_wan", "loans_wan", "graduations", "pilots"]
RATIOS = ["rd_intensity", "local_supply_share"]
METRICS = STOCKS + FLOWS + RATIOS
M = {name: i for i, name in enumerate(METRICS)}
SECTOR_METRICS = ["enterprises", "hte", "revenue_wan"]

METRIC_NAMES = set(METRICS)
FLOW_METRICS = set(FLOWS)
# ALL is not a sum for these
NOT_SUMMED = {"national_rank", "rd_intensity", "local_supply_share"}
# metrics whose value does not grow with the population: ratios, shares and ranks, and the
# zones' own approvals (a target's threshold on them is not scaled with population.scale)
UNSCALED = {"national_rank", "national_zones", "national_clusters", "rd_intensity",
            "local_supply_share"}


def scales_with_population(metric: str) -> bool:
    """Whether a metric's value grows with ``population.scale``: counts of firms and
    projects and sums of money do; ratios, shares, ranks and the zones' approvals
    (:data:`UNSCALED`) do not."""
    return metric not in UNSCALED


def scaled_threshold(metric: str, threshold: float, scale: float) -> float:
    """**The one rule** for a target threshold in a shrunk world: ``threshold`` x
    ``scale`` for a metric that grows with the population (counts, money), ``threshold``
    itself for a ratio, share or rank. Run, compare, sweep, sensitivity and robust all
    evaluate targets against this value."""
    if not (0.0 < float(scale) <= 1.0):
        raise ValueError(f"population scale {scale!r} is not valid (valid: 0 < scale <= 1)")
    return float(threshold) * (float(scale) if scales_with_population(metric) else 1.0)


def finish_all(arr: np.ndarray) -> None:
    """Fill the ALL row (last) of a ``(zones+1, metrics)`` array from the zone rows."""
    z = arr[:-1]
    arr[-1] = np.nansum(z, axis=0)
    arr[-1, M["national_rank"]] = np.nan
    arr[-1, M["local_supply_share"]] = np.nanmean(z[:, M["local_supply_share"]])
    rev, rd = arr[:, M["revenue_wan"]], arr[:, M["rd_wan"]]
    with np.errstate(invalid="ignore", divide="ignore"):
        arr[:, M["rd_intensity"]] = np.where(rev > 0, rd / rev, np.nan)
