"""The results folder (docs/interface.md "Results folder"), written atomically.

Files are written into a temporary folder beside the target and moved into place
only when all of them are complete, so a results folder is never half-written.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from sim.calendar import q_index, q_label
from sim.metrics import FLOW_METRICS

SCHEMA_VERSION = 1


class OutputError(Exception):
    """A results folder that cannot be written as asked (exit 2)."""


def versions() -> dict:
    """Versions of the package and what it runs on."""
    import mesa

    from sim import __version__

    return {"hitech_sim": __version__, "mesa": mesa.__version__, "numpy": np.__version__,
            "pandas": pd.__version__, "python": platform.python_version()}


def prepare_out(out: Path, overwrite: bool) -> None:
    """Refuse to clobber a non-empty results folder unless ``overwrite``."""
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out}: exists and is not a folder (valid: a folder path)")
    if out.exists() and any(out.iterdir()) and not overwrite:
        raise OutputError(f"{out}: results folder exists and is not empty (valid: another "
                          "--out, or --overwrite to replace it)")


def evaluate_targets(targets: list[dict], metrics: pd.DataFrame, variants: list[str],
                     start_q: int, end_q: int) -> list[dict]:
    """Per variant and target: probability of meeting it, median, 5% and 95% quantiles.

    A stock is read at quarter ``by``; a flow is summed over the four quarters ending at
    ``by`` (those inside the calendar). A target dated after the calendar's end is not
    evaluated (``probability: null``).
    """
    out = []
    for v in variants:
        mv = metrics[metrics["variant"] == v]
        for t in targets:
            rec = {"variant": v, **{k: t[k] for k in ("id", "metric", "zone", "sector", "by",
                                                      "op", "threshold")}}
            by = q_index(t["by"])
            if by > end_q:
                rec.update(probability=None, median=None, p05=None, p95=None,
                           note="not evaluated: after the calendar's end")
                out.append(rec)
                continue
            sel = mv[(mv["metric"] == t["metric"]) & (mv["zone"] == t["zone"])
                     & (mv["sector"] == t["sector"])]
            if t["metric"] in FLOW_METRICS:
                qs = [q_label(q) for q in range(max(by - 3, start_q), by + 1)]
                vals = sel[sel["quarter"].isin(qs)].groupby("replicate")["value"].sum()
            else:
                vals = sel[sel["quarter"] == t["by"]].set_index("replicate")["value"]
            x = vals.to_numpy(dtype=float)
            if x.size == 0:
                rec.update(probability=None, median=None, p05=None, p95=None,
                           note="not evaluated: no values")
            else:
                met = x >= t["threshold"] if t["op"] == ">=" else x <= t["threshold"]
                rec.update(probability=float(met.mean()), median=float(np.median(x)),
                           p05=float(np.quantile(x, 0.05)), p95=float(np.quantile(x, 0.95)),
                           replicates=int(x.size))
            out.append(rec)
    return out


def write_folder(out: Path, *, manifest: dict, metrics: pd.DataFrame, ledger: pd.DataFrame,
                 targets: list[dict], firms: pd.DataFrame | None = None,
                 extra: dict[str, pd.DataFrame] | None = None) -> None:
    """Write every file into a temporary folder, then move it to ``out``.

    ``extra`` maps file names to tables written as CSV (UTF-8 with BOM, so that Excel
    reads Chinese correctly).
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    try:
        _parquet(metrics, tmp / "metrics.parquet")
        _parquet(ledger, tmp / "ledger.parquet")
        if firms is not None:
            _parquet(firms, tmp / "firms.parquet")
        for name, table in (extra or {}).items():
            table.to_csv(tmp / name, index=False, encoding="utf-8-sig")
        (tmp / "targets.json").write_text(json.dumps(targets, ensure_ascii=False, indent=1),
                                          encoding="utf-8")
        manifest = dict(manifest)
        manifest["finished"] = now()
        (tmp / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1),
                                           encoding="utf-8")
        if out.exists():
            old = out.parent / f".{out.name}.old-{os.getpid()}"
            os.replace(out, old)
            os.replace(tmp, out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _parquet(df: pd.DataFrame, path: Path) -> None:
    df.to_parquet(path, index=False, engine="pyarrow", compression="zstd")


def now() -> str:
    """The time now, ISO 8601 with time zone."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
