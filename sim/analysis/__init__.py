"""The analysis layer: pure functions, DataFrames in and DataFrames out (targets, paired
differences, sensitivity tables, PRIM, regret, realism statistics, calibration
moments). Never reads or writes files, never draws, never runs a model."""
