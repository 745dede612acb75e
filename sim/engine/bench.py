"""``hitech-sim bench``: seconds per replicate and firm-steps per second.

Timed per replicate, in this process (one core): building the model (population and
Mesa agents), the 22 quarterly steps, and the long metrics table. Interpreter start,
imports and file writing are excluded; one untimed warm-up replicate runs first. The
scenario (default: the Yunnan baseline) is rescaled so that its zones hold ``firms``
initial firms in all, keeping each zone's share, rung mix and revenue per firm.

Firm-steps per second are reported twice: for the whole quarterly update, and for
the column dynamics alone, without the Mesa bookkeeping of creating and removing
Enterprise agents for the quarter's births and exits (``agent_seconds``).
"""

from __future__ import annotations

import copy
import gc
import time
from pathlib import Path

import numpy as np

from sim.core.calendar import q_index
from sim.model import HighTechZoneModel, gc_paused
from sim.scenario import schema
from sim.engine.replicate import long_table
from sim.scenario.loader import load

BASELINE = Path(__file__).resolve().parents[2] / "scenarios" / "yunnan_baseline.yaml"


def rescaled(resolved: dict, firms: int) -> dict:
    """A copy of a resolved scenario whose zones hold ``firms`` firms in all."""
    r = copy.deepcopy(resolved)
    total = sum(z["firms"]["total"] for z in r["zones"])
    f = firms / total
    for z in r["zones"]:
        zf = z["firms"]
        for k in ("total", "tech_sme", "hte", "gazelle", "leader", "specialised", "listed"):
            zf[k] = int(round(zf[k] * f))
        zf["total"] = max(1, zf["total"])
        zf["revenue_wan"] = zf["revenue_wan"] * f
        for t in zf.get("top") or []:  # the largest firms shrink with their zone, as
            t["revenue_wan"] = t["revenue_wan"] * f  # population.scale shrinks them
    r["population"]["scale"] = 1.0
    r["projects"]["per_quarter"] *= f
    for c in r["capital"]:
        c["capital_wan_per_year"] *= f
    return r


def bench(firms: int = 50000, replicates: int = 3, scenario: str | None = None) -> dict:
    """Time ``replicates`` replicates after one warm-up; returns the figures."""

    L = load(scenario or BASELINE)
    sc = schema.Scenario.model_validate(rescaled(L.resolved, firms))
    n0 = sum(max(1, z.firms.total) for z in sc.zones)
    rows = []
    for k in range(replicates + 1):
        with gc_paused():  # as the runner runs a replicate
            t0 = time.perf_counter()
            m = HighTechZoneModel(sc, replicate=k)
            t1 = time.perf_counter()
            m.agent_seconds = 0.0
            fs = 0
            for _ in range(m.n_steps):
                fs += int(m.firms.alive[: m.firms.n].sum())
                m.step()
            t2 = time.perf_counter()
            long_table(sc.name, k, m.quarters, m.zone_ids, m.sector_ids, m.out,
                           m.out_sector, m.quarters[0])
            agent_s = m.agent_seconds
            m.release()
            del m
        gc.collect(0)  # the young generation holds the finished model: part of its cost
        t3 = time.perf_counter()
        if k > 0:
            rows.append((t3 - t0, t1 - t0, t2 - t1, t3 - t2, fs, agent_s))
    a = np.array(rows)
    return {
        "firms": n0,
        "quarters": int(sc_steps(sc)),
        "replicates": replicates,
        "seconds_per_replicate": float(a[:, 0].mean()),
        "seconds_min": float(a[:, 0].min()),
        "build_seconds": float(a[:, 1].mean()),
        "step_seconds": float(a[:, 2].mean()),
        "table_seconds": float(a[:, 3].mean()),  # metrics table and freeing the model
        "firm_steps_per_second": float(a[:, 4].sum() / a[:, 2].sum()),
        "agent_seconds": float(a[:, 5].mean()),
        "firm_steps_per_second_columns": float(a[:, 4].sum() / (a[:, 2] - a[:, 5]).sum()),
    }


def sc_steps(sc) -> int:
    """Quarters in a scenario's calendar."""

    return q_index(sc.calendar.end) - q_index(sc.calendar.start) + 1
