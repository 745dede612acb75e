"""S1 Growth: a firm's revenue grows by a drift (youth, productivity, boosts, its
(zone, sector) cell's agglomeration and the zone's services, matching levers) plus a
fat-tailed shock whose spread falls with size; employment follows (docs/model.md S1).

Draws: one Laplace shock per row, every quarter.
"""

from __future__ import annotations

import numpy as np

from sim.model.common import cluster_key_counts, leader_cells

STREAM = 3  # random stream id (position in sim.model.zone_model.MECHANISMS); never change it


def step(model, t: int, j: int, rng: np.random.Generator) -> None:
    """One quarter of growth of every row's revenue and employees (dead rows: 0)."""
    f, b = model.firms, model.scenario_data.behaviour
    n = f.n
    shock = rng.laplace(size=n)
    rev = f.rev[:n]
    # sigma = shock_scale * (annual size / 1000万)^-beta, clipped to [0.02, 0.8]
    sigma = np.log(np.maximum(rev * (4.0 / 1000.0), 0.01))
    sigma *= -b.shock_size_beta
    np.exp(sigma, out=sigma)
    sigma *= b.shock_scale
    np.clip(sigma, 0.02, 0.8, out=sigma)
    key, cl = cluster_key_counts(model)
    # the (zone, sector) part of the drift: agglomeration and zone services
    cell = (b.agglomeration_elasticity * np.log(np.maximum(cl, 1.0) / model.cluster0)
            + model.service[:, None]).ravel()
    age = (t - f.founded[:n]).astype(np.float64)
    drift = np.clip(1.0 - age / 20.0, 0.0, 1.0)
    drift *= b.drift_young
    drift += b.drift_base
    drift += f.prod[:n]
    drift += np.where(f.boost_until[:n] >= t, f.boost[:n], 0.0)
    drift += cell[key]
    drift += b.drift_gazelle * f.gazelle[:n] - b.misfit_penalty * f.misfit[:n]
    spec_level = model.level("specialised_pool", t)
    if spec_level:  # B7: matched with listed / chain-leading firms
        drift += b.matching_drift * spec_level * (f.spec_until[:n] >= t)
    if model.on("supply_matching", t):  # B12: small suppliers in a leader's cluster
        c = model.scenario_data.constants
        supplier = ~f.leader[:n] & (f.rev4[:n] <= c.tech_sme_max_revenue_wan)
        drift += b.matching_drift * (leader_cells(model, key) & supplier)
    sigma *= shock
    drift += sigma
    g = np.where(f.alive[:n], drift, 0.0)
    f.rev[:n] = rev * np.exp(g)
    g *= b.employment_elasticity
    f.employees[:n] *= np.exp(g)
