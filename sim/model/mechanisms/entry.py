"""S7 Entry: organic start-ups, spin-offs of leaders and gazelles, researcher founders
(B2), incubator intake and graduation (B8); A4 for researcher founders with their own
IP (docs/model.md S7).

Draws: six child streams (sectors and firm traits; start-ups; spin-offs; researchers;
incubator intake; graduation), so a lever that changes one count does not shift the
others' draws.
"""

from __future__ import annotations

import numpy as np

from sim.core import metrics as met
from sim.model.common import add_firms, once
from sim.model.firms import ORIGIN

STREAM = 7  # random stream id (position in sim.model.zone_model.MECHANISMS); never change it


def step(model, t: int, j: int, rng: np.random.Generator) -> None:
    """Graduations and the quarter's new firms."""
    f, b = model.firms, model.scenario_data.behaviour
    n = f.n
    # each count from its own child stream: a lever that changes one count (B2, B8)
    # does not shift the others' draws
    rng, r_org, r_spin, r_res, r_inc, r_grad = rng.spawn(6)
    Z = len(model.parks)
    alive = f.alive[:n]
    zone = f.zone[:n]
    alive_z = np.bincount(zone, weights=alive, minlength=Z)
    hi = alive & (f.hte_until[:n] >= t) & (f.gazelle[:n] | f.leader[:n])
    hi_z = np.bincount(zone, weights=hi, minlength=Z)
    k_org = r_org.poisson(b.startup_rate * alive_z)
    k_spin = r_spin.poisson(b.spinoff_rate * hi_z)
    leave = 1.0 + (b.leave_entry_uplift if model.on("researcher_leave", t) else 0.0)  # B2
    k_res_total = r_res.poisson(b.researcher_founders_per_quarter * model.scale * leave)
    k_res = r_res.multinomial(k_res_total, model.firms_total0 / model.firms_total0.sum())
    inc_draw = r_inc.poisson([b.incubator_intake * inc.capacity for inc in model.incubators]
                             ) if model.incubators else np.zeros(0, int)
    grad_u = r_grad.random(n)

    # graduation of incubatees (>= 8 quarters in), and tenant counts
    inc = f.incubator[:n]
    in_inc = alive & (inc >= 0)
    p_grad = b.graduation_rate * (1.0 + (b.incubator_quality_uplift
                                          if model.on("incubator_upgrade", t) else 0.0))
    grads = np.flatnonzero(in_inc & (t - f.inc_since[:n] >= 8) & (grad_u < p_grad))
    f.incubator[grads] = -1
    f.origin[grads] = np.where(f.origin[grads] == ORIGIN["startup"], ORIGIN["graduate"],
                               f.origin[grads])
    model.flows[:-1, met.M["graduations"]] += np.bincount(f.zone[grads], minlength=Z)
    # leave after 5 years without graduating (assumption: tenancy limit)
    stale = np.flatnonzero(in_inc & (t - f.inc_since[:n] >= 20))
    f.incubator[stale] = -1
    tenants = np.bincount(inc[alive & (inc >= 0)], minlength=len(model.incubators))
    for k_inc in model.incubators:
        k_inc.tenants = int(tenants[k_inc.index]) if tenants.size else 0
    k_inc_arr = np.array([i.intake(d, b.incubator_intake) for i, d in
                          zip(model.incubators, inc_draw, strict=True)], dtype=int)

    zones = np.concatenate([np.repeat(np.arange(Z), k_org), np.repeat(np.arange(Z), k_spin),
                            np.repeat(np.arange(Z), k_res),
                            np.repeat([i.zone_index for i in model.incubators], k_inc_arr)
                            .astype(int)])
    origin = np.concatenate([np.full(k_org.sum(), ORIGIN["startup"]),
                             np.full(k_spin.sum(), ORIGIN["spinoff"]),
                             np.full(k_res.sum(), ORIGIN["researcher"]),
                             np.full(k_inc_arr.sum(), ORIGIN["startup"])])
    incub = np.concatenate([np.full(k_org.sum() + k_spin.sum() + k_res.sum(), -1),
                            np.repeat([i.index for i in model.incubators], k_inc_arr)
                            .astype(int)])
    k = zones.size
    if k == 0:
        return
    # sector: the zone's mix; researcher and spin-off founders favour leading industries
    w = model.zone_shares[zones].copy()
    techy = (origin == ORIGIN["researcher"]) | (origin == ORIGIN["spinoff"])
    w[techy] = w[techy] * np.where(model.leading[zones[techy]] | model.future, 3.0, 1.0)
    w /= w.sum(axis=1, keepdims=True)
    sector = (rng.random(k)[:, None] > np.cumsum(w, axis=1)).sum(axis=1)
    sector = np.minimum(sector, len(model.sector_ids) - 1)
    ip_u = rng.random(k)
    rows = add_firms(model, t, zones, sector, origin, rng, incubator=incub)
    if model.on("researcher_startup", t):  # A4: researcher founders with their own IP
        pol = model.scenario_data.policy.researcher_startup
        amt = model.lever("researcher_startup.amount_wan", t) * model.lever(
            "researcher_startup.share_of_maximum", t)
        res = np.flatnonzero((origin == ORIGIN["researcher"]) & (ip_u < pol.own_ip_share))
        for r in rows[res].tolist():
            once(model, "A4", int(model.firms.uid[r]), t, int(model.firms.zone[r]), r,
                       pol.payer, amt)
