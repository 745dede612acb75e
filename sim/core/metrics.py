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


def finish_all(arr: np.ndarray) -> None:
    """Fill the ALL row (last) of a ``(zones+1, metrics)`` array from the zone rows."""
    z = arr[:-1]
    arr[-1] = np.nansum(z, axis=0)
    arr[-1, M["national_rank"]] = np.nan
    arr[-1, M["local_supply_share"]] = np.nanmean(z[:, M["local_supply_share"]])
    rev, rd = arr[:, M["revenue_wan"]], arr[:, M["rd_wan"]]
    with np.errstate(invalid="ignore", divide="ignore"):
        arr[:, M["rd_intensity"]] = np.where(rev > 0, rd / rev, np.nan)
