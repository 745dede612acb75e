"""Money rules at their edges, in small built situations (not waiting for chance)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import sim
from sim.core import metrics as met
from sim.core.calendar import q_index
from sim.model import HighTechZoneModel
from sim.model.common import claim, credible, once
from sim.model.mechanisms import innovation, ladder, rd, zones

ROOT = Path(__file__).resolve().parent.parent
TINY = ROOT / "tests" / "scenarios" / "tiny.yaml"
T0 = q_index("2025Q3")


def model(overrides=None) -> HighTechZoneModel:
    m = HighTechZoneModel(sim.load_scenario(TINY, overrides).model)
    m.t = T0
    return m


def settle(m, t=T0):
    m.flows[:] = 0.0
    m.treasury.settle(t, m.flows, met.M)
    return m.flows


def ledger(m):
    r = m.treasury.rows
    return list(zip(r["lever"], r["payer"], r["amount_wan"], r["enterprise"], strict=True))


def set_rd(m, row, per_quarter):
    """Give a firm a flat R&D history of ``per_quarter`` 万元 a quarter."""
    m.firms.h_rd[:, row] = per_quarter
    m.firms.a1_last[row] = -(10**6)


@pytest.mark.parametrize("per_q, expected", [(100.0, 240.0), (5000 / 12, 1000.0),
                                             (1000.0, 1000.0)])
def test_a1_is_20_percent_of_prior_rd_capped(per_q, expected):
    """Below, at and above the 1000万元 cap: 20% of 12 quarters' R&D."""
    m = model()
    set_rd(m, 3, per_q)
    innovation.a1_claims(m, T0, np.array([3]))
    settle(m)
    (lever, payer, amount, ent), = ledger(m)
    assert (lever, payer, ent) == ("A1", "province", int(m.firms.uid[3]))
    assert amount == pytest.approx(expected)


def test_a1_window_starts_at_the_previous_award():
    m = model()
    set_rd(m, 3, 100.0)
    innovation.a1_claims(m, T0, np.array([3]))
    settle(m)
    # next quarter, same year: the window holds only the award's quarter, 0.2 x 100 = 20;
    # it rewards R&D the first award did not, so it is paid in full (not 就高不就低)
    innovation.a1_claims(m, T0 + 1, np.array([3]))
    assert m.treasury.pending[-1].amount == pytest.approx(20.0)
    settle(m, T0 + 1)
    # the next year (2026Q2): a claim uses up its window even when not paid, so quarters
    # T0+1 and T0+2 count: 0.2 x 2 x 100 = 40, paid in full
    innovation.a1_claims(m, T0 + 3, np.array([3]))
    settle(m, T0 + 3)
    assert [a for _, _, a, _ in ledger(m)] == [pytest.approx(240.0), pytest.approx(20.0),
                                             pytest.approx(40.0)]


def test_same_type_awards_are_topped_up_to_the_highest_not_added():
    """Awards of one group over the same R&D (here: each over the four quarters up to
    its claim) are topped up to the highest; over separate R&D they are added."""
    m = model()
    from sim.model.ledger import Claim

    uid = int(m.firms.uid[5])
    for amt in (300.0, 500.0, 400.0):
        m.treasury.claim(Claim(T0, 0, uid, 5, "A1", "province", amt))
        settle(m)
    m.treasury.claim(Claim(T0, 0, uid, 5, "A10", "province", 450.0))  # same group
    settle(m)
    paid = [a for _, _, a, _ in ledger(m)]
    assert paid == [pytest.approx(300.0), pytest.approx(200.0)]
    # four quarters on, the default windows no longer overlap: paid in full
    m.treasury.claim(Claim(T0 + 4, 0, uid, 5, "A1", "province", 100.0))
    settle(m, T0 + 4)
    assert [a for _, _, a, _ in ledger(m)][-1] == pytest.approx(100.0)


