"""``hitech-sim run``: replicates of one scenario in, a results folder (or tables in
memory) out."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sim.analysis.targets import evaluate_targets, probability_kind, uncertainty_counted
from sim.core.calendar import q_index
from sim.engine.batch import begin, collect, input_keys, make_tasks, read_metrics
from sim.engine.folder import holds_folders, versions, write_json, write_manifest


@dataclass
class RunResult:
    """The tables of a run (as written to its results folder)."""

    manifest: dict
    metrics: pd.DataFrame | None
    ledger: pd.DataFrame | None
    targets: list[dict]
    firms: pd.DataFrame | None = None
    claims: pd.DataFrame | None = None  # every award earned and what became of it


@holds_folders
def run_scenario(loaded, *, replicates: int | None = None, seed: int | None = None,
                 workers: int = 1, snapshots: bool = False, out: str | Path | None = None,
                 overwrite: bool = False, resume: bool = False, progress: bool = False,
                 sample_behaviour: bool = False, sample_inputs: bool = False,
                 scheduler: str | None = None) -> RunResult:
    """Run ``replicates`` replicates of a loaded scenario (:func:`sim.load_scenario`).

    Replicate k draws from ``SeedSequence(seed, spawn_key=(k,))``. With ``out``, the
    results folder is written there in parts (``--resume`` continues it); an existing
    non-empty folder is replaced only with ``overwrite``. Without ``out`` the tables are
    returned in memory. With ``sample_behaviour`` each replicate draws the behaviour
    parameters from their plausible ranges (the same draw for replicate k in every
    variant); with ``sample_inputs`` each replicate draws the scenario's ``inputs:``
    from their ranges (:func:`sim.engine.ensemble.sample_inputs`).
    """
    sc = loaded.model
    keys = input_keys([(str(loaded.path), loaded.resolved)], sample_inputs)
    n, seed, out, started = begin(sc, replicates, seed, out, overwrite, resume)
    tasks = make_tasks(loaded, n, seed, snapshots, sample_behaviour, sample_inputs)
    tables, failed = collect(tasks, out=out, workers=workers, scheduler=scheduler,
                             resume=resume, progress=progress)
    start_q, end_q = q_index(sc.calendar.start), q_index(sc.calendar.end)
    target_metrics = {t["metric"] for t in loaded.resolved["targets"]}
    if tables is None:
        metrics = read_metrics(out, sorted(target_metrics) or ["enterprises"])
        ledger = firm_table = claims = None
    else:
        metrics, ledger, firm_table = tables[:3]
        claims = tables[5]
    targets = evaluate_targets(loaded.resolved["targets"], metrics, [sc.name], start_q, end_q)
    manifest = {
        "schema_version": 1,
        "command": "run",
        "scenario": sc.name,
        "scenario_sha256": loaded.sha256,
        "source": str(loaded.path),
        "seed": seed,
        "replicates": n,
        "population_scale": sc.population.scale,
        "workers": workers,
        "scheduler": scheduler,
        "versions": versions(),
        "started": started,
        "finished": None,
        "status": "complete" if not failed else "partial",
        "failed": failed,
        "variants": [sc.name],
        "sample_behaviour": sample_behaviour,
        "inputs_sampled": bool(sample_inputs), "sampled_inputs": keys,
        "probability_kind": probability_kind(sample_behaviour, keys),
        "uncertainty": uncertainty_counted(sample_behaviour, keys),
        "resolved": loaded.resolved,
    }
    if out is not None:
        write_json(targets, out / "targets.json")
        write_manifest(out, manifest)
        return RunResult(manifest, None, None, targets)
    return RunResult(manifest, metrics, ledger, targets, firm_table, claims)
