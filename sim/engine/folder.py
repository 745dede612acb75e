"""Shared pieces of the results folder (docs/interface.md "Results folder"): versions,
time stamps, the error for a folder that cannot be written. The folder itself is written in parts by
:mod:`sim.engine.ensemble`."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import os
import platform
import re
import shutil
from pathlib import Path

from filelock import FileLock, Timeout

import numpy as np
import pandas as pd

from sim.core.version import __version__


SCHEMA_VERSION = 1


class OutputError(Exception):
    """A results folder that cannot be written as asked (exit 2)."""


def versions() -> dict:
    """Versions of the package and what it runs on."""
    import mesa

    return {"hitech_sim": __version__, "mesa": mesa.__version__, "numpy": np.__version__,
            "pandas": pd.__version__, "python": platform.python_version()}


def now() -> str:
    """The time now, ISO 8601 with time zone."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def atomic_write_parquet(df: pd.DataFrame, path: Path) -> None:
    """Write a table so that a reader sees the old file or the whole new one."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    df.to_parquet(tmp, index=False, engine="pyarrow")
    os.replace(tmp, path)


def atomic_write_text(text: str, path: Path) -> None:
    """Write a text file so that a reader sees the old file or the whole new one."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def write_json(data, path: Path) -> None:
    """A JSON file of the results folder (UTF-8, Chinese as is), atomically."""
    atomic_write_text(json.dumps(data, ensure_ascii=False, indent=1), path)


def parts_summary(out: Path) -> dict | None:
    """What the folder's parts record they were made by (seeds, replicates, scenario and
    sources hashes), or None without parts."""
    parts = out / "parts"
    if not parts.is_dir():
        return None
    idents = []
    for done in sorted(parts.glob("*.done")):
        try:
            idents.append(json.loads(done.read_text(encoding="utf-8")).get("identity") or {})
        except (OSError, ValueError, AttributeError):
            continue
    if not idents:
        return None
    by_variant: dict[str, set] = {}
    for i in idents:
        by_variant.setdefault(str(i.get("variant")), set()).add(i.get("replicate"))
    return {"parts": len(idents),
            "seeds": sorted({i.get("seed") for i in idents}, key=str),
            "replicates": {v: len(r) for v, r in by_variant.items()},
            "scenario_sha256": sorted({str(i.get("scenario_sha256")) for i in idents}),
            "inputs_sampled": sorted({bool(i.get("inputs_sampled")) for i in idents}),
            "sim_sources_sha256": sorted({str(i.get("sim_sources_sha256")) for i in idents})}


def write_manifest(out: Path, manifest: dict) -> None:
    """Write manifest.json last, atomically, with the time it was finished: the one
    writer of every command's manifest. What the parts record they were made by is
    written with it (``made_by``); a run's or comparison's seed is the parts' own (a
    study's parts draw from seeds derived from its seed). Every manifest says whether its
    replicates drew the scenario's inputs (``inputs_sampled``; false for the commands
    that never do)."""
    manifest.setdefault("inputs_sampled", False)
    summary = parts_summary(out)
    if summary is not None:
        manifest["made_by"] = summary
        if manifest.get("command") in ("run", "compare") and len(summary["seeds"]) == 1:
            manifest["seed"] = summary["seeds"][0]
    manifest["finished"] = now()
    write_json(manifest, out / "manifest.json")


# ------------------------------------------------------------------------- what is ours

LOCK_NAME, PID_NAME = ".hitech-sim.lock", ".hitech-sim.pid"

# Every file this tool writes at the root of a results folder (docs/interface.md
# "Results folder"); ``--overwrite`` replaces a folder only if it holds nothing else.
RESULT_NAMES = frozenset({
    "manifest.json", "targets.json", "outcomes.json", "design.json", "realism.json",
    "calibration.json", "metrics.parquet", "ledger.parquet", "claims.parquet", "firms.parquet",
    "outcomes.parquet", "behaviour.parquet", "inputs.parquet", "comparison.csv", "points.csv",
    "probabilities.csv", "sensitivity.csv", "morris.csv", "sobol.csv", "robust.csv",
    "regret.csv", "prim.csv", "worlds.csv", "realism.csv", "initial_totals.csv",
    "moments.csv", "parameters.csv", "trace.csv", "holdout.csv", "backtest_summary.csv",
    "backtest.csv", "attribution.csv", "coalitions.csv",
    "report.html", "report.pdf", "report.xlsx",
    LOCK_NAME, PID_NAME})
_TMP = re.compile(r"\..+\.tmp(-\d+)?")  # an atomic write cut short
_PART = re.compile(r".+\.(done|error\.json|(metrics|ledger|claims|firms|outcomes)\.parquet)")
_SUBFOLDERS = {"parts": _PART, "figures": re.compile(r".+\.(png|svg|csv)"),
               "tables": re.compile(r".+\.csv"),
               "data": re.compile(r".+\.csv"),  # the report's tables for scripts
               # run and compare: the luck-only set beside the headline (docs/uncertainty.md)
               "luck_only": re.compile(r"(metrics|ledger|claims|firms)\.parquet|comparison\.csv")}


