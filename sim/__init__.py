"""hitech-sim: an agent-based simulation of Yunnan's high-tech zones (高新区).

The Python API, for notebooks and scripts (docs/python.md):

- :func:`load_scenario` reads and checks a scenario (a file or a dict), with overrides;
- :func:`run` runs replicates of it, :func:`compare_variants` runs variants on paired seeds,
  :func:`open_results` reads a results folder; each gives :class:`Results`, whose
  tables are pandas DataFrames and whose methods draw the report's figures;
- bad input raises :class:`ScenarioError`, one ``FILE:LINE: key: problem (valid: ...)``
  line per problem, as the command line prints them.

>>> import sim
>>> L = sim.load_scenario("scenarios/yunnan_baseline.yaml",
...                       overrides={"population.scale": 0.02, "calendar.end": "2026Q2"})
>>> L.model.policy.rd_subsidy.cap_wan
1000.0
>>> res = sim.run(L, replicates=2)
>>> res.at("hte", "2026Q2").columns.tolist()
['yunnan_baseline']
>>> sim.load_scenario("scenarios/yunnan_baseline.yaml",
...                   overrides={"policy.referral.referrer_share": 1.5})
Traceback (most recent call last):
...
sim.scenario.loader.ScenarioError: --set policy.referral.referrer_share: policy.referral.referrer_share: 1.5 is out of range (valid: a number >= 0 and <= 1)
"""

from sim.core.version import __version__


def load_scenario(source, overrides=None):
    """Load and validate a scenario (a path or a dict); see :func:`sim.scenario.loader.load`.

    ``overrides`` is ``{"key.path": value}`` (or a list of ``"key.path=value"``), checked
    like the file; ``extends`` in a file is followed.
    """
    from sim.scenario.loader import load

    return load(source, overrides)


def run_scenario(loaded, **kwargs):
    """Run a loaded scenario; see :func:`sim.studies.run.run_scenario`."""
    from sim.studies.run import run_scenario as _run

    return _run(loaded, **kwargs)


def __getattr__(name):  # the API's heavier names, imported when first used
    if name in ("run", "compare_variants", "open_results", "Results", "attribute"):
        import sim.api

        return getattr(sim.api, name)
    if name in ("ScenarioError", "Problem"):
        import sim.scenario.loader

        return getattr(sim.scenario.loader, name)
    raise AttributeError(f"module 'sim' has no attribute {name!r}")


__all__ = ["Problem", "Results", "ScenarioError", "__version__", "attribute",
           "compare_variants", "load_scenario", "open_results", "run", "run_scenario"]
