"""Deprecated: moved to :mod:`sim.model.population` (docs/architecture.md); this re-export goes in the
next release."""

import warnings

from sim.model.population import *  # noqa: F401,F403

warnings.warn("sim.population moved to sim.model.population; import it from there (this path goes in the "
              "next release)", DeprecationWarning, stacklevel=2)
