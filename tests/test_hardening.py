"""Results folders that cannot be mixed up, lost or escaped (issue 13): parts know what
made them, ``--resume`` refuses another command, ``--overwrite`` replaces only results,
one writer at a time, environment failures are exit 2, damaged parts and lost workers
are run again with identical numbers."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from sim.engine import folder

ROOT = Path(__file__).resolve().parent.parent
TINY = ROOT / "tests" / "scenarios" / "tiny.yaml"
BASE = ROOT / "scenarios" / "yunnan_baseline.yaml"


def cli(*args, **kw):
    return subprocess.run([sys.executable, "-m", "sim.cli", *map(str, args)],
                          capture_output=True, text=True, cwd=ROOT, timeout=600, **kw)


def run_tiny(out, *extra):
    return cli("run", TINY, "-n", "3", "--quiet", "--no-report", "--out", out, *extra)


def tables_equal(a: Path, b: Path) -> None:
    for name in ("metrics.parquet", "ledger.parquet"):
        pd.testing.assert_frame_equal(pd.read_parquet(a / name), pd.read_parquet(b / name),
                                      check_exact=True)


@pytest.fixture(scope="module")
def done_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("done") / "run"
    r = run_tiny(out)
    assert r.returncode == 0, r.stderr
    return out


# ------------------------------------------------------------------------- identity


def test_parts_record_their_identity_and_the_manifest_the_parts(done_run):
    meta = json.loads((done_run / "parts" / "tiny--r000001.done").read_text())
    ident = meta["identity"]
    assert ident["seed"] == 12345 and ident["replicate"] == 1 and ident["variant"] == "tiny"
    assert len(ident["scenario_sha256"]) == 64 and len(ident["sim_sources_sha256"]) == 64
    assert set(meta["sha256"]) == set(meta["tables"]) == {"metrics", "ledger", "claims"}
    man = json.loads((done_run / "manifest.json").read_text())
    assert man["made_by"]["seeds"] == [man["seed"]] == [12345]
    assert man["made_by"]["replicates"] == {"tiny": 3}
    assert man["made_by"]["scenario_sha256"] == [man["scenario_sha256"]]


@pytest.mark.parametrize("extra, says", [
    (["--seed", "7"], "seed: the folder has 12345, this command 7"),
    (["--set", "population.scale=0.5"], "resolved scenario"),
    (["--luck-only"], "behaviour sampling"),
])
def test_resume_with_another_command_is_refused(done_run, extra, says):
    before = {p.name: p.stat().st_mtime_ns for p in (done_run / "parts").iterdir()}
    r = run_tiny(done_run, "--resume", *extra)
    assert r.returncode == 2, r.stderr
    assert "--resume would mix results" in r.stderr and says in r.stderr
    assert "Traceback" not in r.stderr
    after = {p.name: p.stat().st_mtime_ns for p in (done_run / "parts").iterdir()}
    assert after == before  # nothing run, nothing written


def test_resume_of_an_edited_sweep_is_refused(tmp_path):
    f = tmp_path / "sw.yaml"
    text = f"""name: tiny_sweep
base: {TINY}
levers:
  policy.rd_subsidy.cap_wan: [500, 2000]
replicates: 1
outcomes:
  - {{id: hte, metric: hte, quarter: 2026Q4}}
