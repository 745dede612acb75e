"""The budgets pay the quarter's queued award claims (:meth:`sim.model.ledger.Treasury.settle`)
and write what was paid, owed and lapsed into ``model.flows``.

Draws: none (no stream).
"""

from __future__ import annotations

from sim.core import metrics as met

STREAM = None  # draws nothing


def step(model, t: int, j: int, rng: None = None) -> None:
    """Pay the claims of quarter ``t``."""
    model.treasury.settle(t, model.flows, met.M)
