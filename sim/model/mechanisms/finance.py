"""S4 Finance: cash flow (margin × revenue − R&D − debt service); capital providers,
in order, fund firms short of cash; a firm that none funds is marked in the firm
table's ``distress`` column for this quarter, which exit reads (docs/model.md S4).

Draws: none here (the stream id is reserved; providers decide by score).
"""

from __future__ import annotations

import numpy as np

from sim.core import metrics as met

STREAM = 4  # random stream id (position in sim.model.zone_model.MECHANISMS); never change it


def step(model, t: int, j: int, rng: np.random.Generator) -> None:
    """Cash flow, debt service and funding of the firms short of cash."""
    f, b = model.firms, model.scenario_data.behaviour
    n = f.n
    alive = f.alive[:n]
    age = (t - f.founded[:n]).astype(np.float64)
    margin = b.margin + f.margin_dev[:n] - b.young_margin_penalty * np.clip(
        1.0 - age / 12.0, 0.0, 1.0)
    # debt service: interest plus repayment of principal, paid from cash
    service = (b.loan_interest + b.loan_repayment) * f.debt[:n]
    f.cash[:n] += np.where(alive, margin * f.rev[:n] - f.rd[:n] - service, 0.0)
    tax_expenditure(model, t, margin, alive)
    f.debt[:n] *= 1.0 - b.loan_repayment
    cand = np.flatnonzero(alive & (f.cash[:n] < 0))
    f.distress[:n] = False
    if cand.size == 0:
        return
    need = -f.cash[cand]
    zone = f.zone[cand]
    stage = model.stage_of(cand)
    rev4 = f.rev4[cand]
    growth = np.log((rev4 + 1.0) / (f.rev12[cand] / 3.0 + 1.0))
    score = growth + 0.3 * np.log1p(f.know[cand]) + 0.5 * stage
    open_ = np.ones(cand.size, bool)
    for prov in model.providers:
        sub = np.flatnonzero(open_)
        if sub.size == 0:
            break
        deal = prov.invest(cand[sub], need[sub], zone[sub], stage[sub], score[sub],
                           rev4[sub], know=f.know[cand[sub]],
                           points=model.level("innovation_points", t),
                           early=model.on("tech_transfer", t))  # 先投后股 is B9's
        pos = sub[deal.rows]
        rows = cand[pos]
        open_[pos] = False
        f.cash[rows] += deal.amounts
        metric = "loans_wan" if prov.kind == "bank" else "vc_invested_wan"
        if prov.kind == "bank":
            f.debt[rows] += deal.amounts
        else:
            f.equity[rows] += deal.amounts
        model.flows[:-1, met.M[metric]] += np.bincount(
            f.zone[rows], weights=deal.amounts, minlength=len(model.parks))
    f.distress[cand[open_]] = True


def tax_expenditure(model, t: int, margin: np.ndarray, alive: np.ndarray) -> None:
    """The quarter's tax expenditure (``tax_expenditure_wan``, by zone): income tax the
    state and province give up through the 高企 rate and the R&D super-deduction.

    A firm's taxable profit before those is its operating margin × revenue − R&D (R&D is
    expensed); at the standard rate (25%) it would pay 25% of that if positive. It pays
    its own rate (15% while a 高企) on that profit less the extra R&D deduction
    (``rd_super_deduction`` × R&D), if positive. The difference is the tax expenditure.
    Losses are not carried forward (assumption: a loss-making firm gives up nothing in
    the quarter), which understates the deduction's cost for young firms.
    """
    f, c = model.firms, model.scenario_data.constants
    n = f.n
    profit = margin * f.rev[:n] - f.rd[:n]
    tau = np.where(f.hte_until[:n] >= t, c.hte_tax_rate, c.standard_tax_rate)
    owed = tau * np.maximum(profit - c.rd_super_deduction * f.rd[:n], 0.0)
    given = np.where(alive, c.standard_tax_rate * np.maximum(profit, 0.0) - owed, 0.0)
    Z = len(model.parks)
    model.flows[:Z, met.M["tax_expenditure_wan"]] += np.bincount(
        f.zone[:n], weights=given, minlength=Z)[:Z]
