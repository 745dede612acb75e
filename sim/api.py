"""Running a scenario from Python or the CLI: replicates in, results folder out."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sim.calendar import q_index
from sim.results import evaluate_targets, now, prepare_out, versions, write_folder
from sim.runner import LEDGER_COLUMNS, run_many


@dataclass
class RunResult:
    """The tables of a run (as written to its results folder)."""

    manifest: dict
    metrics: pd.DataFrame
    ledger: pd.DataFrame
    targets: list[dict]
    firms: pd.DataFrame | None = None


def run_scenario(loaded, *, replicates: int | None = None, seed: int | None = None,
                 workers: int = 1, snapshots: bool = False, out: str | Path | None = None,
                 overwrite: bool = False, progress: bool = False) -> RunResult:
    """Run ``replicates`` replicates of a loaded scenario (:func:`sim.load_scenario`).

    Replicate k draws from ``SeedSequence(seed, spawn_key=(k,))``. With ``out``, the
    results folder is written there (atomically); an existing non-empty folder is
    replaced only with ``overwrite``.
    """
    sc = loaded.model
    n = int(replicates if replicates is not None else sc.replicates)
    seed = int(sc.seed if seed is None else seed)
    if out is not None:
        prepare_out(Path(out), overwrite)
    started = now()
    tasks = [(loaded.resolved, sc.name, k, seed, snapshots) for k in range(n)]
    mets, ledgers, firms, failed = [], [], [], []
    for r in run_many(tasks, workers=workers, progress=progress):
        if r.error:
            failed.append({"replicate": r.replicate, "error": r.error})
            continue
        mets.append(r.metrics)
        ledgers.append(r.ledger)
        if r.firms is not None:
            firms.append(r.firms)
    metrics = (pd.concat(mets, ignore_index=True) if mets else
               pd.DataFrame(columns=["variant", "replicate", "quarter", "zone", "sector",
                                     "metric", "value"]))
    ledger = (pd.concat(ledgers, ignore_index=True) if ledgers else
              pd.DataFrame(columns=LEDGER_COLUMNS))
    firm_table = pd.concat(firms, ignore_index=True) if firms else None
    targets = evaluate_targets(loaded.resolved["targets"], metrics, [sc.name],
                               q_index(sc.calendar.start), q_index(sc.calendar.end))
    manifest = {
        "schema_version": 1,
        "scenario": sc.name,
        "scenario_sha256": loaded.sha256,
        "source": str(loaded.path),
        "seed": seed,
        "replicates": n,
        "population_scale": sc.population.scale,
        "workers": workers,
        "versions": versions(),
        "started": started,
        "finished": None,
        "status": "complete" if not failed else "partial",
        "failed": failed,
        "variants": [sc.name],
        "probability_kind": "luck only (replicates with the scenario's behaviour values)",
        "resolved": loaded.resolved,
    }
    if out is not None:
        write_folder(Path(out), manifest=manifest, metrics=metrics, ledger=ledger,
                     targets=targets, firms=firm_table)
    return RunResult(manifest, metrics, ledger, targets, firm_table)
