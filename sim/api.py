"""Running a scenario from Python or the CLI: replicates in, results folder out."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sim.calendar import q_index
from sim.ensemble import Task, assemble, execute, prepare
from sim.results import evaluate_targets, now, versions
from sim.runner import LEDGER_COLUMNS

METRIC_COLUMNS = ["variant", "replicate", "quarter", "zone", "sector", "metric", "value"]


@dataclass
class RunResult:
    """The tables of a run (as written to its results folder)."""

    manifest: dict
    metrics: pd.DataFrame | None
    ledger: pd.DataFrame | None
    targets: list[dict]
    firms: pd.DataFrame | None = None


def probability_kind(sample: bool | list) -> str:
    """What a target probability counts, for manifests and reports."""
    if isinstance(sample, list) and sample:
        return ("luck and behaviour uncertainty (each replicate draws these behaviour "
                f"parameters from their plausible ranges: {', '.join(sample)})")
    if sample:
        return ("luck and behaviour uncertainty (each replicate draws every behaviour "
                "parameter from its plausible range)")
    return "luck only (replicates with the scenario's behaviour values)"


def make_tasks(loaded, n: int, seed: int, snapshots: bool = False,
               sample: bool = False) -> list[Task]:
    """Replicates 0..n-1 of a loaded scenario as tasks."""
    name = loaded.model.name
    return [Task(f"{name}--r{k:06d}", loaded.resolved, name, k, seed, snapshots, sample)
            for k in range(n)]


def collect(tasks: list[Task], *, out: Path | None, workers: int, scheduler: str | None,
            resume: bool, progress: bool):
    """Run tasks; with ``out``, in parts there, then assembled. Returns tables or None
    (read them from ``out``) and the failures."""
    parts = out / "parts" if out is not None else None
    mets, leds, firms, failed, behaviour = [], [], [], [], []
    done = {}
    for task, r in execute(tasks, parts=parts, workers=workers, scheduler=scheduler,
                           resume=resume, progress=progress):
        if parts is None and r is not None:
            done[task.key] = r
    # in task order, whatever order the workers finished in
    for r in (done[t.key] for t in tasks if t.key in done):
        if r.error:
            failed.append({"variant": r.variant, "replicate": r.replicate, "error": r.error})
            continue
        mets.append(r.metrics)
        leds.append(r.ledger)
        if r.firms is not None:
            firms.append(r.firms)
        if "behaviour" in r.extra:
            behaviour.append({"variant": r.variant, "replicate": r.replicate,
                              **r.extra["behaviour"]})
    if parts is not None:
        summary = assemble(parts, tasks, out)
        return None, summary["failed"]
    metrics = (pd.concat(mets, ignore_index=True) if mets else
               pd.DataFrame(columns=METRIC_COLUMNS))
    ledger = (pd.concat(leds, ignore_index=True) if leds else
              pd.DataFrame(columns=LEDGER_COLUMNS))
    return (metrics, ledger, pd.concat(firms, ignore_index=True) if firms else None,
            pd.DataFrame(behaviour) if behaviour else None), failed


def read_metrics(out: Path, metrics: list[str] | None = None) -> pd.DataFrame:
    """The metrics table of a results folder (only some metrics, to bound memory)."""
    path = out / "metrics.parquet"
    if not path.exists():
        return pd.DataFrame(columns=METRIC_COLUMNS)
    filters = [("metric", "in", list(metrics))] if metrics else None
    return pd.read_parquet(path, filters=filters)


def read_ledger(out: Path) -> pd.DataFrame:
    """The ledger of a results folder."""
    path = out / "ledger.parquet"
    return pd.read_parquet(path) if path.exists() else pd.DataFrame(columns=LEDGER_COLUMNS)


def write_manifest(out: Path, manifest: dict) -> None:
    """Write manifest.json last, atomically."""
    from sim.ensemble import _atomic_write_text

    manifest["finished"] = now()
    _atomic_write_text(json.dumps(manifest, ensure_ascii=False, indent=1),
                       out / "manifest.json")


def run_scenario(loaded, *, replicates: int | None = None, seed: int | None = None,
                 workers: int = 1, snapshots: bool = False, out: str | Path | None = None,
                 overwrite: bool = False, resume: bool = False, progress: bool = False,
                 sample_behaviour: bool = False, scheduler: str | None = None) -> RunResult:
    """Run ``replicates`` replicates of a loaded scenario (:func:`sim.load_scenario`).

    Replicate k draws from ``SeedSequence(seed, spawn_key=(k,))``. With ``out``, the
    results folder is written there in parts (``--resume`` continues it); an existing
    non-empty folder is replaced only with ``overwrite``. Without ``out`` the tables are
    returned in memory. With ``sample_behaviour`` each replicate draws the behaviour
    parameters from their plausible ranges (the same draw for replicate k in every
    variant).
    """
    sc = loaded.model
    n = int(replicates if replicates is not None else sc.replicates)
    seed = int(sc.seed if seed is None else seed)
    out = Path(out) if out is not None else None
    if out is not None:
        prepare(out, overwrite, resume)
    started = now()
    tasks = make_tasks(loaded, n, seed, snapshots, sample_behaviour)
    tables, failed = collect(tasks, out=out, workers=workers, scheduler=scheduler,
                             resume=resume, progress=progress)
    start_q, end_q = q_index(sc.calendar.start), q_index(sc.calendar.end)
    target_metrics = {t["metric"] for t in loaded.resolved["targets"]}
    if tables is None:
        metrics = read_metrics(out, sorted(target_metrics) or ["enterprises"])
        ledger = firm_table = None
    else:
        metrics, ledger, firm_table, _ = tables
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
        "probability_kind": probability_kind(sample_behaviour),
        "resolved": loaded.resolved,
    }
    if out is not None:
        from sim.ensemble import _atomic_write_text

        _atomic_write_text(json.dumps(targets, ensure_ascii=False, indent=1),
                           out / "targets.json")
        write_manifest(out, manifest)
        return RunResult(manifest, None, None, targets)
    return RunResult(manifest, metrics, ledger, targets, firm_table)
