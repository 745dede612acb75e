"""One replicate: build the model, run it, return its tables (never raises).

Replicate ``k`` of a run with seed ``s`` is fully determined by ``(scenario, s, k)``
(see :mod:`sim.model`); :mod:`sim.ensemble` runs many of them.
"""

from __future__ import annotations

import sys
import traceback
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim import metrics as met
from sim.calendar import q_label
from sim.scenario import schema


@dataclass
class ReplicateResult:
    """What one replicate returns to the client (tables, not model objects)."""

    variant: str
    replicate: int
    metrics: pd.DataFrame | None = None
    ledger: pd.DataFrame | None = None
    firms: pd.DataFrame | None = None
    error: str | None = None
    seconds: float = 0.0
    firm_steps: int = 0
    step_seconds: float = 0.0
    ledger_total: float | None = None
    extra: dict = field(default_factory=dict)


LEDGER_COLUMNS = ["variant", "replicate", "quarter", "zone", "enterprise", "lever", "payer",
                  "amount_wan"]


def ledger_frame(model, variant: str, replicate: int) -> pd.DataFrame:
    """The model's ledger as the table of interface.md."""
    r = model.treasury.rows
    n = len(r["amount_wan"])
    zones = np.array(model.zone_ids, dtype=object)
    return pd.DataFrame({
        "variant": pd.Series([variant] * n, dtype=str),
        "replicate": np.full(n, replicate, dtype=np.int64),
        "quarter": pd.Series([q_label(q) for q in r["quarter"]], dtype=str),
        "zone": pd.Series(zones[np.array(r["zone"], dtype=int)] if n else [], dtype=str),
        "enterprise": pd.Series(["" if e < 0 else str(e) for e in r["enterprise"]], dtype=str),
        "lever": pd.Series(r["lever"], dtype=str),
        "payer": pd.Series(r["payer"], dtype=str),
        "amount_wan": np.array(r["amount_wan"], dtype=np.float64),
    })


def firms_frame(model, variant: str, replicate: int) -> pd.DataFrame:
    """Snapshots of firms (interface.md ``firms.parquet``)."""
    parts = model.snapshot_rows()
    cols = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    df = pd.DataFrame(cols)
    df.insert(0, "replicate", np.int64(replicate))
    df.insert(0, "variant", variant)
    for k in ("variant", "quarter", "enterprise", "zone", "sector", "origin", "stage",
              "founded"):
        df[k] = df[k].astype(str)
    return df


def run_replicate(resolved: dict, variant: str, replicate: int, seed: int,
                  snapshots: bool = False) -> ReplicateResult:
    """Build and run one replicate; never raises (errors are returned)."""
    import time

    from sim.model import HighTechZoneModel, gc_paused

    t0 = time.perf_counter()
    try:
        with gc_paused():
            sc = schema.Scenario.model_validate(resolved)
            model = HighTechZoneModel(sc, replicate=replicate, seed=seed, snapshots=snapshots)
            t1 = time.perf_counter()
            steps = 0
            for _ in range(model.n_steps):
                steps += int(model.firms.n)
                model.step()
            t2 = time.perf_counter()
            res = ReplicateResult(variant, replicate)
            res.metrics = met.long_table(variant, replicate, model.quarters, model.zone_ids,
                                         model.sector_ids, model.out, model.out_sector,
                                         model.quarters[0])
            res.ledger = ledger_frame(model, variant, replicate)
            if snapshots:
                res.firms = firms_frame(model, variant, replicate)
            model.release()
            res.firm_steps = steps
            res.step_seconds = t2 - t1
            res.seconds = time.perf_counter() - t0
            return res
    except Exception as e:  # recorded, does not stop the other replicates
        tb = traceback.format_exc(limit=4)
        return ReplicateResult(variant, replicate, error=f"{type(e).__name__}: {e}\n{tb}",
                               seconds=time.perf_counter() - t0)


def _bar(total: int, enabled: bool):
    from tqdm import tqdm

    enc = (getattr(sys.stderr, "encoding", None) or "").lower()
    return tqdm(total=total, disable=not enabled, unit="replicate", file=sys.stderr,
                ascii=not enc.startswith("utf"), dynamic_ncols=True, leave=False)
