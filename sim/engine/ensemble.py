"""Running many replicates: in parts on disk, resumable, on local workers or Dask.

A task is one replicate of one variant (or of one sweep point). With a results
folder, each finished task is written to ``DIR/parts/`` atomically (temporary name,
then rename; a ``.done`` marker last), so that a run killed at any moment can be
resumed with ``--resume``: finished parts are kept, missing or damaged ones run again.
A task that raises is recorded with its error and does not stop the others. The
final tables are assembled from the parts in task order, streamed through a Parquet
writer, so memory stays bounded however many replicates there are, and the result is
the same whatever the number or kind of workers.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from sim.analysis.targets import value_at_checkpoint
from sim.core.calendar import q_index
from sim.engine.cluster import dispatch_dask
from sim.engine.folder import OutputError, atomic_write_parquet, atomic_write_text
from sim.engine.replicate import ReplicateResult, progress_bar, run_replicate
from sim.scenario.params import BEHAVIOUR

TABLES = ("metrics", "ledger", "firms", "outcomes")


@dataclass
class Task:
    """One replicate to run: its key names its part files."""

    key: str
    resolved: dict
    variant: str
    replicate: int
    seed: int
    snapshots: bool = False
    sample_behaviour: bool | list = False  # True: every parameter; a list: those
    outcomes: list | None = None  # for sweeps: keep only these values
    extra: dict = field(default_factory=dict)  # columns added to outcome rows (sweep point)


def sample_behaviour(resolved: dict, seed: int, replicate: int,
                     names: list[str] | None = None) -> tuple[dict, dict]:
    """Draw behaviour parameters (all, or ``names``) uniformly from their plausible ranges.

    The draw comes from ``SeedSequence(seed, spawn_key=(replicate, 1000))``: the same for
    a replicate whatever the variant, so variants stay paired on behaviour too.
    """

    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(replicate, 1000)))
    u = rng.random(len(BEHAVIOUR))
    drawn = {}
    for x, (name, p) in zip(u, BEHAVIOUR.items(), strict=True):
        if names is not None and name not in names:
            continue  # drawn anyway: a parameter's draw does not depend on the others
        drawn[name] = p.low + x * (p.high - p.low)
    r = with_behaviour(resolved, drawn)
    return r, {k: r["behaviour"][k] for k in drawn}


def with_behaviour(resolved: dict, values: dict) -> dict:
    """The resolved scenario with these behaviour values (whole-number parameters
    rounded)."""

    vals = {k: (int(round(v)) if BEHAVIOUR[k].integer else float(v)) for k, v in values.items()}
    return {**resolved, "behaviour": {**resolved["behaviour"], **vals}}


def run_task(task: Task) -> ReplicateResult:
    """Run one task (in a worker); never raises."""
    resolved, drawn = task.resolved, None
    if task.sample_behaviour:
        names = task.sample_behaviour if isinstance(task.sample_behaviour, list) else None
        resolved, drawn = sample_behaviour(task.resolved, task.seed, task.replicate, names)
    res = run_replicate(resolved, task.variant, task.replicate, task.seed, task.snapshots)
    if res.error is None:
        if drawn is not None:
            res.extra["behaviour"] = drawn
        if task.outcomes is not None:
            res.extra["outcomes"] = outcome_rows(res.metrics, task)
            res.metrics = None  # a sweep keeps only its outcomes
            res.ledger_total = float(res.ledger["amount_wan"].sum())
            res.ledger = None
    return res


def outcome_rows(metrics: pd.DataFrame, task: Task) -> pd.DataFrame:
    """The outcomes a sweep keeps: one row per outcome of this replicate."""

    start_q = q_index(task.resolved["calendar"]["start"])
    rows = []
    for o in task.outcomes:
        t = value_at_checkpoint(metrics, o["metric"], o["quarter"], start_q, o.get("zone", "ALL"))
        val = float(t.iloc[0, 0]) if t.size else float("nan")
        rows.append({**task.extra, "replicate": task.replicate, "outcome": o["id"],
                     "metric": o["metric"], "zone": o.get("zone", "ALL"),
                     "quarter": o["quarter"], "value": val})
    return pd.DataFrame(rows)


# ------------------------------------------------------------------------- parts


def save_part(parts: Path, task: Task, res: ReplicateResult) -> None:
    """Write a finished task's tables, then its marker (or its error)."""
    if res.error is not None:
        atomic_write_text(json.dumps({"key": task.key, "variant": task.variant,
                                       "replicate": task.replicate, "error": res.error}),
                           parts / f"{task.key}.error.json")
        return
    written = []
    for name in TABLES:
        df = getattr(res, name, None) if name != "outcomes" else res.extra.get("outcomes")
        if df is not None:
            atomic_write_parquet(df, parts / f"{task.key}.{name}.parquet")
            written.append(name)
    meta = {"tables": written, "behaviour": res.extra.get("behaviour"),
            "ledger_total": getattr(res, "ledger_total", None)}
    (parts / f"{task.key}.error.json").unlink(missing_ok=True)
    atomic_write_text(json.dumps(meta), parts / f"{task.key}.done")


