"""``hitech-sim run``: replicates of one scenario in, a results folder (or tables in
memory) out."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sim.analysis.targets import (evaluate_targets, max_probability_se, probability_kind,
                                  uncertainty_counted)
from sim.core.calendar import q_index
from sim.engine.batch import LUCK_ONLY_DIR, begin, collect, input_keys, paired_sets, read_metrics
from sim.engine.folder import holds_folders, versions, write_json, write_manifest
from sim.scenario.schema import DEFAULT_REPLICATES


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
                 sample_behaviour: bool = True, sample_inputs: bool = False,
                 scheduler: str | None = None) -> RunResult:
    """Run ``replicates`` replicates of a loaded scenario (:func:`sim.load_scenario`).

    Replicate k draws from ``SeedSequence(seed, spawn_key=(k,))``. With ``out``, the
    results folder is written there in parts (``--resume`` continues it); an existing
    non-empty folder is replaced only with ``overwrite``. Without ``out`` the tables are
    returned in memory.

    The headline counts what we do not know: with ``sample_behaviour`` (the default) each
    replicate draws every behaviour parameter from its plausible range (the same draw for
    replicate k in every variant); with ``sample_inputs`` it also draws the scenario's
    ``inputs:`` from their ranges (:func:`sim.engine.ensemble.sample_inputs`). A second
    set of the same replicates at the scenario's own behaviour and input values gives the
    luck-only figures beside it (its tables in ``out/luck_only/``).
    ``sample_behaviour=False`` (``--luck-only``) without ``sample_inputs`` runs the
    luck-only set alone.
    """
    sc = loaded.model
    keys = input_keys([(str(loaded.path), loaded.resolved)], sample_inputs)
    n, seed, out, started = begin(sc, replicates, seed, out, overwrite, resume)
    tasks, luck_tasks = paired_sets([loaded], n, seed, snapshots, bool(sample_behaviour),
                                    bool(sample_inputs))
    tables, failed, luck = collect(tasks, out=out, workers=workers, scheduler=scheduler,
                                   resume=resume, progress=progress, luck_tasks=luck_tasks)
    start_q, end_q = q_index(sc.calendar.start), q_index(sc.calendar.end)
    target_metrics = sorted({t["metric"] for t in loaded.resolved["targets"]})
    if tables is None:
        metrics = read_metrics(out, target_metrics or ["enterprises"])
        luck = (read_metrics(out / LUCK_ONLY_DIR, target_metrics or ["enterprises"])
                if luck_tasks else None)
        ledger = firm_table = claims = None
    else:
        metrics, ledger, firm_table = tables[:3]
        claims = tables[5]
        luck = luck[0] if luck is not None else None
    targets = evaluate_targets(loaded.resolved["targets"], metrics, [sc.name], start_q, end_q,
                               luck, scale=sc.population.scale)
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
        "overrides": list(loaded.overrides),
        **uncertainty_fields(bool(sample_behaviour), n, keys),
        "resolved": loaded.resolved,
    }
    if out is not None:
        write_json(targets, out / "targets.json")
        write_manifest(out, manifest)
        return RunResult(manifest, None, None, targets)
    return RunResult(manifest, metrics, ledger, targets, firm_table, claims)


def uncertainty_fields(behaviour: bool, n: int, keys: list[str] | None = None) -> dict:
    """What a run's or comparison's headline counts, for its manifest: whether behaviour
    was sampled (``behaviour_sampled``; ``sample_behaviour`` is its deprecated alias), what
    the headline probabilities and the luck-only ones count, where the luck-only set is,
    and the largest Monte Carlo standard error of a probability at ``n`` replicates."""
    return {
        "behaviour_sampled": behaviour,
        "sample_behaviour": behaviour,  # deprecated alias of behaviour_sampled
        "inputs_sampled": bool(keys), "sampled_inputs": list(keys or []),
        "probability_kind": probability_kind(behaviour, keys or []),
        "uncertainty": uncertainty_counted(behaviour, keys or []),
        "probability_luck_only_kind": probability_kind(False),
        "luck_only_set": (f"{LUCK_ONLY_DIR}/: the same replicates at the scenario's own "
                          "behaviour and input values") if behaviour or keys
        else "the headline set itself",
        "probability_se_max": max_probability_se(n),
        "replicates_recommended": DEFAULT_REPLICATES,
    }
