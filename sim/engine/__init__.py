"""The engine layer: a task (one replicate of a resolved scenario), running it, running
many locally or on Dask, the parts of a results folder and the folder itself. Imports
core, scenario, model and analysis; never studies, report or the faces."""
