"""高企 certification as granted (docs/model.md S6): the hard criteria, the scored
evaluation and its pass mark, renewal, and class II IP used once — in small built
situations on tests/scenarios/tiny.yaml, not waiting for chance."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import sim
from sim.core.calendar import q_index
from sim.model import HighTechZoneModel
from sim.model.common import (
    CONV_SLOTS,
    hte_conv_per_year,
    hte_growth,
    hte_has_ip,
    hte_score,
    hte_threshold,
)
from sim.model.firms import NEVER
from sim.model.mechanisms import ladder

ROOT = Path(__file__).resolve().parent.parent
TINY = ROOT / "tests" / "scenarios" / "tiny.yaml"
Q4 = q_index("2025Q4")


def model(overrides=None) -> HighTechZoneModel:
    m = HighTechZoneModel(sim.load_scenario(TINY, overrides).model)
    m.t = Q4
    return m


def ready(m, rows, t=Q4, quality=1.0):
    """Rows that meet every hard criterion, own one class I item, convert 6 results a
    year, had flat sales (growth 0: no growth points), a perfect R&D organisation and
    IP quality ``quality``: score 61 + 16 × quality (IP capped at 30)."""
    f = m.firms
    f.alive[rows] = True
    f.founded[rows] = t - 40
    f.st_share[rows], f.ht_share[rows] = 0.5, 0.9
    f.rev4[rows], f.rev12[rows] = 4000.0, 12000.0
    f.rd12[rows] = 12000.0 * 0.06  # 6% >= 5% (sales <= 5000万)
    f.h_rev[:, rows] = 1000.0
    f.hte_until[rows] = NEVER
    f.ip1[rows], f.ip2[rows], f.ip2_used[rows] = 1.0, 0.0, 0.0
    for s in CONV_SLOTS:
        getattr(f, s)[rows] = 6.0
    f.ip_quality[rows] = quality
    f.rd_org[rows] = 1.0


def draws(n):
    """Everyone applies (u0 = 0), the experts add nothing (u1 = ½: a zero normal), no
    other rung's draw passes."""
    u = np.ones((6, n))
    u[0] = 0.0
    u[1] = 0.5
    return u


def certified(m, row, t=Q4):
    return m.firms.hte_until[row] == t + m.scenario_data.constants.hte_validity_quarters


def test_a_ready_firm_is_certified_and_claims_a5():
    m = model({"policy.hte_matching.enabled": True})
    ready(m, [3])
    ladder.annual_round(m, Q4, draws(m.firms.n))
    assert certified(m, 3) and 3 in m.newly_certified
    assert m.firms.hte_applied[3] == Q4


@pytest.mark.parametrize("criterion", ["age", "st_staff", "hightech_revenue", "rd_ratio",
                                       "no_ip", "ip_used_up"])
def test_a_firm_below_any_hard_criterion_is_never_certified(criterion):
    # shares do not move before the round here (the drift has its own test)
    m = model({"behaviour.hte_share_drift": 0.0})
    f = m.firms
    ready(m, [3, 4])  # row 4 meets everything: the control
    if criterion == "age":
        f.founded[3] = Q4 - 3  # registered 3 quarters: below a year
        f.h_rev[:, 3] = 0.0
        f.h_rev[-4:, 3] = 1000.0  # (history only since founding)
    elif criterion == "st_staff":
        f.st_share[3] = 0.099
    elif criterion == "hightech_revenue":
        f.ht_share[3] = 0.599
    elif criterion == "rd_ratio":
        f.rd12[3] = 12000.0 * 0.0499
    elif criterion == "no_ip":
        f.ip1[3] = 0.0
    elif criterion == "ip_used_up":  # class II items all used in an earlier success
        f.ip1[3], f.ip2[3], f.ip2_used[3] = 0.0, 6.0, 6.0
    u = draws(f.n)
    u[1] = 1.0 - 1e-9  # the experts' most favourable judgement (+6 sd) does not help
    ladder.annual_round(m, Q4, u)
    assert f.hte_until[3] == NEVER and 3 not in m.newly_certified
    assert f.hte_applied[3] == NEVER  # not even a candidate
    assert certified(m, 4)