def test_same_type_stacking_follows_the_rd_window_across_a_year_boundary():
    """A10 in 2025Q4 and A1 in 2026Q1 over the same R&D: the firm gets the higher, not
    both; a firm's two A1 awards of one year over separate R&D: both paid in full. The
    ledger gives each payment to the lever whose claim earned it; the claim book keeps
    the award before the top-up."""
    m = model()
    set_rd(m, 3, 100.0)
    q4, q1 = q_index("2025Q4"), q_index("2026Q1")
    m.treasury.claim_many(q4, [0], [int(m.firms.uid[3])], [3], "A10", "province", [150.0])
    settle(m, q4)
    innovation.a1_claims(m, q1, np.array([3]))  # 0.2 x 12 x 100 = 240, window 2023Q1-2025Q4
    settle(m, q1)
    assert [(lv, a) for lv, _, a, _ in ledger(m)] == [("A10", pytest.approx(150.0)),
                                                     ("A1", pytest.approx(90.0))]
    book = m.treasury.book.table()
    assert book["award"].tolist() == pytest.approx([150.0, 240.0])
    assert book["earned"].tolist() == pytest.approx([150.0, 90.0])
    # the same firm's next A1 in 2026Q2 rewards only 2026Q1's R&D: paid in full (20)
    innovation.a1_claims(m, q1 + 1, np.array([3]))
    settle(m, q1 + 1)
    assert ledger(m)[-1][2] == pytest.approx(20.0)
    # and with the windows apart, an A10 in 2026Q4 tops up only what overlaps it: the
    # A1 of 2026Q2 (window 2026Q1) overlaps the A10's 2026Q1-Q4, so 300 - 20 = 280
    q = q_index("2026Q4")
    m.treasury.claim_many(q, [0], [int(m.firms.uid[3])], [3], "A10", "province", [300.0])
    settle(m, q)
    assert ledger(m)[-1][2] == pytest.approx(280.0)


def test_awards_of_other_groups_are_added():
    m = model()
    from sim.model.ledger import Claim

    uid = int(m.firms.uid[5])
    m.treasury.claim(Claim(T0, 0, uid, 5, "A1", "province", 300.0))
    m.treasury.claim(Claim(T0, 0, uid, 5, "A5", "province", 20.0))
    settle(m)
    assert sum(a for _, _, a, _ in ledger(m)) == pytest.approx(320.0)


def test_one_time_awards_are_paid_once():
    m = model()
    once(m, "A6", 42, T0, 0, 5, "zone", 1000.0)
    once(m, "A6", 42, T0 + 1, 0, 5, "zone", 1000.0)
    once(m, "A2", (0, 0), T0, 0, -1, "province", 500.0)
    once(m, "A2", (0, 0), T0, 0, -1, "province", 500.0)
    settle(m)
    assert sorted(lv for lv, *_ in ledger(m)) == ["A2", "A6"]


@pytest.mark.parametrize("mode", ["defer", "lapse"])
def test_budget_runs_out_in_the_middle_of_a_quarter(mode):
    # tiny starts in 2025Q3: the first year has half of 2000 = 1000万元
    m = model({"policy.budget.province_wan_per_year": 2000,
               "policy.budget.on_exhausted": mode})
    for r in (3, 4, 5):
        claim(m, T0, "A4", 0, r, "province", 400.0)
    flows = settle(m)
    assert [a for _, _, a, _ in ledger(m)] == [400.0, 400.0]
    assert flows[0, met.M["awards_unpaid_wan"]] == 400.0
    assert flows[0, met.M["subsidy_wan"]] == 800.0
    assert flows[0, met.M["claims_lapsed"]] == (1 if mode == "lapse" else 0)
    settle(m, T0 + 1)  # same year: still no money
    assert len(ledger(m)) == 2
    flows = settle(m, q_index("2026Q1"))  # a new budget year
    assert len(ledger(m)) == (3 if mode == "defer" else 2)
    assert flows[0, met.M["awards_unpaid_wan"]] == 0.0  # counted once, when refused


