"""``hitech-sim robust``: which lever settings meet the targets whatever behaviour is.

A robust file (docs/uncertainty.md) names a base scenario, the lever settings to
compare (overrides of the base, variant files, or the points of a sweep file), the
uncertain behaviour parameters (``all`` or a list), how many worlds to sample (a
Latin hypercube over their plausible ranges) and the outcomes. Every setting runs in
every world on the same replicates (world ``j`` runs replicates ``j*R .. j*R+R-1`` of
the seed: each world has its own luck, every setting sees the same luck and the same
behaviour in that world). Per setting it reports

- the probability of meeting each target of the base (over worlds and replicates;
  thresholds scaled by ``population.scale``) and the cost (awards paid over the whole
  calendar, 万元);
- the regret of each outcome: in each world, how far the setting falls short of the
  best setting in that world (mean, 90th percentile and maximum over worlds);
- scenario discovery: PRIM boxes (Friedman & Fisher 1999, peeling only) over the
  uncertain parameters that hold the worlds where the setting misses a target.

The file's format is :mod:`sim.scenario.studies`; the statistics (worlds, PRIM, regret,
the summary and discovery tables) are :mod:`sim.analysis.robust`; this module runs the
settings in the worlds and writes the tables.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from sim.analysis.robust import discovery, prim, regret_table, summary, worlds_of  # noqa: F401
from sim.analysis.sensitivity import per_point, quantity
from sim.engine.ensemble import Task, assemble, prepare, with_behaviour
from sim.engine.folder import atomic_write_text, now, versions, write_manifest
from sim.scenario.loader import Problem, ScenarioError, display_path, load
from sim.engine.folder import holds_folders
from sim.scenario.params import BEHAVIOUR
from sim.scenario.studies import (Prim, RobustFile, RobustOutcome, Setting,  # noqa: F401
                                  check_names, load_sweep, problem, read_study,
                                  study_outcomes)
from sim.studies.sensitivity import check_design, read_parts, run_stage, write_csv
from sim.studies.sweep import points_of

COST = "cost_wan"


def load_robust(path: str | Path):
    """Read and check a robust file; return it, the loaded base, the outcomes and the
    settings as ``{name: loaded scenario}``."""
    path = Path(path)
    rf, base_path, origins = read_study(path, RobustFile)
    problems = check_names(path, origins, rf.uncertain, "uncertain")
    if not rf.settings and rf.sweep is None:
        problems.append(problem(path, origins, ("settings",), "settings", "no lever settings "
                                "(valid: `settings:` name -> {file, set}, and/or `sweep:` a "
                                "sweep file)"))
    if problems:
        raise ScenarioError(problems)

    def loaded(where: str, file: Path, over: dict):
        try:
            return load(file, over)
        except ScenarioError as e:
            raise ScenarioError([Problem(display_path(path), origins.get(("settings",), (0, 0))[1],
                                         f"{where} -> {q.path}", q.message)
                                 for q in e.problems]) from None

    base = loaded("set", base_path, rf.set)
    seed = int(base.model.seed if rf.seed is None else rf.seed)
    settings = {}
    for name, s in rf.settings.items():
        file = (path.parent / s.file).resolve() if s.file else base_path
        if not file.exists():
            raise ScenarioError([problem(path, origins, ("settings", name, "file"),
                                         f"settings.{name}.file", f"no such file: {s.file} "
                                         "(valid: a scenario path relative to this file)")])
        settings[name] = loaded(f"settings.{name}", file, {**rf.set, **s.set})
    if rf.sweep is not None:
        spath = (path.parent / rf.sweep).resolve()
        if not spath.exists():
            raise ScenarioError([problem(path, origins, ("sweep",), "sweep", f"no such file: "
                                         f"{rf.sweep} (valid: a sweep file relative to this "
                                         "file)")])
        sw, sbase = load_sweep(spath)
        for i, p in enumerate(points_of(sw, seed)):
            label = ", ".join(".".join(k.split(".")[-2:]) + (
                f"={v:g}" if isinstance(v, (int, float)) else f"={v}") for k, v in p.items())
            settings[label or f"point {i}"] = loaded(f"sweep point {i}", sbase,
                                                     {**sw.set, **rf.set, **p})
    ends = {L.model.calendar.end for L in settings.values()} | {base.model.calendar.end}
    if len(ends) > 1:
        raise ScenarioError([problem(path, origins, ("settings",), "settings", "settings end "
                                     f"in different quarters ({', '.join(sorted(ends))}); "
                                     "valid: one calendar for all")])
    outcomes = study_outcomes(path, origins, rf.outcomes, base, rf.targets)
    return rf, base, outcomes, settings, seed


def _tasks(settings: dict, worlds: pd.DataFrame, rf, seed: int, outcomes: list[dict]):
    R = int(rf.replicates)
    tasks = []
    for si, (name, L) in enumerate(settings.items()):
        for j, row in worlds.iterrows():
            resolved = with_behaviour(L.resolved, row.to_dict())
            for k in range(R):
                tasks.append(Task(f"s{si:03d}--w{j:05d}--r{k:04d}", resolved, name,
                                  j * R + k, seed, outcomes=outcomes,
                                  extra={"setting": name, "world": int(j)}))
    return tasks


def _costs(parts: Path, tasks: list) -> pd.DataFrame:
    rows = []
    for t in tasks:
        done = parts / f"{t.key}.done"
        if done.is_file():
            total = json.loads(done.read_text(encoding="utf-8")).get("ledger_total")
            rows.append({"setting": t.extra["setting"], "world": t.extra["world"],
                         "replicate": t.replicate, "outcome": COST, "value": total})
    return pd.DataFrame(rows)


@holds_folders
def run_robust(path: str | Path, *, out: str | Path, workers: int = 1,
               scheduler: str | None = None, resume: bool = False, overwrite: bool = False,
               progress: bool = False) -> dict:
    """Run a robust file; write its results folder; return the manifest."""
    rf, base, outcomes, settings, seed = load_robust(path)
    names = list(BEHAVIOUR) if rf.uncertain == "all" else list(rf.uncertain)
    worlds = worlds_of(names, int(rf.samples), seed)
    out = Path(out)
    parts = prepare(out, overwrite, resume)
    check_design(out, {"study": rf.model_dump(mode="json"), "base": base.sha256, "seed": seed,
                       "settings": {k: L.sha256 for k, L in settings.items()}}, resume)
    started = now()
    tasks = _tasks(settings, worlds, rf, seed, outcomes)
    failed = run_stage(tasks, parts, workers=workers, scheduler=scheduler, resume=resume,
                       progress=progress)
    assemble(parts, tasks, out)
    order = list(settings)
    measures = [{"id": o["id"], "quantity": quantity(o), "sense": o.get("sense", "max")}
                for o in outcomes] + [{"id": COST, "quantity": "mean", "sense": "min"}]
    write_csv(worlds.rename_axis("world").reset_index(), out / "worlds.csv")
    if not failed:
        rows = pd.concat([read_parts(parts, tasks), _costs(parts, tasks)], ignore_index=True)
        W = per_point(rows, outcomes + [{"id": COST}], ["setting", "world"])
        rg = regret_table(W, measures)
        write_csv(summary(W, rg, measures, order), out / "robust.csv")
        write_csv(rg, out / "regret.csv")
        write_csv(discovery(W, worlds, [o for o in outcomes if "op" in o], order, rf.prim),
                  out / "prim.csv")
    atomic_write_text(json.dumps(outcomes, ensure_ascii=False, indent=1), out / "outcomes.json")
    manifest = {
        "schema_version": 1, "command": "robust", "study": rf.name, "source": str(path),
        "base": str(base.path), "base_sha256": base.sha256, "seed": seed,
        "population_scale": base.model.population.scale, "replicates": int(rf.replicates),
        "worlds": int(rf.samples), "uncertain": names,
        "settings": {k: {"source": str(L.path), "sha256": L.sha256} for k, L in
                     settings.items()},
        "pairing": "world j runs replicates j*R..j*R+R-1 of the seed in every setting (same "
                   "behaviour and luck); a world's value is the mean over them (a target's: "
                   "the share meeting it)",
        "workers": workers, "scheduler": scheduler, "versions": versions(),
        "started": started, "finished": None,
        "status": "complete" if not failed else "partial", "failed": failed,
        "file": rf.model_dump(mode="json"),
    }
    write_manifest(out, manifest)
    return manifest


read_file = load_robust
run_file = run_robust
