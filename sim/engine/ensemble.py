"""Running many replicates: in parts on disk, resumable, on local workers or Dask.

A task is one replicate of one variant (or of one sweep point). With a results
folder, each finished task is written to ``DIR/parts/`` atomically (temporary name,
then rename; a ``.done`` marker last), so that a run killed at any moment can be
resumed with ``--resume``: finished parts are kept, missing or damaged ones run again.
Each part records the identity of what produced it (:func:`identity`) and a SHA-256 of
each of its tables; ``--resume`` refuses a folder whose parts were made by another
command (another seed, scenario, override, sweep value or version of the sources), and
runs again a part whose checksum does not match.
A task that raises is recorded with its error and does not stop the others. The
final tables are assembled from the parts in task order, streamed through a Parquet
writer, so memory stays bounded however many replicates there are, and the result is
the same whatever the number or kind of workers.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import os
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from sim.analysis.targets import value_at_checkpoint
from sim.core.calendar import q_index
from sim.engine.cluster import dispatch_dask
from sim.engine.folder import (LOCK_NAME, PID_NAME, OutputError, atomic_write_parquet,
                               atomic_write_text, clear_results, lock_folder, make_folder)
from sim.engine.replicate import ReplicateResult, progress_bar, run_replicate
from sim.scenario.loader import canonical_sha256, locate, set_at, value_at
from sim.scenario.params import BEHAVIOUR

TABLES = ("metrics", "ledger", "claims", "firms", "outcomes")
BEHAVIOUR_STREAM = 1000  # spawn_key (replicate, 1000): the behaviour draw
INPUTS_STREAM = 2000  # spawn_key (replicate, 2000): the inputs draw
MAX_ATTEMPTS = 3  # runs of a task whose worker process is lost before it is recorded failed


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
    sample_inputs: bool = False  # True: draw the scenario's ``inputs:`` per replicate


def sample_behaviour(resolved: dict, seed: int, replicate: int,
                     names: list[str] | None = None) -> tuple[dict, dict]:
    """Draw behaviour parameters (all, or ``names``) uniformly from their plausible ranges.

    The draw comes from ``SeedSequence(seed, spawn_key=(replicate, 1000))``: the same for
    a replicate whatever the variant, so variants stay paired on behaviour too.
    """

    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(replicate,
                                                                       BEHAVIOUR_STREAM)))
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


def sample_inputs(resolved: dict, seed: int, replicate: int) -> tuple[dict, dict]:
    """Draw each of the scenario's ``inputs:`` uniformly from its ``[low, high]``; return
    the scenario with the draws applied and the draws (key -> value drawn).

    The draws come from ``SeedSequence(seed, spawn_key=(replicate, 2000))``, one uniform
    number per row in the order of ``inputs:``: the same for a replicate whatever the
    variant, so variants stay paired on inputs too. A draw ``d`` is applied as a ratio to
    the row's ``central`` value (the value at the key in the scenario that declares the
    row): the key's value ``v`` in this scenario becomes ``v x d / central`` (``d`` itself
    where ``v`` is the central value), so a variant that changes a sampled key keeps its
    change; a dated value is scaled date by date; whole numbers are rounded.
    """
    rows = resolved.get("inputs") or []
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(replicate,
                                                                       INPUTS_STREAM)))
    u = rng.random(len(rows))
    r = copy.deepcopy(resolved)
    drawn = {}
    for x, row in zip(u, rows, strict=True):
        d = row["low"] + float(x) * (row["high"] - row["low"])
        loc = locate(r, row["key"])
        v = value_at(r, loc)
        set_at(r, loc, _scaled(v, d, row["central"]))
        first = next(iter(v.values())) if isinstance(v, dict) else v
        drawn[row["key"]] = int(round(d)) if isinstance(first, int) else d
    return r, drawn


def _scaled(v, d: float, central: float):
    """A value ``v`` under the draw ``d`` of an input centred on ``central``."""
    if isinstance(v, dict):  # a dated value: every date by the same ratio
        return {q: _scaled(x, d, central) for q, x in v.items()}
    new = d if v == central else v * d / central
    return int(round(new)) if isinstance(v, int) else float(new)


def run_task(task: Task) -> ReplicateResult:
    """Run one task (in a worker); never raises."""
    resolved, drawn, drawn_inputs = task.resolved, None, None
    try:
        if task.sample_inputs:
            resolved, drawn_inputs = sample_inputs(resolved, task.seed, task.replicate)
    except (LookupError, KeyError, TypeError, ValueError) as e:
        return ReplicateResult(task.variant, task.replicate,
                               error=f"drawing the inputs: {type(e).__name__}: {e}")
    if task.sample_behaviour:
        names = task.sample_behaviour if isinstance(task.sample_behaviour, list) else None
        resolved, drawn = sample_behaviour(resolved, task.seed, task.replicate, names)
    res = run_replicate(resolved, task.variant, task.replicate, task.seed, task.snapshots)
    if res.error is None:
        if drawn is not None:
            res.extra["behaviour"] = drawn
        if drawn_inputs is not None:
            res.extra["inputs"] = drawn_inputs
        if task.outcomes is not None:
            res.extra["outcomes"] = outcome_rows(res.metrics, task)
            res.metrics = None  # a sweep keeps only its outcomes
            led = res.ledger
            res.ledger_total = float(led["amount_wan"][~led["from_transfer"]].sum())
            res.ledger = res.claims = None
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


# ------------------------------------------------------------------------- identity


@functools.cache
def sources_sha256() -> str:
    """SHA-256 of the package's sources (every ``.py`` file under ``sim/``, sorted by
    path): the package version alone does not change when the model does. Once a
    process."""
    root = Path(__file__).resolve().parents[1]
    h = hashlib.sha256()
    for p in sorted(root.rglob("*.py")):
        h.update(p.relative_to(root).as_posix().encode("utf-8") + b"\0")
        h.update(p.read_bytes() + b"\0")
    return h.hexdigest()


def identity(task: Task, cache: dict | None = None) -> dict:
    """What produced a task's part: the resolved scenario's SHA-256 (after overrides and
    a sweep point's values; behaviour values and ranges and the ``inputs:`` rows
    included), variant, replicate, seed, behaviour sampling, input sampling
    (``inputs_sampled``), snapshots, the outcomes kept, the point's columns and the
    sources' SHA-256. Two parts of equal identity hold equal numbers."""
    if cache is None:
        cache = {}
    sha = cache.get(id(task.resolved))
    if sha is None:
        sha = cache[id(task.resolved)] = canonical_sha256(task.resolved)
    ident = {"scenario_sha256": sha, "variant": task.variant, "replicate": task.replicate,
             "seed": task.seed, "sample_behaviour": task.sample_behaviour,
             "inputs_sampled": bool(task.sample_inputs),
             "snapshots": task.snapshots, "outcomes": task.outcomes, "point": task.extra,
             "sim_sources_sha256": sources_sha256()}
    return json.loads(json.dumps(ident, sort_keys=True, default=str))


