"""Lever events: application-scenario pilots (A3, more with B15), 揭榜挂帅 open
competition (A10, Q4) and enclaves (B13 in Q4, A9 pays construction; enclave firms
every quarter). Sets ``model.pilots`` (pilots per zone this quarter).

Draws: a fixed block every quarter whatever the levers (paired variants), per-row
draws from a child stream only when needed.
"""

from __future__ import annotations

import math

import numpy as np

from sim.core import metrics as met
from sim.model.common import add_firms, claim
from sim.model.firms import ORIGIN

STREAM = 10  # random stream id (position in sim.model.zone_model.MECHANISMS); never change it


def step(model, t: int, j: int, rng: np.random.Generator) -> None:
    """The quarter's lever events (A3, A10, B13 / A9)."""
    sc, b = model.scenario_data, model.scenario_data.behaviour
    pol = sc.policy
    f, n = model.firms, model.firms.n
    Z = len(model.parks)
    alive = f.alive[:n]
    # draws made every quarter whatever the levers (paired variants)
    u_pilot = rng.random((Z, 16))  # 8 for arrivals, 8 for choosing the firm
    z_pilot = rng.normal(size=(Z, 8))
    u_comp = rng.random((2, 64))
    z_comp = rng.normal(size=64)
    u_encl = rng.random(Z)
    rows_rng = rng.spawn(1)[0]  # per-row draws, made only when needed
    z_encl = rng.normal(size=Z)
    k_encl_firms = rng.poisson(pol.enclaves.firms_per_enclave_year / 4.0 * model.scale
                               * model.enclave_count)
    model.pilots[:] = 0.0
    # A3: each zone accepts pilots in the future industries; B15 makes it run more
    if model.on("scenario_pilot", t):
        per_q = model.lever("scenario_pilot.pilots_per_zone_year", t) / 4.0 * model.scale * (
            1.0 + (b.fault_tolerance_uplift if model.on("fault_tolerance", t) else 0.0))
        rate = model.lever("scenario_pilot.rate", t)
        cap = model.lever("scenario_pilot.cap_wan", t)
        sp = pol.scenario_pilot
        # the zone chooses among future-industry firms able to carry a pilot
        fut = alive & model.future[f.sector[:n]] & (f.rev4[:n] >= sp.min_revenue_wan)
        for p in model.parks:
            cand = np.flatnonzero(fut & (f.zone[:n] == p.index)) if fut.any() else []
            if len(cand) == 0:
                continue
            # pilots this quarter: Poisson(per_q) by inversion of the zone's uniforms
            k = int((np.cumsum(-np.log(u_pilot[p.index, :8])) < per_q).sum())
            chosen = set()
            for i in range(min(k, len(cand), 8)):
                r = int(cand[int(u_pilot[p.index, 8 + i] * len(cand))])
                if r in chosen:  # one pilot per firm a quarter
                    continue
                chosen.add(r)
                # the investment is sized to the firm: at most a multiple of its revenue;
                # the firm pays it (borrowing through S4 if short) and the award comes back
                inv = min(sp.investment_median_wan * math.exp(z_pilot[p.index, i]),
                          sp.max_investment_to_revenue * float(f.rev4[r]))
                f.cash[r] -= inv
                claim(model, t, "A3", p.index, r, sp.payer, min(rate * inv, cap))
                f.boost[r] = max(f.boost[r] if f.boost_until[r] >= t else 0.0,
                                 b.pilot_growth_boost)
                f.boost_until[r] = max(f.boost_until[r], t + 4)
                model.pilots[p.index] += 1
    model.flows[:Z, met.M["pilots"]] += model.pilots
    # A10: 揭榜挂帅 projects listed each Q4, won by certified firms drawn with
    # probability ~ knowledge
    if t % 4 == 3 and model.on("open_competition", t):
        oc = pol.open_competition
        k = min(64, int(round(oc.projects_per_year * model.scale + u_comp[0, 0] - 0.5)))
        cand = np.flatnonzero(alive & (f.hte_until[:n] >= t))
        if k > 0 and cand.size:
            # winners drawn with probability ~ knowledge (Efraimidis-Spirakis keys)
            keys = np.log(rows_rng.random(n)[cand]) / (f.know[cand] + 1.0)
            won = cand[np.argsort(-keys, kind="stable")[: min(k, cand.size)]]
            rate = model.lever("open_competition.rate", t)
            cap = model.lever("open_competition.cap_wan", t)
            for i, r in enumerate(won.tolist()):
                if u_comp[1, i] >= b.competition_success_prob:
                    continue
                inv = oc.investment_median_wan * math.exp(z_comp[i])
                f.know[r] += b.competition_knowledge_gain * inv
                claim(model, t, "A10", int(f.zone[r]), r, oc.payer, min(rate * inv, cap))
    # B13 enclaves: started in Q4 rounds; A9 pays 30% of construction, at most 500万
    if t % 4 == 3 and model.on("enclaves", t):
        en = pol.enclaves
        for p in model.parks:
            lam = en.per_zone_year * model.scale * (1.0 if p.level == "national" else 0.5)
            if u_encl[p.index] < 1.0 - math.exp(-lam):
                model.enclave_count[p.index] += 1
                if model.on("enclave_subsidy", t):
                    inv = en.investment_median_wan * math.exp(z_encl[p.index])
                    claim(model, t, "A9", p.index, -1, "province", min(
                        model.lever("enclave_subsidy.rate", t) * inv,
                        model.lever("enclave_subsidy.cap_wan", t)))
    if model.on("enclaves", t) and k_encl_firms.sum():
        zones = np.repeat(np.arange(Z), k_encl_firms)
        w = np.where(model.leading[zones], 1.0, 0.1)
        w /= w.sum(axis=1, keepdims=True)
        sector = np.minimum((rng.random(zones.size)[:, None] > np.cumsum(w, axis=1))
                            .sum(axis=1), len(model.sector_ids) - 1)
        add_firms(model, t, zones, sector, np.full(zones.size, ORIGIN["enclave"]), rng)