def foreign_files(out: Path) -> list[str]:
    """Files and folders under ``out`` that this tool does not write (relative paths)."""
    foreign = []
    for p in sorted(out.iterdir()):
        if p.name in RESULT_NAMES or _TMP.fullmatch(p.name):
            if p.is_file() and not p.is_symlink():
                continue
        elif p.name in _SUBFOLDERS and p.is_dir() and not p.is_symlink():
            pattern = _SUBFOLDERS[p.name]
            for q in sorted(p.rglob("*")):
                if not (q.is_file() and not q.is_symlink() and q.parent == p
                        and (pattern.fullmatch(q.name) or _TMP.fullmatch(q.name))):
                    foreign.append(str(q.relative_to(out)))
            continue
        foreign.append(p.name + ("/" if p.is_dir() else ""))
    return foreign


def clear_results(out: Path) -> None:
    """Empty a results folder for ``--overwrite``: only if everything in it is this
    tool's (else :class:`OutputError` listing the rest); its lock stays."""
    foreign = foreign_files(out)
    if foreign:
        shown = ", ".join(foreign[:10]) + (f" and {len(foreign) - 10} more"
                                           if len(foreign) > 10 else "")
        raise OutputError(f"{out}: --overwrite replaces only a results folder, and this one "
                          f"holds files hitech-sim does not write: {shown} (valid: move them "
                          "away, or another --out)")
    for p in out.iterdir():
        if p.name in (LOCK_NAME, PID_NAME):
            continue
        if p.is_dir():
            shutil.rmtree(p)
        else:
            p.unlink()


def make_folder(out: Path) -> bool:
    """Make ``out`` (and its parents); an unusable path is an :class:`OutputError`.
    Returns True if this call made it."""
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out}: exists and is not a folder (valid: a folder path)")
    existed = out.is_dir()
    try:
        out.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise OutputError(f"{out}: cannot be a results folder: part of the path is a file "
                          "(valid: a folder path)") from None
    except OSError as e:
        raise OutputError(f"{out}: cannot make the results folder ({e.strerror or e}; "
                          "valid: a path in a writable folder)") from None
    return not existed


# ------------------------------------------------------------------------- one writer

_HELD: dict[Path, FileLock] = {}
_CREATED: set[Path] = set()
_DEPTH = [0]


def lock_folder(out: Path, created: bool = False) -> None:
    """Take the results folder's lock for this process (an OS lock through ``filelock``:
    a killed holder's lock is released by the OS, so a stale lock file does not block).
    A folder another process holds is an :class:`OutputError` naming its PID. Held until
    the outermost :func:`lock_scope` ends (or the process, outside any scope)."""
    key = out.resolve()
    if key in _HELD:
        return
    lock = FileLock(out / LOCK_NAME, timeout=0, is_singleton=False)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        try:
            pid = (out / PID_NAME).read_text(encoding="utf-8").strip() or "unknown"
        except OSError:
            pid = "unknown"
        raise OutputError(f"{out}: another hitech-sim (PID {pid}) is writing this results "
                          "folder (valid: wait for it to finish, or another --out)") from None
    except OSError as e:
        raise OutputError(f"{out}: cannot write the results folder ({e.strerror or e}; "
                          "valid: a path in a writable folder)") from None
    _HELD[key] = lock
    if created:
        _CREATED.add(key)
    try:
        atomic_write_text(f"{os.getpid()}\n", out / PID_NAME)
    except OSError as e:
        release_folder(out)
        raise OutputError(f"{out}: cannot write the results folder ({e.strerror or e})") from None


def release_folder(out: Path) -> None:
    """Give up this process's lock on ``out`` (if held)."""
    key = out.resolve()
    lock = _HELD.pop(key, None)
    _CREATED.discard(key)
    if lock is not None:
        with contextlib.suppress(OSError):
            (out / PID_NAME).unlink()
        lock.release()


@contextlib.contextmanager
def lock_scope():
    """Locks taken inside are released when the outermost scope ends (a command, or a
    library call such as :func:`sim.studies.run.run_scenario`)."""
    before = set(_HELD)
    _DEPTH[0] += 1
    try:
        yield
    finally:
        _DEPTH[0] -= 1
        if _DEPTH[0] == 0:
            for key in [k for k in _HELD if k not in before]:
                release_folder(key)


def holds_folders(fn):
    """Decorator: run ``fn`` in a :func:`lock_scope`."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with lock_scope():
            return fn(*args, **kwargs)

    return wrapper


def discard_new_folders() -> None:
    """Remove the folders this process made whose run did not start (nothing in them but
    the lock and an empty parts/): after a scheduler that cannot be reached, the retry
    finds no folder in its way."""
    for key in list(_CREATED):
        if not key.is_dir():
            continue
        parts = key / "parts"
        rest = [p for p in key.iterdir() if p.name not in (LOCK_NAME, PID_NAME, "parts")]
        if rest or (parts.is_dir() and any(parts.iterdir())):
            continue
        release_folder(key)
        shutil.rmtree(key, ignore_errors=True)