"""
    f.write_text(text, encoding="utf-8")
    r = cli("sweep", f, "--out", tmp_path / "o", "--quiet", "--no-report")
    assert r.returncode == 0, r.stderr
    f.write_text(text.replace("[500, 2000]", "[600, 2000]"), encoding="utf-8")
    r = cli("sweep", f, "--out", tmp_path / "o", "--quiet", "--no-report", "--resume")
    assert r.returncode == 2 and "--resume would mix results" in r.stderr, r.stderr


def test_compare_resumed_with_another_seed_is_refused(tmp_path):
    out = tmp_path / "c"
    var = tmp_path / "v.yaml"
    var.write_text(f"extends: {TINY}\nname: tiny_v\npolicy:\n  rd_subsidy:\n    rate: 0.3\n",
                   encoding="utf-8")
    args = ["compare", TINY, var, "-n", "2", "--quiet", "--no-report", "--out", out]
    assert cli(*args).returncode == 0
    r = cli(*args, "--resume", "--seed", "7")
    assert r.returncode == 2 and "the seed" in r.stderr, r.stderr


def test_a_part_damaged_mid_file_is_run_again(tmp_path, done_run):
    cut = tmp_path / "cut"
    assert run_tiny(cut).returncode == 0
    (cut / "manifest.json").unlink()
    victim = cut / "parts" / "tiny--r000001.metrics.parquet"
    raw = bytearray(victim.read_bytes())
    raw[len(raw) // 2] ^= 0xFF  # the footer is intact: only the checksum sees it
    victim.write_bytes(bytes(raw))
    r = run_tiny(cut, "--resume")
    assert r.returncode == 0, r.stderr
    tables_equal(done_run, cut)


# ------------------------------------------------------------------------- overwrite


def test_overwrite_refuses_a_folder_with_foreign_files(tmp_path):
    victim = tmp_path / "victim"
    (victim / "notes").mkdir(parents=True)
    (victim / "notes" / "thesis.txt").write_text("years of work")
    (victim / "data.csv").write_text("a,b\n1,2\n")
    r = run_tiny(victim, "--overwrite")
    assert r.returncode == 2, r.stderr
    assert "data.csv" in r.stderr and "notes/" in r.stderr
    assert (victim / "notes" / "thesis.txt").read_text() == "years of work"
    assert (victim / "data.csv").exists()


def test_overwrite_replaces_a_results_folder(tmp_path, done_run):
    out = tmp_path / "o"
    assert cli("run", TINY, "-n", "1", "--quiet", "--out", out).returncode == 0  # + report
    (out / "parts" / ".x.done.tmp-123").write_text("")  # a write cut short is ours too
    r = run_tiny(out, "--overwrite")
    assert r.returncode == 0, r.stderr
    tables_equal(done_run, out)
    assert not (out / "report.html").exists()


# ------------------------------------------------------------------------- names


@pytest.mark.parametrize("name", ["../../escaped_name", "a/b", "a\\b", "/tmp/abs_name", ".."])
def test_a_name_cannot_leave_the_results_folder(tmp_path, name):
    cwd = tmp_path / "deep" / "er"
    cwd.mkdir(parents=True)
    r = subprocess.run([sys.executable, "-m", "sim.cli", "run", str(TINY), "-n", "1", "--quiet",
                        "--no-report", "--set", f"name={name}"], capture_output=True, text=True,
                       cwd=cwd, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=600)
    assert r.returncode == 2 and "expected a name" in r.stderr, r.stderr
    assert list(tmp_path.rglob("*.parquet")) == [] and not (cwd / "results").exists()
    assert not Path("/tmp/abs_name").exists()


# ------------------------------------------------------------------------- one writer


def test_a_second_writer_is_refused_naming_the_holder(tmp_path):
    out = tmp_path / "busy"
    out.mkdir()
    with folder.lock_scope():
        folder.lock_folder(out)
        r = run_tiny(out, "--resume")
        rep = cli("report", out)
    assert r.returncode == 2 and f"PID {os.getpid()}" in r.stderr, r.stderr
    assert rep.returncode == 2 and f"PID {os.getpid()}" in rep.stderr, rep.stderr
    assert run_tiny(out, "--resume").returncode == 0  # released: the next one writes


def test_two_writers_at_once_one_refused(tmp_path):
    out = tmp_path / "race"
    first = subprocess.Popen(
        [sys.executable, "-m", "sim.cli", "run", str(BASE), "-n", "40", "--quiet",
         "--no-report", "--out", str(out), "--set", "population.scale=0.03",
         "--set", "calendar.end=2027Q4", "--set", "calendar.checkpoints=[2027Q4]"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 300
    while time.time() < deadline and first.poll() is None and not list(
            (out / "parts").glob("*.done") if (out / "parts").is_dir() else []):
        time.sleep(0.02)
    second = run_tiny(out, "--overwrite")  # while the first is writing its parts
    _, err1 = first.communicate(timeout=600)
    assert first.returncode == 0, err1
    if second.returncode == 0:  # the first had already finished: both wrote in turn
        pytest.skip("the first run finished before the second started")
    assert second.returncode == 2 and f"PID {first.pid}" in second.stderr, second.stderr
    assert json.loads((out / "manifest.json").read_text())["replicates"] == 40


def test_a_stale_lock_of_a_killed_process_does_not_block(tmp_path):
    out = tmp_path / "stale"
    out.mkdir()
    code = ("import sys, time; from pathlib import Path; from sim.engine import folder; "
            f"folder.lock_folder(Path({str(out)!r})); print('held', flush=True); "
            "time.sleep(600)")
    p = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE,
                         text=True)
    assert p.stdout.readline().strip() == "held"
    assert run_tiny(out, "--resume").returncode == 2  # held: refused
    p.send_signal(signal.SIGKILL)
    p.wait()
    assert (out / folder.LOCK_NAME).exists() and (out / folder.PID_NAME).exists()
    r = run_tiny(out, "--resume")
    assert r.returncode == 0, r.stderr


# ------------------------------------------------------------------------- environment


@pytest.mark.parametrize("bad", ["/proc/x", "/dev/null/x", "FILE/x", "FILE"])
def test_an_unusable_out_is_exit_2(tmp_path, bad):
    f = tmp_path / "a_file"
    f.write_text("")
    out = bad.replace("FILE", str(f))
    r = run_tiny(out)
    assert r.returncode == 2, r.stderr
    assert out in r.stderr and "internal error" not in r.stderr and "Traceback" not in r.stderr


def test_report_on_a_junk_table_is_exit_2(tmp_path, done_run):
    import shutil

    junk = tmp_path / "junk"
    shutil.copytree(done_run, junk)
    (junk / "metrics.parquet").write_bytes(b"PAR1 this is not a table PAR1")
    r = cli("report", junk)
    assert r.returncode == 2 and "metrics.parquet" in r.stderr, r.stderr
    assert "internal error" not in r.stderr


def test_an_unreachable_scheduler_leaves_nothing_behind(tmp_path):
    out = tmp_path / "never"
    r = run_tiny(out, "--scheduler", "tcp://127.0.0.1:9")
    assert r.returncode == 2 and "cannot reach a Dask scheduler" in r.stderr, r.stderr
    assert not out.exists()


def test_seed_is_checked_like_the_file():
    r = cli("run", TINY, "--seed", "99999999999999999999999", "--quiet")
    assert r.returncode == 2 and "2^63-1" in r.stderr


# ------------------------------------------------------------------------- lost worker


def _children(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_killed_worker_is_replaced_and_the_numbers_are_the_same(tmp_path):
    args = ["run", BASE, "-n", "6", "--quiet", "--no-report", "--set", "population.scale=0.03",
            "--set", "calendar.end=2027Q4", "--set", "calendar.checkpoints=[2027Q4]"]
    one, two = tmp_path / "one", tmp_path / "two"
    assert cli(*args, "--out", one).returncode == 0
    p = subprocess.Popen([sys.executable, "-m", "sim.cli", *map(str, args), "--out", str(two),
                          "--workers", "2"], cwd=ROOT, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    killed, deadline = None, time.time() + 300
    while killed is None and time.time() < deadline and p.poll() is None:
        # forkserver: the workers are the children of the server, a child of the run
        for server in _children(p.pid):
            workers = _children(server)
            if workers:
                killed = workers[0]
                os.kill(killed, signal.SIGKILL)
                break
        time.sleep(0.05)
    _, err = p.communicate(timeout=600)
    assert killed is not None, "no worker process seen"
    assert p.returncode == 0, err
    man = json.loads((two / "manifest.json").read_text())
    assert man["status"] == "complete" and man["failed"] == []
    tables_equal(one, two)
