"""Running tasks on a Dask cluster (``--scheduler tcp://HOST:PORT``).

Each replicate is a Dask task with an explicit key (the task's key and this
invocation's id); workers run :func:`sim.engine.ensemble.run_task` and return tables; the
client (this process) writes every result. Workers need this package installed (the
same version): start them from the same environment, e.g.::

    .venv/bin/dask scheduler --host 127.0.0.1 --port 8786
    .venv/bin/dask worker tcp://127.0.0.1:8786 --nworkers 2 --nthreads 1
"""

from __future__ import annotations

import uuid


class ClusterError(Exception):
    """The scheduler cannot be reached or used (exit 2: a bad --scheduler)."""


def dispatch_dask(tasks, address: str, run_task):
    """Submit ``run_task(task)`` of every task to the scheduler; yield ``(task, result)``
    as they finish."""
    try:
        from distributed import Client, as_completed
    except ImportError as e:  # pragma: no cover - a dependency of the package
        raise ClusterError(f"dask.distributed is not installed ({e})") from None
    try:
        client = Client(address, timeout="15s", set_as_default=False)
    except (OSError, TimeoutError) as e:
        raise ClusterError(f"--scheduler {address}: cannot reach a Dask scheduler there "
                           f"({type(e).__name__}: {e}); valid: the address a running "
                           "`dask scheduler` prints, e.g. tcp://127.0.0.1:8786") from None
    run_id = uuid.uuid4().hex[:12]
    try:
        futures = {}
        for t in tasks:
            fut = client.submit(run_task, t, key=f"hitech-sim-{run_id}-{t.key}", pure=False)
            futures[fut] = t
        for fut in as_completed(list(futures), loop=client.loop):
            t = futures.pop(fut)
            res = fut.result()
            fut.release()
            yield t, res
    finally:
        client.close()