def part_ok(parts: Path, key: str) -> bool:
    """A part is finished if its marker and every table it names can be read."""
    done = parts / f"{key}.done"
    if not done.is_file():
        return False
    try:
        meta = json.loads(done.read_text(encoding="utf-8"))
        for name in meta["tables"]:
            pq.read_metadata(parts / f"{key}.{name}.parquet")
    except Exception:
        return False
    return True


def execute(tasks: list[Task], *, parts: Path | None, workers: int = 1,
            scheduler: str | None = None, resume: bool = False,
            progress: bool = False) -> Iterator[tuple[Task, ReplicateResult | None]]:
    """Run the tasks; yield ``(task, result)`` as they finish (result None: resumed)."""
    todo = tasks
    if parts is not None:
        parts.mkdir(parents=True, exist_ok=True)
        if resume:
            todo = [t for t in tasks if not part_ok(parts, t.key)]
            for t in tasks:
                if t not in todo:
                    yield t, None
    bar = progress_bar(len(todo), progress)
    try:
        for task, res in _dispatch(todo, workers, scheduler):
            if parts is not None:
                save_part(parts, task, res)
            bar.update(1)
            yield task, res
    finally:
        bar.close()


def _dispatch(tasks: list[Task], workers: int, scheduler: str | None):
    if not tasks:
        return
    if scheduler:

        yield from dispatch_dask(tasks, scheduler, run_task)
        return
    if workers <= 1 or len(tasks) == 1:
        for t in tasks:
            yield t, run_task(t)
        return
    import multiprocessing as mp
    import sys
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    ctx = mp.get_context("forkserver" if sys.platform.startswith("linux") else "spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        pending = {}
        it = iter(tasks)
        for t in it:  # keep at most 2 tasks a worker in flight: bounded memory
            pending[pool.submit(run_task, t)] = t
            if len(pending) >= 2 * workers:
                break
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                t = pending.pop(fut)
                yield t, fut.result()
                nxt = next(it, None)
                if nxt is not None:
                    pending[pool.submit(run_task, nxt)] = nxt


def assemble(parts: Path, tasks: list[Task], out: Path) -> dict:
    """Stream the parts into ``out/<table>.parquet`` in task order; return a summary."""
    writers: dict[str, pq.ParquetWriter] = {}
    failed, behaviour, totals = [], [], {}
    try:
        for t in tasks:
            if not part_ok(parts, t.key):
                err = parts / f"{t.key}.error.json"
                msg = (json.loads(err.read_text(encoding="utf-8"))["error"] if err.is_file()
                       else "not run")
                failed.append({"variant": t.variant, "replicate": t.replicate, "key": t.key,
                               "error": msg})
                continue
            meta = json.loads((parts / f"{t.key}.done").read_text(encoding="utf-8"))
            if meta.get("behaviour"):
                behaviour.append({"variant": t.variant, "replicate": t.replicate,
                                  **meta["behaviour"]})
            if meta.get("ledger_total") is not None:
                totals[t.key] = meta["ledger_total"]
            for name in meta["tables"]:
                table = pq.read_table(parts / f"{t.key}.{name}.parquet")
                if name not in writers:
                    writers[name] = pq.ParquetWriter(out / f".{name}.parquet.tmp",
                                                      table.schema, compression="zstd")
                writers[name].write_table(table.cast(writers[name].schema))
    finally:
        for w in writers.values():
            w.close()
    for name in writers:
        os.replace(out / f".{name}.parquet.tmp", out / f"{name}.parquet")
    if behaviour:
        atomic_write_parquet(pd.DataFrame(behaviour), out / "behaviour.parquet")
    return {"failed": failed, "tables": sorted(writers), "ledger_totals": totals}


def prepare(out: Path, overwrite: bool, resume: bool) -> Path:
    """Make the results folder; refuse to clobber one unless asked; return parts/."""
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out}: exists and is not a folder (valid: a folder path)")
    if out.exists() and any(out.iterdir()) and not (overwrite or resume):
        raise OutputError(f"{out}: results folder exists and is not empty (valid: another "
                          "--out, --resume to continue it, or --overwrite to replace it)")
    if overwrite and out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    return out / "parts"