def test_the_pass_mark_binds_at_71():
    # 61 + 16 × 0.5625 = 70; 61 + 16 × 0.625 = 71 (the experts add nothing)
    one = np.ones(2)
    s = hte_score(one, 0 * one, np.array([0.5625, 0.625]), 6 * one, one, 0 * one)
    assert s.tolist() == [70, 71]
    m = model()
    ready(m, [3], quality=0.5625)
    ready(m, [4], quality=0.625)
    ladder.annual_round(m, Q4, draws(m.firms.n))
    assert m.firms.hte_until[3] == NEVER and certified(m, 4)
    assert m.firms.hte_applied[3] == Q4  # applied (in the pool) and failed


def test_the_experts_judgement_moves_the_score():
    m = model({"behaviour.hte_expert_sd": 4.0})
    ready(m, [3, 4], quality=0.625)  # own score 71
    u = draws(m.firms.n)
    u[1, 3] = 0.05  # −1.64 sd: 71 − 6.6 → 64, fails
    u[1, 4] = 0.95  # +1.64 sd: passes
    ladder.annual_round(m, Q4, u)
    assert m.firms.hte_until[3] == NEVER and certified(m, 4)


def test_below_the_pool_score_a_firm_does_not_apply():
    m = model({"behaviour.hte_pool_score": 70.0})
    ready(m, [3], quality=0.5)  # own score 69
    ladder.annual_round(m, Q4, draws(m.firms.n))
    assert m.firms.hte_applied[3] == NEVER and m.firms.hte_until[3] == NEVER


def test_renewal_requires_meeting_the_criteria_again():
    m = model()
    f = m.firms
    ready(m, [3, 4])
    f.hte_until[[3, 4]] = Q4  # both certificates end in this round
    f.hte_first[[3, 4]] = Q4 - 12
    f.rd12[3] = 12000.0 * 0.045  # R&D ratio fell below its band (5%)
    ladder.annual_round(m, Q4, draws(f.n))
    assert f.hte_until[3] == Q4 - 1  # lost the status with the round
    assert certified(m, 4) and 4 not in m.newly_certified  # renewed, not new


def test_class_ii_items_count_once():
    # five unused class II items score 5.5 (count) + 5 (acquisition); used ones nothing
    s = hte_score(np.zeros(2), np.array([5.0, 0.0]), np.ones(2), 6 * np.ones(2),
                  np.ones(2), np.zeros(2))
    assert s.tolist() == [74, 64]  # 27.5 + 20 + min(30, 5.5 + 16 + 5) = 74; 27.5+20+16
    assert hte_has_ip(np.zeros(2), np.array([5.0, 0.0])).tolist() == [True, False]
    m = model()
    f = m.firms
    ready(m, [3])
    f.ip1[3], f.ip2[3] = 0.0, 5.0
    ladder.annual_round(m, Q4, draws(f.n))
    assert certified(m, 3) and f.ip2_used[3] == 5.0
    # three years on, no new item: nothing left to use, the renewal fails
    t = Q4 + 12
    f.founded[3] = t - 40
    ladder.annual_round(m, t, draws(f.n))
    assert f.hte_until[3] == t - 1
    # with new items it would have renewed
    m = model()
    f = m.firms
    ready(m, [3])
    f.ip1[3], f.ip2[3] = 0.0, 5.0
    ladder.annual_round(m, Q4, draws(f.n))
    f.ip2[3] += 5.0
    ladder.annual_round(m, t, draws(f.n))
    assert certified(m, 3, t) and f.ip2_used[3] == 10.0


def test_sales_growth_follows_the_rules_formula():
    # 1,000 -> 1,200 -> 1,500 a year: g = ½(1.2 + 1.25) − 1 = 0.225 (research file §1b)
    t = 100
    h = np.zeros((12, 2))
    for k, year in enumerate((1000.0, 1200.0, 1500.0)):
        for q in range(4):
            h[(t - 11 + 4 * k + q) % 12] = year / 4
    g = hte_growth(h, t, np.array([t - 40, t - 40]))
    assert g == pytest.approx([0.225, 0.225])
    # band ≥ 15%: 5.5 points, counted for sales and (its proxy) net assets
    one = np.ones(1)
    assert (hte_score(one, 0 * one, 0 * one, 0 * one, 0 * one, g[:1])
            - hte_score(one, 0 * one, 0 * one, 0 * one, 0 * one, 0 * one)).tolist() == [11]
    # a firm too young for a first year: the last two years only; no second year: −1
    young = np.zeros((12, 1))
    young[[(t - q) % 12 for q in range(6)]] = 100.0  # six quarters of 100
    assert hte_growth(young, t, np.array([t - 5]))[0] == pytest.approx(0.0)
    assert hte_growth(np.zeros((12, 1)), t, np.array([t - 40]))[0] == -1.0