@pytest.mark.parametrize("mode", ["defer", "lapse"])
def test_fill_rate_is_what_a_payer_paid_of_what_was_claimed(mode):
    m = model({"policy.budget.province_wan_per_year": 2000,  # 1000 in 2025's half-year
               "policy.budget.on_exhausted": mode})
    assert (m.treasury.fill_rate() == 1.0).all()  # owed nothing yet
    for r in (3, 4, 5):
        claim(m, T0, "A4", 0, r, "province", 400.0)
    settle(m)
    fill = m.treasury.fill_rate()
    assert fill[0] == pytest.approx(800 / 1200)  # paid 800, 400 waits or lapses
    assert (fill[1:] == 1.0).all()  # the zones owed nothing
    settle(m, T0 + 1)  # nothing new: last quarter's record stands
    assert m.treasury.fill_rate()[0] == pytest.approx(800 / 1200)
    settle(m, q_index("2026Q1"))  # a new budget pays the deferred claim: caught up
    assert len(ledger(m)) == (3 if mode == "defer" else 2)
    assert m.treasury.fill_rate()[0] == pytest.approx(1.0 if mode == "defer" else 800 / 1200)
    for t in range(q_index("2026Q2"), q_index("2027Q1")):  # a year with nothing owed
        settle(m, t)
    assert m.treasury.fill_rate()[0] == pytest.approx(1.0)


def test_firms_discount_awards_by_their_payers_fill_rate():
    m = model({"behaviour.budget_credibility": 0.6})
    zone = m.firms.zone[: m.firms.n]
    p0, p_full = rd.price(m, T0)
    m.treasury._paid4[0, 0], m.treasury._owed4[0, 0] = 300.0, 1000.0  # province fill 0.3
    assert m.treasury.fill_rate()[0] == pytest.approx(0.3)
    assert credible(m, "province", zone) == pytest.approx(1 - 0.6 * 0.7)
    assert (credible(m, "zone", zone) == 1.0).all()
    _, p_short = rd.price(m, T0)
    award_full, award_short = p0 - p_full, p0 - p_short
    some = award_full > 1e-9
    assert some.any()
    assert award_short[some] == pytest.approx(award_full[some] * (1 - 0.6 * 0.7))
    # credibility 0: awards at face value whatever was paid
    m0 = model({"behaviour.budget_credibility": 0.0})
    m0.treasury._paid4[0, 0], m0.treasury._owed4[0, 0] = 300.0, 1000.0
    assert credible(m0, "province", zone) == 1.0


def test_zone_pays_from_its_own_budget_and_zone_awards_fund_it():
    m = model({"policy.budget.zone_wan_per_year": 1000})  # 500 in the first half-year
    claim(m, T0, "A3", 1, 5, "zone", 600.0)
    settle(m)
    assert ledger(m) == []
    claim(m, T0, "A7", 1, -1, "province", 500.0)  # an award to zone 1 adds to its budget
    settle(m)
    assert [lv for lv, *_ in ledger(m)] == ["A7"]  # the deferred A3 was served first
    settle(m, T0 + 1)  # now the zone's budget (500 + 500) covers the deferred claim
    # paid 500 from the zone's own budget and 100 out of the province's transfer: two
    # rows, the second marked from_transfer (counted once, in the A7 transfer's row)
    r = m.treasury.rows
    assert list(zip(r["lever"], r["amount_wan"], r["from_transfer"])) == [
        ("A7", 500.0, False), ("A3", 500.0, False), ("A3", 100.0, True)]


def test_a5_province_award_and_zone_match():
    m = model({"policy.hte_matching.provincial_award_wan": 30,
               "policy.hte_matching.ratio": 1.5})
    ladder.a5_claims(m, T0, np.array([7]))
    settle(m)
    # the zone's match follows the province's payment ("在省级补助的基础上"): claimed when
    # the province pays, settled from the next quarter
    assert [(p, a) for _, p, a, _ in ledger(m)] == [("province", 30.0)]
    settle(m, T0 + 1)
    assert sorted((p, a) for _, p, a, _ in ledger(m)) == [("province", 30.0), ("zone", 45.0)]


