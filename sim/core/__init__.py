"""The core layer: the calendar (quarters) and the metric catalogue. Imports nothing of
``sim``; every other layer may import it."""
