"""A batch of tasks for a command: the tasks of a scenario's replicates, the results
folder made ready, the tasks run (in parts there, or in memory), and the folder's
tables read back."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.engine.ensemble import Task, assemble, execute, prepare
from sim.engine.folder import now
from sim.engine.replicate import LEDGER_COLUMNS
from sim.scenario.loader import Problem, ScenarioError

METRIC_COLUMNS = ["variant", "replicate", "quarter", "zone", "sector", "metric", "value"]


LUCK_ONLY_DIR = "luck_only"  # the luck-only set's tables, inside a results folder


def make_tasks(loaded, n: int, seed: int, snapshots: bool = False,
               sample: bool = False, sample_inputs: bool = False,
               tag: str = "") -> list[Task]:
    """Replicates 0..n-1 of a loaded scenario as tasks (``tag`` is added to their keys,
    so two sets of the same replicates have their own parts)."""
    name = loaded.model.name
    return [Task(f"{name}--{tag}r{k:06d}", loaded.resolved, name, k, seed, snapshots, sample,
                 sample_inputs=sample_inputs) for k in range(n)]


def input_keys(scenarios: list[tuple[str, dict]], sample_inputs: bool) -> list[str]:
    """The keys a command draws per replicate with ``--sample-inputs`` (none without it):
    those of the first scenario's ``inputs:``. ``scenarios`` are ``(where, resolved)``
    pairs (a comparison's base and variants). :class:`ScenarioError` if the first
    declares no inputs, or another declares other keys (their draws would not be
    paired)."""
    if not sample_inputs:
        return []
    where, first = scenarios[0]
    keys = [r["key"] for r in first.get("inputs") or []]
    if not keys:
        raise ScenarioError([Problem(where, 0, "inputs", "--sample-inputs, but the scenario "
                                     "declares no inputs (valid: an inputs: section, "
                                     "docs/scenario.md, or leave out --sample-inputs)")])
    for w, r in scenarios[1:]:
        other = [x["key"] for x in r.get("inputs") or []]
        if other != keys:
            raise ScenarioError([Problem(w, 0, "inputs", f"declares the inputs "
                                         f"{', '.join(other) or '(none)'}, the base "
                                         f"{', '.join(keys)} (valid: the same inputs: rows in "
                                         "the same order, e.g. inherited with extends:, so "
                                         "each replicate's draw is paired)")])
    return keys


def paired_sets(allv: list, n: int, seed: int, snapshots: bool, behaviour: bool,
                sample_inputs: bool = False) -> tuple[list[Task], list[Task]]:
    """The tasks of the headline set (behaviour sampled unless ``behaviour`` is False;
    inputs sampled with ``sample_inputs``) and of the luck-only set beside it: the same
    replicates 0..n-1 of the same seed at the scenarios' own behaviour and input values
    (empty when the headline is itself luck only), so the two differ by what was sampled
    alone."""
    head = [t for L in allv for t in make_tasks(L, n, seed, snapshots, behaviour,
                                                sample_inputs)]
    luck = ([t for L in allv for t in make_tasks(L, n, seed, False, False, False, "luck-")]
            if behaviour or sample_inputs else [])
    return head, luck


def _tables(results: list):
    """The tables of finished replicates (metrics, ledger, firms, behaviour draws, input
    draws, claims) and the failures."""
    mets, leds, firms, failed, behaviour, inputs, claims = [], [], [], [], [], [], []
    for r in results:
        if r.error:
            failed.append({"variant": r.variant, "replicate": r.replicate, "error": r.error})
            continue
        mets.append(r.metrics)
        leds.append(r.ledger)
        if r.claims is not None:
            claims.append(r.claims)
        if r.firms is not None:
            firms.append(r.firms)
        if "behaviour" in r.extra:
            behaviour.append({"variant": r.variant, "replicate": r.replicate,
                              **r.extra["behaviour"]})
        if "inputs" in r.extra:
            inputs.append({"variant": r.variant, "replicate": r.replicate,
                           **r.extra["inputs"]})
    metrics = (pd.concat(mets, ignore_index=True) if mets else
               pd.DataFrame(columns=METRIC_COLUMNS))
    ledger = (pd.concat(leds, ignore_index=True) if leds else
              pd.DataFrame(columns=LEDGER_COLUMNS))
    return (metrics, ledger, pd.concat(firms, ignore_index=True) if firms else None,
            pd.DataFrame(behaviour) if behaviour else None,
            pd.DataFrame(inputs) if inputs else None,
            pd.concat(claims, ignore_index=True) if claims else None), failed


def collect(tasks: list[Task], *, out: Path | None, workers: int, scheduler: str | None,
            resume: bool, progress: bool, luck_tasks: list[Task] | None = None):
    """Run tasks (and ``luck_tasks``, the luck-only set, in the same pool); with ``out``,
    in parts there, then assembled (the luck-only set into ``out/luck_only/``). Returns
    the tables or None (read them from ``out``), the failures (of both sets), and the
    luck-only set's tables (None with ``out`` or without ``luck_tasks``)."""
    luck_tasks = luck_tasks or []
    parts = out / "parts" if out is not None else None
    done = {}
    for task, r in execute(tasks + luck_tasks, parts=parts, workers=workers,
                           scheduler=scheduler, resume=resume, progress=progress):
        if parts is None and r is not None:
            done[task.key] = r
    if parts is not None:
        failed = assemble(parts, tasks, out)["failed"]
        if luck_tasks:
            (out / LUCK_ONLY_DIR).mkdir(exist_ok=True)
            failed += [{**f, "set": "luck only"} for f in
                       assemble(parts, luck_tasks, out / LUCK_ONLY_DIR)["failed"]]
        return None, failed, None
    # in task order, whatever order the workers finished in
    tables, failed = _tables([done[t.key] for t in tasks if t.key in done])
    luck = None
    if luck_tasks:
        luck, lf = _tables([done[t.key] for t in luck_tasks if t.key in done])
        failed += [{**f, "set": "luck only"} for f in lf]
    return tables, failed, luck


def read_metrics(out: Path, metrics: list[str] | None = None) -> pd.DataFrame:
    """The metrics table of a results folder (only some metrics, to bound memory); of its
    luck-only set with ``out / LUCK_ONLY_DIR``."""
    path = out / "metrics.parquet"
    if not path.exists():
        return pd.DataFrame(columns=METRIC_COLUMNS)
    filters = [("metric", "in", list(metrics))] if metrics else None
    return pd.read_parquet(path, filters=filters)


def read_ledger(out: Path) -> pd.DataFrame:
    """The ledger of a results folder."""
    path = out / "ledger.parquet"
    return pd.read_parquet(path) if path.exists() else pd.DataFrame(columns=LEDGER_COLUMNS)


def begin(sc, replicates, seed, out, overwrite: bool, resume: bool):
    """Replicates and seed (the scenario's unless given), the results folder made ready
    (``prepare``) and the start time: what every ensemble command does first."""
    n = int(replicates if replicates is not None else sc.replicates)
    seed = int(sc.seed if seed is None else seed)
    out = Path(out) if out is not None else None
    if out is not None:
        prepare(out, overwrite, resume)
    return n, seed, out, now()


def run_in_folder(tasks: list[Task], out: Path, *, workers: int, scheduler: str | None,
                  resume: bool, overwrite: bool, progress: bool) -> tuple[str, dict]:
    """Make ``out`` ready, run every task into its parts, assemble the folder's tables;
    return the start time and the assembly's summary (``failed``, ``tables``)."""
    parts = prepare(out, overwrite, resume)
    started = now()
    for _ in execute(tasks, parts=parts, workers=workers, scheduler=scheduler,
                     resume=resume, progress=progress):
        pass
    return started, assemble(parts, tasks, out)
