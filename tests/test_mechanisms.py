"""Each mechanism of the quarter alone (sim/model/mechanisms), on a few rows set by hand.

The tiny scenario gives a small model; a test sets some rows of its firm table, calls one
mechanism's ``step`` (or its round) with a fixed generator, and checks what the
mechanism must do. The stream ids are pinned: changing one would change every result.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import sim
from sim.core import metrics as met
from sim.core.calendar import q_index
from sim.model import MECHANISMS, HighTechZoneModel, population
from sim.model.agents import Enterprise
from sim.model.common import cluster_key_counts, hazard, hte_threshold
from sim.model.firms import NEVER, ORIGIN
from sim.model.mechanisms import (entry, exit, finance, growth, history, innovation, ladder,
                                  levers, measure, projects, rd, settle, year, zones)
from sim.model.zone_model import QUARTER

ROOT = Path(__file__).resolve().parent.parent
TINY = ROOT / "tests" / "scenarios" / "tiny.yaml"
T0 = q_index("2025Q3")  # tiny's first quarter
Q4 = q_index("2025Q4")
M = met.M


def tiny(overrides=None, t=T0) -> HighTechZoneModel:
    m = HighTechZoneModel(sim.load_scenario(TINY, overrides).model)
    m.t = t
    return m


class Fixed:
    """A stand-in generator whose uniforms are given (an array per row, or one number)
    and whose Laplace shocks are zero; its children draw the same."""

    def __init__(self, u=0.0):
        self.u = u

    def random(self, size=None):
        u = np.asarray(self.u, float)
        return np.broadcast_to(u, size).copy() if u.ndim == 0 else u[:size].copy()

    def laplace(self, size=None):
        return np.zeros(size)

    def spawn(self, k):
        return [Fixed(self.u) for _ in range(k)]


class NoDraws:
    """A generator that fails the test if anything is drawn from it."""

    def __getattr__(self, name):
        raise AssertionError(f"drew {name} from a stream that must not be used")


def ledger(m):
    r = m.treasury.rows
    return list(zip(r["lever"], r["enterprise"], r["amount_wan"], strict=True))


# ---------------------------------------------------------------------- streams, order

STREAMS = {"population": 0, "rd": 1, "innovation": 2, "growth": 3, "finance": 4, "exit": 5,
           "ladder": 6, "entry": 7, "projects": 8, "zones": 9, "levers": 10}


def test_stream_ids_are_pinned():
    """Changing a stream id changes every draw of that mechanism: never do it."""
    assert MECHANISMS == tuple(STREAMS)
    mods = {"population": population, "rd": rd, "innovation": innovation,
            "growth": growth, "finance": finance, "exit": exit, "ladder": ladder,
            "entry": entry, "projects": projects, "zones": zones, "levers": levers}
    assert {name: mod.STREAM for name, mod in mods.items()} == STREAMS
    for mod in (year, history, settle, measure):  # bookkeeping: draws nothing
        assert mod.STREAM is None


def test_a_stream_is_the_seed_sequence_of_replicate_stream_and_step():
    m = HighTechZoneModel(sim.load_scenario(TINY).model, replicate=3, seed=77)
    want = np.random.default_rng(np.random.SeedSequence(77, spawn_key=(3, 6, 5))).random(4)
    assert (m.stream(ladder.STREAM, 5).random(4) == want).all()
    assert (m.stream("ladder", 5).random(4) == want).all()


def test_the_quarter_is_one_list_in_order():
    assert [mod.__name__.rsplit(".", 1)[1] for mod in QUARTER] == [
        "year", "growth", "rd", "innovation", "history", "finance", "exit", "ladder",
        "entry", "projects", "levers", "zones", "settle", "measure"]


# ---------------------------------------------------------------------- mechanisms

def test_year_zeroes_the_flows_and_adds_land_in_q1():
    m = tiny()
    m.flows[:] = 5.0
    t = q_index("2026Q1")
    extra = m.lever("land.extra_ha_per_year", t) * m.scale  # B9, on in tiny
    assert m.on("land", t) and extra > 0
    want = [p.land_ha + p.land_added_ha_per_year + extra for p in m.parks]
    year.step(m, t, 3, None)
    assert (m.flows == 0.0).all()
    assert [p.land_ha for p in m.parks] == pytest.approx(want)
    year.step(m, t + 1, 4, None)  # not a new year: no land
    assert [p.land_ha for p in m.parks] == pytest.approx(want)


def test_growth_with_zero_shock_follows_the_drift():
    m = tiny({"policy.specialised_pool.enabled": False,
              "policy.supply_matching.enabled": False})
    f, b, n = m.firms, m.scenario_data.behaviour, m.firms.n
    f.prod[:n] = 0.01
    f.boost_until[:n] = NEVER
    f.gazelle[:n] = False
    f.misfit[:n] = False
    f.boost[3], f.boost_until[3] = 0.05, T0 + 2  # an active boost
    f.gazelle[4] = True
    f.alive[5] = False
    rev0, emp0 = f.rev[:n].copy(), f.employees[:n].copy()
    key, cl = cluster_key_counts(m)
    cell = (b.agglomeration_elasticity * np.log(np.maximum(cl, 1.0) / m.cluster0)
            + m.service[:, None]).ravel()[key]
    age = (T0 - f.founded[:n]).astype(float)
    drift = b.drift_young * np.clip(1 - age / 20, 0, 1) + b.drift_base + 0.01 + cell
    drift[3] += 0.05
    drift[4] += b.drift_gazelle
    growth.step(m, T0, 1, Fixed())
    alive = np.arange(n) != 5
    assert f.rev[:n][alive] == pytest.approx(rev0[alive] * np.exp(drift[alive]), rel=1e-12)
    assert f.employees[:n][alive] == pytest.approx(
        emp0[alive] * np.exp(b.employment_elasticity * drift[alive]), rel=1e-12)
    assert f.rev[5] == rev0[5] and f.employees[5] == emp0[5]  # a dead row does not grow


def test_rd_moves_toward_the_desired_intensity_and_bunches_at_the_notch():
    m = tiny({"policy.rd_subsidy.enabled": False})  # price ratio 1: desired = base
    f, b, c, n = m.firms, m.scenario_data.behaviour, m.scenario_data.constants, m.firms.n
    rows = np.array([1, 2, 3])
    f.rev4[rows] = 4000.0
    thr = float(hte_threshold(np.array([4000.0]), c)[0])
    f.st_share[rows], f.ht_share[rows] = 0.5, 0.9  # meet the 高企 staff and product shares
    f.rd_base[1] = thr * 0.5  # far below the threshold: no bunching
    f.rd_base[2] = thr * (1 - b.notch_reach / 2)  # just below: bunches above it
    f.rd_base[3] = thr * 0.5
    f.alive[3] = False
    f.rd_int[rows] = 0.0
    rd.step(m, T0, 1, NoDraws())
    assert f.rd_int[1] == pytest.approx(b.rd_adjustment * thr * 0.5)
    assert f.rd_int[2] == pytest.approx(b.rd_adjustment * thr * (1 + b.notch_margin))
    assert f.rd[1] == pytest.approx(f.rd_int[1] * f.rev[1])
    assert f.rd[3] == 0.0  # a dead row spends nothing
    assert (f.rd[:n] >= 0).all()


def test_the_expected_a1_award_lowers_the_price_of_rd():
    m = tiny()
    p0, p = rd.price(m, T0)
    assert (p <= p0).all() and (p < p0).any()
    m0 = tiny({"policy.rd_subsidy.enabled": False})
    p0_off, p_off = rd.price(m0, T0)
    assert (p_off == p0_off).all()


def test_innovation_results_boost_growth_and_claim_a1_up_to_the_cap():
    m = tiny({"policy.budget.province_wan_per_year": 1e9})
    f, b, n = m.firms, m.scenario_data.behaviour, m.firms.n
    pol = m.scenario_data.policy.rd_subsidy  # rate 0.2, cap 1000, window 12
    t = T0
    f.boost_until[:n] = NEVER
    f.h_rd[:, :n] = 0.0
    f.rd[:n] = 0.0
    f.know[[3, 4, 5]] = 1000.0
    f.h_rd[:, 3] = 100.0  # 12 × 100 × 0.2 = 240 < cap
    f.h_rd[:, 4] = 1000.0  # 12 × 1000 × 0.2 = 2400: the cap
    f.a1_last[[3, 4]] = NEVER
    f.alive[5] = False  # a dead row has no result
    u = np.ones(n)
    u[[3, 4, 5]] = 0.0  # only these rows draw below their hazard (and pass the review)
    innovation.step(m, t, 1, Fixed(u))
    assert (m.hazard_prev == hazard(m)).all()
    assert f.boost[3] == b.innovation_growth_boost and f.boost_until[3] == t + 4
    assert f.boost_until[5] == NEVER
    # 2025Q3 is not the call's quarter (Q2): the results wait for the next call
    assert t % 4 != m.scenario_data.constants.a1_call_quarter
    assert f.a1_pending[3] and f.a1_pending[4] and not f.a1_pending[5]
    assert f.a1_last[3] == NEVER and not m.treasury.pending
    call = q_index("2026Q2")
    f.h_rd[:, :n] = 0.0
    f.h_rd[:, 3] = 100.0
    f.h_rd[:, 4] = 1000.0
    innovation.a1_call(m, call, np.array([], int), np.zeros(n))
    assert f.a1_last[3] == call and f.a1_last[4] == call
    assert not f.a1_pending[:n].any()
    settle.step(m, call, 1, None)
    assert sorted(ledger(m)) == [("A1", f.uid[3], pytest.approx(pol.rate * 12 * 100.0)),
                                 ("A1", f.uid[4], pytest.approx(pol.cap_wan))]


def test_the_a1_call_takes_one_application_a_firm_and_its_review_can_reject_it():
    m = tiny({"policy.budget.province_wan_per_year": 1e9,
              "behaviour.a1_review_pass": 0.5})
    f, n = m.firms, m.firms.n
    call = q_index("2026Q2")
    f.h_rd[:, :n] = 10.0
    f.a1_last[:n] = NEVER
    # row 3 industrialised twice before the call, row 4 once, row 5 once but died
    innovation.a1_call(m, call - 2, np.array([3, 4, 5]), np.zeros(n))
    innovation.a1_call(m, call - 1, np.array([3]), np.zeros(n))
    f.alive[5] = False
    u = np.zeros(n)
    u[4] = 0.7  # row 4's review draw fails (>= 0.5)
    innovation.a1_call(m, call, np.array([], int), u)
    claims = [(c.lever, c.enterprise_uid) for c in m.treasury.pending]
    assert claims == [("A1", f.uid[3])]  # one award for row 3's two results
    assert f.a1_last[4] == NEVER and not f.a1_pending[4]  # rejected: no award, no wait
    # row 4's R&D stays unawarded: its next result's award counts the whole window
    innovation.a1_call(m, call + 4, np.array([4]), np.zeros(n))
    assert m.treasury.pending[-1].full == pytest.approx(
        0.2 * m.scenario_data.policy.rd_subsidy.window_quarters * 10.0)


def test_a1_counts_only_rd_since_the_last_award():
    m = tiny({"policy.budget.province_wan_per_year": 1e9})
    f, t = m.firms, T0
    f.h_rd[:, 3] = 10.0
    f.a1_last[3] = t - 4  # awarded 4 quarters ago: quarters t-4 .. t-1 count
    innovation.a1_claims(m, t, np.array([3]))
    assert [c.full for c in m.treasury.pending] == [pytest.approx(0.2 * 4 * 10.0)]


def test_history_rolls_the_windows():
    m = tiny()
    f, n, H, t = m.firms, m.firms.n, m.firms.hist, T0
    f.rev[:n] = 7.0
    f.rd[:n] = 2.0
    before4 = f.rev4[:n] - f.h_rev[(t - 4) % H, :n]
    history.step(m, t, 1, None)
    assert (f.h_rev[t % H, :n] == 7.0).all() and (f.h_rd[t % H, :n] == 2.0).all()
    assert f.rev4[:n] == pytest.approx(before4 + 7.0)
    history.step(m, Q4, 2, None)  # Q4: the sums are recomputed from the ring
    idx = np.arange(Q4 - 3, Q4 + 1) % H
    assert f.rev4[:n] == pytest.approx(f.h_rev[idx, :n].sum(axis=0))


def test_finance_marks_a_firm_short_of_cash_distressed_when_no_provider_funds_it():
    m = tiny()
    f, b, n = m.firms, m.scenario_data.behaviour, m.firms.n
    m.providers = []  # nobody funds
    f.debt[:n] = 0.0
    f.cash[:n] = 1e6
    f.cash[2] = -1e6
    f.cash[3] = -1e6
    f.alive[3] = False  # a dead firm is no candidate
    cash1 = f.cash[1]
    finance.step(m, T0, 1, NoDraws())
    assert f.distress[2] and not f.distress[3] and f.distress[:n].sum() == 1
    age = T0 - f.founded[1]
    margin = b.margin + f.margin_dev[1] - b.young_margin_penalty * np.clip(1 - age / 12, 0, 1)
    assert f.cash[1] == pytest.approx(cash1 + margin * f.rev[1] - f.rd[1])
    f.cash[2] = 1e6  # next quarter it has cash again: no longer in distress
    finance.step(m, T0 + 1, 2, NoDraws())
    assert not f.distress[:n].any()


def test_finance_a_funded_firm_is_not_distressed_and_the_flow_is_recorded():
    m = tiny()
    f, n = m.firms, m.firms.n
    m.flows[:] = 0.0
    f.cash[:n] = 1e6
    f.cash[2] = -50.0
    f.rev4[2] = 4000.0  # a bank lends up to half a year's revenue
    m.providers = [p for p in m.providers if p.kind == "bank"]
    finance.step(m, T0, 1, NoDraws())
    assert not f.distress[2] and f.cash[2] >= 0 and f.debt[2] > 0
    assert m.flows[:-1, M["loans_wan"]].sum() == pytest.approx(f.debt[2])


def test_exit_kills_a_row_whose_draw_is_below_its_hazard_and_records_the_flow():
    m = tiny()
    f, b, n = m.firms, m.scenario_data.behaviour, m.firms.n
    m.flows[:] = 0.0
    f.distress[:n] = False
    agents = len(m.agents_by_type[Enterprise])
    u = np.ones(n)  # nobody's draw is below a hazard < 1 ...
    u[2] = 0.0  # ... but row 2's
    u[[3, 4]] = 0.2  # distress raises row 3's hazard above 0.2; row 4's stays below it
    f.distress[3] = True
    assert b.distress_exit_prob > 0.2
    exit.step(m, T0, 1, Fixed(u))
    assert not f.alive[2] and not f.alive[3] and f.alive[4]
    assert f.alive[:n].sum() == n - 2
    assert f.exited_q[2] == T0 and f.exited_q[4] == NEVER
    per_zone = np.bincount(f.zone[[2, 3]], minlength=len(m.parks))
    assert (m.flows[:-1, M["exits"]] == per_zone).all()
    assert len(m.agents_by_type[Enterprise]) == agents - 2


def _eligible(m, rows, t):
    """Make rows eligible for 高企 in every respect but R&D."""
    f, c = m.firms, m.scenario_data.constants
    f.alive[rows] = True
    f.founded[rows] = t - 40
    f.st_share[rows], f.ht_share[rows] = 0.5, 0.9
    f.rev4[rows], f.rev12[rows] = 4000.0, 12000.0
    f.hte_until[rows] = NEVER
    # and the evaluation: one class I IP item, conversions, traits (tests/test_certification)
    f.ip1[rows], f.ip_quality[rows], f.rd_org[rows] = 1.0, 1.0, 1.0
    f.conv0[rows] = f.conv1[rows] = f.conv2[rows] = 6.0
    f.h_rev[:, rows] = 1000.0
    return float(hte_threshold(np.array([4000.0]), c)[0])


def test_a_firm_below_the_hte_rd_threshold_is_never_certified():
    m = tiny({"policy.hte_matching.enabled": True})
    f, c, n = m.firms, m.scenario_data.constants, m.firms.n
    thr = _eligible(m, [3, 4], Q4)
    f.rd12[3] = 12000.0 * thr * 0.99  # just below
    f.rd12[4] = 12000.0 * thr * 1.01  # just above
    u = np.zeros((6, n))  # every draw would pass ...
    u[1] = 0.5  # ... and the experts add nothing to the score
    ladder.annual_round(m, Q4, u)
    assert f.hte_until[3] == NEVER
    assert f.hte_until[4] == Q4 + c.hte_validity_quarters and f.hte_first[4] == Q4
    assert 4 in m.newly_certified and 3 not in m.newly_certified
    a5 = [c_ for c_ in m.treasury.pending if c_.lever == "A5"]
    assert {c_.row for c_ in a5} == set(m.newly_certified.tolist())


def test_ladder_a_failed_draw_certifies_nobody():
    m = tiny()
    f, n = m.firms, m.firms.n
    thr = _eligible(m, [4], Q4)
    f.rd12[4] = 12000.0 * thr * 1.5
    ladder.annual_round(m, Q4, np.ones((6, n)))  # no draw passes
    assert f.hte_until[4] == NEVER and m.newly_certified.size == 0


def test_ladder_draws_in_q4_only():
    m = tiny()
    ladder.step(m, T0, 1, NoDraws())  # 2025Q3: no round, no draw
    hte = m.firms.hte_until[: m.firms.n].copy()
    ladder.step(m, Q4, 2, m.stream(ladder.STREAM, 2))
    assert (m.firms.hte_until[: m.firms.n] != hte).any()


def test_entry_records_births_and_graduates_incubatees():
    m = tiny({"behaviour.graduation_rate": 1.0})
    f, n0 = m.firms, m.firms.n
    m.flows[:] = 0.0
    f.incubator[2], f.inc_since[2], f.origin[2] = 0, T0 - 8, ORIGIN["startup"]
    f.incubator[3], f.inc_since[3] = 0, T0 - 2  # too early to graduate
    entry.step(m, T0, 1, m.stream(entry.STREAM, 1))
    assert f.incubator[2] == -1 and f.origin[2] == ORIGIN["graduate"]
    assert f.incubator[3] == 0
    assert m.flows[:-1, M["graduations"]].sum() >= 1
    new = np.arange(n0, f.n)
    assert new.size > 0
    assert (m.flows[:-1, M["births"]] == np.bincount(f.zone[new], minlength=2)).all()
    assert f.alive[new].all() and (f.founded[new] == T0).all()
    assert (f.know[new][f.origin[new] == ORIGIN["researcher"]] == 100.0).all()
    assert len(m.agents_by_type[Enterprise]) == f.alive[: f.n].sum()


def test_projects_arrive_then_land_or_are_lost_and_landed_ones_become_firms():
    m = tiny({"projects.per_quarter": 40})
    f, n0 = m.firms, m.firms.n
    m.flows[:] = 0.0
    projects.step(m, T0, 1, m.stream(projects.STREAM, 1))
    F = m.flows[:-1]
    arrived, landed, lost = (F[:, M[k]].sum() for k in
                             ("projects_arrived", "projects_landed", "projects_lost"))
    assert arrived > 0 and arrived == landed + lost
    assert f.n - n0 == landed
    assert F[:, M["investment_credited_wan"]].sum() == pytest.approx(
        F[:, M["investment_landed_wan"]].sum())
    new = np.arange(n0, f.n)
    assert np.isin(f.origin[new], [ORIGIN["attracted"], ORIGIN["referred"]]).all()


def test_levers_a3_pilots_boost_future_firms_and_claim_at_most_the_cap():
    m = tiny({"policy.scenario_pilot.pilots_per_zone_year": 200,
              "policy.budget.zone_wan_per_year": 1e9})
    m.future[:] = [True, False]  # digital is a future industry
    m.flows[:] = 0.0
    f, b, n = m.firms, m.scenario_data.behaviour, m.firms.n
    levers.step(m, T0, 1, m.stream(levers.STREAM, 1))
    assert m.pilots.sum() > 0
    assert (m.flows[:-1, M["pilots"]] == m.pilots).all()
    a3 = [c for c in m.treasury.pending if c.lever == "A3"]
    assert len(a3) == m.pilots.sum()
    cap = m.scenario_data.policy.scenario_pilot.cap_wan
    for c in a3:
        assert 0 < c.full <= cap
        assert f.sector[c.row] == 0 and f.alive[c.row]
        assert f.boost[c.row] >= b.pilot_growth_boost and f.boost_until[c.row] == T0 + 4
    assert len({c.row for c in a3}) == len(a3)  # one pilot per firm a quarter
    assert f.n == n  # no enclave, no new firm


def test_levers_a10_winners_are_certified_and_gain_knowledge():
    m = tiny({"policy.open_competition.projects_per_year": 30,
              "behaviour.competition_success_prob": 1.0,
              "policy.budget.province_wan_per_year": 1e9})
    f, n = m.firms, m.firms.n
    know = f.know[:n].copy()
    levers.step(m, Q4, 2, m.stream(levers.STREAM, 2))
    a10 = [c for c in m.treasury.pending if c.lever == "A10"]
    assert len(a10) > 0
    cap = m.scenario_data.policy.open_competition.cap_wan
    for c in a10:
        assert f.hte_until[c.row] >= Q4 and 0 < c.full <= cap
        assert f.know[c.row] > know[c.row]


def test_zones_approve_clusters_and_upgrades_when_thresholds_are_met_and_draws_pass():
    over = {"constants.cluster_min_revenue_wan": 0, "constants.cluster_min_hte": 0,
            "constants.upgrade_min_revenue_wan": 0, "constants.upgrade_min_hte": 0}
    m = tiny(over, t=Q4)
    S, Z = len(m.sector_ids), len(m.parks)
    outside = m.rank_score_out.size
    zones.annual(m, Q4, np.ones((3, Z, S)), np.zeros(outside + Z))  # no draw passes
    assert m.new_clusters == [] and m.upgraded == []
    assert m.parks[1].level == "provincial"
    m = tiny(over, t=Q4)
    zones.annual(m, Q4, np.zeros((3, Z, S)), np.zeros(outside + Z))  # every draw passes
    # alpha's digital cluster was national already; beta's leading industries are new
    assert m.new_clusters == [(1, 0), (1, 1)]
    assert m.upgraded == [1] and m.parks[1].level == "national"
    assert m.rank_score_out.size == outside - 1  # the number of national zones is fixed
    assert all(p.national_rank is not None for p in m.parks if p.index == 0)


def test_zones_draw_every_quarter_whatever_the_quarter():
    m = tiny()
    levels = [p.level for p in m.parks]
    rng = m.stream(zones.STREAM, 1)
    zones.step(m, T0, 1, rng)  # not Q4: draws are made, nothing happens
    assert [p.level for p in m.parks] == levels
    ref = m.stream(zones.STREAM, 1)
    ref.random((3, len(m.parks), len(m.sector_ids)))
    ref.normal(size=m.rank_score_out.size + len(m.parks))
    assert rng.random() == ref.random()  # the same draws were taken


def test_measure_counts_alive_and_certified_firms_per_zone():
    m = tiny()
    f, n, t = m.firms, m.firms.n, T0
    f.alive[:n] = False
    f.alive[[0, 1, 2]] = True
    f.zone[[0, 1, 2]] = [0, 0, 1]
    f.hte_until[:n] = NEVER
    f.hte_until[1] = t + 4
    m.flows[:] = 0.0
    m.flows[1, M["births"]] = 7.0
    measure.step(m, t, 1, None)
    out = m.out[1]
    assert out[:2, M["enterprises"]].tolist() == [2.0, 1.0]
    assert out[:2, M["hte"]].tolist() == [1.0, 0.0]
    assert out[1, M["births"]] == 7.0
    assert out[-1, M["enterprises"]] == 3.0  # the province
    assert out[0, M["revenue_wan"]] == pytest.approx(f.rev[0] + f.rev[1])
