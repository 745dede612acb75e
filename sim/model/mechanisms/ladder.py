"""S6 The ladder's annual round (Q4): 高企 certification and renewal (A5 awards for new
高企), tech-SME registration, gazelles, leaders, 专精特新, listing and unicorns (A6)
(docs/model.md S6). Sets ``model.newly_certified`` and ``model.new_unicorns`` (rows).

Draws: in Q4 only, whatever the levers, six child streams of one uniform per row
each, so row r's draw does not shift when another variant has more firms.
"""

from __future__ import annotations

import numpy as np

from scipy.special import ndtri

from sim.model.common import (
    credible,
    gazelle_test,
    hte_conv_per_year,
    hte_growth,
    hte_has_ip,
    hte_rd_met,
    hte_score,
    hte_shares_met,
    leader_test,
    once,
)
from sim.model.firms import ORIGIN

STREAM = 6  # random stream id (position in sim.model.zone_model.MECHANISMS); never change it


def step(model, t: int, j: int, rng: np.random.Generator) -> None:
    """The annual round in Q4 (nothing in other quarters)."""
    if t % 4 != 3:
        return
    u = np.stack([g.random(model.firms.n) for g in rng.spawn(6)])
    annual_round(model, t, u)


def annual_round(model, t: int, u: np.ndarray) -> None:
    """The round with the uniforms ``u`` (6 × rows): 0 apply, 1 the experts' judgement
    (a normal through its inverse cdf), 2 tech SME, 3 专精特新, 4 listing (5 unused)."""
    f, b, c = model.firms, model.scenario_data.behaviour, model.scenario_data.constants
    n = f.n
    alive = f.alive[:n]
    age = t - f.founded[:n]
    rev4, rd4 = f.rev4[:n], f.rd4[:n]
    with np.errstate(invalid="ignore", divide="ignore"):
        r1 = np.where(rev4 > 0, rd4 / rev4, 0.0)
    valid = f.hte_until[:n] >= t
    expiring = f.hte_until[:n] == t
    ip2_free = f.ip2[:n] - f.ip2_used[:n]
    # over the year to the round, an uncertified firm spending at the 高企 R&D level has
    # raised its S&T-staff and high-tech revenue shares (hte_share_drift a year;
    # assumption): how the candidate pool refills
    rd_met = hte_rd_met(f, n, c)
    ready = alive & ~valid & rd_met
    for col in (f.st_share, f.ht_share):
        col[:n] = np.where(ready, np.minimum(1.0, col[:n] + b.hte_share_drift), col[:n])
    # the hard criteria (国科发火〔2016〕32号 Art. 11): age, S&T staff, high-tech revenue,
    # 3-year R&D / sales by band, and core IP owned
    eligible = (alive & (age >= c.hte_min_age_quarters) & hte_shares_met(f, n, c) & rd_met
                & hte_has_ip(f.ip1[:n], ip2_free))
    # the evaluation: the firm's own assessment (no expert noise) decides who prepares
    # an application (the candidate pool, 培育库); the experts add their judgement
    own = hte_score(f.ip1[:n], ip2_free, f.ip_quality[:n],
                    hte_conv_per_year(f, slice(0, n), t, f.founded[:n]), f.rd_org[:n],
                    hte_growth(f.h_rev[:, :n], t, f.founded[:n]))
    noise = b.hte_expert_sd * ndtri(np.clip(u[1], 1e-12, 1 - 1e-12))
    score = np.floor(own + noise + 0.5)
    ladder = 1.0 + b.ladder_uplift * model.level("ladder", t)  # B6 登高
    nominal, award = 0.0, 0.0
    if model.on("hte_matching", t):  # A5: the award a new 高企 expects, 万元
        prov = model.lever("hte_matching.provincial_award_wan", t)
        ratio = model.lever("hte_matching.ratio", t)
        nominal = prov * (1.0 + ratio)
        award = prov * (credible(model, "province", f.zone[:n])
                        + ratio * credible(model, "zone", f.zone[:n]))
    p_apply = np.minimum(1.0, b.hte_apply_prob * ladder
                         * (1.0 + b.hte_award_response * np.asarray(award) / 10))
    # candidates (培育库): the hard criteria met and an own score >= hte_pool_score; one
    # without a valid certificate applies with p_apply, one whose certificate ends now
    # re-applies (as a first-time applicant, the 2016 rules) with hte_renew_prob
    apply = eligible & (own >= b.hte_pool_score) & (((~valid) & (u[0] < p_apply))
                                                    | (expiring & (u[0] < b.hte_renew_prob)))
    passed = apply & (score >= c.hte_pass_score)
    f.hte_applied[:n] = np.where(apply, t, f.hte_applied[:n])
    # the class II items of a successful application are used (each counts once)
    f.ip2_used[:n] = np.where(passed, np.floor(f.ip2[:n] + 1e-9), f.ip2_used[:n])
    # a certificate not renewed in its round ends with the round (no Q4 overlap)
    f.hte_until[:n] = np.where(passed, t + c.hte_validity_quarters,
                               np.where(expiring, t - 1, f.hte_until[:n]))
    f.hte_first[:n] = np.where(passed, t, f.hte_first[:n])
    model.newly_certified = np.flatnonzero(passed & ~valid)
    if nominal > 0:
        a5_claims(model, t, model.newly_certified)
    valid = f.hte_until[:n] >= t

    # tech SMEs: <= 500 staff, <= 2亿 sales; the evaluation score >= 60 is proxied by
    # R&D >= 3% of sales and S&T staff >= 10% (assumption); registered for next year
    tsme_ok = (alive & (f.employees[:n] <= c.tech_sme_max_staff)
               & (rev4 <= c.tech_sme_max_revenue_wan)
               & (r1 >= 0.03) & (f.st_share[:n] >= c.hte_st_staff_share))
    was = f.tsme_until[:n] >= t
    reg = tsme_ok & ((was & (u[2] < b.tech_sme_renew_prob))
                     | (u[2] < b.tech_sme_register_prob * ladder))
    # registered for the next four quarters; last year's registration ends here
    f.tsme_until[:n] = np.where(reg, t + 4, np.where(f.tsme_until[:n] == t, t - 1,
                                                      f.tsme_until[:n]))

    # gazelles (the Torch criteria, sim.model.common.gazelle_test) and leaders
    H = f.hist
    old = f.h_rev[np.arange(t - 11, t - 7) % H, :n].sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        cagr = np.where(old > 0, np.sqrt(np.maximum(rev4, 0) / old) - 1.0, 0.0)
    f.gazelle[:n] = alive & valid & gazelle_test(age, old, rev4, r1, c)
    f.leader[:n] = alive & valid & leader_test(rev4, r1, c)

    spec_ok = (alive & ((f.tsme_until[:n] >= t) | valid)
               & (rev4 >= c.specialised_min_revenue_wan) & (r1 >= c.specialised_min_rd))
    spec_valid = f.spec_until[:n] >= t
    ending = f.spec_until[:n] == t
    p_spec = b.specialised_prob * (1.0 + b.specialised_uplift
                                   * model.level("specialised_pool", t))  # B7
    new_spec = spec_ok & ((ending & (u[3] < b.specialised_renew_prob))
                          | (~spec_valid & (u[3] < p_spec)))
    f.spec_until[:n] = np.where(new_spec, t + 12, np.where(ending, t - 1,
                                                            f.spec_until[:n]))

    lst = (alive & ~f.listed[:n] & valid & (rev4 >= c.listing_min_revenue_wan)
           & (u[4] < b.listing_prob * ladder))
    f.listed[:n] |= lst

    usd = c.unicorn_valuation_usd * c.usd_cny / 1e4  # 万元
    val = rev4 * b.vc_multiple * f.val_mult[:n] * (1.0 + np.clip(cagr, 0.0, 2.0)) ** 2
    # only venture-backed firms have a valuation (equity raised in the simulation), and
    # landed projects are branches of outside firms (HQ elsewhere), not unicorns here
    own_hq = (f.origin[:n] != ORIGIN["attracted"]) & (f.origin[:n] != ORIGIN["referred"])
    uni = (alive & own_hq & ~f.listed[:n] & (f.equity[:n] > 0)
           & (age <= c.unicorn_max_age_years * 4) & (val >= usd))
    model.new_unicorns = np.flatnonzero(uni & ~f.ever_unicorn[:n])
    if model.on("unicorn_award", t):
        pol = model.scenario_data.policy.unicorn_award
        amt = model.lever("unicorn_award.amount_wan", t) * model.lever(
            "unicorn_award.share_of_maximum", t)
        for r in model.new_unicorns.tolist():
            once(model, "A6", int(f.uid[r]), t, int(f.zone[r]), r, pol.payer, amt)
    f.unicorn[:n] = uni
    f.ever_unicorn[:n] |= uni


def a5_claims(model, t: int, rows: np.ndarray) -> None:
    """A5: the province's award for a newly certified 高企, and the zone's match."""
    prov = model.lever("hte_matching.provincial_award_wan", t)
    ratio = model.lever("hte_matching.ratio", t)
    f = model.firms
    # by default the zone's match follows the province's payment (the ledger claims it)
    follows = model.scenario_data.policy.hte_matching.match_follows == "decision"
    for payer, amt in (("province", prov), ("zone", prov * ratio if follows else 0.0)):
        if amt > 0:
            model.treasury.claim_many(t, f.zone[rows], f.uid[rows], rows, "A5", payer,
                                     np.full(rows.size, float(amt)))
