"""S11 Metrics and snapshots: the quarter's metrics as array reductions (bincounts over
the used rows) into ``model.out`` and ``model.out_sector``; with ``model.snapshots``,
firm snapshots at the start and every Q4, and the rows of exited firms.

Draws: none (no stream).
"""

from __future__ import annotations

import numpy as np

from sim.core import metrics as met
from sim.core.calendar import q_label
from sim.model.firms import ORIGINS, STAGES

STREAM = None  # draws nothing


def step(model, t: int, j: int, rng: None = None) -> None:
    """Metrics of step ``j`` (0: the initial state); a snapshot at the start and each Q4."""
    metrics(model, j)
    if model.snapshots and (j == 0 or t % 4 == 3):
        snapshot(model, t)


def metrics(model, j: int) -> None:
    """Metrics of quarter ``j`` as bincounts over the used rows; exited firms are
    counted in an extra bin that is dropped (no gathering of alive rows)."""
    f, t = model.firms, model.t
    n = f.n
    Z, S = len(model.parks), len(model.sector_ids)
    M = met.M
    out = model.out[j]
    out[:] = np.nan
    z = np.where(f.alive[:n], f.zone[:n], Z).astype(np.intp)

    def per_zone(weights=None) -> np.ndarray:
        return np.bincount(z, weights=weights, minlength=Z + 1)[:Z]

    # one integer bincount over (zone, rung, flags) gives every count
    stage = model.stage_of(slice(0, n)).astype(np.intp)
    bits = ((f.hte_until[:n] >= t) + 2 * f.unicorn[:n] + 4 * f.listed[:n]
            + 8 * (f.spec_until[:n] >= t) + 16 * (f.incubator[:n] >= 0))
    cube = np.bincount((z * 5 + stage) * 32 + bits, minlength=(Z + 1) * 160)[: Z * 160]
    cube = cube.reshape(Z, 5, 32)
    counts = cube.sum(axis=2)
    flags = cube.sum(axis=1)  # (Z, 32)
    b_idx = np.arange(32)
    zs = out[:Z]
    zs[:, M["enterprises"]] = counts.sum(axis=1)
    zs[:, M["startups"]] = counts[:, 0]
    zs[:, M["tech_smes"]] = counts[:, 1]
    zs[:, M["gazelles"]] = counts[:, 3]
    zs[:, M["leaders"]] = counts[:, 4]
    for name, bit in (("hte", 1), ("unicorns", 2), ("listed", 4), ("specialised", 8),
                      ("incubatees", 16)):
        zs[:, M[name]] = flags[:, (b_idx & bit) > 0].sum(axis=1)
    hte = f.hte_until[:n] >= t
    zs[:, M["national_clusters"]] = [len(p.national_clusters) for p in model.parks]
    zs[:, M["enclaves"]] = model.enclave_count
    zs[:, M["local_supply_share"]] = model.local_supply
    zs[:, M["national_zones"]] = [p.level == "national" for p in model.parks]
    zs[:, M["national_rank"]] = [p.national_rank if p.level == "national"
                                 and p.national_rank is not None else np.nan
                                 for p in model.parks]
    zs[:, M["employees"]] = per_zone(f.employees[:n])
    zs[:, M["awards_waiting_wan"]] = model.treasury.waiting[:Z]
    rev = f.rev[:n]
    if j > 0:
        for name in met.FLOWS:
            zs[:, M[name]] = model.flows[:Z, M[name]]
        zs[:, M["revenue_wan"]] = per_zone(rev)
        zs[:, M["rd_wan"]] = per_zone(f.rd[:n])
    met.finish_all(out)
    key = z * S + f.sector[:n]
    sec = model.out_sector[j]
    L = Z * S
    sec[:Z, :, 0] = np.bincount(key, minlength=L + S)[:L].reshape(Z, S)
    sec[:Z, :, 1] = np.bincount(key, weights=hte, minlength=L + S)[:L].reshape(Z, S)
    sec[:Z, :, 2] = np.bincount(key, weights=rev, minlength=L + S)[:L].reshape(Z, S)
    sec[Z] = sec[:Z].sum(axis=0)


def snapshot(model, t: int) -> None:
    """Keep the alive firms' rows of quarter ``t``."""
    f = model.firms
    idx = np.flatnonzero(f.alive[: f.n])
    model.snap.append(rows_frame(model, idx, t, exited=False))


def rows_frame(model, idx: np.ndarray, t: int, exited: bool) -> dict:
    """The snapshot columns of rows ``idx`` as of quarter ``t``."""
    f = model.firms
    saved_t = model.t
    model.t = t
    stage = model.stage_of(idx)
    model.t = saved_t
    return {
        "quarter": np.full(idx.size, q_label(t), dtype=object),
        "enterprise": f.uid[idx].astype(str),
        "zone": np.array(model.zone_ids, dtype=object)[f.zone[idx]],
        "sector": np.array(model.sector_ids, dtype=object)[f.sector[idx]],
        "origin": np.array(ORIGINS, dtype=object)[f.origin[idx]],
        "stage": np.array(STAGES, dtype=object)[stage],
        "founded": np.array([q_label(int(x)) for x in f.founded[idx]], dtype=object),
        "revenue_4q_wan": f.rev4[idx].copy(),
        "rd_4q_wan": f.rd4[idx].copy(),
        "employees": f.employees[idx].copy(),
        "hte_valid": f.hte_until[idx] >= t,
        "hte_certified": f.hte_first[idx] == t,  # certified (new or renewed) in t's round
        "hte_applied": f.hte_applied[idx] == t,  # applied (new or renewal) in t's round
        "unicorn": f.unicorn[idx].copy(),
        "listed": f.listed[idx].copy(),
        "specialised": f.spec_until[idx] >= t,
        "exited": np.full(idx.size, exited),
    }
