"""Deprecated: moved to :mod:`sim.engine.ensemble` (docs/architecture.md); this re-export goes in the
next release."""

import warnings

from sim.engine.ensemble import *  # noqa: F401,F403

warnings.warn("sim.ensemble moved to sim.engine.ensemble; import it from there (this path goes in the "
              "next release)", DeprecationWarning, stacklevel=2)
