"""One module per mechanism of the quarter (docs/model.md S1-S11).

Each module has ``STREAM``, its random stream id (an integer: its position in
:data:`sim.model.zone_model.MECHANISMS`, never changed, so that adding a mechanism never
shifts another's draws; ``None`` for bookkeeping that draws nothing), and
``step(model, t, j, rng)``: quarter index ``t``, step ``j`` (1-based), and the
mechanism's own generator ``SeedSequence(seed, spawn_key=(replicate, STREAM, j))`` made
by the model. The model walks them in the order of
:data:`sim.model.zone_model.QUARTER`. State passed from one mechanism to a later one is
a named column of the firm table (:mod:`sim.model.firms`) or a documented attribute of
the model; shared helpers are in :mod:`sim.model.common`. A mechanism never imports
another (an import-linter contract in pyproject.toml).
"""
