"""The start of a quarter: the quarter's flows are zeroed, the rules without money
(B3, B4, B5, B14) set the zones' effects, and at the start of each year (Q1, after
the first quarter) zones get the year's land (B9) and incubators more places (B8).

Draws: none (no stream).
"""

from __future__ import annotations

from sim.model.common import zone_effects

STREAM = None  # draws nothing


def step(model, t: int, j: int, rng: None = None) -> None:
    """Zero ``model.flows``; the zones' effects of quarter ``t``; the new year's land and
    incubator places."""
    model.flows[:] = 0.0
    zone_effects(model, t)
    if t % 4 == 0 and j > 1:
        extra = (model.lever("land.extra_ha_per_year", t) * model.scale
                 if model.on("land", t) else 0.0)
        for p in model.parks:
            p.new_year(extra)
        if model.on("incubator_upgrade", t):  # B8: more places each year
            g = model.scenario_data.policy.incubator_upgrade.capacity_growth_per_year
            for inc in model.incubators:
                inc.capacity *= 1.0 + g
