"""S3 Innovation and the R&D award A1: knowledge accumulates R&D and depreciates; an
original result arrives with the hazard of the knowledge stock and is industrialised
with a probability; an industrialised result boosts growth and makes the firm an
applicant in the year's A1 call (docs/model.md S3). Results and R&D also give the firm intellectual property (class I and II items) and
conversions of results, which the 高企 evaluation reads (S6). Sets ``model.hazard_prev`` (the hazard after this quarter's knowledge), which the
next quarter's R&D price reads.

Draws: three child streams, one uniform per row each (result, and whether it gives a class I
IP item: the same uniform below the hazard × ``ip_class1_share``; industrialisation; the
A1 call's review).
"""

from __future__ import annotations

import numpy as np

from sim.model.common import CONV_SLOTS, hazard, industrialisation_prob

STREAM = 2  # random stream id (position in sim.model.zone_model.MECHANISMS); never change it


def step(model, t: int, j: int, rng: np.random.Generator) -> None:
    """Knowledge, results, their growth boost and A1 claims of one quarter."""
    f, b = model.firms, model.scenario_data.behaviour
    n = f.n
    u = np.stack([g.random(n) for g in rng.spawn(3)])
    f.know[:n] = f.know[:n] * (1.0 - b.knowledge_depreciation) + f.rd[:n]
    h = hazard(model)
    model.hazard_prev = h
    phi = industrialisation_prob(model, t)
    res = f.alive[:n] & (u[0] < h)
    ind = res & (u[1] < min(phi, 1.0))
    # IP: a result gives a class I item with ip_class1_share, else ip_class2_per_result
    # class II items; routine class II items accrue with R&D (assumptions, params.py)
    cls1 = res & (u[0] < h * b.ip_class1_share)
    f.ip1[:n] += cls1
    f.ip2[:n] += (np.where(res & ~cls1, b.ip_class2_per_result, 0.0)
                  + f.rd[:n] / b.ip_routine_rd_wan)
    # conversions: this calendar year's slot (cleared in Q1) gains the industrialised
    # results and the routine conversions tied to R&D (assumption)
    slot = getattr(f, CONV_SLOTS[(t // 4) % 3])
    if t % 4 == 0:
        slot[:n] = 0.0
    slot[:n] += ind + f.rd[:n] / b.conv_routine_rd_wan
    rows = np.flatnonzero(ind)
    f.boost[rows] = np.maximum(np.where(f.boost_until[rows] >= t, f.boost[rows], 0.0),
                               b.innovation_growth_boost)
    f.boost_until[rows] = np.maximum(f.boost_until[rows], t + 4)
    if model.lever("rd_subsidy.enabled", t):
        a1_call(model, t, rows, u[2])


def a1_call(model, t: int, rows: np.ndarray, u: np.ndarray) -> None:
    """A1 as awarded: the industrialised results ``rows`` of quarter t make their firms
    applicants; the year's call, in the quarter ``a1_call_quarter`` of the year, takes every
    living applicant's application, its review passes one with ``a1_review_pass`` (the
    uniform ``u`` per row), and a passed one is awarded (:func:`a1_claims`). One application
    a firm per call, whatever its results; a rejected one ends (the firm applies again with
    a later result) and its R&D stays unawarded for a later award."""
    f = model.firms
    c, b = model.scenario_data.constants, model.scenario_data.behaviour
    f.a1_pending[rows] = True
    if t % 4 != c.a1_call_quarter:
        return
    n = f.n
    apply = np.flatnonzero(f.a1_pending[:n] & f.alive[:n])
    f.a1_pending[:n] = False
    passed = apply[u[apply] < b.a1_review_pass]
    if passed.size:
        a1_claims(model, t, passed)


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
