"""S3 Innovation and the R&D award A1: knowledge accumulates R&D and depreciates; an
original result arrives with the hazard of the knowledge stock and is industrialised
with a probability; an industrialised result boosts growth and claims A1 (docs/model.md
S3). Sets ``model.hazard_prev`` (the hazard after this quarter's knowledge), which the
next quarter's R&D price reads.

Draws: two child streams, one uniform per row each (result; industrialisation).
"""

from __future__ import annotations

import numpy as np

from sim.model.common import hazard, industrialisation_prob

STREAM = 2  # random stream id (position in sim.model.zone_model.MECHANISMS); never change it


def step(model, t: int, j: int, rng: np.random.Generator) -> None:
    """Knowledge, results, their growth boost and A1 claims of one quarter."""
    f, b = model.firms, model.scenario_data.behaviour
    n = f.n
    u = np.stack([g.random(n) for g in rng.spawn(2)])
    f.know[:n] = f.know[:n] * (1.0 - b.knowledge_depreciation) + f.rd[:n]
    h = hazard(model)
    model.hazard_prev = h
    phi = industrialisation_prob(model, t)
    ind = f.alive[:n] & (u[0] < h) & (u[1] < min(phi, 1.0))
    rows = np.flatnonzero(ind)
    f.boost[rows] = np.maximum(np.where(f.boost_until[rows] >= t, f.boost[rows], 0.0),
                               b.innovation_growth_boost)
    f.boost_until[rows] = np.maximum(f.boost_until[rows], t + 4)
    if rows.size and model.lever("rd_subsidy.enabled", t):
        a1_claims(model, t, rows)


def a1_claims(model, t: int, rows: np.ndarray) -> None:
    """A1: rate x own-funded R&D of the prior window, at most the cap.

    The window is the last ``window_quarters`` quarters before the result, from the
    quarter of the firm's previous A1 award on (earlier R&D was awarded already), so a
    firm's successive A1 awards reward separate R&D and are each paid; an award of its
    non-stacking group (A10 by default) over R&D of the same window is not added to it
    (就高不就低, see :mod:`sim.model.ledger`): the firm is paid up to the highest.
    """
    f = model.firms
    pol = model.scenario_data.policy.rd_subsidy
    rate, cap = model.lever("rd_subsidy.rate", t), model.lever("rd_subsidy.cap_wan", t)
    last = f.a1_last[rows]
    W, H = pol.window_quarters, f.hist
    base = np.zeros(rows.size)
    for k in range(1, W + 1):
        q = t - k
        base += np.where(q >= last, f.h_rd[q % H, rows], 0.0)
    amount = np.minimum(rate * base, cap)
    first = np.maximum(last.astype(np.int64), t - W)  # the window's first quarter
    f.a1_last[rows] = t
    pos = amount > 0
    r = rows[pos]
    model.treasury.claim_many(t, f.zone[r], f.uid[r], r, "A1", pol.payer, amount[pos],
                              window=(first[pos], np.full(r.size, t - 1)))
