"""The rolling windows of revenue and R&D: this quarter's values enter the ring of the
last H quarters and the 4- and 12-quarter sums (recomputed exactly once a year, in Q4,
to clear rounding drift).

Draws: none (no stream).
"""

from __future__ import annotations

import numpy as np

STREAM = None  # draws nothing


def step(model, t: int, j: int, rng: None = None) -> None:
    """Write the quarter's revenue and R&D into the history ring and rolling sums."""
    f = model.firms
    n, H = f.n, f.hist
    slot, slot4 = t % H, (t - 4) % H
    rev, rd = f.rev[:n], f.rd[:n]
    f.rev4[:n] += rev - f.h_rev[slot4, :n]
    f.rd4[:n] += rd - f.h_rd[slot4, :n]
    s12 = (t - 12) % H
    f.rev12[:n] += rev - f.h_rev[s12, :n]
    f.rd12[:n] += rd - f.h_rd[s12, :n]
    f.h_rev[slot, :n] = rev
    f.h_rd[slot, :n] = rd
    if t % 4 == 3:  # clear rounding drift of the rolling sums once a year
        idx = np.arange(t - 11, t + 1) % H
        f.rev12[:n] = f.h_rev[idx, :n].sum(axis=0)
        f.rd12[:n] = f.h_rd[idx, :n].sum(axis=0)
        f.rev4[:n] = f.h_rev[idx[-4:], :n].sum(axis=0)
        f.rd4[:n] = f.h_rd[idx[-4:], :n].sum(axis=0)
