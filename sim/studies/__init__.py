"""The studies layer: run, compare, sweep, sensitivity, robust, calibrate and realism as
orchestration: read a study file, make tasks, hand them to the engine, compute tables
with :mod:`sim.analysis`, write them. Never draws (that is :mod:`sim.report`)."""
