"""S2 R&D decision: a firm's desired R&D intensity responds to its after-tax,
after-award price of one yuan of R&D (A1 expected, discounted by the payer's
credibility); firms near the 高企 threshold bunch just above it; intensity adjusts
partly each quarter (docs/model.md S2).

Draws: none (the stream id is reserved).
"""

from __future__ import annotations

import numpy as np

from sim.model.common import (
    credible,
    hazard,
    hte_shares_met,
    hte_threshold,
    industrialisation_prob,
)

STREAM = 1  # random stream id (position in sim.model.zone_model.MECHANISMS); never change it


def price(model, t: int) -> tuple[np.ndarray, np.ndarray]:
    """After-tax price of one yuan of R&D without and with the expected A1 award."""
    f, c, b = model.firms, model.scenario_data.constants, model.scenario_data.behaviour
    n = f.n
    tau = np.where(f.hte_until[:n] >= t, c.hte_tax_rate, c.standard_tax_rate)
    p0 = 1.0 - tau * (1.0 + c.rd_super_deduction)
    p0 = np.maximum(p0, 0.05)
    if not model.lever("rd_subsidy.enabled", t):
        return p0, p0
    rate = model.lever("rd_subsidy.rate", t)
    cap = model.lever("rd_subsidy.cap_wan", t)
    W = model.scenario_data.policy.rd_subsidy.window_quarters
    phi = industrialisation_prob(model, t)
    h = model.hazard_prev  # the hazard at the end of last quarter (knowledge unchanged since)
    if h.size < n:  # firms born since: their hazard from their initial knowledge
        h = np.concatenate([h, hazard(model, slice(h.size, n))])
    # a qualifying result within the window, and its application passing the call's review
    p_qual = (1.0 - np.exp(-h * min(phi, 1.0) * W)) * b.a1_review_pass
    under_cap = rate * f.rd12[:n] * W / 12.0 < cap
    pol = model.scenario_data.policy.rd_subsidy
    award = (b.award_salience * rate * p_qual * under_cap
             * credible(model, pol.payer, f.zone[:n]))
    return p0, np.maximum(p0 - award, 0.05)


def step(model, t: int, j: int, rng: np.random.Generator) -> None:
    """Each row's R&D intensity and R&D of the quarter (dead rows: R&D 0)."""
    f, b, c = model.firms, model.scenario_data.behaviour, model.scenario_data.constants
    n = f.n
    p0, p = price(model, t)
    desired = f.rd_base[:n] * (p / p0) ** (-b.rd_price_elasticity)
    rev4 = f.rev4[:n]
    thr = hte_threshold(rev4, c)
    pursuing = hte_shares_met(f, n, c) & (rev4 > 0)
    bunch = pursuing & (desired < thr) & (desired >= thr * (1.0 - b.notch_reach))
    desired = np.where(bunch, thr * (1.0 + b.notch_margin), desired)
    desired = np.minimum(desired, 0.6)
    f.rd_int[:n] += b.rd_adjustment * (desired - f.rd_int[:n])
    f.rd[:n] = np.where(f.alive[:n], f.rd_int[:n] * f.rev[:n], 0.0)