_WHAT = {"scenario_sha256": "the resolved scenario (file, --set and sweep values)",
         "seed": "the seed", "variant": "the variant", "replicate": "the replicate",
         "sample_behaviour": "behaviour sampling",
         "inputs_sampled": "input sampling (--sample-inputs)", "snapshots": "--snapshots",
         "outcomes": "the outcomes kept", "point": "the sweep point's values",
         "sim_sources_sha256": "the sim/ sources (another version of the model)"}


def differences(held: dict | None, wanted: dict) -> list[str]:
    """What differs between a part's identity and the one a command asks for."""
    if not held:
        return ["the part records no identity (made by an older version)"]
    out = []
    for k, v in wanted.items():
        if held.get(k) != v:
            a, b = held.get(k), v
            if k.endswith("sha256"):
                a, b = str(a)[:12], str(b)[:12]
            out.append(f"{_WHAT.get(k, k)}: the folder has {a!r}, this command {b!r}")
    return out


def check_resume(parts: Path, tasks: list[Task], idents: dict[str, dict]) -> None:
    """Refuse to resume a folder whose finished parts were made by another command
    (:class:`OutputError`, exit 2, saying what differs)."""
    for t in tasks:
        done = parts / f"{t.key}.done"
        if not done.is_file():
            continue
        try:
            held = json.loads(done.read_text(encoding="utf-8")).get("identity")
        except (OSError, ValueError, AttributeError):
            continue  # a damaged marker: the part runs again
        diff = differences(held, idents[t.key])
        if diff:
            raise OutputError(f"{parts.parent}: --resume would mix results: part {t.key} was "
                              f"made by another command ({'; '.join(diff)}) (valid: the "
                              "command that made the folder, or --overwrite, or another "
                              "--out)")


# ------------------------------------------------------------------------- parts


def _file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def save_part(parts: Path, task: Task, res: ReplicateResult,
              ident: dict | None = None) -> None:
    """Write a finished task's tables, then its marker (or its error). The marker holds
    the part's identity and the SHA-256 of each table."""
    if res.error is not None:
        atomic_write_text(json.dumps({"key": task.key, "variant": task.variant,
                                       "replicate": task.replicate, "error": res.error}),
                           parts / f"{task.key}.error.json")
        return
    written, sums = [], {}
    for name in TABLES:
        df = getattr(res, name, None) if name != "outcomes" else res.extra.get("outcomes")
        if df is not None:
            path = parts / f"{task.key}.{name}.parquet"
            atomic_write_parquet(df, path)
            written.append(name)
            sums[name] = _file_sha256(path)
    meta = {"tables": written, "behaviour": res.extra.get("behaviour"),
            "inputs": res.extra.get("inputs"),
            "ledger_total": getattr(res, "ledger_total", None),
            "identity": ident if ident is not None else identity(task), "sha256": sums}
    (parts / f"{task.key}.error.json").unlink(missing_ok=True)
    atomic_write_text(json.dumps(meta), parts / f"{task.key}.done")


