"""One replicate: build the model, run it, return its tables (never raises).

Replicate ``k`` of a run with seed ``s`` is fully determined by ``(scenario, s, k)``
(see :mod:`sim.model`); :mod:`sim.engine.ensemble` runs many of them.
"""

from __future__ import annotations

import sys
import traceback
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.core import metrics as met
from sim.core.calendar import q_label
from sim.model import HighTechZoneModel, gc_paused
from sim.scenario import schema


def long_table(variant: str, replicate: int, quarters: list[str], zone_ids: list[str],
               sector_ids: list[str], main: np.ndarray, sector: np.ndarray,
               initial_label: str) -> pd.DataFrame:
    """The metrics of one replicate as the long table of interface.md.

    ``main`` is (Q, Z+1, M) with quarter 0 the initial state; ``sector`` is
    (Q, Z+1, S, len(SECTOR_METRICS)).
    """
    Q, Z1, NM = main.shape
    zones = np.array(zone_ids + ["ALL"], dtype=object)
    qs = np.array(quarters, dtype=object)
    names = np.array(met.METRICS, dtype=object)
    qi, zi, mi = np.meshgrid(np.arange(Q), np.arange(Z1), np.arange(NM), indexing="ij")
    val = main.reshape(-1)
    keep = ~np.isnan(val)
    # the initial state has stocks only
    flowmask = np.isin(names, met.FLOWS + met.RATIOS)
    keep &= ~((qi.reshape(-1) == 0) & flowmask[mi.reshape(-1)])
    df1 = pd.DataFrame({
        "quarter": qs[qi.reshape(-1)[keep]],
        "zone": zones[zi.reshape(-1)[keep]],
        "sector": "ALL",
        "metric": names[mi.reshape(-1)[keep]],
        "value": val[keep],
    })
    Q2, Z2, S, K = sector.shape
    snames = np.array(met.SECTOR_METRICS, dtype=object)
    sect = np.array(sector_ids, dtype=object)
    qi, zi, si, ki = np.meshgrid(np.arange(Q2), np.arange(Z2), np.arange(S), np.arange(K),
                                 indexing="ij")
    sval = sector.reshape(-1)
    keep = ~((qi.reshape(-1) == 0) & (snames[ki.reshape(-1)] == "revenue_wan"))
    df2 = pd.DataFrame({
        "quarter": qs[qi.reshape(-1)[keep]],
        "zone": zones[zi.reshape(-1)[keep]],
        "sector": sect[si.reshape(-1)[keep]],
        "metric": snames[ki.reshape(-1)[keep]],
        "value": sval[keep],
    })
    df = pd.concat([df1, df2], ignore_index=True)
    df.insert(0, "replicate", np.int64(replicate))
    df.insert(0, "variant", variant)
    df["quarter"] = df["quarter"].astype(str)
    df["zone"] = df["zone"].astype(str)
    df["sector"] = df["sector"].astype(str)
    df["metric"] = df["metric"].astype(str)
    return df


@dataclass
class ReplicateResult:
    """What one replicate returns to the client (tables, not model objects)."""

    variant: str
    replicate: int
    metrics: pd.DataFrame | None = None
    ledger: pd.DataFrame | None = None
    claims: pd.DataFrame | None = None
    firms: pd.DataFrame | None = None
    error: str | None = None
    seconds: float = 0.0
    firm_steps: int = 0
    step_seconds: float = 0.0
    ledger_total: float | None = None
    extra: dict = field(default_factory=dict)


LEDGER_COLUMNS = ["variant", "replicate", "quarter", "zone", "enterprise", "lever", "payer",
                  "amount_wan", "from_transfer"]
CLAIM_COLUMNS = ["variant", "replicate", "quarter", "zone", "enterprise", "lever", "payer",
                 "window_start", "window_end", "award_wan", "earned_wan", "paid_wan",
                 "paid_from_transfer_wan", "lapsed_wan", "first_paid"]


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
        "from_transfer": np.array(r["from_transfer"], dtype=bool),
    })


def claims_frame(model, variant: str, replicate: int) -> pd.DataFrame:
    """Every award earned and what became of it (interface.md ``claims.parquet``)."""
    c = model.treasury.book.table()
    n = c["earned"].size
    zones = np.array(model.zone_ids, dtype=object)
    payers = np.array(["province", "zone"], dtype=object)
    return pd.DataFrame({
        "variant": pd.Series([variant] * n, dtype=str),
        "replicate": np.full(n, replicate, dtype=np.int64),
        "quarter": pd.Series([q_label(int(q)) for q in c["quarter"]], dtype=str),
        "zone": pd.Series(zones[c["zone"]] if n else [], dtype=str),
        "enterprise": pd.Series(["" if e < 0 else str(e) for e in c["uid"]], dtype=str),
        "lever": pd.Series(c["lever"], dtype=str),
        "payer": pd.Series(payers[c["payer"]] if n else [], dtype=str),
        "window_start": pd.Series([q_label(int(q)) for q in c["w0"]], dtype=str),
        "window_end": pd.Series([q_label(int(q)) for q in c["w1"]], dtype=str),
        "award_wan": c["award"],
        "earned_wan": c["earned"],
        "paid_wan": c["paid"],
        "paid_from_transfer_wan": c["from_transfer"],
        "lapsed_wan": c["lapsed"],
        "first_paid": pd.Series(["" if q < 0 else q_label(int(q)) for q in c["first_paid"]],
                                dtype=str),
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
            res.metrics = long_table(variant, replicate, model.quarters, model.zone_ids,
                                         model.sector_ids, model.out, model.out_sector,
                                         model.quarters[0])
            res.ledger = ledger_frame(model, variant, replicate)
            res.claims = claims_frame(model, variant, replicate)
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


class _Reporter:
    """A progress bar that calls ``report(done, total)`` after each replicate (the
    what-if page's progress indicator)."""

    def __init__(self, total: int, report):
        self.total, self.n, self.report = total, 0, report
        report(0, total)

    def update(self, k: int = 1) -> None:
        self.n += k
        self.report(self.n, self.total)

    def close(self) -> None:
        pass


def progress_bar(total: int, enabled):
    """tqdm on standard error when ``enabled`` is True; a callable ``enabled`` is called
    as ``enabled(done, total)`` after each replicate instead."""
    if callable(enabled):
        return _Reporter(total, enabled)
    from tqdm import tqdm

    enc = (getattr(sys.stderr, "encoding", None) or "").lower()
    return tqdm(total=total, disable=not enabled, unit="replicate", file=sys.stderr,
                ascii=not enc.startswith("utf"), dynamic_ncols=True, leave=False)
