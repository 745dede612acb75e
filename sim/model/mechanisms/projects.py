"""S8 Investment projects and referral (B1): outside projects arrive, reach a zone
first (by size and attraction), which keeps, refers or loses them; a landed project
becomes a firm and its investment is credited (split with the referrer)
(docs/model.md S8).

Draws: a Poisson count, five uniforms per project, then the new firms' traits.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import ndtri

from sim.core import metrics as met
from sim.model.common import add_firms
from sim.model.firms import ORIGIN

STREAM = 8  # random stream id (position in sim.model.zone_model.MECHANISMS); never change it


def step(model, t: int, j: int, rng: np.random.Generator) -> None:
    """The quarter's projects: arrival, keep / refer / lose, landing, credit."""
    sc = model.scenario_data
    pr, b = sc.projects, sc.behaviour
    Z = len(model.parks)
    m = rng.poisson(pr.per_quarter * model.scale)
    u = rng.random((m, 5))
    F = model.flows
    if m == 0:
        return
    pw = model.project_w / model.project_w.sum()
    sector = np.minimum((u[:, 0][:, None] > np.cumsum(pw)).sum(axis=1), len(pw) - 1)
    inv = pr.investment_median_wan * np.exp(pr.investment_sigma * ndtri(
        np.clip(u[:, 1], 1e-12, 1 - 1e-12)))
    land = inv / 1e4 * pr.land_ha_per_yi
    size = np.maximum(model.out[j - 1, :Z, met.M["revenue_wan"]], 0.0)
    size = np.nan_to_num(size, nan=0.0) + 1.0
    if j == 1:
        size = np.array([z.firms.revenue_wan for z in sc.zones]) + 1.0
    wz = size ** pr.first_contact_exponent * model.attraction  # B3, B5
    first = np.minimum((u[:, 2][:, None] > np.cumsum(wz / wz.sum())).sum(axis=1), Z - 1)
    ref_on = bool(model.lever("referral.enabled", t))
    share = float(model.lever("referral.referrer_share", t))
    land_z, land_s, land_inv, land_origin, land_misfit = [], [], [], [], []
    for i in range(m):
        s, zf = int(sector[i]), int(first[i])
        park = model.parks[zf]
        F[zf, met.M["projects_arrived"]] += 1
        action, dest, p_land = park.decide(s, land[i], share, ref_on, u[i, 4])
        if action == "refer":
            F[zf, met.M["projects_referred"]] += 1
        if dest is None or u[i, 3] >= p_land:
            F[zf, met.M["projects_lost"]] += 1
            continue
        dz = dest.index
        dest.land_ha -= land[i]
        F[dz, met.M["projects_landed"]] += 1
        F[dz, met.M["investment_landed_wan"]] += inv[i]
        if action == "refer":
            F[zf, met.M["investment_credited_wan"]] += share * inv[i]
            F[dz, met.M["investment_credited_wan"]] += inv[i] - share * inv[i]
        else:
            F[dz, met.M["investment_credited_wan"]] += inv[i]
        land_z.append(dz)
        land_s.append(s)
        land_inv.append(inv[i])
        land_origin.append(ORIGIN["referred"] if action == "refer" else ORIGIN["attracted"])
        land_misfit.append(not model.leading[dz, s])
    if land_z:
        inv_a = np.array(land_inv)
        target_q = inv_a * b.project_revenue_ratio / 4.0
        add_firms(model, t, np.array(land_z), np.array(land_s), np.array(land_origin), rng,
                        revenue_q=0.25 * target_q, boost=np.full(len(land_z),
                                                                math.log(4.0) / 8.0),
                        misfit=np.array(land_misfit))
