"""Scenario loader: good files load, every kind of mistake gives a precise message.

Corpus: ``scenarios/*.yaml`` and ``tests/scenarios/*.yaml`` must load;
``tests/bad_scenarios/*.yaml`` must each raise :class:`ScenarioError` whose text holds
the fragments listed for the file in ``tests/bad_scenarios/expected.yaml``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from sim.core.calendar import q_index, value_at
from sim.scenario import loader
from sim.scenario.loader import ScenarioError

ROOT = Path(__file__).resolve().parent.parent
TINY = ROOT / "tests" / "scenarios" / "tiny.yaml"
TINY_VARIANT = ROOT / "tests" / "scenarios" / "tiny_variant.yaml"
BAD = ROOT / "tests" / "bad_scenarios"
EXPECTED: dict[str, list[str]] = {
    str(k): [str(x) for x in v]
    for k, v in YAML(typ="safe").load((BAD / "expected.yaml").read_text("utf-8")).items()
}
GOOD = sorted((ROOT / "scenarios").glob("*.yaml")) + sorted(
    (ROOT / "tests" / "scenarios").glob("*.yaml"))

KNOWN_LOADER_BUGS: dict[str, str] = {}  # none open


def _error(source, overrides=None) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        loader.load(source, overrides)
    return info.value


# ------------------------------------------------------------------------- good files


@pytest.mark.parametrize("path", GOOD, ids=lambda p: str(p.relative_to(ROOT)))
def test_good_scenario_loads(path):
    s = loader.load(path)
    assert s.model.name
    assert len(s.sha256) == 64 and int(s.sha256, 16) >= 0
    json.dumps(s.resolved)  # plain, JSON-able
    assert s.sha256 == loader.canonical_sha256(s.resolved)


def test_tiny_is_small_and_complete():
    m = loader.load(TINY).model
    assert [x.id for x in m.sectors] == ["digital", "other"]
    assert [(z.id, z.level) for z in m.zones] == [("alpha", "national"), ("beta", "provincial")]
    assert m.zones[0].national_rank is not None
    assert [z.firms.total for z in m.zones] == [300, 150]
    assert len(m.incubators) == 1
    assert sorted(c.kind for c in m.capital) == ["bank", "vc"]
    assert 1 <= len(m.targets) <= 2
    assert (m.calendar.start, m.calendar.end) == ("2025Q3", "2026Q4")
    assert m.projects.per_quarter > 0


# ------------------------------------------------------------------------- bad files


def _bad_params():
    out = []
    for name in sorted(EXPECTED):
        marks = ()
        if name in KNOWN_LOADER_BUGS:
            marks = pytest.mark.xfail(reason=KNOWN_LOADER_BUGS[name], strict=True)
        out.append(pytest.param(name, marks=marks, id=name))
    return out


def test_every_bad_file_has_expectations():
    files = {p.name for p in BAD.glob("*.yaml")} - {"expected.yaml"}
    assert files == set(EXPECTED)
    for name, frags in EXPECTED.items():
        assert name in frags, f"{name}: the fragments must include the file name"
        assert any(f.startswith(":") and f.endswith(":") for f in frags), \
            f"{name}: the fragments must include the line as ':N:'"


@pytest.mark.parametrize("name", _bad_params())
def test_bad_scenario_message(name):
    err = _error(BAD / name)
    text = str(err)
    assert err.problems and text.count("\n") == len(err.problems) - 1
    missing = [f for f in EXPECTED[name] if f not in text]
    assert not missing, f"{name}: {missing} not in:\n{text}"
    # all fragments on one line: they describe the same problem
    assert any(all(f in line for f in EXPECTED[name]) for line in text.splitlines()), text


def test_corpus_files_hold_their_mistake_bytes():
    """Guards against an editor 'fixing' the corpus (re-encoding, expanding tabs)."""
    raw = (BAD / "gbk_encoding.yaml").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert "云南" in raw.decode("gbk")
    assert b"\n\trate" in (BAD / "tab_indent.yaml").read_bytes()
    assert "：" in (BAD / "fullwidth_colon.yaml").read_text("utf-8")


def test_problem_fields():
    err = _error(BAD / "unknown_key.yaml")
    (p,) = err.problems
    assert Path(p.file).name == "unknown_key.yaml"
    assert (p.line, p.path) == (5, "policy.rd_subsidy.rat")
    assert str(err) == str(p) == f"{p.file}:5: policy.rd_subsidy.rat: {p.message}"


def test_inherited_problem_points_at_the_base_file(tmp_path):
    """A problem in a value a variant inherits is reported where that value is written."""
    (tmp_path / "v.yaml").write_text(f"extends: {TINY}\nsectors:\n"
                                     "  - {id: digital, name_zh: 数字, name_en: Digital}\n",
                                     "utf-8")
    text = str(_error(tmp_path / "v.yaml"))
    assert "v.yaml:2: sectors: no sector 'other'" in text
    line = next(i for i, x in enumerate(TINY.read_text("utf-8").splitlines(), 1)
                if "sector_shares:" in x)  # alpha's, the first zone
    assert f"tiny.yaml:{line}: zones.0.firms.sector_shares.other: unknown sector" in text


# ------------------------------------------------------------------------- overrides


def test_override_changes_value():
    base = loader.load(TINY)
    s = loader.load(TINY, ["policy.rd_subsidy.rate=0.35", "policy.rd_subsidy.cap_wan=500"])
    assert s.model.policy.rd_subsidy.rate == 0.35
    assert s.model.policy.rd_subsidy.cap_wan == 500
    assert base.model.policy.rd_subsidy.rate == 0.2
    # the dict form does the same
    d = loader.load(TINY, {"policy.rd_subsidy.rate": 0.35, "policy.rd_subsidy.cap_wan": 500})
    assert d.sha256 == s.sha256


def test_override_list_entry_by_id_and_index():
    s = loader.load(TINY, ["zones.beta.land_ha=99", "zones.0.firms.total=310"])
    assert [z.land_ha for z in s.model.zones] == [40, 99]
    assert [z.firms.total for z in s.model.zones] == [310, 150]


@pytest.mark.parametrize("item, fragments", [
    ("policy.rd_subsidy.rate=abc", ["policy.rd_subsidy.rate", "'abc'", "expected a number"]),
    ("policy.rd_subsidy.rate=1.5", ["policy.rd_subsidy.rate", "out of range"]),
    ("policy.rd_subsidy.rat=0.3", ["policy.rd_subsidy.rat", "unknown key",
                                   "did you mean 'rate'"]),
    ("policy.nonexistent.x=1", ["policy.nonexistent", "unknown key"]),
    ("zones.gamma.land_ha=1", ["zones.gamma", "no such list entry", "alpha, beta"]),
    ("policy.rd_subsidy.rate.x=1", ["policy.rd_subsidy.rate.x", "plain value"]),
    ("policy.budget.on_exhausted=skip", ["policy.budget.on_exhausted", "'skip'", "defer"]),
    ("policy.rd_subsidy.rate=[0.1", ["policy.rd_subsidy.rate", "not valid YAML"]),
    ("calendar.end=2026Q5", ["calendar.end", "expected a quarter"]),
    ("norate", ["norate", "KEY=VALUE"]),
])
def test_bad_override_names_the_key(item, fragments):
    text = str(_error(TINY, [item]))
    assert "--set" in text
    missing = [f for f in fragments if f not in text]
    assert not missing, f"{missing} not in:\n{text}"


def test_bad_override_dict_form():
    text = str(_error(TINY, {"policy.rd_subsidy.rate": "abc"}))
    assert "policy.rd_subsidy.rate" in text and "'abc'" in text


def test_override_tag_refused():
    text = str(_error(TINY, ["description=!!python/object/apply:os.system [ls]"]))
    assert "not allowed" in text


def test_override_tag_names_the_key():
    err = _error(TINY, ["description=!!python/object/apply:os.system [ls]"])
    assert err.problems[0].path == "description"


# ------------------------------------------------------------------------- dated values


def test_dated_value_validates_and_value_at():
    s = loader.load(TINY, ["policy.rd_subsidy.rate={2025Q3: 0.2, 2027Q1: 0.3}"])
    rate = s.model.policy.rd_subsidy.rate
    assert rate == {"2025Q3": 0.2, "2027Q1": 0.3}
    assert value_at(rate, q_index("2025Q3")) == 0.2
    assert value_at(rate, q_index("2026Q4")) == 0.2
    assert value_at(rate, q_index("2027Q1")) == 0.3
    assert value_at(rate, q_index("2030Q4")) == 0.3
    assert s.resolved["policy"]["rd_subsidy"]["rate"] == {"2025Q3": 0.2, "2027Q1": 0.3}


def test_dated_value_from_a_file(tmp_path):
    (tmp_path / "d.yaml").write_text(
        f"extends: {TINY}\npolicy:\n  rd_subsidy:\n    rate: {{2025Q3: 0.2, 2027Q1: 0.3}}\n"
        "    enabled: {2025Q3: true, 2026Q2: false}\n", "utf-8")
    p = loader.load(tmp_path / "d.yaml").model.policy.rd_subsidy
    assert value_at(p.rate, q_index("2026Q4")) == 0.2
    assert value_at(p.rate, q_index("2027Q1")) == 0.3
    assert value_at(p.enabled, q_index("2026Q1")) is True
    assert value_at(p.enabled, q_index("2026Q2")) is False


def test_dated_value_first_key_before_start_applies_from_start():
    s = loader.load(TINY, ["policy.rd_subsidy.rate={2025Q1: 0.1, 2026Q1: 0.3}"])
    rate = s.model.policy.rd_subsidy.rate
    assert value_at(rate, q_index("2025Q3")) == 0.1
    assert value_at(rate, q_index("2026Q1")) == 0.3


def test_dated_value_first_key_after_start_refused():
    text = str(_error(TINY, ["policy.rd_subsidy.rate={2026Q1: 0.3, 2027Q1: 0.4}"]))
    assert "policy.rd_subsidy.rate" in text
    assert "2026Q1 is after the calendar's start 2025Q3" in text


@pytest.mark.parametrize("value, fragment", [
    ("{2026Q1: 0.3, 2025Q3: 0.2}", "out of order"),
    ("{2025Q3: 0.2, 2026H1: 0.3}", "not a quarter"),
    ("{2025Q3: 0.2, 2026Q1: 1.5}", "at 2026Q1"),
    ("{}", "empty dated value"),
])
def test_bad_dated_override(value, fragment):
    text = str(_error(TINY, [f"policy.rd_subsidy.rate={value}"]))
    assert "policy.rd_subsidy.rate" in text and fragment in text, text


# ------------------------------------------------------------------------- sha256


def test_sha256_stable_and_changes_with_override():
    a, b = loader.load(TINY), loader.load(TINY)
    assert a.sha256 == b.sha256
    assert loader.load(TINY, ["policy.rd_subsidy.rate=0.25"]).sha256 != a.sha256
    assert loader.load(TINY, ["seed=1"]).sha256 != a.sha256
    # it is the hash of the resolved scenario, not of how it was written
    assert loader.load(TINY, ["policy.rd_subsidy.rate=0.2"]).sha256 == a.sha256


def test_sha256_of_variant_equals_same_overrides():
    v = loader.load(TINY_VARIANT)
    o = loader.load(TINY, ["name=tiny_variant", "policy.rd_subsidy.rate=0.3",
                           "zones.beta.land_ha=35"])
    assert v.resolved == o.resolved
    assert v.sha256 == o.sha256


def test_sha256_independent_of_cwd(tmp_path, monkeypatch):
    here = loader.load(TINY_VARIANT).sha256
    monkeypatch.chdir(tmp_path)
    assert loader.load(TINY_VARIANT).sha256 == here  # extends is relative to the file




def test_sha256_same_when_a_default_is_written_out():
    a = loader.load(TINY)
    b = loader.load(TINY, ["constants.tech_sme_max_revenue_wan=20000"])
    assert b.model.constants.tech_sme_max_revenue_wan == 20000
    assert b.sha256 == a.sha256


def test_resolved_round_trips_through_dict():
    s = loader.load(TINY)
    again = loader.load(s.resolved)
    assert again.resolved == s.resolved and again.sha256 == s.sha256


# ------------------------------------------------------------------------- extends


def test_extends_merges_zones_by_id():
    base, var = loader.load(TINY).resolved, loader.load(TINY_VARIANT).resolved
    assert [z["id"] for z in var["zones"]] == ["alpha", "beta"]
    assert var["zones"][0] == base["zones"][0]  # alpha untouched
    assert var["zones"][1]["land_ha"] == 35 and base["zones"][1]["land_ha"] == 20
    assert {**var["zones"][1], "land_ha": 20} == base["zones"][1]  # rest of beta kept
    assert var["policy"]["rd_subsidy"]["rate"] == 0.3
    assert {**var["policy"]["rd_subsidy"], "rate": 0.2} == base["policy"]["rd_subsidy"]
    assert var["name"] == "tiny_variant"
    rest = {k for k in base if k not in ("name", "zones", "policy")}
    assert {k: var[k] for k in rest} == {k: base[k] for k in rest}


def test_extends_appends_new_zone_and_replaces_other_lists(tmp_path):
    (tmp_path / "v.yaml").write_text(
        f"extends: {TINY}\n"
        "zones:\n"
        "  - id: gamma\n    name_zh: 丙\n    name_en: Gamma\n    level: candidate\n"
        "    prefecture: 丙市\n    leading_industries: [other]\n    land_ha: 5\n"
        "    firms: {total: 10, tech_sme: 1, hte: 0, revenue_wan: 1000,"
        " sector_shares: {other: 1.0}}\n"
        "targets:\n  - {id: t, metric: hte, by: 2026Q4, threshold: 1, source: planner}\n", "utf-8")
    s = loader.load(tmp_path / "v.yaml")
    assert [z.id for z in s.model.zones] == ["alpha", "beta", "gamma"]
    assert [t.id for t in s.model.targets] == ["t"]
    assert s.model.name == "v"  # a variant without a name is named after its file


def test_dated_values_and_shares_are_replaced_whole_by_extends(tmp_path):
    base = tmp_path / "base.yaml"
    base.write_text(TINY.read_text(encoding="utf-8").replace(
        "name: tiny", "name: base"), encoding="utf-8")
    s = loader.load(base, ["policy.rd_subsidy.rate={2025Q3: 0.2, 2026Q3: 0.3}"])
    assert s.model.policy.rd_subsidy.rate == {"2025Q3": 0.2, "2026Q3": 0.3}
    (tmp_path / "b2.yaml").write_text(
        base.read_text(encoding="utf-8").replace(
            "name: base", "name: b2") + "\n", encoding="utf-8")
    v = tmp_path / "v.yaml"
    v.write_text("extends: b2.yaml\npolicy:\n  rd_subsidy:\n    rate: {2025Q3: 0.25, 2026Q1: 0.3}\n"
                 "zones:\n  - id: alpha\n    firms:\n      sector_shares: {other: 1.0}\n",
                 encoding="utf-8")
    r = loader.load(v)
    assert r.model.policy.rd_subsidy.rate == {"2025Q3": 0.25, "2026Q1": 0.3}
    assert r.model.zones[0].firms.sector_shares == {"other": 1.0}


# ------------------------------------------------------------------------- bounded inputs
# (issue 13, item 5): what a file can cost the loader is bounded; each refusal is a clear
# ScenarioError, raised before anything is built.


def test_fifo_is_refused_not_waited_on(tmp_path):
    import os

    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    err = _error(fifo)
    assert "pipe.yaml" in str(err) and "not a regular file" in str(err)


def test_folder_and_device_are_refused(tmp_path):
    assert "is a folder" in str(_error(tmp_path))
    assert "not a regular file" in str(_error(Path("/dev/zero")))


def test_large_file_is_refused(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_text("name: big\ndescription: " + "x" * (loader.MAX_FILE_BYTES + 1) + "\n",
                   "utf-8")
    text = str(_error(big))
    assert "big.yaml" in text and "bytes" in text and f"{loader.MAX_FILE_BYTES:,}" in text


def test_alias_in_set_is_refused():
    text = str(_error(TINY, ["description=&a [*a]"]))
    assert "--set" in text and "not allowed" in text


def test_names_that_stay_valid(tmp_path):
    for name in ("referral_0.7", "昆明高新区_2030", "off-a1", "v1.2.3"):
        assert loader.load(TINY, [f"name={name}"]).model.name == name


def test_refusals_are_cheap():
    """The alias bomb is refused from the parser's events: nothing is expanded (the
    traced peak is a guard of 50 MB, not a timing)."""
    import tracemalloc

    tracemalloc.start()
    try:
        _error(BAD / "alias_bomb.yaml")
        _error(BAD / "deep_nesting.yaml")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 50e6


# ------------------------------------------------------------------------- property
# Mutations of the baseline go through the loader: each gives a scenario or a clear
# ScenarioError (file named, one line per problem), never another exception.

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

BASELINE_LINES = (ROOT / "scenarios" / "yunnan_baseline.yaml").read_text("utf-8").splitlines()
_CHARS = list(":-[]{}&*!|>#%'\"\t,?@`\\\x00：0123456789.QqaZ_ \n") + ["<<", "~", "1e999",
                                                                        "2050Q4", "9999Q4"]
_EDIT = st.tuples(st.sampled_from(["delete", "duplicate", "insert", "replace", "truncate"]),
                  st.integers(0, len(BASELINE_LINES) - 1), st.integers(0, 80),
                  st.sampled_from(_CHARS))


def _mutate(edits) -> str:
    lines = list(BASELINE_LINES)
    for op, i, col, ch in edits:
        i %= max(len(lines), 1)
        if not lines:
            break
        line = lines[i]
        col = min(col, len(line))
        if op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, line)
        elif op == "insert":
            lines[i] = line[:col] + ch + line[col:]
        elif op == "replace":
            lines[i] = line[:col] + ch + line[col + 1:]
        else:
            lines[i] = line[:col]
    return "\n".join(lines) + "\n"


@settings(max_examples=150, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(edits=st.lists(_EDIT, min_size=1, max_size=4))
def test_mutated_baseline_loads_or_says_why(tmp_path, edits):
    f = tmp_path / "mutant.yaml"
    f.write_text(_mutate(edits), "utf-8")
    try:
        s = loader.load(f)
    except ScenarioError as e:
        assert e.problems
        for p in e.problems:
            assert p.message and "mutant.yaml" in p.file, str(p)
        return
    assert s.model.name and len(s.sha256) == 64
