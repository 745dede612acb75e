"""Budgets and the ledger: who pays each award, from which year's budget, in what order.

Each payer (the province, and each zone) has a budget for each calendar year (for a
calendar starting mid-year, the first year's share of quarters left), the value of ``policy.budget.province_wan_per_year`` / ``zone_wan_per_year`` (or the
zone's own ``budget_wan_per_year``) in force in the year's first quarter. Claims are
served at the end of each quarter in this order: claims deferred from earlier
quarters (oldest first), then the quarter's new claims by lever (A1, A2, ...) and
then by enterprise id. A claim is paid whole or not at all. A claim its payer's
budget cannot cover is, by ``policy.budget.on_exhausted``, deferred to the next
budget year (``defer``: it is served first when the new budget opens) or dropped
(``lapse``). Every payment is a ledger row; every refusal is counted once, in the
quarter it is first refused (``awards_unpaid_wan``), and lapses in ``claims_lapsed``.

就高不就低: awards of one group of ``policy.non_stacking.groups`` (default A1 with A10)
to one firm in one year, from one payer, are not added up: a later, higher award is
paid only the difference, a lower one nothing, so the firm ends with the highest.
Awards to a zone or cluster (A2, A7, A8, A9) paid by the province go into that zone's
fund, which is kept across years and pays the zone's claims once its yearly budget is
used up.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.calendar import value_at


@dataclass
class Claim:
    """An award a firm, zone or cluster has earned, waiting to be paid."""

    quarter: int  # quarter index it arose
    zone: int
    enterprise_uid: int  # -1 for awards to a zone or cluster
    row: int  # firm row, -1 if none
    lever: str
    payer: str  # "province" or "zone"
    amount: float
    refused: bool = False
    full: float = 0.0  # the award before topping up (就高不就低)

    def __post_init__(self):
        self.full = self.amount


class Treasury:
    """Budgets of the province and the zones, and the ledger of payments."""

    def __init__(self, model):
        self.model = model
        pol = model.scenario_data.policy.budget
        self.on_exhausted = pol.on_exhausted
        self.year = None
        self.left: dict[tuple[str, int], float] = {}
        self.deferred: list[Claim] = []
        self.pending: list[Claim] = []
        # ledger columns (appended as Python lists: a few payments per quarter)
        self.rows: dict[str, list] = {k: [] for k in (
            "quarter", "zone", "enterprise", "lever", "payer", "amount_wan")}
        self.budgets: list[tuple[int, str, int, float]] = []  # (year, payer, zone, amount)
        # 就高不就低: lever -> group; (row, year, group, payer) -> highest amount paid
        self.group_of = {lv: gi for gi, g in enumerate(
            model.scenario_data.policy.non_stacking.groups) for lv in g}
        self.stack_paid: dict[tuple, float] = {}
        # awards a zone received (A2, A7, A8, A9): its fund, kept across years, spent
        # when its yearly budget is used up
        self.zone_fund: dict[int, float] = {p.index: 0.0 for p in model.parks}

    def _open_year(self, quarter: int) -> None:
        year = quarter // 4
        if self.year == year:
            return
        # a calendar that starts mid-year gets the rest of that year's budget only
        part = (4 - quarter % 4) / 4.0 if self.year is None else 1.0
        self.year = year
        pol = self.model.scenario_data.policy.budget
        scale = self.model.scale
        first_q = max(quarter, year * 4)
        prov = float(value_at(pol.province_wan_per_year, first_q)) * scale * part
        self.left = {("province", -1): prov}
        self.budgets.append((year, "province", -1, prov))
        for park in self.model.parks:
            spec = park.budget_spec
            v = spec if spec is not None else pol.zone_wan_per_year
            amt = float(value_at(v, first_q)) * scale * part
            self.left[("zone", park.index)] = amt
            self.budgets.append((year, "zone", park.index, amt))

    def claim(self, c: Claim) -> None:
        """Queue a claim for payment at the end of the quarter."""
        self.pending.append(c)

    def settle(self, quarter: int, out: np.ndarray, M: dict) -> None:
        """Pay what can be paid; write flows into ``out[zone, metric]``."""
        self._open_year(quarter)
        order = {f"A{i}": i for i in range(1, 11)}
        new = sorted(self.pending, key=lambda c: (order.get(c.lever, 99), c.enterprise_uid,
                                                  c.zone))
        queue = self.deferred + new
        self.pending, self.deferred = [], []
        firms = self.model.firms
        for c in queue:
            if c.row >= 0 and not firms.alive[c.row]:
                continue  # the firm exited before it was paid: the claim ends with it
            key = ("province", -1) if c.payer == "province" else ("zone", c.zone)
            stack = None
            if c.row >= 0 and c.lever in self.group_of:
                stack = (c.row, c.quarter // 4, self.group_of[c.lever], c.payer)
                c.amount = c.full - self.stack_paid.get(stack, 0.0)  # top up to the highest
                if c.amount <= 1e-9:
                    continue  # a higher same-type award was paid this year
            fund = self.zone_fund[c.zone] if key[0] == "zone" else 0.0
            if self.left[key] + fund >= c.amount - 1e-9:
                from_budget = min(self.left[key], c.amount)
                self.left[key] -= from_budget
                if c.amount > from_budget:
                    self.zone_fund[c.zone] -= c.amount - from_budget
                self._pay(quarter, c)
                out[c.zone, M["subsidy_wan"]] += c.amount
                if stack is not None:
                    self.stack_paid[stack] = c.full
                if c.row >= 0 and firms.alive[c.row]:
                    firms.cash[c.row] += c.amount
                elif c.row < 0 and c.payer == "province":  # awards to a zone fund it
                    self.zone_fund[c.zone] += c.amount
                continue
            if not c.refused:
                out[c.zone, M["awards_unpaid_wan"]] += c.amount
                c.refused = True
            if self.on_exhausted == "defer":
                self.deferred.append(c)  # budgets only shrink within a year: paid next year
            else:
                out[c.zone, M["claims_lapsed"]] += 1

    def _pay(self, quarter: int, c: Claim) -> None:
        r = self.rows
        r["quarter"].append(quarter)
        r["zone"].append(c.zone)
        r["enterprise"].append(c.enterprise_uid)
        r["lever"].append(c.lever)
        r["payer"].append(c.payer)
        r["amount_wan"].append(c.amount)