def test_a5_match_is_never_paid_without_the_provinces_award():
    over = {"policy.hte_matching.provincial_award_wan": 30,
            "policy.budget.province_wan_per_year": 0}
    m = model(over)
    ladder.a5_claims(m, T0, np.array([7, 8, 9]))
    for t in range(T0, T0 + 8):
        settle(m, t)
    assert ledger(m) == []  # the province paid nothing, so no zone owes a match
    # with match_follows: decision the zones match the decided award even unpaid
    m = model({**over, "policy.hte_matching.match_follows": "decision"})
    ladder.a5_claims(m, T0, np.array([7, 8, 9]))
    settle(m)
    assert [p for _, p, _, _ in ledger(m)] == ["zone"] * 3


def test_ranking_awards_once_for_top40_and_for_rising_ten():
    m = model()
    p = m.parks[0]
    p.national_rank = 38
    zones.ranking_awards(m, T0, {0: 52})  # from 52 to 38: into the top 40 and up 14 places
    p.national_rank = 27
    zones.ranking_awards(m, T0 + 4, {0: 38})  # up 11 more: once ever, no second award
    settle(m)
    got = sorted((lv, a) for lv, _, a, _ in ledger(m))
    assert got == [("A8", 500.0), ("A8", 1000.0)]


def test_lever_switched_on_in_2027q1_pays_from_then():
    res = sim.run_scenario(sim.load_scenario(ROOT / "scenarios" / "yunnan_baseline.yaml", {
        "population.scale": 0.05, "calendar.end": "2027Q4", "calendar.checkpoints": [],
        "targets": [], "policy.budget.province_wan_per_year": 1e9,
        "policy.budget.zone_wan_per_year": 1e9,
        "policy.hte_matching.enabled": {"2025Q3": False, "2027Q1": True},
        "policy.scenario_pilot.enabled": {"2025Q3": False, "2027Q1": True},
        "policy.scenario_pilot.pilots_per_zone_year": 200}), replicates=1)
    led = res.ledger
    for lever in ("A5", "A3"):
        q = led[led.lever == lever].quarter.map(q_index)
        assert len(q) > 0 and (q >= q_index("2027Q1")).all(), lever


def test_a3_pilot_awards_capped_and_paid_by_the_zone():
    res = sim.run_scenario(sim.load_scenario(ROOT / "scenarios" / "yunnan_baseline.yaml", {
        "population.scale": 0.05, "calendar.end": "2026Q4", "calendar.checkpoints": [],
        "targets": [], "policy.budget.zone_wan_per_year": 1e9,
        "policy.scenario_pilot.investment_median_wan": 1e6,
        "policy.scenario_pilot.max_investment_to_revenue": 1e6,
        "policy.scenario_pilot.pilots_per_zone_year": 200}), replicates=1)
    a3 = res.ledger[res.ledger.lever == "A3"]
    assert len(a3) > 0
    assert (a3.payer == "zone").all()
    # capped at 2000万, paid in round(1/0.05) = 20 instalments at population.scale 0.05
    assert np.allclose(a3.amount_wan, 2000.0 / 20)


def test_a3_pilots_are_sized_to_the_firm():
    """A pilot goes only to a firm able to carry it, its investment is at most
    max_investment_to_revenue x the firm's revenue, and the firm pays it."""
    over = {"population.scale": 0.05, "calendar.end": "2026Q4", "calendar.checkpoints": [],
            "targets": [], "policy.budget.zone_wan_per_year": 1e9,
            "policy.scenario_pilot.investment_median_wan": 1e5,  # huge, so the size binds
            "policy.scenario_pilot.max_investment_to_revenue": 0.5,
            "policy.scenario_pilot.min_revenue_wan": 2000,
            "policy.scenario_pilot.pilots_per_zone_year": 80, "policy.effective": "2025Q3"}
    m = HighTechZoneModel(sim.load_scenario(ROOT / "scenarios" / "yunnan_baseline.yaml",
                                            over).model, replicate=0, seed=3)
    seen = []
    orig = m.treasury.claim

    def spy(c):
        if c.lever == "A3":
            seen.append((c.amount, float(m.firms.rev4[c.row]), float(m.firms.cash[c.row])))
        orig(c)

    m.treasury.claim = spy
    for _ in range(m.n_steps):
        m.step()
    assert len(seen) > 5
    amount, rev4, _ = np.array(seen).T
    assert (rev4 >= 2000).all()
    assert (amount <= 0.30 * 0.5 * rev4 + 1e-9).all()  # rate x at most half its revenue
    assert np.isclose(amount, 0.30 * 0.5 * rev4).mean() > 0.5  # the size did bind


