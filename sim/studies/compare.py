"""``hitech-sim compare``: variants against a base on the same replicate seeds.

Every variant runs replicates 0..N-1 with the base's seed (common random numbers), so
a difference between a variant and the base is read replicate by replicate: the
comparison reports the distribution of paired differences (mean, median, 5% and 95%
quantiles = the 90% interval), per metric and checkpoint, and the fiscal cost from
the ledger with the cost per unit of outcome.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sim.analysis.paired import (COMPARE_METRICS, MONEY_METRICS, beside_luck_only,
                                 paired_differences)
from sim.analysis.targets import evaluate_targets
from sim.core.calendar import q_index
from sim.engine.batch import (LUCK_ONLY_DIR, begin, collect, input_keys, paired_sets, read_ledger,
                              read_metrics)
from sim.engine.folder import atomic_write_text, holds_folders, versions, write_manifest
from sim.scenario.loader import Problem, ScenarioError
from sim.studies.run import uncertainty_fields


@dataclass
class CompareResult:
    """The tables of a comparison (as written to its results folder)."""

    manifest: dict
    metrics: pd.DataFrame
    ledger: pd.DataFrame
    targets: list[dict]
    differences: pd.DataFrame
    differences_luck_only: pd.DataFrame | None = None


@holds_folders
def compare(base_loaded, variant_loaded: list, *, replicates: int | None = None,
            seed: int | None = None, workers: int = 1, out: str | Path | None = None,
            overwrite: bool = False, resume: bool = False, progress: bool = False,
            sample_behaviour: bool = True, sample_inputs: bool = False,
            scheduler: str | None = None) -> CompareResult:
    """Run the base and each variant on the same seeds and compare them.

    As in :func:`sim.studies.run.run_scenario`, the headline (differences, target
    probabilities) counts luck and behaviour uncertainty unless ``sample_behaviour`` is
    False (and input uncertainty with ``sample_inputs``: replicate k of every variant
    draws the same inputs, the base's ``inputs:`` rows, which every variant must share),
    and the luck-only figures come from a second set of the same replicates at the
    scenarios' own behaviour and inputs (``luck_only/``; ``luck_only_*`` columns of the
    comparison).
    """

    b = base_loaded.model
    names = [b.name] + [v.model.name for v in variant_loaded]
    dup = {x for x in names if names.count(x) > 1}
    if dup:
        raise ScenarioError([Problem(str(variant_loaded[0].path), 0, "name",
                                     f"two scenarios are named {sorted(dup)[0]!r} (valid: "
                                     "give each variant its own name:)")])
    for v in variant_loaded:
        if (v.model.calendar.start, v.model.calendar.end) != (b.calendar.start, b.calendar.end):
            raise ScenarioError([Problem(str(v.path), 0, "calendar", "differs from the "
                                         "base's calendar (valid: the same start and end, so "
                                         "quarters can be paired)")])
    allv = [base_loaded] + list(variant_loaded)
    keys = input_keys([(str(L.path), L.resolved) for L in allv], sample_inputs)
    n, seed, out, started = begin(b, replicates, seed, out, overwrite, resume)
    tasks, luck_tasks = paired_sets(allv, n, seed, False, bool(sample_behaviour),
                                    bool(sample_inputs))
    tables, failed, luck = collect(tasks, out=out, workers=workers, scheduler=scheduler,
                                   resume=resume, progress=progress, luck_tasks=luck_tasks)
    wanted = sorted(set(COMPARE_METRICS) | set(MONEY_METRICS) | {t["metric"] for t in
                                            base_loaded.resolved["targets"]})
    if tables is None:
        metrics, ledger = read_metrics(out, wanted), read_ledger(out)
        if luck_tasks:
            luck = (read_metrics(out / LUCK_ONLY_DIR, wanted), read_ledger(out / LUCK_ONLY_DIR))
    else:
        metrics, ledger = tables[0], tables[1]
    start_q, end_q = q_index(b.calendar.start), q_index(b.calendar.end)
    targets = evaluate_targets(base_loaded.resolved["targets"], metrics, names, start_q, end_q,
                               luck[0] if luck is not None else None,
                               scale={L.model.name: L.model.population.scale for L in allv})
    checkpoints = [c for c in b.calendar.checkpoints if q_index(c) <= end_q] or [
        b.calendar.end]
    diffs = paired_differences(metrics, ledger, b.name, names[1:], checkpoints, start_q, n)
    luck_diffs = (paired_differences(luck[0], luck[1], b.name, names[1:], checkpoints,
                                     start_q, n) if luck is not None else None)
    diffs = beside_luck_only(diffs, luck_diffs)
    manifest = {
        "schema_version": 1, "command": "compare", "scenario": b.name,
        "scenario_sha256": base_loaded.sha256, "seed": seed, "replicates": n,
        "population_scale": b.population.scale, "workers": workers, "scheduler": scheduler,
        "versions": versions(), "started": started, "finished": None,
        "status": "complete" if not failed else "partial", "failed": failed,
        "variants": names,
        "overrides": list(base_loaded.overrides),
        "variant_sha256": {L.model.name: L.sha256 for L in allv},
        **uncertainty_fields(bool(sample_behaviour), n, keys),
        "pairing": "common random numbers: every variant runs replicates 0..N-1 of the "
                   "base's seed",
        "resolved": {L.model.name: L.resolved for L in allv},
    }
    if out is not None:
        diffs.to_csv(out / ".comparison.csv.tmp", index=False, encoding="utf-8-sig")
        (out / ".comparison.csv.tmp").replace(out / "comparison.csv")
        if luck_diffs is not None:
            lo = out / LUCK_ONLY_DIR
            luck_diffs.to_csv(lo / ".comparison.csv.tmp", index=False, encoding="utf-8-sig")
            (lo / ".comparison.csv.tmp").replace(lo / "comparison.csv")
        atomic_write_text(json.dumps(targets, ensure_ascii=False, indent=1),
                           out / "targets.json")
        write_manifest(out, manifest)
    return CompareResult(manifest, metrics, ledger, targets, diffs, luck_diffs)
