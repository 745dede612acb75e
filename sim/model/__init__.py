"""The model layer: the province's zones and firms quarter by quarter
(:class:`HighTechZoneModel`), the firm table, the agents, the synthetic population, the
ledger and one module per mechanism. Imports only core and scenario (and Mesa, numpy,
scipy); never pandas, matplotlib, the engine, analysis, studies, report or faces."""

from sim.model.zone_model import MECHANISMS, HighTechZoneModel, gc_paused

__all__ = ["MECHANISMS", "HighTechZoneModel", "gc_paused"]
