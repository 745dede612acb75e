"""S5 Exit: a quarterly hazard by age (China's exit rates), lower for certified,
incubated and large firms and researcher firms on leave (B2), higher for firms in distress (the
``distress`` column finance set this quarter); exits are recorded as a flow and their
Enterprise agents removed (docs/model.md S5).

Draws: one uniform per row, every quarter.
"""

from __future__ import annotations

import numpy as np

from sim.core import metrics as met
from sim.model.firms import ORIGIN

STREAM = 5  # random stream id (position in sim.model.zone_model.MECHANISMS); never change it


# China's yearly exit rates by firm age in years 1..8+ (SAIC 2013 survival report [V]:
# 1.6% / 6.3% / 9.5% in years 1-3, above 8% until year 7; year 8 on: assumption 6%)
EXIT_BY_AGE_YEAR = np.array([0.016, 0.063, 0.095, 0.09, 0.085, 0.085, 0.08, 0.06])
EXIT_Q = 1.0 - (1.0 - EXIT_BY_AGE_YEAR) ** 0.25


def step(model, t: int, j: int, rng: np.random.Generator) -> None:
    """Draw the quarter's exits; mark the rows dead and record the flow."""
    f, b = model.firms, model.scenario_data.behaviour
    n = f.n
    u = rng.random(n)
    alive = f.alive[:n]
    age_y = np.minimum((t - f.founded[:n]) // 4, len(EXIT_Q) - 1)
    q = EXIT_Q[np.maximum(age_y, 0)] * b.exit_hazard_scale
    q = q * np.where(f.hte_until[:n] >= t, b.hte_exit_reduction, 1.0)
    q = q * np.where(f.incubator[:n] >= 0, b.incubator_exit_reduction, 1.0)
    c = model.scenario_data.constants
    q = q * np.where(f.rev4[:n] >= c.leader_min_revenue_wan, b.large_exit_reduction, 1.0)
    if model.on("researcher_leave", t):
        years = model.lever("researcher_leave.years", t)
        leave_q = 4 * (years + model.lever("researcher_leave.extension_years", t))
        age_q = t - f.founded[:n]
        # 3 years; once 3 more if not yet profitable (proxy: short of cash)
        on_leave = (f.origin[:n] == ORIGIN["researcher"]) & (
            (age_q < 4 * years) | ((age_q < leave_q) & (f.cash[:n] < 0)))
        q = q * np.where(on_leave, b.leave_exit_reduction, 1.0)
    q = np.where(f.distress[:n], 1.0 - (1.0 - q) * (1.0 - b.distress_exit_prob), q)
    dead = np.flatnonzero(alive & (u < q))
    if dead.size == 0:
        return
    f.alive[dead] = False
    f.exited_q[dead] = t
    f.incubator[dead] = -1
    model.flows[:-1, met.M["exits"]] += np.bincount(f.zone[dead], minlength=len(model.parks))
    model.remove_agents(dead)
    if model.snapshots:
        model.exited_rows.append((dead, t))
