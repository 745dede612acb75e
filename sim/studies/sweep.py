"""``hitech-sim sweep``: lever values over a grid or a Latin hypercube, with replicates.

A sweep file (docs/sweeps.md) names a base scenario, the levers to vary (a list of
values each: a grid of every combination; or ranges with ``sample.points``: a Latin
hypercube), the behaviour parameters to draw per replicate from their plausible ranges,
the replicates per point and the outcomes to keep. Every point runs replicates 0..N-1
of the sweep's seed, so points are compared on common random numbers. The results
folder holds ``points.csv`` (one row per point and its lever values),
``outcomes.parquet`` (one row per point, replicate and outcome) and
``probabilities.csv`` (per point and target of the base: probability of meeting it,
median, 5% and 95%). The sweep file's format and its checks are
:mod:`sim.scenario.studies`.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.targets import probability_kind, scaled_target, summarise, uncertainty_counted
from sim.core.calendar import q_index
from sim.engine.batch import input_keys, run_in_folder
from sim.engine.ensemble import Task
from sim.engine.folder import atomic_write_text, holds_folders, versions, write_manifest
from sim.scenario.loader import Problem, ScenarioError, load
from sim.scenario.params import BEHAVIOUR
from sim.scenario.studies import Outcome, Sample, SweepFile, load_sweep  # noqa: F401



def points_of(sw: SweepFile, seed: int) -> list[dict]:
    """The sweep's points: lever key -> value."""
    if sw.levers:
        keys = list(sw.levers)
        return [dict(zip(keys, combo, strict=True))
                for combo in itertools.product(*(sw.levers[k] for k in keys))]
    from scipy.stats import qmc

    keys = list(sw.sample.ranges)
    lhs = qmc.LatinHypercube(d=len(keys), seed=np.random.default_rng(
        np.random.SeedSequence(seed, spawn_key=(2**31,)))).random(sw.sample.points)
    lo = np.array([sw.sample.ranges[k][0] for k in keys])
    hi = np.array([sw.sample.ranges[k][1] for k in keys])
    vals = lo + lhs * (hi - lo)
    return [{k: float(v) for k, v in zip(keys, row, strict=True)} for row in vals]


@holds_folders
def run_sweep(path: str | Path, *, out: str | Path, workers: int = 1,
              scheduler: str | None = None, resume: bool = False, overwrite: bool = False,
              progress: bool = False, sample_inputs: bool = False) -> dict:
    """Run a sweep file; write its results folder; return the manifest. With
    ``sample_inputs`` replicate k of every point draws the base's ``inputs:`` (the same
    draw at every point)."""
    sw, base_path = load_sweep(path)
    base = load(base_path, sw.set)
    keys = input_keys([(str(base_path), base.resolved)], sample_inputs)
    seed = int(base.model.seed if sw.seed is None else sw.seed)
    pts = points_of(sw, seed)
    outcomes = [o.model_dump() for o in sw.outcomes]
    for t in base.resolved["targets"]:  # the base's targets are kept as outcomes too
        if t["by"] and q_index(t["by"]) <= q_index(base.model.calendar.end):
            outcomes.append({"id": f"target:{t['id']}", "metric": t["metric"],
                             "zone": t["zone"], "quarter": t["by"]})
    if not outcomes:
        raise ScenarioError([Problem(str(path), 0, "outcomes", "nothing to keep (valid: "
                                     "`outcomes:` or targets in the base scenario)")])
    sample = list(BEHAVIOUR) if sw.behaviour == "all" else list(sw.behaviour)
    tasks, scales = [], {}
    for i, p in enumerate(pts):
        try:
            L = load(base_path, {**sw.set, **p})
        except ScenarioError as e:
            raise ScenarioError([Problem(str(path), 0, f"point {i}", f"{q.path}: {q.message}")
                                 for q in e.problems]) from None
        scales[i] = float(L.model.population.scale)
        extra = {"point": i, **{k: v for k, v in p.items()}}
        for k in range(int(sw.replicates)):
            tasks.append(Task(f"p{i:05d}--r{k:06d}", L.resolved, sw.name, k, seed,
                              sample_behaviour=sample or False, outcomes=outcomes,
                              extra=extra, sample_inputs=sample_inputs))
    out = Path(out)
    started, summary = run_in_folder(tasks, out, workers=workers, scheduler=scheduler,
                                     resume=resume, overwrite=overwrite, progress=progress)
    points = pd.DataFrame([{"point": i, **p} for i, p in enumerate(pts)])
    points.to_csv(out / "points.csv", index=False, encoding="utf-8-sig")
    probs = probabilities(out, base.resolved["targets"], points, scales)
    probs.to_csv(out / "probabilities.csv", index=False, encoding="utf-8-sig")
    manifest = {
        "schema_version": 1, "command": "sweep", "sweep": sw.name, "source": str(path),
        "base": str(base_path), "base_sha256": base.sha256, "seed": seed,
        "points": len(pts), "replicates": int(sw.replicates), "workers": workers,
        "scheduler": scheduler, "versions": versions(), "started": started,
        "finished": None, "status": "complete" if not summary["failed"] else "partial",
        "failed": summary["failed"], "sampled_behaviour": sample,
        "inputs_sampled": bool(sample_inputs), "sampled_inputs": keys,
        "population_scale": float(base.model.population.scale),
        "probability_kind": probability_kind(sample, keys),
        "uncertainty": uncertainty_counted(sample, keys),
        "sweep": sw.model_dump(mode="json"),
    }
    atomic_write_text(json.dumps(outcomes, ensure_ascii=False, indent=1),
                       out / "outcomes.json")
    write_manifest(out, manifest)
    return manifest


def probabilities(out: Path, targets: list[dict], points: pd.DataFrame,
                  scales: dict[int, float] | None = None) -> pd.DataFrame:
    """Per point and target: probability of meeting it, median and 90% interval, against
    the threshold scaled to the point's ``population.scale`` (``scales``: point -> scale;
    ``threshold`` as written, ``threshold_scaled`` compared with)."""
    path = out / "outcomes.parquet"
    if not path.exists() or not targets:
        return pd.DataFrame(columns=["point", "target"])
    oc = pd.read_parquet(path, columns=["point", "replicate", "outcome", "value"])
    rows = []
    for t in targets:
        sel = oc[oc.outcome == f"target:{t['id']}"]
        for pt, g in sel.groupby("point"):
            ts = scaled_target(t, (scales or {}).get(int(pt), 1.0))
            rows.append({"point": int(pt), "target": t["id"], "metric": t["metric"],
                         "zone": t["zone"], "by": t["by"], "op": t["op"],
                         "threshold": t["threshold"], "threshold_scaled": ts["threshold_scaled"],
                         "population_scale": ts["population_scale"], "source": t.get("source"),
                         **summarise(g["value"], {**ts, "threshold": ts["threshold_scaled"]})})
    df = pd.DataFrame(rows)
    return points.merge(df, on="point") if not df.empty else df