def part_ok(parts: Path, key: str) -> bool:
    """A part is finished if its marker can be read and every table it names is whole:
    its SHA-256 is the one written with it (a part damaged anywhere, not only in its
    footer, runs again)."""
    done = parts / f"{key}.done"
    if not done.is_file():
        return False
    try:
        meta = json.loads(done.read_text(encoding="utf-8"))
        sums = meta["sha256"]
        for name in meta["tables"]:
            if _file_sha256(parts / f"{key}.{name}.parquet") != sums[name]:
                return False
    except Exception:
        return False
    return True


def execute(tasks: list[Task], *, parts: Path | None, workers: int = 1,
            scheduler: str | None = None, resume: bool = False,
            progress: bool = False) -> Iterator[tuple[Task, ReplicateResult | None]]:
    """Run the tasks; yield ``(task, result)`` as they finish (result None: resumed)."""
    todo, idents = tasks, {}
    if parts is not None:
        parts.mkdir(parents=True, exist_ok=True)
        cache: dict = {}
        idents = {t.key: identity(t, cache) for t in tasks}
        if resume:
            check_resume(parts, tasks, idents)
            todo = [t for t in tasks if not part_ok(parts, t.key)]
            for t in tasks:
                if t not in todo:
                    yield t, None
    bar = progress_bar(len(todo), progress)
    try:
        for task, res in _dispatch(todo, workers, scheduler):
            if parts is not None:
                save_part(parts, task, res, idents[task.key])
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
    yield from _dispatch_local(tasks, workers)


def _dispatch_local(tasks: list[Task], workers: int):
    """Run tasks in a pool of worker processes, at most 2 a worker in flight (bounded
    memory). A worker process that dies (killed, out of memory) breaks the pool: a new
    pool is made and the unfinished tasks are submitted again, each at most
    :data:`MAX_ATTEMPTS` times (a replicate's numbers depend only on its seed, so a
    re-run gives the same numbers); past that the task is recorded as failed."""
    import multiprocessing as mp
    import sys
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    ctx = mp.get_context("forkserver" if sys.platform.startswith("linux") else "spawn")
    queue = deque(tasks)
    order = {t.key: i for i, t in enumerate(tasks)}
    attempts: dict[str, int] = {}
    while queue:
        lost: list[Task] = []
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
            pending: dict = {}

            def fill() -> None:
                while queue and len(pending) < 2 * workers:
                    t = queue.popleft()
                    try:
                        pending[pool.submit(run_task, t)] = t
                    except BrokenProcessPool:
                        lost.append(t)
                        return

            fill()
            while pending and not lost:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    t = pending.pop(fut)
                    try:
                        res = fut.result()
                    except BrokenProcessPool:
                        lost.append(t)
                        continue
                    yield t, res
                if not lost:
                    fill()
            lost += pending.values()  # a broken pool loses every task in flight
        again = []
        for t in sorted(lost, key=lambda t: order[t.key]):
            attempts[t.key] = attempts.get(t.key, 0) + 1
            if attempts[t.key] >= MAX_ATTEMPTS:
                yield t, ReplicateResult(t.variant, t.replicate, error=(
                    f"its worker process was lost {attempts[t.key]} times (killed or out "
                    "of memory)"))
            else:
                again.append(t)
        queue.extendleft(reversed(again))


def assemble(parts: Path, tasks: list[Task], out: Path) -> dict:
    """Stream the parts into ``out/<table>.parquet`` in task order; return a summary."""
    writers: dict[str, pq.ParquetWriter] = {}
    failed, behaviour, inputs, totals = [], [], [], {}
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
            if meta.get("inputs"):
                inputs.append({"variant": t.variant, "replicate": t.replicate,
                               **meta["inputs"]})
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
    if inputs:
        atomic_write_parquet(pd.DataFrame(inputs), out / "inputs.parquet")
    return {"failed": failed, "tables": sorted(writers), "ledger_totals": totals}


def prepare(out: Path, overwrite: bool, resume: bool) -> Path:
    """Make the results folder and take its lock (one writer at a time); refuse to
    clobber one unless asked, and with ``overwrite`` replace only what this tool wrote;
    return parts/."""
    created = make_folder(out)
    lock_folder(out, created)
    held = [p for p in out.iterdir() if p.name not in (LOCK_NAME, PID_NAME)]
    if held and not (overwrite or resume):
        raise OutputError(f"{out}: results folder exists and is not empty (valid: another "
                          "--out, --resume to continue it, or --overwrite to replace it)")
    if overwrite and held:
        clear_results(out)
    return out / "parts"