# ------------------------------------------------------------------ the ledger's two paths


def _random_claims(m, rng, quarter, k):
    """k claims of mixed levers and payers, some to zones, some repeats of one firm."""
    from sim.model.ledger import Claim

    n = m.firms.n
    for _ in range(k):
        lever = str(rng.choice(["A1", "A10", "A5", "A6", "A2", "A7", "A9"]))
        to_zone = lever in ("A2", "A7", "A9")
        row = -1 if to_zone else int(rng.integers(0, min(n, 400)))
        zone = int(rng.integers(0, len(m.parks))) if to_zone else int(m.firms.zone[row])
        payer = "province" if to_zone or rng.random() < 0.6 else "zone"
        uid = -1 if row < 0 else int(m.firms.uid[row])
        m.treasury.claim(Claim(quarter, zone, uid, row, lever, payer,
                               float(rng.lognormal(4.0, 1.2))))


@pytest.mark.parametrize("mode", ["defer", "lapse"])
def test_vectorised_settlement_equals_claim_by_claim(mode, monkeypatch):
    """Random claims under budgets that bind: serving runs of claims at once pays the
    same claims, the same amounts, in the same order, as serving them one by one."""
    from sim.model.ledger import Treasury

    one_by_one = []
    seq = Treasury._one_by_one

    def spy(self, s, idx, payer_key):
        one_by_one.append(self.vectorised)
        return seq(self, s, idx, payer_key)

    monkeypatch.setattr(Treasury, "_one_by_one", spy)
    over = {"policy.budget.province_wan_per_year": 8_000,
            "policy.budget.zone_wan_per_year": 600, "policy.budget.on_exhausted": mode}
    results = []
    for vec in (True, False):
        m = model(over)
        m.treasury.vectorised = vec
        rng = np.random.default_rng(7)
        flows = []
        for t in range(T0, T0 + 12):
            _random_claims(m, rng, t, int(rng.integers(5, 120)))
            if t == T0 + 3:
                m.firms.alive[3] = False  # its waiting claims end with it
            flows.append(settle(m, t).copy())
        results.append((ledger(m), np.array(flows), dict(m.treasury.zone_fund),
                        dict(m.treasury.left)))
    (la, fa, za, lefta), (lb, fb, zb, leftb) = results
    # the same rows; a payment split between a zone's budget and its transfers may
    # differ in the last bits (a running sum against a cumulative sum)
    assert len(la) > 50 and [(r[0], r[1], r[3]) for r in la] == [(r[0], r[1], r[3]) for r in lb]
    assert [r[2] for r in la] == pytest.approx([r[2] for r in lb], rel=1e-12)
    assert np.allclose(fa, fb, equal_nan=True)
    assert fa[..., met.M["awards_unpaid_wan"]].sum() > 0  # budgets did bind
    assert za == pytest.approx(zb) and lefta == pytest.approx(leftb)
    # the reference served every quarter one by one, the vectorised treasury none
    assert one_by_one == [False] * 12


def test_vectorised_settlement_same_run_results():
    """A whole run with tight budgets gives the same metrics either way."""
    over = {"policy.budget.province_wan_per_year": 5_000}
    outs = []
    for vec in (True, False):
        m = HighTechZoneModel(sim.load_scenario(TINY, over).model, replicate=1)
        m.treasury.vectorised = vec
        m.run()
        outs.append((m.out.copy(), m.treasury.rows["amount_wan"][:]))
    assert np.allclose(outs[0][0], outs[1][0], equal_nan=True)
    assert outs[0][1] == pytest.approx(outs[1][1]) and len(outs[0][1]) > 0
