"""Deprecated: moved to :mod:`sim.model.agents` (docs/architecture.md); this re-export goes in the
next release."""

import warnings

from sim.model.agents import *  # noqa: F401,F403

warnings.warn("sim.agents moved to sim.model.agents; import it from there (this path goes in the "
              "next release)", DeprecationWarning, stacklevel=2)
