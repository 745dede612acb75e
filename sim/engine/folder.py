"""Shared pieces of the results folder (docs/interface.md "Results folder"): versions,
time stamps, the error for a folder that cannot be written. The folder itself is written in parts by
:mod:`sim.engine.ensemble`."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
from pathlib import Path

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


def write_manifest(out: Path, manifest: dict) -> None:
    """Write manifest.json last, atomically, with the time it was finished: the one
    writer of every command's manifest."""
    manifest["finished"] = now()
    write_json(manifest, out / "manifest.json")
