"""``hitech-sim sensitivity``: which behaviour parameters drive the outcomes.

A sensitivity file (docs/uncertainty.md) names a base scenario, the behaviour
parameters to study (``all`` or a list; each varies over its plausible range from
sim/scenario/params.py), the outcomes (a metric of a zone at a quarter, as in sweep
files) and, unless ``targets: false``, the base's targets as probabilities. Two stages:

1. **Morris screening** (elementary effects, SALib) over every studied parameter:
   ``trajectories x (parameters + 1)`` points; ``mu_star``, the mean absolute
   elementary effect in the outcome's units per whole plausible range (a step of 2/3 of
   the range with 4 levels, scaled up), with a bootstrap 95% interval, and ``sigma``
   (interactions or non-linearity).
2. **Sobol indices** (Saltelli's scheme, SALib) for the few parameters that matter
   (the top ``sobol.parameters`` by Morris ``mu_star`` relative to each outcome's top,
   over the outcomes that are means; or a given list):
   ``samples x (k + 2)`` points; first-order ``S1`` and total ``ST`` with bootstrap 95%
   intervals. Parameters not studied stay at the base scenario's values.

Every point runs replicates ``0..replicates-1`` of the same seed (common random
numbers: points differ by behaviour only, not by luck) and its outcome is the mean
over them; a target's outcome is the share of replicates meeting it, with its
threshold multiplied by ``population.scale`` for counts and money (a shrunk world).
Each point x replicate is a task of :mod:`sim.engine.ensemble` (parts on disk, ``--resume``,
local workers or a Dask cluster). The Sobol design depends only on the finished Morris
parts, so a resumed run chooses the same parameters and gives the same tables.

The file's format is :mod:`sim.scenario.studies`; the statistics (per-point outcomes,
Morris and Sobol tables) are :mod:`sim.analysis.sensitivity`; this module designs the
points, runs them and writes the tables.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.sensitivity import (CONF, MISSES_DRIVER, RESAMPLES,  # noqa: F401
                                      choose_sobol, derived_seed, left_out_driver,
                                      morris_table, per_point, problem_of, quantity,
                                      sobol_table, summary_table)
from sim.engine.ensemble import Task, assemble, execute, part_ok, prepare, with_behaviour
from sim.engine.folder import OutputError, atomic_write_text, now, versions, write_manifest
from sim.scenario.loader import Problem, ScenarioError, display_path, load
from sim.engine.folder import holds_folders
from sim.scenario.params import BEHAVIOUR
from sim.scenario.studies import (UNSCALED, Morris, Sobol, SensitivityFile,  # noqa: F401
                                  check_names, problem, read_study, study_outcomes)


# ----------------------------------------------------------------- shared with robust


def run_stage(tasks: list, parts: Path, *, workers: int, scheduler: str | None,
              resume: bool, progress: bool) -> list[dict]:
    """Run tasks into parts (resuming finished ones); return the failures."""
    for _ in execute(tasks, parts=parts, workers=workers, scheduler=scheduler,
                     resume=resume, progress=progress):
        pass
    failed = []
    for t in tasks:
        if not part_ok(parts, t.key):
            err = parts / f"{t.key}.error.json"
            msg = (json.loads(err.read_text(encoding="utf-8"))["error"] if err.is_file()
                   else "not run")
            failed.append({"key": t.key, "replicate": t.replicate, "error": msg})
    return failed


def read_parts(parts: Path, tasks: list) -> pd.DataFrame:
    """The outcome rows of finished tasks, in task order."""
    frames = [pd.read_parquet(parts / f"{t.key}.outcomes.parquet") for t in tasks
              if (parts / f"{t.key}.done").is_file()]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def check_design(out: Path, design: dict, resume: bool) -> None:
    """Keep the design beside the parts; a resumed folder must have been made by the same
    study (same file settings and base), else its parts would mix two designs."""
    path = out / "design.json"
    text = json.dumps(design, sort_keys=True, ensure_ascii=False, default=str)
    if resume and path.exists() and path.read_text(encoding="utf-8") != text:
        raise OutputError(f"{out}: was made by a different study or base scenario (valid: "
                          "the same file and base to --resume, or --overwrite, or another --out)")
    atomic_write_text(text, path)


def write_csv(df: pd.DataFrame, path: Path) -> None:
    """A CSV with BOM (Excel opens Chinese), written atomically."""
    atomic_write_text("\ufeff" + df.to_csv(index=False), path)


# ------------------------------------------------------------------------ sensitivity
def load_sensitivity(path: str | Path):
    """Read and check a sensitivity file; return it, the loaded base and the outcomes."""
    path = Path(path)
    sf, base_path, origins = read_study(path, SensitivityFile)
    problems = check_names(path, origins, sf.parameters, "parameters")
    if sf.sobol is not None and isinstance(sf.sobol.parameters, list):
        problems += check_names(path, origins, sf.sobol.parameters, "sobol.parameters")
        if not problems and sf.parameters != "all":
            problems += [problem(path, origins, ("sobol", "parameters", i),
                                 f"sobol.parameters.{i}", f"{n!r} is not among `parameters`")
                         for i, n in enumerate(sf.sobol.parameters) if n not in sf.parameters]
    if sf.sobol is not None and sf.sobol.samples & (sf.sobol.samples - 1):
        problems.append(problem(path, origins, ("sobol", "samples"), "sobol.samples",
                                f"{sf.sobol.samples} is not a power of 2 (valid: 64, 128, "
                                "256, ...: Sobol sequences balance only then)"))
    if problems:
        raise ScenarioError(problems)
    try:
        base = load(base_path, sf.set)
    except ScenarioError as e:
        raise ScenarioError([Problem(display_path(path), 0, f"set -> {q.path}", q.message)
                             for q in e.problems]) from None
    outcomes = study_outcomes(path, origins, sf.outcomes, base, sf.targets)
    return sf, base, outcomes


def _tasks(stage: str, X: np.ndarray, names: list[str], sf, base, seed: int,
           outcomes: list[dict]) -> list:
    """Point x replicate tasks; Sobol keys name the chosen parameters (a short hash), so
    that parts of another choice are never taken for these."""
    tag = "m" if stage == "morris" else "s" + hashlib.sha256(
        ",".join(names).encode()).hexdigest()[:8] + "-"
    tasks = []
    for i, row in enumerate(X):
        resolved = with_behaviour(base.resolved, dict(zip(names, row, strict=True)))
        for k in range(int(sf.replicates)):
            tasks.append(Task(f"{tag}{i:05d}--r{k:04d}", resolved, sf.name, k, seed,
                              outcomes=outcomes, extra={"stage": stage, "point": i}))
    return tasks


@holds_folders
def run_sensitivity(path: str | Path, *, out: str | Path, workers: int = 1,
                    scheduler: str | None = None, resume: bool = False,
                    overwrite: bool = False, progress: bool = False) -> dict:
    """Run a sensitivity file; write its results folder; return the manifest."""
    from SALib.sample import morris as morris_sample
    from SALib.sample import sobol as sobol_sample

    sf, base, outcomes = load_sensitivity(path)
    seed = int(base.model.seed if sf.seed is None else sf.seed)
    names = list(BEHAVIOUR) if sf.parameters == "all" else list(sf.parameters)
    out = Path(out)
    parts = prepare(out, overwrite, resume)
    check_design(out, {"study": sf.model_dump(mode="json"), "base": base.sha256,
                       "seed": seed}, resume)
    started = now()
    opts = {"workers": workers, "scheduler": scheduler, "resume": resume, "progress": progress}
    levels = int(sf.morris.levels)
    Xm = morris_sample.sample(problem_of(names), int(sf.morris.trajectories),
                              num_levels=levels, seed=derived_seed(seed, 1))
    mtasks = _tasks("morris", Xm, names, sf, base, seed, outcomes)
    failed = run_stage(mtasks, parts, **opts)
    points = [pd.DataFrame(Xm, columns=names).assign(stage="morris", point=range(len(Xm)))]
    mt = st = pd.DataFrame()
    chosen, stasks = [], []
    if not failed:
        Ym = per_point(read_parts(parts, mtasks), outcomes, ["point"]).sort_values("point")
        mt = morris_table(Xm, Ym, names, outcomes, levels, derived_seed(seed, 2))
        if sf.sobol is not None:
            k = sf.sobol.parameters
            chosen = list(k) if isinstance(k, list) else choose_sobol(mt, names, int(k))
            Xs = sobol_sample.sample(problem_of(chosen), int(sf.sobol.samples),
                                     calc_second_order=False, seed=derived_seed(seed, 3))
            stasks = _tasks("sobol", Xs, chosen, sf, base, seed, outcomes)
            failed = run_stage(stasks, parts, **opts)
            points.append(pd.DataFrame(Xs, columns=chosen).assign(stage="sobol",
                                                                  point=range(len(Xs))))
            if not failed:
                Ys = per_point(read_parts(parts, stasks), outcomes, ["point"]) \
                    .sort_values("point")
                st = sobol_table(Ys, chosen, outcomes, derived_seed(seed, 4), mt)
    assemble(parts, mtasks + stasks, out)  # outcomes.parquet: every point and replicate
    pts = pd.concat(points, ignore_index=True)
    write_csv(pts[["stage", "point", *[c for c in pts.columns if c not in ("stage", "point")]]],
              out / "points.csv")
    write_csv(mt, out / "morris.csv")
    write_csv(st, out / "sobol.csv")
    write_csv(summary_table(mt, st), out / "sensitivity.csv")
    atomic_write_text(json.dumps(outcomes, ensure_ascii=False, indent=1), out / "outcomes.json")
    manifest = {
        "schema_version": 1, "command": "sensitivity", "study": sf.name, "source": str(path),
        "base": str(base.path), "base_sha256": base.sha256, "seed": seed,
        "population_scale": base.model.population.scale, "replicates": int(sf.replicates),
        "pairing": "common random numbers: every point runs replicates 0..replicates-1 of "
                   "the seed; a point's outcome is the mean over them (a target's: the share "
                   "meeting it)",
        "parameters": names, "morris_points": len(Xm), "sobol_parameters": chosen,
        "sobol_points": len(stasks) // int(sf.replicates), "workers": workers,
        "scheduler": scheduler, "versions": versions(), "started": started, "finished": None,
        "status": "complete" if not failed else "partial", "failed": failed,
        "confidence_level": CONF, "file": sf.model_dump(mode="json"),
    }
    write_manifest(out, manifest)
    return manifest


read_file = load_sensitivity
run_file = run_sensitivity
