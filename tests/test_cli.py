"""The command line as a user meets it: files written, exit codes, messages."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent
SMALL = ["--set", "population.scale=0.02", "--set", "calendar.end=2026Q4"]


def cli(*args, env=None, cwd=None):
    e = dict(os.environ)
    e.update(env or {})
    return subprocess.run([sys.executable, "-m", "sim.cli", *map(str, args)],
                          capture_output=True, text=True, env=e, cwd=cwd or ROOT, timeout=600)


def test_run_writes_every_file(tmp_path):
    out = tmp_path / "res"
    p = cli("run", "scenarios/yunnan_baseline.yaml", "-n", "2", "--snapshots", "--out", out,
            "--quiet", *SMALL)
    assert p.returncode == 0, p.stderr
    assert str(out) in p.stdout
    for f in ("manifest.json", "metrics.parquet", "ledger.parquet", "targets.json",
              "firms.parquet"):
        assert (out / f).is_file(), f
    man = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    for k in ("schema_version", "scenario", "scenario_sha256", "resolved", "seed", "replicates",
              "population_scale", "versions", "started", "finished", "status"):
        assert k in man
    assert man["status"] == "complete" and man["replicates"] == 2
    assert man["population_scale"] == 0.02
    assert man["resolved"]["calendar"]["end"] == "2026Q4"
    m = pd.read_parquet(out / "metrics.parquet")
    assert list(m.columns) == ["variant", "replicate", "quarter", "zone", "sector", "metric",
                               "value"]
    assert set(m.variant) == {"yunnan_baseline"}
    assert m.quarter.min() == "2025Q2" and m.quarter.max() == "2026Q4"
    led = pd.read_parquet(out / "ledger.parquet")
    assert list(led.columns) == ["variant", "replicate", "quarter", "zone", "enterprise",
                                 "lever", "payer", "amount_wan", "from_transfer"]
    claims = pd.read_parquet(out / "claims.parquet")
    # every payment was earned first: the claim book pays what the ledger pays
    assert len(claims) > 0 and claims.paid_wan.sum() == pytest.approx(led.amount_wan.sum())
    targets = json.loads((out / "targets.json").read_text(encoding="utf-8"))
    by_id = {t["id"]: t for t in targets}
    # targets dated after the (shortened) calendar are not evaluated
    assert by_id["specialised_2027"]["probability"] is None
    firms = pd.read_parquet(out / "firms.parquet")
    assert {"origin", "stage", "founded", "revenue_4q_wan", "hte_valid", "exited"} <= set(
        firms.columns)
    assert set(firms.quarter) == {"2025Q2", "2025Q4", "2026Q4"} | set(
        firms[firms.exited].quarter)
    # an existing results folder is not overwritten without --overwrite
    again = cli("run", "scenarios/yunnan_baseline.yaml", "-n", "1", "--out", out, "--quiet",
                *SMALL)
    assert again.returncode == 2 and "--overwrite" in again.stderr
    assert "Traceback" not in again.stderr


def test_same_seed_identical_across_hash_seeds_and_workers(tmp_path):
    outs = []
    for i, (hs, w) in enumerate([("0", "1"), ("12345", "2")]):
        out = tmp_path / f"r{i}"
        p = cli("run", "scenarios/yunnan_baseline.yaml", "-n", "2", "--workers", w, "--out",
                out, "--quiet", *SMALL, env={"PYTHONHASHSEED": hs})
        assert p.returncode == 0, p.stderr
        outs.append(out)
    a = pd.read_parquet(outs[0] / "metrics.parquet")
    b = pd.read_parquet(outs[1] / "metrics.parquet")
    pd.testing.assert_frame_equal(a, b)


@pytest.mark.parametrize("path", sorted((ROOT / "scenarios").glob("*.yaml")),
                         ids=lambda p: p.name)
def test_every_scenario_validates_and_runs(path, tmp_path):
    p = cli("validate", path)
    assert p.returncode == 0, p.stderr
    p = cli("run", path, "-n", "2", "--out", tmp_path / "o", "--quiet", *SMALL)
    assert p.returncode == 0, p.stderr


def test_bad_file_exit_2_one_line_with_line_number(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("extends: " + str(ROOT / "scenarios" / "yunnan_baseline.yaml") +
                   "\npolicy:\n  rd_subsidy:\n    rate: 1.5\n", encoding="utf-8")
    p = cli("run", bad, "--quiet")
    assert p.returncode == 2
    assert "Traceback" not in p.stderr
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "bad.yaml:4: policy.rd_subsidy.rate:" in lines[0] and "1.5" in lines[0]
    p = cli("validate", bad)
    assert p.returncode == 2 and "bad.yaml:4:" in p.stderr


def test_bad_set_and_flags():
    p = cli("validate", "scenarios/yunnan_baseline.yaml", "--set", "policy.rd_subsidy.cap=5")
    assert p.returncode == 2 and "policy.rd_subsidy.cap" in p.stderr and "cap_wan" in p.stderr
    p = cli("run", "scenarios/yunnan_baseline.yaml", "-n", "0")
    assert p.returncode == 2 and "Traceback" not in p.stderr
    p = cli("run", "no/such/file.yaml")
    assert p.returncode == 2 and "no such file" in p.stderr


def test_bench_json():
    p = cli("bench", "--firms", "2000", "--replicates", "1", "--json")
    assert p.returncode == 0, p.stderr
    # the zones' largest firms shrink with them: no firm is left with negative revenue
    assert "RuntimeWarning" not in p.stderr, p.stderr
    r = json.loads(p.stdout)
    assert r["firms"] == pytest.approx(2000, abs=20)
    assert r["seconds_per_replicate"] > 0 and r["firm_steps_per_second"] > 0


def test_parameters_doc_is_generated_from_the_schema():
    from sim.scenario.params import markdown

    doc = (ROOT / "docs" / "parameters.md").read_text(encoding="utf-8")
    assert doc.strip() == markdown().strip(), "regenerate: python -m sim.scenario.params"


STUDIES = sorted(p for d in ("sensitivity", "robust", "sweeps", "calibration")
                 for p in (ROOT / "scenarios" / d).glob("*.yaml"))


def test_validate_checks_study_files_by_their_own_rules(tmp_path):
    """Every shipped study file validates as what it is; a study file with a bad value is
    refused with its file, line and key."""
    p = cli("validate", *STUDIES)
    assert p.returncode == 0, p.stderr
    assert p.stdout.count("study)") == len(STUDIES)
    src = (ROOT / "scenarios" / "sensitivity" / "baseline.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "sens.yaml"
    bad.write_text(src.replace("base: ../yunnan_baseline.yaml", "base: " + str(
        ROOT / "scenarios" / "yunnan_baseline.yaml")).replace("samples: 128", "samples: 100"),
                   encoding="utf-8")
    p = cli("validate", bad)
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert "sens.yaml:" in p.stderr and "sobol.samples" in p.stderr and "power of 2" in p.stderr