def test_the_starts_hte_hold_usable_ip_and_the_round_reads_it():
    m = model()
    f, n = m.firms, m.firms.n
    hte = f.alive[:n] & (f.hte_until[:n] >= m.start_q)
    assert hte.any()
    # each held an IP item at its certification (class I, or class II it used)
    assert ((f.ip1[:n] >= 1) | (f.ip2_used[:n] >= 1))[hte].all()
    assert (f.ip2_used[:n] <= f.ip2[:n] + 1e-9).all()
    assert ((f.ip_quality[:n] >= 0) & (f.ip_quality[:n] <= 1)).all()


def test_rd_ready_firms_move_their_staff_and_product_shares_over_the_year():
    m = model({"behaviour.hte_share_drift": 0.05})
    f = m.firms
    ready(m, [3, 4, 5, 6])
    f.ht_share[3] = 0.57  # R&D-ready, 3 points short on high-tech revenue
    f.st_share[4] = 0.08  # R&D-ready, 2 points short on S&T staff
    f.ht_share[5] = 0.57
    f.rd12[5] = 12000.0 * 0.03  # short on R&D too: its shares stay
    f.ht_share[6] = 0.50  # 10 points short: one year's drift is not enough
    ladder.annual_round(m, Q4, draws(f.n))
    assert f.ht_share[3] == pytest.approx(0.62) and f.st_share[4] == pytest.approx(0.13)
    assert certified(m, 3) and certified(m, 4)
    assert f.ht_share[5] == pytest.approx(0.57) and f.hte_until[5] == NEVER
    assert f.ht_share[6] == pytest.approx(0.55) and f.hte_until[6] == NEVER
    # a certified firm's shares are not moved; row 6 meets the criterion a year later
    st4 = f.st_share[4]
    t = Q4 + 4
    f.founded[6] = t - 40
    ladder.annual_round(m, t, draws(f.n))
    assert f.st_share[4] == st4 and certified(m, 6, t)


def test_the_starts_candidate_pool_owns_ip_and_assesses_itself_at_the_pool_score():
    m = model()
    f, n, c, b = m.firms, m.firms.n, m.scenario_data.constants, m.scenario_data.behaviour
    s = m.start_q
    with np.errstate(invalid="ignore", divide="ignore"):
        r3 = np.where(f.rev12[:n] > 0, f.rd12[:n] / f.rev12[:n], 0.0)
    pool = (f.alive[:n] & (f.hte_until[:n] < s) & (s - f.founded[:n] >= c.hte_min_age_quarters)
            & (f.st_share[:n] >= c.hte_st_staff_share)
            & (f.ht_share[:n] >= c.hte_hightech_revenue_share)
            & (f.rev4[:n] > 0) & (r3 >= hte_threshold(f.rev4[:n], c)))
    assert pool.any()
    free = f.ip2[:n] - f.ip2_used[:n]
    assert hte_has_ip(f.ip1[:n], free)[pool].all()
    own = hte_score(f.ip1[:n], free, f.ip_quality[:n],
                    hte_conv_per_year(f, slice(0, n), s - 1, f.founded[:n]), f.rd_org[:n],
                    hte_growth(f.h_rev[:, :n], s - 1, f.founded[:n]))
    best = hte_score(f.ip1[:n], free, np.ones(n),
                     hte_conv_per_year(f, slice(0, n), s - 1, f.founded[:n]), np.ones(n),
                     hte_growth(f.h_rev[:, :n], s - 1, f.founded[:n]))
    # traits are redrawn (the best ones last): below the mark only a firm that could
    # not reach it with any traits
    assert ((own >= b.hte_pool_score) | (best < b.hte_pool_score))[pool].all()
    assert (own[pool] >= b.hte_pool_score).mean() > 0.5
