"""hitech-sim: an agent-based simulation of Yunnan's high-tech zones (高新区).

>>> import sim
>>> L = sim.load_scenario("scenarios/yunnan_baseline.yaml",
...                       overrides={"population.scale": 0.02, "calendar.end": "2026Q2"})
>>> L.model.policy.rd_subsidy.cap_wan
1000.0
"""

__version__ = "0.1.0"


def load_scenario(source, overrides=None):
    """Load and validate a scenario (a path or a dict); see :func:`sim.scenario.loader.load`."""
    from sim.scenario.loader import load

    return load(source, overrides)


def run_scenario(loaded, **kwargs):
    """Run a loaded scenario; see :func:`sim.api.run_scenario`."""
    from sim.api import run_scenario as _run

    return _run(loaded, **kwargs)


__all__ = ["__version__", "load_scenario", "run_scenario"]
